/*
 * new_params.h: new_params(), a fresh chexpert_params checked to be created,
 * for the C tests that call the header's functions directly. Include after
 * chexpert.h and check.h, with OK(call) defined or not.
 */
#ifndef CHEXPERT_TESTS_NEW_PARAMS_H
#define CHEXPERT_TESTS_NEW_PARAMS_H

static chexpert_params *new_params(void) {
    chexpert_params *p = NULL;
    EXPECT(CHEXPERT_OK, chexpert_params_create(&p));
    CHECK(p != NULL);
    return p;
}

#endif /* CHEXPERT_TESTS_NEW_PARAMS_H */
