/*
 * test_fork.c: fork() while other threads are inside the library.
 *
 *   test_fork TREE [FORKS] [--max-hangs N]
 *
 * The parent opens TREE (a chexpert-sample tree) and a parameter set, and
 * records reference results: example 0's image, the labels and a resized
 * batch of the first examples. Then HAMMERS threads call every kind of entry
 * point in a loop (open/close, params create/set/get/free, example and batch
 * calls, verify, targets, shard_indices, option get/set, calls on closed
 * handles and their messages), on the shared handles and on their own, while
 * BUSY threads spin for extra CPU load. The main thread forks FORKS times
 * (default 1000), 0-40 ms apart, keeping up to LIVE children at once. Each child runs under
 * alarm(CHILD_SECONDS): it opens the tree again, reads example 0 through the
 * new handle, the labels and a resized batch (2 threads) through the handles
 * it inherited, uses the inherited parameter set, reads an error message,
 * and exits 0 if every result equals the parent's reference. A child killed
 * by SIGALRM is a hang; any other exit is a failure. Before each fork the
 * main thread counts the calls in flight on the hammer threads, to show the
 * forks did land inside library calls.
 *
 * Ends with "N passed, M failed" (N children read correctly; M hung or read
 * wrong) and exits 1 if M > 0. --max-hangs N stops forking after N hangs
 * (to measure a broken library without waiting for every hung child).
 */
#define _GNU_SOURCE
#include <errno.h>
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

static void *xmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n0 passed, 1 failed\n");
        exit(2);
    }
    return p;
}

enum { HAMMERS = 4, BUSY = 2, LIVE = 4, CHILD_SECONDS = 20, REF_COUNT = 4, SIDE = 24, MAX_LABELS = 64 };

static const char *root;
static chexpert_dataset *shared_ds;
static chexpert_params *shared_params;   /* THREADS 2, HEIGHT/WIDTH SIDE, preset */

static uint8_t *ref_image;
static size_t ref_image_bytes;
static int32_t ref_height, ref_width;
static int64_t ref_indices[REF_COUNT] = {0, 1, 2, 3};
static int64_t ref_labels[REF_COUNT * MAX_LABELS];
static int32_t num_labels;
static uint8_t *ref_resized;
static size_t ref_resized_bytes;
static size_t batch_bytes;  /* chexpert_batch_images of ref_indices */

static atomic_int stop;
static atomic_long in_flight;     /* hammer calls running right now */
static atomic_long hammer_calls;  /* hammer calls completed */
static atomic_long hammer_errors; /* unexpected statuses on hammer threads */

/* ---- parent-side setup ---------------------------------------------------- */

static void fail_setup(const char *what, int status) {
    fprintf(stderr, "setup: %s returned %s: %s\n", what, chexpert_status_name(status), chexpert_last_error());
    fprintf(stderr, "0 passed, 1 failed\n");
    exit(1);
}

#define SETUP(call)                               \
    do {                                          \
        int s_ = (call);                          \
        if (s_ != CHEXPERT_OK) fail_setup(#call, s_); \
    } while (0)

static chexpert_params *make_params(void) {
    chexpert_params *p = NULL;
    SETUP(chexpert_params_create(&p));
    SETUP(chexpert_params_set(p, CHEXPERT_KEY_THREADS, 2));
    SETUP(chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, SIDE));
    SETUP(chexpert_params_set(p, CHEXPERT_KEY_WIDTH, SIDE));
    SETUP(chexpert_params_set(p, CHEXPERT_KEY_TARGET_PRESET, CHEXPERT_PRESET_PAPER));
    return p;
}

static void record_references(void) {
    SETUP(chexpert_dataset_open(&shared_ds, root, NULL));
    shared_params = make_params();
    SETUP(chexpert_split_num_labels(shared_ds, CHEXPERT_SPLIT_TRAIN, &num_labels));
    if (num_labels <= 0 || num_labels > MAX_LABELS) fail_setup("num_labels out of range", -1);
    SETUP(chexpert_example_image(shared_ds, CHEXPERT_SPLIT_TRAIN, 0, NULL, 0, &ref_height, &ref_width));
    ref_image_bytes = (size_t)ref_height * (size_t)ref_width * 3;
    ref_image = xmalloc(ref_image_bytes);
    SETUP(chexpert_example_image(shared_ds, CHEXPERT_SPLIT_TRAIN, 0, ref_image, ref_image_bytes, &ref_height,
                                 &ref_width));
    SETUP(chexpert_batch_labels(shared_ds, CHEXPERT_SPLIT_TRAIN, ref_indices, REF_COUNT, ref_labels,
                                (size_t)REF_COUNT * (size_t)num_labels));
    int32_t shapes[2 * REF_COUNT];
    SETUP(chexpert_batch_images(shared_ds, CHEXPERT_SPLIT_TRAIN, ref_indices, REF_COUNT, NULL, NULL, 0, shapes));
    for (int i = 0; i < REF_COUNT; i++) batch_bytes += (size_t)shapes[2 * i] * (size_t)shapes[2 * i + 1] * 3;
    SETUP(chexpert_resize_output_bytes(shared_params, REF_COUNT, &ref_resized_bytes));
    ref_resized = xmalloc(ref_resized_bytes);
    SETUP(chexpert_batch_resized(shared_ds, CHEXPERT_SPLIT_TRAIN, ref_indices, REF_COUNT, shared_params,
                                 ref_resized, ref_resized_bytes, NULL));
}

/* ---- hammer and busy threads ---------------------------------------------- */

/* Counts a call as in flight while it runs; unexpected statuses are counted
 * (a hammer thread cannot stop the test, the summary reports them). */
#define HAMMER(expected, call)                                \
    do {                                                      \
        atomic_fetch_add(&in_flight, 1);                      \
        int s_ = (call);                                      \
        atomic_fetch_sub(&in_flight, 1);                      \
        atomic_fetch_add(&hammer_calls, 1);                   \
        if (s_ != (expected)) atomic_fetch_add(&hammer_errors, 1); \
    } while (0)

#define HAMMER_VOID(call)                  \
    do {                                   \
        atomic_fetch_add(&in_flight, 1);   \
        call;                              \
        atomic_fetch_sub(&in_flight, 1);   \
        atomic_fetch_add(&hammer_calls, 1); \
    } while (0)

static void *hammer(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg * 2654435761u + 1;
    uint8_t *image = xmalloc(ref_image_bytes);
    uint8_t *resized = xmalloc(ref_resized_bytes);
    uint8_t *batch = xmalloc(batch_bytes);
    int32_t shapes[2 * REF_COUNT], statuses[REF_COUNT];
    char messages[REF_COUNT * 128];
    int64_t labels[REF_COUNT * MAX_LABELS], shard[64], value = 0;
    float targets[REF_COUNT * MAX_LABELS], masks[REF_COUNT * MAX_LABELS];
    int32_t rules[3 * MAX_LABELS];
    size_t rule_count = 0, shard_count = 0;
    uint32_t flags = 0;
    int32_t h = 0, w = 0;
    for (unsigned round = 0; !atomic_load(&stop); round++) {
        /* Cheap calls (cases 7 and up) run 16 times in a row: they are
         * mostly handle lookups, so the locks are held much of the time. */
        unsigned which = (round + (unsigned)rand_r(&seed)) % 12;
        for (int repeat = which >= 7 ? 16 : 1; repeat > 0; repeat--)
        switch (which) {
        case 0: {
            chexpert_dataset *own = NULL;
            HAMMER(CHEXPERT_OK, chexpert_dataset_open(&own, root, NULL));
            HAMMER(CHEXPERT_OK, chexpert_example_labels(own, CHEXPERT_SPLIT_TRAIN, 0, labels, MAX_LABELS));
            HAMMER_VOID(chexpert_dataset_close(own));
            HAMMER(CHEXPERT_E_CLOSED, chexpert_example_labels(own, CHEXPERT_SPLIT_TRAIN, 0, labels, MAX_LABELS));
            HAMMER_VOID((void)chexpert_last_error());
            break;
        }
        case 1: {
            chexpert_params *p = NULL;
            HAMMER(CHEXPERT_OK, chexpert_params_create(&p));
            HAMMER(CHEXPERT_OK, chexpert_params_set(p, CHEXPERT_KEY_SEED, (int64_t)round));
            HAMMER(CHEXPERT_OK, chexpert_params_set(p, CHEXPERT_KEY_SHUFFLE, 1));
            HAMMER(CHEXPERT_OK, chexpert_params_get(p, CHEXPERT_KEY_SEED, &value));
            HAMMER(CHEXPERT_OK, chexpert_shard_indices(p, 64, shard, 64, &shard_count));
            HAMMER_VOID(chexpert_params_free(p));
            HAMMER(CHEXPERT_E_CLOSED, chexpert_params_set(p, CHEXPERT_KEY_SEED, 1));
            break;
        }
        case 2:
            HAMMER(CHEXPERT_OK, chexpert_example_image(shared_ds, CHEXPERT_SPLIT_TRAIN, 0, image, ref_image_bytes,
                                                       &h, &w));
            break;
        case 3:
            HAMMER(CHEXPERT_OK, chexpert_batch_images(shared_ds, CHEXPERT_SPLIT_TRAIN, ref_indices, REF_COUNT,
                                                      NULL, batch, batch_bytes, shapes));
            break;
        case 4:
            HAMMER(CHEXPERT_OK, chexpert_batch_resized(shared_ds, CHEXPERT_SPLIT_TRAIN, ref_indices, REF_COUNT,
                                                       shared_params, resized, ref_resized_bytes, statuses));
            break;
        case 5:
            HAMMER(CHEXPERT_OK, chexpert_batch_verify(shared_ds, CHEXPERT_SPLIT_TRAIN, ref_indices, REF_COUNT,
                                                      shared_params, statuses, messages, 128));
            break;
        case 6:
            HAMMER(CHEXPERT_OK, chexpert_target_rules(shared_ds, CHEXPERT_SPLIT_TRAIN, shared_params, rules,
                                                      3 * MAX_LABELS, &rule_count, &flags));
            HAMMER(CHEXPERT_OK, chexpert_batch_targets(shared_ds, CHEXPERT_SPLIT_TRAIN, ref_indices, REF_COUNT,
                                                       shared_params, targets, masks, REF_COUNT * MAX_LABELS));
            break;
        case 7:
            HAMMER(CHEXPERT_OK, chexpert_shard_indices(shared_params, 64, shard, 64, &shard_count));
            HAMMER(CHEXPERT_OK, chexpert_params_get(shared_params, CHEXPERT_KEY_THREADS, &value));
            HAMMER(CHEXPERT_OK, chexpert_params_set(shared_params, CHEXPERT_KEY_THREADS, 2));  /* unchanged */
            break;
        case 8:
            HAMMER(CHEXPERT_OK, chexpert_dataset_get_option(shared_ds, CHEXPERT_KEY_MAX_PIXELS, &value));
            HAMMER(CHEXPERT_OK, chexpert_dataset_set_option(shared_ds, CHEXPERT_KEY_MAX_PIXELS, value));  /* unchanged */
            break;
        case 9:
            HAMMER(CHEXPERT_OK, chexpert_batch_labels(shared_ds, CHEXPERT_SPLIT_TRAIN, ref_indices, REF_COUNT, labels,
                                                      REF_COUNT * MAX_LABELS));
            HAMMER(CHEXPERT_OK, chexpert_example_labels(shared_ds, CHEXPERT_SPLIT_TRAIN, 1, labels, MAX_LABELS));
            break;
        case 10:
            HAMMER(CHEXPERT_E_OUT_OF_RANGE, chexpert_example_labels(shared_ds, CHEXPERT_SPLIT_TRAIN, -1, labels,
                                                                    MAX_LABELS));
            HAMMER(CHEXPERT_E_NULL_POINTER, chexpert_example_labels(NULL, CHEXPERT_SPLIT_TRAIN, 0, labels, MAX_LABELS));
            HAMMER_VOID((void)chexpert_last_error());
            break;
        default: {
            size_t bytes = 0;
            HAMMER(CHEXPERT_OK, chexpert_dataset_memory_usage(shared_ds, &bytes));
            HAMMER(CHEXPERT_OK, chexpert_dataset_root(shared_ds, NULL, 0, &bytes));
            HAMMER_VOID((void)chexpert_version_string());
            break;
        }
        }
    }
    free(image);
    free(resized);
    free(batch);
    return NULL;
}

static void *busy(void *arg) {
    (void)arg;
    volatile unsigned long spin = 0;
    while (!atomic_load(&stop)) spin++;
    return NULL;
}

/* ---- the child -------------------------------------------------------------- */

/* Exit codes of a child: 0 read correctly; 10 + step for a wrong status or
 * result (the parent names the step). */
static const char *const child_steps[] = {
    "params create/set", "open the tree again", "example 0 on the new handle", "image equals the parent's",
    "labels on the inherited handle", "labels equal the parent's", "resized batch on the inherited handles",
    "resized batch equals the parent's", "inherited params get/set", "message of a closed handle",
    "inherited dataset option",
};

static int child(void) {
    alarm(CHILD_SECONDS);
    chexpert_params *p = NULL;
    if (chexpert_params_create(&p) != CHEXPERT_OK || chexpert_params_set(p, CHEXPERT_KEY_THREADS, 2) != CHEXPERT_OK)
        return 10;
    chexpert_dataset *own = NULL;
    if (chexpert_dataset_open(&own, root, p) != CHEXPERT_OK) return 11;
    uint8_t *image = malloc(ref_image_bytes);
    int32_t h = 0, w = 0;
    if (image == NULL || chexpert_example_image(own, CHEXPERT_SPLIT_TRAIN, 0, image, ref_image_bytes, &h, &w)
                             != CHEXPERT_OK)
        return 12;
    if (h != ref_height || w != ref_width || memcmp(image, ref_image, ref_image_bytes) != 0) return 13;
    int64_t labels[REF_COUNT * MAX_LABELS];
    if (chexpert_batch_labels(shared_ds, CHEXPERT_SPLIT_TRAIN, ref_indices, REF_COUNT, labels,
                              (size_t)REF_COUNT * (size_t)num_labels) != CHEXPERT_OK)
        return 14;
    if (memcmp(labels, ref_labels, sizeof(int64_t) * REF_COUNT * (size_t)num_labels) != 0) return 15;
    uint8_t *resized = malloc(ref_resized_bytes);
    if (resized == NULL || chexpert_batch_resized(shared_ds, CHEXPERT_SPLIT_TRAIN, ref_indices, REF_COUNT,
                                                  shared_params, resized, ref_resized_bytes, NULL) != CHEXPERT_OK)
        return 16;
    if (memcmp(resized, ref_resized, ref_resized_bytes) != 0) return 17;
    int64_t value = 0;
    if (chexpert_params_set(shared_params, CHEXPERT_KEY_SEED, 7) != CHEXPERT_OK
        || chexpert_params_get(shared_params, CHEXPERT_KEY_SEED, &value) != CHEXPERT_OK || value != 7)
        return 18;
    chexpert_dataset_close(own);
    if (chexpert_example_labels(own, CHEXPERT_SPLIT_TRAIN, 0, labels, MAX_LABELS) != CHEXPERT_E_CLOSED
        || strstr(chexpert_last_error(), "closed") == NULL)
        return 19;
    if (chexpert_dataset_get_option(shared_ds, CHEXPERT_KEY_MAX_PIXELS, &value) != CHEXPERT_OK) return 20;
    chexpert_params_free(p);
    free(image);
    free(resized);
    return 0;
}

/* ---- main -------------------------------------------------------------------- */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int children_ok, hangs, wrong, forks_in_call;

static void reap(int flags) {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, flags)) > 0) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            children_ok++;
        } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
            hangs++;
            fprintf(stderr, "child %d hung (killed after %d s)\n", (int)pid, CHILD_SECONDS);
        } else {
            wrong++;
            if (WIFEXITED(status) && WEXITSTATUS(status) >= 10 && WEXITSTATUS(status) < 10 + (int)(sizeof child_steps / sizeof *child_steps))
                fprintf(stderr, "child %d failed: %s\n", (int)pid, child_steps[WEXITSTATUS(status) - 10]);
            else if (WIFSIGNALED(status))
                fprintf(stderr, "child %d died of signal %d\n", (int)pid, WTERMSIG(status));
            else
                fprintf(stderr, "child %d exited %d\n", (int)pid, WEXITSTATUS(status));
        }
        if (flags == 0) return;
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_fork TREE [FORKS] [--max-hangs N]\n");
        return 2;
    }
    root = argv[1];
    int forks = 1000, max_hangs = 1 << 30;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--max-hangs") == 0 && i + 1 < argc) max_hangs = atoi(argv[++i]);
        else forks = atoi(argv[i]);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    record_references();

    pthread_t threads[HAMMERS + BUSY];
    for (int i = 0; i < HAMMERS + BUSY; i++) {
        if (pthread_create(&threads[i], NULL, i < HAMMERS ? hammer : busy, (void *)(uintptr_t)(i + 1)) != 0) {
            fprintf(stderr, "pthread_create failed\n0 passed, 1 failed\n");
            return 1;
        }
    }

    double start = now();
    int live = 0, done = 0;
    unsigned pause_seed = 12345;
    for (; done < forks && hangs < max_hangs; done++) {
        while (live >= LIVE) {
            reap(0);
            live--;
        }
        /* A pause of 0-40 ms lets the hammers run between forks (each fork
         * waits for the critical sections in progress and holds new ones). */
        usleep((useconds_t)(rand_r(&pause_seed) % 40000));
        if (atomic_load(&in_flight) > 0) forks_in_call++;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "fork: %s\n", strerror(errno));
            wrong++;
            break;
        }
        if (pid == 0) _exit(child());
        live++;
        if (done % 250 == 249) printf("  %d forks, %.1f s\n", done + 1, now() - start);
    }
    for (; live > 0; live--) reap(0);
    double elapsed = now() - start;
    atomic_store(&stop, 1);
    for (int i = 0; i < HAMMERS + BUSY; i++) pthread_join(threads[i], NULL);

    printf("forks: %d in %.1f s (%d with a hammer call in flight just before fork); children: %d correct, "
           "%d hung, %d wrong; hammer calls: %ld (%ld unexpected statuses)\n",
           done, elapsed, forks_in_call, children_ok, hangs, wrong, atomic_load(&hammer_calls),
           atomic_load(&hammer_errors));
    int failed = hangs + wrong + (atomic_load(&hammer_errors) > 0 ? 1 : 0);
    /* The hammering must have overlapped the forks, or the test proved nothing. */
    if (forks_in_call < done / 2) {
        fprintf(stderr, "only %d of %d forks happened with a call in flight\n", forks_in_call, done);
        failed++;
    }
    chexpert_params_free(shared_params);
    chexpert_dataset_close(shared_ds);
    free(ref_image);
    free(ref_resized);
    printf("%d passed, %d failed\n", children_ok, failed);
    return failed ? 1 : 0;
}
