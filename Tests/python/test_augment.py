"""Native augmentation (CHEXPERT_KEY_AUGMENT, docs/augmentation.md).

Determinism (threads 1 vs 2, DataLoader workers 0 vs 2, resume: the same
(seed, epoch, index) gives the same pixels), epochs and seeds differ, NONE is
the existing path bit for bit, parameter domains at the C API and in Python,
and agreement with torchvision.transforms.v2.functional applied to the
decoded image with the drawn parameters (mean absolute difference within
MAD_BOUND levels of 255, the bound docs/augmentation.md states), and the
float32 warp (resample="fast", the default) within FAST_BOUND of the Double
one (resample="exact").
"""

from __future__ import annotations

import ctypes
import math

import numpy as np
import pytest
import torch

import chexpert
from chexpert import _ffi

from torchvision_cpu import import_torchvision

import_torchvision()
from torchvision.transforms import InterpolationMode  # noqa: E402
from torchvision.transforms.v2 import functional as F  # noqa: E402

#: Largest mean absolute difference (levels of 0 ..= 255) from torchvision.
MAD_BOUND = 2.0
#: Largest |fast - exact| (levels of 0 ..= 255) of the augmented warp.
FAST_BOUND = 0.05
SIZE = (96, 80)
INDICES = list(range(10))


@pytest.fixture(scope="module")
def split(tree_dataset):
    return tree_dataset["train"]


# -- determinism ---------------------------------------------------------------

def test_threads_resume_and_epochs(split):
    resize = chexpert.Resize(64, augment=chexpert.Augment("jfhealthcare", seed=7, hflip=0.5,
                                                          brightness=0.2))
    one = split.read_batch_resized(INDICES, resize, num_threads=1, epoch=3)["image"]
    two = split.read_batch_resized(INDICES, resize, num_threads=2, epoch=3)["image"]
    np.testing.assert_array_equal(one, two)
    # Resume / other batchings: each index alone, in another order.
    for i in (7, 2, 9):
        alone = split.read_batch_resized([i], resize, num_threads=1, epoch=3)["image"][0]
        np.testing.assert_array_equal(alone, one[i])
    # Another epoch, another seed: other pixels for every example.
    other_epoch = split.read_batch_resized(INDICES, resize, epoch=4)["image"]
    other_seed = split.read_batch_resized(
        INDICES, chexpert.Resize(64, augment=chexpert.Augment("jfhealthcare", seed=8, hflip=0.5,
                                                              brightness=0.2)), epoch=3)["image"]
    for k in INDICES:
        assert (other_epoch[k] != one[k]).any() and (other_seed[k] != one[k]).any()


def test_views_use_split_indices(split):
    resize = chexpert.Resize(48, augment="libauc")
    whole = split.read_batch_resized(INDICES, resize, epoch=1)["image"]
    view = split[4:8]
    part = view.read_batch_resized(range(4), resize, epoch=1)["image"]
    np.testing.assert_array_equal(part, whole[4:8])


def test_loader_and_dataloader_workers(split):
    import chexpert.torch as ct
    resize = chexpert.Resize(48, dtype="float32", normalize="imagenet", layout="NCHW",
                             augment=chexpert.Augment("jfhealthcare", seed=1))
    expected = {e: split.read_batch_resized(range(len(split)), resize, epoch=e)["image"] for e in (0, 1)}
    loader = chexpert.Loader(split, 6, resize, shuffle=True, seed=2, prefetch=0)
    for epoch in (0, 1):
        for batch in loader:
            np.testing.assert_array_equal(batch["image"], expected[epoch][batch["index"]])
    dataset = ct.ChexpertDataset(split, resize)
    dataset.set_epoch(1)
    got = {}
    for workers in (0, 2):
        data = torch.utils.data.DataLoader(dataset, batch_size=5, num_workers=workers)
        got[workers] = torch.cat([b["image"] for b in data]).numpy()
    np.testing.assert_array_equal(got[0], got[2])
    np.testing.assert_array_equal(got[0], expected[1])


# -- NONE is the existing path -------------------------------------------------

def test_none_is_bit_exact(split):
    for kwargs in (dict(), dict(dtype="float32", normalize="imagenet", fit="contain", filter="bilinear")):
        plain = split.read_batch_resized(INDICES, chexpert.Resize(70, **kwargs))["image"]
        for augment in ("none", chexpert.Augment("none", rotate=30)):
            same = split.read_batch_resized(INDICES, chexpert.Resize(70, augment=augment, **kwargs),
                                            epoch=5)["image"]
            assert same.tobytes() == plain.tobytes()
    # At the C API: AUG_* keys are ignored under CHEXPERT_AUGMENT_NONE.
    values = {_ffi.CHEXPERT_KEY_HEIGHT: 40, _ffi.CHEXPERT_KEY_WIDTH: 40, _ffi.CHEXPERT_KEY_SEED: 3,
              _ffi.CHEXPERT_KEY_EPOCH: 9}
    outs = []
    for extra, floats in (({}, {}), ({_ffi.CHEXPERT_KEY_AUGMENT: _ffi.CHEXPERT_AUGMENT_NONE},
                                     {_ffi.CHEXPERT_KEY_AUG_ROTATE: [20.0], _ffi.CHEXPERT_KEY_AUG_HFLIP: [1.0]})):
        params = _ffi.Params({**values, **extra}, floats)
        out = np.empty((len(INDICES), 40, 40, 3), np.uint8)
        index = np.array(INDICES, np.int64)
        _ffi.chexpert_batch_resized(split._dataset.handle(), split._id,
                                    index.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)), index.size,
                                    params, out.ctypes.data, out.nbytes, None)
        outs.append(out)
        params.close()
    assert outs[0].tobytes() == outs[1].tobytes()


def test_identity_custom_matches_plain(split):
    """CUSTOM with no key set is the identity; the warp then agrees with the
    separable resample (AREA, COVER, uint8) to the level."""
    plain = split.read_batch_resized(INDICES, chexpert.Resize(64))["image"]
    warped = split.read_batch_resized(INDICES, chexpert.Resize(64, augment=chexpert.Augment()))["image"]
    assert np.abs(plain.astype(int) - warped).max() <= 1


# -- parameters -----------------------------------------------------------------

def test_draw_identity_and_ranges():
    none = chexpert.Augment("none").draw(3, 320, 390)
    assert list(none.values()) == [0, 0, 390, 320, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1]
    augment = chexpert.Augment("custom", seed=11, crop_scale=(0.3, 0.9), crop_ratio=(0.5, 2.0),
                               rotate=(-10, 20), translate=(0.1, 0.2), scale=(0.9, 1.2),
                               shear=(-5, 5, -3, 3), brightness=(0.8, 1.1), contrast=0.3,
                               gamma=(0.7, 1.4), hflip=0.5)
    flips = 0
    for index in range(200):
        d = augment.draw(index, 320, 390, epoch=2)
        assert d == augment.draw(index, 320, 390, epoch=2)
        assert 0 <= d["crop_top"] and d["crop_top"] + d["crop_height"] <= 390
        assert 0 <= d["crop_left"] and d["crop_left"] + d["crop_width"] <= 320
        assert -10 <= d["angle"] <= 20 and 0.9 <= d["scale"] <= 1.2
        assert d["translate_x"] == round(d["translate_x"]) and abs(d["translate_x"]) <= 0.1 * d["crop_width"] + 0.5
        assert abs(d["translate_y"]) <= 0.2 * d["crop_height"] + 0.5
        assert -5 <= d["shear_x"] <= 5 and -3 <= d["shear_y"] <= 3
        assert 0.8 <= d["brightness"] <= 1.1 and 0.7 <= d["contrast"] <= 1.3 and 0.7 <= d["gamma"] <= 1.4
        flips += d["flip"]
    assert 60 < flips < 140
    assert augment.draw(0, 320, 390, epoch=2) != augment.draw(0, 320, 390, epoch=3)
    # jfhealthcare: RandomAffine(15, (0.05, 0.05), (0.95, 1.05)), nothing else.
    d = chexpert.Augment("jfhealthcare").draw(5, 320, 390)
    assert (d["crop_height"], d["crop_width"], d["shear_x"], d["flip"], d["gamma"]) == (390, 320, 0, 0, 1)
    assert abs(d["angle"]) <= 15 and 0.95 <= d["scale"] <= 1.05 and abs(d["translate_x"]) <= 16


def test_crop_fallback_is_centre_crop():
    # No attempt can fit an area fraction of 1 at ratio 4 on a square image.
    d = chexpert.Augment(crop_scale=(1.0, 1.0), crop_ratio=(4.0, 4.0)).draw(0, 100, 100)
    assert (d["crop_top"], d["crop_left"], d["crop_height"], d["crop_width"]) == (37, 0, 25, 100)


BAD = [
    (_ffi.CHEXPERT_KEY_AUG_CROP_SCALE, [0.5]), (_ffi.CHEXPERT_KEY_AUG_CROP_SCALE, [0.0, 0.5]),
    (_ffi.CHEXPERT_KEY_AUG_CROP_SCALE, [0.6, 0.5]), (_ffi.CHEXPERT_KEY_AUG_CROP_SCALE, [0.5, 1.5]),
    (_ffi.CHEXPERT_KEY_AUG_CROP_RATIO, [0.0, 1.0]), (_ffi.CHEXPERT_KEY_AUG_ROTATE, [-5.0]),
    (_ffi.CHEXPERT_KEY_AUG_ROTATE, [1.0, 2.0, 3.0]), (_ffi.CHEXPERT_KEY_AUG_ROTATE, [400.0, 500.0]),
    (_ffi.CHEXPERT_KEY_AUG_TRANSLATE, [0.1]), (_ffi.CHEXPERT_KEY_AUG_TRANSLATE, [0.1, 1.5]),
    (_ffi.CHEXPERT_KEY_AUG_SCALE, [0.0, 1.0]), (_ffi.CHEXPERT_KEY_AUG_SCALE, [1.0, 11.0]),
    (_ffi.CHEXPERT_KEY_AUG_SHEAR, [1.0, 2.0, 3.0]), (_ffi.CHEXPERT_KEY_AUG_SHEAR, [0.0, 70.0]),
    (_ffi.CHEXPERT_KEY_AUG_FILL, [256.0]), (_ffi.CHEXPERT_KEY_AUG_FILL, [1.0, 2.0]),
    (_ffi.CHEXPERT_KEY_AUG_BRIGHTNESS, [-0.1]), (_ffi.CHEXPERT_KEY_AUG_CONTRAST, [2.0, 1.0]),
    (_ffi.CHEXPERT_KEY_AUG_GAMMA, [0.0, 1.0]), (_ffi.CHEXPERT_KEY_AUG_GAMMA, [1.0]),
    (_ffi.CHEXPERT_KEY_AUG_HFLIP, [1.5]), (_ffi.CHEXPERT_KEY_AUG_HFLIP, [math.nan]),
    (_ffi.CHEXPERT_KEY_AUG_ROTATE, [math.inf]),
]


@pytest.mark.parametrize("key, values", BAD)
def test_c_domains_refused(key, values):
    params = _ffi.Params()
    array = (ctypes.c_float * len(values))(*values)
    with pytest.raises(chexpert.ChexpertArgumentError):
        _ffi.chexpert_params_set_floats(params, key, array, len(values))
    params.close()


def test_c_keys_and_draw_arguments():
    params = _ffi.Params()
    with pytest.raises(chexpert.ChexpertArgumentError):          # a float key as an int
        _ffi.chexpert_params_set(params, _ffi.CHEXPERT_KEY_AUG_ROTATE, 1)
    with pytest.raises(chexpert.ChexpertArgumentError):          # another enum's value
        _ffi.chexpert_params_set(params, _ffi.CHEXPERT_KEY_AUGMENT, _ffi.CHEXPERT_FIT_COVER)
    assert params.get(_ffi.CHEXPERT_KEY_AUGMENT) == _ffi.CHEXPERT_AUGMENT_NONE
    _ffi.chexpert_params_set(params, _ffi.CHEXPERT_KEY_AUGMENT, _ffi.CHEXPERT_AUGMENT_LIBAUC)
    good = (ctypes.c_float * 1)(10.0)
    _ffi.chexpert_params_set_floats(params, _ffi.CHEXPERT_KEY_AUG_ROTATE, good, 1)
    out = (ctypes.c_double * 14)(*([-7.0] * 14))
    for index, width, height in ((-1, 10, 10), (0, 0, 10), (0, 10, 65536)):
        with pytest.raises(chexpert.ChexpertArgumentError):
            _ffi.chexpert_augment_draw(params, index, width, height, out, 14)
    with pytest.raises(chexpert.ChexpertBufferTooSmallError):
        _ffi.chexpert_augment_draw(params, 0, 10, 10, out, 13)
    assert list(out) == [-7.0] * 14                               # nothing written
    _ffi.chexpert_augment_draw(params, 0, 10, 10, out, 14)
    assert abs(out[4]) <= 10
    params.close()


def test_python_arguments():
    with pytest.raises(ValueError):
        chexpert.Augment("bogus")
    with pytest.raises(TypeError):
        chexpert.Augment(rotate=True)
    with pytest.raises(TypeError):
        chexpert.Resize(32, augment=3)
    with pytest.raises(chexpert.ChexpertArgumentError, match="CHEXPERT_KEY_AUG_SCALE"):
        chexpert.Augment(scale=(2, 1))
    a = chexpert.Augment("libauc", seed=3, hflip=0.25)
    import pickle
    assert pickle.loads(pickle.dumps(a)) == a
    r = chexpert.Resize(32, augment=a)
    assert pickle.loads(pickle.dumps(r)) == r and r.augment == a
    assert chexpert.Resize(32, augment="none").augment is None


# -- torchvision agreement -------------------------------------------------------

CONFIGS = [
    dict(preset="jfhealthcare"),
    dict(rotate=(-30, 30), translate=(0.1, 0.1), scale=(0.8, 1.2), shear=(-10, 10, -5, 5), fill=60),
    dict(crop_scale=(0.3, 1.0), hflip=0.5, brightness=0.3, contrast=0.3, gamma=(0.7, 1.4)),
    dict(crop_scale=(0.5, 0.9), rotate=15, fill=200, contrast=(0.5, 1.5)),
]


def reference(image: np.ndarray, d: dict, fill: float, size) -> np.ndarray:
    """torchvision's functional transforms on the decoded grey image, 0 ..= 255."""
    img = torch.from_numpy(image[..., 0].astype(np.float32) / 255)[None]
    img = F.crop(img, int(d["crop_top"]), int(d["crop_left"]), int(d["crop_height"]), int(d["crop_width"]))
    img = F.affine(img, angle=d["angle"], translate=[d["translate_x"], d["translate_y"]], scale=d["scale"],
                   shear=[d["shear_x"], d["shear_y"]], interpolation=InterpolationMode.BILINEAR,
                   fill=[fill / 255])
    img = F.resize(img, list(size), interpolation=InterpolationMode.BILINEAR, antialias=True)
    if d["flip"]:
        img = F.horizontal_flip(img)
    img = F.adjust_brightness(img, d["brightness"])
    img = F.adjust_contrast(img, d["contrast"])
    img = F.adjust_gamma(img, d["gamma"])
    return img[0].numpy() * 255


@pytest.mark.parametrize("config", CONFIGS)
def test_agrees_with_torchvision(split, config):
    # Grey sources only: the library's channels=1 is a colour JPEG's luma.
    grey_indices = [i for i in range(len(split))
                    if (lambda im: (im[..., 0] == im[..., 1]).all() and (im[..., 0] == im[..., 2]).all())(
                        split[i]["image"])][:8]
    assert len(grey_indices) == 8
    config = dict(config)
    augment = chexpert.Augment(config.pop("preset", "custom"), seed=5, **config)
    resize = chexpert.Resize(SIZE, channels=1, dtype="float32", fit="stretch", filter="bilinear",
                             augment=augment)
    ours = split.read_batch_resized(grey_indices, resize, epoch=2)["image"][..., 0]
    fill = config.get("fill", 128 if augment.preset != "custom" else 0)
    mads = []
    for k, index in enumerate(grey_indices):
        image = split[index]["image"]
        d = augment.draw(index, image.shape[1], image.shape[0], epoch=2)
        mads.append(float(np.abs(ours[k] - reference(image, d, fill, SIZE)).mean()))
    assert max(mads) <= MAD_BOUND, mads


# -- float32 warp against the Double one ------------------------------------------

@pytest.mark.parametrize("config", CONFIGS + [
    dict(rotate=180, scale=(0.1, 10), shear=(-60, 60, -60, 60), fill=33.5),
    dict(crop_scale=(0.01, 0.05), rotate=45),
])
@pytest.mark.parametrize("filter", ["area", "bilinear"])
def test_fast_warp_within_bound_of_exact(split, config, filter):
    # Grey and colour sources; cover, stretch and contain; down- and upscaling.
    config = dict(config)
    augment = chexpert.Augment(config.pop("preset", "custom"), seed=3, **config)
    for size, fit, channels in [((96, 80), "cover", 1), ((224, 224), "stretch", 3), ((7, 300), "contain", 3)]:
        kwargs = dict(channels=channels, dtype="float32", fit=fit, filter=filter, augment=augment)
        fast = split.read_batch_resized(INDICES, chexpert.Resize(size, **kwargs), epoch=1)["image"]
        exact = split.read_batch_resized(INDICES, chexpert.Resize(size, resample="exact", **kwargs),
                                         epoch=1)["image"]
        assert np.abs(fast.astype(np.float64) - exact).max() <= FAST_BOUND, (size, fit, channels)


def test_cache_source(tree, tmp_path):
    """From a packed cache: deterministic across threads, new draws per
    epoch, and close to the JPEG path (the draws use the plane's size, and
    the plane was resized once already: not bit-identical)."""
    path = tmp_path / "planes.chexpert"
    chexpert.Dataset(tree).build_cache(path, 256, num_threads=2)
    resize = chexpert.Resize(64, augment=chexpert.Augment("jfhealthcare", seed=1))
    with chexpert.Dataset(tree) as jpeg, chexpert.Dataset(tree, cache=path) as cached:
        x = jpeg["train"].read_batch_resized(INDICES, resize, epoch=1)["image"]
        one = cached["train"].read_batch_resized(INDICES, resize, epoch=1, num_threads=1)["image"]
        two = cached["train"].read_batch_resized(INDICES, resize, epoch=1, num_threads=2)["image"]
        other = cached["train"].read_batch_resized(INDICES, resize, epoch=2)["image"]
    np.testing.assert_array_equal(one, two)
    assert all((other[k] != one[k]).any() for k in range(len(INDICES)))
    assert np.abs(x.astype(int) - one).mean() < 6
