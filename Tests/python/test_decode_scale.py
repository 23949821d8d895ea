"""CHEXPERT_DECODE_SCALE_AUTO against _FULL on generated full-size JPEGs (docs/training.md).

The tree: `chexpert-sample --full-size 1` (2828 x 2320 and 2022 x 1751 px, quality 50-60: a few
hundred KiB each, like the real CheXpert-v1.0 files). For every fit x filter, uint8 and float32
output: the mean absolute difference, its 99.9th percentile and its maximum stay within the bounds
docs/training.md states (measured by bench/fullsize.py); AUTO really decodes smaller (the outputs
differ); and where no scaling factor below 1 still covers the output, AUTO is FULL exactly.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import chexpert

#: Stated in docs/training.md (levels of 0..255, 224 x 224 outputs of full-size images).
MEAN_BOUND = 2.0
QUANTILE_BOUND = 16.0   # 99.9th percentile
MAX_BOUND = 160.0


@pytest.fixture(scope="module")
def full_tree(make_tree):
    return make_tree("--full-size", "1", "--train-patients", "3", "--valid-patients", "1", "--seed", "4",
                     "--progressive-fraction", "0", "--quality", "50-60")


@pytest.mark.parametrize("fit, filter", itertools.product(("cover", "contain", "stretch"), ("area", "bilinear")))
@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_auto_is_within_the_stated_bounds_of_full(full_tree, fit, filter, dtype):
    with chexpert.Dataset(full_tree) as ds:
        sp = ds["train"]
        assert min(sp[0]["image"].shape[:2]) > 1500, "not a full-size tree"
        indices = list(range(len(sp)))
        kwargs = dict(size=224, channels=1, dtype=dtype, fit=fit, filter=filter)
        full = sp.read_batch_resized(indices, chexpert.Resize(decode_scale="full", **kwargs),
                                     num_threads=2)["image"].astype(np.float64)
        auto = sp.read_batch_resized(indices, chexpert.Resize(decode_scale="auto", **kwargs),
                                     num_threads=2)["image"].astype(np.float64)
    difference = np.abs(auto - full)
    detail = (f"mean {difference.mean():.3f}, 99.9% {np.quantile(difference, 0.999):.2f}, "
              f"max {difference.max():.2f}")
    assert difference.mean() <= MEAN_BOUND, detail
    assert np.quantile(difference, 0.999) <= QUANTILE_BOUND, detail
    assert difference.max() <= MAX_BOUND, detail
    assert difference.max() > 0, "AUTO decoded at full size"


def test_auto_is_full_where_no_factor_covers_the_output(tree_dataset):
    """390 x 320-like images to 380 x 300: 7/8 of the source is smaller than the output."""
    sp = tree_dataset["train"]
    indices = list(range(len(sp)))
    shapes = [sp[i]["image"].shape[:2] for i in indices]
    size = (max(h for h, _ in shapes) * 15 // 16, max(w for _, w in shapes) * 15 // 16)
    for fit in ("cover", "contain", "stretch"):
        full = sp.read_batch_resized(indices, chexpert.Resize(size, fit=fit, decode_scale="full"))["image"]
        auto = sp.read_batch_resized(indices, chexpert.Resize(size, fit=fit, decode_scale="auto"))["image"]
        assert np.array_equal(full, auto), fit


def test_decode_scale_option_names_and_params():
    from chexpert import _ffi
    assert chexpert.Resize(8).decode_scale == "full"
    auto = chexpert.Resize(8, decode_scale="auto")
    assert auto.decode_scale == "auto" and auto != chexpert.Resize(8)
    assert auto.params().get(_ffi.CHEXPERT_KEY_DECODE_SCALE) == _ffi.CHEXPERT_DECODE_SCALE_AUTO
    with pytest.raises(ValueError):
        chexpert.Resize(8, decode_scale="half")
