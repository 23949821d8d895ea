/* The body of the float32 resampling kernel, included by resample.c once per
 * instruction set with KERNEL(name) giving each copy its own names. Types
 * v8f, v8f_u and v8u8 come from resample.c. */

/* 8 bytes -> 8 floats (exact). */
static inline __attribute__((always_inline)) v8f KERNEL(load_bytes)(const uint8_t *p) {
    v8u8 bytes;
    memcpy(&bytes, p, sizeof bytes);
    return __builtin_convertvector(bytes, v8f);
}

static inline __attribute__((always_inline)) v8f KERNEL(load)(const float *p) { return *(const v8f_u *)p; }
static inline __attribute__((always_inline)) void KERNEL(store)(float *p, v8f v) { *(v8f_u *)p = v; }
static inline __attribute__((always_inline)) v8f KERNEL(splat)(float x) { return (v8f){x, x, x, x, x, x, x, x}; }

/* Transposes the 8 x 8 matrix r (rows) into c (columns). */
static inline __attribute__((always_inline)) void KERNEL(transpose)(const v8f r[8], v8f c[8]) {
    v8f t0 = __builtin_shufflevector(r[0], r[1], 0, 8, 1, 9, 4, 12, 5, 13);
    v8f t1 = __builtin_shufflevector(r[0], r[1], 2, 10, 3, 11, 6, 14, 7, 15);
    v8f t2 = __builtin_shufflevector(r[2], r[3], 0, 8, 1, 9, 4, 12, 5, 13);
    v8f t3 = __builtin_shufflevector(r[2], r[3], 2, 10, 3, 11, 6, 14, 7, 15);
    v8f t4 = __builtin_shufflevector(r[4], r[5], 0, 8, 1, 9, 4, 12, 5, 13);
    v8f t5 = __builtin_shufflevector(r[4], r[5], 2, 10, 3, 11, 6, 14, 7, 15);
    v8f t6 = __builtin_shufflevector(r[6], r[7], 0, 8, 1, 9, 4, 12, 5, 13);
    v8f t7 = __builtin_shufflevector(r[6], r[7], 2, 10, 3, 11, 6, 14, 7, 15);
    v8f u0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
    v8f u1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    v8f u2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
    v8f u3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
    v8f u4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
    v8f u5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
    v8f u6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
    v8f u7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
    c[0] = __builtin_shufflevector(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11);
    c[1] = __builtin_shufflevector(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11);
    c[2] = __builtin_shufflevector(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11);
    c[3] = __builtin_shufflevector(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11);
    c[4] = __builtin_shufflevector(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
    c[5] = __builtin_shufflevector(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
    c[6] = __builtin_shufflevector(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
    c[7] = __builtin_shufflevector(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);
}

/* Vertical pass: the span's n = cols * channels values of output rows
 * y0 ..< y0 + rows, written transposed: column[j * 8 + r] is value j of row r
 * (rows past `rows` are 0), then horizontal.ksize pixels of zeros. */
static void KERNEL(vertical)(const cxr_plan *p, ptrdiff_t y0, ptrdiff_t rows, float *column) {
    const ptrdiff_t n = p->cols * p->channels;
    const uint8_t *base = p->source + p->col0 * p->channels;
    const cxr_axis *v = &p->vertical;
    ptrdiff_t j = 0;
    for (; j + 8 <= n; j += 8) {
        v8f acc[8], col[8];
        for (ptrdiff_t r = 0; r < 8; r++) {
            v8f sum = KERNEL(splat)(0.0f);
            if (r < rows) {
                const ptrdiff_t y = y0 + r, taps = v->count[y];
                const float *w = v->weights + y * v->ksize;
                const uint8_t *in = base + v->first[y] * p->source_stride + j;
                for (ptrdiff_t t = 0; t < taps; t++) {
                    sum = sum + KERNEL(load_bytes)(in + t * p->source_stride) * KERNEL(splat)(w[t]);
                }
            }
            acc[r] = sum;
        }
        KERNEL(transpose)(acc, col);
        for (ptrdiff_t i = 0; i < 8; i++) KERNEL(store)(column + (j + i) * 8, col[i]);
    }
    for (; j < n; j++) {
        for (ptrdiff_t r = 0; r < 8; r++) {
            float sum = 0.0f;
            if (r < rows) {
                const ptrdiff_t y = y0 + r, taps = v->count[y];
                const float *w = v->weights + y * v->ksize;
                const uint8_t *in = base + v->first[y] * p->source_stride + j;
                for (ptrdiff_t t = 0; t < taps; t++) sum = sum + (float)in[t * p->source_stride] * w[t];
            }
            column[j * 8 + r] = sum;
        }
    }
    for (j = n; j < n + p->horizontal.ksize * p->channels; j++) {
        for (ptrdiff_t r = 0; r < 8; r++) column[j * 8 + r] = 0.0f;
    }
}

/* Horizontal pass over the transposed columns: output value m = x * channels
 * + c of each row r at out[r * m_count + m]. One channel: 8 output pixels at
 * a time, each summing its first `most` taps (the most any of the 8 has; the
 * weights past a pixel's count are 0 and the columns are padded with zeros,
 * so the extra terms add +0 and leave the sums as they are). */
static void KERNEL(horizontal)(const cxr_plan *p, ptrdiff_t rows, const float *column, float *out) {
    const cxr_axis *h = &p->horizontal;
    const ptrdiff_t channels = p->channels, m_count = h->size * channels;
    v8f acc[8], row[8];
    ptrdiff_t k = 0, m0 = 0, x = 0;
    if (channels == 1) {
        for (; x + 8 <= h->size; x += 8) {
            ptrdiff_t most = 0;
            const float *in[8];
            for (ptrdiff_t i = 0; i < 8; i++) {
                most = h->count[x + i] > most ? h->count[x + i] : most;
                in[i] = column + (h->first[x + i] - p->col0) * 8;
                acc[i] = KERNEL(splat)(0.0f);
            }
            const float *w = h->weights + x * h->ksize;
            for (ptrdiff_t t = 0; t < most; t++) {
                for (ptrdiff_t i = 0; i < 8; i++) {
                    acc[i] = acc[i] + KERNEL(load)(in[i] + t * 8) * KERNEL(splat)(w[i * h->ksize + t]);
                }
            }
            KERNEL(transpose)(acc, row);
            for (ptrdiff_t r = 0; r < rows; r++) KERNEL(store)(out + r * m_count + x, row[r]);
        }
        m0 = x;
    }
    for (; x < h->size; x++) {
        const ptrdiff_t taps = h->count[x];
        const float *w = h->weights + x * h->ksize;
        const float *in = column + (h->first[x] - p->col0) * channels * 8;
        for (ptrdiff_t c = 0; c < channels; c++) {
            v8f sum = KERNEL(splat)(0.0f);
            for (ptrdiff_t t = 0; t < taps; t++) {
                sum = sum + KERNEL(load)(in + (t * channels + c) * 8) * KERNEL(splat)(w[t]);
            }
            acc[k++] = sum;
            if (k == 8) {
                KERNEL(transpose)(acc, row);
                for (ptrdiff_t r = 0; r < rows; r++) KERNEL(store)(out + r * m_count + m0, row[r]);
                m0 += 8;
                k = 0;
            }
        }
    }
    for (ptrdiff_t i = 0; i < k; i++) {
        for (ptrdiff_t r = 0; r < rows; r++) out[r * m_count + m0 + i] = acc[i][r];
    }
}

static void KERNEL(block)(const cxr_plan *p, ptrdiff_t y0, ptrdiff_t rows, float *scratch, float *out) {
    KERNEL(vertical)(p, y0, rows, scratch);
    KERNEL(horizontal)(p, rows, scratch, out);
}
