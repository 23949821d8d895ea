/*
 * memlimit.c: the library under a real memory limit returns statuses, it
 * does not die (no SIGABRT from a trapping Swift allocation, no SIGSEGV).
 *
 *   memlimit ROOT TALL_INDEX MISSING_INDEX LIMIT_MB
 *
 * Sets RLIMIT_AS to LIMIT_MB (after opening the dataset), then:
 *   1. the extreme, legal resize (an 8192x8 JPEG to 1 x 65535, one channel:
 *      2 GiB of resampler rows): CHEXPERT_E_LIMIT naming
 *      CHEXPERT_MAX_SCRATCH_BYTES, raise and substitute (its status);
 *   2. a resize whose scratch is under the bound but over what the limit
 *      leaves (the tall JPEG to 1 x 32000, about 1 GiB of rows, on 2
 *      threads): CHEXPERT_OK or CHEXPERT_E_NO_MEMORY, and the next small
 *      call works;
 *   3. a batch of 2,000,000 missing files with substitute: CHEXPERT_OK, every
 *      status CHEXPERT_E_NOT_FOUND;
 *   4. batch_images of one image with a huge MAX_PIXELS/MAX_FILE_BYTES still
 *      works (the limits are about the file, not the address space).
 * The last line is "N passed, 0 failed".
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "chexpert.h"

#define CHECK_LAST_ERROR() chexpert_last_error()
#define CHECK_STATUS_NAME(status) chexpert_status_name(status)
#include "../c/check.h"

#define OK(call) EXPECT(CHEXPERT_OK, call)

static chexpert_params *resize_params(int height, int width, int threads, int substitute) {
    chexpert_params *p = NULL;
    OK(chexpert_params_create(&p));
    OK(chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, height));
    OK(chexpert_params_set(p, CHEXPERT_KEY_WIDTH, width));
    OK(chexpert_params_set(p, CHEXPERT_KEY_CHANNELS, 1));
    OK(chexpert_params_set(p, CHEXPERT_KEY_FIT, CHEXPERT_FIT_STRETCH));
    OK(chexpert_params_set(p, CHEXPERT_KEY_THREADS, threads));
    if (substitute) OK(chexpert_params_set(p, CHEXPERT_KEY_ON_ERROR, CHEXPERT_ON_ERROR_SUBSTITUTE));
    return p;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: memlimit ROOT TALL_INDEX MISSING_INDEX LIMIT_MB\n");
        return 2;
    }
    const char *root = argv[1];
    int64_t tall = strtoll(argv[2], NULL, 10), missing = strtoll(argv[3], NULL, 10);
    long limit_mb = strtol(argv[4], NULL, 10);
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, root, NULL));

    /* Buffers the caller needs, allocated before the limit. */
    enum { HUGE_COUNT = 2000000 };
    int64_t *indices = xmalloc(sizeof(int64_t) * HUGE_COUNT);
    int32_t *statuses = xmalloc(sizeof(int32_t) * HUGE_COUNT);
    uint8_t *out = xmalloc(HUGE_COUNT > 65535 * 2 ? HUGE_COUNT : 65535 * 2);
    for (int i = 0; i < HUGE_COUNT; i++) indices[i] = missing;

    struct rlimit limit = {(rlim_t)limit_mb << 20, (rlim_t)limit_mb << 20};
    CHECK(setrlimit(RLIMIT_AS, &limit) == 0);

    /* 1. Extreme resize: E_LIMIT, before anything is allocated. */
    chexpert_params *p = resize_params(1, 65535, 1, 0);
    EXPECT(CHEXPERT_E_LIMIT, chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, &tall, 1, p, out, 65535, NULL));
    MESSAGE_HAS("CHEXPERT_MAX_SCRATCH_BYTES");
    chexpert_params_free(p);
    p = resize_params(1, 65535, 1, 1);
    statuses[0] = 0;
    OK(chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, &tall, 1, p, out, 65535, statuses));
    CHECK(statuses[0] == CHEXPERT_E_LIMIT);
    chexpert_params_free(p);

    /* 2. Under the bound, over what the limit leaves: a status either way. */
    int64_t two[2] = {tall, tall};
    p = resize_params(1, 32000, 2, 0);
    int status = chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, two, 2, p, out, 64000, NULL);
    printf("resize with ~1 GiB of scratch per thread under RLIMIT_AS=%ld MiB: %s\n", limit_mb,
           chexpert_status_name(status));
    CHECK(status == CHEXPERT_OK || status == CHEXPERT_E_NO_MEMORY);
    chexpert_params_free(p);
    p = resize_params(16, 16, 1, 0);
    int64_t first = 0;
    OK(chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, &first, 1, p, out, 256, NULL));
    chexpert_params_free(p);

    /* 3. Two million missing files, substituted. */
    p = resize_params(1, 1, 2, 1);
    OK(chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, indices, HUGE_COUNT, p, out, HUGE_COUNT, statuses));
    int all = 1;
    for (int i = 0; i < HUGE_COUNT; i++) all &= statuses[i] == CHEXPERT_E_NOT_FOUND;
    CHECK(all);
    chexpert_params_free(p);

    /* 4. Still usable. */
    int32_t shapes[2];
    OK(chexpert_batch_images(ds, CHEXPERT_SPLIT_TRAIN, &first, 1, NULL, NULL, 0, shapes));
    CHECK(shapes[0] > 0 && shapes[1] > 0);

    chexpert_dataset_close(ds);
    free(indices);
    free(statuses);
    free(out);
    CHECK_SUMMARY();
    return 0;
}
