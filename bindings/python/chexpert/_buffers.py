"""Caller arrays for the library: ``out=`` checks, allocation, pointers, and
strings read through size queries. (Integer arguments are checked in
:mod:`chexpert._checks`.)

Every output goes straight from the library into a numpy array allocated
here (``np.empty(..., order="C")``) or a caller's ``out=`` array validated
here (dtype, shape, C order, writeable, aligned) before its pointer and
capacity are passed; the array stays referenced for the whole call.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from ctypes import POINTER, byref, c_size_t

import numpy as np

from . import _ffi

__all__ = ["pointer", "address", "checked_out", "output", "empty", "read_string"]

_NAME_CAPACITY = 256


def pointer(array: np.ndarray, ctype):
    """``array.ctypes.data_as(POINTER(ctype))``; None for None."""
    return None if array is None else array.ctypes.data_as(POINTER(ctype))


def address(array: np.ndarray, ctype):
    """The same pointer as :func:`pointer` (a ``POINTER(ctype)`` or ``void *``
    argument), made about five times faster for the arrays of a batch call:
    ``byref(ctype.from_buffer(array))`` holds a buffer export of `array`, so
    the array stays alive (and cannot be resized) while the argument exists.
    Arrays ``from_buffer`` refuses (None, empty, read-only, not C-contiguous)
    go through :func:`pointer`."""
    try:
        return byref(ctype.from_buffer(array))
    except (TypeError, ValueError, BufferError):
        return pointer(array, ctype)


def _data_address(array: np.ndarray) -> int:
    """``array.ctypes.data``, faster for a writeable C-contiguous array."""
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(array))
    except (TypeError, ValueError, BufferError):
        return array.ctypes.data


def empty(shape, dtype) -> np.ndarray:
    return np.empty(shape, dtype=dtype, order="C")


def checked_out(out, shape: tuple, dtype, *, name: str = "out") -> np.ndarray:
    """Validates a caller's array for an output of exactly `shape` and `dtype`:
    a numpy array, C-contiguous, writeable, aligned for its dtype."""
    dtype = np.dtype(dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, not {type(out).__name__}")
    if out.dtype != dtype:
        raise TypeError(f"{name} must have dtype {dtype}, not {out.dtype}")
    if tuple(out.shape) != tuple(shape):
        raise ValueError(f"{name} has shape {out.shape}; this batch needs {tuple(shape)}")
    if not out.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous")
    if not out.flags.writeable:
        raise ValueError(f"{name} must be writeable")
    if not out.flags.aligned or _data_address(out) % dtype.alignment:
        raise ValueError(f"{name} must be aligned to {dtype.alignment} bytes for {dtype}")
    return out


def output(out, shape: tuple, dtype, *, name: str = "out") -> np.ndarray:
    """`out` checked for (shape, dtype), or a new array of them."""
    return empty(shape, dtype) if out is None else checked_out(out, shape, dtype, name=name)


def read_string(function, *args) -> bytes:
    """Calls ``f(*args, char *out, size_t capacity, size_t *out_size)``: a
    first try with a guessed buffer, then (too small) a size query."""
    size = c_size_t(0)
    buffer = ctypes.create_string_buffer(_NAME_CAPACITY)
    try:
        function(*args, buffer, len(buffer), byref(size))
    except _ffi.ChexpertError as error:
        if error.code != _ffi.CHEXPERT_E_BUFFER_TOO_SMALL:
            raise
        function(*args, None, 0, byref(size))
        buffer = ctypes.create_string_buffer(size.value)
        function(*args, buffer, len(buffer), byref(size))
    return buffer.raw[: size.value - 1]


class Recycler:
    """Up to `keep` uint8 buffers handed out again once nobody else holds them.

    A fresh multi-megabyte numpy buffer per batch comes from mmap, and its
    page faults cost about a tenth of a raw batch's time; a buffer is reused
    only when no array (no view of it, no batch the caller kept) refers to it
    any more, so a returned batch is never overwritten. Thread-safe. Memory:
    at most `keep` buffers, each the largest a call asked for.
    """

    def __init__(self, keep: int = 2):
        self._keep = keep
        self._buffers: list = []
        self._lock = threading.Lock()

    def take(self, nbytes: int) -> np.ndarray:
        """A uint8 buffer of `nbytes` to twice that that nobody else holds
        (a fresh one when none is free; it replaces a free misfit)."""
        buffers = self._buffers
        with self._lock:
            free = -1
            for i in range(len(buffers)):
                buffer = buffers[i]
                # References: the list, `buffer`, getrefcount's argument.
                if sys.getrefcount(buffer) == 3:
                    if nbytes <= buffer.nbytes <= 2 * nbytes:
                        return buffer
                    if free < 0:
                        free = i
            fresh = np.empty(nbytes, dtype=np.uint8)
            if len(buffers) < self._keep:
                buffers.append(fresh)
            elif free >= 0:
                buffers[free] = fresh
            return fresh
