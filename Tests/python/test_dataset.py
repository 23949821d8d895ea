"""Examples have tfds.as_numpy's types, and the values TFDS derives from the CSVs."""

from __future__ import annotations

import numpy as np
import pytest

import chexpert
from conftest import SMALL, expected_examples, read_csv


@pytest.fixture(scope="module")
def ds(tree):
    with chexpert.Dataset(tree) as dataset:
        yield dataset


def test_version_and_vocabulary_come_from_the_library():
    # One version, the header's (test_header.py checks it against the header too).
    assert chexpert.__version__ == chexpert.library_version == "1.0.0"
    assert chexpert.SPLIT_NAMES == ("train", "validation", "test")   # test where present: releases.md
    # TFDS ClassLabel orders (shared/reference/tfds-chexpert.md section 2).
    assert chexpert.LABEL_CLASS_NAMES == ("uncertain", "positive", "negative", "unmentioned")
    assert chexpert.VIEW_NAMES == ("frontal", "lateral")
    assert chexpert.PROJECTION_NAMES == ("ap", "pa", "other_frontal", "lateral")


def test_root_is_resolved_from_manual_dir_or_dataset_folder(tree, monkeypatch):
    folder = str((tree / SMALL).resolve())
    with chexpert.Dataset(tree) as a, chexpert.Dataset(tree / SMALL) as b:
        assert a.root == b.root == folder
    monkeypatch.setenv("CHEXPERT_ROOT", str(tree))
    with chexpert.Dataset() as c:
        assert c.root == folder
    monkeypatch.chdir(tree)            # relative roots are made absolute (pickles travel)
    with chexpert.Dataset(SMALL) as d, chexpert.Dataset(".") as e:
        assert d.root == e.root == folder


def test_split_names_and_lookup(ds):
    assert ds.split_names == ("train", "validation")
    assert ds["train"].name == "train" and ds.split(1).name == "validation"
    with pytest.raises(chexpert.ChexpertNotFoundError, match="no 'test' split"):
        ds["test"]                                      # a split id this tree has no files for
    with pytest.raises(KeyError, match="testing"):
        ds["testing"]


@pytest.mark.parametrize("split", ["train", "validation"])
def test_sizes_labels_views_names_match_the_csv(ds, tree, split):
    expected = expected_examples(tree, split)
    sp = ds[split]
    assert len(sp) == len(expected) > 0
    assert sp.labels().tolist() == [e["label"] for e in expected]
    assert sp.image_views().tolist() == [e["image_view"] for e in expected]
    for i, example in enumerate(sp):
        assert example["label"].tolist() == expected[i]["label"]
        assert example["image_view"] == expected[i]["image_view"]
        assert example["name"] == expected[i]["name"]


@pytest.mark.parametrize("split", ["train", "validation"])
def test_label_names_are_the_header_columns_after_the_fifth(ds, tree, split):
    header, _ = read_csv(tree, split)
    assert ds[split].label_names == tuple(header[5:])
    assert ds[split].num_labels == len(header) - 5 == 14


def test_example_types_are_those_of_tfds_as_numpy(ds):
    example = ds["train"][0]
    assert set(example) == {"image", "label", "image_view", "name"}
    image = example["image"]
    assert type(image) is np.ndarray and image.dtype == np.uint8
    assert image.ndim == 3 and image.shape[2] == 3 and image.flags.c_contiguous
    assert type(example["label"]) is np.ndarray and example["label"].dtype == np.int64
    assert example["label"].shape == (14,)
    assert type(example["image_view"]) is np.int64
    assert type(example["name"]) is bytes


def test_labels_and_views_arrays(ds):
    sp = ds["train"]
    labels, views = sp.labels(), sp.image_views()
    assert labels.dtype == np.int64 and labels.shape == (len(sp), 14)
    assert views.dtype == np.int64 and views.shape == (len(sp),)
    assert set(np.unique(labels)) <= {0, 1, 2, 3}
    assert set(np.unique(views)) <= {0, 1}
    # Subsets and out= (written in place, no second buffer).
    out = np.full(3, -1, np.int64)
    assert sp.image_views([2, 0, 1], out=out) is out and out.tolist() == views[[2, 0, 1]].tolist()
    out = np.full((2, 14), -1, np.int64)
    assert sp.labels([1, 1], out=out) is out and (out == labels[[1, 1]]).all()
    with pytest.raises(ValueError):
        sp.labels([0, 1], out=np.empty((3, 14), np.int64))
    with pytest.raises(TypeError):
        sp.image_views([0], out=np.empty(1, np.int32))


def test_every_label_class_and_view_occurs_in_the_sample(ds):
    """The generator promises every cell kind in train: the test is not vacuous."""
    assert set(np.unique(ds["train"].labels())) == {0, 1, 2, 3}
    assert set(np.unique(ds["train"].image_views())) == {0, 1}


def test_shape_matches_the_decoded_image(ds):
    sp = ds["train"]
    for i in range(len(sp)):
        assert sp.shape(i) == sp[i]["image"].shape


def test_grey_images_are_replicated_into_three_channels(ds):
    image = ds["train"][0]["image"]    # row 0 is grey (sample generator contract)
    assert (image[..., 0] == image[..., 1]).all() and (image[..., 1] == image[..., 2]).all()


def test_sequence_protocol_negative_indices_and_slices(ds):
    sp = ds["train"]
    n = len(sp)
    assert sp[-1]["name"] == sp[n - 1]["name"]
    view = sp[1:7:2]
    assert isinstance(view, chexpert.Split) and len(view) == 3
    assert view.indices == range(1, 7, 2)
    assert [e["name"] for e in view] == [sp[i]["name"] for i in (1, 3, 5)]
    assert view[-1]["name"] == sp[5]["name"]
    assert view[::-1][0]["name"] == sp[5]["name"]
    assert view.labels().tolist() == sp.labels()[1:7:2].tolist()
    assert view.image_views().tolist() == sp.image_views()[1:7:2].tolist()
    assert len(sp[n:]) == 0 and list(sp[n:]) == []
    assert [e["name"] for e in sp[-2:]] == [sp[n - 2]["name"], sp[n - 1]["name"]]


def test_memory_usage_is_fixed_after_open(ds):
    before = ds.memory_usage()
    assert before > 0
    ds["train"].read_batch(range(len(ds["train"])))
    assert ds.memory_usage() == before


def test_options(tree):
    with chexpert.Dataset(tree) as ds:
        assert ds.dct == "fast"
        assert ds.max_pixels == 100_000_000 and ds.max_file_bytes == 1 << 28
    with chexpert.Dataset(tree, dct="accurate", max_pixels=10**6, max_file_bytes=10**6) as ds:
        assert (ds.dct, ds.max_pixels, ds.max_file_bytes) == ("accurate", 10**6, 10**6)
    with pytest.raises(ValueError, match="dct"):
        chexpert.Dataset(tree, dct="slow")
