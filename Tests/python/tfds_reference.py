"""Prepares and reads a CheXpert tree with the real TFDS `chexpert` builder.

Run in its own process (TensorFlow is heavy and keeps global state):

    python tfds_reference.py --manual-dir ROOT --data-dir TMP --out result.pickle

ROOT is TFDS's manual_dir: the folder that contains `CheXpert-v1.0-small/`.
The builder is prepared into TMP (which should be empty or fresh), then both
splits are read back through the `tf.data` path, the one libchexpert mirrors:
`tfds.as_numpy(builder.as_dataset(split=..., shuffle_files=False))`, which
decodes with `tf.image.decode_image` (libjpeg-turbo, fast integer IDCT).

The pickle holds a dict:

    {"tfds_version": str, "tf_version": str, "builder_version": str,
     "num_shards": {split: int},
     "element_spec": {"plain": spec, "supervised": spec},
     "splits": {"train": [example, ...], "validation": [example, ...]}}

A spec is the dataset's `element_spec` with every `tf.TensorSpec` as
(shape as a list, dtype name): a dict of them, or a tuple for as_supervised.

Each split's list is in the order TFDS yields it; every example is the dict
`tfds.as_numpy` produced: "name" (bytes), "label" (int64 ndarray),
"image_view" (np.int64) and "image" (uint8 ndarray (H, W, 3)), unchanged.
Exit status 0 on success; any TFDS error propagates (non-zero, traceback on
stderr).
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys

SPLITS = ("train", "validation")


def _parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manual-dir", required=True,
                        help="folder containing CheXpert-v1.0-small/ (TFDS manual_dir)")
    parser.add_argument("--data-dir", required=True,
                        help="where TFDS writes the prepared dataset")
    parser.add_argument("--out", required=True, help="pickle file to write")
    return parser.parse_args(argv)


def prepare_and_read(manual_dir: str, data_dir: str) -> dict:
    """Runs the real builder and returns the pickled structure described above."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Keep TFDS off the network: no GCS look-up of prepared data or metadata.
    os.environ.setdefault("NO_GCE_CHECK", "true")
    import tensorflow as tf
    import tensorflow_datasets as tfds

    tf.config.set_visible_devices([], "GPU")
    tfds.disable_progress_bar()

    builder = tfds.builder("chexpert", data_dir=data_dir, try_gcs=False)
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=manual_dir))

    def spec(structure):
        return tf.nest.map_structure(lambda s: (s.shape.as_list(), s.dtype.name), structure)

    element_spec = {
        "plain": spec(builder.as_dataset(split="train").element_spec),
        "supervised": spec(builder.as_dataset(split="train", as_supervised=True).element_spec),
    }
    splits = {}
    num_shards = {}
    for split in SPLITS:
        num_shards[split] = len(builder.info.splits[split].shard_lengths)
        dataset = builder.as_dataset(split=split, shuffle_files=False)
        splits[split] = list(tfds.as_numpy(dataset))
    return {
        "tfds_version": tfds.__version__,
        "tf_version": tf.__version__,
        "builder_version": str(builder.info.version),
        "num_shards": num_shards,
        "element_spec": element_spec,
        "splits": splits,
    }


def main(argv: list[str]) -> int:
    arguments = _parse_arguments(argv)
    result = prepare_and_read(arguments.manual_dir, arguments.data_dir)
    temporary = arguments.out + ".partial"
    with open(temporary, "wb") as file:
        pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, arguments.out)
    counts = ", ".join(f"{split} {len(result['splits'][split])}" for split in SPLITS)
    print(f"tfds_reference: chexpert {result['builder_version']} "
          f"(tfds {result['tfds_version']}, tf {result['tf_version']}): {counts} examples")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
