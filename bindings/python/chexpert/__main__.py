"""``python -m chexpert``: what is in a CheXpert folder, and how fast it decodes.

Prints the resolved root, the examples per split and per view (after the
``--projections`` selection) with the CSV's rows per projection, the prevalence
of each label class per observation and split, and the decode throughput of
``read_batch`` over the first ``--max-images`` train images at 1 thread and
at ``--threads`` threads.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from . import LABEL_CLASS_NAMES, VIEW_NAMES, ChexpertError, Dataset, library_path, library_version

# Column order of the prevalence table (names as the library spells them).
_PREVALENCE_ORDER = ("positive", "negative", "uncertain", "unmentioned")
_BATCH = 32


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _table(header, rows) -> str:
    cells = [list(map(str, header))] + [list(map(str, row)) for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    def line(row):
        return "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                         for i, (cell, w) in enumerate(zip(row, widths)))
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(row) for row in cells[1:]])


def _counts_table(splits) -> str:
    rows = []
    for split in splits:
        views = np.bincount(split.image_views(), minlength=len(VIEW_NAMES))
        projections = split.projection_counts()
        rows.append([split.name, len(split), *views, *projections.values()])
    names = [f"CSV {name}" for name in splits[0].projection_counts()] if splits else []
    return _table(["split", "examples", *VIEW_NAMES, *names], rows)


def _prevalence_table(split) -> str:
    labels = split.labels()
    total = max(len(split), 1)
    classes = [LABEL_CLASS_NAMES.index(name) for name in _PREVALENCE_ORDER
               if name in LABEL_CLASS_NAMES]
    classes += [c for c in range(len(LABEL_CLASS_NAMES)) if c not in classes]
    rows = []
    for column, observation in enumerate(split.label_names):
        counts = np.bincount(labels[:, column], minlength=len(LABEL_CLASS_NAMES))
        rows.append([observation] + [f"{counts[c]} ({100 * counts[c] / total:.1f}%)"
                                     for c in classes])
    return _table(["observation"] + [LABEL_CLASS_NAMES[c] for c in classes], rows)


def _throughput(split, count: int, threads: int) -> tuple[float, float, float]:
    """(seconds, images/s, MB/s of decoded pixels) for `count` images."""
    decoded = 0
    start = time.perf_counter()
    for first in range(0, count, _BATCH):
        batch = split.read_batch(range(first, min(first + _BATCH, count)), num_threads=threads)
        images = batch["image"]
        decoded += images.nbytes if isinstance(images, np.ndarray) else sum(i.nbytes for i in images)
    seconds = time.perf_counter() - start
    rate = seconds if seconds > 0 else float("nan")
    return seconds, count / rate, decoded / 1e6 / rate


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chexpert", description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="folder holding CheXpert-v1.0-small/ "
                        "(default: $CHEXPERT_ROOT, else ~/tensorflow_datasets/downloads/manual)")
    parser.add_argument("--projections", default="all",
                        help="rows to keep: all, frontal, lateral, AP, PA, other_frontal, or a "
                        "comma-separated list (default: all)")
    parser.add_argument("--verify", action="store_true",
                        help="also read and decode every file of both splits (with a progress bar) and "
                        "list those that fail; exit status 1 if any does")
    parser.add_argument("--threads", type=int, default=_available_cpus(),
                        help="decode threads for the parallel run (default: available CPUs)")
    parser.add_argument("--max-images", type=int, default=512,
                        help="train images decoded per throughput run (default: 512; 0 skips)")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.max_images < 0:
        parser.error("--threads must be >= 1 and --max-images >= 0")
    try:
        with Dataset(args.root, projections=args.projections.split(",")) as dataset:
            splits = [dataset.split(name) for name in dataset.split_names]
            print(f"libchexpert {library_version} ({library_path})")
            print(f"root: {dataset.root}")
            print(f"projections kept: {', '.join(dataset.projections)} (the CSV columns count every row)\n")
            print(_counts_table(splits))
            for split in splits:
                print(f"\nlabel prevalence, {split.name} ({len(split)} examples)")
                print(_prevalence_table(split))
            count = min(args.max_images, len(splits[0]))
            if count:
                print(f"\ndecode throughput, first {count} {splits[0].name} images "
                      f"(dct={dataset.dct}, batches of {_BATCH}, files cached by a first pass)")
                _throughput(splits[0], count, args.threads)   # warm the page cache
                rows = []
                for threads in dict.fromkeys([1, args.threads]):
                    seconds, images, megabytes = _throughput(splits[0], count, threads)
                    rows.append([threads, f"{seconds:.3f}", f"{images:.1f}", f"{megabytes:.1f}"])
                print(_table(["threads", "seconds", "images/s", "MB/s"], rows))
            if args.verify:
                reports = [split.verify(num_threads=args.threads, progress=True) for split in splits]
                print("\nverify")
                for report in reports:
                    print(report)
                if not all(reports):
                    return 1
    except ChexpertError as error:
        print(f"python -m chexpert: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:            # `python -m chexpert | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
