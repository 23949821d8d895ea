"""`python -m chexpert`: the report on a sample tree."""

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


def test_report(tree):
    result = _run("--root", str(tree), "--threads", "2", "--max-images", "8")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"root: {(tree / SMALL).resolve()}" in out
    for split, csv_name in (("train", "train"), ("validation", "validation")):
        header, rows = read_csv(tree, csv_name)
        views = Counter(row[3].lower() for row in rows)
        projections = _projections(rows)
        assert re.search(rf"^{split}\s+{len(rows)}\s+{views['frontal']}\s+{views['lateral']}"
                         rf"\s+{projections}\s*$", out, re.M), out
    # Prevalence of the first observation in train, counted from the CSV.
    header, rows = read_csv(tree, "train")
    counts = Counter(TFDS_LABELS[row[5]] for row in rows)
    section = out.split("label prevalence, train")[1]
    line = next(l for l in section.splitlines() if l.startswith(header[5]))
    # positive, negative, uncertain, unmentioned
    for label in (1, 2, 0, 3):
        assert f"{counts[label]} ({100 * counts[label] / len(rows):.1f}%)" in line
    assert re.search(r"^1\s+[\d.]+\s+[\d.]+\s+[\d.]+\s*$", out, re.M)
    assert re.search(r"^2\s+[\d.]+\s+[\d.]+\s+[\d.]+\s*$", out, re.M)


def _projections(rows) -> str:
    """The CSV's AP, PA, other frontal and lateral counts, as the report's columns."""
    kinds = Counter("lateral" if row[3].lower() == "lateral" else row[4] if row[4] in ("AP", "PA")
                    else "other" for row in rows)
    return r"\s+".join(str(kinds[k]) for k in ("AP", "PA", "other", "lateral"))


def test_report_with_a_projection_selection(tree):
    result = _run("--root", str(tree), "--projections", "AP,lateral", "--max-images", "4")
    assert result.returncode == 0, result.stderr
    header, rows = read_csv(tree, "train")
    kinds = Counter("lateral" if row[3].lower() == "lateral" else row[4] for row in rows)
    assert "projections kept: ap, lateral" in result.stdout
    assert re.search(rf"^train\s+{kinds['AP'] + kinds['lateral']}\s+{kinds['AP']}\s+{kinds['lateral']}"
                     rf"\s+{_projections(rows)}\s*$", result.stdout, re.M), result.stdout


def test_report_error_exits_1(tmp_path):
    result = _run("--root", str(tmp_path / "missing"), "--max-images", "0")
    assert result.returncode == 1
    assert "CHEXPERT_E_NOT_FOUND" in result.stderr and str(tmp_path / "missing") in result.stderr


def test_verify_lists_unreadable_files(make_tree):
    tree = make_tree("--train-patients", "3", "--valid-patients", "1", "--seed", "8")
    header, rows = read_csv(tree, "train")
    (tree / rows[1][0]).write_bytes(b"not a jpeg")
    result = _run("--root", str(tree), "--max-images", "0", "--verify")
    assert result.returncode == 1, result.stderr
    assert f"train: {len(rows)} examples checked, 1 failed" in result.stdout
    assert f"[1] {rows[1][0]}: CHEXPERT_E_IMAGE:" in result.stdout
    assert "validation: " in result.stdout and "checked, 0 failed" in result.stdout
    assert "verify train" in result.stderr                  # the progress bar
