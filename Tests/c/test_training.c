/*
 * test_training.c: the training-input functions of chexpert.h, called as a C
 * program would: selection at open (chexpert_dataset_open_with,
 * chexpert_split_projection_counts, chexpert_batch_projections), targets
 * (chexpert_batch_targets, chexpert_target_preset) and the epoch order
 * (chexpert_shard_indices). Usage: test_training DIR (DIR holds
 * CheXpert-v1.0-small/, made by chexpert-sample: every projection occurs).
 *
 * Label values per policy are checked against hand-computed vectors in
 * Tests/python/test_targets.py; here: the contracts (arguments, sizes,
 * status codes, consistency between calls).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chexpert.h"

#define CHECK_LAST_ERROR() chexpert_last_error()
#define CHECK_STATUS_NAME(status) chexpert_status_name(status)
#include "check.h"

#define OK(call) EXPECT(CHEXPERT_OK, call)

static const char *fixture_dir;

static int64_t split_size(const chexpert_dataset *ds, int split) {
    int64_t count = -1;
    OK(chexpert_split_size(ds, split, &count));
    return count;
}

static int64_t *all_indices(int64_t count) {
    int64_t *indices = malloc((size_t)(count ? count : 1) * sizeof *indices);
    if (indices == NULL) exit(2);
    for (int64_t i = 0; i < count; i++) indices[i] = i;
    return indices;
}

/* Every projection subset: split sizes are the sums of the selected CSV
 * counts, every example's projection is selected, names keep CSV order. */
static void test_selection(void) {
    chexpert_dataset *all = NULL;
    OK(chexpert_dataset_open_with(&all, fixture_dir, NULL, 0));
    for (int split = 0; split < 2; split++) {
        int64_t counts[CHEXPERT_PROJECTION_COUNT + 1];
        EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_split_projection_counts(all, split, counts, 3));
        EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_split_projection_counts(all, split, NULL, 0));
        EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_split_projection_counts(all, split, NULL, 4));
        OK(chexpert_split_projection_counts(all, split, counts, CHEXPERT_PROJECTION_COUNT + 1));
        int64_t total = split_size(all, split), sum = 0;
        for (int p = 0; p < CHEXPERT_PROJECTION_COUNT; p++) sum += counts[p];
        CHECK(sum == total);
        if (split == CHEXPERT_SPLIT_TRAIN) {
            for (int p = 0; p < CHEXPERT_PROJECTION_COUNT; p++) CHECK(counts[p] > 0);  /* the fixture has all */
        }
        int64_t *indices = all_indices(total);
        int32_t *projections = malloc((size_t)total * sizeof *projections);
        OK(chexpert_batch_projections(all, split, indices, (size_t)total, projections));

        for (int64_t mask = 1; mask <= CHEXPERT_SELECT_ALL; mask++) {
            int64_t params[] = {CHEXPERT_OPTION_SELECT, mask, CHEXPERT_OPTION_DCT, CHEXPERT_DCT_ACCURATE};
            chexpert_dataset *ds = NULL;
            OK(chexpert_dataset_open_with(&ds, fixture_dir, params, 4));
            int64_t value = 0;
            OK(chexpert_dataset_get_option(ds, CHEXPERT_OPTION_SELECT, &value));
            CHECK(value == mask);
            OK(chexpert_dataset_get_option(ds, CHEXPERT_OPTION_DCT, &value));
            CHECK(value == CHEXPERT_DCT_ACCURATE);
            int64_t expected = 0;
            for (int p = 0; p < CHEXPERT_PROJECTION_COUNT; p++)
                if (mask >> p & 1) expected += counts[p];
            int64_t size = split_size(ds, split);
            CHECK(size == expected);
            int64_t kept[CHEXPERT_PROJECTION_COUNT];
            OK(chexpert_split_projection_counts(ds, split, kept, CHEXPERT_PROJECTION_COUNT));
            CHECK(memcmp(kept, counts, sizeof kept) == 0);   /* the CSV's, before selection */
            /* The selected examples are the CSV rows of those projections, in order. */
            int64_t row = 0;
            for (int64_t i = 0; i < size; i++) {
                while (row < total && !(mask >> projections[row] & 1)) row++;
                CHECK(row < total);
                int32_t projection = -1;
                OK(chexpert_batch_projections(ds, split, &i, 1, &projection));
                CHECK(projection == projections[row]);
                char a[512], b[512];
                OK(chexpert_example_name(ds, split, i, a, sizeof a, NULL));
                OK(chexpert_example_name(all, split, row, b, sizeof b, NULL));
                CHECK(strcmp(a, b) == 0);
                row++;
            }
            int64_t beyond = size;
            int32_t projection = 0;
            EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_projections(ds, split, &beyond, 1, &projection));
            chexpert_dataset_close(ds);
        }
        free(indices);
        free(projections);
    }
    int64_t bad[][2] = {{CHEXPERT_OPTION_SELECT, 0x10}, {CHEXPERT_OPTION_SELECT, -1}, {99, 0},
                        {CHEXPERT_OPTION_DCT, 7}, {CHEXPERT_OPTION_MAX_PIXELS, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        chexpert_dataset *ds = (chexpert_dataset *)all;
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_open_with(&ds, fixture_dir, bad[i], 2));
        CHECK(ds == NULL);
    }
    int64_t odd[] = {CHEXPERT_OPTION_SELECT, CHEXPERT_SELECT_AP, CHEXPERT_OPTION_DCT};
    chexpert_dataset *ds = NULL;
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_dataset_open_with(&ds, fixture_dir, odd, 3));
    MESSAGE_HAS("odd");
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_open_with(&ds, fixture_dir, NULL, 2));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_open_with(NULL, fixture_dir, NULL, 0));
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_dataset_open_with(&ds, "/nonexistent/chexpert", NULL, 0));
    chexpert_dataset_close(all);
}

static void test_targets(void) {
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, fixture_dir));
    int split = CHEXPERT_SPLIT_TRAIN;
    int32_t num_labels = 0;
    OK(chexpert_split_num_labels(ds, split, &num_labels));
    int64_t count = split_size(ds, split);
    int64_t *indices = all_indices(count);

    /* Presets: size query, then the rules; every label index in range. */
    for (int preset = CHEXPERT_PRESET_PAPER; preset <= CHEXPERT_PRESET_XRV; preset++) {
        size_t rule_count = 0;
        uint32_t flags = 99;
        EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
               chexpert_target_preset(ds, split, preset, NULL, 0, &rule_count, &flags));
        CHECK(rule_count == (preset == CHEXPERT_PRESET_XRV ? 13u : 5u));
        int32_t rules[3 * 13];
        EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
               chexpert_target_preset(ds, split, preset, rules, 3 * rule_count - 1, NULL, NULL));
        OK(chexpert_target_preset(ds, split, preset, rules, sizeof rules / sizeof rules[0], &rule_count, &flags));
        CHECK(flags == (preset == CHEXPERT_PRESET_XRV
                            ? (uint32_t)(CHEXPERT_TARGET_NO_FINDING | CHEXPERT_TARGET_MASKED_NAN) : 0u));
        size_t n = (size_t)count * rule_count;
        float *targets = malloc(n * sizeof *targets), *masks = malloc(n * sizeof *masks);
        OK(chexpert_batch_targets(ds, split, indices, (size_t)count, rules, rule_count, flags,
                                  targets, n, masks, n));
        for (size_t i = 0; i < n; i++) {
            CHECK(masks[i] == 0.0f || masks[i] == 1.0f);
            if (masks[i] == 0.0f) CHECK(flags & CHEXPERT_TARGET_MASKED_NAN ? isnan(targets[i]) : targets[i] == 0.0f);
            else CHECK(targets[i] == 0.0f || targets[i] == 1.0f || targets[i] == 2.0f);
        }
        /* Masks are optional; the targets do not depend on them. */
        float *again = malloc(n * sizeof *again);
        OK(chexpert_batch_targets(ds, split, indices, (size_t)count, rules, rule_count, flags, again, n, NULL, 0));
        for (size_t i = 0; i < n; i++) CHECK(again[i] == targets[i] || (isnan(again[i]) && isnan(targets[i])));
        free(targets);
        free(masks);
        free(again);
    }
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_target_preset(ds, split, 0, NULL, 0, NULL, NULL));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_target_preset(ds, 7, CHEXPERT_PRESET_PAPER, NULL, 0, NULL, NULL));

    /* Argument errors write nothing. */
    int32_t rule[3] = {0, CHEXPERT_UNCERTAIN_ONES, CHEXPERT_BLANK_NEGATIVE};
    float target[4] = {-7, -7, -7, -7}, mask[4] = {-7, -7, -7, -7};
    int64_t two[2] = {0, 1};
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_batch_targets(ds, split, two, 2, rule, 1, 0, target, 1, mask, 4));
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_batch_targets(ds, split, two, 2, rule, 1, 0, target, 4, mask, 1));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_targets(ds, split, two, 2, rule, 1, 0, NULL, 4, NULL, 0));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_targets(ds, split, NULL, 2, rule, 1, 0, target, 4, NULL, 0));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_targets(ds, split, two, 2, NULL, 1, 0, target, 4, NULL, 0));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_batch_targets(ds, split, two, 2, rule, 1, 4, target, 4, NULL, 0));
    MESSAGE_HAS("flags");
    int64_t beyond[2] = {0, count};
    EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_targets(ds, split, beyond, 2, rule, 1, 0, target, 4, NULL, 0));
    int32_t bad_rules[][3] = {{-1, 0, 0}, {num_labels, 0, 0}, {0, 5, 0}, {0, -1, 0}, {0, 0, 2}};
    for (size_t i = 0; i < sizeof bad_rules / sizeof bad_rules[0]; i++) {
        EXPECT(i < 2 ? CHEXPERT_E_OUT_OF_RANGE : CHEXPERT_E_INVALID_ARGUMENT,
               chexpert_batch_targets(ds, split, two, 2, bad_rules[i], 1, 0, target, 4, mask, 4));
        MESSAGE_HAS("rules[0]");
    }
    for (int i = 0; i < 4; i++) CHECK(target[i] == -7 && mask[i] == -7);
    /* Nothing to write: count 0 or no rules. */
    OK(chexpert_batch_targets(ds, split, NULL, 0, rule, 1, 0, NULL, 0, NULL, 0));
    OK(chexpert_batch_targets(ds, split, two, 2, NULL, 0, 0, NULL, 0, NULL, 0));
    free(indices);
    chexpert_dataset_close(ds);
    EXPECT(CHEXPERT_E_CLOSED, chexpert_batch_targets(ds, split, two, 2, rule, 1, 0, target, 4, NULL, 0));
    EXPECT(CHEXPERT_E_CLOSED, chexpert_target_preset(ds, split, CHEXPERT_PRESET_PAPER, NULL, 0, NULL, NULL));
}

static size_t shard(int64_t count, uint64_t seed, uint64_t epoch, int shuffle, int64_t start, int32_t rank,
                    int32_t world, int remainder, int64_t **out) {
    size_t size = 0;
    int status = chexpert_shard_indices(count, seed, epoch, shuffle, start, rank, world, remainder, NULL, 0, &size);
    CHECK(status == (size ? CHEXPERT_E_BUFFER_TOO_SMALL : CHEXPERT_OK));
    *out = malloc((size ? size : 1) * sizeof **out);
    size_t again = 0;
    OK(chexpert_shard_indices(count, seed, epoch, shuffle, start, rank, world, remainder, *out, size, &again));
    CHECK(again == size);
    return size;
}

/* Ranks together see every example of P[start ..] as the remainder rule
 * says; resuming at start + k * world continues every rank's shard. */
static void test_order(void) {
    static const int64_t counts[] = {0, 1, 2, 7, 64, 1000, 1001};
    static const int32_t worlds[] = {1, 2, 3, 8};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        int64_t count = counts[c];
        int64_t *full = NULL;
        CHECK(shard(count, 42, 3, 1, 0, 0, 1, CHEXPERT_REMAINDER_PAD, &full) == (size_t)count);
        int *seen = calloc((size_t)count + 1, sizeof *seen);
        for (int64_t i = 0; i < count; i++) seen[full[i]]++;
        for (int64_t i = 0; i < count; i++) CHECK(seen[i] == 1);    /* a permutation */
        for (size_t w = 0; w < sizeof worlds / sizeof worlds[0]; w++) {
            int32_t world = worlds[w];
            for (int remainder = 0; remainder <= 2; remainder++) {
                for (int64_t start = 0; start <= count; start += count / 3 + 1) {
                    int64_t rest = count - start;
                    size_t sizes[8];
                    int64_t *parts[8];
                    for (int32_t rank = 0; rank < world; rank++) {
                        sizes[rank] = shard(count, 42, 3, 1, start, rank, world, remainder, &parts[rank]);
                        for (size_t k = 0; k < sizes[rank]; k++) {
                            int64_t position = rank + (int64_t)k * world;   /* round-robin deal */
                            int64_t expected = position < rest ? full[start + position]
                                                               : full[(position - rest) % count];
                            CHECK(parts[rank][k] == expected);
                        }
                    }
                    for (int32_t rank = 0; rank < world; rank++) {
                        if (remainder == CHEXPERT_REMAINDER_PAD)
                            CHECK(sizes[rank] == (size_t)((rest + world - 1) / world));
                        else if (remainder == CHEXPERT_REMAINDER_DROP)
                            CHECK(sizes[rank] == (size_t)(rest / world));
                        else
                            CHECK(sizes[rank] == (size_t)(rest / world + (rank < rest % world)));
                        free(parts[rank]);
                    }
                }
            }
        }
        /* Unshuffled is CSV order; another epoch or seed is another order. */
        int64_t *plain = NULL, *other = NULL;
        shard(count, 42, 3, 0, 0, 0, 1, CHEXPERT_REMAINDER_PAD, &plain);
        for (int64_t i = 0; i < count; i++) CHECK(plain[i] == i);
        shard(count, 42, 4, 1, 0, 0, 1, CHEXPERT_REMAINDER_PAD, &other);
        if (count >= 64) CHECK(memcmp(other, full, (size_t)count * sizeof *full) != 0);
        free(plain);
        free(other);
        free(seen);
        free(full);
    }
    int64_t out[4];
    size_t size = 0;
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(-1, 0, 0, 1, 0, 0, 1, 0, out, 4, &size));
    EXPECT(CHEXPERT_E_LIMIT, chexpert_shard_indices((int64_t)1 << 40, 0, 0, 1, 0, 0, 1, 0, out, 4, &size));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(4, 0, 0, 2, 0, 0, 1, 0, out, 4, &size));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(4, 0, 0, 1, 5, 0, 1, 0, out, 4, &size));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(4, 0, 0, 1, -1, 0, 1, 0, out, 4, &size));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(4, 0, 0, 1, 0, 1, 1, 0, out, 4, &size));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(4, 0, 0, 1, 0, 0, 0, 0, out, 4, &size));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(4, 0, 0, 1, 0, -1, 2, 0, out, 4, &size));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(4, 0, 0, 1, 0, 0, 1, 3, out, 4, &size));
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_shard_indices(5, 0, 0, 1, 0, 0, 1, 0, out, 4, &size));
    CHECK(size == 5);
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_shard_indices(4, 0, 0, 1, 0, 0, 1, 0, NULL, 4, &size));
    OK(chexpert_shard_indices(4, UINT64_MAX, UINT64_MAX, 1, 0, 0, 1, 0, out, 4, NULL));
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR   (DIR holds CheXpert-v1.0-small/)\n", argv[0]);
        return 2;
    }
    fixture_dir = argv[1];
    test_selection();
    test_targets();
    test_order();
    CHECK_SUMMARY();
    return 0;
}
