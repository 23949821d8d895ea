/*
 * chexpert.h: the public C interface of libchexpert 1.0, a reader for the
 * CheXpert chest X-ray dataset (CheXpert-v1.0-small) with the semantics of
 * TensorFlow Datasets' `chexpert` builder, version 3.1.0.
 *
 * This header is the contract. The Swift implementation is checked against it
 * by the compiler (`@c @implementation`); the exported symbols, the committed
 * ABI description (abi/chexpert-abi.txt) and every binding's declarations are
 * checked against it by tests.
 *
 * Contents, in this order: conventions; versions; status codes and errors;
 * vocabulary (splits, label classes, views, projections); parameters (the
 * `chexpert_params` object and every key with its values); datasets; splits;
 * examples; batches; resized batches; training targets; epoch order and
 * sharding; verification; then, as they were added: releases, metadata and
 * studies; evaluation; the packed cache; augmentation; jobs.
 *
 * Conventions (they hold for every function unless its comment says otherwise)
 * -----------
 * Names: every function is `chexpert_<noun>_<verb>`; every macro and enum
 *   constant is `CHEXPERT_`. Outputs come last among the parameters, named
 *   `out*`; an output array is followed by its capacity.
 *
 * Status: fallible functions return `int`: CHEXPERT_OK (0) or a negative
 *   `chexpert_status`. After a failure chexpert_last_error(), on the same
 *   thread, gives a message naming the file, CSV line and column, or argument
 *   at fault. A failure never invalidates a handle. Results come back through
 *   out-parameters only: no call leaves state behind for a later call to read
 *   (chexpert_last_error() aside).
 *
 * Arguments: a NULL required pointer is CHEXPERT_E_NULL_POINTER naming it; a
 *   `size_t` above SSIZE_MAX is CHEXPERT_E_INVALID_ARGUMENT; a split that is
 *   not a chexpert_split is CHEXPERT_E_INVALID_ARGUMENT; an example index
 *   outside [0, split size) is CHEXPERT_E_OUT_OF_RANGE. Batch calls take
 *   `count` example indices at `indices` (repeats allowed; NULL only with
 *   count 0) and check every index before reading or writing anything.
 *
 * Handles (`chexpert_dataset *`, `chexpert_params *`, `chexpert_job *`) are opaque tokens that
 *   the library looks up and never dereferences: a NULL handle is
 *   CHEXPERT_E_NULL_POINTER, a closed, freed or made-up one CHEXPERT_E_CLOSED,
 *   never a crash. Destructors accept NULL and unknown values as no-ops.
 *
 * Memory: every output is caller-owned memory passed with its capacity.
 *   Capacities count elements of the pointed-to type unless the name ends in
 *   `_bytes`. An output given as NULL with capacity 0 is skipped. A non-NULL
 *   output that is too small gives CHEXPERT_E_BUFFER_TOO_SMALL, the size
 *   needed in the message (and through an out-parameter where one exists),
 *   and nothing is written to it.
 *
 * Size queries: a call that writes a string or an image of a size the caller
 *   cannot know takes an out-parameter for that size (`out_size`, the
 *   shapes). Passing the buffer as NULL with capacity 0 is a size query: the
 *   call sets the size and returns CHEXPERT_OK without writing anything else.
 *
 * Strings: coming in, NUL-terminated (paths: bytes, as the OS takes them);
 *   going out into caller buffers, NUL-terminated, with `*out_size` counting
 *   the bytes including the NUL. Functions that return `const char *` return
 *   static strings: never free them.
 *
 * Ownership: pointer arguments are borrowed for the duration of the call. The
 *   library never keeps a caller pointer after returning, never calls back
 *   into the caller, and frees its per-call memory before returning. The only
 *   memory it keeps is per handle (chexpert_dataset_memory_usage(); a
 *   chexpert_params is fixed-size) and per thread (the last error message).
 *   The one exception is a job (chexpert_batch_resized_start(),
 *   chexpert_batch_images_start()): it keeps its output pointers, and its
 *   per-call memory, until chexpert_job_wait() returns.
 *
 * Threads: every function may be called from any thread, concurrently, also
 *   on the same handle. A call copies the options and parameters it uses at
 *   its start; changes made meanwhile apply to later calls. The calls that
 *   read CHEXPERT_KEY_THREADS (T) run on the calling thread and T - 1
 *   threads of one process-wide pool (pthreads, no Dispatch): started at the
 *   first such call, grown to the largest T - 1 asked for (T for a job:
 *   see "Jobs" at the end), shared by
 *   concurrent calls, and all ended (joined) once no dataset handle is open
 *   and no call runs; a call returns when its examples are done, and a pool
 *   thread done early moves on to other calls' work. If a thread cannot be
 *   started, the calling thread does its work. At exit() and dlclose() the
 *   idle pool threads are joined; calls still running are not waited for.
 *   fork(): the library registers pthread_atfork handlers, so a process may
 *   fork while other threads are inside calls, and the child may use
 *   inherited handles and open new ones; the child starts with an empty pool
 *   of its own, the parent's keeps working. Closing a handle while calls run
 *   on it is allowed: they finish normally, later calls get
 *   CHEXPERT_E_CLOSED.
 *
 * Evolution: values of constants never change, and new status codes, keys,
 *   values and functions are only appended. A changed signature would be a
 *   new function with a `_v2` suffix. CHEXPERT_ABI_VERSION changes only if
 *   that promise is broken; it equals the number of the symbol version node
 *   that every function is exported under (CHEXPERT_2).
 */
#ifndef CHEXPERT_H
#define CHEXPERT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* Versions                                                                  */
/* ======================================================================== */

#define CHEXPERT_VERSION_MAJOR 1
#define CHEXPERT_VERSION_MINOR 0
#define CHEXPERT_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH. */
#define CHEXPERT_VERSION_NUMBER 10000
#define CHEXPERT_VERSION_STRING "1.0.0"
/** Incremented only by an incompatible ABI change; see "Evolution" above. */
#define CHEXPERT_ABI_VERSION 2

/** @return CHEXPERT_VERSION_NUMBER of the loaded library (compare it with the
 *          macro to detect a header/library mismatch). */
int32_t chexpert_version_number(void);

/** @return the loaded library's version as "MAJOR.MINOR.PATCH". */
const char *chexpert_version_string(void);

/** @return CHEXPERT_ABI_VERSION of the loaded library. Bindings refuse a
 *          library whose ABI version differs from theirs. */
int32_t chexpert_abi_version(void);

/* ======================================================================== */
/* Status codes and errors                                                   */
/* ======================================================================== */

/** Status codes. Values are pinned; new codes are only appended. */
typedef enum chexpert_status {
    CHEXPERT_OK = 0,
    /** An argument has a value outside its documented domain (split id,
     *  key or value, a parameter a call needs but was not given). The
     *  message names the argument or key. */
    CHEXPERT_E_INVALID_ARGUMENT = -1,
    /** A required pointer or handle argument is NULL. The message names it. */
    CHEXPERT_E_NULL_POINTER = -2,
    /** An example index or label column is out of range. */
    CHEXPERT_E_OUT_OF_RANGE = -3,
    /** A caller buffer is smaller than needed; nothing was written to it. */
    CHEXPERT_E_BUFFER_TOO_SMALL = -4,
    /** The handle is closed or freed, or was never returned by the library. */
    CHEXPERT_E_CLOSED = -5,
    /** The dataset root, a CSV file or an image file does not exist; or a
     *  parameter was read that has no value and no default. */
    CHEXPERT_E_NOT_FOUND = -6,
    /** A file exists but cannot be read (permissions, a directory, an I/O
     *  error, a short read). */
    CHEXPERT_E_IO = -7,
    /** A CSV file breaks the format (missing column, bad label cell, unknown
     *  view, missing cells, duplicate Path, byte-order mark, no rows). The
     *  message names the file, the 1-based line and the column. */
    CHEXPERT_E_CSV = -8,
    /** An image file is not a decodable baseline/progressive JPEG: truncated
     *  or corrupt data (libjpeg warnings count as errors, as in TensorFlow),
     *  another format, or an unsupported colour space. */
    CHEXPERT_E_IMAGE = -9,
    /** A documented limit was exceeded (CHEXPERT_MAX_*, the MAX_* keys). */
    CHEXPERT_E_LIMIT = -10,
    /** Memory could not be allocated. */
    CHEXPERT_E_NO_MEMORY = -11,
    /** A bug in libchexpert. Please report it with the message. */
    CHEXPERT_E_INTERNAL = -12,
    /** A packed cache cannot serve this dataset (docs/cache.md): not a
     *  cache, another format version or byte order, truncated or corrupt,
     *  or built from other sources (CSV contents, an image's size or time,
     *  the selection, the splits). The message names what differs. */
    CHEXPERT_E_STALE = -13
} chexpert_status;

/**
 * @param[in] status any int.
 * @return the constant's name ("CHEXPERT_OK", "CHEXPERT_E_CSV", ...), or
 *         "CHEXPERT_E_UNKNOWN" for a value that is not a chexpert_status.
 */
const char *chexpert_status_name(int status);

/**
 * @return the message of the most recent failing chexpert_* call made on the
 *         calling thread, or "" if none has failed on this thread. Successful
 *         calls do not clear it.
 * Ownership: owned by the library; valid until the next chexpert_* call on the
 *         same thread. Copy it if you need it longer.
 * Thread safety: each thread sees only its own message. Read it on the thread
 *         that made the failing call, right after it.
 */
const char *chexpert_last_error(void);

/* ======================================================================== */
/* Vocabulary: splits, label classes, views, projections                     */
/* ======================================================================== */
/* These values are data: they are written into caller arrays and match
 * TFDS's integers, so they are small and start at 0. */

/** Splits. `train` from train.csv (or the label file CHEXPERT_KEY_LABELS
 *  names) and `validation` from valid.csv, as in TFDS; `test`, the official
 *  test set (500 studies, study-level labels of 5 radiologists), which TFDS
 *  does not know, only where its files are present
 *  (chexpert_dataset_has_split()). */
typedef enum chexpert_split {
    CHEXPERT_SPLIT_TRAIN = 0,
    CHEXPERT_SPLIT_VALIDATION = 1,
    CHEXPERT_SPLIT_TEST = 2
} chexpert_split;
/** Number of TFDS's splits, which every dataset has (train, validation). */
#define CHEXPERT_NUM_SPLITS 2
/** Number of split ids: 0 ..< CHEXPERT_NUM_SPLITS_ALL, the test split
 *  included. */
#define CHEXPERT_NUM_SPLITS_ALL 3

/** Label classes (TFDS ClassLabel order). CSV cell -> class:
 *  "-1.0" -> UNCERTAIN, "1.0" -> POSITIVE, "0.0" -> NEGATIVE,
 *  "" -> UNMENTIONED; any other cell is a CHEXPERT_E_CSV error. */
typedef enum chexpert_label_class {
    CHEXPERT_LABEL_UNCERTAIN = 0,
    CHEXPERT_LABEL_POSITIVE = 1,
    CHEXPERT_LABEL_NEGATIVE = 2,
    CHEXPERT_LABEL_UNMENTIONED = 3
} chexpert_label_class;
#define CHEXPERT_NUM_LABEL_CLASSES 4

/** Views (TFDS's `image_view`): the `Frontal/Lateral` cell, ASCII
 *  case-insensitive. */
typedef enum chexpert_view {
    CHEXPERT_VIEW_FRONTAL = 0,
    CHEXPERT_VIEW_LATERAL = 1
} chexpert_view;
#define CHEXPERT_NUM_VIEWS 2

/** Where a row's image was taken from, from its `Frontal/Lateral` and
 *  `AP/PA` cells: a frontal row with `AP/PA` exactly `AP` or `PA` is AP or
 *  PA; any other frontal row (`LL`, `RL`, blank, no `AP/PA` column) is
 *  OTHER_FRONTAL; a lateral row is LATERAL whatever its `AP/PA` cell. */
typedef enum chexpert_projection {
    CHEXPERT_PROJECTION_AP = 0,
    CHEXPERT_PROJECTION_PA = 1,
    CHEXPERT_PROJECTION_OTHER_FRONTAL = 2,
    CHEXPERT_PROJECTION_LATERAL = 3
} chexpert_projection;
#define CHEXPERT_NUM_PROJECTIONS 4

/** Patient sex, from the `Sex` cell (exact, case-sensitive: "Female",
 *  "Male", "Unknown", ""; any other cell fails the open with CHEXPERT_E_CSV
 *  naming file, line and column). BLANK also where the CSV has no `Sex`
 *  column (the test set). */
typedef enum chexpert_sex {
    CHEXPERT_SEX_FEMALE = 0,
    CHEXPERT_SEX_MALE = 1,
    CHEXPERT_SEX_UNKNOWN = 2,
    CHEXPERT_SEX_BLANK = 3
} chexpert_sex;
#define CHEXPERT_NUM_SEXES 4

/** The CheXpert release a dataset folder holds, detected at open
 *  (docs/releases.md). */
typedef enum chexpert_release {
    /** CheXpert-v1.0-small: TFDS's manual_dir (holding
     *  `CheXpert-v1.0-small/`) or that folder itself. */
    CHEXPERT_RELEASE_SMALL = 0,
    /** The Kaggle copy of the small set, unzipped double-nested:
     *  `CheXpert-v1.0-small/CheXpert-v1.0-small/train.csv`. */
    CHEXPERT_RELEASE_SMALL_NESTED = 1,
    /** The full-size CheXpert-v1.0 (`CheXpert-v1.0/` with train.csv,
     *  valid.csv, train/ and valid/; about 2320 x 2828 px images). */
    CHEXPERT_RELEASE_FULL = 2,
    /** The Stanford AIMI download: label CSVs at its top,
     *  `CheXpert-v1.0 batch 1 (validate & csv)/` with valid.csv and valid/,
     *  the train patients spread over `CheXpert-v1.0 batch 2 (train 1)` ..
     *  `batch 4 (train 3)`. */
    CHEXPERT_RELEASE_AIMI = 3
} chexpert_release;
#define CHEXPERT_NUM_RELEASES 4

/** Per-example fields of chexpert_batch_metadata(). Values are int64. */
typedef enum chexpert_field {
    /** NNNNN of the `patientNNNNN` path component; CHEXPERT_ID_MISSING if
     *  the Path has none. */
    CHEXPERT_FIELD_PATIENT = 0,
    /** N of the `studyN` component after it; CHEXPERT_ID_MISSING if none. */
    CHEXPERT_FIELD_STUDY = 1,
    /** N of the file name's `viewN_` prefix; CHEXPERT_ID_MISSING if none. */
    CHEXPERT_FIELD_VIEW_NUMBER = 2,
    /** chexpert_sex. */
    CHEXPERT_FIELD_SEX = 3,
    /** Age in years (the `Age` cell, a decimal integer 0 ..= 150, optionally
     *  followed by `.` and zeros: `68.0`; any other non-empty cell fails the
     *  open with CHEXPERT_E_CSV naming file, line and column);
     *  CHEXPERT_AGE_MISSING for a blank cell or no `Age` column. */
    CHEXPERT_FIELD_AGE = 4,
    /** chexpert_projection. */
    CHEXPERT_FIELD_PROJECTION = 5,
    /** chexpert_view (TFDS's `image_view`). */
    CHEXPERT_FIELD_IMAGE_VIEW = 6,
    /** The example's study ordinal in the split: 0 ..< the split's study
     *  count (chexpert_split_study_count()), numbered in order of first
     *  appearance, keyed by (patient, study); an example whose patient or
     *  study is missing is a study of its own. */
    CHEXPERT_FIELD_STUDY_INDEX = 7
} chexpert_field;
#define CHEXPERT_NUM_FIELDS 8
/** CHEXPERT_FIELD_PATIENT, _STUDY or _VIEW_NUMBER that a Path does not give. */
#define CHEXPERT_ID_MISSING (-1)
/** CHEXPERT_FIELD_AGE of a blank `Age` cell or a CSV without one. */
#define CHEXPERT_AGE_MISSING (-1)

/** @return "train", "validation" or "test"; NULL for any other value. */
const char *chexpert_split_name(int split);

/** @return "uncertain", "positive", "negative" or "unmentioned" (TFDS's
 *          ClassLabel names); NULL for any other value. */
const char *chexpert_label_class_name(int label_class);

/** @return "frontal" or "lateral"; NULL for any other value. */
const char *chexpert_view_name(int view);

/** @return "ap", "pa", "other_frontal" or "lateral"; NULL for any other
 *          value. */
const char *chexpert_projection_name(int projection);

/** @return "female", "male", "unknown" or "blank"; NULL for any other value. */
const char *chexpert_sex_name(int sex);

/** @return "small", "small_nested", "full" or "aimi"; NULL for any other
 *          value. */
const char *chexpert_release_name(int release);

/** @return "patient", "study", "view_number", "sex", "age", "projection",
 *          "image_view" or "study_index"; NULL for any other value. */
const char *chexpert_field_name(int field);

/* ======================================================================== */
/* Parameters                                                                */
/* ======================================================================== */

/**
 * A set of {key -> value} parameters: the options of an open, and the knobs
 * of batch, resize, target and order calls. Each key has its own domain,
 * checked when it is set. Every value of a parameter enum is
 * (tag << 8) | n with a tag unique to that enum (the number of the key that
 * takes it), so a value of one enum is never accepted where another is
 * expected: setting CHEXPERT_KEY_FIT to CHEXPERT_FILTER_AREA is
 * CHEXPERT_E_INVALID_ARGUMENT, not a different fit.
 *
 * A call that takes a `const chexpert_params *` reads the keys its comment
 * lists and ignores the others, so one object can carry a whole input
 * pipeline. NULL means "no key set": every key takes its default. Calls copy
 * the values at their start.
 *
 * Memory: fixed, at most sizeof a few hundred bytes plus 12 bytes per target
 * rule (at most CHEXPERT_MAX_RULES).
 */
typedef struct chexpert_params chexpert_params;

/** Keys. Numbers are pinned; new keys are only appended. */
typedef enum chexpert_key {
    /* --- dataset options (chexpert_dataset_open, _set_option) ---------- */
    /** chexpert_dct. For a dataset: its default (CHEXPERT_DCT_FAST); for a
     *  batch call: this call's method (default: the dataset's). */
    CHEXPERT_KEY_DCT = 1,
    /** Largest image accepted, in pixels (width * height), checked from the
     *  JPEG header before any allocation. 1 ..= CHEXPERT_MAX_LIMIT. Dataset
     *  option; default CHEXPERT_DEFAULT_MAX_PIXELS. */
    CHEXPERT_KEY_MAX_PIXELS = 2,
    /** Largest image file read, in bytes. 1 ..= CHEXPERT_MAX_LIMIT. Dataset
     *  option; default CHEXPERT_DEFAULT_MAX_FILE_BYTES. */
    CHEXPERT_KEY_MAX_FILE_BYTES = 3,
    /** Which CSV rows the splits hold: a bitmask of CHEXPERT_SELECT_*
     *  (1 << chexpert_projection), nonzero. Read only by
     *  chexpert_dataset_open(); chexpert_dataset_set_option() refuses it.
     *  Default CHEXPERT_SELECT_ALL (TFDS's splits). */
    CHEXPERT_KEY_SELECT = 4,
    /** chexpert_on_error: what chexpert_batch_resized() does with an example
     *  it cannot read. For a dataset: its default (CHEXPERT_ON_ERROR_RAISE);
     *  for a call: this call's policy (default: the dataset's). */
    CHEXPERT_KEY_ON_ERROR = 5,

    /* --- batch calls ----------------------------------------------------- */
    /** Worker threads of a batch call: 0 (default) means the CPUs in the
     *  process's affinity mask; 1 ..= CHEXPERT_MAX_THREADS. Never more than
     *  the batch's count are started. */
    CHEXPERT_KEY_THREADS = 6,

    /* --- resized batches (chexpert_batch_resized) ------------------------ */
    /** Output height and width in pixels, 1 ..= CHEXPERT_MAX_SIDE. No
     *  default: a resized batch needs both. */
    CHEXPERT_KEY_HEIGHT = 7,
    CHEXPERT_KEY_WIDTH = 8,
    /** 1 (grey: the JPEG's luma, the grey value of CheXpert's grey JPEGs) or
     *  3 (RGB; grey replicated, as TFDS). Default 3. */
    CHEXPERT_KEY_CHANNELS = 9,
    /** chexpert_layout. Default CHEXPERT_LAYOUT_NHWC. */
    CHEXPERT_KEY_LAYOUT = 10,
    /** chexpert_dtype. Default CHEXPERT_DTYPE_UINT8. */
    CHEXPERT_KEY_DTYPE = 11,
    /** chexpert_fit. Default CHEXPERT_FIT_COVER. */
    CHEXPERT_KEY_FIT = 12,
    /** chexpert_filter. Default CHEXPERT_FILTER_AREA. */
    CHEXPERT_KEY_FILTER = 13,
    /** chexpert_normalize. Default CHEXPERT_NORMALIZE_NONE. */
    CHEXPERT_KEY_NORMALIZE = 14,
    /** Float keys, set with chexpert_params_set_floats(): the per-channel mean
     *  and std of CHEXPERT_NORMALIZE_CUSTOM, `channels` finite values each
     *  (std nonzero). Ignored with the other normalisations. */
    CHEXPERT_KEY_MEAN = 15,
    CHEXPERT_KEY_STD = 16,

    /* --- training targets (chexpert_batch_targets) ----------------------- */
    /** chexpert_preset: the rules and flags of a preset, resolved by column
     *  name against the split. Setting it discards rules given with
     *  chexpert_params_set_rules(), and setting rules discards it. */
    CHEXPERT_KEY_TARGET_PRESET = 17,
    /** 0 or 1: torchxrayvision's rule: in a row whose `No Finding` cell is
     *  positive, every observation other than `No Finding` and `Support
     *  Devices` is negative (target 0, mask 1), whatever its cell. Needs a
     *  `No Finding` label column (looked up by name). Default: the preset's
     *  (1 for CHEXPERT_PRESET_XRV), else 0. */
    CHEXPERT_KEY_TARGET_NO_FINDING = 18,
    /** 0 or 1: masked targets are NaN instead of 0 (torchxrayvision's
     *  convention). Default: the preset's (1 for XRV), else 0. */
    CHEXPERT_KEY_TARGET_MASKED_NAN = 19,

    /* --- epoch order and sharding (chexpert_shard_indices) --------------- */
    /** 0 (default: CSV order) or 1 (shuffled, as pinned below). */
    CHEXPERT_KEY_SHUFFLE = 20,
    /** The shuffle's seed: any 64 bits (read as uint64_t). Default 0. */
    CHEXPERT_KEY_SEED = 21,
    /** The epoch: any 64 bits (read as uint64_t). Default 0. */
    CHEXPERT_KEY_EPOCH = 22,
    /** Resume position: examples of the epoch's order that all ranks
     *  together have consumed, 0 ..= count. Default 0. */
    CHEXPERT_KEY_START = 23,
    /** This rank, 0 ..< CHEXPERT_KEY_WORLD. Default 0. */
    CHEXPERT_KEY_RANK = 24,
    /** Number of ranks, 1 ..= CHEXPERT_MAX_WORLD. Default 1. */
    CHEXPERT_KEY_WORLD = 25,
    /** chexpert_remainder. Default CHEXPERT_REMAINDER_PAD. */
    CHEXPERT_KEY_REMAINDER = 26,

    /* --- dataset options, continued ------------------------------------- */
    /** 1 (default) or 0: confine the CSVs' `Path` cells to the dataset
     *  folder (the one chexpert_dataset_root() returns). With 1, a `Path`
     *  that is absolute, or whose `..` components climb above that folder
     *  (checked lexically, without touching the disk), fails the open with
     *  CHEXPERT_E_CSV naming the file, line and column; symbolic links inside
     *  the tree are followed when images are read. 0 restores TFDS's
     *  `os.path.join(root, Path)`: any path the CSV names is opened. UNSAFE
     *  with a CSV you do not trust (a mirror, a shared drive): it makes the
     *  library open any file the process can read. Read only by
     *  chexpert_dataset_open(); chexpert_dataset_set_option() refuses it
     *  (as CHEXPERT_KEY_SELECT); chexpert_dataset_get_option() reports it. */
    CHEXPERT_KEY_CONFINE_PATHS = 27,
    /** chexpert_labels: where the train split's labels come from. Read
     *  only by chexpert_dataset_open() (refused by _set_option(), reported
     *  by _get_option()); validation and test keep their radiologist
     *  labels. Default CHEXPERT_LABELS_REPORTS. */
    CHEXPERT_KEY_LABELS = 28,

    /* --- resize, continued ---------------------------------------------- */
    /** chexpert_decode_scale (chexpert_batch_resized()). Default
     *  CHEXPERT_DECODE_SCALE_FULL. */
    CHEXPERT_KEY_DECODE_SCALE = 29,

    /* --- studies, patients, evaluation ---------------------------------- */
    /** chexpert_aggregate: how a study's image scores combine
     *  (chexpert_aggregate_scores(), chexpert_evaluate() at study level).
     *  Default CHEXPERT_AGGREGATE_MAX, the competition's rule. */
    CHEXPERT_KEY_AGGREGATE = 30,
    /** chexpert_patient_split(): -1 (default) for none, or a label column
     *  0 ..< chexpert_split_num_labels() whose positive share each part
     *  keeps close to the split's. */
    CHEXPERT_KEY_STRATIFY = 31,
    /** chexpert_eval_level (chexpert_evaluate()). Default
     *  CHEXPERT_EVAL_LEVEL_IMAGE. */
    CHEXPERT_KEY_EVAL_LEVEL = 32,
    /** Bootstrap resamples of chexpert_evaluate(): 0 (no intervals: NaN)
     *  ..= CHEXPERT_MAX_BOOTSTRAP. Default 1000. Drawn with CHEXPERT_KEY_SEED. */
    CHEXPERT_KEY_BOOTSTRAP = 33,
    /** chexpert_eval_uncertain: what an uncertain ground-truth cell counts
     *  as in chexpert_evaluate(). Default CHEXPERT_EVAL_UNCERTAIN_EXCLUDE. */
    CHEXPERT_KEY_EVAL_UNCERTAIN = 34,

    /* --- resize, continued ---------------------------------------------- */
    /** chexpert_resample (chexpert_batch_resized()). Default
     *  CHEXPERT_RESAMPLE_FAST. */
    CHEXPERT_KEY_RESAMPLE = 35,

    /* --- packed cache (chexpert_cache_build()) --------------------------- */
    /** Short side S of the cached planes (1 ..= CHEXPERT_MAX_SIDE; the
     *  aspect ratio kept, the long side rounded to nearest, antialiased
     *  FILTER). Without it, HEIGHT and WIDTH give exact planes (with FIT
     *  and FILTER). Giving both is CHEXPERT_E_INVALID_ARGUMENT. */
    CHEXPERT_KEY_CACHE_SIDE = 36,

    /* --- augmentation (chexpert_batch_resized()); docs/augmentation.md --- */
    /** chexpert_augment: native augmentation in the resize's own pass,
     *  drawn per example from (CHEXPERT_KEY_SEED, CHEXPERT_KEY_EPOCH, the
     *  example's index). Default CHEXPERT_AUGMENT_NONE: the AUG_* keys are
     *  ignored and the resize is untouched. */
    CHEXPERT_KEY_AUGMENT = 40,
    /* The AUG_* keys are float keys (chexpert_params_set_floats()); a range
     * is {low, high} with low <= high, drawn uniformly; one value v, where
     * allowed, means {-v, v} (or {max(0, 1 - v), 1 + v} for a factor). Each
     * set key replaces the preset's value; unset keys keep the preset's
     * (CUSTOM: the identity). Domains are checked when set. */
    /** Random resized crop (torchvision RandomResizedCrop.get_params): the
     *  area fraction, 2 values, 0 < low <= high <= 1. Unset: no crop. */
    CHEXPERT_KEY_AUG_CROP_SCALE = 41,
    /** The crop's aspect ratio (width / height), drawn log-uniformly: 2
     *  values, 0 < low <= high <= 100. Default {3/4, 4/3}; used only with
     *  CHEXPERT_KEY_AUG_CROP_SCALE. */
    CHEXPERT_KEY_AUG_CROP_RATIO = 42,
    /** Affine rotation in degrees (counter-clockwise), about the crop's
     *  centre: 1 value v (0 ..= 360: {-v, v}) or 2 (-360 ..= 360). */
    CHEXPERT_KEY_AUG_ROTATE = 43,
    /** Affine translation: largest fraction of the crop's width and
     *  height, 2 values 0 ..= 1; drawn in pixels, rounded half to even. */
    CHEXPERT_KEY_AUG_TRANSLATE = 44,
    /** Affine scale factor: 2 values, 0.1 ..= 10. */
    CHEXPERT_KEY_AUG_SCALE = 45,
    /** Affine shear in degrees: 1 value v (x shear {-v, v}), 2 (x shear
     *  range) or 4 (x range, y range); every value -60 ..= 60. */
    CHEXPERT_KEY_AUG_SHEAR = 46,
    /** Value of the points the crop and the affine bring in from outside
     *  the crop, before normalisation: 1 value 0 ..= 255. Default 0. */
    CHEXPERT_KEY_AUG_FILL = 47,
    /** Brightness factor (torchvision adjust_brightness): 1 value v
     *  (0 ..= 10) or 2 (0 ..= 10). */
    CHEXPERT_KEY_AUG_BRIGHTNESS = 48,
    /** Contrast factor about the image's grey mean (torchvision
     *  adjust_contrast): as BRIGHTNESS. */
    CHEXPERT_KEY_AUG_CONTRAST = 49,
    /** Gamma (torchvision adjust_gamma, gain 1): 2 values, 0.1 ..= 10. */
    CHEXPERT_KEY_AUG_GAMMA = 50,
    /** Horizontal flip probability: 1 value 0 ..= 1. Default 0 (anatomy is
     *  not left-right symmetric). */
    CHEXPERT_KEY_AUG_HFLIP = 51
} chexpert_key;

/** Label source of the train split (CHEXPERT_KEY_LABELS). Every label file
 *  is read by header name; a file without the metadata columns (Sex, Age,
 *  Frontal/Lateral, AP/PA) is joined to train.csv by `Path`, and a `Path` on
 *  one side only fails the open with CHEXPERT_E_CSV naming both files. */
typedef enum chexpert_labels {
    /** train.csv's own labels (the CheXpert labeler on the reports): TFDS. */
    CHEXPERT_LABELS_REPORTS = 0x1C00,
    /** train_cheXbert.csv (the CheXbert labeler; AIMI download). */
    CHEXPERT_LABELS_CHEXBERT = 0x1C01,
    /** train_visualCheXbert.csv (VisualCheXbert, binary; AIMI download). */
    CHEXPERT_LABELS_VISUALCHEXBERT = 0x1C02
} chexpert_labels;

/** JPEG decode size of a resized batch (CHEXPERT_KEY_DECODE_SCALE). */
typedef enum chexpert_decode_scale {
    /** Decode every image at full size, then resample (exact). */
    CHEXPERT_DECODE_SCALE_FULL = 0x1D00,
    /** Decode at the smallest TurboJPEG scaling factor (1/8 .. 1) whose
     *  image still covers the output window at 1:1 or more (the fit computed
     *  on the full-size image, its source window mapped onto the smaller
     *  one), then resample: several times faster on full-size images, with
     *  the pixel difference from FULL stated in docs/training.md (generated
     *  full-size images to 224 x 224: mean absolute difference about 1 level,
     *  single pixels at hard edges much more). Augmented batches decode at
     *  full size. */
    CHEXPERT_DECODE_SCALE_AUTO = 0x1D01
} chexpert_decode_scale;

/** How a study's image scores combine (CHEXPERT_KEY_AGGREGATE). */
typedef enum chexpert_aggregate {
    CHEXPERT_AGGREGATE_MAX = 0x1E00,   /**< the largest score (competition) */
    CHEXPERT_AGGREGATE_MEAN = 0x1E01   /**< the arithmetic mean */
} chexpert_aggregate;

/** Unit of chexpert_evaluate() (CHEXPERT_KEY_EVAL_LEVEL). */
typedef enum chexpert_eval_level {
    /** One sample per example; the bootstrap resamples examples. */
    CHEXPERT_EVAL_LEVEL_IMAGE = 0x2000,
    /** One sample per study: scores aggregated (CHEXPERT_KEY_AGGREGATE),
     *  the study positive if any of its images is; the bootstrap resamples
     *  studies. */
    CHEXPERT_EVAL_LEVEL_STUDY = 0x2001
} chexpert_eval_level;

/** What an uncertain ground-truth cell counts as in chexpert_evaluate()
 *  (CHEXPERT_KEY_EVAL_UNCERTAIN). A blank cell counts as negative, as the
 *  CheXpert authors treat it; validation and test have neither. */
typedef enum chexpert_eval_uncertain {
    /** The sample is left out of that observation's metrics. */
    CHEXPERT_EVAL_UNCERTAIN_EXCLUDE = 0x2200,
    CHEXPERT_EVAL_UNCERTAIN_POSITIVE = 0x2201,
    CHEXPERT_EVAL_UNCERTAIN_NEGATIVE = 0x2202
} chexpert_eval_uncertain;

/** Resampling arithmetic of a resized batch (CHEXPERT_KEY_RESAMPLE). */
typedef enum chexpert_resample {
    /** float32, vectorised (SSE2 or AVX2, the same bits on every CPU):
     *  |FAST - EXACT| <= 0.002 levels (of 0..255) before normalisation, so
     *  uint8 output differs by at most 1 level and float32 output by at most
     *  0.002 / (255 * std) plus one float32 rounding (docs/training.md). */
    CHEXPERT_RESAMPLE_FAST = 0x2300,
    /** Pillow's double-precision arithmetic, exactly. */
    CHEXPERT_RESAMPLE_EXACT = 0x2301
} chexpert_resample;

/** Inverse-DCT method (CHEXPERT_KEY_DCT). FAST is libjpeg's JDCT_IFAST, the
 *  method TensorFlow's decode_jpeg (and so tfds.load("chexpert")) uses:
 *  pixels are bit-identical to TFDS. ACCURATE is JDCT_ISLOW, what Pillow and
 *  torchvision use. */
typedef enum chexpert_dct {
    CHEXPERT_DCT_FAST = 0x0100,
    CHEXPERT_DCT_ACCURATE = 0x0101
} chexpert_dct;

/** What a resized batch does with an example whose file is missing,
 *  unreadable, not decodable or over a limit (CHEXPERT_E_NOT_FOUND, _IO,
 *  _IMAGE, _LIMIT) (CHEXPERT_KEY_ON_ERROR). Argument, index and memory
 *  errors always fail the call. */
typedef enum chexpert_on_error {
    /** The call fails with the first failing position's status (TFDS-like). */
    CHEXPERT_ON_ERROR_RAISE = 0x0500,
    /** The example is written as a zero image (every source pixel 0, then
     *  mapped as any pixel: (0 - mean) / std), the call returns CHEXPERT_OK,
     *  and the example's status in `statuses` says why. */
    CHEXPERT_ON_ERROR_SUBSTITUTE = 0x0501
} chexpert_on_error;

/** Memory layout of a resized batch (CHEXPERT_KEY_LAYOUT). */
typedef enum chexpert_layout {
    CHEXPERT_LAYOUT_NHWC = 0x0A00,   /**< [count][height][width][channels] */
    CHEXPERT_LAYOUT_NCHW = 0x0A01    /**< [count][channels][height][width] */
} chexpert_layout;

/** Element type of a resized batch (CHEXPERT_KEY_DTYPE). */
typedef enum chexpert_dtype {
    CHEXPERT_DTYPE_UINT8 = 0x0B00,   /**< 0 ..= 255, rounded half up; NORMALIZE_NONE only */
    CHEXPERT_DTYPE_FLOAT32 = 0x0B01  /**< (v / 255 - mean[c]) / std[c] */
} chexpert_dtype;

/** How the source's aspect ratio meets the output's (CHEXPERT_KEY_FIT). All
 *  three map a source window (in continuous pixel coordinates, pixel i
 *  covering [i, i+1)) onto an output window and resample it once, separably
 *  (rows, then columns). */
typedef enum chexpert_fit {
    /** Scale s = max(H'/H, W'/W), then a centred crop: the source window is
     *  H'/s x W'/s, centred (torchvision Resize(min side) + CenterCrop). */
    CHEXPERT_FIT_COVER = 0x0C00,
    /** Scale s = min(H'/H, W'/W): the whole source lands on round(H*s) x
     *  round(W*s) output pixels, centred (offset floor of half the rest);
     *  the rest is padded with source value 0 (black, before normalising). */
    CHEXPERT_FIT_CONTAIN = 0x0C01,
    /** The whole source onto the whole output; the aspect ratio changes. */
    CHEXPERT_FIT_STRETCH = 0x0C02
} chexpert_fit;

/** Resampling filter (CHEXPERT_KEY_FILTER), with Pillow's coefficients
 *  (Image.resize with `box`, on float data): support scales with the
 *  reduction factor, so both antialias when downscaling. */
typedef enum chexpert_filter {
    /** Pillow's BOX: every source pixel whose centre falls in an output
     *  pixel's footprint counts equally (area averaging). */
    CHEXPERT_FILTER_AREA = 0x0D00,
    /** Pillow's BILINEAR: a triangle filter (torchvision antialias=True). */
    CHEXPERT_FILTER_BILINEAR = 0x0D01
} chexpert_filter;

/** Intensity mapping of float32 output (CHEXPERT_KEY_NORMALIZE):
 *  (v / 255 - mean[c]) / std[c], with v the resampled value in 0 ..= 255. */
typedef enum chexpert_normalize {
    /** mean 0, std 1/255: v itself (0 ..= 255). The only choice for uint8. */
    CHEXPERT_NORMALIZE_NONE = 0x0E00,
    /** mean 0, std 1: v / 255 in [0, 1]. */
    CHEXPERT_NORMALIZE_UNIT = 0x0E01,
    /** ImageNet: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225); with
     *  1 channel their averages, mean 0.449 and std 0.226. */
    CHEXPERT_NORMALIZE_IMAGENET = 0x0E02,
    /** torchxrayvision: (2 v / 255 - 1) * 1024 in [-1024, 1024]
     *  (mean 0.5, std 1/2048). */
    CHEXPERT_NORMALIZE_XRV = 0x0E03,
    /** CHEXPERT_KEY_MEAN and CHEXPERT_KEY_STD. */
    CHEXPERT_NORMALIZE_CUSTOM = 0x0E04
} chexpert_normalize;

/** Rules that peers and the paper use, resolved by column name
 *  (CHEXPERT_KEY_TARGET_PRESET). */
typedef enum chexpert_preset {
    /** The paper's best policy per competition observation, in its order:
     *  Atelectasis U-Ones, Cardiomegaly U-MultiClass, Consolidation
     *  U-Ignore (U-SelfTrained's first stage: the second needs the user's
     *  own model's soft labels for the masked entries), Edema U-Ones,
     *  Pleural Effusion U-MultiClass; blanks negative. */
    CHEXPERT_PRESET_PAPER = 0x1100,
    /** LibAUC's CheXpert (and jfhealthcare's): Cardiomegaly, Edema,
     *  Consolidation, Atelectasis, Pleural Effusion (LibAUC's train_cols
     *  order); U-Ones for Edema and Atelectasis, U-Zeros for the others;
     *  blanks negative. */
    CHEXPERT_PRESET_LIBAUC = 0x1101,
    /** torchxrayvision's CheX_Dataset: the 13 observations other than
     *  `No Finding`, sorted by name; uncertain and blank masked (NaN);
     *  CHEXPERT_KEY_TARGET_NO_FINDING. */
    CHEXPERT_PRESET_XRV = 0x1102
} chexpert_preset;

/** What a shard does with the examples that do not divide evenly among
 *  `world` ranks (CHEXPERT_KEY_REMAINDER). */
typedef enum chexpert_remainder {
    /** Every rank gets ceil(L / world) examples: the order is extended
     *  cyclically from its start (torch DistributedSampler with
     *  drop_last=False). Every example is seen; at most world - 1 twice. */
    CHEXPERT_REMAINDER_PAD = 0x1A00,
    /** Every rank gets floor(L / world): the last L mod world examples of
     *  the order are not seen this epoch (which ones changes per epoch when
     *  shuffled). Every example is seen at most once. */
    CHEXPERT_REMAINDER_DROP = 0x1A01,
    /** Ranks get ceil or floor of L / world: every example exactly once,
     *  ranks may differ by one (evaluation). */
    CHEXPERT_REMAINDER_UNEVEN = 0x1A02
} chexpert_remainder;

/** What an uncertain (`-1.0`) cell becomes: the second element of a target
 *  rule. The policies of the CheXpert paper (Irvin et al. 2019, section 4). */
typedef enum chexpert_uncertain {
    /** U-Ignore: masked (mask 0). */
    CHEXPERT_UNCERTAIN_IGNORE = 0x4000,
    /** U-Zeros: target 0. */
    CHEXPERT_UNCERTAIN_ZEROS = 0x4001,
    /** U-Ones: target 1. */
    CHEXPERT_UNCERTAIN_ONES = 0x4002,
    /** U-MultiClass: a class index for a 3-way softmax: negative 0,
     *  positive 1, uncertain 2 (blank follows the blank rule). */
    CHEXPERT_UNCERTAIN_MULTICLASS = 0x4003,
    /** No policy: the target is TFDS's chexpert_label_class (0 uncertain,
     *  1 positive, 2 negative, 3 unmentioned), never masked; the blank rule
     *  is ignored. */
    CHEXPERT_UNCERTAIN_RAW = 0x4004
} chexpert_uncertain;

/** What a blank (unmentioned) cell becomes: the third element of a target
 *  rule. The CheXpert authors treated blanks as negative
 *  (stanfordmlgroup/chexpert-labeler#9). */
typedef enum chexpert_blank {
    /** Target 0. */
    CHEXPERT_BLANK_NEGATIVE = 0x4100,
    /** Masked (mask 0). */
    CHEXPERT_BLANK_IGNORE = 0x4101
} chexpert_blank;

/** Bits of the flags chexpert_target_rules() reports: the effective
 *  CHEXPERT_KEY_TARGET_NO_FINDING and CHEXPERT_KEY_TARGET_MASKED_NAN. */
typedef enum chexpert_target_flag {
    CHEXPERT_TARGET_NO_FINDING = 1,
    CHEXPERT_TARGET_MASKED_NAN = 2
} chexpert_target_flag;

/** CHEXPERT_KEY_SELECT bits, one per chexpert_projection. */
#define CHEXPERT_SELECT_AP ((int64_t)1 << CHEXPERT_PROJECTION_AP)
#define CHEXPERT_SELECT_PA ((int64_t)1 << CHEXPERT_PROJECTION_PA)
#define CHEXPERT_SELECT_OTHER_FRONTAL ((int64_t)1 << CHEXPERT_PROJECTION_OTHER_FRONTAL)
#define CHEXPERT_SELECT_LATERAL ((int64_t)1 << CHEXPERT_PROJECTION_LATERAL)
/** Every frontal row (TFDS image_view frontal). */
#define CHEXPERT_SELECT_FRONTAL \
    (CHEXPERT_SELECT_AP | CHEXPERT_SELECT_PA | CHEXPERT_SELECT_OTHER_FRONTAL)
/** Every row: TFDS's splits (the default). */
#define CHEXPERT_SELECT_ALL (CHEXPERT_SELECT_FRONTAL | CHEXPERT_SELECT_LATERAL)

/* Limits. Each is checked by the library and by a test against it. */
/** Default of CHEXPERT_KEY_MAX_PIXELS. */
#define CHEXPERT_DEFAULT_MAX_PIXELS ((int64_t)100000000)
/** Default of CHEXPERT_KEY_MAX_FILE_BYTES. */
#define CHEXPERT_DEFAULT_MAX_FILE_BYTES ((int64_t)1 << 28)
/** Largest value of CHEXPERT_KEY_MAX_PIXELS and CHEXPERT_KEY_MAX_FILE_BYTES. */
#define CHEXPERT_MAX_LIMIT ((int64_t)1 << 31)
/** Largest CSV file accepted, in bytes (CHEXPERT_E_LIMIT beyond it). */
#define CHEXPERT_MAX_CSV_BYTES ((int64_t)1 << 30)
/** Most cells in a CSV line, header or row (CHEXPERT_E_LIMIT beyond it,
 *  naming the file and line). The real CSVs have 19 columns. */
#define CHEXPERT_MAX_CSV_COLUMNS 65536
/** Longest CSV line in bytes, its line break excluded; a row whose quoted
 *  cell holds line breaks counts as one line, from its first byte to its
 *  last (CHEXPERT_E_LIMIT beyond it, naming the file and line). The real
 *  CSVs' lines are under 300 bytes. Opening takes time linear in the CSV's
 *  size whatever its shape. */
#define CHEXPERT_MAX_CSV_LINE_BYTES 1048576
/** Largest CHEXPERT_KEY_THREADS. */
#define CHEXPERT_MAX_THREADS 1024
/** Largest CHEXPERT_KEY_HEIGHT and CHEXPERT_KEY_WIDTH. */
#define CHEXPERT_MAX_SIDE 65535
/** Most target rules chexpert_params_set_rules() takes. */
#define CHEXPERT_MAX_RULES 4096
/** Largest CHEXPERT_KEY_WORLD. */
#define CHEXPERT_MAX_WORLD ((int64_t)1 << 30)
/** Largest `count` chexpert_shard_indices() takes (its scratch is 4 bytes
 *  per example when shuffling). */
#define CHEXPERT_MAX_SHARD_COUNT ((int64_t)1 << 30)
/** Largest scratch memory one worker thread of chexpert_batch_resized()
 *  takes to resample one example, in bytes (the source rows it reads x output
 *  width x channels x 4, plus the filter tables and a few rows). A resize
 *  that needs more gives that example CHEXPERT_E_LIMIT before anything is
 *  allocated. */
#define CHEXPERT_MAX_SCRATCH_BYTES ((int64_t)1 << 30)
/** Largest CHEXPERT_KEY_BOOTSTRAP. */
#define CHEXPERT_MAX_BOOTSTRAP 100000
/** Largest number of parts of chexpert_patient_split(). */
#define CHEXPERT_MAX_PARTS 1024

/**
 * Creates an empty parameter set (every key at its default).
 * @param[out] out receives the handle; NULL on failure.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_NO_MEMORY.
 * Ownership: the caller frees it with chexpert_params_free().
 */
int chexpert_params_create(chexpert_params **out);

/** Frees a parameter set. NULL, a freed or an unknown value is a no-op.
 *  Calls already running with it are unaffected (they copied it). */
void chexpert_params_free(chexpert_params *params);

/**
 * Sets an integer key.
 * @param[in] key a chexpert_key other than the float keys.
 * @param[in] value a value in the key's domain (see the key).
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (unknown key, a float key, a value
 *         outside the key's domain; the message names both). On error the
 *         set is unchanged.
 */
int chexpert_params_set(chexpert_params *params, int key, int64_t value);

/**
 * Sets a float key: CHEXPERT_KEY_MEAN, CHEXPERT_KEY_STD (1 ..= 4 finite
 * values; STD nonzero) or a CHEXPERT_KEY_AUG_* key (the counts and domain
 * its comment gives).
 * @param[in] values `count` floats, all finite.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (not a float key, count, a value).
 */
int chexpert_params_set_floats(chexpert_params *params, int key, const float *values,
                               size_t count);

/**
 * Sets custom target rules (and discards CHEXPERT_KEY_TARGET_PRESET).
 * @param[in] rules `3 * rule_count` int32 values: triples {label, uncertain,
 *            blank}: label a label column index (checked against the split
 *            when the rules are used; repeats allowed), uncertain a
 *            chexpert_uncertain, blank a chexpert_blank. Output column j of
 *            chexpert_batch_targets() follows triple j.
 * @param[in] rule_count 1 ..= CHEXPERT_MAX_RULES.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (a policy, a negative label; the
 *         message names the rule), CHEXPERT_E_LIMIT (rule_count).
 */
int chexpert_params_set_rules(chexpert_params *params, const int32_t *rules,
                              size_t rule_count);

/**
 * @param[out] out_value the key's value if set, else its default.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (unknown key, a float key),
 *         CHEXPERT_E_NOT_FOUND (the key is unset and has no default of its
 *         own: HEIGHT, WIDTH, TARGET_PRESET, and DCT and ON_ERROR, whose
 *         default is the dataset's).
 */
int chexpert_params_get(const chexpert_params *params, int key, int64_t *out_value);

/* ======================================================================== */
/* Datasets                                                                  */
/* ======================================================================== */

/** An open dataset: both splits' CSVs parsed and validated. Opaque. */
typedef struct chexpert_dataset chexpert_dataset;

/**
 * Opens a dataset and parses train.csv and valid.csv completely, with TFDS's
 * rules (docs/semantics.md). Any CSV error fails the open, as it fails TFDS's
 * prepare step; images are not touched until they are read. Then each split
 * keeps the rows CHEXPERT_KEY_SELECT selects, in CSV order; example indices
 * count those rows only (a selection that keeps no row of a split is not an
 * error: that split has 0 examples).
 *
 * @param[out] out receives the handle; NULL on failure.
 * @param[in]  root a folder holding one CheXpert release (chexpert_release,
 *             docs/releases.md): the folder that contains
 *             `CheXpert-v1.0-small/` (TFDS's manual_dir), or a folder that
 *             directly holds train.csv and valid.csv (the
 *             `CheXpert-v1.0-small` folder itself, whatever its name), the
 *             Kaggle double nest, the full-size `CheXpert-v1.0/` or the AIMI
 *             download. NULL means $CHEXPERT_ROOT if set and non-empty, else
 *             $HOME/tensorflow_datasets/downloads/manual. When no release
 *             matches, CHEXPERT_E_NOT_FOUND lists what the folder holds.
 *             The test split is read when its label file is present
 *             (chexpert_dataset_has_split()).
 * @param[in]  options NULL, or keys DCT, MAX_PIXELS, MAX_FILE_BYTES, SELECT,
 *             ON_ERROR, CONFINE_PATHS, LABELS (the handle's initial
 *             options).
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER (out), CHEXPERT_E_CLOSED
 *         (options), CHEXPERT_E_NOT_FOUND (root or a CSV; the message lists
 *         the paths tried), CHEXPERT_E_IO, CHEXPERT_E_CSV (also a `Path`
 *         outside the dataset folder, CHEXPERT_KEY_CONFINE_PATHS),
 *         CHEXPERT_E_LIMIT (CHEXPERT_MAX_CSV_BYTES, _COLUMNS, _LINE_BYTES),
 *         CHEXPERT_E_NO_MEMORY, CHEXPERT_E_INVALID_ARGUMENT (a selection of
 *         AP or PA rows when a CSV has no `AP/PA` column).
 * Ownership: the caller closes the handle with chexpert_dataset_close().
 */
int chexpert_dataset_open(chexpert_dataset **out, const char *root,
                          const chexpert_params *options);

/**
 * Closes a dataset. NULL, an already closed handle and an unknown value are
 * no-ops. The library's memory for the handle is released once no running
 * call uses it.
 */
void chexpert_dataset_close(chexpert_dataset *ds);

/**
 * The resolved dataset folder (the one holding train.csv and valid.csv), as
 * an absolute path with symbolic links resolved (realpath of the root).
 * @param[out] out NUL-terminated path, or NULL with capacity 0 (size query).
 * @param[out] out_size bytes needed, NUL included; may be NULL.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_BUFFER_TOO_SMALL.
 */
int chexpert_dataset_root(const chexpert_dataset *ds, char *out, size_t capacity,
                          size_t *out_size);

/**
 * Sets a dataset option for all later calls on this handle.
 * @param[in] key CHEXPERT_KEY_DCT, _MAX_PIXELS, _MAX_FILE_BYTES or _ON_ERROR.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (another key, a value outside the key's
 *         domain).
 */
int chexpert_dataset_set_option(chexpert_dataset *ds, int key, int64_t value);

/**
 * @param[in]  key as chexpert_dataset_set_option(), CHEXPERT_KEY_SELECT,
 *             CHEXPERT_KEY_CONFINE_PATHS or CHEXPERT_KEY_LABELS.
 * @param[out] out_value the option's current value.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (another key).
 */
int chexpert_dataset_get_option(const chexpert_dataset *ds, int key, int64_t *out_value);

/**
 * The bytes the library holds for this handle: the parsed CSV tables (names,
 * labels, views, offsets) and the root path; fixed after open. For the real
 * CheXpert-v1.0-small it is about 20 MB.
 * @param[out] out_bytes receives the count.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED.
 */
int chexpert_dataset_memory_usage(const chexpert_dataset *ds, size_t *out_bytes);

/* ======================================================================== */
/* Splits                                                                    */
/* ======================================================================== */

/**
 * @param[out] out_count the number of examples (selected CSV data rows).
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (split).
 */
int chexpert_split_size(const chexpert_dataset *ds, int split, int64_t *out_count);

/**
 * @param[out] out_count the length of every label vector of the split: the
 *             CSV's header columns after the fifth (14 for the real files),
 *             as TFDS counts them.
 * @return as chexpert_split_size().
 */
int chexpert_split_num_labels(const chexpert_dataset *ds, int split, int32_t *out_count);

/**
 * The header name of label column `label` (0-based), e.g. "No Finding".
 * @param[out] out NUL-terminated name, or NULL with capacity 0 (size query).
 * @param[out] out_size bytes needed, NUL included; may be NULL.
 * @return as chexpert_split_size(), plus CHEXPERT_E_OUT_OF_RANGE (label),
 *         CHEXPERT_E_BUFFER_TOO_SMALL.
 */
int chexpert_split_label_name(const chexpert_dataset *ds, int split, int32_t label,
                              char *out, size_t capacity, size_t *out_size);

/**
 * Rows of the split's CSV per chexpert_projection, before selection
 * (chexpert_split_size() is the sum over the selected projections).
 * @param[out] out_counts CHEXPERT_NUM_PROJECTIONS counts, indexed by
 *             chexpert_projection; `capacity` elements.
 * @return as chexpert_split_size(), plus CHEXPERT_E_BUFFER_TOO_SMALL.
 */
int chexpert_split_projection_counts(const chexpert_dataset *ds, int split,
                                     int64_t *out_counts, size_t capacity);

/* ======================================================================== */
/* Examples                                                                  */
/* ======================================================================== */

/**
 * Decodes example `index` into `out` as height x width x 3 uint8, row-major
 * (TFDS's `image`; grey images are replicated into all three channels, as
 * TFDS does), with the handle's CHEXPERT_KEY_DCT.
 * @param[out] out destination, or NULL with capacity 0: a size query that
 *             reads only the JPEG header.
 * @param[in]  capacity_bytes bytes at `out`: at least height * width * 3.
 * @param[out] out_height, out_width the image size (set also for a size query
 *             and when the buffer is too small); each may be NULL.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT, CHEXPERT_E_OUT_OF_RANGE,
 *         CHEXPERT_E_BUFFER_TOO_SMALL, CHEXPERT_E_NOT_FOUND, CHEXPERT_E_IO,
 *         CHEXPERT_E_IMAGE, CHEXPERT_E_LIMIT, CHEXPERT_E_NO_MEMORY. After a
 *         decode error past the header, the contents of `out` are
 *         unspecified; on any other failure nothing is written to it.
 */
int chexpert_example_image(const chexpert_dataset *ds, int split, int64_t index,
                           uint8_t *out, size_t capacity_bytes,
                           int32_t *out_height, int32_t *out_width);

/**
 * Example `index`'s label vector (TFDS's `label`: one chexpert_label_class
 * per label column).
 * @param[out] out `capacity` elements; at least chexpert_split_num_labels().
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT, CHEXPERT_E_OUT_OF_RANGE,
 *         CHEXPERT_E_BUFFER_TOO_SMALL.
 */
int chexpert_example_labels(const chexpert_dataset *ds, int split, int64_t index,
                            int64_t *out, size_t capacity);

/**
 * @param[out] out_view example `index`'s chexpert_view (TFDS's `image_view`).
 * @return as chexpert_example_labels() except CHEXPERT_E_BUFFER_TOO_SMALL.
 */
int chexpert_example_view(const chexpert_dataset *ds, int split, int64_t index,
                          int64_t *out_view);

/**
 * Example `index`'s name: the CSV `Path` cell verbatim (TFDS's `name` and
 * example key), e.g. "CheXpert-v1.0-small/train/patient00001/study1/
 * view1_frontal.jpg".
 * @param[out] out NUL-terminated name, or NULL with capacity 0 (size query).
 * @param[out] out_size bytes needed, NUL included; may be NULL.
 * @return as chexpert_example_labels().
 */
int chexpert_example_name(const chexpert_dataset *ds, int split, int64_t index,
                          char *out, size_t capacity, size_t *out_size);

/* ======================================================================== */
/* Batches                                                                   */
/* ======================================================================== */
/* Each batch call writes one kind of output for `count` examples, in
 * `indices` order, so every output goes straight into the array a caller's
 * language would allocate for it (int64 for every per-example integer, as in
 * TFDS). */

/**
 * Decodes `count` examples in parallel, packed back to back in `indices`
 * order: example k occupies heights[k] * widths[k] * 3 bytes right after
 * example k-1 (a C-contiguous [count, H, W, 3] array when all shapes are
 * equal). Each file is read once per call.
 * @param[in]  params NULL, or keys THREADS, DCT.
 * @param[out] out destination, or NULL with capacity 0: a size query that
 *             reads only the JPEG headers and sets `out_shapes`.
 * @param[in]  capacity_bytes bytes at `out`: at least the sum of
 *             height * width * 3.
 * @param[out] out_shapes NULL, or 2 * count int32: {height, width} of each
 *             example, set before any pixel is written (also for a size query
 *             and when `out` is too small).
 * @return CHEXPERT_OK or the first error: argument, index and capacity errors
 *         before anything is written; for a per-example error (the message
 *         names the position, index and file) that of the first failing
 *         position, after which the contents of `out` are unspecified.
 */
int chexpert_batch_images(const chexpert_dataset *ds, int split,
                          const int64_t *indices, size_t count,
                          const chexpert_params *params,
                          uint8_t *out, size_t capacity_bytes, int32_t *out_shapes);

/**
 * Label vectors of `count` examples: row k is example k's chexpert_example_labels().
 * @param[out] out `capacity` elements: at least count * chexpert_split_num_labels().
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT, CHEXPERT_E_OUT_OF_RANGE,
 *         CHEXPERT_E_BUFFER_TOO_SMALL.
 */
int chexpert_batch_labels(const chexpert_dataset *ds, int split,
                          const int64_t *indices, size_t count,
                          int64_t *out, size_t capacity);

/**
 * The chexpert_view (TFDS `image_view`) of `count` examples.
 * @param[out] out `capacity` elements, at least count.
 * @return as chexpert_batch_labels().
 */
int chexpert_batch_views(const chexpert_dataset *ds, int split,
                         const int64_t *indices, size_t count,
                         int64_t *out, size_t capacity);

/**
 * The chexpert_projection of `count` examples.
 * @param[out] out `capacity` elements, at least count.
 * @return as chexpert_batch_labels().
 */
int chexpert_batch_projections(const chexpert_dataset *ds, int split,
                               const int64_t *indices, size_t count,
                               int64_t *out, size_t capacity);

/**
 * The names (CSV `Path` cells) of `count` examples, back to back in `indices`
 * order, each followed by a NUL.
 * @param[out] out destination, or NULL with capacity 0 (size query).
 * @param[out] out_size bytes needed: the names' lengths plus `count` NULs;
 *             may be NULL.
 * @return as chexpert_batch_labels().
 */
int chexpert_batch_names(const chexpert_dataset *ds, int split,
                         const int64_t *indices, size_t count,
                         char *out, size_t capacity, size_t *out_size);

/* ======================================================================== */
/* Resized batches (training input)                                          */
/* ======================================================================== */

/**
 * Validates the resize keys of `params` and gives the bytes a resized batch
 * of `count` examples needs: count * height * width * channels * (1 or 4).
 * @param[in]  params keys HEIGHT and WIDTH (required), CHANNELS, DTYPE,
 *             NORMALIZE (its statistics are checked by the batch call).
 * @param[out] out_bytes the size.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (a missing size, uint8 with a
 *         normalisation, a size that overflows).
 */
int chexpert_resize_output_bytes(const chexpert_params *params, size_t count,
                                 size_t *out_bytes);

/**
 * Reads `count` examples, each decoded, resampled to one size and written to
 * `out` in the layout and type `params` give, in parallel.
 * @param[in]  params keys HEIGHT and WIDTH (required), CHANNELS, LAYOUT,
 *             DTYPE, FIT, FILTER, NORMALIZE, MEAN, STD, DCT, ON_ERROR,
 *             THREADS, RESAMPLE, DECODE_SCALE.
 * @param[out] out destination, `capacity_bytes` bytes (see
 *             chexpert_resize_output_bytes()), aligned for float.
 * @param[out] statuses NULL, or `count` int32: each example's status
 *             (CHEXPERT_OK, or why it was substituted or failed).
 * @return CHEXPERT_OK (with CHEXPERT_ON_ERROR_SUBSTITUTE, also when examples
 *         were substituted: see `statuses`) or the first error: argument,
 *         index and capacity errors before anything is written; a
 *         per-example error under CHEXPERT_ON_ERROR_RAISE is that of the
 *         first failing position, after which the contents of `out` are
 *         unspecified. An example whose resampling needs more than
 *         CHEXPERT_MAX_SCRATCH_BYTES of scratch memory (an extreme
 *         upscale, for example) is CHEXPERT_E_LIMIT, the message naming the
 *         bound; a failed allocation is CHEXPERT_E_NO_MEMORY, for the call,
 *         even with CHEXPERT_ON_ERROR_SUBSTITUTE.
 */
int chexpert_batch_resized(const chexpert_dataset *ds, int split,
                           const int64_t *indices, size_t count,
                           const chexpert_params *params,
                           void *out, size_t capacity_bytes, int32_t *statuses);

/* ======================================================================== */
/* Training targets (uncertainty policies)                                  */
/* ======================================================================== */

/**
 * The target rules `params` give for this split: CHEXPERT_KEY_TARGET_PRESET
 * resolved by column name, or the rules of chexpert_params_set_rules()
 * checked against the split's label columns; and the effective flags.
 * @param[in]  params keys TARGET_PRESET, TARGET_NO_FINDING,
 *             TARGET_MASKED_NAN, and the rules.
 * @param[out] out_rules `3 * rule count` int32 triples, or NULL with capacity
 *             0 (size query); `capacity` int32 elements.
 * @param[out] out_rule_count the number of rules (triples); may be NULL.
 * @param[out] out_flags chexpert_target_flag bits; may be NULL.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (split; neither a preset nor rules;
 *         NO_FINDING without a `No Finding` column), CHEXPERT_E_NOT_FOUND (a
 *         column the preset names), CHEXPERT_E_OUT_OF_RANGE (a rule's
 *         label), CHEXPERT_E_BUFFER_TOO_SMALL.
 */
int chexpert_target_rules(const chexpert_dataset *ds, int split,
                          const chexpert_params *params,
                          int32_t *out_rules, size_t capacity,
                          size_t *out_rule_count, uint32_t *out_flags);

/**
 * Training targets and masks for `count` examples under the rules of
 * chexpert_target_rules(). For each example and rule: positive gives 1,
 * negative 0, uncertain and blank as the rule says; mask is 1 where the
 * target counts and 0 where it is masked (target 0, or NaN with
 * CHEXPERT_KEY_TARGET_MASKED_NAN).
 * @param[out] out_targets `count * rule count` floats, row-major.
 * @param[out] out_masks the same shape, or NULL (not written).
 * @param[in]  capacity elements at `out_targets` and at `out_masks` each.
 * @return as chexpert_target_rules(), plus CHEXPERT_E_OUT_OF_RANGE (an
 *         index). Nothing is written on error.
 */
int chexpert_batch_targets(const chexpert_dataset *ds, int split,
                           const int64_t *indices, size_t count,
                           const chexpert_params *params,
                           float *out_targets, float *out_masks, size_t capacity);

/* ======================================================================== */
/* Epoch order and sharding                                                 */
/* ======================================================================== */

/** Bump only if chexpert_shard_indices() would return another order for the
 *  same arguments; this version's algorithm is pinned below. */
#define CHEXPERT_ORDER_VERSION 1

/**
 * One rank's example indices for one epoch: a pure function of `count` and
 * the order keys, the same on every machine and in every version with this
 * CHEXPERT_ORDER_VERSION.
 *
 * The order P of 0 ..< count is the identity without shuffle; with shuffle,
 * a Fisher-Yates shuffle (i from count-1 down to 1: swap P[i] with P[j],
 * j uniform in 0 ..= i by Lemire's multiply-and-reject on 64-bit draws)
 * driven by SplitMix64 (state += 0x9E3779B97F4A7C15; z = state; z = (z ^
 * z>>30) * 0xBF58476D1CE4E5B9; z = (z ^ z>>27) * 0x94D049BB133111EB;
 * return z ^ z>>31) whose initial state is seed ^ mix(epoch), mix being the
 * same finaliser applied to epoch + 0x9E3779B97F4A7C15.
 * The rest R = P[start ..< count] (L elements) is shaped by the remainder
 * policy and dealt round-robin: rank r gets R'[r], R'[r + world], ... So
 * after every rank has consumed k examples, the consumed ones are
 * P[start ..< start + k * world]: resuming from `start + k * world`, with any
 * world size, continues with exactly the rest; with the same world size it
 * gives each rank exactly the rest of its own shard.
 *
 * @param[in]  params NULL, or keys SHUFFLE, SEED, EPOCH, START, RANK, WORLD,
 *             REMAINDER (START is checked against `count` here).
 * @param[in]  count examples in the split, 0 ..= CHEXPERT_MAX_SHARD_COUNT.
 * @param[out] out the rank's indices, or NULL with capacity 0 (size query).
 * @param[out] out_count the number of indices; may be NULL.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (count negative, START, RANK >= WORLD),
 *         CHEXPERT_E_LIMIT (count), CHEXPERT_E_BUFFER_TOO_SMALL,
 *         CHEXPERT_E_NO_MEMORY.
 * Memory: scratch of 4 bytes per example when shuffling, freed before return.
 */
int chexpert_shard_indices(const chexpert_params *params, int64_t count,
                           int64_t *out, size_t capacity, size_t *out_count);

/* ======================================================================== */
/* Verification                                                              */
/* ======================================================================== */

/**
 * Reads and fully decodes each of `count` examples (writing no pixels), in
 * parallel, and gives each one's status and message.
 * @param[in]  params NULL, or keys THREADS, DCT.
 * @param[out] statuses `count` int32 (NULL only with count 0): CHEXPERT_OK,
 *             or the status reading the example gives (CHEXPERT_E_NOT_FOUND,
 *             _IO, _IMAGE, _LIMIT).
 * @param[out] messages NULL, or `count * message_stride` bytes: example k's
 *             message (what chexpert_example_image() reports for it; "" for
 *             CHEXPERT_OK) at `messages + k * message_stride`, NUL-terminated,
 *             cut at a UTF-8 character boundary to fit.
 * @param[in]  message_stride bytes per message; 0 when `messages` is NULL.
 * @return CHEXPERT_OK (whatever the examples' statuses),
 *         CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT, CHEXPERT_E_OUT_OF_RANGE (an index;
 *         nothing decoded), CHEXPERT_E_NO_MEMORY.
 */
int chexpert_batch_verify(const chexpert_dataset *ds, int split,
                          const int64_t *indices, size_t count,
                          const chexpert_params *params,
                          int32_t *statuses, char *messages, size_t message_stride);

/* ======================================================================== */
/* Releases, splits present, metadata                                       */
/* ======================================================================== */

/**
 * @param[out] out_release the chexpert_release detected at open.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED.
 */
int chexpert_dataset_release(const chexpert_dataset *ds, int32_t *out_release);

/**
 * Whether the dataset has split `split`: 1 for train and validation always;
 * for test, 1 when the test set's label file was found (`groundtruth.csv`,
 * keyed by `Study`, or `test_labels.csv`, keyed by `Path`: docs/releases.md),
 * else 0. Every other call given a split the dataset does not have returns
 * CHEXPERT_E_NOT_FOUND.
 * @param[out] out_has 1 or 0.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (split).
 */
int chexpert_dataset_has_split(const chexpert_dataset *ds, int split, int32_t *out_has);

/**
 * One metadata field of `count` examples (parsed at open; no file is read).
 * @param[in]  field a chexpert_field.
 * @param[out] out `capacity` elements, at least count.
 * @return as chexpert_batch_labels(), plus CHEXPERT_E_INVALID_ARGUMENT
 *         (field).
 */
int chexpert_batch_metadata(const chexpert_dataset *ds, int split,
                            const int64_t *indices, size_t count, int field,
                            int64_t *out, size_t capacity);

/* ======================================================================== */
/* Studies, patients, evaluation                                             */
/* ======================================================================== */

/**
 * @param[out] out_count the number of studies of the split (distinct
 *             CHEXPERT_FIELD_STUDY_INDEX values; the selection applied).
 * @return as chexpert_split_size().
 */
int chexpert_split_study_count(const chexpert_dataset *ds, int split, int64_t *out_count);

/**
 * Study-level scores: row s of `out` combines, per column, the rows of
 * `scores` of the examples whose CHEXPERT_FIELD_STUDY_INDEX is s.
 * @param[in]  scores `rows * columns` doubles, row-major, row i for example
 *             i of the split; rows must equal chexpert_split_size().
 * @param[in]  params NULL, or key AGGREGATE.
 * @param[out] out `capacity` doubles, at least study count * columns.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (split, rows, columns 0), 
 *         CHEXPERT_E_NOT_FOUND (split), CHEXPERT_E_BUFFER_TOO_SMALL.
 *         NaN scores propagate.
 */
int chexpert_aggregate_scores(const chexpert_dataset *ds, int split,
                              const double *scores, size_t rows, size_t columns,
                              const chexpert_params *params,
                              double *out, size_t capacity);

/**
 * Assigns each example of the split to one of `parts` parts so that all the
 * examples of a patient share a part: a deterministic function of the
 * split's rows, `fractions`, CHEXPERT_KEY_SEED and CHEXPERT_KEY_STRATIFY
 * (algorithm in docs/evaluation.md). Patients (an example with no patient id
 * is a patient of its own) are shuffled with the pinned generator of
 * chexpert_shard_indices() and dealt so that each part's share of examples
 * comes closest to its fraction; with STRATIFY, patients with and without a
 * positive cell in that column are dealt separately.
 * @param[in]  fractions `parts` finite non-negative doubles with a positive
 *             sum (normalised by it).
 * @param[in]  parts 1 ..= CHEXPERT_MAX_PARTS.
 * @param[in]  params NULL, or keys SEED, STRATIFY.
 * @param[out] out_parts `capacity` int32, at least the split size: each
 *             example's part, 0 ..< parts.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT, CHEXPERT_E_NOT_FOUND (split),
 *         CHEXPERT_E_OUT_OF_RANGE (STRATIFY), CHEXPERT_E_BUFFER_TOO_SMALL,
 *         CHEXPERT_E_NO_MEMORY.
 */
int chexpert_patient_split(const chexpert_dataset *ds, int split,
                           const double *fractions, size_t parts,
                           const chexpert_params *params,
                           int32_t *out_parts, size_t capacity);

/** Metrics per row of chexpert_evaluate()'s output, in this order. */
typedef enum chexpert_metric {
    CHEXPERT_METRIC_AUROC = 0,
    CHEXPERT_METRIC_AUPRC = 1,
    CHEXPERT_METRIC_AUROC_LOW = 2,   /**< bootstrap 2.5th percentile */
    CHEXPERT_METRIC_AUROC_HIGH = 3,  /**< bootstrap 97.5th percentile */
    CHEXPERT_METRIC_AUPRC_LOW = 4,
    CHEXPERT_METRIC_AUPRC_HIGH = 5,
    /** Samples counted (after CHEXPERT_KEY_EVAL_UNCERTAIN). */
    CHEXPERT_METRIC_SAMPLES = 6,
    /** Positive samples among them. */
    CHEXPERT_METRIC_POSITIVES = 7
} chexpert_metric;
#define CHEXPERT_NUM_METRICS 8

/**
 * Scores a model on a split against its ground truth: per scored label
 * column, AUROC (equal to scikit-learn's roc_auc_score, ties counted half)
 * and AUPRC (average precision, equal to scikit-learn's
 * average_precision_score), with percentile bootstrap 95% intervals; then
 * one more row, the mean of each metric over the columns where it is
 * defined. A metric with no positive or no negative sample is NaN (so is a
 * bootstrap bound when fewer than half the resamples define it);
 * docs/evaluation.md states every rule.
 * @param[in]  scores `rows * columns` doubles, row-major, row i for example
 *             i of the split (rows = chexpert_split_size()); all finite.
 * @param[in]  label_columns `columns` int32: the label column each score
 *             column is scored against (distinct, 0 ..< num_labels).
 * @param[in]  params NULL, or keys EVAL_LEVEL, AGGREGATE, BOOTSTRAP, SEED,
 *             EVAL_UNCERTAIN.
 * @param[out] out `capacity` doubles, at least (columns + 1) *
 *             CHEXPERT_NUM_METRICS: row j (chexpert_metric order) for score
 *             column j, row `columns` the means.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (rows, columns, a non-finite score),
 *         CHEXPERT_E_NOT_FOUND (split), CHEXPERT_E_OUT_OF_RANGE (a label
 *         column), CHEXPERT_E_BUFFER_TOO_SMALL, CHEXPERT_E_NO_MEMORY.
 * Memory: checked scratch, freed before return: per sample 36 + 22 *
 * columns bytes, plus 16 bytes per bootstrap resample and column.
 */
int chexpert_evaluate(const chexpert_dataset *ds, int split,
                      const double *scores, size_t rows, size_t columns,
                      const int32_t *label_columns,
                      const chexpert_params *params,
                      double *out, size_t capacity);

/* ======================================================================== */
/* Packed cache (docs/cache.md)                                              */
/* ======================================================================== */

/**
 * Writes a packed cache of every split the dataset has (its selected rows):
 * each example's image decoded once, resized to a uint8 grey plane (short
 * side CHEXPERT_KEY_CACHE_SIDE, aspect kept; or exactly HEIGHT x WIDTH with
 * FIT and FILTER), with an index and the sources' fingerprint. Built in
 * parallel into a temporary file in `path`'s folder, then fsync'ed and
 * renamed over `path`: on any failure no file is left at `path` (an
 * existing one is untouched) and the temporary file is removed.
 * @param[in]  path the cache file to write.
 * @param[in]  params keys CACHE_SIDE, or HEIGHT and WIDTH (+ FIT, FILTER);
 *             THREADS, DCT, ON_ERROR (NULL: not enough: a size is needed).
 *             Under CHEXPERT_ON_ERROR_SUBSTITUTE an unreadable example is
 *             recorded as failed: reading it from the cache gives its
 *             error again.
 * @param[in,out] progress NULL, or a counter set to 0, then incremented
 *             atomically (__atomic, relaxed) as examples are written, up to
 *             the sum of the split sizes: another thread may poll it.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER (ds, path, params),
 *         CHEXPERT_E_CLOSED, CHEXPERT_E_INVALID_ARGUMENT (no size, both
 *         kinds of size), CHEXPERT_E_NOT_FOUND, CHEXPERT_E_IO (also writing
 *         the file), CHEXPERT_E_IMAGE, CHEXPERT_E_LIMIT (an example; the
 *         message names it), CHEXPERT_E_NO_MEMORY.
 */
int chexpert_cache_build(const chexpert_dataset *ds, const char *path,
                         const chexpert_params *params, int64_t *progress);

/**
 * Attaches the packed cache at `path` to the dataset (NULL detaches): from
 * then on chexpert_batch_resized() takes each example's source pixels from
 * its cached plane (memory-mapped, read-only) instead of decoding its JPEG,
 * then resizes and maps them as usual. chexpert_example_image() and
 * chexpert_batch_images() still decode the JPEGs. The file is checked
 * first: structure, checksum, then its fingerprint against the dataset (CSV
 * contents, selection, split sizes, every image's size and modification
 * time); on failure the dataset's cache is unchanged. Calls running during
 * an attach or detach finish with the cache they started with.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER (ds), CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_NOT_FOUND, CHEXPERT_E_IO, CHEXPERT_E_STALE (naming what
 *         differs), CHEXPERT_E_NO_MEMORY.
 */
int chexpert_dataset_attach_cache(chexpert_dataset *ds, const char *path);

/** Fields of chexpert_cache_info(). */
typedef enum chexpert_cache_field {
    CHEXPERT_CACHE_VERSION = 0,          /**< format version */
    CHEXPERT_CACHE_FILE_BYTES = 1,       /**< file size */
    CHEXPERT_CACHE_SIDE = 2,             /**< short side, or 0 (exact planes) */
    CHEXPERT_CACHE_HEIGHT = 3,           /**< exact planes' height, or 0 */
    CHEXPERT_CACHE_WIDTH = 4,            /**< exact planes' width, or 0 */
    CHEXPERT_CACHE_SELECT = 5,           /**< CHEXPERT_KEY_SELECT at build */
    CHEXPERT_CACHE_TRAIN = 6,            /**< examples of train */
    CHEXPERT_CACHE_VALIDATION = 7,       /**< examples of validation */
    CHEXPERT_CACHE_TEST = 8,             /**< examples of test, -1: no split */
    CHEXPERT_CACHE_FAILED = 9,           /**< examples recorded as failed */
    CHEXPERT_CACHE_PLANE_BYTES = 10      /**< bytes of the planes region */
} chexpert_cache_field;
#define CHEXPERT_NUM_CACHE_FIELDS 11

/**
 * Reads a packed cache's header and checks its structure and checksum (not
 * its fingerprint: no dataset is involved).
 * @param[out] out `capacity` int64, at least CHEXPERT_NUM_CACHE_FIELDS:
 *             element i is field i (chexpert_cache_field).
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_NOT_FOUND,
 *         CHEXPERT_E_IO, CHEXPERT_E_STALE, CHEXPERT_E_BUFFER_TOO_SMALL.
 */
int chexpert_cache_info(const char *path, int64_t *out, size_t capacity);

/* ======================================================================== */
/* Augmentation                                                              */
/* ======================================================================== */

/** Native augmentation of chexpert_batch_resized() (CHEXPERT_KEY_AUGMENT;
 *  docs/augmentation.md). The pipeline is crop -> affine -> fit to the
 *  output (CHEXPERT_KEY_FIT, applied to the crop) -> horizontal flip, as
 *  one antialiased resample from the source, then brightness, contrast and
 *  gamma, then the usual normalisation, dtype and layout. */
typedef enum chexpert_augment {
    /** No augmentation (default). */
    CHEXPERT_AUGMENT_NONE = 0x2800,
    /** Only the CHEXPERT_KEY_AUG_* keys that are set. */
    CHEXPERT_AUGMENT_CUSTOM = 0x2801,
    /** jfhealthcare/Chexpert's 'Aug' (data/imgaug.py): RandomAffine
     *  rotate {-15, 15}, translate {0.05, 0.05}, scale {0.95, 1.05}, fill
     *  128; no crop, shear, flip or intensity jitter. */
    CHEXPERT_AUGMENT_JFHEALTHCARE = 0x2802,
    /** LibAUC's CheXpert train augmentation
     *  (libauc/datasets/chexpert.py image_augmentation): the same
     *  RandomAffine as JFHEALTHCARE. */
    CHEXPERT_AUGMENT_LIBAUC = 0x2803
} chexpert_augment;

/** Values chexpert_augment_draw() writes. */
#define CHEXPERT_NUM_AUGMENT_VALUES 14

/**
 * The parameters chexpert_batch_resized() draws for one example (for tests
 * and for reproducing an augmentation elsewhere).
 * @param[in] params CHEXPERT_KEY_AUGMENT, the AUG_* keys, CHEXPERT_KEY_SEED
 *            and CHEXPERT_KEY_EPOCH; NULL: every key at its default.
 * @param[in] index the example's index in its split, >= 0.
 * @param[in] width, height the decoded source's size, 1 ..=
 *            CHEXPERT_MAX_SIDE (the crop and the translation depend on it).
 * @param[out] out `capacity` doubles, at least CHEXPERT_NUM_AUGMENT_VALUES:
 *             crop top, left, height, width (source pixels); angle
 *             (degrees), translate x, y (pixels of the crop), scale, shear
 *             x, y (degrees) as torchvision's affine() takes them; flip (0
 *             or 1); brightness, contrast, gamma. With
 *             CHEXPERT_AUGMENT_NONE: the identity (the whole image, 0, 0,
 *             0, 1, 0, 0, 0, 1, 1, 1).
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT (index, width, height),
 *         CHEXPERT_E_BUFFER_TOO_SMALL (nothing written).
 * Thread safety: any thread.
 */
int chexpert_augment_draw(const chexpert_params *params, int64_t index, int64_t width,
                          int64_t height, double *out, size_t capacity);

/* ======================================================================== */
/* Jobs: batch calls that return at once                                     */
/* ======================================================================== */

/** A batch call started by chexpert_batch_resized_start() or
 *  chexpert_batch_images_start() and not yet waited for: an opaque handle,
 *  freed by chexpert_job_wait(). */
typedef struct chexpert_job chexpert_job;

/**
 * chexpert_batch_resized(), started on the worker pool: checks its
 * arguments (handles, keys, indices, capacity), copies `indices`, queues
 * the work and returns without waiting for it. The pool's threads (T of
 * them for CHEXPERT_KEY_THREADS = T; the calling thread does no work)
 * take queued jobs in the order they were started, and a thread that
 * finds no example left in one job goes on to the next at once: a caller
 * that starts batch k + 1 before it waits for batch k keeps every thread
 * busy across the boundary. The result, and the contents of `out` and
 * `statuses`, are those chexpert_batch_resized() would give.
 * @param[out] out, statuses as chexpert_batch_resized(): kept by the job
 *             and written until chexpert_job_wait() returns; do not read,
 *             write or free them before.
 * @param[out] out_job the job, to pass to chexpert_job_wait() exactly once
 *             (set only when CHEXPERT_OK is returned).
 * @return CHEXPERT_OK (the job is queued), or the argument, index or
 *         capacity error chexpert_batch_resized() would return (no job,
 *         nothing written), CHEXPERT_E_NO_MEMORY.
 */
int chexpert_batch_resized_start(const chexpert_dataset *ds, int split,
                                 const int64_t *indices, size_t count,
                                 const chexpert_params *params,
                                 void *out, size_t capacity_bytes, int32_t *statuses,
                                 chexpert_job **out_job);

/**
 * chexpert_batch_images(), started on the worker pool as
 * chexpert_batch_resized_start() starts chexpert_batch_resized(). `out`
 * and `out_shapes` are kept by the job until chexpert_job_wait() returns;
 * a capacity too small for the decoded images is reported by the wait.
 * @return CHEXPERT_OK (queued), the argument or index error
 *         chexpert_batch_images() would return (no job, nothing written),
 *         CHEXPERT_E_NO_MEMORY.
 */
int chexpert_batch_images_start(const chexpert_dataset *ds, int split,
                                const int64_t *indices, size_t count,
                                const chexpert_params *params,
                                uint8_t *out, size_t capacity_bytes, int32_t *out_shapes,
                                chexpert_job **out_job);

/**
 * Waits until `job` is done and frees it. A job no pool thread has taken
 * yet (the pool is busy, or has no thread: one could not be started) is
 * done on the calling thread, so a wait always ends. After fork(), a job
 * started in the parent and not finished before the fork is done again
 * from the start by the child's wait (the parent's copy is unaffected).
 * Every job must be waited for: one never waited for keeps its memory and
 * the pool's threads (as a running call would) until exit.
 * @return the status the synchronous call would have returned (its message
 *         from chexpert_last_error() on this thread), or
 *         CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED (a job already waited
 *         for, or a made-up handle).
 */
int chexpert_job_wait(chexpert_job *job);

/**
 * Whether `job` is done (chexpert_job_wait() would not block).
 * @param[out] out_done 1 done, 0 queued or running.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_CLOSED.
 */
int chexpert_job_done(const chexpert_job *job, int32_t *out_done);

#ifdef __cplusplus
}
#endif

#endif /* CHEXPERT_H */
