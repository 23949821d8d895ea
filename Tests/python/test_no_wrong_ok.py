"""No OK with a wrong answer (issue 10, class 6).

- Normalisation statistics that cannot give finite outputs are refused, by
  the binding (Resize) and by the library (chexpert_batch_resized, through
  raw _ffi calls that skip the binding's check): never an OK batch holding
  NaN or inf.
- read_batch makes one pixel call (each file read once); a file that changes
  between that call and the retry a too-small guess needs (or, for
  ``split[i]``, between the size query and the pixel call) is read with the
  shape the pixel call decoded, or refused with an error naming the file;
  never pixels laid out with the old shape, never an error about sizes the
  caller never gave. The change is made exactly between two C calls (a
  wrapper around _ffi's function), not by timing.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from ctypes import c_int32, c_int64

import numpy as np
import pytest

import chexpert
from chexpert import _ffi

from conftest import SMALL

FLT_MAX = float(np.finfo(np.float32).max)

# (mean, std): tiny, denormal, huge; each given to all three channels.
STATS = [
    (0.5, 1e-45), (0.5, 1e-40), (0.5, 1e-38), (0.485, 0.229), (3e38, 0.5), (3e38, 1.0),
    (-3e38, 0.01), (0.0, 2e-39), (-1.0, 5e-39), (0.0, 3e-39), (1.0, 3e-39), (2.0, 1e-38),
    (0.0, -2e-39), (0.5, 3e38),
]


def _can_be_finite(mean: float, std: float) -> bool:
    """(v / 255 - mean) / std is finite in float32 for v in 0 ... 255 (exact arithmetic)."""
    m, s = float(np.float32(mean)), float(np.float32(std))
    return s != 0 and all(abs((v - m) / s) <= FLT_MAX for v in (0.0, 1.0))


@pytest.fixture(scope="module")
def split(tree_dataset):
    return tree_dataset["train"]


@pytest.mark.parametrize("mean, std", STATS)
def test_resize_refuses_statistics_without_finite_outputs(split, mean, std):
    normalize = ((mean,) * 3, (std,) * 3)
    if not _can_be_finite(mean, std):
        with pytest.raises(ValueError) as info:
            chexpert.Resize(8, dtype="float32", normalize=normalize)
        assert isinstance(info.value, chexpert.ChexpertArgumentError)
        assert "finite" in info.value.message
        return
    try:
        resize = chexpert.Resize(8, dtype="float32", normalize=normalize)
    except chexpert.ChexpertArgumentError:
        return          # refusing a borderline case is allowed; OK with inf is not
    batch = split.read_batch_resized(range(4), resize, num_threads=1)
    assert np.isfinite(batch["image"]).all(), (mean, std)


def _raw_resized(split, mean: float, std: float):
    """chexpert_batch_resized with custom stats, past the binding's checks:
    (status name or "OK", images)."""
    params = _ffi.Params(
        {_ffi.CHEXPERT_KEY_HEIGHT: 8, _ffi.CHEXPERT_KEY_WIDTH: 8, _ffi.CHEXPERT_KEY_CHANNELS: 3,
         _ffi.CHEXPERT_KEY_DTYPE: _ffi.CHEXPERT_DTYPE_FLOAT32, _ffi.CHEXPERT_KEY_THREADS: 1,
         _ffi.CHEXPERT_KEY_NORMALIZE: _ffi.CHEXPERT_NORMALIZE_CUSTOM},
        {_ffi.CHEXPERT_KEY_MEAN: [mean] * 3, _ffi.CHEXPERT_KEY_STD: [std] * 3})
    try:
        indices = np.arange(4, dtype=np.int64)
        images = np.full((4, 8, 8, 3), 7.0, np.float32)
        statuses = np.zeros(4, np.int32)
        try:
            _ffi.chexpert_batch_resized(
                split.dataset.handle(), split.id, indices.ctypes.data_as(ctypes.POINTER(c_int64)),
                4, params, images.ctypes.data, images.nbytes,
                statuses.ctypes.data_as(ctypes.POINTER(c_int32)))
        except chexpert.ChexpertError as error:
            return error, images
        return "OK", images
    finally:
        params.close()


@pytest.mark.parametrize("mean, std", STATS)
def test_the_library_never_returns_ok_with_non_finite_pixels(split, mean, std):
    """(0, 2e-39), (-1, 5e-39) and (0, -2e-39) once passed the library's check
    (1 / (255 * std) and -mean / std finite) and came back OK with inf at v = 255."""
    outcome, images = _raw_resized(split, mean, std)
    if outcome == "OK":
        assert np.isfinite(images).all(), (
            f"chexpert_batch_resized returned OK with non-finite pixels for mean={mean}, std={std}: "
            f"min {images.min()}, max {images.max()}")
    else:
        assert outcome.name == "CHEXPERT_E_INVALID_ARGUMENT", outcome
        assert "finite" in outcome.message, outcome.message
        assert (images == np.float32(7.0)).all(), "an argument error must write nothing"


def test_a_float32_overflowing_statistic_is_refused_not_made_inf():
    with pytest.raises(ValueError, match="outside float32"):
        chexpert.Resize(8, dtype="float32", normalize=((1e39,) * 3, (1.0,) * 3))


# ---------------------------------------------------------------------------
# A file that changes between two C calls of one read
# ---------------------------------------------------------------------------

def _write_jpeg(path, height: int, width: int, seed: int) -> None:
    from PIL import Image
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (height, width), dtype=np.uint8)
    Image.fromarray(pixels, "L").save(path, format="JPEG", quality=90)


def _mutate_after_query(monkeypatch, function_name: str, mutate):
    """Wraps _ffi.<function_name>: right after its first call (the size
    query), runs `mutate()`; returns the list of calls made."""
    original = getattr(_ffi, function_name)
    calls = []

    def wrapper(*args):
        result = original(*args)
        calls.append(args)
        if len(calls) == 1:
            mutate()
        return result
    monkeypatch.setattr(_ffi, function_name, wrapper)
    return calls


@pytest.fixture
def uniform_copy(uniform_tree, tmp_path):
    copy = tmp_path / "manual"
    shutil.copytree(uniform_tree, copy)
    return copy


def _path(root, split, position) -> str:
    return os.path.join(root, os.fsdecode(split.names([position])[0]))


def _count_calls(monkeypatch, function_name: str, mutate=None, every: bool = False):
    """Wraps _ffi.<function_name>: after its first call (or, with `every`,
    after each), runs `mutate()` if given; returns the list of calls made."""
    original = getattr(_ffi, function_name)
    calls = []

    def wrapper(*args):
        try:
            return original(*args)
        finally:
            calls.append(args)
            if mutate is not None and (every or len(calls) == 1):
                mutate()
    monkeypatch.setattr(_ffi, function_name, wrapper)
    return calls


# Larger than read_batch's first guess (1 MiB per image) and than any image
# of the uniform tree: the first call is too small, a second one is made.
BIG = (1100, 1000)


def test_read_batch_makes_one_pixel_call(uniform_copy, monkeypatch):
    with chexpert.Dataset(uniform_copy) as dataset:
        split = dataset["train"]
        calls = _count_calls(monkeypatch, "chexpert_batch_images")
        batch = split.read_batch([0, 1, 2], num_threads=2)
        assert len(calls) == 1 and calls[0][5] is not None, "one pixel call, no size query"
        out = np.empty_like(batch["image"])
        split.read_batch([2, 1, 0], out=out)
        assert len(calls) == 2 and calls[1][5] is not None
        monkeypatch.undo()
        assert np.array_equal(out, batch["image"][::-1])


@pytest.mark.parametrize("change", ["grows", "shrinks", "transposed"])
def test_read_batch_uses_the_shapes_the_pixel_call_decoded(uniform_copy, monkeypatch, change):
    with chexpert.Dataset(uniform_copy) as dataset:
        split = dataset["train"]
        before = split.read_batch([0, 1, 2])
        height, width = before["image"].shape[1:3]
        target = _path(uniform_copy, split, 1)
        _write_jpeg(target, *BIG, seed=4)   # too big for the guess: a retry
        new = {"grows": (BIG[0] + 24, BIG[1] + 8), "shrinks": (height - 16, width - 8),
               "transposed": (BIG[1], BIG[0])}[change]
        calls = _count_calls(monkeypatch, "chexpert_batch_images",
                             lambda: _write_jpeg(target, *new, seed=1))
        batch = split.read_batch([0, 1, 2], num_threads=2)
        monkeypatch.undo()
        assert len(calls) >= 2 and all(call[5] is not None for call in calls), "pixel calls only"
        fresh = split[1]["image"]
        assert fresh.shape == new + (3,)
        images = batch["image"]
        assert isinstance(images, list), "shapes differ now: a list of arrays"
        assert [image.shape for image in images] == [(height, width, 3), new + (3,), (height, width, 3)]
        assert np.array_equal(images[1], fresh)
        assert np.array_equal(images[0], before["image"][0])
        assert np.array_equal(images[2], before["image"][2])
        # The guess now covers the big image: one call again.
        calls = _count_calls(monkeypatch, "chexpert_batch_images")
        again = split.read_batch([0, 1, 2])
        assert len(calls) == 1
        assert all(np.array_equal(a, b) for a, b in zip(again["image"], images))


def test_a_file_made_unreadable_before_the_retry_names_the_file(uniform_copy, monkeypatch):
    with chexpert.Dataset(uniform_copy) as dataset:
        split = dataset["train"]
        _write_jpeg(_path(uniform_copy, split, 0), *BIG, seed=5)
        target = _path(uniform_copy, split, 2)

        def mutate():
            with open(target, "wb") as handle:
                handle.write(b"not a jpeg at all" * 10)
        _count_calls(monkeypatch, "chexpert_batch_images", mutate)
        with pytest.raises(chexpert.ChexpertImageError) as info:
            split.read_batch([0, 1, 2])
        assert os.path.basename(target) in info.value.message
        assert "height" not in info.value.message and "width" not in info.value.message


def test_a_file_that_keeps_growing_is_a_clear_error(uniform_copy, monkeypatch):
    with chexpert.Dataset(uniform_copy) as dataset:
        split = dataset["train"]
        target = _path(uniform_copy, split, 1)
        _write_jpeg(target, *BIG, seed=6)
        sizes = iter(range(1, 10))
        _count_calls(monkeypatch, "chexpert_batch_images",
                     lambda: _write_jpeg(target, BIG[0] + 64 * next(sizes), BIG[1], seed=7), every=True)
        with pytest.raises(chexpert.ChexpertIOError) as info:
            split.read_batch([0, 1, 2])
        assert "changed while they were read" in info.value.message
        assert os.path.basename(target) in info.value.message


@pytest.mark.parametrize("change", ["grows", "transposed"])
def test_out_that_no_longer_fits_is_a_clear_error(uniform_copy, change):
    with chexpert.Dataset(uniform_copy) as dataset:
        split = dataset["train"]
        out = np.empty((3,) + split.shape(0), np.uint8)
        height, width = out.shape[1:3]
        new = {"grows": (height + 8, width), "transposed": (width, height)}[change]
        target = _path(uniform_copy, split, 1)
        _write_jpeg(target, *new, seed=2)
        with pytest.raises(ValueError) as info:
            split.read_batch([0, 1, 2], out=out)
        message = str(info.value)
        assert os.path.basename(target) in message
        assert f"images are {height}x{width}" in message and f"is {new[0]}x{new[1]}" in message


@pytest.mark.parametrize("change", ["grows", "shrinks"])
def test_one_example_uses_the_shape_it_decoded(uniform_copy, monkeypatch, change):
    with chexpert.Dataset(uniform_copy) as dataset:
        split = dataset["train"]
        height, width, _ = split.shape(1)
        new = (height + 24, width + 8) if change == "grows" else (height - 16, width - 8)
        target = _path(uniform_copy, split, 1)
        _mutate_after_query(monkeypatch, "chexpert_example_image",
                            lambda: _write_jpeg(target, *new, seed=3))
        example = split[1]
        monkeypatch.undo()
        assert example["image"].shape == new + (3,)
        assert np.array_equal(example["image"], split[1]["image"])


def test_the_tree_is_the_one_the_sample_wrote(uniform_copy):
    """The tests above edit a copy: the session's uniform tree is untouched."""
    assert (uniform_copy / SMALL / "train.csv").is_file()
