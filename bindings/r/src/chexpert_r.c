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

static chexpert_dataset *dataset_of(SEXP pointer) {
    if (TYPEOF(pointer) != EXTPTRSXP || R_ExternalPtrTag(pointer) != dataset_tag())
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "ds must be a chexpert_dataset (from chexpert_open())");
    chexpert_dataset *ds = (chexpert_dataset *)R_ExternalPtrAddr(pointer);
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
                fail_with(CHEXPERT_E_INVALID_ARGUMENT, "mean and std must be numeric");
            R_xlen_t n = XLENGTH(v);
            float *floats = (float *)R_alloc(n > 0 ? (size_t)n : 1, sizeof(float));
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
        int64_t *all = (int64_t *)R_alloc(size > 0 ? (size_t)size : 1, sizeof(int64_t));
        for (int64_t i = 0; i < size; i++) all[i] = i;
        *out_count = (size_t)size;
        return all;
    }
    R_xlen_t n = XLENGTH(indices);
    int64_t *out = (int64_t *)R_alloc(n > 0 ? (size_t)n : 1, sizeof(int64_t));
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

/* ------------------------------------------------------------------------ */
/* Constants, versions, vocabulary                                          */
/* ------------------------------------------------------------------------ */

#define CONSTANT(name) { #name, (int64_t)(name) }
static const struct { const char *name; int64_t value; } CONSTANTS[] = {
    CONSTANT(CHEXPERT_ABI_VERSION), CONSTANT(CHEXPERT_NUM_SPLITS),
    CONSTANT(CHEXPERT_NUM_LABEL_CLASSES), CONSTANT(CHEXPERT_NUM_VIEWS),
    CONSTANT(CHEXPERT_NUM_PROJECTIONS),
    CONSTANT(CHEXPERT_KEY_DCT), CONSTANT(CHEXPERT_KEY_MAX_PIXELS), CONSTANT(CHEXPERT_KEY_MAX_FILE_BYTES),
    CONSTANT(CHEXPERT_KEY_SELECT), CONSTANT(CHEXPERT_KEY_ON_ERROR), CONSTANT(CHEXPERT_KEY_THREADS),
    CONSTANT(CHEXPERT_KEY_HEIGHT), CONSTANT(CHEXPERT_KEY_WIDTH), CONSTANT(CHEXPERT_KEY_CHANNELS),
    CONSTANT(CHEXPERT_KEY_LAYOUT), CONSTANT(CHEXPERT_KEY_DTYPE), CONSTANT(CHEXPERT_KEY_FIT),
    CONSTANT(CHEXPERT_KEY_FILTER), CONSTANT(CHEXPERT_KEY_NORMALIZE), CONSTANT(CHEXPERT_KEY_MEAN),
    CONSTANT(CHEXPERT_KEY_STD), CONSTANT(CHEXPERT_KEY_TARGET_PRESET),
    CONSTANT(CHEXPERT_KEY_TARGET_NO_FINDING), CONSTANT(CHEXPERT_KEY_TARGET_MASKED_NAN),
    CONSTANT(CHEXPERT_KEY_SHUFFLE), CONSTANT(CHEXPERT_KEY_SEED), CONSTANT(CHEXPERT_KEY_EPOCH),
    CONSTANT(CHEXPERT_KEY_START), CONSTANT(CHEXPERT_KEY_RANK), CONSTANT(CHEXPERT_KEY_WORLD),
    CONSTANT(CHEXPERT_KEY_REMAINDER),
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
    SEXP out = PROTECT(Rf_allocVector(VECSXP, 4));
    SEXP names = PROTECT(Rf_allocVector(STRSXP, 4));
    SET_VECTOR_ELT(out, 0, Rf_mkString(chexpert_version_string()));
    SET_VECTOR_ELT(out, 1, Rf_ScalarInteger(chexpert_version_number()));
    SET_VECTOR_ELT(out, 2, Rf_ScalarInteger(chexpert_abi_version()));
    SET_VECTOR_ELT(out, 3, Rf_mkString(CHEXPERT_VERSION_STRING));
    SET_STRING_ELT(names, 0, Rf_mkChar("version"));
    SET_STRING_ELT(names, 1, Rf_mkChar("version_number"));
    SET_STRING_ELT(names, 2, Rf_mkChar("abi_version"));
    SET_STRING_ELT(names, 3, Rf_mkChar("header_version"));
    Rf_setAttrib(out, R_NamesSymbol, names);
    UNPROTECT(2);
    return out;
}

static SEXP names_vector(const char *(*name)(int), int count) {
    SEXP out = PROTECT(Rf_allocVector(STRSXP, count));
    for (int i = 0; i < count; i++) {
        const char *s = name(i);
        SET_STRING_ELT(out, i, s ? Rf_mkChar(s) : NA_STRING);
    }
    UNPROTECT(1);
    return out;
}

static SEXP C_vocabulary(void) {
    SEXP out = PROTECT(Rf_allocVector(VECSXP, 4));
    SEXP names = PROTECT(Rf_allocVector(STRSXP, 4));
    SET_VECTOR_ELT(out, 0, names_vector(chexpert_split_name, CHEXPERT_NUM_SPLITS));
    SET_VECTOR_ELT(out, 1, names_vector(chexpert_label_class_name, CHEXPERT_NUM_LABEL_CLASSES));
    SET_VECTOR_ELT(out, 2, names_vector(chexpert_view_name, CHEXPERT_NUM_VIEWS));
    SET_VECTOR_ELT(out, 3, names_vector(chexpert_projection_name, CHEXPERT_NUM_PROJECTIONS));
    SET_STRING_ELT(names, 0, Rf_mkChar("split"));
    SET_STRING_ELT(names, 1, Rf_mkChar("label_class"));
    SET_STRING_ELT(names, 2, Rf_mkChar("view"));
    SET_STRING_ELT(names, 3, Rf_mkChar("projection"));
    Rf_setAttrib(out, R_NamesSymbol, names);
    UNPROTECT(2);
    return out;
}

static SEXP C_status_name(SEXP status) {
    return Rf_mkString(chexpert_status_name((int)whole_number(status, 0, "status")));
}

/* ------------------------------------------------------------------------ */
/* Datasets and splits                                                      */
/* ------------------------------------------------------------------------ */

static SEXP C_open(SEXP root, SEXP spec) {
    const char *path = NULL;
    if (!Rf_isNull(root)) {
        if (TYPEOF(root) != STRSXP || XLENGTH(root) != 1 || STRING_ELT(root, 0) == NA_STRING)
            fail_with(CHEXPERT_E_INVALID_ARGUMENT, "root must be NULL or a single path");
        path = Rf_translateChar(STRING_ELT(root, 0));
    }
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
    if (TYPEOF(pointer) != EXTPTRSXP || R_ExternalPtrTag(pointer) != dataset_tag())
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "ds must be a chexpert_dataset (from chexpert_open())");
    dataset_finalizer(pointer);
    return R_NilValue;
}

static SEXP C_is_closed(SEXP pointer) {
    if (TYPEOF(pointer) != EXTPTRSXP || R_ExternalPtrTag(pointer) != dataset_tag())
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "ds must be a chexpert_dataset (from chexpert_open())");
    return Rf_ScalarLogical(R_ExternalPtrAddr(pointer) == NULL);
}

static SEXP C_root(SEXP pointer) {
    chexpert_dataset *ds = dataset_of(pointer);
    size_t size = 0;
    CHECK(chexpert_dataset_root(ds, NULL, 0, &size));
    char *buffer = R_alloc(size ? size : 1, 1);
    CHECK(chexpert_dataset_root(ds, buffer, size, &size));
    return Rf_mkString(buffer);
}

static SEXP C_split_size(SEXP pointer, SEXP split) {
    chexpert_dataset *ds = dataset_of(pointer);
    return Rf_ScalarReal(exact_double(split_size(ds, split_of(split))));
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
        char *buffer = R_alloc(size ? size : 1, 1);
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
    SEXP out = PROTECT(Rf_allocVector(REALSXP, CHEXPERT_NUM_PROJECTIONS));
    for (int i = 0; i < CHEXPERT_NUM_PROJECTIONS; i++) REAL(out)[i] = exact_double(counts[i]);
    UNPROTECT(1);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Examples                                                                 */
/* ------------------------------------------------------------------------ */

static SEXP name_at(chexpert_dataset *ds, int split, int64_t index) {
    size_t size = 0;
    CHECK(chexpert_example_name(ds, split, index, NULL, 0, &size));
    char *buffer = R_alloc(size ? size : 1, 1);
    CHECK(chexpert_example_name(ds, split, index, buffer, size, &size));
    return Rf_mkCharCE(buffer, CE_UTF8);
}

/* The image as an R array dim c(H, W, 3): img[h, w, c] = C's out[((h-1) * W + (w-1)) * 3 + (c-1)]. */
static SEXP image_at(chexpert_dataset *ds, int split, int64_t index, int as_raw) {
    int32_t height = 0, width = 0;
    CHECK(chexpert_example_image(ds, split, index, NULL, 0, &height, &width));
    size_t H = (size_t)height, W = (size_t)width, bytes = H * W * 3;
    uint8_t *pixels = (uint8_t *)R_alloc(bytes ? bytes : 1, 1);
    CHECK(chexpert_example_image(ds, split, index, pixels, bytes, &height, &width));
    SEXP image = PROTECT(Rf_allocVector(as_raw ? RAWSXP : INTSXP, (R_xlen_t)bytes));
    if (as_raw) {
        Rbyte *out = RAW(image);
        for (size_t c = 0; c < 3; c++)
            for (size_t w = 0; w < W; w++)
                for (size_t h = 0; h < H; h++)
                    out[h + H * (w + W * c)] = pixels[(h * W + w) * 3 + c];
    } else {
        int *out = INTEGER(image);
        for (size_t c = 0; c < 3; c++)
            for (size_t w = 0; w < W; w++)
                for (size_t h = 0; h < H; h++)
                    out[h + H * (w + W * c)] = pixels[(h * W + w) * 3 + c];
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
    chexpert_dataset *ds = dataset_of(pointer);
    int split = split_of(split_sexp);
    if (XLENGTH(index_sexp) != 1)
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "index must be a single index");
    size_t count = 0;
    int64_t index = indices_of(ds, split, index_sexp, &count)[0];
    int32_t num_labels = 0;
    CHECK(chexpert_split_num_labels(ds, split, &num_labels));

    SEXP out = PROTECT(Rf_allocVector(VECSXP, 4));
    SET_VECTOR_ELT(out, 0, image_at(ds, split, index, Rf_asLogical(as_raw) == TRUE));
    int64_t *labels = (int64_t *)R_alloc(num_labels > 0 ? (size_t)num_labels : 1, sizeof(int64_t));
    CHECK(chexpert_example_labels(ds, split, index, labels, (size_t)num_labels));
    SEXP label = PROTECT(Rf_allocVector(INTSXP, num_labels));
    for (int32_t j = 0; j < num_labels; j++) INTEGER(label)[j] = small_int(labels[j]);
    SET_VECTOR_ELT(out, 1, label);
    int64_t view = 0;
    CHECK(chexpert_example_view(ds, split, index, &view));
    SET_VECTOR_ELT(out, 2, Rf_ScalarInteger(small_int(view)));
    SEXP name = PROTECT(Rf_allocVector(STRSXP, 1));
    SET_STRING_ELT(name, 0, name_at(ds, split, index));
    SET_VECTOR_ELT(out, 3, name);
    SEXP names = PROTECT(Rf_allocVector(STRSXP, 4));
    SET_STRING_ELT(names, 0, Rf_mkChar("image"));
    SET_STRING_ELT(names, 1, Rf_mkChar("label"));
    SET_STRING_ELT(names, 2, Rf_mkChar("image_view"));
    SET_STRING_ELT(names, 3, Rf_mkChar("name"));
    Rf_setAttrib(out, R_NamesSymbol, names);
    UNPROTECT(4);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Batches without decoding                                                 */
/* ------------------------------------------------------------------------ */

/* Labels as an integer matrix n x L: m[k, j] (R) = C's out[(k-1) * L + (j-1)]. */
static SEXP C_labels(SEXP pointer, SEXP split_sexp, SEXP indices_sexp) {
    chexpert_dataset *ds = dataset_of(pointer);
    int split = split_of(split_sexp);
    size_t count = 0;
    int64_t *indices = indices_of(ds, split, indices_sexp, &count);
    int32_t num_labels = 0;
    CHECK(chexpert_split_num_labels(ds, split, &num_labels));
    size_t L = (size_t)num_labels, total = count * L;
    int64_t *labels = (int64_t *)R_alloc(total ? total : 1, sizeof(int64_t));
    CHECK(chexpert_batch_labels(ds, split, count ? indices : NULL, count, total ? labels : NULL, total));
    SEXP out = PROTECT(Rf_allocMatrix(INTSXP, (int)count, num_labels));
    int *m = INTEGER(out);
    for (size_t j = 0; j < L; j++)
        for (size_t k = 0; k < count; k++)
            m[k + count * j] = small_int(labels[k * L + j]);
    UNPROTECT(1);
    return out;
}

static SEXP int64_batch(SEXP pointer, SEXP split_sexp, SEXP indices_sexp,
                        int (*function)(const chexpert_dataset *, int, const int64_t *, size_t,
                                        int64_t *, size_t)) {
    chexpert_dataset *ds = dataset_of(pointer);
    int split = split_of(split_sexp);
    size_t count = 0;
    int64_t *indices = indices_of(ds, split, indices_sexp, &count);
    int64_t *values = (int64_t *)R_alloc(count ? count : 1, sizeof(int64_t));
    CHECK(function(ds, split, count ? indices : NULL, count, count ? values : NULL, count));
    SEXP out = PROTECT(Rf_allocVector(INTSXP, (R_xlen_t)count));
    for (size_t k = 0; k < count; k++) INTEGER(out)[k] = small_int(values[k]);
    UNPROTECT(1);
    return out;
}

static SEXP C_views(SEXP pointer, SEXP split, SEXP indices) {
    return int64_batch(pointer, split, indices, chexpert_batch_views);
}

static SEXP C_projections(SEXP pointer, SEXP split, SEXP indices) {
    return int64_batch(pointer, split, indices, chexpert_batch_projections);
}

static SEXP C_names(SEXP pointer, SEXP split_sexp, SEXP indices_sexp) {
    chexpert_dataset *ds = dataset_of(pointer);
    int split = split_of(split_sexp);
    size_t count = 0;
    int64_t *indices = indices_of(ds, split, indices_sexp, &count);
    SEXP out = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t)count));
    if (count) {
        size_t size = 0;
        CHECK(chexpert_batch_names(ds, split, indices, count, NULL, 0, &size));
        char *buffer = R_alloc(size ? size : 1, 1);
        CHECK(chexpert_batch_names(ds, split, indices, count, buffer, size, &size));
        const char *cursor = buffer;
        for (size_t k = 0; k < count; k++) {
            SET_STRING_ELT(out, (R_xlen_t)k, Rf_mkCharCE(cursor, CE_UTF8));
            cursor += strlen(cursor) + 1;
        }
    }
    UNPROTECT(1);
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
static SEXP C_resized(SEXP pointer, SEXP split_sexp, SEXP indices_sexp, SEXP spec) {
    chexpert_dataset *ds = dataset_of(pointer);
    int split = split_of(split_sexp);
    size_t count = 0;
    int64_t *indices = indices_of(ds, split, indices_sexp, &count);
    chexpert_params *params = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &params));
    CHECK(chexpert_params_set(params, CHEXPERT_KEY_LAYOUT, CHEXPERT_LAYOUT_NCHW));
    size_t bytes = 0;
    CHECK(chexpert_resize_output_bytes(params, count, &bytes));
    size_t H = (size_t)param(params, CHEXPERT_KEY_HEIGHT), W = (size_t)param(params, CHEXPERT_KEY_WIDTH);
    size_t C = (size_t)param(params, CHEXPERT_KEY_CHANNELS);
    int is_float = param(params, CHEXPERT_KEY_DTYPE) == CHEXPERT_DTYPE_FLOAT32;
    size_t elements = count * H * W * C;
    if ((double)elements > (double)R_XLEN_T_MAX)
        fail_with(CHEXPERT_E_LIMIT, "a batch of %zu values is beyond R's vector length", elements);
    /* R_alloc returns memory aligned for double, so for float too. */
    void *data = R_alloc(bytes ? bytes : 1, 1);
    int32_t *statuses = (int32_t *)R_alloc(count ? count : 1, sizeof(int32_t));
    CHECK(chexpert_batch_resized(ds, split, count ? indices : NULL, count, params,
                                 bytes ? data : NULL, bytes, count ? statuses : NULL));
    params_release(holder);

    SEXP out = PROTECT(Rf_allocVector(is_float ? REALSXP : INTSXP, (R_xlen_t)elements));
    for (size_t plane = 0; plane < count * C; plane++) {    /* plane = n * C + c */
        size_t base = plane * H * W;
        if (is_float) {
            const float *src = (const float *)data + base;
            double *dst = REAL(out) + base;
            for (size_t w = 0; w < W; w++)
                for (size_t h = 0; h < H; h++) dst[h + H * w] = (double)src[h * W + w];
        } else {
            const uint8_t *src = (const uint8_t *)data + base;
            int *dst = INTEGER(out) + base;
            for (size_t w = 0; w < W; w++)
                for (size_t h = 0; h < H; h++) dst[h + H * w] = src[h * W + w];
        }
    }
    SEXP dim = PROTECT(Rf_allocVector(INTSXP, 4));
    INTEGER(dim)[0] = (int)H;
    INTEGER(dim)[1] = (int)W;
    INTEGER(dim)[2] = (int)C;
    INTEGER(dim)[3] = (int)count;
    Rf_setAttrib(out, R_DimSymbol, dim);
    SEXP status = PROTECT(Rf_allocVector(INTSXP, (R_xlen_t)count));
    for (size_t k = 0; k < count; k++) INTEGER(status)[k] = statuses[k];
    Rf_setAttrib(out, Rf_install("status"), status);
    UNPROTECT(4);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Targets                                                                  */
/* ------------------------------------------------------------------------ */

/* list(targets, masks: double n x K; rules: integer K x 3 (label 0-based, uncertain, blank); flags). */
static SEXP C_targets(SEXP pointer, SEXP split_sexp, SEXP indices_sexp, SEXP spec) {
    chexpert_dataset *ds = dataset_of(pointer);
    int split = split_of(split_sexp);
    size_t count = 0;
    int64_t *indices = indices_of(ds, split, indices_sexp, &count);
    chexpert_params *params = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &params));
    size_t rule_count = 0;
    uint32_t flags = 0;
    CHECK(chexpert_target_rules(ds, split, params, NULL, 0, &rule_count, &flags));
    int32_t *rules = (int32_t *)R_alloc(rule_count ? 3 * rule_count : 1, sizeof(int32_t));
    CHECK(chexpert_target_rules(ds, split, params, rules, 3 * rule_count, &rule_count, &flags));
    size_t K = rule_count, total = count * K;
    float *targets = (float *)R_alloc(total ? total : 1, sizeof(float));
    float *masks = (float *)R_alloc(total ? total : 1, sizeof(float));
    CHECK(chexpert_batch_targets(ds, split, count ? indices : NULL, count, params,
                                 total ? targets : NULL, total ? masks : NULL, total));
    params_release(holder);

    SEXP out = PROTECT(Rf_allocVector(VECSXP, 4));
    SEXP t = PROTECT(Rf_allocMatrix(REALSXP, (int)count, (int)K));
    SEXP m = PROTECT(Rf_allocMatrix(REALSXP, (int)count, (int)K));
    for (size_t j = 0; j < K; j++)
        for (size_t k = 0; k < count; k++) {
            REAL(t)[k + count * j] = (double)targets[k * K + j];
            REAL(m)[k + count * j] = (double)masks[k * K + j];
        }
    SEXP r = PROTECT(Rf_allocMatrix(INTSXP, (int)K, 3));
    for (size_t j = 0; j < K; j++)
        for (size_t e = 0; e < 3; e++) INTEGER(r)[j + K * e] = rules[j * 3 + e];
    SET_VECTOR_ELT(out, 0, t);
    SET_VECTOR_ELT(out, 1, m);
    SET_VECTOR_ELT(out, 2, r);
    SET_VECTOR_ELT(out, 3, Rf_ScalarInteger((int)flags));
    UNPROTECT(5);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Epoch order and sharding                                                 */
/* ------------------------------------------------------------------------ */

/* 1-based positions (doubles) of one rank's share of 1..count. */
static SEXP C_shard_indices(SEXP count_sexp, SEXP spec) {
    if (XLENGTH(count_sexp) != 1)
        fail_with(CHEXPERT_E_INVALID_ARGUMENT, "count must be a single number");
    int64_t count = (int64_t)whole_number(count_sexp, 0, "count");
    chexpert_params *params = NULL;
    SEXP holder = PROTECT(params_from_spec(spec, &params));
    size_t n = 0;
    CHECK(chexpert_shard_indices(params, count, NULL, 0, &n));
    int64_t *positions = (int64_t *)R_alloc(n ? n : 1, sizeof(int64_t));
    CHECK(chexpert_shard_indices(params, count, n ? positions : NULL, n, &n));
    params_release(holder);
    SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t)n));
    for (size_t k = 0; k < n; k++) REAL(out)[k] = exact_double(positions[k]) + 1;
    UNPROTECT(2);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Registration                                                             */
/* ------------------------------------------------------------------------ */

#define ENTRY(name, n) { #name, (DL_FUNC)&name, n }
static const R_CallMethodDef CALL_METHODS[] = {
    ENTRY(C_constants, 0), ENTRY(C_version, 0), ENTRY(C_vocabulary, 0), ENTRY(C_status_name, 1),
    ENTRY(C_open, 2), ENTRY(C_close, 1), ENTRY(C_is_closed, 1), ENTRY(C_root, 1),
    ENTRY(C_split_size, 2), ENTRY(C_label_names, 2), ENTRY(C_projection_counts, 2),
    ENTRY(C_example, 4), ENTRY(C_labels, 3), ENTRY(C_views, 3), ENTRY(C_projections, 3),
    ENTRY(C_names, 3), ENTRY(C_resized, 4), ENTRY(C_targets, 4), ENTRY(C_shard_indices, 2),
    { NULL, NULL, 0 }
};

void R_init_chexpert(DllInfo *info) {
    R_registerRoutines(info, NULL, CALL_METHODS, NULL, NULL);
    R_useDynamicSymbols(info, FALSE);
    R_forceSymbols(info, TRUE);
}
