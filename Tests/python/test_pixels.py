"""Pixels against independent decoders.

dct="fast": libturbojpeg called directly (TJPF_RGB | TJFLAG_FASTDCT), the
recipe bit-identical to TensorFlow/TFDS. dct="accurate": Pillow's
Image.open(...).convert("RGB") (libjpeg ISLOW) and TurboJPEG's ACCURATEDCT.
"""

from __future__ import annotations

import numpy as np

import chexpert
import turbojpeg_ref


def _examples(root):
    with chexpert.Dataset(root) as ds:
        for split in ds.split_names:
            sp = ds[split]
            for i in range(len(sp)):
                yield split, i, root / sp[i]["name"].decode()


def _max_difference(a: np.ndarray, b: np.ndarray) -> int:
    if a.shape != b.shape:
        return 256
    return int(np.abs(a.astype(np.int16) - b.astype(np.int16)).max(initial=0))


def test_sample_has_grey_colour_and_progressive_images(tree):
    """So the comparisons below cover every encoding the generator makes."""
    from PIL import Image
    modes, progressive = set(), 0
    for _, _, path in _examples(tree):
        with Image.open(path) as image:
            modes.add(image.mode)
            progressive += bool(image.info.get("progressive") or image.info.get("progression"))
    assert {"L", "RGB"} <= modes
    assert progressive > 0


def _pillow_rgb(path) -> np.ndarray:
    from PIL import Image
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def _differences(tree, dct: str, reference) -> list[str]:
    """One line per image whose pixels differ from `reference(path)`, with the max difference."""
    differences = []
    with chexpert.Dataset(tree, dct=dct) as ds:
        for split, i, path in _examples(tree):
            expected = reference(path)
            actual = ds[split][i]["image"]
            if not np.array_equal(actual, expected):
                differences.append(f"{path}: max difference {_max_difference(actual, expected)}")
    return differences


def test_fast_dct_equals_turbojpeg_fastdct(tree):
    differences = _differences(
        tree, "fast", lambda path: turbojpeg_ref.decode(path.read_bytes(), fast=True))
    assert not differences, "\n".join(differences)


def test_accurate_dct_equals_turbojpeg_accuratedct(tree):
    differences = _differences(
        tree, "accurate", lambda path: turbojpeg_ref.decode(path.read_bytes(), fast=False))
    assert not differences, "\n".join(differences)


def test_accurate_dct_equals_pillow_convert_rgb(tree):
    """The header's claim: ACCURATE is what Pillow gives. Reports the max difference."""
    differences = _differences(tree, "accurate", _pillow_rgb)
    assert not differences, "\n".join(differences)


def test_fast_and_accurate_differ(tree):
    """The option reaches the decoder (quality 85-95 images: IFAST != ISLOW somewhere)."""
    with chexpert.Dataset(tree, dct="fast") as fast, chexpert.Dataset(tree, dct="accurate") as accurate:
        n = len(fast["train"])
        assert any(not np.array_equal(fast["train"][i]["image"], accurate["train"][i]["image"])
                   for i in range(n))
