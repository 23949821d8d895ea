/* The header's limit and bit-mask macros as typed constants, evaluated by the
 * C compiler. Swift's importer mis-evaluates some of these macros (it gives
 * ((int64_t)1 << 31) as -2147483648) and skips compound ones
 * (CHEXPERT_SELECT_ALL), so the ABI layer reads them from here. */
#ifndef CHEXPERT_LIMITS_H
#define CHEXPERT_LIMITS_H

#include "chexpert.h"

static const int64_t cxp_max_limit = CHEXPERT_MAX_LIMIT;
static const int64_t cxp_default_max_pixels = CHEXPERT_DEFAULT_MAX_PIXELS;
static const int64_t cxp_default_max_file_bytes = CHEXPERT_DEFAULT_MAX_FILE_BYTES;
static const int64_t cxp_max_csv_bytes = CHEXPERT_MAX_CSV_BYTES;
static const int64_t cxp_max_threads = CHEXPERT_MAX_THREADS;
static const int64_t cxp_max_side = CHEXPERT_MAX_SIDE;
static const int64_t cxp_max_rules = CHEXPERT_MAX_RULES;
static const int64_t cxp_max_world = CHEXPERT_MAX_WORLD;
static const int64_t cxp_max_shard_count = CHEXPERT_MAX_SHARD_COUNT;
static const int64_t cxp_select_all = CHEXPERT_SELECT_ALL;

#endif
