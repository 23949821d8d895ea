/*
 * test_augment.c: native augmentation through the C API
 * (docs/augmentation.md): the AUG_* float keys' counts and domains (refused
 * with the set unchanged), CHEXPERT_KEY_AUGMENT's enum, chexpert_augment_draw
 * (arguments, nothing written on error, determinism, NONE's identity), and
 * batches: NONE with AUG_* keys set is the plain resize byte for byte,
 * threads 1 and 2 agree, epochs differ.
 *
 *   test_augment TREE     (TREE: a chexpert-sample tree)
 *
 * Agreement with torchvision is checked in Tests/python/test_augment.py.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
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
#define N 6
#define SIDE 40

static void set_floats(chexpert_params *p, int key, int expected, int count, ...) {
    float values[4] = {0};
    va_list args;
    va_start(args, count);
    for (int i = 0; i < count && i < 4; i++) values[i] = (float)va_arg(args, double);
    va_end(args);
    EXPECT(expected, chexpert_params_set_floats(p, key, values, (size_t)count));
}

static void test_domains(void) {
    chexpert_params *p = new_params();
    const int invalid = CHEXPERT_E_INVALID_ARGUMENT;
    set_floats(p, CHEXPERT_KEY_AUG_CROP_SCALE, invalid, 1, 0.5);
    set_floats(p, CHEXPERT_KEY_AUG_CROP_SCALE, invalid, 2, 0.0, 0.5);
    set_floats(p, CHEXPERT_KEY_AUG_CROP_SCALE, invalid, 2, 0.6, 0.5);
    set_floats(p, CHEXPERT_KEY_AUG_CROP_SCALE, CHEXPERT_OK, 2, 0.08, 1.0);
    set_floats(p, CHEXPERT_KEY_AUG_CROP_RATIO, invalid, 2, 0.5, 101.0);
    set_floats(p, CHEXPERT_KEY_AUG_ROTATE, invalid, 1, -1.0);
    set_floats(p, CHEXPERT_KEY_AUG_ROTATE, invalid, 3, 1.0, 2.0, 3.0);
    set_floats(p, CHEXPERT_KEY_AUG_ROTATE, CHEXPERT_OK, 1, 15.0);
    set_floats(p, CHEXPERT_KEY_AUG_ROTATE, CHEXPERT_OK, 2, -360.0, 360.0);
    set_floats(p, CHEXPERT_KEY_AUG_TRANSLATE, invalid, 2, 0.1, 1.01);
    set_floats(p, CHEXPERT_KEY_AUG_SCALE, invalid, 2, 0.09, 1.0);
    set_floats(p, CHEXPERT_KEY_AUG_SHEAR, invalid, 4, 0.0, 1.0, 2.0, 61.0);
    set_floats(p, CHEXPERT_KEY_AUG_SHEAR, CHEXPERT_OK, 4, -10.0, 10.0, -60.0, 60.0);
    set_floats(p, CHEXPERT_KEY_AUG_FILL, invalid, 1, -1.0);
    set_floats(p, CHEXPERT_KEY_AUG_BRIGHTNESS, invalid, 2, 1.2, 1.1);
    set_floats(p, CHEXPERT_KEY_AUG_CONTRAST, CHEXPERT_OK, 1, 0.5);
    set_floats(p, CHEXPERT_KEY_AUG_GAMMA, invalid, 1, 1.0);
    set_floats(p, CHEXPERT_KEY_AUG_HFLIP, invalid, 1, 1.5);
    set_floats(p, CHEXPERT_KEY_AUG_HFLIP, invalid, 1, (double)NAN);
    set_floats(p, CHEXPERT_KEY_AUG_HFLIP, CHEXPERT_OK, 1, 1.0);
    /* Float keys are not integer keys, and AUGMENT takes only its own enum. */
    EXPECT(invalid, chexpert_params_set(p, CHEXPERT_KEY_AUG_HFLIP, 1));
    EXPECT(invalid, chexpert_params_set(p, CHEXPERT_KEY_AUGMENT, CHEXPERT_FIT_COVER));
    EXPECT(invalid, chexpert_params_set(p, CHEXPERT_KEY_AUGMENT, CHEXPERT_AUGMENT_LIBAUC + 1));
    int64_t value = 0;
    OK(chexpert_params_get(p, CHEXPERT_KEY_AUGMENT, &value));
    CHECK(value == CHEXPERT_AUGMENT_NONE);
    OK(chexpert_params_set(p, CHEXPERT_KEY_AUGMENT, CHEXPERT_AUGMENT_JFHEALTHCARE));
    OK(chexpert_params_get(p, CHEXPERT_KEY_AUGMENT, &value));
    CHECK(value == CHEXPERT_AUGMENT_JFHEALTHCARE);
    EXPECT(invalid, chexpert_params_get(p, CHEXPERT_KEY_AUG_ROTATE, &value));
    chexpert_params_free(p);
}

static void test_draw(void) {
    double out[CHEXPERT_NUM_AUGMENT_VALUES + 1], again[CHEXPERT_NUM_AUGMENT_VALUES];
    for (int i = 0; i <= CHEXPERT_NUM_AUGMENT_VALUES; i++) out[i] = -7.0;
    /* NULL params: NONE, the identity. */
    OK(chexpert_augment_draw(NULL, 3, 320, 390, out, CHEXPERT_NUM_AUGMENT_VALUES));
    const double identity[CHEXPERT_NUM_AUGMENT_VALUES] = {0, 0, 390, 320, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1};
    CHECK(memcmp(out, identity, sizeof identity) == 0);
    CHECK(out[CHEXPERT_NUM_AUGMENT_VALUES] == -7.0);

    chexpert_params *p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_AUGMENT, CHEXPERT_AUGMENT_JFHEALTHCARE));
    OK(chexpert_params_set(p, CHEXPERT_KEY_SEED, 11));
    for (int i = 0; i < CHEXPERT_NUM_AUGMENT_VALUES; i++) out[i] = -7.0;
    EXPECT(CHEXPERT_E_BUFFER_TOO_SMALL, chexpert_augment_draw(p, 0, 320, 390, out, CHEXPERT_NUM_AUGMENT_VALUES - 1));
    CHECK(out[0] == -7.0 && out[CHEXPERT_NUM_AUGMENT_VALUES - 2] == -7.0);
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_augment_draw(p, -1, 320, 390, out, CHEXPERT_NUM_AUGMENT_VALUES));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_augment_draw(p, 0, 0, 390, out, CHEXPERT_NUM_AUGMENT_VALUES));
    EXPECT(CHEXPERT_E_INVALID_ARGUMENT, chexpert_augment_draw(p, 0, 320, CHEXPERT_MAX_SIDE + 1, out, CHEXPERT_NUM_AUGMENT_VALUES));
    EXPECT(CHEXPERT_E_NULL_POINTER, chexpert_augment_draw(p, 0, 320, 390, NULL, CHEXPERT_NUM_AUGMENT_VALUES));
    OK(chexpert_augment_draw(p, 5, 320, 390, out, CHEXPERT_NUM_AUGMENT_VALUES));
    OK(chexpert_augment_draw(p, 5, 320, 390, again, CHEXPERT_NUM_AUGMENT_VALUES));
    CHECK(memcmp(out, again, sizeof again) == 0);
    CHECK(fabs(out[4]) <= 15 && out[7] >= 0.95 && out[7] <= 1.05 && fabs(out[5]) <= 16 && out[10] == 0);
    OK(chexpert_params_set(p, CHEXPERT_KEY_EPOCH, 1));
    OK(chexpert_augment_draw(p, 5, 320, 390, again, CHEXPERT_NUM_AUGMENT_VALUES));
    CHECK(out[4] != again[4]);
    chexpert_params_free(p);
    chexpert_params *freed = new_params();
    chexpert_params_free(freed);
    EXPECT(CHEXPERT_E_CLOSED, chexpert_augment_draw(freed, 0, 320, 390, out, CHEXPERT_NUM_AUGMENT_VALUES));
}

static uint8_t *batch(chexpert_dataset *ds, chexpert_params *p, int threads) {
    int64_t indices[N];
    for (int i = 0; i < N; i++) indices[i] = i;
    size_t bytes = (size_t)N * SIDE * SIDE * 3;
    uint8_t *out = xmalloc(bytes);
    OK(chexpert_params_set(p, CHEXPERT_KEY_THREADS, threads));
    OK(chexpert_batch_resized(ds, CHEXPERT_SPLIT_TRAIN, indices, N, p, out, bytes, NULL));
    return out;
}

static chexpert_params *resize_params(int augment) {
    chexpert_params *p = new_params();
    OK(chexpert_params_set(p, CHEXPERT_KEY_HEIGHT, SIDE));
    OK(chexpert_params_set(p, CHEXPERT_KEY_WIDTH, SIDE));
    OK(chexpert_params_set(p, CHEXPERT_KEY_AUGMENT, augment));
    set_floats(p, CHEXPERT_KEY_AUG_ROTATE, CHEXPERT_OK, 1, 20.0);
    set_floats(p, CHEXPERT_KEY_AUG_CROP_SCALE, CHEXPERT_OK, 2, 0.5, 1.0);
    set_floats(p, CHEXPERT_KEY_AUG_CONTRAST, CHEXPERT_OK, 1, 0.3);
    return p;
}

static void test_batches(const char *tree) {
    chexpert_dataset *ds = NULL;
    OK(chexpert_dataset_open(&ds, tree, NULL));
    size_t bytes = (size_t)N * SIDE * SIDE * 3;
    chexpert_params *plain = new_params();
    OK(chexpert_params_set(plain, CHEXPERT_KEY_HEIGHT, SIDE));
    OK(chexpert_params_set(plain, CHEXPERT_KEY_WIDTH, SIDE));
    chexpert_params *none = resize_params(CHEXPERT_AUGMENT_NONE);
    uint8_t *a = batch(ds, plain, 1), *b = batch(ds, none, 2);
    CHECK(memcmp(a, b, bytes) == 0);
    free(a);
    free(b);
    chexpert_params *custom = resize_params(CHEXPERT_AUGMENT_CUSTOM);
    a = batch(ds, custom, 1);
    b = batch(ds, custom, 2);
    CHECK(memcmp(a, b, bytes) == 0);
    OK(chexpert_params_set(custom, CHEXPERT_KEY_EPOCH, 1));
    uint8_t *c = batch(ds, custom, 2);
    CHECK(memcmp(a, c, bytes) != 0);
    free(a);
    free(b);
    free(c);
    chexpert_params_free(plain);
    chexpert_params_free(none);
    chexpert_params_free(custom);
    chexpert_dataset_close(ds);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_augment TREE\n");
        return 2;
    }
    test_domains();
    test_draw();
    test_batches(argv[1]);
    CHECK_SUMMARY();
    return 0;
}
