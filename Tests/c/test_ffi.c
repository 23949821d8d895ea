/*
 * test_ffi.c: libchexpert as a dynamic-language binding sees it.
 *
 *   test_ffi LIBRARY.so DIR     DIR holds CheXpert-v1.0-small/
 *
 * Nothing here includes chexpert.h: the library is opened with dlopen() and
 * every function is called through libffi's ffi_prep_cif/ffi_call with the
 * argument types spelled out by hand, the way Julia's ccall, R's .C/.Call
 * wrappers or Python's ctypes do it. The status values and the options'
 * numbers are written as literals on purpose: they are the pinned ABI.
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
};

static const char *last_error(void);
static const char *status_name(int status);
static void dataset_close(void *ds);
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
 * d chexpert_dataset *, D chexpert_dataset **, p any other pointer. */
#include "ffi_signatures.h"

enum { MAX_ARGS = 20, PROFILES = 5 };

/* Argument profile k: every pointer NULL (a dataset pointer: NULL, a real
 * handle, a closed one or a made-up one), every integer an edge value. */
static void sweep_one(const struct signature *sig, int profile, void *ds, void *closed) {
    size_t nargs = strlen(sig->arguments);
    CHECK(nargs <= MAX_ARGS);
    ffi_type *types[MAX_ARGS];
    void *values[MAX_ARGS];
    union { int i; int32_t i32; uint32_t u32; int64_t q; uint64_t Q; void *p; } storage[MAX_ARGS];
    void *opened = NULL;
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
        case 'D': types[a] = &ffi_type_pointer; storage[a].p = profile % 2 ? &opened : NULL; break;
        case 's': case 'p': types[a] = &ffi_type_pointer; storage[a].p = NULL; break;
        default:
            fprintf(stderr, "%s: unknown argument code %c\n", sig->name, sig->arguments[a]);
            exit(1);
        }
    }
    switch (sig->returns[0]) {
    case 'i': {
        int status = call_int(sig->name, (unsigned)nargs, types, values);
        if (!(status <= 0 && status >= -12)) {
            fprintf(stderr, "%s (profile %d) returned %d, not a chexpert_status\n", sig->name, profile, status);
            exit(1);
        }
        passed++;
        /* Statuses are errors here, except for calls that need no argument
         * to succeed (a NULL-free count query, an empty batch). */
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
}

/* Every exported function, every profile; then the handle still works. */
static void sweep(void *ds, void *closed) {
    size_t count = sizeof SIGNATURES / sizeof SIGNATURES[0];
    CHECK(count >= 35);
    for (size_t i = 0; i < count; i++) {
        CHECK(dlsym(library, SIGNATURES[i].name) != NULL);
        for (int profile = 0; profile < PROFILES; profile++) sweep_one(&SIGNATURES[i], profile, ds, closed);
    }
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

static int dataset_open(void **out, const char *root) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_pointer};
    void *values[] = {&out, &root};
    return call_int("chexpert_dataset_open", 2, types, values);
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

static int example_shape(void *ds, int split, int64_t index, int32_t *h, int32_t *w) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint, &ffi_type_sint64, &ffi_type_pointer,
                         &ffi_type_pointer};
    void *values[] = {&ds, &split, &index, &h, &w};
    return call_int("chexpert_example_shape", 5, types, values);
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

static int example_name(void *ds, int split, int64_t index, char *out, uint64_t capacity,
                        uint64_t *size) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint,   &ffi_type_sint64,
                         &ffi_type_pointer, &ffi_type_uint64, &ffi_type_pointer};
    void *values[] = {&ds, &split, &index, &out, &capacity, &size};
    return call_int("chexpert_example_name", 6, types, values);
}

static int set_option(void *ds, int option, int64_t value) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint, &ffi_type_sint64};
    void *values[] = {&ds, &option, &value};
    return call_int("chexpert_dataset_set_option", 3, types, values);
}

static int get_option(void *ds, int option, int64_t *value) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint, &ffi_type_pointer};
    void *values[] = {&ds, &option, &value};
    return call_int("chexpert_dataset_get_option", 3, types, values);
}

static int batch_shapes(void *ds, int split, const int64_t *indices, uint64_t count, int32_t *h,
                        int32_t *w, int num_threads) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint,    &ffi_type_pointer, &ffi_type_uint64,
                         &ffi_type_pointer, &ffi_type_pointer, &ffi_type_sint};
    void *values[] = {&ds, &split, &indices, &count, &h, &w, &num_threads};
    return call_int("chexpert_batch_shapes", 7, types, values);
}

static int batch_read(void *ds, int split, const int64_t *indices, uint64_t count,
                      const int32_t *h, const int32_t *w, uint8_t *images, uint64_t images_cap,
                      int64_t *labels, uint64_t labels_cap, int32_t *views, uint64_t views_cap,
                      int num_threads) {
    ffi_type *types[] = {&ffi_type_pointer, &ffi_type_sint,    &ffi_type_pointer, &ffi_type_uint64,
                         &ffi_type_pointer, &ffi_type_pointer, &ffi_type_pointer, &ffi_type_uint64,
                         &ffi_type_pointer, &ffi_type_uint64,  &ffi_type_pointer, &ffi_type_uint64,
                         &ffi_type_sint};
    void *values[] = {&ds,     &split,      &indices, &count,      &h,     &w,         &images,
                      &images_cap, &labels, &labels_cap, &views, &views_cap, &num_threads};
    return call_int("chexpert_batch_read", 13, types, values);
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
    CHECK(version_number() == 200);
    CHECK(abi_version() == 1);
    CHECK(strcmp(call_string("chexpert_version_string", 0, NULL, NULL), "0.2.0") == 0);
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
    }

    /* Open. */
    void *ds = NULL;
    EXPECT(E_NULL_POINTER, dataset_open(NULL, root));
    EXPECT(OK, dataset_open(&ds, root));
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
    EXPECT(E_INVALID_ARGUMENT, split_size(ds, 2, &train));
    EXPECT(E_NULL_POINTER, split_size(ds, 0, NULL));
    EXPECT(E_NULL_POINTER, split_size(NULL, 0, &train));

    /* Shapes and images, with boundary indices. */
    int32_t h = 0, w = 0;
    EXPECT(OK, example_shape(ds, 0, 0, &h, &w));
    CHECK(h > 0 && w > 0);
    EXPECT(OK, example_shape(ds, 0, train - 1, &h, &w));
    EXPECT(E_OUT_OF_RANGE, example_shape(ds, 0, -1, &h, &w));
    EXPECT(E_OUT_OF_RANGE, example_shape(ds, 0, train, &h, &w));
    EXPECT(E_OUT_OF_RANGE, example_shape(ds, 0, INT64_MAX, &h, &w));
    EXPECT(E_OUT_OF_RANGE, example_shape(ds, 0, INT64_MIN, &h, &w));
    EXPECT(E_NULL_POINTER, example_shape(ds, 0, 0, NULL, &w));
    EXPECT(E_NULL_POINTER, example_shape(NULL, 0, 0, &h, &w));
    EXPECT(E_INVALID_ARGUMENT, example_shape(ds, -1, 0, &h, &w));
    EXPECT(OK, example_shape(ds, 0, 0, &h, &w));

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

    /* Options through an int64 argument. */
    int64_t value = -1;
    EXPECT(OK, get_option(ds, 1, &value));
    CHECK(value == 0);
    EXPECT(OK, set_option(ds, 1, 1));
    EXPECT(OK, get_option(ds, 1, &value));
    CHECK(value == 1);
    EXPECT(E_INVALID_ARGUMENT, set_option(ds, 1, INT64_MAX));
    EXPECT(E_INVALID_ARGUMENT, set_option(ds, 99, 0));
    EXPECT(OK, set_option(ds, 1, 0));

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

    /* Names: the size query with NULL and capacity 0. */
    uint64_t size = 0;
    EXPECT(E_BUFFER_TOO_SMALL, example_name(ds, 0, 0, NULL, 0, &size));
    CHECK(size > 1);
    char *name = malloc(size);
    CHECK(name != NULL);
    EXPECT(OK, example_name(ds, 0, 0, name, size, NULL));
    CHECK(strlen(name) + 1 == size);

    /* Batches: thread counts are ints; -1 is refused. */
    int64_t indices[2] = {0, train - 1};
    int32_t hs[2], ws[2];
    EXPECT(OK, batch_shapes(ds, 0, indices, 2, hs, ws, 2));
    CHECK(hs[0] == h && ws[0] == w);
    EXPECT(E_INVALID_ARGUMENT, batch_shapes(ds, 0, indices, 2, hs, ws, -1));
    EXPECT(E_NULL_POINTER, batch_shapes(ds, 0, NULL, 2, hs, ws, 1));
    EXPECT(OK, batch_shapes(ds, 0, NULL, 0, NULL, NULL, 1));
    int64_t batch_labels[2 * 64];
    int32_t views[2];
    CHECK(num_labels <= 64);
    EXPECT(OK, batch_read(ds, 0, indices, 2, NULL, NULL, NULL, 0, batch_labels,
                          2 * (uint64_t)num_labels, views, 2, 1));
    CHECK(memcmp(batch_labels, labels, sizeof *labels * (size_t)num_labels) == 0);
    CHECK(views[0] == 0 || views[0] == 1);
    EXPECT(E_INVALID_ARGUMENT, batch_read(ds, 0, indices, 2, NULL, NULL, NULL, 0, batch_labels,
                                          2 * (uint64_t)num_labels, views, 2, -1));

    /* Close: then CLOSED; closing again or NULL is harmless. */
    dataset_close(ds);
    EXPECT(E_CLOSED, split_size(ds, 0, &train));
    EXPECT(E_CLOSED, example_shape(ds, 0, 0, &h, &w));
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
    {   /* The sweep, on a fresh handle and a closed one. */
        void *fresh = NULL, *closed = NULL;
        EXPECT(OK, dataset_open(&fresh, root));
        EXPECT(OK, dataset_open(&closed, root));
        dataset_close(closed);
        sweep(fresh, closed);
        int64_t count = 0;
        EXPECT(OK, split_size(fresh, 0, &count));
        CHECK(count > 0);
        dataset_close(fresh);
    }

    CHECK_SUMMARY();
    return 0;
}
