/* The float32 resampling kernel of CHEXPERT_RESAMPLE_FAST (see cresample.h).
 *
 * Written with clang/GCC vector extensions (8 floats), so one source gives an
 * SSE2 build (the x86-64 baseline: each 8-float operation is two SSE
 * instructions) and an AVX2 build, chosen at run time by CPUID. Both do the
 * same float32 operations in the same order per value (lanes are output rows;
 * a lane's taps are added in order, multiply then add), and contraction into
 * FMA is off, so results do not depend on the CPU. */
#include "cresample.h"

#include <string.h>

#if defined(__clang__)
#pragma clang fp contract(off)
#endif
#pragma STDC FP_CONTRACT OFF
/* The kernel's helpers take and return 8-float vectors; they are static and
 * inlined into the one entry point of their build, so no call crosses the
 * SSE2/AVX ABI difference clang warns about. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wpsabi"
#endif

typedef float v8f __attribute__((vector_size(32)));
typedef float v8f_u __attribute__((vector_size(32), aligned(4)));
typedef uint8_t v8u8 __attribute__((vector_size(8)));
typedef int32_t v8i __attribute__((vector_size(32)));

/* floor and ceil of |x| < CXR_WARP_FAR + a little, without libm. */
static inline ptrdiff_t cxr_floor(double x) {
    ptrdiff_t t = (ptrdiff_t)x;
    return (double)t > x ? t - 1 : t;
}

static inline ptrdiff_t cxr_ceil(double x) {
    ptrdiff_t t = (ptrdiff_t)x;
    return (double)t < x ? t + 1 : t;
}

#define KERNEL(name) cxr_base_##name
#include "kernel.h"
#include "warp.h"
#undef KERNEL

#if (defined(__x86_64__) || defined(__i386__)) && defined(__clang__)
#define CXR_HAVE_AVX2_BUILD 1
#include <cpuid.h>
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#define KERNEL(name) cxr_avx2_##name
#include "kernel.h"
#include "warp.h"
#undef KERNEL
#pragma clang attribute pop

/* AVX2 usable: the CPU has it (CPUID 7.0 EBX bit 5) and the OS saves YMM
 * state (OSXSAVE, XCR0 bits 1 and 2). */
static int cxr_cpu_has_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & (1u << 27)) || !(c & (1u << 28))) return 0;  /* OSXSAVE, AVX */
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6u) != 6u) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & (1u << 5)) != 0;
}
#endif

/* 0 unknown, 1 baseline, 2 AVX2. A benign race: every thread computes the same value. */
static int cxr_level;

int cxr_kernel_level(void) {
    int level = __atomic_load_n(&cxr_level, __ATOMIC_RELAXED);
    if (level == 0) {
        level = 1;
#ifdef CXR_HAVE_AVX2_BUILD
        if (cxr_cpu_has_avx2()) level = 2;
#endif
        __atomic_store_n(&cxr_level, level, __ATOMIC_RELAXED);
    }
    return level;
}

int cxr_set_kernel_level(int level) {
    int available = 1;
#ifdef CXR_HAVE_AVX2_BUILD
    if (cxr_cpu_has_avx2()) available = 2;
#endif
    int chosen = level == 1 ? 1 : available;
    __atomic_store_n(&cxr_level, chosen, __ATOMIC_RELAXED);
    return chosen;
}

size_t cxr_scratch_floats(ptrdiff_t cols, ptrdiff_t channels, ptrdiff_t ksize) {
    /* the span's columns, then ksize pixels of zeros (read with zero weights) */
    return ((size_t)cols + (size_t)ksize) * (size_t)channels * CXR_BLOCK;
}

void cxr_resample_block(const cxr_plan *plan, ptrdiff_t y0, ptrdiff_t rows, float *scratch, float *out) {
#ifdef CXR_HAVE_AVX2_BUILD
    if (cxr_kernel_level() == 2) {
        cxr_avx2_block(plan, y0, rows, scratch, out);
        return;
    }
#endif
    cxr_base_block(plan, y0, rows, scratch, out);
}

void cxr_warp_row(const cxr_warp *warp, ptrdiff_t y, float *out) {
#ifdef CXR_HAVE_AVX2_BUILD
    if (cxr_kernel_level() == 2) {
        cxr_avx2_warp_row(warp, y, out);
        return;
    }
#endif
    cxr_base_warp_row(warp, y, out);
}
