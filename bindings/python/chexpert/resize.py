"""Resize: what ``chexpert_batch_resized`` makes of each example.

A :class:`Resize` turns its keyword arguments into a ``chexpert_params``
(:class:`chexpert._ffi.Params`: the resize keys, and for a custom
normalisation CHEXPERT_KEY_MEAN and _STD) at construction. Python checks what
it needs to build it and what ctypes would otherwise pass wrong: names it
knows, integers through :mod:`chexpert._checks` (sizes 1 ..= 65535, channels
1 or 3; floats and bools are a TypeError, a value too wide for int64 a
ChexpertOverflowError), one count for mean and std, each a finite float32,
and a custom normalisation whose ``(v / 255 - mean) / std`` is finite for
every v in 0 ..= 255 (a tiny std or a huge mean would give inf or NaN
images). Every other rule (uint8 only without normalisation, ...) is the
library's, checked as each key is set and by ``chexpert_resize_output_bytes``
at construction, so an invalid spec raises
:class:`~chexpert.errors.ChexpertArgumentError` (a ValueError,
``CHEXPERT_E_INVALID_ARGUMENT``) with the library's message. Custom mean and
std against the channel count are checked by the library at the first read
(it also refuses statistics that cannot give finite outputs).
Output sizes also come from that function: there is no second copy of the
size arithmetic here.

The params a batch call needs (the resize keys plus its thread count and
bad-example policy) are cached on the Resize, one per (num_threads,
on_error): a batch does not re-create them.
"""

from __future__ import annotations

from ctypes import byref, c_size_t

import numpy as np

from . import _checks, _ffi

__all__ = ["Resize", "LAYOUTS", "DTYPES", "FITS", "FILTERS", "NORMALIZATIONS", "DCTS", "RESAMPLES",
           "DECODE_SCALES"]

#: Accepted names of each option -> the header's constant.
LAYOUTS = {"NHWC": _ffi.CHEXPERT_LAYOUT_NHWC, "NCHW": _ffi.CHEXPERT_LAYOUT_NCHW}
DTYPES = {"uint8": _ffi.CHEXPERT_DTYPE_UINT8, "float32": _ffi.CHEXPERT_DTYPE_FLOAT32}
FITS = {"cover": _ffi.CHEXPERT_FIT_COVER, "contain": _ffi.CHEXPERT_FIT_CONTAIN,
        "stretch": _ffi.CHEXPERT_FIT_STRETCH}
FILTERS = {"area": _ffi.CHEXPERT_FILTER_AREA, "bilinear": _ffi.CHEXPERT_FILTER_BILINEAR}
NORMALIZATIONS = {"none": _ffi.CHEXPERT_NORMALIZE_NONE, "unit": _ffi.CHEXPERT_NORMALIZE_UNIT,
                  "imagenet": _ffi.CHEXPERT_NORMALIZE_IMAGENET, "xrv": _ffi.CHEXPERT_NORMALIZE_XRV}
DCTS = {"fast": _ffi.CHEXPERT_DCT_FAST, "accurate": _ffi.CHEXPERT_DCT_ACCURATE}
RESAMPLES = {"fast": _ffi.CHEXPERT_RESAMPLE_FAST, "exact": _ffi.CHEXPERT_RESAMPLE_EXACT}
DECODE_SCALES = {"full": _ffi.CHEXPERT_DECODE_SCALE_FULL, "auto": _ffi.CHEXPERT_DECODE_SCALE_AUTO}

_NUMPY_DTYPES = {"uint8": np.dtype(np.uint8), "float32": np.dtype(np.float32)}


def _choice(kind: str, value, choices: dict) -> int:
    if isinstance(value, str) and value in choices:
        return choices[value]
    raise ValueError(f"{kind} must be one of {tuple(choices)}, not {value!r}")


def _side(value, name: str) -> int:
    return _checks.integer(value, name, 1, _ffi.CHEXPERT_MAX_SIDE,
                           what=f"1 ... CHEXPERT_MAX_SIDE ({_ffi.CHEXPERT_MAX_SIDE})")


#: The largest finite float32.
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _stats(name: str, values) -> np.ndarray:
    """Per-channel mean or std as float32; ValueError for a finite value
    that float32 cannot hold (1e39 would become inf). NaN, inf and a zero
    std go on to the library, which refuses them naming the key."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise ValueError(f"normalize {name} must be a sequence of floats (one per channel), "
                         f"not {values!r}")
    wide = np.asarray(values)
    if wide.ndim != 1:
        raise ValueError(f"normalize {name} must be a sequence of floats (one per channel), "
                         f"not of shape {wide.shape}")
    if wide.dtype.kind not in "iuf" or any(_is_bool(v) for v in values):
        raise TypeError(f"normalize {name} must be real numbers, not {wide.dtype}")
    wide = wide.astype(np.float64)
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(np.isfinite(wide) & (np.abs(wide) > _FLOAT32_MAX))
    if bad.size:
        k = int(bad[0])
        raise _ffi.binding_error(_ffi.CHEXPERT_E_INVALID_ARGUMENT,
                                 f"normalize {name}[{k}] = {float(wide[k])!r} is outside float32 "
                                 f"(a magnitude of at most {_FLOAT32_MAX!r})")
    return np.ascontiguousarray(wide.astype(np.float32))


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def _check_finite_outputs(mean: np.ndarray, std: np.ndarray) -> None:
    """ValueError unless ``(v / 255 - mean) / std`` is finite for every v in
    0 ..= 255, in float32 as the library computes it (``v * a + b`` with
    ``a = 1 / (255 * std)``, ``b = -mean / std``) and in exact arithmetic.
    The output is affine in v, so its ends (v = 0 and 255) bound it."""
    with np.errstate(all="ignore"):
        a = np.float32(1) / (np.float32(255) * std)
        b = -mean / std
        ends32 = [np.float32(0) * a + b, np.float32(255) * a + b]
        exact = [(0.0 - mean.astype(np.float64)) / std.astype(np.float64),
                 (1.0 - mean.astype(np.float64)) / std.astype(np.float64)]
    for c in range(mean.size):
        values = [a[c], b[c]] + [end[c] for end in ends32]
        if (std[c] == 0 or not all(np.isfinite(v) for v in values)
                or any(abs(float(end[c])) > _FLOAT32_MAX for end in exact)):
            raise _ffi.binding_error(
                _ffi.CHEXPERT_E_INVALID_ARGUMENT,
                f"normalize mean[{c}] = {float(mean[c])!r} and std[{c}] = {float(std[c])!r} do not "
                f"give finite float32 outputs: (v / 255 - mean) / std reaches "
                f"{float(exact[0][c]) if std[c] else float('inf')!r} .. "
                f"{float(exact[1][c]) if std[c] else float('inf')!r} for v in 0 ... 255")


class Resize:
    """How every example of a resized batch is made.

    Args:
        size: output ``H`` (square ``H x H``) or ``(H, W)``, in pixels.
        channels: 3 (RGB; grey replicated, as TFDS) or 1 (the JPEG's luma).
        layout: ``"NHWC"`` or ``"NCHW"`` (torch's order).
        dtype: ``"uint8"`` (0 ..= 255, rounded half up; only with
            ``normalize="none"``) or ``"float32"``.
        fit: ``"cover"`` (scale to cover, centre crop: torchvision
            ``Resize(min side)`` + ``CenterCrop``), ``"contain"`` (scale to fit,
            centred, padded with black) or ``"stretch"``.
        filter: ``"area"`` (Pillow's BOX) or ``"bilinear"`` (Pillow's
            BILINEAR); both antialias when downscaling.
        normalize: float32 output is ``(v / 255 - mean[c]) / std[c]``:
            ``"none"`` (v itself, 0 ..= 255), ``"unit"`` ([0, 1]),
            ``"imagenet"``, ``"xrv"`` (torchxrayvision's [-1024, 1024]) or
            ``(mean, std)``, two sequences of ``channels`` floats.
        dct: ``None`` (the Dataset's ``dct``), ``"fast"`` or ``"accurate"``.
        resample: ``"fast"`` (float32 SIMD; uint8 output within 1 level of
            ``"exact"``, float32 within the tolerance docs/training.md
            states) or ``"exact"`` (Pillow's double-precision arithmetic,
            bit for bit).
        decode_scale: ``"full"`` (decode every JPEG at full size) or
            ``"auto"`` (TurboJPEG's DCT-domain scaling down to the smallest
            factor whose image still covers the output window at 1:1 or
            more: much faster on full-size images; differences stated in
            docs/training.md).
        augment: ``None`` (no augmentation), a preset name (``"jfhealthcare"``,
            ``"libauc"``) or a :class:`chexpert.Augment`: native augmentation
            in the same pass (docs/augmentation.md); batch calls pass the
            epoch (``epoch=``), the Augment gives the seed.

    Raises:
        ValueError: an unknown name, or mean and std of different lengths.
        ChexpertArgumentError (a ValueError): CHEXPERT_E_INVALID_ARGUMENT
            from the library for any other invalid value or combination (its
            message names the key).
    """

    __slots__ = ("_height", "_width", "_channels", "_layout", "_dtype", "_fit", "_filter",
                 "_normalize", "_dct", "_resample", "_decode_scale", "_values", "_floats", "_params", "_cache", "_augment", "__weakref__")

    def __init__(self, size=224, channels: int = 3, layout: str = "NHWC", dtype: str = "uint8",
                 fit: str = "cover", filter: str = "area", normalize="none", dct=None,
                 resample: str = "fast", decode_scale: str = "full", augment=None):
        if isinstance(size, (tuple, list)):
            if len(size) != 2:
                raise ValueError(f"size must be an int or (height, width), not {size!r}")
            height, width = (_side(v, name) for v, name in zip(
                size, ("height (CHEXPERT_KEY_HEIGHT)", "width (CHEXPERT_KEY_WIDTH)")))
        else:
            height = width = _side(size, "size (CHEXPERT_KEY_HEIGHT, _WIDTH)")
        self._height, self._width = height, width
        self._channels = _checks.integer(channels, "channels (CHEXPERT_KEY_CHANNELS)", 1, 3,
                                         what="1 or 3")
        if self._channels == 2:
            raise _ffi.binding_error(_ffi.CHEXPERT_E_INVALID_ARGUMENT,
                                     "channels (CHEXPERT_KEY_CHANNELS) = 2 is outside 1 or 3")
        self._layout, self._dtype, self._fit, self._filter = layout, dtype, fit, filter
        values = {
            _ffi.CHEXPERT_KEY_HEIGHT: height,
            _ffi.CHEXPERT_KEY_WIDTH: width,
            _ffi.CHEXPERT_KEY_CHANNELS: self._channels,
            _ffi.CHEXPERT_KEY_LAYOUT: _choice("layout", layout, LAYOUTS),
            _ffi.CHEXPERT_KEY_DTYPE: _choice("dtype", dtype, DTYPES),
            _ffi.CHEXPERT_KEY_FIT: _choice("fit", fit, FITS),
            _ffi.CHEXPERT_KEY_FILTER: _choice("filter", filter, FILTERS),
            _ffi.CHEXPERT_KEY_RESAMPLE: _choice("resample", resample, RESAMPLES),
            _ffi.CHEXPERT_KEY_DECODE_SCALE: _choice("decode_scale", decode_scale, DECODE_SCALES),
        }
        self._resample, self._decode_scale = resample, decode_scale
        floats = {}
        if isinstance(normalize, str):
            values[_ffi.CHEXPERT_KEY_NORMALIZE] = _choice("normalize", normalize, NORMALIZATIONS)
            self._normalize = normalize
        elif isinstance(normalize, (tuple, list)) and len(normalize) == 2:
            mean, std = _stats("mean", normalize[0]), _stats("std", normalize[1])
            if mean.size != std.size:
                raise ValueError(f"normalize mean and std must have one length "
                                 f"(got {mean.size} and {std.size})")
            values[_ffi.CHEXPERT_KEY_NORMALIZE] = _ffi.CHEXPERT_NORMALIZE_CUSTOM
            floats = {_ffi.CHEXPERT_KEY_MEAN: mean.tolist(), _ffi.CHEXPERT_KEY_STD: std.tolist()}
            self._normalize = (tuple(mean.tolist()), tuple(std.tolist()))
        else:
            raise ValueError(f"normalize must be one of {tuple(NORMALIZATIONS)} or "
                             f"(mean, std), not {normalize!r}")
        if dct is not None:
            values[_ffi.CHEXPERT_KEY_DCT] = _choice("dct", dct, DCTS)
        self._dct = dct
        self._values, self._floats = values, floats
        from .augment import Augment
        self._augment = Augment.of(augment)
        if self._augment is not None:
            values.update(self._augment.values())
            self._floats = {**floats, **self._augment.floats()}
        self._params = _ffi.Params(values, self._floats)   # each key checked by the library
        if floats:
            try:
                _check_finite_outputs(mean, std)
            except BaseException:
                self._params.close()
                raise
        self._cache = {}
        self.nbytes(1)  # the library validates the combination now (custom stats: at the read)

    def params(self, num_threads: int = 0, on_error=None, epoch: int = 0) -> "_ffi.Params":
        """The chexpert_params of a batch call: the resize keys plus
        CHEXPERT_KEY_THREADS and, unless `on_error` is None (the Dataset's
        policy), CHEXPERT_KEY_ON_ERROR; with an augmentation,
        CHEXPERT_KEY_EPOCH = `epoch`. Cached per (num_threads, on_error,
        epoch)."""
        num_threads = _checks.thread_count(num_threads)
        epoch = _checks.seed(epoch, "epoch") if self._augment is not None else 0
        key = (num_threads, on_error, epoch)
        params = self._cache.get(key)
        if params is None:
            if len(self._cache) >= 64:      # one entry per epoch: keep it bounded
                self._cache.clear()
            values = dict(self._values)
            if self._augment is not None:
                values[_ffi.CHEXPERT_KEY_EPOCH] = _checks.as_int64_bits(epoch)
            values[_ffi.CHEXPERT_KEY_THREADS] = num_threads
            if on_error is not None:
                from .dataset import on_error_value
                values[_ffi.CHEXPERT_KEY_ON_ERROR] = on_error_value(on_error)
            params = self._cache.setdefault(key, _ffi.Params(values, self._floats))
        return params

    # -- what a batch looks like ------------------------------------------

    @property
    def size(self) -> tuple:
        """(height, width) of every output image."""
        return (self._height, self._width)

    @property
    def channels(self) -> int:
        return self._channels

    @property
    def layout(self) -> str:
        return self._layout

    @property
    def dtype(self) -> np.dtype:
        """numpy dtype of the images: uint8 or float32."""
        return _NUMPY_DTYPES[self._dtype]

    @property
    def fit(self) -> str:
        return self._fit

    @property
    def filter(self) -> str:
        return self._filter

    @property
    def normalize(self):
        """The name of the preset, or (mean, std) as tuples of floats."""
        return self._normalize

    @property
    def dct(self):
        return self._dct

    @property
    def augment(self):
        """The :class:`chexpert.Augment`, or None."""
        return self._augment

    @property
    def resample(self) -> str:
        return self._resample

    @property
    def decode_scale(self) -> str:
        return self._decode_scale

    def shape(self, count: int) -> tuple:
        """Shape of a batch of `count` images: (N, H, W, C) or (N, C, H, W)."""
        count = _checks.integer(count, "count", 0, ctype=_checks.SIZE)
        if self._layout == "NHWC":
            return (count, self._height, self._width, self._channels)
        return (count, self._channels, self._height, self._width)

    def nbytes(self, count: int) -> int:
        """Bytes of a batch of `count` images (chexpert_resize_output_bytes)."""
        out = c_size_t()
        count = _checks.integer(count, "count", 0, ctype=_checks.SIZE)
        _ffi.chexpert_resize_output_bytes(self._params, count, byref(out))
        return out.value

    # -- value semantics ----------------------------------------------------

    def _arguments(self) -> dict:
        return {"size": (self._height, self._width), "channels": self._channels,
                "layout": self._layout, "dtype": self._dtype, "fit": self._fit,
                "filter": self._filter, "normalize": self._normalize, "dct": self._dct, "augment": self._augment,
                "resample": self._resample, "decode_scale": self._decode_scale}

    def __reduce__(self):
        # Params handles do not travel; a copy rebuilds them from the arguments.
        return (_rebuild, (self._arguments(),))

    def __eq__(self, other) -> bool:
        if not isinstance(other, Resize):
            return NotImplemented
        return self._arguments() == other._arguments()

    def __hash__(self) -> int:
        return hash(tuple(self._arguments().items()))

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self._arguments().items())
        return f"chexpert.Resize({arguments})"


def _rebuild(arguments: dict) -> Resize:
    return Resize(**arguments)
