"""Split: the examples of one split as numpy arrays with the types of ``tfds.as_numpy``.

Images go straight from the library into numpy arrays allocated here (or the
caller's validated ``out=``): no copies. Every batch method is one C call per
kind of output (images, labels, views, ...), each written straight into the
array it returns, and decodes on native threads with the GIL released.

Indices are checked here before any C call: integers only (bool and float
are a TypeError), inside the split or view (else
:class:`~chexpert.errors.ChexpertIndexError`, an IndexError); negative
indices count from the end, as for a Python sequence.
"""

from __future__ import annotations

import collections.abc
import ctypes
from ctypes import byref, c_int32, c_int64, c_size_t, c_uint8

import numpy as np

from . import _buffers, _ffi
from .vocabulary import PROJECTION_NAMES, SPLIT_NAMES

__all__ = ["Split"]

_NAME_GUESS = 128


class Split(collections.abc.Sequence):
    """The examples of one split, in CSV order; slicing gives a view.

    ``split[i]`` is ``{"image": uint8 (H, W, 3), "label": int64 (L,),
    "image_view": np.int64, "name": bytes}``, as ``tfds.as_numpy`` yields.
    """

    def __init__(self, dataset, split_id: int, *, _view=None):
        self._dataset = dataset
        self._id = split_id
        if _view is None:
            handle = dataset.handle()
            count, labels = c_int64(), c_int32()
            _ffi.chexpert_split_size(handle, split_id, byref(count))
            _ffi.chexpert_split_num_labels(handle, split_id, byref(labels))
            self._range = range(count.value)
            self._full = True
            self._num_labels = labels.value
            self._label_names = None
        else:
            parent, self._range = _view
            self._full = False
            self._num_labels = parent._num_labels
            self._label_names = parent._label_names

    @property
    def name(self) -> str:
        return SPLIT_NAMES[self._id]

    @property
    def id(self) -> int:
        """The chexpert_split value (0 train, 1 validation)."""
        return self._id

    @property
    def dataset(self):
        """The :class:`~chexpert.Dataset` this split belongs to."""
        return self._dataset

    @property
    def indices(self) -> range:
        """The split-wide (CSV row) indices of this split or view."""
        return self._range

    @property
    def num_labels(self) -> int:
        return self._num_labels

    @property
    def label_names(self) -> tuple:
        """Header names of the label columns (every column after the fifth)."""
        if self._label_names is None:
            handle = self._dataset.handle()
            self._label_names = tuple(
                _buffers.read_string(_ffi.chexpert_split_label_name, handle, self._id, label).decode()
                for label in range(self._num_labels))
        return self._label_names

    def __len__(self) -> int:
        return len(self._range)

    def __repr__(self) -> str:
        view = "" if self._full else f" view={self._range}"
        return f"<chexpert.Split {self.name!r} len={len(self)}{view}>"

    # -- index mapping ---------------------------------------------------

    def _outside(self, label: str, value, position: int, count: int):
        where = "split" if self._full else "this view of split"
        resolved = "" if position == value else f" (position {position})"
        return _ffi.binding_error(
            _ffi.CHEXPERT_E_OUT_OF_RANGE,
            f"{label} = {value}{resolved} is outside {where} {self.name!r} of {count} examples "
            f"(valid: -{count} ... {count - 1})")

    def base_index(self, index) -> int:
        """The split-wide index of position `index` of this split or view
        (negative counts from the end). TypeError for a bool or non-integer,
        ChexpertIndexError (IndexError) when out of range."""
        position = _buffers.scalar_index(index)
        count = len(self._range)
        if position < 0:
            position += count
        if not 0 <= position < count:
            raise self._outside("index", index, position, count)
        return self._range[position]

    def base_indices(self, indices) -> np.ndarray:
        """The split-wide indices (C-contiguous int64) of positions `indices`
        of this split or view, checked as :meth:`base_index` does."""
        positions = _buffers.index_array(indices)
        count = len(self._range)
        if positions.size:
            positions = np.where(positions < 0, positions + count, positions)
            bad = np.flatnonzero((positions < 0) | (positions >= count))
            if bad.size:
                first = int(bad[0])
                raise self._outside(f"indices[{first}]", int(_buffers.index_array(indices)[first]),
                                    int(positions[first]), count)
            if not self._full:
                positions = self._range.start + positions * self._range.step
        return np.ascontiguousarray(positions, dtype=np.int64)

    def _all_or(self, indices) -> np.ndarray:
        if indices is None:
            return np.arange(self._range.start, self._range.stop, self._range.step, dtype=np.int64)
        return self.base_indices(indices)

    # -- examples --------------------------------------------------------

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Split(self._dataset, self._id, _view=(self, self._range[index]))
        return self._example(self.base_index(index))

    def __iter__(self):
        for position in range(len(self)):
            yield self[position]

    def shape(self, index) -> tuple:
        """(H, W, 3) of example `index`, from its JPEG header."""
        height, width = c_int32(), c_int32()
        _ffi.chexpert_example_image(self._dataset.handle(), self._id, self.base_index(index),
                                    None, 0, byref(height), byref(width))
        return (height.value, width.value, 3)

    def _example(self, base: int) -> dict:
        handle = self._dataset.handle()
        height, width = c_int32(), c_int32()
        _ffi.chexpert_example_image(handle, self._id, base, None, 0, byref(height), byref(width))
        image = _buffers.empty((height.value, width.value, 3), np.uint8)
        _ffi.chexpert_example_image(handle, self._id, base, _buffers.pointer(image, c_uint8),
                                    image.nbytes, None, None)
        label = _buffers.empty(self._num_labels, np.int64)
        _ffi.chexpert_example_labels(handle, self._id, base, _buffers.pointer(label, c_int64),
                                     label.size)
        view = c_int64()
        _ffi.chexpert_example_view(handle, self._id, base, byref(view))
        name = _buffers.read_string(_ffi.chexpert_example_name, handle, self._id, base)
        return {"image": image, "label": label, "image_view": np.int64(view.value), "name": name}

    def read_batch(self, indices, num_threads: int = 0, out=None) -> dict:
        """Reads examples `indices` (TFDS's pixels), decoding on `num_threads` threads.

        Returns ``{"image": ..., "label": int64 (N, L), "image_view": int64 (N,),
        "name": list of bytes}``. ``image`` is a uint8 (N, H, W, 3) array when all
        shapes are equal (``out`` if given: C-contiguous, writeable uint8 of exactly
        that shape), else a list of (H, W, 3) arrays viewing one packed buffer.
        ``num_threads=0`` uses every CPU available to the process.
        """
        bases = self.base_indices(indices)
        params = _ffi.threads_params(_buffers.thread_count(num_threads))
        handle = self._dataset.handle()
        count = bases.size
        shapes = _buffers.empty((count, 2), np.int32)
        p_bases = _buffers.pointer(bases, c_int64)
        # Size query: the JPEG headers only.
        _ffi.chexpert_batch_images(handle, self._id, p_bases, count, params, None, 0,
                                   _buffers.pointer(shapes, c_int32))
        uniform = bool(count) and bool((shapes == shapes[0]).all())
        if uniform:
            shape = (count, int(shapes[0, 0]), int(shapes[0, 1]), 3)
        elif count == 0:  # any (0, H, W, 3) out= will do
            shape = out.shape if isinstance(out, np.ndarray) and out.ndim == 4 else (0, 0, 0, 3)
        else:
            shape = None
        if out is not None:
            if shape is None:
                raise ValueError("out= needs images of one shape; this batch has several")
            images = _checked_image_out(out, shape)
        elif shape is not None:
            images = _buffers.empty(shape, np.uint8)
        else:
            sizes = shapes[:, 0].astype(np.int64) * shapes[:, 1].astype(np.int64) * 3
            images = _buffers.empty(int(sizes.sum()), np.uint8)
        _ffi.chexpert_batch_images(handle, self._id, p_bases, count, params,
                                   _buffers.pointer(images, c_uint8), images.nbytes,
                                   _buffers.pointer(shapes, c_int32))
        if shape is None:
            offsets = np.cumsum(sizes)[:-1]
            images = [piece.reshape(int(h), int(w), 3)
                      for piece, (h, w) in zip(np.split(images, offsets), shapes)]
        return {"image": images, "label": self._labels_at(bases),
                "image_view": self._views_at(bases), "name": self._names_at(bases)}

    def read_batch_resized(self, indices, resize, num_threads: int = 0, out=None,
                           on_error=None) -> dict:
        """Reads examples `indices` decoded and resized as `resize` says.

        Returns ``{"image": resize.shape(N) array of resize.dtype, "label": int64
        (N, L), "image_view": int64 (N,), "name": list of bytes, "substituted":
        bool (N,)}``: :func:`chexpert.training.read_training_batch` with
        ``names=True``. ``on_error="substitute"`` (or the Dataset's) writes a
        zero image for an example that cannot be read and marks it in
        ``substituted``; ``None`` takes the Dataset's policy. ``image`` is
        ``out`` when given: a C-contiguous, writeable, aligned numpy array of
        exactly that shape and dtype. Indices out of range raise before
        anything is written.
        """
        from .training import read_training_batch
        batch = read_training_batch(self, indices, resize, num_threads=num_threads,
                                    on_error=on_error, names=True, substituted=True,
                                    out=None if out is None else {"image": out})
        del batch["index"]
        return batch

    def resized_images(self, indices, resize, *, num_threads: int = 0, on_error=None,
                       out=None) -> tuple:
        """(images, statuses): one ``chexpert_batch_resized`` call.

        ``images`` is a ``resize.shape(N)`` array of ``resize.dtype`` (`out`
        if given, checked); ``statuses`` int32 (N,) holds each example's
        chexpert_status (non-zero only for examples substituted under
        ``on_error="substitute"``).
        """
        from .resize import Resize
        if not isinstance(resize, Resize):
            raise TypeError(f"resize must be a chexpert.Resize, not {type(resize).__name__}")
        bases = self.base_indices(indices)
        params = resize.params(_buffers.thread_count(num_threads), on_error)
        images = _buffers.output(out, resize.shape(bases.size), resize.dtype)
        statuses = _buffers.empty(bases.size, np.int32)
        _ffi.chexpert_batch_resized(self._dataset.handle(), self._id,
                                    _buffers.pointer(bases, c_int64), bases.size, params,
                                    images.ctypes.data, images.nbytes,
                                    _buffers.pointer(statuses, c_int32))
        return images, statuses

    # -- per-example data without decoding -------------------------------

    def _int64_batch(self, function, bases, out, shape_tail: tuple) -> np.ndarray:
        """One int64 batch call for already-checked split-wide `bases`."""
        result = _buffers.output(out, (bases.size,) + shape_tail, np.int64)
        function(self._dataset.handle(), self._id, _buffers.pointer(bases, c_int64), bases.size,
                 _buffers.pointer(result, c_int64), result.size)
        return result

    def labels(self, indices=None, *, out=None) -> np.ndarray:
        """int64 (N, L): the label vectors of `indices` (default: every example
        of this split or view), in one call, no decoding; into `out` if given."""
        return self._labels_at(self._all_or(indices), out)

    def _labels_at(self, bases, out=None) -> np.ndarray:
        return self._int64_batch(_ffi.chexpert_batch_labels, bases, out, (self._num_labels,))

    def image_views(self, indices=None, *, out=None) -> np.ndarray:
        """int64 (N,): the TFDS ``image_view`` (0 frontal, 1 lateral) of
        `indices` (default: all of this split or view), in one call."""
        return self._views_at(self._all_or(indices), out)

    def _views_at(self, bases, out=None) -> np.ndarray:
        return self._int64_batch(_ffi.chexpert_batch_views, bases, out, ())

    def projections(self, indices=None, *, out=None) -> np.ndarray:
        """int64 (N,): the chexpert_projection (index into PROJECTION_NAMES) of
        `indices` (default: all of this split or view), in one call."""
        return self._int64_batch(_ffi.chexpert_batch_projections, self._all_or(indices), out, ())

    def names(self, indices=None) -> list:
        """The names (bytes, the CSV ``Path`` cells) of `indices` (default: all
        of this split or view), in one call (no decoding)."""
        return self._names_at(self._all_or(indices))

    def _names_at(self, bases) -> list:
        if not bases.size:
            return []
        handle = self._dataset.handle()
        p_bases = _buffers.pointer(bases, c_int64)
        size = c_size_t(0)
        buffer = ctypes.create_string_buffer(bases.size * _NAME_GUESS)
        try:
            _ffi.chexpert_batch_names(handle, self._id, p_bases, bases.size, buffer, len(buffer),
                                      byref(size))
        except _ffi.ChexpertError as error:
            if error.code != _ffi.CHEXPERT_E_BUFFER_TOO_SMALL:
                raise
            _ffi.chexpert_batch_names(handle, self._id, p_bases, bases.size, None, 0, byref(size))
            buffer = ctypes.create_string_buffer(size.value)
            _ffi.chexpert_batch_names(handle, self._id, p_bases, bases.size, buffer, len(buffer),
                                      byref(size))
        return buffer.raw[: size.value].split(b"\0")[:-1]

    def projection_counts(self) -> dict:
        """Rows of the split's CSV per projection, before the ``projections``
        selection: ``{"ap": n, "pa": n, "other_frontal": n, "lateral": n}``."""
        counts = _buffers.empty(_ffi.CHEXPERT_NUM_PROJECTIONS, np.int64)
        _ffi.chexpert_split_projection_counts(self._dataset.handle(), self._id,
                                              _buffers.pointer(counts, c_int64), counts.size)
        return dict(zip(PROJECTION_NAMES, (int(n) for n in counts)))

    def targets(self, targets, indices=None, *, out=None) -> tuple:
        """(targets, masks): float32 (N, K) training targets of `indices`
        (default: all of this split or view) under `targets` (a
        :class:`~chexpert.Targets`), computed by the library; into `out`, a
        (targets, masks) pair of arrays, if given."""
        from .targets import ResolvedTargets
        resolved = targets if isinstance(targets, ResolvedTargets) else targets.resolve(self)
        return resolved.read(self._all_or(indices), out=out)

    def verify(self, indices=None, *, num_threads: int = 0, chunk: int = 256,
               progress: bool = False):
        """Reads and fully decodes every example of `indices` (default: all of
        this split or view), `chunk` per library call on `num_threads`
        threads, with a tqdm bar if `progress`; returns a
        :class:`~chexpert.verify.VerifyReport` of what failed and why."""
        from .verify import verify
        return verify(self, indices, num_threads=num_threads, chunk=chunk, progress=progress)


def _checked_image_out(out, shape: tuple) -> np.ndarray:
    """Validates a caller's ``out=`` for `read_batch` (uint8, C order, writeable).

    An array with too few bytes is passed on: the library refuses it with
    CHEXPERT_E_BUFFER_TOO_SMALL and writes nothing.
    """
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, not {type(out).__name__}")
    if out.dtype != np.uint8:
        raise TypeError(f"out must have dtype uint8, not {out.dtype}")
    if not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")
    if not out.flags.writeable:
        raise ValueError("out must be writeable")
    needed = int(np.prod(shape, dtype=np.int64))
    if out.nbytes >= needed and out.shape != shape:
        raise ValueError(f"out has shape {out.shape}; this batch needs {shape}")
    return out
