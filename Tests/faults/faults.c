/*
 * faults.c: sqlite-style fault injection against a libchexpert built with
 * -Xswiftc -DCHEXPERT_FAULT_INJECTION (see Tests/faults/run.sh).
 *
 *   faults ROOT AIMI_ROOT TEST_ROOT
 *
 * ROOT holds CheXpert-v1.0-small/ (made by chexpert-sample; this program
 * rewrites two of its train images: the second to last becomes a tall
 * 8192x8 grey JPEG, the last is deleted). AIMI_ROOT is an AIMI download
 * with a groundtruth.csv test split (`chexpert-sample --layout aimi
 * --test-patients N --test-labels groundtruth`), TEST_ROOT a small tree with
 * one (`--test-patients N --test-labels groundtruth`): opening them lists
 * folders (AIMI detection, the patient index, one listing per test study),
 * so every allocation of those listings is failed in turn too.
 *
 * The library finds this program's hooks with dlsym(RTLD_DEFAULT, ...) (link
 * with -rdynamic): chexpert_fault_alloc (before every checked allocation:
 * nonzero fails it), chexpert_fault_track (+1/-1 per checked block handed
 * out/freed: outstanding blocks = leaks), chexpert_fault_io (before every
 * open, fstat and read of a file: 0 proceeds, an errno fails the operation,
 * -1 makes a read return 0 early (the file "shrank"), -2 makes it a 1-byte
 * partial read), chexpert_fault_thread (before the worker pool starts a
 * thread: nonzero makes pthread_create "fail").
 *
 * For each call: an unfaulted run gives the reference status and output
 * hash and counts the call's checked allocations (N) and file operations (M).
 * Then for k = 1..N the k-th allocation fails: the call must return
 * CHEXPERT_E_NO_MEMORY (or its reference status and output), free every
 * checked block it took, and the next unfaulted call must give the reference
 * again. For k = 1..M the k-th file operation gets each fault that applies
 * to it: EINTR (open, read) and a partial read must give the reference; EIO
 * (open, fstat, read) and a short read must give CHEXPERT_E_IO with a
 * message naming the file (for per-example calls: that example's status,
 * and for verify its message). A table of the allocation sites and file
 * operations exercised per call is printed. Then the worker pool: with
 * every thread start failing from the 1st, 2nd or 3rd on (a fresh pool: no
 * handle open before), the parallel calls at 4 threads must give their
 * reference (the calling thread does the work the missing threads would
 * have), and a pool that could not grow must still work once starts succeed.
 * The last line is "N passed, 0 failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <turbojpeg.h>

#include "chexpert.h"

#define CHECK_LAST_ERROR() chexpert_last_error()
#define CHECK_STATUS_NAME(status) chexpert_status_name(status)
#include "../c/check.h"

/* ------------------------------------------------------------------------ */
/* Hooks (exported: the library looks them up)                              */
/* ------------------------------------------------------------------------ */

#define MAX_SITES 64
#define MAX_OPS 4096

static atomic_long alloc_calls, alloc_fail_at, alloc_failed;
static atomic_long outstanding;
static atomic_long io_calls, io_fail_at;
static atomic_int io_action;          /* what the io_fail_at-th operation returns */
static atomic_int io_failed_op = -1;  /* the operation that was failed */
static char io_failed_path[4096];

/* Recording (single-threaded calls only: threads = 1 while recording). */
static int recording;
static char sites[MAX_SITES][160];
static int site_count;
static int op_kind[MAX_OPS];
static char op_path[MAX_OPS][512];
static int op_total;

int chexpert_fault_alloc(size_t bytes, const char *site, int line);
void chexpert_fault_track(void *block, int delta);
int chexpert_fault_io(int op, const char *path);
int chexpert_fault_thread(void);

static atomic_long thread_calls, thread_fail_from;  /* 0: no thread fault */

int chexpert_fault_thread(void) {
    long n = atomic_fetch_add(&thread_calls, 1) + 1;
    long from = atomic_load(&thread_fail_from);
    return from > 0 && n >= from;
}

int chexpert_fault_alloc(size_t bytes, const char *site, int line) {
    (void)bytes;
    long n = atomic_fetch_add(&alloc_calls, 1) + 1;
    if (recording) {
        char name[160];
        snprintf(name, sizeof name, "%s:%d", site ? site : "?", line);
        int known = 0;
        for (int i = 0; i < site_count; i++) known |= strcmp(sites[i], name) == 0;
        if (!known && site_count < MAX_SITES) strcpy(sites[site_count++], name);
    }
    if (n == atomic_load(&alloc_fail_at)) {
        atomic_fetch_add(&alloc_failed, 1);
        return 1;
    }
    return 0;
}

void chexpert_fault_track(void *block, int delta) {
    (void)block;
    atomic_fetch_add(&outstanding, delta);
}

int chexpert_fault_io(int op, const char *path) {
    long n = atomic_fetch_add(&io_calls, 1) + 1;
    if (recording && n <= MAX_OPS) {
        op_kind[n - 1] = op;
        snprintf(op_path[n - 1], sizeof op_path[0], "%s", path);
        op_total = (int)n;
    }
    if (n == atomic_load(&io_fail_at)) {
        atomic_store(&io_failed_op, op);
        snprintf(io_failed_path, sizeof io_failed_path, "%s", path);
        return atomic_load(&io_action);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Calls under test                                                          */
/* ------------------------------------------------------------------------ */

#define OK(call) EXPECT(CHEXPERT_OK, call)
#define MAX_BATCH 8

static const char *root;
static chexpert_dataset *ds;
static int64_t train_count;
static int64_t tall_index, missing_index;

typedef struct {
    int status;
    uint64_t hash;
    char message[1024];
    int32_t statuses[MAX_BATCH];
    char messages[MAX_BATCH][512];
    int count;  /* per-example statuses written (0: none) */
} result;

static uint64_t fnv(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

static void finish(result *r, int status) {
    r->status = status;
    snprintf(r->message, sizeof r->message, "%s", status == CHEXPERT_OK ? "" : chexpert_last_error());
}

static chexpert_params *params_threads(int threads) {
    chexpert_params *p = NULL;
    if (chexpert_params_create(&p) != CHEXPERT_OK) abort();
    if (chexpert_params_set(p, CHEXPERT_KEY_THREADS, threads) != CHEXPERT_OK) abort();
    return p;
}

static int threads_for_run = 1;

static void call_open(result *r) {
    chexpert_dataset *d = NULL;
    int status = chexpert_dataset_open(&d, root, NULL);
    uint64_t h = 14695981039346656037ULL;
    if (status == CHEXPERT_OK) {
        int64_t n = 0;
        chexpert_split_size(d, CHEXPERT_SPLIT_TRAIN, &n);
        h = fnv(h, &n, sizeof n);
        char name[512];
        size_t size = 0;
        for (int64_t i = 0; i < n; i++) {
            if (chexpert_example_name(d, CHEXPERT_SPLIT_TRAIN, i, name, sizeof name, &size) == CHEXPERT_OK)
                h = fnv(h, name, size);
        }
        chexpert_dataset_close(d);
    }
    finish(r, status);
    r->hash = h;
}

/* Trees opened by the open scenarios below (main's 2nd and 3rd arguments). */
static const char *aimi_root;  /* an AIMI download with a groundtruth.csv test split */
static const char *test_root;  /* a small tree with a groundtruth.csv test split */

/* Opens `at` and hashes its release, its split sizes and every train and
 * test name (the open lists folders: AIMI detection, the test studies). */
static void open_and_hash(result *r, const char *at) {
    chexpert_dataset *d = NULL;
    int status = chexpert_dataset_open(&d, at, NULL);
    uint64_t h = 14695981039346656037ULL;
    if (status == CHEXPERT_OK) {
        int32_t release = -1;
        chexpert_dataset_release(d, &release);
        h = fnv(h, &release, sizeof release);
        static const int splits[] = {CHEXPERT_SPLIT_TRAIN, CHEXPERT_SPLIT_TEST};
        for (size_t s = 0; s < 2; s++) {
            int64_t n = -1;
            if (chexpert_split_size(d, splits[s], &n) != CHEXPERT_OK) n = -1;
            h = fnv(h, &n, sizeof n);
            char name[512];
            size_t size = 0;
            for (int64_t i = 0; i < n; i++) {
                if (chexpert_example_name(d, splits[s], i, name, sizeof name, &size) == CHEXPERT_OK)
                    h = fnv(h, name, size);
            }
        }
        chexpert_dataset_close(d);
    }
    finish(r, status);
    r->hash = h;
}

static void call_open_aimi(result *r) { open_and_hash(r, aimi_root); }
static void call_open_test_split(result *r) { open_and_hash(r, test_root); }

static void call_example_image(result *r) {
    static uint8_t pixels[1 << 22];
    int32_t height = 0, width = 0;
    int status = chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 1, pixels, sizeof pixels, &height, &width);
    finish(r, status);
    r->hash = fnv(fnv(14695981039346656037ULL, &height, 4), &width, 4);
    if (status == CHEXPERT_OK) r->hash = fnv(r->hash, pixels, (size_t)height * (size_t)width * 3);
}

static const int64_t normal_indices[] = {0, 1, 2};

/* Set by the "... job" scenarios: batch calls go through
 * chexpert_batch_*_start and chexpert_job_wait (an allocation fault may hit
 * either: the start must then return it with no job, the wait with the
 * job's memory freed). */
static int as_job;

static int batch_images(const int64_t *indices, size_t count, chexpert_params *p, uint8_t *out, size_t bytes,
                        int32_t *shapes) {
    if (!as_job) return chexpert_batch_images(ds, CHEXPERT_SPLIT_TRAIN, indices, count, p, out, bytes, shapes);
    chexpert_job *job = NULL;
    int status = chexpert_batch_images_start(ds, CHEXPERT_SPLIT_TRAIN, indices, count, p, out, bytes, shapes, &job);
    return status != CHEXPERT_OK ? status : chexpert_job_wait(job);
}

static int batch_resized(const int64_t *indices, size_t count, chexpert_params *p, float *out, size_t bytes,
                         int32_t *statuses) {
    if (!as_job) return chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, indices, count, p, out, bytes, statuses);
    chexpert_job *job = NULL;
    int status = chexpert_batch_resized_start(ds, CHEXPERT_SPLIT_TRAIN, indices, count, p, out, bytes, statuses,
                                              &job);
    return status != CHEXPERT_OK ? status : chexpert_job_wait(job);
}

static void call_batch_images(result *r) {
    static uint8_t pixels[1 << 23];
    int32_t shapes[6] = {0};
    chexpert_params *p = params_threads(threads_for_run);
    int status = batch_images(normal_indices, 3, p, pixels, sizeof pixels, shapes);
    chexpert_params_free(p);
    finish(r, status);
    r->hash = fnv(14695981039346656037ULL, shapes, sizeof shapes);
    size_t total = 0;
    for (int k = 0; k < 3; k++) total += (size_t)shapes[2 * k] * (size_t)shapes[2 * k + 1] * 3;
    if (status == CHEXPERT_OK) r->hash = fnv(r->hash, pixels, total);
}

/* Set by call_resized_augmented: the next resized batch is augmented. */
static int augmented;

/* A resized batch of `indices`; mode 0 raise, 1 substitute. */
static void resized(result *r, const int64_t *indices, int count, int height, int width, int channels, int substitute) {
    chexpert_params *p = params_threads(threads_for_run);
    chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, height);
    chexpert_params_set(p, CHEXPERT_KEY_WIDTH, width);
    chexpert_params_set(p, CHEXPERT_KEY_CHANNELS, channels);
    chexpert_params_set(p, CHEXPERT_KEY_DTYPE, CHEXPERT_DTYPE_FLOAT32);
    chexpert_params_set(p, CHEXPERT_KEY_NORMALIZE, CHEXPERT_NORMALIZE_IMAGENET);
    chexpert_params_set(p, CHEXPERT_KEY_FIT, CHEXPERT_FIT_STRETCH);
    chexpert_params_set(p, CHEXPERT_KEY_FILTER, CHEXPERT_FILTER_BILINEAR);
    if (substitute) chexpert_params_set(p, CHEXPERT_KEY_ON_ERROR, CHEXPERT_ON_ERROR_SUBSTITUTE);
    if (augmented) {
        const float crop[2] = {0.5f, 1.0f}, contrast[1] = {0.3f};
        chexpert_params_set(p, CHEXPERT_KEY_AUGMENT, CHEXPERT_AUGMENT_JFHEALTHCARE);
        chexpert_params_set_floats(p, CHEXPERT_KEY_AUG_CROP_SCALE, crop, 2);
        chexpert_params_set_floats(p, CHEXPERT_KEY_AUG_CONTRAST, contrast, 1);
    }
    size_t bytes = 0;
    if (chexpert_resize_output_bytes(p, (size_t)count, &bytes) != CHEXPERT_OK) abort();
    float *out = xmalloc(bytes);
    memset(out, 0xAB, bytes);
    int32_t statuses[MAX_BATCH];
    for (int k = 0; k < MAX_BATCH; k++) statuses[k] = 12345;
    int status = batch_resized(indices, (size_t)count, p, out, bytes, statuses);
    chexpert_params_free(p);
    finish(r, status);
    r->hash = 14695981039346656037ULL;
    if (status == CHEXPERT_OK) {
        r->hash = fnv(r->hash, out, bytes);
        r->hash = fnv(r->hash, statuses, sizeof(int32_t) * (size_t)count);
        memcpy(r->statuses, statuses, sizeof(int32_t) * (size_t)count);
        r->count = count;
    }
    free(out);
}

static void call_resized(result *r) { resized(r, normal_indices, 3, 64, 48, 3, 0); }

/* Native augmentation (its warp allocates its own output plane). */
static void call_resized_augmented(result *r) {
    augmented = 1;
    resized(r, normal_indices, 3, 64, 48, 3, 0);
    augmented = 0;
}

static void call_images_job(result *r) {
    as_job = 1;
    call_batch_images(r);
    as_job = 0;
}

static void call_resized_job(result *r) {
    as_job = 1;
    call_resized(r);
    as_job = 0;
}

static void call_resized_substitute(result *r) {
    int64_t indices[3] = {0, missing_index, tall_index};
    resized(r, indices, 3, 1, 65535, 1, 1);
}

/* The extreme, legal resize: 8192 source rows x 65535 x 4 bytes of rows. */
static void call_resized_extreme(result *r) {
    int64_t indices[1] = {tall_index};
    resized(r, indices, 1, 1, 65535, 1, 0);
}

static void call_batch_targets(result *r) {
    chexpert_params *p = params_threads(1);
    chexpert_params_set(p, CHEXPERT_KEY_TARGET_PRESET, CHEXPERT_PRESET_XRV);
    float targets[64 * 3], masks[64 * 3];
    int status = chexpert_batch_targets(ds, CHEXPERT_SPLIT_TRAIN, normal_indices, 3, p, targets, masks, 64 * 3);
    chexpert_params_free(p);
    finish(r, status);
    r->hash = fnv(fnv(14695981039346656037ULL, targets, sizeof targets), masks, sizeof masks);
}

static void call_shard_indices(result *r) {
    chexpert_params *p = params_threads(1);
    chexpert_params_set(p, CHEXPERT_KEY_SHUFFLE, 1);
    chexpert_params_set(p, CHEXPERT_KEY_SEED, 7);
    chexpert_params_set(p, CHEXPERT_KEY_WORLD, 3);
    chexpert_params_set(p, CHEXPERT_KEY_RANK, 1);
    int64_t out[400];
    size_t n = 0;
    int status = chexpert_shard_indices(p, 1000, out, 400, &n);
    chexpert_params_free(p);
    finish(r, status);
    r->hash = fnv(fnv(14695981039346656037ULL, &n, sizeof n), out, status == CHEXPERT_OK ? n * 8 : 0);
}

static void call_batch_verify(result *r) {
    int64_t indices[4] = {0, 1, missing_index, 2};
    chexpert_params *p = params_threads(threads_for_run);
    int32_t statuses[4];
    static char messages[4][512];
    memset(messages, 0, sizeof messages);
    int status = chexpert_batch_verify(ds, CHEXPERT_SPLIT_TRAIN, indices, 4, p, statuses, &messages[0][0], 512);
    chexpert_params_free(p);
    finish(r, status);
    r->hash = 14695981039346656037ULL;
    if (status == CHEXPERT_OK) {
        r->hash = fnv(fnv(r->hash, statuses, sizeof statuses), messages, sizeof messages);
        memcpy(r->statuses, statuses, sizeof statuses);
        memcpy(r->messages, messages, sizeof messages);
        r->count = 4;
    }
}

/* Handles past the registry's table (Sources/ChexpertABI/Boundary/SlotTable.swift:
 * 16 slots, doubling, shrunk when a quarter or less is used). With `ds` open,
 * 15 params fill it, a dataset open grows it to 32, 15 more params fill that,
 * a job start grows it to 64, 32 more params fill it and the next grows it to
 * 128; freeing everything shrinks it back to 16. So each kind of handle meets
 * a growth, and failing it must give CHEXPERT_E_NO_MEMORY from that call with
 * nothing kept (handles_failed counts which calls did, checked after). */
enum { PAST_PARAMS = 63 };
static long handles_failed[3];  /* params_create, dataset_open, batch_images_start */

static void call_handles_past_table(result *r) {
    static uint8_t pixels[1 << 16];
    chexpert_params *ps[PAST_PARAMS];
    int made = 0, status = CHEXPERT_OK, failed_call = -1;
    chexpert_dataset *d = NULL;
    chexpert_job *job = NULL;
    int32_t shapes[2] = {0};
    const int64_t first[1] = {0};
    r->message[0] = 0;
    for (int step = 0; step < PAST_PARAMS + 2 && status == CHEXPERT_OK; step++) {
        if (step == 15) {
            status = chexpert_dataset_open(&d, root, NULL);
            failed_call = 1;
        } else if (step == 31) {
            status = chexpert_batch_images_start(ds, CHEXPERT_SPLIT_TRAIN, first, 1, ps[0], pixels, sizeof pixels,
                                                 shapes, &job);
            failed_call = 2;
        } else {
            status = chexpert_params_create(&ps[made]);
            if (status == CHEXPERT_OK) status = chexpert_params_set(ps[made++], CHEXPERT_KEY_THREADS, 1);
            failed_call = 0;
        }
    }
    if (status != CHEXPERT_OK) {
        snprintf(r->message, sizeof r->message, "%s", chexpert_last_error());
        if (status == CHEXPERT_E_NO_MEMORY && strstr(r->message, "handle table")) handles_failed[failed_call]++;
    }
    if (job) {
        int waited = chexpert_job_wait(job);
        if (status == CHEXPERT_OK && waited != CHEXPERT_OK) {
            status = waited;
            snprintf(r->message, sizeof r->message, "%s", chexpert_last_error());
        }
    }
    while (made > 0) chexpert_params_free(ps[--made]);
    chexpert_dataset_close(d);
    r->status = status;
    r->hash = fnv(14695981039346656037ULL, shapes, sizeof shapes);
    if (status == CHEXPERT_OK) r->hash = fnv(r->hash, pixels, (size_t)shapes[0] * (size_t)shapes[1] * 3);
}

typedef struct {
    const char *name;
    void (*run)(result *);
    int per_example;   /* data errors land in statuses (substitute, verify) */
    int reference;     /* expected unfaulted status */
    const char *reference_message;  /* a substring of its message, or NULL */
} scenario;

static const scenario scenarios[] = {
    {"dataset_open (+close)", call_open, 0, CHEXPERT_OK, NULL},
    {"dataset_open aimi", call_open_aimi, 0, CHEXPERT_OK, NULL},
    {"dataset_open test split", call_open_test_split, 0, CHEXPERT_OK, NULL},
    {"example_image", call_example_image, 0, CHEXPERT_OK, NULL},
    {"batch_images", call_batch_images, 0, CHEXPERT_OK, NULL},
    {"batch_resized", call_resized, 0, CHEXPERT_OK, NULL},
    {"batch_resized augmented", call_resized_augmented, 0, CHEXPERT_OK, NULL},
    {"batch_resized extreme (raise)", call_resized_extreme, 0, CHEXPERT_E_LIMIT, "CHEXPERT_MAX_SCRATCH_BYTES"},
    {"batch_resized substitute", call_resized_substitute, 1, CHEXPERT_OK, NULL},
    {"batch_targets", call_batch_targets, 0, CHEXPERT_OK, NULL},
    {"shard_indices (shuffled)", call_shard_indices, 0, CHEXPERT_OK, NULL},
    {"batch_verify", call_batch_verify, 1, CHEXPERT_OK, NULL},
    {"batch_images job", call_images_job, 0, CHEXPERT_OK, NULL},
    {"batch_resized job", call_resized_job, 0, CHEXPERT_OK, NULL},
    {"handles past the table", call_handles_past_table, 0, CHEXPERT_OK, NULL},
};

/* The scenario called `name` (the parallel runs pick theirs by name). */
static const scenario *scenario_named(const char *name) {
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        if (strcmp(scenarios[i].name, name) == 0) return &scenarios[i];
    }
    fprintf(stderr, "faults.c: no scenario named %s\n", name);
    exit(2);
}

/* ------------------------------------------------------------------------ */
/* The driver                                                                */
/* ------------------------------------------------------------------------ */

static void reset_counters(void) {
    atomic_store(&alloc_calls, 0);
    atomic_store(&alloc_fail_at, 0);
    atomic_store(&alloc_failed, 0);
    atomic_store(&io_calls, 0);
    atomic_store(&io_fail_at, 0);
    atomic_store(&io_action, 0);
    atomic_store(&io_failed_op, -1);
    io_failed_path[0] = 0;
}

/* The part of `path` that names the file in messages: from the dataset
 * folder's name on (messages show paths relative to the root). */
static const char *shown(const char *path) {
    const char *at = strstr(path, "CheXpert-v1.0-small/");
    return at ? at + strlen("CheXpert-v1.0-small/") : path;
}

static int failures_logged;

static void fail_run(const scenario *s, const char *what, const char *detail, const result *got) {
    fprintf(stderr, "%s: %s (%s)\n  status %s, message: %s\n", s->name, what, detail,
            chexpert_status_name(got->status), got->message);
    failures_logged++;
    check_failed_(__FILE__, __LINE__, what, got->message);
}

/* The next unfaulted call gives the reference again. */
static void recovers(const scenario *s, const result *ref, const char *after) {
    reset_counters();
    long before = atomic_load(&outstanding);
    result again;
    memset(&again, 0, sizeof again);
    s->run(&again);
    if (again.status != ref->status || again.hash != ref->hash) fail_run(s, "the next call differs", after, &again);
    passed++;
    if (atomic_load(&outstanding) != before) fail_run(s, "the next call leaked checked blocks", after, &again);
    passed++;
}

static const char *op_names[] = {"open", "fstat", "read"};

typedef struct {
    int action;
    const char *name;
    int ops;  /* bit mask of the operations it applies to */
    int transparent;  /* retried/continued: must give the reference */
} io_fault;

static const io_fault io_faults[] = {
    {EINTR, "EINTR", 1 << 0 | 1 << 2, 1},
    {-2, "partial read", 1 << 2, 1},
    {EIO, "EIO", 1 << 0 | 1 << 1 | 1 << 2, 0},
    {-1, "short read", 1 << 2, 0},
};

static void run_scenario(const scenario *s) {
    result ref;
    memset(&ref, 0, sizeof ref);
    reset_counters();
    site_count = 0;
    op_total = 0;
    recording = 1;
    long before = atomic_load(&outstanding);
    s->run(&ref);
    recording = 0;
    long allocations = atomic_load(&alloc_calls);
    long ios = atomic_load(&io_calls);
    CHECK(ref.status == s->reference);
    if (s->reference_message) CHECK(strstr(ref.message, s->reference_message) != NULL);
    CHECK(atomic_load(&outstanding) == before);
    int opens = 0, stats = 0, reads = 0;
    for (int i = 0; i < op_total; i++) {
        opens += op_kind[i] == 0;
        stats += op_kind[i] == 1;
        reads += op_kind[i] == 2;
    }
    int checked_runs = 0;

    /* Allocation faults. */
    for (long k = 1; k <= allocations; k++) {
        reset_counters();
        atomic_store(&alloc_fail_at, k);
        long held = atomic_load(&outstanding);
        result got;
        memset(&got, 0, sizeof got);
        s->run(&got);
        char detail[64];
        snprintf(detail, sizeof detail, "allocation %ld of %ld", k, allocations);
        if (atomic_load(&alloc_failed) != 1) fail_run(s, "the allocation was not reached", detail, &got);
        if (!(got.status == CHEXPERT_E_NO_MEMORY || (got.status == ref.status && got.hash == ref.hash)))
            fail_run(s, "expected CHEXPERT_E_NO_MEMORY", detail, &got);
        passed++;
        if (got.status == CHEXPERT_E_NO_MEMORY && strstr(got.message, "allocate") == NULL)
            fail_run(s, "the message does not say what could not be allocated", detail, &got);
        if (atomic_load(&outstanding) != held) fail_run(s, "checked blocks leaked", detail, &got);
        passed++;
        recovers(s, &ref, detail);
        checked_runs++;
    }

    /* I/O faults. */
    int io_runs = 0;
    for (long k = 1; k <= ios && k <= op_total; k++) {
        int op = op_kind[k - 1];
        for (size_t f = 0; f < sizeof io_faults / sizeof io_faults[0]; f++) {
            const io_fault *fault = &io_faults[f];
            if (!(fault->ops & (1 << op))) continue;
            reset_counters();
            atomic_store(&io_fail_at, k);
            atomic_store(&io_action, fault->action);
            long held = atomic_load(&outstanding);
            result got;
            memset(&got, 0, sizeof got);
            s->run(&got);
            char detail[700];
            snprintf(detail, sizeof detail, "%s at %s %ld of %ld (%.500s)", fault->name, op_names[op], k, ios,
                     shown(op_path[k - 1]));
            if (atomic_load(&io_failed_op) != op) fail_run(s, "the operation was not reached", detail, &got);
            const char *file = shown(io_failed_path);
            if (fault->transparent) {
                if (got.status != ref.status || got.hash != ref.hash) fail_run(s, "expected the reference result", detail, &got);
                passed++;
            } else if (s->per_example && got.status == CHEXPERT_OK) {
                int found = 0;
                for (int i = 0; i < got.count; i++) {
                    if (got.statuses[i] == CHEXPERT_E_IO && ref.statuses[i] != CHEXPERT_E_IO) {
                        found = 1;
                        if (s->run == call_batch_verify && strstr(got.messages[i], file) == NULL)
                            fail_run(s, "the example's message does not name the file", detail, &got);
                    }
                }
                if (!found) fail_run(s, "no example has CHEXPERT_E_IO", detail, &got);
                passed++;
            } else {
                if (got.status != CHEXPERT_E_IO) fail_run(s, "expected CHEXPERT_E_IO", detail, &got);
                if (strstr(got.message, file) == NULL) fail_run(s, "the message does not name the file", detail, &got);
                passed += 2;
            }
            if (atomic_load(&outstanding) != held) fail_run(s, "checked blocks leaked", detail, &got);
            passed++;
            recovers(s, &ref, detail);
            io_runs++;
        }
    }

    printf("%-30s %-17s %5ld %6d | %3d %3d %3d %6d\n", s->name, chexpert_status_name(ref.status), allocations,
           checked_runs, opens, stats, reads, io_runs);
    for (int i = 0; i < site_count; i++) printf("%-30s   alloc site %s\n", "", sites[i]);
}

/* ------------------------------------------------------------------------ */
/* Fixture                                                                   */
/* ------------------------------------------------------------------------ */

static void write_tall_jpeg(const char *path) {
    enum { W = 8, H = 8192 };
    static unsigned char grey[W * H];
    for (int i = 0; i < W * H; i++) grey[i] = (unsigned char)(i * 7);
    tjhandle tj = tjInitCompress();
    unsigned char *jpeg = NULL;
    unsigned long size = 0;
    if (!tj || tjCompress2(tj, grey, W, 0, H, TJPF_GRAY, &jpeg, &size, TJSAMP_GRAY, 90, 0) != 0) {
        fprintf(stderr, "cannot encode the tall JPEG\n");
        exit(2);
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(jpeg, 1, size, f) != size || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    tjFree(jpeg);
    tjDestroy(tj);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: faults ROOT AIMI_ROOT TEST_ROOT\n");
        return 2;
    }
    root = argv[1];
    aimi_root = argv[2];
    test_root = argv[3];
    OK(chexpert_dataset_open(&ds, root, NULL));
    OK(chexpert_split_size(ds, CHEXPERT_SPLIT_TRAIN, &train_count));
    CHECK(train_count >= 5);
    tall_index = train_count - 2;
    missing_index = train_count - 1;
    char name[1024], path[4096];
    size_t size = 0;
    OK(chexpert_example_name(ds, CHEXPERT_SPLIT_TRAIN, tall_index, name, sizeof name, &size));
    snprintf(path, sizeof path, "%s/%s", root, name);
    write_tall_jpeg(path);
    OK(chexpert_example_name(ds, CHEXPERT_SPLIT_TRAIN, missing_index, name, sizeof name, &size));
    snprintf(path, sizeof path, "%s/%s", root, name);
    unlink(path);

    printf("alloc: checked allocations of the call (each failed in turn); opn/sta/rd: file open, fstat\n"
           "and read operations (the only read sites: Support/FileReader.swift), each given EINTR, EIO,\n"
           "a short read (EOF early) and a partial read where they apply; io-run: faulted runs.\n");
    printf("%-30s %-17s %5s %6s | %3s %3s %3s %6s\n", "call", "reference", "alloc", "failed", "opn", "sta", "rd",
           "io-run");
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) run_scenario(&scenarios[i]);
    /* Each kind of handle met a table growth that failed. */
    CHECK(handles_failed[0] > 0 && handles_failed[1] > 0 && handles_failed[2] > 0);

    /* Two worker threads: which allocation fails first varies, the outcome not. */
    threads_for_run = 2;
    const scenario *parallel[] = {
        scenario_named("batch_images"), scenario_named("batch_resized"),
        scenario_named("batch_resized augmented"), scenario_named("batch_resized substitute"),
        scenario_named("batch_verify"), scenario_named("batch_images job"), scenario_named("batch_resized job"),
    };
    for (size_t i = 0; i < sizeof parallel / sizeof parallel[0]; i++) {
        result ref;
        memset(&ref, 0, sizeof ref);
        reset_counters();
        parallel[i]->run(&ref);
        long allocations = atomic_load(&alloc_calls);
        for (long k = 1; k <= allocations; k++) {
            reset_counters();
            atomic_store(&alloc_fail_at, k);
            long held = atomic_load(&outstanding);
            result got;
            memset(&got, 0, sizeof got);
            parallel[i]->run(&got);
            CHECK(got.status == CHEXPERT_E_NO_MEMORY || (got.status == ref.status && got.hash == ref.hash));
            CHECK(atomic_load(&outstanding) == held);
            recovers(parallel[i], &ref, "threads 2");
        }
        printf("%-30s threads=2: %ld allocation faults\n", parallel[i]->name, allocations);
    }

    /* Thread starts failing: the calling thread does the work. */
    threads_for_run = 4;
    result refs[sizeof parallel / sizeof parallel[0]];
    for (size_t i = 0; i < sizeof parallel / sizeof parallel[0]; i++) {
        memset(&refs[i], 0, sizeof refs[i]);
        parallel[i]->run(&refs[i]);
    }
    chexpert_dataset_close(ds);  /* the last handle: the pool ends */
    for (long from = 1; from <= 3; from++) {
        atomic_store(&thread_calls, 0);
        atomic_store(&thread_fail_from, from);
        OK(chexpert_dataset_open(&ds, root, NULL));
        for (size_t i = 0; i < sizeof parallel / sizeof parallel[0]; i++) {
            result got;
            memset(&got, 0, sizeof got);
            parallel[i]->run(&got);
            CHECK(got.status == refs[i].status && got.hash == refs[i].hash);
        }
        CHECK(atomic_load(&thread_calls) >= from);  /* starts were attempted and failed */
        atomic_store(&thread_fail_from, 0);         /* starts succeed again: the pool grows */
        for (size_t i = 0; i < sizeof parallel / sizeof parallel[0]; i++) {
            result got;
            memset(&got, 0, sizeof got);
            parallel[i]->run(&got);
            CHECK(got.status == refs[i].status && got.hash == refs[i].hash);
        }
        chexpert_dataset_close(ds);
    }
    printf("%-30s threads=4: thread starts failing from the 1st, 2nd, 3rd\n", "worker pool");
    CHECK(atomic_load(&outstanding) == 0);
    CHECK_SUMMARY();
    return 0;
}
