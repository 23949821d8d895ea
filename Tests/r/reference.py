"""Reference values from the Python binding, for the R package's testthat suite.

    python Tests/r/reference.py --root TREE --out DIR

Writes DIR/manifest.tsv (key<TAB>value lines) and little-endian binary files
in C order (row-major), so R reads them with readBin() and compares exactly:

    image_<split>_<i>.u8        example i's pixels, uint8 (H, W, 3)
    labels_<split>.i32          every label vector, int32 (N, L)
    views_<split>.i32           every image_view, int32 (N,)
    projections_<split>.i32     every projection, int32 (N,)
    names_<split>.txt           every name, one per line
    targets_<preset>_<split>.f32, masks_<preset>_<split>.f32
                                float32 (N, K) for the presets paper, libauc, xrv
    targets_<preset>_<split>.txt  the K output column names, one per line
    resized_<name>.f32 / .u8    resized batches (layout NCHW), see manifest
    shard_<name>.f64            shard indices (0-based), float64

Indices in the manifest are 0-based (the C and Python convention); the R
tests add 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import chexpert

PRESETS = ("paper", "libauc", "xrv")
# Resized batches the R tests read back: name -> (split, indices, Resize arguments).
RESIZED = {
    "imagenet": ("train", [0, 3, 5, 2], dict(size=(24, 20), layout="NCHW", dtype="float32",
                                              normalize="imagenet")),
    "grey_contain": ("validation", [1, 0], dict(size=(13, 17), channels=1, layout="NCHW",
                                                dtype="float32", normalize="unit", fit="contain",
                                                filter="bilinear")),
    "uint8": ("train", [4, 1], dict(size=(16, 12), layout="NCHW", dtype="uint8")),
}
SHARDS = {
    "seeded": dict(count=37, seed=2**64 - 5, epoch=3, shuffle=True,
                   sharding=chexpert.Sharding(1, 3, "pad")),
    "plain": dict(count=10, shuffle=False, sharding=chexpert.Sharding(0, 4, "drop")),
}


def _is_colour(image: np.ndarray) -> bool:
    return bool((image[..., 0] != image[..., 1]).any() or (image[..., 1] != image[..., 2]).any())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    arguments = parser.parse_args()
    out = arguments.out
    out.mkdir(parents=True, exist_ok=True)
    manifest = [("root", str(arguments.root.resolve())), ("library", chexpert.library_path)]

    with chexpert.Dataset(arguments.root) as ds:
        for split_name in ("train", "validation"):
            split = ds[split_name]
            manifest.append((f"size_{split_name}", str(len(split))))
            manifest.append((f"label_names_{split_name}", "|".join(split.label_names)))
            split.labels().astype("<i4").tofile(out / f"labels_{split_name}.i32")
            split.image_views().astype("<i4").tofile(out / f"views_{split_name}.i32")
            split.projections().astype("<i4").tofile(out / f"projections_{split_name}.i32")
            (out / f"names_{split_name}.txt").write_bytes(b"".join(n + b"\n" for n in split.names()))
            for preset in PRESETS:
                resolved = chexpert.Targets.preset(preset).resolve(split)
                targets, masks = resolved.read(np.arange(len(split)))
                targets.astype("<f4").tofile(out / f"targets_{preset}_{split_name}.f32")
                masks.astype("<f4").tofile(out / f"masks_{preset}_{split_name}.f32")
                (out / f"targets_{preset}_{split_name}.txt").write_text(
                    "".join(name + "\n" for name in resolved.names))

        # Pixels: a few examples of each split, including colour ones if any.
        for split_name, picks in (("train", [0, 1, len(ds["train"]) - 1]), ("validation", [0])):
            split = ds[split_name]
            colour = [i for i in range(len(split)) if _is_colour(split[i]["image"])]
            picks = sorted(set(picks + colour[:2]))
            manifest.append((f"images_{split_name}", ",".join(map(str, picks))))
            manifest.append((f"colour_{split_name}", ",".join(map(str, colour[:2]))))
            for i in picks:
                example = split[i]
                image = example["image"]
                manifest.append((f"shape_{split_name}_{i}", f"{image.shape[0]},{image.shape[1]}"))
                manifest.append((f"view_{split_name}_{i}", str(int(example["image_view"]))))
                np.ascontiguousarray(image, dtype=np.uint8).tofile(out / f"image_{split_name}_{i}.u8")

        for name, (split_name, indices, arguments_) in RESIZED.items():
            resize = chexpert.Resize(**arguments_)
            images, statuses = ds[split_name].resized_images(indices, resize, num_threads=1)
            assert (statuses == 0).all()
            suffix = "u8" if images.dtype == np.uint8 else "f32"
            images.astype("<f4" if suffix == "f32" else np.uint8).tofile(out / f"resized_{name}.{suffix}")
            n, c, h, w = images.shape
            manifest.append((f"resized_{name}", f"{split_name};{','.join(map(str, indices))};{n},{c},{h},{w}"))

    for name, arguments_ in SHARDS.items():
        positions = chexpert.shard_indices(**arguments_)
        positions.astype("<f8").tofile(out / f"shard_{name}.f64")
        manifest.append((f"shard_{name}", str(positions.size)))

    (out / "manifest.tsv").write_text("".join(f"{key}\t{value}\n" for key, value in manifest))
    print(f"reference values in {out}")


if __name__ == "__main__":
    main()
