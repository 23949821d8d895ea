/*
 * check.h: the check macros shared by the C tests (test_api.c, test_ffi.c,
 * test_training.c, test_corpus.c, test_limits.c), xmalloc and xformat.
 *
 * The includer defines, before including this file:
 *   CHECK_LAST_ERROR()        -> const char *, the library's message
 *   CHECK_STATUS_NAME(status) -> const char *, the status constant's name
 * (test_api.c calls the header's functions; test_ffi.c goes through libffi.)
 *
 * Each passing check counts; the first failing one prints file:line, the
 * library's message and "N passed, 1 failed", and exits 1. A test ends with
 * CHECK_SUMMARY(), which prints "N passed, 0 failed".
 */
#ifndef CHEXPERT_TESTS_CHECK_H
#define CHEXPERT_TESTS_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed;

static void check_failed_(const char *file, int line, const char *what, const char *message) {
    fprintf(stderr, "%s:%d: %s\n  last_error: %s\n", file, line, what, message);
    fprintf(stderr, "%d passed, 1 failed\n", passed);
    exit(1);
}

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (cond)                                                                        \
            passed++;                                                                    \
        else                                                                             \
            check_failed_(__FILE__, __LINE__, "CHECK failed: " #cond, CHECK_LAST_ERROR()); \
    } while (0)

/* A call that must return the status `expected`. */
#define EXPECT(expected, call)                                                           \
    do {                                                                                 \
        int status_ = (call);                                                            \
        if (status_ == (expected)) {                                                     \
            passed++;                                                                    \
        } else {                                                                         \
            /* copy the message first: it is valid until the next call */               \
            char *message_ = strdup(CHECK_LAST_ERROR());                                 \
            char what_[1024];                                                            \
            snprintf(what_, sizeof what_, "%s\n  returned %s (%d), expected %s", #call,  \
                     CHECK_STATUS_NAME(status_), status_, CHECK_STATUS_NAME(expected));  \
            check_failed_(__FILE__, __LINE__, what_, message_);                          \
        }                                                                                \
    } while (0)

/* The calling thread's message mentions `needle`. */
#define MESSAGE_HAS(needle)                                                              \
    do {                                                                                 \
        if (strstr(CHECK_LAST_ERROR(), (needle)) != NULL) {                              \
            passed++;                                                                    \
        } else {                                                                         \
            char what_[1024];                                                            \
            snprintf(what_, sizeof what_, "last_error does not mention \"%s\"", (needle)); \
            check_failed_(__FILE__, __LINE__, what_, CHECK_LAST_ERROR());                \
        }                                                                                \
    } while (0)

#define CHECK_SUMMARY() printf("%d passed, 0 failed\n", passed)

/* malloc for test scaffolding: exits (status 2) when memory runs out. */
static inline void *xmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* A formatted string in new memory (free it) for test scaffolding: exits
 * (status 2) when memory runs out. */
static inline __attribute__((format(printf, 1, 2))) char *xformat(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int length = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (length < 0) exit(2);
    char *out = xmalloc((size_t)length + 1);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)length + 1, fmt, ap);
    va_end(ap);
    return out;
}

#endif /* CHEXPERT_TESTS_CHECK_H */
