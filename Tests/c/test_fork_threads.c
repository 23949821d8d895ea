/*
 * test_fork_threads.c: fork() while other threads of the process make the
 * library start its worker threads, with the library loaded by dlopen() as
 * Python's ctypes loads it.
 *
 *   test_fork_threads LIBRARY TREE TLS_MODULE [FORKS] [--widen-us N]
 *
 * TLS_MODULE is this file built as a shared object with -DTLS_MODULE (a
 * 4 KiB thread-local block, as torch's or numpy's modules have).
 *
 * The glibc race this guards against (bench/SOAK.md): pthread_create() that
 * reuses a cached thread stack frees the thread-local blocks its previous
 * thread left (the dynamic TLS of dlopen'ed modules, such as the library's
 * own) AFTER it released glibc's stack-cache lock, and fork() does not take
 * that lock. A fork in that window gives a child whose stack cache holds the
 * stack with pointers to blocks already freed; the child's next
 * pthread_create() that reuses it frees them again: "double free or
 * corruption (out)", "corrupted size vs. prev_size while consolidating".
 * The library must therefore never start a thread while a fork can run:
 * every pthread_create of the library happens under a lock its
 * pthread_atfork prepare handler takes (Sources/CSystem/csystem.c).
 *
 * The parent dlopens LIBRARY and TLS_MODULE, records a reference resized
 * batch, and starts: a SPAWNER thread that keeps starting short-lived
 * threads which touch TLS_MODULE's block and exit (Python threads that ran
 * numpy or torch code and ended: their stacks go to glibc's cache with a
 * 4 KiB block to free); it starts them under a mutex that fork() also takes
 * (an atfork handler), as CPython starts threads and forks under the GIL, so
 * the program's own thread starts never race with fork; a CHURN thread that
 * loops: open TREE, a resized batch with 2-4 threads (the library starts
 * worker threads, reusing those stacks), close (no handle stays open, so the
 * library ends its threads and the next call starts new ones); and a BUSY
 * thread that spins. The main thread forks FORKS times (default 300), a
 * child at a time; each child, under alarm(CHILD_SECONDS),
 * opens TREE and reads the batch with CHILD_THREADS threads (starting threads
 * on the stacks the parent's threads left), checks it equals the reference,
 * closes, and exits through exit() (atexit handlers, library destructor).
 * A child killed by a signal (SIGABRT from glibc's heap checks) or reading
 * wrong fails the test; so does a run in which the churn thread finished no
 * batch between most forks (the race would not have been exercised).
 *
 * The window is a few free() calls long, so on its own the race hits about
 * one fork in 4,000 in the soak. To make a broken library fail reliably
 * (9 to 38 children of 300 in our runs), this program interposes free(): in the parent, a free() of a non-NULL
 * block called from pthread_create() itself (the stale-TLS loop; it is the
 * only free() there, called through the PLT) sleeps --widen-us microseconds
 * after freeing (default 2000; 0: the plain race). A library that starts
 * threads under its fork lock makes fork() wait for that sleep to end, so
 * the widening cannot make a correct library fail.
 *
 * Ends with "N passed, M failed" and exits 1 if M > 0.
 */
#ifdef TLS_MODULE
/* The TLS_MODULE build: one dynamic thread-local block of 4 KiB. */
__thread volatile char cxp_test_tls_block[4096];

void cxp_test_tls_touch(int value) {
    cxp_test_tls_block[value & 4095] = (char)value;
}
#else

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chexpert.h"

enum { SPAWN_BATCH = 4, CHURN = 1, BUSY = 1, COUNT = 8, SIDE = 16, CHILD_THREADS = 8, CHILD_SECONDS = 20 };

#define FUNCTIONS(X)                \
    X(chexpert_dataset_open)        \
    X(chexpert_dataset_close)       \
    X(chexpert_params_create)       \
    X(chexpert_params_set)          \
    X(chexpert_params_free)         \
    X(chexpert_resize_output_bytes) \
    X(chexpert_batch_resized)       \
    X(chexpert_last_error)          \
    X(chexpert_status_name)

#define DECLARE(name) static __typeof__(name) *p_##name;
FUNCTIONS(DECLARE)

/* ---- free() interposed: the race window widened (see above) ---------------- */

extern void __libc_free(void *);
static uintptr_t create_start, create_end;  /* pthread_create's code in libc */
static unsigned widen_us;                   /* 0 in children */

void free(void *block) {
    uintptr_t caller = (uintptr_t)__builtin_return_address(0);
    __libc_free(block);
    /* After the free: the block is gone, the stack's DTV still names it. */
    if (block != NULL && widen_us != 0 && caller >= create_start && caller < create_end) usleep(widen_us);
}

/* Finds pthread_create's code range (its symbol's size) in libc. */
static int find_pthread_create(void) {
    void *address = dlsym(RTLD_NEXT, "pthread_create");
    Dl_info info;
    const ElfW(Sym) *symbol = NULL;
    if (address == NULL || dladdr1(address, &info, (void **)&symbol, RTLD_DL_SYMENT) == 0 || symbol == NULL
        || symbol->st_size == 0)
        return 0;
    create_start = (uintptr_t)address;
    create_end = create_start + symbol->st_size;
    return 1;
}

/* ---- the test ------------------------------------------------------------------ */

static const char *root;
static int64_t indices[COUNT] = {0, 1, 2, 3, 4, 5, 6, 7};
static uint8_t *reference;
static size_t batch_bytes;
static atomic_int stop;
static atomic_long churn_batches;  /* batches the churn thread finished */
static atomic_long churn_errors;

static void fail_setup(const char *what, int status) {
    fprintf(stderr, "setup: %s returned %s: %s\n0 passed, 1 failed\n", what, p_chexpert_status_name(status),
            p_chexpert_last_error());
    exit(1);
}

/* A parameter set for a SIDE x SIDE uint8 batch read with `threads` threads. */
static int make_params(chexpert_params **out, int threads) {
    int s = p_chexpert_params_create(out);
    if (s == CHEXPERT_OK) s = p_chexpert_params_set(*out, CHEXPERT_KEY_THREADS, threads);
    if (s == CHEXPERT_OK) s = p_chexpert_params_set(*out, CHEXPERT_KEY_HEIGHT, SIDE);
    if (s == CHEXPERT_OK) s = p_chexpert_params_set(*out, CHEXPERT_KEY_WIDTH, SIDE);
    return s;
}

/* Opens TREE, reads the batch with `threads` threads into `out`, closes. */
static int read_batch(int threads, uint8_t *out) {
    chexpert_params *params = NULL;
    chexpert_dataset *ds = NULL;
    int s = make_params(&params, threads);
    if (s == CHEXPERT_OK) s = p_chexpert_dataset_open(&ds, root, NULL);
    if (s == CHEXPERT_OK)
        s = p_chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, indices, COUNT, params, out, batch_bytes, NULL);
    p_chexpert_dataset_close(ds);
    p_chexpert_params_free(params);
    return s;
}

static void *churn(void *arg) {
    uint8_t *out = malloc(batch_bytes);
    for (unsigned round = (unsigned)(uintptr_t)arg; out && !atomic_load(&stop); round++) {
        if (read_batch(2 + (int)(round % 3), out) != CHEXPERT_OK || memcmp(out, reference, batch_bytes) != 0)
            atomic_fetch_add(&churn_errors, 1);
        atomic_fetch_add(&churn_batches, 1);
    }
    free(out);
    return NULL;
}

/* The program's own thread starts: under spawn_mutex, which fork also takes. */
static pthread_mutex_t spawn_mutex = PTHREAD_MUTEX_INITIALIZER;
static void (*tls_touch)(int);

static void spawn_lock(void) { pthread_mutex_lock(&spawn_mutex); }
static void spawn_unlock(void) { pthread_mutex_unlock(&spawn_mutex); }

static void *short_lived(void *arg) {
    tls_touch((int)(uintptr_t)arg);
    return NULL;
}

static void *spawner(void *arg) {
    for (unsigned round = 0; !atomic_load(&stop); round++) {
        pthread_t threads[SPAWN_BATCH];
        int started[SPAWN_BATCH];
        spawn_lock();
        for (int i = 0; i < SPAWN_BATCH; i++)
            started[i] = pthread_create(&threads[i], NULL, short_lived, (void *)(uintptr_t)(round + (unsigned)i)) == 0;
        spawn_unlock();
        for (int i = 0; i < SPAWN_BATCH; i++)
            if (started[i]) pthread_join(threads[i], NULL);
        usleep(1000);
    }
    return arg;
}

static void *busy(void *arg) {
    volatile unsigned long spin = 0;
    while (!atomic_load(&stop)) spin++;
    return arg;
}

/* Exit status: 0 read correctly, 10 a call failed, 11 wrong pixels. */
static int child(void) {
    widen_us = 0;
    alarm(CHILD_SECONDS);
    uint8_t *out = malloc(batch_bytes);
    if (out == NULL || read_batch(CHILD_THREADS, out) != CHEXPERT_OK) return 10;
    int same = memcmp(out, reference, batch_bytes) == 0;
    free(out);
    return same ? 0 : 11;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: test_fork_threads LIBRARY TREE TLS_MODULE [FORKS] [--widen-us N]\n");
        return 2;
    }
    root = argv[2];
    int forks = 300;
    unsigned widen = 2000;
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--widen-us") == 0 && i + 1 < argc) widen = (unsigned)atoi(argv[++i]);
        else forks = atoi(argv[i]);
    }
    if (widen != 0 && !find_pthread_create()) {
        fprintf(stderr, "cannot find pthread_create's code in libc\n0 passed, 1 failed\n");
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        fprintf(stderr, "dlopen: %s\n0 passed, 1 failed\n", dlerror());
        return 1;
    }
#define LOOKUP(name)                                                    \
    if ((p_##name = (__typeof__(name) *)dlsym(library, #name)) == NULL) { \
        fprintf(stderr, "dlsym %s failed\n0 passed, 1 failed\n", #name);  \
        return 1;                                                       \
    }
    FUNCTIONS(LOOKUP)
    void *module = dlopen(argv[3], RTLD_NOW | RTLD_LOCAL);
    if (module == NULL || (tls_touch = (void (*)(int))dlsym(module, "cxp_test_tls_touch")) == NULL) {
        fprintf(stderr, "TLS_MODULE %s: %s\n0 passed, 1 failed\n", argv[3], dlerror());
        return 1;
    }
    pthread_atfork(spawn_lock, spawn_unlock, spawn_unlock);

    chexpert_params *params = NULL;
    int s = make_params(&params, 1);
    if (s != CHEXPERT_OK) fail_setup("params", s);
    if ((s = p_chexpert_resize_output_bytes(params, COUNT, &batch_bytes)) != CHEXPERT_OK)
        fail_setup("chexpert_resize_output_bytes", s);
    p_chexpert_params_free(params);
    if ((reference = malloc(batch_bytes)) == NULL) return 1;
    if ((s = read_batch(1, reference)) != CHEXPERT_OK) fail_setup("reference batch", s);

    widen_us = widen;
    pthread_t threads[1 + CHURN + BUSY];
    for (int i = 0; i < 1 + CHURN + BUSY; i++) {
        void *(*start)(void *) = i == 0 ? spawner : i <= CHURN ? churn : busy;
        if (pthread_create(&threads[i], NULL, start, (void *)(uintptr_t)i) != 0) {
            fprintf(stderr, "pthread_create failed\n0 passed, 1 failed\n");
            return 1;
        }
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int passed = 0, failed = 0, overlapped = 0;
    long before = atomic_load(&churn_batches);
    for (int i = 0; i < forks; i++) {
        /* Counts the forks with a churn batch finished since the previous fork. */
        long now = atomic_load(&churn_batches);
        if (now != before) overlapped++;
        before = now;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "fork: %s\n", strerror(errno));
            failed++;
            break;
        }
        if (pid == 0) exit(child());
        int status = 0;
        if (waitpid(pid, &status, 0) != pid) status = -1;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            passed++;
            continue;
        }
        failed++;
        if (WIFSIGNALED(status))
            fprintf(stderr, "fork %d: child died of signal %d%s\n", i, WTERMSIG(status),
                    WTERMSIG(status) == SIGALRM ? " (hung)" : "");
        else
            fprintf(stderr, "fork %d: child exited %d\n", i, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    atomic_store(&stop, 1);
    for (int i = 0; i < 1 + CHURN + BUSY; i++) pthread_join(threads[i], NULL);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    widen_us = 0;
    printf("forks: %d in %.1f s (window widened by %u us), %d with churn batches since the previous fork; churn batches: %ld "
           "(%ld wrong)\n", passed + failed, seconds, widen, overlapped, atomic_load(&churn_batches),
           atomic_load(&churn_errors));
    if (atomic_load(&churn_errors) > 0) failed++;
    if (overlapped < forks / 2) {
        fprintf(stderr, "only %d of %d forks had churn batches since the previous fork\n", overlapped, forks);
        failed++;
    }
    free(reference);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#endif /* TLS_MODULE */
