"""The one ctypes declaration file for include/chexpert.h.

Every function of the header is declared here, through :func:`_declare`, which
always sets ``argtypes`` and ``restype``; functions that return a status also
get :func:`_check_status` as ``errcheck``, so a failure raises
:class:`~chexpert.errors.ChexpertError` carrying ``chexpert_last_error()``,
read right after the call on the same thread. The C prototype stands next to
each declaration; ``Tests/python/test_header.py`` checks both against the
header with clang's AST.

Type mapping: ``const char *`` in or out (returned static strings) is
``c_char_p``; a ``char *`` output buffer is ``POINTER(c_char)``; the opaque
handle is ``POINTER(chexpert_dataset)``; ``const float *`` is ``POINTER(c_float)``;
``void *`` is ``c_void_p``; ``NULL`` is ``None``.
"""

from __future__ import annotations

import ctypes
from ctypes import (
    POINTER, c_char, c_char_p, c_float, c_int, c_int32, c_int64, c_size_t, c_uint8, c_uint32,
    c_uint64, c_void_p)

from . import _library
from .errors import ChexpertError, ChexpertIndexError

LIBRARY, LIBRARY_PATH = _library.load()

# --------------------------------------------------------------------------
# Constants (names and values as in chexpert.h; checked by test_header.py)
# --------------------------------------------------------------------------

CHEXPERT_ABI_VERSION = 1
CHEXPERT_VERSION_STRING = "0.2.0"

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

# enum chexpert_split
CHEXPERT_SPLIT_TRAIN = 0
CHEXPERT_SPLIT_VALIDATION = 1
CHEXPERT_NUM_SPLITS = 2

# label classes and views: only their counts; names come from the library.
CHEXPERT_NUM_LABEL_CLASSES = 4
CHEXPERT_NUM_VIEWS = 2

# enum chexpert_option
CHEXPERT_OPTION_DCT = 1
CHEXPERT_OPTION_MAX_PIXELS = 2
CHEXPERT_OPTION_MAX_FILE_BYTES = 3
CHEXPERT_OPTION_SELECT = 4
CHEXPERT_OPTION_ON_ERROR = 5

# enum chexpert_on_error
CHEXPERT_ON_ERROR_RAISE = 0
CHEXPERT_ON_ERROR_SUBSTITUTE = 1

# enum chexpert_dct
CHEXPERT_DCT_FAST = 0
CHEXPERT_DCT_ACCURATE = 1

# enum chexpert_resize_key (the {key, value} params of chexpert_batch_read_resized)
CHEXPERT_RESIZE_HEIGHT = 1
CHEXPERT_RESIZE_WIDTH = 2
CHEXPERT_RESIZE_CHANNELS = 3
CHEXPERT_RESIZE_LAYOUT = 4
CHEXPERT_RESIZE_DTYPE = 5
CHEXPERT_RESIZE_FIT = 6
CHEXPERT_RESIZE_FILTER = 7
CHEXPERT_RESIZE_NORMALIZE = 8
CHEXPERT_RESIZE_DCT = 9
CHEXPERT_RESIZE_ON_ERROR = 10

# enum chexpert_layout
CHEXPERT_LAYOUT_NHWC = 0
CHEXPERT_LAYOUT_NCHW = 1

# enum chexpert_dtype
CHEXPERT_DTYPE_UINT8 = 0
CHEXPERT_DTYPE_FLOAT32 = 1

# enum chexpert_fit
CHEXPERT_FIT_COVER = 0
CHEXPERT_FIT_CONTAIN = 1
CHEXPERT_FIT_STRETCH = 2

# enum chexpert_filter
CHEXPERT_FILTER_AREA = 0
CHEXPERT_FILTER_BILINEAR = 1

# enum chexpert_normalize
CHEXPERT_NORMALIZE_NONE = 0
CHEXPERT_NORMALIZE_UNIT = 1
CHEXPERT_NORMALIZE_IMAGENET = 2
CHEXPERT_NORMALIZE_XRV = 3
CHEXPERT_NORMALIZE_CUSTOM = 4

# enum chexpert_projection (CHEXPERT_SELECT_* bits are 1 << these)
CHEXPERT_PROJECTION_AP = 0
CHEXPERT_PROJECTION_PA = 1
CHEXPERT_PROJECTION_OTHER_FRONTAL = 2
CHEXPERT_PROJECTION_LATERAL = 3
CHEXPERT_PROJECTION_COUNT = 4
CHEXPERT_SELECT_AP = 1 << CHEXPERT_PROJECTION_AP
CHEXPERT_SELECT_PA = 1 << CHEXPERT_PROJECTION_PA
CHEXPERT_SELECT_OTHER_FRONTAL = 1 << CHEXPERT_PROJECTION_OTHER_FRONTAL
CHEXPERT_SELECT_LATERAL = 1 << CHEXPERT_PROJECTION_LATERAL
CHEXPERT_SELECT_FRONTAL = CHEXPERT_SELECT_AP | CHEXPERT_SELECT_PA | CHEXPERT_SELECT_OTHER_FRONTAL
CHEXPERT_SELECT_ALL = CHEXPERT_SELECT_FRONTAL | CHEXPERT_SELECT_LATERAL

# enum chexpert_uncertain
CHEXPERT_UNCERTAIN_IGNORE = 0
CHEXPERT_UNCERTAIN_ZEROS = 1
CHEXPERT_UNCERTAIN_ONES = 2
CHEXPERT_UNCERTAIN_MULTICLASS = 3
CHEXPERT_UNCERTAIN_RAW = 4

# enum chexpert_blank
CHEXPERT_BLANK_NEGATIVE = 0
CHEXPERT_BLANK_IGNORE = 1

# enum chexpert_target_flag
CHEXPERT_TARGET_NO_FINDING = 1
CHEXPERT_TARGET_MASKED_NAN = 2

# enum chexpert_preset
CHEXPERT_PRESET_PAPER = 1
CHEXPERT_PRESET_LIBAUC = 2
CHEXPERT_PRESET_XRV = 3

# enum chexpert_remainder
CHEXPERT_REMAINDER_PAD = 0
CHEXPERT_REMAINDER_DROP = 1
CHEXPERT_REMAINDER_UNEVEN = 2
CHEXPERT_ORDER_VERSION = 1


class chexpert_dataset(ctypes.Structure):
    """Opaque ``struct chexpert_dataset``; only pointers to it are used."""


dataset_p = POINTER(chexpert_dataset)


# --------------------------------------------------------------------------
# Declaration helper and errcheck
# --------------------------------------------------------------------------

def _check_status(result, func, args):
    """errcheck: nonzero status -> ChexpertError with the thread's message."""
    if result == CHEXPERT_OK:
        return result
    # Copy the message first: it is valid only until the next chexpert_* call
    # on this thread (ctypes turns the c_char_p result into bytes at once).
    message = chexpert_last_error().decode("utf-8", "replace")
    name = chexpert_status_name(result).decode("ascii")
    cls = ChexpertIndexError if result == CHEXPERT_E_OUT_OF_RANGE else ChexpertError
    raise cls(result, name, message)


def fits(function, *args) -> bool:
    """Calls a function that reports CHEXPERT_E_BUFFER_TOO_SMALL with the size
    it needs (a size query, or a first try with a guessed buffer): True if it
    succeeded, False if the buffer was too small; other failures raise."""
    try:
        function(*args)
    except ChexpertError as error:
        if error.code != CHEXPERT_E_BUFFER_TOO_SMALL:
            raise
        return False
    return True


#: Every declared function, by C name (test_header.py walks it).
FUNCTIONS: dict = {}


def _declare(name, restype, argtypes, *, status=False):
    # LIBRARY[name] makes a fresh function object (LIBRARY.name would be the
    # CDLL's shared, cached one that other code could reconfigure).
    function = LIBRARY[name]
    function.argtypes = list(argtypes)
    function.restype = restype
    if status:
        function.errcheck = _check_status
    FUNCTIONS[name] = function
    return function


def _status(name, *argtypes):
    """A fallible function: returns int, errcheck raises on failure."""
    return _declare(name, c_int, argtypes, status=True)


# --------------------------------------------------------------------------
# Functions, in header order
# --------------------------------------------------------------------------

# int32_t chexpert_version_number(void);
chexpert_version_number = _declare("chexpert_version_number", c_int32, [])
# const char *chexpert_version_string(void);
chexpert_version_string = _declare("chexpert_version_string", c_char_p, [])
# int32_t chexpert_abi_version(void);
chexpert_abi_version = _declare("chexpert_abi_version", c_int32, [])

# const char *chexpert_status_name(int status);
chexpert_status_name = _declare("chexpert_status_name", c_char_p, [c_int])
# const char *chexpert_last_error(void);
chexpert_last_error = _declare("chexpert_last_error", c_char_p, [])

# const char *chexpert_split_name(int split);
chexpert_split_name = _declare("chexpert_split_name", c_char_p, [c_int])
# const char *chexpert_label_class_name(int label_class);
chexpert_label_class_name = _declare("chexpert_label_class_name", c_char_p, [c_int])
# const char *chexpert_view_name(int view);
chexpert_view_name = _declare("chexpert_view_name", c_char_p, [c_int])

# int chexpert_dataset_open(chexpert_dataset **out, const char *root);
chexpert_dataset_open = _status("chexpert_dataset_open", POINTER(dataset_p), c_char_p)
# void chexpert_dataset_close(chexpert_dataset *ds);
chexpert_dataset_close = _declare("chexpert_dataset_close", None, [dataset_p])
# int chexpert_dataset_root(const chexpert_dataset *ds, char *out, size_t capacity,
#                           size_t *out_size);
chexpert_dataset_root = _status(
    "chexpert_dataset_root", dataset_p, POINTER(c_char), c_size_t, POINTER(c_size_t))
# int chexpert_dataset_set_option(chexpert_dataset *ds, int option, int64_t value);
chexpert_dataset_set_option = _status("chexpert_dataset_set_option", dataset_p, c_int, c_int64)
# int chexpert_dataset_get_option(const chexpert_dataset *ds, int option, int64_t *out_value);
chexpert_dataset_get_option = _status(
    "chexpert_dataset_get_option", dataset_p, c_int, POINTER(c_int64))
# int chexpert_dataset_memory_usage(const chexpert_dataset *ds, size_t *out_bytes);
chexpert_dataset_memory_usage = _status(
    "chexpert_dataset_memory_usage", dataset_p, POINTER(c_size_t))

# int chexpert_split_size(const chexpert_dataset *ds, int split, int64_t *out_count);
chexpert_split_size = _status("chexpert_split_size", dataset_p, c_int, POINTER(c_int64))
# int chexpert_split_num_labels(const chexpert_dataset *ds, int split, int32_t *out_count);
chexpert_split_num_labels = _status(
    "chexpert_split_num_labels", dataset_p, c_int, POINTER(c_int32))
# int chexpert_split_label_name(const chexpert_dataset *ds, int split, int32_t label,
#                               char *out, size_t capacity, size_t *out_size);
chexpert_split_label_name = _status(
    "chexpert_split_label_name",
    dataset_p, c_int, c_int32, POINTER(c_char), c_size_t, POINTER(c_size_t))

# int chexpert_example_shape(const chexpert_dataset *ds, int split, int64_t index,
#                            int32_t *out_height, int32_t *out_width);
chexpert_example_shape = _status(
    "chexpert_example_shape", dataset_p, c_int, c_int64, POINTER(c_int32), POINTER(c_int32))
# int chexpert_example_image(const chexpert_dataset *ds, int split, int64_t index,
#                            uint8_t *image, size_t capacity_bytes,
#                            int32_t *out_height, int32_t *out_width);
chexpert_example_image = _status(
    "chexpert_example_image",
    dataset_p, c_int, c_int64, POINTER(c_uint8), c_size_t, POINTER(c_int32), POINTER(c_int32))
# int chexpert_example_labels(const chexpert_dataset *ds, int split, int64_t index,
#                             int64_t *labels, size_t capacity);
chexpert_example_labels = _status(
    "chexpert_example_labels", dataset_p, c_int, c_int64, POINTER(c_int64), c_size_t)
# int chexpert_example_view(const chexpert_dataset *ds, int split, int64_t index,
#                           int32_t *out_view);
chexpert_example_view = _status(
    "chexpert_example_view", dataset_p, c_int, c_int64, POINTER(c_int32))
# int chexpert_example_name(const chexpert_dataset *ds, int split, int64_t index,
#                           char *out, size_t capacity, size_t *out_size);
chexpert_example_name = _status(
    "chexpert_example_name",
    dataset_p, c_int, c_int64, POINTER(c_char), c_size_t, POINTER(c_size_t))

# int chexpert_batch_names(const chexpert_dataset *ds, int split,
#                          const int64_t *indices, size_t count,
#                          char *out, size_t capacity, size_t *out_size);
chexpert_batch_names = _status(
    "chexpert_batch_names",
    dataset_p, c_int, POINTER(c_int64), c_size_t, POINTER(c_char), c_size_t, POINTER(c_size_t))

# int chexpert_batch_shapes(const chexpert_dataset *ds, int split,
#                           const int64_t *indices, size_t count,
#                           int32_t *out_heights, int32_t *out_widths, int num_threads);
chexpert_batch_shapes = _status(
    "chexpert_batch_shapes",
    dataset_p, c_int, POINTER(c_int64), c_size_t, POINTER(c_int32), POINTER(c_int32), c_int)
# int chexpert_batch_read(const chexpert_dataset *ds, int split,
#                         const int64_t *indices, size_t count,
#                         const int32_t *heights, const int32_t *widths,
#                         uint8_t *images, size_t images_capacity_bytes,
#                         int64_t *labels, size_t labels_capacity,
#                         int32_t *views, size_t views_capacity,
#                         int num_threads);
chexpert_batch_read = _status(
    "chexpert_batch_read",
    dataset_p, c_int,
    POINTER(c_int64), c_size_t,
    POINTER(c_int32), POINTER(c_int32),
    POINTER(c_uint8), c_size_t,
    POINTER(c_int64), c_size_t,
    POINTER(c_int32), c_size_t,
    c_int)

# int chexpert_resize_output_bytes(const int64_t *params, size_t param_count, size_t count,
#                                  size_t *out_bytes);
chexpert_resize_output_bytes = _status(
    "chexpert_resize_output_bytes", POINTER(c_int64), c_size_t, c_size_t, POINTER(c_size_t))
# int chexpert_batch_read_resized(const chexpert_dataset *ds, int split,
#                                 const int64_t *indices, size_t count,
#                                 const int64_t *params, size_t param_count,
#                                 const float *mean, const float *std, size_t stats_count,
#                                 void *out, size_t out_capacity_bytes,
#                                 int64_t *labels, size_t labels_capacity,
#                                 int32_t *views, size_t views_capacity,
#                                 int num_threads);
chexpert_batch_read_resized = _status(
    "chexpert_batch_read_resized",
    dataset_p, c_int,
    POINTER(c_int64), c_size_t,
    POINTER(c_int64), c_size_t,
    POINTER(c_float), POINTER(c_float), c_size_t,
    c_void_p, c_size_t,
    POINTER(c_int64), c_size_t,
    POINTER(c_int32), c_size_t,
    c_int)

# int chexpert_dataset_open_with(chexpert_dataset **out, const char *root,
#                                const int64_t *params, size_t param_count);
chexpert_dataset_open_with = _status(
    "chexpert_dataset_open_with", POINTER(dataset_p), c_char_p, POINTER(c_int64), c_size_t)
# int chexpert_split_projection_counts(const chexpert_dataset *ds, int split,
#                                      int64_t *out_counts, size_t capacity);
chexpert_split_projection_counts = _status(
    "chexpert_split_projection_counts", dataset_p, c_int, POINTER(c_int64), c_size_t)
# int chexpert_batch_projections(const chexpert_dataset *ds, int split,
#                                const int64_t *indices, size_t count, int32_t *out);
chexpert_batch_projections = _status(
    "chexpert_batch_projections", dataset_p, c_int, POINTER(c_int64), c_size_t, POINTER(c_int32))
# int chexpert_batch_targets(const chexpert_dataset *ds, int split,
#                            const int64_t *indices, size_t count,
#                            const int32_t *rules, size_t rule_count, uint32_t flags,
#                            float *targets, size_t targets_capacity,
#                            float *masks, size_t masks_capacity);
chexpert_batch_targets = _status(
    "chexpert_batch_targets",
    dataset_p, c_int,
    POINTER(c_int64), c_size_t,
    POINTER(c_int32), c_size_t, c_uint32,
    POINTER(c_float), c_size_t,
    POINTER(c_float), c_size_t)
# int chexpert_target_preset(const chexpert_dataset *ds, int split, int preset,
#                            int32_t *rules, size_t rules_capacity,
#                            size_t *out_rule_count, uint32_t *out_flags);
chexpert_target_preset = _status(
    "chexpert_target_preset",
    dataset_p, c_int, c_int, POINTER(c_int32), c_size_t, POINTER(c_size_t), POINTER(c_uint32))
# int chexpert_shard_indices(int64_t count, uint64_t seed, uint64_t epoch, int shuffle,
#                            int64_t start, int32_t rank, int32_t world, int remainder,
#                            int64_t *out, size_t capacity, size_t *out_count);
chexpert_shard_indices = _status(
    "chexpert_shard_indices",
    c_int64, c_uint64, c_uint64, c_int, c_int64, c_int32, c_int32, c_int,
    POINTER(c_int64), c_size_t, POINTER(c_size_t))

# int chexpert_last_substitutions(int64_t *positions, int32_t *statuses, size_t capacity,
#                                 size_t *out_count);
chexpert_last_substitutions = _status(
    "chexpert_last_substitutions", POINTER(c_int64), POINTER(c_int32), c_size_t, POINTER(c_size_t))
# int chexpert_batch_verify(const chexpert_dataset *ds, int split, const int64_t *indices,
#                           size_t count, int32_t *statuses, int num_threads);
chexpert_batch_verify = _status(
    "chexpert_batch_verify", dataset_p, c_int, POINTER(c_int64), c_size_t, POINTER(c_int32), c_int)

_library.check_abi(chexpert_abi_version(), LIBRARY_PATH)
