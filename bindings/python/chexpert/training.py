"""Training batches: the one place the training batch dict is built.

:func:`read_training_batch` is used by :class:`chexpert.Loader`,
:mod:`chexpert.torch` (``ChexpertBatches``, ``ChexpertDataset`` with a
``resize``), :mod:`chexpert.tf` (``batches``) and
:meth:`chexpert.Split.read_batch_resized`; :func:`start_training_batch`
is the same in two steps (the Loader starts the next batch's pixels as a
library job before it finishes this one). It makes one library call per
output: ``chexpert_batch_resized`` (images and per-example statuses),
``chexpert_batch_labels``, ``chexpert_batch_views`` and, with targets,
``chexpert_batch_targets``, each writing straight into the array the dict
returns (or the caller's ``out`` arrays: the Loader's ring), so nothing is
copied or converted.

The dict::

    {"image": resize.shape(n) array of resize.dtype,
     "label": int64 (n, L), "image_view": int64 (n,),
     "index": int64 (n,)                 # the positions read, in the split
     "target", "mask": float32 (n, K)    # with targets
     "name": list of bytes               # with names=True
     "substituted": bool (n,)}           # with substituted=True (default:
                                         #   on_error == "substitute")
"""

from __future__ import annotations

import warnings
from ctypes import c_int64

import numpy as np

from . import _checks, _ffi
from ._buffers import address

__all__ = ["read_training_batch", "start_training_batch", "PendingBatch", "ON_ERROR_POLICIES"]

#: on_error values read_training_batch takes (None: the Dataset's policy).
ON_ERROR_POLICIES = (None, "raise", "substitute", "skip")


def read_training_batch(split, indices, resize, *, targets=None, num_threads: int = 0,
                        on_error=None, names: bool = False, substituted=None, out=None,
                        skipped=None, epoch: int = 0) -> dict:
    """Reads the examples at positions `indices` of `split` as a training batch.

    Args:
        split: a :class:`chexpert.Split` (or a view of one).
        indices: positions in `split` (integers; checked before any read).
        resize: a :class:`chexpert.Resize`.
        targets: None, a :class:`chexpert.Targets` or one already resolved
            for `split` (:meth:`Targets.resolve`, which callers reading many
            batches should do once).
        num_threads: decode threads (0: the CPUs available; at most 1024).
        on_error: None (the Dataset's policy), ``"raise"``, ``"substitute"``
            (unreadable examples become zero images) or ``"skip"`` (they are
            left out of the batch, appended to `skipped` as ``(position,
            name, status name)`` and warned about).
        names: add ``"name"``.
        substituted: add the ``"substituted"`` mask (default: when
            `on_error` is ``"substitute"``).
        out: arrays to write into, by key (``"image"``, ``"label"``,
            ``"image_view"``, ``"target"``, ``"mask"``); each checked for the
            batch's exact shape and dtype. Missing keys are allocated.
        epoch: the epoch `resize`'s augmentation (if any) is drawn for.
    """
    return start_training_batch(split, indices, resize, targets=targets, num_threads=num_threads,
                                on_error=on_error, names=names, substituted=substituted, out=out,
                                skipped=skipped, epoch=epoch, job=False).result(_stacklevel=4)


def start_training_batch(split, indices, resize, *, targets=None, num_threads: int = 0,
                         on_error=None, names: bool = False, substituted=None, out=None,
                         skipped=None, epoch: int = 0, job: bool = True) -> "PendingBatch":
    """:func:`read_training_batch`, split in two: checks every argument and
    starts the pixels (with `job`, a library job on its worker pool that
    returns at once; else the synchronous call), and returns a
    :class:`PendingBatch` whose :meth:`~PendingBatch.result` reads the rest
    (labels, views, targets, names) and then waits for the pixels. Argument
    errors raise here; the pixels' errors from ``result()``. A
    PendingBatch must be finished (``result()`` or ``cancel()``) or dropped."""
    if on_error not in ON_ERROR_POLICIES:
        raise ValueError(f"on_error must be one of {ON_ERROR_POLICIES}, not {on_error!r}")
    out = out or {}
    num_threads = _checks.thread_count(num_threads)
    positions = _checks.index_array(indices)
    bases = split.base_indices(positions)           # checked once, before any call
    resolved = None
    if targets is not None:
        from .targets import ResolvedTargets, Targets
        if isinstance(targets, Targets):
            resolved = targets.resolve(split)
        elif isinstance(targets, ResolvedTargets):
            resolved = targets
        else:
            raise TypeError(f"targets must be a chexpert.Targets, not {type(targets).__name__}")
    policy = "substitute" if on_error == "skip" else on_error
    # The split's calls for checked split-wide indices (its package-internal
    # API): each output is one C call, with no second check of `bases`.
    p_bases = address(bases, c_int64)
    started = split._resized_at(bases, resize, num_threads, policy, out.get("image"), epoch, p_bases, job=job)
    return PendingBatch(split, positions, bases, p_bases, started, resolved, out, names, substituted,
                        on_error, skipped)


class PendingBatch:
    """A training batch whose pixels are being read (see
    :func:`start_training_batch`)."""

    def __init__(self, split, positions, bases, p_bases, started, resolved, out, names, substituted,
                 on_error, skipped):
        self._split, self._positions, self._bases, self._p_bases = split, positions, bases, p_bases
        self._images, self._statuses = started[0], started[1]
        self._job = started[2] if len(started) > 2 else None
        self._resolved, self._out, self._names = resolved, out, names
        self._substituted, self._on_error, self._skipped = substituted, on_error, skipped

    def result(self, _stacklevel: int = 3) -> dict:
        """The batch dict of :func:`read_training_batch`: the per-example
        outputs are read while the pixels may still be decoding, then the
        pixels are waited for (their error raises here)."""
        split, bases, p_bases, out = self._split, self._bases, self._p_bases, self._out
        batch = {"image": self._images,
                 "label": split._labels_at(bases, out.get("label"), p_bases),
                 "image_view": split._views_at(bases, out.get("image_view"), p_bases),
                 "index": self._positions}
        if self._resolved is not None:
            pair = None if "target" not in out else (out["target"], out["mask"])
            batch["target"], batch["mask"] = self._resolved.read(bases, out=pair)
        if self._names:
            batch["name"] = split._names_at(bases, p_bases)
        if self._job is not None:
            self._job.wait()
        statuses = self._statuses
        failed = statuses != _ffi.CHEXPERT_OK
        on_error = self._on_error
        if self._substituted if self._substituted is not None else on_error == "substitute":
            batch["substituted"] = failed
        if on_error == "skip" and failed.any():
            batch = _skip(split, batch, self._positions, statuses, failed, self._skipped, _stacklevel)
        return batch

    def cancel(self) -> None:
        """Waits for the pixels and drops the batch (errors ignored)."""
        if self._job is not None:
            try:
                self._job.wait()
            except _ffi.ChexpertError:
                pass


def _skip(split, batch: dict, positions: np.ndarray, statuses: np.ndarray, failed: np.ndarray,
          skipped, stacklevel: int) -> dict:
    """The batch without its failed examples, which are recorded and warned about."""
    failed_names = split.names(positions[failed])
    for position, name, status in zip(positions[failed], failed_names, statuses[failed]):
        if skipped is not None:
            skipped.append((int(position), name, _ffi.chexpert_status_name(int(status)).decode()))
    warnings.warn(f"chexpert skipped {int(failed.sum())} unreadable example(s): "
                  f"{[name.decode(errors='replace') for name in failed_names]}", stacklevel=stacklevel)
    keep = ~failed
    return {key: ([v for v, k in zip(value, keep) if k] if isinstance(value, list) else value[keep])
            for key, value in batch.items()}
