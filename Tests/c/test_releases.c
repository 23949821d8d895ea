/*
 * test_releases.c: release detection, the test split and label sources
 * through the C ABI (docs/releases.md), on trees the generator wrote:
 *
 *   test_releases SMALL_TREE AIMI_TREE
 *
 * SMALL_TREE: a default tree (no test set, no label files); AIMI_TREE:
 * `chexpert-sample --layout aimi --test-patients 3 --label-files labels_only`.
 * Expected test labels come from AIMI_TREE/groundtruth.csv, parsed here.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chexpert.h"

#define CHECK_LAST_ERROR() chexpert_last_error()
#define CHECK_STATUS_NAME(status) chexpert_status_name(status)
#include "check.h"

#include "new_params.h"

#define OK(call) EXPECT(CHEXPERT_OK, call)

static void test_names(void) {
    static const char *names[] = {"small", "small_nested", "full", "aimi"};
    for (int r = 0; r < CHEXPERT_NUM_RELEASES; r++)
        CHECK(chexpert_release_name(r) != NULL && strcmp(chexpert_release_name(r), names[r]) == 0);
    CHECK(chexpert_release_name(-1) == NULL);
    CHECK(chexpert_release_name(CHEXPERT_NUM_RELEASES) == NULL);
    CHECK(chexpert_release_name(INT_MIN) == NULL);
    CHECK(strcmp(chexpert_split_name(CHEXPERT_SPLIT_TEST), "test") == 0);
}

/* A tree without test files: test is a valid id the dataset does not have. */
static void test_small(const char *root) {
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, root, NULL));
    int32_t release = -1, has = -1;
    OK(chexpert_dataset_release(ds, &release));
    CHECK(release == CHEXPERT_RELEASE_SMALL);
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_release(ds, NULL));
    OK(chexpert_dataset_has_split(ds, CHEXPERT_SPLIT_TRAIN, &has));
    CHECK(has == 1);
    OK(chexpert_dataset_has_split(ds, CHEXPERT_SPLIT_VALIDATION, &has));
    CHECK(has == 1);
    OK(chexpert_dataset_has_split(ds, CHEXPERT_SPLIT_TEST, &has));
    CHECK(has == 0);
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_has_split(ds, CHEXPERT_NUM_SPLITS_ALL, &has));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_has_split(ds, -1, &has));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_has_split(ds, CHEXPERT_SPLIT_TEST, NULL));

    int64_t count = -1, index = 0, labels[16], view = 0;
    int32_t h = 0, w = 0;
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_split_size(ds, CHEXPERT_SPLIT_TEST, &count));
    CHECK(strstr(chexpert_last_error(), "no 'test' split") != NULL);
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_example_image(ds, CHEXPERT_SPLIT_TEST, 0, NULL, 0, &h, &w));
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_example_view(ds, CHEXPERT_SPLIT_TEST, 0, &view));
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_batch_labels(ds, CHEXPERT_SPLIT_TEST, &index, 1, labels, 16));

    int64_t value = 0;
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_LABELS, &value));
    CHECK(value == CHEXPERT_LABELS_REPORTS);
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_set_option(ds, CHEXPERT_KEY_LABELS, CHEXPERT_LABELS_CHEXBERT));
    chexpert_dataset_close(ds);

    /* No label file in this tree. */
    chexpert_params *options = new_params();
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(options, CHEXPERT_KEY_LABELS, 1));
    OK(chexpert_params_set(options, CHEXPERT_KEY_LABELS, CHEXPERT_LABELS_VISUALCHEXBERT));
    ds = NULL;
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_dataset_open(&ds, root, options));
    CHECK(ds == NULL && strstr(chexpert_last_error(), "train_visualCheXbert.csv") != NULL);
    chexpert_params_free(options);
}

/* groundtruth.csv: the study of each row and its 0/1 cells, by column name. */
struct truth {
    char header[64][64];
    int columns;
    char study[64][128];
    int cells[64][64];
    int rows;
};

static void read_truth(const char *path, struct truth *truth) {
    FILE *file = fopen(path, "r");
    CHECK(file != NULL);
    char line[4096];
    memset(truth, 0, sizeof *truth);
    int first = 1;
    while (fgets(line, sizeof line, file) != NULL && truth->rows < 64) {
        line[strcspn(line, "\r\n")] = 0;
        int column = 0;
        for (char *cell = strtok(line, ","); cell != NULL && column < 64; cell = strtok(NULL, ","), column++) {
            if (first)
                snprintf(truth->header[column], sizeof truth->header[column], "%s", cell);
            else if (column == 0)
                snprintf(truth->study[truth->rows], sizeof truth->study[0], "%s", cell);
            else
                truth->cells[truth->rows][column] = atoi(cell);
        }
        if (first)
            truth->columns = column;
        else
            truth->rows++;
        first = 0;
    }
    fclose(file);
    CHECK(truth->columns == 15 && strcmp(truth->header[0], "Study") == 0 && truth->rows == 3);
}

static void test_aimi(const char *root) {
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, root, NULL));
    int32_t release = -1, has = -1;
    OK(chexpert_dataset_release(ds, &release));
    CHECK(release == CHEXPERT_RELEASE_AIMI);
    OK(chexpert_dataset_has_split(ds, CHEXPERT_SPLIT_TEST, &has));
    CHECK(has == 1);

    char *path = xformat("%s/groundtruth.csv", root);
    static struct truth truth;
    read_truth(path, &truth);
    free(path);

    int64_t count = 0;
    int32_t num_labels = 0;
    OK(chexpert_split_size(ds, CHEXPERT_SPLIT_TEST, &count));
    OK(chexpert_split_num_labels(ds, CHEXPERT_SPLIT_TEST, &num_labels));
    CHECK(count >= truth.rows && num_labels == 14);
    for (int64_t i = 0; i < count; i++) {
        char name[256];
        OK(chexpert_example_name(ds, CHEXPERT_SPLIT_TEST, i, name, sizeof name, NULL));
        CHECK(strncmp(name, "CheXpert-v1.0/test/patient", 26) == 0);
        int row = -1;
        for (int r = 0; r < truth.rows; r++) {
            size_t length = strlen(truth.study[r]);
            if (strncmp(name, truth.study[r], length) == 0 && name[length] == '/') row = r;
        }
        CHECK(row >= 0);
        int64_t labels[14], view = -1;
        OK(chexpert_example_labels(ds, CHEXPERT_SPLIT_TEST, i, labels, 14));
        for (int column = 0; column < 14; column++) {
            char label[64];
            OK(chexpert_split_label_name(ds, CHEXPERT_SPLIT_TEST, column, label, sizeof label, NULL));
            int source = -1;
            for (int c = 1; c < truth.columns; c++)
                if (strcmp(truth.header[c], label) == 0) source = c;
            CHECK(source > 0);
            CHECK(labels[column] == (truth.cells[row][source] ? CHEXPERT_LABEL_POSITIVE : CHEXPERT_LABEL_NEGATIVE));
        }
        OK(chexpert_example_view(ds, CHEXPERT_SPLIT_TEST, i, &view));
        CHECK(view == (strstr(name, "_lateral") ? CHEXPERT_VIEW_LATERAL : CHEXPERT_VIEW_FRONTAL));
        int64_t projection = -1;
        OK(chexpert_batch_projections(ds, CHEXPERT_SPLIT_TEST, &i, 1, &projection, 1));
        CHECK(projection == (view == CHEXPERT_VIEW_LATERAL ? CHEXPERT_PROJECTION_LATERAL : CHEXPERT_PROJECTION_OTHER_FRONTAL));
        int32_t h = 0, w = 0;
        OK(chexpert_example_image(ds, CHEXPERT_SPLIT_TEST, i, NULL, 0, &h, &w));
        CHECK(h > 0 && w > 0);
    }
    /* Train images resolve through the patient index. */
    int64_t train = 0;
    OK(chexpert_split_size(ds, CHEXPERT_SPLIT_TRAIN, &train));
    for (int64_t i = 0; i < train; i++) {
        int32_t h = 0, w = 0;
        OK(chexpert_example_image(ds, CHEXPERT_SPLIT_TRAIN, i, NULL, 0, &h, &w));
    }
    size_t memory = 0;
    OK(chexpert_dataset_memory_usage(ds, &memory));
    CHECK(memory > 0);

    /* CheXbert labels: a different label vector somewhere, same names. */
    chexpert_params *options = new_params();
    OK(chexpert_params_set(options, CHEXPERT_KEY_LABELS, CHEXPERT_LABELS_CHEXBERT));
    chexpert_dataset *bert = NULL;
    OK(chexpert_dataset_open(&bert, root, options));
    chexpert_params_free(options);
    int64_t value = 0, bert_train = 0;
    OK(chexpert_dataset_get_option(bert, CHEXPERT_KEY_LABELS, &value));
    CHECK(value == CHEXPERT_LABELS_CHEXBERT);
    OK(chexpert_split_size(bert, CHEXPERT_SPLIT_TRAIN, &bert_train));
    CHECK(bert_train == train);
    int differ = 0;
    for (int64_t i = 0; i < train; i++) {
        int64_t a[14], b[14];
        char x[256], y[256];
        OK(chexpert_example_labels(ds, CHEXPERT_SPLIT_TRAIN, i, a, 14));
        OK(chexpert_example_labels(bert, CHEXPERT_SPLIT_TRAIN, i, b, 14));
        OK(chexpert_example_name(ds, CHEXPERT_SPLIT_TRAIN, i, x, sizeof x, NULL));
        OK(chexpert_example_name(bert, CHEXPERT_SPLIT_TRAIN, i, y, sizeof y, NULL));
        CHECK(strcmp(x, y) == 0);
        differ |= memcmp(a, b, sizeof a) != 0;
    }
    CHECK(differ);
    chexpert_dataset_close(bert);
    chexpert_dataset_close(ds);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SMALL_TREE AIMI_TREE\n", argv[0]);
        return 2;
    }
    test_names();
    test_small(argv[1]);
    test_aimi(argv[2]);
    CHECK_SUMMARY();
    return 0;
}
