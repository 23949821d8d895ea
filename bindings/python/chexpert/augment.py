"""Native augmentation: what ``chexpert_batch_resized`` does to each example
before it is normalised (docs/augmentation.md).

An :class:`Augment` names a preset and overrides; a :class:`chexpert.Resize`
built with ``augment=`` carries it into every batch call, with
CHEXPERT_KEY_SEED from the Augment and CHEXPERT_KEY_EPOCH from the caller
(the Loader's and the adapters' epoch). Parameters are a pure function of
(seed, epoch, the example's index in its split): any worker count, rank
count or resume gives the same pixels. Value domains are the library's,
checked when the params are built (ChexpertArgumentError, a ValueError,
naming the key).
"""

from __future__ import annotations

from ctypes import c_double

import numpy as np

from . import _checks, _ffi

__all__ = ["Augment", "PRESETS"]

#: Preset names -> chexpert_augment.
PRESETS = {"none": _ffi.CHEXPERT_AUGMENT_NONE, "custom": _ffi.CHEXPERT_AUGMENT_CUSTOM,
           "jfhealthcare": _ffi.CHEXPERT_AUGMENT_JFHEALTHCARE, "libauc": _ffi.CHEXPERT_AUGMENT_LIBAUC}

#: Keyword -> float key.
_KEYS = {"crop_scale": _ffi.CHEXPERT_KEY_AUG_CROP_SCALE, "crop_ratio": _ffi.CHEXPERT_KEY_AUG_CROP_RATIO,
         "rotate": _ffi.CHEXPERT_KEY_AUG_ROTATE, "translate": _ffi.CHEXPERT_KEY_AUG_TRANSLATE,
         "scale": _ffi.CHEXPERT_KEY_AUG_SCALE, "shear": _ffi.CHEXPERT_KEY_AUG_SHEAR,
         "fill": _ffi.CHEXPERT_KEY_AUG_FILL, "brightness": _ffi.CHEXPERT_KEY_AUG_BRIGHTNESS,
         "contrast": _ffi.CHEXPERT_KEY_AUG_CONTRAST, "gamma": _ffi.CHEXPERT_KEY_AUG_GAMMA,
         "hflip": _ffi.CHEXPERT_KEY_AUG_HFLIP}

#: Names of chexpert_augment_draw()'s values, in order.
DRAW_FIELDS = ("crop_top", "crop_left", "crop_height", "crop_width", "angle", "translate_x",
               "translate_y", "scale", "shear_x", "shear_y", "flip", "brightness", "contrast", "gamma")


def _floats(name: str, value) -> tuple:
    """A number or a sequence of numbers as a tuple of floats."""
    values = value if isinstance(value, (tuple, list, np.ndarray)) else [value]
    out = []
    for v in values:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"augment {name} must be a number or a sequence of numbers, not {value!r}")
        out.append(float(v))
    return tuple(out)


class Augment:
    """A native augmentation.

    Args:
        preset: ``"custom"`` (only the arguments given; the default),
            ``"jfhealthcare"`` or ``"libauc"`` (both RandomAffine rotate ±15°,
            translate 5 %, scale 0.95 ..= 1.05, fill 128), or ``"none"``.
        seed: CHEXPERT_KEY_SEED, any 64 bits.
        crop_scale, crop_ratio: random resized crop (area fraction, aspect
            ratio), pairs; no crop unless `crop_scale` is given.
        rotate: degrees, ``v`` (±v) or ``(low, high)``.
        translate: ``(fx, fy)``, largest fraction of width and height.
        scale: ``(low, high)``.
        shear: degrees: ``v`` (x: ±v), ``(low, high)`` (x) or 4 values (x, y).
        fill: 0 ..= 255, the value brought in from outside the image.
        brightness, contrast: ``v`` (1 ± v, at least 0) or ``(low, high)``.
        gamma: ``(low, high)``.
        hflip: horizontal flip probability (default 0).
        Each given argument replaces the preset's value.
    """

    __slots__ = ("_preset", "_seed", "_floats")

    def __init__(self, preset: str = "custom", *, seed: int = 0, crop_scale=None, crop_ratio=None,
                 rotate=None, translate=None, scale=None, shear=None, fill=None, brightness=None,
                 contrast=None, gamma=None, hflip=None):
        if not isinstance(preset, str) or preset not in PRESETS:
            raise ValueError(f"augment preset must be one of {tuple(PRESETS)}, not {preset!r}")
        self._preset = preset
        self._seed = _checks.seed(seed)
        given = dict(crop_scale=crop_scale, crop_ratio=crop_ratio, rotate=rotate, translate=translate,
                     scale=scale, shear=shear, fill=fill, brightness=brightness, contrast=contrast,
                     gamma=gamma, hflip=hflip)
        self._floats = {name: _floats(name, value) for name, value in given.items() if value is not None}
        # Every value's domain is the library's: checked now.
        self.params(0).close()

    @classmethod
    def of(cls, value) -> "Augment | None":
        """None, a preset name or an Augment, as an Augment (None for none)."""
        if value is None or isinstance(value, Augment):
            return None if value is not None and value._preset == "none" else value
        if isinstance(value, str):
            return None if value == "none" else cls(value)
        raise TypeError(f"augment must be None, a preset name {tuple(PRESETS)} or a chexpert.Augment, "
                        f"not {type(value).__name__}")

    @property
    def preset(self) -> str:
        return self._preset

    @property
    def seed(self) -> int:
        return self._seed

    def values(self, epoch: int = 0) -> dict:
        """The integer keys: AUGMENT, SEED and EPOCH (as int64 bits)."""
        return {_ffi.CHEXPERT_KEY_AUGMENT: PRESETS[self._preset],
                _ffi.CHEXPERT_KEY_SEED: _checks.as_int64_bits(self._seed),
                _ffi.CHEXPERT_KEY_EPOCH: _checks.as_int64_bits(_checks.seed(epoch, "epoch"))}

    def floats(self) -> dict:
        """The float keys that are set."""
        return {_KEYS[name]: list(values) for name, values in self._floats.items()}

    def params(self, epoch: int = 0) -> "_ffi.Params":
        return _ffi.Params(self.values(epoch), self.floats())

    def draw(self, index: int, width: int, height: int, epoch: int = 0) -> dict:
        """The parameters drawn for the example at split index `index` of a
        `width` x `height` source in `epoch` (chexpert_augment_draw), by
        name (:data:`DRAW_FIELDS`)."""
        index = _checks.integer(index, "index", 0)
        width = _checks.integer(width, "width", 1, _ffi.CHEXPERT_MAX_SIDE)
        height = _checks.integer(height, "height", 1, _ffi.CHEXPERT_MAX_SIDE)
        out = (c_double * _ffi.CHEXPERT_NUM_AUGMENT_VALUES)()
        params = self.params(epoch)
        try:
            _ffi.chexpert_augment_draw(params, index, width, height, out, len(out))
        finally:
            params.close()
        return dict(zip(DRAW_FIELDS, list(out)))

    def _arguments(self) -> tuple:
        return (self._preset, self._seed, tuple(sorted(self._floats.items())))

    def __reduce__(self):
        return (_rebuild, (self._preset, self._seed, dict(self._floats)))

    def __eq__(self, other) -> bool:
        if not isinstance(other, Augment):
            return NotImplemented
        return self._arguments() == other._arguments()

    def __hash__(self) -> int:
        return hash(self._arguments())

    def __repr__(self) -> str:
        extra = "".join(f", {name}={values!r}" for name, values in self._floats.items())
        return f"chexpert.Augment({self._preset!r}, seed={self._seed}{extra})"


def _rebuild(preset: str, seed: int, floats: dict) -> Augment:
    return Augment(preset, seed=seed, **floats)
