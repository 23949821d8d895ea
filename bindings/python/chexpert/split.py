"""Split: the examples of one split as numpy arrays with the types of ``tfds.as_numpy``.

Images go straight from the library into numpy arrays allocated here (or the
caller's validated ``out=``): no copies. Every batch method is one C call per
kind of output (images, labels, views, ...), each written straight into the
array it returns, and decodes on native threads with the GIL released.

Indices are checked before any C call, by :mod:`chexpert._checks`: integers
only (Python, numpy of any integer dtype, uint64 included; bool and float
are a TypeError), inside the split or view (else
:class:`~chexpert.errors.ChexpertIndexError`, an IndexError, also for values
outside int64 that a cast would wrap); negative indices count from the end,
as for a Python sequence; slices clamp as Python's.
"""

from __future__ import annotations

import collections.abc
import weakref
from ctypes import byref, c_char, c_int32, c_int64, c_size_t, c_uint8

import numpy as np

from . import _buffers, _checks, _ffi
from ._buffers import address
from ._job import Job
from .resize import Resize
from .training import read_training_batch
from .vocabulary import PROJECTION_NAMES, SPLIT_NAMES

__all__ = ["Split"]

_NAME_GUESS = 128
#: Pixel calls a read makes when files keep growing between a size query and
#: the call that decodes them (each retry sizes the buffer for what it found).
_READ_ATTEMPTS = 3
# read_batch's first guess of the bytes of one image (virtual memory: the
# buffer is shrunk to the images' bytes when far too big).
_GUESS_IMAGE_BYTES = 1 << 20


class _Packing:
    """read_batch's state for one split of one dataset: the largest image
    bytes it has met (its guess for the next buffer), and its recycled
    packed buffers."""

    __slots__ = ("largest", "recycler")

    def __init__(self):
        self.largest = 0
        self.recycler = _buffers.Recycler()


# Per dataset, per split id: its _Packing.
_PACKING: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def split_id_of(split) -> int:
    """A chexpert_split value (0 train, 1 validation, 2 test), checked."""
    return _checks.integer(split, "split", 0, _ffi.CHEXPERT_NUM_SPLITS_ALL - 1, ctype=_checks.INT32,
                           what=f"0 ... {_ffi.CHEXPERT_NUM_SPLITS_ALL - 1} (the chexpert_split ids)")


class Split(collections.abc.Sequence):
    """The examples of one split, in CSV order; slicing gives a view.

    ``split[i]`` is ``{"image": uint8 (H, W, 3), "label": int64 (L,),
    "image_view": np.int64, "name": bytes}``, as ``tfds.as_numpy`` yields.
    """

    def __init__(self, dataset, split_id: int, *, _view=None):
        self._dataset = dataset
        self._id = split_id_of(split_id)
        if _view is None:
            handle = dataset.handle()
            count, labels = c_int64(), c_int32()
            _ffi.chexpert_split_size(handle, self._id, byref(count))
            _ffi.chexpert_split_num_labels(handle, self._id, byref(labels))
            self._range = range(count.value)
            self._size = count.value        # the whole split's, also for its views
            self._full = True
            self._num_labels = labels.value
            self._label_names = None
        else:
            parent, self._range = _view
            self._size = parent._size
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

    def _where(self) -> str:
        return f"split {self.name!r}" if self._full else f"this view of split {self.name!r}"

    def base_index(self, index) -> int:
        """The split-wide index of position `index` of this split or view
        (negative counts from the end). TypeError for a bool or non-integer,
        ChexpertIndexError (IndexError) when out of range."""
        return self._range[_checks.index(index, len(self._range), where=self._where())]

    def base_indices(self, indices) -> np.ndarray:
        """The split-wide indices (C-contiguous int64) of positions `indices`
        of this split or view, checked as :meth:`base_index` does
        (:func:`chexpert._checks.positions`: integer dtypes only, uint64
        included; bool and float refused)."""
        positions = _checks.positions(indices, len(self._range), where=self._where)
        if positions.size and not self._full:
            positions = self._range.start + positions * self._range.step
        return np.ascontiguousarray(positions, dtype=np.int64)

    def _all_or(self, indices) -> np.ndarray:
        if indices is None:
            return np.arange(self._range.start, self._range.stop, self._range.step, dtype=np.int64)
        return self.base_indices(indices)

    # -- examples --------------------------------------------------------

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Split(self._dataset, self._id,
                         _view=(self, _checks.slice_of(index, self._range)))
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
        queried = (height.value, width.value)
        for attempt in range(_READ_ATTEMPTS):
            buffer = _buffers.empty(height.value * width.value * 3, np.uint8)
            try:
                # The shape the pixel call decoded is the one used: the file
                # may have changed since the size query.
                _ffi.chexpert_example_image(handle, self._id, base, _buffers.pointer(buffer, c_uint8),
                                            buffer.nbytes, byref(height), byref(width))
                break
            except _ffi.ChexpertError as error:
                if error.code != _ffi.CHEXPERT_E_BUFFER_TOO_SMALL:
                    raise
                if attempt == _READ_ATTEMPTS - 1:
                    raise self._changed([base], [queried], [(height.value, width.value)]) from error
        image = buffer[: height.value * width.value * 3].reshape(height.value, width.value, 3)
        label = _buffers.empty(self._num_labels, np.int64)
        _ffi.chexpert_example_labels(handle, self._id, base, _buffers.pointer(label, c_int64),
                                     label.size)
        view = c_int64()
        _ffi.chexpert_example_view(handle, self._id, base, byref(view))
        name = _buffers.read_string(_ffi.chexpert_example_name, handle, self._id, base)
        return {"image": image, "label": label, "image_view": np.int64(view.value), "name": name}

    def _read_packed(self, handle, bases, p_bases, params, shapes, p_shapes):
        """`read_batch`'s images without ``out``, `shapes` set: one
        chexpert_batch_images call (each file read once) into a buffer of
        ``count`` times the largest image bytes this split has given
        (_GUESS_IMAGE_BYTES before its first batch), taken from the split's
        recycler (a buffer no earlier batch still uses, else a new one); the
        images view its first bytes (:func:`_unpack`). A too-small guess
        costs a second call sized from the shapes the first found."""
        count = bases.size
        per_split = _PACKING.get(self._dataset) or _PACKING.setdefault(self._dataset, {})
        packing = per_split.get(self._id) or per_split.setdefault(self._id, _Packing())
        capacity = count * (packing.largest or _GUESS_IMAGE_BYTES)
        before = None
        for attempt in range(_READ_ATTEMPTS):
            buffer = packing.recycler.take(capacity)
            try:
                _ffi.chexpert_batch_images(handle, self._id, p_bases, count, params,
                                           address(buffer, c_uint8), buffer.nbytes, p_shapes)
                break
            except _ffi.ChexpertError as error:
                # Too small: `shapes` holds what this call found, so the next
                # buffer fits it unless a file grows meanwhile.
                if error.code != _ffi.CHEXPERT_E_BUFFER_TOO_SMALL:
                    raise
                if attempt == _READ_ATTEMPTS - 1:
                    raise self._changed(bases, before, shapes) from error
                before = shapes.copy()
                capacity = _packed_bytes(shapes)
        # Views of the packed bytes; the buffer goes back to the recycler once
        # no view of it is alive.
        images, largest = _unpack(buffer, shapes)
        if largest > packing.largest:
            packing.largest = largest
        return images

    def _out_mismatch(self, bases, shapes, out) -> ValueError:
        """ValueError: read_batch's images do not all have out's shape."""
        uniform = _uniform_shape(shapes, out)
        if uniform is None:
            head = "out= needs images of one shape; this batch has several"
        else:
            head = f"out has shape {out.shape}; this batch needs {uniform}"
        expected = tuple(out.shape[1:3]) if out.ndim == 4 else None
        odd = [k for k in range(bases.size) if tuple(int(v) for v in shapes[k]) != expected]
        if expected is None or not odd or len(odd) == bases.size:
            return ValueError(head)
        names = self._names_at(np.ascontiguousarray([bases[k] for k in odd[:8]], dtype=np.int64))
        details = ", ".join(f"position {k} ({name.decode(errors='replace')}) is {shapes[k, 0]}x{shapes[k, 1]}"
                            for k, name in zip(odd, names))
        return ValueError(f"{head}: out's images are {expected[0]}x{expected[1]}; {details}"
                          + (", ..." if len(odd) > 8 else ""))

    def _changed(self, bases, before, after) -> "_ffi.ChexpertError":
        """ChexpertIOError: files that changed shape while a call read them."""
        changed = [k for k, (b, a) in enumerate(zip(before, after)) if tuple(b) != tuple(a)]
        if not changed:
            return _ffi.binding_error(
                _ffi.CHEXPERT_E_IO, "the images changed while they were read (their sizes kept "
                                    "growing past the buffer sized for them); read them again")
        names = self._names_at(np.ascontiguousarray([bases[k] for k in changed], dtype=np.int64))
        details = ", ".join(
            f"position {k} ({name.decode(errors='replace')}): {before[k][0]}x{before[k][1]} "
            f"then {after[k][0]}x{after[k][1]}" for k, name in zip(changed, names))
        return _ffi.binding_error(
            _ffi.CHEXPERT_E_IO, f"{len(changed)} image file(s) changed while they were read: {details}")

    def read_batch(self, indices, num_threads: int = 0, out=None) -> dict:
        """Reads examples `indices` (TFDS's pixels), decoding on `num_threads` threads.

        Returns ``{"image": ..., "label": int64 (N, L), "image_view": int64 (N,),
        "name": list of bytes}``. ``image`` is a uint8 (N, H, W, 3) array when all
        shapes are equal (``out`` if given: C-contiguous, writeable uint8 of exactly
        that shape), else a list of (H, W, 3) arrays viewing one packed buffer.
        ``num_threads=0`` uses every CPU available to the process.

        Each file is read once: one pixel call into a buffer of a guessed
        size (``out``, or a new buffer sized from the largest image this split
        has given; shrunk in place when far too big). Only an
        image larger than the guess makes a second call, into a buffer sized
        from the shapes the first call found; the shapes returned are always
        those of the call that decoded the pixels (a file that changes in
        between is read with its new shape, or, if it keeps growing, raises
        ChexpertIOError naming it). With ``out=``, images whose shapes are not
        all out's raise ValueError naming them after the call (``out``'s
        contents are then unspecified).
        """
        bases = self.base_indices(indices)
        params = _ffi.threads_params(_checks.thread_count(num_threads))
        handle = self._dataset.handle()
        count = bases.size
        shapes = np.empty((count, 2), np.int32)
        p_bases, p_shapes = address(bases, c_int64), address(shapes, c_int32)
        if out is not None:
            images = _checked_image_out(out, None)
            try:
                _ffi.chexpert_batch_images(handle, self._id, p_bases, count, params,
                                           address(images, c_uint8), images.nbytes, p_shapes)
            except _ffi.ChexpertError as error:
                # Too small: the shapes are set; a mixed batch is out='s misuse.
                if error.code == _ffi.CHEXPERT_E_BUFFER_TOO_SMALL and _uniform_shape(shapes, out) is None:
                    raise self._out_mismatch(bases, shapes, out) from error
                raise
            shape = _uniform_shape(shapes, out)
            if shape is None or images.shape != shape:
                raise self._out_mismatch(bases, shapes, out)
        else:
            images = self._read_packed(handle, bases, p_bases, params, shapes, p_shapes)
        return {"image": images, "label": self._labels_at(bases, None, p_bases),
                "image_view": self._views_at(bases, None, p_bases),
                "name": self._names_at(bases, p_bases)}

    def read_batch_resized(self, indices, resize, num_threads: int = 0, out=None,
                           on_error=None, epoch: int = 0) -> dict:
        """Reads examples `indices` decoded and resized as `resize` says.

        Returns ``{"image": resize.shape(N) array of resize.dtype, "label": int64
        (N, L), "image_view": int64 (N,), "name": list of bytes, "substituted":
        bool (N,)}``: :func:`chexpert.training.read_training_batch` with
        ``names=True``. ``on_error="substitute"`` (or the Dataset's) writes a
        zero image for an example that cannot be read and marks it in
        ``substituted``; ``None`` takes the Dataset's policy. ``image`` is
        ``out`` when given: a C-contiguous, writeable, aligned numpy array of
        exactly that shape and dtype. Indices out of range raise before
        anything is written. `epoch` draws `resize`'s augmentation, if any.
        """
        batch = read_training_batch(self, indices, resize, num_threads=num_threads,
                                    on_error=on_error, names=True, substituted=True,
                                    out=None if out is None else {"image": out}, epoch=epoch)
        del batch["index"]
        return batch

    def resized_images(self, indices, resize, *, num_threads: int = 0, on_error=None,
                       out=None, epoch: int = 0) -> tuple:
        """(images, statuses): one ``chexpert_batch_resized`` call.

        ``images`` is a ``resize.shape(N)`` array of ``resize.dtype`` (`out`
        if given, checked); ``statuses`` int32 (N,) holds each example's
        chexpert_status (non-zero only for examples substituted under
        ``on_error="substitute"``). `epoch` draws `resize`'s augmentation.
        """
        _check_resize(resize)
        return self._resized_at(self.base_indices(indices), resize, num_threads, on_error, out, epoch)

    # The ``_*_at`` methods are the package's internal API for checked
    # split-wide `bases` (`p_bases`: their address, when the caller has it):
    # chexpert.training.read_training_batch uses them.

    def _resized_at(self, bases, resize, num_threads, on_error, out, epoch, p_bases=None,
                    job: bool = False) -> tuple:
        """:meth:`resized_images` of `bases`; with `job`, started as a library
        job: ``(images, statuses, Job)``, the arrays written once the Job is
        waited for."""
        _check_resize(resize)
        params = resize.params(_checks.thread_count(num_threads), on_error, epoch)
        images = _buffers.output(out, resize.shape(bases.size), resize.dtype)
        statuses = np.empty(bases.size, np.int32)
        if p_bases is None:
            p_bases = address(bases, c_int64)
        args = (self._dataset.handle(), self._id, p_bases, bases.size, params,
                address(images, c_uint8), images.nbytes, address(statuses, c_int32))
        if job:
            return images, statuses, Job(_ffi.chexpert_batch_resized_start, args, (images, statuses))
        _ffi.chexpert_batch_resized(*args)
        return images, statuses

    # -- per-example data without decoding -------------------------------

    def _int64_batch(self, function, bases, out, shape_tail: tuple, p_bases=None) -> np.ndarray:
        """One int64 batch call for already-checked split-wide `bases`
        (`p_bases`: their address, if the caller has it)."""
        result = _buffers.output(out, (bases.size,) + shape_tail, np.int64)
        if p_bases is None:
            p_bases = address(bases, c_int64)
        function(self._dataset.handle(), self._id, p_bases, bases.size, address(result, c_int64),
                 result.size)
        return result

    def labels(self, indices=None, *, out=None) -> np.ndarray:
        """int64 (N, L): the label vectors of `indices` (default: every example
        of this split or view), in one call, no decoding; into `out` if given."""
        return self._labels_at(self._all_or(indices), out)

    def _labels_at(self, bases, out=None, p_bases=None) -> np.ndarray:
        return self._int64_batch(_ffi.chexpert_batch_labels, bases, out, (self._num_labels,), p_bases)

    def image_views(self, indices=None, *, out=None) -> np.ndarray:
        """int64 (N,): the TFDS ``image_view`` (0 frontal, 1 lateral) of
        `indices` (default: all of this split or view), in one call."""
        return self._views_at(self._all_or(indices), out)

    def _views_at(self, bases, out=None, p_bases=None) -> np.ndarray:
        return self._int64_batch(_ffi.chexpert_batch_views, bases, out, (), p_bases)

    def projections(self, indices=None, *, out=None) -> np.ndarray:
        """int64 (N,): the chexpert_projection (index into PROJECTION_NAMES) of
        `indices` (default: all of this split or view), in one call."""
        return self._int64_batch(_ffi.chexpert_batch_projections, self._all_or(indices), out, ())

    def names(self, indices=None) -> list:
        """The names (bytes, the CSV ``Path`` cells) of `indices` (default: all
        of this split or view), in one call (no decoding)."""
        return self._names_at(self._all_or(indices))

    def _names_at(self, bases, p_bases=None) -> list:
        count = bases.size
        if not count:
            return []
        handle = self._dataset.handle()
        p_bases = address(bases, c_int64) if p_bases is None else p_bases
        size = c_size_t(0)
        # Uninitialised: only the `size` bytes the library wrote are read.
        buffer = np.empty(count * _NAME_GUESS, np.uint8)
        try:
            _ffi.chexpert_batch_names(handle, self._id, p_bases, count, address(buffer, c_char),
                                      buffer.nbytes, byref(size))
        except _ffi.ChexpertError as error:
            if error.code != _ffi.CHEXPERT_E_BUFFER_TOO_SMALL:
                raise
            _ffi.chexpert_batch_names(handle, self._id, p_bases, count, None, 0, byref(size))
            buffer = np.empty(size.value, np.uint8)
            _ffi.chexpert_batch_names(handle, self._id, p_bases, count, address(buffer, c_char),
                                      buffer.nbytes, byref(size))
        return buffer[: size.value].tobytes().split(b"\0")[:-1]

    def projection_counts(self) -> dict:
        """Rows of the split's CSV per projection, before the ``projections``
        selection: ``{"ap": n, "pa": n, "other_frontal": n, "lateral": n}``."""
        counts = _buffers.empty(_ffi.CHEXPERT_NUM_PROJECTIONS, np.int64)
        _ffi.chexpert_split_projection_counts(self._dataset.handle(), self._id,
                                              _buffers.pointer(counts, c_int64), counts.size)
        return dict(zip(PROJECTION_NAMES, (int(n) for n in counts)))

    # -- metadata and studies (chexpert.metadata) -------------------------

    def metadata(self, indices=None) -> dict:
        """{field: int64 (N,)} of `indices` (default: all of this split or
        view): patient, study, view_number, sex, age, projection, image_view,
        study_index (see :mod:`chexpert.metadata`)."""
        from . import metadata
        return metadata.metadata(self, indices)

    def to_pandas(self, indices=None):
        """A pandas DataFrame of names, metadata and labels (pandas is optional)."""
        from . import metadata
        return metadata.to_pandas(self, indices)

    def studies(self) -> list:
        """Example indices grouped by study (list of int64 arrays, study order)."""
        from . import metadata
        return metadata.studies(self)

    def targets(self, targets, indices=None, *, out=None) -> tuple:
        """(targets, masks): float32 (N, K) training targets of `indices`
        (default: all of this split or view) under `targets` (a
        :class:`~chexpert.Targets`), computed by the library; into `out`, a
        (targets, masks) pair of arrays, if given."""
        from .targets import ResolvedTargets
        bases = self._all_or(indices)           # checked before any call
        resolved = targets if isinstance(targets, ResolvedTargets) else targets.resolve(self)
        return resolved.read(bases, out=out)

    def verify(self, indices=None, *, num_threads: int = 0, chunk: int = 256,
               progress: bool = False):
        """Reads and fully decodes every example of `indices` (default: all of
        this split or view), `chunk` per library call on `num_threads`
        threads, with a tqdm bar if `progress`; returns a
        :class:`~chexpert.verify.VerifyReport` of what failed and why."""
        from .verify import verify
        return verify(self, indices, num_threads=num_threads, chunk=chunk, progress=progress)


def _packed_bytes(shapes: np.ndarray) -> int:
    """Bytes of images of `shapes` ((N, 2) heights and widths) packed back to back."""
    return int((shapes[:, 0].astype(np.int64) * shapes[:, 1].astype(np.int64) * 3).sum())


def _uniform_shape(shapes: np.ndarray, out):
    """(N, H, W, 3) when every shape is equal; for N = 0 `out`'s shape if it
    is a 4-D array, else (0, 0, 0, 3); None when the shapes differ."""
    count = shapes.shape[0]
    if count == 0:
        return tuple(out.shape) if isinstance(out, np.ndarray) and out.ndim == 4 else (0, 0, 0, 3)
    if not (shapes == shapes[0]).all():
        return None
    return (count, int(shapes[0, 0]), int(shapes[0, 1]), 3)


def _unpack(buffer: np.ndarray, shapes: np.ndarray) -> tuple:
    """(images, largest): the images packed in `buffer` with the `shapes`
    the library decoded, one (N, H, W, 3) view when all are equal (as
    :func:`_uniform_shape` says), else a list of (H, W, 3) views; and the
    bytes of the largest (0 for none). One pass over the shapes."""
    rows = shapes.tolist()
    count = len(rows)
    if not count:
        return buffer[:0].reshape(0, 0, 0, 3), 0
    height, width = rows[0]
    if rows.count(rows[0]) == count:
        largest = height * width * 3
        return buffer[:count * largest].reshape(count, height, width, 3), largest
    views = []
    offset = largest = 0
    for height, width in rows:
        size = height * width * 3
        end = offset + size
        views.append(buffer[offset:end].reshape(height, width, 3))
        offset = end
        if size > largest:
            largest = size
    return views, largest


def _check_resize(resize) -> None:
    if not isinstance(resize, Resize):
        raise TypeError(f"resize must be a chexpert.Resize, not {type(resize).__name__}")


def _checked_image_out(out, shape) -> np.ndarray:
    """Validates a caller's ``out=`` for `read_batch` (uint8, C order, writeable;
    with `shape` not None: also that shape, when out has the bytes for it).

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
    if shape is None:
        return out
    needed = int(np.prod(shape, dtype=np.int64))
    if out.nbytes >= needed and out.shape != shape:
        raise ValueError(f"out has shape {out.shape}; this batch needs {shape}")
    return out
