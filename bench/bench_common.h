/*
 * bench/bench_common.h: what the two C contenders (ceiling.c, libchexpert_batch.c) share: options, the list
 * file, the clock and the JSON result line. Header-only (static functions), C11.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct {
    const char *root;    /* --root DIR (libchexpert_batch) */
    const char *list;    /* --list FILE: one path (ceiling) or train index (libchexpert_batch) per line */
    const char *mode;    /* --mode resize|decode (ceiling also: grey) */
    const char *filter;  /* --filter area|bilinear */
    const char *resample; /* --resample fast|exact: float32 SIMD, or Pillow's double precision */
    const char *layout;  /* --layout nchw|nhwc (output A) */
    int threads;         /* --threads T */
    int size;            /* --size N (output A is N x N x 3) */
    int batch;           /* --batch N (libchexpert_batch) */
    long count;          /* --count N: files timed (default all) */
    long warmup;         /* --warmup N: files of the untimed first pass */
    int jobs;            /* --jobs N (libchexpert_batch): 0 synchronous calls, else up to N jobs in flight */
} bench_options;

/* Parses argv into `o` (defaults: mode resize, filter bilinear, resample fast, layout nchw, 1 thread, size 224,
 * batch 64, all files, warm-up 256). Returns 0, or 2 after printing `usage` for an unknown option or a missing value. */
static int bench_parse(int argc, char **argv, const char *usage, bench_options *o) {
    *o = (bench_options){.mode = "resize", .filter = "bilinear", .resample = "fast", .layout = "nchw",
                         .threads = 1, .size = 224, .batch = 64, .count = -1, .warmup = 256};
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) goto bad;
        if (!strcmp(a, "--root")) o->root = v;
        else if (!strcmp(a, "--list") || !strcmp(a, "--indices")) o->list = v;
        else if (!strcmp(a, "--mode")) o->mode = v;
        else if (!strcmp(a, "--filter")) o->filter = v;
        else if (!strcmp(a, "--resample")) o->resample = v;
        else if (!strcmp(a, "--layout")) o->layout = v;
        else if (!strcmp(a, "--threads")) o->threads = atoi(v);
        else if (!strcmp(a, "--size")) o->size = atoi(v);
        else if (!strcmp(a, "--batch")) o->batch = atoi(v);
        else if (!strcmp(a, "--count")) o->count = atol(v);
        else if (!strcmp(a, "--warmup")) o->warmup = atol(v);
        else if (!strcmp(a, "--jobs")) o->jobs = atoi(v);
        else goto bad;
    }
    return 0;
bad:
    fprintf(stderr, "%s", usage);
    return 2;
}

/* The non-empty lines of `path` (malloc'd strings), their number in *n; NULL if it cannot be read. */
static char **bench_read_lines(const char *path, size_t *n) {
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        perror(path);
        return NULL;
    }
    size_t cap = 1024;
    char **lines = malloc(cap * sizeof *lines);
    char line[4096];
    *n = 0;
    while (lines != NULL && fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0]) continue;
        if (*n == cap) lines = realloc(lines, (cap *= 2) * sizeof *lines);
        if (lines != NULL) lines[(*n)++] = strdup(line);
    }
    fclose(fp);
    return lines;
}

static double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The result line run.py reads. `check` is one output value, so that no work can be optimised away. */
static void bench_print(long count, double seconds, double check) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"images\": %ld, \"seconds\": %.6f, \"images_per_second\": %.3f, \"maxrss_kb\": %ld, "
           "\"check\": %.6f}\n", count, seconds, count / seconds, ru.ru_maxrss, check);
}

#endif
