/*
 * test_cache.c: the packed cache through the C API (docs/cache.md):
 * chexpert_cache_build() with a progress counter, chexpert_cache_info(),
 * chexpert_dataset_attach_cache(); an exact-size cache read back byte for
 * byte and equal to the JPEG path; foreign and truncated files refused with
 * CHEXPERT_E_STALE; argument errors; a forked child reading through the
 * inherited mapping; no temporary file left. Usage: test_cache TREE [--no-fork]
 * (TREE holds CheXpert-v1.0-small/, made by chexpert-sample; --no-fork under
 * valgrind, whose forked child would report the parent's memory as leaked).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chexpert.h"

#define CHECK_LAST_ERROR() chexpert_last_error()
#define CHECK_STATUS_NAME(status) chexpert_status_name(status)
#include "check.h"
#include "new_params.h"

#define OK(call) EXPECT(CHEXPERT_OK, call)

enum { H = 20, W = 16 };

/* Resized uint8 one-channel H x W examples 0 ..< count of `split`. */
static uint8_t *resized(chexpert_dataset *ds, int split, int64_t count, int fit) {
    chexpert_params *p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, H));
    OK(chexpert_params_set(p, CHEXPERT_KEY_WIDTH, W));
    OK(chexpert_params_set(p, CHEXPERT_KEY_CHANNELS, 1));
    OK(chexpert_params_set(p, CHEXPERT_KEY_FIT, fit));
    OK(chexpert_params_set(p, CHEXPERT_KEY_THREADS, 2));
    int64_t *indices = xmalloc(sizeof *indices * (size_t)count);
    for (int64_t i = 0; i < count; i++) indices[i] = i;
    uint8_t *out = xmalloc((size_t)count * H * W);
    OK(chexpert_batch_resized(ds, split, indices, (size_t)count, p, out, (size_t)count * H * W, NULL));
    free(indices);
    chexpert_params_free(p);
    return out;
}

/* Entries of `dir` whose name starts with `prefix`. */
static int entries(const char *dir, const char *prefix) {
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) n++;
    closedir(d);
    return n;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--no-fork") != 0)) {
        fprintf(stderr, "usage: %s TREE [--no-fork]\n", argv[0]);
        return 2;
    }
    int forks = argc == 2;
    char folder[] = "/tmp/chexpert-cache-XXXXXX";
    CHECK(mkdtemp(folder) != NULL);
    char *side = xformat("%s/side.chxc", folder), *exact = xformat("%s/exact.chxc", folder);
    char *junk = xformat("%s/junk", folder), *cut = xformat("%s/cut.chxc", folder);
    char *nowhere = xformat("%s/no/such/folder.chxc", folder);

    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, argv[1], NULL));
    int64_t train = 0, valid = 0;
    OK(chexpert_split_size(ds, CHEXPERT_SPLIT_TRAIN, &train));
    OK(chexpert_split_size(ds, CHEXPERT_SPLIT_VALIDATION, &valid));

    /* Argument errors. */
    chexpert_params *p = new_params();
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_cache_build(NULL, side, p, NULL));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_cache_build(ds, NULL, p, NULL));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_cache_build(ds, side, NULL, NULL));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_cache_build(ds, side, p, NULL));
    MESSAGE_HAS("CHEXPERT_KEY_CACHE_SIDE");
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_CACHE_SIDE, 0));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_CACHE_SIDE, CHEXPERT_MAX_SIDE + 1));
    OK(chexpert_params_set(p, CHEXPERT_KEY_CACHE_SIDE, 12));
    OK(chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, 12));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_cache_build(ds, side, p, NULL));
    MESSAGE_HAS("both");
    chexpert_params_free(p);

    /* A short-side cache, with the progress counter. */
    p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_CACHE_SIDE, 12));
    OK(chexpert_params_set(p, CHEXPERT_KEY_THREADS, 2));
    int64_t progress = -7;
    OK(chexpert_cache_build(ds, side, p, &progress));
    CHECK(progress == train + valid);
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_cache_build(ds, nowhere, p, NULL));
    chexpert_params_free(p);
    CHECK(entries(folder, "side.chxc.tmp") == 0);

    int64_t info[CHEXPERT_NUM_CACHE_FIELDS];
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_cache_info(NULL, info, CHEXPERT_NUM_CACHE_FIELDS));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_cache_info(side, NULL, CHEXPERT_NUM_CACHE_FIELDS));
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_cache_info(side, info, CHEXPERT_NUM_CACHE_FIELDS - 1));
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_cache_info(nowhere, info, CHEXPERT_NUM_CACHE_FIELDS));
    OK(chexpert_cache_info(side, info, CHEXPERT_NUM_CACHE_FIELDS));
    CHECK(info[CHEXPERT_CACHE_VERSION] == 1 && info[CHEXPERT_CACHE_SIDE] == 12);
    CHECK(info[CHEXPERT_CACHE_HEIGHT] == 0 && info[CHEXPERT_CACHE_WIDTH] == 0);
    CHECK(info[CHEXPERT_CACHE_TRAIN] == train && info[CHEXPERT_CACHE_VALIDATION] == valid);
    CHECK(info[CHEXPERT_CACHE_TEST] == -1 && info[CHEXPERT_CACHE_FAILED] == 0);
    CHECK(info[CHEXPERT_CACHE_SELECT] == CHEXPERT_SELECT_ALL);
    CHECK(info[CHEXPERT_CACHE_FILE_BYTES] % 4096 == 0);
    CHECK(info[CHEXPERT_CACHE_PLANE_BYTES] >= (train + valid) * 12 * 12);

    /* Exact planes: equal to the JPEG path, read back unchanged. */
    p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, H));
    OK(chexpert_params_set(p, CHEXPERT_KEY_WIDTH, W));
    OK(chexpert_cache_build(ds, exact, p, NULL));
    chexpert_params_free(p);
    uint8_t *jpeg = resized(ds, CHEXPERT_SPLIT_TRAIN, train, CHEXPERT_FIT_COVER);
    OK(chexpert_dataset_attach_cache(ds, exact));
    uint8_t *planes = resized(ds, CHEXPERT_SPLIT_TRAIN, train, CHEXPERT_FIT_STRETCH);
    CHECK(memcmp(jpeg, planes, (size_t)train * H * W) == 0);

    /* A forked child reads through the inherited mapping. */
    if (forks) {
        fflush(stdout);
        pid_t child = fork();
        CHECK(child >= 0);
        if (child == 0) {
            uint8_t *again = resized(ds, CHEXPERT_SPLIT_TRAIN, train, CHEXPERT_FIT_STRETCH);
            _exit(memcmp(again, planes, (size_t)train * H * W) == 0 ? 0 : 1);
        }
        int status = 0;
        CHECK(waitpid(child, &status, 0) == child);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }

    /* Foreign and truncated files are refused; the attached cache stays. */
    FILE *f = fopen(junk, "wb");
    CHECK(f != NULL);
    fputs("not a cache at all", f);
    fclose(f);
    EXPECT(CHEXPERT_E_STALE, chexpert_dataset_attach_cache(ds, junk));
    MESSAGE_HAS("not a libchexpert packed cache");
    EXPECT(CHEXPERT_E_STALE, chexpert_cache_info(junk, info, CHEXPERT_NUM_CACHE_FIELDS));
    f = fopen(cut, "wb");
    CHECK(f != NULL);
    FILE *whole = fopen(exact, "rb");
    CHECK(whole != NULL);
    char page[4096];
    for (int i = 0; i < 2 && fread(page, 1, sizeof page, whole) == sizeof page; i++) fwrite(page, 1, sizeof page, f);
    fclose(whole);
    fclose(f);
    EXPECT(CHEXPERT_E_STALE, chexpert_dataset_attach_cache(ds, cut));
    MESSAGE_HAS("truncated");
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_dataset_attach_cache(ds, nowhere));
    uint8_t *still = resized(ds, CHEXPERT_SPLIT_TRAIN, train, CHEXPERT_FIT_STRETCH);
    CHECK(memcmp(still, planes, (size_t)train * H * W) == 0);

    /* Detached: the JPEGs again; a closed handle. */
    OK(chexpert_dataset_attach_cache(ds, NULL));
    uint8_t *detached = resized(ds, CHEXPERT_SPLIT_TRAIN, train, CHEXPERT_FIT_COVER);
    CHECK(memcmp(detached, jpeg, (size_t)train * H * W) == 0);
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_attach_cache(NULL, exact));
    OK(chexpert_dataset_attach_cache(ds, exact));
    chexpert_dataset_close(ds);     /* unmaps with the handle */
    EXPECT(CHEXPERT_E_CLOSED, chexpert_dataset_attach_cache(ds, exact));

    free(jpeg), free(planes), free(still), free(detached);
    unlink(side), unlink(exact), unlink(junk), unlink(cut), rmdir(folder);
    free(side), free(exact), free(junk), free(cut), free(nowhere);
    CHECK_SUMMARY();
    return 0;
}
