"""The binding's one exception type, carrying the library's status and message."""

from __future__ import annotations

__all__ = ["ChexpertError", "ChexpertIndexError", "ChexpertClosedError"]


class ChexpertError(Exception):
    """A libchexpert call failed.

    Attributes:
        code: the negative ``chexpert_status`` value (``-8`` for a CSV error).
        name: the constant's name from ``chexpert_status_name()``
            (``"CHEXPERT_E_CSV"``).
        message: ``chexpert_last_error()`` read right after the failing call
            on the calling thread; it names the file, CSV line and column, or
            the argument at fault.
    """

    def __init__(self, code: int, name: str, message: str) -> None:
        super().__init__(code, name, message)
        self.code = code
        self.name = name
        self.message = message

    def __str__(self) -> str:
        return f"{self.name} ({self.code}): {self.message}"

    def __reduce__(self):
        # Errors raised in worker processes travel back through pickle.
        return (type(self), (self.code, self.name, self.message))


class ChexpertIndexError(ChexpertError, IndexError):
    """CHEXPERT_E_OUT_OF_RANGE; also an IndexError so splits are proper Sequences."""


class ChexpertClosedError(ChexpertError, ValueError):
    """CHEXPERT_E_CLOSED, raised by the binding itself (before any C call) for a
    closed Dataset; also a ValueError, like I/O on a closed file."""
