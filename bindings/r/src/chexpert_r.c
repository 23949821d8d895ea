/*
 * chexpert_r.c: the .Call glue between R and libchexpert (include/chexpert.h).
 *
 * Conventions:
 * - Every failing library call is turned into an R condition right away: the
 *   message is read with chexpert_last_error() immediately after the call, on
 *   the same thread, and handed to the R function .chexpert_signal() (R/errors.R),
 *   which signals a condition of class c("chexpert_<STATUS>", "chexpert_error",
 *   "error", "condition"). The glue's own argument checks signal the same way.
 * - Signalling unwinds (longjmp) through this file, so nothing here holds
 *   memory R does not own at that point: buffers come from R_alloc() (released
 *   by R when the .Call returns or unwinds) and chexpert_params handles live in
 *   external pointers with finalizers.
 * - Example indices are 1-based in R, 0-based in C. They arrive as doubles or
 *   integers, must be whole numbers in 1 ..= 2^53 and inside the split; int64
 *   counts go back to R as doubles (exact up to 2^53). Label classes, views
 *   and projections are small enum values and go back as R integers (checked).
 * - Images: the library writes H x W x 3 row-major (offset (h * W + w) * 3 + c);
 *   R arrays are column-major, so img[h, w, c] (1-based) is at offset
 *   (h-1) + H * (w-1) + H * W * (c-1): this file transposes, element by element.
 */
#define R_NO_REMAP
#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chexpert.h"

#define MAX_EXACT 9007199254740992.0 /* 2^53: the largest double below which every integer is exact */

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

static void NORET signal_condition(int status, SEXP message) {
    PROTECT(message);
    SEXP name = PROTECT(Rf_mkString(chexpert_status_name(status)));
    SEXP package = PROTECT(Rf_mkString("chexpert"));
    SEXP ns = PROTECT(R_FindNamespace(package));
    SEXP fn = PROTECT(Rf_findFun(Rf_install(".chexpert_signal"), ns));
    SEXP code = PROTECT(Rf_ScalarInteger(status));
    SEXP call = PROTECT(Rf_lang4(fn, code, name, message));
    Rf_eval(call, ns);
    UNPROTECT(7);
    Rf_error("chexpert: %s", CHAR(STRING_ELT(message, 0))); /* not reached */
}

/* A failed library call: its message, read now, before any other chexpert_* call. */
static void NORET fail(int status) {
    SEXP message = Rf_mkString(chexpert_last_error());
    signal_condition(status, message);
}

/* An error found by the glue itself (status as the library would give it). */
static void NORET fail_with(int status, const char *format, ...) {
    char buffer[512];
    va_list args;
    va_start(args, format);
    vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    signal_condition(status, Rf_mkString(buffer));
}

#define CHECK(call) do { int status_ = (call); if (status_ != CHEXPERT_OK) fail(status_); } while (0)

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

/* Scratch memory released by R when the .Call returns or unwinds (never NULL). */
static void *scratch(size_t count, size_t size) {
    return R_alloc(count ? count : 1, (int)size);
}

/* dst[i + n * j] = convert(src[(i * k + j) * stride]) for i < n, j < k: a
 * row-major n x k C matrix (elements `stride` apart) in R's column-major order. */
#define COLUMN_MAJOR(dst, src, n, k, stride, convert)                                  \
    do {                                                                               \
        for (size_t j_ = 0; j_ < (size_t)(k); j_++)                                    \
            for (size_t i_ = 0; i_ < (size_t)(n); i_++)                                \
                (dst)[i_ + (size_t)(n) * j_] = convert((src)[(i_ * (size_t)(k) + j_) * (stride)]); \
    } while (0)
#define AS_IS(x) (x)
#define AS_DOUBLE(x) ((double)(x))

static void set_names(SEXP x, const char *const *names, R_xlen_t n) {
    SEXP s = PROTECT(Rf_allocVector(STRSXP, n));
    for (R_xlen_t i = 0; i < n; i++) SET_STRING_ELT(s, i, names[i] ? Rf_mkChar(names[i]) : NA_STRING);
    Rf_setAttrib(x, R_NamesSymbol, s);
    UNPROTECT(1);
}

/* A list of `n` elements named `names` (unprotected). */
static SEXP named_list(R_xlen_t n, const char *const *names) {
    SEXP out = PROTECT(Rf_allocVector(VECSXP, n));
    set_names(out, names, n);
    UNPROTECT(1);
    return out;
}

/* The names a vocabulary function gives to 0 ..< count (NULL: NA). */
static SEXP names_vector(const char *(*name)(int), int count) {
    SEXP out = PROTECT(Rf_allocVector(STRSXP, count));
    for (int i = 0; i < count; i++) {
        const char *s = name(i);
        SET_STRING_ELT(out, i, s ? Rf_mkChar(s) : NA_STRING);
    }
    UNPROTECT(1);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Handles                                                                  */
/* ------------------------------------------------------------------------ */

static SEXP dataset_tag(void) { return Rf_install("chexpert_dataset"); }
static SEXP params_tag(void) { return Rf_install("chexpert_params"); }

static void dataset_finalizer(SEXP pointer) {
    chexpert_dataset *ds = (chexpert_dataset *)R_ExternalPtrAddr(pointer);
    if (ds != NULL) {
        R_ClearExternalPtr(pointer);
        chexpert_dataset_close(ds);
    }
}

static void params_finalizer(SEXP pointer) {
    chexpert_params *params = (chexpert_params *)R_ExternalPtrAddr(pointer);
    if (params != NULL) {
        R_ClearExternalPtr(pointer);
        chexpert_params_free(params);
    }
}

/* `pointer`, checked to be a chexpert_dataset external pointer (open or closed). */
static SEXP dataset_pointer(SEXP pointer) {
    if (TYPEOF(pointer) != EXTPTRSXP || R_ExternalPtrTag(pointer) != dataset_tag())
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "ds must be a chexpert_dataset (from chexpert_open())");
    return pointer;
}

static chexpert_dataset *dataset_of(SEXP pointer) {
    chexpert_dataset *ds = (chexpert_dataset *)R_ExternalPtrAddr(dataset_pointer(pointer));
    if (ds == NULL)
        fail_with(CHEXPERT_E_CLOSED, "the chexpert_dataset is closed (chexpert_close() was called, "
                  "or it was restored from a saved session)");
    return ds;
}

/* ------------------------------------------------------------------------ */
/* Scalars and parameters                                                   */
/* ------------------------------------------------------------------------ */

/* A whole number given as a double, an integer or a logical. */
static double whole_number(SEXP x, R_xlen_t i, const char *what) {
    double value;
    switch (TYPEOF(x)) {
    case REALSXP: value = REAL(x)[i]; break;
    case INTSXP: value = INTEGER(x)[i] == NA_INTEGER ? NA_REAL : (double)INTEGER(x)[i]; break;
    case LGLSXP: value = LOGICAL(x)[i] == NA_LOGICAL ? NA_REAL : (double)LOGICAL(x)[i]; break;
    default: fail_with(CHEXPERT_E_INVALID_ARGUMENT, "%s must be numeric", what);
    }
    if (ISNAN(value) || value != floor(value) || fabs(value) > MAX_EXACT)
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "%s must be a whole number within +-2^53, not %g",
                  what, value);
    return value;
}

/* One whole number. */
static double whole_scalar(SEXP x, const char *what) {
    if (XLENGTH(x) != 1)
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "%s must be a single number", what);
    return whole_number(x, 0, what);
}

/* NULL (when allowed) or a single path, in the native encoding. */
static const char *path_of(SEXP path, const char *what, int allow_null) {
    if (allow_null && Rf_isNull(path)) return NULL;
    if (TYPEOF(path) != STRSXP || XLENGTH(path) != 1 || STRING_ELT(path, 0) == NA_STRING)
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "%s must be %sa single path", what,
                  allow_null ? "NULL or " : "");
    return Rf_translateChar(STRING_ELT(path, 0));
}

/* A parameter value: a whole number within +-2^53, or a string of an
 * unsigned 64-bit integer ("12345", "0x9E3779B97F4A7C15") whose bits the
 * library reads as int64 (keys SEED and EPOCH take any 64 bits). */
static int64_t parameter_value(SEXP x, const char *what) {
    if (XLENGTH(x) != 1)
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "%s must be a single value", what);
    if (TYPEOF(x) == STRSXP) {
        SEXP text = STRING_ELT(x, 0);
        const char *s = text == NA_STRING ? "" : CHAR(text);
        char *end = NULL;
        errno = 0;
        unsigned long long parsed = strtoull(s, &end, 0);
        if (*s == '\0' || *s == '-' || *s == '+' || *end != '\0' || errno == ERANGE)
            fail_with(CHEXPERT_E_INVALID_ARGUMENT,
                      "%s must be a whole number or a string of an unsigned 64-bit integer, not \"%s\"",
                      what, s);
        uint64_t bits = (uint64_t)parsed;
        int64_t value;
        memcpy(&value, &bits, sizeof value);
        return value;
    }
    return (int64_t)whole_number(x, 0, what);
}

/* A chexpert_params from a spec: list(keys = integer, values = list of
 * single values, float_keys = integer, float_values = list of doubles).
 * The handle lives in the returned (unprotected) external pointer. */
static SEXP params_from_spec(SEXP spec, chexpert_params **out) {
    chexpert_params *params = NULL;
    CHECK(chexpert_params_create(&params));
    SEXP holder = PROTECT(R_MakeExternalPtr(params, params_tag(), R_NilValue));
    R_RegisterCFinalizerEx(holder, params_finalizer, TRUE);
    if (!Rf_isNull(spec)) {
        if (TYPEOF(spec) != VECSXP || XLENGTH(spec) != 4)
            fail_with(CHEXPERT_E_INTERNAL, "malformed parameter spec");
        SEXP keys = VECTOR_ELT(spec, 0), values = VECTOR_ELT(spec, 1);
        SEXP float_keys = VECTOR_ELT(spec, 2), float_values = VECTOR_ELT(spec, 3);
        if (TYPEOF(keys) != INTSXP || TYPEOF(values) != VECSXP || XLENGTH(keys) != XLENGTH(values)
            || TYPEOF(float_keys) != INTSXP || TYPEOF(float_values) != VECSXP
            || XLENGTH(float_keys) != XLENGTH(float_values))
            fail_with(CHEXPERT_E_INTERNAL, "malformed parameter spec");
        for (R_xlen_t i = 0; i < XLENGTH(keys); i++) {
            int64_t value = parameter_value(VECTOR_ELT(values, i), "a parameter");
            CHECK(chexpert_params_set(params, INTEGER(keys)[i], value));
        }
        for (R_xlen_t i = 0; i < XLENGTH(float_keys); i++) {
            SEXP v = VECTOR_ELT(float_values, i);
            if (TYPEOF(v) != REALSXP)
                fail_with(CHEXPERT_E_INVALID_ARGUMENT, "float parameters (mean, std, augmentation ranges) "
                          "must be numeric");
            R_xlen_t n = XLENGTH(v);
            float *floats = (float *)scratch((size_t)n, sizeof(float));
            for (R_xlen_t j = 0; j < n; j++) floats[j] = (float)REAL(v)[j];
            CHECK(chexpert_params_set_floats(params, INTEGER(float_keys)[i], floats, (size_t)n));
        }
    }
    *out = params;
    UNPROTECT(1);
    return holder;
}

static void params_release(SEXP holder) { params_finalizer(holder); }

static int split_of(SEXP split) {
    if (XLENGTH(split) != 1)
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "split must be a single split");
    return (int)whole_number(split, 0, "split");
}

static int64_t split_size(chexpert_dataset *ds, int split) {
    int64_t count = 0;
    CHECK(chexpert_split_size(ds, split, &count));
    return count;
}

/* Checked 0-based indices from R's 1-based `indices` (NULL: the whole split). */
static int64_t *indices_of(chexpert_dataset *ds, int split, SEXP indices, size_t *out_count) {
    int64_t size = split_size(ds, split);
    const char *split_name = chexpert_split_name(split);
    if (Rf_isNull(indices)) {
        int64_t *all = (int64_t *)scratch((size_t)size, sizeof(int64_t));
        for (int64_t i = 0; i < size; i++) all[i] = i;
        *out_count = (size_t)size;
        return all;
    }
    R_xlen_t n = XLENGTH(indices);
    int64_t *out = (int64_t *)scratch((size_t)n, sizeof(int64_t));
    for (R_xlen_t i = 0; i < n; i++) {
        double value = whole_number(indices, i, "an index");
        if (value < 1 || value > (double)size)
            fail_with(CHEXPERT_E_OUT_OF_RANGE,
                      "index %.0f (position %lld) is outside 1..%lld of split \"%s\"",
                      value, (long long)i + 1, (long long)size, split_name ? split_name : "?");
        out[i] = (int64_t)value - 1;
    }
    *out_count = (size_t)n;
    return out;
}

/* The examples a batch call reads: dataset, split and 0-based indices. */
typedef struct {
    chexpert_dataset *ds;
    int split;
    int64_t *indices;   /* scratch; pass INDICES(e), NULL when count is 0 */
    size_t count;
} examples;

#define INDICES(e) ((e).count ? (e).indices : NULL)

static examples examples_of(SEXP pointer, SEXP split, SEXP indices) {
    examples e;
    e.ds = dataset_of(pointer);
    e.split = split_of(split);
    e.indices = indices_of(e.ds, e.split, indices, &e.count);
    return e;
}

static int small_int(int64_t value) {
    if (value < INT32_MIN + 1 || value > INT32_MAX)
        fail_with(CHEXPERT_E_INTERNAL, "value %lld does not fit an R integer", (long long)value);
    return (int)value;
}

static double exact_double(int64_t value) {
    if (value > (int64_t)MAX_EXACT || value < -(int64_t)MAX_EXACT)
        fail_with(CHEXPERT_E_LIMIT, "value %lld is beyond 2^53, which an R double cannot hold exactly",
                  (long long)value);
    return (double)value;
}

/* int64 values as an R integer vector (small enum values). */
static SEXP integer_vector(const int64_t *values, size_t n) {
    SEXP out = PROTECT(Rf_allocVector(INTSXP, (R_xlen_t)n));
    for (size_t k = 0; k < n; k++) INTEGER(out)[k] = small_int(values[k]);
    UNPROTECT(1);
    return out;
}

/* int64 values + offset as an R double vector (counts, ids, 1-based positions). */
static SEXP double_vector(const int64_t *values, size_t n, double offset) {
    SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)n));
    for (size_t k = 0; k < n; k++) REAL(out)[k] = exact_double(values[k]) + offset;
    UNPROTECT(1);
    return out;
}

/* A row-major double matrix (n x k) as an R matrix. */
static SEXP real_matrix(const double *rows, size_t n, size_t k) {
    SEXP out = PROTECT(Rf_allocMatrix(REALSXP, (int)n, (int)k));
    double *m = REAL(out);
    COLUMN_MAJOR(m, rows, n, k, 1, AS_IS);
    UNPROTECT(1);
    return out;
}

/* An R numeric matrix (rows x columns, doubles) as a row-major C copy. */
static double *row_major(SEXP matrix, size_t *rows, size_t *columns) {
    SEXP dim = Rf_getAttrib(matrix, R_DimSymbol);
    if (TYPEOF(matrix) != REALSXP || TYPEOF(dim) != INTSXP || XLENGTH(dim) != 2)
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "scores must be a numeric matrix");
    size_t n = (size_t)INTEGER(dim)[0], k = (size_t)INTEGER(dim)[1];
    double *out = (double *)scratch(n * k, sizeof(double));
    const double *m = REAL(matrix);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) out[i * k + j] = m[i + n * j];
    *rows = n;
    *columns = k;
    return out;
}

/* ------------------------------------------------------------------------ */
/* Constants, versions, vocabulary                                          */
/* ------------------------------------------------------------------------ */

#define CONSTANT(name) { #name, (int64_t)(name) }
static const struct { const char *name; int64_t value; } CONSTANTS[] = {
    CONSTANT(CHEXPERT_ABI_VERSION), CONSTANT(CHEXPERT_NUM_SPLITS), CONSTANT(CHEXPERT_NUM_SPLITS_ALL),
    CONSTANT(CHEXPERT_NUM_LABEL_CLASSES), CONSTANT(CHEXPERT_NUM_VIEWS),
    CONSTANT(CHEXPERT_NUM_PROJECTIONS), CONSTANT(CHEXPERT_NUM_SEXES), CONSTANT(CHEXPERT_NUM_RELEASES),
    CONSTANT(CHEXPERT_NUM_FIELDS), CONSTANT(CHEXPERT_MAX_SIDE), CONSTANT(CHEXPERT_MAX_PARTS),
    CONSTANT(CHEXPERT_MAX_BOOTSTRAP),
    CONSTANT(CHEXPERT_KEY_DCT), CONSTANT(CHEXPERT_KEY_MAX_PIXELS), CONSTANT(CHEXPERT_KEY_MAX_FILE_BYTES),
    CONSTANT(CHEXPERT_KEY_SELECT), CONSTANT(CHEXPERT_KEY_ON_ERROR), CONSTANT(CHEXPERT_KEY_THREADS),
    CONSTANT(CHEXPERT_KEY_HEIGHT), CONSTANT(CHEXPERT_KEY_WIDTH), CONSTANT(CHEXPERT_KEY_CHANNELS),
    CONSTANT(CHEXPERT_KEY_LAYOUT), CONSTANT(CHEXPERT_KEY_DTYPE), CONSTANT(CHEXPERT_KEY_FIT),
    CONSTANT(CHEXPERT_KEY_FILTER), CONSTANT(CHEXPERT_KEY_NORMALIZE), CONSTANT(CHEXPERT_KEY_MEAN),
    CONSTANT(CHEXPERT_KEY_STD), CONSTANT(CHEXPERT_KEY_TARGET_PRESET),
    CONSTANT(CHEXPERT_KEY_TARGET_NO_FINDING), CONSTANT(CHEXPERT_KEY_TARGET_MASKED_NAN),
    CONSTANT(CHEXPERT_KEY_SHUFFLE), CONSTANT(CHEXPERT_KEY_SEED), CONSTANT(CHEXPERT_KEY_EPOCH),
    CONSTANT(CHEXPERT_KEY_START), CONSTANT(CHEXPERT_KEY_RANK), CONSTANT(CHEXPERT_KEY_WORLD),
    CONSTANT(CHEXPERT_KEY_REMAINDER), CONSTANT(CHEXPERT_KEY_CONFINE_PATHS), CONSTANT(CHEXPERT_KEY_LABELS),
    CONSTANT(CHEXPERT_KEY_DECODE_SCALE), CONSTANT(CHEXPERT_KEY_AGGREGATE), CONSTANT(CHEXPERT_KEY_STRATIFY),
    CONSTANT(CHEXPERT_KEY_EVAL_LEVEL), CONSTANT(CHEXPERT_KEY_BOOTSTRAP),
    CONSTANT(CHEXPERT_KEY_EVAL_UNCERTAIN), CONSTANT(CHEXPERT_KEY_RESAMPLE),
    CONSTANT(CHEXPERT_KEY_CACHE_SIDE), CONSTANT(CHEXPERT_KEY_AUGMENT),
    CONSTANT(CHEXPERT_KEY_AUG_CROP_SCALE), CONSTANT(CHEXPERT_KEY_AUG_CROP_RATIO),
    CONSTANT(CHEXPERT_KEY_AUG_ROTATE), CONSTANT(CHEXPERT_KEY_AUG_TRANSLATE),
    CONSTANT(CHEXPERT_KEY_AUG_SCALE), CONSTANT(CHEXPERT_KEY_AUG_SHEAR), CONSTANT(CHEXPERT_KEY_AUG_FILL),
    CONSTANT(CHEXPERT_KEY_AUG_BRIGHTNESS), CONSTANT(CHEXPERT_KEY_AUG_CONTRAST),
    CONSTANT(CHEXPERT_KEY_AUG_GAMMA), CONSTANT(CHEXPERT_KEY_AUG_HFLIP),
    CONSTANT(CHEXPERT_DCT_FAST), CONSTANT(CHEXPERT_DCT_ACCURATE),
    CONSTANT(CHEXPERT_ON_ERROR_RAISE), CONSTANT(CHEXPERT_ON_ERROR_SUBSTITUTE),
    CONSTANT(CHEXPERT_LAYOUT_NHWC), CONSTANT(CHEXPERT_LAYOUT_NCHW),
    CONSTANT(CHEXPERT_DTYPE_UINT8), CONSTANT(CHEXPERT_DTYPE_FLOAT32),
    CONSTANT(CHEXPERT_FIT_COVER), CONSTANT(CHEXPERT_FIT_CONTAIN), CONSTANT(CHEXPERT_FIT_STRETCH),
    CONSTANT(CHEXPERT_FILTER_AREA), CONSTANT(CHEXPERT_FILTER_BILINEAR),
    CONSTANT(CHEXPERT_NORMALIZE_NONE), CONSTANT(CHEXPERT_NORMALIZE_UNIT),
    CONSTANT(CHEXPERT_NORMALIZE_IMAGENET), CONSTANT(CHEXPERT_NORMALIZE_XRV),
    CONSTANT(CHEXPERT_NORMALIZE_CUSTOM),
    CONSTANT(CHEXPERT_PRESET_PAPER), CONSTANT(CHEXPERT_PRESET_LIBAUC), CONSTANT(CHEXPERT_PRESET_XRV),
    CONSTANT(CHEXPERT_REMAINDER_PAD), CONSTANT(CHEXPERT_REMAINDER_DROP),
    CONSTANT(CHEXPERT_REMAINDER_UNEVEN),
    CONSTANT(CHEXPERT_UNCERTAIN_IGNORE), CONSTANT(CHEXPERT_UNCERTAIN_ZEROS),
    CONSTANT(CHEXPERT_UNCERTAIN_ONES), CONSTANT(CHEXPERT_UNCERTAIN_MULTICLASS),
    CONSTANT(CHEXPERT_UNCERTAIN_RAW), CONSTANT(CHEXPERT_BLANK_NEGATIVE), CONSTANT(CHEXPERT_BLANK_IGNORE),
    CONSTANT(CHEXPERT_TARGET_NO_FINDING), CONSTANT(CHEXPERT_TARGET_MASKED_NAN),
    CONSTANT(CHEXPERT_SELECT_AP), CONSTANT(CHEXPERT_SELECT_PA), CONSTANT(CHEXPERT_SELECT_OTHER_FRONTAL),
    CONSTANT(CHEXPERT_SELECT_LATERAL), CONSTANT(CHEXPERT_SELECT_FRONTAL), CONSTANT(CHEXPERT_SELECT_ALL),
    CONSTANT(CHEXPERT_SEX_BLANK), CONSTANT(CHEXPERT_ID_MISSING), CONSTANT(CHEXPERT_AGE_MISSING),
    CONSTANT(CHEXPERT_FIELD_STUDY_INDEX),
    CONSTANT(CHEXPERT_LABELS_REPORTS), CONSTANT(CHEXPERT_LABELS_CHEXBERT),
    CONSTANT(CHEXPERT_LABELS_VISUALCHEXBERT),
    CONSTANT(CHEXPERT_DECODE_SCALE_FULL), CONSTANT(CHEXPERT_DECODE_SCALE_AUTO),
    CONSTANT(CHEXPERT_AGGREGATE_MAX), CONSTANT(CHEXPERT_AGGREGATE_MEAN),
    CONSTANT(CHEXPERT_EVAL_LEVEL_IMAGE), CONSTANT(CHEXPERT_EVAL_LEVEL_STUDY),
    CONSTANT(CHEXPERT_EVAL_UNCERTAIN_EXCLUDE), CONSTANT(CHEXPERT_EVAL_UNCERTAIN_POSITIVE),
    CONSTANT(CHEXPERT_EVAL_UNCERTAIN_NEGATIVE),
    CONSTANT(CHEXPERT_RESAMPLE_FAST), CONSTANT(CHEXPERT_RESAMPLE_EXACT),
    CONSTANT(CHEXPERT_AUGMENT_NONE), CONSTANT(CHEXPERT_AUGMENT_CUSTOM),
    CONSTANT(CHEXPERT_AUGMENT_JFHEALTHCARE), CONSTANT(CHEXPERT_AUGMENT_LIBAUC),
};

/* Names of the library's result columns, indexed by the header's enums. */
static const char *const METRIC_NAMES[CHEXPERT_NUM_METRICS] = {
    [CHEXPERT_METRIC_AUROC] = "auroc", [CHEXPERT_METRIC_AUPRC] = "auprc",
    [CHEXPERT_METRIC_AUROC_LOW] = "auroc_low", [CHEXPERT_METRIC_AUROC_HIGH] = "auroc_high",
    [CHEXPERT_METRIC_AUPRC_LOW] = "auprc_low", [CHEXPERT_METRIC_AUPRC_HIGH] = "auprc_high",
    [CHEXPERT_METRIC_SAMPLES] = "samples", [CHEXPERT_METRIC_POSITIVES] = "positives",
};
static const char *const CACHE_FIELD_NAMES[CHEXPERT_NUM_CACHE_FIELDS] = {
    [CHEXPERT_CACHE_VERSION] = "version", [CHEXPERT_CACHE_FILE_BYTES] = "file_bytes",
    [CHEXPERT_CACHE_SIDE] = "side", [CHEXPERT_CACHE_HEIGHT] = "height", [CHEXPERT_CACHE_WIDTH] = "width",
    [CHEXPERT_CACHE_SELECT] = "select", [CHEXPERT_CACHE_TRAIN] = "train",
    [CHEXPERT_CACHE_VALIDATION] = "validation", [CHEXPERT_CACHE_TEST] = "test",
    [CHEXPERT_CACHE_FAILED] = "failed", [CHEXPERT_CACHE_PLANE_BYTES] = "plane_bytes",
};
/* chexpert_augment_draw()'s values, in the header's order. */
static const char *const DRAW_NAMES[CHEXPERT_NUM_AUGMENT_VALUES] = {
    "crop_top", "crop_left", "crop_height", "crop_width", "angle", "translate_x", "translate_y",
    "scale", "shear_x", "shear_y", "flip", "brightness", "contrast", "gamma",
};

/* The header's constants this package uses, by name: the R code holds no copy of them. */
static SEXP C_constants(void) {
    R_xlen_t n = (R_xlen_t)(sizeof CONSTANTS / sizeof CONSTANTS[0]);
    SEXP values = PROTECT(Rf_allocVector(INTSXP, n));
    SEXP names = PROTECT(Rf_allocVector(STRSXP, n));
    for (R_xlen_t i = 0; i < n; i++) {
        INTEGER(values)[i] = small_int(CONSTANTS[i].value);
        SET_STRING_ELT(names, i, Rf_mkChar(CONSTANTS[i].name));
    }
    Rf_setAttrib(values, R_NamesSymbol, names);
    UNPROTECT(2);
    return values;
}

static SEXP C_version(void) {
    static const char *const names[] = { "version", "version_number", "abi_version", "header_version" };
    SEXP out = PROTECT(named_list(4, names));
    SET_VECTOR_ELT(out, 0, Rf_mkString(chexpert_version_string()));
    SET_VECTOR_ELT(out, 1, Rf_ScalarInteger(chexpert_version_number()));
    SET_VECTOR_ELT(out, 2, Rf_ScalarInteger(chexpert_abi_version()));
    SET_VECTOR_ELT(out, 3, Rf_mkString(CHEXPERT_VERSION_STRING));
    UNPROTECT(1);
    return out;
}

static SEXP C_vocabulary(void) {
    static const char *const names[] = { "split", "label_class", "view", "projection", "sex", "release",
                                         "field" };
    SEXP out = PROTECT(named_list(7, names));
    SET_VECTOR_ELT(out, 0, names_vector(chexpert_split_name, CHEXPERT_NUM_SPLITS_ALL));
    SET_VECTOR_ELT(out, 1, names_vector(chexpert_label_class_name, CHEXPERT_NUM_LABEL_CLASSES));
    SET_VECTOR_ELT(out, 2, names_vector(chexpert_view_name, CHEXPERT_NUM_VIEWS));
    SET_VECTOR_ELT(out, 3, names_vector(chexpert_projection_name, CHEXPERT_NUM_PROJECTIONS));
    SET_VECTOR_ELT(out, 4, names_vector(chexpert_sex_name, CHEXPERT_NUM_SEXES));
    SET_VECTOR_ELT(out, 5, names_vector(chexpert_release_name, CHEXPERT_NUM_RELEASES));
    SET_VECTOR_ELT(out, 6, names_vector(chexpert_field_name, CHEXPERT_NUM_FIELDS));
    UNPROTECT(1);
    return out;
}

static SEXP C_status_name(SEXP status) {
    return Rf_mkString(chexpert_status_name((int)whole_number(status, 0, "status")));
}

/* ------------------------------------------------------------------------ */
/* Datasets and splits                                                      */
/* ------------------------------------------------------------------------ */

static SEXP C_open(SEXP root, SEXP spec) {
    const char *path = path_of(root, "root", 1);
    chexpert_params *options = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &options));
    SEXP pointer = PROTECT(R_MakeExternalPtr(NULL, dataset_tag(), R_NilValue));
    R_RegisterCFinalizerEx(pointer, dataset_finalizer, TRUE);
    chexpert_dataset *ds = NULL;
    int status = chexpert_dataset_open(&ds, path, options);
    if (status != CHEXPERT_OK) fail(status);
    R_SetExternalPtrAddr(pointer, ds);
    params_release(holder);
    SEXP klass = PROTECT(Rf_mkString("chexpert_dataset"));
    Rf_classgets(pointer, klass);
    UNPROTECT(3);
    return pointer;
}

static SEXP C_close(SEXP pointer) {
    dataset_finalizer(dataset_pointer(pointer));
    return R_NilValue;
}

static SEXP C_is_closed(SEXP pointer) {
    return Rf_ScalarLogical(R_ExternalPtrAddr(dataset_pointer(pointer)) == NULL);
}

static SEXP C_root(SEXP pointer) {
    chexpert_dataset *ds = dataset_of(pointer);
    size_t size = 0;
    CHECK(chexpert_dataset_root(ds, NULL, 0, &size));
    char *buffer = scratch(size, 1);
    CHECK(chexpert_dataset_root(ds, buffer, size, &size));
    return Rf_mkString(buffer);
}

static SEXP C_release(SEXP pointer) {
    int32_t release = 0;
    CHECK(chexpert_dataset_release(dataset_of(pointer), &release));
    return Rf_ScalarInteger(release);
}

static SEXP C_has_split(SEXP pointer, SEXP split) {
    int32_t has = 0;
    CHECK(chexpert_dataset_has_split(dataset_of(pointer), split_of(split), &has));
    return Rf_ScalarLogical(has != 0);
}

static SEXP C_split_size(SEXP pointer, SEXP split) {
    chexpert_dataset *ds = dataset_of(pointer);
    return Rf_ScalarReal(exact_double(split_size(ds, split_of(split))));
}

static SEXP C_study_count(SEXP pointer, SEXP split) {
    int64_t count = 0;
    CHECK(chexpert_split_study_count(dataset_of(pointer), split_of(split), &count));
    return Rf_ScalarReal(exact_double(count));
}

static SEXP C_label_names(SEXP pointer, SEXP split_sexp) {
    chexpert_dataset *ds = dataset_of(pointer);
    int split = split_of(split_sexp);
    int32_t count = 0;
    CHECK(chexpert_split_num_labels(ds, split, &count));
    SEXP out = PROTECT(Rf_allocVector(STRSXP, count));
    for (int32_t j = 0; j < count; j++) {
        size_t size = 0;
        CHECK(chexpert_split_label_name(ds, split, j, NULL, 0, &size));
        char *buffer = scratch(size, 1);
        CHECK(chexpert_split_label_name(ds, split, j, buffer, size, &size));
        SET_STRING_ELT(out, j, Rf_mkCharCE(buffer, CE_UTF8));
    }
    UNPROTECT(1);
    return out;
}

static SEXP C_projection_counts(SEXP pointer, SEXP split) {
    chexpert_dataset *ds = dataset_of(pointer);
    int64_t counts[CHEXPERT_NUM_PROJECTIONS];
    CHECK(chexpert_split_projection_counts(ds, split_of(split), counts, CHEXPERT_NUM_PROJECTIONS));
    return double_vector(counts, CHEXPERT_NUM_PROJECTIONS, 0);
}

/* ------------------------------------------------------------------------ */
/* Examples                                                                 */
/* ------------------------------------------------------------------------ */

static SEXP name_at(chexpert_dataset *ds, int split, int64_t index) {
    size_t size = 0;
    CHECK(chexpert_example_name(ds, split, index, NULL, 0, &size));
    char *buffer = scratch(size, 1);
    CHECK(chexpert_example_name(ds, split, index, buffer, size, &size));
    return Rf_mkCharCE(buffer, CE_UTF8);
}

/* The image as an R array dim c(H, W, 3): img[h, w, c] = C's out[((h-1) * W + (w-1)) * 3 + (c-1)]. */
static SEXP image_at(chexpert_dataset *ds, int split, int64_t index, int as_raw) {
    int32_t height = 0, width = 0;
    CHECK(chexpert_example_image(ds, split, index, NULL, 0, &height, &width));
    size_t H = (size_t)height, W = (size_t)width, bytes = H * W * 3;
    uint8_t *pixels = (uint8_t *)scratch(bytes, 1);
    CHECK(chexpert_example_image(ds, split, index, pixels, bytes, &height, &width));
    SEXP image = PROTECT(Rf_allocVector(as_raw ? RAWSXP : INTSXP, (R_xlen_t)bytes));
    Rbyte *raw = as_raw ? RAW(image) : NULL;
    int *integers = as_raw ? NULL : INTEGER(image);
    for (size_t c = 0; c < 3; c++) {    /* channel c: an H x W plane, pixels 3 bytes apart */
        if (as_raw) COLUMN_MAJOR(raw + H * W * c, pixels + c, H, W, 3, AS_IS);
        else COLUMN_MAJOR(integers + H * W * c, pixels + c, H, W, 3, AS_IS);
    }
    SEXP dim = PROTECT(Rf_allocVector(INTSXP, 3));
    INTEGER(dim)[0] = height;
    INTEGER(dim)[1] = width;
    INTEGER(dim)[2] = 3;
    Rf_setAttrib(image, R_DimSymbol, dim);
    UNPROTECT(2);
    return image;
}

static SEXP C_example(SEXP pointer, SEXP split_sexp, SEXP index_sexp, SEXP as_raw) {
    if (XLENGTH(index_sexp) != 1)
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "index must be a single index");
    examples e = examples_of(pointer, split_sexp, index_sexp);
    int64_t index = e.indices[0];
    int32_t num_labels = 0;
    CHECK(chexpert_split_num_labels(e.ds, e.split, &num_labels));

    static const char *const names[] = { "image", "label", "image_view", "name" };
    SEXP out = PROTECT(named_list(4, names));
    SET_VECTOR_ELT(out, 0, image_at(e.ds, e.split, index, Rf_asLogical(as_raw) == TRUE));
    int64_t *labels = (int64_t *)scratch((size_t)num_labels, sizeof(int64_t));
    CHECK(chexpert_example_labels(e.ds, e.split, index, labels, (size_t)num_labels));
    SET_VECTOR_ELT(out, 1, integer_vector(labels, (size_t)num_labels));
    int64_t view = 0;
    CHECK(chexpert_example_view(e.ds, e.split, index, &view));
    SET_VECTOR_ELT(out, 2, Rf_ScalarInteger(small_int(view)));
    SEXP name = PROTECT(Rf_allocVector(STRSXP, 1));
    SET_STRING_ELT(name, 0, name_at(e.ds, e.split, index));
    SET_VECTOR_ELT(out, 3, name);
    UNPROTECT(2);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Batches without decoding                                                 */
/* ------------------------------------------------------------------------ */

/* Labels as an integer matrix n x L: m[k, j] (R) = C's out[(k-1) * L + (j-1)]. */
static SEXP C_labels(SEXP pointer, SEXP split, SEXP indices) {
    examples e = examples_of(pointer, split, indices);
    int32_t num_labels = 0;
    CHECK(chexpert_split_num_labels(e.ds, e.split, &num_labels));
    size_t L = (size_t)num_labels, total = e.count * L;
    int64_t *labels = (int64_t *)scratch(total, sizeof(int64_t));
    CHECK(chexpert_batch_labels(e.ds, e.split, INDICES(e), e.count, total ? labels : NULL, total));
    SEXP out = PROTECT(Rf_allocMatrix(INTSXP, (int)e.count, num_labels));
    int *m = INTEGER(out);
    COLUMN_MAJOR(m, labels, e.count, L, 1, small_int);
    UNPROTECT(1);
    return out;
}

typedef int (*int64_batch_call)(const chexpert_dataset *, int, const int64_t *, size_t, int64_t *, size_t);

/* One int64 per example, from a chexpert_batch_* call. */
static int64_t *int64_batch(examples e, int64_batch_call function) {
    int64_t *values = (int64_t *)scratch(e.count, sizeof(int64_t));
    CHECK(function(e.ds, e.split, INDICES(e), e.count, e.count ? values : NULL, e.count));
    return values;
}

static SEXP C_views(SEXP pointer, SEXP split, SEXP indices) {
    examples e = examples_of(pointer, split, indices);
    return integer_vector(int64_batch(e, chexpert_batch_views), e.count);
}

static SEXP C_projections(SEXP pointer, SEXP split, SEXP indices) {
    examples e = examples_of(pointer, split, indices);
    return integer_vector(int64_batch(e, chexpert_batch_projections), e.count);
}

static SEXP C_names(SEXP pointer, SEXP split, SEXP indices) {
    examples e = examples_of(pointer, split, indices);
    SEXP out = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)e.count));
    if (e.count) {
        size_t size = 0;
        CHECK(chexpert_batch_names(e.ds, e.split, e.indices, e.count, NULL, 0, &size));
        char *buffer = scratch(size, 1);
        CHECK(chexpert_batch_names(e.ds, e.split, e.indices, e.count, buffer, size, &size));
        const char *cursor = buffer;
        for (size_t k = 0; k < e.count; k++) {
            SET_STRING_ELT(out, (R_xlen_t)k, Rf_mkCharCE(cursor, CE_UTF8));
            cursor += strlen(cursor) + 1;
        }
    }
    UNPROTECT(1);
    return out;
}

/* Every field of chexpert_batch_metadata() as a list of doubles named by chexpert_field_name(). */
static SEXP C_metadata(SEXP pointer, SEXP split, SEXP indices) {
    examples e = examples_of(pointer, split, indices);
    SEXP out = PROTECT(Rf_allocVector(VECSXP, CHEXPERT_NUM_FIELDS));
    SEXP names = PROTECT(names_vector(chexpert_field_name, CHEXPERT_NUM_FIELDS));
    int64_t *values = (int64_t *)scratch(e.count, sizeof(int64_t));
    for (int field = 0; field < CHEXPERT_NUM_FIELDS; field++) {
        CHECK(chexpert_batch_metadata(e.ds, e.split, INDICES(e), e.count, field,
                                      e.count ? values : NULL, e.count));
        SET_VECTOR_ELT(out, field, double_vector(values, e.count, 0));
    }
    Rf_setAttrib(out, R_NamesSymbol, names);
    UNPROTECT(2);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Resized batches                                                          */
/* ------------------------------------------------------------------------ */

static int64_t param(const chexpert_params *params, int key) {
    int64_t value = 0;
    CHECK(chexpert_params_get(params, key, &value));
    return value;
}

/*
 * A resized batch as an R array dim c(H, W, C, N): x[h, w, c, n] (1-based).
 * The library writes NCHW (layout forced here), offset ((n * C + c) * H + h) * W + w
 * (0-based); each H x W plane is transposed into R's column-major order.
 * Float32 becomes double (exactly), uint8 becomes integer.
 */
static SEXP C_resized(SEXP pointer, SEXP split, SEXP indices, SEXP spec) {
    examples e = examples_of(pointer, split, indices);
    chexpert_params *params = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &params));
    CHECK(chexpert_params_set(params, CHEXPERT_KEY_LAYOUT, CHEXPERT_LAYOUT_NCHW));
    size_t bytes = 0;
    CHECK(chexpert_resize_output_bytes(params, e.count, &bytes));
    size_t H = (size_t)param(params, CHEXPERT_KEY_HEIGHT), W = (size_t)param(params, CHEXPERT_KEY_WIDTH);
    size_t C = (size_t)param(params, CHEXPERT_KEY_CHANNELS);
    int is_float = param(params, CHEXPERT_KEY_DTYPE) == CHEXPERT_DTYPE_FLOAT32;
    size_t elements = e.count * H * W * C;
    if ((double)elements > (double)R_XLEN_T_MAX)
        fail_with(CHEXPERT_E_LIMIT, "a batch of %zu values is beyond R's vector length", elements);
    /* R_alloc returns memory aligned for double, so for float too. */
    void *data = scratch(bytes, 1);
    int32_t *statuses = (int32_t *)scratch(e.count, sizeof(int32_t));
    CHECK(chexpert_batch_resized(e.ds, e.split, INDICES(e), e.count, params,
                                 bytes ? data : NULL, bytes, e.count ? statuses : NULL));
    params_release(holder);

    SEXP out = PROTECT(Rf_allocVector(is_float ? REALSXP : INTSXP, (R_xlen_t)elements));
    double *reals = is_float ? REAL(out) : NULL;
    int *integers = is_float ? NULL : INTEGER(out);
    for (size_t base = 0; base < elements; base += H * W) {    /* plane n * C + c */
        if (is_float) COLUMN_MAJOR(reals + base, (const float *)data + base, H, W, 1, AS_DOUBLE);
        else COLUMN_MAJOR(integers + base, (const uint8_t *)data + base, H, W, 1, AS_IS);
    }
    SEXP dim = PROTECT(Rf_allocVector(INTSXP, 4));
    INTEGER(dim)[0] = (int)H;
    INTEGER(dim)[1] = (int)W;
    INTEGER(dim)[2] = (int)C;
    INTEGER(dim)[3] = (int)e.count;
    Rf_setAttrib(out, R_DimSymbol, dim);
    SEXP status = PROTECT(Rf_allocVector(INTSXP, (R_xlen_t)e.count));
    for (size_t k = 0; k < e.count; k++) INTEGER(status)[k] = statuses[k];
    Rf_setAttrib(out, Rf_install("status"), status);
    UNPROTECT(4);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Targets                                                                  */
/* ------------------------------------------------------------------------ */

/* list(targets, masks: double n x K; rules: integer K x 3 (label 0-based, uncertain, blank); flags). */
static SEXP C_targets(SEXP pointer, SEXP split, SEXP indices, SEXP spec) {
    examples e = examples_of(pointer, split, indices);
    chexpert_params *params = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &params));
    size_t rule_count = 0;
    uint32_t flags = 0;
    CHECK(chexpert_target_rules(e.ds, e.split, params, NULL, 0, &rule_count, &flags));
    int32_t *rules = (int32_t *)scratch(3 * rule_count, sizeof(int32_t));
    CHECK(chexpert_target_rules(e.ds, e.split, params, rules, 3 * rule_count, &rule_count, &flags));
    size_t K = rule_count, total = e.count * K;
    float *targets = (float *)scratch(total, sizeof(float));
    float *masks = (float *)scratch(total, sizeof(float));
    CHECK(chexpert_batch_targets(e.ds, e.split, INDICES(e), e.count, params,
                                 total ? targets : NULL, total ? masks : NULL, total));
    params_release(holder);

    SEXP out = PROTECT(Rf_allocVector(VECSXP, 4));
    SEXP t = Rf_allocMatrix(REALSXP, (int)e.count, (int)K);
    SET_VECTOR_ELT(out, 0, t);
    COLUMN_MAJOR(REAL(t), targets, e.count, K, 1, AS_DOUBLE);
    SEXP m = Rf_allocMatrix(REALSXP, (int)e.count, (int)K);
    SET_VECTOR_ELT(out, 1, m);
    COLUMN_MAJOR(REAL(m), masks, e.count, K, 1, AS_DOUBLE);
    SEXP r = Rf_allocMatrix(INTSXP, (int)K, 3);
    SET_VECTOR_ELT(out, 2, r);
    COLUMN_MAJOR(INTEGER(r), rules, K, 3, 1, AS_IS);
    SET_VECTOR_ELT(out, 3, Rf_ScalarInteger((int)flags));
    UNPROTECT(2);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Epoch order and sharding                                                 */
/* ------------------------------------------------------------------------ */

/* 1-based positions (doubles) of one rank's share of 1..count. */
static SEXP C_shard_indices(SEXP count_sexp, SEXP spec) {
    int64_t count = (int64_t)whole_scalar(count_sexp, "count");
    chexpert_params *params = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &params));
    size_t n = 0;
    CHECK(chexpert_shard_indices(params, count, NULL, 0, &n));
    int64_t *positions = (int64_t *)scratch(n, sizeof(int64_t));
    CHECK(chexpert_shard_indices(params, count, n ? positions : NULL, n, &n));
    params_release(holder);
    UNPROTECT(1);
    return double_vector(positions, n, 1);
}

/* ------------------------------------------------------------------------ */
/* Studies, patients, evaluation                                            */
/* ------------------------------------------------------------------------ */

/* Study-level scores: a double matrix studies x columns. */
static SEXP C_aggregate(SEXP pointer, SEXP split_sexp, SEXP scores, SEXP spec) {
    chexpert_dataset *ds = dataset_of(pointer);
    int split = split_of(split_sexp);
    size_t rows = 0, columns = 0;
    double *matrix = row_major(scores, &rows, &columns);
    int64_t studies = 0;
    CHECK(chexpert_split_study_count(ds, split, &studies));
    chexpert_params *params = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &params));
    size_t total = (size_t)studies * columns;
    double *out = (double *)scratch(total, sizeof(double));
    CHECK(chexpert_aggregate_scores(ds, split, rows && columns ? matrix : NULL, rows, columns, params,
                                    total ? out : NULL, total));
    params_release(holder);
    UNPROTECT(1);
    return real_matrix(out, (size_t)studies, columns);
}

/* Each example's part, 0-based (integer). */
static SEXP C_patient_split(SEXP pointer, SEXP split_sexp, SEXP fractions, SEXP spec) {
    chexpert_dataset *ds = dataset_of(pointer);
    int split = split_of(split_sexp);
    if (TYPEOF(fractions) != REALSXP)
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "fractions must be numeric");
    size_t size = (size_t)split_size(ds, split);
    chexpert_params *params = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &params));
    SEXP out = PROTECT(Rf_allocVector(INTSXP, (R_xlen_t)size));
    size_t parts = (size_t)XLENGTH(fractions);
    CHECK(chexpert_patient_split(ds, split, parts ? REAL(fractions) : NULL, parts, params,
                                 size ? INTEGER(out) : NULL, size));
    params_release(holder);
    UNPROTECT(2);
    return out;
}

/* The metrics matrix (columns + 1) x CHEXPERT_NUM_METRICS, columns named. */
static SEXP C_evaluate(SEXP pointer, SEXP split_sexp, SEXP scores, SEXP label_columns, SEXP spec) {
    chexpert_dataset *ds = dataset_of(pointer);
    int split = split_of(split_sexp);
    size_t rows = 0, columns = 0;
    double *matrix = row_major(scores, &rows, &columns);
    if (TYPEOF(label_columns) != INTSXP || (size_t)XLENGTH(label_columns) != columns)
        fail_with(CHEXPERT_E_INTERNAL, "label_columns must be one integer per score column");
    chexpert_params *params = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &params));
    size_t total = (columns + 1) * CHEXPERT_NUM_METRICS;
    double *out = (double *)scratch(total, sizeof(double));
    CHECK(chexpert_evaluate(ds, split, rows && columns ? matrix : NULL, rows, columns,
                            columns ? INTEGER(label_columns) : NULL, params, out, total));
    params_release(holder);
    SEXP result = PROTECT(real_matrix(out, columns + 1, CHEXPERT_NUM_METRICS));
    SEXP dimnames = PROTECT(Rf_allocVector(VECSXP, 2));
    SEXP metric_names = PROTECT(Rf_allocVector(STRSXP, CHEXPERT_NUM_METRICS));
    for (int j = 0; j < CHEXPERT_NUM_METRICS; j++) SET_STRING_ELT(metric_names, j, Rf_mkChar(METRIC_NAMES[j]));
    SET_VECTOR_ELT(dimnames, 1, metric_names);
    Rf_setAttrib(result, R_DimNamesSymbol, dimnames);
    UNPROTECT(4);
    return result;
}

/* ------------------------------------------------------------------------ */
/* Packed cache                                                             */
/* ------------------------------------------------------------------------ */

static SEXP C_cache_build(SEXP pointer, SEXP path, SEXP spec) {
    chexpert_dataset *ds = dataset_of(pointer);
    const char *file = path_of(path, "path", 0);
    chexpert_params *params = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &params));
    CHECK(chexpert_cache_build(ds, file, params, NULL));
    params_release(holder);
    UNPROTECT(1);
    return R_NilValue;
}

static SEXP C_attach_cache(SEXP pointer, SEXP path) {
    chexpert_dataset *ds = dataset_of(pointer);
    CHECK(chexpert_dataset_attach_cache(ds, path_of(path, "path", 1)));
    return R_NilValue;
}

/* A named list of doubles, one per value of a fixed-size library output. */
static SEXP named_doubles(const char *const *names, const double *values, R_xlen_t n) {
    SEXP out = PROTECT(named_list(n, names));
    for (R_xlen_t i = 0; i < n; i++) SET_VECTOR_ELT(out, i, Rf_ScalarReal(values[i]));
    UNPROTECT(1);
    return out;
}

static SEXP C_cache_info(SEXP path) {
    int64_t fields[CHEXPERT_NUM_CACHE_FIELDS];
    CHECK(chexpert_cache_info(path_of(path, "path", 0), fields, CHEXPERT_NUM_CACHE_FIELDS));
    double values[CHEXPERT_NUM_CACHE_FIELDS];
    for (int i = 0; i < CHEXPERT_NUM_CACHE_FIELDS; i++) values[i] = exact_double(fields[i]);
    return named_doubles(CACHE_FIELD_NAMES, values, CHEXPERT_NUM_CACHE_FIELDS);
}

/* ------------------------------------------------------------------------ */
/* Augmentation                                                             */
/* ------------------------------------------------------------------------ */

/* Builds the params of `spec` (the library checks every value as it is set) and frees them. */
static SEXP C_check_params(SEXP spec) {
    chexpert_params *params = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &params));
    params_release(holder);
    UNPROTECT(1);
    return R_NilValue;
}

/* The values drawn for the example at 1-based `index` of a width x height source. */
static SEXP C_augment_draw(SEXP spec, SEXP index, SEXP width, SEXP height) {
    int64_t i = (int64_t)whole_scalar(index, "index") - 1;
    int64_t w = (int64_t)whole_scalar(width, "width"), h = (int64_t)whole_scalar(height, "height");
    chexpert_params *params = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &params));
    double values[CHEXPERT_NUM_AUGMENT_VALUES];
    CHECK(chexpert_augment_draw(params, i, w, h, values, CHEXPERT_NUM_AUGMENT_VALUES));
    params_release(holder);
    UNPROTECT(1);
    return named_doubles(DRAW_NAMES, values, CHEXPERT_NUM_AUGMENT_VALUES);
}

/* ------------------------------------------------------------------------ */
/* Registration                                                             */
/* ------------------------------------------------------------------------ */

#define ENTRY(name, n) { #name, (DL_FUNC)&name, n }
static const R_CallMethodDef CALL_METHODS[] = {
    ENTRY(C_constants, 0), ENTRY(C_version, 0), ENTRY(C_vocabulary, 0), ENTRY(C_status_name, 1),
    ENTRY(C_open, 2), ENTRY(C_close, 1), ENTRY(C_is_closed, 1), ENTRY(C_root, 1),
    ENTRY(C_release, 1), ENTRY(C_has_split, 2), ENTRY(C_split_size, 2), ENTRY(C_study_count, 2),
    ENTRY(C_label_names, 2), ENTRY(C_projection_counts, 2),
    ENTRY(C_example, 4), ENTRY(C_labels, 3), ENTRY(C_views, 3), ENTRY(C_projections, 3),
    ENTRY(C_names, 3), ENTRY(C_metadata, 3), ENTRY(C_resized, 4), ENTRY(C_targets, 4),
    ENTRY(C_shard_indices, 2), ENTRY(C_aggregate, 4), ENTRY(C_patient_split, 4), ENTRY(C_evaluate, 5),
    ENTRY(C_cache_build, 3), ENTRY(C_attach_cache, 2), ENTRY(C_cache_info, 1),
    ENTRY(C_check_params, 1), ENTRY(C_augment_draw, 4),
    { NULL, NULL, 0 }
};

void R_init_chexpert(DllInfo *info) {
    R_registerRoutines(info, NULL, CALL_METHODS, NULL, NULL);
    R_useDynamicSymbols(info, FALSE);
    R_forceSymbols(info, TRUE);
}
