/*
 * test_api.c: the C contract of include/chexpert.h, checked against the built
 * libchexpert.so on a tree written by the sample generator.
 *
 *   test_api DIR      DIR holds CheXpert-v1.0-small/{train.csv,valid.csv,...}
 *
 * The CSVs are parsed here independently (RFC 4180, TFDS's label and view
 * mapping) and every example's name, labels and view is compared with the
 * library. Images are compared bit for bit with a direct TurboJPEG decode
 * (FASTDCT for CHEXPERT_DCT_FAST, ISLOW for CHEXPERT_DCT_ACCURATE).
 * Broken trees (bad CSV cell, missing, truncated and non-JPEG images) are
 * made in a temporary folder from copies of the generated files.
 *
 * Every check counts; the first failing one prints file:line and exits 1.
 * The last line is "N passed, 0 failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <turbojpeg.h>

#include "chexpert.h"

/* ------------------------------------------------------------------------ */
/* Checks                                                                    */
/* ------------------------------------------------------------------------ */

#define CHECK_LAST_ERROR() chexpert_last_error()
#define CHECK_STATUS_NAME(status) chexpert_status_name(status)
#include "check.h"

#define OK(call) EXPECT(CHEXPERT_OK, call)

static char *format(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *out = NULL;
    if (vasprintf(&out, fmt, ap) < 0) out = NULL;
    va_end(ap);
    if (out == NULL) exit(2);
    return out;
}

enum { CANARY = 0xA5 };

/* All `size` bytes at `p` still hold the canary. */
static int untouched(const void *p, size_t size) {
    const unsigned char *bytes = p;
    for (size_t i = 0; i < size; i++)
        if (bytes[i] != CANARY) return 0;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Files and an independent CSV reader                                       */
/* ------------------------------------------------------------------------ */

static unsigned char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
        exit(2);
    }
    size_t cap = 1 << 16, len = 0;
    unsigned char *data = xmalloc(cap);
    size_t n;
    while ((n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            data = realloc(data, cap);
            if (data == NULL) exit(2);
        }
    }
    fclose(f);
    *size = len;
    return data;
}

static void write_file(const char *path, const void *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        exit(2);
    }
}

static void make_dir(const char *path) {
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "cannot mkdir %s: %s\n", path, strerror(errno));
        exit(2);
    }
}

typedef struct {
    size_t rows, columns; /* data rows; header columns */
    char **header;        /* columns names */
    char ***cells;        /* rows x columns (missing trailing cells are "") */
    char ***records;      /* what was parsed, for free_csv */
    size_t *widths, nrecords;
} csv_table;

/* Splits RFC 4180 records: quoted cells with "" escapes, LF or CRLF. */
static csv_table read_csv(const char *path) {
    size_t size = 0;
    unsigned char *text = read_file(path, &size);
    csv_table table = {0, 0, NULL, NULL, NULL, NULL, 0};
    size_t row_cap = 64;
    char ***records = xmalloc(sizeof *records * row_cap);
    size_t *widths = xmalloc(sizeof *widths * row_cap);
    size_t nrecords = 0;

    size_t i = 0;
    while (i < size) {
        size_t cell_cap = 8, ncells = 0;
        char **cells = xmalloc(sizeof *cells * cell_cap);
        for (;;) {
            char *cell = xmalloc(size - i + 1);
            size_t len = 0;
            if (i < size && text[i] == '"') {
                i++;
                while (i < size) {
                    if (text[i] == '"') {
                        if (i + 1 < size && text[i + 1] == '"') {
                            cell[len++] = '"';
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        cell[len++] = (char)text[i++];
                    }
                }
            }
            while (i < size && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                cell[len++] = (char)text[i++];
            cell[len] = 0;
            if (ncells == cell_cap) {
                cell_cap *= 2;
                cells = realloc(cells, sizeof *cells * cell_cap);
                if (cells == NULL) exit(2);
            }
            cells[ncells++] = cell;
            if (i < size && text[i] == ',') {
                i++;
                continue;
            }
            if (i < size && text[i] == '\r') i++;
            if (i < size && text[i] == '\n') i++;
            break;
        }
        if (ncells == 1 && cells[0][0] == 0) { /* blank line */
            free(cells[0]);
            free(cells);
            continue;
        }
        if (nrecords == row_cap) {
            row_cap *= 2;
            records = realloc(records, sizeof *records * row_cap);
            widths = realloc(widths, sizeof *widths * row_cap);
            if (records == NULL || widths == NULL) exit(2);
        }
        widths[nrecords] = ncells;
        records[nrecords++] = cells;
    }
    free(text);
    if (nrecords == 0) {
        fprintf(stderr, "%s: no header\n", path);
        exit(2);
    }
    table.header = records[0];
    table.columns = widths[0];
    table.rows = nrecords - 1;
    table.cells = xmalloc(sizeof *table.cells * (table.rows ? table.rows : 1));
    for (size_t r = 0; r < table.rows; r++) {
        char **row = xmalloc(sizeof *row * table.columns);
        for (size_t c = 0; c < table.columns; c++)
            row[c] = c < widths[r + 1] ? records[r + 1][c] : "";
        table.cells[r] = row;
    }
    table.records = records;
    table.widths = widths;
    table.nrecords = nrecords;
    return table;
}

static void free_csv(csv_table *t) {
    for (size_t r = 0; r < t->rows; r++) free(t->cells[r]);
    free(t->cells);
    for (size_t r = 0; r < t->nrecords; r++) {
        for (size_t c = 0; c < t->widths[r]; c++) free(t->records[r][c]);
        free(t->records[r]);
    }
    free(t->records);
    free(t->widths);
}

/* The last column with this name (TFDS reads rows into a dict, so a
 * repeated header name takes the last cell). */
static int column_of(const csv_table *t, const char *name) {
    for (size_t c = t->columns; c-- > 0;)
        if (strcmp(t->header[c], name) == 0) return (int)c;
    fprintf(stderr, "CSV has no column %s\n", name);
    exit(2);
}

/* TFDS 3.1.0: {"-1.0": uncertain, "1.0": positive, "0.0": negative, "": unmentioned}. */
static int label_class_of(const char *cell) {
    if (strcmp(cell, "-1.0") == 0) return CHEXPERT_LABEL_UNCERTAIN;
    if (strcmp(cell, "1.0") == 0) return CHEXPERT_LABEL_POSITIVE;
    if (strcmp(cell, "0.0") == 0) return CHEXPERT_LABEL_NEGATIVE;
    if (cell[0] == 0) return CHEXPERT_LABEL_UNMENTIONED;
    return -1;
}

static int view_of(const char *cell) {
    if (strcasecmp(cell, "frontal") == 0) return CHEXPERT_VIEW_FRONTAL;
    if (strcasecmp(cell, "lateral") == 0) return CHEXPERT_VIEW_LATERAL;
    return -1;
}

/* The file behind a Path cell, given the folder holding the CSVs. */
static char *image_file(const char *dataset_folder, const char *name) {
    const char *prefix = "CheXpert-v1.0-small/";
    if (name[0] == '/') return format("%s", name);
    if (strncmp(name, prefix, strlen(prefix)) == 0)
        return format("%s/%s", dataset_folder, name + strlen(prefix));
    return format("%s/../%s", dataset_folder, name);
}

/* ------------------------------------------------------------------------ */
/* Fixture state                                                             */
/* ------------------------------------------------------------------------ */

static const char *fixture_dir;    /* argv[1] */
static char dataset_folder[4096];  /* from chexpert_dataset_root */
static csv_table csv[CHEXPERT_NUM_SPLITS];
static int64_t split_count[CHEXPERT_NUM_SPLITS];
static int32_t label_count[CHEXPERT_NUM_SPLITS];

static char *library_name(const chexpert_dataset *ds, int split, int64_t index) {
    size_t size = 0;
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_example_name(ds, split, index, NULL, 0, &size));
    char *name = xmalloc(size);
    OK(chexpert_example_name(ds, split, index, name, size, NULL));
    return name;
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                     */
/* ------------------------------------------------------------------------ */

static void test_versions(void) {
    CHECK(chexpert_version_number() == CHEXPERT_VERSION_NUMBER);
    CHECK(CHEXPERT_VERSION_NUMBER ==
          CHEXPERT_VERSION_MAJOR * 10000 + CHEXPERT_VERSION_MINOR * 100 + CHEXPERT_VERSION_PATCH);
    CHECK(strcmp(chexpert_version_string(), CHEXPERT_VERSION_STRING) == 0);
    CHECK(chexpert_abi_version() == CHEXPERT_ABI_VERSION);
}

static void test_vocabulary(void) {
    static const struct { int code; const char *name; } codes[] = {
        {CHEXPERT_OK, "CHEXPERT_OK"},
        {CHEXPERT_E_INVALID_ARGUMENT, "CHEXPERT_E_INVALID_ARGUMENT"},
        {CHEXPERT_E_NULL_POINTER, "CHEXPERT_E_NULL_POINTER"},
        {CHEXPERT_E_OUT_OF_RANGE, "CHEXPERT_E_OUT_OF_RANGE"},
        {CHEXPERT_E_BUFFER_TOO_SMALL, "CHEXPERT_E_BUFFER_TOO_SMALL"},
        {CHEXPERT_E_CLOSED, "CHEXPERT_E_CLOSED"},
        {CHEXPERT_E_NOT_FOUND, "CHEXPERT_E_NOT_FOUND"},
        {CHEXPERT_E_IO, "CHEXPERT_E_IO"},
        {CHEXPERT_E_CSV, "CHEXPERT_E_CSV"},
        {CHEXPERT_E_IMAGE, "CHEXPERT_E_IMAGE"},
        {CHEXPERT_E_LIMIT, "CHEXPERT_E_LIMIT"},
        {CHEXPERT_E_NO_MEMORY, "CHEXPERT_E_NO_MEMORY"},
        {CHEXPERT_E_INTERNAL, "CHEXPERT_E_INTERNAL"},
    };
    /* Pinned values: 0, -1, ..., -12 in this order. */
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        CHECK(codes[i].code == -(int)i);
        CHECK(chexpert_status_name(codes[i].code) != NULL);
        CHECK(strcmp(chexpert_status_name(codes[i].code), codes[i].name) == 0);
    }
    static const int unknown[] = {1, -13, 100, -100, INT_MAX, INT_MIN};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CHECK(strcmp(chexpert_status_name(unknown[i]), "CHEXPERT_E_UNKNOWN") == 0);

    CHECK(strcmp(chexpert_split_name(CHEXPERT_SPLIT_TRAIN), "train") == 0);
    CHECK(strcmp(chexpert_split_name(CHEXPERT_SPLIT_VALIDATION), "validation") == 0);
    CHECK(chexpert_split_name(-1) == NULL);
    CHECK(chexpert_split_name(CHEXPERT_NUM_SPLITS) == NULL);
    CHECK(chexpert_split_name(INT_MIN) == NULL);

    static const char *classes[] = {"uncertain", "positive", "negative", "unmentioned"};
    for (int c = 0; c < CHEXPERT_NUM_LABEL_CLASSES; c++)
        CHECK(strcmp(chexpert_label_class_name(c), classes[c]) == 0);
    CHECK(CHEXPERT_LABEL_UNCERTAIN == 0 && CHEXPERT_LABEL_POSITIVE == 1 &&
          CHEXPERT_LABEL_NEGATIVE == 2 && CHEXPERT_LABEL_UNMENTIONED == 3);
    CHECK(chexpert_label_class_name(-1) == NULL);
    CHECK(chexpert_label_class_name(CHEXPERT_NUM_LABEL_CLASSES) == NULL);

    CHECK(strcmp(chexpert_view_name(CHEXPERT_VIEW_FRONTAL), "frontal") == 0);
    CHECK(strcmp(chexpert_view_name(CHEXPERT_VIEW_LATERAL), "lateral") == 0);
    CHECK(chexpert_view_name(-1) == NULL);
    CHECK(chexpert_view_name(CHEXPERT_NUM_VIEWS) == NULL);
}

static void test_open(void) {
    /* NULL out. */
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_open(NULL, fixture_dir));
    MESSAGE_HAS("out");

    /* A missing root: NOT_FOUND, *out reset to NULL, message lists the path. */
    chexpert_dataset *ds = (chexpert_dataset *)(uintptr_t)0x1234;
    char *missing = format("%s/no-such-folder", fixture_dir);
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_dataset_open(&ds, missing));
    CHECK(ds == NULL);
    MESSAGE_HAS("no-such-folder");
    free(missing);

    /* The manual_dir layout, the dataset folder itself, and NULL with
     * $CHEXPERT_ROOT all resolve to the same folder. */
    OK(chexpert_dataset_open(&ds, fixture_dir));
    CHECK(ds != NULL);
    size_t size = 0;
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_dataset_root(ds, NULL, 0, &size));
    CHECK(size > 1 && size <= sizeof dataset_folder);
    MESSAGE_HAS("bytes");
    OK(chexpert_dataset_root(ds, dataset_folder, size, NULL));
    CHECK(strlen(dataset_folder) + 1 == size);
    char *expected_csv = format("%s/train.csv", dataset_folder);
    CHECK(access(expected_csv, R_OK) == 0);
    free(expected_csv);
    chexpert_dataset_close(ds);

    OK(chexpert_dataset_open(&ds, dataset_folder));
    char again[4096];
    OK(chexpert_dataset_root(ds, again, sizeof again, NULL));
    CHECK(strcmp(again, dataset_folder) == 0);
    chexpert_dataset_close(ds);

    char *with_slash = format("%s/", fixture_dir);
    OK(chexpert_dataset_open(&ds, with_slash));
    OK(chexpert_dataset_root(ds, again, sizeof again, NULL));
    CHECK(strcmp(again, dataset_folder) == 0);
    chexpert_dataset_close(ds);
    free(with_slash);

    const char *saved = getenv("CHEXPERT_ROOT");
    char *saved_copy = saved ? format("%s", saved) : NULL;
    setenv("CHEXPERT_ROOT", fixture_dir, 1);
    OK(chexpert_dataset_open(&ds, NULL));
    OK(chexpert_dataset_root(ds, again, sizeof again, NULL));
    CHECK(strcmp(again, dataset_folder) == 0);
    chexpert_dataset_close(ds);
    if (saved_copy) {
        setenv("CHEXPERT_ROOT", saved_copy, 1);
        free(saved_copy);
    } else {
        unsetenv("CHEXPERT_ROOT");
    }
}

static void test_root_buffers(chexpert_dataset *ds) {
    size_t need = strlen(dataset_folder) + 1, size = 0;
    char *buf = xmalloc(need + 16);

    /* One byte short: too small, size reported, nothing written. */
    memset(buf, CANARY, need + 16);
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_dataset_root(ds, buf, need - 1, &size));
    CHECK(size == need);
    CHECK(untouched(buf, need + 16));
    char *needed = format("%zu", need);
    MESSAGE_HAS(needed);
    free(needed);

    /* Exactly enough. */
    memset(buf, CANARY, need + 16);
    size = 0;
    OK(chexpert_dataset_root(ds, buf, need, &size));
    CHECK(size == need);
    CHECK(strcmp(buf, dataset_folder) == 0);
    CHECK(untouched(buf + need, 16));

    /* NULL with a nonzero capacity is a NULL pointer, not a size query. */
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_root(ds, NULL, 10, &size));
    free(buf);
}

static void test_counts_and_labels(chexpert_dataset *ds) {
    for (int split = 0; split < CHEXPERT_NUM_SPLITS; split++) {
        const csv_table *t = &csv[split];
        OK(chexpert_split_size(ds, split, &split_count[split]));
        CHECK(split_count[split] == (int64_t)t->rows);
        CHECK(split_count[split] > 0);
        OK(chexpert_split_num_labels(ds, split, &label_count[split]));
        CHECK(label_count[split] == (int32_t)t->columns - 5);

        for (int32_t k = 0; k < label_count[split]; k++) {
            size_t size = 0;
            EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
                   chexpert_split_label_name(ds, split, k, NULL, 0, &size));
            CHECK(size == strlen(t->header[5 + k]) + 1);
            char name[512];
            OK(chexpert_split_label_name(ds, split, k, name, sizeof name, &size));
            CHECK(strcmp(name, t->header[5 + k]) == 0);
        }

        int path_col = column_of(t, "Path");
        int view_col = column_of(t, "Frontal/Lateral");
        int64_t *labels = xmalloc(sizeof *labels * (size_t)label_count[split]);
        for (int64_t i = 0; i < split_count[split]; i++) {
            char **row = t->cells[i];
            char *name = library_name(ds, split, i);
            CHECK(strcmp(name, row[path_col]) == 0);
            free(name);

            int32_t view = -1;
            OK(chexpert_example_view(ds, split, i, &view));
            CHECK(view == view_of(row[view_col]));

            OK(chexpert_example_labels(ds, split, i, labels, (size_t)label_count[split]));
            for (int32_t k = 0; k < label_count[split]; k++) {
                int expected = label_class_of(row[column_of(t, t->header[5 + k])]);
                CHECK(expected >= 0);
                CHECK(labels[k] == expected);
            }
        }
        free(labels);
    }
    size_t memory = 0;
    OK(chexpert_dataset_memory_usage(ds, &memory));
    CHECK(memory > strlen(dataset_folder));
}

static void test_bad_split(chexpert_dataset *ds) {
    static const int bad[] = {-1, CHEXPERT_NUM_SPLITS, 100, INT_MAX, INT_MIN};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        int split = bad[b];
        int64_t count = 0, labels[64], index = 0;
        int32_t n = 0, h = 0, w = 0, view = 0;
        char name[64];
        uint8_t pixel[3];
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_split_size(ds, split, &count));
        MESSAGE_HAS("split");
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_split_num_labels(ds, split, &n));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_split_label_name(ds, split, 0, name, sizeof name, NULL));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_example_shape(ds, split, 0, &h, &w));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_example_image(ds, split, 0, pixel, sizeof pixel, &h, &w));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_example_labels(ds, split, 0, labels, 64));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_example_view(ds, split, 0, &view));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_example_name(ds, split, 0, name, sizeof name, NULL));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_shapes(ds, split, &index, 1, &h, &w, 1));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_batch_read(ds, split, &index, 1, NULL, NULL, NULL, 0, labels, 64, NULL, 0, 1));
    }
}

static void test_out_of_range(chexpert_dataset *ds) {
    for (int split = 0; split < CHEXPERT_NUM_SPLITS; split++) {
        const int64_t bad[] = {-1, split_count[split], split_count[split] + 1, INT64_MAX, INT64_MIN};
        int64_t *labels = xmalloc(sizeof *labels * (size_t)label_count[split]);
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            int64_t index = bad[b];
            int32_t h = -7, w = -7, view = -7;
            char name[256];
            uint8_t pixels[64];
            memset(pixels, CANARY, sizeof pixels);
            memset(name, CANARY, sizeof name);
            memset(labels, CANARY, sizeof *labels * (size_t)label_count[split]);
            EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_example_shape(ds, split, index, &h, &w));
            char *text = format("%" PRId64, index);
            MESSAGE_HAS(text);
            free(text);
            EXPECT(CHEXPERT_E_OUT_OF_RANGE,
                   chexpert_example_image(ds, split, index, pixels, sizeof pixels, NULL, NULL));
            CHECK(untouched(pixels, sizeof pixels));
            EXPECT(CHEXPERT_E_OUT_OF_RANGE,
                   chexpert_example_labels(ds, split, index, labels, (size_t)label_count[split]));
            CHECK(untouched(labels, sizeof *labels * (size_t)label_count[split]));
            EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_example_view(ds, split, index, &view));
            CHECK(view == -7);
            EXPECT(CHEXPERT_E_OUT_OF_RANGE,
                   chexpert_example_name(ds, split, index, name, sizeof name, NULL));
            CHECK(untouched(name, sizeof name));
            EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_shapes(ds, split, &index, 1, &h, &w, 1));
        }
        char name[64];
        EXPECT(CHEXPERT_E_OUT_OF_RANGE,
               chexpert_split_label_name(ds, split, -1, name, sizeof name, NULL));
        EXPECT(CHEXPERT_E_OUT_OF_RANGE,
               chexpert_split_label_name(ds, split, label_count[split], name, sizeof name, NULL));
        EXPECT(CHEXPERT_E_OUT_OF_RANGE,
               chexpert_split_label_name(ds, split, INT32_MAX, name, sizeof name, NULL));
        free(labels);
    }
}

/* Every function that takes a handle, with otherwise valid arguments, must
 * return `expected` for handle `d` (NULL, closed or made up). */
static void expect_every_handle_call(chexpert_dataset *d, int expected) {
    int64_t index = 0, count = 0, labels[64], value = 0;
    int32_t h = 0, w = 0, view = 0, n = 0;
    size_t size = 0;
    char name[64];
    uint8_t pixel[3];
    int T = CHEXPERT_SPLIT_TRAIN;
    EXPECT(expected, chexpert_split_size(d, T, &count));
    EXPECT(expected, chexpert_split_num_labels(d, T, &n));
    EXPECT(expected, chexpert_split_label_name(d, T, 0, name, sizeof name, &size));
    EXPECT(expected, chexpert_dataset_root(d, name, sizeof name, &size));
    EXPECT(expected, chexpert_dataset_set_option(d, CHEXPERT_OPTION_DCT, 0));
    EXPECT(expected, chexpert_dataset_get_option(d, CHEXPERT_OPTION_DCT, &value));
    EXPECT(expected, chexpert_dataset_memory_usage(d, &size));
    EXPECT(expected, chexpert_example_shape(d, T, 0, &h, &w));
    EXPECT(expected, chexpert_example_image(d, T, 0, pixel, 3, &h, &w));
    EXPECT(expected, chexpert_example_labels(d, T, 0, labels, 64));
    EXPECT(expected, chexpert_example_view(d, T, 0, &view));
    EXPECT(expected, chexpert_example_name(d, T, 0, name, sizeof name, &size));
    EXPECT(expected, chexpert_batch_shapes(d, T, &index, 1, &h, &w, 1));
    EXPECT(expected,
           chexpert_batch_read(d, T, &index, 1, NULL, NULL, NULL, 0, labels, 64, NULL, 0, 1));
}

static void test_null_arguments(chexpert_dataset *ds) {
    int64_t index = 0, labels[64];
    int32_t h = 0, w = 0;
    size_t size = 0;
    char name[64];
    uint8_t pixel[3];
    int T = CHEXPERT_SPLIT_TRAIN;

    /* NULL handle: NULL_POINTER, naming `ds`. */
    expect_every_handle_call(NULL, CHEXPERT_E_NULL_POINTER);
    MESSAGE_HAS("ds");

    /* NULL outputs, each named in the message. */
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_split_size(ds, T, NULL));
    MESSAGE_HAS("out_count");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_split_num_labels(ds, T, NULL));
    MESSAGE_HAS("out_count");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_split_label_name(ds, T, 0, NULL, 8, &size));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_get_option(ds, CHEXPERT_OPTION_DCT, NULL));
    MESSAGE_HAS("out_value");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_memory_usage(ds, NULL));
    MESSAGE_HAS("out_bytes");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_example_shape(ds, T, 0, NULL, &w));
    MESSAGE_HAS("out_height");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_example_shape(ds, T, 0, &h, NULL));
    MESSAGE_HAS("out_width");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_example_image(ds, T, 0, NULL, 1000, &h, &w));
    MESSAGE_HAS("image");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_example_labels(ds, T, 0, NULL, 64));
    MESSAGE_HAS("labels");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_example_view(ds, T, 0, NULL));
    MESSAGE_HAS("out_view");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_example_name(ds, T, 0, NULL, 8, &size));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_shapes(ds, T, NULL, 1, &h, &w, 1));
    MESSAGE_HAS("indices");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_shapes(ds, T, &index, 1, NULL, &w, 1));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_shapes(ds, T, &index, 1, &h, NULL, 1));
    EXPECT(CHEXPERT_E_NULL_POINTER,
           chexpert_batch_read(ds, T, NULL, 1, NULL, NULL, NULL, 0, labels, 64, NULL, 0, 1));
    /* Images without shapes. */
    EXPECT(CHEXPERT_E_NULL_POINTER,
           chexpert_batch_read(ds, T, &index, 1, NULL, &w, pixel, 3, NULL, 0, NULL, 0, 1));
    EXPECT(CHEXPERT_E_NULL_POINTER,
           chexpert_batch_read(ds, T, &index, 1, &h, NULL, pixel, 3, NULL, 0, NULL, 0, 1));
    /* An output with NULL but a nonzero capacity. */
    EXPECT(CHEXPERT_E_NULL_POINTER,
           chexpert_batch_read(ds, T, &index, 1, NULL, NULL, NULL, 0, NULL, 64, NULL, 0, 1));
    EXPECT(CHEXPERT_E_NULL_POINTER,
           chexpert_batch_read(ds, T, &index, 1, NULL, NULL, NULL, 0, NULL, 0, NULL, 1, 1));

    /* A NULL out_size is allowed. */
    OK(chexpert_split_label_name(ds, T, 0, name, sizeof name, NULL));
    OK(chexpert_example_name(ds, T, 0, name, sizeof name, NULL));
}

/* Decodes `file` with TurboJPEG directly: RGB, flags FASTDCT or ISLOW.
 * `colorspace` (may be NULL) receives the JPEG's TJCS_*. */
static uint8_t *reference_decode(const char *file, int fast, int *height, int *width,
                                 int *colorspace_out) {
    size_t size = 0;
    unsigned char *jpeg = read_file(file, &size);
    tjhandle tj = tjInitDecompress();
    CHECK(tj != NULL);
    int subsamp = 0, colorspace = 0;
    CHECK(tjDecompressHeader3(tj, jpeg, (unsigned long)size, width, height, &subsamp, &colorspace) == 0);
    if (colorspace_out) *colorspace_out = colorspace;
    uint8_t *rgb = xmalloc((size_t)*width * (size_t)*height * 3);
    CHECK(tjDecompress2(tj, jpeg, (unsigned long)size, rgb, *width, 0, *height, TJPF_RGB,
                        fast ? TJFLAG_FASTDCT : TJFLAG_ACCURATEDCT) == 0);
    tjDestroy(tj);
    free(jpeg);
    return rgb;
}

static void test_images(chexpert_dataset *ds) {
    int64_t value = -1;
    OK(chexpert_dataset_get_option(ds, CHEXPERT_OPTION_DCT, &value));
    CHECK(value == CHEXPERT_DCT_FAST);
    int differs = 0, grey_images = 0, colour_images = 0;

    for (int split = 0; split < CHEXPERT_NUM_SPLITS; split++) {
        int64_t n = split_count[split] < 40 ? split_count[split] : 40;
        for (int64_t i = 0; i < n; i++) {
            int32_t h = 0, w = 0;
            OK(chexpert_example_shape(ds, split, i, &h, &w));
            CHECK(h > 0 && w > 0);
            size_t bytes = (size_t)h * (size_t)w * 3;
            uint8_t *image = xmalloc(bytes + 8);

            /* One byte short: too small, shape still reported, nothing written. */
            int32_t h2 = 0, w2 = 0;
            memset(image, CANARY, bytes + 8);
            EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
                   chexpert_example_image(ds, split, i, image, bytes - 1, &h2, &w2));
            CHECK(h2 == h && w2 == w);
            CHECK(untouched(image, bytes + 8));
            char *needed = format("%zu", bytes);
            MESSAGE_HAS(needed);
            free(needed);
            EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
                   chexpert_example_image(ds, split, i, image, 0, NULL, NULL));
            CHECK(untouched(image, bytes + 8));

            char *name = library_name(ds, split, i);
            char *file = image_file(dataset_folder, name);
            for (int fast = 1; fast >= 0; fast--) {
                OK(chexpert_dataset_set_option(ds, CHEXPERT_OPTION_DCT,
                                               fast ? CHEXPERT_DCT_FAST : CHEXPERT_DCT_ACCURATE));
                h2 = w2 = 0;
                memset(image, CANARY, bytes + 8);
                OK(chexpert_example_image(ds, split, i, image, bytes, &h2, &w2));
                CHECK(h2 == h && w2 == w);
                CHECK(untouched(image + bytes, 8));
                int rh = 0, rw = 0, colorspace = -1;
                uint8_t *reference = reference_decode(file, fast, &rh, &rw, &colorspace);
                CHECK(rh == h && rw == w);
                CHECK(memcmp(image, reference, bytes) == 0);
                free(reference);
                /* Grey images are replicated into all three channels. */
                if (colorspace == TJCS_GRAY) {
                    int grey = 1;
                    for (size_t p = 0; p < bytes; p += 3)
                        grey &= image[p] == image[p + 1] && image[p] == image[p + 2];
                    CHECK(grey);
                    grey_images++;
                } else {
                    colour_images++;
                }
            }
            /* FAST and ACCURATE usually differ somewhere (not required). */
            int rh = 0, rw = 0;
            uint8_t *a = reference_decode(file, 1, &rh, &rw, NULL);
            uint8_t *b = reference_decode(file, 0, &rh, &rw, NULL);
            differs |= memcmp(a, b, bytes) != 0;
            free(a);
            free(b);
            OK(chexpert_dataset_set_option(ds, CHEXPERT_OPTION_DCT, CHEXPERT_DCT_FAST));
            free(file);
            free(name);
            free(image);
        }
    }
    CHECK(grey_images > 0);
    printf("images: %d grey and %d colour decodes equal TurboJPEG's (FASTDCT and ISLOW)\n",
           grey_images, colour_images);
    if (!differs) printf("note: FAST and ACCURATE decode identically on the images tried\n");
}

static void test_batches(chexpert_dataset *ds) {
    int T = CHEXPERT_SPLIT_TRAIN;
    int64_t n = split_count[T];
    size_t count = (size_t)(n < 40 ? n : 40) + 2; /* plus two repeats */
    size_t L = (size_t)label_count[T];
    int64_t *indices = xmalloc(sizeof *indices * count);
    for (size_t k = 0; k + 2 < count; k++) indices[k] = n - 1 - (int64_t)k; /* reversed */
    indices[count - 2] = 0;
    indices[count - 1] = 0;

    int32_t *heights = xmalloc(sizeof *heights * count), *widths = xmalloc(sizeof *widths * count);
    OK(chexpert_batch_shapes(ds, T, indices, count, heights, widths, 2));
    size_t total = 0;
    for (size_t k = 0; k < count; k++) {
        int32_t h = 0, w = 0;
        OK(chexpert_example_shape(ds, T, indices[k], &h, &w));
        CHECK(heights[k] == h && widths[k] == w);
        total += (size_t)h * (size_t)w * 3;
    }
    /* Thread counts: 0 (all CPUs), 1, more than count; negative is invalid. */
    int32_t *h2 = xmalloc(sizeof *h2 * count), *w2 = xmalloc(sizeof *w2 * count);
    static const int thread_counts[] = {0, 1, 1000};
    for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
        OK(chexpert_batch_shapes(ds, T, indices, count, h2, w2, thread_counts[t]));
        CHECK(memcmp(h2, heights, sizeof *h2 * count) == 0 && memcmp(w2, widths, sizeof *w2 * count) == 0);
    }
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_shapes(ds, T, indices, count, h2, w2, -1));
    MESSAGE_HAS("num_threads");
    OK(chexpert_batch_shapes(ds, T, NULL, 0, NULL, NULL, 2)); /* empty batch */

    /* The full read, compared with the per-example calls. */
    uint8_t *images = xmalloc(total + 8);
    int64_t *labels = xmalloc(sizeof *labels * count * L);
    int32_t *views = xmalloc(sizeof *views * count);
    memset(images, CANARY, total + 8);
    OK(chexpert_batch_read(ds, T, indices, count, heights, widths, images, total, labels, count * L,
                           views, count, 2));
    CHECK(untouched(images + total, 8));
    size_t offset = 0;
    int64_t *one_labels = xmalloc(sizeof *one_labels * L);
    for (size_t k = 0; k < count; k++) {
        size_t bytes = (size_t)heights[k] * (size_t)widths[k] * 3;
        uint8_t *one = xmalloc(bytes);
        OK(chexpert_example_image(ds, T, indices[k], one, bytes, NULL, NULL));
        CHECK(memcmp(one, images + offset, bytes) == 0);
        free(one);
        offset += bytes;
        OK(chexpert_example_labels(ds, T, indices[k], one_labels, L));
        CHECK(memcmp(one_labels, labels + k * L, sizeof *labels * L) == 0);
        int32_t view = -1;
        OK(chexpert_example_view(ds, T, indices[k], &view));
        CHECK(views[k] == view);
    }
    free(one_labels);

    /* Labels only, views only, and the empty batch. */
    int64_t *labels2 = xmalloc(sizeof *labels2 * count * L);
    OK(chexpert_batch_read(ds, T, indices, count, NULL, NULL, NULL, 0, labels2, count * L, NULL, 0, 1));
    CHECK(memcmp(labels2, labels, sizeof *labels * count * L) == 0);
    int32_t *views2 = xmalloc(sizeof *views2 * count);
    OK(chexpert_batch_read(ds, T, indices, count, NULL, NULL, NULL, 0, NULL, 0, views2, count, 0));
    CHECK(memcmp(views2, views, sizeof *views * count) == 0);
    OK(chexpert_batch_read(ds, T, NULL, 0, NULL, NULL, NULL, 0, NULL, 0, NULL, 0, 1));

    /* Capacity errors: reported before anything is written. */
    memset(images, CANARY, total + 8);
    memset(labels, CANARY, sizeof *labels * count * L);
    memset(views, CANARY, sizeof *views * count);
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
           chexpert_batch_read(ds, T, indices, count, heights, widths, images, total - 1, labels,
                               count * L, views, count, 2));
    char *needed = format("%zu", total);
    MESSAGE_HAS(needed);
    free(needed);
    CHECK(untouched(images, total + 8));
    CHECK(untouched(labels, sizeof *labels * count * L));
    CHECK(untouched(views, sizeof *views * count));
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
           chexpert_batch_read(ds, T, indices, count, heights, widths, images, total, labels,
                               count * L - 1, views, count, 2));
    CHECK(untouched(images, total + 8));
    CHECK(untouched(labels, sizeof *labels * count * L));
    CHECK(untouched(views, sizeof *views * count));
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
           chexpert_batch_read(ds, T, indices, count, heights, widths, images, total, labels,
                               count * L, views, count - 1, 2));
    CHECK(untouched(images, total + 8));
    CHECK(untouched(labels, sizeof *labels * count * L));
    CHECK(untouched(views, sizeof *views * count));

    /* An index error at the last position: found before anything is written. */
    int64_t saved = indices[count - 1];
    indices[count - 1] = n;
    EXPECT(CHEXPERT_E_OUT_OF_RANGE,
           chexpert_batch_read(ds, T, indices, count, heights, widths, images, total, labels,
                               count * L, views, count, 2));
    char *position = format("indices[%zu]", count - 1);
    MESSAGE_HAS(position);
    free(position);
    CHECK(untouched(images, total + 8));
    CHECK(untouched(labels, sizeof *labels * count * L));
    CHECK(untouched(views, sizeof *views * count));
    indices[count - 1] = saved;

    /* num_threads < 0 is an argument error: found before anything is written,
     * also when only labels and views are asked for. */
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
           chexpert_batch_read(ds, T, indices, count, heights, widths, images, total, labels,
                               count * L, views, count, -1));
    CHECK(untouched(images, total + 8));
    CHECK(untouched(labels, sizeof *labels * count * L));
    CHECK(untouched(views, sizeof *views * count));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
           chexpert_batch_read(ds, T, indices, count, NULL, NULL, NULL, 0, labels, count * L, views,
                               count, -1));
    CHECK(untouched(labels, sizeof *labels * count * L));
    CHECK(untouched(views, sizeof *views * count));

    /* Caller shapes that disagree with a file: INVALID_ARGUMENT. */
    heights[0] -= 1; /* one row less: the buffer is still big enough */
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
           chexpert_batch_read(ds, T, indices, count, heights, widths, images, total, NULL, 0,
                               NULL, 0, 2));
    MESSAGE_HAS("heights");
    heights[0] += 1;
    /* Non-positive caller shapes: INVALID_ARGUMENT before anything is written. */
    int32_t zero = heights[0];
    heights[0] = 0;
    memset(images, CANARY, total + 8);
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
           chexpert_batch_read(ds, T, indices, count, heights, widths, images, total, NULL, 0, NULL,
                               0, 2));
    CHECK(untouched(images, total + 8));
    heights[0] = zero;

    free(views2);
    free(labels2);
    free(views);
    free(labels);
    free(images);
    free(h2);
    free(w2);
    free(heights);
    free(widths);
    free(indices);
}

static void test_options(chexpert_dataset *ds) {
    int64_t value = 0;
    OK(chexpert_dataset_get_option(ds, CHEXPERT_OPTION_DCT, &value));
    CHECK(value == CHEXPERT_DCT_FAST);
    OK(chexpert_dataset_get_option(ds, CHEXPERT_OPTION_MAX_PIXELS, &value));
    CHECK(value == CHEXPERT_DEFAULT_MAX_PIXELS);
    OK(chexpert_dataset_get_option(ds, CHEXPERT_OPTION_MAX_FILE_BYTES, &value));
    CHECK(value == CHEXPERT_DEFAULT_MAX_FILE_BYTES);

    OK(chexpert_dataset_set_option(ds, CHEXPERT_OPTION_DCT, CHEXPERT_DCT_ACCURATE));
    OK(chexpert_dataset_get_option(ds, CHEXPERT_OPTION_DCT, &value));
    CHECK(value == CHEXPERT_DCT_ACCURATE);
    static const int64_t bad_dct[] = {-1, 2, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof bad_dct / sizeof bad_dct[0]; i++) {
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_dataset_set_option(ds, CHEXPERT_OPTION_DCT, bad_dct[i]));
        MESSAGE_HAS("CHEXPERT_OPTION_DCT");
        OK(chexpert_dataset_get_option(ds, CHEXPERT_OPTION_DCT, &value));
        CHECK(value == CHEXPERT_DCT_ACCURATE); /* unchanged */
    }
    OK(chexpert_dataset_set_option(ds, CHEXPERT_OPTION_DCT, CHEXPERT_DCT_FAST));

    static const int limits[] = {CHEXPERT_OPTION_MAX_PIXELS, CHEXPERT_OPTION_MAX_FILE_BYTES};
    for (size_t i = 0; i < 2; i++) {
        int option = limits[i];
        int64_t original = 0;
        OK(chexpert_dataset_get_option(ds, option, &original));
        OK(chexpert_dataset_set_option(ds, option, 1));
        OK(chexpert_dataset_get_option(ds, option, &value));
        CHECK(value == 1);
        OK(chexpert_dataset_set_option(ds, option, (int64_t)1 << 31));
        OK(chexpert_dataset_get_option(ds, option, &value));
        CHECK(value == (int64_t)1 << 31);
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, option, 0));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, option, -1));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_dataset_set_option(ds, option, ((int64_t)1 << 31) + 1));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, option, INT64_MAX));
        OK(chexpert_dataset_get_option(ds, option, &value));
        CHECK(value == (int64_t)1 << 31);

        /* A limit of 1 (pixel or byte) refuses every image with E_LIMIT. */
        OK(chexpert_dataset_set_option(ds, option, 1));
        int32_t h = 0, w = 0;
        uint8_t pixels[16];
        memset(pixels, CANARY, sizeof pixels);
        EXPECT(CHEXPERT_E_LIMIT, chexpert_example_shape(ds, CHEXPERT_SPLIT_TRAIN, 0, &h, &w));
        EXPECT(CHEXPERT_E_LIMIT,
               chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, pixels, sizeof pixels, NULL, NULL));
        CHECK(untouched(pixels, sizeof pixels));
        int64_t index = 0;
        EXPECT(CHEXPERT_E_LIMIT, chexpert_batch_shapes(ds, CHEXPERT_SPLIT_TRAIN, &index, 1, &h, &w, 1));
        OK(chexpert_dataset_set_option(ds, option, original));
        OK(chexpert_example_shape(ds, CHEXPERT_SPLIT_TRAIN, 0, &h, &w));
    }

    /* CHEXPERT_OPTION_SELECT is read here but set only at open. */
    OK(chexpert_dataset_get_option(ds, CHEXPERT_OPTION_SELECT, &value));
    CHECK(value == CHEXPERT_SELECT_ALL);
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, CHEXPERT_OPTION_SELECT, CHEXPERT_SELECT_AP));
    MESSAGE_HAS("chexpert_dataset_open_with");

    static const int bad_keys[] = {0, 6, -1, 1000, INT_MIN};
    for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++) {
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_get_option(ds, bad_keys[i], &value));
        MESSAGE_HAS("option");
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, bad_keys[i], 0));
    }
}

static void test_closed(void) {
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, fixture_dir));
    chexpert_dataset_close(ds);

    int64_t count = 0;
    int T = CHEXPERT_SPLIT_TRAIN;
    chexpert_dataset *made_up = (chexpert_dataset *)(uintptr_t)0xdeadbeef;
    expect_every_handle_call(ds, CHEXPERT_E_CLOSED);
    expect_every_handle_call(made_up, CHEXPERT_E_CLOSED);
    /* Double close, NULL and unknown handles are no-ops. */
    chexpert_dataset_close(ds);
    chexpert_dataset_close(NULL);
    chexpert_dataset_close(made_up);
    passed++;

    /* A new dataset (likely in the same slot) does not revive the old handle. */
    chexpert_dataset *fresh = NULL;
    OK(chexpert_dataset_open(&fresh, fixture_dir));
    CHECK(fresh != ds);
    EXPECT(CHEXPERT_E_CLOSED, chexpert_split_size(ds, T, &count));
    OK(chexpert_split_size(fresh, T, &count));
    chexpert_dataset_close(ds); /* closing the stale handle leaves `fresh` open */
    OK(chexpert_split_size(fresh, T, &count));
    chexpert_dataset_close(fresh);
    EXPECT(CHEXPERT_E_CLOSED, chexpert_split_size(fresh, T, &count));
}

/* Each thread sees only its own message. */
struct thread_args {
    chexpert_dataset *ds;
    int bad_split; /* the failing call this thread makes */
    int ok;
};

static void *error_thread(void *raw) {
    struct thread_args *args = raw;
    int64_t count = 0;
    args->ok = strcmp(chexpert_last_error(), "") == 0; /* nothing failed here yet */
    char expected[64];
    snprintf(expected, sizeof expected, "%d", args->bad_split);
    for (int i = 0; i < 500 && args->ok; i++) {
        args->ok &= chexpert_split_size(args->ds, args->bad_split, &count) == CHEXPERT_E_INVALID_ARGUMENT;
        args->ok &= chexpert_split_size(args->ds, CHEXPERT_SPLIT_TRAIN, &count) == CHEXPERT_OK;
        /* A successful call does not clear the message. */
        args->ok &= strstr(chexpert_last_error(), expected) != NULL;
    }
    return NULL;
}

static void test_last_error_threads(chexpert_dataset *ds) {
    int64_t count = 0;
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_split_size(ds, 4242, &count));
    char *mine = format("%s", chexpert_last_error());
    CHECK(strstr(mine, "4242") != NULL);

    struct thread_args args[2] = {{ds, 1111, 0}, {ds, 2222, 0}};
    pthread_t threads[2];
    for (int t = 0; t < 2; t++) CHECK(pthread_create(&threads[t], NULL, error_thread, &args[t]) == 0);
    for (int t = 0; t < 2; t++) CHECK(pthread_join(threads[t], NULL) == 0);
    CHECK(args[0].ok);
    CHECK(args[1].ok);
    CHECK(strcmp(chexpert_last_error(), mine) == 0); /* untouched by the other threads */
    OK(chexpert_split_size(ds, CHEXPERT_SPLIT_TRAIN, &count));
    CHECK(strcmp(chexpert_last_error(), mine) == 0); /* success does not clear it */
    free(mine);
}

/* ------------------------------------------------------------------------ */
/* Broken trees                                                              */
/* ------------------------------------------------------------------------ */

static char *broken_base;

/* Writes BASE/CheXpert-v1.0-small/{train.csv,valid.csv} and returns BASE. */
static void write_tree(const char *train_csv, const char *valid_csv) {
    char *folder = format("%s/CheXpert-v1.0-small", broken_base);
    make_dir(folder);
    char *train = format("%s/train.csv", folder), *valid = format("%s/valid.csv", folder);
    write_file(train, train_csv, strlen(train_csv));
    write_file(valid, valid_csv, strlen(valid_csv));
    free(train);
    free(valid);
    free(folder);
}

static void test_broken_trees(void) {
    char template[] = "/tmp/chexpert-test-api-XXXXXX";
    CHECK(mkdtemp(template) != NULL);
    broken_base = template;
    char *folder = format("%s/CheXpert-v1.0-small", broken_base);
    make_dir(folder);

    /* Copy one real image from the fixture; make a truncated and a PNG-ish one. */
    const char *first_name = csv[CHEXPERT_SPLIT_TRAIN].cells[0][0];
    char *source = image_file(dataset_folder, first_name);
    size_t size = 0;
    unsigned char *jpeg = read_file(source, &size);
    CHECK(size > 200);
    char *good = format("%s/good.jpg", folder), *truncated = format("%s/truncated.jpg", folder);
    char *notjpeg = format("%s/not.jpg", folder), *dir = format("%s/dir.jpg", folder);
    write_file(good, jpeg, size);
    write_file(truncated, jpeg, size / 2);
    static const char png[] = "\x89PNG\r\n\x1a\nthis is not a JPEG file at all";
    write_file(notjpeg, png, sizeof png - 1);
    make_dir(dir);

    const char *header = "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Edema\n";
    char *train = format("%s"
                         "CheXpert-v1.0-small/good.jpg,Male,50,Frontal,AP,1.0,\n"
                         "CheXpert-v1.0-small/missing.jpg,Female,60,lateral,,,-1.0\n"
                         "CheXpert-v1.0-small/truncated.jpg,Female,61,Frontal,PA,0.0,0.0\n"
                         "CheXpert-v1.0-small/not.jpg,Female,62,FRONTAL,PA,,1.0\n"
                         "CheXpert-v1.0-small/dir.jpg,Female,63,Frontal,PA,,\n",
                         header);
    char *valid = format("%sCheXpert-v1.0-small/good.jpg,Male,50,Frontal,AP,0.0,1.0\n", header);
    write_tree(train, valid);

    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, broken_base));
    int64_t count = 0;
    OK(chexpert_split_size(ds, CHEXPERT_SPLIT_TRAIN, &count));
    CHECK(count == 5);
    int32_t view = -1, h = 0, w = 0;
    OK(chexpert_example_view(ds, CHEXPERT_SPLIT_TRAIN, 1, &view));
    CHECK(view == CHEXPERT_VIEW_LATERAL);
    OK(chexpert_example_view(ds, CHEXPERT_SPLIT_TRAIN, 3, &view));
    CHECK(view == CHEXPERT_VIEW_FRONTAL);
    int64_t labels[2];
    OK(chexpert_example_labels(ds, CHEXPERT_SPLIT_TRAIN, 1, labels, 2));
    CHECK(labels[0] == CHEXPERT_LABEL_UNMENTIONED && labels[1] == CHEXPERT_LABEL_UNCERTAIN);
    OK(chexpert_example_shape(ds, CHEXPERT_SPLIT_TRAIN, 0, &h, &w));

    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_example_shape(ds, CHEXPERT_SPLIT_TRAIN, 1, &h, &w));
    MESSAGE_HAS("missing.jpg");
    size_t bytes = (size_t)h * (size_t)w * 3;
    uint8_t *image = xmalloc(bytes);
    EXPECT(CHEXPERT_E_NOT_FOUND,
           chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 1, image, bytes, NULL, NULL));
    EXPECT(CHEXPERT_E_IMAGE,
           chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 2, image, bytes, NULL, NULL));
    MESSAGE_HAS("truncated.jpg");
    EXPECT(CHEXPERT_E_IMAGE, chexpert_example_shape(ds, CHEXPERT_SPLIT_TRAIN, 3, &h, &w));
    MESSAGE_HAS("not.jpg");
    EXPECT(CHEXPERT_E_IO, chexpert_example_shape(ds, CHEXPERT_SPLIT_TRAIN, 4, &h, &w));
    MESSAGE_HAS("dir.jpg");
    /* A batch fails with the error of the first failing position. */
    int64_t indices[] = {0, 3, 1};
    int32_t hs[3], ws[3];
    EXPECT(CHEXPERT_E_IMAGE, chexpert_batch_shapes(ds, CHEXPERT_SPLIT_TRAIN, indices, 3, hs, ws, 2));
    MESSAGE_HAS("not.jpg");
    /* A failure does not invalidate the handle. */
    OK(chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, image, bytes, NULL, NULL));
    chexpert_dataset_close(ds);
    free(image);

    /* CSV errors fail the open and name the file and line. */
    char *bad_label = format("%sCheXpert-v1.0-small/good.jpg,Male,50,Frontal,AP,2.0,\n", header);
    write_tree(train, bad_label);
    ds = (chexpert_dataset *)(uintptr_t)0x1234;
    EXPECT(CHEXPERT_E_CSV, chexpert_dataset_open(&ds, broken_base));
    CHECK(ds == NULL);
    MESSAGE_HAS("valid.csv");
    MESSAGE_HAS("line 2");
    MESSAGE_HAS("No Finding");
    char *bad_view = format("%sCheXpert-v1.0-small/good.jpg,Male,50,Sideways,AP,1.0,\n", header);
    write_tree(bad_view, valid);
    EXPECT(CHEXPERT_E_CSV, chexpert_dataset_open(&ds, broken_base));
    MESSAGE_HAS("train.csv");
    char *no_rows = format("%s", header);
    write_tree(train, no_rows);
    EXPECT(CHEXPERT_E_CSV, chexpert_dataset_open(&ds, broken_base));
    /* A missing valid.csv. */
    char *valid_path = format("%s/valid.csv", folder);
    CHECK(unlink(valid_path) == 0);
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_dataset_open(&ds, broken_base));
    MESSAGE_HAS("valid.csv");

    char *cleanup = format("rm -rf '%s'", broken_base);
    CHECK(system(cleanup) == 0);
    free(cleanup);
    free(valid_path);
    free(no_rows);
    free(bad_view);
    free(bad_label);
    free(valid);
    free(train);
    free(jpeg);
    free(source);
    free(good);
    free(truncated);
    free(notjpeg);
    free(dir);
    free(folder);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR   (DIR holds CheXpert-v1.0-small/)\n", argv[0]);
        return 2;
    }
    fixture_dir = argv[1];

    test_versions();
    test_vocabulary();
    test_open();

    char *train = format("%s/train.csv", dataset_folder), *valid = format("%s/valid.csv", dataset_folder);
    csv[CHEXPERT_SPLIT_TRAIN] = read_csv(train);
    csv[CHEXPERT_SPLIT_VALIDATION] = read_csv(valid);
    free(train);
    free(valid);

    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, fixture_dir));
    test_root_buffers(ds);
    test_counts_and_labels(ds);
    test_bad_split(ds);
    test_out_of_range(ds);
    test_null_arguments(ds);
    test_images(ds);
    test_batches(ds);
    test_options(ds);
    test_last_error_threads(ds);
    chexpert_dataset_close(ds);
    test_closed();
    test_broken_trees();
    free_csv(&csv[CHEXPERT_SPLIT_TRAIN]);
    free_csv(&csv[CHEXPERT_SPLIT_VALIDATION]);

    CHECK_SUMMARY();
    return 0;
}
