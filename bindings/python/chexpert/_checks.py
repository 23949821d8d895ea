"""Integer arguments: the one place the binding checks them, before any C call.

ctypes converts a Python int to ``c_int``, ``c_int64`` or ``c_size_t`` by
keeping its low bits: ``2**64 + 5`` reaches the library as 5, ``2**63`` as
``-2**63``, and numpy's ``astype(np.int64)`` wraps a uint64 of ``2**64 - 1`` to
-1. So every integer a public method takes (indices, counts, thread counts,
seeds, epochs, ranks, world sizes, positions, sizes, batch sizes, prefetch
depths, ...) goes through this module, which either returns it as an exact
Python int (or int64 array) inside its domain or raises:

- ``TypeError``: not an exact integer. Python and numpy ``bool`` (where an
  integer is meant), ``float`` and numpy floating values or arrays, strings,
  ``None``... Only ``int``, numpy integers and objects with ``__index__``
  are integers; arrays must have an integer dtype (any width, signed or
  unsigned, uint64 included).
- :class:`~chexpert.errors.ChexpertIndexError` (``IndexError``): an index
  outside the split or view (or outside int64). Negative indices count from
  the end, as for a Python sequence, where the method says so.
- :class:`~chexpert.errors.ChexpertOverflowError` (``OverflowError`` and
  ``ValueError``): a value that does not fit the C type the library takes
  (int64, uint64 for seeds and epochs, ...).
- :class:`~chexpert.errors.ChexpertArgumentError` (``ValueError``): a value
  that fits but is outside the argument's domain (``num_threads`` above
  CHEXPERT_MAX_THREADS, a batch size of 0, ...); a count over a library limit
  is :class:`~chexpert.errors.ChexpertLimitError` (``ValueError``), as the
  library would say.

Slices follow Python's rules (bounds are clamped, never an error), but
their start, stop and step must be integers or None (bool and float are a
TypeError).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from . import _ffi
from .errors import ChexpertOverflowError

__all__ = [
    "INT32", "INT64", "UINT64", "SIZE", "exact", "integer", "thread_count", "seed",
    "as_int64_bits", "index", "index_array", "positions", "slice_of", "MAX_PREFETCH",
    "MAX_BATCH_SIZE",
]


class CType:
    """The range of a C integer type, by name (for messages)."""

    __slots__ = ("name", "low", "high")

    def __init__(self, name: str, low: int, high: int):
        self.name, self.low, self.high = name, low, high

    def __contains__(self, value: int) -> bool:
        return self.low <= value <= self.high


INT32 = CType("int32", -(2**31), 2**31 - 1)
INT64 = CType("int64", -(2**63), 2**63 - 1)
UINT64 = CType("uint64", 0, 2**64 - 1)
#: size_t as the library takes it: at most SSIZE_MAX.
SIZE = CType("size_t", 0, 2**63 - 1)

#: Largest Loader prefetch depth (the ring holds prefetch + 2 batches).
MAX_PREFETCH = 1024
#: Largest batch size (and read size): no split holds more examples.
MAX_BATCH_SIZE = _ffi.CHEXPERT_MAX_SHARD_COUNT


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def exact(value, name: str) -> int:
    """`value` as a Python int: an int, a numpy integer or an object with
    ``__index__`` (a 0-d integer array too); TypeError for bool, float and
    anything else."""
    if type(value) is int:
        return value
    if _is_bool(value):
        raise TypeError(f"{name} must be an integer, not bool")
    if isinstance(value, (float, np.floating, complex, np.complexfloating)):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__} ({value!r})")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}") from None


def _overflow(name: str, value: int, ctype: CType) -> ChexpertOverflowError:
    return ChexpertOverflowError(
        _ffi.CHEXPERT_E_INVALID_ARGUMENT, "CHEXPERT_E_INVALID_ARGUMENT",
        f"{name} = {value} does not fit {ctype.name} ({ctype.low} ... {ctype.high})")


def integer(value, name: str, low: int = None, high: int = None, *, ctype: CType = INT64,
            what: str = "", limit: bool = False) -> int:
    """`value` as an exact int of C type `ctype` (else ChexpertOverflowError)
    within ``low ..= high`` (else ChexpertArgumentError, or with `limit`
    ChexpertLimitError for a value above `high`). `what` explains the domain
    in the message."""
    number = exact(value, name)
    if number not in ctype:
        raise _overflow(name, number, ctype)
    if (low is not None and number < low) or (high is not None and number > high):
        domain = what or f"{'...' if low is None else low} ... {'...' if high is None else high}"
        code = (_ffi.CHEXPERT_E_LIMIT if limit and high is not None and number > high
                else _ffi.CHEXPERT_E_INVALID_ARGUMENT)
        raise _ffi.binding_error(code, f"{name} = {number} is outside {domain}")
    return number


def thread_count(value, name: str = "num_threads") -> int:
    """A decode thread count: 0 (the CPUs available) ..= CHEXPERT_MAX_THREADS."""
    if type(value) is int and 0 <= value <= _ffi.CHEXPERT_MAX_THREADS:     # the common case, fast
        return value
    return integer(value, name, 0, _ffi.CHEXPERT_MAX_THREADS,
                   what=f"0 ... {_ffi.CHEXPERT_MAX_THREADS} (0: the CPUs available)")


def seed(value, name: str = "seed") -> int:
    """A seed or epoch: any 64 bits, 0 ..= 2**64 - 1 (the library reads uint64)."""
    return integer(value, name, ctype=UINT64)


def as_int64_bits(value: int) -> int:
    """A checked uint64 (:func:`seed`) as the int64 with the same bits (the
    type of chexpert_params_set)."""
    return value - 2**64 if value >= 2**63 else value


# ---------------------------------------------------------------------------
# Indices
# ---------------------------------------------------------------------------

_INT64_DTYPE = np.dtype(np.int64)


def _all_below(array: np.ndarray, count: int) -> bool:
    """Whether the non-empty int64 `array` holds only values in 0 ..< count.
    A batch's few indices go through a list (a numpy reduction costs far
    more right after a batch call has flushed the caches); many, through a
    reduction over their uint64 bits (a negative value is above 2**63)."""
    if not array.size:
        return False
    if array.size <= 4096:
        values = array.tolist()
        return min(values) >= 0 and max(values) < count
    return int(array.view(np.uint64).max()) < count


def _index_error(message: str):
    return _ffi.binding_error(_ffi.CHEXPERT_E_OUT_OF_RANGE, message)


def _outside(label: str, value: int, position: int, count: int, where):
    if callable(where):     # made only for a message
        where = where()
    resolved = "" if position == value else f" (position {position})"
    if count == 0:
        valid = "it is empty"
    else:
        valid = f"valid: -{count} ... {count - 1}"
    return _index_error(f"{label} = {value}{resolved} is outside {where} of {count} examples "
                        f"({valid})")


def index(value, count: int, *, where: str = "the split", name: str = "index",
          negative: bool = True) -> int:
    """One index into a sequence of `count`: the position in 0 ..< count
    (negative values count from the end when `negative`)."""
    number = exact(value, name)
    position = number + count if negative and number < 0 else number
    if not 0 <= position < count:
        raise _outside(name, number, position, count, where)
    return position


def _from_objects(values, name: str) -> np.ndarray:
    """Python ints (or integer-like objects) as int64, each checked."""
    if values and all(type(value) is int for value in values):     # the common case, fast
        low, high = min(values), max(values)
        if low in INT64 and high in INT64:
            return np.array(values, dtype=np.int64)
    out = np.empty(len(values), dtype=np.int64)
    for position, value in enumerate(values):
        if (isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))
                or getattr(value, "ndim", 0)):
            raise ValueError(f"{name} must be one-dimensional; {name}[{position}] is a sequence")
        number = exact(value, f"{name}[{position}]")
        if number not in INT64:
            raise _index_error(f"{name}[{position}] = {number} is outside int64")
        out[position] = number
    return out


def index_array(indices, name: str = "indices") -> np.ndarray:
    """`indices` (a sequence, range, iterable or array of integers) as a 1-D
    C-contiguous int64 array, each value an exact integer inside int64
    (TypeError for bool, float or other elements and for non-integer
    dtypes; ChexpertIndexError for a value outside int64). Checks against a
    split's size are :func:`positions`'."""
    if isinstance(indices, range):
        if len(indices) == 0:
            return np.empty(0, dtype=np.int64)
        first, last = indices[0], indices[-1]
        for position, number in ((0, first), (len(indices) - 1, last)):
            if number not in INT64:
                raise _index_error(f"{name}[{position}] = {number} is outside int64")
        if indices.stop in INT64 and (indices.stop - first) in INT64:
            array = np.arange(first, indices.stop, indices.step, dtype=np.int64)
            if array.size == len(indices):
                return array
        return _from_objects(list(indices), name)
    if isinstance(indices, np.ndarray):
        array = indices
    elif isinstance(indices, (str, bytes, bytearray)) or _is_bool(indices):
        raise TypeError(f"{name} must be a sequence of integers, not {type(indices).__name__}")
    elif isinstance(indices, Sequence) or not hasattr(indices, "__array__"):
        # Element by element: np.asarray would turn [True, 1] into [1, 1],
        # [np.uint64(2**64 - 1), 1] into floats and [2**64 + 5] into objects.
        try:
            values = list(indices)
        except TypeError:
            raise TypeError(f"{name} must be a sequence of integers, not "
                            f"{type(indices).__name__}") from None
        return _from_objects(values, name)
    else:                                           # torch tensors and other array-likes
        array = np.asarray(indices)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, not of shape {array.shape}")
    kind = array.dtype.kind
    if kind == "i":
        return np.ascontiguousarray(array, dtype=np.int64)
    if kind == "u":
        if array.dtype.itemsize == 8 and array.size:
            over = np.flatnonzero(array > np.uint64(INT64.high))
            if over.size:
                first = int(over[0])
                raise _index_error(f"{name}[{first}] = {int(array[first])} is outside int64")
        return np.ascontiguousarray(array, dtype=np.int64)
    if kind == "O":
        return _from_objects(list(array), name)
    if array.size == 0 and kind != "b":
        return np.empty(0, dtype=np.int64)          # np.asarray([]) is float64: nothing to read
    raise TypeError(f"{name} must be integers, not {array.dtype}")


def positions(indices, count: int, *, where="the split", name: str = "indices",
              negative: bool = True) -> np.ndarray:
    """:func:`index_array`, each value made a position in 0 ..< count
    (negative ones count from the end when `negative`), else
    ChexpertIndexError naming the first bad one. `where` (for the message)
    is a str or a function returning one."""
    if (type(indices) is np.ndarray and indices.dtype is _INT64_DTYPE and indices.ndim == 1
            and indices.flags.c_contiguous and _all_below(indices, count)):
        # The common case: int64 positions all in 0 ..< count. Copied when a
        # new array is what the general path returns.
        return indices.copy() if negative else indices
    given = index_array(indices, name)
    if not given.size:
        return given
    resolved = np.where(given < 0, given + count, given) if negative else given
    bad = np.flatnonzero((resolved < 0) | (resolved >= count))
    if bad.size:
        first = int(bad[0])
        raise _outside(f"{name}[{first}]", int(given[first]), int(resolved[first]), count, where)
    return np.ascontiguousarray(resolved, dtype=np.int64)


def slice_of(key: slice, base: range) -> range:
    """``base[key]`` (Python's clamping rules: bounds past the ends select
    less, never an error), once the slice's start, stop and step are checked
    to be integers or None (TypeError for bool and float)."""
    for part in ("start", "stop", "step"):
        value = getattr(key, part)
        if value is not None:
            exact(value, f"slice {part}")
    return base[key]
