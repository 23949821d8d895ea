"""`chexpert info` and `chexpert verify` (`python -m chexpert ...`): the report
the main job prints (it was `python -m chexpert` before the subcommands),
checked against the CSVs read with Python's csv module."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter

from conftest import SMALL, TFDS_LABELS, read_csv


def _run(*args):
    return subprocess.run([sys.executable, "-m", "chexpert", *args],
                          capture_output=True, text=True, env=dict(os.environ))


def _projections(rows) -> str:
    """The CSV's AP, PA, other frontal and lateral counts, as the report's columns."""
    kinds = Counter("lateral" if row[3].lower() == "lateral" else row[4] if row[4] in ("AP", "PA")
                    else "other" for row in rows)
    return r"\s+".join(str(kinds[k]) for k in ("AP", "PA", "other", "lateral"))


def _section(out: str, title: str) -> str:
    """The lines of `out` from the one starting with `title` to the next blank line."""
    start = out.index("\n" + title) + 1
    end = out.find("\n\n", start)
    return out[start:] if end < 0 else out[start:end]


def test_report(tree):
    result = _run("info", str(tree), "--threads", "2", "--max-images", "8")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert f"dataset: {(tree / SMALL).resolve()}" in out
    assert "images kept: all" in out
    views_section = _section(out, "images per split and view")
    projections_section = _section(out, "rows of the CSV files by projection")
    for split, csv_name in (("train", "train"), ("validation", "validation")):
        header, rows = read_csv(tree, csv_name)
        views = Counter(row[3].lower() for row in rows)
        assert re.search(rf"^{split}\s+{len(rows)}\s+{views['frontal']}\s+{views['lateral']}\s*$",
                         views_section, re.M), views_section
        assert re.search(rf"^{split}\s+{_projections(rows)}\s*$", projections_section, re.M), \
            projections_section
    # Newcomer wording: no library identifiers such as other_frontal in the report.
    assert "other_frontal" not in out and "neither AP nor PA" in out
    # Prevalence of the first observation in train, counted from the CSV.
    header, rows = read_csv(tree, "train")
    counts = Counter(TFDS_LABELS[row[5]] for row in rows)
    section = _section(out, "labels, train")
    assert section.splitlines()[1].split() == ["finding", "positive", "negative", "uncertain",
                                               "unmentioned"]
    line = next(l for l in section.splitlines() if l.startswith(header[5]))
    cells = re.findall(r"(\d+) \((\d+\.\d)%\)", line)
    # positive, negative, uncertain, unmentioned
    assert cells == [(str(counts[label]), f"{100 * counts[label] / len(rows):.1f}")
                     for label in (1, 2, 0, 3)], line
    speed = _section(out, "decode speed")
    assert re.search(r"^1\s+[\d.]+\s+[\d.]+\s+[\d.]+\s*$", speed, re.M), speed
    assert re.search(r"^2\s+[\d.]+\s+[\d.]+\s+[\d.]+\s*$", speed, re.M), speed


def test_report_patients_studies_and_sizes(tree):
    result = _run("info", str(tree), "--max-images", "0")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "decode speed" not in out                      # --max-images 0 skips it
    studies = _section(out, "patients and studies")
    sizes = _section(out, "image sizes")
    for split, csv_name in (("train", "train"), ("validation", "validation")):
        header, rows = read_csv(tree, csv_name)
        folders = Counter(row[0].rsplit("/", 1)[0] for row in rows)       # .../patientN/studyM
        patients = {folder.rsplit("/", 1)[0] for folder in folders}
        per_study = Counter(folders.values())
        expected = [split, len(patients), len(folders), len(rows),
                    f"{len(folders) / len(patients):.2f}", f"{len(rows) / len(folders):.2f}",
                    per_study[1], per_study[2], sum(n for k, n in per_study.items() if k >= 3)]
        assert re.search(r"^" + r"\s+".join(map(str, expected)) + r"\s*$", studies, re.M), studies
        # Every size read (the split is smaller than the default sample), and the
        # most common one, measured here with Pillow.
        from PIL import Image
        shapes = Counter(Image.open(tree / row[0]).size for row in rows)     # (width, height)
        (width, height), count = shapes.most_common(1)[0]
        assert re.search(rf"^{split}\s+{len(rows)}\s+{len(shapes)}\s", sizes, re.M), sizes
        assert re.search(rf"most common, {split}: {width} x {height} "
                         rf"\({100 * count / len(rows):.1f}%\)", sizes), sizes


def test_report_samples_sizes_of_a_large_split(tree):
    result = _run("info", str(tree), "--max-images", "0", "--sizes", "5")
    assert result.returncode == 0, result.stderr
    header, rows = read_csv(tree, "train")
    assert (f"train: a sample of 5 of the {len(rows)} train images, chosen at random (seed 0)"
            in result.stdout), result.stdout
    assert re.search(r"^train\s+5\s", _section(result.stdout, "image sizes"), re.M)


def test_report_with_a_projection_selection(tree):
    result = _run("info", str(tree), "--projections", "AP,lateral", "--max-images", "4")
    assert result.returncode == 0, result.stderr
    header, rows = read_csv(tree, "train")
    kinds = Counter("lateral" if row[3].lower() == "lateral" else row[4] for row in rows)
    assert "images kept: only AP, lateral (--projections)" in result.stdout
    assert re.search(rf"^train\s+{kinds['AP'] + kinds['lateral']}\s+{kinds['AP']}\s+{kinds['lateral']}\s*$",
                     _section(result.stdout, "images per split and view"), re.M), result.stdout
    # The CSV rows are counted before the selection.
    assert re.search(rf"^train\s+{_projections(rows)}\s*$",
                     _section(result.stdout, "rows of the CSV files"), re.M), result.stdout


def test_report_error_exits_3(tmp_path):
    result = _run("info", str(tmp_path / "missing"), "--max-images", "0")
    assert result.returncode == 3
    assert "CHEXPERT_E_NOT_FOUND" in result.stderr and str(tmp_path / "missing") in result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


def test_verify_lists_unreadable_files(make_tree):
    tree = make_tree("--train-patients", "3", "--valid-patients", "1", "--seed", "8")
    header, rows = read_csv(tree, "train")
    (tree / rows[1][0]).write_bytes(b"not a jpeg")
    result = _run("verify", str(tree))
    assert result.returncode == 1, result.stderr
    assert f"train: {len(rows)} examples checked, 1 failed" in result.stdout
    assert f"[1] {rows[1][0]}: CHEXPERT_E_IMAGE:" in result.stdout
    assert "validation: " in result.stdout and "checked, 0 failed" in result.stdout
    assert "verify train" in result.stderr                  # the progress
    assert "Traceback" not in result.stderr


def test_verify_one_split_without_progress(tree):
    result = _run("verify", str(tree), "--split", "validation", "--no-progress", "--threads", "1")
    assert result.returncode == 0, result.stderr
    header, rows = read_csv(tree, "validation")
    assert f"validation: {len(rows)} examples checked, 0 failed" in result.stdout
    assert "train:" not in result.stdout and result.stderr == ""
