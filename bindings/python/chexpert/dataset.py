"""Dataset and Split: numpy examples with the types of ``tfds.as_numpy``.

A :class:`Dataset` owns one ``chexpert_dataset`` handle. It frees it through
:func:`weakref.finalize` (or an explicit, idempotent :meth:`Dataset.close`),
refuses calls once closed before reaching C, and pickles as its resolved root
and options only: the copy opens its own handle lazily, on first use in a
process whose pid differs from the one that opened it. That is what PyTorch
DataLoader workers need under both ``fork`` and ``spawn``.

Images go straight from the library into numpy arrays allocated here (or the
caller's validated ``out=``): no copies, and one C call decodes a whole batch
on ``num_threads`` threads with the GIL released.
"""

from __future__ import annotations

import collections.abc
import ctypes
import operator
import os
import weakref
from ctypes import POINTER, byref, c_int32, c_int64, c_size_t, c_uint8

import numpy as np

from . import _ffi, _forksafe
from .errors import ChexpertClosedError, ChexpertError, ChexpertIndexError
from .resize import Resize

__all__ = ["Dataset", "Split", "SPLIT_NAMES", "LABEL_CLASS_NAMES", "VIEW_NAMES", "PROJECTION_NAMES"]


def _names(function, count):
    return tuple(function(value).decode("utf-8") for value in range(count))


#: ("train", "validation"), indexed by split id; from chexpert_split_name().
SPLIT_NAMES = _names(_ffi.chexpert_split_name, _ffi.CHEXPERT_NUM_SPLITS)
#: TFDS's ClassLabel names of `label` values, from chexpert_label_class_name().
LABEL_CLASS_NAMES = _names(_ffi.chexpert_label_class_name, _ffi.CHEXPERT_NUM_LABEL_CLASSES)
#: TFDS's ClassLabel names of `image_view` values, from chexpert_view_name().
VIEW_NAMES = _names(_ffi.chexpert_view_name, _ffi.CHEXPERT_NUM_VIEWS)

_DCT_VALUES = {"fast": _ffi.CHEXPERT_DCT_FAST, "accurate": _ffi.CHEXPERT_DCT_ACCURATE}
_DCT_NAMES = {value: name for name, value in _DCT_VALUES.items()}

#: Bad-example policies of the library (chexpert_on_error).
ON_ERROR_VALUES = {"raise": _ffi.CHEXPERT_ON_ERROR_RAISE, "substitute": _ffi.CHEXPERT_ON_ERROR_SUBSTITUTE}

#: chexpert_projection names, indexed by value.
PROJECTION_NAMES = ("AP", "PA", "other_frontal", "lateral")
#: Names accepted by ``Dataset(views=...)`` -> CHEXPERT_SELECT_* bits.
VIEW_SELECTIONS = {
    "all": _ffi.CHEXPERT_SELECT_ALL,
    "frontal": _ffi.CHEXPERT_SELECT_FRONTAL,
    "lateral": _ffi.CHEXPERT_SELECT_LATERAL,
    "AP": _ffi.CHEXPERT_SELECT_AP,
    "PA": _ffi.CHEXPERT_SELECT_PA,
    "other_frontal": _ffi.CHEXPERT_SELECT_OTHER_FRONTAL,
}


def _on_error(policy: str) -> int:
    if policy not in ON_ERROR_VALUES:
        raise ValueError(f"on_error must be one of {tuple(ON_ERROR_VALUES)}, not {policy!r}")
    return ON_ERROR_VALUES[policy]


def _selection(views) -> int:
    """A CHEXPERT_SELECT_* mask from a name of VIEW_SELECTIONS or a list of them."""
    names = [views] if isinstance(views, str) else list(views)
    mask = 0
    for name in names:
        if name not in VIEW_SELECTIONS:
            raise ValueError(f"views must name some of {tuple(VIEW_SELECTIONS)}, not {name!r}")
        mask |= VIEW_SELECTIONS[name]
    if not mask:
        raise ValueError("views selects nothing")
    return mask
_NAME_CAPACITY = 256


def _pointer(array: np.ndarray, ctype):
    return array.ctypes.data_as(POINTER(ctype))


def _read_string(function, *args) -> bytes:
    """Calls ``f(*args, char *out, size_t capacity, size_t *out_size)``."""
    size = c_size_t(0)
    buffer = ctypes.create_string_buffer(_NAME_CAPACITY)
    if not _ffi.fits(function, *args, buffer, len(buffer), byref(size)):
        buffer = ctypes.create_string_buffer(size.value)
        function(*args, buffer, len(buffer), byref(size))
    return buffer.raw[: size.value - 1]


def _binding_error(cls, code: int, message: str) -> ChexpertError:
    """An error the binding finds itself, named like the library's."""
    return cls(code, _ffi.chexpert_status_name(code).decode(), message)


def _out_of_range(message: str) -> ChexpertIndexError:
    return _binding_error(ChexpertIndexError, _ffi.CHEXPERT_E_OUT_OF_RANGE, message)


class Dataset:
    """An open CheXpert-v1.0-small folder with TFDS ``chexpert`` 3.1.0 semantics.

    Args:
        root: the folder holding ``CheXpert-v1.0-small/`` (TFDS's manual_dir),
            or the folder holding train.csv and valid.csv. ``None``:
            ``$CHEXPERT_ROOT``, else ``~/tensorflow_datasets/downloads/manual``.
        dct: ``"fast"`` (default; bit-identical to TFDS/TensorFlow) or
            ``"accurate"`` (libjpeg ISLOW, as Pillow and torchvision decode).
        views: the rows the splits keep, chosen when the CSVs are read:
            ``"all"`` (default: TFDS's splits), ``"frontal"``, ``"lateral"``,
            ``"AP"``, ``"PA"``, ``"other_frontal"`` (frontal, neither AP nor
            PA), or a list of them (``["AP", "PA"]``). Indices count the kept
            rows; :meth:`Split.projection_counts` reports the CSV's counts.
        on_error: what resized batches do with an example that cannot be
            read: ``"raise"`` (default, as TFDS) or ``"substitute"`` (a zero
            image, reported in the batch's ``substituted`` mask); a call's
            ``on_error=`` overrides it.
        max_pixels, max_file_bytes: the library's limits
            (CHEXPERT_OPTION_MAX_PIXELS / _MAX_FILE_BYTES); ``None`` keeps
            its defaults.

    Raises:
        ChexpertError: the library's status and message (a missing folder or
            CSV, a CSV format error naming file, line and column, ...).
    """

    def __init__(self, root=None, dct: str = "fast", *, views="all", on_error: str = "raise",
                 max_pixels=None, max_file_bytes=None):
        if dct not in _DCT_VALUES:
            raise ValueError(f"dct must be one of {tuple(_DCT_VALUES)}, not {dct!r}")
        options = {_ffi.CHEXPERT_OPTION_DCT: _DCT_VALUES[dct],
                   _ffi.CHEXPERT_OPTION_SELECT: _selection(views),
                   _ffi.CHEXPERT_OPTION_ON_ERROR: _on_error(on_error)}
        if max_pixels is not None:
            options[_ffi.CHEXPERT_OPTION_MAX_PIXELS] = operator.index(max_pixels)
        if max_file_bytes is not None:
            options[_ffi.CHEXPERT_OPTION_MAX_FILE_BYTES] = operator.index(max_file_bytes)
        self._init_state(
            root=None if root is None else os.fsdecode(os.fspath(root)),
            options=options, closed=False)
        self._open()

    # -- lifetime --------------------------------------------------------

    def _init_state(self, *, root, options, closed):
        self._root = root            # resolved by the library once opened
        self._options = dict(options)
        self._closed = closed
        self._handle = None
        self._finalizer = None
        self._pid = None
        _forksafe.register(self)     # self._lock, re-made in a forked child

    def _open(self) -> None:
        handle = _ffi.dataset_p()
        root = None if self._root is None else os.fsencode(self._root)
        params = np.array([item for pair in self._options.items() for item in pair], dtype=np.int64)
        _ffi.chexpert_dataset_open_with(byref(handle), root, _pointer(params, c_int64), params.size)
        finalizer = weakref.finalize(self, _ffi.chexpert_dataset_close, handle)
        try:
            # Absolute (the library resolves it), so that a pickled copy opens
            # the same folder whatever its working directory.
            resolved = os.fsdecode(_read_string(_ffi.chexpert_dataset_root, handle))
        except BaseException:
            finalizer()
            raise
        self._root = resolved
        self._handle, self._finalizer, self._pid = handle, finalizer, os.getpid()

    def _checked_handle(self):
        """The handle for a call: a Python error when closed; reopens in a new process."""
        if self._closed:
            raise self._closed_error()
        if self._pid != os.getpid():
            with self._lock:
                if self._closed:
                    raise self._closed_error()
                if self._pid != os.getpid():
                    if self._finalizer is not None:
                        # The parent's handle, inherited through fork: leave it alone.
                        self._finalizer.detach()
                    self._open()
        return self._handle

    def _closed_error(self) -> ChexpertClosedError:
        return _binding_error(ChexpertClosedError, _ffi.CHEXPERT_E_CLOSED,
                              f"the chexpert.Dataset of {self._root} is closed")

    def close(self) -> None:
        """Releases the handle. Idempotent; later calls raise ChexpertClosedError."""
        with self._lock:
            self._closed = True
            finalizer, self._finalizer, self._handle = self._finalizer, None, None
            if finalizer is not None:
                if self._pid == os.getpid():
                    finalizer()
                else:
                    finalizer.detach()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "Dataset":
        self._checked_handle()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __getstate__(self):
        return {"root": self._root, "options": self._options, "closed": self._closed}

    def __setstate__(self, state):
        self._init_state(**state)

    def __repr__(self) -> str:
        status = "closed" if self._closed else f"dct={self.dct!r}"
        return f"<chexpert.Dataset root={self._root!r} {status}>"

    # -- properties ------------------------------------------------------

    @property
    def root(self) -> str:
        """The resolved folder that holds train.csv and valid.csv."""
        return self._root

    @property
    def split_names(self) -> tuple:
        return SPLIT_NAMES

    def _option(self, key: int) -> int:
        value = c_int64()
        _ffi.chexpert_dataset_get_option(self._checked_handle(), key, byref(value))
        return value.value

    @property
    def dct(self) -> str:
        return _DCT_NAMES[self._option(_ffi.CHEXPERT_OPTION_DCT)]

    @property
    def views(self) -> tuple:
        """The projections the splits keep (names of PROJECTION_NAMES)."""
        mask = self._option(_ffi.CHEXPERT_OPTION_SELECT)
        return tuple(name for bit, name in enumerate(PROJECTION_NAMES) if mask >> bit & 1)

    @property
    def on_error(self) -> str:
        value = self._option(_ffi.CHEXPERT_OPTION_ON_ERROR)
        return next(name for name, v in ON_ERROR_VALUES.items() if v == value)

    @property
    def max_pixels(self) -> int:
        return self._option(_ffi.CHEXPERT_OPTION_MAX_PIXELS)

    @property
    def max_file_bytes(self) -> int:
        return self._option(_ffi.CHEXPERT_OPTION_MAX_FILE_BYTES)

    def memory_usage(self) -> int:
        """Bytes the library holds for this handle (fixed after open)."""
        count = c_size_t()
        _ffi.chexpert_dataset_memory_usage(self._checked_handle(), byref(count))
        return count.value

    # -- splits ----------------------------------------------------------

    def split(self, split) -> "Split":
        """A split by name ("train", "validation") or chexpert_split id."""
        if isinstance(split, str):
            try:
                split_id = SPLIT_NAMES.index(split)
            except ValueError:
                raise KeyError(f"unknown split {split!r}; the splits are {SPLIT_NAMES}") from None
        else:
            split_id = operator.index(split)
        return Split(self, split_id)

    __getitem__ = split


class Split(collections.abc.Sequence):
    """The examples of one split, in CSV order; slicing gives a view.

    ``split[i]`` is ``{"image": uint8 (H, W, 3), "label": int64 (L,),
    "image_view": np.int64, "name": bytes}``, as ``tfds.as_numpy`` yields.
    """

    def __init__(self, dataset: Dataset, split_id: int, *, _view=None):
        self._dataset = dataset
        self._id = split_id
        if _view is None:
            handle = dataset._checked_handle()
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
    def dataset(self) -> Dataset:
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
            handle = self._dataset._checked_handle()
            self._label_names = tuple(
                _read_string(_ffi.chexpert_split_label_name, handle, self._id, label).decode()
                for label in range(self._num_labels))
        return self._label_names

    def __len__(self) -> int:
        return len(self._range)

    def __repr__(self) -> str:
        view = "" if self._full else f" view={self._range}"
        return f"<chexpert.Split {self.name!r} len={len(self)}{view}>"

    # -- index mapping ---------------------------------------------------

    def _base_index(self, index) -> int:
        position = operator.index(index)
        count = len(self._range)
        if position < 0:
            position += count
        if self._full:
            return position            # out of range: the library says so
        if not 0 <= position < count:
            raise _out_of_range(
                f"index {index} is outside this view of {count} examples of split {self.name!r}")
        return self._range[position]

    def _base_indices(self, indices) -> np.ndarray:
        positions = np.asarray(indices)
        if positions.ndim != 1:
            raise ValueError(f"indices must be one-dimensional, not of shape {positions.shape}")
        if positions.size and positions.dtype.kind not in "iu":
            raise TypeError(f"indices must be integers, not {positions.dtype}")
        positions = positions.astype(np.int64)
        count = len(self._range)
        positions = np.where(positions < 0, positions + count, positions)
        if not self._full:
            bad = np.flatnonzero((positions < 0) | (positions >= count))
            if bad.size:
                first = bad[0]
                raise _out_of_range(
                    f"indices[{first}] = {np.asarray(indices)[first]} is outside this view "
                    f"of {count} examples of split {self.name!r}")
            positions = self._range.start + positions * self._range.step
        return np.ascontiguousarray(positions, dtype=np.int64)

    # -- examples --------------------------------------------------------

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Split(self._dataset, self._id, _view=(self, self._range[index]))
        return self._example(self._base_index(index))

    def __iter__(self):
        for position in range(len(self)):
            yield self[position]

    def shape(self, index) -> tuple:
        """(H, W, 3) of example `index`, from its JPEG header."""
        height, width = c_int32(), c_int32()
        _ffi.chexpert_example_shape(
            self._dataset._checked_handle(), self._id, self._base_index(index),
            byref(height), byref(width))
        return (height.value, width.value, 3)

    def _name(self, handle, base: int) -> bytes:
        return _read_string(_ffi.chexpert_example_name, handle, self._id, base)

    def _names(self, handle, bases) -> list:
        """Names of `bases` (int64 array) with one chexpert_batch_names call."""
        bases = np.ascontiguousarray(bases, dtype=np.int64)
        size = c_size_t(0)
        buffer = ctypes.create_string_buffer(max(1, bases.size * _NAME_CAPACITY // 2))
        if not _ffi.fits(_ffi.chexpert_batch_names, handle, self._id, _pointer(bases, c_int64),
                         bases.size, buffer, len(buffer), byref(size)):
            buffer = ctypes.create_string_buffer(size.value)
            _ffi.chexpert_batch_names(handle, self._id, _pointer(bases, c_int64), bases.size,
                                      buffer, len(buffer), byref(size))
        return buffer.raw[: size.value].split(b"\0")[:-1] if bases.size else []

    def _example(self, base: int) -> dict:
        handle = self._dataset._checked_handle()
        height, width = c_int32(), c_int32()
        _ffi.chexpert_example_shape(handle, self._id, base, byref(height), byref(width))
        image = np.empty((height.value, width.value, 3), dtype=np.uint8, order="C")
        _ffi.chexpert_example_image(
            handle, self._id, base, _pointer(image, c_uint8), image.nbytes, None, None)
        label = np.empty(self._num_labels, dtype=np.int64)
        _ffi.chexpert_example_labels(handle, self._id, base, _pointer(label, c_int64), label.size)
        view = c_int32()
        _ffi.chexpert_example_view(handle, self._id, base, byref(view))
        return {"image": image, "label": label, "image_view": np.int64(view.value),
                "name": self._name(handle, base)}

    def read_batch(self, indices, num_threads: int = 0, out=None) -> dict:
        """Reads examples `indices` in one call, decoding on `num_threads` threads.

        Returns ``{"image": ..., "label": int64 (N, L), "image_view": int64 (N,),
        "name": list of bytes}``. ``image`` is a uint8 (N, H, W, 3) array when all
        shapes are equal (``out`` if given: C-contiguous, writeable uint8 of exactly
        that shape), else a list of (H, W, 3) arrays viewing one packed buffer.
        ``num_threads=0`` uses every CPU available to the process.
        """
        handle = self._dataset._checked_handle()
        bases = self._base_indices(indices)
        count = bases.size
        num_threads = operator.index(num_threads)
        heights = np.empty(count, dtype=np.int32)
        widths = np.empty(count, dtype=np.int32)
        _ffi.chexpert_batch_shapes(
            handle, self._id, _pointer(bases, c_int64), count,
            _pointer(heights, c_int32), _pointer(widths, c_int32), num_threads)
        uniform = bool(count) and bool(
            (heights == heights[0]).all() and (widths == widths[0]).all())
        if uniform:
            shape = (count, int(heights[0]), int(widths[0]), 3)
        elif count == 0:  # any (0, H, W, 3) out= will do
            shape = out.shape if isinstance(out, np.ndarray) and out.ndim == 4 else (0, 0, 0, 3)
        else:
            shape = None
        if out is not None:
            if shape is None:
                raise ValueError("out= needs images of one shape; this batch has several")
            images = _checked_out(out, shape)
        elif shape is not None:
            images = np.empty(shape, dtype=np.uint8, order="C")
        else:
            sizes = heights.astype(np.int64) * widths.astype(np.int64) * 3
            images = np.empty(int(sizes.sum()), dtype=np.uint8)
        labels = np.empty((count, self._num_labels), dtype=np.int64)
        views = np.empty(count, dtype=np.int32)
        _ffi.chexpert_batch_read(
            handle, self._id, _pointer(bases, c_int64), count,
            _pointer(heights, c_int32), _pointer(widths, c_int32),
            _pointer(images, c_uint8), images.nbytes,
            _pointer(labels, c_int64), labels.size,
            _pointer(views, c_int32), views.size,
            num_threads)
        if shape is None:
            offsets = np.cumsum(sizes)[:-1]
            images = [piece.reshape(int(h), int(w), 3) for piece, h, w
                      in zip(np.split(images, offsets), heights, widths)]
        return {"image": images, "label": labels, "image_view": views.astype(np.int64),
                "name": self._names(handle, bases)}

    def read_batch_resized(self, indices, resize, num_threads: int = 0, out=None,
                           on_error=None) -> dict:
        """Reads examples `indices` decoded and resized as `resize` says, in one call.

        Returns ``{"image": resize.shape(N) array of resize.dtype, "label": int64
        (N, L), "image_view": int64 (N,), "name": list of bytes, "substituted":
        bool (N,)}``; ``on_error="substitute"`` (or the Dataset's) writes a zero
        image for an example that cannot be read and marks it in
        ``substituted``; ``None`` takes the Dataset's policy. ``image`` is
        ``out`` when given: a C-contiguous, writeable, aligned numpy array of
        exactly that shape and dtype. ``num_threads=0`` uses every CPU available
        to the process. Indices out of range raise before anything is written.
        """
        if not isinstance(resize, Resize):
            raise TypeError(f"resize must be a chexpert.Resize, not {type(resize).__name__}")
        bases = self._base_indices(indices)
        count = bases.size
        shape = resize.shape(count)
        if out is None:
            images = np.empty(shape, dtype=resize.dtype)
        else:
            images = _checked_resized_out(out, shape, resize.dtype)
        labels = np.empty((count, self._num_labels), dtype=np.int64)
        views = np.empty(count, dtype=np.int32)
        names, substituted = self._read_resized(bases, resize, operator.index(num_threads),
                                                images, labels, views, names=True, on_error=on_error)
        return {"image": images, "label": labels, "image_view": views.astype(np.int64),
                "name": names, "substituted": substituted}

    def _read_resized(self, bases: np.ndarray, resize: Resize, num_threads: int,
                      images: np.ndarray, labels: np.ndarray, views: np.ndarray, *, names: bool,
                      on_error=None) -> tuple:
        """One chexpert_batch_read_resized call into the given (checked) arrays:
        (names or None, bool (N,) substituted mask)."""
        handle = self._dataset._checked_handle()
        count = bases.size
        params, param_count = resize._params, resize._param_count
        if on_error is not None:
            flat = list(params) + [_ffi.CHEXPERT_RESIZE_ON_ERROR, _on_error(on_error)]
            params, param_count = (c_int64 * len(flat))(*flat), len(flat)
        _ffi.chexpert_batch_read_resized(
            handle, self._id, _pointer(bases, c_int64), count,
            params, param_count,
            resize._mean, resize._std, resize._stats_count,
            images.ctypes.data, images.nbytes,
            _pointer(labels, c_int64), labels.size,
            _pointer(views, c_int32), views.size,
            num_threads)
        substituted = np.zeros(count, dtype=bool)
        substituted[_last_substitutions()[0]] = True
        return (self._names(handle, bases) if names else None), substituted

    def verify(self, indices=None, *, num_threads: int = 0, chunk: int = 256,
               progress: bool = False) -> "VerifyReport":
        """Reads and fully decodes every example of `indices` (default: all of
        this split or view), `chunk` per library call on `num_threads`
        threads, with a tqdm bar if `progress`; returns what failed and why."""
        positions = np.arange(len(self)) if indices is None else np.asarray(indices, dtype=np.int64)
        bases = self._base_indices(positions)
        statuses = np.empty(bases.size, dtype=np.int32)
        bar = None
        if progress:
            from .loader import _tqdm
            bar = _tqdm()(total=bases.size, unit="img", desc=f"verify {self.name}")
        try:
            for first in range(0, bases.size, chunk):
                part = np.ascontiguousarray(bases[first:first + chunk])
                _ffi.chexpert_batch_verify(self._dataset._checked_handle(), self._id,
                                           _pointer(part, c_int64), part.size,
                                           _pointer(statuses[first:first + chunk], c_int32),
                                           operator.index(num_threads))
                if bar is not None:
                    bar.update(part.size)
        finally:
            if bar is not None:
                bar.close()
        failures = []
        for position in np.flatnonzero(statuses != _ffi.CHEXPERT_OK):
            try:                        # the library's message for it
                self._example(int(bases[position]))
                message = "(readable when read again)"
            except ChexpertError as error:
                message = error.message
            failures.append(VerifyFailure(int(positions[position]), self._name(self._dataset._checked_handle(),
                                                                               int(bases[position])),
                                          _ffi.chexpert_status_name(int(statuses[position])).decode(), message))
        return VerifyReport(self.name, bases.size, failures)

    def _labels_and_views(self, *, want_labels: bool):
        handle = self._dataset._checked_handle()
        bases = np.ascontiguousarray(np.asarray(self._range, dtype=np.int64))
        count = bases.size
        labels = np.empty((count, self._num_labels), dtype=np.int64) if want_labels else None
        views = None if want_labels else np.empty(count, dtype=np.int32)
        _ffi.chexpert_batch_read(
            handle, self._id, _pointer(bases, c_int64), count,
            None, None, None, 0,
            None if labels is None else _pointer(labels, c_int64),
            0 if labels is None else labels.size,
            None if views is None else _pointer(views, c_int32),
            0 if views is None else views.size,
            1)
        return labels if want_labels else views.astype(np.int64)

    def labels(self) -> np.ndarray:
        """int64 (N, L): every label vector of the split, in one call (no decoding)."""
        return self._labels_and_views(want_labels=True)

    def views(self) -> np.ndarray:
        """int64 (N,): every image_view of the split, in one call (no decoding)."""
        return self._labels_and_views(want_labels=False)

    def names(self, indices=None) -> list:
        """The names (bytes) of `indices` (default: all of this split or
        view), in one call (no decoding)."""
        bases = self._base_indices(range(len(self)) if indices is None else indices)
        return self._names(self._dataset._checked_handle(), bases)

    def projections(self, indices=None) -> np.ndarray:
        """int64: the chexpert_projection (index into PROJECTION_NAMES) of
        `indices` (default: every example of this split or view)."""
        bases = self._base_indices(range(len(self)) if indices is None else indices)
        out = np.empty(bases.size, dtype=np.int32)
        _ffi.chexpert_batch_projections(self._dataset._checked_handle(), self._id,
                                        _pointer(bases, c_int64), bases.size, _pointer(out, c_int32))
        return out.astype(np.int64)

    def projection_counts(self) -> dict:
        """Rows of the split's CSV per projection, before the ``views``
        selection: ``{"AP": n, "PA": n, "other_frontal": n, "lateral": n}``."""
        counts = np.empty(_ffi.CHEXPERT_PROJECTION_COUNT, dtype=np.int64)
        _ffi.chexpert_split_projection_counts(self._dataset._checked_handle(), self._id,
                                              _pointer(counts, c_int64), counts.size)
        return dict(zip(PROJECTION_NAMES, (int(n) for n in counts)))

    def targets(self, targets, indices=None) -> tuple:
        """(targets, masks): float32 (N, K) training targets of `indices`
        (default: all of this split or view) under `targets` (a
        :class:`~chexpert.Targets`), computed by the library."""
        bases = self._base_indices(range(len(self)) if indices is None else indices)
        return targets.resolve(self).read(bases)


def _last_substitutions() -> tuple:
    """(positions int64, statuses int32) the calling thread's last resized batch substituted."""
    count = c_size_t(0)
    _ffi.fits(_ffi.chexpert_last_substitutions, None, None, 0, byref(count))
    positions = np.empty(count.value, dtype=np.int64)
    statuses = np.empty(count.value, dtype=np.int32)
    if count.value:
        _ffi.chexpert_last_substitutions(_pointer(positions, c_int64), _pointer(statuses, c_int32),
                                         count.value, byref(count))
    return positions, statuses


class VerifyFailure(collections.namedtuple("VerifyFailure", "index name status message")):
    """One example :meth:`Split.verify` could not read: its index in the split
    (or view), name, status constant name and the library's message."""


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


def _checked_out(out, shape: tuple) -> np.ndarray:
    """Validates a caller's ``out=`` array for `shape` (uint8, C order, writeable).

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


def _checked_resized_out(out, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """Validates a caller's ``out=`` for a resized batch: exact shape and dtype,
    C-contiguous, writeable, aligned for its dtype (any 16-byte alignment is)."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, not {type(out).__name__}")
    if out.dtype != dtype:
        raise TypeError(f"out must have dtype {dtype}, not {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"out has shape {out.shape}; this batch needs {shape}")
    if not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")
    if not out.flags.writeable:
        raise ValueError("out must be writeable")
    if not out.flags.aligned or out.ctypes.data % dtype.alignment:
        raise ValueError(f"out must be aligned to {dtype.alignment} bytes for {dtype}")
    return out
