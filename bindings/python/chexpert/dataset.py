"""Dataset: an open CheXpert-v1.0-small folder (one ``chexpert_dataset`` handle).

A :class:`Dataset` frees its handle through :func:`weakref.finalize` (or an
explicit, idempotent :meth:`Dataset.close`), refuses calls once closed before
reaching C (:class:`~chexpert.errors.ChexpertClosedError`), and pickles as its
resolved root and options only: the copy opens its own handle lazily, on
first use in a process whose pid differs from the one that opened it. That is
what PyTorch DataLoader workers need under both ``fork`` and ``spawn``.

The examples are read through :class:`~chexpert.split.Split` (``ds["train"]``).
"""

from __future__ import annotations

import os
import weakref
from ctypes import byref, c_int32, c_int64, c_size_t

from . import _buffers, _checks, _ffi, _forksafe
from . import cache as _cache
from .errors import ChexpertClosedError
from .split import Split, split_id_of
from .vocabulary import LABEL_SOURCES, PROJECTION_NAMES, PROJECTION_SELECTIONS, RELEASE_NAMES, SPLIT_NAMES

__all__ = ["Dataset", "DCT_VALUES", "ON_ERROR_VALUES"]

#: dct names -> chexpert_dct.
DCT_VALUES = {"fast": _ffi.CHEXPERT_DCT_FAST, "accurate": _ffi.CHEXPERT_DCT_ACCURATE}
_DCT_NAMES = {value: name for name, value in DCT_VALUES.items()}

#: Bad-example policies of the library (chexpert_on_error).
ON_ERROR_VALUES = {"raise": _ffi.CHEXPERT_ON_ERROR_RAISE, "substitute": _ffi.CHEXPERT_ON_ERROR_SUBSTITUTE}


def on_error_value(policy: str) -> int:
    """The chexpert_on_error of a policy name ("raise", "substitute")."""
    if policy not in ON_ERROR_VALUES:
        raise ValueError(f"on_error must be one of {tuple(ON_ERROR_VALUES)}, not {policy!r}")
    return ON_ERROR_VALUES[policy]


def _limit(value, name: str) -> int:
    """A MAX_PIXELS / MAX_FILE_BYTES value: 1 ..= CHEXPERT_MAX_LIMIT."""
    return _checks.integer(value, name, 1, _ffi.CHEXPERT_MAX_LIMIT,
                           what=f"1 ... CHEXPERT_MAX_LIMIT ({_ffi.CHEXPERT_MAX_LIMIT})")


def _selection(projections) -> int:
    """A CHEXPERT_SELECT_* mask from a name of PROJECTION_SELECTIONS or a list of them."""
    names = [projections] if isinstance(projections, str) else list(projections)
    mask = 0
    for name in names:
        key = name.lower() if isinstance(name, str) else name
        if key not in PROJECTION_SELECTIONS:
            raise ValueError(f"projections must name some of {tuple(PROJECTION_SELECTIONS)}, "
                             f"not {name!r}")
        mask |= PROJECTION_SELECTIONS[key]
    if not mask:
        raise ValueError("projections selects nothing")
    return mask


class Dataset:
    """An open CheXpert-v1.0-small folder with TFDS ``chexpert`` 3.1.0 semantics.

    Args:
        root: a folder holding one CheXpert release (docs/releases.md): the
            folder holding ``CheXpert-v1.0-small/`` (TFDS's manual_dir), the
            folder holding train.csv and valid.csv, the Kaggle double nest,
            the full-size ``CheXpert-v1.0/`` or the AIMI download (its
            batch folders); :attr:`layout` tells which. ``None``:
            ``$CHEXPERT_ROOT``, else ``~/tensorflow_datasets/downloads/manual``.
        labels: the train split's labels: ``"reports"`` (default: train.csv's,
            as TFDS), ``"chexbert"`` (train_cheXbert.csv) or
            ``"visualchexbert"`` (train_visualCheXbert.csv), joined to
            train.csv by ``Path`` (CHEXPERT_KEY_LABELS).
        dct: ``"fast"`` (default; bit-identical to TFDS/TensorFlow) or
            ``"accurate"`` (libjpeg ISLOW, as Pillow and torchvision decode).
        projections: the rows the splits keep, chosen when the CSVs are read:
            ``"all"`` (default: TFDS's splits), ``"frontal"``, ``"lateral"``,
            ``"ap"``, ``"pa"``, ``"other_frontal"`` (frontal, neither AP nor
            PA), or a list of them (``["ap", "pa"]``); names are ASCII
            case-insensitive. Indices count the kept rows;
            :meth:`Split.projection_counts` reports the CSV's counts.
        on_error: what resized batches do with an example that cannot be
            read: ``"raise"`` (default, as TFDS) or ``"substitute"`` (a zero
            image, reported in the batch's ``substituted`` mask); a call's
            ``on_error=`` overrides it.
        max_pixels, max_file_bytes: the library's limits
            (CHEXPERT_KEY_MAX_PIXELS / _MAX_FILE_BYTES); ``None`` keeps
            its defaults.
        confine_paths: ``True`` (default): a CSV ``Path`` that is absolute or
            whose ``..`` climbs out of the dataset folder fails the open
            (ChexpertCSVError); symbolic links inside the tree are followed.
            ``False`` restores TFDS's ``os.path.join(root, Path)``, which
            opens any file the CSV names: UNSAFE with a CSV you do not trust
            (CHEXPERT_KEY_CONFINE_PATHS).
        cache: a packed cache file (:meth:`build_cache`, docs/cache.md) to
            attach after opening: resized reads then take their pixels from
            it. Pickled copies (DataLoader workers) attach it again.

    Raises:
        ChexpertNotFoundError (FileNotFoundError): a missing folder or CSV.
        ChexpertCSVError (ValueError): a CSV format error (``file``, ``line``,
            ``column``).
        ChexpertArgumentError (ValueError): an option outside its domain.
    """

    def __init__(self, root=None, dct: str = "fast", *, projections="all", on_error: str = "raise",
                 max_pixels=None, max_file_bytes=None, confine_paths: bool = True, cache=None,
                 labels: str = "reports"):
        if dct not in DCT_VALUES:
            raise ValueError(f"dct must be one of {tuple(DCT_VALUES)}, not {dct!r}")
        options = {_ffi.CHEXPERT_KEY_DCT: DCT_VALUES[dct],
                   _ffi.CHEXPERT_KEY_SELECT: _selection(projections),
                   _ffi.CHEXPERT_KEY_ON_ERROR: on_error_value(on_error)}
        if max_pixels is not None:
            options[_ffi.CHEXPERT_KEY_MAX_PIXELS] = _limit(max_pixels, "max_pixels")
        if max_file_bytes is not None:
            options[_ffi.CHEXPERT_KEY_MAX_FILE_BYTES] = _limit(max_file_bytes, "max_file_bytes")
        if not isinstance(confine_paths, bool):
            raise TypeError(f"confine_paths must be True or False, not {confine_paths!r}")
        options[_ffi.CHEXPERT_KEY_CONFINE_PATHS] = int(confine_paths)
        if labels not in LABEL_SOURCES:
            raise ValueError(f"labels must be one of {tuple(LABEL_SOURCES)}, not {labels!r}")
        options[_ffi.CHEXPERT_KEY_LABELS] = LABEL_SOURCES[labels]
        self._init_state(
            root=None if root is None else os.fsdecode(os.fspath(root)),
            options=options, closed=False, cache=_cache.cache_path(cache))
        self._open()

    # -- lifetime --------------------------------------------------------

    def _init_state(self, *, root, options, closed, cache=None):
        self._root = root            # resolved by the library once opened
        self._cache = cache          # absolute path of the attached packed cache, or None
        self._options = dict(options)
        self._closed = closed
        self._handle = None
        self._finalizer = None
        self._pid = None
        _forksafe.register(self)     # self._lock, re-made in a forked child

    def _open(self) -> None:
        handle = _ffi.dataset_p()
        root = None if self._root is None else os.fsencode(self._root)
        options = _ffi.Params(self._options)
        try:
            _ffi.chexpert_dataset_open(byref(handle), root, options)
        finally:
            options.close()
        finalizer = weakref.finalize(self, _ffi.chexpert_dataset_close, handle)
        try:
            # Absolute (the library resolves it), so that a pickled copy opens
            # the same folder whatever its working directory.
            resolved = os.fsdecode(_buffers.read_string(_ffi.chexpert_dataset_root, handle))
        except BaseException:
            finalizer()
            raise
        if self._cache is not None:
            try:
                _ffi.chexpert_dataset_attach_cache(handle, os.fsencode(self._cache))
            except BaseException:
                finalizer()
                raise
        self._root = resolved
        self._handle, self._finalizer, self._pid = handle, finalizer, os.getpid()

    def handle(self):
        """The ``chexpert_dataset *`` for a call (internal API of the package's
        modules: :mod:`chexpert.split`, :mod:`chexpert.training`,
        :mod:`chexpert.targets`, :mod:`chexpert.verify`). Raises
        ChexpertClosedError once closed; reopens in a new process."""
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
        return _ffi.binding_error(_ffi.CHEXPERT_E_CLOSED,
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
        self.handle()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __getstate__(self):
        return {"root": self._root, "options": self._options, "closed": self._closed, "cache": self._cache}

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
        """The splits this dataset has: ("train", "validation"), plus "test"
        where the official test set's files are (:meth:`has_split`)."""
        return tuple(name for name in SPLIT_NAMES if self.has_split(name))

    def has_split(self, split) -> bool:
        """Whether the dataset has ``split`` (a name or chexpert_split id):
        train and validation always, test where its label file was found."""
        if isinstance(split, str):
            if split not in SPLIT_NAMES:
                raise KeyError(f"unknown split {split!r}; the splits are {SPLIT_NAMES}")
            split = SPLIT_NAMES.index(split)
        has = c_int32()
        _ffi.chexpert_dataset_has_split(self.handle(), split_id_of(split), byref(has))
        return bool(has.value)

    @property
    def layout(self) -> str:
        """The release detected at open: "small", "small_nested", "full" or
        "aimi" (chexpert_release; docs/releases.md)."""
        release = c_int32()
        _ffi.chexpert_dataset_release(self.handle(), byref(release))
        return RELEASE_NAMES[release.value]

    @property
    def labels(self) -> str:
        """The train split's label source (``labels=`` at open)."""
        value = self._option(_ffi.CHEXPERT_KEY_LABELS)
        return next(name for name, v in LABEL_SOURCES.items() if v == value)

    def _option(self, key: int) -> int:
        value = c_int64()
        _ffi.chexpert_dataset_get_option(self.handle(), key, byref(value))
        return value.value

    @property
    def dct(self) -> str:
        return _DCT_NAMES[self._option(_ffi.CHEXPERT_KEY_DCT)]

    @property
    def projections(self) -> tuple:
        """The projections the splits keep (names of PROJECTION_NAMES)."""
        mask = self._option(_ffi.CHEXPERT_KEY_SELECT)
        return tuple(name for bit, name in enumerate(PROJECTION_NAMES) if mask >> bit & 1)

    @property
    def on_error(self) -> str:
        value = self._option(_ffi.CHEXPERT_KEY_ON_ERROR)
        return next(name for name, v in ON_ERROR_VALUES.items() if v == value)

    @property
    def max_pixels(self) -> int:
        return self._option(_ffi.CHEXPERT_KEY_MAX_PIXELS)

    @property
    def max_file_bytes(self) -> int:
        return self._option(_ffi.CHEXPERT_KEY_MAX_FILE_BYTES)

    def memory_usage(self) -> int:
        """Bytes the library holds for this handle (fixed after open)."""
        count = c_size_t()
        _ffi.chexpert_dataset_memory_usage(self.handle(), byref(count))
        return count.value

    # -- packed cache (chexpert.cache, docs/cache.md) ---------------------

    @property
    def cache(self):
        """The absolute path of the attached packed cache, or None."""
        return self._cache

    def attach_cache(self, path) -> None:
        """Attaches the packed cache at ``path`` (``None`` detaches): resized
        reads take their pixels from it. Raises ChexpertStaleCacheError
        (naming what differs) for a cache of other sources, a truncated,
        corrupt or foreign file; the current cache is then kept."""
        _cache.attach(self, path)

    def build_cache(self, path, size=None, *, height=None, width=None, fit: str = "cover",
                    filter: str = "area", num_threads: int = 0, progress: bool = False,
                    on_error=None, dct=None) -> None:
        """Writes a packed cache of every split (:func:`chexpert.cache.build`)."""
        _cache.build(self, path, size, height=height, width=width, fit=fit, filter=filter,
                     num_threads=num_threads, progress=progress, on_error=on_error, dct=dct)

    # -- splits ----------------------------------------------------------

    def split(self, split) -> Split:
        """A split by name ("train", "validation", "test") or chexpert_split
        id; a split the dataset does not have raises ChexpertNotFoundError."""
        if isinstance(split, str):
            try:
                split_id = SPLIT_NAMES.index(split)
            except ValueError:
                raise KeyError(f"unknown split {split!r}; the splits are {SPLIT_NAMES}") from None
        else:
            split_id = split_id_of(split)
        return Split(self, split_id)

    __getitem__ = split
