"""Verification: which examples of a split cannot be read, and why.

:func:`verify` (``Split.verify``) decodes every example with
``chexpert_batch_verify`` (in parallel, writing no pixels), which gives each
example's status and the library's message for it, so no failed file is
decoded a second time to learn why.
"""

from __future__ import annotations

import collections
from ctypes import c_char, c_int32, c_int64

import numpy as np

from . import _buffers, _checks, _ffi, _progress

__all__ = ["verify", "VerifyFailure", "VerifyReport", "MESSAGE_STRIDE", "MAX_CHUNK"]

#: Bytes per example for the library's messages (cut at a UTF-8 boundary to
#: fit): room for a PATH_MAX (4096-byte) path and the text around it.
MESSAGE_STRIDE = 8192
#: Largest `chunk` (examples per library call).
MAX_CHUNK = 1 << 20


class VerifyFailure(collections.namedtuple("VerifyFailure", "index name status message")):
    """One example :meth:`Split.verify` could not read: its index in the split
    (or view), name (bytes), status constant name and the library's message."""


class VerifyReport:
    """What :meth:`Split.verify` found: ``checked`` examples, ``failures``."""

    def __init__(self, split: str, checked: int, failures: list):
        self.split, self.checked, self.failures = split, checked, failures

    @property
    def ok(self) -> bool:
        return not self.failures

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        lines = [f"{self.split}: {self.checked} examples checked, {len(self.failures)} failed"]
        lines += [f"  [{f.index}] {f.name.decode(errors='replace')}: {f.status}: {f.message}"
                  for f in self.failures]
        return "\n".join(lines)

    __repr__ = __str__


def verify(split, indices=None, *, num_threads: int = 0, chunk: int = 256,
           progress: bool = False) -> VerifyReport:
    """Reads and fully decodes every example of `indices` of `split` (default:
    all of it), `chunk` per library call on `num_threads` threads, with a tqdm
    bar if `progress`; returns what failed and why."""
    chunk = _checks.integer(chunk, "chunk", 1, MAX_CHUNK)
    threads = _checks.thread_count(num_threads)
    positions = np.arange(len(split), dtype=np.int64) if indices is None else _checks.index_array(indices)
    bases = split.base_indices(positions)
    params = _ffi.threads_params(threads)
    statuses = _buffers.empty(bases.size, np.int32)
    messages = _buffers.empty((min(chunk, bases.size), MESSAGE_STRIDE), np.uint8)
    texts = {}
    bar = None
    if progress:
        bar = _progress.tqdm()(total=bases.size, unit="img", desc=f"verify {split.name}")
    try:
        for first in range(0, bases.size, chunk):
            part = np.ascontiguousarray(bases[first:first + chunk])
            part_statuses = statuses[first:first + chunk]
            _ffi.chexpert_batch_verify(split.dataset.handle(), split.id,
                                       _buffers.pointer(part, c_int64), part.size, params,
                                       _buffers.pointer(part_statuses, c_int32),
                                       _buffers.pointer(messages, c_char), MESSAGE_STRIDE)
            for k in np.flatnonzero(part_statuses != _ffi.CHEXPERT_OK):
                raw = messages[k].tobytes()
                texts[first + int(k)] = raw[: raw.find(b"\0")].decode("utf-8", "replace")
            if bar is not None:
                bar.update(part.size)
    finally:
        if bar is not None:
            bar.close()
    failed = np.flatnonzero(statuses != _ffi.CHEXPERT_OK)
    names = split.names(positions[failed]) if failed.size else []
    failures = [VerifyFailure(int(positions[k]), name,
                              _ffi.chexpert_status_name(int(statuses[k])).decode(), texts[int(k)])
                for k, name in zip(failed, names)]
    return VerifyReport(split.name, int(bases.size), failures)
