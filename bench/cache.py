#!/usr/bin/env python3
"""The packed cache benchmark (issue 13 item 2; results in bench/CACHE.md).

The job of bench/run.py's output A, from Python: 224 x 224 x 3 float32,
ImageNet-normalised, NCHW, cover fit, antialiased bilinear
(Split.read_batch_resized into a reused buffer, batches of 64), at 1 and 2
threads, from the JPEGs and from packed caches of the same images: short side
--side, and with --exact also one built at exactly 224 x 224 (cover), whose
planes the read serves without resampling. Also: each cache's build time
(2 threads) and size per image.
Rounds alternate JPEG and cache passes (page cache warm for both); medians
and min-max over --rounds.

  .venv/bin/python bench/cache.py [--root DATA] [--count 1000] [--side 256] [--exact] [--rounds 5]

Without --root, a tree of about --count train images is generated with
chexpert-sample (realistic sizes: quality 94-97, baseline), as bench/run.sh
does. CHEXPERT_LIBRARY selects the library.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "bindings", "python"))
import chexpert  # noqa: E402

JOB = chexpert.Resize(224, channels=3, layout="NCHW", dtype="float32", fit="cover", filter="bilinear",
                      normalize="imagenet")
BATCH = 64


def generate(folder: str, count: int) -> str:
    sample = os.path.join(os.path.dirname(chexpert.library_path), "chexpert-sample")
    patients = max(1, count // 2 + 1)        # about 2 train images per patient
    subprocess.run([sample, "--out", folder, "--train-patients", str(patients), "--valid-patients", "2",
                    "--seed", "1", "--progressive-fraction", "0", "--quality", "94-97"],
                   check=True, stdout=subprocess.DEVNULL)
    return folder


def one_pass(split, indices, threads: int, out) -> float:
    """Images per second of one pass over `indices`."""
    start = time.perf_counter()
    for begin in range(0, len(indices), BATCH):
        part = indices[begin:begin + BATCH]
        split.resized_images(part, JOB, num_threads=threads, out=out[:len(part)])
    return len(indices) / (time.perf_counter() - start)


def warm(paths) -> None:
    for path in paths:
        with open(path, "rb") as handle:
            while handle.read(1 << 20):
                pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--side", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--exact", action="store_true", help="also a cache built at exactly 224 x 224 (cover)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chexpert-cache-bench-") as scratch:
        root = args.root or generate(os.path.join(scratch, "data"), args.count)
        plain = chexpert.Dataset(root)
        train = plain["train"]
        count = min(args.count, len(train))
        indices = np.arange(count, dtype=np.int64)
        names = train.names(indices)
        files = [os.path.join(os.path.dirname(plain.root), os.fsdecode(n)) for n in names]
        sizes = [os.path.getsize(f) for f in files]
        warm(files)
        shapes = [train.shape(int(i))[:2] for i in indices[:50]]

        caches = []      # (name, split, info, build seconds)
        kinds = [(f"side {args.side}", {"size": args.side})]
        if args.exact:
            kinds.append(("exact 224x224", {"height": 224, "width": 224, "fit": "cover"}))
        for number, (name, how) in enumerate(kinds):
            path = os.path.join(scratch, f"cache{number}.chxc")
            start = time.perf_counter()
            plain.build_cache(path, num_threads=2, **how)
            build_seconds = time.perf_counter() - start
            caches.append((name, chexpert.Dataset(root, cache=path)["train"], chexpert.cache.info(path),
                           build_seconds))
            warm([path])
        sources = [("jpeg", train)] + [(name, split) for name, split, _, _ in caches]

        out = np.empty(JOB.shape(BATCH), dtype=np.float32)
        results = {}
        for threads in args.threads:
            for _, split in sources:                                 # warm-up
                one_pass(split, indices[:BATCH], threads, out)
        for _ in range(args.rounds):
            for threads in args.threads:
                for name, split in sources:
                    results.setdefault((name, threads), []).append(one_pass(split, indices, threads, out))

        # The floor of any path: only writing the outputs (numpy fill, one thread).
        fills = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            for _ in range(max(1, count // BATCH)):
                out.fill(0.5)
            fills.append(max(1, count // BATCH) * BATCH / (time.perf_counter() - start))

        def cell(values):
            return f"{statistics.median(values):,.0f} ({min(values):,.0f}-{max(values):,.0f})"

        print(f"# libchexpert packed cache: {count} train images, {platform.machine()}, "
              f"{os.cpu_count()} CPUs, {args.rounds} rounds")
        print()
        print(f"JPEGs: mean {statistics.mean(sizes) / 1024:.1f} KiB, typical size "
              f"{statistics.median([h for h, _ in shapes])}x{statistics.median([w for _, w in shapes])}")
        for name, _, info, build_seconds in caches:
            examples = info["train"] + info["validation"]
            print(f"cache {name}: {info['file_bytes']:,} bytes for {examples} examples = "
                  f"{info['file_bytes'] / examples / 1024:.1f} KiB per image; built in {build_seconds:.2f} s "
                  f"(2 threads, {examples / build_seconds:,.0f} images/s)")
        print()
        print(f"writing the outputs alone (numpy fill of {out.nbytes // BATCH:,} bytes per image, 1 thread): "
              f"{cell(fills)} images/s")
        print()
        print("| threads | from JPEGs (images/s) | "
              + " | ".join(f"cache {name} (images/s) | ratio" for name, _, _, _ in caches) + " |")
        print("|---|---|" + "---|---|" * len(caches))
        for threads in args.threads:
            jpeg = results[("jpeg", threads)]
            cells = [f"{cell(results[(name, threads)])} | "
                     f"{statistics.median(results[(name, threads)]) / statistics.median(jpeg):.1f}x"
                     for name, _, _, _ in caches]
            print(f"| {threads} | {cell(jpeg)} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
