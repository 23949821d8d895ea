/*
 * test_api.c: the C contract of include/chexpert.h (1.0 API), checked against
 * the built libchexpert.so on a tree written by the sample generator.
 *
 *   test_api DIR      DIR holds CheXpert-v1.0-small/{train.csv,valid.csv,...}
 *
 * The CSVs are parsed here independently (RFC 4180, TFDS's label and view
 * mapping, the projection rule) and every example's name, labels, view and
 * projection is compared with the library. Images are compared bit for bit
 * with a direct TurboJPEG decode (FASTDCT for CHEXPERT_DCT_FAST, ISLOW for
 * CHEXPERT_DCT_ACCURATE). Broken trees (bad CSV cell, missing, truncated and
 * non-JPEG images) are made in a temporary folder from copies of the
 * generated files. The chexpert_params object: defaults, tagged enum values
 * (a value of one enum is refused for every other key), lifetime.
 *
 * Every check counts; the first failing one prints file:line and exits 1.
 * The last line is "N passed, 0 failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
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
#include "new_params.h"

#define OK(call) EXPECT(CHEXPERT_OK, call)

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
    if (name[0] == '/') return xformat("%s", name);
    if (strncmp(name, prefix, strlen(prefix)) == 0)
        return xformat("%s/%s", dataset_folder, name + strlen(prefix));
    return xformat("%s/../%s", dataset_folder, name);
}


/* The column with this name, or -1 (last one wins, as column_of). */
static int column_index(const csv_table *t, const char *name) {
    for (size_t c = t->columns; c-- > 0;)
        if (strcmp(t->header[c], name) == 0) return (int)c;
    return -1;
}

/* chexpert.h's projection rule: a frontal row with AP/PA exactly AP or PA is
 * AP or PA, any other frontal row OTHER_FRONTAL, a lateral row LATERAL. */
static int projection_of(const char *view_cell, const char *ap_pa_cell) {
    if (view_of(view_cell) == CHEXPERT_VIEW_LATERAL) return CHEXPERT_PROJECTION_LATERAL;
    if (ap_pa_cell != NULL && strcmp(ap_pa_cell, "AP") == 0) return CHEXPERT_PROJECTION_AP;
    if (ap_pa_cell != NULL && strcmp(ap_pa_cell, "PA") == 0) return CHEXPERT_PROJECTION_PA;
    return CHEXPERT_PROJECTION_OTHER_FRONTAL;
}

/* ------------------------------------------------------------------------ */
/* Fixture state                                                             */
/* ------------------------------------------------------------------------ */

static const char *fixture_dir;    /* argv[1] */
static char dataset_folder[4096];  /* from chexpert_dataset_root */
static csv_table csv[CHEXPERT_NUM_SPLITS];
static int64_t split_count[CHEXPERT_NUM_SPLITS];
static int32_t label_count[CHEXPERT_NUM_SPLITS];
/* A parameter set valid for every call that takes one: a resize of 8x8, the
 * paper preset, 2 threads. */
static chexpert_params *good;

static chexpert_params *threads_params(int64_t threads) {
    chexpert_params *p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_THREADS, threads));
    return p;
}

static char *library_name(const chexpert_dataset *ds, int split, int64_t index) {
    size_t size = 0;
    OK(chexpert_example_name(ds, split, index, NULL, 0, &size)); /* a size query succeeds */
    CHECK(size > 1);
    char *name = xmalloc(size);
    OK(chexpert_example_name(ds, split, index, name, size, NULL));
    CHECK(strlen(name) + 1 == size);
    return name;
}

/* The image size from the size query (NULL, 0). */
static void image_size(const chexpert_dataset *ds, int split, int64_t index, int32_t *h, int32_t *w) {
    *h = *w = -1;
    OK(chexpert_example_image(ds, split, index, NULL, 0, h, w));
    CHECK(*h > 0 && *w > 0);
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
    CHECK(CHEXPERT_ABI_VERSION == 2);
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
        {CHEXPERT_E_STALE, "CHEXPERT_E_STALE"},
    };
    /* Pinned values: 0, -1, ..., -13 in this order. */
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        CHECK(codes[i].code == -(int)i);
        CHECK(chexpert_status_name(codes[i].code) != NULL);
        CHECK(strcmp(chexpert_status_name(codes[i].code), codes[i].name) == 0);
    }
    static const int unknown[] = {1, -14, 100, -100, INT_MAX, INT_MIN};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CHECK(strcmp(chexpert_status_name(unknown[i]), "CHEXPERT_E_UNKNOWN") == 0);

    CHECK(strcmp(chexpert_split_name(CHEXPERT_SPLIT_TRAIN), "train") == 0);
    CHECK(strcmp(chexpert_split_name(CHEXPERT_SPLIT_VALIDATION), "validation") == 0);
    CHECK(chexpert_split_name(-1) == NULL);
    CHECK(strcmp(chexpert_split_name(CHEXPERT_SPLIT_TEST), "test") == 0);
    CHECK(chexpert_split_name(CHEXPERT_NUM_SPLITS_ALL) == NULL);
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

    static const char *projections[] = {"ap", "pa", "other_frontal", "lateral"};
    CHECK(CHEXPERT_NUM_PROJECTIONS == 4);
    CHECK(CHEXPERT_PROJECTION_AP == 0 && CHEXPERT_PROJECTION_PA == 1 &&
          CHEXPERT_PROJECTION_OTHER_FRONTAL == 2 && CHEXPERT_PROJECTION_LATERAL == 3);
    for (int p = 0; p < CHEXPERT_NUM_PROJECTIONS; p++) {
        CHECK(chexpert_projection_name(p) != NULL);
        CHECK(strcmp(chexpert_projection_name(p), projections[p]) == 0);
    }
    CHECK(chexpert_projection_name(-1) == NULL);
    CHECK(chexpert_projection_name(CHEXPERT_NUM_PROJECTIONS) == NULL);
    CHECK(chexpert_projection_name(INT_MAX) == NULL);
    CHECK(chexpert_projection_name(INT_MIN) == NULL);
    /* Select bits: one per projection. */
    CHECK(CHEXPERT_SELECT_ALL == 15 && CHEXPERT_SELECT_FRONTAL == 7);
}

static void test_open(void) {
    /* NULL out. */
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_open(NULL, fixture_dir, NULL));
    MESSAGE_HAS("out");

    /* A missing root: NOT_FOUND, *out reset to NULL, message lists the path. */
    chexpert_dataset *ds = (chexpert_dataset *)(uintptr_t)0x1234;
    char *missing = xformat("%s/no-such-folder", fixture_dir);
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_dataset_open(&ds, missing, NULL));
    CHECK(ds == NULL);
    MESSAGE_HAS("no-such-folder");
    free(missing);

    /* The manual_dir layout, the dataset folder itself, and NULL with
     * $CHEXPERT_ROOT all resolve to the same folder. */
    OK(chexpert_dataset_open(&ds, fixture_dir, NULL));
    CHECK(ds != NULL);
    size_t size = 0;
    OK(chexpert_dataset_root(ds, NULL, 0, &size)); /* a size query */
    CHECK(size > 1 && size <= sizeof dataset_folder);
    OK(chexpert_dataset_root(ds, dataset_folder, size, NULL));
    CHECK(strlen(dataset_folder) + 1 == size);
    char *expected_csv = xformat("%s/train.csv", dataset_folder);
    CHECK(access(expected_csv, R_OK) == 0);
    free(expected_csv);
    chexpert_dataset_close(ds);

    OK(chexpert_dataset_open(&ds, dataset_folder, NULL));
    char again[4096];
    OK(chexpert_dataset_root(ds, again, sizeof again, NULL));
    CHECK(strcmp(again, dataset_folder) == 0);
    chexpert_dataset_close(ds);

    char *with_slash = xformat("%s/", fixture_dir);
    OK(chexpert_dataset_open(&ds, with_slash, NULL));
    OK(chexpert_dataset_root(ds, again, sizeof again, NULL));
    CHECK(strcmp(again, dataset_folder) == 0);
    chexpert_dataset_close(ds);
    free(with_slash);

    const char *saved = getenv("CHEXPERT_ROOT");
    char *saved_copy = saved ? xformat("%s", saved) : NULL;
    setenv("CHEXPERT_ROOT", fixture_dir, 1);
    OK(chexpert_dataset_open(&ds, NULL, NULL));
    OK(chexpert_dataset_root(ds, again, sizeof again, NULL));
    CHECK(strcmp(again, dataset_folder) == 0);
    chexpert_dataset_close(ds);
    if (saved_copy) {
        setenv("CHEXPERT_ROOT", saved_copy, 1);
        free(saved_copy);
    } else {
        unsetenv("CHEXPERT_ROOT");
    }

    /* Options: the dataset keys are read, the others ignored (one object can
     * carry a whole pipeline). */
    chexpert_params *options = new_params();
    OK(chexpert_params_set(options, CHEXPERT_KEY_DCT, CHEXPERT_DCT_ACCURATE));
    OK(chexpert_params_set(options, CHEXPERT_KEY_MAX_PIXELS, 12345));
    OK(chexpert_params_set(options, CHEXPERT_KEY_MAX_FILE_BYTES, 54321));
    OK(chexpert_params_set(options, CHEXPERT_KEY_ON_ERROR, CHEXPERT_ON_ERROR_SUBSTITUTE));
    OK(chexpert_params_set(options, CHEXPERT_KEY_HEIGHT, 224));
    OK(chexpert_params_set(options, CHEXPERT_KEY_TARGET_PRESET, CHEXPERT_PRESET_XRV));
    OK(chexpert_params_set(options, CHEXPERT_KEY_WORLD, 8));
    OK(chexpert_dataset_open(&ds, fixture_dir, options));
    int64_t value = 0;
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_DCT, &value));
    CHECK(value == CHEXPERT_DCT_ACCURATE);
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_MAX_PIXELS, &value));
    CHECK(value == 12345);
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_MAX_FILE_BYTES, &value));
    CHECK(value == 54321);
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_ON_ERROR, &value));
    CHECK(value == CHEXPERT_ON_ERROR_SUBSTITUTE);
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_SELECT, &value));
    CHECK(value == CHEXPERT_SELECT_ALL);
    /* The handle copied the options: changing them later does not matter. */
    OK(chexpert_params_set(options, CHEXPERT_KEY_DCT, CHEXPERT_DCT_FAST));
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_DCT, &value));
    CHECK(value == CHEXPERT_DCT_ACCURATE);
    chexpert_dataset_close(ds);
    /* Freed options: CLOSED, *out NULL. */
    chexpert_params_free(options);
    ds = (chexpert_dataset *)(uintptr_t)0x1234;
    EXPECT(CHEXPERT_E_CLOSED, chexpert_dataset_open(&ds, fixture_dir, options));
    CHECK(ds == NULL);
}

static void test_root_buffers(chexpert_dataset *ds) {
    size_t need = strlen(dataset_folder) + 1, size = 0;
    char *buf = xmalloc(need + 16);

    /* One byte short: too small, size reported, nothing written. */
    memset(buf, CANARY, need + 16);
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_dataset_root(ds, buf, need - 1, &size));
    CHECK(size == need);
    CHECK(untouched(buf, need + 16));
    char *needed = xformat("%zu", need);
    MESSAGE_HAS(needed);
    free(needed);
    /* A non-NULL buffer with capacity 0 is too small, not a size query. */
    size = 0;
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_dataset_root(ds, buf, 0, &size));
    CHECK(size == need);
    CHECK(untouched(buf, need + 16));

    /* The size query: OK, size set; also with out_size NULL. */
    size = 0;
    OK(chexpert_dataset_root(ds, NULL, 0, &size));
    CHECK(size == need);
    OK(chexpert_dataset_root(ds, NULL, 0, NULL));

    /* Exactly enough. */
    memset(buf, CANARY, need + 16);
    size = 0;
    OK(chexpert_dataset_root(ds, buf, need, &size));
    CHECK(size == need);
    CHECK(strcmp(buf, dataset_folder) == 0);
    CHECK(untouched(buf + need, 16));

    /* NULL with a nonzero capacity is a NULL pointer, not a size query. */
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_root(ds, NULL, 10, &size));
    /* A capacity above SSIZE_MAX cannot be real. */
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_root(ds, buf, SIZE_MAX, &size));
    CHECK(untouched(buf + need, 16));
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
            OK(chexpert_split_label_name(ds, split, k, NULL, 0, &size)); /* size query */
            CHECK(size == strlen(t->header[5 + k]) + 1);
            char name[512];
            memset(name, CANARY, sizeof name);
            EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_split_label_name(ds, split, k, name, size - 1, NULL));
            CHECK(untouched(name, sizeof name));
            OK(chexpert_split_label_name(ds, split, k, name, sizeof name, &size));
            CHECK(strcmp(name, t->header[5 + k]) == 0);
        }

        int path_col = column_of(t, "Path");
        int view_col = column_of(t, "Frontal/Lateral");
        int ap_pa_col = column_index(t, "AP/PA");
        int64_t projection_counts[CHEXPERT_NUM_PROJECTIONS] = {0, 0, 0, 0};
        int64_t *labels = xmalloc(sizeof *labels * (size_t)label_count[split]);
        for (int64_t i = 0; i < split_count[split]; i++) {
            char **row = t->cells[i];
            char *name = library_name(ds, split, i);
            CHECK(strcmp(name, row[path_col]) == 0);
            free(name);

            int64_t view = -1;
            OK(chexpert_example_view(ds, split, i, &view));
            CHECK(view == view_of(row[view_col]));

            int64_t projection = -1;
            OK(chexpert_batch_projections(ds, split, &i, 1, &projection, 1));
            int expected_projection = projection_of(row[view_col], ap_pa_col >= 0 ? row[ap_pa_col] : NULL);
            CHECK(projection == expected_projection);
            projection_counts[expected_projection]++;

            OK(chexpert_example_labels(ds, split, i, labels, (size_t)label_count[split]));
            for (int32_t k = 0; k < label_count[split]; k++) {
                int expected = label_class_of(row[column_of(t, t->header[5 + k])]);
                CHECK(expected >= 0);
                CHECK(labels[k] == expected);
            }
        }
        int64_t counts[CHEXPERT_NUM_PROJECTIONS + 1];
        memset(counts, CANARY, sizeof counts);
        OK(chexpert_split_projection_counts(ds, split, counts, CHEXPERT_NUM_PROJECTIONS + 1));
        CHECK(memcmp(counts, projection_counts, sizeof projection_counts) == 0);
        CHECK(untouched(&counts[CHEXPERT_NUM_PROJECTIONS], sizeof counts[0]));
        free(labels);
    }
    size_t memory = 0;
    OK(chexpert_dataset_memory_usage(ds, &memory));
    CHECK(memory > strlen(dataset_folder));
}

static void test_bad_split(chexpert_dataset *ds) {
    /* CHEXPERT_SPLIT_TEST is a split id, absent from this tree: test_releases.c. */
    static const int bad[] = {-1, CHEXPERT_NUM_SPLITS_ALL, 100, INT_MAX, INT_MIN};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        int split = bad[b];
        int64_t count = 0, labels[64], index = 0, view = 0, counts[CHEXPERT_NUM_PROJECTIONS];
        int32_t n = 0, h = 0, w = 0, shapes[2], statuses[1], rules[64];
        char name[64];
        uint8_t pixel[3], resized[8 * 8 * 3];
        float targets[64];
        size_t size = 0;
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_split_size(ds, split, &count));
        MESSAGE_HAS("split");
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_split_num_labels(ds, split, &n));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_split_label_name(ds, split, 0, name, sizeof name, NULL));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_split_projection_counts(ds, split, counts, CHEXPERT_NUM_PROJECTIONS));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_example_image(ds, split, 0, NULL, 0, &h, &w));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_example_image(ds, split, 0, pixel, sizeof pixel, &h, &w));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_example_labels(ds, split, 0, labels, 64));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_example_view(ds, split, 0, &view));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_example_name(ds, split, 0, name, sizeof name, NULL));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_batch_images(ds, split, &index, 1, NULL, NULL, 0, shapes));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_labels(ds, split, &index, 1, labels, 64));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_views(ds, split, &index, 1, labels, 64));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_projections(ds, split, &index, 1, labels, 64));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_batch_names(ds, split, &index, 1, name, sizeof name, &size));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_batch_resized(ds, split, &index, 1, good, resized, sizeof resized, statuses));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_target_rules(ds, split, good, rules, 64, &size, NULL));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_batch_targets(ds, split, &index, 1, good, targets, NULL, 64));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_batch_verify(ds, split, &index, 1, good, statuses, NULL, 0));
    }
}

static void test_out_of_range(chexpert_dataset *ds) {
    for (int split = 0; split < CHEXPERT_NUM_SPLITS; split++) {
        const int64_t bad[] = {-1, split_count[split], split_count[split] + 1, INT64_MAX, INT64_MIN};
        size_t L = (size_t)label_count[split];
        int64_t *labels = xmalloc(sizeof *labels * L);
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            int64_t index = bad[b];
            int32_t h = -7, w = -7, shapes[2] = {-7, -7}, statuses[2];
            int64_t view = -7, views[2];
            char name[256];
            uint8_t pixels[64], resized[8 * 8 * 3];
            float targets[64];
            memset(pixels, CANARY, sizeof pixels);
            memset(name, CANARY, sizeof name);
            memset(labels, CANARY, sizeof *labels * L);
            EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_example_image(ds, split, index, NULL, 0, &h, &w));
            CHECK(h == -7 && w == -7);
            char *text = xformat("%" PRId64, index);
            MESSAGE_HAS(text);
            free(text);
            EXPECT(CHEXPERT_E_OUT_OF_RANGE,
                   chexpert_example_image(ds, split, index, pixels, sizeof pixels, NULL, NULL));
            CHECK(untouched(pixels, sizeof pixels));
            EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_example_labels(ds, split, index, labels, L));
            CHECK(untouched(labels, sizeof *labels * L));
            EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_example_view(ds, split, index, &view));
            CHECK(view == -7);
            EXPECT(CHEXPERT_E_OUT_OF_RANGE,
                   chexpert_example_name(ds, split, index, name, sizeof name, NULL));
            CHECK(untouched(name, sizeof name));

            /* Batches: the bad index at position 1, after a good one. */
            int64_t pair[2] = {0, index};
            size_t size = 12345;
            EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_images(ds, split, pair, 2, NULL, NULL, 0, shapes));
            MESSAGE_HAS("indices[1]");
            CHECK(shapes[0] == -7 && shapes[1] == -7);
            EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_labels(ds, split, pair, 2, labels, L));
            EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_views(ds, split, pair, 2, views, 2));
            EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_projections(ds, split, pair, 2, views, 2));
            EXPECT(CHEXPERT_E_OUT_OF_RANGE,
                   chexpert_batch_names(ds, split, pair, 2, name, sizeof name, &size));
            CHECK(untouched(name, sizeof name));
            memset(resized, CANARY, sizeof resized);
            memset(statuses, CANARY, sizeof statuses);
            EXPECT(CHEXPERT_E_OUT_OF_RANGE,
                   chexpert_batch_resized(ds, split, &index, 1, good, resized, sizeof resized, statuses));
            CHECK(untouched(resized, sizeof resized));
            CHECK(untouched(statuses, sizeof statuses));
            memset(targets, CANARY, sizeof targets);
            EXPECT(CHEXPERT_E_OUT_OF_RANGE,
                   chexpert_batch_targets(ds, split, pair, 2, good, targets, NULL, 64));
            CHECK(untouched(targets, sizeof targets));
            EXPECT(CHEXPERT_E_OUT_OF_RANGE,
                   chexpert_batch_verify(ds, split, pair, 2, good, statuses, NULL, 0));
            CHECK(untouched(statuses, sizeof statuses));
            CHECK(untouched(labels, sizeof *labels * L));
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

/* Every function that takes a dataset handle, with otherwise valid
 * arguments, must return `expected` for handle `d` (NULL, closed, made up,
 * or a parameter set). */
static void expect_every_handle_call(chexpert_dataset *d, int expected) {
    int64_t index = 0, count = 0, labels[64], value = 0, view = 0, counts[CHEXPERT_NUM_PROJECTIONS];
    int32_t h = 0, w = 0, n = 0, shapes[2], statuses[1], rules[64];
    size_t size = 0;
    char name[64];
    uint8_t pixel[3], resized[8 * 8 * 3];
    float targets[64];
    int T = CHEXPERT_SPLIT_TRAIN;
    EXPECT(expected, chexpert_split_size(d, T, &count));
    EXPECT(expected, chexpert_split_num_labels(d, T, &n));
    EXPECT(expected, chexpert_split_label_name(d, T, 0, name, sizeof name, &size));
    EXPECT(expected, chexpert_split_projection_counts(d, T, counts, CHEXPERT_NUM_PROJECTIONS));
    EXPECT(expected, chexpert_dataset_root(d, name, sizeof name, &size));
    EXPECT(expected, chexpert_dataset_root(d, NULL, 0, &size));
    EXPECT(expected, chexpert_dataset_set_option(d, CHEXPERT_KEY_DCT, CHEXPERT_DCT_FAST));
    EXPECT(expected, chexpert_dataset_get_option(d, CHEXPERT_KEY_DCT, &value));
    EXPECT(expected, chexpert_dataset_memory_usage(d, &size));
    EXPECT(expected, chexpert_example_image(d, T, 0, NULL, 0, &h, &w));
    EXPECT(expected, chexpert_example_image(d, T, 0, pixel, 3, &h, &w));
    EXPECT(expected, chexpert_example_labels(d, T, 0, labels, 64));
    EXPECT(expected, chexpert_example_view(d, T, 0, &view));
    EXPECT(expected, chexpert_example_name(d, T, 0, name, sizeof name, &size));
    EXPECT(expected, chexpert_batch_images(d, T, &index, 1, good, NULL, 0, shapes));
    EXPECT(expected, chexpert_batch_labels(d, T, &index, 1, labels, 64));
    EXPECT(expected, chexpert_batch_views(d, T, &index, 1, labels, 64));
    EXPECT(expected, chexpert_batch_projections(d, T, &index, 1, labels, 64));
    EXPECT(expected, chexpert_batch_names(d, T, &index, 1, name, sizeof name, &size));
    EXPECT(expected, chexpert_batch_resized(d, T, &index, 1, good, resized, sizeof resized, statuses));
    EXPECT(expected, chexpert_target_rules(d, T, good, rules, 64, &size, NULL));
    EXPECT(expected, chexpert_batch_targets(d, T, &index, 1, good, targets, NULL, 64));
    EXPECT(expected, chexpert_batch_verify(d, T, &index, 1, good, statuses, NULL, 0));
}

/* Every function that takes a parameter set, with otherwise valid arguments
 * (a live dataset), must return `expected` for `p` (closed, freed, made up,
 * or a dataset handle). */
static void expect_every_params_call(chexpert_dataset *ds, chexpert_params *p, int expected) {
    int64_t index = 0, value = 0, out[4];
    int32_t shapes[2], statuses[1], rules[64], rule[3] = {0, CHEXPERT_UNCERTAIN_ONES, CHEXPERT_BLANK_NEGATIVE};
    size_t size = 0;
    uint8_t resized[8 * 8 * 3];
    float targets[64], mean[1] = {0.5f};
    int T = CHEXPERT_SPLIT_TRAIN;
    EXPECT(expected, chexpert_params_set(p, CHEXPERT_KEY_THREADS, 1));
    EXPECT(expected, chexpert_params_set_floats(p, CHEXPERT_KEY_MEAN, mean, 1));
    EXPECT(expected, chexpert_params_set_rules(p, rule, 1));
    EXPECT(expected, chexpert_params_get(p, CHEXPERT_KEY_THREADS, &value));
    chexpert_dataset *opened = (chexpert_dataset *)(uintptr_t)0x1234;
    EXPECT(expected, chexpert_dataset_open(&opened, fixture_dir, p));
    CHECK(opened == NULL);
    EXPECT(expected, chexpert_batch_images(ds, T, &index, 1, p, NULL, 0, shapes));
    EXPECT(expected, chexpert_resize_output_bytes(p, 1, &size));
    EXPECT(expected, chexpert_batch_resized(ds, T, &index, 1, p, resized, sizeof resized, statuses));
    EXPECT(expected, chexpert_target_rules(ds, T, p, rules, 64, &size, NULL));
    EXPECT(expected, chexpert_batch_targets(ds, T, &index, 1, p, targets, NULL, 64));
    EXPECT(expected, chexpert_shard_indices(p, 4, out, 4, &size));
    EXPECT(expected, chexpert_batch_verify(ds, T, &index, 1, p, statuses, NULL, 0));
}

static void test_null_arguments(chexpert_dataset *ds) {
    int64_t index = 0, labels[64], value = 0;
    int32_t h = 0, w = 0, shapes[2], statuses[1], rules[64];
    size_t size = 0;
    char name[64];
    uint8_t pixel[3], resized[8 * 8 * 3];
    float targets[64], mean[1] = {0.5f};
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
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_split_projection_counts(ds, T, NULL, 4));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_get_option(ds, CHEXPERT_KEY_DCT, NULL));
    MESSAGE_HAS("out_value");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_memory_usage(ds, NULL));
    MESSAGE_HAS("out_bytes");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_example_image(ds, T, 0, NULL, 1000, &h, &w));
    MESSAGE_HAS("out");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_example_labels(ds, T, 0, NULL, 64));
    MESSAGE_HAS("out");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_example_view(ds, T, 0, NULL));
    MESSAGE_HAS("out_view");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_example_name(ds, T, 0, NULL, 8, &size));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_images(ds, T, NULL, 1, NULL, NULL, 0, shapes));
    MESSAGE_HAS("indices");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_images(ds, T, &index, 1, NULL, NULL, 3, shapes));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_labels(ds, T, NULL, 1, labels, 64));
    MESSAGE_HAS("indices");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_labels(ds, T, &index, 1, NULL, 64));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_views(ds, T, &index, 1, NULL, 1));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_projections(ds, T, &index, 1, NULL, 1));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_names(ds, T, &index, 1, NULL, 8, &size));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_names(ds, T, NULL, 1, name, sizeof name, &size));
    EXPECT(CHEXPERT_E_NULL_POINTER,
           chexpert_batch_resized(ds, T, &index, 1, good, NULL, sizeof resized, statuses));
    EXPECT(CHEXPERT_E_NULL_POINTER,
           chexpert_batch_resized(ds, T, NULL, 1, good, resized, sizeof resized, statuses));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_resize_output_bytes(good, 1, NULL));
    MESSAGE_HAS("out_bytes");
    /* NULL params: no key set, so HEIGHT and WIDTH are missing. */
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_resize_output_bytes(NULL, 1, &size));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_target_rules(ds, T, good, NULL, 3, &size, NULL));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_targets(ds, T, &index, 1, good, NULL, NULL, 64));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_targets(ds, T, NULL, 1, good, targets, NULL, 64));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_verify(ds, T, &index, 1, good, NULL, NULL, 0));
    MESSAGE_HAS("statuses");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_verify(ds, T, NULL, 1, good, statuses, NULL, 0));
    int64_t out[4];
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_shard_indices(NULL, 4, NULL, 4, &size));

    /* Parameter calls: NULL handle, NULL arguments. */
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_params_create(NULL));
    MESSAGE_HAS("out");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_params_set(NULL, CHEXPERT_KEY_THREADS, 1));
    MESSAGE_HAS("params");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_params_set_floats(NULL, CHEXPERT_KEY_MEAN, mean, 1));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_params_set_rules(NULL, rules, 1));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_params_get(NULL, CHEXPERT_KEY_THREADS, &value));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_params_get(good, CHEXPERT_KEY_THREADS, NULL));
    MESSAGE_HAS("out_value");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_params_set_floats(good, CHEXPERT_KEY_MEAN, NULL, 1));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_params_set_rules(good, NULL, 1));
    chexpert_params_free(NULL);
    passed++;

    /* NULL params where they are optional: the defaults. */
    OK(chexpert_batch_images(ds, T, &index, 1, NULL, NULL, 0, shapes));
    OK(chexpert_batch_verify(ds, T, &index, 1, NULL, statuses, NULL, 0));
    CHECK(statuses[0] == CHEXPERT_OK);
    size = 0;
    OK(chexpert_shard_indices(NULL, 4, out, 4, &size));
    CHECK(size == 4 && out[0] == 0 && out[3] == 3);
    /* ... and where a key is required: INVALID_ARGUMENT (HEIGHT, WIDTH; a preset or rules). */
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
           chexpert_batch_resized(ds, T, &index, 1, NULL, resized, sizeof resized, statuses));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_target_rules(ds, T, NULL, rules, 64, &size, NULL));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_targets(ds, T, &index, 1, NULL, targets, NULL, 64));

    /* A NULL out_size is allowed. */
    OK(chexpert_split_label_name(ds, T, 0, name, sizeof name, NULL));
    OK(chexpert_example_name(ds, T, 0, name, sizeof name, NULL));
    OK(chexpert_batch_names(ds, T, &index, 1, name, sizeof name, NULL));
    (void)pixel;
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
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_DCT, &value));
    CHECK(value == CHEXPERT_DCT_FAST);
    int differs = 0, grey_images = 0, colour_images = 0;
    /* A per-call DCT overrides the handle's. */
    chexpert_params *accurate = new_params(), *fast_call = new_params();
    OK(chexpert_params_set(accurate, CHEXPERT_KEY_DCT, CHEXPERT_DCT_ACCURATE));
    OK(chexpert_params_set(fast_call, CHEXPERT_KEY_DCT, CHEXPERT_DCT_FAST));

    for (int split = 0; split < CHEXPERT_NUM_SPLITS; split++) {
        int64_t n = split_count[split] < 40 ? split_count[split] : 40;
        for (int64_t i = 0; i < n; i++) {
            int32_t h = 0, w = 0;
            image_size(ds, split, i, &h, &w);
            size_t bytes = (size_t)h * (size_t)w * 3;
            uint8_t *image = xmalloc(bytes + 8);

            /* The size query with NULL outputs is fine too. */
            OK(chexpert_example_image(ds, split, i, NULL, 0, NULL, NULL));

            /* One byte short: too small, shape still reported, nothing written. */
            int32_t h2 = 0, w2 = 0;
            memset(image, CANARY, bytes + 8);
            EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
                   chexpert_example_image(ds, split, i, image, bytes - 1, &h2, &w2));
            CHECK(h2 == h && w2 == w);
            CHECK(untouched(image, bytes + 8));
            char *needed = xformat("%zu", bytes);
            MESSAGE_HAS(needed);
            free(needed);
            /* Non-NULL with capacity 0 is too small, not a size query. */
            h2 = w2 = 0;
            EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
                   chexpert_example_image(ds, split, i, image, 0, &h2, &w2));
            CHECK(h2 == h && w2 == w);
            CHECK(untouched(image, bytes + 8));

            char *name = library_name(ds, split, i);
            char *file = image_file(dataset_folder, name);
            for (int fast = 1; fast >= 0; fast--) {
                OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_DCT,
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
                /* batch_images with the other DCT as the call's key (the
                 * handle's option set to the opposite one). */
                OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_DCT,
                                               fast ? CHEXPERT_DCT_ACCURATE : CHEXPERT_DCT_FAST));
                int32_t shape[2] = {0, 0};
                memset(image, CANARY, bytes + 8);
                OK(chexpert_batch_images(ds, split, &i, 1, fast ? fast_call : accurate, image, bytes, shape));
                CHECK(shape[0] == h && shape[1] == w);
                CHECK(memcmp(image, reference, bytes) == 0);
                CHECK(untouched(image + bytes, 8));
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
            OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_DCT, CHEXPERT_DCT_FAST));
            free(file);
            free(name);
            free(image);
        }
    }
    chexpert_params_free(accurate);
    chexpert_params_free(fast_call);
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

    /* The size query: shapes only, OK. */
    int32_t *shapes = xmalloc(sizeof *shapes * 2 * count);
    memset(shapes, CANARY, sizeof *shapes * 2 * count);
    chexpert_params *two = threads_params(2);
    OK(chexpert_batch_images(ds, T, indices, count, two, NULL, 0, shapes));
    size_t total = 0;
    for (size_t k = 0; k < count; k++) {
        int32_t h = 0, w = 0;
        image_size(ds, T, indices[k], &h, &w);
        CHECK(shapes[2 * k] == h && shapes[2 * k + 1] == w);
        total += (size_t)h * (size_t)w * 3;
    }
    /* Thread counts: 0 (all CPUs), 1, more than count; negative is refused when set. */
    int32_t *shapes2 = xmalloc(sizeof *shapes2 * 2 * count);
    static const int64_t thread_counts[] = {0, 1, 1000, CHEXPERT_MAX_THREADS};
    for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0]; t++) {
        chexpert_params *p = threads_params(thread_counts[t]);
        OK(chexpert_batch_images(ds, T, indices, count, p, NULL, 0, shapes2));
        CHECK(memcmp(shapes2, shapes, sizeof *shapes * 2 * count) == 0);
        chexpert_params_free(p);
    }
    {
        chexpert_params *p = new_params();
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_THREADS, -1));
        MESSAGE_HAS("THREADS");
        int64_t value = -5;
        OK(chexpert_params_get(p, CHEXPERT_KEY_THREADS, &value));
        CHECK(value == 0); /* unchanged: the default */
        chexpert_params_free(p);
    }
    OK(chexpert_batch_images(ds, T, NULL, 0, two, NULL, 0, NULL)); /* empty batch */
    OK(chexpert_batch_images(ds, T, indices, count, two, NULL, 0, NULL)); /* nothing asked */

    /* The full read, compared with the per-example calls. */
    uint8_t *images = xmalloc(total + 8);
    int64_t *labels = xmalloc(sizeof *labels * count * L);
    int64_t *views = xmalloc(sizeof *views * count), *projections = xmalloc(sizeof *projections * count);
    memset(images, CANARY, total + 8);
    memset(shapes2, CANARY, sizeof *shapes2 * 2 * count);
    OK(chexpert_batch_images(ds, T, indices, count, two, images, total, shapes2));
    CHECK(memcmp(shapes2, shapes, sizeof *shapes * 2 * count) == 0);
    CHECK(untouched(images + total, 8));
    /* Without out_shapes too. */
    uint8_t *images2 = xmalloc(total);
    OK(chexpert_batch_images(ds, T, indices, count, NULL, images2, total, NULL));
    CHECK(memcmp(images2, images, total) == 0);
    free(images2);
    OK(chexpert_batch_labels(ds, T, indices, count, labels, count * L));
    OK(chexpert_batch_views(ds, T, indices, count, views, count));
    OK(chexpert_batch_projections(ds, T, indices, count, projections, count));
    size_t names_size = 0;
    OK(chexpert_batch_names(ds, T, indices, count, NULL, 0, &names_size)); /* size query */
    char *names = xmalloc(names_size + 8);
    memset(names, CANARY, names_size + 8);
    size_t names_size2 = 0;
    OK(chexpert_batch_names(ds, T, indices, count, names, names_size, &names_size2));
    CHECK(names_size2 == names_size);
    CHECK(untouched(names + names_size, 8));
    size_t offset = 0, name_offset = 0;
    int64_t *one_labels = xmalloc(sizeof *one_labels * L);
    for (size_t k = 0; k < count; k++) {
        size_t bytes = (size_t)shapes[2 * k] * (size_t)shapes[2 * k + 1] * 3;
        uint8_t *one = xmalloc(bytes);
        OK(chexpert_example_image(ds, T, indices[k], one, bytes, NULL, NULL));
        CHECK(memcmp(one, images + offset, bytes) == 0);
        free(one);
        offset += bytes;
        OK(chexpert_example_labels(ds, T, indices[k], one_labels, L));
        CHECK(memcmp(one_labels, labels + k * L, sizeof *labels * L) == 0);
        int64_t view = -1;
        OK(chexpert_example_view(ds, T, indices[k], &view));
        CHECK(views[k] == view);
        CHECK(projections[k] >= 0 && projections[k] < CHEXPERT_NUM_PROJECTIONS);
        CHECK((projections[k] == CHEXPERT_PROJECTION_LATERAL) == (view == CHEXPERT_VIEW_LATERAL));
        char *name = library_name(ds, T, indices[k]);
        CHECK(name_offset + strlen(name) + 1 <= names_size);
        CHECK(strcmp(names + name_offset, name) == 0);
        name_offset += strlen(name) + 1;
        free(name);
    }
    CHECK(offset == total);
    CHECK(name_offset == names_size);
    free(one_labels);

    /* Empty batches of every kind. */
    OK(chexpert_batch_labels(ds, T, NULL, 0, NULL, 0));
    OK(chexpert_batch_views(ds, T, NULL, 0, NULL, 0));
    OK(chexpert_batch_projections(ds, T, NULL, 0, NULL, 0));
    size_t empty = 99;
    OK(chexpert_batch_names(ds, T, NULL, 0, NULL, 0, &empty));
    CHECK(empty == 0);

    /* Capacity errors: reported before anything is written; batch_images
     * still sets the shapes. */
    memset(images, CANARY, total + 8);
    memset(shapes2, CANARY, sizeof *shapes2 * 2 * count);
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_batch_images(ds, T, indices, count, two, images, total - 1, shapes2));
    char *needed = xformat("%zu", total);
    MESSAGE_HAS(needed);
    free(needed);
    CHECK(memcmp(shapes2, shapes, sizeof *shapes * 2 * count) == 0);
    CHECK(untouched(images, total + 8));
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_batch_images(ds, T, indices, count, two, images, 1, NULL));
    CHECK(untouched(images, total + 8));
    memset(labels, CANARY, sizeof *labels * count * L);
    memset(views, CANARY, sizeof *views * count);
    memset(projections, CANARY, sizeof *projections * count);
    memset(names, CANARY, names_size + 8);
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_batch_labels(ds, T, indices, count, labels, count * L - 1));
    CHECK(untouched(labels, sizeof *labels * count * L));
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_batch_views(ds, T, indices, count, views, count - 1));
    CHECK(untouched(views, sizeof *views * count));
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_batch_projections(ds, T, indices, count, projections, count - 1));
    CHECK(untouched(projections, sizeof *projections * count));
    names_size2 = 0;
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_batch_names(ds, T, indices, count, names, names_size - 1, &names_size2));
    CHECK(names_size2 == names_size);
    CHECK(untouched(names, names_size + 8));

    /* An index error at the last position: found before anything is written. */
    int64_t saved = indices[count - 1];
    indices[count - 1] = n;
    memset(shapes2, CANARY, sizeof *shapes2 * 2 * count);
    EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_images(ds, T, indices, count, two, images, total, shapes2));
    char *position = xformat("indices[%zu]", count - 1);
    MESSAGE_HAS(position);
    CHECK(untouched(images, total + 8));
    CHECK(untouched(shapes2, sizeof *shapes2 * 2 * count));
    EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_labels(ds, T, indices, count, labels, count * L));
    MESSAGE_HAS(position);
    CHECK(untouched(labels, sizeof *labels * count * L));
    EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_views(ds, T, indices, count, views, count));
    CHECK(untouched(views, sizeof *views * count));
    EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_projections(ds, T, indices, count, projections, count));
    CHECK(untouched(projections, sizeof *projections * count));
    EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_names(ds, T, indices, count, names, names_size, NULL));
    CHECK(untouched(names, names_size + 8));
    free(position);
    indices[count - 1] = saved;

    /* A capacity above SSIZE_MAX is an argument error. */
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_images(ds, T, indices, count, two, images, SIZE_MAX, shapes2));
    CHECK(untouched(images, total + 8));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_labels(ds, T, indices, SIZE_MAX, labels, count * L));

    chexpert_params_free(two);
    free(names);
    free(projections);
    free(views);
    free(labels);
    free(images);
    free(shapes2);
    free(shapes);
    free(indices);
}

/* Resized batches: sizes, statuses, canaries. The pixels themselves are
 * checked against Pillow in Tests/python/test_resized.py. */
static void test_resized(chexpert_dataset *ds) {
    int T = CHEXPERT_SPLIT_TRAIN;
    chexpert_params *p = new_params();
    size_t bytes = 0;
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_resize_output_bytes(p, 4, &bytes)); /* no size */
    MESSAGE_HAS("HEIGHT");
    OK(chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, 5));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_resize_output_bytes(p, 4, &bytes)); /* no width */
    MESSAGE_HAS("WIDTH");
    OK(chexpert_params_set(p, CHEXPERT_KEY_WIDTH, 7));
    OK(chexpert_resize_output_bytes(p, 4, &bytes));
    CHECK(bytes == 4 * 5 * 7 * 3);
    OK(chexpert_resize_output_bytes(p, 0, &bytes));
    CHECK(bytes == 0);
    OK(chexpert_params_set(p, CHEXPERT_KEY_CHANNELS, 1));
    OK(chexpert_resize_output_bytes(p, 4, &bytes));
    CHECK(bytes == 4 * 5 * 7);
    OK(chexpert_params_set(p, CHEXPERT_KEY_DTYPE, CHEXPERT_DTYPE_FLOAT32));
    OK(chexpert_resize_output_bytes(p, 4, &bytes));
    CHECK(bytes == 4 * 5 * 7 * 4);
    OK(chexpert_params_set(p, CHEXPERT_KEY_NORMALIZE, CHEXPERT_NORMALIZE_IMAGENET));
    OK(chexpert_resize_output_bytes(p, 4, &bytes));
    OK(chexpert_params_set(p, CHEXPERT_KEY_DTYPE, CHEXPERT_DTYPE_UINT8)); /* uint8 + a normalisation */
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_resize_output_bytes(p, 4, &bytes));
    OK(chexpert_params_set(p, CHEXPERT_KEY_NORMALIZE, CHEXPERT_NORMALIZE_NONE));
    /* A size that overflows size_t. */
    OK(chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, CHEXPERT_MAX_SIDE));
    OK(chexpert_params_set(p, CHEXPERT_KEY_WIDTH, CHEXPERT_MAX_SIDE));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_resize_output_bytes(p, (size_t)1 << 40, &bytes));
    OK(chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, 5));
    OK(chexpert_params_set(p, CHEXPERT_KEY_WIDTH, 7));
    OK(chexpert_params_set(p, CHEXPERT_KEY_CHANNELS, 3));

    /* A batch of 3 at 5x7x3 uint8; each row is a resize of that example alone. */
    int64_t indices[3] = {0, 1, 0};
    size_t one = 5 * 7 * 3;
    uint8_t out[3 * 5 * 7 * 3 + 8], single[5 * 7 * 3];
    int32_t statuses[3 + 2];
    memset(out, CANARY, sizeof out);
    memset(statuses, CANARY, sizeof statuses);
    OK(chexpert_batch_resized(ds, T, indices, 3, p, out, 3 * one, statuses));
    CHECK(statuses[0] == CHEXPERT_OK && statuses[1] == CHEXPERT_OK && statuses[2] == CHEXPERT_OK);
    CHECK(untouched(&statuses[3], 2 * sizeof statuses[0]));
    CHECK(untouched(out + 3 * one, 8));
    CHECK(memcmp(out, out + 2 * one, one) == 0); /* the repeat */
    OK(chexpert_batch_resized(ds, T, &indices[1], 1, p, single, sizeof single, NULL)); /* statuses optional */
    CHECK(memcmp(single, out + one, one) == 0);
    OK(chexpert_batch_resized(ds, T, NULL, 0, p, NULL, 0, NULL)); /* empty */
    /* Too small: nothing written, statuses included. */
    memset(out, CANARY, sizeof out);
    memset(statuses, CANARY, sizeof statuses);
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_batch_resized(ds, T, indices, 3, p, out, 3 * one - 1, statuses));
    char *needed = xformat("%zu", 3 * one);
    MESSAGE_HAS(needed);
    free(needed);
    CHECK(untouched(out, sizeof out));
    CHECK(untouched(statuses, sizeof statuses));
    /* CUSTOM normalisation needs `channels` finite means and nonzero stds. */
    OK(chexpert_params_set(p, CHEXPERT_KEY_DTYPE, CHEXPERT_DTYPE_FLOAT32));
    OK(chexpert_params_set(p, CHEXPERT_KEY_NORMALIZE, CHEXPERT_NORMALIZE_CUSTOM));
    float fout[5 * 7 * 3];
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_resized(ds, T, indices, 1, p, fout, sizeof fout, NULL));
    const float mean[3] = {0.5f, 0.5f, 0.5f}, stdev[3] = {0.25f, 0.25f, 0.25f}, zero_std[3] = {0.25f, 0.0f, 0.25f};
    OK(chexpert_params_set_floats(p, CHEXPERT_KEY_MEAN, mean, 3));
    OK(chexpert_params_set_floats(p, CHEXPERT_KEY_STD, stdev, 1)); /* 1 value for 3 channels */
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_resized(ds, T, indices, 1, p, fout, sizeof fout, NULL));
    OK(chexpert_params_set_floats(p, CHEXPERT_KEY_STD, stdev, 3));
    OK(chexpert_batch_resized(ds, T, indices, 1, p, fout, sizeof fout, NULL));
    for (size_t i = 0; i < 5 * 7 * 3; i++) CHECK(fout[i] >= -2.0f && fout[i] <= 2.0f);
    if (chexpert_params_set_floats(p, CHEXPERT_KEY_STD, zero_std, 3) == CHEXPERT_OK) /* refused here or by the batch */
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_resized(ds, T, indices, 1, p, fout, sizeof fout, NULL));
    else
        passed++;
    chexpert_params_free(p);
}

static void test_options(chexpert_dataset *ds) {
    int64_t value = 0;
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_DCT, &value));
    CHECK(value == CHEXPERT_DCT_FAST);
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_MAX_PIXELS, &value));
    CHECK(value == CHEXPERT_DEFAULT_MAX_PIXELS);
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_MAX_FILE_BYTES, &value));
    CHECK(value == CHEXPERT_DEFAULT_MAX_FILE_BYTES);
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_ON_ERROR, &value));
    CHECK(value == CHEXPERT_ON_ERROR_RAISE);

    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_DCT, CHEXPERT_DCT_ACCURATE));
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_DCT, &value));
    CHECK(value == CHEXPERT_DCT_ACCURATE);
    /* Untagged 0 and 1 (the 0.x values), the next tagged value, another
     * enum's value, extremes. */
    static const int64_t bad_dct[] = {-1, 0, 1, 2, 0x0102, CHEXPERT_ON_ERROR_RAISE, CHEXPERT_FIT_COVER,
                                      INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof bad_dct / sizeof bad_dct[0]; i++) {
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, CHEXPERT_KEY_DCT, bad_dct[i]));
        MESSAGE_HAS("DCT");
        OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_DCT, &value));
        CHECK(value == CHEXPERT_DCT_ACCURATE); /* unchanged */
    }
    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_DCT, CHEXPERT_DCT_FAST));

    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_ON_ERROR, CHEXPERT_ON_ERROR_SUBSTITUTE));
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_ON_ERROR, &value));
    CHECK(value == CHEXPERT_ON_ERROR_SUBSTITUTE);
    static const int64_t bad_policy[] = {0, 1, CHEXPERT_DCT_FAST, 0x0502, -1};
    for (size_t i = 0; i < sizeof bad_policy / sizeof bad_policy[0]; i++) {
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, CHEXPERT_KEY_ON_ERROR, bad_policy[i]));
        OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_ON_ERROR, &value));
        CHECK(value == CHEXPERT_ON_ERROR_SUBSTITUTE);
    }
    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_ON_ERROR, CHEXPERT_ON_ERROR_RAISE));

    static const int limits[] = {CHEXPERT_KEY_MAX_PIXELS, CHEXPERT_KEY_MAX_FILE_BYTES};
    for (size_t i = 0; i < 2; i++) {
        int option = limits[i];
        int64_t original = 0;
        OK(chexpert_dataset_get_option(ds, option, &original));
        OK(chexpert_dataset_set_option(ds, option, 1));
        OK(chexpert_dataset_get_option(ds, option, &value));
        CHECK(value == 1);
        OK(chexpert_dataset_set_option(ds, option, CHEXPERT_MAX_LIMIT));
        OK(chexpert_dataset_get_option(ds, option, &value));
        CHECK(value == CHEXPERT_MAX_LIMIT);
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, option, 0));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, option, -1));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, option, CHEXPERT_MAX_LIMIT + 1));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, option, INT64_MAX));
        OK(chexpert_dataset_get_option(ds, option, &value));
        CHECK(value == CHEXPERT_MAX_LIMIT);

        /* A limit of 1 (pixel or byte) refuses every image with E_LIMIT. */
        OK(chexpert_dataset_set_option(ds, option, 1));
        int32_t h = 0, w = 0, shape[2];
        uint8_t pixels[16];
        memset(pixels, CANARY, sizeof pixels);
        EXPECT(CHEXPERT_E_LIMIT, chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, NULL, 0, &h, &w));
        EXPECT(CHEXPERT_E_LIMIT,
               chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, pixels, sizeof pixels, NULL, NULL));
        CHECK(untouched(pixels, sizeof pixels));
        int64_t index = 0;
        EXPECT(CHEXPERT_E_LIMIT, chexpert_batch_images(ds, CHEXPERT_SPLIT_TRAIN, &index, 1, NULL, NULL, 0, shape));
        int32_t status = 1;
        OK(chexpert_batch_verify(ds, CHEXPERT_SPLIT_TRAIN, &index, 1, NULL, &status, NULL, 0));
        CHECK(status == CHEXPERT_E_LIMIT);
        OK(chexpert_dataset_set_option(ds, option, original));
        OK(chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, NULL, 0, &h, &w));
    }

    /* CHEXPERT_KEY_SELECT is read here but set only at open. */
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_SELECT, &value));
    CHECK(value == CHEXPERT_SELECT_ALL);
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, CHEXPERT_KEY_SELECT, CHEXPERT_SELECT_AP));
    MESSAGE_HAS("chexpert_dataset_open");
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_SELECT, &value));
    CHECK(value == CHEXPERT_SELECT_ALL);

    /* Keys that are not dataset options, and no keys at all. */
    static const int bad_keys[] = {0, CHEXPERT_KEY_THREADS, CHEXPERT_KEY_HEIGHT, CHEXPERT_KEY_MEAN,
                                   CHEXPERT_KEY_TARGET_PRESET, CHEXPERT_KEY_REMAINDER, 0x7FFF, -1, 1000, INT_MIN};
    for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++) {
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_get_option(ds, bad_keys[i], &value));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, bad_keys[i], 1));
    }
}

/* Every enum a key takes, with its constants. */
typedef struct {
    const char *name;
    int key; /* the key that takes it, or 0 (rule elements) */
    int64_t values[5];
    size_t count;
} enum_values;

static const enum_values ENUMS[] = {
    {"dct", CHEXPERT_KEY_DCT, {CHEXPERT_DCT_FAST, CHEXPERT_DCT_ACCURATE}, 2},
    {"on_error", CHEXPERT_KEY_ON_ERROR, {CHEXPERT_ON_ERROR_RAISE, CHEXPERT_ON_ERROR_SUBSTITUTE}, 2},
    {"layout", CHEXPERT_KEY_LAYOUT, {CHEXPERT_LAYOUT_NHWC, CHEXPERT_LAYOUT_NCHW}, 2},
    {"dtype", CHEXPERT_KEY_DTYPE, {CHEXPERT_DTYPE_UINT8, CHEXPERT_DTYPE_FLOAT32}, 2},
    {"fit", CHEXPERT_KEY_FIT, {CHEXPERT_FIT_COVER, CHEXPERT_FIT_CONTAIN, CHEXPERT_FIT_STRETCH}, 3},
    {"filter", CHEXPERT_KEY_FILTER, {CHEXPERT_FILTER_AREA, CHEXPERT_FILTER_BILINEAR}, 2},
    {"normalize", CHEXPERT_KEY_NORMALIZE,
     {CHEXPERT_NORMALIZE_NONE, CHEXPERT_NORMALIZE_UNIT, CHEXPERT_NORMALIZE_IMAGENET, CHEXPERT_NORMALIZE_XRV,
      CHEXPERT_NORMALIZE_CUSTOM}, 5},
    {"preset", CHEXPERT_KEY_TARGET_PRESET, {CHEXPERT_PRESET_PAPER, CHEXPERT_PRESET_LIBAUC, CHEXPERT_PRESET_XRV}, 3},
    {"remainder", CHEXPERT_KEY_REMAINDER,
     {CHEXPERT_REMAINDER_PAD, CHEXPERT_REMAINDER_DROP, CHEXPERT_REMAINDER_UNEVEN}, 3},
    {"uncertain", 0,
     {CHEXPERT_UNCERTAIN_IGNORE, CHEXPERT_UNCERTAIN_ZEROS, CHEXPERT_UNCERTAIN_ONES, CHEXPERT_UNCERTAIN_MULTICLASS,
      CHEXPERT_UNCERTAIN_RAW}, 5},
    {"blank", 0, {CHEXPERT_BLANK_NEGATIVE, CHEXPERT_BLANK_IGNORE}, 2},
    {"resample", CHEXPERT_KEY_RESAMPLE, {CHEXPERT_RESAMPLE_FAST, CHEXPERT_RESAMPLE_EXACT}, 2},
    {"decode_scale", CHEXPERT_KEY_DECODE_SCALE, {CHEXPERT_DECODE_SCALE_FULL, CHEXPERT_DECODE_SCALE_AUTO}, 2},
};
enum { ENUM_COUNT = sizeof ENUMS / sizeof ENUMS[0] };

/* Keys whose domain holds no tagged value (booleans, a channel count, a
 * 4-bit mask): they refuse every enum constant. */
static const int SMALL_KEYS[] = {CHEXPERT_KEY_SELECT, CHEXPERT_KEY_CHANNELS, CHEXPERT_KEY_TARGET_NO_FINDING,
                                 CHEXPERT_KEY_TARGET_MASKED_NAN, CHEXPERT_KEY_SHUFFLE};

static void test_params(void) {
    chexpert_params *p = new_params();
    int64_t value = -99;

    /* Defaults. */
    static const struct { int key; int64_t value; } defaults[] = {
        {CHEXPERT_KEY_MAX_PIXELS, CHEXPERT_DEFAULT_MAX_PIXELS},
        {CHEXPERT_KEY_MAX_FILE_BYTES, CHEXPERT_DEFAULT_MAX_FILE_BYTES},
        {CHEXPERT_KEY_SELECT, CHEXPERT_SELECT_ALL},
        {CHEXPERT_KEY_THREADS, 0},
        {CHEXPERT_KEY_CHANNELS, 3},
        {CHEXPERT_KEY_LAYOUT, CHEXPERT_LAYOUT_NHWC},
        {CHEXPERT_KEY_DTYPE, CHEXPERT_DTYPE_UINT8},
        {CHEXPERT_KEY_FIT, CHEXPERT_FIT_COVER},
        {CHEXPERT_KEY_FILTER, CHEXPERT_FILTER_AREA},
        {CHEXPERT_KEY_NORMALIZE, CHEXPERT_NORMALIZE_NONE},
        {CHEXPERT_KEY_TARGET_NO_FINDING, 0},
        {CHEXPERT_KEY_TARGET_MASKED_NAN, 0},
        {CHEXPERT_KEY_SHUFFLE, 0},
        {CHEXPERT_KEY_SEED, 0},
        {CHEXPERT_KEY_EPOCH, 0},
        {CHEXPERT_KEY_START, 0},
        {CHEXPERT_KEY_RANK, 0},
        {CHEXPERT_KEY_WORLD, 1},
        {CHEXPERT_KEY_REMAINDER, CHEXPERT_REMAINDER_PAD},
        {CHEXPERT_KEY_RESAMPLE, CHEXPERT_RESAMPLE_FAST},
        {CHEXPERT_KEY_DECODE_SCALE, CHEXPERT_DECODE_SCALE_FULL},
    };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
        value = -99;
        OK(chexpert_params_get(p, defaults[i].key, &value));
        CHECK(value == defaults[i].value);
    }
    /* No default of their own. */
    static const int no_default[] = {CHEXPERT_KEY_HEIGHT, CHEXPERT_KEY_WIDTH, CHEXPERT_KEY_TARGET_PRESET,
                                     CHEXPERT_KEY_DCT, CHEXPERT_KEY_ON_ERROR};
    for (size_t i = 0; i < sizeof no_default / sizeof no_default[0]; i++) {
        value = -99;
        EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_params_get(p, no_default[i], &value));
        CHECK(value == -99);
    }
    /* Float keys and unknown keys: get and set refuse them. */
    static const int not_int_keys[] = {CHEXPERT_KEY_MEAN, CHEXPERT_KEY_STD, 0, 0x7FFF, -1, 0x0C00, INT_MAX, INT_MIN};
    for (size_t i = 0; i < sizeof not_int_keys / sizeof not_int_keys[0]; i++) {
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_get(p, not_int_keys[i], &value));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, not_int_keys[i], 0));
    }
    /* set_floats takes only the float keys, 1 ..= 4 finite values. */
    const float four[5] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f};
    const float nan_value[1] = {NAN}, inf_value[1] = {INFINITY};
    OK(chexpert_params_set_floats(p, CHEXPERT_KEY_MEAN, four, 4));
    OK(chexpert_params_set_floats(p, CHEXPERT_KEY_STD, four, 1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set_floats(p, CHEXPERT_KEY_MEAN, four, 5));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set_floats(p, CHEXPERT_KEY_MEAN, four, 0));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set_floats(p, CHEXPERT_KEY_MEAN, nan_value, 1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set_floats(p, CHEXPERT_KEY_STD, inf_value, 1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set_floats(p, CHEXPERT_KEY_HEIGHT, four, 1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set_floats(p, 0, four, 1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set_floats(p, CHEXPERT_KEY_MEAN, four, SIZE_MAX));

    /* Round trips. */
    for (size_t e = 0; e < ENUM_COUNT; e++) {
        if (ENUMS[e].key == 0) continue;
        for (size_t v = 0; v < ENUMS[e].count; v++) {
            OK(chexpert_params_set(p, ENUMS[e].key, ENUMS[e].values[v]));
            OK(chexpert_params_get(p, ENUMS[e].key, &value));
            CHECK(value == ENUMS[e].values[v]);
        }
    }
    static const struct { int key; int64_t value; } round_trips[] = {
        {CHEXPERT_KEY_MAX_PIXELS, 77}, {CHEXPERT_KEY_MAX_FILE_BYTES, 78}, {CHEXPERT_KEY_SELECT, CHEXPERT_SELECT_PA},
        {CHEXPERT_KEY_THREADS, 3}, {CHEXPERT_KEY_HEIGHT, 224}, {CHEXPERT_KEY_WIDTH, 320},
        {CHEXPERT_KEY_CHANNELS, 1}, {CHEXPERT_KEY_TARGET_NO_FINDING, 1}, {CHEXPERT_KEY_TARGET_MASKED_NAN, 1},
        {CHEXPERT_KEY_SHUFFLE, 1}, {CHEXPERT_KEY_SEED, -1}, {CHEXPERT_KEY_SEED, INT64_MIN},
        {CHEXPERT_KEY_EPOCH, -1}, {CHEXPERT_KEY_EPOCH, INT64_MAX}, {CHEXPERT_KEY_START, 12},
        {CHEXPERT_KEY_RANK, 5}, {CHEXPERT_KEY_WORLD, 6},
    };
    for (size_t i = 0; i < sizeof round_trips / sizeof round_trips[0]; i++) {
        OK(chexpert_params_set(p, round_trips[i].key, round_trips[i].value));
        OK(chexpert_params_get(p, round_trips[i].key, &value));
        CHECK(value == round_trips[i].value);
    }
    /* Domains. */
    static const struct { int key; int64_t value; } refused[] = {
        {CHEXPERT_KEY_SELECT, 0}, {CHEXPERT_KEY_SELECT, 16}, {CHEXPERT_KEY_SELECT, -1},
        {CHEXPERT_KEY_THREADS, -1}, {CHEXPERT_KEY_HEIGHT, 0}, {CHEXPERT_KEY_WIDTH, -1},
        {CHEXPERT_KEY_CHANNELS, 0}, {CHEXPERT_KEY_CHANNELS, 2}, {CHEXPERT_KEY_CHANNELS, 4},
        {CHEXPERT_KEY_TARGET_NO_FINDING, 2}, {CHEXPERT_KEY_TARGET_MASKED_NAN, -1}, {CHEXPERT_KEY_SHUFFLE, 2},
        {CHEXPERT_KEY_START, -1}, {CHEXPERT_KEY_RANK, -1}, {CHEXPERT_KEY_WORLD, 0}, {CHEXPERT_KEY_WORLD, -1},
        {CHEXPERT_KEY_MAX_PIXELS, 0}, {CHEXPERT_KEY_MAX_FILE_BYTES, -1},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        int64_t before = -99, after = -98;
        int had = chexpert_params_get(p, refused[i].key, &before);
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, refused[i].key, refused[i].value));
        CHECK(chexpert_params_get(p, refused[i].key, &after) == had);
        CHECK(had != CHEXPERT_OK || after == before);
    }

    /* Tagged values: CHEXPERT_KEY_FIT refuses CHEXPERT_FILTER_AREA and keeps its value. */
    OK(chexpert_params_set(p, CHEXPERT_KEY_FIT, CHEXPERT_FIT_CONTAIN));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_FIT, CHEXPERT_FILTER_AREA));
    MESSAGE_HAS("FIT");
    OK(chexpert_params_get(p, CHEXPERT_KEY_FIT, &value));
    CHECK(value == CHEXPERT_FIT_CONTAIN);
    /* Every value is (tag << 8) | n with one tag per enum. */
    for (size_t e = 0; e < ENUM_COUNT; e++) {
        int64_t tag = ENUMS[e].values[0] >> 8;
        CHECK(tag != 0);
        if (ENUMS[e].key != 0) CHECK(tag == ENUMS[e].key);
        for (size_t v = 0; v < ENUMS[e].count; v++) CHECK(ENUMS[e].values[v] == (tag << 8 | (int64_t)v));
        for (size_t f = 0; f < e; f++) CHECK(ENUMS[f].values[0] >> 8 != tag);
    }
    /* Every enum key refuses every other enum's constants (and the untagged
     * numbers of its own), leaving its value. */
    size_t refusals = 0;
    for (size_t e = 0; e < ENUM_COUNT; e++) {
        int key = ENUMS[e].key;
        if (key == 0) continue;
        int64_t kept = ENUMS[e].values[ENUMS[e].count - 1];
        OK(chexpert_params_set(p, key, kept));
        for (size_t f = 0; f < ENUM_COUNT; f++) {
            if (f == e) continue;
            for (size_t v = 0; v < ENUMS[f].count; v++) {
                int status = chexpert_params_set(p, key, ENUMS[f].values[v]);
                if (status != CHEXPERT_E_INVALID_ARGUMENT)
                    fprintf(stderr, "params_set(%s key %d, %s value %#" PRIx64 ") -> %s\n", ENUMS[e].name, key,
                            ENUMS[f].name, ENUMS[f].values[v], chexpert_status_name(status));
                CHECK(status == CHEXPERT_E_INVALID_ARGUMENT);
                OK(chexpert_params_get(p, key, &value));
                CHECK(value == kept);
                refusals++;
            }
        }
        for (int64_t n = 0; n < (int64_t)ENUMS[e].count + 1; n++) {
            EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, key, n));
            EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, key, (int64_t)key << 8 | (int64_t)ENUMS[e].count));
        }
        OK(chexpert_params_get(p, key, &value));
        CHECK(value == kept);
    }
    /* The small-domain keys refuse every enum constant too. */
    for (size_t k = 0; k < sizeof SMALL_KEYS / sizeof SMALL_KEYS[0]; k++) {
        int64_t before = 0;
        OK(chexpert_params_get(p, SMALL_KEYS[k], &before));
        for (size_t f = 0; f < ENUM_COUNT; f++)
            for (size_t v = 0; v < ENUMS[f].count; v++) {
                EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, SMALL_KEYS[k], ENUMS[f].values[v]));
                refusals++;
            }
        OK(chexpert_params_get(p, SMALL_KEYS[k], &value));
        CHECK(value == before);
    }
    printf("params: %zu cross-enum values refused\n", refusals);
    /* The dataset option calls refuse other enums' values too. */

    /* Rules: triples of a label, a chexpert_uncertain and a chexpert_blank. */
    int32_t rules[6] = {0, CHEXPERT_UNCERTAIN_ONES, CHEXPERT_BLANK_NEGATIVE, 3, CHEXPERT_UNCERTAIN_IGNORE,
                        CHEXPERT_BLANK_IGNORE};
    OK(chexpert_params_set_rules(p, rules, 2));
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_params_get(p, CHEXPERT_KEY_TARGET_PRESET, &value)); /* discarded */
    static const int32_t bad_rules[][3] = {
        {-1, CHEXPERT_UNCERTAIN_ONES, CHEXPERT_BLANK_NEGATIVE},   /* a negative label */
        {0, 2, CHEXPERT_BLANK_NEGATIVE},                          /* untagged 0.x policy */
        {0, CHEXPERT_UNCERTAIN_ONES, 1},
        {0, CHEXPERT_BLANK_NEGATIVE, CHEXPERT_BLANK_NEGATIVE},    /* a blank policy as uncertain */
        {0, CHEXPERT_UNCERTAIN_ONES, CHEXPERT_UNCERTAIN_ONES},    /* an uncertain policy as blank */
        {0, CHEXPERT_UNCERTAIN_RAW + 1, CHEXPERT_BLANK_NEGATIVE},
        {0, CHEXPERT_UNCERTAIN_ONES, CHEXPERT_BLANK_IGNORE + 1},
        {0, CHEXPERT_FIT_COVER, CHEXPERT_BLANK_NEGATIVE},
    };
    for (size_t i = 0; i < sizeof bad_rules / sizeof bad_rules[0]; i++) {
        int32_t two_rules[6] = {1, CHEXPERT_UNCERTAIN_ZEROS, CHEXPERT_BLANK_NEGATIVE,
                                bad_rules[i][0], bad_rules[i][1], bad_rules[i][2]};
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set_rules(p, two_rules, 2));
        MESSAGE_HAS("1"); /* names the rule: the second one */
    }
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set_rules(p, rules, 0));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set_rules(p, rules, SIZE_MAX));
    OK(chexpert_params_set(p, CHEXPERT_KEY_TARGET_PRESET, CHEXPERT_PRESET_LIBAUC));
    OK(chexpert_params_get(p, CHEXPERT_KEY_TARGET_PRESET, &value));
    CHECK(value == CHEXPERT_PRESET_LIBAUC);
    chexpert_params_free(p);
}

/* Freed, made-up and dataset handles given as parameters; parameter
 * handles given as datasets. */
static void test_params_lifetime(chexpert_dataset *ds) {
    chexpert_params *p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_THREADS, 2));
    chexpert_params *q = new_params();
    CHECK(q != p);
    chexpert_params_free(p);
    expect_every_params_call(ds, p, CHEXPERT_E_CLOSED);
    chexpert_params_free(p); /* double free: harmless */
    passed++;
    expect_every_params_call(ds, (chexpert_params *)(uintptr_t)0xdeadbeef, CHEXPERT_E_CLOSED);
    chexpert_params_free((chexpert_params *)(uintptr_t)0xdeadbeef);
    passed++;
    expect_every_params_call(ds, (chexpert_params *)(void *)ds, CHEXPERT_E_CLOSED);
    chexpert_params_free((chexpert_params *)(void *)ds); /* a dataset is not freed as params */
    int64_t count = 0;
    OK(chexpert_split_size(ds, CHEXPERT_SPLIT_TRAIN, &count));
    expect_every_handle_call((chexpert_dataset *)(void *)q, CHEXPERT_E_CLOSED);
    chexpert_dataset_close((chexpert_dataset *)(void *)q); /* params are not closed as a dataset */
    int64_t value = 0;
    OK(chexpert_params_get(q, CHEXPERT_KEY_THREADS, &value));
    /* A new set does not revive the freed one. */
    chexpert_params *r = new_params();
    EXPECT(CHEXPERT_E_CLOSED, chexpert_params_get(p, CHEXPERT_KEY_THREADS, &value));
    OK(chexpert_params_get(r, CHEXPERT_KEY_THREADS, &value));
    chexpert_params_free(p);
    OK(chexpert_params_get(r, CHEXPERT_KEY_THREADS, &value));
    chexpert_params_free(r);
    chexpert_params_free(q);
    EXPECT(CHEXPERT_E_CLOSED, chexpert_params_get(q, CHEXPERT_KEY_THREADS, &value));
}

static void test_closed(void) {
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, fixture_dir, NULL));
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
    OK(chexpert_dataset_open(&fresh, fixture_dir, NULL));
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
    char *mine = xformat("%s", chexpert_last_error());
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
    /* Nor does a size query. */
    size_t size = 0;
    OK(chexpert_dataset_root(ds, NULL, 0, &size));
    CHECK(strcmp(chexpert_last_error(), mine) == 0);
    free(mine);
}

/* ------------------------------------------------------------------------ */
/* Broken trees                                                              */
/* ------------------------------------------------------------------------ */

static char *broken_base;

/* Writes BASE/CheXpert-v1.0-small/{train.csv,valid.csv}. */
static void write_tree(const char *train_csv, const char *valid_csv) {
    char *folder = xformat("%s/CheXpert-v1.0-small", broken_base);
    make_dir(folder);
    char *train = xformat("%s/train.csv", folder), *valid = xformat("%s/valid.csv", folder);
    write_file(train, train_csv, strlen(train_csv));
    write_file(valid, valid_csv, strlen(valid_csv));
    free(train);
    free(valid);
    free(folder);
}

/* Resized batches and verification over the broken rows 0..4 of train:
 * good, missing, truncated, not a JPEG, a directory. */
static void test_broken_batches(chexpert_dataset *ds) {
    int T = CHEXPERT_SPLIT_TRAIN;
    static const int expected[5] = {CHEXPERT_OK, CHEXPERT_E_NOT_FOUND, CHEXPERT_E_IMAGE, CHEXPERT_E_IMAGE,
                                    CHEXPERT_E_IO};
    static const char *files[5] = {"good.jpg", "missing.jpg", "truncated.jpg", "not.jpg", "dir.jpg"};
    chexpert_params *p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, 6));
    OK(chexpert_params_set(p, CHEXPERT_KEY_WIDTH, 4));
    OK(chexpert_params_set(p, CHEXPERT_KEY_THREADS, 2));
    enum { ONE = 6 * 4 * 3 };
    uint8_t good[ONE], out[3 * ONE];
    int64_t zero = 0;
    OK(chexpert_batch_resized(ds, T, &zero, 1, p, good, sizeof good, NULL));

    /* RAISE (the handle's default): the first failing position's status. */
    int64_t trio[3] = {0, 1, 0};
    int32_t statuses[3];
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_batch_resized(ds, T, trio, 3, p, out, sizeof out, statuses));
    MESSAGE_HAS("missing.jpg");
    int64_t first[3] = {0, 3, 1}; /* not.jpg comes first */
    EXPECT(CHEXPERT_E_IMAGE, chexpert_batch_resized(ds, T, first, 3, p, out, sizeof out, NULL));
    MESSAGE_HAS("not.jpg");

    /* SUBSTITUTE as the call's key: OK, statuses per position, zero image. */
    OK(chexpert_params_set(p, CHEXPERT_KEY_ON_ERROR, CHEXPERT_ON_ERROR_SUBSTITUTE));
    for (int64_t bad = 1; bad < 5; bad++) {
        int64_t indices[3] = {0, bad, 0};
        memset(out, CANARY, sizeof out);
        memset(statuses, CANARY, sizeof statuses);
        OK(chexpert_batch_resized(ds, T, indices, 3, p, out, sizeof out, statuses));
        CHECK(statuses[0] == CHEXPERT_OK && statuses[2] == CHEXPERT_OK);
        CHECK(statuses[1] == expected[bad]);
        CHECK(memcmp(out, good, ONE) == 0 && memcmp(out + 2 * ONE, good, ONE) == 0);
        int zeros = 1;
        for (size_t i = 0; i < ONE; i++) zeros &= out[ONE + i] == 0;
        CHECK(zeros);
        /* Without statuses: still OK. */
        OK(chexpert_batch_resized(ds, T, indices, 3, p, out, sizeof out, NULL));
    }
    /* The dataset's ON_ERROR is the default of the call's. */
    chexpert_params *plain = new_params();
    OK(chexpert_params_set(plain, CHEXPERT_KEY_HEIGHT, 6));
    OK(chexpert_params_set(plain, CHEXPERT_KEY_WIDTH, 4));
    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_ON_ERROR, CHEXPERT_ON_ERROR_SUBSTITUTE));
    memset(statuses, CANARY, sizeof statuses);
    OK(chexpert_batch_resized(ds, T, trio, 3, plain, out, sizeof out, statuses));
    CHECK(statuses[0] == CHEXPERT_OK && statuses[1] == CHEXPERT_E_NOT_FOUND && statuses[2] == CHEXPERT_OK);
    /* ... and a call's RAISE overrides the dataset's SUBSTITUTE. */
    OK(chexpert_params_set(plain, CHEXPERT_KEY_ON_ERROR, CHEXPERT_ON_ERROR_RAISE));
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_batch_resized(ds, T, trio, 3, plain, out, sizeof out, statuses));
    OK(chexpert_dataset_set_option(ds, CHEXPERT_KEY_ON_ERROR, CHEXPERT_ON_ERROR_RAISE));
    chexpert_params_free(plain);

    /* Verify: every status, with messages at a stride. */
    int64_t all[5] = {0, 1, 2, 3, 4};
    int32_t verified[5];
    enum { STRIDE = 512 };
    char *messages = xmalloc(5 * STRIDE);
    memset(messages, CANARY, 5 * STRIDE);
    memset(verified, CANARY, sizeof verified);
    OK(chexpert_batch_verify(ds, T, all, 5, p, verified, messages, STRIDE));
    char *full[5];
    for (int k = 0; k < 5; k++) {
        CHECK(verified[k] == expected[k]);
        const char *message = messages + (size_t)k * STRIDE;
        CHECK(memchr(message, 0, STRIDE) != NULL);
        if (expected[k] == CHEXPERT_OK) {
            CHECK(message[0] == 0);
        } else {
            CHECK(strstr(message, files[k]) != NULL);
            /* What chexpert_example_image reports for it (a full decode: the
             * truncated file's header alone reads fine). */
            int32_t eh = 0, ew = 0;
            int status = chexpert_example_image(ds, T, all[k], NULL, 0, &eh, &ew);
            if (status == CHEXPERT_OK) {
                size_t need = (size_t)eh * (size_t)ew * 3;
                uint8_t *pixels = xmalloc(need);
                status = chexpert_example_image(ds, T, all[k], pixels, need, NULL, NULL);
                free(pixels);
            }
            CHECK(status == expected[k]);
            CHECK(strcmp(chexpert_last_error(), message) == 0);
        }
        full[k] = xformat("%s", message);
    }
    /* A short stride cuts each message (NUL-terminated), "" for OK. */
    enum { SHORT = 9 };
    char short_messages[5 * SHORT + 4];
    memset(short_messages, CANARY, sizeof short_messages);
    OK(chexpert_batch_verify(ds, T, all, 5, NULL, verified, short_messages, SHORT));
    for (int k = 0; k < 5; k++) {
        const char *message = short_messages + k * SHORT;
        CHECK(verified[k] == expected[k]);
        CHECK(memchr(message, 0, SHORT) != NULL);
        CHECK(strlen(message) == (strlen(full[k]) < SHORT - 1 ? strlen(full[k]) : SHORT - 1));
        CHECK(strncmp(message, full[k], strlen(message)) == 0);
    }
    CHECK(untouched(short_messages + 5 * SHORT, 4));
    /* Stride 1: every message is just its NUL. */
    char tiny[5 + 1];
    memset(tiny, CANARY, sizeof tiny);
    OK(chexpert_batch_verify(ds, T, all, 5, NULL, verified, tiny, 1));
    for (int k = 0; k < 5; k++) CHECK(tiny[k] == 0);
    CHECK(untouched(tiny + 5, 1));
    /* No messages. */
    memset(verified, CANARY, sizeof verified);
    OK(chexpert_batch_verify(ds, T, all, 5, NULL, verified, NULL, 0));
    for (int k = 0; k < 5; k++) CHECK(verified[k] == expected[k]);
    OK(chexpert_batch_verify(ds, T, NULL, 0, NULL, verified, NULL, 0)); /* empty */
    for (int k = 0; k < 5; k++) free(full[k]);
    free(messages);
    chexpert_params_free(p);
}

static void test_broken_trees(void) {
    char template[] = "/tmp/chexpert-test-api-XXXXXX";
    CHECK(mkdtemp(template) != NULL);
    broken_base = template;
    char *folder = xformat("%s/CheXpert-v1.0-small", broken_base);
    make_dir(folder);

    /* Copy one real image from the fixture; make a truncated and a PNG-ish one. */
    const char *first_name = csv[CHEXPERT_SPLIT_TRAIN].cells[0][0];
    char *source = image_file(dataset_folder, first_name);
    size_t size = 0;
    unsigned char *jpeg = read_file(source, &size);
    CHECK(size > 200);
    char *good = xformat("%s/good.jpg", folder), *truncated = xformat("%s/truncated.jpg", folder);
    char *notjpeg = xformat("%s/not.jpg", folder), *dir = xformat("%s/dir.jpg", folder);
    write_file(good, jpeg, size);
    write_file(truncated, jpeg, size / 2);
    static const char png[] = "\x89PNG\r\n\x1a\nthis is not a JPEG file at all";
    write_file(notjpeg, png, sizeof png - 1);
    make_dir(dir);

    const char *header = "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Edema\n";
    char *train = xformat("%s"
                         "CheXpert-v1.0-small/good.jpg,Male,50,Frontal,AP,1.0,\n"
                         "CheXpert-v1.0-small/missing.jpg,Female,60,lateral,,,-1.0\n"
                         "CheXpert-v1.0-small/truncated.jpg,Female,61,Frontal,PA,0.0,0.0\n"
                         "CheXpert-v1.0-small/not.jpg,Female,62,FRONTAL,PA,,1.0\n"
                         "CheXpert-v1.0-small/dir.jpg,Female,63,Frontal,PA,,\n",
                         header);
    char *valid = xformat("%sCheXpert-v1.0-small/good.jpg,Male,50,Frontal,AP,0.0,1.0\n", header);
    write_tree(train, valid);

    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, broken_base, NULL));
    int64_t count = 0;
    OK(chexpert_split_size(ds, CHEXPERT_SPLIT_TRAIN, &count));
    CHECK(count == 5);
    int64_t view = -1;
    int32_t h = 0, w = 0;
    OK(chexpert_example_view(ds, CHEXPERT_SPLIT_TRAIN, 1, &view));
    CHECK(view == CHEXPERT_VIEW_LATERAL);
    OK(chexpert_example_view(ds, CHEXPERT_SPLIT_TRAIN, 3, &view));
    CHECK(view == CHEXPERT_VIEW_FRONTAL);
    int64_t labels[2];
    OK(chexpert_example_labels(ds, CHEXPERT_SPLIT_TRAIN, 1, labels, 2));
    CHECK(labels[0] == CHEXPERT_LABEL_UNMENTIONED && labels[1] == CHEXPERT_LABEL_UNCERTAIN);
    image_size(ds, CHEXPERT_SPLIT_TRAIN, 0, &h, &w);

    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 1, NULL, 0, &h, &w));
    MESSAGE_HAS("missing.jpg");
    size_t bytes = (size_t)h * (size_t)w * 3;
    uint8_t *image = xmalloc(bytes);
    EXPECT(CHEXPERT_E_NOT_FOUND,
           chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 1, image, bytes, NULL, NULL));
    EXPECT(CHEXPERT_E_IMAGE,
           chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 2, image, bytes, NULL, NULL));
    MESSAGE_HAS("truncated.jpg");
    EXPECT(CHEXPERT_E_IMAGE, chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 3, NULL, 0, &h, &w));
    MESSAGE_HAS("not.jpg");
    EXPECT(CHEXPERT_E_IO, chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 4, NULL, 0, &h, &w));
    MESSAGE_HAS("dir.jpg");
    /* A batch fails with the error of the first failing position. */
    int64_t indices[] = {0, 3, 1};
    int32_t shapes[6];
    chexpert_params *two = threads_params(2);
    EXPECT(CHEXPERT_E_IMAGE, chexpert_batch_images(ds, CHEXPERT_SPLIT_TRAIN, indices, 3, two, NULL, 0, shapes));
    MESSAGE_HAS("not.jpg");
    MESSAGE_HAS("1"); /* the position */
    chexpert_params_free(two);
    /* A failure does not invalidate the handle. */
    OK(chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, 0, image, bytes, NULL, NULL));
    test_broken_batches(ds);
    chexpert_dataset_close(ds);
    free(image);

    /* CSV errors fail the open and name the file and line. */
    char *bad_label = xformat("%sCheXpert-v1.0-small/good.jpg,Male,50,Frontal,AP,2.0,\n", header);
    write_tree(train, bad_label);
    ds = (chexpert_dataset *)(uintptr_t)0x1234;
    EXPECT(CHEXPERT_E_CSV, chexpert_dataset_open(&ds, broken_base, NULL));
    CHECK(ds == NULL);
    MESSAGE_HAS("valid.csv");
    MESSAGE_HAS("line 2");
    MESSAGE_HAS("No Finding");
    char *bad_view = xformat("%sCheXpert-v1.0-small/good.jpg,Male,50,Sideways,AP,1.0,\n", header);
    write_tree(bad_view, valid);
    EXPECT(CHEXPERT_E_CSV, chexpert_dataset_open(&ds, broken_base, NULL));
    MESSAGE_HAS("train.csv");
    char *no_rows = xformat("%s", header);
    write_tree(train, no_rows);
    EXPECT(CHEXPERT_E_CSV, chexpert_dataset_open(&ds, broken_base, NULL));
    /* A missing valid.csv. */
    char *valid_path = xformat("%s/valid.csv", folder);
    CHECK(unlink(valid_path) == 0);
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_dataset_open(&ds, broken_base, NULL));
    MESSAGE_HAS("valid.csv");

    char *cleanup = xformat("rm -rf '%s'", broken_base);
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

    char *train = xformat("%s/train.csv", dataset_folder), *valid = xformat("%s/valid.csv", dataset_folder);
    csv[CHEXPERT_SPLIT_TRAIN] = read_csv(train);
    csv[CHEXPERT_SPLIT_VALIDATION] = read_csv(valid);
    free(train);
    free(valid);

    good = new_params();
    OK(chexpert_params_set(good, CHEXPERT_KEY_HEIGHT, 8));
    OK(chexpert_params_set(good, CHEXPERT_KEY_WIDTH, 8));
    OK(chexpert_params_set(good, CHEXPERT_KEY_TARGET_PRESET, CHEXPERT_PRESET_PAPER));
    OK(chexpert_params_set(good, CHEXPERT_KEY_THREADS, 2));

    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, fixture_dir, NULL));
    test_root_buffers(ds);
    test_counts_and_labels(ds);
    test_bad_split(ds);
    test_out_of_range(ds);
    test_null_arguments(ds);
    test_images(ds);
    test_batches(ds);
    test_resized(ds);
    test_options(ds);
    test_params();
    test_params_lifetime(ds);
    test_last_error_threads(ds);
    chexpert_dataset_close(ds);
    test_closed();
    test_broken_trees();
    chexpert_params_free(good);
    free_csv(&csv[CHEXPERT_SPLIT_TRAIN]);
    free_csv(&csv[CHEXPERT_SPLIT_VALIDATION]);

    CHECK_SUMMARY();
    return 0;
}
