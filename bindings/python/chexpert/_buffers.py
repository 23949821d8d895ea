"""Caller arrays for the library: ``out=`` checks, allocation, pointers,
index and thread-count checks, and strings read through size queries.

Every output goes straight from the library into a numpy array allocated
here (``np.empty(..., order="C")``) or a caller's ``out=`` array validated
here (dtype, shape, C order, writeable, aligned) before its pointer and
capacity are passed; the array stays referenced for the whole call.
"""

from __future__ import annotations

import ctypes
import operator
from ctypes import POINTER, byref, c_size_t

import numpy as np

from . import _ffi

__all__ = ["pointer", "checked_out", "empty", "read_string", "thread_count", "index_array",
           "scalar_index", "INT64_MIN", "INT64_MAX"]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_NAME_CAPACITY = 256


def pointer(array: np.ndarray, ctype):
    """``array.ctypes.data_as(POINTER(ctype))``; None for None."""
    return None if array is None else array.ctypes.data_as(POINTER(ctype))


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
    if not out.flags.aligned or out.ctypes.data % dtype.alignment:
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


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def thread_count(num_threads) -> int:
    """`num_threads` as an int in 0 ..= CHEXPERT_MAX_THREADS (0: the CPUs)."""
    if _is_bool(num_threads):
        raise TypeError("num_threads must be an int, not bool")
    value = operator.index(num_threads)
    if not 0 <= value <= _ffi.CHEXPERT_MAX_THREADS:
        raise _ffi.binding_error(
            _ffi.CHEXPERT_E_INVALID_ARGUMENT,
            f"num_threads = {value} is outside 0 ... {_ffi.CHEXPERT_MAX_THREADS} (0: the CPUs available)")
    return value


def scalar_index(index) -> int:
    """One index: a Python or numpy integer (not bool, not float)."""
    if _is_bool(index):
        raise TypeError("an index must be an integer, not bool")
    return operator.index(index)


def index_array(indices) -> np.ndarray:
    """`indices` (a sequence, range or array of integers) as a 1-D int64 array.

    Refuses bool and float with TypeError, values outside int64 with
    IndexError (ChexpertIndexError). Range checks against a split are the
    caller's (:meth:`chexpert.Split.base_indices`).
    """
    try:
        array = np.asarray(indices)
    except OverflowError:
        array = np.asarray(list(indices), dtype=object)
    if array.ndim != 1:
        raise ValueError(f"indices must be one-dimensional, not of shape {array.shape}")
    if array.size == 0:
        return np.empty(0, dtype=np.int64)
    kind = array.dtype.kind
    if kind == "i":
        return np.ascontiguousarray(array, dtype=np.int64)
    if kind == "u":
        if array.dtype.itemsize == 8 and (array > INT64_MAX).any():
            position = int(np.flatnonzero(array > INT64_MAX)[0])
            raise _outside_int64(position, int(array[position]))
        return np.ascontiguousarray(array, dtype=np.int64)
    if kind == "O":
        for position, value in enumerate(array):
            if _is_bool(value) or not hasattr(value, "__index__"):
                raise TypeError(f"indices must be integers, not {type(value).__name__} "
                                f"(indices[{position}] = {value!r})")
            value = operator.index(value)
            if not INT64_MIN <= value <= INT64_MAX:
                raise _outside_int64(position, value)
        return np.array([operator.index(v) for v in array], dtype=np.int64)
    raise TypeError(f"indices must be integers, not {array.dtype}")


def _outside_int64(position: int, value: int):
    return _ffi.binding_error(_ffi.CHEXPERT_E_OUT_OF_RANGE,
                              f"indices[{position}] = {value} is outside int64")
