"""Metadata, studies, aggregation and patient splits against an independent
reading of the generated CSVs (Python's csv module; docs/evaluation.md)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import chexpert
from conftest import read_csv, write_csv

SEX = {"Female": 0, "Male": 1, "Unknown": 2, "": 3}
PROJECTION = {"AP": 0, "PA": 1}


def _expected(root, split):
    """The metadata of every row, by the documented rules, from the CSV text."""
    header, rows = read_csv(root, split)
    column = {name: i for i, name in enumerate(header)}
    out = {k: [] for k in chexpert.metadata.FIELD_NAMES}
    studies = {}
    for row in rows:
        path = row[column["Path"]]
        patient = re.search(r"(?:^|/)patient(\d+)/", path)
        study = re.search(r"(?:^|/)patient\d+/study(\d+)/", path)
        view = re.search(r"/view(\d+)_[^/]*$", path)
        out["patient"].append(int(patient.group(1)) if patient else -1)
        out["study"].append(int(study.group(1)) if study else -1)
        out["view_number"].append(int(view.group(1)) if view else -1)
        out["sex"].append(SEX[row[column["Sex"]]] if "Sex" in column else 3)
        age = row[column["Age"]] if "Age" in column else ""
        out["age"].append(int(float(age)) if age else -1)
        lateral = row[column["Frontal/Lateral"]].lower() == "lateral"
        out["image_view"].append(1 if lateral else 0)
        out["projection"].append(3 if lateral else PROJECTION.get(row[column["AP/PA"]], 2))
        key = (out["patient"][-1], out["study"][-1])
        if -1 in key:
            key = ("own", len(out["study_index"]))     # a study of its own
        out["study_index"].append(studies.setdefault(key, len(studies)))
    return {k: np.array(v, dtype=np.int64) for k, v in out.items()}


@pytest.mark.parametrize("split", ["train", "validation"])
def test_metadata_matches_the_csv(tree_dataset, tree, split):
    got = tree_dataset[split].metadata()
    want = _expected(tree, split)
    assert list(got) == list(chexpert.metadata.FIELD_NAMES)
    for key in want:
        assert got[key].dtype == np.int64
        np.testing.assert_array_equal(got[key], want[key], err_msg=key)
    # The generator writes varied Sex and Age.
    assert len(set(got["sex"].tolist())) >= 2 and len(set(got["age"].tolist())) >= 3


def test_metadata_of_indices_and_views(tree_dataset):
    train = tree_dataset["train"]
    whole = train.metadata()
    picked = train.metadata([5, 0, 3])
    view = train[1::2].metadata()
    for key in whole:
        np.testing.assert_array_equal(picked[key], whole[key][[5, 0, 3]])
        np.testing.assert_array_equal(view[key], whole[key][1::2])


def test_to_pandas_is_readable_and_equal(tree_dataset):
    import pandas as pd
    train = tree_dataset["train"]
    frame = train.to_pandas()
    meta = train.metadata()
    assert list(frame.index) == list(range(len(train)))
    assert frame["name"].tolist() == [n.decode() for n in train.names()]
    assert frame["sex"].isna().tolist() == (meta["sex"] == 3).tolist()
    assert [s for s in frame["sex"].dropna()] == [chexpert.SEX_NAMES[s] for s in meta["sex"] if s != 3]
    np.testing.assert_array_equal(frame["age"].to_numpy(dtype=float, na_value=-1), meta["age"])
    np.testing.assert_array_equal(frame["patient"].to_numpy(dtype=float, na_value=-1), meta["patient"])
    assert frame["projection"].tolist() == [chexpert.PROJECTION_NAMES[p] for p in meta["projection"]]
    labels = train.labels()
    for j, name in enumerate(train.label_names):
        assert frame[name].tolist() == [chexpert.LABEL_CLASS_NAMES[c] for c in labels[:, j]]
    assert isinstance(frame, pd.DataFrame)


def _edit(root, split, column, value, row=3):
    header, rows = read_csv(root, split)
    rows[row][header.index(column)] = value
    write_csv(root, split, header, rows)
    return row + 2, header.index(column) + 1   # 1-based line, column


@pytest.mark.parametrize("column,value", [("Sex", "female"), ("Sex", "M"), ("Sex", " Male"),
                                          ("Age", "68.5"), ("Age", "151"), ("Age", "-1"),
                                          ("Age", " 68"), ("Age", "sixty")])
def test_malformed_sex_or_age_is_a_csv_error_with_line_and_column(tree_copy, column, value):
    line, col = _edit(tree_copy, "train", column, value)
    with pytest.raises(chexpert.ChexpertCSVError) as error:
        chexpert.Dataset(tree_copy)
    message = str(error.value)
    assert "train.csv" in message and f"line {line}" in message and f"column {col} '{column}'" in message


@pytest.mark.parametrize("value,age", [("68.0", 68), ("0", 0), ("150", 150), ("007", 7), ("", -1)])
def test_accepted_age_cells(tree_copy, value, age):
    _edit(tree_copy, "train", "Age", value)
    with chexpert.Dataset(tree_copy) as ds:
        assert ds["train"].metadata([3])["age"][0] == age


def test_no_sex_or_age_column_is_blank_and_missing(tree_copy):
    header, rows = read_csv(tree_copy, "train")
    header[header.index("Sex")], header[header.index("Age")] = "Info1", "Info2"
    for row in rows:
        row[1], row[2] = "anything", "x"      # not read: TFDS ignores these columns
    write_csv(tree_copy, "train", header, rows)
    with chexpert.Dataset(tree_copy) as ds:
        meta = ds["train"].metadata()
    assert (meta["sex"] == 3).all() and (meta["age"] == -1).all()


def test_paths_without_identifiers_are_missing_and_their_own_study(tree_copy):
    header, rows = read_csv(tree_copy, "train")
    rows[0][0] = "CheXpert-v1.0-small/train/x/y/frontal.jpg"
    rows[1][0] = "CheXpert-v1.0-small/train/x/y/lateral.jpg"
    write_csv(tree_copy, "train", header, rows)
    with chexpert.Dataset(tree_copy) as ds:
        meta = ds["train"].metadata([0, 1])
        count = len(ds["train"].studies())
    assert meta["patient"].tolist() == [-1, -1] and meta["view_number"].tolist() == [-1, -1]
    assert meta["study_index"].tolist() == [0, 1]
    assert count == len(set(_expected(tree_copy, "train")["study_index"].tolist()))


def test_studies_group_by_patient_and_study(tree_dataset, tree):
    train = tree_dataset["train"]
    want = _expected(tree, "train")
    groups = train.studies()
    assert sorted(np.concatenate(groups).tolist()) == list(range(len(train)))
    for s, group in enumerate(groups):
        assert (want["study_index"][group] == s).all()
        assert list(group) == sorted(group)
    assert len(groups) == want["study_index"].max() + 1


@pytest.mark.parametrize("how", ["max", "mean"])
def test_aggregate_is_max_or_mean_per_study(tree_dataset, how):
    train = tree_dataset["train"]
    scores = np.random.default_rng(3).random((len(train), 4))
    got = chexpert.aggregate(scores, train, how=how)
    want = np.array([getattr(np, how)(scores[g], axis=0) for g in train.studies()])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)
    one = chexpert.aggregate(scores[:, 0], train, how=how)
    np.testing.assert_array_equal(one, got[:, 0])
    scores[0, 1] = np.nan
    assert np.isnan(chexpert.aggregate(scores, train, how=how)[0, 1])


@pytest.fixture(scope="module")
def big_tree(make_tree):
    return make_tree("--train-patients", "300", "--valid-patients", "2", "--uniform", "16x16")


def _patients(split, part):
    return set(split.metadata(part)["patient"].tolist())


@pytest.mark.parametrize("fractions", [(0.9, 0.1), (0.5, 0.3, 0.2), (1.0,), (0.2, 0.0, 0.8)])
def test_patient_split_properties(big_tree, fractions):
    with chexpert.Dataset(big_tree) as ds:
        train = ds["train"]
        parts = chexpert.patient_split(train, fractions, seed=7)
        again = chexpert.patient_split(train, fractions, seed=7)
        other = chexpert.patient_split(train, fractions, seed=8)
        assert len(parts) == len(fractions)
        assert sorted(np.concatenate(parts).tolist()) == list(range(len(train)))
        for a in range(len(parts)):
            assert list(parts[a]) == sorted(parts[a])
            np.testing.assert_array_equal(parts[a], again[a])
            for b in range(a + 1, len(parts)):
                assert not _patients(train, parts[a]) & _patients(train, parts[b])
            # Greedy dealing keeps each share within one patient's examples (at most 5 here).
            assert abs(len(parts[a]) - fractions[a] * len(train)) <= 5
        if len(fractions) > 1 and min(fractions) > 0:
            assert any(not np.array_equal(x, y) for x, y in zip(parts, other))


def test_patient_split_stratified(big_tree):
    with chexpert.Dataset(big_tree) as ds:
        train = ds["train"]
        column = train.label_names.index("Edema")
        positive = train.labels()[:, column] == 1
        meta = train.metadata()
        patients_with = set(meta["patient"][positive].tolist())
        parts = chexpert.patient_split(train, (0.8, 0.2), seed=1, stratify="Edema")
        assert all(np.array_equal(a, b)
                   for a, b in zip(parts, chexpert.patient_split(train, (0.8, 0.2), seed=1, stratify=column)))
        # Patients with a positive Edema row are dealt among themselves: their
        # examples split 80/20 within a patient's examples.
        total = int(np.isin(meta["patient"], list(patients_with)).sum())
        first = int(np.isin(meta["patient"][parts[0]], list(patients_with)).sum())
        assert abs(first - 0.8 * total) <= 5
        with pytest.raises(chexpert.ChexpertNotFoundError):
            chexpert.patient_split(train, stratify="Nope")
        with pytest.raises(chexpert.ChexpertError):
            chexpert.patient_split(train, stratify=train.num_labels)
        with pytest.raises(chexpert.ChexpertArgumentError):
            chexpert.patient_split(train, (0.5, -0.5))
        with pytest.raises(ValueError):
            chexpert.patient_split(train[1:], (0.5, 0.5))
