"""CHEXPERT_RESAMPLE_FAST against CHEXPERT_RESAMPLE_EXACT: the stated bound.

Random JPEGs (random sizes 1 .. 700 px a side, grey and colour, noise,
gradients and hard edges) resized to random output sizes (reductions up to
about 40x, enlargements up to about 20x) with every fit, filter, channel
count, layout and element type: uint8 outputs differ by at most 1 level;
float32 outputs without normalisation by at most FAST_LEVELS; normalised
ones by at most FAST_LEVELS / (255 * std) plus float32 rounding. The worst
cases are stated in docs/training.md (measured with this file's `worst_case`
over 12,000 resizes: `python Tests/python/test_resample_fast.py CHEXPERT_SAMPLE 12000`).
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import chexpert

#: The bound on |fast - exact| before normalisation, in levels of 0..255
#: (docs/training.md, include/chexpert.h CHEXPERT_RESAMPLE_FAST).
FAST_LEVELS = 2e-3

COMBINATIONS = list(itertools.product(
    (1, 3), ("NHWC", "NCHW"), (("uint8", "none"), ("float32", "none"), ("float32", "imagenet"),
                               ("float32", "xrv")),
    ("cover", "contain", "stretch"), ("area", "bilinear")))


def write_random_tree(make_tree, count: int, seed: int):
    """A generated tree whose train images are replaced by random JPEGs."""
    root = make_tree("--train-patients", str(max(2, count // 2)), "--valid-patients", "1",
                     "--seed", str(seed))
    rng = np.random.default_rng(seed)
    with chexpert.Dataset(root) as ds:
        names = [ds["train"][i]["name"].decode() for i in range(len(ds["train"]))]
    for name in names:
        height, width = (int(v) for v in rng.integers(1, 701, 2))
        colour = rng.random() < 0.3
        shape = (height, width, 3) if colour else (height, width)
        kind = rng.integers(0, 3)
        if kind == 0:     # noise: every level, no structure
            pixels = rng.integers(0, 256, shape)
        elif kind == 1:   # a gradient with noise
            y, x = np.mgrid[0:height, 0:width]
            base = 255 * (x / max(width, 1) + y / max(height, 1)) / 2
            pixels = base.reshape(height, width, *([1] if colour else [])) + rng.normal(0, 20, shape)
        else:             # hard edges: blocks of 0 and 255
            cell = int(rng.integers(1, 40))
            pixels = 255 * ((np.indices((height, width)) // cell).sum(axis=0) % 2)
            pixels = np.repeat(pixels[..., None], 3, axis=2) if colour else pixels
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB" if colour else "L")
        image.save(root / name, "JPEG", quality=int(rng.integers(70, 100)))
    return root


def random_sizes(rng, count: int):
    return [(int(h), int(w)) for h, w in rng.integers(1, 400, (count, 2))]


def worst_case(root, resizes: int, seed: int = 0) -> dict:
    """{(dtype, normalize): max |fast - exact| in levels (normalised outputs: in levels
    of the input, i.e. divided by 1 / (255 * std))} over `resizes` random resizes."""
    rng = np.random.default_rng(seed)
    worst = {}
    with chexpert.Dataset(root) as ds:
        sp = ds["train"]
        n = len(sp)
        done = 0
        while done < resizes:
            for channels, layout, (dtype, normalize), fit, filter in COMBINATIONS:
                size = random_sizes(rng, 1)[0]
                indices = list(range(n))
                kwargs = dict(channels=channels, layout=layout, dtype=dtype, normalize=normalize,
                              fit=fit, filter=filter)
                fast = sp.read_batch_resized(indices, chexpert.Resize(size, resample="fast", **kwargs))
                exact = sp.read_batch_resized(indices, chexpert.Resize(size, resample="exact", **kwargs))
                difference = np.abs(fast["image"].astype(np.float64) - exact["image"].astype(np.float64))
                gain = 1.0 if normalize == "none" else _gain(normalize, channels)
                key = (dtype, normalize)
                worst[key] = max(worst.get(key, 0.0), float(difference.max(initial=0)) / gain)
                done += n
    return worst


def _gain(normalize: str, channels: int) -> float:
    std = {"imagenet": (0.229, 0.224, 0.225) if channels == 3 else (0.226,),
           "xrv": (1 / 2048,) * 3}[normalize]
    return 1 / (255 * min(std))


@pytest.fixture(scope="module")
def random_tree(make_tree):
    return write_random_tree(make_tree, 16, seed=11)


@pytest.mark.parametrize("channels, layout, dtype_normalize, fit, filter", COMBINATIONS)
def test_fast_is_within_the_stated_bound_of_exact(random_tree, channels, layout, dtype_normalize, fit, filter):
    dtype, normalize = dtype_normalize
    rng = np.random.default_rng(zlib.crc32(f"{channels}{layout}{dtype}{normalize}{fit}{filter}".encode()))
    kwargs = dict(channels=channels, layout=layout, dtype=dtype, normalize=normalize, fit=fit,
                  filter=filter)
    with chexpert.Dataset(random_tree) as ds:
        sp = ds["train"]
        indices = list(range(len(sp)))
        for size in random_sizes(rng, 2) + [(224, 224)]:
            fast = sp.read_batch_resized(indices, chexpert.Resize(size, resample="fast", **kwargs),
                                         num_threads=2)["image"]
            exact = sp.read_batch_resized(indices, chexpert.Resize(size, resample="exact", **kwargs),
                                          num_threads=2)["image"]
            difference = np.abs(fast.astype(np.float64) - exact.astype(np.float64))
            where = f"size {size}: max |fast - exact| {difference.max(initial=0)!r}"
            if dtype == "uint8":
                assert difference.max(initial=0) <= 1, where
            elif normalize == "none":
                assert difference.max(initial=0) <= FAST_LEVELS, where
            else:
                # v * a + b in float32 on both sides: the level bound times a, plus
                # a rounding of each result (<= 2**-23 of its magnitude each).
                bound = FAST_LEVELS * _gain(normalize, channels) + 2 * np.abs(exact) * 2.0**-23
                assert (difference <= bound).all(), where
            assert np.array_equal(fast, sp.read_batch_resized(
                indices, chexpert.Resize(size, **kwargs), num_threads=1)["image"]), "fast is the default"


def test_fast_and_exact_agree_where_no_rounding_happens(random_tree):
    """Identity sizes: both copy the decoded pixels."""
    with chexpert.Dataset(random_tree) as ds:
        sp = ds["train"]
        for i in range(len(sp)):
            image = sp[i]["image"]
            for resample in ("fast", "exact"):
                resize = chexpert.Resize(image.shape[:2], resample=resample)
                assert np.array_equal(sp.read_batch_resized([i], resize)["image"][0], image)


def test_resample_option_names_and_params():
    from chexpert import _ffi
    assert chexpert.Resize(8).resample == "fast"
    exact = chexpert.Resize(8, resample="exact")
    assert exact.resample == "exact" and exact != chexpert.Resize(8)
    assert exact.params().get(_ffi.CHEXPERT_KEY_RESAMPLE) == _ffi.CHEXPERT_RESAMPLE_EXACT
    assert chexpert.Resize(8).params().get(_ffi.CHEXPERT_KEY_RESAMPLE) == _ffi.CHEXPERT_RESAMPLE_FAST
    with pytest.raises(ValueError):
        chexpert.Resize(8, resample="pillow")


if __name__ == "__main__":
    # python Tests/python/test_resample_fast.py CHEXPERT_SAMPLE RESIZES [IMAGES]: the worst case over
    # RESIZES random resizes of IMAGES (default 60) random JPEGs.
    def make(*args):
        out = Path(tempfile.mkdtemp(prefix="resample-bound-"))
        subprocess.run([sys.argv[1], "--out", str(out), *args], check=True, stdout=subprocess.DEVNULL)
        return out
    tree = write_random_tree(make, int(sys.argv[3]) if len(sys.argv) > 3 else 60, seed=1)
    print(worst_case(tree, int(sys.argv[2])))
