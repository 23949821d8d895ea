"""The packed cache (docs/cache.md): every split's images decoded once and
resized to uint8 grey planes in one file, read back through a memory mapping
by the same resized reads, so epoch 2 and later decode no JPEG.

Build it once (:meth:`chexpert.Dataset.build_cache` or ``chexpert cache
build``), then open datasets with ``Dataset(root, cache=FILE)``. Every
adapter (:class:`~chexpert.Loader`, :mod:`chexpert.torch`,
:mod:`chexpert.tf`) reads through its Dataset, so they use the cache too;
pickled copies (DataLoader workers) attach it again in their process.
"""

from __future__ import annotations

import os
import threading
from ctypes import byref, c_int64

from . import _checks, _ffi
from ._progress import tqdm

__all__ = ["build", "attach", "info", "INFO_FIELDS"]

#: chexpert_cache_info()'s fields, in order.
INFO_FIELDS = ("version", "file_bytes", "side", "height", "width", "select", "train", "validation",
               "test", "failed", "plane_bytes")


def cache_path(path):
    """``path`` as an absolute str (so a copy in another working directory
    finds it), or None."""
    if path is None:
        return None
    return os.path.abspath(os.fsdecode(os.fspath(path)))


def attach(dataset, path) -> None:
    """Attaches (``None``: detaches) the packed cache at ``path`` to ``dataset``."""
    path = cache_path(path)
    handle = dataset.handle()
    with dataset._lock:
        _ffi.chexpert_dataset_attach_cache(handle, None if path is None else os.fsencode(path))
        dataset._cache = path


def _size(value, name):
    return _checks.integer(value, name, 1, _ffi.CHEXPERT_MAX_SIDE, what=f"1 ... {_ffi.CHEXPERT_MAX_SIDE}")


def build(dataset, path, size=None, *, height=None, width=None, fit: str = "cover", filter: str = "area",
          num_threads: int = 0, progress: bool = False, on_error=None, dct=None) -> None:
    """Writes a packed cache of every split of ``dataset`` to ``path``.

    Args:
        size: the planes' short side (aspect ratio kept); or give ``height``
            and ``width`` for exact planes (``fit``, ``filter`` as
            :class:`~chexpert.Resize`).
        num_threads: 0 (all CPUs) ..= CHEXPERT_MAX_THREADS.
        progress: ``True`` for a tqdm progress bar over the examples (``pip
            install tqdm``), or a callable ``progress(done, total)`` called
            from another thread about ten times a second while the build
            runs (and once at the end).
        on_error: ``"raise"`` or ``"substitute"`` (record unreadable examples:
            reading them from the cache fails as from JPEGs); ``None``: the
            dataset's.
        dct: ``"fast"`` or ``"accurate"``; ``None``: the dataset's.

    The file appears only once complete (a temporary file renamed); on any
    error none is left.
    """
    from .dataset import DCT_VALUES, on_error_value
    from .resize import FILTERS, FITS
    values = {_ffi.CHEXPERT_KEY_THREADS: _checks.thread_count(num_threads)}
    if size is not None:
        if height is not None or width is not None:
            raise ValueError("give size (the short side) or height and width, not both")
        values[_ffi.CHEXPERT_KEY_CACHE_SIDE] = _size(size, "size")
    elif height is None or width is None:
        raise ValueError("give size (the short side), or height and width")
    else:
        values[_ffi.CHEXPERT_KEY_HEIGHT] = _size(height, "height")
        values[_ffi.CHEXPERT_KEY_WIDTH] = _size(width, "width")
    if fit not in FITS:
        raise ValueError(f"fit must be one of {tuple(FITS)}, not {fit!r}")
    if filter not in FILTERS:
        raise ValueError(f"filter must be one of {tuple(FILTERS)}, not {filter!r}")
    values[_ffi.CHEXPERT_KEY_FIT] = FITS[fit]
    values[_ffi.CHEXPERT_KEY_FILTER] = FILTERS[filter]
    if on_error is not None:
        values[_ffi.CHEXPERT_KEY_ON_ERROR] = on_error_value(on_error)
    if dct is not None:
        if dct not in DCT_VALUES:
            raise ValueError(f"dct must be one of {tuple(DCT_VALUES)}, not {dct!r}")
        values[_ffi.CHEXPERT_KEY_DCT] = DCT_VALUES[dct]
    bar = tqdm() if progress is True else None
    target = os.fsencode(cache_path(path))
    params = _ffi.Params(values)
    try:
        handle = dataset.handle()
        counter = c_int64(0)
        if not progress:
            _ffi.chexpert_cache_build(handle, target, params, byref(counter))
            return
        total = sum(len(dataset.split(name)) for name in _present_splits(dataset))
        if bar is not None:
            bar = bar(total=total, unit="img", desc="cache")
            report, finish = (lambda done: bar.update(done - bar.n)), bar.close
        else:
            report, finish = (lambda done: progress(done, total)), (lambda: None)
        _with_progress(lambda: _ffi.chexpert_cache_build(handle, target, params, byref(counter)),
                       counter, report, finish)
    finally:
        params.close()


def _present_splits(dataset):
    has = getattr(dataset, "has_split", None)
    return [name for name in dataset.split_names if has is None or has(name)]


def _with_progress(call, counter, report, finish, interval: float = 0.1) -> None:
    """Runs ``call`` (a ctypes call: it releases the GIL) while a thread
    reports ``counter``'s value when it grows."""
    done = threading.Event()

    def poll():
        shown = 0
        while True:
            finished = done.wait(interval)
            value = counter.value
            if value > shown or (finished and shown == 0):
                report(value)
                shown = value
            if finished:
                return

    thread = threading.Thread(target=poll, name="chexpert-cache-progress", daemon=True)
    thread.start()
    try:
        call()
    finally:
        done.set()
        thread.join()
        finish()


def info(path) -> dict:
    """A packed cache's header (structure and checksum checked, not its
    fingerprint): a dict of :data:`INFO_FIELDS`; ``test`` is -1 without a
    test split."""
    out = (c_int64 * _ffi.CHEXPERT_NUM_CACHE_FIELDS)()
    _ffi.chexpert_cache_info(os.fsencode(cache_path(path)), out, len(out))
    return dict(zip(INFO_FIELDS, list(out)))
