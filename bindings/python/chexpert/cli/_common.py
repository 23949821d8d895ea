"""What the subcommands share: exit codes, the error type, arguments, tables."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import ChexpertError, Dataset
from ..vocabulary import PROJECTION_SELECTIONS

# Exit codes (docs/cli.md; `chexpert --help` lists them too).
EXIT_OK = 0
#: The data has a problem: verify found unreadable images, an image could not be read.
EXIT_DATA = 1
#: A usage error: a bad option or value, an output file that cannot be written,
#: a missing optional dependency (matplotlib).
EXIT_USAGE = 2
#: The dataset could not be opened: no such folder, no train.csv/valid.csv, a malformed CSV.
EXIT_NO_DATASET = 3
#: The environment: the sample generator is missing or failed, or writing an output failed.
EXIT_ENVIRONMENT = 4
#: Interrupted (Ctrl-C).
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = """\
exit codes:
  0  success
  1  the data has a problem (verify found unreadable images; an image could not be read)
  2  usage error (bad option or value, output file not writable, matplotlib missing)
  3  the dataset could not be opened (no such folder, no train.csv/valid.csv, a bad CSV)
  4  the sample generator is missing or failed, or an output could not be written"""

ROOT_HELP = ("the folder that holds CheXpert-v1.0-small/ (or train.csv and valid.csv "
             "themselves); default: $CHEXPERT_ROOT, else ~/tensorflow_datasets/downloads/manual "
             "(TensorFlow Datasets' manual folder)")

PROJECTIONS_HELP = ("keep only some images: all (default), frontal, lateral, ap, pa, "
                    "other_frontal (frontal, neither AP nor PA), or a comma-separated list "
                    "such as ap,pa")

#: Display order of the label classes (the library's names).
CLASS_ORDER = ("positive", "negative", "uncertain", "unmentioned")
#: What each class means: (the CSV cell, what the radiology report said).
CLASS_MEANING = {
    "positive": ("1.0", "the finding is present"),
    "negative": ("0.0", "it is absent"),
    "uncertain": ("-1.0", "the report is not sure"),
    "unmentioned": ("blank", "the report does not mention it"),
}
CLASS_LEGEND = "; ".join(f"{name} ({cell} in the CSV): {meaning}"
                         for name, (cell, meaning) in CLASS_MEANING.items())
#: Plain-words names of the library's projections.
PROJECTION_LABELS = {"ap": "AP", "pa": "PA", "other_frontal": "other frontal", "lateral": "lateral"}
PROJECTION_MEANING = (
    "AP: frontal, X-ray beam from front to back (often a bedside image); "
    "PA: frontal, back to front (standing); "
    "other frontal: frontal, neither AP nor PA recorded; "
    "lateral: from the side")


class CliError(Exception):
    """A user-facing failure: one line on stderr and `code` as the exit status."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# -- argument types (argparse turns their ValueError/ArgumentTypeError into a usage error) --

def projections_type(text: str) -> list:
    names = [name.strip() for name in text.split(",") if name.strip()]
    bad = [name for name in names if name.lower() not in PROJECTION_SELECTIONS]
    if not names or bad:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a projection choice; use all, frontal, lateral, ap, pa, "
            f"other_frontal or a comma-separated list of them")
    return names


def positive_int(text: str) -> int:
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {text!r}")
    return value


def count_int(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text!r}")
    return value


def threads_int(text: str) -> int:
    value = _int(text)
    if not 1 <= value <= 256:
        raise argparse.ArgumentTypeError(f"must be between 1 and 256, not {text!r}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("root", nargs="?", metavar="ROOT", help=ROOT_HELP)


def add_projections(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--projections", type=projections_type, default=["all"],
                        metavar="WHICH", help=PROJECTIONS_HELP)


def add_threads(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--threads", type=threads_int, default=available_cpus(), metavar="N",
                        help=f"{what} (default: the CPUs available, {available_cpus()} here)")


# -- the dataset -------------------------------------------------------------

def open_dataset(args) -> Dataset:
    """Dataset(args.root, projections=...), or CliError(EXIT_NO_DATASET) in one line."""
    try:
        return Dataset(args.root, projections=getattr(args, "projections", ["all"]))
    except ChexpertError as error:
        hint = ""
        if args.root is None:
            origin = ("$CHEXPERT_ROOT" if os.environ.get("CHEXPERT_ROOT")
                      else "the default folder, as ROOT was not given and $CHEXPERT_ROOT is not set")
            hint = f" [looked in {origin}; to try the tool without the dataset: chexpert sample DIR]"
        raise CliError(f"cannot open the dataset: {error.name}: {error.message}{hint}",
                       EXIT_NO_DATASET) from None


def splits_of(dataset: Dataset, only=None) -> list:
    names = dataset.split_names if only is None else [only]
    return [dataset.split(name) for name in names]


# -- outputs -----------------------------------------------------------------

FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def checked_output(path: str, option: str) -> Path:
    """`path` if a figure can be written there, else CliError(EXIT_USAGE) saying
    why. Checked before any work is done, by opening the file for appending
    (a file created by the check is removed again)."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise CliError(f"{option} {path}: is a folder; give a file name such as "
                       f"{target / 'figure.png'}", EXIT_USAGE)
    if target.suffix.lower() not in FIGURE_SUFFIXES:
        raise CliError(f"{option} {path}: the file name must end in .png (or .pdf, .svg)", EXIT_USAGE)
    if not target.parent.is_dir():
        raise CliError(f"{option} {path}: the folder {target.parent} does not exist", EXIT_USAGE)
    existed = target.exists()
    try:
        with open(target, "ab"):
            pass
    except OSError as error:
        raise CliError(f"{option} {path}: cannot write there: {error.strerror or error}",
                       EXIT_USAGE) from None
    if not existed:
        target.unlink()
    return target


def require_matplotlib(command: str, option: str):
    """matplotlib.figure.Figure, imported here (matplotlib is optional), or
    CliError(EXIT_USAGE) saying how to install it."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CliError(f"chexpert {command} {option} needs matplotlib: pip install 'chexpert[plot]'",
                       EXIT_USAGE) from None
    return Figure


def save_figure(figure, target: Path, dpi: int) -> None:
    """Writes `figure` at `dpi` (no tight bounding box: the pixel size is
    figsize x dpi); CliError(EXIT_ENVIRONMENT) if writing fails."""
    try:
        figure.savefig(target, dpi=dpi)
    except OSError as error:
        raise CliError(f"cannot write {target}: {error.strerror or error}", EXIT_ENVIRONMENT) from None


# -- text --------------------------------------------------------------------

def table(header, rows, indent: str = "") -> str:
    """A plain text table: the first column left-aligned, the others right-aligned."""
    cells = [list(map(str, header))] + [list(map(str, row)) for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row):
        return indent + "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                                  for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
    rule = indent + "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule] + [line(row) for row in cells[1:]])


def percent(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else "-"


def stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
