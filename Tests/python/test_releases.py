"""Release layouts, label sources and the official test split (docs/releases.md).

Every tree is written by the generator (chexpert-sample --layout ...); expected
values come from the generated CSV files read with the ``csv`` module, never
from the library.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import chexpert
from conftest import TFDS_LABELS, TFDS_VIEWS

LAYOUTS = ["small", "small_nested", "full", "aimi"]
AIMI_BATCH1 = "CheXpert-v1.0 batch 1 (validate & csv)"
DATASET_FOLDER = {"small": "CheXpert-v1.0-small", "small_nested": "CheXpert-v1.0-small/CheXpert-v1.0-small",
                  "full": "CheXpert-v1.0", "aimi": AIMI_BATCH1}
TRAIN_LABELS = ["No Finding", "Enlarged Cardiomediastinum", "Cardiomegaly", "Lung Opacity", "Lung Lesion",
                "Edema", "Consolidation", "Pneumonia", "Atelectasis", "Pneumothorax", "Pleural Effusion",
                "Pleural Other", "Fracture", "Support Devices"]


@pytest.fixture(scope="module")
def make_release(sample_bin, tmp_path_factory):
    """make_release(layout, *extra_args) -> the root of a generated tree."""
    made = {}

    def make(layout: str, *args: str) -> Path:
        key = (layout, args)
        if key not in made:
            out = tmp_path_factory.mktemp(f"release-{layout}")
            subprocess.run([str(sample_bin), "--out", str(out), "--layout", layout, "--train-patients", "9",
                            "--valid-patients", "3", "--jobs", "2", *args], check=True, stdout=subprocess.DEVNULL)
            made[key] = out
        return made[key]
    return make


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _rest(name: bytes) -> bytes:
    """A Path without its release folder (`CheXpert-v1.0-small/` or `CheXpert-v1.0/`)."""
    return name.split(b"/", 1)[1]


def _examples(split) -> list[dict]:
    return [split[i] for i in range(len(split))]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_reads_the_same_examples(make_release, layout):
    reference = chexpert.Dataset(make_release("small", "--test-patients", "4"))
    root = make_release(layout, "--test-patients", "4")
    with chexpert.Dataset(root) as dataset:
        assert dataset.layout == layout
        assert dataset.split_names == ("train", "validation", "test")
        assert Path(dataset.root) == (root / DATASET_FOLDER[layout]).resolve()
        for name in ("train", "validation", "test"):
            ours, theirs = _examples(dataset[name]), _examples(reference[name])
            assert len(ours) == len(theirs) > 0
            for mine, expected in zip(ours, theirs):
                assert _rest(mine["name"]) == _rest(expected["name"])
                np.testing.assert_array_equal(mine["label"], expected["label"])
                assert mine["image_view"] == expected["image_view"]
                np.testing.assert_array_equal(mine["image"], expected["image"])
            prefix = b"CheXpert-v1.0-small/" if layout.startswith("small") else b"CheXpert-v1.0/"
            assert all(example["name"].startswith(prefix) for example in ours)
    reference.close()


def test_outer_kaggle_folder_is_reported_nested(make_release):
    root = make_release("small_nested")
    with chexpert.Dataset(root / "CheXpert-v1.0-small") as dataset:
        assert dataset.layout == "small_nested"
        assert len(dataset["train"]) > 0


def test_full_folder_itself_opens_as_full(make_release):
    root = make_release("full")
    with chexpert.Dataset(root / "CheXpert-v1.0") as dataset:
        assert dataset.layout == "full"
        split = dataset["train"]
        assert split[len(split) - 1]["image"].shape[2] == 3


def test_no_test_files_means_no_test_split(make_release):
    with chexpert.Dataset(make_release("aimi")) as dataset:
        assert dataset.split_names == ("train", "validation")
        assert not dataset.has_split("test") and dataset.has_split("train")
        with pytest.raises(chexpert.ChexpertNotFoundError, match="no 'test' split"):
            dataset["test"]


@pytest.mark.parametrize("layout", ["small", "aimi"])
@pytest.mark.parametrize("shape", ["groundtruth", "test_labels"])
def test_test_split_labels_against_the_ground_truth(make_release, layout, shape):
    root = make_release(layout, "--test-patients", "7", "--test-labels", shape)
    label_folder = root if layout == "aimi" else root / DATASET_FOLDER[layout]
    header, rows = _read(label_folder / ("groundtruth.csv" if shape == "groundtruth" else "test_labels.csv"))
    key = header.index("Study" if shape == "groundtruth" else "Path")
    truth = {}
    for row in rows:
        relative = row[key][row[key].index("test/"):]
        truth[relative] = {header[c]: row[c] for c in range(len(header)) if c != key}
    images_root = root / DATASET_FOLDER[layout]
    expected = []
    for relative in truth:
        if shape == "groundtruth":
            files = sorted(os.listdir(images_root / relative))
            expected += [(relative + "/" + name, truth[relative]) for name in files]
        else:
            expected.append((relative, truth[relative]))
    with chexpert.Dataset(root) as dataset:
        valid_header, _ = _read(images_root / "valid.csv")
        split = dataset["test"]
        assert split.label_names == tuple(valid_header[5:])
        assert len(split) == len(expected)
        for index, (relative, labels) in enumerate(expected):
            example = split[index]
            assert example["name"].decode().endswith("/" + relative)
            assert list(example["label"]) == [1 if labels[name] == "1" else 2 for name in valid_header[5:]]
            view = "lateral" if "_lateral" in relative else "frontal"
            assert example["image_view"] == TFDS_VIEWS[view]
        projections = split.projections()
        assert set(projections.tolist()) <= {2, 3}   # OTHER_FRONTAL, LATERAL: no AP/PA in the test set


def test_both_test_label_shapes_give_the_same_split(make_release):
    study = chexpert.Dataset(make_release("full", "--test-patients", "6"))
    path = chexpert.Dataset(make_release("full", "--test-patients", "6", "--test-labels", "test_labels"))
    a, b = _examples(study["test"]), _examples(path["test"])
    assert [x["name"] for x in a] == [x["name"] for x in b]
    assert all((x["label"] == y["label"]).all() and x["image_view"] == y["image_view"] for x, y in zip(a, b))
    study.close()
    path.close()


@pytest.mark.parametrize("shape", ["metadata", "labels_only"])
@pytest.mark.parametrize("labels, file_name", [("chexbert", "train_cheXbert.csv"),
                                               ("visualchexbert", "train_visualCheXbert.csv")])
@pytest.mark.parametrize("layout", ["small", "aimi"])
def test_label_sources_by_header_name(make_release, layout, shape, labels, file_name):
    root = make_release(layout, "--label-files", shape)
    label_path = (root if layout == "aimi" else root / DATASET_FOLDER[layout]) / file_name
    header, rows = _read(label_path)
    by_path = {row[header.index("Path")]: row for row in rows}
    cells = {"1.0": 1, "1": 1, "0.0": 2, "0": 2, "-1.0": 0, "-1": 0, "": 3}
    train_header, train_rows = _read(root / DATASET_FOLDER[layout] / "train.csv")
    with chexpert.Dataset(root, labels=labels) as dataset, chexpert.Dataset(root) as reports:
        assert dataset.labels == labels and reports.labels == "reports"
        split = dataset["train"]
        assert split.label_names == tuple(train_header[5:])
        assert len(split) == len(train_rows)
        differs = False
        for index, row in enumerate(train_rows):
            example = split[index]
            assert example["name"].decode() == row[0]
            source = by_path[row[0]]
            assert list(example["label"]) == [cells[source[header.index(name)]] for name in train_header[5:]]
            differs |= list(example["label"]) != [TFDS_LABELS[cell] for cell in row[5:]]
            assert example["image_view"] == reports["train"][index]["image_view"]
        assert differs, "the label file should differ from train.csv somewhere"
        if labels == "visualchexbert":
            assert set(np.concatenate([split[i]["label"] for i in range(len(split))]).tolist()) <= {1, 2}
        # validation keeps its radiologists' labels
        np.testing.assert_array_equal(dataset["validation"][0]["label"], reports["validation"][0]["label"])


def test_missing_label_file_is_not_found(make_release):
    with pytest.raises(chexpert.ChexpertNotFoundError, match="train_cheXbert.csv"):
        chexpert.Dataset(make_release("full"), labels="chexbert")
    with pytest.raises(ValueError, match="labels must be one of"):
        chexpert.Dataset(make_release("full"), labels="cheXbert")


def _copy(root: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    return copy


@pytest.mark.parametrize("side", ["label_file", "train_csv"])
def test_one_sided_join_names_both_files(make_release, tmp_path, side):
    root = _copy(make_release("aimi", "--label-files", "labels_only"), tmp_path)
    target = root / ("train_cheXbert.csv" if side == "label_file" else AIMI_BATCH1 + "/train.csv")
    lines = target.read_text().splitlines(keepends=True)
    dropped = lines.pop(3)
    target.write_text("".join(lines))
    with pytest.raises(chexpert.ChexpertCSVError) as caught:
        chexpert.Dataset(root, labels="chexbert")
    message = str(caught.value)
    assert "train_cheXbert.csv" in message and "train.csv" in message
    assert dropped.split(",")[0] in message


def test_label_file_without_a_column_is_a_csv_error(make_release, tmp_path):
    root = _copy(make_release("small", "--label-files", "labels_only"), tmp_path)
    path = root / "CheXpert-v1.0-small" / "train_visualCheXbert.csv"
    header, rows = _read(path)
    column = header.index("Edema")
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([c for i, c in enumerate(header) if i != column])
        writer.writerows([[c for i, c in enumerate(row) if i != column] for row in rows])
    with pytest.raises(chexpert.ChexpertCSVError, match="no 'Edema' column"):
        chexpert.Dataset(root, labels="visualchexbert")


def test_partial_test_tree_names_what_is_missing(make_release, tmp_path):
    root = _copy(make_release("small", "--test-patients", "3"), tmp_path)
    study = root / "CheXpert-v1.0-small" / "test" / "patient64742" / "study1"
    shutil.rmtree(study)
    with pytest.raises(chexpert.ChexpertNotFoundError, match="patient64742/study1.*is missing"):
        chexpert.Dataset(root)
    root = _copy(make_release("full", "--test-patients", "3", "--test-labels", "test_labels"), tmp_path / "b")
    image = root / "CheXpert-v1.0" / "test" / "patient64743" / "study1" / "view1_frontal.jpg"
    image.unlink()
    with pytest.raises(chexpert.ChexpertNotFoundError, match="patient64743/study1/view1_frontal.jpg.*is missing"):
        chexpert.Dataset(root)


def test_aimi_folder_names_by_pattern(make_release, tmp_path):
    """Underscores, other case, and an unzip that added a `CheXpert-v1.0` folder."""
    original = make_release("aimi", "--test-patients", "2")
    root = _copy(original, tmp_path)
    (root / AIMI_BATCH1).rename(root / "CheXpert-v1.0_batch_1_val_and_csv")
    (root / "CheXpert-v1.0 batch 2 (train 1)").rename(root / "chexpert-v1.0 BATCH 2 (train 1)")
    batch3 = root / "CheXpert-v1.0 batch 3 (train 2)"
    inner = tmp_path / "inner"
    batch3.rename(inner)
    (batch3 / "CheXpert-v1.0").mkdir(parents=True)
    inner.rename(batch3 / "CheXpert-v1.0" / "train")
    with chexpert.Dataset(root) as moved, chexpert.Dataset(original) as reference:
        assert moved.layout == "aimi"
        for name in ("train", "validation", "test"):
            for mine, theirs in zip(_examples(moved[name]), _examples(reference[name]), strict=True):
                assert mine["name"] == theirs["name"]
                np.testing.assert_array_equal(mine["image"], theirs["image"])


def test_aimi_patient_in_no_batch_fails_naming_the_path(make_release, tmp_path):
    root = _copy(make_release("aimi"), tmp_path)
    shutil.rmtree(root / "CheXpert-v1.0 batch 4 (train 3)" / "patient00009")
    with chexpert.Dataset(root) as dataset:
        names = [dataset["train"][i]["name"] for i in range(3)]
        assert names
        index = next(i for i in range(len(dataset["train"]))
                     if b"patient00009/" in dataset["train"].names()[i])
        with pytest.raises(chexpert.ChexpertNotFoundError, match="CheXpert-v1.0/train/patient00009"):
            dataset["train"][index]


def test_no_release_lists_what_the_folder_holds(tmp_path):
    (tmp_path / "CheXpert-v1.0 batch 1 (validate & csv)").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(chexpert.ChexpertNotFoundError) as caught:
        chexpert.Dataset(tmp_path)
    message = str(caught.value)
    assert "'notes.txt'" in message and "'CheXpert-v1.0 batch 1 (validate & csv)'" in message
    assert "holds no train.csv or valid.csv" in message
    assert "Kaggle double nest" in message


def test_aimi_paths_stay_confined(make_release, tmp_path):
    root = _copy(make_release("aimi"), tmp_path)
    train = root / AIMI_BATCH1 / "train.csv"
    lines = train.read_text().splitlines(keepends=True)
    lines[1] = "CheXpert-v1.0/train/patient00001/../../../secret.jpg" + lines[1][lines[1].index(","):]
    train.write_text("".join(lines))
    with pytest.raises(chexpert.ChexpertCSVError, match="leaves the dataset folder"):
        chexpert.Dataset(root)
    with chexpert.Dataset(root, confine_paths=False) as dataset:
        assert len(dataset["train"]) == len(lines) - 1


def test_labels_option_survives_pickling(make_release):
    import pickle
    with chexpert.Dataset(make_release("small", "--label-files", "metadata"), labels="chexbert") as dataset:
        copy = pickle.loads(pickle.dumps(dataset))
        assert copy.labels == "chexbert"
        np.testing.assert_array_equal(copy["train"][0]["label"], dataset["train"][0]["label"])
        copy.close()


def test_full_size_images(sample_bin, tmp_path):
    subprocess.run([str(sample_bin), "--out", str(tmp_path), "--layout", "full", "--full-size", "1",
                    "--train-patients", "1", "--valid-patients", "1", "--progressive-fraction", "0"],
                   check=True, stdout=subprocess.DEVNULL)
    with chexpert.Dataset(tmp_path) as dataset:
        shapes = {dataset["train"][i]["image"].shape for i in range(len(dataset["train"]))}
        assert shapes <= {(2828, 2320, 3), (1751, 2022, 3)} and shapes
    sizes = [path.stat().st_size for path in tmp_path.rglob("*.jpg")]
    # the full release: 439 GB over 224,316 images, about 2 MB each
    assert all(500_000 < size < 4_000_000 for size in sizes), sizes


def test_cli_sample_layouts_and_info(tmp_path, sample_bin, capsys):
    from chexpert.cli import main
    out = tmp_path / "aimi"
    code = main(["sample", str(out), "--layout", "aimi", "--train-patients", "3", "--valid-patients", "1",
                 "--test-patients", "2", "--test-labels", "test_labels", "--label-files", "labels_only"])
    captured = capsys.readouterr().out
    assert code == 0, captured
    assert "it opens: train" in captured and "test" in captured
    assert (out / "train_cheXbert.csv").is_file() and (out / AIMI_BATCH1 / "test_labels.csv").is_file() is False
    assert (out / "test_labels.csv").is_file()
    code = main(["info", str(out), "--max-images", "0", "--sizes", "4"])
    captured = capsys.readouterr().out
    assert code == 0
    assert "release: aimi (docs/releases.md); splits: train, validation, test; train labels: reports" in captured
    assert main(["sample", str(out), "--layout", "aimi"]) != 0
    assert "already exists" in capsys.readouterr().err


def test_test_split_metadata_and_joined_train_metadata(make_release):
    root = make_release("aimi", "--test-patients", "3", "--label-files", "metadata")
    with chexpert.Dataset(root, labels="visualchexbert") as dataset, chexpert.Dataset(root) as reports:
        test = dataset["test"].metadata()
        assert set(test["sex"].tolist()) == {3}               # CHEXPERT_SEX_BLANK: no Sex column
        assert set(test["age"].tolist()) == {-1}              # CHEXPERT_AGE_MISSING
        assert test["patient"].tolist()[0] == 64741
        joined, own = dataset["train"].metadata(), reports["train"].metadata()
        for field in own:
            np.testing.assert_array_equal(joined[field], own[field])   # metadata from train.csv
