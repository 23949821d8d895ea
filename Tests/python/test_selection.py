"""Selection at open: Dataset(projections=...) keeps the rows of some projections,
in CSV order, and reports the CSV's counts per projection."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import chexpert
from chexpert import PROJECTION_NAMES

from test_targets import HEADER, _rows, write_tree

VIEWS = [("Frontal", "AP"), ("Frontal", "PA"), ("Lateral", ""), ("Frontal", "LL"), ("Frontal", ""),
         ("Lateral", "AP"), ("FRONTAL", "PA"), ("frontal", "RL"), ("Frontal", "ap")]
# chexpert_projection of each row: AP 0, PA 1, other frontal 2, lateral 3.
PROJECTIONS = [0, 1, 3, 2, 2, 3, 1, 2, 2]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("selection")
    rows = (_rows() * 2)[:len(VIEWS)]
    write_tree(root, rows, views=VIEWS)
    return root


def _csv_names(split) -> list:
    return split.names()


SELECTIONS = {"all": {0, 1, 2, 3}, "frontal": {0, 1, 2}, "lateral": {3}, "ap": {0}, "pa": {1},
              "AP": {0}, "Pa": {1}, "other_frontal": {2}, ("ap", "pa"): {0, 1},
              ("PA", "lateral"): {1, 3}}


@pytest.mark.parametrize("projections", list(SELECTIONS), ids=str)
def test_projections_keep_those_rows_in_csv_order(root, projections):
    with chexpert.Dataset(root) as everything, \
            chexpert.Dataset(root, projections=projections) as dataset:
        wanted = SELECTIONS[projections]
        all_names = _csv_names(everything["train"])
        expected = [name for name, p in zip(all_names, PROJECTIONS) if p in wanted]
        train = dataset["train"]
        assert _csv_names(train) == expected
        assert train.projections().tolist() == [p for p in PROJECTIONS if p in wanted]
        assert set(dataset.projections) == {PROJECTION_NAMES[p] for p in wanted}
        assert train.projection_counts() == {"ap": 1, "pa": 2, "other_frontal": 4, "lateral": 2}
        views_of_kept = train.image_views().tolist()
        assert views_of_kept == [1 if p == 3 else 0 for p in PROJECTIONS if p in wanted]
        copy = pickle.loads(pickle.dumps(dataset))
        assert _csv_names(copy["train"]) == expected


def test_labels_follow_their_rows(root):
    with chexpert.Dataset(root) as everything, chexpert.Dataset(root, projections="pa") as pa:
        keep = [i for i, p in enumerate(PROJECTIONS) if p == 1]
        assert np.array_equal(pa["train"].labels(), everything["train"].labels()[keep])


def test_selection_errors(root, tmp_path):
    with pytest.raises(ValueError, match="projections"):
        chexpert.Dataset(root, projections="oblique")
    with pytest.raises(TypeError):
        chexpert.Dataset(root, views="frontal")            # the old name is gone
    header = [h for h in HEADER if h != "AP/PA"]
    write_tree(tmp_path, _rows(), header=header, views=[("Frontal", "")] * 3 + [("Lateral", "")] * 2)
    with chexpert.Dataset(tmp_path, projections="frontal") as dataset:       # needs no AP/PA column
        assert len(dataset["train"]) == 3
        assert dataset["train"].projection_counts()["other_frontal"] == 3
    with pytest.raises(chexpert.ChexpertError) as error:
        chexpert.Dataset(tmp_path, projections="ap")
    assert error.value.name == "CHEXPERT_E_INVALID_ARGUMENT"
    assert "train.csv" in str(error.value) and "AP/PA" in str(error.value)


def test_empty_selection_is_an_empty_split(root):
    with chexpert.Dataset(root, projections="ap") as dataset:
        valid = dataset["validation"]          # its one row is AP
        assert len(valid) == 1
    with chexpert.Dataset(root, projections="lateral") as dataset:
        assert len(dataset["validation"]) == 0
        assert dataset["validation"].read_batch([])["name"] == []
