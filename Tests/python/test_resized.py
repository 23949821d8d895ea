"""Split.read_batch_resized and Resize against the numpy/Pillow reference (resize_ref.py).

Every combination of channels x layout x dtype x fit x filter x normalize
(uint8 only with "none") at output sizes that crop, pad and upscale, on a
generated tree whose last train images are replaced by tiny odd-sized JPEGs
(grey, colour 4:2:0 and 4:4:4) written with Pillow: resample="exact" against
Pillow bit for bit where Pillow's arithmetic is the library's (float32
without normalisation), resample="fast" (the default) within its stated
bound (test_resample_fast.py tests the bound itself on random images).
"""

from __future__ import annotations

import ctypes
import itertools
from ctypes import byref, c_int64, c_size_t

import numpy as np
import pytest
from PIL import Image

import chexpert
import resize_ref
import test_resample_fast
import turbojpeg_ref
from chexpert import _ffi

SIZES = [(17, 31), (224, 224), (500, 400)]
CUSTOM = {1: ((0.3,), (0.2,)), 3: ((0.1, 0.2, 0.3), (0.5, 0.25, 2.0))}
# (height, width, Pillow mode, JPEG subsampling) of the tiny replacements.
TINY = [(1, 1, "L", None), (3, 5, "L", None), (7, 2, "RGB", 2), (13, 9, "RGB", 0)]


@pytest.fixture(scope="module")
def mixed_tree(make_tree):
    root = make_tree("--train-patients", "5", "--valid-patients", "2",
                     "--color-fraction", "0.3", "--seed", "5")
    rng = np.random.default_rng(3)
    with chexpert.Dataset(root) as ds:
        sp = ds["train"]
        targets = [root / sp[i]["name"].decode() for i in range(len(sp) - len(TINY), len(sp))]
    for path, (height, width, mode, subsampling) in zip(targets, TINY):
        shape = (height, width) if mode == "L" else (height, width, 3)
        pixels = rng.integers(0, 256, shape, dtype=np.uint8)
        options = {"quality": 90} if subsampling is None else {"quality": 90, "subsampling": subsampling}
        Image.fromarray(pixels, mode).save(path, "JPEG", **options)
    return root


@pytest.fixture(scope="module")
def ds(mixed_tree):
    with chexpert.Dataset(mixed_tree) as dataset:
        yield dataset


@pytest.fixture(scope="module")
def examples(ds, mixed_tree):
    """(rgb image, path) of every train example."""
    sp = ds["train"]
    return [(sp[i]["image"], mixed_tree / sp[i]["name"].decode()) for i in range(len(sp))]


@pytest.fixture(scope="module")
def resampled(examples):
    """(channels, fit, filter, size) -> list of float32 (H', W', C) reference values."""
    cache = {}

    def get(channels, fit, filter, size):
        key = (channels, fit, filter, size)
        if key not in cache:
            cache[key] = [resize_ref.resample(resize_ref.source(rgb, path, channels, fast=True),
                                              *size, fit, filter)
                          for rgb, path in examples]
        return cache[key]
    return get


def test_tree_has_odd_sizes_grey_and_both_colour_subsamplings(ds, examples):
    shapes = [rgb.shape[:2] for rgb, _ in examples]
    assert any(h % 2 for h, _ in shapes) and any(w % 2 for _, w in shapes)
    assert any(h > w for h, w in shapes) and any(h < w for h, w in shapes)
    modes = {Image.open(path).mode for _, path in examples}
    assert modes == {"L", "RGB"}
    assert (1, 1) in shapes


def test_luma_of_a_grey_jpeg_is_channel_0(examples):
    """The reference's assumption: TJPF_GRAY of a grey JPEG = its replicated value."""
    for rgb, path in examples:
        if resize_ref.is_grey_jpeg(path):
            grey = turbojpeg_ref.decode(path.read_bytes(), fast=True, grey=True)
            assert np.array_equal(grey[..., 0], rgb[..., 0]), path


def _combinations():
    values = [("uint8", "none")] + [("float32", n) for n in ("none", "unit", "imagenet", "xrv", "custom")]
    for channels, layout, (dtype, normalize), fit, filter in itertools.product(
            (1, 3), ("NHWC", "NCHW"), values, ("cover", "contain", "stretch"), ("area", "bilinear")):
        yield pytest.param(channels, layout, dtype, normalize, fit, filter,
                           id=f"{channels}ch-{layout}-{dtype}-{normalize}-{fit}-{filter}")


#: CHEXPERT_RESAMPLE_FAST's stated bound on |fast - exact| before normalisation, in levels
#: (docs/training.md; test_resample_fast.py checks it).
FAST_LEVELS = test_resample_fast.FAST_LEVELS


def _gain(normalize) -> float:
    """The largest 1 / (255 * std) of a normalisation: how much a level grows in its output."""
    if normalize == "none":
        return 1.0
    stds = [resize_ref.stats(normalize, 3)[1]] + ([resize_ref.stats(normalize, 1)[1]] if normalize == "imagenet" else [])
    return max(1 / (255 * float(np.min(std))) for std in stds)


def _compare(actual: np.ndarray, expected: np.ndarray, dtype: str, normalize, where: str,
             resample: str = "exact"):
    """The tolerances of .work/ISSUE3.md for "exact"; for "fast" the bound of
    docs/training.md (FAST_LEVELS on the 0..255 scale, plus float32 rounding
    of the normalisation); messages give the max difference and where."""
    assert actual.shape == expected.shape, where
    difference = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    worst = np.unravel_index(np.argmax(difference), difference.shape) if difference.size else ()
    detail = (f"{where}: max |diff| {difference.max(initial=0):.3g} at {worst}"
              f" (library {actual[worst] if difference.size else None},"
              f" reference {expected[worst] if difference.size else None})")
    if resample == "fast":
        # fast - Pillow = (fast - exact) + (exact - Pillow): the stated bound plus the tolerance below.
        if dtype == "uint8":
            assert difference.max(initial=0) <= 1, detail
        else:
            scale = max(1.0, float(np.abs(expected).max(initial=0)))
            assert difference.max(initial=0) <= FAST_LEVELS * _gain(normalize) + 1e-4 * scale, detail
        return
    if dtype == "uint8":
        assert difference.max(initial=0) <= 1, detail
        assert np.count_nonzero(difference) <= max(1, difference.size // 1000), detail
    else:
        scale = max(1.0, float(np.abs(expected).max(initial=0)))
        assert difference.max(initial=0) <= 1e-4 * scale, detail
        if normalize == "none":
            # Same float32 arithmetic as Pillow's "F" mode (bit for bit: the test checks the raw values).
            assert difference.max(initial=0) <= 1e-3, detail


@pytest.mark.parametrize("channels, layout, dtype, normalize, fit, filter", _combinations())
@pytest.mark.parametrize("resample", ["exact", "fast"])
def test_every_combination_equals_the_pillow_reference(
        ds, resampled, channels, layout, dtype, normalize, fit, filter, resample):
    sp = ds["train"]
    stats = CUSTOM[channels] if normalize == "custom" else normalize
    indices = list(range(len(sp)))
    for size in SIZES:
        resize = chexpert.Resize(size, channels=channels, layout=layout, dtype=dtype,
                                 fit=fit, filter=filter, normalize=stats, resample=resample)
        batch = sp.read_batch_resized(indices, resize, num_threads=2)
        images = batch["image"]
        assert images.shape == resize.shape(len(indices)) and images.dtype == resize.dtype
        assert images.flags.c_contiguous
        for k, values in enumerate(resampled(channels, fit, filter, size)):
            expected = resize_ref.finish(values, dtype, stats, layout)
            _compare(images[k], expected, dtype, stats, f"size {size} example {k}", resample)
            if resample == "exact" and dtype == "float32" and stats == "none":
                # Pillow's "F" resample, bit for bit.
                raw = values if layout == "NHWC" else np.moveaxis(values, -1, 0)
                assert np.array_equal(images[k], raw), f"size {size} example {k}: not Pillow's bits"


def test_labels_views_and_names_are_those_of_the_examples(ds):
    sp = ds["train"]
    indices = [4, 0, 2, 2]
    batch = sp.read_batch_resized(indices, chexpert.Resize(32), num_threads=2)
    assert batch["label"].dtype == np.int64 and batch["label"].shape == (4, sp.num_labels)
    assert batch["image_view"].dtype == np.int64 and batch["image_view"].shape == (4,)
    for k, index in enumerate(indices):
        example = sp[index]
        assert np.array_equal(batch["label"][k], example["label"])
        assert batch["image_view"][k] == example["image_view"]
        assert batch["name"][k] == example["name"]


@pytest.mark.parametrize("fit", ["stretch", "cover", "contain"])
@pytest.mark.parametrize("filter", ["area", "bilinear"])
def test_identity_is_bit_identical_to_the_example(ds, fit, filter):
    sp = ds["train"]
    for i in range(len(sp)):
        image = sp[i]["image"]
        resize = chexpert.Resize(image.shape[:2], fit=fit, filter=filter)
        batch = sp.read_batch_resized([i], resize, num_threads=1)
        assert np.array_equal(batch["image"][0], image), f"example {i} {image.shape}"


@pytest.mark.parametrize("channels", [1, 3])
def test_dct_option_of_the_call_and_of_the_dataset(mixed_tree, examples, channels):
    """Resize(dct="accurate") decodes ISLOW whatever the Dataset says; dct=None follows it."""
    resize_args = dict(size=(61, 47), channels=channels, dtype="float32", resample="exact")
    with chexpert.Dataset(mixed_tree, dct="fast") as fast, \
            chexpert.Dataset(mixed_tree, dct="accurate") as accurate:
        count = len(fast["train"])
        by_call = fast["train"].read_batch_resized(
            range(count), chexpert.Resize(dct="accurate", **resize_args))["image"]
        by_dataset = accurate["train"].read_batch_resized(
            range(count), chexpert.Resize(**resize_args))["image"]
        fast_call = accurate["train"].read_batch_resized(
            range(count), chexpert.Resize(dct="fast", **resize_args))["image"]
        for k in range(count):
            rgb = accurate["train"][k]["image"]
            source = resize_ref.source(rgb, examples[k][1], channels, fast=False)
            expected = resize_ref.resample(source, 61, 47, "cover", "area")
            _compare(by_call[k], expected, "float32", "none", f"accurate example {k}")
        assert np.array_equal(by_call, by_dataset)
        fast_default = fast["train"].read_batch_resized(
            range(count), chexpert.Resize(**resize_args))["image"]
        assert np.array_equal(fast_call, fast_default)
        assert not np.array_equal(by_call, fast_call), "the DCT option reached no decoder"


def test_custom_stats_equal_to_a_preset_give_the_same_output(ds):
    sp = ds["train"]
    preset = chexpert.Resize(40, dtype="float32", normalize="imagenet")
    custom = chexpert.Resize(40, dtype="float32",
                             normalize=((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)))
    grey_preset = chexpert.Resize(40, channels=1, dtype="float32", normalize="imagenet")
    grey_custom = chexpert.Resize(40, channels=1, dtype="float32", normalize=([0.449], [0.226]))
    indices = range(len(sp))
    assert np.array_equal(sp.read_batch_resized(indices, preset)["image"],
                          sp.read_batch_resized(indices, custom)["image"])
    assert np.array_equal(sp.read_batch_resized(indices, grey_preset)["image"],
                          sp.read_batch_resized(indices, grey_custom)["image"])


@pytest.mark.parametrize("threads", [0, 1, 2, 5])
def test_thread_count_does_not_change_the_output(ds, threads):
    sp = ds["train"]
    resize = chexpert.Resize((100, 90), dtype="float32", normalize="unit", filter="bilinear")
    indices = list(range(len(sp))) * 2
    reference = sp.read_batch_resized(indices, resize, num_threads=1)["image"]
    assert np.array_equal(sp.read_batch_resized(indices, resize, num_threads=threads)["image"],
                          reference)


# -- batch shapes --------------------------------------------------------------

def test_count_zero(ds):
    sp = ds["train"]
    resize = chexpert.Resize((20, 10), layout="NCHW", dtype="float32")
    batch = sp.read_batch_resized([], resize)
    assert batch["image"].shape == (0, 3, 20, 10) and batch["image"].dtype == np.float32
    assert batch["label"].shape == (0, sp.num_labels) and batch["image_view"].shape == (0,)
    assert batch["name"] == []
    out = np.empty((0, 3, 20, 10), np.float32)
    assert sp.read_batch_resized(np.array([], np.int64), resize, out=out)["image"] is out


def test_count_one(ds):
    sp = ds["validation"]
    resize = chexpert.Resize(64, channels=1)
    batch = sp.read_batch_resized([1], resize)
    assert batch["image"].shape == (1, 64, 64, 1)
    assert batch["name"] == [sp[1]["name"]]
    again = sp.read_batch_resized([0, 1], resize)["image"][1]
    assert np.array_equal(batch["image"][0], again)


def test_duplicates_and_negative_indices(ds):
    sp = ds["train"]
    resize = chexpert.Resize((33, 21), dtype="float32", normalize="xrv", fit="contain")
    indices = [3, 3, 0, -1, 3, len(sp) - 1]
    batch = sp.read_batch_resized(indices, resize, num_threads=2)
    for k, index in enumerate(indices):
        single = sp.read_batch_resized([index], resize, num_threads=1)
        assert np.array_equal(batch["image"][k], single["image"][0]), k
        assert batch["name"][k] == single["name"][0]
    assert np.array_equal(batch["image"][0], batch["image"][4])
    assert np.array_equal(batch["image"][3], batch["image"][5])


def test_views_map_indices(ds):
    sp = ds["train"]
    view = sp[1::2]
    resize = chexpert.Resize(24)
    batch = view.read_batch_resized([0, -1], resize)
    expected = sp.read_batch_resized([1, view.indices[-1]], resize)
    assert batch["name"] == expected["name"]
    assert np.array_equal(batch["image"], expected["image"])


# -- errors write nothing ------------------------------------------------------

@pytest.mark.parametrize("bad", ["past_end", "before_start", "in_view"])
def test_out_of_range_index_raises_and_leaves_out_untouched(ds, bad):
    sp = ds["train"]
    resize = chexpert.Resize((16, 12), dtype="float32", normalize="unit")
    target, indices = sp, [0, 1, len(sp)]
    if bad == "before_start":
        indices = [0, -len(sp) - 1, 1]
    elif bad == "in_view":
        target, indices = sp[2:5], [0, 3]
    out = np.full(resize.shape(len(indices)), -7.25, dtype=np.float32)
    with pytest.raises(chexpert.ChexpertIndexError) as info:
        target.read_batch_resized(indices, resize, out=out)
    assert info.value.code == _ffi.CHEXPERT_E_OUT_OF_RANGE
    assert info.value.name == "CHEXPERT_E_OUT_OF_RANGE" and info.value.message
    assert (out == np.float32(-7.25)).all()


def test_a_corrupt_jpeg_raises_the_library_error(tree_copy):
    with chexpert.Dataset(tree_copy) as dataset:
        sp = dataset["train"]
        path = tree_copy / sp[2]["name"].decode()
        path.write_bytes(path.read_bytes()[:600])
        with pytest.raises(chexpert.ChexpertError) as info:
            sp.read_batch_resized([0, 1, 2, 3], chexpert.Resize(32), num_threads=2)
    assert info.value.code in (_ffi.CHEXPERT_E_IMAGE, _ffi.CHEXPERT_E_IO)
    assert path.name in info.value.message


# -- out= ----------------------------------------------------------------------

def test_out_is_filled_in_place(ds):
    sp = ds["train"]
    resize = chexpert.Resize((30, 20), layout="NCHW", dtype="float32", normalize="imagenet")
    out = np.full(resize.shape(3), 9.0, np.float32)
    batch = sp.read_batch_resized([2, 0, 2], resize, out=out)
    assert batch["image"] is out
    assert np.array_equal(out, sp.read_batch_resized([2, 0, 2], resize)["image"])


def _aligned_float32(shape, offset_bytes: int) -> np.ndarray:
    count = int(np.prod(shape))
    raw = np.empty(count * 4 + 128, np.uint8)
    start = (-raw.ctypes.data) % 64 + offset_bytes
    return raw[start:start + count * 4].view(np.float32).reshape(shape)


def test_out_on_a_16_byte_boundary_is_accepted(ds):
    resize = chexpert.Resize((8, 8), dtype="float32")
    out = _aligned_float32(resize.shape(2), 16)
    assert out.ctypes.data % 64 == 16
    batch = ds["train"].read_batch_resized([0, 1], resize, out=out)
    assert batch["image"] is out
    assert np.array_equal(out, ds["train"].read_batch_resized([0, 1], resize)["image"])


@pytest.mark.parametrize("make, error, match", [
    (lambda: [[0.0]], TypeError, "ndarray"),
    (lambda: np.empty((2, 8, 8, 3), np.uint8), TypeError, "float32"),
    (lambda: np.empty((2, 8, 8, 3), np.float64), TypeError, "float32"),
    (lambda: np.empty((2, 3, 8, 8), np.float32), ValueError, "shape"),       # NCHW for NHWC
    (lambda: np.empty((3, 8, 8, 3), np.float32), ValueError, "shape"),       # more room
    (lambda: np.empty((2, 8, 8, 3), np.float32, order="F"), ValueError, "C-contiguous"),
    (lambda: np.empty((2, 8, 8, 6), np.float32)[..., ::2], ValueError, "C-contiguous"),
    (lambda: _aligned_float32((2, 8, 8, 3), 2), ValueError, "aligned"),
])
def test_out_is_validated(ds, make, error, match):
    with pytest.raises(error, match=match):
        ds["train"].read_batch_resized([0, 1], chexpert.Resize(8, dtype="float32"), out=make())


def test_read_only_out_is_refused(ds):
    out = np.empty((2, 8, 8, 3), np.uint8)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        ds["train"].read_batch_resized([0, 1], chexpert.Resize(8), out=out)


# -- Resize: parameters --------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    ({"size": 0}, "CHEXPERT_KEY_HEIGHT"),
    ({"size": (10, 65536)}, "CHEXPERT_KEY_WIDTH"),
    ({"size": -3}, "CHEXPERT_KEY_HEIGHT"),
    ({"channels": 2}, "CHEXPERT_KEY_CHANNELS"),
    ({"channels": 4}, "CHEXPERT_KEY_CHANNELS"),
    ({"dtype": "uint8", "normalize": "unit"}, "UINT8"),
    ({"dtype": "uint8", "normalize": ((0.5,) * 3, (0.5,) * 3)}, "UINT8"),
])
def test_bad_params_raise_the_library_error_at_construction(kwargs, message):
    with pytest.raises(chexpert.ChexpertError) as info:
        chexpert.Resize(**kwargs)
    assert info.value.code == _ffi.CHEXPERT_E_INVALID_ARGUMENT
    assert info.value.name == "CHEXPERT_E_INVALID_ARGUMENT"
    assert isinstance(info.value, chexpert.ChexpertArgumentError) and isinstance(info.value, ValueError)
    assert message in info.value.message


def test_stats_for_another_channel_count_raise_the_library_error_and_write_nothing(ds):
    """Two stats for three channels: checked against CHANNELS by the batch call."""
    resize = chexpert.Resize(8, dtype="float32", normalize=((0.5, 0.5), (0.2, 0.2)))
    out = np.full(resize.shape(2), 3.5, np.float32)
    with pytest.raises(chexpert.ChexpertError) as info:
        ds["train"].read_batch_resized([0, 1], resize, out=out)
    assert info.value.code == _ffi.CHEXPERT_E_INVALID_ARGUMENT
    assert "3 values" in info.value.message and "got 2" in info.value.message
    assert (out == np.float32(3.5)).all()


@pytest.mark.parametrize("normalize, message", [
    (((0.5, 0.5, 0.5), (0.2, 0.0, 0.2)), "CHEXPERT_KEY_STD[1] = 0.0"),       # a zero std
    (((0.5, 0.5, 0.5), (0.2, float("inf"), 0.2)), "CHEXPERT_KEY_STD[1] = inf"),
    (((float("nan"), 0.5, 0.5), (0.2, 0.2, 0.2)), "CHEXPERT_KEY_MEAN[0] = nan"),
])
def test_bad_custom_stats_raise_the_library_error_at_construction(normalize, message):
    """Each value is checked when chexpert_params_set_floats() stores it."""
    with pytest.raises(chexpert.ChexpertError) as info:
        chexpert.Resize(8, dtype="float32", normalize=normalize)
    assert info.value.code == _ffi.CHEXPERT_E_INVALID_ARGUMENT
    assert isinstance(info.value, ValueError)
    assert message in info.value.message


@pytest.mark.parametrize("kwargs", [
    {"layout": "NCWH"}, {"layout": "nhwc"}, {"dtype": "float64"}, {"fit": "crop"},
    {"filter": "lanczos"}, {"normalize": "imagenet2"}, {"normalize": (0.5, 0.5, 0.5)},
    {"normalize": ((0.5, 0.5), (0.5,))}, {"dct": "islow"}, {"size": (1, 2, 3)},
])
def test_unknown_names_are_value_errors(kwargs):
    with pytest.raises(ValueError):
        chexpert.Resize(**kwargs)


def test_non_integer_sizes_are_type_errors():
    with pytest.raises(TypeError):
        chexpert.Resize(22.5)
    with pytest.raises(TypeError):
        chexpert.Resize(channels=3.0)


def _raw_output_bytes(values, count=1, floats=()):
    params = _ffi.Params(values, floats)
    try:
        size = c_size_t()
        _ffi.chexpert_resize_output_bytes(params, count, byref(size))
        return size.value
    finally:
        params.close()


_SIZE = {_ffi.CHEXPERT_KEY_HEIGHT: 8, _ffi.CHEXPERT_KEY_WIDTH: 8}


@pytest.mark.parametrize("key, value, message", [
    (99, 1, "99"),                                                  # an unknown key
    (_ffi.CHEXPERT_KEY_LAYOUT, 2, "LAYOUT"),
    (_ffi.CHEXPERT_KEY_FIT, -1, "FIT"),
    (_ffi.CHEXPERT_KEY_DCT, 5, "DCT"),
    (_ffi.CHEXPERT_KEY_FIT, _ffi.CHEXPERT_FILTER_AREA, "FIT"),      # another enum's value
    (_ffi.CHEXPERT_KEY_FILTER, _ffi.CHEXPERT_FIT_CONTAIN, "FILTER"),
    (_ffi.CHEXPERT_KEY_MEAN, 1, "MEAN"),                             # a float key
])
def test_raw_params_are_checked_by_the_library_when_set(key, value, message):
    params = _ffi.Params()
    with pytest.raises(chexpert.ChexpertError) as info:
        _ffi.chexpert_params_set(params, key, value)
    assert info.value.code == _ffi.CHEXPERT_E_INVALID_ARGUMENT
    assert message in info.value.message
    params.close()


def test_raw_output_bytes_needs_both_sizes():
    with pytest.raises(chexpert.ChexpertError) as info:
        _raw_output_bytes({_ffi.CHEXPERT_KEY_HEIGHT: 8})
    assert info.value.code == _ffi.CHEXPERT_E_INVALID_ARGUMENT
    assert "WIDTH" in info.value.message
    assert _raw_output_bytes(_SIZE, 0) == 0


def test_output_bytes_accepts_a_custom_normalisation():
    values = {**_SIZE, _ffi.CHEXPERT_KEY_DTYPE: _ffi.CHEXPERT_DTYPE_FLOAT32,
              _ffi.CHEXPERT_KEY_NORMALIZE: _ffi.CHEXPERT_NORMALIZE_CUSTOM}
    assert _raw_output_bytes(values, 2) == 2 * 8 * 8 * 3 * 4
    floats = {_ffi.CHEXPERT_KEY_MEAN: [0.5] * 3, _ffi.CHEXPERT_KEY_STD: [0.25] * 3}
    assert _raw_output_bytes(values, 2, floats) == 2 * 8 * 8 * 3 * 4


def test_a_key_set_twice_takes_its_last_value():
    params = _ffi.Params(_SIZE)
    _ffi.chexpert_params_set(params, _ffi.CHEXPERT_KEY_HEIGHT, 5)
    _ffi.chexpert_params_set(params, _ffi.CHEXPERT_KEY_DTYPE, _ffi.CHEXPERT_DTYPE_FLOAT32)
    size = c_size_t()
    _ffi.chexpert_resize_output_bytes(params, 3, byref(size))
    assert size.value == 3 * 5 * 8 * 3 * 4
    assert params.get(_ffi.CHEXPERT_KEY_HEIGHT) == 5
    assert params.get(_ffi.CHEXPERT_KEY_FIT) == _ffi.CHEXPERT_FIT_COVER      # the default


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("layout", ["NHWC", "NCHW"])
@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_shape_dtype_and_nbytes(channels, layout, dtype):
    resize = chexpert.Resize((7, 11), channels=channels, layout=layout, dtype=dtype)
    shape = resize.shape(5)
    assert shape == ((5, 7, 11, channels) if layout == "NHWC" else (5, channels, 7, 11))
    assert resize.dtype == np.dtype(dtype)
    assert resize.nbytes(5) == int(np.prod(shape)) * resize.dtype.itemsize
    assert resize.nbytes(0) == 0


def test_params_are_built_once_and_kept():
    resize = chexpert.Resize(224, dtype="float32", normalize="imagenet")
    params = resize._params
    assert isinstance(params, _ffi.Params)
    assert resize.nbytes(2) == 2 * 224 * 224 * 3 * 4
    assert resize._params is params
    # A batch call's params (resize keys + threads + policy): one per
    # (num_threads, on_error), made once and reused.
    call = resize.params(4, "substitute")
    assert resize.params(4, "substitute") is call and resize.params(4, None) is not call
    assert call.get(_ffi.CHEXPERT_KEY_THREADS) == 4
    assert call.get(_ffi.CHEXPERT_KEY_ON_ERROR) == _ffi.CHEXPERT_ON_ERROR_SUBSTITUTE
    assert call.get(_ffi.CHEXPERT_KEY_NORMALIZE) == _ffi.CHEXPERT_NORMALIZE_IMAGENET


def test_resize_value_semantics():
    import pickle
    a = chexpert.Resize((224, 200), channels=1, layout="NCHW", dtype="float32",
                        fit="contain", filter="bilinear", normalize=([0.5], [0.25]), dct="fast")
    b = pickle.loads(pickle.dumps(a))
    assert a == b and hash(a) == hash(b)
    assert b.nbytes(3) == a.nbytes(3) and b.shape(3) == (3, 1, 224, 200)
    assert a != chexpert.Resize((224, 200))
    assert a.size == (224, 200) and a.channels == 1 and a.layout == "NCHW"
    assert a.fit == "contain" and a.filter == "bilinear" and a.dct == "fast"
    assert a.normalize == ((0.5,), (0.25,))
    assert "contain" in repr(a) and repr(a).startswith("chexpert.Resize(")


def test_read_batch_resized_needs_a_resize(ds):
    with pytest.raises(TypeError, match="Resize"):
        ds["train"].read_batch_resized([0], {"size": 8})
