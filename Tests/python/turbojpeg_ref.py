"""An independent JPEG decode: the system libturbojpeg (2.x API) through ctypes.

`decode(data, fast=True)` is tjDecompress2(..., TJPF_RGB, TJFLAG_FASTDCT |
TJFLAG_STOPONWARNING): the recipe that is bit-identical to TensorFlow's
decode_jpeg (shared/reference/tfds-chexpert.md section 3). With grey=True it
decodes to TJPF_GRAY instead: the JPEG's luma (Y), (H, W, 1).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from ctypes import POINTER, byref, c_char_p, c_int, c_ubyte, c_ulong, c_void_p

import numpy as np

TJPF_RGB = 0
TJPF_GRAY = 6
TJFLAG_FASTDCT = 2048
TJFLAG_ACCURATEDCT = 4096
TJFLAG_STOPONWARNING = 8192


def _load():
    names = ["libturbojpeg.so.0", ctypes.util.find_library("turbojpeg")]
    errors = []
    for name in filter(None, names):
        try:
            return ctypes.CDLL(name)
        except OSError as error:
            errors.append(f"{name}: {error}")
    raise ImportError("libturbojpeg not found: " + "; ".join(errors))


_tj = _load()
_tj.tjInitDecompress.argtypes = []
_tj.tjInitDecompress.restype = c_void_p
_tj.tjDestroy.argtypes = [c_void_p]
_tj.tjDestroy.restype = c_int
_tj.tjGetErrorStr2.argtypes = [c_void_p]
_tj.tjGetErrorStr2.restype = c_char_p
_tj.tjDecompressHeader3.argtypes = [c_void_p, POINTER(c_ubyte), c_ulong, POINTER(c_int),
                                    POINTER(c_int), POINTER(c_int), POINTER(c_int)]
_tj.tjDecompressHeader3.restype = c_int
_tj.tjDecompress2.argtypes = [c_void_p, POINTER(c_ubyte), c_ulong, POINTER(c_ubyte), c_int,
                              c_int, c_int, c_int, c_int]
_tj.tjDecompress2.restype = c_int


def decode(data: bytes, *, fast: bool = True, grey: bool = False) -> np.ndarray:
    """uint8 (H, W, 3) RGB pixels of JPEG `data` ((H, W, 1) luma if `grey`);
    RuntimeError on any warning or error."""
    handle = _tj.tjInitDecompress()
    if not handle:
        raise RuntimeError("tjInitDecompress failed")
    try:
        source = (c_ubyte * len(data)).from_buffer_copy(data)
        width, height, subsampling, colorspace = c_int(), c_int(), c_int(), c_int()
        if _tj.tjDecompressHeader3(handle, source, len(data), byref(width), byref(height),
                                   byref(subsampling), byref(colorspace)) != 0:
            raise RuntimeError(_tj.tjGetErrorStr2(handle).decode())
        image = np.empty((height.value, width.value, 1 if grey else 3), dtype=np.uint8)
        flags = (TJFLAG_FASTDCT if fast else TJFLAG_ACCURATEDCT) | TJFLAG_STOPONWARNING
        if _tj.tjDecompress2(handle, source, len(data), image.ctypes.data_as(POINTER(c_ubyte)),
                             width.value, 0, height.value,
                             TJPF_GRAY if grey else TJPF_RGB, flags) != 0:
            raise RuntimeError(_tj.tjGetErrorStr2(handle).decode())
        return image
    finally:
        _tj.tjDestroy(handle)
