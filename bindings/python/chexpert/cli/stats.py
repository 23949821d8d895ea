"""``chexpert stats [ROOT] --plot FILE.png``: one figure of what is in the dataset.

Panels (:func:`stats_figure`, :data:`PANELS`): per split, the four label
classes of each observation as stacked horizontal bars (share of the
split's images); the images per projection of each split; the image sizes
(width x height, from the JPEG headers); the images per study.
"""

from __future__ import annotations

import numpy as np

from .. import PROJECTION_NAMES
from . import _summary
from ._common import (CLASS_ORDER, EXIT_OK, PROJECTION_LABELS, add_projections, add_root,
                      checked_output, count_int, open_dataset, require_matplotlib, save_figure,
                      splits_of)

HELP = "draw the labels, views and image sizes of each split into one picture"
DESCRIPTION = """\
Draws one figure (PNG, or PDF/SVG by the file name) of a CheXpert folder:
for each split, how many images are positive, negative, uncertain or do not
mention each of the 14 findings (stacked bars); how many images are frontal
(AP, PA, other) or lateral; the image sizes; and how many images each study
has. Needs matplotlib (pip install 'chexpert[plot]')."""

#: Panels of the figure: one label panel per split, projections, sizes, images per study.
PANELS = 5
#: Size of the figure in inches and its resolution: the PNG is 1600 x 1000 pixels.
FIGSIZE = (16.0, 10.0)
DPI = 100

CLASS_COLOURS = {"positive": "#d62728", "negative": "#2ca02c", "uncertain": "#ff7f0e",
                 "unmentioned": "#c7c7c7"}
PROJECTION_COLOURS = {"ap": "#1f77b4", "pa": "#6baed6", "other_frontal": "#c6dbef",
                      "lateral": "#9467bd"}
_PROJECTION_LEGEND = {"ap": "AP (frontal)", "pa": "PA (frontal)", "other_frontal": "other frontal",
                      "lateral": "lateral (side)"}
SPLIT_COLOURS = {"train": "#1f77b4", "validation": "#d62728"}


def add_parser(subparsers):
    parser = subparsers.add_parser("stats", help=HELP, description=DESCRIPTION)
    add_root(parser)
    parser.add_argument("--plot", required=True, metavar="FILE.png",
                        help="where to write the figure (.png, .pdf or .svg)")
    add_projections(parser)
    parser.add_argument("--sizes", type=count_int, default=_summary.DEFAULT_SIZE_SAMPLE, metavar="N",
                        help="read the size of at most N images per split (a random sample when "
                        f"the split is larger; default {_summary.DEFAULT_SIZE_SAMPLE}; 0: every image)")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    Figure = require_matplotlib("stats", "--plot")
    target = checked_output(args.plot, "--plot")
    with open_dataset(args) as dataset:
        figure = stats_figure(dataset, size_sample=args.sizes, figure_class=Figure)
        save_figure(figure, target, DPI)
    print(f"wrote {target} ({int(FIGSIZE[0] * DPI)} x {int(FIGSIZE[1] * DPI)} pixels, {PANELS} panels)")
    return EXIT_OK


def stats_figure(dataset, *, size_sample: int = _summary.DEFAULT_SIZE_SAMPLE, seed: int = 0,
                 figure_class=None):
    """The stats figure of `dataset` (a matplotlib Figure of FIGSIZE with
    PANELS axes; not saved)."""
    if figure_class is None:
        from matplotlib.figure import Figure as figure_class
    splits = splits_of(dataset)
    figure = figure_class(figsize=FIGSIZE, layout="constrained")
    kept = dataset.projections
    only = "" if len(kept) == len(PROJECTION_NAMES) else \
        " (only " + ", ".join(PROJECTION_LABELS[name] for name in kept) + " images)"
    figure.suptitle(f"CheXpert: {dataset.root}{only}", fontsize=12)
    grid = figure.add_gridspec(2, 6, height_ratios=[1.35, 1])
    for column, split in enumerate(splits):
        _labels_panel(figure.add_subplot(grid[0, 3 * column: 3 * column + 3]), split,
                      show_names=column == 0)
    _projections_panel(figure.add_subplot(grid[1, 0:2]), splits)
    _sizes_panel(figure.add_subplot(grid[1, 2:4]), splits, size_sample, seed)
    _studies_panel(figure.add_subplot(grid[1, 4:6]), splits)
    return figure


def _labels_panel(axes, split, *, show_names: bool) -> None:
    counts = _summary.label_counts(split)
    total = max(len(split), 1)
    names = list(split.label_names)
    y = np.arange(len(names))
    left = np.zeros(len(names))
    for column, name in enumerate(CLASS_ORDER):
        share = 100 * counts[:, column] / total
        axes.barh(y, share, left=left, color=CLASS_COLOURS[name], label=name, height=0.75)
        left += share
    axes.set_yticks(y, names if show_names else [""] * len(names))
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("share of the images (%)")
    axes.set_title(f"labels, {split.name} ({len(split)} images)")
    if not len(split):
        axes.text(50, len(names) / 2, "no images", ha="center", va="center")
    if show_names:
        axes.legend(ncols=4, loc="lower left", bbox_to_anchor=(0, 1.06), frameon=False, fontsize=9)


def _projections_panel(axes, splits) -> None:
    x = np.arange(len(splits))
    bottom = np.zeros(len(splits))
    counts = [_summary.projection_counts(split) for split in splits]
    totals = np.array([max(sum(c.values()), 1) for c in counts], dtype=float)
    for name in PROJECTION_NAMES:
        share = 100 * np.array([c[name] for c in counts]) / totals
        bars = axes.bar(x, share, bottom=bottom, color=PROJECTION_COLOURS[name], width=0.6,
                        label=_PROJECTION_LEGEND[name])
        for index, (bar, n) in enumerate(zip(bars, (c[name] for c in counts))):
            if share[index] >= 6:
                axes.text(bar.get_x() + bar.get_width() / 2, bottom[index] + share[index] / 2, str(n),
                          ha="center", va="center", fontsize=8)
        bottom += share
    axes.set_xticks(x, [f"{split.name}\n{len(split)} images" for split in splits])
    axes.set_ylim(0, 100)
    axes.set_ylabel("share of the images (%)")
    axes.set_title("views and projections")
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)


def _sizes_panel(axes, splits, size_sample: int, seed: int) -> None:
    notes = []
    for split in splits:
        sizes = _summary.image_sizes(split, size_sample, seed)
        if not sizes.heights.size:
            continue
        pairs = sizes.most_common(None)
        widths = np.array([w for (w, _), _ in pairs])
        heights = np.array([h for (_, h), _ in pairs])
        share = np.array([n for _, n in pairs]) / sizes.heights.size
        axes.scatter(widths, heights, s=20 + 600 * share, alpha=0.5, color=SPLIT_COLOURS.get(split.name),
                     edgecolors="none", label=f"{split.name} ({sizes.heights.size} read)")
        if sizes.sampled:
            notes.append(f"{split.name}: sample of {sizes.read} of {sizes.total}")
    axes.set_xlabel("width (pixels)")
    axes.set_ylabel("height (pixels)")
    axes.set_title("image sizes (dot area: share of images)" + ("\n" + "; ".join(notes) if notes else ""),
                   fontsize=10 if notes else None)
    axes.grid(alpha=0.3)
    if axes.collections:
        legend = axes.legend(fontsize=8, loc="best")
        for handle in legend.legend_handles:     # one marker size in the legend
            handle.set_sizes([40])
    else:
        axes.text(0.5, 0.5, "no image", ha="center", va="center", transform=axes.transAxes)


def _studies_panel(axes, splits) -> None:
    summaries = [_summary.studies(split) for split in splits]
    largest = max([int(s.per_study.max()) for s in summaries if s.per_study.size] + [1])
    bins = np.arange(1, min(largest, 6) + 1)
    width = 0.8 / max(len(splits), 1)
    for index, (split, s) in enumerate(zip(splits, summaries)):
        per = np.bincount(np.minimum(s.per_study, bins[-1]), minlength=bins[-1] + 1)[1:] if s.studies else np.zeros(len(bins))
        share = 100 * per / max(s.studies, 1)
        axes.bar(bins + (index - (len(splits) - 1) / 2) * width, share, width=width,
                 color=SPLIT_COLOURS.get(split.name),
                 label=f"{split.name}: {s.patients} patients, {s.studies} studies")
    labels = [str(b) for b in bins]
    if largest > bins[-1]:
        labels[-1] += "+"
    axes.set_xticks(bins, labels)
    axes.set_xlabel("images in the study (one study = one visit)")
    axes.set_ylabel("share of the studies (%)")
    axes.set_title("images per study")
    axes.legend(fontsize=8)
