/* The body of the float32 augmentation warp (cxr_warp_row, cresample.h),
 * included by resample.c once per instruction set with KERNEL(name) giving
 * each copy its own names, after kernel.h (its load, store and splat).
 *
 * One output pixel at a time; the rows of its footprint's bounding box
 * [i0, i1] x [j0, j1] are walked 8 taps (source columns) per vector, or,
 * for grey pixels with at most 4 taps a row inside the crop, two rows per
 * vector. A tap's weight is the product of the kernel at its two kernel
 * coordinates u0 = g0a dx + g0b dy and u1 = g1a dx + g1b dy (dx, dy: the
 * tap's centre minus the pixel's mapped centre), linear in the tap's column
 * and row, so a vector of coordinates is a splat plus a per-call step.
 * Lanes outside the bounding box get weight 0. Pixels near the crop's edge
 * build their values with the fill; the box's edge is decided in double
 * (box_weights) when a tap is near it. The sums are reduced in a fixed
 * order, so both builds give the same bits. */

static inline __attribute__((always_inline)) v8f KERNEL(and_mask)(v8f v, v8i mask) {
    return (v8f)((v8i)v & mask);
}

/* |v| (clears the sign bits). */
static inline __attribute__((always_inline)) v8f KERNEL(abs)(v8f v) {
    v8i bits = (v8i)v & (v8i){0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff,
                                                       0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff};
    return (v8f)bits;
}

static inline __attribute__((always_inline)) v8f KERNEL(max0)(v8f v) {
    return __builtin_elementwise_max(v, KERNEL(splat)(0.0f));
}

/* The lanes' sum in a fixed order: (0+4 + 2+6) + (1+5 + 3+7). */
static inline __attribute__((always_inline)) float KERNEL(hsum)(v8f v) {
    typedef float v4f __attribute__((vector_size(16)));
    v4f h = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
    v4f q = h + __builtin_shufflevector(h, h, 2, 3, 0, 1);
    return q[0] + q[1];
}

/* Box weights from float32 coordinates, for the lanes in `keep`. Lanes
 * within 1e-5 of the box's edge, where float32 rounding could decide
 * otherwise than the double expression (and where -0.5 is counted), are
 * or-ed into *ties: the caller then redoes the pixel with box_weights. */
static inline __attribute__((always_inline)) v8f KERNEL(box_float)(v8f u0, v8f u1, v8i keep, v8i *ties) {
    const v8f hi = KERNEL(splat)(0.5f), eps = KERNEL(splat)(1e-5f);
    const v8f e0 = KERNEL(abs)(u0) - hi, e1 = KERNEL(abs)(u1) - hi;
    const v8f zero = KERNEL(splat)(0.0f);
    *ties = *ties | (((KERNEL(abs)(e0) < eps) | (KERNEL(abs)(e1) < eps)) & keep);
    return KERNEL(and_mask)(KERNEL(splat)(1.0f), (e0 <= zero) & (e1 <= zero) & keep);
}

/* Triangle weights of 8 taps at kernel coordinates u0, u1 (float32). */
static inline __attribute__((always_inline)) v8f KERNEL(triangle)(v8f u0, v8f u1) {
    v8f one = KERNEL(splat)(1.0f);
    return KERNEL(max0)(one - KERNEL(abs)(u0)) * KERNEL(max0)(one - KERNEL(abs)(u1));
}

/* The filter's weights of the lanes in `keep` (float32 coordinates). */
static inline __attribute__((always_inline)) v8f KERNEL(tap_weights)(v8f u0, v8f u1, v8i keep, int bilinear,
                                                                     v8i *ties) {
    return bilinear ? KERNEL(and_mask)(KERNEL(triangle)(u0, u1), keep) : KERNEL(box_float)(u0, u1, keep, ties);
}

/* 8 pixels of 3 interleaved channels -> 3 planes (24 bytes read). */
static inline __attribute__((always_inline)) void KERNEL(load_rgb)(const uint8_t *p, v8f *r, v8f *g, v8f *b) {
    typedef uint8_t v32u8 __attribute__((vector_size(32)));
    v32u8 bytes = {0};
    memcpy(&bytes, p, 24);
    *r = __builtin_convertvector(__builtin_shufflevector(bytes, bytes, 0, 3, 6, 9, 12, 15, 18, 21), v8f);
    *g = __builtin_convertvector(__builtin_shufflevector(bytes, bytes, 1, 4, 7, 10, 13, 16, 19, 22), v8f);
    *b = __builtin_convertvector(__builtin_shufflevector(bytes, bytes, 2, 5, 8, 11, 14, 17, 20, 23), v8f);
}

/* Box weights (0 or 1) of taps t .. t + 7: u0 = u0row + g0a t in double,
 * the same expression as AugmentWarp's exact path, so both count the same
 * taps even on the box's edge. */
static inline __attribute__((always_inline)) v8f KERNEL(box_weights)(const cxr_warp *w, double u0row, double u1row,
                                                                     ptrdiff_t t) {
    typedef double v4d __attribute__((vector_size(32)));
    typedef int32_t v4i __attribute__((vector_size(16)));
    const double td = (double)t;
    const v4d lo_t = (v4d){td, td + 1, td + 2, td + 3}, hi_t = (v4d){td + 4, td + 5, td + 6, td + 7};
    const v4d g0 = {w->g0a, w->g0a, w->g0a, w->g0a}, g1 = {w->g1a, w->g1a, w->g1a, w->g1a};
    const v4d r0 = {u0row, u0row, u0row, u0row}, r1 = {u1row, u1row, u1row, u1row};
    const v4d lo = {-0.5, -0.5, -0.5, -0.5}, hi = {0.5, 0.5, 0.5, 0.5};
    const v4d a0 = r0 + g0 * lo_t, a1 = r1 + g1 * lo_t, b0 = r0 + g0 * hi_t, b1 = r1 + g1 * hi_t;
    const v4i ma = __builtin_convertvector((a0 > lo) & (a0 <= hi) & (a1 > lo) & (a1 <= hi), v4i);
    const v4i mb = __builtin_convertvector((b0 > lo) & (b0 <= hi) & (b1 > lo) & (b1 <= hi), v4i);
    return KERNEL(and_mask)(KERNEL(splat)(1.0f), __builtin_shufflevector(ma, mb, 0, 1, 2, 3, 4, 5, 6, 7));
}

/* One output row, for a filter and a channel count known at compile time. */
static inline __attribute__((always_inline)) void KERNEL(warp_pixels)(const cxr_warp *w, ptrdiff_t y, float *out,
                                                                      const int bilinear, const ptrdiff_t channels,
                                                                      ptrdiff_t from, ptrdiff_t to) {
    const ptrdiff_t stride = w->width * channels;
    const float fill = w->fill;
    const double far = CXR_WARP_FAR;
    const float g0a = (float)w->g0a, g1a = (float)w->g1a, g0b = (float)w->g0b, g1b = (float)w->g1b;
    const v8f iota = {0, 1, 2, 3, 4, 5, 6, 7};
    const v8f step0 = iota * KERNEL(splat)(g0a), step1 = iota * KERNEL(splat)(g1a);
    const v8i iota_i = {0, 1, 2, 3, 4, 5, 6, 7};
    const double support = bilinear ? 1.0 : 0.5;
    const double inv0 = w->g0a == 0.0 ? 0.0 : 1.0 / w->g0a, inv1 = w->g1a == 0.0 ? 0.0 : 1.0 / w->g1a;
    const double oy = (double)(w->region_y + y) + 0.5;
    /* Two rows of 4 taps: lane t + 4 r is tap t of row r. */
    const v8i iota4 = {0, 1, 2, 3, 0, 1, 2, 3}, low4 = {-1, -1, -1, -1, 0, 0, 0, 0};
    const v8f pair0 = __builtin_convertvector(iota4, v8f) * KERNEL(splat)(g0a) +
                      (v8f){0, 0, 0, 0, 1, 1, 1, 1} * KERNEL(splat)(g0b);
    const v8f pair1 = __builtin_convertvector(iota4, v8f) * KERNEL(splat)(g1a) +
                      (v8f){0, 0, 0, 0, 1, 1, 1, 1} * KERNEL(splat)(g1b);
    for (ptrdiff_t chunk = from; chunk < to; chunk += 32) {
    /* First the mapped centres and bounding boxes of up to 32 pixels
     * (independent, so the CPU overlaps them), then the pixels. */
    const ptrdiff_t count = to - chunk < 32 ? to - chunk : 32;
    double centre_x[32], centre_y[32];
    ptrdiff_t box[32][4];
    int mapped[32];
    for (ptrdiff_t k = 0; k < count; k++) {
        const double ox = (double)(w->region_x + chunk + k) + 0.5;
        const double cx = w->a * ox + w->b * oy + w->c, cy = w->d * ox + w->e * oy + w->f;
        const int ok = cx > -far && cx < far && cy > -far && cy < far;
        const double sx = ok ? cx : 0.0, sy = ok ? cy : 0.0;
        centre_x[k] = cx;
        centre_y[k] = cy;
        mapped[k] = ok;
        /* The footprint's bounding box (|values| < 2e9: no overflow). */
        box[k][0] = cxr_floor(sx - w->ex - 0.5);
        box[k][1] = cxr_ceil(sx + w->ex - 0.5);
        box[k][2] = cxr_floor(sy - w->ey - 0.5);
        box[k][3] = cxr_ceil(sy + w->ey - 0.5);
    }
    for (ptrdiff_t x = chunk; x < chunk + count; x++) {
        const ptrdiff_t k = x - chunk;
        const double cx = centre_x[k], cy = centre_y[k];
        float *target = out + x * channels;
        if (!mapped[k]) {
            for (ptrdiff_t ch = 0; ch < channels; ch++) target[ch] = fill;
            continue;
        }
        const ptrdiff_t i0 = box[k][0], i1 = box[k][1], j0 = box[k][2], j1 = box[k][3];
        if (i1 < w->x0 || i0 >= w->x1 || j1 < w->y0 || j0 >= w->y1) {
            /* Every tap is the fill value. */
            for (ptrdiff_t ch = 0; ch < channels; ch++) target[ch] = fill;
            continue;
        }
        const ptrdiff_t span = i1 - i0; /* taps 0 ... span of each row */
        /* Every tap inside the crop: read straight from the source (no
         * fill); a chunk's lanes past i1 (weight 0) stay inside the row. */
        const int interior = i0 >= w->x0 && i1 < w->x1 && j0 >= w->y0 && j1 < w->y1 && i1 + 8 <= w->width;
        const double dx0 = (double)i0 + 0.5 - cx;
        const double base0 = w->g0a * dx0, base1 = w->g1a * dx0;
        v8f total = KERNEL(splat)(0.0f), s0 = total, s1 = total, s2 = total;
        v8i ties = {0};
        int done = 0;
        if (channels == 1 && interior && span < 4 && j1 + 1 < w->height) {
            /* Grey, at most 4 taps a row: rows j and j + 1 in one vector
             * (lanes 0-3, 4-7); a last odd row's partner (in the image)
             * gets weight 0. */
            const v8i columns = iota4 <= (v8i){0} + (int32_t)span;
            const uint8_t *row = w->source + j0 * stride + i0;
            const float dy0 = (float)((double)j0 + 0.5 - cy);
            v8f c0 = KERNEL(splat)((float)base0 + g0b * dy0) + pair0;
            v8f c1 = KERNEL(splat)((float)base1 + g1b * dy0) + pair1;
            const v8f d0 = KERNEL(splat)(2.0f * g0b), d1 = KERNEL(splat)(2.0f * g1b);
            for (ptrdiff_t j = j0; j <= j1; j += 2, row += 2 * stride) {
                const v8f wt = KERNEL(tap_weights)(c0, c1, j < j1 ? columns : columns & low4, bilinear, &ties);
                c0 = c0 + d0;
                c1 = c1 + d1;
                /* Both halves through a register (two 4-byte stores read
                 * back as 8 bytes would stall store forwarding). */
                uint32_t lo, hi;
                memcpy(&lo, row, 4);
                memcpy(&hi, row + stride, 4);
                const uint64_t both = (uint64_t)lo | (uint64_t)hi << 32;
                v8u8 bytes;
                memcpy(&bytes, &both, 8);
                total = total + wt;
                s0 = s0 + wt * __builtin_convertvector(bytes, v8f);
            }
            done = 1;
        } else if (interior && span < 8) {
            /* One chunk per row, read in place. */
            const v8i columns = iota_i <= (v8i){0} + (int32_t)span;
            const uint8_t *row = w->source + j0 * stride + i0 * channels;
            const float dy0 = (float)((double)j0 + 0.5 - cy);
            v8f c0 = KERNEL(splat)((float)base0 + g0b * dy0) + step0;
            v8f c1 = KERNEL(splat)((float)base1 + g1b * dy0) + step1;
            const v8f d0 = KERNEL(splat)(g0b), d1 = KERNEL(splat)(g1b);
            for (ptrdiff_t j = j0; j <= j1; j++, row += stride) {
                const v8f wt = KERNEL(tap_weights)(c0, c1, columns, bilinear, &ties);
                c0 = c0 + d0;
                c1 = c1 + d1;
                total = total + wt;
                if (channels == 1) {
                    s0 = s0 + wt * KERNEL(load_bytes)(row);
                } else {
                    v8f v0, v1, v2;
                    KERNEL(load_rgb)(row, &v0, &v1, &v2);
                    s0 = s0 + wt * v0;
                    s1 = s1 + wt * v1;
                    s2 = s2 + wt * v2;
                }
            }
            done = 1;
        }
        if (done && !bilinear && __builtin_reduce_or(ties) != 0) {
            /* A tap on the box's edge: decided in double below. */
            done = 0;
            total = s0 = s1 = s2 = KERNEL(splat)(0.0f);
        }
        if (!done) for (ptrdiff_t j = j0; j <= j1; j++) {
            const double dy = (double)j + 0.5 - cy;
            const double u0 = base0 + w->g0b * dy, u1 = base1 + w->g1b * dy;
            ptrdiff_t t0 = 0, t1 = span;
            if (span >= 8) {
                /* The columns where both coordinates lie in the support,
                 * widened by one (the weights decide). */
                double first = 0.0, last = (double)span;
                if (inv0 != 0.0) {
                    const double a = (-support - u0) * inv0, b = (support - u0) * inv0;
                    first = first > (a < b ? a : b) ? first : (a < b ? a : b);
                    last = last < (a < b ? b : a) ? last : (a < b ? b : a);
                }
                if (inv1 != 0.0) {
                    const double a = (-support - u1) * inv1, b = (support - u1) * inv1;
                    first = first > (a < b ? a : b) ? first : (a < b ? a : b);
                    last = last < (a < b ? b : a) ? last : (a < b ? b : a);
                }
                if (!(first <= last + 2.0)) continue; /* also NaN */
                first = first < (double)span ? first : (double)span;
                last = last > 0.0 ? last : 0.0;
                t0 = (ptrdiff_t)first - 1; /* first, last in 0 ... span */
                t1 = (ptrdiff_t)last + 2;
                t0 = t0 < 0 ? 0 : t0;
                t1 = t1 > span ? span : t1;
            }
            const int row_inside = j >= w->y0 && j < w->y1;
            const uint8_t *row = w->source + (row_inside ? j : 0) * stride;
            const float u0f = (float)u0, u1f = (float)u1;
            for (ptrdiff_t t = t0; t <= t1; t += 8) {
                v8f wt;
                if (bilinear) {
                    const v8f ft = KERNEL(splat)((float)t);
                    const v8f c0 = KERNEL(splat)(u0f) + ft * KERNEL(splat)(g0a) + step0;
                    const v8f c1 = KERNEL(splat)(u1f) + ft * KERNEL(splat)(g1a) + step1;
                    wt = KERNEL(triangle)(c0, c1);
                } else {
                    wt = KERNEL(box_weights)(w, u0, u1, t);
                }
                const v8i lanes = iota_i <= (v8i){0} + (int32_t)(t1 - t < 8 ? t1 - t : 8);
                wt = KERNEL(and_mask)(wt, lanes);
                const ptrdiff_t col = i0 + t;
                v8f v0, v1 = KERNEL(splat)(0.0f), v2 = v1;
                if (interior) {
                    if (channels == 1) {
                        v0 = KERNEL(load_bytes)(row + col);
                    } else {
                        KERNEL(load_rgb)(row + col * 3, &v0, &v1, &v2);
                    }
                } else {
                    float p[3][8];
                    for (ptrdiff_t k = 0; k < 8; k++) {
                        const ptrdiff_t i = col + k;
                        const int inside = row_inside && i >= w->x0 && i < w->x1;
                        for (ptrdiff_t ch = 0; ch < channels; ch++) p[ch][k] = inside ? (float)row[i * channels + ch] : fill;
                    }
                    v0 = KERNEL(load)(p[0]);
                    if (channels == 3) {
                        v1 = KERNEL(load)(p[1]);
                        v2 = KERNEL(load)(p[2]);
                    }
                }
                total = total + wt;
                s0 = s0 + wt * v0;
                if (channels == 3) {
                    s1 = s1 + wt * v1;
                    s2 = s2 + wt * v2;
                }
            }
        }
        const float sum = KERNEL(hsum)(total);
        if (sum > 0.0f) {
            target[0] = KERNEL(hsum)(s0) / sum;
            if (channels == 3) {
                target[1] = KERNEL(hsum)(s1) / sum;
                target[2] = KERNEL(hsum)(s2) / sum;
            }
        } else {
            /* No tap under the kernel (a degenerate footprint): the nearest source pixel. */
            const ptrdiff_t i = cxr_floor(cx), j = cxr_floor(cy);
            const int inside = i >= w->x0 && i < w->x1 && j >= w->y0 && j < w->y1;
            for (ptrdiff_t ch = 0; ch < channels; ch++) {
                target[ch] = inside ? (float)w->source[j * stride + i * channels + ch] : fill;
            }
        }
    }
    }
}

/* Output pixels from ..< to of row y, one at a time. */
static void KERNEL(pixels)(const cxr_warp *w, ptrdiff_t y, float *out, ptrdiff_t from,
                                                     ptrdiff_t to) {
    if (w->bilinear) {
        if (w->channels == 1) KERNEL(warp_pixels)(w, y, out, 1, 1, from, to);
        else KERNEL(warp_pixels)(w, y, out, 1, 3, from, to);
    } else {
        if (w->channels == 1) KERNEL(warp_pixels)(w, y, out, 0, 1, from, to);
        else KERNEL(warp_pixels)(w, y, out, 0, 3, from, to);
    }
}

static void KERNEL(warp_row)(const cxr_warp *w, ptrdiff_t y, float *out) {
    KERNEL(pixels)(w, y, out, 0, w->region_width);
}
