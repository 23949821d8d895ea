/*
 * test_eval.c: metadata, studies, patient splits and evaluation through the
 * C API (docs/evaluation.md): argument errors (nothing written: canaries),
 * closed handles, consistency between the calls, and known values.
 *
 *   test_eval TREE     (TREE: a chexpert-sample tree)
 *
 * The values against scikit-learn and a csv-module reading are checked in
 * Tests/python/test_evaluation.py and test_metadata.py.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
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
#define CANARY 0x5A5A5A5A5A5A5A5A

static int64_t *indices_upto(int64_t count) {
    int64_t *indices = xmalloc((size_t)(count ? count : 1) * sizeof *indices);
    for (int64_t i = 0; i < count; i++) indices[i] = i;
    return indices;
}

static void test_names(void) {
    CHECK(strcmp(chexpert_sex_name(CHEXPERT_SEX_FEMALE), "female") == 0);
    CHECK(strcmp(chexpert_sex_name(CHEXPERT_SEX_BLANK), "blank") == 0);
    CHECK(chexpert_sex_name(CHEXPERT_NUM_SEXES) == NULL && chexpert_sex_name(-1) == NULL);
    CHECK(strcmp(chexpert_field_name(CHEXPERT_FIELD_PATIENT), "patient") == 0);
    CHECK(strcmp(chexpert_field_name(CHEXPERT_FIELD_STUDY_INDEX), "study_index") == 0);
    CHECK(chexpert_field_name(CHEXPERT_NUM_FIELDS) == NULL && chexpert_field_name(-1) == NULL);
}

static void test_metadata(chexpert_dataset *ds, int64_t n) {
    int64_t *indices = indices_upto(n);
    int64_t *out = xmalloc((size_t)(n + 1) * sizeof *out);
    int64_t studies = -1;
    OK(chexpert_split_study_count(ds, CHEXPERT_SPLIT_TRAIN, &studies));
    CHECK(studies >= 1 && studies <= n);
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_split_study_count(ds, CHEXPERT_SPLIT_TRAIN, NULL));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_split_study_count(ds, 7, &studies));
    for (int field = 0; field < CHEXPERT_NUM_FIELDS; field++) {
        for (int64_t i = 0; i <= n; i++) out[i] = (int64_t)CANARY;
        EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
               chexpert_batch_metadata(ds, CHEXPERT_SPLIT_TRAIN, indices, (size_t)n, field, out, (size_t)n - 1));
        for (int64_t i = 0; i <= n; i++) CHECK(out[i] == (int64_t)CANARY);
        OK(chexpert_batch_metadata(ds, CHEXPERT_SPLIT_TRAIN, indices, (size_t)n, field, NULL, 0));  /* skipped */
        OK(chexpert_batch_metadata(ds, CHEXPERT_SPLIT_TRAIN, indices, (size_t)n, field, out, (size_t)n));
        CHECK(out[n] == (int64_t)CANARY);
        for (int64_t i = 0; i < n; i++) {
            switch (field) {
            case CHEXPERT_FIELD_PATIENT: case CHEXPERT_FIELD_STUDY: case CHEXPERT_FIELD_VIEW_NUMBER:
                CHECK(out[i] >= 1); break;       /* the generator names every part */
            case CHEXPERT_FIELD_SEX: CHECK(out[i] >= 0 && out[i] < CHEXPERT_NUM_SEXES); break;
            case CHEXPERT_FIELD_AGE: CHECK(out[i] == CHEXPERT_AGE_MISSING || (out[i] >= 0 && out[i] <= 150)); break;
            case CHEXPERT_FIELD_PROJECTION: CHECK(out[i] >= 0 && out[i] < CHEXPERT_NUM_PROJECTIONS); break;
            case CHEXPERT_FIELD_IMAGE_VIEW: CHECK(out[i] == 0 || out[i] == 1); break;
            case CHEXPERT_FIELD_STUDY_INDEX:
                /* first appearance: each ordinal is at most one more than the largest before it */
                CHECK(out[i] >= 0 && out[i] < studies);
                if (i == 0) CHECK(out[i] == 0);
                break;
            }
        }
        if (field == CHEXPERT_FIELD_STUDY_INDEX) {
            int64_t largest = -1;
            for (int64_t i = 0; i < n; i++) {
                CHECK(out[i] <= largest + 1);
                if (out[i] > largest) largest = out[i];
            }
            CHECK(largest + 1 == studies);
        }
    }
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
           chexpert_batch_metadata(ds, CHEXPERT_SPLIT_TRAIN, indices, 1, CHEXPERT_NUM_FIELDS, out, 1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_metadata(ds, CHEXPERT_SPLIT_TRAIN, indices, 1, -1, out, 1));
    int64_t bad[2] = {0, n};
    EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_metadata(ds, CHEXPERT_SPLIT_TRAIN, bad, 2, 0, out, 2));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_metadata(ds, CHEXPERT_SPLIT_TRAIN, NULL, 2, 0, out, 2));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_metadata(ds, CHEXPERT_SPLIT_TRAIN, indices, 2, 0, NULL, 2));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_metadata(NULL, CHEXPERT_SPLIT_TRAIN, indices, 1, 0, out, 1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
           chexpert_batch_metadata(ds, CHEXPERT_SPLIT_TRAIN, indices, 1, 0, out, SIZE_MAX));
    free(indices);
    free(out);
}

static void test_aggregate(chexpert_dataset *ds, int64_t n) {
    int64_t studies = 0;
    OK(chexpert_split_study_count(ds, CHEXPERT_SPLIT_TRAIN, &studies));
    double *scores = xmalloc((size_t)n * 2 * sizeof *scores);
    for (int64_t i = 0; i < n; i++) { scores[2 * i] = 0.25; scores[2 * i + 1] = (double)i; }
    double *out = xmalloc((size_t)(studies * 2 + 1) * sizeof *out);
    chexpert_params *params = new_params();
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(params, CHEXPERT_KEY_AGGREGATE, 0));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(params, CHEXPERT_KEY_AGGREGATE, CHEXPERT_EVAL_LEVEL_STUDY));
    for (int how = 0; how < 2; how++) {
        OK(chexpert_params_set(params, CHEXPERT_KEY_AGGREGATE, how ? CHEXPERT_AGGREGATE_MEAN : CHEXPERT_AGGREGATE_MAX));
        memset(out, 0x5A, (size_t)(studies * 2 + 1) * sizeof *out);
        EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_aggregate_scores(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 2,
                                                                     params, out, (size_t)studies * 2 - 1));
        CHECK(((uint64_t *)out)[0] == CANARY);
        OK(chexpert_aggregate_scores(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 2, params, out, (size_t)studies * 2));
        CHECK(((uint64_t *)out)[studies * 2] == CANARY);
        for (int64_t s = 0; s < studies; s++) CHECK(out[2 * s] == 0.25);
        CHECK(out[1] >= 0 && out[2 * studies - 1] == (how ? out[2 * studies - 1] : (double)(n - 1)));
    }
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
           chexpert_aggregate_scores(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n - 1, 2, NULL, out, (size_t)studies * 2));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
           chexpert_aggregate_scores(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 0, NULL, out, (size_t)studies * 2));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
           chexpert_aggregate_scores(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, SIZE_MAX / 4, NULL, out, 1));
    EXPECT(CHEXPERT_E_NULL_POINTER,
           chexpert_aggregate_scores(ds, CHEXPERT_SPLIT_TRAIN, NULL, (size_t)n, 2, NULL, out, (size_t)studies * 2));
    EXPECT(CHEXPERT_E_NULL_POINTER,
           chexpert_aggregate_scores(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 2, NULL, NULL, (size_t)studies * 2));
    chexpert_params_free(params);
    free(scores);
    free(out);
}

static void test_patient_split(chexpert_dataset *ds, int64_t n) {
    int32_t *parts = xmalloc((size_t)(n + 1) * sizeof *parts);
    int32_t *again = xmalloc((size_t)(n + 1) * sizeof *again);
    int64_t *patients = xmalloc((size_t)n * sizeof *patients);
    int64_t *indices = indices_upto(n);
    OK(chexpert_batch_metadata(ds, CHEXPERT_SPLIT_TRAIN, indices, (size_t)n, CHEXPERT_FIELD_PATIENT, patients, (size_t)n));
    double fractions[3] = {0.6, 0.3, 0.1};
    chexpert_params *params = new_params();
    OK(chexpert_params_set(params, CHEXPERT_KEY_SEED, -5));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(params, CHEXPERT_KEY_STRATIFY, -2));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(params, CHEXPERT_KEY_STRATIFY, 65536));
    int32_t labels = 0;
    OK(chexpert_split_num_labels(ds, CHEXPERT_SPLIT_TRAIN, &labels));
    OK(chexpert_params_set(params, CHEXPERT_KEY_STRATIFY, labels));
    EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_patient_split(ds, CHEXPERT_SPLIT_TRAIN, fractions, 3, params, parts, (size_t)n));
    OK(chexpert_params_set(params, CHEXPERT_KEY_STRATIFY, labels - 1));
    for (int64_t i = 0; i <= n; i++) parts[i] = 0x5A5A5A5A;
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
           chexpert_patient_split(ds, CHEXPERT_SPLIT_TRAIN, fractions, 3, params, parts, (size_t)n - 1));
    for (int64_t i = 0; i <= n; i++) CHECK(parts[i] == 0x5A5A5A5A);
    OK(chexpert_patient_split(ds, CHEXPERT_SPLIT_TRAIN, fractions, 3, params, parts, (size_t)n));
    OK(chexpert_patient_split(ds, CHEXPERT_SPLIT_TRAIN, fractions, 3, params, again, (size_t)n));
    CHECK(parts[n] == 0x5A5A5A5A);
    for (int64_t i = 0; i < n; i++) {
        CHECK(parts[i] >= 0 && parts[i] < 3 && parts[i] == again[i]);
        for (int64_t j = 0; j < i; j++)
            if (patients[j] == patients[i]) CHECK(parts[j] == parts[i]);
    }
    double bad[3][3] = {{0.5, -0.1, 0.6}, {0.5, NAN, 0.5}, {0, 0, 0}};
    for (int k = 0; k < 3; k++)
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_patient_split(ds, CHEXPERT_SPLIT_TRAIN, bad[k], 3, NULL, parts, (size_t)n));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_patient_split(ds, CHEXPERT_SPLIT_TRAIN, fractions, 0, NULL, parts, (size_t)n));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT,
           chexpert_patient_split(ds, CHEXPERT_SPLIT_TRAIN, fractions, CHEXPERT_MAX_PARTS + 1, NULL, parts, (size_t)n));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_patient_split(ds, CHEXPERT_SPLIT_TRAIN, NULL, 3, NULL, parts, (size_t)n));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_patient_split(ds, CHEXPERT_SPLIT_TRAIN, fractions, 3, NULL, NULL, (size_t)n));
    double one = 1.0;
    OK(chexpert_patient_split(ds, CHEXPERT_SPLIT_TRAIN, &one, 1, NULL, parts, (size_t)n));
    for (int64_t i = 0; i < n; i++) CHECK(parts[i] == 0);
    chexpert_params_free(params);
    free(parts);
    free(again);
    free(patients);
    free(indices);
}

static void test_evaluate(chexpert_dataset *ds, int64_t n) {
    int32_t labels = 0;
    OK(chexpert_split_num_labels(ds, CHEXPERT_SPLIT_TRAIN, &labels));
    int64_t *indices = indices_upto(n);
    int64_t *cells = xmalloc((size_t)n * (size_t)labels * sizeof *cells);
    OK(chexpert_batch_labels(ds, CHEXPERT_SPLIT_TRAIN, indices, (size_t)n, cells, (size_t)n * (size_t)labels));
    /* Scores equal to the truth of columns 0 and 1: AUROC and AUPRC 1 where defined. */
    int32_t columns[2] = {2, 5};
    double *scores = xmalloc((size_t)n * 2 * sizeof *scores);
    for (int64_t i = 0; i < n; i++)
        for (int c = 0; c < 2; c++) scores[2 * i + c] = cells[i * labels + columns[c]] == CHEXPERT_LABEL_POSITIVE;
    const size_t size = 3 * CHEXPERT_NUM_METRICS;
    double out[3 * CHEXPERT_NUM_METRICS + 1], again[3 * CHEXPERT_NUM_METRICS + 1];
    chexpert_params *params = new_params();
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(params, CHEXPERT_KEY_BOOTSTRAP, CHEXPERT_MAX_BOOTSTRAP + 1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(params, CHEXPERT_KEY_BOOTSTRAP, -1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(params, CHEXPERT_KEY_EVAL_LEVEL, CHEXPERT_AGGREGATE_MAX));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(params, CHEXPERT_KEY_EVAL_UNCERTAIN, 0));
    OK(chexpert_params_set(params, CHEXPERT_KEY_BOOTSTRAP, 50));
    OK(chexpert_params_set(params, CHEXPERT_KEY_SEED, 3));
    memset(out, 0x5A, sizeof out);
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
           chexpert_evaluate(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 2, columns, params, out, size - 1));
    CHECK(((uint64_t *)out)[0] == CANARY);
    OK(chexpert_evaluate(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 2, columns, params, out, size));
    OK(chexpert_evaluate(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 2, columns, params, again, size));
    CHECK(((uint64_t *)out)[size] == CANARY);
    CHECK(memcmp(out, again, size * sizeof out[0]) == 0);
    for (int row = 0; row < 3; row++) {
        const double *r = out + row * CHEXPERT_NUM_METRICS;
        if (isnan(r[CHEXPERT_METRIC_AUROC])) continue;
        CHECK(r[CHEXPERT_METRIC_AUROC] == 1.0 && r[CHEXPERT_METRIC_AUPRC] == 1.0);
        CHECK(r[CHEXPERT_METRIC_AUROC_LOW] == 1.0 && r[CHEXPERT_METRIC_AUROC_HIGH] == 1.0);
        CHECK(r[CHEXPERT_METRIC_POSITIVES] <= r[CHEXPERT_METRIC_SAMPLES]);
    }
    OK(chexpert_params_set(params, CHEXPERT_KEY_BOOTSTRAP, 0));
    OK(chexpert_params_set(params, CHEXPERT_KEY_EVAL_LEVEL, CHEXPERT_EVAL_LEVEL_STUDY));
    OK(chexpert_evaluate(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 2, columns, params, out, size));
    for (int row = 0; row < 3; row++) CHECK(isnan(out[row * CHEXPERT_NUM_METRICS + CHEXPERT_METRIC_AUROC_LOW]));

    int32_t outside[2] = {0, labels}, twice[2] = {1, 1};
    EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_evaluate(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 2, outside, NULL, out, size));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_evaluate(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 2, twice, NULL, out, size));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_evaluate(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 2, NULL, NULL, out, size));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_evaluate(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n + 1, 2, columns, NULL, out, size));
    scores[3] = NAN;
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_evaluate(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 2, columns, NULL, out, size));
    MESSAGE_HAS("scores[1][1]");
    scores[3] = INFINITY;
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_evaluate(ds, CHEXPERT_SPLIT_TRAIN, scores, (size_t)n, 2, columns, NULL, out, size));
    chexpert_params_free(params);
    free(indices);
    free(cells);
    free(scores);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s TREE\n", argv[0]);
        return 2;
    }
    test_names();
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, argv[1], NULL));
    int64_t n = 0;
    OK(chexpert_split_size(ds, CHEXPERT_SPLIT_TRAIN, &n));
    CHECK(n >= 4);
    test_metadata(ds, n);
    test_aggregate(ds, n);
    test_patient_split(ds, n);
    test_evaluate(ds, n);
    chexpert_dataset_close(ds);
    int64_t count = 0;
    double score = 0, out[2 * CHEXPERT_NUM_METRICS];
    int32_t part = 0, column = 0;
    int64_t index = 0, value = 0;
    EXPECT(CHEXPERT_E_CLOSED, chexpert_split_study_count(ds, CHEXPERT_SPLIT_TRAIN, &count));
    EXPECT(CHEXPERT_E_CLOSED, chexpert_batch_metadata(ds, CHEXPERT_SPLIT_TRAIN, &index, 1, 0, &value, 1));
    EXPECT(CHEXPERT_E_CLOSED, chexpert_aggregate_scores(ds, CHEXPERT_SPLIT_TRAIN, &score, 1, 1, NULL, out, 2));
    EXPECT(CHEXPERT_E_CLOSED, chexpert_patient_split(ds, CHEXPERT_SPLIT_TRAIN, &score, 1, NULL, &part, 1));
    EXPECT(CHEXPERT_E_CLOSED, chexpert_evaluate(ds, CHEXPERT_SPLIT_TRAIN, &score, 1, 1, &column, NULL, out, 16));
    CHECK_SUMMARY();
    return 0;
}
