"""Job: a library batch call started with ``chexpert_batch_*_start`` and
waited for later (``chexpert_job_wait``), with the arrays it writes kept
alive until then."""

from __future__ import annotations

from ctypes import byref

from . import _ffi, _forksafe

__all__ = ["Job"]


class Job:
    """One started batch call. :meth:`wait` returns once its outputs are
    written (raising the call's error, as the synchronous call would);
    waiting again returns (or raises) the same. A Job dropped without a wait
    is waited for then, so its arrays are never freed while the library
    writes them, and the library never keeps it."""

    __slots__ = ("_handle", "_keep", "_error", "_lock", "__weakref__")

    def __init__(self, start, args: tuple, keep: tuple):
        """Calls ``start(*args, &job)``; `keep`: the arrays the call writes."""
        handle = _ffi.job_p()
        start(*args, byref(handle))     # raises the argument errors: no job then
        self._handle = handle
        self._keep = keep
        self._error = None
        _forksafe.register(self)        # self._lock, re-made in a fork child

    def wait(self) -> None:
        """Waits for the call (several threads may wait; one makes the C wait)."""
        with self._lock:
            if self._handle is not None:
                handle, self._handle = self._handle, None
                try:
                    _ffi.chexpert_job_wait(handle)
                except _ffi.ChexpertError as error:
                    self._error = error
                self._keep = ()
        if self._error is not None:
            raise self._error

    def done(self) -> bool:
        """Whether the call has run (wait would not block)."""
        with self._lock:
            if self._handle is None:
                return True
            flag = _ffi.c_int32(0)
            _ffi.chexpert_job_done(self._handle, byref(flag))
            return bool(flag.value)

    def __del__(self):
        try:
            self.wait()
        except Exception:  # noqa: BLE001 - nobody is left to raise it to
            pass
