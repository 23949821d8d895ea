"""Shared fixtures: sample trees made by the one generator, CSV helpers.

Trees come from the `chexpert-sample` executable (there is no second
generator in Python): $CHEXPERT_SAMPLE_BIN if set, else next to the loaded
libchexpert.so, else <repo>/.build/release/; built with `swift build` when
absent. Tests that damage a tree work on a copy (`tree_copy`).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SMALL = "CheXpert-v1.0-small"

# TFDS chexpert 3.1.0 `_LABELS` and image_view mapping (shared/reference/tfds-chexpert.md s2),
# written out here independently of the library.
TFDS_LABELS = {"-1.0": 0, "1.0": 1, "0.0": 2, "": 3}
TFDS_VIEWS = {"frontal": 0, "lateral": 1}


def _sample_binary() -> Path:
    explicit = os.environ.get("CHEXPERT_SAMPLE_BIN")
    if explicit:
        return Path(explicit)
    import chexpert

    library_dir = Path(chexpert.library_path).resolve().parent
    for candidate in (library_dir / "chexpert-sample", REPO / ".build" / "release" / "chexpert-sample"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    # Build it in the scratch folder the library came from (.build-<name>/release),
    # else in the default one.
    scratch = library_dir.parent if library_dir.name == "release" else REPO / ".build"
    subprocess.run(
        ["swift", "build", "-c", "release", "--scratch-path", str(scratch),
         "--product", "chexpert-sample"],
        cwd=REPO, check=True)
    return scratch / "release" / "chexpert-sample"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "bounded(seconds): run the test function in a forked child killed after "
                   "`seconds` (Tests/python/bounded.py); an overrun fails only that test")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """``@pytest.mark.bounded(seconds)``: the test body runs in a forked child
    under bounded.run_bounded; its fixtures ran here, in the parent."""
    marker = pyfuncitem.get_closest_marker("bounded")
    if marker is None:
        return None
    from bounded import run_bounded
    function = pyfuncitem.obj
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    run_bounded(lambda: function(**arguments), marker.args[0], label=pyfuncitem.nodeid)
    return True


@pytest.fixture(scope="session")
def sample_bin() -> Path:
    return _sample_binary()


@pytest.fixture(scope="session")
def make_tree(sample_bin, tmp_path_factory):
    """make_tree(*generator_args) -> the folder holding CheXpert-v1.0-small/ (manual_dir)."""
    def make(*args: str) -> Path:
        out = tmp_path_factory.mktemp("tree")
        subprocess.run([str(sample_bin), "--out", str(out), *args], check=True,
                       stdout=subprocess.DEVNULL)
        assert (out / SMALL / "train.csv").is_file(), f"{sample_bin} wrote no train.csv in {out}"
        return out
    return make


@pytest.fixture(scope="session")
def tree(make_tree) -> Path:
    """The default sample tree (varied sizes, grey and colour, some progressive)."""
    return make_tree("--train-patients", "12", "--valid-patients", "4",
                     "--color-fraction", "0.25")


@pytest.fixture(scope="session")
def tree_dataset(tree):
    """A chexpert.Dataset open on `tree` for the whole session (do not close it)."""
    import chexpert
    with chexpert.Dataset(tree) as dataset:
        yield dataset


@pytest.fixture(scope="session")
def uniform_tree(make_tree) -> Path:
    """Every image 64 x 48, for (N, H, W, 3) batches."""
    return make_tree("--train-patients", "6", "--valid-patients", "2", "--uniform", "64x48")


@pytest.fixture
def tree_copy(tree, tmp_path) -> Path:
    """A private copy of `tree` that a test may damage."""
    copy = tmp_path / "manual"
    shutil.copytree(tree, copy)
    return copy


@pytest.fixture
def library():
    import chexpert
    return chexpert


# --------------------------------------------------------------------------
# CSV helpers (Python's csv module, independent of the library's parser)
# --------------------------------------------------------------------------

def csv_path(root: Path, split: str) -> Path:
    return Path(root) / SMALL / ("train.csv" if split == "train" else "valid.csv")


def read_csv(root: Path, split: str) -> tuple[list[str], list[list[str]]]:
    with open(csv_path(root, split), newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_csv(root: Path, split: str, header, rows) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    csv_path(root, split).write_text(text.getvalue(), encoding="utf-8")


def expected_examples(root: Path, split: str) -> list[dict]:
    """label / image_view / name per row, by TFDS's rules, from the CSV file."""
    header, rows = read_csv(root, split)
    view_column = header.index("Frontal/Lateral")
    return [{"label": [TFDS_LABELS[cell] for cell in row[5:len(header)]],
             "image_view": TFDS_VIEWS[row[view_column].lower()],
             "name": row[0].encode("utf-8")} for row in rows]
