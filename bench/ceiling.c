/*
 * bench/ceiling.c: the C ceiling of the benchmark, the machine's limit for each job. A plain loop over TurboJPEG
 * on the same files as every other contender, with no library around it:
 *
 *   resize mode (output A): read the file (warm page cache, read() each time into a reused per-thread buffer),
 *       tjDecompress2(TJPF_GRAY, TJFLAG_FASTDCT), then a separable antialiased resample with COVER geometry
 *       (scale to cover, centred crop window) and Pillow's coefficients (Resample.c precompute_coeffs), BOX
 *       (--filter area) or BILINEAR (--filter bilinear), then ImageNet normalisation into 3 replicated channels,
 *       float32 NCHW (--layout nhwc: NHWC), into slot (i % 64) of a 64-image batch buffer. The resample is
 *       --resample fast (default): float32 coefficients and sums in 8-float vectors (-O3 -march=native, FMA
 *       allowed), 8 output rows at a time: the vertical pass first, over the source columns they need, kept
 *       transposed (a vector = one column of the 8 rows), then the horizontal pass 8 output columns at a time
 *       with no gathers, transposed back and normalised straight into the output (resize_cover_fast: the fastest
 *       way found; a gather-based horizontal pass and a row-at-a-time one measured 2-3x slower here); or --resample exact: a C transcription of Pillow's ImagingResampleHorizontal/Vertical on
 *       mode "F" (coefficients and accumulation in double, the intermediate rows stored as float), what
 *       libchexpert's CHEXPERT_RESAMPLE_EXACT computes;
 *   grey mode (diagnostic): read + tjDecompress2(TJPF_GRAY, TJFLAG_FASTDCT) only, the decode share of resize mode;
 *   decode mode (output B, the raw TFDS image): read the file, tjDecompress2(TJPF_RGB, TJFLAG_FASTDCT) into
 *       slot (i % 64) of a 64-image batch buffer (uint8 H x W x 3, full size).
 *
 * Threads (pthreads) take the next file from a shared atomic counter; each owns its TurboJPEG handle and scratch
 * buffers, reused for all its files (no allocation per image once the buffers have grown).
 *
 * Usage: ceiling --list FILE [--mode resize|grey|decode] [--threads T] [--size 224] [--filter area|bilinear]
 *                [--resample fast|exact] [--layout nchw|nhwc] [--count N] [--warmup N]
 * FILE holds one JPEG path per line; the first --count paths (default all) are timed after a warm-up pass over
 * the first --warmup paths (default 256). Prints one JSON line: images, seconds, images_per_second, maxrss_kb.
 * Exit 0 ok, 1 a decode or I/O failure (message on stderr), 2 bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <turbojpeg.h>
#include <unistd.h>
#ifdef __AVX2__
#include <immintrin.h>
#endif

#include "bench_common.h"

enum { BATCH = 64 };

typedef struct {
    double (*fn)(double);
    double support;
} filter_t;

static double box_filter(double x) {
    if (x > -0.5 && x <= 0.5) return 1.0;
    return 0.0;
}

static double bilinear_filter(double x) {
    if (x < 0.0) x = -x;
    if (x < 1.0) return 1.0 - x;
    return 0.0;
}

static const filter_t BOX = {box_filter, 0.5};
static const filter_t BILINEAR = {bilinear_filter, 1.0};

/* Pillow's precompute_coeffs, transcribed: in0/in1 are float like Pillow's box. Returns ksize; bounds/kk are
 * grown as needed (caller-owned, reused). */
static int precompute_coeffs(int in_size, float in0, float in1, int out_size, const filter_t *f,
                             int **bounds_p, size_t *bounds_cap, double **kk_p, size_t *kk_cap) {
    double scale = (double)(in1 - in0) / out_size;
    double filterscale = scale < 1.0 ? 1.0 : scale;
    double support = f->support * filterscale;
    int ksize = (int)ceil(support) * 2 + 1;
    size_t need_k = (size_t)out_size * (size_t)ksize, need_b = (size_t)out_size * 2;
    if (*kk_cap < need_k) {
        free(*kk_p);
        *kk_p = malloc(need_k * sizeof(double));
        *kk_cap = need_k;
    }
    if (*bounds_cap < need_b) {
        free(*bounds_p);
        *bounds_p = malloc(need_b * sizeof(int));
        *bounds_cap = need_b;
    }
    if (*kk_p == NULL || *bounds_p == NULL) return -1;
    double *kk = *kk_p;
    int *bounds = *bounds_p;
    for (int xx = 0; xx < out_size; xx++) {
        double center = in0 + (xx + 0.5) * scale;
        double ww = 0.0, ss = 1.0 / filterscale;
        int xmin = (int)(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        int xmax = (int)(center + support + 0.5);
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        double *k = &kk[(size_t)xx * ksize];
        int x;
        for (x = 0; x < xmax; x++) {
            double w = f->fn((x + xmin - center + 0.5) * ss);
            k[x] = w;
            ww += w;
        }
        for (x = 0; x < xmax; x++) {
            if (ww != 0.0) k[x] /= ww;
        }
        for (; x < ksize; x++) k[x] = 0;
        bounds[xx * 2 + 0] = xmin;
        bounds[xx * 2 + 1] = xmax;
    }
    return ksize;
}

typedef struct {
    tjhandle tj;
    unsigned char *file;
    size_t file_cap;
    unsigned char *pixels;
    size_t pixels_cap;
    float *tmp;
    size_t tmp_cap;
    double *acc;
    double *rowd;
    size_t rowd_cap;
    int *bh, *bv;
    size_t bh_cap, bv_cap;
    double *kh, *kv;
    size_t kh_cap, kv_cap;
    float *khf, *vrow; /* --resample fast: float coefficients (both axes), transposed columns */
    size_t khf_cap, vrow_cap;
} worker_t;

typedef struct {
    char **paths;
    size_t count;
    int mode_decode;
    int fast;  /* --resample fast */
    int nchw;  /* --layout nchw */
    int size;
    const filter_t *filter;
    void *out;          /* BATCH slots */
    size_t slot_bytes;  /* bytes of one slot */
    atomic_size_t next;
    atomic_int failed;
} job_t;

static int grow(void **buf, size_t *cap, size_t need) {
    if (*cap >= need) return 0;
    size_t n = need + need / 4;
    void *p = realloc(*buf, n);
    if (p == NULL) return -1;
    *buf = p;
    *cap = n;
    return 0;
}

static int read_file(worker_t *w, const char *path, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || grow((void **)&w->file, &w->file_cap, (size_t)st.st_size + 1) != 0) {
        close(fd);
        return -1;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, w->file + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    *len = got;
    return got == (size_t)st.st_size ? 0 : -1;
}

static const float MEAN[3] = {0.485f, 0.456f, 0.406f};
static const float STD[3] = {0.229f, 0.224f, 0.225f};

/* Writes output value v of (row yy, column xx) into the 3 replicated channels, ImageNet-normalised. */
static inline void put3(float *out, int size, int nchw, int yy, int xx, float v, const float a[3], const float b[3]) {
    if (nchw) {
        size_t plane = (size_t)size * size, at = (size_t)yy * size + xx;
        out[at] = v * a[0] + b[0];
        out[plane + at] = v * a[1] + b[1];
        out[2 * plane + at] = v * a[2] + b[2];
    } else {
        float *px = out + ((size_t)yy * size + xx) * 3;
        px[0] = v * a[0] + b[0];
        px[1] = v * a[1] + b[1];
        px[2] = v * a[2] + b[2];
    }
}

static void imagenet(float a[3], float b[3]) {
    for (int c = 0; c < 3; c++) {
        a[c] = 1.0f / (255.0f * STD[c]);
        b[c] = -MEAN[c] / STD[c];
    }
}

/* COVER geometry (scale to cover, centred crop window) of an h x wd source and Pillow's coefficients of both
 * axes into w (bh/kh horizontal, bv/kv vertical); their kernel sizes in *ksh, *ksv. */
static int cover_coeffs(worker_t *w, int h, int wd, int size, const filter_t *f, int *ksh, int *ksv) {
    double s = fmax((double)size / h, (double)size / wd);
    double bw = size / s, bh = size / s;
    float x0 = (float)((wd - bw) / 2), y0 = (float)((h - bh) / 2);
    float x1 = (float)(x0 + bw), y1 = (float)(y0 + bh);
    *ksh = precompute_coeffs(wd, x0, x1, size, f, &w->bh, &w->bh_cap, &w->kh, &w->kh_cap);
    *ksv = precompute_coeffs(h, y0, y1, size, f, &w->bv, &w->bv_cap, &w->kv, &w->kv_cap);
    return *ksh < 0 || *ksv < 0 ? -1 : 0;
}

/* --resample fast. 8 floats in a vector (GCC/clang vector extensions: AVX2 or AVX-512 code at -march=native,
 * FMA contracted). */
#pragma GCC diagnostic ignored "-Wpsabi" /* 8-float vectors only pass between static inline functions */
typedef float v8f __attribute__((vector_size(32)));
typedef float v8f_u __attribute__((vector_size(32), aligned(4)));
typedef unsigned char v8u8 __attribute__((vector_size(8)));
typedef int v8i __attribute__((vector_size(32)));

static inline v8f splat(float x) { return (v8f){x, x, x, x, x, x, x, x}; }

/* 8 bytes -> 8 floats (GCC 12 scalarises __builtin_convertvector from bytes: AVX2 intrinsics where there are) */
static inline v8f load8(const unsigned char *p) {
#ifdef __AVX2__
    return (v8f)_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p)));
#else
    v8u8 px;
    memcpy(&px, p, 8);
    return __builtin_convertvector(__builtin_convertvector(px, v8i), v8f);
#endif
}

static inline void transpose8(v8f m[8]) {
    v8f t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = __builtin_shufflevector(m[i], m[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[i + 1] = __builtin_shufflevector(m[i], m[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = __builtin_shufflevector(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        u[i + 1] = __builtin_shufflevector(t[i], t[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        u[i + 2] = __builtin_shufflevector(t[i + 1], t[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        u[i + 3] = __builtin_shufflevector(t[i + 1], t[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
    for (int i = 0; i < 4; i++) {
        m[i] = __builtin_shufflevector(u[i], u[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        m[i + 4] = __builtin_shufflevector(u[i], u[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
}

/* --resample fast: COVER resample of a grey plane (h x w) to size x size in float32, then ImageNet normalisation
 * into 3 channels. 8 output rows at a time: the vertical pass over the source columns they need, 8 columns x
 * 8 rows per step, transposed so that a vector holds one column of the 8 rows; then the horizontal pass, 8 output
 * columns at a time (each vector: one output column of the 8 rows), transposed back to 8 row vectors and
 * normalised straight into the output. */
static int resize_cover_fast(worker_t *w, const unsigned char *src, int h, int wd, int size, const filter_t *f,
                             int nchw, float *out) {
    int ksh, ksv;
    if (cover_coeffs(w, h, wd, size, f, &ksh, &ksv) != 0) return -1;
    size_t nh = (size_t)size * ksh, nv = (size_t)size * ksv;
    if (grow((void **)&w->khf, &w->khf_cap, (nh + nv) * sizeof(float)) != 0) return -1;
    float *restrict khf = w->khf, *restrict kvf = w->khf + nh;
    for (size_t i = 0; i < nh; i++) khf[i] = (float)w->kh[i];
    for (size_t i = 0; i < nv; i++) kvf[i] = (float)w->kv[i];
    int c0 = w->bh[0], c1 = w->bh[2 * size - 2] + w->bh[2 * size - 1];
    int n = c1 - c0, n8 = n / 8 * 8;
    /* transposed columns: (n + ksh) x 8 floats, zeros past n (read with zero weights) */
    if (grow((void **)&w->vrow, &w->vrow_cap, (size_t)(n + ksh) * 8 * sizeof(float)) != 0) return -1;
    float *restrict col = w->vrow;
    for (size_t i = (size_t)n * 8; i < (size_t)(n + ksh) * 8; i++) col[i] = 0.0f;
    float a[3], b[3];
    imagenet(a, b);
    const size_t plane = (size_t)size * size;
    for (int y = 0; y < size; y += 8) {
        int rows = size - y < 8 ? size - y : 8;
        for (int j = 0; j < n8; j += 8) {
            v8f m[8];
            for (int r = 0; r < 8; r++) {
                v8f sum = splat(0.0f);
                if (r < rows) {
                    int yy = y + r, taps = w->bv[2 * yy + 1];
                    const unsigned char *in = src + (size_t)w->bv[2 * yy] * wd + c0 + j;
                    const float *k = kvf + (size_t)yy * ksv;
                    for (int t = 0; t < taps; t++) {
                        sum += load8(in + (size_t)t * wd) * splat(k[t]);
                    }
                }
                m[r] = sum;
            }
            transpose8(m);
            for (int i = 0; i < 8; i++) *(v8f_u *)(col + (size_t)(j + i) * 8) = m[i];
        }
        for (int j = n8; j < n; j++)
            for (int r = 0; r < 8; r++) {
                float sum = 0.0f;
                if (r < rows) {
                    int yy = y + r, taps = w->bv[2 * yy + 1];
                    const unsigned char *in = src + (size_t)w->bv[2 * yy] * wd + c0 + j;
                    for (int t = 0; t < taps; t++) sum += in[(size_t)t * wd] * kvf[(size_t)yy * ksv + t];
                }
                col[(size_t)j * 8 + r] = sum;
            }
        for (int x = 0; x < size; x += 8) {
            v8f m[8];
            int cols = size - x < 8 ? size - x : 8;
            const float *in[8], *k[8];
            int most = 0; /* the most taps of the 8 columns (weights past a column's own count are 0) */
            for (int i = 0; i < 8; i++) {
                int xi = x + i < size ? x + i : size - 1;
                in[i] = col + (size_t)(w->bh[2 * xi] - c0) * 8;
                k[i] = khf + (size_t)xi * ksh;
                most = w->bh[2 * xi + 1] > most ? w->bh[2 * xi + 1] : most;
                m[i] = splat(0.0f);
            }
            for (int t = 0; t < most; t++)
                for (int i = 0; i < 8; i++) m[i] += *(const v8f_u *)(in[i] + t * 8) * splat(k[i][t]);
            transpose8(m); /* m[r]: output columns x .. x+7 of row y + r */
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < 3; c++) {
                    v8f v = m[r] * splat(a[c]) + splat(b[c]);
                    if (nchw && cols == 8) {
                        *(v8f_u *)(out + c * plane + (size_t)(y + r) * size + x) = v;
                    } else {
                        for (int i = 0; i < cols; i++) {
                            if (nchw) out[c * plane + (size_t)(y + r) * size + x + i] = v[i];
                            else out[((size_t)(y + r) * size + x + i) * 3 + c] = v[i];
                        }
                    }
                }
        }
    }
    return 0;
}

/* --resample exact: COVER resample of a grey plane (h x w) to size x size as Pillow computes it, then ImageNet
 * normalisation into 3 channels. */
static int resize_cover(worker_t *w, const unsigned char *src, int h, int wd, int size, const filter_t *f,
                        int nchw, float *out) {
    int ksh, ksv;
    if (cover_coeffs(w, h, wd, size, f, &ksh, &ksv) != 0) return -1;
    int yfirst = w->bv[0];
    int ylast = w->bv[size * 2 - 2] + w->bv[size * 2 - 1];
    int rows = ylast - yfirst;
    if (grow((void **)&w->tmp, &w->tmp_cap, (size_t)rows * size * sizeof(float)) != 0) return -1;
    /* horizontal pass over the rows the vertical pass uses */
    /* The taps are summed in Pillow's order (x = 0 .. xmax-1, then zero coefficients up to ksize), one
     * accumulator per output pixel: the same values as Pillow's loop, without its serial dependency chain. */
    if (grow((void **)&w->rowd, &w->rowd_cap, (size_t)(wd + ksh) * sizeof(double)) != 0) return -1;
    double *restrict rowd = w->rowd;
    for (int x = wd; x < wd + ksh; x++) rowd[x] = 0.0;
    double *restrict hacc = w->acc;
    const int *restrict bounds = w->bh;
    const double *restrict kh = w->kh;
    for (int y = 0; y < rows; y++) {
        const unsigned char *restrict row = src + (size_t)(y + yfirst) * wd;
        float *restrict trow = w->tmp + (size_t)y * size;
        for (int x = 0; x < wd; x++) rowd[x] = row[x]; /* each source pixel converted once */
        for (int xx = 0; xx < size; xx++) {
            const double *restrict in = rowd + bounds[xx * 2];
            const double *restrict k = kh + (size_t)xx * ksh;
            double ss = 0.0;
            for (int t = 0; t < ksh; t++) ss += in[t] * k[t];
            hacc[xx] = ss;
        }
        for (int xx = 0; xx < size; xx++) trow[xx] = (float)hacc[xx];
    }
    /* vertical pass, then normalise and replicate */
    float a[3], b[3];
    imagenet(a, b);
    double *acc = w->acc;
    for (int yy = 0; yy < size; yy++) {
        int ymin = w->bv[yy * 2] - yfirst, ymax = w->bv[yy * 2 + 1];
        const double *k = &w->kv[(size_t)yy * ksv];
        for (int xx = 0; xx < size; xx++) acc[xx] = 0.0;
        for (int y = 0; y < ymax; y++) {
            const float *trow = w->tmp + (size_t)(y + ymin) * size;
            double ky = k[y];
            for (int xx = 0; xx < size; xx++) acc[xx] += trow[xx] * ky;
        }
        for (int xx = 0; xx < size; xx++) put3(out, size, nchw, yy, xx, (float)acc[xx], a, b);
    }
    return 0;
}

static int process(job_t *job, worker_t *w, size_t i) {
    const char *path = job->paths[i];
    size_t len;
    if (read_file(w, path, &len) != 0) {
        fprintf(stderr, "ceiling: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    int width, height, subsamp, colorspace;
    if (tjDecompressHeader3(w->tj, w->file, (unsigned long)len, &width, &height, &subsamp, &colorspace) != 0) {
        fprintf(stderr, "ceiling: %s: %s\n", path, tjGetErrorStr2(w->tj));
        return -1;
    }
    unsigned char *slot = (unsigned char *)job->out + (i % BATCH) * job->slot_bytes;
    if (job->mode_decode == 1) {
        if ((size_t)width * height * 3 > job->slot_bytes) {
            fprintf(stderr, "ceiling: %s: %dx%d is larger than the slot\n", path, width, height);
            return -1;
        }
        if (tjDecompress2(w->tj, w->file, (unsigned long)len, slot, width, 0, height, TJPF_RGB,
                          TJFLAG_FASTDCT) != 0) {
            fprintf(stderr, "ceiling: %s: %s\n", path, tjGetErrorStr2(w->tj));
            return -1;
        }
        return 0;
    }
    if (grow((void **)&w->pixels, &w->pixels_cap, (size_t)width * height) != 0) return -1;
    if (tjDecompress2(w->tj, w->file, (unsigned long)len, w->pixels, width, 0, height, TJPF_GRAY,
                      TJFLAG_FASTDCT) != 0) {
        fprintf(stderr, "ceiling: %s: %s\n", path, tjGetErrorStr2(w->tj));
        return -1;
    }
    if (job->mode_decode == 2) return 0; /* grey: decode only (diagnostic) */
    if (job->fast) return resize_cover_fast(w, w->pixels, height, width, job->size, job->filter, job->nchw, (float *)slot);
    return resize_cover(w, w->pixels, height, width, job->size, job->filter, job->nchw, (float *)slot);
}

static void *run_worker(void *arg) {
    job_t *job = arg;
    worker_t w;
    memset(&w, 0, sizeof w);
    w.tj = tjInitDecompress();
    w.acc = malloc((size_t)job->size * sizeof(double));
    if (w.tj == NULL || w.acc == NULL) {
        atomic_store(&job->failed, 1);
        return NULL;
    }
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->count || atomic_load(&job->failed)) break;
        if (process(job, &w, i) != 0) {
            atomic_store(&job->failed, 1);
            break;
        }
    }
    tjDestroy(w.tj);
    free(w.file);
    free(w.pixels);
    free(w.tmp);
    free(w.acc);
    free(w.rowd);
    free(w.bh);
    free(w.bv);
    free(w.kh);
    free(w.kv);
    free(w.khf);
    free(w.vrow);
    return NULL;
}

static int run(job_t *job, int threads) {
    atomic_store(&job->next, 0);
    pthread_t tids[64];
    int started = 0;
    for (int t = 0; t < threads; t++) {
        if (pthread_create(&tids[t], NULL, run_worker, job) != 0) break;
        started++;
    }
    for (int t = 0; t < started; t++) pthread_join(tids[t], NULL);
    return (started == threads && !atomic_load(&job->failed)) ? 0 : -1;
}

static const char USAGE[] = "usage: ceiling --list FILE [--mode resize|grey|decode] [--threads T] [--size N] "
                            "[--filter area|bilinear] [--resample fast|exact] [--layout nchw|nhwc] [--count N] "
                            "[--warmup N]\n";

int main(int argc, char **argv) {
    bench_options o;
    if (bench_parse(argc, argv, USAGE, &o) != 0) return 2;
    int decode = !strcmp(o.mode, "decode") ? 1 : !strcmp(o.mode, "grey") ? 2 : 0;
    if (o.list == NULL || (!decode && strcmp(o.mode, "resize")) || o.threads < 1 || o.threads > 64 ||
        o.size < 1 || (strcmp(o.filter, "area") && strcmp(o.filter, "bilinear")) ||
        (strcmp(o.resample, "fast") && strcmp(o.resample, "exact")) || (strcmp(o.layout, "nchw") && strcmp(o.layout, "nhwc"))) {
        fprintf(stderr, "%s", USAGE);
        return 2;
    }
    size_t n;
    char **paths = bench_read_lines(o.list, &n);
    if (paths == NULL) return 1;
    long count = o.count, warmup = o.warmup;
    int size = o.size, threads = o.threads;
    if (count < 0 || (size_t)count > n) count = (long)n;
    if (warmup > count) warmup = count;

    /* slot size: the largest image (decode) or one size x size x 3 float image (resize) */
    size_t slot = (size_t)size * size * 3 * sizeof(float);
    if (decode == 1) {
        tjhandle tj = tjInitDecompress();
        slot = 0;
        worker_t w;
        memset(&w, 0, sizeof w);
        for (long i = 0; i < count; i++) {
            size_t len;
            int wd, h, ss, cs;
            if (read_file(&w, paths[i], &len) != 0 ||
                tjDecompressHeader3(tj, w.file, (unsigned long)len, &wd, &h, &ss, &cs) != 0) {
                fprintf(stderr, "ceiling: cannot read the header of %s\n", paths[i]);
                return 1;
            }
            if ((size_t)wd * h * 3 > slot) slot = (size_t)wd * h * 3;
        }
        free(w.file);
        tjDestroy(tj);
    }
    void *out = aligned_alloc(64, ((BATCH * slot) + 63) / 64 * 64);
    memset(out, 0, BATCH * slot);
    job_t job = {.paths = paths, .count = (size_t)warmup, .mode_decode = decode, .size = size,
                 .fast = !strcmp(o.resample, "fast"), .nchw = !strcmp(o.layout, "nchw"),
                 .filter = strcmp(o.filter, "area") ? &BILINEAR : &BOX, .out = out, .slot_bytes = slot};
    atomic_init(&job.failed, 0);
    if (run(&job, threads) != 0) return 1;
    job.count = (size_t)count;
    double t0 = bench_now();
    if (run(&job, threads) != 0) return 1;
    double dt = bench_now() - t0;
    double check = decode == 2 ? 0 : decode ? ((unsigned char *)out)[slot / 2] : ((float *)out)[size * size * 3 / 2];
    bench_print(count, dt, check);
    return 0;
}
