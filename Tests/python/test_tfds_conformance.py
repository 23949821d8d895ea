"""Conformance with the real TFDS `chexpert` builder (3.1.0, tensorflow-datasets 4.9.9).

One sample tree (made by `chexpert-sample`) is prepared by TFDS in a
subprocess (tfds_reference.py) and read back through `as_dataset`, the
`tf.data` path; the same tree is opened with `chexpert.Dataset(root,
dct="fast")`. Every example of both splits is matched by name and compared:
the set of names, `label` (int64, same length), `image_view` and `image`
(uint8 (H, W, 3), bit for bit). dct="accurate" must differ on some image, so
the pixel comparison can fail.

Order: libchexpert's natural order is CSV order (index i is data row i of the
CSV). TFDS's is its hash order, checked here independently of the library:
examples sorted by md5(split name + Path) read as a big-endian 128-bit
integer; with one shard (any tree under 128 MiB) that is also the read order
(shared/reference/tfds-chexpert.md, section 4).

TensorFlow is not optional here: scripts/test.sh installs requirements-tfds.txt
into the venv that runs the binding's tests. Needs the session fixture
`make_tree` from conftest.py.
"""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import chexpert
from conftest import TFDS_LABELS, read_csv

REFERENCE_SCRIPT = Path(__file__).resolve().with_name("tfds_reference.py")
# Import TF (~4 s) + prepare and read ~100 images (~5 s) on 2 cores; generous.
REFERENCE_TIMEOUT_SECONDS = 600
SPLITS = ("train", "validation")
# Several patients per split, grey and colour, baseline and progressive, a
# spread of qualities (so of quantisation tables). Train rows use all four
# label cells and both views (checked by test_tree_covers_every_case).
TREE_ARGUMENTS = ("--train-patients", "24", "--valid-patients", "8", "--seed", "3",
                  "--color-fraction", "0.2", "--progressive-fraction", "0.4",
                  "--quality", "70-97")


@pytest.fixture(scope="module")
def tfds_tree(make_tree) -> Path:
    return make_tree(*TREE_ARGUMENTS)


@pytest.fixture(scope="module")
def tfds_result(tfds_tree, tmp_path_factory) -> dict:
    """What the real builder yields: see tfds_reference.py's docstring."""
    work = tmp_path_factory.mktemp("tfds")
    out = work / "reference.pickle"
    command = [sys.executable, str(REFERENCE_SCRIPT), "--manual-dir", str(tfds_tree),
               "--data-dir", str(work / "data"), "--out", str(out)]
    completed = subprocess.run(command, capture_output=True, text=True,
                               timeout=REFERENCE_TIMEOUT_SECONDS)
    assert completed.returncode == 0, (
        f"{' '.join(command)} failed ({completed.returncode}):\n{completed.stderr[-4000:]}")
    with open(out, "rb") as file:
        return pickle.load(file)


@pytest.fixture(scope="module")
def fast(tfds_tree):
    with chexpert.Dataset(tfds_tree, dct="fast") as dataset:
        yield dataset


def _by_name(examples: list[dict]) -> dict[bytes, dict]:
    return {example["name"]: example for example in examples}


def _library_examples(split: chexpert.Split) -> dict[bytes, dict]:
    return _by_name([split[i] for i in range(len(split))])


def _max_difference(a: np.ndarray, b: np.ndarray) -> str:
    if a.shape != b.shape:
        return f"shape {a.shape} vs {b.shape}"
    return f"max pixel difference {int(np.abs(a.astype(np.int16) - b.astype(np.int16)).max())}"


def test_reference_is_the_pinned_builder(tfds_result):
    assert tfds_result["builder_version"] == "3.1.0"
    assert tfds_result["tfds_version"] == "4.9.9"
    # One shard per split: TFDS's read order is then exactly its md5 order.
    assert tfds_result["num_shards"] == {"train": 1, "validation": 1}


def test_tree_covers_every_case(tfds_tree, fast):
    """Both views, every label class, grey and colour, baseline and progressive."""
    from PIL import Image

    header, rows = read_csv(tfds_tree, "train")
    assert {row[3] for row in rows} == {"Frontal", "Lateral"}
    assert {cell for row in rows for cell in row[5:]} == set(TFDS_LABELS)
    modes, progressive, total = set(), 0, 0
    for split in SPLITS:
        for name in _library_examples(fast[split]):
            with Image.open(Path(tfds_tree) / name.decode()) as image:
                modes.add(image.mode)
                progressive += bool(image.info.get("progressive"))
                total += 1
    assert modes == {"L", "RGB"}
    assert 0 < progressive < total


def test_same_names(tfds_result, fast):
    for split in SPLITS:
        reference = [example["name"] for example in tfds_result["splits"][split]]
        ours = [fast[split][i]["name"] for i in range(len(fast[split]))]
        assert len(reference) == len(set(reference)) > 1
        assert sorted(ours) == sorted(reference), split


def test_same_labels_and_views(tfds_result, fast):
    for split in SPLITS:
        ours = _library_examples(fast[split])
        for name, expected in _by_name(tfds_result["splits"][split]).items():
            actual = ours[name]
            assert expected["label"].dtype == actual["label"].dtype == np.int64, name
            assert expected["label"].shape == actual["label"].shape == (14,), name
            assert np.array_equal(actual["label"], expected["label"]), (
                f"{name!r}: label {actual['label'].tolist()} != TFDS {expected['label'].tolist()}")
            assert type(actual["image_view"]) is type(expected["image_view"]) is np.int64, name
            assert actual["image_view"] == expected["image_view"], name


def test_same_images_bit_for_bit(tfds_result, fast):
    """Every image, through the single-example and the batch path."""
    compared, differences = 0, []
    for split in SPLITS:
        reference = _by_name(tfds_result["splits"][split])
        ours = _library_examples(fast[split])
        batch = fast[split].read_batch(range(len(fast[split])), num_threads=2)
        batched = dict(zip(batch["name"], batch["image"]))
        for name, expected in reference.items():
            assert expected["image"].dtype == np.uint8 and expected["image"].ndim == 3
            assert expected["image"].shape[2] == 3
            for path, actual in (("split[i]", ours[name]["image"]), ("read_batch", batched[name])):
                assert actual.dtype == np.uint8, name
                if not np.array_equal(actual, expected["image"]):
                    differences.append(f"{split} {name.decode()} ({path}): "
                                       f"{_max_difference(actual, expected['image'])}")
            compared += 1
    assert compared == sum(len(fast[split]) for split in SPLITS)
    assert not differences, (f"{len(differences)} of {2 * compared} decodes ({compared} images, "
                             "2 paths) differ from TFDS:\n" + "\n".join(differences))


def test_accurate_dct_differs_from_tfds(tfds_tree, tfds_result):
    """TFDS decodes with the fast IDCT: the accurate one must not match it everywhere."""
    with chexpert.Dataset(tfds_tree, dct="accurate") as accurate:
        differing = 0
        for split in SPLITS:
            ours = _library_examples(accurate[split])
            differing += sum(not np.array_equal(ours[example["name"]]["image"], example["image"])
                             for example in tfds_result["splits"][split])
    assert differing > 0


def _md5_order(split: str, names: list[bytes]) -> list[bytes]:
    def key(name: bytes) -> int:
        return int.from_bytes(hashlib.md5(split.encode() + name).digest(), "big")
    return sorted(names, key=key)


def test_tfds_order_is_md5_order_and_ours_is_csv_order(tfds_tree, tfds_result, fast):
    for split in SPLITS:
        tfds_order = [example["name"] for example in tfds_result["splits"][split]]
        assert tfds_order == _md5_order(split, tfds_order), split
        _, rows = read_csv(tfds_tree, split)
        csv_order = [row[0].encode() for row in rows]
        assert [fast[split][i]["name"] for i in range(len(fast[split]))] == csv_order
        assert csv_order != tfds_order, f"{split}: CSV order happens to equal md5 order"


def _spec(structure):
    import tensorflow as tf
    return tf.nest.map_structure(lambda spec: (spec.shape.as_list(), spec.dtype.name), structure)


def test_tf_adapter_is_tfds_element_for_element(tfds_result, fast):
    """chexpert.tf.tfds_dataset: TFDS's element_spec (plain and as_supervised)
    and TFDS's examples, images bit for bit, in CSV order."""
    import chexpert.tf
    for split in SPLITS:
        dataset = chexpert.tf.tfds_dataset(fast[split], read_size=5, num_threads=2)
        assert _spec(dataset.element_spec) == tfds_result["element_spec"]["plain"]
        supervised = chexpert.tf.tfds_dataset(fast[split], as_supervised=True)
        assert _spec(supervised.element_spec) == tfds_result["element_spec"]["supervised"]
        reference = _by_name(tfds_result["splits"][split])
        examples = list(dataset.as_numpy_iterator())
        assert [e["name"] for e in examples] == [fast[split][i]["name"] for i in range(len(fast[split]))]
        assert len(examples) == len(reference)
        for actual in examples:
            expected = reference[actual["name"]]
            assert np.array_equal(actual["label"], expected["label"]), actual["name"]
            assert actual["image_view"] == expected["image_view"]
            assert type(actual["image_view"]) is type(expected["image_view"])
            assert actual["image"].dtype == np.uint8
            assert np.array_equal(actual["image"], expected["image"]), actual["name"]
        image, label = next(supervised.as_numpy_iterator())
        assert np.array_equal(image, examples[0]["image"]) and np.array_equal(label, examples[0]["label"])
