/*
 * test_ffi.c: libchexpert as a dynamic-language binding sees it.
 *
 *   test_ffi LIBRARY.so DIR     DIR holds CheXpert-v1.0-small/
 *
 * Nothing here includes chexpert.h: the library is opened with dlopen() and
 * every function is called through libffi's ffi_prep_cif/ffi_call with the
 * argument types spelled out by hand, the way Julia's ccall, R's .C/.Call
 * wrappers or Python's ctypes do it. The status values, the keys' numbers
 * and the tagged enum values are written as literals on purpose: they are the
 * pinned ABI (1.0, ABI version 2).
 *
 * Every check counts; the first failing one prints file:line and exits 1.
 * The last line is "N passed, 0 failed".
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ffi.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *library;

/* The pinned status values (chexpert.h). */
enum {
    OK = 0,
    E_INVALID_ARGUMENT = -1,
    E_NULL_POINTER = -2,
    E_OUT_OF_RANGE = -3,
    E_BUFFER_TOO_SMALL = -4,
    E_CLOSED = -5,
    E_NOT_FOUND = -6,
    E_LIMIT = -10,
};

static const char *last_error(void);
static const char *status_name(int status);
static void dataset_close(void *ds);
static void params_free(void *params);
#define CHECK_LAST_ERROR() last_error()
#define CHECK_STATUS_NAME(status) status_name(status)
#include "check.h"

/* ------------------------------------------------------------------------ */
/* A tiny foreign-function layer                                            */
/* ------------------------------------------------------------------------ */

static void *symbol(const char *name) {
    dlerror();
    void *fn = dlsym(library, name);
    if (fn == NULL) {
        fprintf(stderr, "dlsym(%s): %s\n", name, dlerror());
        exit(1);
    }
    return fn;
}

/* Calls `name` with `nargs` arguments of `types`, whose values are at
 * `values`; the return value goes to `result` (an ffi_arg for integers that
 * are narrower than a register, as libffi requires). */
static void call(const char *name, ffi_type *rtype, unsigned nargs, ffi_type **types,
                 void **values, void *result) {
    ffi_cif cif;
    if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, nargs, rtype, types) != FFI_OK) {
        fprintf(stderr, "ffi_prep_cif(%s) failed\n", name);
        exit(1);
    }
    ffi_call(&cif, FFI_FN(symbol(name)), result, values);
}

/* `int f(...)`: the status, narrowed from the register-sized ffi_arg. */
static int call_int(const char *name, unsigned nargs, ffi_type **types, void **values) {
    ffi_arg result = 0;
    call(name, &ffi_type_sint, nargs, types, values, &result);
    return (int)(ffi_sarg)result;
}

static const char *call_string(const char *name, unsigned nargs, ffi_type **types, void **values) {
    void *result = NULL;
    call(name, &ffi_type_pointer, nargs, types, values, &result);
    return result;
}

static const char *last_error(void) {
    return library ? call_string("chexpert_last_error", 0, NULL, NULL) : "(no library)";
}

static const char *status_name(int status) {
    ffi_type *types[] = {&ffi_type_sint};
    void *values[] = {&status};
    return call_string("chexpert_status_name", 1, types, values);
}

/* ------------------------------------------------------------------------ */
/* The sweep: every exported function, with NULL and boundary arguments     */
/* ------------------------------------------------------------------------ */

/* SIGNATURES: every function of the header, generated from it at test time
 * (Tests/python/header_ast.py): return and argument codes v void, i int,
 * I int32_t, u uint32_t, q int64_t, Q uint64_t, z size_t, s const char *,
 * d chexpert_dataset *, D chexpert_dataset **, m chexpert_params * (const or
 * not), M chexpert_params **, p any other pointer. */
#include "ffi_signatures.h"

enum { MAX_ARGS = 20, PROFILES = 5 };

/* Argument profile k: every pointer NULL (a handle: NULL, a live one, a
 * closed or freed one, a made-up one), every integer an edge value. */
static void sweep_one(const struct signature *sig, int profile, void *ds, void *closed, void *params,
                      void *freed) {
    size_t nargs = strlen(sig->arguments);
    CHECK(nargs <= MAX_ARGS);
    ffi_type *types[MAX_ARGS];
    void *values[MAX_ARGS];
    union { int i; int32_t i32; uint32_t u32; int64_t q; uint64_t Q; void *p; } storage[MAX_ARGS];
    void *opened = NULL, *created = NULL;
    static const int ints[PROFILES] = {0, -1, INT32_MAX, INT32_MIN, 1};
    static const int64_t int64s[PROFILES] = {0, -1, INT64_MAX, INT64_MIN, 1};
    static const uint64_t sizes[PROFILES] = {0, UINT64_MAX, 1, (uint64_t)1 << 63, 16};
    for (size_t a = 0; a < nargs; a++) {
        values[a] = &storage[a];
        switch (sig->arguments[a]) {
        case 'i': types[a] = &ffi_type_sint; storage[a].i = ints[profile]; break;
        case 'I': types[a] = &ffi_type_sint32; storage[a].i32 = ints[profile]; break;
        case 'u': types[a] = &ffi_type_uint32; storage[a].u32 = (uint32_t)ints[profile]; break;
        case 'q': types[a] = &ffi_type_sint64; storage[a].q = int64s[profile]; break;
        case 'Q': types[a] = &ffi_type_uint64; storage[a].Q = sizes[profile]; break;
        case 'z': types[a] = &ffi_type_uint64; storage[a].Q = sizes[profile]; break;
        case 'd': {
            /* chexpert_dataset_close gets the closed handle, never the live one. */
            void *live = strcmp(sig->name, "chexpert_dataset_close") == 0 ? closed : ds;
            void *handles[PROFILES] = {NULL, live, closed, (void *)(uintptr_t)0xDEADBEEF00000003u, live};
            types[a] = &ffi_type_pointer;
            storage[a].p = handles[profile];
            break;
        }
        case 'm': {
            /* chexpert_params_free gets the freed set, never the live one; the
             * last profile passes a dataset handle as a parameter set. */
            void *live = strcmp(sig->name, "chexpert_params_free") == 0 ? freed : params;
            void *handles[PROFILES] = {NULL, live, freed, (void *)(uintptr_t)0xDEADBEEF00000005u, closed};
            types[a] = &ffi_type_pointer;
            storage[a].p = handles[profile];
            break;
        }
        case 'D': types[a] = &ffi_type_pointer; storage[a].p = profile % 2 ? &opened : NULL; break;
        case 'M': types[a] = &ffi_type_pointer; storage[a].p = profile % 2 ? &created : NULL; break;
        case 's': case 'p': types[a] = &ffi_type_pointer; storage[a].p = NULL; break;
        default:
            fprintf(stderr, "%s: unknown argument code %c\n", sig->name, sig->arguments[a]);
            exit(1);
        }
    }
    switch (sig->returns[0]) {
    case 'i': {
        int status = call_int(sig->name, (unsigned)nargs, types, values);
        if (!(status <= 0 && status >= -13)) {
            fprintf(stderr, "%s (profile %d) returned %d, not a chexpert_status\n", sig->name, profile, status);
            exit(1);
        }
        passed++;
        /* Statuses are errors here, except for calls that need no argument
         * to succeed (a size query, an empty batch, a parameter set). */
        if (status != OK) CHECK(strlen(last_error()) > 0);
        break;
    }
    case 'v': call(sig->name, &ffi_type_void, (unsigned)nargs, types, values, NULL); passed++; break;
    case 'I': case 'u': {
        ffi_arg result = 0;
        call(sig->name, &ffi_type_sint32, (unsigned)nargs, types, values, &result);
        passed++;
        break;
    }
    case 's': {
        const char *text = call_string(sig->name, (unsigned)nargs, types, values);
        if (text != NULL) CHECK(strlen(text) < 4096);
        else passed++;
        break;
    }
    default:
        fprintf(stderr, "%s: unknown return code %s\n", sig->name, sig->returns);
        exit(1);
    }
    if (opened != NULL) dataset_close(opened);      /* an open that found $CHEXPERT_ROOT */
    if (created != NULL) params_free(created);      /* chexpert_params_create */
}

/* Every exported function, every profile; then the handles still work. */
static void sweep(void *ds, void *closed, void *params, void *freed) {
    size_t count = sizeof SIGNATURES / sizeof SIGNATURES[0];
    CHECK(count >= 40);
    int params_coded = 0;
    for (size_t i = 0; i < count; i++) {
        CHECK(dlsym(library, SIGNATURES[i].name) != NULL);
        params_coded |= strchr(SIGNATURES[i].arguments, 'm') != NULL;
        for (int profile = 0; profile < PROFILES; profile++)
            sweep_one(&SIGNATURES[i], profile, ds, closed, params, freed);
    }
    if (!params_coded)
        printf("note: ffi_signatures.h has no 'm' (chexpert_params *) code yet: header_ast.py maps it to 'p' "
               "(NULL only)\n");
}

/* The library's functions with their C types, as a binding declares them.
 * size_t is ffi_type_uint64 and int is ffi_type_sint on x86_64/aarch64 Linux. */

static int32_t version_number(void) {
    ffi_arg result = 0;
    call("chexpert_version_number", &ffi_type_sint32, 0, NULL, NULL, &result);
    return (int32_t)(ffi_sarg)result;
}

static int32_t abi_version(void) {
    ffi_arg result = 0;
    call("chexpert_abi_version", &ffi_type_sint32, 0, NULL, NULL, &result);
    return (int32_t)(ffi_sarg)result;
}

static int params_create(void **out) {
    ffi_type *types[] = {&ffi_type_pointer};
    void *values[] = {&out};
    return call_int("chexpert_params_create", 1, types, values);
}

static void params_free(void *params) {
    ffi_type *types[] = {&ffi_type_pointer};
    void *values[] = {&params};
    call("chexpert_params_free", &ffi_type_void, 1, types, values, NULL);
}

static int params_set(void *params, int key, int64_t value) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint, &ffi_type_sint64};
    void *values[] = {&params, &key, &value};
    return call_int("chexpert_params_set", 3, types, values);
}

static int params_get(void *params, int key, int64_t *value) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint, &ffi_type_pointer};
    void *values[] = {&params, &key, &value};
    return call_int("chexpert_params_get", 3, types, values);
}

static int dataset_open(void **out, const char *root, void *options) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_pointer, &ffi_type_pointer};
    void *values[] = {&out, &root, &options};
    return call_int("chexpert_dataset_open", 3, types, values);
}

static void dataset_close(void *ds) {
    ffi_type *types[] = {&ffi_type_pointer};
    void *values[] = {&ds};
    call("chexpert_dataset_close", &ffi_type_void, 1, types, values, NULL);
}

static int split_size(void *ds, int split, int64_t *out) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint, &ffi_type_pointer};
    void *values[] = {&ds, &split, &out};
    return call_int("chexpert_split_size", 3, types, values);
}

static int split_num_labels(void *ds, int split, int32_t *out) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint, &ffi_type_pointer};
    void *values[] = {&ds, &split, &out};
    return call_int("chexpert_split_num_labels", 3, types, values);
}

static int example_image(void *ds, int split, int64_t index, uint8_t *image, uint64_t capacity,
                         int32_t *h, int32_t *w) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint,   &ffi_type_sint64, &ffi_type_pointer,
                         &ffi_type_uint64,  &ffi_type_pointer, &ffi_type_pointer};
    void *values[] = {&ds, &split, &index, &image, &capacity, &h, &w};
    return call_int("chexpert_example_image", 7, types, values);
}

static int example_labels(void *ds, int split, int64_t index, int64_t *labels, uint64_t capacity) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint, &ffi_type_sint64, &ffi_type_pointer,
                         &ffi_type_uint64};
    void *values[] = {&ds, &split, &index, &labels, &capacity};
    return call_int("chexpert_example_labels", 5, types, values);
}

static int example_view(void *ds, int split, int64_t index, int64_t *view) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint, &ffi_type_sint64, &ffi_type_pointer};
    void *values[] = {&ds, &split, &index, &view};
    return call_int("chexpert_example_view", 4, types, values);
}

static int example_name(void *ds, int split, int64_t index, char *out, uint64_t capacity,
                        uint64_t *size) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint,   &ffi_type_sint64,
                         &ffi_type_pointer, &ffi_type_uint64, &ffi_type_pointer};
    void *values[] = {&ds, &split, &index, &out, &capacity, &size};
    return call_int("chexpert_example_name", 6, types, values);
}

static int set_option(void *ds, int key, int64_t value) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint, &ffi_type_sint64};
    void *values[] = {&ds, &key, &value};
    return call_int("chexpert_dataset_set_option", 3, types, values);
}

static int get_option(void *ds, int key, int64_t *value) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint, &ffi_type_pointer};
    void *values[] = {&ds, &key, &value};
    return call_int("chexpert_dataset_get_option", 3, types, values);
}

static int batch_images(void *ds, int split, const int64_t *indices, uint64_t count, void *params,
                        uint8_t *out, uint64_t capacity, int32_t *shapes) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint,   &ffi_type_pointer, &ffi_type_uint64,
                         &ffi_type_pointer, &ffi_type_pointer, &ffi_type_uint64, &ffi_type_pointer};
    void *values[] = {&ds, &split, &indices, &count, &params, &out, &capacity, &shapes};
    return call_int("chexpert_batch_images", 8, types, values);
}

/* batch_labels, batch_views, batch_projections: the same signature. */
static int batch_int64s(const char *name, void *ds, int split, const int64_t *indices, uint64_t count,
                        int64_t *out, uint64_t capacity) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint, &ffi_type_pointer, &ffi_type_uint64,
                         &ffi_type_pointer, &ffi_type_uint64};
    void *values[] = {&ds, &split, &indices, &count, &out, &capacity};
    return call_int(name, 6, types, values);
}

static int batch_verify(void *ds, int split, const int64_t *indices, uint64_t count, void *params,
                        int32_t *statuses, char *messages, uint64_t stride) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint,   &ffi_type_pointer, &ffi_type_uint64,
                         &ffi_type_pointer, &ffi_type_pointer, &ffi_type_pointer, &ffi_type_uint64};
    void *values[] = {&ds, &split, &indices, &count, &params, &statuses, &messages, &stride};
    return call_int("chexpert_batch_verify", 8, types, values);
}

static int shard_indices(void *params, int64_t count, int64_t *out, uint64_t capacity, uint64_t *out_count) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint64, &ffi_type_pointer, &ffi_type_uint64,
                         &ffi_type_pointer};
    void *values[] = {&params, &count, &out, &capacity, &out_count};
    return call_int("chexpert_shard_indices", 5, types, values);
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s LIBRARY.so DIR\n", argv[0]);
        return 2;
    }
    library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        fprintf(stderr, "dlopen(%s): %s\n", argv[1], dlerror());
        return 1;
    }
    const char *root = argv[2];

    /* Versions and static strings. */
    CHECK(version_number() == 10000);
    CHECK(abi_version() == 2);
    CHECK(strcmp(call_string("chexpert_version_string", 0, NULL, NULL), "1.0.0") == 0);
    CHECK(strcmp(status_name(-5), "CHEXPERT_E_CLOSED") == 0);
    CHECK(strcmp(status_name(12345), "CHEXPERT_E_UNKNOWN") == 0);
    CHECK(strcmp(last_error(), "") == 0); /* nothing failed on this thread yet */
    {
        int split = 1;
        ffi_type *types[] = {&ffi_type_sint};
        void *values[] = {&split};
        CHECK(strcmp(call_string("chexpert_split_name", 1, types, values), "validation") == 0);
        split = -1;
        CHECK(call_string("chexpert_split_name", 1, types, values) == NULL);
        int projection = 2;
        values[0] = &projection;
        CHECK(strcmp(call_string("chexpert_projection_name", 1, types, values), "other_frontal") == 0);
        projection = 4;
        CHECK(call_string("chexpert_projection_name", 1, types, values) == NULL);
    }

    /* Parameters: keys are ints, values int64; tagged enum values. */
    void *params = NULL;
    EXPECT(E_NULL_POINTER, params_create(NULL));
    EXPECT(OK, params_create(&params));
    CHECK(params != NULL);
    int64_t value = -1;
    EXPECT(OK, params_get(params, 6, &value));            /* THREADS: default 0 */
    CHECK(value == 0);
    EXPECT(OK, params_set(params, 6, 2));
    EXPECT(E_INVALID_ARGUMENT, params_set(params, 6, -1));
    EXPECT(E_INVALID_ARGUMENT, params_set(params, 6, 1025));
    EXPECT(OK, params_get(params, 6, &value));
    CHECK(value == 2);
    EXPECT(E_NOT_FOUND, params_get(params, 7, &value));   /* HEIGHT: no default */
    EXPECT(OK, params_set(params, 12, 0x0C01));           /* FIT = CONTAIN */
    EXPECT(E_INVALID_ARGUMENT, params_set(params, 12, 0x0D00)); /* FILTER_AREA is not a fit */
    EXPECT(E_INVALID_ARGUMENT, params_set(params, 12, 1));      /* nor an untagged 1 */
    EXPECT(OK, params_get(params, 12, &value));
    CHECK(value == 0x0C01);
    EXPECT(OK, params_set(params, 21, INT64_MIN));        /* SEED: any 64 bits */
    EXPECT(OK, params_get(params, 21, &value));
    CHECK(value == INT64_MIN);
    EXPECT(E_INVALID_ARGUMENT, params_set(params, 0x7FFF, 0)); /* no such key */
    EXPECT(E_INVALID_ARGUMENT, params_set(params, 15, 0)); /* MEAN is a float key */
    EXPECT(E_INVALID_ARGUMENT, params_get(params, -1, &value));
    EXPECT(E_NULL_POINTER, params_get(params, 6, NULL));
    EXPECT(E_NULL_POINTER, params_set(NULL, 6, 1));

    /* Open. */
    void *ds = NULL;
    EXPECT(E_NULL_POINTER, dataset_open(NULL, root, NULL));
    EXPECT(OK, dataset_open(&ds, root, NULL));
    CHECK(ds != NULL);

    /* Counts. */
    int64_t train = 0, valid = 0;
    int32_t num_labels = 0;
    EXPECT(OK, split_size(ds, 0, &train));
    EXPECT(OK, split_size(ds, 1, &valid));
    CHECK(train > 0 && valid > 0);
    EXPECT(OK, split_num_labels(ds, 0, &num_labels));
    CHECK(num_labels > 0);
    EXPECT(E_INVALID_ARGUMENT, split_size(ds, -1, &train));
    /* Split 2 is the test split, absent from this tree; 3 is no split. */
    EXPECT(E_NOT_FOUND, split_size(ds, 2, &train));
    EXPECT(E_INVALID_ARGUMENT, split_size(ds, 3, &train));
    EXPECT(E_NULL_POINTER, split_size(ds, 0, NULL));
    EXPECT(E_NULL_POINTER, split_size(NULL, 0, &train));

    /* Shapes (the size query) and images, with boundary indices. */
    int32_t h = 0, w = 0;
    EXPECT(OK, example_image(ds, 0, 0, NULL, 0, &h, &w));
    CHECK(h > 0 && w > 0);
    EXPECT(OK, example_image(ds, 0, train - 1, NULL, 0, &h, &w));
    EXPECT(E_OUT_OF_RANGE, example_image(ds, 0, -1, NULL, 0, &h, &w));
    EXPECT(E_OUT_OF_RANGE, example_image(ds, 0, train, NULL, 0, &h, &w));
    EXPECT(E_OUT_OF_RANGE, example_image(ds, 0, INT64_MAX, NULL, 0, &h, &w));
    EXPECT(E_OUT_OF_RANGE, example_image(ds, 0, INT64_MIN, NULL, 0, &h, &w));
    EXPECT(E_NULL_POINTER, example_image(NULL, 0, 0, NULL, 0, &h, &w));
    EXPECT(E_INVALID_ARGUMENT, example_image(ds, -1, 0, NULL, 0, &h, &w));
    EXPECT(OK, example_image(ds, 0, 0, NULL, 0, &h, &w));

    uint64_t bytes = (uint64_t)h * (uint64_t)w * 3;
    uint8_t *image = malloc(bytes);
    CHECK(image != NULL);
    memset(image, 0xA5, bytes);
    int32_t h2 = 0, w2 = 0;
    EXPECT(E_BUFFER_TOO_SMALL, example_image(ds, 0, 0, image, 0, &h2, &w2));
    CHECK(h2 == h && w2 == w); /* the shape is reported with BUFFER_TOO_SMALL */
    EXPECT(E_BUFFER_TOO_SMALL, example_image(ds, 0, 0, image, bytes - 1, NULL, NULL));
    int untouched = 1;
    for (uint64_t i = 0; i < bytes; i++) untouched &= image[i] == 0xA5;
    CHECK(untouched);
    EXPECT(E_NULL_POINTER, example_image(ds, 0, 0, NULL, bytes, NULL, NULL));
    EXPECT(E_NULL_POINTER, example_image(NULL, 0, 0, image, bytes, NULL, NULL));
    EXPECT(E_OUT_OF_RANGE, example_image(ds, 0, -1, image, bytes, NULL, NULL));
    /* A capacity above SSIZE_MAX cannot be real: refused as an argument. */
    EXPECT(E_INVALID_ARGUMENT, example_image(ds, 0, 0, image, UINT64_MAX, NULL, NULL));
    EXPECT(OK, example_image(ds, 0, 0, image, bytes, &h2, &w2));
    CHECK(h2 == h && w2 == w);
    int grey = 1;
    for (uint64_t i = 0; i < bytes; i += 3) grey &= image[i] == image[i + 1] && image[i] == image[i + 2];
    CHECK(grey);

    /* Options through an int64 argument: DCT is key 1, FAST 0x0100, ACCURATE 0x0101. */
    EXPECT(OK, get_option(ds, 1, &value));
    CHECK(value == 0x0100);
    EXPECT(OK, set_option(ds, 1, 0x0101));
    EXPECT(OK, get_option(ds, 1, &value));
    CHECK(value == 0x0101);
    EXPECT(E_INVALID_ARGUMENT, set_option(ds, 1, 1));
    EXPECT(E_INVALID_ARGUMENT, set_option(ds, 1, INT64_MAX));
    EXPECT(E_INVALID_ARGUMENT, set_option(ds, 99, 0));
    EXPECT(E_INVALID_ARGUMENT, set_option(ds, 6, 1));      /* THREADS is not a dataset option */
    EXPECT(OK, set_option(ds, 1, 0x0100));
    EXPECT(OK, get_option(ds, 2, &value));                 /* MAX_PIXELS */
    CHECK(value == 100000000);
    EXPECT(OK, set_option(ds, 2, (int64_t)1 << 31));       /* CHEXPERT_MAX_LIMIT */
    EXPECT(E_INVALID_ARGUMENT, set_option(ds, 2, ((int64_t)1 << 31) + 1));
    EXPECT(OK, set_option(ds, 2, 100000000));

    /* Labels. */
    int64_t *labels = malloc(sizeof *labels * (size_t)num_labels);
    CHECK(labels != NULL);
    EXPECT(OK, example_labels(ds, 0, 0, labels, (uint64_t)num_labels));
    for (int32_t k = 0; k < num_labels; k++) CHECK(labels[k] >= 0 && labels[k] <= 3);
    EXPECT(E_BUFFER_TOO_SMALL, example_labels(ds, 0, 0, labels, 0));
    EXPECT(E_BUFFER_TOO_SMALL, example_labels(ds, 0, 0, labels, (uint64_t)num_labels - 1));
    EXPECT(E_OUT_OF_RANGE, example_labels(ds, 1, valid, labels, (uint64_t)num_labels));
    EXPECT(E_NULL_POINTER, example_labels(ds, 0, 0, NULL, (uint64_t)num_labels));
    EXPECT(E_NULL_POINTER, example_labels(NULL, 0, 0, labels, (uint64_t)num_labels));
    EXPECT(E_OUT_OF_RANGE, example_labels(ds, 0, INT64_MAX, labels, (uint64_t)num_labels));
    EXPECT(E_INVALID_ARGUMENT, example_labels(ds, 0, 0, labels, UINT64_MAX));
    int64_t view = -1;
    EXPECT(OK, example_view(ds, 0, 0, &view));              /* an int64 now */
    CHECK(view == 0 || view == 1);

    /* Names: the size query with NULL and capacity 0 succeeds. */
    uint64_t size = 0;
    EXPECT(OK, example_name(ds, 0, 0, NULL, 0, &size));
    CHECK(size > 1);
    char *name = malloc(size);
    CHECK(name != NULL);
    EXPECT(E_BUFFER_TOO_SMALL, example_name(ds, 0, 0, name, size - 1, NULL));
    EXPECT(OK, example_name(ds, 0, 0, name, size, NULL));
    CHECK(strlen(name) + 1 == size);

    /* Batches: the size query gives the shapes; params carry the threads. */
    int64_t indices[2] = {0, train - 1};
    int32_t shapes[4] = {0, 0, 0, 0};
    EXPECT(OK, batch_images(ds, 0, indices, 2, params, NULL, 0, shapes));
    CHECK(shapes[0] == h && shapes[1] == w);
    uint64_t total = (uint64_t)shapes[0] * (uint64_t)shapes[1] * 3 + (uint64_t)shapes[2] * (uint64_t)shapes[3] * 3;
    uint8_t *images = malloc(total);
    CHECK(images != NULL);
    EXPECT(E_BUFFER_TOO_SMALL, batch_images(ds, 0, indices, 2, params, images, total - 1, shapes));
    EXPECT(OK, batch_images(ds, 0, indices, 2, params, images, total, shapes));
    CHECK(memcmp(images, image, bytes) == 0);
    EXPECT(OK, batch_images(ds, 0, indices, 2, NULL, images, total, NULL));
    EXPECT(E_NULL_POINTER, batch_images(ds, 0, NULL, 2, params, NULL, 0, shapes));
    EXPECT(OK, batch_images(ds, 0, NULL, 0, params, NULL, 0, NULL));
    EXPECT(E_INVALID_ARGUMENT, batch_images(ds, 0, indices, UINT64_MAX, params, NULL, 0, shapes));
    free(images);
    int64_t batch_labels[2 * 64], views[2], projections[2];
    CHECK(num_labels <= 64);
    EXPECT(OK, batch_int64s("chexpert_batch_labels", ds, 0, indices, 2, batch_labels, 2 * (uint64_t)num_labels));
    CHECK(memcmp(batch_labels, labels, sizeof *labels * (size_t)num_labels) == 0);
    EXPECT(OK, batch_int64s("chexpert_batch_views", ds, 0, indices, 2, views, 2));
    CHECK(views[0] == view && (views[1] == 0 || views[1] == 1));
    EXPECT(OK, batch_int64s("chexpert_batch_projections", ds, 0, indices, 2, projections, 2));
    CHECK(projections[0] >= 0 && projections[0] <= 3);
    EXPECT(E_BUFFER_TOO_SMALL, batch_int64s("chexpert_batch_views", ds, 0, indices, 2, views, 1));
    int32_t statuses[2] = {1, 1};
    char messages[2 * 16];
    EXPECT(OK, batch_verify(ds, 0, indices, 2, params, statuses, messages, 16));
    CHECK(statuses[0] == OK && statuses[1] == OK && messages[0] == 0 && messages[16] == 0);

    /* The epoch order: seed and epoch are 64 bits through an int64. */
    EXPECT(OK, params_set(params, 20, 1));                 /* SHUFFLE */
    EXPECT(OK, params_set(params, 22, -1));                /* EPOCH = UINT64_MAX */
    EXPECT(OK, params_set(params, 25, 3));                 /* WORLD */
    EXPECT(OK, params_set(params, 24, 2));                 /* RANK */
    EXPECT(OK, params_set(params, 26, 0x1A02));            /* REMAINDER = UNEVEN */
    uint64_t shard_count = 0;
    EXPECT(OK, shard_indices(params, 10, NULL, 0, &shard_count));
    CHECK(shard_count == 3);                               /* 10 = 4 + 3 + 3 */
    int64_t shard[3];
    EXPECT(OK, shard_indices(params, 10, shard, 3, NULL));
    for (int k = 0; k < 3; k++) CHECK(shard[k] >= 0 && shard[k] < 10);
    EXPECT(E_LIMIT, shard_indices(params, ((int64_t)1 << 30) + 1, NULL, 0, &shard_count));
    EXPECT(E_INVALID_ARGUMENT, shard_indices(params, -1, NULL, 0, &shard_count));

    /* Close and free: then CLOSED; closing or freeing again, or NULL, is harmless. */
    void *freed = NULL;
    EXPECT(OK, params_create(&freed));
    params_free(freed);
    EXPECT(E_CLOSED, params_set(freed, 6, 1));
    EXPECT(E_CLOSED, params_get(freed, 6, &value));
    EXPECT(E_CLOSED, shard_indices(freed, 4, NULL, 0, &shard_count));
    void *refused = (void *)(uintptr_t)1;
    EXPECT(E_CLOSED, dataset_open(&refused, root, freed));
    CHECK(refused == NULL);
    EXPECT(E_CLOSED, batch_images(ds, 0, indices, 2, freed, NULL, 0, shapes));
    EXPECT(E_CLOSED, batch_images(ds, 0, indices, 2, ds, NULL, 0, shapes)); /* a dataset is not params */
    EXPECT(E_CLOSED, split_size(params, 0, &train));                          /* params are not a dataset */
    params_free(freed);
    params_free(NULL);
    dataset_close(ds);
    EXPECT(E_CLOSED, split_size(ds, 0, &train));
    EXPECT(E_CLOSED, example_image(ds, 0, 0, NULL, 0, &h, &w));
    EXPECT(E_CLOSED, example_image(ds, 0, 0, image, bytes, NULL, NULL));
    EXPECT(E_CLOSED, example_labels(ds, 0, 0, labels, (uint64_t)num_labels));
    dataset_close(ds);
    dataset_close(NULL);
    passed++;
    CHECK(strlen(last_error()) > 0);

    free(name);
    free(labels);
    free(image);
    /* No dlclose(): bindings (ctypes, Julia, R) never unload a library, and
     * unloading would make valgrind see the runtime's live caches as lost. */
    {   /* The sweep, on fresh handles and closed or freed ones. */
        void *fresh = NULL, *closed = NULL, *live = NULL, *gone = NULL;
        EXPECT(OK, dataset_open(&fresh, root, NULL));
        EXPECT(OK, dataset_open(&closed, root, NULL));
        dataset_close(closed);
        EXPECT(OK, params_create(&live));
        EXPECT(OK, params_set(live, 7, 8));                /* HEIGHT */
        EXPECT(OK, params_set(live, 8, 8));                /* WIDTH */
        EXPECT(OK, params_set(live, 17, 0x1100));          /* TARGET_PRESET = PAPER */
        EXPECT(OK, params_create(&gone));
        params_free(gone);
        sweep(fresh, closed, live, gone);
        int64_t count = 0;
        EXPECT(OK, split_size(fresh, 0, &count));
        CHECK(count > 0);
        EXPECT(OK, params_get(live, 7, &value));
        CHECK(value == 8);
        EXPECT(OK, params_get(live, 17, &value));
        CHECK(value == 0x1100);
        params_free(live);
        dataset_close(fresh);
    }
    params_free(params);

    CHECK_SUMMARY();
    return 0;
}
