"""The bad-example policies on a tree with one truncated and one missing
image: raise (default), substitute (zero image, flagged), skip (left out,
reported), and the verify pass."""

from __future__ import annotations

import os

import numpy as np
import pytest

import chexpert

RESIZE = chexpert.Resize(16, dtype="float32", normalize="imagenet")


@pytest.fixture(scope="module")
def broken(make_tree):
    """(root, {index: status name}) with examples 3 (truncated) and 7 (missing) broken."""
    root = make_tree("--train-patients", "6", "--valid-patients", "1", "--seed", "4")
    with chexpert.Dataset(root) as dataset:
        names = dataset["train"].names()
    truncated = root / names[3].decode()
    truncated.write_bytes(truncated.read_bytes()[:300])
    os.remove(root / names[7].decode())
    return root, {3: "CHEXPERT_E_IMAGE", 7: "CHEXPERT_E_NOT_FOUND"}


def test_raise_is_the_default(broken):
    root, bad = broken
    with chexpert.Dataset(root) as dataset:
        loader = chexpert.Loader(dataset["train"], 4, RESIZE)
        with pytest.raises(chexpert.ChexpertError) as error:
            list(loader)
        assert error.value.name == "CHEXPERT_E_IMAGE" and "index 3" in error.value.message


def test_substitute_gives_zero_images_flagged(broken):
    root, bad = broken
    with chexpert.Dataset(root) as dataset:
        split = dataset["train"]
        batches = list(chexpert.Loader(split, 4, RESIZE, on_error="substitute"))
        flagged = [int(i) for b in batches for i, s in zip(b["index"], b["substituted"]) if s]
        assert flagged == sorted(bad)
        zero = (0 - np.array([0.485, 0.456, 0.406], dtype=np.float32)) / np.array([0.229, 0.224, 0.225],
                                                                                    dtype=np.float32)
        for batch in batches:
            for image, substituted, index in zip(batch["image"], batch["substituted"], batch["index"]):
                if substituted:
                    assert np.allclose(image, zero.reshape(1, 1, 3))
                else:
                    assert np.array_equal(image, split.read_batch_resized([index], RESIZE)["image"][0])
        # The same through the handle's option and one direct call.
    with chexpert.Dataset(root, on_error="substitute") as dataset:
        assert dataset.on_error == "substitute"
        batch = dataset["train"].read_batch_resized([2, 3, 7], RESIZE)
        assert batch["substituted"].tolist() == [False, True, True]
        with pytest.raises(chexpert.ChexpertError):
            dataset["train"].read_batch_resized([3], RESIZE, on_error="raise")


def test_skip_leaves_them_out_and_reports(broken):
    root, bad = broken
    with chexpert.Dataset(root) as dataset:
        split = dataset["train"]
        loader = chexpert.Loader(split, 4, RESIZE, on_error="skip", names=True)
        with pytest.warns(UserWarning, match="skipped"):
            batches = list(loader)
        seen = [int(i) for b in batches for i in b["index"]]
        assert seen == [i for i in range(len(split)) if i not in bad]
        assert [(i, s) for i, _, s in loader.skipped] == sorted(bad.items())
        assert [n for _, n, _ in loader.skipped] == [split.names([i])[0] for i in sorted(bad)]
        for batch in batches:
            assert len(batch["image"]) == len(batch["label"]) == len(batch["name"]) == len(batch["index"])


def test_verify_reports_what_failed_and_why(broken, capsys):
    root, bad = broken
    with chexpert.Dataset(root) as dataset:
        split = dataset["train"]
        report = split.verify(chunk=5, progress=True)
        assert report.checked == len(split) and not report.ok
        assert [(f.index, f.status) for f in report.failures] == sorted(bad.items())
        assert "JPEG data" in report.failures[0].message or "JPEG" in report.failures[0].message
        assert "no such file" in report.failures[1].message
        assert f"{len(split)} examples checked, 2 failed" in str(report)
        assert dataset["validation"].verify().ok
        assert "verify train" in capsys.readouterr().err         # the progress bar


def test_adapters_substitute(broken):
    import torch.utils.data
    import chexpert.torch
    import chexpert.tf
    root, bad = broken
    with chexpert.Dataset(root) as dataset:
        split = dataset["train"]
        batches = chexpert.torch.ChexpertBatches(split, 5, RESIZE, shuffle=False, on_error="substitute")
        flagged = [int(i) for b in torch.utils.data.DataLoader(batches, batch_size=None)
                   for i, s in zip(b["index"], b["substituted"]) if s]
        assert flagged == sorted(bad)
        pipeline = chexpert.tf.batches(split, 5, RESIZE, shuffle=False, drop_last=False, on_error="substitute")
        flagged = [int(i) for b in pipeline.as_numpy_iterator() for i, s in zip(b["index"], b["substituted"]) if s]
        assert flagged == sorted(bad)
