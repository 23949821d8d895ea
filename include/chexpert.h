/*
 * chexpert.h: the public C interface of libchexpert, a reader for the CheXpert
 * chest X-ray dataset (CheXpert-v1.0-small) with the semantics of TensorFlow
 * Datasets' `chexpert` builder, version 3.1.0.
 *
 * This header is the contract. The Swift implementation is checked against it
 * by the compiler (`@c @implementation`), the exported symbol set and the
 * Python ctypes declarations are checked against it by tests.
 *
 * Conventions
 * -----------
 * - Every function is `chexpert_<noun>_<verb>`; every macro and enum constant
 *   is `CHEXPERT_`.
 * - Fallible functions return `int`: CHEXPERT_OK (0) or a negative
 *   `chexpert_status`. After a failure, chexpert_last_error() on the same
 *   thread returns a message that names the file, CSV row and column, or
 *   argument at fault. A failure never invalidates the dataset handle.
 * - Arguments, unless a function says otherwise: a NULL `ds` gives
 *   CHEXPERT_E_NULL_POINTER, a closed one CHEXPERT_E_CLOSED; a NULL required
 *   pointer gives CHEXPERT_E_NULL_POINTER naming the parameter; an optional
 *   output given as NULL with capacity 0 is skipped; a `size_t` above
 *   SSIZE_MAX gives CHEXPERT_E_INVALID_ARGUMENT.
 * - Handles are opaque. A handle's value is a token that the library looks up;
 *   it is never dereferenced. A closed, NULL or made-up handle is answered
 *   with CHEXPERT_E_CLOSED (or CHEXPERT_E_NULL_POINTER for NULL), never a crash.
 * - Every output is caller-owned memory passed with its capacity. Capacities
 *   count elements of the pointed-to type unless the parameter name ends in
 *   `_bytes`. A buffer that is too small gets CHEXPERT_E_BUFFER_TOO_SMALL, the
 *   size needed through an out-parameter where one exists and in the message,
 *   and nothing is written to it.
 * - Strings coming in are NUL-terminated UTF-8 (paths: bytes, as the OS takes
 *   them). Strings going out into caller buffers are NUL-terminated; their
 *   `*_size` out-parameter counts the bytes including the NUL. Passing NULL
 *   with capacity 0 is a size query: it sets `*_size` and returns
 *   CHEXPERT_E_BUFFER_TOO_SMALL.
 * - The library never calls back into the caller, never keeps a caller
 *   pointer after returning, and starts threads only inside the calls that
 *   take `num_threads`; those threads have ended when the call returns (safe
 *   across fork(); no Dispatch).
 *
 * Evolution: values of constants never change; new status codes, options and
 * functions are only appended. A changed signature would be a new function
 * with a `_v2` suffix. CHEXPERT_ABI_VERSION changes only if that promise is
 * ever broken, and equals the number of the symbol version node that every
 * function is exported under (CHEXPERT_1).
 */
#ifndef CHEXPERT_H
#define CHEXPERT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Versions                                                                  */
/* ------------------------------------------------------------------------ */

#define CHEXPERT_VERSION_MAJOR 0
#define CHEXPERT_VERSION_MINOR 2
#define CHEXPERT_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH. */
#define CHEXPERT_VERSION_NUMBER 200
#define CHEXPERT_VERSION_STRING "0.2.0"
/** Incremented only by an incompatible ABI change; see "Evolution" above. */
#define CHEXPERT_ABI_VERSION 1

/**
 * @return CHEXPERT_VERSION_NUMBER of the loaded library (compare it with the
 *         macro to detect a header/library mismatch).
 * Ownership: none. Thread safety: any thread.
 */
int32_t chexpert_version_number(void);

/**
 * @return the loaded library's version as "MAJOR.MINOR.PATCH".
 * Ownership: static string; never free it. Thread safety: any thread.
 */
const char *chexpert_version_string(void);

/**
 * @return CHEXPERT_ABI_VERSION of the loaded library. Bindings refuse to run
 *         against a library whose ABI version differs from theirs.
 * Ownership: none. Thread safety: any thread.
 */
int32_t chexpert_abi_version(void);

/* ------------------------------------------------------------------------ */
/* Status codes and errors                                                   */
/* ------------------------------------------------------------------------ */

/** Status codes. Values are pinned; new codes are only appended. */
typedef enum chexpert_status {
    CHEXPERT_OK = 0,
    /** An argument has a value outside its documented domain (split id,
     *  option key or value, num_threads, a shape that disagrees with the
     *  file). The message names the argument. */
    CHEXPERT_E_INVALID_ARGUMENT = -1,
    /** A required pointer argument is NULL. The message names it. */
    CHEXPERT_E_NULL_POINTER = -2,
    /** An example index is outside [0, split size). */
    CHEXPERT_E_OUT_OF_RANGE = -3,
    /** A caller buffer is smaller than needed; nothing was written to it. */
    CHEXPERT_E_BUFFER_TOO_SMALL = -4,
    /** The handle is closed or was never returned by chexpert_dataset_open. */
    CHEXPERT_E_CLOSED = -5,
    /** The dataset root, a CSV file or an image file does not exist. */
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
    /** A documented limit was exceeded (see the CHEXPERT_OPTION_MAX_* options
     *  and CHEXPERT_MAX_CSV_BYTES). */
    CHEXPERT_E_LIMIT = -10,
    /** Memory could not be allocated. */
    CHEXPERT_E_NO_MEMORY = -11,
    /** A bug in libchexpert. Please report it with the message. */
    CHEXPERT_E_INTERNAL = -12
} chexpert_status;

/**
 * @param[in] status any int.
 * @return the constant's name ("CHEXPERT_OK", "CHEXPERT_E_CSV", ...), or
 *         "CHEXPERT_E_UNKNOWN" for a value that is not a chexpert_status.
 * Ownership: static string; never free it. Thread safety: any thread.
 */
const char *chexpert_status_name(int status);

/**
 * @return the message of the most recent failing chexpert_* call made on the
 *         calling thread, or "" if none has failed on this thread. Successful
 *         calls do not clear it.
 * Ownership: owned by the library; valid until the next chexpert_* call on the
 *         same thread. Copy it if you need it longer.
 * Thread safety: any thread; each thread sees only its own message. Read it on
 *         the thread that made the failing call, right after it.
 */
const char *chexpert_last_error(void);

/* ------------------------------------------------------------------------ */
/* Vocabulary: splits, label classes, views                                  */
/* ------------------------------------------------------------------------ */

/** Splits, as in TFDS: `train` from train.csv, `validation` from valid.csv. */
typedef enum chexpert_split {
    CHEXPERT_SPLIT_TRAIN = 0,
    CHEXPERT_SPLIT_VALIDATION = 1
} chexpert_split;
/** Number of splits; split ids are 0 ..< CHEXPERT_NUM_SPLITS. */
#define CHEXPERT_NUM_SPLITS 2

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

/** Views: the `Frontal/Lateral` cell, ASCII case-insensitive. */
typedef enum chexpert_view {
    CHEXPERT_VIEW_FRONTAL = 0,
    CHEXPERT_VIEW_LATERAL = 1
} chexpert_view;
#define CHEXPERT_NUM_VIEWS 2

/**
 * @param[in] split a chexpert_split value.
 * @return "train" or "validation"; NULL for any other value.
 * Ownership: static string. Thread safety: any thread.
 */
const char *chexpert_split_name(int split);

/**
 * @param[in] label_class a chexpert_label_class value.
 * @return "uncertain", "positive", "negative" or "unmentioned" (TFDS's
 *         ClassLabel names); NULL for any other value.
 * Ownership: static string. Thread safety: any thread.
 */
const char *chexpert_label_class_name(int label_class);

/**
 * @param[in] view a chexpert_view value.
 * @return "frontal" or "lateral"; NULL for any other value.
 * Ownership: static string. Thread safety: any thread.
 */
const char *chexpert_view_name(int view);

/* ------------------------------------------------------------------------ */
/* Datasets                                                                  */
/* ------------------------------------------------------------------------ */

/** An open dataset: both splits' CSVs parsed and validated. Opaque. */
typedef struct chexpert_dataset chexpert_dataset;

/** Largest CSV file accepted, in bytes (CHEXPERT_E_LIMIT beyond it). */
#define CHEXPERT_MAX_CSV_BYTES ((int64_t)1 << 30)

/**
 * Opens a dataset and parses train.csv and valid.csv completely, with TFDS's
 * rules (see README "Semantics"). Any CSV error fails the open, as it fails
 * TFDS's prepare step; images are not touched until they are read.
 *
 * @param[out] out receives the handle on success; set to NULL on failure.
 * @param[in]  root the folder that contains `CheXpert-v1.0-small/` (TFDS's
 *             manual_dir), or a folder that directly holds train.csv and
 *             valid.csv (the `CheXpert-v1.0-small` folder itself, whatever its
 *             name). NULL means $CHEXPERT_ROOT if set and non-empty, else
 *             $HOME/tensorflow_datasets/downloads/manual.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER (out), CHEXPERT_E_NOT_FOUND
 *         (root or a CSV; the message lists the paths tried), CHEXPERT_E_IO,
 *         CHEXPERT_E_CSV, CHEXPERT_E_LIMIT, CHEXPERT_E_NO_MEMORY.
 * Ownership: the caller owns the handle and releases it with
 *         chexpert_dataset_close(). `root` is not kept.
 * Thread safety: any thread; opening is independent of other handles.
 */
int chexpert_dataset_open(chexpert_dataset **out, const char *root);

/**
 * Closes a dataset. NULL, an already closed handle and an unknown value are
 * no-ops. Calls already running on the handle on other threads finish
 * normally; calls that start afterwards get CHEXPERT_E_CLOSED.
 * Ownership: releases the library's memory for the handle once no call is
 *         using it. Thread safety: any thread.
 */
void chexpert_dataset_close(chexpert_dataset *ds);

/**
 * The resolved dataset folder (the one holding train.csv and valid.csv), as
 * an absolute path with symbolic links resolved (realpath of the root).
 * @param[out] out buffer for the NUL-terminated path; may be NULL only if
 *             capacity is 0 (a size query).
 * @param[in]  capacity bytes available at `out`.
 * @param[out] out_size receives the bytes needed, NUL included; may be NULL.
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_NULL_POINTER,
 *         CHEXPERT_E_BUFFER_TOO_SMALL.
 * Ownership: caller's buffer. Thread safety: any thread, concurrently.
 */
int chexpert_dataset_root(const chexpert_dataset *ds, char *out, size_t capacity,
                          size_t *out_size);

/** Options, set with chexpert_dataset_set_option(). Keys are pinned. */
typedef enum chexpert_option {
    /** CHEXPERT_DCT_FAST (default) or CHEXPERT_DCT_ACCURATE. */
    CHEXPERT_OPTION_DCT = 1,
    /** Largest image accepted, in pixels (width * height), checked from the
     *  JPEG header before any allocation. 1 ..= 2^31. Default
     *  CHEXPERT_DEFAULT_MAX_PIXELS. */
    CHEXPERT_OPTION_MAX_PIXELS = 2,
    /** Largest image file read, in bytes. 1 ..= 2^31. Default
     *  CHEXPERT_DEFAULT_MAX_FILE_BYTES. */
    CHEXPERT_OPTION_MAX_FILE_BYTES = 3,
    /** Which rows of the CSVs the splits hold: a bitmask of
     *  CHEXPERT_SELECT_* (1 << chexpert_projection). Given only at open, to
     *  chexpert_dataset_open_with(); chexpert_dataset_set_option() refuses
     *  it. Default CHEXPERT_SELECT_ALL. */
    CHEXPERT_OPTION_SELECT = 4,
    /** chexpert_on_error: what chexpert_batch_read_resized() does with an
     *  example it cannot read. Default CHEXPERT_ON_ERROR_RAISE. */
    CHEXPERT_OPTION_ON_ERROR = 5
} chexpert_option;

/** What a resized batch does with an example whose file is missing,
 *  unreadable, not decodable or over a limit (CHEXPERT_E_NOT_FOUND, _IO,
 *  _IMAGE, _LIMIT). Argument, index and memory errors always fail the call. */
typedef enum chexpert_on_error {
    /** The call fails with the first failing position's status (TFDS-like). */
    CHEXPERT_ON_ERROR_RAISE = 0,
    /** The example is written as a zero image (every source pixel 0, then
     *  mapped as any pixel: (0 - mean) / std), its labels and view as usual;
     *  the call returns CHEXPERT_OK and chexpert_last_substitutions() lists
     *  it. */
    CHEXPERT_ON_ERROR_SUBSTITUTE = 1
} chexpert_on_error;

/** Inverse-DCT method. FAST is libjpeg's JDCT_IFAST, the method TensorFlow's
 *  decode_jpeg (and so tfds.load("chexpert")) uses: pixels are bit-identical
 *  to TFDS. ACCURATE is JDCT_ISLOW, what Pillow and torchvision use. */
typedef enum chexpert_dct {
    CHEXPERT_DCT_FAST = 0,
    CHEXPERT_DCT_ACCURATE = 1
} chexpert_dct;

#define CHEXPERT_DEFAULT_MAX_PIXELS ((int64_t)100000000)
#define CHEXPERT_DEFAULT_MAX_FILE_BYTES ((int64_t)1 << 28)

/**
 * Sets an option for all later calls on this handle. Calls already running
 * keep the value they started with.
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_NULL_POINTER,
 *         CHEXPERT_E_INVALID_ARGUMENT (unknown key, value out of range).
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently with other calls on the handle.
 */
int chexpert_dataset_set_option(chexpert_dataset *ds, int option, int64_t value);

/**
 * @param[out] out_value receives the option's current value.
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_NULL_POINTER,
 *         CHEXPERT_E_INVALID_ARGUMENT (unknown key).
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_dataset_get_option(const chexpert_dataset *ds, int option, int64_t *out_value);

/**
 * The bytes the library holds for this handle: the parsed CSV tables (names,
 * labels, views, offsets) and the root path. It is fixed after open: reading
 * examples allocates only per call (one file buffer and one TurboJPEG
 * decompressor per thread, freed before the call returns). For the real
 * CheXpert-v1.0-small it is about 20 MB.
 * @param[out] out_bytes receives the count.
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_NULL_POINTER.
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_dataset_memory_usage(const chexpert_dataset *ds, size_t *out_bytes);

/* ------------------------------------------------------------------------ */
/* Splits                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * @param[in]  split a chexpert_split value.
 * @param[out] out_count receives the number of examples (CSV data rows).
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_NULL_POINTER,
 *         CHEXPERT_E_INVALID_ARGUMENT (split).
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_split_size(const chexpert_dataset *ds, int split, int64_t *out_count);

/**
 * @param[out] out_count receives the length of every label vector of the
 *             split: the CSV's header columns after the fifth (14 for the
 *             real files), as TFDS counts them.
 * @return as chexpert_split_size().
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_split_num_labels(const chexpert_dataset *ds, int split, int32_t *out_count);

/**
 * The header name of label column `label` (0-based), e.g. "No Finding".
 * @param[out] out NUL-terminated name; may be NULL only if capacity is 0.
 * @param[out] out_size bytes needed, NUL included; may be NULL.
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_NULL_POINTER,
 *         CHEXPERT_E_INVALID_ARGUMENT (split), CHEXPERT_E_OUT_OF_RANGE
 *         (label), CHEXPERT_E_BUFFER_TOO_SMALL.
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_split_label_name(const chexpert_dataset *ds, int split, int32_t label,
                              char *out, size_t capacity, size_t *out_size);

/* ------------------------------------------------------------------------ */
/* Examples                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Reads the JPEG header of example `index` (no decoding).
 * @param[out] out_height, out_width receive the image size in pixels; the
 *             decoded image is height * width * 3 bytes (RGB; grey images are
 *             replicated into all three channels, as TFDS does).
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_NULL_POINTER,
 *         CHEXPERT_E_INVALID_ARGUMENT (split), CHEXPERT_E_OUT_OF_RANGE,
 *         CHEXPERT_E_NOT_FOUND, CHEXPERT_E_IO, CHEXPERT_E_IMAGE,
 *         CHEXPERT_E_LIMIT.
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_example_shape(const chexpert_dataset *ds, int split, int64_t index,
                           int32_t *out_height, int32_t *out_width);

/**
 * Decodes example `index` into `image` as height x width x 3 uint8, row-major
 * (TFDS's `image`), with the handle's DCT option.
 * @param[out] image destination.
 * @param[in]  capacity_bytes bytes available at `image`.
 * @param[out] out_height, out_width receive the image size (also when the
 *             buffer is too small); each may be NULL.
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_NULL_POINTER,
 *         CHEXPERT_E_INVALID_ARGUMENT, CHEXPERT_E_OUT_OF_RANGE,
 *         CHEXPERT_E_BUFFER_TOO_SMALL, CHEXPERT_E_NOT_FOUND, CHEXPERT_E_IO,
 *         CHEXPERT_E_IMAGE, CHEXPERT_E_LIMIT, CHEXPERT_E_NO_MEMORY. On any
 *         failure other than a decode error after the header was read, nothing
 *         is written to `image`; after a decode error its contents are
 *         unspecified.
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently (one decompressor per call).
 */
int chexpert_example_image(const chexpert_dataset *ds, int split, int64_t index,
                           uint8_t *image, size_t capacity_bytes,
                           int32_t *out_height, int32_t *out_width);

/**
 * Copies example `index`'s label vector (TFDS's `label`: one
 * chexpert_label_class per label column).
 * @param[out] labels destination, `capacity` int64 elements; at least
 *             chexpert_split_num_labels() of them.
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_NULL_POINTER,
 *         CHEXPERT_E_INVALID_ARGUMENT, CHEXPERT_E_OUT_OF_RANGE,
 *         CHEXPERT_E_BUFFER_TOO_SMALL.
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_example_labels(const chexpert_dataset *ds, int split, int64_t index,
                            int64_t *labels, size_t capacity);

/**
 * @param[out] out_view receives example `index`'s chexpert_view (TFDS's
 *             `image_view`).
 * @return as chexpert_example_labels() except BUFFER_TOO_SMALL.
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_example_view(const chexpert_dataset *ds, int split, int64_t index,
                          int32_t *out_view);

/**
 * Copies example `index`'s name: the CSV `Path` cell verbatim (TFDS's `name`
 * and example key), e.g. "CheXpert-v1.0-small/train/patient00001/study1/
 * view1_frontal.jpg".
 * @param[out] out NUL-terminated name; may be NULL only if capacity is 0.
 * @param[out] out_size bytes needed, NUL included; may be NULL.
 * @return as chexpert_example_labels().
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_example_name(const chexpert_dataset *ds, int split, int64_t index,
                          char *out, size_t capacity, size_t *out_size);

/* ------------------------------------------------------------------------ */
/* Batches                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * Reads the JPEG headers of `count` examples, in parallel.
 * @param[in]  indices `count` example indices (repeats allowed).
 * @param[out] out_heights, out_widths `count` elements each.
 * @param[in]  num_threads worker threads; 0 means the CPUs available to the
 *             process. At most `count` threads are started.
 * @return CHEXPERT_OK or, if any example fails, the error of the first failing
 *         position (the message names the position, index and file); the
 *         out arrays' contents are then unspecified.
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_batch_shapes(const chexpert_dataset *ds, int split,
                          const int64_t *indices, size_t count,
                          int32_t *out_heights, int32_t *out_widths, int num_threads);

/**
 * Reads `count` examples in one call: images decoded in parallel, labels and
 * views copied. Each of the three outputs may be skipped by passing NULL with
 * capacity 0 (e.g. labels only: images = NULL, heights = widths = NULL).
 *
 * Images are packed back to back in `indices` order: example k occupies
 * heights[k] * widths[k] * 3 bytes starting right after example k-1. When all
 * shapes are equal this is a C-contiguous [count, H, W, 3] array. The shapes
 * are the caller's statement of what it allocated (from
 * chexpert_batch_shapes()); an image whose header disagrees fails with
 * CHEXPERT_E_INVALID_ARGUMENT.
 *
 * @param[in]  indices `count` example indices (repeats allowed); all are
 *             checked before anything is read.
 * @param[in]  heights, widths `count` elements each; required with `images`.
 * @param[out] images destination, `images_capacity_bytes` bytes; needs the sum
 *             of heights[k] * widths[k] * 3.
 * @param[out] labels destination, `labels_capacity` int64 elements; needs
 *             count * chexpert_split_num_labels(), row k holding example k.
 * @param[out] views destination, `views_capacity` int32 elements; needs count.
 * @param[in]  num_threads as in chexpert_batch_shapes().
 * @return CHEXPERT_OK or an error as listed for chexpert_example_image(); for
 *         a per-example error, that of the first failing position. Argument,
 *         index and capacity errors are found before anything is written;
 *         after a decode error the image buffer's contents are unspecified.
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently (each worker owns its decompressor
 *         and file buffer; workers are joined before the call returns).
 */
int chexpert_batch_read(const chexpert_dataset *ds, int split,
                        const int64_t *indices, size_t count,
                        const int32_t *heights, const int32_t *widths,
                        uint8_t *images, size_t images_capacity_bytes,
                        int64_t *labels, size_t labels_capacity,
                        int32_t *views, size_t views_capacity,
                        int num_threads);

/**
 * Copies the names (CSV `Path` cells) of `count` examples into `out`, back to
 * back in `indices` order, each followed by a NUL: one call instead of
 * `count` chexpert_example_name() calls.
 * @param[in]  indices `count` example indices (repeats allowed).
 * @param[out] out destination; may be NULL only if capacity is 0 (a size query).
 * @param[out] out_size bytes needed: the names' lengths plus `count` NULs;
 *             may be NULL.
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_NULL_POINTER,
 *         CHEXPERT_E_INVALID_ARGUMENT (split), CHEXPERT_E_OUT_OF_RANGE (an
 *         index; found before anything is written), CHEXPERT_E_BUFFER_TOO_SMALL.
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_batch_names(const chexpert_dataset *ds, int split,
                         const int64_t *indices, size_t count,
                         char *out, size_t capacity, size_t *out_size);

/* ------------------------------------------------------------------------ */
/* Resized batches (training input)                                          */
/* ------------------------------------------------------------------------ */

/** Keys of the `params` array of chexpert_batch_read_resized(): pairs
 *  {key, value}. Keys are pinned; unknown keys are CHEXPERT_E_INVALID_ARGUMENT.
 *  A key given twice takes its last value. */
typedef enum chexpert_resize_key {
    /** Output height and width in pixels, 1 ..= 65535. Required. */
    CHEXPERT_RESIZE_HEIGHT = 1,
    CHEXPERT_RESIZE_WIDTH = 2,
    /** 1 (grey: the JPEG's luma, i.e. the grey value of CheXpert's grey
     *  JPEGs) or 3 (RGB; grey replicated, as TFDS). Default 3. */
    CHEXPERT_RESIZE_CHANNELS = 3,
    /** chexpert_layout. Default CHEXPERT_LAYOUT_NHWC. */
    CHEXPERT_RESIZE_LAYOUT = 4,
    /** chexpert_dtype. Default CHEXPERT_DTYPE_UINT8. */
    CHEXPERT_RESIZE_DTYPE = 5,
    /** chexpert_fit. Default CHEXPERT_FIT_COVER. */
    CHEXPERT_RESIZE_FIT = 6,
    /** chexpert_filter. Default CHEXPERT_FILTER_AREA. */
    CHEXPERT_RESIZE_FILTER = 7,
    /** chexpert_normalize. Default CHEXPERT_NORMALIZE_NONE. */
    CHEXPERT_RESIZE_NORMALIZE = 8,
    /** chexpert_dct for this call. Default: the handle's CHEXPERT_OPTION_DCT. */
    CHEXPERT_RESIZE_DCT = 9,
    /** chexpert_on_error for this call. Default: the handle's
     *  CHEXPERT_OPTION_ON_ERROR. */
    CHEXPERT_RESIZE_ON_ERROR = 10
} chexpert_resize_key;

/** Memory layout of a resized batch. */
typedef enum chexpert_layout {
    CHEXPERT_LAYOUT_NHWC = 0,   /**< [count][height][width][channels] */
    CHEXPERT_LAYOUT_NCHW = 1    /**< [count][channels][height][width] */
} chexpert_layout;

/** Element type of a resized batch. */
typedef enum chexpert_dtype {
    CHEXPERT_DTYPE_UINT8 = 0,   /**< 0 ..= 255, rounded half up; NORMALIZE_NONE only */
    CHEXPERT_DTYPE_FLOAT32 = 1  /**< (v / 255 - mean[c]) / std[c] */
} chexpert_dtype;

/** How the source's aspect ratio meets the output's. All three map a source
 *  window (in continuous pixel coordinates, pixel i covering [i, i+1)) onto
 *  an output window and resample it once, separably (rows, then columns). */
typedef enum chexpert_fit {
    /** Scale s = max(H'/H, W'/W), then a centred crop: the source window is
     *  H'/s x W'/s, centred (torchvision Resize(min side) + CenterCrop). */
    CHEXPERT_FIT_COVER = 0,
    /** Scale s = min(H'/H, W'/W): the whole source lands on round(H*s) x
     *  round(W*s) output pixels, centred (offset floor of half the rest);
     *  the rest is padded with source value 0 (black, before normalising). */
    CHEXPERT_FIT_CONTAIN = 1,
    /** The whole source onto the whole output; the aspect ratio changes. */
    CHEXPERT_FIT_STRETCH = 2
} chexpert_fit;

/** Resampling filter, with Pillow's coefficients (Image.resize with `box`,
 *  on float data): support scales with the reduction factor, so both
 *  antialias when downscaling. */
typedef enum chexpert_filter {
    /** Pillow's BOX: every source pixel whose centre falls in an output
     *  pixel's footprint counts equally (area averaging). */
    CHEXPERT_FILTER_AREA = 0,
    /** Pillow's BILINEAR: a triangle filter (torchvision antialias=True). */
    CHEXPERT_FILTER_BILINEAR = 1
} chexpert_filter;

/** Intensity mapping of float32 output: (v / 255 - mean[c]) / std[c], with
 *  v the resampled value in 0 ..= 255. */
typedef enum chexpert_normalize {
    /** mean 0, std 1/255: v itself (0 ..= 255). The only choice for uint8. */
    CHEXPERT_NORMALIZE_NONE = 0,
    /** mean 0, std 1: v / 255 in [0, 1]. */
    CHEXPERT_NORMALIZE_UNIT = 1,
    /** ImageNet: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225); with
     *  1 channel their averages, mean 0.449 and std 0.226. */
    CHEXPERT_NORMALIZE_IMAGENET = 2,
    /** torchxrayvision: (2 v / 255 - 1) * 1024 in [-1024, 1024]
     *  (mean 0.5, std 1/2048). */
    CHEXPERT_NORMALIZE_XRV = 3,
    /** The `mean` and `std` arrays of the call, `channels` elements each. */
    CHEXPERT_NORMALIZE_CUSTOM = 4
} chexpert_normalize;

/**
 * Validates `params` and gives the bytes one resized batch of `count`
 * examples needs: count * height * width * channels * (1 or 4). With
 * CHEXPERT_NORMALIZE_CUSTOM the statistics are not needed here (they are
 * checked by chexpert_batch_read_resized()).
 * @param[in]  params {key, value} pairs, `param_count` int64 elements (even).
 * @param[out] out_bytes receives the size.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_INVALID_ARGUMENT
 *         (odd count, unknown key, value out of its domain, a missing size,
 *         uint8 with a normalisation, a size that overflows).
 * Ownership: pointer arguments are borrowed for the call; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_resize_output_bytes(const int64_t *params, size_t param_count, size_t count,
                                 size_t *out_bytes);

/**
 * Reads `count` examples, each decoded, resampled to one size and written to
 * `out` in the layout and type `params` give, in parallel; plus labels and
 * views as chexpert_batch_read() does. Each worker thread owns its
 * decompressor and scratch buffers, reused for all its examples.
 *
 * @param[in]  indices `count` example indices (repeats allowed).
 * @param[in]  params, param_count as chexpert_resize_output_bytes().
 * @param[in]  mean, std `stats_count` floats each: required (stats_count ==
 *             channels) with CHEXPERT_NORMALIZE_CUSTOM, else NULL and 0.
 *             Every std must be nonzero and finite.
 * @param[out] out destination, `out_capacity_bytes` bytes (see
 *             chexpert_resize_output_bytes()); suitably aligned for float.
 * @param[out] labels, views as chexpert_batch_read(); each may be NULL with
 *             capacity 0.
 * @param[in]  num_threads as chexpert_batch_shapes().
 * @return CHEXPERT_OK or an error as chexpert_batch_read(). Argument, index
 *         and capacity errors are found before anything is written; after a
 *         per-example error (that of the first failing position) the
 *         contents of `out` are unspecified.
 * Ownership: pointer arguments are borrowed for the call; results are
 *         written only to the caller's buffers; nothing to free.
 * Thread safety: any thread, concurrently.
 */
int chexpert_batch_read_resized(const chexpert_dataset *ds, int split,
                                const int64_t *indices, size_t count,
                                const int64_t *params, size_t param_count,
                                const float *mean, const float *std, size_t stats_count,
                                void *out, size_t out_capacity_bytes,
                                int64_t *labels, size_t labels_capacity,
                                int32_t *views, size_t views_capacity,
                                int num_threads);


/* ------------------------------------------------------------------------ */
/* Selection at open (views and projections)                                */
/* ------------------------------------------------------------------------ */

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

/** Number of chexpert_projection values. */
#define CHEXPERT_PROJECTION_COUNT 4

/** CHEXPERT_OPTION_SELECT bits, one per chexpert_projection. */
#define CHEXPERT_SELECT_AP ((int64_t)1 << CHEXPERT_PROJECTION_AP)
#define CHEXPERT_SELECT_PA ((int64_t)1 << CHEXPERT_PROJECTION_PA)
#define CHEXPERT_SELECT_OTHER_FRONTAL ((int64_t)1 << CHEXPERT_PROJECTION_OTHER_FRONTAL)
#define CHEXPERT_SELECT_LATERAL ((int64_t)1 << CHEXPERT_PROJECTION_LATERAL)
/** Every frontal row (TFDS image_view frontal). */
#define CHEXPERT_SELECT_FRONTAL \
    (CHEXPERT_SELECT_AP | CHEXPERT_SELECT_PA | CHEXPERT_SELECT_OTHER_FRONTAL)
/** Every row: TFDS's splits (the default). */
#define CHEXPERT_SELECT_ALL (CHEXPERT_SELECT_FRONTAL | CHEXPERT_SELECT_LATERAL)

/**
 * chexpert_dataset_open() with options applied before the splits are built.
 * Every CSV is still parsed and validated completely (an error anywhere fails
 * the open, selected row or not); then each split keeps the rows
 * CHEXPERT_OPTION_SELECT selects, in CSV order, and example indices count
 * those rows only.
 *
 * @param[in]  params {key, value} pairs, `param_count` int64 elements (even):
 *             any chexpert_option. A key given twice takes its last value.
 *             NULL with 0 is chexpert_dataset_open().
 * @return as chexpert_dataset_open(), plus CHEXPERT_E_INVALID_ARGUMENT (odd
 *         count, unknown key, value out of its domain, a selection of AP or
 *         PA rows when a CSV has no `AP/PA` column). A selection that keeps
 *         no row of a split is not an error: that split has 0 examples.
 * Ownership: as chexpert_dataset_open(); `params` is borrowed for the call.
 * Thread safety: any thread; opening is independent of other handles.
 */
int chexpert_dataset_open_with(chexpert_dataset **out, const char *root,
                               const int64_t *params, size_t param_count);

/**
 * Rows of the split's CSV per chexpert_projection, before selection (the
 * selected ones are those whose bit CHEXPERT_OPTION_SELECT has;
 * chexpert_split_size() is their sum).
 * @param[out] out_counts receives CHEXPERT_PROJECTION_COUNT counts, indexed
 *             by chexpert_projection.
 * @param[in]  capacity elements at `out_counts`, at least
 *             CHEXPERT_PROJECTION_COUNT.
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_INVALID_ARGUMENT (split),
 *         CHEXPERT_E_NULL_POINTER, CHEXPERT_E_BUFFER_TOO_SMALL.
 * Ownership: caller's buffer. Thread safety: any thread, concurrently.
 */
int chexpert_split_projection_counts(const chexpert_dataset *ds, int split,
                                     int64_t *out_counts, size_t capacity);

/**
 * Each example's chexpert_projection.
 * @param[in]  indices `count` example indices.
 * @param[out] out `count` projections.
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_INVALID_ARGUMENT,
 *         CHEXPERT_E_NULL_POINTER, CHEXPERT_E_OUT_OF_RANGE (the first bad
 *         index; nothing written).
 * Ownership: caller's buffers. Thread safety: any thread, concurrently.
 */
int chexpert_batch_projections(const chexpert_dataset *ds, int split,
                               const int64_t *indices, size_t count, int32_t *out);

/* ------------------------------------------------------------------------ */
/* Training targets (uncertainty policies)                                  */
/* ------------------------------------------------------------------------ */

/** What an uncertain (`-1.0`) cell becomes, per observation. The policies of
 *  the CheXpert paper (Irvin et al. 2019, section 4). */
typedef enum chexpert_uncertain {
    /** U-Ignore: masked (mask 0). */
    CHEXPERT_UNCERTAIN_IGNORE = 0,
    /** U-Zeros: target 0. */
    CHEXPERT_UNCERTAIN_ZEROS = 1,
    /** U-Ones: target 1. */
    CHEXPERT_UNCERTAIN_ONES = 2,
    /** U-MultiClass: a class index for a 3-way softmax: negative 0,
     *  positive 1, uncertain 2 (blank follows the blank rule). */
    CHEXPERT_UNCERTAIN_MULTICLASS = 3,
    /** No policy: the target is TFDS's chexpert_label_class (0 uncertain,
     *  1 positive, 2 negative, 3 unmentioned), never masked; the blank rule
     *  is ignored. */
    CHEXPERT_UNCERTAIN_RAW = 4
} chexpert_uncertain;

/** What a blank (unmentioned) cell becomes, per observation. The CheXpert
 *  authors treated blanks as negative (stanfordmlgroup/chexpert-labeler#9). */
typedef enum chexpert_blank {
    /** Target 0. */
    CHEXPERT_BLANK_NEGATIVE = 0,
    /** Masked (mask 0). */
    CHEXPERT_BLANK_IGNORE = 1
} chexpert_blank;

/** Flags of chexpert_batch_targets(). */
typedef enum chexpert_target_flag {
    /** torchxrayvision's rule: in a row whose `No Finding` cell is positive,
     *  every observation other than `No Finding` and `Support Devices` is
     *  negative (target 0, mask 1), whatever its cell. Needs a `No Finding`
     *  label column (looked up by name). */
    CHEXPERT_TARGET_NO_FINDING = 1,
    /** Masked targets are NaN instead of 0 (torchxrayvision's convention). */
    CHEXPERT_TARGET_MASKED_NAN = 2
} chexpert_target_flag;

/** Rules that peers and the paper use, resolved by column name. */
typedef enum chexpert_preset {
    /** The paper's best policy per competition observation, in its order:
     *  Atelectasis U-Ones, Cardiomegaly U-MultiClass, Consolidation
     *  U-Ignore (U-SelfTrained's first stage: the second needs the user's
     *  own model's soft labels for the masked entries), Edema U-Ones,
     *  Pleural Effusion U-MultiClass; blanks negative. */
    CHEXPERT_PRESET_PAPER = 1,
    /** LibAUC's CheXpert (and jfhealthcare's): Cardiomegaly, Edema,
     *  Consolidation, Atelectasis, Pleural Effusion (LibAUC's train_cols
     *  order); U-Ones for Edema and Atelectasis, U-Zeros for the others;
     *  blanks negative. */
    CHEXPERT_PRESET_LIBAUC = 2,
    /** torchxrayvision's CheX_Dataset: the 13 observations other than
     *  `No Finding`, sorted by name; uncertain and blank masked (NaN);
     *  CHEXPERT_TARGET_NO_FINDING. */
    CHEXPERT_PRESET_XRV = 3
} chexpert_preset;

/**
 * Training targets and masks for `count` examples, computed from their CSV
 * cells. `rules` holds `rule_count` triples {label, uncertain, blank}: label
 * is a label column index (0 ..< chexpert_split_num_labels(), repeats
 * allowed), uncertain a chexpert_uncertain, blank a chexpert_blank; output
 * column j follows triple j. For each example and column: positive gives 1,
 * negative 0, uncertain and blank as their rules say; mask is 1 where the
 * target counts and 0 where it is masked (target 0, or NaN with
 * CHEXPERT_TARGET_MASKED_NAN).
 *
 * @param[in]  indices `count` example indices (repeats allowed).
 * @param[in]  rules `3 * rule_count` int32 values.
 * @param[in]  flags a bitwise OR of chexpert_target_flag.
 * @param[out] targets `count * rule_count` floats, row-major.
 * @param[in]  targets_capacity elements at `targets`.
 * @param[out] masks the same size, or NULL with capacity 0 (not written).
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_INVALID_ARGUMENT (split,
 *         a rule value, an unknown flag, NO_FINDING without a `No Finding`
 *         column), CHEXPERT_E_NULL_POINTER, CHEXPERT_E_OUT_OF_RANGE (an
 *         index or label), CHEXPERT_E_BUFFER_TOO_SMALL. Nothing is written
 *         on error.
 * Ownership: caller's buffers. Thread safety: any thread, concurrently.
 */
int chexpert_batch_targets(const chexpert_dataset *ds, int split,
                           const int64_t *indices, size_t count,
                           const int32_t *rules, size_t rule_count, uint32_t flags,
                           float *targets, size_t targets_capacity,
                           float *masks, size_t masks_capacity);

/**
 * The rules and flags of a chexpert_preset for this split's columns.
 * @param[out] rules receives `*out_rule_count` triples (see
 *             chexpert_batch_targets()); may be NULL with capacity 0 (a size
 *             query).
 * @param[in]  rules_capacity int32 elements at `rules`.
 * @param[out] out_rule_count receives the number of triples; may be NULL.
 * @param[out] out_flags receives the flags; may be NULL.
 * @return CHEXPERT_OK, CHEXPERT_E_CLOSED, CHEXPERT_E_INVALID_ARGUMENT (split,
 *         preset), CHEXPERT_E_NOT_FOUND (a column the preset names is not in
 *         the CSV header), CHEXPERT_E_NULL_POINTER,
 *         CHEXPERT_E_BUFFER_TOO_SMALL (`*out_rule_count` still set).
 * Ownership: caller's buffers. Thread safety: any thread, concurrently.
 */
int chexpert_target_preset(const chexpert_dataset *ds, int split, int preset,
                           int32_t *rules, size_t rules_capacity,
                           size_t *out_rule_count, uint32_t *out_flags);

/* ------------------------------------------------------------------------ */
/* Epoch order and sharding                                                 */
/* ------------------------------------------------------------------------ */

/** What a shard does with the examples that do not divide evenly among
 *  `world` ranks. */
typedef enum chexpert_remainder {
    /** Every rank gets ceil(L / world) examples: the order is extended
     *  cyclically from its start (torch DistributedSampler with
     *  drop_last=False). Every example is seen; at most world - 1 twice. */
    CHEXPERT_REMAINDER_PAD = 0,
    /** Every rank gets floor(L / world): the last L mod world examples of
     *  the order are not seen this epoch (which ones changes per epoch when
     *  shuffled). Every example is seen at most once. */
    CHEXPERT_REMAINDER_DROP = 1,
    /** Ranks get ceil or floor of L / world: every example exactly once,
     *  ranks may differ by one (evaluation). */
    CHEXPERT_REMAINDER_UNEVEN = 2
} chexpert_remainder;

/** Bump only if chexpert_shard_indices() would return another order for the
 *  same arguments; this version's algorithm is pinned below. */
#define CHEXPERT_ORDER_VERSION 1

/**
 * One rank's example indices for one epoch: a pure function of the
 * arguments, the same on every machine and in every version with this
 * CHEXPERT_ORDER_VERSION.
 *
 * The order P of 0 ..< count is the identity without shuffle; with shuffle,
 * a Fisher-Yates shuffle (i from count-1 down to 1: swap P[i] with P[j],
 * j uniform in 0 ..= i by Lemire's multiply-and-reject on 64-bit draws)
 * driven by SplitMix64 (state += 0x9E3779B97F4A7C15; z = state; z = (z ^
 * z>>30) * 0xBF58476D1CE4E5B9; z = (z ^ z>>27) * 0x94D049BB133111EB;
 * return z ^ z>>31) whose initial state is seed ^ mix(epoch), mix being the
 * same finaliser applied to epoch + 0x9E3779B97F4A7C15.
 * The rest R = P[start ..< count] (L elements; start is the resume position,
 * counted in examples of P that all ranks together have consumed) is
 * shaped by `remainder` and dealt round-robin: rank r gets R'[r], R'[r +
 * world], ... So after every rank has consumed k examples, the consumed
 * ones are P[start ..< start + k * world]: resuming from `start + k * world`,
 * with any world size, continues with exactly the rest; with the same world
 * size it gives each rank exactly the rest of its own shard.
 *
 * @param[in]  count examples in the split, 0 ..= 2^32.
 * @param[in]  shuffle 0 (CSV order) or 1.
 * @param[in]  start 0 ..= count.
 * @param[in]  rank 0 ..< world; world >= 1.
 * @param[in]  remainder a chexpert_remainder.
 * @param[out] out the rank's indices; may be NULL with capacity 0 (a size
 *             query).
 * @param[in]  capacity elements at `out`.
 * @param[out] out_count receives the number of indices; may be NULL.
 * @return CHEXPERT_OK, CHEXPERT_E_INVALID_ARGUMENT, CHEXPERT_E_LIMIT (count),
 *         CHEXPERT_E_NULL_POINTER, CHEXPERT_E_BUFFER_TOO_SMALL
 *         (`*out_count` still set), CHEXPERT_E_NO_MEMORY.
 * Ownership: caller's buffer; the library's scratch (8 bytes per example
 *         when shuffling) is freed before return.
 * Thread safety: any thread, concurrently; needs no handle.
 */
int chexpert_shard_indices(int64_t count, uint64_t seed, uint64_t epoch, int shuffle,
                           int64_t start, int32_t rank, int32_t world, int remainder,
                           int64_t *out, size_t capacity, size_t *out_count);


/* ------------------------------------------------------------------------ */
/* Bad examples: substitution report and verification                       */
/* ------------------------------------------------------------------------ */

/**
 * The examples the calling thread's last chexpert_batch_read_resized() call
 * substituted (CHEXPERT_ON_ERROR_SUBSTITUTE), in position order. Every such
 * call replaces the list (an error or a clean batch leaves it empty).
 * @param[out] positions, statuses `capacity` elements each: the batch
 *             position and the chexpert_status of each substituted example;
 *             both may be NULL with capacity 0 (a count query).
 * @param[out] out_count receives the number of substituted examples; may
 *             be NULL.
 * @return CHEXPERT_OK, CHEXPERT_E_NULL_POINTER, CHEXPERT_E_BUFFER_TOO_SMALL
 *         (`*out_count` still set).
 * Ownership: caller's buffers; the list belongs to the thread and is freed
 *         when it exits. Thread safety: each thread sees its own list.
 */
int chexpert_last_substitutions(int64_t *positions, int32_t *statuses, size_t capacity,
                                size_t *out_count);

/**
 * Reads and fully decodes each of `count` examples (writing no pixels), on
 * `num_threads` threads, and gives each one's status: CHEXPERT_OK, or the
 * status reading it gives (CHEXPERT_E_NOT_FOUND, _IO, _IMAGE, _LIMIT). The
 * message for a failed one is what chexpert_example_image() reports for it.
 * @param[in]  indices `count` example indices.
 * @param[out] statuses `count` statuses; NULL (with count 0 only) for none.
 * @return CHEXPERT_OK (whatever the examples' statuses), CHEXPERT_E_CLOSED,
 *         CHEXPERT_E_INVALID_ARGUMENT, CHEXPERT_E_NULL_POINTER,
 *         CHEXPERT_E_OUT_OF_RANGE (an index; nothing decoded),
 *         CHEXPERT_E_NO_MEMORY.
 * Ownership: caller's buffers. Thread safety: any thread, concurrently.
 */
int chexpert_batch_verify(const chexpert_dataset *ds, int split, const int64_t *indices,
                          size_t count, int32_t *statuses, int num_threads);

#ifdef __cplusplus
}
#endif

#endif /* CHEXPERT_H */
