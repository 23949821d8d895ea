/*
 * test_training.c: the training-input functions of chexpert.h (1.0 API),
 * called as a C program would: selection at open (CHEXPERT_KEY_SELECT,
 * chexpert_split_projection_counts, chexpert_batch_projections), targets
 * (chexpert_target_rules, chexpert_batch_targets with presets and custom
 * rules) and the epoch order (chexpert_shard_indices, checked against the
 * pinned algorithm re-implemented here). Usage: test_training DIR (DIR holds
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
#include "new_params.h"

#define OK(call) EXPECT(CHEXPERT_OK, call)

static const char *fixture_dir;

static int64_t split_size(const chexpert_dataset *ds, int split) {
    int64_t count = -1;
    OK(chexpert_split_size(ds, split, &count));
    return count;
}

static int64_t *all_indices(int64_t count) {
    int64_t *indices = xmalloc((size_t)(count ? count : 1) * sizeof *indices);
    for (int64_t i = 0; i < count; i++) indices[i] = i;
    return indices;
}

/* Every projection subset: split sizes are the sums of the selected CSV
 * counts, every example's projection is selected, names keep CSV order. */
static void test_selection(void) {
    chexpert_dataset *all = NULL;
    OK(chexpert_dataset_open(&all, fixture_dir, NULL));
    for (int split = 0; split < 2; split++) {
        int64_t counts[CHEXPERT_NUM_PROJECTIONS + 1];
        memset(counts, 0x5A, sizeof counts);
        EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_split_projection_counts(all, split, counts, 3));
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) CHECK(counts[i] == 0x5A5A5A5A5A5A5A5A);
        EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_split_projection_counts(all, split, NULL, 4));
        OK(chexpert_split_projection_counts(all, split, counts, CHEXPERT_NUM_PROJECTIONS + 1));
        CHECK(counts[CHEXPERT_NUM_PROJECTIONS] == 0x5A5A5A5A5A5A5A5A);
        int64_t total = split_size(all, split), sum = 0;
        for (int p = 0; p < CHEXPERT_NUM_PROJECTIONS; p++) sum += counts[p];
        CHECK(sum == total);
        if (split == CHEXPERT_SPLIT_TRAIN) {
            for (int p = 0; p < CHEXPERT_NUM_PROJECTIONS; p++) CHECK(counts[p] > 0);  /* the fixture has all */
        }
        int64_t *indices = all_indices(total);
        int64_t *projections = xmalloc((size_t)total * sizeof *projections);
        OK(chexpert_batch_projections(all, split, indices, (size_t)total, projections, (size_t)total));
        int64_t *views = xmalloc((size_t)total * sizeof *views);
        OK(chexpert_batch_views(all, split, indices, (size_t)total, views, (size_t)total));
        for (int64_t i = 0; i < total; i++) {
            CHECK(projections[i] >= 0 && projections[i] < CHEXPERT_NUM_PROJECTIONS);
            CHECK((projections[i] == CHEXPERT_PROJECTION_LATERAL) == (views[i] == CHEXPERT_VIEW_LATERAL));
        }
        free(views);

        for (int64_t mask = 1; mask <= CHEXPERT_SELECT_ALL; mask++) {
            chexpert_params *options = new_params();
            OK(chexpert_params_set(options, CHEXPERT_KEY_SELECT, mask));
            OK(chexpert_params_set(options, CHEXPERT_KEY_DCT, CHEXPERT_DCT_ACCURATE));
            chexpert_dataset *ds = NULL;
            OK(chexpert_dataset_open(&ds, fixture_dir, options));
            chexpert_params_free(options);
            int64_t value = 0;
            OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_SELECT, &value));
            CHECK(value == mask);
            OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_DCT, &value));
            CHECK(value == CHEXPERT_DCT_ACCURATE);
            int64_t expected = 0;
            for (int p = 0; p < CHEXPERT_NUM_PROJECTIONS; p++)
                if (mask >> p & 1) expected += counts[p];
            int64_t size = split_size(ds, split);
            CHECK(size == expected);
            int64_t kept[CHEXPERT_NUM_PROJECTIONS];
            OK(chexpert_split_projection_counts(ds, split, kept, CHEXPERT_NUM_PROJECTIONS));
            CHECK(memcmp(kept, counts, sizeof kept) == 0);   /* the CSV's, before selection */
            /* The selected examples are the CSV rows of those projections, in order. */
            int64_t row = 0;
            for (int64_t i = 0; i < size; i++) {
                while (row < total && !(mask >> projections[row] & 1)) row++;
                CHECK(row < total);
                int64_t projection = -1;
                OK(chexpert_batch_projections(ds, split, &i, 1, &projection, 1));
                CHECK(projection == projections[row]);
                char a[512], b[512];
                OK(chexpert_example_name(ds, split, i, a, sizeof a, NULL));
                OK(chexpert_example_name(all, split, row, b, sizeof b, NULL));
                CHECK(strcmp(a, b) == 0);
                row++;
            }
            int64_t beyond = size;
            int64_t projection = 0;
            EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_projections(ds, split, &beyond, 1, &projection, 1));
            chexpert_dataset_close(ds);
        }
        free(indices);
        free(projections);
    }
    /* Bad options are refused when set, and the set keeps its value. */
    chexpert_params *options = new_params();
    OK(chexpert_params_set(options, CHEXPERT_KEY_SELECT, CHEXPERT_SELECT_FRONTAL));
    int64_t bad[][2] = {{CHEXPERT_KEY_SELECT, 0x10}, {CHEXPERT_KEY_SELECT, -1}, {CHEXPERT_KEY_SELECT, 0},
                        {99, 0}, {CHEXPERT_KEY_DCT, 7}, {CHEXPERT_KEY_DCT, CHEXPERT_ON_ERROR_RAISE},
                        {CHEXPERT_KEY_MAX_PIXELS, 0}, {CHEXPERT_KEY_ON_ERROR, 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(options, (int)bad[i][0], bad[i][1]));
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, fixture_dir, options));
    int64_t value = 0;
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_SELECT, &value));
    CHECK(value == CHEXPERT_SELECT_FRONTAL);
    OK(chexpert_dataset_get_option(ds, CHEXPERT_KEY_DCT, &value));
    CHECK(value == CHEXPERT_DCT_FAST);
    chexpert_dataset_close(ds);
    chexpert_params_free(options);
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_dataset_open(NULL, fixture_dir, NULL));
    ds = (chexpert_dataset *)(uintptr_t)1;
    EXPECT(CHEXPERT_E_NOT_FOUND, chexpert_dataset_open(&ds, "/nonexistent/chexpert", NULL));
    CHECK(ds == NULL);
    chexpert_dataset_close(all);
}

static int same_float(float a, float b) { return a == b || (isnan(a) && isnan(b)); }

static void test_targets(void) {
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, fixture_dir, NULL));
    int split = CHEXPERT_SPLIT_TRAIN;
    int32_t num_labels = 0;
    OK(chexpert_split_num_labels(ds, split, &num_labels));
    int64_t count = split_size(ds, split);
    int64_t *indices = all_indices(count);

    /* Presets: size query, then the rules; every label index in range. */
    static const int64_t presets[] = {CHEXPERT_PRESET_PAPER, CHEXPERT_PRESET_LIBAUC, CHEXPERT_PRESET_XRV};
    for (size_t pi = 0; pi < 3; pi++) {
        int64_t preset = presets[pi];
        chexpert_params *p = new_params();
        OK(chexpert_params_set(p, CHEXPERT_KEY_TARGET_PRESET, preset));
        size_t rule_count = 0;
        uint32_t flags = 99;
        OK(chexpert_target_rules(ds, split, p, NULL, 0, &rule_count, &flags)); /* size query */
        CHECK(rule_count == (preset == CHEXPERT_PRESET_XRV ? 13u : 5u));
        uint32_t expected_flags =
            preset == CHEXPERT_PRESET_XRV ? (uint32_t)(CHEXPERT_TARGET_NO_FINDING | CHEXPERT_TARGET_MASKED_NAN) : 0u;
        CHECK(flags == expected_flags);
        int32_t rules[3 * 13 + 2];
        memset(rules, 0x5A, sizeof rules);
        size_t rule_count2 = 0;
        EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL,
               chexpert_target_rules(ds, split, p, rules, 3 * rule_count - 1, &rule_count2, NULL));
        CHECK(rule_count2 == rule_count);
        for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) CHECK(rules[i] == 0x5A5A5A5A);
        OK(chexpert_target_rules(ds, split, p, rules, sizeof rules / sizeof rules[0], &rule_count, &flags));
        CHECK(rules[3 * rule_count] == 0x5A5A5A5A);
        for (size_t r = 0; r < rule_count; r++) {
            CHECK(rules[3 * r] >= 0 && rules[3 * r] < num_labels);
            CHECK(rules[3 * r + 1] >> 8 == CHEXPERT_UNCERTAIN_IGNORE >> 8);
            CHECK(rules[3 * r + 2] >> 8 == CHEXPERT_BLANK_NEGATIVE >> 8);
        }
        size_t n = (size_t)count * rule_count;
        float *targets = xmalloc(n * sizeof *targets), *masks = xmalloc(n * sizeof *masks);
        OK(chexpert_batch_targets(ds, split, indices, (size_t)count, p, targets, masks, n));
        for (size_t i = 0; i < n; i++) {
            CHECK(masks[i] == 0.0f || masks[i] == 1.0f);
            if (masks[i] == 0.0f) CHECK(flags & CHEXPERT_TARGET_MASKED_NAN ? isnan(targets[i]) : targets[i] == 0.0f);
            else CHECK(targets[i] == 0.0f || targets[i] == 1.0f || targets[i] == 2.0f);
        }
        /* Masks are optional; the targets do not depend on them. */
        float *again = xmalloc(n * sizeof *again);
        OK(chexpert_batch_targets(ds, split, indices, (size_t)count, p, again, NULL, n));
        for (size_t i = 0; i < n; i++) CHECK(same_float(again[i], targets[i]));
        /* The preset's rules and flags given as custom rules: the same targets. */
        chexpert_params *custom = new_params();
        OK(chexpert_params_set_rules(custom, rules, rule_count));
        OK(chexpert_params_set(custom, CHEXPERT_KEY_TARGET_NO_FINDING, (flags & CHEXPERT_TARGET_NO_FINDING) != 0));
        OK(chexpert_params_set(custom, CHEXPERT_KEY_TARGET_MASKED_NAN, (flags & CHEXPERT_TARGET_MASKED_NAN) != 0));
        int32_t custom_rules[3 * 13];
        size_t custom_count = 0;
        uint32_t custom_flags = 99;
        OK(chexpert_target_rules(ds, split, custom, custom_rules, 3 * 13, &custom_count, &custom_flags));
        CHECK(custom_count == rule_count && custom_flags == flags);
        CHECK(memcmp(custom_rules, rules, 3 * rule_count * sizeof *rules) == 0);
        float *masks2 = xmalloc(n * sizeof *masks2);
        OK(chexpert_batch_targets(ds, split, indices, (size_t)count, custom, again, masks2, n));
        for (size_t i = 0; i < n; i++) CHECK(same_float(again[i], targets[i]) && masks2[i] == masks[i]);
        /* Setting the preset discards the rules; setting rules discards the preset. */
        OK(chexpert_params_set(custom, CHEXPERT_KEY_TARGET_PRESET,
                               preset == CHEXPERT_PRESET_XRV ? CHEXPERT_PRESET_PAPER : CHEXPERT_PRESET_XRV));
        OK(chexpert_target_rules(ds, split, custom, NULL, 0, &custom_count, NULL));
        CHECK(custom_count == (preset == CHEXPERT_PRESET_XRV ? 5u : 13u));
        OK(chexpert_params_set_rules(custom, rules, 1));
        OK(chexpert_target_rules(ds, split, custom, NULL, 0, &custom_count, NULL));
        CHECK(custom_count == 1);
        /* A too-small capacity: nothing written. */
        memset(targets, 0x5A, n * sizeof *targets);
        memset(masks, 0x5A, n * sizeof *masks);
        EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_batch_targets(ds, split, indices, (size_t)count, p, targets, masks, n - 1));
        int untouched = 1;
        for (size_t i = 0; i < n; i++) {
            uint32_t t, m;
            memcpy(&t, &targets[i], 4);
            memcpy(&m, &masks[i], 4);
            untouched &= t == 0x5A5A5A5A && m == 0x5A5A5A5A;
        }
        CHECK(untouched);
        chexpert_params_free(custom);
        free(targets);
        free(masks);
        free(masks2);
        free(again);
        chexpert_params_free(p);
    }
    /* XRV with NO_FINDING turned off: the key overrides the preset's flag. */
    {
        chexpert_params *p = new_params();
        OK(chexpert_params_set(p, CHEXPERT_KEY_TARGET_PRESET, CHEXPERT_PRESET_XRV));
        OK(chexpert_params_set(p, CHEXPERT_KEY_TARGET_NO_FINDING, 0));
        uint32_t flags = 99;
        OK(chexpert_target_rules(ds, split, p, NULL, 0, NULL, &flags));
        CHECK(flags == CHEXPERT_TARGET_MASKED_NAN);
        chexpert_params_free(p);
    }
    /* Neither a preset nor rules. */
    {
        chexpert_params *p = new_params();
        size_t rule_count = 0;
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_target_rules(ds, split, p, NULL, 0, &rule_count, NULL));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_target_rules(ds, split, NULL, NULL, 0, &rule_count, NULL));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_TARGET_PRESET, 0));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_TARGET_PRESET, 1));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_TARGET_NO_FINDING, 4));
        OK(chexpert_params_set(p, CHEXPERT_KEY_TARGET_PRESET, CHEXPERT_PRESET_PAPER));
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_target_rules(ds, 7, p, NULL, 0, NULL, NULL));
        chexpert_params_free(p);
    }

    /* Argument errors write nothing. */
    chexpert_params *one = new_params();
    int32_t rule[3] = {0, CHEXPERT_UNCERTAIN_ONES, CHEXPERT_BLANK_NEGATIVE};
    OK(chexpert_params_set_rules(one, rule, 1));
    float target[4] = {-7, -7, -7, -7}, mask[4] = {-7, -7, -7, -7};
    int64_t two[2] = {0, 1};
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_batch_targets(ds, split, two, 2, one, target, mask, 1));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_targets(ds, split, two, 2, one, NULL, mask, 4));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_batch_targets(ds, split, NULL, 2, one, target, mask, 4));
    int64_t beyond[2] = {0, count};
    EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_targets(ds, split, beyond, 2, one, target, mask, 4));
    MESSAGE_HAS("indices[1]");
    /* Labels past the split's columns: OUT_OF_RANGE where the rules are used. */
    int32_t past[][3] = {{num_labels, CHEXPERT_UNCERTAIN_ONES, CHEXPERT_BLANK_NEGATIVE},
                         {INT32_MAX, CHEXPERT_UNCERTAIN_ZEROS, CHEXPERT_BLANK_IGNORE}};
    for (size_t i = 0; i < 2; i++) {
        chexpert_params *p = new_params();
        int32_t rules[6] = {0, CHEXPERT_UNCERTAIN_ONES, CHEXPERT_BLANK_NEGATIVE, past[i][0], past[i][1], past[i][2]};
        OK(chexpert_params_set_rules(p, rules, 2));
        EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_batch_targets(ds, split, two, 2, p, target, mask, 4));
        MESSAGE_HAS("1");
        int32_t out_rules[6] = {-7, -7, -7, -7, -7, -7};
        EXPECT(CHEXPERT_E_OUT_OF_RANGE, chexpert_target_rules(ds, split, p, out_rules, 6, NULL, NULL));
        for (int k = 0; k < 6; k++) CHECK(out_rules[k] == -7);
        chexpert_params_free(p);
    }
    /* Bad rule values are refused when set. */
    int32_t bad_rules[][3] = {{-1, CHEXPERT_UNCERTAIN_ONES, CHEXPERT_BLANK_NEGATIVE},
                              {0, 5, CHEXPERT_BLANK_NEGATIVE}, {0, -1, CHEXPERT_BLANK_NEGATIVE},
                              {0, CHEXPERT_UNCERTAIN_ONES, 2}, {0, CHEXPERT_UNCERTAIN_ONES, CHEXPERT_UNCERTAIN_ONES}};
    for (size_t i = 0; i < sizeof bad_rules / sizeof bad_rules[0]; i++) {
        EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set_rules(one, bad_rules[i], 1));
        MESSAGE_HAS("0");
    }
    for (int i = 0; i < 4; i++) CHECK(target[i] == -7 && mask[i] == -7);
    /* The set kept its rule. */
    OK(chexpert_batch_targets(ds, split, two, 2, one, target, mask, 4));
    CHECK(target[2] == -7 && mask[2] == -7); /* 2 x 1 written */
    /* Nothing to write: count 0. */
    OK(chexpert_batch_targets(ds, split, NULL, 0, one, NULL, NULL, 0));
    free(indices);
    chexpert_dataset_close(ds);
    EXPECT(CHEXPERT_E_CLOSED, chexpert_batch_targets(ds, split, two, 2, one, target, NULL, 4));
    EXPECT(CHEXPERT_E_CLOSED, chexpert_target_rules(ds, split, one, NULL, 0, NULL, NULL));
    chexpert_params_free(one);
}

/* ------------------------------------------------------------------------ */
/* Epoch order: the pinned algorithm of chexpert.h, re-implemented           */
/* ------------------------------------------------------------------------ */

#define GOLDEN 0x9E3779B97F4A7C15ull

static uint64_t mix64(uint64_t z) {
    z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ z >> 27) * 0x94D049BB133111EBull;
    return z ^ z >> 31;
}

static uint64_t next64(uint64_t *state) {
    *state += GOLDEN;
    return mix64(*state);
}

static uint64_t below(uint64_t *state, uint64_t bound) {
    unsigned __int128 product = (unsigned __int128)next64(state) * bound;
    if ((uint64_t)product < bound) {
        uint64_t threshold = (0 - bound) % bound;
        while ((uint64_t)product < threshold) product = (unsigned __int128)next64(state) * bound;
    }
    return (uint64_t)(product >> 64);
}

/* P: the epoch's order of 0 ..< count. */
static int64_t *reference_permutation(int64_t count, uint64_t seed, uint64_t epoch, int shuffle) {
    int64_t *order = all_indices(count);
    if (shuffle) {
        uint64_t state = seed ^ mix64(epoch + GOLDEN);
        for (int64_t i = count - 1; i > 0; i--) {
            int64_t j = (int64_t)below(&state, (uint64_t)i + 1);
            int64_t t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
    return order;
}

static size_t shard(int64_t count, uint64_t seed, uint64_t epoch, int shuffle, int64_t start, int64_t rank,
                    int64_t world, int64_t remainder, int64_t **out) {
    chexpert_params *p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_SEED, (int64_t)seed));
    OK(chexpert_params_set(p, CHEXPERT_KEY_EPOCH, (int64_t)epoch));
    OK(chexpert_params_set(p, CHEXPERT_KEY_SHUFFLE, shuffle));
    OK(chexpert_params_set(p, CHEXPERT_KEY_START, start));
    OK(chexpert_params_set(p, CHEXPERT_KEY_WORLD, world));
    OK(chexpert_params_set(p, CHEXPERT_KEY_RANK, rank));
    OK(chexpert_params_set(p, CHEXPERT_KEY_REMAINDER, remainder));
    size_t size = 12345;
    OK(chexpert_shard_indices(p, count, NULL, 0, &size)); /* a size query */
    *out = xmalloc((size ? size : 1) * sizeof **out);
    size_t again = 0;
    OK(chexpert_shard_indices(p, count, *out, size, &again));
    CHECK(again == size);
    chexpert_params_free(p);
    return size;
}

/* Ranks together see every example of P[start ..] as the remainder rule
 * says; resuming at start + k * world continues every rank's shard. */
static void test_order(void) {
    static const int64_t counts[] = {0, 1, 2, 7, 64, 1000, 1001};
    static const int64_t worlds[] = {1, 2, 3, 8};
    static const int64_t remainders[] = {CHEXPERT_REMAINDER_PAD, CHEXPERT_REMAINDER_DROP, CHEXPERT_REMAINDER_UNEVEN};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        int64_t count = counts[c];
        int64_t *full = NULL;
        CHECK(shard(count, 42, 3, 1, 0, 0, 1, CHEXPERT_REMAINDER_PAD, &full) == (size_t)count);
        int *seen = calloc((size_t)count + 1, sizeof *seen);
        for (int64_t i = 0; i < count; i++) seen[full[i]]++;
        for (int64_t i = 0; i < count; i++) CHECK(seen[i] == 1);    /* a permutation */
        /* ... the pinned one (SplitMix64, Lemire, Fisher-Yates). */
        static const uint64_t seeds[][2] = {{42, 3}, {0, 0}, {7, 3}, {UINT64_MAX, (1ull << 63) + 5}};
        for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
            int64_t *reference = reference_permutation(count, seeds[s][0], seeds[s][1], 1), *got = NULL;
            CHECK(shard(count, seeds[s][0], seeds[s][1], 1, 0, 0, 1, CHEXPERT_REMAINDER_PAD, &got) == (size_t)count);
            CHECK(count == 0 || memcmp(got, reference, (size_t)count * sizeof *got) == 0);
            free(got);
            free(reference);
        }
        for (size_t w = 0; w < sizeof worlds / sizeof worlds[0]; w++) {
            int64_t world = worlds[w];
            for (size_t r = 0; r < 3; r++) {
                int64_t remainder = remainders[r];
                for (int64_t start = 0; start <= count; start += count / 3 + 1) {
                    int64_t rest = count - start;
                    size_t sizes[8];
                    int64_t *parts[8];
                    for (int64_t rank = 0; rank < world; rank++) {
                        sizes[rank] = shard(count, 42, 3, 1, start, rank, world, remainder, &parts[rank]);
                        for (size_t k = 0; k < sizes[rank]; k++) {
                            int64_t position = rank + (int64_t)k * world;   /* round-robin deal */
                            int64_t expected = position < rest ? full[start + position]
                                                               : full[(position - rest) % count];
                            CHECK(parts[rank][k] == expected);
                        }
                    }
                    for (int64_t rank = 0; rank < world; rank++) {
                        if (remainder == CHEXPERT_REMAINDER_PAD)
                            CHECK(sizes[rank] == (size_t)((rest + world - 1) / world));
                        else if (remainder == CHEXPERT_REMAINDER_DROP)
                            CHECK(sizes[rank] == (size_t)(rest / world));
                        else
                            CHECK(sizes[rank] == (size_t)(rest / world + (rank < rest % world)));
                        free(parts[rank]);
                    }
                    /* Resume: after each rank consumed k examples, start + k * world gives
                     * each rank the rest of its own shard. */
                    if (world > 1 && rest >= 2 * world) {
                        int64_t *before = NULL, *after = NULL;
                        size_t n_before = shard(count, 42, 3, 1, start, 1, world, CHEXPERT_REMAINDER_UNEVEN, &before);
                        size_t n_after = shard(count, 42, 3, 1, start + 2 * world, 1, world, CHEXPERT_REMAINDER_UNEVEN, &after);
                        CHECK(n_after + 2 == n_before);
                        CHECK(memcmp(after, before + 2, n_after * sizeof *after) == 0);
                        free(before);
                        free(after);
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
    int64_t out[5];
    size_t size = 0;
    chexpert_params *p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_SHUFFLE, 1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(p, -1, out, 4, &size));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(p, INT64_MIN, out, 4, &size));
    EXPECT(CHEXPERT_E_LIMIT, chexpert_shard_indices(p, (int64_t)1 << 40, out, 4, &size));
    EXPECT(CHEXPERT_E_LIMIT, chexpert_shard_indices(p, INT64_MAX, out, 4, &size));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_SHUFFLE, 2));
    OK(chexpert_params_set(p, CHEXPERT_KEY_START, 5));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(p, 4, out, 4, &size));   /* start > count */
    MESSAGE_HAS("START");
    OK(chexpert_shard_indices(p, 5, NULL, 0, &size));     /* start == count: nothing left */
    CHECK(size == 0);
    OK(chexpert_params_set(p, CHEXPERT_KEY_START, 0));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_START, -1));
    OK(chexpert_params_set(p, CHEXPERT_KEY_RANK, 1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(p, 4, out, 4, &size));   /* rank >= world */
    MESSAGE_HAS("RANK");
    OK(chexpert_params_set(p, CHEXPERT_KEY_RANK, 0));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_WORLD, 0));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_RANK, -1));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_REMAINDER, 3));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_params_set(p, CHEXPERT_KEY_REMAINDER, 0));
    memset(out, 0x5A, sizeof out);
    size = 0;
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_shard_indices(p, 5, out, 4, &size));
    CHECK(size == 5);
    for (int i = 0; i < 5; i++) CHECK(out[i] == 0x5A5A5A5A5A5A5A5A);
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_shard_indices(p, 4, NULL, 4, &size));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_shard_indices(p, 4, out, SIZE_MAX, &size));
    OK(chexpert_params_set(p, CHEXPERT_KEY_SEED, (int64_t)UINT64_MAX));
    OK(chexpert_params_set(p, CHEXPERT_KEY_EPOCH, (int64_t)UINT64_MAX));
    OK(chexpert_shard_indices(p, 4, out, 4, NULL));
    OK(chexpert_shard_indices(p, 0, NULL, 0, NULL));
    chexpert_params_free(p);
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
