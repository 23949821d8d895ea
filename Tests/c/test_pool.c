/*
 * test_pool.c: the persistent worker pool of the batch calls.
 *
 *   test_pool TREE [FORKS]
 *
 * TREE is a chexpert-sample tree (at least BATCH train examples). Checks:
 *   1. results: chexpert_batch_images and chexpert_batch_resized give the
 *      same bytes at 1 (the calling thread only), 2, 3 and 8 threads, and on
 *      repeated calls (threads reused), and from 3 threads calling at once;
 *   2. lifetime: threads are counted in /proc/self/task. None before the
 *      first batch; a batch at T threads leaves T - 1 pool threads while a
 *      handle is open, reused by the next calls (no more are started);
 *      closing the last handle ends them all (with two handles open, closing
 *      one keeps them); a batch with no handle... cannot exist, so the only
 *      other way out is the last call returning after the last close, also
 *      checked (a close from another thread while a batch runs);
 *   3. fork: a thread loops batches at 2 threads (checked against the
 *      reference) while the main thread forks FORKS times (default 200);
 *      each child, under alarm(CHILD_SECONDS), finds one thread (its pool is
 *      empty), reads a batch at 2 threads through the inherited handle and a
 *      new one, compares it with the reference, closes both handles, finds
 *      one thread again and exits 0. A child killed by SIGALRM hung. The
 *      parent's batches stay correct throughout;
 *   4. exit: a child starts 3 threads looping batches at 3 threads each and
 *      calls exit(0) while they run (no handle closed): it must end with
 *      status 0 within CHILD_SECONDS (the library's exit-time destructor
 *      must not wait for the calls in flight).
 * FORKS 0 skips 3 and 4 (the run under valgrind: a child's leak check
 * would count the memory of the parent's calls in flight as lost).
 * Ends with "N passed, 0 failed" (check.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chexpert.h"

#define CHECK_LAST_ERROR() chexpert_last_error()
#define CHECK_STATUS_NAME(status) chexpert_status_name(status)
#include "check.h"
#include "threads.h"
#include "new_params.h"

#define OK(call) EXPECT(CHEXPERT_OK, call)

enum { BATCH = 24, SIDE = 20, CHILD_SECONDS = 20 };

static const char *root;
static int64_t indices[BATCH];
static uint8_t *ref_images;
static size_t ref_images_bytes;
static float ref_resized[BATCH * 3 * SIDE * SIDE];

static chexpert_params *params_for(int threads) {
    chexpert_params *p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_THREADS, threads));
    OK(chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, SIDE));
    OK(chexpert_params_set(p, CHEXPERT_KEY_WIDTH, SIDE));
    OK(chexpert_params_set(p, CHEXPERT_KEY_DTYPE, CHEXPERT_DTYPE_FLOAT32));
    return p;
}

/* Both batch kinds at `threads`; 1 if they equal the reference. No CHECK:
 * also called from threads and children. */
static int batches_match(chexpert_dataset *ds, int threads) {
    chexpert_params *p = NULL;
    if (chexpert_params_create(&p) != CHEXPERT_OK) return 0;
    int ok = chexpert_params_set(p, CHEXPERT_KEY_THREADS, threads) == CHEXPERT_OK &&
             chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, SIDE) == CHEXPERT_OK &&
             chexpert_params_set(p, CHEXPERT_KEY_WIDTH, SIDE) == CHEXPERT_OK &&
             chexpert_params_set(p, CHEXPERT_KEY_DTYPE, CHEXPERT_DTYPE_FLOAT32) == CHEXPERT_OK;
    uint8_t *images = malloc(ref_images_bytes);
    float *resized = malloc(sizeof ref_resized);
    int32_t shapes[2 * BATCH];
    ok = ok && images && resized &&
         chexpert_batch_images(ds, CHEXPERT_SPLIT_TRAIN, indices, BATCH, p, images, ref_images_bytes, shapes) ==
             CHEXPERT_OK &&
         memcmp(images, ref_images, ref_images_bytes) == 0 &&
         chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, indices, BATCH, p, resized, sizeof ref_resized, NULL) ==
             CHEXPERT_OK &&
         memcmp(resized, ref_resized, sizeof ref_resized) == 0;
    free(images);
    free(resized);
    chexpert_params_free(p);
    return ok;
}

static void reference(chexpert_dataset *ds) {
    chexpert_params *p = params_for(1);
    int32_t shapes[2 * BATCH];
    OK(chexpert_batch_images(ds, CHEXPERT_SPLIT_TRAIN, indices, BATCH, p, NULL, 0, shapes));
    for (int k = 0; k < BATCH; k++) ref_images_bytes += (size_t)shapes[2 * k] * (size_t)shapes[2 * k + 1] * 3;
    ref_images = xmalloc(ref_images_bytes);
    OK(chexpert_batch_images(ds, CHEXPERT_SPLIT_TRAIN, indices, BATCH, p, ref_images, ref_images_bytes, shapes));
    OK(chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, indices, BATCH, p, ref_resized, sizeof ref_resized, NULL));
    chexpert_params_free(p);
}

/* ---- 1. results and 2. lifetime ----------------------------------------- */

static void *concurrent_reader(void *arg) {
    chexpert_dataset *ds = arg;
    int ok = 1;
    for (int i = 0; i < 5; i++) ok &= batches_match(ds, 2 + i % 2);
    return ok ? arg : NULL;
}

static void results_and_lifetime(void) {
    CHECK(thread_count() == 1);
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, root, NULL));
    reference(ds);
    CHECK(thread_count() == 1);  /* threads = 1: no pool thread */

    CHECK(batches_match(ds, 3));
    CHECK(thread_count() == 3);  /* 2 helpers, kept */
    CHECK(batches_match(ds, 3));
    CHECK(batches_match(ds, 2));
    CHECK(thread_count() == 3);  /* reused: no new thread */
    CHECK(batches_match(ds, 8));
    CHECK(thread_count() == 8);  /* grows to the largest request */
    CHECK(batches_match(ds, 1));
    CHECK(thread_count() == 8);

    pthread_t readers[3];
    for (int i = 0; i < 3; i++) CHECK(pthread_create(&readers[i], NULL, concurrent_reader, ds) == 0);
    for (int i = 0; i < 3; i++) {
        void *result = NULL;
        pthread_join(readers[i], &result);
        CHECK(result == ds);
    }

    /* Two handles: closing one keeps the pool, closing the last ends it. */
    chexpert_dataset *second = NULL;
    OK(chexpert_dataset_open(&second, root, NULL));
    CHECK(batches_match(second, 2));
    chexpert_dataset_close(ds);
    CHECK(thread_count() == 8);
    CHECK(batches_match(second, 3));
    chexpert_dataset_close(second);
    CHECK(thread_count() == 1);

    /* A new handle starts a new pool, lazily. */
    OK(chexpert_dataset_open(&ds, root, NULL));
    CHECK(thread_count() == 1);
    CHECK(batches_match(ds, 2));
    CHECK(thread_count() == 2);
    chexpert_dataset_close(ds);
    CHECK(thread_count() == 1);
}

/* The last handle closed while a batch runs: the call ends the pool. */
static atomic_int started;

static void *slow_reader(void *arg) {
    chexpert_dataset *ds = arg;
    int ok = 1;
    atomic_store(&started, 1);
    for (int i = 0; i < 20 && ok; i++) {
        int match = batches_match(ds, 3);
        /* After the close a call may find the handle closed; before, it must match. */
        if (!match) {
            chexpert_params *p = params_for(3);
            ok = chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, indices, 1, p, ref_resized, 0, NULL) ==
                 CHEXPERT_E_CLOSED;
            chexpert_params_free(p);
            break;
        }
    }
    return ok ? arg : NULL;
}

static void close_during_batch(void) {
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, root, NULL));
    pthread_t reader;
    atomic_store(&started, 0);
    CHECK(pthread_create(&reader, NULL, slow_reader, ds) == 0);
    while (!atomic_load(&started)) usleep(100);
    usleep(2000);
    chexpert_dataset_close(ds);
    void *result = NULL;
    pthread_join(reader, &result);
    CHECK(result == ds);
    CHECK(settled_thread_count(1) == 1);
}

/* ---- 3. fork during batches -------------------------------------------- */

static atomic_int stop_looping;
static atomic_long loops;

static void *looping_reader(void *arg) {
    chexpert_dataset *ds = arg;
    int ok = 1;
    while (ok && !atomic_load(&stop_looping)) {
        ok = batches_match(ds, 2);
        atomic_fetch_add(&loops, 1);
    }
    return ok ? arg : NULL;
}

static int child_reads(chexpert_dataset *inherited) {
    alarm(CHILD_SECONDS);
    if (thread_count() != 1) return 10;          /* the pool is empty in a child */
    if (!batches_match(inherited, 2)) return 11;  /* inherited handle */
    chexpert_dataset *own = NULL;
    if (chexpert_dataset_open(&own, root, NULL) != CHEXPERT_OK) return 12;
    if (!batches_match(own, 3)) return 13;
    if (thread_count() != 3) return 14;
    chexpert_dataset_close(own);
    chexpert_dataset_close(inherited);
    if (settled_thread_count(1) != 1) return 15;  /* last handle closed */
    return 0;
}

static void fork_during_batches(int forks) {
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, root, NULL));
    pthread_t reader;
    atomic_store(&stop_looping, 0);
    CHECK(pthread_create(&reader, NULL, looping_reader, ds) == 0);
    int hung = 0, wrong = 0, status_seen = 0;
    for (int i = 0; i < forks; i++) {
        usleep((useconds_t)(rand() % 5000));
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) _exit(child_reads(ds));
        CHECK(pid > 0);
        int status = 0;
        CHECK(waitpid(pid, &status, 0) == pid);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
            hung++;
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            wrong++;
            status_seen = status;
        }
    }
    atomic_store(&stop_looping, 1);
    void *result = NULL;
    pthread_join(reader, &result);
    if (hung || wrong) fprintf(stderr, "fork: %d children hung, %d read wrong (last status %#x)\n", hung, wrong,
                               status_seen);
    CHECK(hung == 0 && wrong == 0);
    CHECK(result == ds);  /* the parent's batches stayed correct */
    CHECK(atomic_load(&loops) > 0);
    CHECK(batches_match(ds, 2));  /* the parent's pool still works */
    chexpert_dataset_close(ds);
    CHECK(settled_thread_count(1) == 1);
    printf("fork: %d children read correctly while %ld batches ran in the parent\n", forks, atomic_load(&loops));
}

/* ---- 4. exit with batches in flight ------------------------------------ */

static void *endless_reader(void *arg) {
    for (;;) batches_match(arg, 3);
    return NULL;
}

static void exit_in_flight(void) {
    fflush(stdout);  /* else the child's exit() prints it again */
    pid_t pid = fork();
    if (pid == 0) {
        alarm(CHILD_SECONDS);
        chexpert_dataset *ds = NULL;
        if (chexpert_dataset_open(&ds, root, NULL) != CHEXPERT_OK) _exit(3);
        pthread_t readers[3];
        for (int i = 0; i < 3; i++)
            if (pthread_create(&readers[i], NULL, endless_reader, ds) != 0) _exit(4);
        usleep(200000);
        exit(0);
    }
    CHECK(pid > 0);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    if (!WIFEXITED(status)) fprintf(stderr, "exit: the child ended with status %#x (SIGALRM: it hung)\n", status);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_pool TREE [FORKS]\n");
        return 2;
    }
    root = argv[1];
    int forks = argc > 2 ? atoi(argv[2]) : 200;
    if (forks < 0) forks = 0;
    for (int k = 0; k < BATCH; k++) indices[k] = k;
    results_and_lifetime();
    close_during_batch();
    if (forks > 0) {
        fork_during_batches(forks);
        exit_in_flight();
    }
    free(ref_images);
    CHECK_SUMMARY();
    return 0;
}
