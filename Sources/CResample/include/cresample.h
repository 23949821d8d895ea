/* The float32 resampling kernel of CHEXPERT_RESAMPLE_FAST (resample.c), and
 * the augmentation warp's (cxr_warp_row, warp.h).
 * Internal to libchexpert: names are not chexpert_*, so the export list keeps
 * them local.
 *
 * A separable resample of 8-bit pixels, vertical pass first, in blocks of
 * CXR_BLOCK output rows. Every output value is computed by one sequence of
 * float32 operations whatever the instruction set (each SIMD lane is one
 * output row; taps are added in order, multiply then add, never fused), so
 * the SSE2 and AVX2 builds give identical bits. */
#ifndef CRESAMPLE_H
#define CRESAMPLE_H

#include <stddef.h>
#include <stdint.h>

/** Output rows computed per call of cxr_resample_block(). */
#define CXR_BLOCK 8

/** One axis's coefficients: for output pixel i, source pixels
 *  first[i] ..< first[i] + count[i] with weights[i * ksize ..]. */
typedef struct cxr_axis {
    const ptrdiff_t *first;
    const ptrdiff_t *count;
    const float *weights;
    ptrdiff_t ksize;
    ptrdiff_t size; /* output pixels */
} cxr_axis;

/** A resample: the source and both axes. The horizontal pass reads source
 *  columns col0 ..< col0 + cols only (the span of `horizontal`). */
typedef struct cxr_plan {
    const uint8_t *source;
    ptrdiff_t source_stride; /* bytes per source row */
    ptrdiff_t channels;      /* interleaved values per pixel */
    ptrdiff_t col0, cols;
    cxr_axis horizontal;
    cxr_axis vertical;
} cxr_plan;

/** Floats of scratch memory cxr_resample_block() needs: plan.cols columns of
 *  `channels` values plus the horizontal kernel size (`ksize`) of padding. */
size_t cxr_scratch_floats(ptrdiff_t cols, ptrdiff_t channels, ptrdiff_t ksize);

/** Computes output rows y0 ..< y0 + rows (1 ..= CXR_BLOCK) into `out` (row r
 *  at out + r * horizontal.size * channels). `scratch`: at least
 *  cxr_scratch_floats() floats, 32-byte aligned. */
void cxr_resample_block(const cxr_plan *plan, ptrdiff_t y0, ptrdiff_t rows, float *scratch, float *out);

/** Largest source coordinate magnitude cxr_warp_row() samples; an output
 *  pixel mapped farther is the fill value. */
#define CXR_WARP_FAR 1.0e9

/** The augmentation warp (AugmentWarp, CHEXPERT_RESAMPLE_FAST): each output
 *  pixel of the region is the normalised sum, over the source pixels of the
 *  bounding box [cx - ex - 0.5, cx + ex - 0.5] x [cy - ey - 0.5, cy + ey - 0.5]
 *  of its mapped centre (cx, cy), of value x K(u0) x K(u1), with (u0, u1) =
 *  G (pixel centre - (cx, cy)) and K the triangle (bilinear) or the box
 *  (-0.5, 0.5]. Pixels outside the crop [x0, x1) x [y0, y1) (which lies in
 *  the image) count as `fill`. No tap with weight: the nearest pixel. */
typedef struct cxr_warp {
    const uint8_t *source;   /* height x width x channels bytes */
    ptrdiff_t width, height; /* source pixels */
    ptrdiff_t channels;      /* 1 or 3 */
    ptrdiff_t x0, y0, x1, y1;
    /* output pixel centre (ox, oy) -> cx = a ox + b oy + c, cy = d ox + e oy + f */
    double a, b, c, d, e, f;
    double g0a, g0b, g1a, g1b; /* G, finite (the triangle uses them rounded to float) */
    double ex, ey;            /* 0 <= ex, ey < CXR_WARP_FAR */
    int bilinear;             /* 1: triangle of support 1; 0: box */
    float fill;
    ptrdiff_t region_x, region_y, region_width; /* output pixel (region_x + x, region_y + y) */
} cxr_warp;

/** Output row y of the region: region_width x channels floats into `out`.
 *  The same bits with either kernel level. */
void cxr_warp_row(const cxr_warp *warp, ptrdiff_t y, float *out);

/** 2 with the AVX2 kernel, 1 with the baseline one (SSE2 on x86-64). */
int cxr_kernel_level(void);

/** Tests: 1 forces the baseline kernel, anything else the best available;
 *  returns the level now in use. */
int cxr_set_kernel_level(int level);

#endif
