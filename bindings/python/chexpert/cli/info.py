"""``chexpert info [ROOT]``: what is in a CheXpert folder, and how fast it decodes."""

from __future__ import annotations

import time

import numpy as np

from .. import VIEW_NAMES, library_path, library_version
from . import _summary
from ._common import (CLASS_LEGEND, CLASS_ORDER, EXIT_OK, PROJECTION_LABELS, PROJECTION_MEANING,
                      add_projections, add_root, add_threads, count_int, open_dataset, percent,
                      splits_of, table)

HELP = "what is in the dataset: images, patients, labels, image sizes, decode speed"
DESCRIPTION = """\
Prints what a CheXpert-v1.0-small folder holds: images per split, seen from
the front (frontal) or from the side (lateral); patients and studies (one
study = the images of one visit); how often each of the 14 findings is
positive, negative, uncertain or not mentioned; the image sizes; and how
fast the library decodes the images. Nothing is written."""

#: Images per read_batch call in the throughput runs.
BATCH = 32


def add_parser(subparsers):
    parser = subparsers.add_parser("info", help=HELP, description=DESCRIPTION)
    add_root(parser)
    add_projections(parser)
    parser.add_argument("--sizes", type=count_int, default=_summary.DEFAULT_SIZE_SAMPLE, metavar="N",
                        help="read the size of at most N images per split from their JPEG headers, "
                        f"chosen at random when the split is larger (default: {_summary.DEFAULT_SIZE_SAMPLE}; "
                        "0: every image)")
    add_threads(parser, "decode threads for the parallel speed run")
    parser.add_argument("--max-images", type=count_int, default=512, metavar="N",
                        help="train images decoded per speed run (default: 512; 0 skips the speed runs)")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    with open_dataset(args) as dataset:
        splits = splits_of(dataset)
        print(f"libchexpert {library_version} ({library_path})")
        print(f"dataset: {dataset.root}")
        print(f"release: {dataset.layout} (docs/releases.md); splits: {', '.join(dataset.split_names)}; "
              f"train labels: {dataset.labels}")
        kept = dataset.projections
        if len(kept) == len(PROJECTION_LABELS):
            print("images kept: all (every row of train.csv and valid.csv)")
        else:
            print("images kept: only " + ", ".join(PROJECTION_LABELS[name] for name in kept)
                  + " (--projections); the numbers below count these, except the CSV rows")
        print()
        print(_examples_section(splits))
        print()
        print(_projections_section(splits))
        print()
        print(_studies_section(splits))
        for split in splits:
            print()
            print(_prevalence_section(split))
        print()
        print(_sizes_section(splits, args.sizes))
        count = min(args.max_images, len(splits[0]))
        if count:
            print()
            print(_throughput_section(dataset, splits[0], count, args.threads))
    return EXIT_OK


def _examples_section(splits) -> str:
    rows = []
    for split in splits:
        views = np.bincount(split.image_views(), minlength=len(VIEW_NAMES))
        rows.append([split.name, len(split), *views])
    return ("images per split and view (frontal: taken from the front; lateral: from the side)\n"
            + table(["split", "images", *VIEW_NAMES], rows))


def _projections_section(splits) -> str:
    rows = [[split.name, *split.projection_counts().values()] for split in splits]
    names = [PROJECTION_LABELS[name] for name in splits[0].projection_counts()]
    return ("rows of the CSV files by projection (the direction of the X-ray beam)\n"
            + table(["split", *names], rows) + "\n" + _wrap(PROJECTION_MEANING))


def _studies_section(splits) -> str:
    rows = []
    for split in splits:
        s = _summary.studies(split)
        per_study = np.bincount(s.per_study, minlength=4) if s.studies else np.zeros(4, np.int64)
        rows.append([split.name, s.patients, s.studies, s.images,
                     f"{s.studies / s.patients:.2f}" if s.patients else "-",
                     f"{s.images / s.studies:.2f}" if s.studies else "-",
                     per_study[1], per_study[2], int(per_study[3:].sum())])
    return ("patients and studies (a study is one visit: the images taken together; "
            "read from the folder names)\n"
            + table(["split", "patients", "studies", "images", "studies/patient", "images/study",
                     "1-image studies", "2-image", "3+"], rows))


def _prevalence_section(split) -> str:
    counts = _summary.label_counts(split)
    total = len(split)
    rows = [[name] + [f"{n} ({percent(n, total)})" for n in row]
            for name, row in zip(split.label_names, counts.tolist())]
    return (f"labels, {split.name} ({total} images)\n"
            + table(["finding", *CLASS_ORDER], rows) + "\n" + _wrap(CLASS_LEGEND))


def _sizes_section(splits, sample: int) -> str:
    lines = ["image sizes, width x height in pixels (read from the JPEG headers, not decoded)"]
    rows, common = [], []
    for split in splits:
        sizes = _summary.image_sizes(split, sample)
        if sizes.sampled:
            lines.append(f"  {split.name}: a sample of {sizes.describe()} (--sizes 0 reads all)")
        if sizes.unreadable:
            lines.append(f"  {split.name}: {sizes.unreadable} image headers could not be read "
                         "(chexpert verify lists them)")
        if sizes.heights.size:
            w, h = sizes.widths, sizes.heights
            rows.append([split.name, sizes.read, sizes.distinct(),
                         f"{w.min()}-{w.max()}", f"{int(np.median(w))}",
                         f"{h.min()}-{h.max()}", f"{int(np.median(h))}"])
            n = sizes.heights.size
            common.append(f"  most common, {split.name}: " + ", ".join(
                f"{width} x {height} ({percent(count, n)})"
                for (width, height), count in sizes.most_common(3)))
        else:
            rows.append([split.name, sizes.read, 0, "-", "-", "-", "-"])
    return "\n".join(lines + [table(["split", "read", "distinct sizes", "width range", "median width",
                                     "height range", "median height"], rows)] + common)


def _throughput(split, count: int, threads: int) -> tuple:
    """(seconds, images/s, MB/s of decoded pixels) for the first `count` images."""
    decoded = 0
    start = time.perf_counter()
    for first in range(0, count, BATCH):
        batch = split.read_batch(range(first, min(first + BATCH, count)), num_threads=threads)
        images = batch["image"]
        decoded += images.nbytes if isinstance(images, np.ndarray) else sum(i.nbytes for i in images)
    seconds = time.perf_counter() - start
    rate = seconds if seconds > 0 else float("nan")
    return seconds, count / rate, decoded / 1e6 / rate


def _throughput_section(dataset, split, count: int, threads: int) -> str:
    _throughput(split, count, threads)   # a first pass puts the files in the page cache
    rows = []
    for n in dict.fromkeys([1, threads]):
        seconds, images, megabytes = _throughput(split, count, n)
        rows.append([n, f"{seconds:.3f}", f"{images:.1f}", f"{megabytes:.1f}"])
    return (f"decode speed, the first {count} {split.name} images at full size "
            f"(dct={dataset.dct}, batches of {BATCH}, files already read once)\n"
            + table(["threads", "seconds", "images/s", "MB/s"], rows))


def _wrap(text: str, width: int = 100) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(text, width=width))
