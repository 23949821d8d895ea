"""The one ctypes declaration file for include/chexpert.h (libchexpert 1.0, ABI 2).

Every function of the header is declared here, through :func:`_declare`, which
always sets ``argtypes`` and ``restype`` and, for the functions that return a
status (``int``), attaches :func:`_check_status` as ``errcheck``: a failure
raises the :mod:`chexpert.errors` class of its status, carrying
``chexpert_last_error()`` read right after the call on the same thread. The C
prototype stands next to each declaration; ``Tests/python/test_header.py``
checks both, and every constant, against the header (clang's AST) and the
committed ABI description.

Type mapping: ``const char *`` in or out (returned static strings) is
``c_char_p``; a ``char *`` output buffer is ``POINTER(c_char)``; the opaque
handles are ``POINTER(chexpert_dataset)`` and ``POINTER(chexpert_params)``
(``const`` or not); ``const float *`` is ``POINTER(c_float)``; ``void *`` is
``c_void_p``; ``NULL`` is ``None``.

:class:`Params` owns one ``chexpert_params`` handle; a :class:`Params` can be
passed wherever the header takes a ``const chexpert_params *``.
"""

from __future__ import annotations

import ctypes
import weakref
from ctypes import (
    POINTER, byref, c_char, c_char_p, c_float, c_int, c_int32, c_int64, c_size_t, c_uint8,
    c_uint32, c_void_p)

from . import _library
from .errors import ChexpertError, make_error

LIBRARY, LIBRARY_PATH = _library.load()

# --------------------------------------------------------------------------
# Constants (names and values as in chexpert.h; checked by test_header.py)
# --------------------------------------------------------------------------

CHEXPERT_VERSION_MAJOR = 1
CHEXPERT_VERSION_MINOR = 0
CHEXPERT_VERSION_PATCH = 0
CHEXPERT_VERSION_NUMBER = 10000
CHEXPERT_VERSION_STRING = "1.0.0"
CHEXPERT_ABI_VERSION = 2

# enum chexpert_status
CHEXPERT_OK = 0
CHEXPERT_E_INVALID_ARGUMENT = -1
CHEXPERT_E_NULL_POINTER = -2
CHEXPERT_E_OUT_OF_RANGE = -3
CHEXPERT_E_BUFFER_TOO_SMALL = -4
CHEXPERT_E_CLOSED = -5
CHEXPERT_E_NOT_FOUND = -6
CHEXPERT_E_IO = -7
CHEXPERT_E_CSV = -8
CHEXPERT_E_IMAGE = -9
CHEXPERT_E_LIMIT = -10
CHEXPERT_E_NO_MEMORY = -11
CHEXPERT_E_INTERNAL = -12
CHEXPERT_E_STALE = -13

# enum chexpert_split
CHEXPERT_SPLIT_TRAIN = 0
CHEXPERT_SPLIT_VALIDATION = 1
CHEXPERT_NUM_SPLITS = 2

# enum chexpert_label_class
CHEXPERT_LABEL_UNCERTAIN = 0
CHEXPERT_LABEL_POSITIVE = 1
CHEXPERT_LABEL_NEGATIVE = 2
CHEXPERT_LABEL_UNMENTIONED = 3
CHEXPERT_NUM_LABEL_CLASSES = 4

# enum chexpert_view
CHEXPERT_VIEW_FRONTAL = 0
CHEXPERT_VIEW_LATERAL = 1
CHEXPERT_NUM_VIEWS = 2

# enum chexpert_projection
CHEXPERT_PROJECTION_AP = 0
CHEXPERT_PROJECTION_PA = 1
CHEXPERT_PROJECTION_OTHER_FRONTAL = 2
CHEXPERT_PROJECTION_LATERAL = 3
CHEXPERT_NUM_PROJECTIONS = 4

# enum chexpert_key
CHEXPERT_KEY_DCT = 1
CHEXPERT_KEY_MAX_PIXELS = 2
CHEXPERT_KEY_MAX_FILE_BYTES = 3
CHEXPERT_KEY_SELECT = 4
CHEXPERT_KEY_ON_ERROR = 5
CHEXPERT_KEY_THREADS = 6
CHEXPERT_KEY_HEIGHT = 7
CHEXPERT_KEY_WIDTH = 8
CHEXPERT_KEY_CHANNELS = 9
CHEXPERT_KEY_LAYOUT = 10
CHEXPERT_KEY_DTYPE = 11
CHEXPERT_KEY_FIT = 12
CHEXPERT_KEY_FILTER = 13
CHEXPERT_KEY_NORMALIZE = 14
CHEXPERT_KEY_MEAN = 15
CHEXPERT_KEY_STD = 16
CHEXPERT_KEY_TARGET_PRESET = 17
CHEXPERT_KEY_TARGET_NO_FINDING = 18
CHEXPERT_KEY_TARGET_MASKED_NAN = 19
CHEXPERT_KEY_SHUFFLE = 20
CHEXPERT_KEY_SEED = 21
CHEXPERT_KEY_EPOCH = 22
CHEXPERT_KEY_START = 23
CHEXPERT_KEY_RANK = 24
CHEXPERT_KEY_WORLD = 25
CHEXPERT_KEY_REMAINDER = 26
CHEXPERT_KEY_CONFINE_PATHS = 27

# enum chexpert_dct
CHEXPERT_DCT_FAST = 0x0100
CHEXPERT_DCT_ACCURATE = 0x0101

# enum chexpert_on_error
CHEXPERT_ON_ERROR_RAISE = 0x0500
CHEXPERT_ON_ERROR_SUBSTITUTE = 0x0501

# enum chexpert_layout
CHEXPERT_LAYOUT_NHWC = 0x0A00
CHEXPERT_LAYOUT_NCHW = 0x0A01

# enum chexpert_dtype
CHEXPERT_DTYPE_UINT8 = 0x0B00
CHEXPERT_DTYPE_FLOAT32 = 0x0B01

# enum chexpert_fit
CHEXPERT_FIT_COVER = 0x0C00
CHEXPERT_FIT_CONTAIN = 0x0C01
CHEXPERT_FIT_STRETCH = 0x0C02

# enum chexpert_filter
CHEXPERT_FILTER_AREA = 0x0D00
CHEXPERT_FILTER_BILINEAR = 0x0D01

# enum chexpert_normalize
CHEXPERT_NORMALIZE_NONE = 0x0E00
CHEXPERT_NORMALIZE_UNIT = 0x0E01
CHEXPERT_NORMALIZE_IMAGENET = 0x0E02
CHEXPERT_NORMALIZE_XRV = 0x0E03
CHEXPERT_NORMALIZE_CUSTOM = 0x0E04

# enum chexpert_preset
CHEXPERT_PRESET_PAPER = 0x1100
CHEXPERT_PRESET_LIBAUC = 0x1101
CHEXPERT_PRESET_XRV = 0x1102

# enum chexpert_remainder
CHEXPERT_REMAINDER_PAD = 0x1A00
CHEXPERT_REMAINDER_DROP = 0x1A01
CHEXPERT_REMAINDER_UNEVEN = 0x1A02

# enum chexpert_uncertain
CHEXPERT_UNCERTAIN_IGNORE = 0x4000
CHEXPERT_UNCERTAIN_ZEROS = 0x4001
CHEXPERT_UNCERTAIN_ONES = 0x4002
CHEXPERT_UNCERTAIN_MULTICLASS = 0x4003
CHEXPERT_UNCERTAIN_RAW = 0x4004

# enum chexpert_blank
CHEXPERT_BLANK_NEGATIVE = 0x4100
CHEXPERT_BLANK_IGNORE = 0x4101

# enum chexpert_target_flag
CHEXPERT_TARGET_NO_FINDING = 1
CHEXPERT_TARGET_MASKED_NAN = 2

# CHEXPERT_SELECT_* (1 << chexpert_projection)
CHEXPERT_SELECT_AP = 1 << CHEXPERT_PROJECTION_AP
CHEXPERT_SELECT_PA = 1 << CHEXPERT_PROJECTION_PA
CHEXPERT_SELECT_OTHER_FRONTAL = 1 << CHEXPERT_PROJECTION_OTHER_FRONTAL
CHEXPERT_SELECT_LATERAL = 1 << CHEXPERT_PROJECTION_LATERAL
CHEXPERT_SELECT_FRONTAL = CHEXPERT_SELECT_AP | CHEXPERT_SELECT_PA | CHEXPERT_SELECT_OTHER_FRONTAL
CHEXPERT_SELECT_ALL = CHEXPERT_SELECT_FRONTAL | CHEXPERT_SELECT_LATERAL

# Limits
CHEXPERT_DEFAULT_MAX_PIXELS = 100000000
CHEXPERT_DEFAULT_MAX_FILE_BYTES = 1 << 28
CHEXPERT_MAX_LIMIT = 1 << 31
CHEXPERT_MAX_CSV_BYTES = 1 << 30
CHEXPERT_MAX_CSV_COLUMNS = 65536
CHEXPERT_MAX_CSV_LINE_BYTES = 1 << 20
CHEXPERT_MAX_THREADS = 1024
CHEXPERT_MAX_SIDE = 65535
CHEXPERT_MAX_RULES = 4096
CHEXPERT_MAX_WORLD = 1 << 30
CHEXPERT_MAX_SHARD_COUNT = 1 << 30
CHEXPERT_MAX_SCRATCH_BYTES = 1 << 30

CHEXPERT_ORDER_VERSION = 1


class chexpert_dataset(ctypes.Structure):
    """Opaque ``struct chexpert_dataset``; only pointers to it are used."""


class chexpert_params(ctypes.Structure):
    """Opaque ``struct chexpert_params``; only pointers to it are used."""


dataset_p = POINTER(chexpert_dataset)
params_p = POINTER(chexpert_params)


# --------------------------------------------------------------------------
# Declaration helper and errcheck
# --------------------------------------------------------------------------

def _check_status(result, func, args):
    """errcheck: nonzero status -> the errors-module class, with the thread's message."""
    if result == CHEXPERT_OK:
        return result
    # Copy the message first: it is valid only until the next chexpert_* call
    # on this thread (ctypes turns the c_char_p result into bytes at once).
    message = chexpert_last_error().decode("utf-8", "replace")
    name = chexpert_status_name(result).decode("ascii")
    raise make_error(result, name, message)


def binding_error(code: int, message: str) -> ChexpertError:
    """An error the binding finds itself, of the class and name the library
    would give that status (names read once at import: no C call here)."""
    return make_error(code, _STATUS_NAMES.get(code, "CHEXPERT_E_UNKNOWN"), message)


#: Every declared function, by C name (test_header.py walks it).
FUNCTIONS: dict = {}


#: restype marker of a function returning a chexpert_status: ``int`` with errcheck
#: (c_int32 is c_int in ctypes, so the type alone cannot tell them apart).
STATUS = "status"


def _declare(name, restype, argtypes):
    """Declares `name`: argtypes and restype always; for ``STATUS`` (an ``int``
    chexpert_status) restype c_int and the errcheck."""
    # LIBRARY[name] makes a fresh function object (LIBRARY.name would be the
    # CDLL's shared, cached one that other code could reconfigure).
    try:
        function = LIBRARY[name]
    except AttributeError:
        raise ImportError(
            f"chexpert: {LIBRARY_PATH} does not export {name} from include/chexpert.h "
            f"(ABI version {CHEXPERT_ABI_VERSION}); rebuild libchexpert") from None
    function.argtypes = list(argtypes)
    function.restype = c_int if restype is STATUS else restype
    if restype is STATUS:
        function.errcheck = _check_status
    FUNCTIONS[name] = function
    return function


# The ABI check comes first, so that an old library is refused with a clear
# message rather than failing on its first missing function.
# int32_t chexpert_abi_version(void);
chexpert_abi_version = _declare("chexpert_abi_version", c_int32, [])
_library.check_abi(chexpert_abi_version(), LIBRARY_PATH, CHEXPERT_ABI_VERSION)

# --------------------------------------------------------------------------
# Functions, in header order
# --------------------------------------------------------------------------

# int32_t chexpert_version_number(void);
chexpert_version_number = _declare("chexpert_version_number", c_int32, [])
# const char *chexpert_version_string(void);
chexpert_version_string = _declare("chexpert_version_string", c_char_p, [])

# const char *chexpert_status_name(int status);
chexpert_status_name = _declare("chexpert_status_name", c_char_p, [c_int])
# const char *chexpert_last_error(void);
chexpert_last_error = _declare("chexpert_last_error", c_char_p, [])

#: chexpert_status_name() of every status, for errors the binding raises itself.
_STATUS_NAMES = {code: chexpert_status_name(code).decode("ascii")
                 for code in range(CHEXPERT_E_STALE, CHEXPERT_OK + 1)}

# const char *chexpert_split_name(int split);
chexpert_split_name = _declare("chexpert_split_name", c_char_p, [c_int])
# const char *chexpert_label_class_name(int label_class);
chexpert_label_class_name = _declare("chexpert_label_class_name", c_char_p, [c_int])
# const char *chexpert_view_name(int view);
chexpert_view_name = _declare("chexpert_view_name", c_char_p, [c_int])
# const char *chexpert_projection_name(int projection);
chexpert_projection_name = _declare("chexpert_projection_name", c_char_p, [c_int])

# int chexpert_params_create(chexpert_params **out);
chexpert_params_create = _declare("chexpert_params_create", STATUS, [POINTER(params_p)])
# void chexpert_params_free(chexpert_params *params);
chexpert_params_free = _declare("chexpert_params_free", None, [params_p])
# int chexpert_params_set(chexpert_params *params, int key, int64_t value);
chexpert_params_set = _declare("chexpert_params_set", STATUS, [params_p, c_int, c_int64])
# int chexpert_params_set_floats(chexpert_params *params, int key, const float *values,
#                                size_t count);
chexpert_params_set_floats = _declare(
    "chexpert_params_set_floats", STATUS, [params_p, c_int, POINTER(c_float), c_size_t])
# int chexpert_params_set_rules(chexpert_params *params, const int32_t *rules,
#                               size_t rule_count);
chexpert_params_set_rules = _declare(
    "chexpert_params_set_rules", STATUS, [params_p, POINTER(c_int32), c_size_t])
# int chexpert_params_get(const chexpert_params *params, int key, int64_t *out_value);
chexpert_params_get = _declare("chexpert_params_get", STATUS, [params_p, c_int, POINTER(c_int64)])

# int chexpert_dataset_open(chexpert_dataset **out, const char *root,
#                           const chexpert_params *options);
chexpert_dataset_open = _declare(
    "chexpert_dataset_open", STATUS, [POINTER(dataset_p), c_char_p, params_p])
# void chexpert_dataset_close(chexpert_dataset *ds);
chexpert_dataset_close = _declare("chexpert_dataset_close", None, [dataset_p])
# int chexpert_dataset_root(const chexpert_dataset *ds, char *out, size_t capacity,
#                           size_t *out_size);
chexpert_dataset_root = _declare(
    "chexpert_dataset_root", STATUS, [dataset_p, POINTER(c_char), c_size_t, POINTER(c_size_t)])
# int chexpert_dataset_set_option(chexpert_dataset *ds, int key, int64_t value);
chexpert_dataset_set_option = _declare(
    "chexpert_dataset_set_option", STATUS, [dataset_p, c_int, c_int64])
# int chexpert_dataset_get_option(const chexpert_dataset *ds, int key, int64_t *out_value);
chexpert_dataset_get_option = _declare(
    "chexpert_dataset_get_option", STATUS, [dataset_p, c_int, POINTER(c_int64)])
# int chexpert_dataset_memory_usage(const chexpert_dataset *ds, size_t *out_bytes);
chexpert_dataset_memory_usage = _declare(
    "chexpert_dataset_memory_usage", STATUS, [dataset_p, POINTER(c_size_t)])

# int chexpert_split_size(const chexpert_dataset *ds, int split, int64_t *out_count);
chexpert_split_size = _declare("chexpert_split_size", STATUS, [dataset_p, c_int, POINTER(c_int64)])
# int chexpert_split_num_labels(const chexpert_dataset *ds, int split, int32_t *out_count);
chexpert_split_num_labels = _declare(
    "chexpert_split_num_labels", STATUS, [dataset_p, c_int, POINTER(c_int32)])
# int chexpert_split_label_name(const chexpert_dataset *ds, int split, int32_t label,
#                               char *out, size_t capacity, size_t *out_size);
chexpert_split_label_name = _declare(
    "chexpert_split_label_name", STATUS,
    [dataset_p, c_int, c_int32, POINTER(c_char), c_size_t, POINTER(c_size_t)])
# int chexpert_split_projection_counts(const chexpert_dataset *ds, int split,
#                                      int64_t *out_counts, size_t capacity);
chexpert_split_projection_counts = _declare(
    "chexpert_split_projection_counts", STATUS, [dataset_p, c_int, POINTER(c_int64), c_size_t])

# int chexpert_example_image(const chexpert_dataset *ds, int split, int64_t index,
#                            uint8_t *out, size_t capacity_bytes,
#                            int32_t *out_height, int32_t *out_width);
chexpert_example_image = _declare(
    "chexpert_example_image", STATUS,
    [dataset_p, c_int, c_int64, POINTER(c_uint8), c_size_t, POINTER(c_int32), POINTER(c_int32)])
# int chexpert_example_labels(const chexpert_dataset *ds, int split, int64_t index,
#                             int64_t *out, size_t capacity);
chexpert_example_labels = _declare(
    "chexpert_example_labels", STATUS, [dataset_p, c_int, c_int64, POINTER(c_int64), c_size_t])
# int chexpert_example_view(const chexpert_dataset *ds, int split, int64_t index,
#                           int64_t *out_view);
chexpert_example_view = _declare(
    "chexpert_example_view", STATUS, [dataset_p, c_int, c_int64, POINTER(c_int64)])
# int chexpert_example_name(const chexpert_dataset *ds, int split, int64_t index,
#                           char *out, size_t capacity, size_t *out_size);
chexpert_example_name = _declare(
    "chexpert_example_name", STATUS,
    [dataset_p, c_int, c_int64, POINTER(c_char), c_size_t, POINTER(c_size_t)])

# int chexpert_batch_images(const chexpert_dataset *ds, int split,
#                           const int64_t *indices, size_t count,
#                           const chexpert_params *params,
#                           uint8_t *out, size_t capacity_bytes, int32_t *out_shapes);
chexpert_batch_images = _declare(
    "chexpert_batch_images", STATUS,
    [dataset_p, c_int, POINTER(c_int64), c_size_t, params_p,
     POINTER(c_uint8), c_size_t, POINTER(c_int32)])
# int chexpert_batch_labels(const chexpert_dataset *ds, int split,
#                           const int64_t *indices, size_t count,
#                           int64_t *out, size_t capacity);
chexpert_batch_labels = _declare(
    "chexpert_batch_labels", STATUS,
    [dataset_p, c_int, POINTER(c_int64), c_size_t, POINTER(c_int64), c_size_t])
# int chexpert_batch_views(const chexpert_dataset *ds, int split,
#                          const int64_t *indices, size_t count,
#                          int64_t *out, size_t capacity);
chexpert_batch_views = _declare(
    "chexpert_batch_views", STATUS,
    [dataset_p, c_int, POINTER(c_int64), c_size_t, POINTER(c_int64), c_size_t])
# int chexpert_batch_projections(const chexpert_dataset *ds, int split,
#                                const int64_t *indices, size_t count,
#                                int64_t *out, size_t capacity);
chexpert_batch_projections = _declare(
    "chexpert_batch_projections", STATUS,
    [dataset_p, c_int, POINTER(c_int64), c_size_t, POINTER(c_int64), c_size_t])
# int chexpert_batch_names(const chexpert_dataset *ds, int split,
#                          const int64_t *indices, size_t count,
#                          char *out, size_t capacity, size_t *out_size);
chexpert_batch_names = _declare(
    "chexpert_batch_names", STATUS,
    [dataset_p, c_int, POINTER(c_int64), c_size_t, POINTER(c_char), c_size_t, POINTER(c_size_t)])

# int chexpert_resize_output_bytes(const chexpert_params *params, size_t count,
#                                  size_t *out_bytes);
chexpert_resize_output_bytes = _declare(
    "chexpert_resize_output_bytes", STATUS, [params_p, c_size_t, POINTER(c_size_t)])
# int chexpert_batch_resized(const chexpert_dataset *ds, int split,
#                            const int64_t *indices, size_t count,
#                            const chexpert_params *params,
#                            void *out, size_t capacity_bytes, int32_t *statuses);
chexpert_batch_resized = _declare(
    "chexpert_batch_resized", STATUS,
    [dataset_p, c_int, POINTER(c_int64), c_size_t, params_p, c_void_p, c_size_t, POINTER(c_int32)])

# int chexpert_target_rules(const chexpert_dataset *ds, int split,
#                           const chexpert_params *params,
#                           int32_t *out_rules, size_t capacity,
#                           size_t *out_rule_count, uint32_t *out_flags);
chexpert_target_rules = _declare(
    "chexpert_target_rules", STATUS,
    [dataset_p, c_int, params_p, POINTER(c_int32), c_size_t, POINTER(c_size_t), POINTER(c_uint32)])
# int chexpert_batch_targets(const chexpert_dataset *ds, int split,
#                            const int64_t *indices, size_t count,
#                            const chexpert_params *params,
#                            float *out_targets, float *out_masks, size_t capacity);
chexpert_batch_targets = _declare(
    "chexpert_batch_targets", STATUS,
    [dataset_p, c_int, POINTER(c_int64), c_size_t, params_p,
     POINTER(c_float), POINTER(c_float), c_size_t])

# int chexpert_shard_indices(const chexpert_params *params, int64_t count,
#                            int64_t *out, size_t capacity, size_t *out_count);
chexpert_shard_indices = _declare(
    "chexpert_shard_indices", STATUS,
    [params_p, c_int64, POINTER(c_int64), c_size_t, POINTER(c_size_t)])

# int chexpert_batch_verify(const chexpert_dataset *ds, int split,
#                           const int64_t *indices, size_t count,
#                           const chexpert_params *params,
#                           int32_t *statuses, char *messages, size_t message_stride);
chexpert_batch_verify = _declare(
    "chexpert_batch_verify", STATUS,
    [dataset_p, c_int, POINTER(c_int64), c_size_t, params_p,
     POINTER(c_int32), POINTER(c_char), c_size_t])


# --------------------------------------------------------------------------
# Params: one chexpert_params handle
# --------------------------------------------------------------------------

class Params:
    """Owns one ``chexpert_params`` handle, filled once from `values` (int
    keys), `floats` ({key: sequence of floats}) and `rules` (a flat int32
    sequence of triples); each key is validated by the library as it is set
    (a ChexpertArgumentError names it).

    Pass it wherever the header takes a ``const chexpert_params *`` (ctypes
    uses ``_as_parameter_``). The handle is freed by :meth:`close`
    (idempotent) or by ``weakref.finalize`` when the object is collected.
    It pickles as its settings: a copy creates its own handle.
    Treat it as immutable once built: calls on other threads may read it.
    """

    __slots__ = ("_handle", "_finalizer", "_settings", "_closed", "__weakref__")

    def __init__(self, values=(), floats=(), rules=None):
        from . import _checks       # (imports this module)
        # Checked here too, as a last line: c_int64 would keep a wider int's low bits.
        values = {key: _checks.integer(value, f"value of key {key}")
                  for key, value in dict(values).items()}
        floats = {key: tuple(float(v) for v in vs) for key, vs in dict(floats).items()}
        rules = None if rules is None else tuple(
            _checks.integer(v, "rule value", ctype=_checks.INT32) for v in rules)
        self._settings = (values, floats, rules)
        self._closed = False
        handle = params_p()
        chexpert_params_create(byref(handle))
        self._handle = handle
        self._finalizer = weakref.finalize(self, chexpert_params_free, handle)
        try:
            for key, value in values.items():
                chexpert_params_set(handle, key, value)
            for key, vs in floats.items():
                array = (c_float * len(vs))(*vs)
                chexpert_params_set_floats(handle, key, array, len(vs))
            if rules is not None:
                array = (c_int32 * len(rules))(*rules)
                chexpert_params_set_rules(handle, array, len(rules) // 3)
        except BaseException:
            self.close()
            raise

    @property
    def _as_parameter_(self):
        # Also once closed: the library looks the freed token up and answers
        # CHEXPERT_E_CLOSED (ChexpertClosedError), never touching freed memory.
        return self._handle

    def get(self, key: int) -> int:
        """The value of `key` (set or default); ChexpertNotFoundError when it has none."""
        value = c_int64()
        chexpert_params_get(self, key, byref(value))
        return value.value

    def close(self) -> None:
        """Frees the handle; idempotent. Later calls with it raise ChexpertClosedError."""
        self._closed = True
        self._finalizer()

    @property
    def closed(self) -> bool:
        return self._closed

    def __reduce__(self):
        values, floats, rules = self._settings
        return (Params, (values, floats, rules))

    def __repr__(self) -> str:
        values, floats, rules = self._settings
        return f"<chexpert._ffi.Params {values} floats={floats} rules={rules}>"


_THREADS_PARAMS: dict = {}


def threads_params(num_threads: int) -> Params:
    """A cached Params holding only CHEXPERT_KEY_THREADS (checked by the caller)."""
    params = _THREADS_PARAMS.get(num_threads)
    if params is None:
        params = _THREADS_PARAMS.setdefault(num_threads, Params({CHEXPERT_KEY_THREADS: num_threads}))
    return params


# -- Packed cache (docs/cache.md) -------------------------------------------

CHEXPERT_KEY_CACHE_SIDE = 36

# enum chexpert_cache_field
CHEXPERT_CACHE_VERSION = 0
CHEXPERT_CACHE_FILE_BYTES = 1
CHEXPERT_CACHE_SIDE = 2
CHEXPERT_CACHE_HEIGHT = 3
CHEXPERT_CACHE_WIDTH = 4
CHEXPERT_CACHE_SELECT = 5
CHEXPERT_CACHE_TRAIN = 6
CHEXPERT_CACHE_VALIDATION = 7
CHEXPERT_CACHE_TEST = 8
CHEXPERT_CACHE_FAILED = 9
CHEXPERT_CACHE_PLANE_BYTES = 10
CHEXPERT_NUM_CACHE_FIELDS = 11

# int chexpert_cache_build(const chexpert_dataset *ds, const char *path,
#                          const chexpert_params *params, int64_t *progress);
chexpert_cache_build = _declare(
    "chexpert_cache_build", STATUS, [dataset_p, c_char_p, params_p, POINTER(c_int64)])
# int chexpert_dataset_attach_cache(chexpert_dataset *ds, const char *path);
chexpert_dataset_attach_cache = _declare("chexpert_dataset_attach_cache", STATUS, [dataset_p, c_char_p])
# int chexpert_cache_info(const char *path, int64_t *out, size_t capacity);
chexpert_cache_info = _declare("chexpert_cache_info", STATUS, [c_char_p, POINTER(c_int64), c_size_t])


# -- Resampling arithmetic and decode scale (docs/training.md) ---------------

CHEXPERT_KEY_DECODE_SCALE = 29
CHEXPERT_KEY_RESAMPLE = 35

# enum chexpert_decode_scale
CHEXPERT_DECODE_SCALE_FULL = 0x1D00
CHEXPERT_DECODE_SCALE_AUTO = 0x1D01

# enum chexpert_resample
CHEXPERT_RESAMPLE_FAST = 0x2300
CHEXPERT_RESAMPLE_EXACT = 0x2301


# -- Augmentation (docs/augmentation.md) --------------------------------------

from ctypes import c_double  # noqa: E402  (only this section uses it)

CHEXPERT_KEY_AUGMENT = 40
CHEXPERT_KEY_AUG_CROP_SCALE = 41
CHEXPERT_KEY_AUG_CROP_RATIO = 42
CHEXPERT_KEY_AUG_ROTATE = 43
CHEXPERT_KEY_AUG_TRANSLATE = 44
CHEXPERT_KEY_AUG_SCALE = 45
CHEXPERT_KEY_AUG_SHEAR = 46
CHEXPERT_KEY_AUG_FILL = 47
CHEXPERT_KEY_AUG_BRIGHTNESS = 48
CHEXPERT_KEY_AUG_CONTRAST = 49
CHEXPERT_KEY_AUG_GAMMA = 50
CHEXPERT_KEY_AUG_HFLIP = 51

# enum chexpert_augment
CHEXPERT_AUGMENT_NONE = 0x2800
CHEXPERT_AUGMENT_CUSTOM = 0x2801
CHEXPERT_AUGMENT_JFHEALTHCARE = 0x2802
CHEXPERT_AUGMENT_LIBAUC = 0x2803
CHEXPERT_NUM_AUGMENT_VALUES = 14

# int chexpert_augment_draw(const chexpert_params *params, int64_t index, int64_t width,
#                           int64_t height, double *out, size_t capacity);
chexpert_augment_draw = _declare(
    "chexpert_augment_draw", STATUS, [params_p, c_int64, c_int64, c_int64, POINTER(c_double), c_size_t])


# -- Metadata, studies, patients, evaluation (docs/evaluation.md) ------------

CHEXPERT_KEY_AGGREGATE = 30
CHEXPERT_KEY_STRATIFY = 31
CHEXPERT_KEY_EVAL_LEVEL = 32
CHEXPERT_KEY_BOOTSTRAP = 33
CHEXPERT_KEY_EVAL_UNCERTAIN = 34

# enum chexpert_sex
CHEXPERT_SEX_FEMALE = 0
CHEXPERT_SEX_MALE = 1
CHEXPERT_SEX_UNKNOWN = 2
CHEXPERT_SEX_BLANK = 3
CHEXPERT_NUM_SEXES = 4

# enum chexpert_field
CHEXPERT_FIELD_PATIENT = 0
CHEXPERT_FIELD_STUDY = 1
CHEXPERT_FIELD_VIEW_NUMBER = 2
CHEXPERT_FIELD_SEX = 3
CHEXPERT_FIELD_AGE = 4
CHEXPERT_FIELD_PROJECTION = 5
CHEXPERT_FIELD_IMAGE_VIEW = 6
CHEXPERT_FIELD_STUDY_INDEX = 7
CHEXPERT_NUM_FIELDS = 8
CHEXPERT_ID_MISSING = -1
CHEXPERT_AGE_MISSING = -1

# enum chexpert_aggregate
CHEXPERT_AGGREGATE_MAX = 0x1E00
CHEXPERT_AGGREGATE_MEAN = 0x1E01

# enum chexpert_eval_level
CHEXPERT_EVAL_LEVEL_IMAGE = 0x2000
CHEXPERT_EVAL_LEVEL_STUDY = 0x2001

# enum chexpert_eval_uncertain
CHEXPERT_EVAL_UNCERTAIN_EXCLUDE = 0x2200
CHEXPERT_EVAL_UNCERTAIN_POSITIVE = 0x2201
CHEXPERT_EVAL_UNCERTAIN_NEGATIVE = 0x2202

# enum chexpert_metric
CHEXPERT_METRIC_AUROC = 0
CHEXPERT_METRIC_AUPRC = 1
CHEXPERT_METRIC_AUROC_LOW = 2
CHEXPERT_METRIC_AUROC_HIGH = 3
CHEXPERT_METRIC_AUPRC_LOW = 4
CHEXPERT_METRIC_AUPRC_HIGH = 5
CHEXPERT_METRIC_SAMPLES = 6
CHEXPERT_METRIC_POSITIVES = 7
CHEXPERT_NUM_METRICS = 8

CHEXPERT_MAX_BOOTSTRAP = 100000
CHEXPERT_MAX_PARTS = 1024

# const char *chexpert_sex_name(int sex);
chexpert_sex_name = _declare("chexpert_sex_name", c_char_p, [c_int])
# const char *chexpert_field_name(int field);
chexpert_field_name = _declare("chexpert_field_name", c_char_p, [c_int])
# int chexpert_batch_metadata(const chexpert_dataset *ds, int split,
#                             const int64_t *indices, size_t count, int field,
#                             int64_t *out, size_t capacity);
chexpert_batch_metadata = _declare(
    "chexpert_batch_metadata", STATUS,
    [dataset_p, c_int, POINTER(c_int64), c_size_t, c_int, POINTER(c_int64), c_size_t])
# int chexpert_split_study_count(const chexpert_dataset *ds, int split, int64_t *out_count);
chexpert_split_study_count = _declare(
    "chexpert_split_study_count", STATUS, [dataset_p, c_int, POINTER(c_int64)])
# int chexpert_aggregate_scores(const chexpert_dataset *ds, int split,
#                               const double *scores, size_t rows, size_t columns,
#                               const chexpert_params *params,
#                               double *out, size_t capacity);
chexpert_aggregate_scores = _declare(
    "chexpert_aggregate_scores", STATUS,
    [dataset_p, c_int, POINTER(ctypes.c_double), c_size_t, c_size_t, params_p,
     POINTER(ctypes.c_double), c_size_t])
# int chexpert_patient_split(const chexpert_dataset *ds, int split,
#                            const double *fractions, size_t parts,
#                            const chexpert_params *params,
#                            int32_t *out_parts, size_t capacity);
chexpert_patient_split = _declare(
    "chexpert_patient_split", STATUS,
    [dataset_p, c_int, POINTER(ctypes.c_double), c_size_t, params_p, POINTER(c_int32), c_size_t])
# int chexpert_evaluate(const chexpert_dataset *ds, int split,
#                       const double *scores, size_t rows, size_t columns,
#                       const int32_t *label_columns,
#                       const chexpert_params *params,
#                       double *out, size_t capacity);
chexpert_evaluate = _declare(
    "chexpert_evaluate", STATUS,
    [dataset_p, c_int, POINTER(ctypes.c_double), c_size_t, c_size_t, POINTER(c_int32), params_p,
     POINTER(ctypes.c_double), c_size_t])


# -- Releases, label sources, the test split (docs/releases.md) ---------------

CHEXPERT_SPLIT_TEST = 2
CHEXPERT_NUM_SPLITS_ALL = 3
CHEXPERT_KEY_LABELS = 28

# enum chexpert_release
CHEXPERT_RELEASE_SMALL = 0
CHEXPERT_RELEASE_SMALL_NESTED = 1
CHEXPERT_RELEASE_FULL = 2
CHEXPERT_RELEASE_AIMI = 3
CHEXPERT_NUM_RELEASES = 4

# enum chexpert_labels
CHEXPERT_LABELS_REPORTS = 0x1C00
CHEXPERT_LABELS_CHEXBERT = 0x1C01
CHEXPERT_LABELS_VISUALCHEXBERT = 0x1C02

# const char *chexpert_release_name(int release);
chexpert_release_name = _declare("chexpert_release_name", c_char_p, [c_int])
# int chexpert_dataset_release(const chexpert_dataset *ds, int32_t *out_release);
chexpert_dataset_release = _declare("chexpert_dataset_release", STATUS, [dataset_p, POINTER(c_int32)])
# int chexpert_dataset_has_split(const chexpert_dataset *ds, int split, int32_t *out_has);
chexpert_dataset_has_split = _declare(
    "chexpert_dataset_has_split", STATUS, [dataset_p, c_int, POINTER(c_int32)])


# -- Jobs: batch calls that return at once -------------------------------------


class chexpert_job(ctypes.Structure):
    """Opaque ``struct chexpert_job``; only pointers to it are used."""


job_p = POINTER(chexpert_job)

# int chexpert_batch_resized_start(const chexpert_dataset *ds, int split, const int64_t *indices, size_t count,
#                                  const chexpert_params *params, void *out, size_t capacity_bytes,
#                                  int32_t *statuses, chexpert_job **out_job);
chexpert_batch_resized_start = _declare(
    "chexpert_batch_resized_start", STATUS,
    [dataset_p, c_int, POINTER(c_int64), c_size_t, params_p, c_void_p, c_size_t, POINTER(c_int32), POINTER(job_p)])
# int chexpert_batch_images_start(const chexpert_dataset *ds, int split, const int64_t *indices, size_t count,
#                                 const chexpert_params *params, uint8_t *out, size_t capacity_bytes,
#                                 int32_t *out_shapes, chexpert_job **out_job);
chexpert_batch_images_start = _declare(
    "chexpert_batch_images_start", STATUS,
    [dataset_p, c_int, POINTER(c_int64), c_size_t, params_p, POINTER(c_uint8), c_size_t, POINTER(c_int32),
     POINTER(job_p)])
# int chexpert_job_wait(chexpert_job *job);
chexpert_job_wait = _declare("chexpert_job_wait", STATUS, [job_p])
# int chexpert_job_done(const chexpert_job *job, int32_t *out_done);
chexpert_job_done = _declare("chexpert_job_done", STATUS, [job_p, POINTER(c_int32)])
