"""``chexpert sample OUT``: write a small synthetic CheXpert tree to try things on.

The tree is written by the ``chexpert-sample`` program built with the
library (``swift build -c release``; a wheel ships it inside the package),
found by :func:`find_sample_generator`.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
from pathlib import Path

from .. import ChexpertError, Dataset, library_path
from ._common import (EXIT_ENVIRONMENT, EXIT_NO_DATASET, EXIT_OK, EXIT_USAGE, CliError, count_int,
                      positive_int)

HELP = "write a small synthetic CheXpert folder (fake images, random labels) to try things on"
DESCRIPTION = """\
Writes OUT/CheXpert-v1.0-small/ (train.csv, valid.csv and JPEG images)
laid out like the real dataset, with synthetic chest-X-ray-like images and
random labels: enough to try every other command, e.g. `chexpert info OUT`.
OUT may exist but must not already hold CheXpert-v1.0-small/."""

PROGRAM = "chexpert-sample"
ENV_VAR = "CHEXPERT_SAMPLE_BIN"


def sample_generator_candidates() -> list:
    """(origin, path) pairs :func:`find_sample_generator` tries, in order:
    ``$CHEXPERT_SAMPLE_BIN`` (and then only it), next to the loaded
    libchexpert.so, in this package's directory, on ``$PATH``."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return [(f"${ENV_VAR}", Path(explicit))]
    package_dir = Path(__file__).resolve().parent.parent
    candidates = [("next to the library", Path(library_path).resolve().parent / PROGRAM),
                  ("in the package", package_dir / PROGRAM)]
    on_path = shutil.which(PROGRAM)
    if on_path:
        candidates.append(("on PATH", Path(on_path)))
    unique = {}
    for origin, path in candidates:
        unique.setdefault(path, origin)
    return [(origin, path) for path, origin in unique.items()]


def find_sample_generator() -> Path:
    """The path of the ``chexpert-sample`` program, or a CliError
    (EXIT_ENVIRONMENT) naming every place tried."""
    tried = []
    for origin, path in sample_generator_candidates():
        if path.is_file() and os.access(path, os.X_OK):
            return path
        state = "not executable" if path.is_file() else "missing"
        tried.append(f"{path} ({origin}, {state})")
    raise CliError(f"cannot find the {PROGRAM} program; tried {'; '.join(tried)}. "
                   f"Build it with `swift build -c release` or set ${ENV_VAR} to its path",
                   EXIT_ENVIRONMENT)


def _fraction(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, not {text!r}")
    return text


def _size(text: str) -> str:
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise argparse.ArgumentTypeError(f"must be HEIGHTxWIDTH such as 390x320, not {text!r}")
    return text.lower()


def _quality(text: str) -> str:
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or int(parts[0]) > int(parts[1]):
        raise argparse.ArgumentTypeError(f"must be LOW-HIGH such as 85-95, not {text!r}")
    return text


def add_parser(subparsers):
    parser = subparsers.add_parser("sample", help=HELP, description=DESCRIPTION)
    parser.add_argument("out", metavar="OUT", help="the folder to write CheXpert-v1.0-small/ into "
                        "(created if missing)")
    parser.add_argument("--train-patients", type=count_int, metavar="N",
                        help="patients in the train split (default: 12)")
    parser.add_argument("--valid-patients", type=count_int, metavar="N",
                        help="patients in the validation split (default: 4)")
    parser.add_argument("--seed", type=count_int, help="random seed (default: 1)")
    parser.add_argument("--uniform", type=_size, metavar="HxW",
                        help="make every image HEIGHTxWIDTH pixels (default: varied, mostly 390x320)")
    parser.add_argument("--color-fraction", type=_fraction, metavar="F",
                        help="share of images saved as colour JPEGs (default: 0)")
    parser.add_argument("--progressive-fraction", type=_fraction, metavar="F",
                        help="share of progressive JPEGs (default: 0.25)")
    parser.add_argument("--quality", type=_quality, metavar="LOW-HIGH",
                        help="JPEG quality range (default: 85-95)")
    parser.add_argument("--jobs", type=positive_int, metavar="N",
                        help="encoding threads (default: the CPUs, at most 8; the output is the same)")
    parser.add_argument("--layout", choices=tuple(_LAYOUT_FOLDERS),
                        help="the release layout to write (default: small; docs/releases.md)")
    parser.add_argument("--test-patients", type=count_int, metavar="N",
                        help="add an official-test-set imitation of N patients (default: none)")
    parser.add_argument("--test-labels", choices=("groundtruth", "test_labels"),
                        help="the test set's label file: groundtruth.csv (by Study, default) or "
                        "test_labels.csv (by Path)")
    parser.add_argument("--label-files", choices=("none", "metadata", "labels_only"),
                        help="also write train_cheXbert.csv and train_visualCheXbert.csv, with train.csv's "
                        "metadata columns or only Path and labels (default: none)")
    parser.add_argument("--full-size", choices=("0", "1"),
                        help="1: full-size images (2828x2320 and 1751x2022; slower)")
    parser.set_defaults(run=run)
    return parser


#: The folder each layout writes under OUT (never overwritten).
_LAYOUT_FOLDERS = {"small": "CheXpert-v1.0-small", "small_nested": "CheXpert-v1.0-small",
                   "full": "CheXpert-v1.0", "aimi": "CheXpert-v1.0 batch 1 (validate & csv)"}


def run(args) -> int:
    out = Path(args.out).expanduser()
    folder = _LAYOUT_FOLDERS[args.layout or "small"]
    if (out / folder).exists():
        raise CliError(f"{out / folder} already exists; choose another OUT "
                       "(nothing is overwritten)", EXIT_USAGE)
    if out.exists() and not out.is_dir():
        raise CliError(f"{out} exists and is not a folder", EXIT_USAGE)
    parent = out if out.exists() else _existing_parent(out)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CliError(f"cannot write into {parent} (permission denied)", EXIT_USAGE)
    program = find_sample_generator()
    command = [str(program), "--out", str(out)]
    for option in ("train_patients", "valid_patients", "seed", "uniform", "color_fraction",
                   "progressive_fraction", "quality", "jobs", "layout", "test_patients", "test_labels",
                   "label_files", "full_size"):
        value = getattr(args, option)
        if value is not None:
            command += ["--" + option.replace("_", "-"), str(value)]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CliError(f"cannot create {out}: {error.strerror or error}", EXIT_USAGE) from None
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except OSError as error:
        raise CliError(f"cannot run {program}: {error.strerror or error}", EXIT_ENVIRONMENT) from None
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[0]
        code = EXIT_USAGE if result.returncode == 2 else EXIT_ENVIRONMENT
        raise CliError(f"{program.name} failed: {message}", code)
    print(result.stdout.strip())
    try:
        with Dataset(out) as dataset:
            sizes = ", ".join(f"{name} {len(dataset.split(name))} images" for name in dataset.split_names)
    except ChexpertError as error:
        raise CliError(f"the tree written to {out} does not open: {error}", EXIT_NO_DATASET) from None
    print(f"it opens: {sizes}. Try: chexpert info {shlex.quote(str(out))}")
    return EXIT_OK


def _existing_parent(path: Path) -> Path:
    path = path.absolute()
    while not path.exists():
        path = path.parent
    return path
