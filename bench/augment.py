"""Augmentation throughput: libchexpert's native augmentation vs none, and vs
torchvision's RandomAffine pipeline in Python, on the same files.

    CHEXPERT_LIBRARY=... .venv/bin/python bench/augment.py [--root DIR] [--rounds 5]

Job: each file decoded, (augmented,) resized to 224x224 (cover), float32
ImageNet-normalised, 3 channels NCHW. Rows, interleaved round-robin over the
rounds (median and min-max images/s):
  - libchexpert, no augmentation, 1 and 2 threads (one batch call per 64);
  - libchexpert, augment="jfhealthcare", 1 and 2 threads;
  - torchvision: PIL open + convert("L") + RandomAffine(15, (0.05, 0.05),
    (0.95, 1.05), fill=128; nearest (its default, jfhealthcare's and
    LibAUC's) or bilinear) + Resize(224) + CenterCrop(224) + ToTensor +
    Normalize, one process (the per-image cost a DataLoader worker pays;
    with w workers multiply by at most w).
The data: chexpert-sample's train split (390x320 grey JPEGs unless --root).
Results go to bench/AUGMENT.md by hand (the script prints the table).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

import chexpert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Tests" / "python"))
from torchvision_cpu import import_torchvision  # noqa: E402

import_torchvision()
from PIL import Image
from torchvision import transforms as T

BATCH = 64


def libchexpert_pass(split, resize, threads, epoch):
    n = len(split)
    out = np.empty(resize.shape(BATCH), resize.dtype)
    for start in range(0, n, BATCH):
        idx = range(start, min(n, start + BATCH))
        images, _ = split.resized_images(idx, resize, num_threads=threads, epoch=epoch,
                                         out=out[:len(idx)])
    return n


def torchvision_pass(paths, transform):
    for path in paths:
        with Image.open(path) as image:
            transform(image.convert("L"))
    return len(paths)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root")
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    root = args.root
    if root is None:
        sample = Path(os.environ.get("CHEXPERT_SAMPLE_BIN",
                                     Path(os.environ["CHEXPERT_LIBRARY"]).parent / "chexpert-sample"))
        root = tempfile.mkdtemp(prefix="chexpert-augment-bench-")
        subprocess.run([str(sample), "--out", root, "--train-patients", str(args.patients),
                        "--valid-patients", "1", "--uniform", "390x320", "--progressive-fraction", "0",
                        "--jobs", "2"], check=True, stdout=subprocess.DEVNULL)
    torch.set_num_threads(1)
    plain = chexpert.Resize(224, dtype="float32", normalize="imagenet", layout="NCHW")
    augmented = chexpert.Resize(224, dtype="float32", normalize="imagenet", layout="NCHW",
                                augment="jfhealthcare")
    def pipeline(interpolation):
        return T.Compose([T.RandomAffine(degrees=(-15, 15), translate=(0.05, 0.05), scale=(0.95, 1.05),
                                         fill=128, interpolation=interpolation),
                          T.Resize(224), T.CenterCrop(224), T.ToTensor(),
                          T.Normalize([0.449], [0.226]), T.Lambda(lambda x: x.expand(3, -1, -1))])
    nearest, bilinear = pipeline(T.InterpolationMode.NEAREST), pipeline(T.InterpolationMode.BILINEAR)
    with chexpert.Dataset(root) as ds:
        split = ds["train"]
        paths = [Path(root) / name.decode() for name in split.names(range(len(split)))]
        rows = {
            "libchexpert, no augmentation, 1 thread": lambda e: libchexpert_pass(split, plain, 1, e),
            "libchexpert, no augmentation, 2 threads": lambda e: libchexpert_pass(split, plain, 2, e),
            "libchexpert, jfhealthcare, 1 thread": lambda e: libchexpert_pass(split, augmented, 1, e),
            "libchexpert, jfhealthcare, 2 threads": lambda e: libchexpert_pass(split, augmented, 2, e),
            "torchvision RandomAffine (nearest, its default) pipeline, 1 process":
                lambda e: torchvision_pass(paths, nearest),
            "torchvision RandomAffine (bilinear) pipeline, 1 process": lambda e: torchvision_pass(paths, bilinear),
        }
        for run in rows.values():           # warm the page cache and the code
            run(0)
        rates = {name: [] for name in rows}
        for r in range(args.rounds):
            for name, run in rows.items():
                t = time.perf_counter()
                n = run(r + 1)
                rates[name].append(n / (time.perf_counter() - t))
        print(f"{len(split)} images, {args.rounds} rounds, load {os.getloadavg()[0]:.2f}")
        print("| row | images/s (median) | min-max |")
        print("|---|---|---|")
        for name, values in rates.items():
            print(f"| {name} | {statistics.median(values):.0f} | {min(values):.0f}-{max(values):.0f} |")


if __name__ == "__main__":
    main()
