"""Training batches: the one place the training batch dict is built.

:func:`read_training_batch` is used by :class:`chexpert.Loader`,
:mod:`chexpert.torch` (``ChexpertBatches``, ``ChexpertDataset`` with a
``resize``), :mod:`chexpert.tf` (``batches``) and
:meth:`chexpert.Split.read_batch_resized`. It makes one library call per
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

import numpy as np

from . import _checks, _ffi

__all__ = ["read_training_batch", "ON_ERROR_POLICIES"]

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
    images, statuses = split.resized_images(positions, resize, num_threads=num_threads,
                                            on_error=policy, out=out.get("image"), epoch=epoch)
    batch = {"image": images,
             "label": split.labels(positions, out=out.get("label")),
             "image_view": split.image_views(positions, out=out.get("image_view")),
             "index": positions}
    if resolved is not None:
        pair = None if "target" not in out else (out["target"], out["mask"])
        batch["target"], batch["mask"] = resolved.read(bases, out=pair)
    if names:
        batch["name"] = split.names(positions)
    failed = statuses != _ffi.CHEXPERT_OK
    if substituted if substituted is not None else on_error == "substitute":
        batch["substituted"] = failed
    if on_error == "skip" and failed.any():
        batch = _skip(split, batch, positions, statuses, failed, skipped)
    return batch


def _skip(split, batch: dict, positions: np.ndarray, statuses: np.ndarray, failed: np.ndarray,
          skipped) -> dict:
    """The batch without its failed examples, which are recorded and warned about."""
    failed_names = split.names(positions[failed])
    for position, name, status in zip(positions[failed], failed_names, statuses[failed]):
        if skipped is not None:
            skipped.append((int(position), name, _ffi.chexpert_status_name(int(status)).decode()))
    warnings.warn(f"chexpert skipped {int(failed.sum())} unreadable example(s): "
                  f"{[name.decode(errors='replace') for name in failed_names]}", stacklevel=3)
    keep = ~failed
    return {key: ([v for v, k in zip(value, keep) if k] if isinstance(value, list) else value[keep])
            for key, value in batch.items()}
