/*
 * bench/libchexpert_batch.c: libchexpert's batch calls from C, on the same files as bench/ceiling.c.
 *
 *   resize mode (output A): chexpert_batch_resized() per batch of --batch indices (default 64) into one reused
 *       caller buffer: 224 x 224 x 3 float32 NCHW (--layout nhwc: NHWC), COVER, --filter (default bilinear),
 *       ImageNet, DCT FAST, --resample (default fast: CHEXPERT_RESAMPLE_FAST), all in one chexpert_params set; labels and views into reused buffers too (chexpert_batch_labels, _views).
 *   decode mode (output B, the raw TFDS image): per batch chexpert_batch_images() (uint8 H x W x 3 packed, the
 *       shapes) into one reused buffer sized for the largest batch, then chexpert_batch_labels() and _views().
 *
 *   --jobs N (N >= 1): the same calls as jobs (chexpert_batch_resized_start / chexpert_batch_images_start, then
 *       chexpert_job_wait), with up to N batches in flight, each in its own buffer: batch k + N - 1 is started
 *       before batch k is waited for (labels and views of batch k are read while later batches decode).
 *
 * Usage: libchexpert_batch --root DIR --indices FILE [--mode resize|decode] [--threads T] [--size 224]
 *                          [--filter area|bilinear] [--resample fast|exact] [--layout nchw|nhwc] [--count N]
 *                          [--warmup N] [--batch 64] [--jobs N]
 * FILE: one train-split index per line. The first --count (default all) are timed after a warm-up pass over the
 * first --warmup (default 256). Prints one JSON line like bench/ceiling.c. Exit 0 ok, 1 failure, 2 bad usage.
 */
#define _GNU_SOURCE
#include <chexpert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"

typedef struct {
    chexpert_dataset *ds;
    int decode;
    int batch;
    int jobs;                /* 0: synchronous calls; else jobs in flight (and output buffers) */
    chexpert_params *params; /* THREADS (both modes), the resize keys (resize mode) */
    void *out;               /* jobs > 0: `jobs` buffers of out_bytes, back to back */
    chexpert_job **pending;  /* jobs > 0: the job of each buffer */
    size_t out_bytes;
    int64_t *labels;
    size_t labels_cap;
    int64_t *views;
    int32_t *shapes;
} bench_t;

static int fail(const char *what, int status) {
    fprintf(stderr, "libchexpert_batch: %s: %s: %s\n", what, chexpert_status_name(status), chexpert_last_error());
    return 1;
}

/* Starts the job of batch `k` (n indices at idx; shapes at `shapes`) into buffer k % jobs. */
static int start_job(bench_t *b, const int64_t *idx, size_t n, size_t k, int32_t *shapes) {
    size_t slot = k % (size_t)b->jobs;
    void *out = (char *)b->out + slot * b->out_bytes;
    int status = b->decode ? chexpert_batch_images_start(b->ds, CHEXPERT_SPLIT_TRAIN, idx, n, b->params, out,
                                                         b->out_bytes, shapes, &b->pending[slot])
                           : chexpert_batch_resized_start(b->ds, CHEXPERT_SPLIT_TRAIN, idx, n, b->params, out,
                                                          b->out_bytes, NULL, &b->pending[slot]);
    return status == CHEXPERT_OK ? 0 : fail(b->decode ? "chexpert_batch_images_start" : "chexpert_batch_resized_start",
                                            status);
}

static int run_jobs(bench_t *b, const int64_t *indices, size_t count) {
    size_t batches = (count + (size_t)b->batch - 1) / (size_t)b->batch, started = 0;
    for (size_t k = 0; k < batches; k++) {
        for (; started < batches && started < k + (size_t)b->jobs; started++) {
            size_t from = started * (size_t)b->batch;
            size_t n = count - from < (size_t)b->batch ? count - from : (size_t)b->batch;
            /* each batch in flight its own shapes: b->shapes holds 2 per file of the run */
            if (start_job(b, indices + from, n, started, b->shapes + 2 * from) != 0) return 1;
        }
        size_t from = k * (size_t)b->batch;
        size_t n = count - from < (size_t)b->batch ? count - from : (size_t)b->batch;
        int status = chexpert_batch_labels(b->ds, CHEXPERT_SPLIT_TRAIN, indices + from, n, b->labels, b->labels_cap);
        if (status != CHEXPERT_OK) return fail("chexpert_batch_labels", status);
        status = chexpert_batch_views(b->ds, CHEXPERT_SPLIT_TRAIN, indices + from, n, b->views, n);
        if (status != CHEXPERT_OK) return fail("chexpert_batch_views", status);
        status = chexpert_job_wait(b->pending[k % (size_t)b->jobs]);
        if (status != CHEXPERT_OK) return fail("chexpert_job_wait", status);
    }
    return 0;
}

static int run(bench_t *b, const int64_t *indices, size_t count) {
    if (b->jobs > 0) return run_jobs(b, indices, count);
    for (size_t start = 0; start < count; start += (size_t)b->batch) {
        size_t n = count - start < (size_t)b->batch ? count - start : (size_t)b->batch;
        const int64_t *idx = indices + start;
        int status;
        if (b->decode) {
            status = chexpert_batch_images(b->ds, CHEXPERT_SPLIT_TRAIN, idx, n, b->params, b->out, b->out_bytes,
                                           b->shapes);
            if (status != CHEXPERT_OK) return fail("chexpert_batch_images", status);
        } else {
            status = chexpert_batch_resized(b->ds, CHEXPERT_SPLIT_TRAIN, idx, n, b->params, b->out, b->out_bytes,
                                            NULL);
            if (status != CHEXPERT_OK) return fail("chexpert_batch_resized", status);
        }
        status = chexpert_batch_labels(b->ds, CHEXPERT_SPLIT_TRAIN, idx, n, b->labels, b->labels_cap);
        if (status != CHEXPERT_OK) return fail("chexpert_batch_labels", status);
        status = chexpert_batch_views(b->ds, CHEXPERT_SPLIT_TRAIN, idx, n, b->views, n);
        if (status != CHEXPERT_OK) return fail("chexpert_batch_views", status);
    }
    return 0;
}

static const char USAGE[] = "usage: libchexpert_batch --root DIR --indices FILE [--mode resize|decode] "
                            "[--threads T] [--size N] [--filter area|bilinear] [--resample fast|exact] "
                            "[--layout nchw|nhwc] [--count N] [--warmup N] [--batch N] [--jobs N]\n";

int main(int argc, char **argv) {
    bench_options o;
    if (bench_parse(argc, argv, USAGE, &o) != 0) return 2;
    int decode = !strcmp(o.mode, "decode");
    if (o.root == NULL || o.list == NULL || (!decode && strcmp(o.mode, "resize")) || o.threads < 0 || o.jobs < 0 ||
        o.size < 1 || o.batch < 1 || (strcmp(o.filter, "area") && strcmp(o.filter, "bilinear")) ||
        (strcmp(o.resample, "fast") && strcmp(o.resample, "exact")) || (strcmp(o.layout, "nchw") && strcmp(o.layout, "nhwc"))) {
        fprintf(stderr, "%s", USAGE);
        return 2;
    }
    size_t n;
    char **lines = bench_read_lines(o.list, &n);
    if (lines == NULL) return 1;
    int64_t *indices = malloc((n ? n : 1) * sizeof *indices);
    for (size_t i = 0; i < n; i++) indices[i] = strtoll(lines[i], NULL, 10);
    long count = o.count, warmup = o.warmup;
    int size = o.size, batch = o.batch;
    if (count < 0 || (size_t)count > n) count = (long)n;
    if (warmup > count) warmup = count;

    bench_t b;
    memset(&b, 0, sizeof b);
    b.decode = decode;
    b.batch = batch;
    b.jobs = o.jobs;
    int status = chexpert_dataset_open(&b.ds, o.root, NULL);
    if (status != CHEXPERT_OK) return fail("chexpert_dataset_open", status);
    int32_t labels = 0;
    status = chexpert_split_num_labels(b.ds, CHEXPERT_SPLIT_TRAIN, &labels);
    if (status != CHEXPERT_OK) return fail("chexpert_split_num_labels", status);
    b.labels_cap = (size_t)batch * (size_t)labels;
    b.labels = malloc(b.labels_cap * sizeof *b.labels);
    b.views = malloc((size_t)batch * sizeof *b.views);
    b.shapes = malloc(2 * (size_t)(count > batch ? count : batch) * sizeof *b.shapes);
    status = chexpert_params_create(&b.params);
    if (status != CHEXPERT_OK) return fail("chexpert_params_create", status);
    status = chexpert_params_set(b.params, CHEXPERT_KEY_THREADS, o.threads);
    if (status != CHEXPERT_OK) return fail("chexpert_params_set(THREADS)", status);
    if (decode) {
        /* one buffer for the largest batch of the run (shapes read once here, outside the timing) */
        status = chexpert_batch_images(b.ds, CHEXPERT_SPLIT_TRAIN, indices, (size_t)count, b.params, NULL, 0,
                                       b.shapes);
        if (status != CHEXPERT_OK) return fail("chexpert_batch_images (size query)", status);
        size_t largest = 0;
        for (long start = 0; start < count; start += batch) {
            size_t bytes = 0;
            for (long k = start; k < count && k < start + batch; k++)
                bytes += (size_t)b.shapes[2 * k] * (size_t)b.shapes[2 * k + 1] * 3;
            if (bytes > largest) largest = bytes;
        }
        b.out_bytes = largest;
    } else {
        const int64_t settings[][2] = {
            {CHEXPERT_KEY_HEIGHT, size}, {CHEXPERT_KEY_WIDTH, size}, {CHEXPERT_KEY_CHANNELS, 3},
            {CHEXPERT_KEY_LAYOUT, strcmp(o.layout, "nchw") ? CHEXPERT_LAYOUT_NHWC : CHEXPERT_LAYOUT_NCHW},
            {CHEXPERT_KEY_DTYPE, CHEXPERT_DTYPE_FLOAT32},
            {CHEXPERT_KEY_RESAMPLE, strcmp(o.resample, "fast") ? CHEXPERT_RESAMPLE_EXACT : CHEXPERT_RESAMPLE_FAST},
            {CHEXPERT_KEY_FIT, CHEXPERT_FIT_COVER},
            {CHEXPERT_KEY_FILTER, strcmp(o.filter, "area") ? CHEXPERT_FILTER_BILINEAR : CHEXPERT_FILTER_AREA},
            {CHEXPERT_KEY_NORMALIZE, CHEXPERT_NORMALIZE_IMAGENET}, {CHEXPERT_KEY_DCT, CHEXPERT_DCT_FAST}};
        for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
            status = chexpert_params_set(b.params, (int)settings[i][0], settings[i][1]);
            if (status != CHEXPERT_OK) return fail("chexpert_params_set", status);
        }
        status = chexpert_resize_output_bytes(b.params, (size_t)batch, &b.out_bytes);
        if (status != CHEXPERT_OK) return fail("chexpert_resize_output_bytes", status);
    }
    b.out_bytes = (b.out_bytes + 63) / 64 * 64;
    size_t buffers = b.jobs > 0 ? (size_t)b.jobs : 1;
    b.out = aligned_alloc(64, buffers * b.out_bytes);
    b.pending = calloc(buffers, sizeof *b.pending);
    if (b.out == NULL || b.pending == NULL || b.labels == NULL || b.views == NULL || b.shapes == NULL) return 1;
    memset(b.out, 0, buffers * b.out_bytes);

    if (run(&b, indices, (size_t)warmup) != 0) return 1;
    double t0 = bench_now();
    if (run(&b, indices, (size_t)count) != 0) return 1;
    double dt = bench_now() - t0;
    double check = decode ? ((unsigned char *)b.out)[0] : ((float *)b.out)[size * size * 3 / 2];
    bench_print(count, dt, check);
    chexpert_params_free(b.params);
    chexpert_dataset_close(b.ds);
    return 0;
}
