/*
 * test_limits.c: every limit and default that include/chexpert.h states,
 * checked against the built library so that the header and the library
 * cannot drift apart: the value at the limit is accepted, the value one past
 * it is refused with the documented status.
 *
 *   test_limits DIR [--skip-big]
 *
 * DIR holds CheXpert-v1.0-small/ (made by chexpert-sample). --skip-big
 * leaves out the CSV at exactly CHEXPERT_MAX_CSV_BYTES (a sparse 1 GiB file
 * that the library reads before it finds it is not a CSV; run.sh skips it
 * under valgrind). The file one byte past the limit is always checked.
 *
 * Limits: CHEXPERT_DEFAULT_MAX_PIXELS, CHEXPERT_DEFAULT_MAX_FILE_BYTES (the
 * defaults of a dataset and of a parameter set, and their effect on a real
 * image at its exact size), CHEXPERT_MAX_LIMIT, CHEXPERT_MAX_THREADS,
 * CHEXPERT_MAX_SIDE, CHEXPERT_MAX_RULES, CHEXPERT_MAX_WORLD,
 * CHEXPERT_MAX_SHARD_COUNT, CHEXPERT_MAX_CSV_BYTES, CHEXPERT_MAX_CSV_COLUMNS,
 * CHEXPERT_MAX_CSV_LINE_BYTES (each at the limit in the header and in a row,
 * and one past); CHEXPERT_KEY_CONFINE_PATHS's values, default and effect;
 * and the version macros against the library's functions.
 *
 * Every check counts; the first failing one prints file:line and exits 1.
 * The last line is "N passed, 0 failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chexpert.h"

#define CHECK_LAST_ERROR() chexpert_last_error()
#define CHECK_STATUS_NAME(status) chexpert_status_name(status)
#include "check.h"
#include "new_params.h"

#define OK(call) EXPECT(CHEXPERT_OK, call)

static const char *fixture_dir;

/* `key` of a parameter set takes `at` and refuses `past` with `refusal`,
 * keeping `at`. */
static void params_limit(int key, int64_t at, int64_t past, int refusal) {
    chexpert_params *p = new_params();
    int64_t value = 0;
    OK(chexpert_params_set(p, key, at));
    OK(chexpert_params_get(p, key, &value));
    CHECK(value == at);
    EXPECT(refusal, chexpert_params_set(p, key, past));
    OK(chexpert_params_get(p, key, &value));
    CHECK(value == at);
    chexpert_params_free(p);
}

static void test_versions(void) {
    CHECK(chexpert_version_number() == CHEXPERT_VERSION_NUMBER);
    CHECK(strcmp(chexpert_version_string(), CHEXPERT_VERSION_STRING) == 0);
    CHECK(chexpert_abi_version() == CHEXPERT_ABI_VERSION);
    char *expected = xformat("%d.%d.%d", CHEXPERT_VERSION_MAJOR, CHEXPERT_VERSION_MINOR, CHEXPERT_VERSION_PATCH);
    CHECK(strcmp(CHEXPERT_VERSION_STRING, expected) == 0);
    free(expected);
    CHECK(CHEXPERT_VERSION_NUMBER ==
          CHEXPERT_VERSION_MAJOR * 10000 + CHEXPERT_VERSION_MINOR * 100 + CHEXPERT_VERSION_PATCH);
}

/* CHEXPERT_DEFAULT_MAX_PIXELS, CHEXPERT_DEFAULT_MAX_FILE_BYTES, CHEXPERT_MAX_LIMIT;
 * and each limit's effect on an image at exactly its size. */
static void test_image_limits(void) {
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, fixture_dir, NULL));
    int64_t value = 0;
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_MAX_PIXELS, &value));
    CHECK(value == CHEXPERT_DEFAULT_MAX_PIXELS);
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_MAX_FILE_BYTES, &value));
    CHECK(value == CHEXPERT_DEFAULT_MAX_FILE_BYTES);
    chexpert_params *p = new_params();
    OK(chexpert_params_get(p, CHEXPERT_KEY_MAX_PIXELS, &value));
    CHECK(value == CHEXPERT_DEFAULT_MAX_PIXELS);
    OK(chexpert_params_get(p, CHEXPERT_KEY_MAX_FILE_BYTES, &value));
    CHECK(value == CHEXPERT_DEFAULT_MAX_FILE_BYTES);
    chexpert_params_free(p);

    static const int keys[] = {CHEXPERT_KEY_MAX_PIXELS, CHEXPERT_KEY_MAX_FILE_BYTES};
    for (size_t k = 0; k < 2; k++) {
        int key = keys[k];
        params_limit(key, CHEXPERT_MAX_LIMIT, CHEXPERT_MAX_LIMIT + 1, CHEXPERT_E_INVALID_ARGUMENT);
        params_limit(key, 1, 0, CHEXPERT_E_INVALID_ARGUMENT);
        OK(chexpert_dataset_set_option(ds, key, CHEXPERT_MAX_LIMIT));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, key, CHEXPERT_MAX_LIMIT + 1));
        OK(chexpert_dataset_get_option(ds, key, &value));
        CHECK(value == CHEXPERT_MAX_LIMIT);
        OK(chexpert_dataset_set_option(ds, key, 1));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, key, 0));
        /* At open too. */
        chexpert_params *options = new_params();
        OK(chexpert_params_set(options, key, CHEXPERT_MAX_LIMIT));
        chexpert_dataset *opened = NULL;
        OK(chexpert_dataset_open(&opened, fixture_dir, options));
        OK(chexpert_dataset_get_option(opened, key, &value));
        CHECK(value == CHEXPERT_MAX_LIMIT);
        chexpert_dataset_close(opened);
        chexpert_params_free(options);
    }
    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_MAX_PIXELS, CHEXPERT_DEFAULT_MAX_PIXELS));
    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_MAX_FILE_BYTES, CHEXPERT_DEFAULT_MAX_FILE_BYTES));

    /* Train row 0 at exactly its pixel count and file size: accepted; one less: E_LIMIT. */
    int32_t h = 0, w = 0;
    OK(chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, NULL, 0, &h, &w));
    int64_t pixels = (int64_t)h * w;
    size_t size = 0;
    OK(chexpert_dataset_root(ds, NULL, 0, &size));
    char *root = xmalloc(size);
    OK(chexpert_dataset_root(ds, root, size, NULL));
    OK(chexpert_example_name(ds, CHEXPERT_SPLIT_TRAIN, 0, NULL, 0, &size));
    char *name = xmalloc(size);
    OK(chexpert_example_name(ds, CHEXPERT_SPLIT_TRAIN, 0, name, size, NULL));
    const char *prefix = "CheXpert-v1.0-small/";
    char *file = strncmp(name, prefix, strlen(prefix)) == 0 ? xformat("%s/%s", root, name + strlen(prefix))
                                                            : xformat("%s/../%s", root, name);
    struct stat st;
    CHECK(stat(file, &st) == 0);
    int64_t file_bytes = (int64_t)st.st_size;
    size_t bytes = (size_t)pixels * 3;
    uint8_t *image = xmalloc(bytes);
    int64_t index = 0;
    int32_t status = 1;

    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_MAX_PIXELS, pixels));
    OK(chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, image, bytes, NULL, NULL));
    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_MAX_PIXELS, pixels - 1));
    EXPECT(CHEXPERT_E_LIMIT, chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, NULL, 0, &h, &w));
    EXPECT(CHEXPERT_E_LIMIT, chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, image, bytes, NULL, NULL));
    OK(chexpert_batch_verify(ds, CHEXPERT_SPLIT_TRAIN, &index, 1, NULL, &status, NULL, 0));
    CHECK(status == CHEXPERT_E_LIMIT);
    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_MAX_PIXELS, CHEXPERT_DEFAULT_MAX_PIXELS));

    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_MAX_FILE_BYTES, file_bytes));
    OK(chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, image, bytes, NULL, NULL));
    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_MAX_FILE_BYTES, file_bytes - 1));
    EXPECT(CHEXPERT_E_LIMIT, chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, image, bytes, NULL, NULL));
    OK(chexpert_batch_verify(ds, CHEXPERT_SPLIT_TRAIN, &index, 1, NULL, &status, NULL, 0));
    CHECK(status == CHEXPERT_E_LIMIT);
    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_MAX_FILE_BYTES, CHEXPERT_DEFAULT_MAX_FILE_BYTES));

    free(image);
    free(file);
    free(name);
    free(root);
    chexpert_dataset_close(ds);
}

/* CHEXPERT_MAX_THREADS: accepted, and a batch runs with it (never more
 * threads than examples); one more is refused. */
static void test_threads(void) {
    params_limit(CHEXPERT_KEY_THREADS, CHEXPERT_MAX_THREADS, CHEXPERT_MAX_THREADS + 1, CHEXPERT_E_INVALID_ARGUMENT);
    params_limit(CHEXPERT_KEY_THREADS, 0, -1, CHEXPERT_E_INVALID_ARGUMENT);
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, fixture_dir, NULL));
    chexpert_params *p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_THREADS, CHEXPERT_MAX_THREADS));
    int64_t indices[2] = {0, 1};
    int32_t shapes[4], statuses[2];
    OK(chexpert_batch_images(ds, CHEXPERT_SPLIT_TRAIN, indices, 2, p, NULL, 0, shapes));
    OK(chexpert_batch_verify(ds, CHEXPERT_SPLIT_TRAIN, indices, 2, p, statuses, NULL, 0));
    CHECK(statuses[0] == CHEXPERT_OK && statuses[1] == CHEXPERT_OK);
    chexpert_params_free(p);
    chexpert_dataset_close(ds);
}

/* CHEXPERT_MAX_SIDE for HEIGHT and WIDTH. */
static void test_side(void) {
    params_limit(CHEXPERT_KEY_HEIGHT, CHEXPERT_MAX_SIDE, CHEXPERT_MAX_SIDE + 1, CHEXPERT_E_INVALID_ARGUMENT);
    params_limit(CHEXPERT_KEY_WIDTH, CHEXPERT_MAX_SIDE, CHEXPERT_MAX_SIDE + 1, CHEXPERT_E_INVALID_ARGUMENT);
    params_limit(CHEXPERT_KEY_HEIGHT, 1, 0, CHEXPERT_E_INVALID_ARGUMENT);
    params_limit(CHEXPERT_KEY_WIDTH, 1, 0, CHEXPERT_E_INVALID_ARGUMENT);
    chexpert_params *p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, CHEXPERT_MAX_SIDE));
    OK(chexpert_params_set(p, CHEXPERT_KEY_WIDTH, CHEXPERT_MAX_SIDE));
    OK(chexpert_params_set(p, CHEXPERT_KEY_DTYPE, CHEXPERT_DTYPE_FLOAT32));
    size_t bytes = 0;
    OK(chexpert_resize_output_bytes(p, 2, &bytes));
    CHECK(bytes == (size_t)2 * CHEXPERT_MAX_SIDE * CHEXPERT_MAX_SIDE * 3 * 4);
    chexpert_params_free(p);
}

/* CHEXPERT_MAX_RULES: set_rules takes that many (E_LIMIT beyond), and the
 * rules are used as given. */
static void test_rules(void) {
    size_t n = CHEXPERT_MAX_RULES + 1;
    int32_t *rules = xmalloc(3 * n * sizeof *rules);
    for (size_t r = 0; r < n; r++) {
        rules[3 * r] = (int32_t)(r % 5);
        rules[3 * r + 1] = CHEXPERT_UNCERTAIN_ONES;
        rules[3 * r + 2] = CHEXPERT_BLANK_NEGATIVE;
    }
    chexpert_params *p = new_params();
    OK(chexpert_params_set_rules(p, rules, CHEXPERT_MAX_RULES));
    EXPECT(CHEXPERT_E_LIMIT, chexpert_params_set_rules(p, rules, CHEXPERT_MAX_RULES + 1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set_rules(p, rules, 0));
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, fixture_dir, NULL));
    size_t count = 0;
    OK(chexpert_target_rules(ds, CHEXPERT_SPLIT_TRAIN, p, NULL, 0, &count, NULL)); /* the kept rules */
    CHECK(count == CHEXPERT_MAX_RULES);
    int64_t index = 0;
    float *targets = xmalloc(CHEXPERT_MAX_RULES * sizeof *targets);
    OK(chexpert_batch_targets(ds, CHEXPERT_SPLIT_TRAIN, &index, 1, p, targets, NULL, CHEXPERT_MAX_RULES));
    for (size_t r = 5; r < CHEXPERT_MAX_RULES; r++) CHECK(targets[r] == targets[r % 5]);
    free(targets);
    chexpert_dataset_close(ds);
    chexpert_params_free(p);
    free(rules);
}

/* CHEXPERT_MAX_WORLD and CHEXPERT_MAX_SHARD_COUNT. */
static void test_order_limits(void) {
    params_limit(CHEXPERT_KEY_WORLD, CHEXPERT_MAX_WORLD, CHEXPERT_MAX_WORLD + 1, CHEXPERT_E_INVALID_ARGUMENT);
    params_limit(CHEXPERT_KEY_WORLD, 1, 0, CHEXPERT_E_INVALID_ARGUMENT);
    chexpert_params *p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_WORLD, CHEXPERT_MAX_WORLD));
    OK(chexpert_params_set(p, CHEXPERT_KEY_RANK, CHEXPERT_MAX_WORLD - 1));
    OK(chexpert_params_set(p, CHEXPERT_KEY_SHUFFLE, 1));
    size_t size = 99;
    int64_t out[1] = {-1};
    OK(chexpert_shard_indices(p, 10, out, 1, &size)); /* padded: one index, from the start again */
    CHECK(size == 1 && out[0] >= 0 && out[0] < 10);
    OK(chexpert_params_set(p, CHEXPERT_KEY_REMAINDER, CHEXPERT_REMAINDER_DROP));
    OK(chexpert_shard_indices(p, 10, NULL, 0, &size));
    CHECK(size == 0);
    chexpert_params_free(p);

    /* count: the limit is not refused as a limit (a size query, unshuffled);
     * one more is E_LIMIT; also with the default parameters (NULL). */
    p = new_params();
    size = 0;
    OK(chexpert_shard_indices(p, CHEXPERT_MAX_SHARD_COUNT, NULL, 0, &size));
    CHECK(size == (size_t)CHEXPERT_MAX_SHARD_COUNT);
    EXPECT(CHEXPERT_E_LIMIT, chexpert_shard_indices(p, CHEXPERT_MAX_SHARD_COUNT + 1, NULL, 0, &size));
    OK(chexpert_shard_indices(NULL, CHEXPERT_MAX_SHARD_COUNT, NULL, 0, &size));
    EXPECT(CHEXPERT_E_LIMIT, chexpert_shard_indices(NULL, CHEXPERT_MAX_SHARD_COUNT + 1, NULL, 0, &size));
    /* At the limit with a big world: each rank's share is small. */
    OK(chexpert_params_set(p, CHEXPERT_KEY_WORLD, (int64_t)1 << 20));
    OK(chexpert_params_set(p, CHEXPERT_KEY_RANK, 3));
    int64_t *share = xmalloc(1024 * sizeof *share);
    OK(chexpert_shard_indices(p, CHEXPERT_MAX_SHARD_COUNT, share, 1024, &size));
    CHECK(size == 1024);
    for (int64_t k = 0; k < 1024; k++) CHECK(share[k] == 3 + k * ((int64_t)1 << 20));
    free(share);
    EXPECT(CHEXPERT_E_LIMIT, chexpert_shard_indices(p, CHEXPERT_MAX_SHARD_COUNT + 1, NULL, 0, &size));
    chexpert_params_free(p);
}

/* Writes `size` bytes to `path`: `text`, then a hole (a sparse file). */
static void write_sparse(const char *path, const char *text, int64_t size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    CHECK(ftruncate(fd, (off_t)size) == 0);
    CHECK(close(fd) == 0);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(text, 1, strlen(text), f) == strlen(text));
    CHECK(fclose(f) == 0);
}

/* CHEXPERT_MAX_CSV_BYTES: a train.csv one byte past it is E_LIMIT; at the
 * limit it is parsed (and found not to be a CSV: a hole reads as NULs). */
static void test_csv_limit(int skip_big) {
    char template[] = "/tmp/chexpert-test-limits-XXXXXX";
    CHECK(mkdtemp(template) != NULL);
    char *train = xformat("%s/train.csv", template), *valid = xformat("%s/valid.csv", template);
    const char *csv = "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding\n"
                      "CheXpert-v1.0-small/a.jpg,Male,50,Frontal,AP,1.0\n";
    write_text(valid, csv);
    write_sparse(train, csv, CHEXPERT_MAX_CSV_BYTES + 1);
    chexpert_dataset *ds = (chexpert_dataset *)(uintptr_t)1;
    EXPECT(CHEXPERT_E_LIMIT, chexpert_dataset_open(&ds, template, NULL));
    CHECK(ds == NULL);
    MESSAGE_HAS("train.csv");
    if (!skip_big) {
        write_sparse(train, csv, CHEXPERT_MAX_CSV_BYTES);
        int status = chexpert_dataset_open(&ds, template, NULL);
        if (status == CHEXPERT_OK) chexpert_dataset_close(ds);
        CHECK(status != CHEXPERT_E_LIMIT);
        CHECK(status == CHEXPERT_E_CSV || status == CHEXPERT_E_NO_MEMORY || status == CHEXPERT_OK);
    } else {
        printf("skipped (--skip-big): a train.csv of exactly CHEXPERT_MAX_CSV_BYTES\n");
    }
    /* A small valid.csv next to it is fine (the limit is per file). */
    write_text(train, csv);
    OK(chexpert_dataset_open(&ds, template, NULL));
    chexpert_dataset_close(ds);
    CHECK(unlink(train) == 0 && unlink(valid) == 0 && rmdir(template) == 0);
    free(train);
    free(valid);
}

/* A folder holding train.csv (`train`) and a one-row valid.csv. */
static char *csv_folder(const char *train) {
    char template[] = "/tmp/chexpert-test-shapes-XXXXXX";
    CHECK(mkdtemp(template) != NULL);
    char *path = xformat("%s/train.csv", template);
    write_text(path, train);
    free(path);
    path = xformat("%s/valid.csv", template);
    write_text(path, "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding\n"
                     "CheXpert-v1.0-small/valid/a.jpg,Male,50,Frontal,AP,1.0\n");
    free(path);
    return xformat("%s", template);
}

static void remove_csv_folder(char *folder) {
    char *train = xformat("%s/train.csv", folder), *valid = xformat("%s/valid.csv", folder);
    CHECK(unlink(train) == 0 && unlink(valid) == 0 && rmdir(folder) == 0);
    free(train);
    free(valid);
    free(folder);
}

/* Opens a folder whose train.csv is `train`: the status, and with OK the
 * train split's label count in *labels. */
static int open_train(const char *train, const chexpert_params *options, int32_t *labels) {
    char *folder = csv_folder(train);
    chexpert_dataset *ds = NULL;
    int status = chexpert_dataset_open(&ds, folder, options);
    if (status == CHEXPERT_OK) {
        if (labels != NULL) OK(chexpert_split_num_labels(ds, CHEXPERT_SPLIT_TRAIN, labels));
        chexpert_dataset_close(ds);
    }
    remove_csv_folder(folder);
    return status;
}

/* A header of `columns` columns (5 + labels L0, L1, ...) and a row of
 * `row_cells` cells (>= columns: the extra ones are ignored). */
static char *wide_csv(int64_t columns, int64_t row_cells) {
    size_t size = (size_t)columns * 8 + (size_t)row_cells + 256;
    char *text = xmalloc(size), *p = text;
    p += sprintf(p, "Path,Sex,Age,Frontal/Lateral,AP/PA");
    for (int64_t i = 5; i < columns; i++) p += sprintf(p, ",L%" PRId64, i);
    p += sprintf(p, "\nCheXpert-v1.0-small/a.jpg,Male,50,Frontal,AP");
    for (int64_t i = 5; i < row_cells; i++) *p++ = ',';
    strcpy(p, "\n");
    return text;
}

/* A header and one row whose line is exactly `bytes` long (line break
 * excluded), made long by its Path cell. */
static char *long_line_csv(int64_t bytes) {
    const char *prefix = "CheXpert-v1.0-small/", *tail = ",Male,50,Frontal,AP,1.0";
    int64_t filler = bytes - (int64_t)strlen(prefix) - (int64_t)strlen(tail);
    CHECK(filler > 0);
    char *text = xmalloc((size_t)bytes + 128), *p = text;
    p += sprintf(p, "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding\n%s", prefix);
    memset(p, 'a', (size_t)filler);
    p += filler;
    sprintf(p, "%s\n", tail);
    return text;
}

/* CHEXPERT_MAX_CSV_COLUMNS and CHEXPERT_MAX_CSV_LINE_BYTES: at the limit the
 * CSV opens, one past it is E_LIMIT naming the macro (header and row). */
static void test_csv_shape_limits(void) {
    int32_t labels = 0;
    char *csv = wide_csv(CHEXPERT_MAX_CSV_COLUMNS, CHEXPERT_MAX_CSV_COLUMNS);
    OK(open_train(csv, NULL, &labels));
    CHECK(labels == CHEXPERT_MAX_CSV_COLUMNS - 5);
    free(csv);
    csv = wide_csv(CHEXPERT_MAX_CSV_COLUMNS + 1, CHEXPERT_MAX_CSV_COLUMNS + 1);
    EXPECT(CHEXPERT_E_LIMIT, open_train(csv, NULL, NULL));
    MESSAGE_HAS("train.csv: line 1: more than 65536 cells (CHEXPERT_MAX_CSV_COLUMNS)");
    free(csv);
    /* A row with extra cells: ignored up to the limit, refused past it. */
    csv = wide_csv(6, CHEXPERT_MAX_CSV_COLUMNS);
    OK(open_train(csv, NULL, &labels));
    CHECK(labels == 1);
    free(csv);
    csv = wide_csv(6, CHEXPERT_MAX_CSV_COLUMNS + 1);
    EXPECT(CHEXPERT_E_LIMIT, open_train(csv, NULL, NULL));
    MESSAGE_HAS("train.csv: line 2: more than");
    MESSAGE_HAS("CHEXPERT_MAX_CSV_COLUMNS");
    free(csv);

    csv = long_line_csv(CHEXPERT_MAX_CSV_LINE_BYTES);
    OK(open_train(csv, NULL, NULL));
    free(csv);
    csv = long_line_csv(CHEXPERT_MAX_CSV_LINE_BYTES + 1);
    EXPECT(CHEXPERT_E_LIMIT, open_train(csv, NULL, NULL));
    MESSAGE_HAS("train.csv: line 2: longer than 1048576 bytes (CHEXPERT_MAX_CSV_LINE_BYTES)");
    free(csv);
}

/* CHEXPERT_KEY_CONFINE_PATHS: 0 or 1, default 1 (params and dataset); fixed
 * at open; 1 refuses a Path outside the dataset folder, 0 accepts it. */
static void test_confine_paths(void) {
    params_limit(CHEXPERT_KEY_CONFINE_PATHS, 1, 2, CHEXPERT_E_INVALID_ARGUMENT);
    params_limit(CHEXPERT_KEY_CONFINE_PATHS, 0, -1, CHEXPERT_E_INVALID_ARGUMENT);
    chexpert_params *p = new_params();
    int64_t value = -1;
    OK(chexpert_params_get(p, CHEXPERT_KEY_CONFINE_PATHS, &value));
    CHECK(value == 1);
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, fixture_dir, NULL));
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_CONFINE_PATHS, &value));
    CHECK(value == 1);
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, CHEXPERT_KEY_CONFINE_PATHS, 0));
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_CONFINE_PATHS, &value));
    CHECK(value == 1);
    chexpert_dataset_close(ds);

    static const char *const outside[] = {"/etc/passwd", "../a.jpg", "CheXpert-v1.0-small/../../a.jpg",
                                          "train/../../a.jpg"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        char *csv = xformat("Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding\n%s,Male,50,Frontal,AP,1.0\n", outside[i]);
        EXPECT(CHEXPERT_E_CSV, open_train(csv, NULL, NULL));
        MESSAGE_HAS("train.csv: line 2, column 1 'Path'");
        MESSAGE_HAS("CHEXPERT_KEY_CONFINE_PATHS");
        OK(chexpert_params_set(p, CHEXPERT_KEY_CONFINE_PATHS, 0));
        OK(open_train(csv, p, NULL));
        OK(chexpert_params_set(p, CHEXPERT_KEY_CONFINE_PATHS, 1));
        EXPECT(CHEXPERT_E_CSV, open_train(csv, p, NULL));
        free(csv);
    }
    /* Inside, through `..`: accepted. */
    OK(open_train("Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding\n"
                  "CheXpert-v1.0-small/train/../valid/b.jpg,Male,50,Frontal,AP,1.0\n", NULL, NULL));
    chexpert_params_free(p);
}

int main(int argc, char **argv) {
    int skip_big = argc == 3 && strcmp(argv[2], "--skip-big") == 0;
    if (argc != 2 && !skip_big) {
        fprintf(stderr, "usage: %s DIR [--skip-big]   (DIR holds CheXpert-v1.0-small/)\n", argv[0]);
        return 2;
    }
    fixture_dir = argv[1];
    test_versions();
    test_image_limits();
    test_threads();
    test_side();
    test_rules();
    test_order_limits();
    test_csv_limit(skip_big);
    test_csv_shape_limits();
    test_confine_paths();
    CHECK_SUMMARY();
    return 0;
}
