/*
 * test_jobs.c: jobs, the batch calls that return at once
 * (chexpert_batch_resized_start, chexpert_batch_images_start,
 * chexpert_job_wait, chexpert_job_done).
 *
 *   test_jobs TREE [FORKS]
 *
 * TREE is a chexpert-sample tree (at least 3 * BATCH train examples). Checks:
 *   1. results: a job gives the bytes, shapes and statuses of the
 *      synchronous call, at 1, 2, 3 and 8 threads, with one job at a time and
 *      with up to 3 started before the first is waited for (consecutive
 *      batches in flight), and from several threads at once;
 *   2. errors: argument, index and capacity errors come from the start (no
 *      job, out_job untouched, nothing written); an example's error comes
 *      from the wait, with the synchronous call's status and message; a
 *      second wait, a made-up job and NULL are refused; out_job NULL is
 *      refused before anything starts;
 *   3. lifetime: job_done reaches 1; a job outlives the close of its
 *      dataset; the pool's threads end once the last job is waited for and
 *      the last handle is closed; indices are copied at the start (the
 *      caller may overwrite them at once);
 *   4. fork: a parent starts jobs and forks while they run; each child
 *      (under alarm: a hang fails) waits for the inherited jobs and gets the
 *      reference bytes, then starts and waits its own; the parent's jobs
 *      are unaffected.
 * FORKS 0 skips 4 (the run under valgrind).
 * Ends with "N passed, 0 failed" (check.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chexpert.h"

#define CHECK_LAST_ERROR() chexpert_last_error()
#define CHECK_STATUS_NAME(status) chexpert_status_name(status)
#include "check.h"
#include "threads.h"

#define OK(call) EXPECT(CHEXPERT_OK, call)

enum { BATCH = 16, BATCHES = 3, SIDE = 24, CHILD_SECONDS = 30 };
#define RESIZED_FLOATS ((size_t)BATCH * 3 * SIDE * SIDE)

static const char *root;
static int64_t indices[BATCHES][BATCH];
static uint8_t *ref_images[BATCHES];
static size_t ref_images_bytes[BATCHES];
static int32_t ref_shapes[BATCHES][2 * BATCH];
static float ref_resized[BATCHES][RESIZED_FLOATS];

/* Resize keys and THREADS; NULL on failure (no CHECK: used in children). */
static chexpert_params *params_for(int threads) {
    chexpert_params *p = NULL;
    if (chexpert_params_create(&p) != CHEXPERT_OK) return NULL;
    if (chexpert_params_set(p, CHEXPERT_KEY_THREADS, threads) != CHEXPERT_OK ||
        chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, SIDE) != CHEXPERT_OK ||
        chexpert_params_set(p, CHEXPERT_KEY_WIDTH, SIDE) != CHEXPERT_OK ||
        chexpert_params_set(p, CHEXPERT_KEY_CHANNELS, 3) != CHEXPERT_OK ||
        chexpert_params_set(p, CHEXPERT_KEY_DTYPE, CHEXPERT_DTYPE_FLOAT32) != CHEXPERT_OK ||
        chexpert_params_set(p, CHEXPERT_KEY_NORMALIZE, CHEXPERT_NORMALIZE_IMAGENET) != CHEXPERT_OK) {
        chexpert_params_free(p);
        return NULL;
    }
    return p;
}

static void reference(chexpert_dataset *ds) {
    chexpert_params *p = params_for(1);
    CHECK(p != NULL);
    for (int b = 0; b < BATCHES; b++) {
        OK(chexpert_batch_images(ds, CHEXPERT_SPLIT_TRAIN, indices[b], BATCH, p, NULL, 0, ref_shapes[b]));
        for (int k = 0; k < BATCH; k++)
            ref_images_bytes[b] += (size_t)ref_shapes[b][2 * k] * (size_t)ref_shapes[b][2 * k + 1] * 3;
        ref_images[b] = xmalloc(ref_images_bytes[b]);
        OK(chexpert_batch_images(ds, CHEXPERT_SPLIT_TRAIN, indices[b], BATCH, p, ref_images[b], ref_images_bytes[b],
                                 ref_shapes[b]));
        OK(chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, indices[b], BATCH, p, ref_resized[b],
                                  sizeof ref_resized[b], NULL));
    }
    chexpert_params_free(p);
}

/* Output buffers of the jobs in flight. */
typedef struct {
    chexpert_job *resized_job, *images_job;
    float resized[RESIZED_FLOATS];
    int32_t statuses[BATCH];
    uint8_t *images;
    int32_t shapes[2 * BATCH];
    int64_t scratch_indices[BATCH];
} slot_t;

/* Starts both jobs of batch `b` into `s`; 0 on failure. The indices are
 * passed from a scratch copy that is overwritten right after the start. */
static int start_batch(chexpert_dataset *ds, chexpert_params *p, int b, slot_t *s) {
    memset(s->resized, 0xff, sizeof s->resized);
    memset(s->statuses, 0x7f, sizeof s->statuses);
    memset(s->shapes, 0, sizeof s->shapes);
    memcpy(s->scratch_indices, indices[b], sizeof s->scratch_indices);
    if (chexpert_batch_resized_start(ds, CHEXPERT_SPLIT_TRAIN, s->scratch_indices, BATCH, p, s->resized,
                                     sizeof s->resized, s->statuses, &s->resized_job) != CHEXPERT_OK)
        return 0;
    if (chexpert_batch_images_start(ds, CHEXPERT_SPLIT_TRAIN, s->scratch_indices, BATCH, p, s->images,
                                    ref_images_bytes[b], s->shapes, &s->images_job) != CHEXPERT_OK)
        return 0;
    memset(s->scratch_indices, 0xff, sizeof s->scratch_indices);  /* copied at the start */
    return 1;
}

/* Waits for both jobs of `s` and compares with batch `b`; 1 if equal. */
static int finish_batch(int b, slot_t *s) {
    int ok = chexpert_job_wait(s->resized_job) == CHEXPERT_OK;
    ok &= chexpert_job_wait(s->images_job) == CHEXPERT_OK;
    ok = ok && memcmp(s->resized, ref_resized[b], sizeof s->resized) == 0 &&
         memcmp(s->images, ref_images[b], ref_images_bytes[b]) == 0 &&
         memcmp(s->shapes, ref_shapes[b], sizeof s->shapes) == 0;
    for (int k = 0; k < BATCH; k++) ok &= s->statuses[k] == CHEXPERT_OK;
    return ok;
}

static size_t largest_images_bytes(void) {
    size_t most = 0;
    for (int b = 0; b < BATCHES; b++) most = ref_images_bytes[b] > most ? ref_images_bytes[b] : most;
    return most;
}

/* One slot with room for any batch's images (free with free_slot). */
static slot_t *new_slot(void) {
    slot_t *s = xmalloc(sizeof *s);
    s->images = xmalloc(largest_images_bytes());
    return s;
}

static void free_slot(slot_t *s) {
    free(s->images);
    free(s);
}

/* `rounds` passes over the batches with up to `depth` batches in flight;
 * 1 if every result matched. No CHECK: used in threads and children. */
static int pipelined(chexpert_dataset *ds, int threads, int depth, int rounds) {
    chexpert_params *p = params_for(threads);
    slot_t *slots = calloc((size_t)depth, sizeof *slots);
    int ok = p && slots;
    for (int d = 0; ok && d < depth; d++) ok = (slots[d].images = malloc(largest_images_bytes())) != NULL;
    int total = rounds * BATCHES, started = 0, finished = 0;
    while (ok && finished < total) {
        while (ok && started < total && started - finished < depth) {
            ok = start_batch(ds, p, started % BATCHES, &slots[started % depth]);
            started++;
        }
        if (ok) ok = finish_batch(finished % BATCHES, &slots[finished % depth]);
        finished++;
    }
    /* On failure, wait for whatever is still in flight (every job must be). */
    for (; finished < started; finished++) finish_batch(finished % BATCHES, &slots[finished % depth]);
    for (int d = 0; slots && d < depth; d++) free(slots[d].images);
    free(slots);
    chexpert_params_free(p);
    return ok;
}

/* ---- 1. results --------------------------------------------------------- */

static void *concurrent(void *arg) {
    return pipelined(arg, 2, 2, 3) ? arg : NULL;
}

static void results(chexpert_dataset *ds) {
    const int threads[] = {1, 2, 3, 8};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        CHECK(pipelined(ds, threads[t], 1, 1));
        CHECK(pipelined(ds, threads[t], 3, 2));
    }
    pthread_t callers[3];
    for (int i = 0; i < 3; i++) CHECK(pthread_create(&callers[i], NULL, concurrent, ds) == 0);
    for (int i = 0; i < 3; i++) {
        void *result = NULL;
        pthread_join(callers[i], &result);
        CHECK(result == ds);
    }
}

/* ---- 2. errors ---------------------------------------------------------- */

static void errors(chexpert_dataset *ds) {
    chexpert_params *p = params_for(2);
    CHECK(p != NULL);
    float out[RESIZED_FLOATS];
    uint8_t small[16];
    int32_t shapes[2 * BATCH];
    chexpert_job *job = (chexpert_job *)&job;  /* must stay untouched on failure */
    chexpert_job *const untouched = job;
    int64_t bad[BATCH];
    memcpy(bad, indices[0], sizeof bad);
    bad[5] = 1 << 30;

    memset(out, 0, sizeof out);
    EXPECT(CHEXPERT_E_OUT_OF_RANGE,
           chexpert_batch_resized_start(ds, CHEXPERT_SPLIT_TRAIN, bad, BATCH, p, out, sizeof out, NULL, &job));
    CHECK(job == untouched && strstr(chexpert_last_error(), "indices[5]") != NULL);
    CHECK(out[0] == 0.0f);
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
           chexpert_batch_resized_start(ds, CHEXPERT_SPLIT_TRAIN, indices[0], BATCH, p, out, sizeof out - 4, NULL,
                                        &job));
    CHECK(job == untouched);
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
           chexpert_batch_resized_start(ds, 7, indices[0], BATCH, p, out, sizeof out, NULL, &job));
    EXPECT(CHEXPERT_E_NULL_POINTER,
           chexpert_batch_resized_start(ds, CHEXPERT_SPLIT_TRAIN, indices[0], BATCH, p, out, sizeof out, NULL, NULL));
    CHECK(strstr(chexpert_last_error(), "out_job") != NULL);
    EXPECT(CHEXPERT_E_NULL_POINTER,
           chexpert_batch_images_start(ds, CHEXPERT_SPLIT_TRAIN, indices[0], BATCH, p, small, sizeof small, shapes,
                                       NULL));
    EXPECT(CHEXPERT_E_OUT_OF_RANGE,
           chexpert_batch_images_start(ds, CHEXPERT_SPLIT_TRAIN, bad, BATCH, p, small, sizeof small, shapes, &job));
    CHECK(job == untouched);
    EXPECT(CHEXPERT_E_CLOSED,
           chexpert_batch_resized_start((chexpert_dataset *)(uintptr_t)0x12345, CHEXPERT_SPLIT_TRAIN, indices[0],
                                        BATCH, p, out, sizeof out, NULL, &job));

    /* A capacity too small for the decoded images: reported by the wait, shapes set. */
    memset(shapes, 0, sizeof shapes);
    OK(chexpert_batch_images_start(ds, CHEXPERT_SPLIT_TRAIN, indices[0], BATCH, p, small, sizeof small, shapes,
                                   &job));
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_job_wait(job));
    CHECK(memcmp(shapes, ref_shapes[0], sizeof shapes) == 0);

    /* Waiting twice, a made-up job, NULL. */
    EXPECT(CHEXPERT_E_CLOSED, chexpert_job_wait(job));
    CHECK(strstr(chexpert_last_error(), "waited for already") != NULL);
    int32_t done = 5;
    EXPECT(CHEXPERT_E_CLOSED, chexpert_job_done(job, &done));
    CHECK(done == 5);
    EXPECT(CHEXPERT_E_CLOSED, chexpert_job_wait((chexpert_job *)(uintptr_t)0x4242));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_job_wait(NULL));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_job_done(NULL, &done));

    /* A dataset handle is not a job, nor a job a dataset. */
    EXPECT(CHEXPERT_E_CLOSED, chexpert_job_wait((chexpert_job *)ds));
    OK(chexpert_batch_resized_start(ds, CHEXPERT_SPLIT_TRAIN, indices[0], BATCH, p, out, sizeof out, NULL, &job));
    int64_t size = 0;
    EXPECT(CHEXPERT_E_CLOSED, chexpert_split_size((chexpert_dataset *)job, CHEXPERT_SPLIT_TRAIN, &size));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_job_done(job, NULL));
    OK(chexpert_job_wait(job));
    CHECK(memcmp(out, ref_resized[0], sizeof out) == 0);

    /* An example that cannot be read: the wait gives the synchronous call's error. */
    char name[4096], path[8192], moved[8300];
    size_t name_size = 0;
    OK(chexpert_example_name(ds, CHEXPERT_SPLIT_TRAIN, indices[0][3], name, sizeof name, &name_size));
    snprintf(path, sizeof path, "%s/%s", root, name);
    snprintf(moved, sizeof moved, "%s.moved", path);
    CHECK(rename(path, moved) == 0);
    int sync_status = chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, indices[0], BATCH, p, out, sizeof out, NULL);
    char sync_message[1024];
    snprintf(sync_message, sizeof sync_message, "%s", chexpert_last_error());
    OK(chexpert_batch_resized_start(ds, CHEXPERT_SPLIT_TRAIN, indices[0], BATCH, p, out, sizeof out, NULL, &job));
    EXPECT(sync_status, chexpert_job_wait(job));
    CHECK(sync_status == CHEXPERT_E_NOT_FOUND);
    CHECK(strcmp(chexpert_last_error(), sync_message) == 0);
    /* ... and with ON_ERROR_SUBSTITUTE, the statuses. */
    OK(chexpert_params_set(p, CHEXPERT_KEY_ON_ERROR, CHEXPERT_ON_ERROR_SUBSTITUTE));
    int32_t statuses[BATCH];
    OK(chexpert_batch_resized_start(ds, CHEXPERT_SPLIT_TRAIN, indices[0], BATCH, p, out, sizeof out, statuses, &job));
    OK(chexpert_job_wait(job));
    for (int k = 0; k < BATCH; k++) CHECK(statuses[k] == (k == 3 ? CHEXPERT_E_NOT_FOUND : CHEXPERT_OK));
    CHECK(rename(moved, path) == 0);
    chexpert_params_free(p);
}

/* ---- 3. lifetime -------------------------------------------------------- */

static void lifetime(void) {
    CHECK(settled_thread_count(1) == 1);
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, root, NULL));
    chexpert_params *p = params_for(3);
    CHECK(p != NULL);
    slot_t *s = new_slot();
    CHECK(start_batch(ds, p, 1, s));
    /* A job outlives its dataset's close, and keeps the pool until waited for. */
    chexpert_dataset_close(ds);
    int32_t done = 0;
    for (int i = 0; i < 3000 && !done; i++) {
        OK(chexpert_job_done(s->resized_job, &done));
        if (!done) usleep(1000);
    }
    CHECK(done == 1);
    CHECK(thread_count() == 4);  /* 3 pool threads and this one */
    CHECK(finish_batch(1, s));
    CHECK(settled_thread_count(1) == 1);
    free_slot(s);
    chexpert_params_free(p);
}

/* ---- 4. fork with jobs in flight ---------------------------------------- */

/* 0 or 1 (the inherited job was not done at the fork) on success. */
static int child(slot_t *inherited, int batch) {
    alarm(CHILD_SECONDS);
    int32_t done = 0;
    if (chexpert_job_done(inherited->images_job, &done) != CHEXPERT_OK) return 13;
    if (!finish_batch(batch, inherited)) return 10;  /* done again here if it was running */
    chexpert_dataset *own = NULL;
    if (chexpert_dataset_open(&own, root, NULL) != CHEXPERT_OK) return 11;
    if (!pipelined(own, 2, 2, 1)) return 12;
    chexpert_dataset_close(own);
    return done ? 0 : 1;
}

static void fork_with_jobs(int forks) {
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, root, NULL));
    chexpert_params *p = params_for(2);
    CHECK(p != NULL);
    slot_t *s = new_slot();
    int hung = 0, wrong = 0, status_seen = 0, in_flight = 0;
    for (int i = 0; i < forks; i++) {
        int batch = i % BATCHES;
        CHECK(start_batch(ds, p, batch, s));
        usleep((useconds_t)(rand() % 3000));
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) _exit(child(s, batch));
        CHECK(pid > 0);
        CHECK(finish_batch(batch, s));  /* the parent's copy is unaffected */
        int status = 0;
        CHECK(waitpid(pid, &status, 0) == pid);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
            hung++;
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
            wrong++;
            status_seen = status;
        } else {
            in_flight += WEXITSTATUS(status);
        }
    }
    if (hung || wrong) fprintf(stderr, "fork: %d children hung, %d wrong (last status %#x)\n", hung, wrong,
                               status_seen);
    CHECK(hung == 0 && wrong == 0);
    /* The fork must have caught jobs still queued or running, or this proved little. */
    CHECK(in_flight > 0);
    chexpert_dataset_close(ds);
    CHECK(settled_thread_count(1) == 1);
    free_slot(s);
    chexpert_params_free(p);
    printf("fork: %d children waited for the jobs they inherited (%d not done at the fork) and got the right "
           "bytes\n", forks, in_flight);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_jobs TREE [FORKS]\n");
        return 2;
    }
    root = argv[1];
    int forks = argc > 2 ? atoi(argv[2]) : 100;
    if (forks < 0) forks = 0;
    for (int b = 0; b < BATCHES; b++)
        for (int k = 0; k < BATCH; k++) indices[b][k] = (int64_t)(b * BATCH + k);
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, root, NULL));
    reference(ds);
    results(ds);
    errors(ds);
    chexpert_dataset_close(ds);
    lifetime();
    if (forks > 0) fork_with_jobs(forks);
    for (int b = 0; b < BATCHES; b++) free(ref_images[b]);
    CHECK_SUMMARY();
    return 0;
}
