"""Training targets: every policy and preset against hand-computed vectors.

The tree is written here: one CSV whose rows put every cell value ("1.0",
"0.0", "-1.0", blank) in every label column (row r, column c holds
VALUES[(r + c) % 4]), plus a `No Finding` row whose other cells are all
uncertain. Targets never read images, so the rows need no JPEGs.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

import chexpert
from chexpert import Targets

HEADER = ["Path", "Sex", "Age", "Frontal/Lateral", "AP/PA", "No Finding", "Enlarged Cardiomediastinum",
          "Cardiomegaly", "Lung Opacity", "Lung Lesion", "Edema", "Consolidation", "Pneumonia",
          "Atelectasis", "Pneumothorax", "Pleural Effusion", "Pleural Other", "Fracture", "Support Devices"]
LABELS = HEADER[5:]
VALUES = ["1.0", "0.0", "-1.0", ""]
NAN = math.nan


def _rows() -> list:
    rows = [[VALUES[(r + c) % 4] for c in range(14)] for r in range(4)]
    rows.append(["1.0"] + ["-1.0"] * 13)
    return rows


def write_tree(root, rows, header=HEADER, views=None) -> None:
    folder = root / "CheXpert-v1.0-small"
    for split in ("train", "valid"):
        (folder / split).mkdir(parents=True)
    views = views or [("Frontal", "AP")] * len(rows)
    lines = [",".join(header)]
    for i, (cells, (view, projection)) in enumerate(zip(rows, views)):
        meta = [f"CheXpert-v1.0-small/train/patient{i:05d}/study1/view1.jpg", "Female", "50", view]
        if "AP/PA" in header:
            meta.append(projection)
        lines.append(",".join(meta + cells))
    (folder / "train.csv").write_text("\n".join(lines) + "\n")
    (folder / "valid.csv").write_text("\n".join(lines[:2]).replace("/train/", "/valid/") + "\n")


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    root = tmp_path_factory.mktemp("targets")
    write_tree(root, _rows())
    with chexpert.Dataset(root) as dataset:
        yield dataset["train"]


def _equal(actual: np.ndarray, expected) -> bool:
    expected = np.asarray(expected, dtype=np.float32)
    return actual.shape == expected.shape and bool(np.all((actual == expected) | (np.isnan(actual) & np.isnan(expected))))


def test_every_cell_has_every_value_in_every_column(split):
    labels = split.labels()
    for column in range(14):
        assert set(labels[:4, column]) == {0, 1, 2, 3}


# cell -> (target, mask) for each uncertain policy, with blank "negative" / "ignore".
UNCERTAIN = {
    "ignore": {"1.0": (1, 1), "0.0": (0, 1), "-1.0": (0, 0)},
    "zeros": {"1.0": (1, 1), "0.0": (0, 1), "-1.0": (0, 1)},
    "ones": {"1.0": (1, 1), "0.0": (0, 1), "-1.0": (1, 1)},
    "multiclass": {"1.0": (1, 1), "0.0": (0, 1), "-1.0": (2, 1)},
}
BLANK = {"negative": (0, 1), "ignore": (0, 0)}
RAW = {"1.0": 1, "0.0": 2, "-1.0": 0, "": 3}      # TFDS's class ids


@pytest.mark.parametrize("uncertain", sorted(UNCERTAIN))
@pytest.mark.parametrize("blank", sorted(BLANK))
@pytest.mark.parametrize("masked_nan", [False, True])
def test_each_policy_maps_each_cell(split, uncertain, blank, masked_nan):
    targets, masks = split.targets(Targets("all", uncertain, blank, masked_nan=masked_nan))
    assert targets.dtype == masks.dtype == np.float32 and targets.shape == (5, 14)
    for r, cells in enumerate(_rows()):
        for c, cell in enumerate(cells):
            target, mask = BLANK[blank] if cell == "" else UNCERTAIN[uncertain][cell]
            if mask == 0 and masked_nan:
                target = NAN
            assert _equal(targets[r, c], target) and masks[r, c] == mask, (r, LABELS[c], cell)


def test_raw_policy_is_tfds_classes_never_masked(split):
    targets, masks = split.targets(Targets("all", "raw", "ignore"))
    expected = [[RAW[cell] for cell in cells] for cells in _rows()]
    assert _equal(targets, expected) and (masks == 1).all()
    assert np.array_equal(targets.astype(np.int64), split.labels())


def test_paper_preset(split):
    resolved = Targets.preset("paper").resolve(split)
    assert resolved.names == ("Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Pleural Effusion")
    assert resolved.policies == (("ones", "negative"), ("multiclass", "negative"), ("ignore", "negative"),
                                 ("ones", "negative"), ("multiclass", "negative"))
    targets, masks = split.targets(Targets.preset("paper"))
    assert _equal(targets, [[1, 2, 0, 0, 2], [0, 0, 0, 1, 0], [1, 1, 1, 0, 1], [0, 0, 0, 1, 0],
                            [1, 2, 0, 1, 2]])
    assert _equal(masks, [[1, 1, 0, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1],
                          [1, 1, 0, 1, 1]])


def test_libauc_preset(split):
    resolved = Targets.preset("libauc").resolve(split)
    assert resolved.names == ("Cardiomegaly", "Edema", "Consolidation", "Atelectasis", "Pleural Effusion")
    targets, masks = split.targets(Targets.preset("libauc"))
    assert _equal(targets, [[0, 0, 0, 1, 0], [0, 1, 0, 0, 0], [1, 0, 1, 1, 1], [0, 1, 0, 0, 0],
                            [0, 1, 0, 1, 0]])
    assert (masks == 1).all()


def test_xrv_preset(split):
    resolved = Targets.preset("xrv").resolve(split)
    assert resolved.names == ("Atelectasis", "Cardiomegaly", "Consolidation", "Edema",
                              "Enlarged Cardiomediastinum", "Fracture", "Lung Lesion", "Lung Opacity",
                              "Pleural Effusion", "Pleural Other", "Pneumonia", "Pneumothorax",
                              "Support Devices")
    targets, masks = split.targets(Targets.preset("xrv"))
    # Row 0: No Finding 1.0 -> all 0 (Support Devices is 0.0 itself).
    assert _equal(targets[0], [0] * 13) and (masks[0] == 1).all()
    assert _equal(targets[1], [0, NAN, NAN, NAN, NAN, 0, 0, 1, NAN, 1, 1, NAN, NAN])
    assert _equal(masks[1], [1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0])
    # Row 4: No Finding 1.0, every other cell uncertain: 0, but Support Devices stays masked.
    assert _equal(targets[4], [0] * 12 + [NAN])
    assert _equal(masks[4], [1] * 12 + [0])


def test_no_finding_rule_spares_no_finding_and_support_devices(split):
    targets, masks = split.targets(Targets(["No Finding", "Support Devices", "Edema"], "ones", "ignore",
                                           no_finding=True), indices=[4])
    assert _equal(targets, [[1, 1, 0]]) and _equal(masks, [[1, 1, 1]])


def test_per_observation_policies_by_name(split):
    spec = Targets(["Edema", "Atelectasis", "Edema"], uncertain={"Edema": "ones"}, blank={"Atelectasis": "ignore"},
                   default_uncertain="zeros")
    resolved = spec.resolve(split)
    assert resolved.policies == (("ones", "negative"), ("zeros", "ignore"), ("ones", "negative"))
    targets, masks = split.targets(spec, indices=[1, 3])
    # Row 1: Edema -1.0, Atelectasis 0.0; row 3: Edema 1.0, Atelectasis blank.
    assert _equal(targets, [[1, 0, 1], [1, 0, 1]]) and _equal(masks, [[1, 1, 1], [1, 0, 1]])
    competition = Targets("competition").resolve(split)
    assert competition.names == ("Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Pleural Effusion")


def test_columns_are_found_by_name_in_any_order(tmp_path):
    order = list(range(14))[::-1]
    header = HEADER[:5] + [LABELS[i] for i in order]
    write_tree(tmp_path, [[cells[i] for i in order] for cells in _rows()], header=header)
    with chexpert.Dataset(tmp_path) as dataset:
        shuffled = dataset["train"].targets(Targets.preset("paper"))
    root = tmp_path / "plain"
    write_tree(root, _rows())
    with chexpert.Dataset(root) as dataset:
        plain = dataset["train"].targets(Targets.preset("paper"))
    assert _equal(shuffled[0], plain[0]) and _equal(shuffled[1], plain[1])


def test_errors_name_the_problem(split, tmp_path):
    with pytest.raises(KeyError, match="Efusion"):
        Targets(["Efusion"]).resolve(split)
    with pytest.raises(ValueError, match="uncertain policy"):
        Targets("all", "twos").resolve(split)
    with pytest.raises(chexpert.ChexpertIndexError):
        split.targets(Targets("all"), indices=[5])
    write_tree(tmp_path, [cells[:13] for cells in _rows()], header=HEADER[:-1])
    with chexpert.Dataset(tmp_path) as dataset:
        with pytest.raises(chexpert.ChexpertError) as error:
            Targets.preset("xrv").resolve(dataset["train"])
        assert error.value.name == "CHEXPERT_E_NOT_FOUND" and "Support Devices" in str(error.value)


def test_resolved_targets_pickle(split):
    resolved = pickle.loads(pickle.dumps(Targets.preset("paper").resolve(split)))
    assert _equal(resolved.read(np.arange(5))[0], split.targets(Targets.preset("paper"))[0])
