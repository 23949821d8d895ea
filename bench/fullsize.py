"""Full-size images: CHEXPERT_DECODE_SCALE_FULL against _AUTO (TurboJPEG's DCT-domain scaling).

  python bench/fullsize.py [--sample EXE] [--data DIR] [--count 120] [--rounds 5] [--out bench/FULLSIZE.md]

Generates (once) a tree of full-size JPEGs with `chexpert-sample --full-size 1` (about 2828 x 2320 and
2022 x 1751 px; quality 50-60, so a few hundred KiB each like the real CheXpert-v1.0 files), then times
`Split.read_batch_resized` of the first --count train images (page cache warm, batches of 32) for the
training job (224 x 224 x 3 float32 NCHW, ImageNet-normalised, cover, bilinear, FAST resample) with
decode_scale "full" and "auto", at 1 and 2 threads, interleaved over --rounds rounds (cell: median and
min-max images/s). Then the pixel difference of "auto" from "full" (max and mean |difference|, and the
99.9th percentile) for every fit x filter on uint8 and float32-unnormalised output (levels of 0..255).
Writes the tables to --out. The library: $CHEXPERT_LIBRARY, else the binding's default.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np

import chexpert

REPO = Path(__file__).resolve().parents[1]
SAMPLE_ARGS = ["--full-size", "1", "--train-patients", "100", "--valid-patients", "2", "--seed", "7",
               "--progressive-fraction", "0", "--quality", "50-60"]
JOB = dict(size=224, channels=3, layout="NCHW", dtype="float32", normalize="imagenet", fit="cover",
           filter="bilinear", resample="fast")
BATCH = 32


def make_data(sample: str, data: Path) -> Path:
    stamp = data / ".fullsize-stamp"
    if not stamp.is_file() or stamp.read_text() != " ".join(SAMPLE_ARGS):
        subprocess.run([sample, "--out", str(data), *SAMPLE_ARGS], check=True)
        stamp.write_text(" ".join(SAMPLE_ARGS))
    return data


def one_pass(split, indices, resize, threads, out):
    start = time.perf_counter()
    for k in range(0, len(indices), BATCH):
        part = indices[k:k + BATCH]
        split.read_batch_resized(part, resize, num_threads=threads, out=out if len(part) == BATCH else None)
    return len(indices) / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", default=str(Path(chexpert.library_path).resolve().parent / "chexpert-sample"))
    parser.add_argument("--data", default="/tmp/chexpert-fullsize")
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", default=str(REPO / "bench" / "FULLSIZE.md"))
    args = parser.parse_args()
    root = make_data(args.sample, Path(args.data))
    with chexpert.Dataset(root, dct="fast") as ds:
        split = ds["train"]
        indices = np.arange(min(args.count, len(split)), dtype=np.int64)
        names = [split[int(i)]["name"].decode() for i in indices]
        sizes = [os.path.getsize(root / name) for name in names]
        shapes = {split[int(i)]["image"].shape[:2] for i in indices[:20]}
        for name in names:   # warm the page cache
            (root / name).read_bytes()
        resizes = {scale: chexpert.Resize(decode_scale=scale, **JOB) for scale in ("full", "auto")}
        out = np.empty(resizes["full"].shape(BATCH), np.float32)
        runs = {(scale, t): [] for scale in resizes for t in (1, 2)}
        for scale, t in runs:   # warm-up
            one_pass(split, indices[:BATCH], resizes[scale], t, out)
        load = []
        for r in range(args.rounds):
            load.append(os.getloadavg()[0])
            order = list(runs)
            order = order[r % len(order):] + order[:r % len(order)]
            for scale, t in order:
                runs[(scale, t)].append(one_pass(split, indices, resizes[scale], t, out))
        diffs = []
        for fit, filter, dtype in itertools.product(("cover", "contain", "stretch"), ("area", "bilinear"),
                                                    ("uint8", "float32")):
            kw = dict(size=224, channels=1, dtype=dtype, fit=fit, filter=filter)
            full = split.read_batch_resized(indices, chexpert.Resize(decode_scale="full", **kw),
                                            num_threads=2)["image"].astype(np.float64)
            auto = split.read_batch_resized(indices, chexpert.Resize(decode_scale="auto", **kw),
                                            num_threads=2)["image"].astype(np.float64)
            d = np.abs(auto - full)
            diffs.append((fit, filter, dtype, d.max(), d.mean(), np.quantile(d, 0.999)))

    def cell(values):
        return f"{statistics.median(values):,.1f} ({min(values):,.1f}–{max(values):,.1f})"

    lines = [
        "# Full-size images: decode_scale full vs auto",
        "",
        f"Made by `python bench/fullsize.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"{len(indices)} generated full-size train images (`chexpert-sample {' '.join(SAMPLE_ARGS)}`; "
        f"shapes {sorted(shapes)}; {statistics.mean(sizes) / 1024:.0f} KiB mean), page cache warm, batches of "
        f"{BATCH}, {args.rounds} interleaved rounds; 1-minute load average at the start of each round: "
        f"{min(load):.1f}–{max(load):.1f} on {os.cpu_count()} CPUs (a shared machine: compare within the table).",
        "",
        "Job: `Resize(224, channels=3, layout=\"NCHW\", dtype=\"float32\", normalize=\"imagenet\", fit=\"cover\", "
        "filter=\"bilinear\")`, `Split.read_batch_resized`; cell = median images/s (min–max).",
        "",
        "| decode_scale | 1 thread | 2 threads |",
        "|---|---:|---:|",
    ]
    for scale in ("full", "auto"):
        lines.append(f"| {scale} | {cell(runs[(scale, 1)])} | {cell(runs[(scale, 2)])} |")
    speed = [statistics.median(runs[("auto", t)]) / statistics.median(runs[("full", t)]) for t in (1, 2)]
    lines += ["", f"auto / full: {speed[0]:.2f}x at 1 thread, {speed[1]:.2f}x at 2 threads.", "",
              "Pixel difference of auto from full (224 x 224, 1 channel; levels of 0..255), over the same images:",
              "", "| fit | filter | dtype | max abs | mean abs | 99.9th percentile |", "|---|---|---|---:|---:|---:|"]
    for fit, filter, dtype, mx, mean, q in diffs:
        lines.append(f"| {fit} | {filter} | {dtype} | {mx:.2f} | {mean:.3f} | {q:.2f} |")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
