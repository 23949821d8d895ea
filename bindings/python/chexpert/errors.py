"""The binding's exceptions: one class per ``chexpert_status``, each also the
Python built-in that means the same thing.

Every class derives from :class:`ChexpertError` (``code``, ``name``,
``message``; pickles with them) and from a built-in, so plain Python handlers
work (``except FileNotFoundError``, ``except IndexError``):

=============================  ============================  ====================
status                         class                         also a
=============================  ============================  ====================
CHEXPERT_E_INVALID_ARGUMENT    ChexpertArgumentError         ValueError
  (an int too wide for C)      ChexpertOverflowError         OverflowError, ValueError
CHEXPERT_E_NULL_POINTER        ChexpertNullPointerError      ValueError
CHEXPERT_E_OUT_OF_RANGE        ChexpertIndexError            IndexError
CHEXPERT_E_BUFFER_TOO_SMALL    ChexpertBufferTooSmallError   ValueError
CHEXPERT_E_CLOSED              ChexpertClosedError           ValueError
CHEXPERT_E_NOT_FOUND           ChexpertNotFoundError         FileNotFoundError
CHEXPERT_E_IO                  ChexpertIOError               OSError
CHEXPERT_E_CSV                 ChexpertCSVError              ValueError
CHEXPERT_E_IMAGE               ChexpertImageError            OSError
CHEXPERT_E_LIMIT               ChexpertLimitError            ValueError
CHEXPERT_E_NO_MEMORY           ChexpertMemoryError           MemoryError
CHEXPERT_E_INTERNAL            ChexpertInternalError         RuntimeError
CHEXPERT_E_STALE               ChexpertStaleCacheError       ValueError
=============================  ============================  ====================

The same class is raised whether the library reports the status or the
binding finds the problem itself before calling C (a closed Dataset, an index
outside a view, ``num_threads`` out of range). A :class:`ChexpertCSVError`
also has ``file``, ``line`` and ``column``, parsed from the library's message
(``"<file>: line <n>, column <k> '<name>': ..."``).
"""

from __future__ import annotations

import errno as _errno
import re

__all__ = [
    "ChexpertError", "ChexpertArgumentError", "ChexpertOverflowError", "ChexpertNullPointerError",
    "ChexpertIndexError", "ChexpertBufferTooSmallError", "ChexpertClosedError", "ChexpertNotFoundError",
    "ChexpertIOError", "ChexpertCSVError", "ChexpertImageError", "ChexpertLimitError",
    "ChexpertMemoryError", "ChexpertInternalError", "ChexpertStaleCacheError", "error_class", "make_error",
]


class ChexpertError(Exception):
    """A libchexpert call failed.

    Attributes:
        code: the negative ``chexpert_status`` value (``-8`` for a CSV error).
        name: the constant's name from ``chexpert_status_name()``
            (``"CHEXPERT_E_CSV"``).
        message: ``chexpert_last_error()`` read right after the failing call
            on the calling thread (or the binding's own message); it names the
            file, CSV line and column, or the argument at fault.
    """

    def __init__(self, code: int, name: str, message: str) -> None:
        # Exception.__init__, not the built-in's: OSError would read the three
        # arguments as (errno, strerror, filename).
        Exception.__init__(self, code, name, message)
        self.code = code
        self.name = name
        self.message = message

    def __str__(self) -> str:
        return f"{self.name} ({self.code}): {self.message}"

    def __reduce__(self):
        # Errors raised in worker processes travel back through pickle.
        return (type(self), (self.code, self.name, self.message))


class ChexpertArgumentError(ChexpertError, ValueError):
    """CHEXPERT_E_INVALID_ARGUMENT: an argument outside its domain."""


class ChexpertOverflowError(ChexpertArgumentError, OverflowError):
    """CHEXPERT_E_INVALID_ARGUMENT found by the binding: an integer argument
    that does not fit the C type the library takes (``2**64 + 5`` as an
    int64, a negative seed); also an OverflowError, as Python's own
    conversions to C integers, and a ValueError, as every argument error.
    Raised before any C call: ctypes would pass the value's low bits."""


class ChexpertNullPointerError(ChexpertArgumentError):
    """CHEXPERT_E_NULL_POINTER: a required pointer was NULL (raw ``_ffi`` calls)."""


class ChexpertIndexError(ChexpertError, IndexError):
    """CHEXPERT_E_OUT_OF_RANGE; also an IndexError so splits are proper Sequences."""


class ChexpertBufferTooSmallError(ChexpertError, ValueError):
    """CHEXPERT_E_BUFFER_TOO_SMALL: an ``out=`` array is too small; nothing was written."""


class ChexpertClosedError(ChexpertError, ValueError):
    """CHEXPERT_E_CLOSED: a closed Dataset (refused by the binding before any C
    call) or a closed handle reported by the library; also a ValueError, like
    I/O on a closed file."""


class _OSErrorMixin:
    _errno = None

    def __init__(self, code: int, name: str, message: str) -> None:
        ChexpertError.__init__(self, code, name, message)
        self.errno = self._errno
        self.strerror = message


class ChexpertNotFoundError(_OSErrorMixin, ChexpertError, FileNotFoundError):
    """CHEXPERT_E_NOT_FOUND: the root, a CSV or an image file does not exist."""

    _errno = _errno.ENOENT


class ChexpertIOError(_OSErrorMixin, ChexpertError, OSError):
    """CHEXPERT_E_IO: a file exists but cannot be read."""

    _errno = _errno.EIO


class ChexpertImageError(_OSErrorMixin, ChexpertError, OSError):
    """CHEXPERT_E_IMAGE: an image file is not a decodable JPEG (truncated,
    corrupt, another format); an OSError, as Pillow's for a broken file."""


class ChexpertLimitError(ChexpertError, ValueError):
    """CHEXPERT_E_LIMIT: a documented limit was exceeded (max_pixels, ...)."""


class ChexpertMemoryError(ChexpertError, MemoryError):
    """CHEXPERT_E_NO_MEMORY."""


class ChexpertInternalError(ChexpertError, RuntimeError):
    """CHEXPERT_E_INTERNAL: a bug in libchexpert; please report the message."""


class ChexpertStaleCacheError(ChexpertError, ValueError):
    """CHEXPERT_E_STALE: a packed cache that cannot serve this dataset (not a
    cache, another format version, truncated or corrupt, or built from other
    sources); the message names what differs. Rebuild it
    (:meth:`chexpert.Dataset.build_cache`)."""


# "<file>: line <n>[, column <k> '<name>']: ..." (Sources/ChexpertCore/Format/SplitTable+CSV.swift)
#   or "<file>: line <n>: column <k> '<name>' ...", or "<file>: <no line> ..."
_CSV_LOCATION = re.compile(r"^(?P<file>.+?): line (?P<line>\d+)(?:[:,] column (?P<column>\d+)\b)?")
_CSV_FILE_ONLY = re.compile(r"^(?P<file>.+?\.csv): ")


class ChexpertCSVError(ChexpertError, ValueError):
    """CHEXPERT_E_CSV: a CSV file breaks the format.

    Attributes:
        file: the CSV file's path, or None if the message names none.
        line: the 1-based line, or None (e.g. an empty file).
        column: the 1-based column, or None when the error is about a line.
    """

    def __init__(self, code: int, name: str, message: str) -> None:
        super().__init__(code, name, message)
        self.file = self.line = self.column = None
        match = _CSV_LOCATION.match(message)
        if match:
            self.file = match.group("file")
            self.line = int(match.group("line"))
            if match.group("column"):
                self.column = int(match.group("column"))
        else:
            match = _CSV_FILE_ONLY.match(message)
            if match:
                self.file = match.group("file")


_CLASSES = {
    -1: ChexpertArgumentError,
    -2: ChexpertNullPointerError,
    -3: ChexpertIndexError,
    -4: ChexpertBufferTooSmallError,
    -5: ChexpertClosedError,
    -6: ChexpertNotFoundError,
    -7: ChexpertIOError,
    -8: ChexpertCSVError,
    -9: ChexpertImageError,
    -10: ChexpertLimitError,
    -11: ChexpertMemoryError,
    -12: ChexpertInternalError,
    -13: ChexpertStaleCacheError,
}


def error_class(code: int) -> type:
    """The exception class of a status code (ChexpertError for an unknown one)."""
    return _CLASSES.get(code, ChexpertError)


def make_error(code: int, name: str, message: str) -> ChexpertError:
    """The exception for a status, its constant name and message."""
    return error_class(code)(code, name, message)
