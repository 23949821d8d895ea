"""``chexpert show [ROOT] --grid FILE.png``: a grid of example images with their findings."""

from __future__ import annotations

import math
import textwrap

import numpy as np

from .. import LABEL_CLASS_NAMES, SPLIT_NAMES, ChexpertError
from ._common import (EXIT_DATA, EXIT_OK, CliError, add_projections, add_root, checked_output,
                      open_dataset, require_matplotlib, save_figure, stderr)

HELP = "draw a grid of example images, each titled with its name and positive findings"
DESCRIPTION = """\
Draws N images of one split, chosen at random (the same ones for the same
--seed), in a grid. Each is titled with its file name (without the
CheXpert-v1.0-small/<split>/ prefix and .jpg) and the findings its label
marks positive. Needs matplotlib (pip install 'chexpert[plot]')."""

#: Largest --n.
MAX_IMAGES = 64
#: Inches per grid cell (image plus title) and the resolution: a 4 x 4 grid is 1120 x 1360 pixels.
CELL = (2.8, 3.4)
DPI = 100

_POSITIVE = LABEL_CLASS_NAMES.index("positive")


def _n(text: str) -> int:
    import argparse
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_IMAGES:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_IMAGES}, not {text!r}")
    return value


def _seed(text: str) -> int:
    import argparse
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text!r}")
    return value


def add_parser(subparsers):
    parser = subparsers.add_parser("show", help=HELP, description=DESCRIPTION)
    add_root(parser)
    parser.add_argument("--grid", required=True, metavar="FILE.png",
                        help="where to write the picture (.png, .pdf or .svg)")
    parser.add_argument("--split", choices=SPLIT_NAMES, default="train",
                        help="which split to draw from (default: train)")
    parser.add_argument("--n", type=_n, default=16, metavar="N",
                        help=f"how many images (1 to {MAX_IMAGES}; default: 16)")
    parser.add_argument("--seed", type=_seed, default=0,
                        help="which random choice of images (default: 0)")
    add_projections(parser)
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    Figure = require_matplotlib("show", "--grid")
    target = checked_output(args.grid, "--grid")
    with open_dataset(args) as dataset:
        split = dataset.split(args.split)
        if not len(split):
            raise CliError(f"the {args.split} split has no images with --projections "
                           f"{','.join(args.projections)}", EXIT_DATA)
        positions = choose(len(split), args.n, args.seed)
        figure, failures = grid_figure(split, positions, figure_class=Figure)
        save_figure(figure, target, DPI)
    width, height = figure_pixels(len(positions))
    note = f"; {args.n - len(positions)} fewer than --n: the split has only {len(split)}" \
        if len(positions) < args.n else ""
    print(f"wrote {target} ({width} x {height} pixels, {len(positions)} {split.name} images{note})")
    for name, message in failures:
        stderr(f"chexpert show: could not read {name}: {message}")
    return EXIT_DATA if failures else EXIT_OK


def choose(count: int, n: int, seed: int) -> list:
    """`n` positions of `count`, at random with `seed` (all of them if fewer), in order."""
    if count <= n:
        return list(range(count))
    return sorted(np.random.default_rng(seed).choice(count, size=n, replace=False).tolist())


def grid_shape(n: int) -> tuple:
    """(rows, columns) of the grid for `n` images."""
    columns = min(n, max(1, math.ceil(math.sqrt(n))))
    return math.ceil(n / columns), columns


def figure_pixels(n: int) -> tuple:
    """(width, height) in pixels of the saved grid for `n` images."""
    rows, columns = grid_shape(n)
    return round(columns * CELL[0] * DPI), round(rows * CELL[1] * DPI)


def short_name(name: bytes) -> str:
    """``CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg`` ->
    ``patient00001/study1/view1_frontal``."""
    text = name.decode("utf-8", "replace")
    parts = text.split("/")
    if len(parts) > 3:
        parts = parts[-3:]
    text = "/".join(parts)
    return text[:-4] if text.lower().endswith(".jpg") else text


def findings(label, label_names) -> str:
    """The positive findings of `label`, or a note that there are none."""
    positive = [name for name, value in zip(label_names, label) if value == _POSITIVE]
    return ", ".join(positive) if positive else "(no finding marked positive)"


def grid_figure(split, positions, *, figure_class=None) -> tuple:
    """(figure, failures): a matplotlib Figure with one panel per position of
    `split` (figure_pixels(len(positions)) at DPI), and [(name, message)] for
    images that could not be read (drawn as an empty panel saying so)."""
    if figure_class is None:
        from matplotlib.figure import Figure as figure_class
    rows, columns = grid_shape(len(positions))
    figure = figure_class(figsize=(columns * CELL[0], rows * CELL[1]), layout="constrained")
    figure.suptitle(f"{len(positions)} {split.name} images: name and positive findings", fontsize=12)
    names = split.names(positions)
    labels = split.labels(positions)
    failures = []
    for index, position in enumerate(positions):
        axes = figure.add_subplot(rows, columns, index + 1)
        title = short_name(names[index])
        try:
            image = split[position]["image"]
        except ChexpertError as error:
            failures.append((names[index].decode("utf-8", "replace"), f"{error.name}: {error.message}"))
            axes.text(0.5, 0.5, "could not be read:\n" + textwrap.fill(error.name, 24),
                      ha="center", va="center", fontsize=8, transform=axes.transAxes)
            axes.set_xticks([])
            axes.set_yticks([])
        else:
            axes.imshow(image, cmap="gray" if image.ndim == 2 else None, interpolation="antialiased")
            axes.set_axis_off()
        text = textwrap.wrap(findings(labels[index], split.label_names), 34)
        if len(text) > 3:
            text = text[:2] + [text[2].rstrip(",") + " ..."]
        axes.set_title(title + "\n" + "\n".join(text), fontsize=7.5, loc="center")
    return figure, failures
