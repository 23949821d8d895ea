"""``chexpert bench [ROOT]``: decode throughput, full size and resized, at 1 and N threads."""

from __future__ import annotations

import time

import numpy as np

from .. import SPLIT_NAMES, Resize
from ._common import (EXIT_DATA, EXIT_OK, CliError, add_projections, add_root, available_cpus,
                      open_dataset, positive_int, table, threads_int)

HELP = "measure how fast images are read: full size, and resized for training"
DESCRIPTION = """\
Measures how fast the library reads the first N images of a split, after a
first pass that puts the files in the page cache: decoded at full size
(read_batch, uint8) and decoded and resized for training (read_batch_resized:
SIZE x SIZE, 3 channels, float32, ImageNet-normalised), at each thread count."""

BATCH = 32


def _thread_list(text: str) -> list:
    return list(dict.fromkeys(threads_int(part) for part in text.split(",")))


def add_parser(subparsers):
    parser = subparsers.add_parser("bench", help=HELP, description=DESCRIPTION)
    add_root(parser)
    parser.add_argument("--split", choices=SPLIT_NAMES, default="train",
                        help="which split to read (default: train)")
    add_projections(parser)
    parser.add_argument("--n", type=positive_int, default=512, metavar="N",
                        help="images per run (default: 512, or the whole split if smaller)")
    parser.add_argument("--threads", type=_thread_list, metavar="N,M",
                        default=list(dict.fromkeys([1, available_cpus()])),
                        help=f"comma-separated thread counts (default: 1,{available_cpus()}: "
                        "one and the CPUs available)")
    parser.add_argument("--size", type=positive_int, default=224, metavar="SIZE",
                        help="side of the resized images (default: 224)")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    with open_dataset(args) as dataset:
        split = dataset.split(args.split)
        count = min(args.n, len(split))
        if not count:
            raise CliError(f"the {args.split} split has no images to read", EXIT_DATA)
        resize = Resize(args.size, channels=3, layout="NCHW", dtype="float32", normalize="imagenet")
        methods = [("full size, uint8", lambda part, n: split.read_batch(part, num_threads=n)["image"]),
                   (f"{args.size}x{args.size} float32",
                    lambda part, n: split.resized_images(part, resize, num_threads=n)[0])]
        print(f"reading the first {count} {split.name} images in batches of {BATCH} "
              f"(dct={dataset.dct}; files already read once; MB/s of output arrays)")
        rows = []
        for label, read in methods:
            _run(read, count, max(args.threads))       # warm the page cache
            for threads in args.threads:
                seconds, nbytes = _run(read, count, threads)
                rate = seconds if seconds > 0 else float("nan")
                rows.append([label, threads, f"{seconds:.3f}", f"{count / rate:.1f}",
                             f"{nbytes / 1e6 / rate:.1f}"])
        print(table(["images", "threads", "seconds", "images/s", "MB/s"], rows))
    return EXIT_OK


def _run(read, count: int, threads: int) -> tuple:
    nbytes = 0
    start = time.perf_counter()
    for first in range(0, count, BATCH):
        images = read(range(first, min(first + BATCH, count)), threads)
        nbytes += images.nbytes if isinstance(images, np.ndarray) else sum(i.nbytes for i in images)
    return time.perf_counter() - start, nbytes
