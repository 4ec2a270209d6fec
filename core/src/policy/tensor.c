/* tensor.c: the kernels of the policy network (see gensim/tensor.h). */
#include "policy/tensor.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* Floats of im2col a chunk of an inference convolution fills: with the packed
 * copy GEMM makes of it, about half of a 1 MB L2 cache. */
#define CHUNK_FLOATS ((size_t)64 * 1024)

gsn_tensor gsn_tensor_make(float *data, int c, int n, int h, int w) {
    gsn_tensor t = {data, c, n, h, w};
    return t;
}

size_t gsn_tensor_count(const gsn_tensor *t) {
    return (size_t)t->c * (size_t)t->n * (size_t)t->h * (size_t)t->w;
}

int gsn_conv_out(int n, int k, int s, int p) {
    return (n + 2 * p - k) / s + 1;
}

/* A 1x1 stride-1 unpadded convolution reads x itself as the im2col matrix. */
static int conv_is_pointwise(int k, int s, int p) {
    return k == 1 && s == 1 && p == 0;
}

size_t gsn_conv_scratch(const gsn_tensor *x, int k, int s, int p) {
    if (conv_is_pointwise(k, s, p)) return 0;
    size_t ho = (size_t)gsn_conv_out(x->h, k, s, p), wo = (size_t)gsn_conv_out(x->w, k, s, p);
    return (size_t)x->c * (size_t)k * (size_t)k * (size_t)x->n * ho * wo;
}

static gs_status conv_shapes(const gsn_tensor *x, int k, int s, int p, const gsn_tensor *y) {
    if (k < 1 || s < 1 || p < 0 || x->n != y->n) return GS_ERR_USAGE;
    if (y->h != gsn_conv_out(x->h, k, s, p) || y->w != gsn_conv_out(x->w, k, s, p))
        return GS_ERR_USAGE;
    return y->h >= 1 && y->w >= 1 ? GS_OK : GS_ERR_USAGE;
}

/* The outputs ox in [lo, hi) whose tap kw reads inside a row of w pixels. */
static void valid_range(int w, int wo, int s, int p, int kw, int *lo, int *hi) {
    int first = p - kw > 0 ? (p - kw + s - 1) / s : 0;
    int last = w - 1 + p - kw; /* the largest ox * s allowed */
    *lo = first < wo ? first : wo;
    *hi = last < 0 ? 0 : (last / s + 1 < wo ? last / s + 1 : wo);
    if (*hi < *lo) *hi = *lo;
}

/* Rows here are short (15 to 80 floats): plain loops, which the build keeps
 * from becoming memset and memcpy calls (-fno-tree-loop-distribute-patterns),
 * cost a fraction of a call each. */

/* col (c*k*k x nb*ny*wo) for images b0 .. b0 + nb - 1 and output rows y0
 * .. y0 + ny - 1: row (ci, kh, kw), column (image, oy, ox). */
static void im2col_part(const gsn_tensor *x, int k, int s, int p, int wo, int b0, int nb, int y0,
                        int ny, float *col) {
    const int n = x->n, h = x->h, w = x->w;
    const size_t m = (size_t)nb * ny * wo;
    if (k == 3 && s == 2 && p == 1) {
        /* the encoders' stride-2 layers: the three horizontal taps of an
         * input row in one pass (the odd, even and next odd pixels) */
        const int odd = w / 2; /* outputs whose right tap 2 ox + 1 is inside */
        for (int ci = 0; ci < x->c; ci++)
            for (int kh = 0; kh < 3; kh++) {
                float *r0 = col + (size_t)((ci * 3 + kh) * 3) * m, *r1 = r0 + m, *r2 = r1 + m;
                for (int b = 0; b < nb; b++) {
                    const float *img = x->data + ((size_t)ci * n + b0 + b) * h * w;
                    for (int oy = 0; oy < ny; oy++) {
                        const int iy = 2 * (y0 + oy) + kh - 1;
                        const size_t off = ((size_t)b * ny + oy) * wo;
                        float *d0 = r0 + off, *d1 = r1 + off, *d2 = r2 + off;
                        if (iy < 0 || iy >= h) {
                            for (int ox = 0; ox < wo; ox++) d0[ox] = d1[ox] = d2[ox] = 0.0f;
                            continue;
                        }
                        const float *src = img + (size_t)iy * w;
                        d0[0] = 0.0f;
                        for (int ox = 1; ox < wo; ox++) d0[ox] = src[2 * ox - 1];
                        for (int ox = 0; ox < wo; ox++) d1[ox] = src[2 * ox];
                        for (int ox = 0; ox < odd; ox++) d2[ox] = src[2 * ox + 1];
                        for (int ox = odd; ox < wo; ox++) d2[ox] = 0.0f;
                    }
                }
            }
        return;
    }
    for (int ci = 0; ci < x->c; ci++)
        for (int kh = 0; kh < k; kh++)
            for (int kw = 0; kw < k; kw++) {
                float *row = col + ((size_t)(ci * k + kh) * k + kw) * m;
                const int shift = kw - p;
                int lo, hi;
                valid_range(w, wo, s, p, kw, &lo, &hi);
                for (int b = 0; b < nb; b++) {
                    const float *img = x->data + ((size_t)ci * n + b0 + b) * h * w;
                    for (int oy = 0; oy < ny; oy++) {
                        int iy = (y0 + oy) * s + kh - p;
                        float *dst = row + ((size_t)b * ny + oy) * wo;
                        if (iy < 0 || iy >= h) {
                            for (int ox = 0; ox < wo; ox++) dst[ox] = 0.0f;
                            continue;
                        }
                        const float *src = img + (size_t)iy * w;
                        for (int ox = 0; ox < lo; ox++) dst[ox] = 0.0f;
                        if (s == 1) {
                            for (int ox = lo; ox < hi; ox++) dst[ox] = src[ox + shift];
                        } else if (s == 2) {
                            /* src + shift may point before the row; index from src */
                            for (int ox = lo; ox < hi; ox++) dst[ox] = src[2 * ox + shift];
                        } else {
                            for (int ox = lo; ox < hi; ox++) dst[ox] = src[ox * s + shift];
                        }
                        for (int ox = hi; ox < wo; ox++) dst[ox] = 0.0f;
                    }
                }
            }
}

/* col (c*k*k x n*ho*wo): all of x. */
static void im2col(const gsn_tensor *x, int k, int s, int p, int ho, int wo, float *col) {
    im2col_part(x, k, s, p, wo, 0, x->n, 0, ho, col);
}

/* The adjoint of im2col: adds col's entries back into dx. */
static void col2im(const float *col, int k, int s, int p, int ho, int wo, gsn_tensor *dx) {
    const int n = dx->n, h = dx->h, w = dx->w;
    const size_t m = (size_t)n * ho * wo;
    for (int ci = 0; ci < dx->c; ci++)
        for (int kh = 0; kh < k; kh++)
            for (int kw = 0; kw < k; kw++) {
                const float *row = col + ((size_t)(ci * k + kh) * k + kw) * m;
                for (int b = 0; b < n; b++) {
                    float *img = dx->data + ((size_t)ci * n + b) * h * w;
                    for (int oy = 0; oy < ho; oy++) {
                        int iy = oy * s + kh - p;
                        if (iy < 0 || iy >= h) continue;
                        const float *src = row + ((size_t)b * ho + oy) * wo;
                        float *dst = img + (size_t)iy * w;
                        const int shift = kw - p;
                        int lo, hi;
                        valid_range(w, wo, s, p, kw, &lo, &hi);
                        for (int ox = lo; ox < hi; ox++) dst[ox * s + shift] += src[ox];
                    }
                }
            }
}

gs_status gsn_conv2d(const gsn_tensor *x, const float *w, const float *b, int k, int s, int p,
                     gsn_tensor *y, float *col) {
    gs_status st = conv_shapes(x, k, s, p, y);
    if (st) return st;
    const int kk = x->c * k * k;
    const int m = x->n * y->h * y->w;
    const float *cols = x->data;
    if (!conv_is_pointwise(k, s, p)) {
        im2col(x, k, s, p, y->h, y->w, col);
        cols = col;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, y->c, m, kk, 1.0f, w, kk, cols, m, 0.0f,
                y->data, m);
    if (b)
        for (int co = 0; co < y->c; co++) {
            float *row = y->data + (size_t)co * m;
            for (int i = 0; i < m; i++) row[i] += b[co];
        }
    return GS_OK;
}

gs_status gsn_conv2d_inference(const gsn_tensor *x, const float *w, const float *b, int k, int s,
                               int p, gsn_tensor *y, float *col) {
    gs_status st = conv_shapes(x, k, s, p, y);
    if (st) return st;
    if (conv_is_pointwise(k, s, p)) return gsn_conv2d(x, w, b, k, s, p, y, col);
    const int kk = x->c * k * k, ho = y->h, wo = y->w, n = x->n;
    const size_t m = (size_t)n * ho * wo;
    size_t want = CHUNK_FLOATS / (size_t)kk;
    /* whole images when there are several, else runs of output rows */
    int nb = n > 1 ? (int)(want / ((size_t)ho * wo)) : 1, ny = n > 1 ? ho : (int)(want / wo);
    if (nb < 1) nb = 1;
    if (ny < 1) ny = 1;
    for (int b0 = 0; b0 < n; b0 += nb)
        for (int y0 = 0; y0 < ho; y0 += ny) {
            int cb = b0 + nb <= n ? nb : n - b0, cy = y0 + ny <= ho ? ny : ho - y0;
            int cols = cb * cy * wo;
            im2col_part(x, k, s, p, wo, b0, cb, y0, cy, col);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, y->c, cols, kk, 1.0f, w, kk, col,
                        cols, 0.0f, y->data + ((size_t)b0 * ho + y0) * wo, (int)m);
        }
    if (b)
        for (int co = 0; co < y->c; co++) {
            float *row = y->data + (size_t)co * m;
            for (size_t i = 0; i < m; i++) row[i] += b[co];
        }
    return GS_OK;
}

gs_status gsn_conv2d_reference(const gsn_tensor *x, const float *w, const float *b, int k, int s,
                               int p, gsn_tensor *y) {
    gs_status st = conv_shapes(x, k, s, p, y);
    if (st) return st;
    for (int co = 0; co < y->c; co++)
        for (int bi = 0; bi < y->n; bi++)
            for (int oy = 0; oy < y->h; oy++)
                for (int ox = 0; ox < y->w; ox++) {
                    double acc = b ? b[co] : 0.0;
                    for (int ci = 0; ci < x->c; ci++)
                        for (int kh = 0; kh < k; kh++)
                            for (int kw = 0; kw < k; kw++) {
                                int iy = oy * s + kh - p, ix = ox * s + kw - p;
                                if (iy < 0 || iy >= x->h || ix < 0 || ix >= x->w) continue;
                                acc += (double)w[((size_t)(co * x->c + ci) * k + kh) * k + kw] *
                                       x->data[(((size_t)ci * x->n + bi) * x->h + iy) * x->w + ix];
                            }
                    y->data[(((size_t)co * y->n + bi) * y->h + oy) * y->w + ox] = (float)acc;
                }
    return GS_OK;
}

gs_status gsn_conv2d_dilated_reference(const gsn_tensor *x, const float *w, int k, int d, gsn_tensor *y) {
    if (k < 1 || k % 2 == 0 || d < 1 || x->n != y->n || x->h != y->h || x->w != y->w) return GS_ERR_USAGE;
    const int c0 = k / 2;
    for (int co = 0; co < y->c; co++)
        for (int bi = 0; bi < y->n; bi++)
            for (int oy = 0; oy < y->h; oy++)
                for (int ox = 0; ox < y->w; ox++) {
                    double acc = 0.0;
                    for (int ci = 0; ci < x->c; ci++)
                        for (int kh = 0; kh < k; kh++)
                            for (int kw = 0; kw < k; kw++) {
                                int iy = oy + d * (kh - c0), ix = ox + d * (kw - c0);
                                if (iy < 0 || iy >= x->h || ix < 0 || ix >= x->w) continue;
                                acc += (double)w[((size_t)(co * x->c + ci) * k + kh) * k + kw] *
                                       x->data[(((size_t)ci * x->n + bi) * x->h + iy) * x->w + ix];
                            }
                    y->data[(((size_t)co * y->n + bi) * y->h + oy) * y->w + ox] = (float)acc;
                }
    return GS_OK;
}

gs_status gsn_conv2d_backward(const gsn_tensor *x, const float *w, int k, int s, int p,
                              const gsn_tensor *dy, float *dw, float *db, gsn_tensor *dx,
                              const float *col, float *scratch) {
    gs_status st = conv_shapes(x, k, s, p, dy);
    if (st) return st;
    if (dx && (dx->c != x->c || dx->n != x->n || dx->h != x->h || dx->w != x->w))
        return GS_ERR_USAGE;
    const int kk = x->c * k * k;
    const int m = x->n * dy->h * dy->w;
    const int pointwise = conv_is_pointwise(k, s, p);
    const float *cols = x->data;
    if (!pointwise) {
        if (!col) {
            im2col(x, k, s, p, dy->h, dy->w, scratch);
            col = scratch;
        }
        cols = col;
    }
    /* dW (cout x kk) += dY (cout x m) colᵀ */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, dy->c, kk, m, 1.0f, dy->data, m, cols, m,
                1.0f, dw, kk);
    if (db)
        for (int co = 0; co < dy->c; co++) {
            const float *row = dy->data + (size_t)co * m;
            double acc = 0.0;
            for (int i = 0; i < m; i++) acc += row[i];
            db[co] += (float)acc;
        }
    if (!dx) return GS_OK;
    if (pointwise) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, kk, m, dy->c, 1.0f, w, kk, dy->data, m,
                    1.0f, dx->data, m);
        return GS_OK;
    }
    /* dcol (kk x m) = Wᵀ dY, in the scratch (which may have held col) */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, kk, m, dy->c, 1.0f, w, kk, dy->data, m, 0.0f,
                scratch, m);
    col2im(scratch, k, s, p, dy->h, dy->w, dx);
    return GS_OK;
}

/* ---- stride-1 convolution by row shifts ---- */

static gs_status rows_shapes(const gsn_tensor *x, int k, int d, const gsn_tensor *y) {
    if (k < 1 || k % 2 == 0 || d < 1 || x->n != y->n || y->h != x->h || y->w != x->w || x->h < 1 ||
        x->w < 1)
        return GS_ERR_USAGE;
    return GS_OK;
}

/* Floats of one padded image, (h + 2 p) x w, p = d (k / 2) rows. */
static size_t rows_image(const gsn_tensor *x, int k, int d) {
    return (size_t)(x->h + 2 * d * (k / 2)) * (size_t)x->w;
}

size_t gsn_conv_rows_col(const gsn_tensor *x, int k, int d) {
    return (size_t)x->c * (size_t)k * (size_t)x->n * rows_image(x, k, d);
}

/* Layout: the weights by vertical tap (k x cout x cin*k), one tap's weight
 * gradient (cout x cin*k), the padded output or its gradient (cout x n
 * padded images, only when n > 1), the gradient of the matrix. */
size_t gsn_conv_rows_scratch(const gsn_tensor *x, int cout, int k, int d) {
    const size_t kc = (size_t)x->c * (size_t)k, padded = (size_t)x->n * rows_image(x, k, d);
    return (size_t)k * cout * kc + (size_t)cout * kc + (x->n > 1 ? (size_t)cout * padded : 0) +
           kc * padded;
}

/* col ((c, kw) x nb x (h + 2p) x w) for images b0 .. b0 + nb - 1, p = d (k / 2):
 * col[c, kw][b][yp][xo] = x[c][b0 + b][yp - p][xo + d (kw - k / 2)], 0 outside. */
static void rows_im2col(const gsn_tensor *x, int k, int d, int b0, int nb, float *col) {
    const int p = d * (k / 2), n = x->n, h = x->h, w = x->w;
    const size_t img = rows_image(x, k, d), row = (size_t)nb * img;
    for (int c = 0; c < x->c; c++)
        for (int kw = 0; kw < k; kw++) {
            float *dst = col + ((size_t)c * k + kw) * row;
            const int shift = d * (kw - k / 2);
            int lo = shift < 0 ? -shift : 0, hi = shift > 0 ? w - shift : w;
            if (lo > w) lo = w;
            if (hi < lo) hi = lo;
            for (int b = 0; b < nb; b++) {
                float *padded = dst + (size_t)b * img;
                const float *src = x->data + ((size_t)c * n + b0 + b) * h * w;
                memset(padded, 0, sizeof(float) * (size_t)p * w);
                memset(padded + (size_t)(p + h) * w, 0, sizeof(float) * (size_t)p * w);
                for (int y = 0; y < h; y++) {
                    float *dr = padded + (size_t)(y + p) * w;
                    const float *sr = src + (size_t)y * w;
                    for (int xo = 0; xo < lo; xo++) dr[xo] = 0.0f;
                    for (int xo = lo; xo < hi; xo++) dr[xo] = sr[xo + shift];
                    for (int xo = hi; xo < w; xo++) dr[xo] = 0.0f;
                }
            }
        }
}

/* a (k x cout x cin*k): a[kh][co][ci, kw] = w[co][ci][kh][kw]. */
static void rows_weights(const float *w, int cout, int cin, int k, float *a) {
    const size_t kc = (size_t)cin * k;
    for (int kh = 0; kh < k; kh++)
        for (int co = 0; co < cout; co++)
            for (int ci = 0; ci < cin; ci++)
                for (int kw = 0; kw < k; kw++)
                    a[((size_t)kh * cout + co) * kc + (size_t)ci * k + kw] =
                        w[(((size_t)co * cin + ci) * k + kh) * k + kw];
}

/* y's images b0 .. b0 + nb - 1 from the weights a (rows_weights); col:
 * their matrix; out: cout x nb padded images of scratch when nb > 1.
 * Vertical tap kh reads the matrix d kh rows further down. */
static void rows_chunk(const gsn_tensor *x, const float *a, int k, int d, gsn_tensor *y, int b0,
                       int nb, float *col, float *out) {
    const int n = x->n, cout = y->c, kc = x->c * k;
    const size_t img = rows_image(x, k, d), plane = (size_t)x->h * x->w;
    /* the GEMMs' columns: all padded images but the last one's padding */
    const int cols = (int)((size_t)(nb - 1) * img + plane);
    /* one image writes y directly: its channels are n planes apart */
    float *dst = nb > 1 ? out : y->data + (size_t)b0 * plane;
    const int ldo = nb > 1 ? (int)((size_t)nb * img) : (int)((size_t)n * plane);
    rows_im2col(x, k, d, b0, nb, col);
    if (nb > 1) {
        for (int kh = 0; kh < k; kh++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cout, cols, kc, 1.0f,
                        a + (size_t)kh * cout * kc, kc, col + (size_t)kh * d * x->w,
                        (int)((size_t)nb * img), kh ? 1.0f : 0.0f, dst, ldo);
    } else {
        /* one image: the centre tap first (it reads no padding and sets y),
         * then each other tap only over the output rows it reads inside */
        const int c = k / 2, p = d * c;
        for (int t = 0; t < k; t++) {
            const int kh = t == 0 ? c : (t <= c ? t - 1 : t), off = d * kh;
            const int lo = p - off > 0 ? p - off : 0, hi = x->h + p - off < x->h ? x->h + p - off : x->h;
            if (hi <= lo) continue;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cout, (hi - lo) * x->w, kc, 1.0f,
                        a + (size_t)kh * cout * kc, kc, col + (size_t)(off + lo) * x->w, (int)img,
                        t ? 1.0f : 0.0f, dst + (size_t)lo * x->w, ldo);
        }
    }
    if (nb > 1)
        for (int co = 0; co < cout; co++)
            for (int b = 0; b < nb; b++)
                memcpy(y->data + ((size_t)co * n + b0 + b) * plane, out + (size_t)co * ldo + b * img,
                       sizeof(float) * plane); /* a whole image: worth the call */
}

gs_status gsn_conv2d_rows(const gsn_tensor *x, const float *w, int k, int d, gsn_tensor *y,
                          float *col, float *scratch) {
    gs_status st = rows_shapes(x, k, d, y);
    if (st) return st;
    const size_t kc = (size_t)x->c * k;
    rows_weights(w, y->c, x->c, k, scratch);
    rows_chunk(x, scratch, k, d, y, 0, x->n, col, scratch + (size_t)(k + 1) * y->c * kc);
    return GS_OK;
}

gs_status gsn_conv2d_rows_inference(const gsn_tensor *x, const float *w, int k, int d, gsn_tensor *y,
                                    float *col, float *scratch) {
    gs_status st = rows_shapes(x, k, d, y);
    if (st) return st;
    /* one image at a time: its GEMMs write y directly and compute no
     * padding rows, which beats fewer, bigger GEMMs (measured) */
    rows_weights(w, y->c, x->c, k, scratch);
    for (int b0 = 0; b0 < x->n; b0++) rows_chunk(x, scratch, k, d, y, b0, 1, col, NULL);
    return GS_OK;
}

gs_status gsn_conv2d_rows_backward(const gsn_tensor *x, const float *w, int k, int d,
                                   const gsn_tensor *dy, float *dw, gsn_tensor *dx, const float *col,
                                   float *scratch) {
    gs_status st = rows_shapes(x, k, d, dy);
    if (st) return st;
    if (!col || (dx && (dx->c != x->c || dx->n != x->n || dx->h != x->h || dx->w != x->w)))
        return GS_ERR_USAGE;
    const int n = x->n, cout = dy->c, cin = x->c, kc = cin * k, p = d * (k / 2), h = x->h, wd = x->w;
    const size_t img = rows_image(x, k, d), plane = (size_t)h * wd, row = (size_t)n * img;
    const int cols = (int)((size_t)(n - 1) * img + plane);
    float *a = scratch, *da = a + (size_t)k * cout * kc, *dyp = da + (size_t)cout * kc;
    float *dcol = dyp + (n > 1 ? (size_t)cout * row : 0);
    const float *g = dy->data;
    int ldg = (int)plane;
    if (n > 1) {
        /* dy in the padded layout, zero on the padding rows */
        memset(dyp, 0, sizeof(float) * (size_t)cout * row);
        for (int co = 0; co < cout; co++)
            for (int b = 0; b < n; b++)
                memcpy(dyp + (size_t)co * row + b * img, dy->data + ((size_t)co * n + b) * plane,
                       sizeof(float) * plane);
        g = dyp;
        ldg = (int)row;
    }
    if (dw)
        for (int kh = 0; kh < k; kh++) {
            /* dA_kh (cout x kc) = dY Bᵀ_kh */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, cout, kc, cols, 1.0f, g, ldg,
                        col + (size_t)kh * d * wd, (int)row, 0.0f, da, kc);
            for (int co = 0; co < cout; co++)
                for (int ci = 0; ci < cin; ci++)
                    for (int kw = 0; kw < k; kw++)
                        dw[(((size_t)co * cin + ci) * k + kh) * k + kw] +=
                            da[(size_t)co * kc + (size_t)ci * k + kw];
        }
    if (!dx) return GS_OK;
    rows_weights(w, cout, cin, k, a);
    /* the first tap sets the matrix's first cols columns; the others add
     * over columns up to 2p rows further, which start at zero */
    for (int r = 0; r < kc; r++) memset(dcol + (size_t)r * row + cols, 0, sizeof(float) * (row - (size_t)cols));
    for (int kh = 0; kh < k; kh++)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, kc, cols, cout, 1.0f,
                    a + (size_t)kh * cout * kc, kc, g, ldg, kh ? 1.0f : 0.0f, dcol + (size_t)kh * d * wd,
                    (int)row);
    /* the adjoint of rows_im2col */
    for (int c = 0; c < cin; c++)
        for (int kw = 0; kw < k; kw++) {
            const float *src = dcol + ((size_t)c * k + kw) * row;
            const int shift = d * (kw - k / 2);
            int lo = shift < 0 ? -shift : 0, hi = shift > 0 ? wd - shift : wd;
            if (lo > wd) lo = wd;
            for (int b = 0; b < n; b++) {
                float *dimg = dx->data + ((size_t)c * n + b) * plane;
                const float *s = src + (size_t)b * img + (size_t)p * wd;
                for (int y = 0; y < h; y++) {
                    float *dr = dimg + (size_t)y * wd;
                    const float *sr = s + (size_t)y * wd;
                    for (int xo = lo; xo < hi; xo++) dr[xo + shift] += sr[xo];
                }
            }
        }
    return GS_OK;
}

#define GSN_NORM_EPS 1e-5f

static int same_shape(const gsn_tensor *a, const gsn_tensor *b) {
    return a->c == b->c && a->n == b->n && a->h == b->h && a->w == b->w;
}

/* Float lanes over blocks of LANE_BLOCK floats, each block's lanes summed
 * in double: vectorisable (the order is fixed, not left to the compiler),
 * and no float sum runs long enough to lose precision. */
#define LANES 8
#define LANE_BLOCK 1024

/* Four float lanes (GCC/Clang vector extension: SSE on any x86-64). */
typedef float v4f __attribute__((vector_size(16)));

static inline v4f load4(const float *p) {
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The lanes' total in double. */
static inline double lanes_sum(v4f a, v4f b, float tail) {
    double t = tail;
    for (int j = 0; j < 4; j++) t += (double)a[j] + (double)b[j];
    return t;
}

typedef int v4i __attribute__((vector_size(16)));

/* e^x for four floats (x <= 0 here: logits minus their maximum; below -87
 * reads as -87, about 1e-38): Cody-Waite reduction by ln 2 and Cephes'
 * polynomial, within a few ulp of expf; NaN stays NaN. */
static inline v4f exp4(v4f x) {
    const v4f lo = {-87.0f, -87.0f, -87.0f, -87.0f};
    v4i small = x < lo;
    x = (v4f)(((v4i)x & ~small) | ((v4i)lo & small));
    v4f fx = x * 1.44269504088896341f + 0.5f;
    v4f n = __builtin_convertvector(__builtin_convertvector(fx, v4i), v4f);
    n = n + __builtin_convertvector(n > fx, v4f); /* truncation to floor: -1 where it rounded up */
    v4f r = x - n * 0.693359375f + n * 2.12194440e-4f;
    v4f y = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r +
              4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f;
    y = y * (r * r) + r + 1.0f;
    v4i e = (__builtin_convertvector(n, v4i) + 127) << 23;
    return y * (v4f)e;
}

/* out[i] = e^(x[i] - m) for n floats (x[i] <= m). */
static void exp_shifted(const float *x, float m, float *out, size_t n) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        v4f v = exp4(load4(x + i) - m);
        memcpy(out + i, &v, sizeof v);
    }
    if (i < n) {
        float tail[4] = {m, m, m, m};
        memcpy(tail, x + i, sizeof(float) * (n - i));
        v4f v = exp4(load4(tail) - m);
        memcpy(out + i, &v, sizeof(float) * (n - i));
    }
}

/* Floats exp_shifted handles per call in the loops below (a stack buffer). */
#define EXP_CHUNK 256

/* Sum and sum of squares of n floats. */
static void sum_sq(const float *x, size_t n, double *sum, double *sq) {
    for (size_t i = 0; i < n;) {
        size_t end = i + LANE_BLOCK < n ? i + LANE_BLOCK : n;
        v4f s0 = {0}, s1 = {0}, q0 = {0}, q1 = {0};
        for (; i + LANES <= end; i += LANES) {
            v4f a = load4(x + i), b = load4(x + i + 4);
            s0 += a;
            s1 += b;
            q0 += a * a;
            q1 += b * b;
        }
        float ts = 0.0f, tq = 0.0f;
        for (; i < end; i++) {
            ts += x[i];
            tq += x[i] * x[i];
        }
        *sum += lanes_sum(s0, s1, ts);
        *sq += lanes_sum(q0, q1, tq);
    }
}

/* Sums of dy and of dy * (x - mu) r over n floats. */
static void sum_dy(const float *dy, const float *x, float mu, float r, size_t n, double *s_dy,
                   double *s_dyx) {
    for (size_t i = 0; i < n;) {
        size_t end = i + LANE_BLOCK < n ? i + LANE_BLOCK : n;
        v4f s0 = {0}, s1 = {0}, q0 = {0}, q1 = {0};
        for (; i + LANES <= end; i += LANES) {
            v4f a = load4(dy + i), b = load4(dy + i + 4);
            s0 += a;
            s1 += b;
            q0 += a * ((load4(x + i) - mu) * r);
            q1 += b * ((load4(x + i + 4) - mu) * r);
        }
        float ts = 0.0f, tq = 0.0f;
        for (; i < end; i++) {
            ts += dy[i];
            tq += dy[i] * ((x[i] - mu) * r);
        }
        *s_dy += lanes_sum(s0, s1, ts);
        *s_dyx += lanes_sum(q0, q1, tq);
    }
}

/* relu: 0 none, 1 max(y, 0), 2 max(y + skip, 0). */
static gs_status groupnorm(const gsn_tensor *x, int groups, const float *gamma, const float *beta,
                           const float *skip, gsn_tensor *y, float *mean, float *rstd, int relu) {
    if (groups < 1 || x->c % groups || !same_shape(x, y)) return GS_ERR_USAGE;
    const int cg = x->c / groups, n = x->n;
    const size_t plane = (size_t)x->h * x->w;
    for (int g = 0; g < groups; g++)
        for (int b = 0; b < n; b++) {
            double sum = 0.0, sq = 0.0;
            for (int c = g * cg; c < (g + 1) * cg; c++)
                sum_sq(x->data + ((size_t)c * n + b) * plane, plane, &sum, &sq);
            double count = (double)cg * (double)plane;
            double mu = sum / count, var = sq / count - mu * mu;
            if (var < 0) var = 0;
            float r = (float)(1.0 / sqrt(var + GSN_NORM_EPS));
            mean[g * n + b] = (float)mu;
            rstd[g * n + b] = r;
            for (int c = g * cg; c < (g + 1) * cg; c++) {
                const float *src = x->data + ((size_t)c * n + b) * plane;
                float *dst = y->data + ((size_t)c * n + b) * plane;
                float ga = gamma ? gamma[c] : 1.0f, be = beta ? beta[c] : 0.0f;
                float scale = r * ga, shift = be - (float)mu * r * ga;
                if (relu == 2) {
                    const float *add = skip + ((size_t)c * n + b) * plane;
                    for (size_t i = 0; i < plane; i++) {
                        float v = src[i] * scale + shift + add[i];
                        dst[i] = v > 0.0f ? v : 0.0f;
                    }
                } else if (relu)
                    for (size_t i = 0; i < plane; i++) {
                        float v = src[i] * scale + shift;
                        dst[i] = v > 0.0f ? v : 0.0f;
                    }
                else
                    for (size_t i = 0; i < plane; i++) dst[i] = src[i] * scale + shift;
            }
        }
    return GS_OK;
}

gs_status gsn_groupnorm(const gsn_tensor *x, int groups, const float *gamma, const float *beta,
                        gsn_tensor *y, float *mean, float *rstd) {
    return groupnorm(x, groups, gamma, beta, NULL, y, mean, rstd, 0);
}

gs_status gsn_groupnorm_relu(const gsn_tensor *x, int groups, const float *gamma,
                             const float *beta, gsn_tensor *y, float *mean, float *rstd) {
    return groupnorm(x, groups, gamma, beta, NULL, y, mean, rstd, 1);
}

gs_status gsn_groupnorm_add_relu(const gsn_tensor *x, int groups, const float *gamma,
                                 const float *beta, const float *skip, gsn_tensor *y, float *mean,
                                 float *rstd) {
    return groupnorm(x, groups, gamma, beta, skip, y, mean, rstd, 2);
}

gs_status gsn_groupnorm_backward(const gsn_tensor *x, int groups, const float *gamma,
                                 const float *mean, const float *rstd, const gsn_tensor *dy,
                                 gsn_tensor *dx, float *dgamma, float *dbeta) {
    if (groups < 1 || x->c % groups || !same_shape(x, dy) || !same_shape(x, dx))
        return GS_ERR_USAGE;
    const int cg = x->c / groups, n = x->n;
    const size_t plane = (size_t)x->h * x->w;
    for (int g = 0; g < groups; g++)
        for (int b = 0; b < n; b++) {
            const float mu = mean[g * n + b], r = rstd[g * n + b];
            /* dx = r (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dy gamma */
            double s1 = 0.0, s2 = 0.0;
            for (int c = g * cg; c < (g + 1) * cg; c++) {
                const float *xs = x->data + ((size_t)c * n + b) * plane;
                const float *ds = dy->data + ((size_t)c * n + b) * plane;
                float ga = gamma ? gamma[c] : 1.0f;
                double cg_dy = 0.0, cg_dyx = 0.0;
                sum_dy(ds, xs, mu, r, plane, &cg_dy, &cg_dyx);
                if (dgamma) dgamma[c] += (float)cg_dyx;
                if (dbeta) dbeta[c] += (float)cg_dy;
                s1 += ga * cg_dy;
                s2 += ga * cg_dyx;
            }
            double count = (double)cg * (double)plane;
            float m1 = (float)(s1 / count), m2 = (float)(s2 / count);
            for (int c = g * cg; c < (g + 1) * cg; c++) {
                const float *xs = x->data + ((size_t)c * n + b) * plane;
                const float *ds = dy->data + ((size_t)c * n + b) * plane;
                float *dd = dx->data + ((size_t)c * n + b) * plane;
                /* dd = r (ds ga - m1 - (xs - mu) r m2) = a ds + b xs + c */
                const float ga = gamma ? gamma[c] : 1.0f, ca = r * ga, cb = -r * r * m2,
                            cc = r * (mu * r * m2 - m1);
                for (size_t i = 0; i < plane; i++) dd[i] = ca * ds[i] + cb * xs[i] + cc;
            }
        }
    return GS_OK;
}

void gsn_relu(const float *x, float *y, size_t count) {
    for (size_t i = 0; i < count; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void gsn_relu_backward(const float *y, const float *dy, float *dx, size_t count) {
    for (size_t i = 0; i < count; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

void gsn_depth_to_space(const float *x, int h, int w, int f, int H, int W, float *y) {
    for (int Y = 0; Y < H; Y++) {
        float *dst = y + (size_t)Y * W;
        /* pixel X = f j + b reads plane (Y % f) f + b at cell (Y / f, j) */
        for (int b = 0; b < f && b < W; b++) {
            const float *src = x + ((size_t)((Y % f) * f + b) * h + Y / f) * w;
            for (int j = 0, X = b; X < W; j++, X += f) dst[X] = src[j];
        }
    }
}

void gsn_depth_to_space_backward(const float *dy, int h, int w, int f, int H, int W, float *dx) {
    memset(dx, 0, sizeof(float) * (size_t)f * f * h * w);
    for (int Y = 0; Y < H; Y++)
        for (int X = 0; X < W; X++)
            dx[((size_t)((Y % f) * f + X % f) * h + Y / f) * w + X / f] = dy[(size_t)Y * W + X];
}

void gsn_upsample_add(const float *x, int planes, int h, int w, int f, int H, int W, float *y) {
    for (int p = 0; p < planes; p++)
        for (int Y = 0; Y < H; Y++) {
            const float *src = x + ((size_t)p * h + Y / f) * w;
            float *dst = y + ((size_t)p * H + Y) * W;
            for (int X = 0; X < W; X++) dst[X] += src[X / f];
        }
}

void gsn_upsample_add_backward(const float *dy, int planes, int h, int w, int f, int H, int W,
                               float *dx) {
    memset(dx, 0, sizeof(float) * (size_t)planes * h * w);
    for (int p = 0; p < planes; p++)
        for (int Y = 0; Y < H; Y++) {
            float *dst = dx + ((size_t)p * h + Y / f) * w;
            const float *src = dy + ((size_t)p * H + Y) * W;
            for (int X = 0; X < W; X++) dst[X / f] += src[X];
        }
}

double gsn_softmax_xent(const float *logits, size_t n, size_t target, float *dlogits, float scale) {
    float mx = logits[0];
    for (size_t i = 1; i < n; i++)
        if (logits[i] > mx) mx = logits[i];
    double sum = 0.0;
    if (dlogits) {
        for (size_t i = 0; i < n; i++) sum += dlogits[i] = expf(logits[i] - mx);
        float norm = (float)(scale / sum);
        for (size_t i = 0; i < n; i++) dlogits[i] *= norm;
        dlogits[target] -= scale;
    } else {
        for (size_t i = 0; i < n; i++) sum += expf(logits[i] - mx);
    }
    double lse = (double)mx + log(sum);
    return lse - (double)logits[target];
}

size_t gsn_argmax(const float *x, size_t n, float *prob) {
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (x[i] > x[best]) best = i;
    if (prob) {
        double sum = 0.0;
        float buf[EXP_CHUNK];
        for (size_t i = 0; i < n; i += EXP_CHUNK) {
            size_t cnt = n - i < EXP_CHUNK ? n - i : EXP_CHUNK;
            exp_shifted(x + i, x[best], buf, cnt);
            float part = 0.0f;
            for (size_t j = 0; j < cnt; j++) part += buf[j];
            sum += part;
        }
        *prob = (float)(1.0 / sum);
    }
    return best;
}

/* The maxima of coarse and fine, and per cell: S = sum of exp(fine - fine
 * max) over its pixels, T = sum over planes of exp(coarse - coarse max). */
static double factor_cells(const float *coarse, int planes, int h, int w, const float *fine,
                           int f, int H, int W, float *mc, float *mf, double *S, double *T) {
    const size_t cells = (size_t)h * w;
    *mc = coarse[0];
    for (size_t i = 1; i < (size_t)planes * cells; i++)
        if (coarse[i] > *mc) *mc = coarse[i];
    *mf = fine[0];
    for (size_t i = 1; i < (size_t)H * W; i++)
        if (fine[i] > *mf) *mf = fine[i];
    float buf[EXP_CHUNK];
    memset(S, 0, sizeof(double) * cells);
    for (int Y = 0; Y < H; Y++)
        for (int X0 = 0; X0 < W; X0 += EXP_CHUNK) {
            const int cnt = W - X0 < EXP_CHUNK ? W - X0 : EXP_CHUNK;
            exp_shifted(fine + (size_t)Y * W + X0, *mf, buf, (size_t)cnt);
            double *row = S + (size_t)(Y / f) * w;
            for (int X = 0; X < cnt; X++) row[(X0 + X) / f] += buf[X];
        }
    memset(T, 0, sizeof(double) * cells);
    for (int p = 0; p < planes; p++)
        for (size_t i = 0; i < cells; i += EXP_CHUNK) {
            const size_t cnt = cells - i < EXP_CHUNK ? cells - i : EXP_CHUNK;
            exp_shifted(coarse + p * cells + i, *mc, buf, cnt);
            for (size_t j = 0; j < cnt; j++) T[i + j] += buf[j];
        }
    double z = 0.0;
    for (size_t i = 0; i < cells; i++) z += S[i] * T[i];
    return z;
}

double gsn_factored_xent(const float *coarse, int planes, int h, int w, const float *fine, int f,
                         int H, int W, size_t target, float *dcoarse, float *dfine, float scale,
                         double *scratch) {
    const size_t cells = (size_t)h * w, plane = (size_t)H * W;
    double *S = scratch, *T = scratch + cells;
    float mc, mf;
    double z = factor_cells(coarse, planes, h, w, fine, f, H, W, &mc, &mf, S, T);
    const int tp = (int)(target / plane), tY = (int)(target % plane / W), tX = (int)(target % W);
    const size_t tcell = (size_t)(tY / f) * w + tX / f;
    const double logit = (double)coarse[tp * cells + tcell] + fine[(size_t)tY * W + tX];
    if (dcoarse) {
        for (int p = 0; p < planes; p++)
            for (size_t i = 0; i < cells; i++)
                dcoarse[p * cells + i] =
                    (float)(scale * (double)expf(coarse[p * cells + i] - mc) * S[i] / z);
        dcoarse[tp * cells + tcell] -= scale;
    }
    if (dfine) {
        for (int Y = 0; Y < H; Y++)
            for (int X = 0; X < W; X++) {
                size_t at = (size_t)Y * W + X;
                dfine[at] = (float)(scale * (double)expf(fine[at] - mf) *
                                    T[(size_t)(Y / f) * w + X / f] / z);
            }
        dfine[(size_t)tY * W + tX] -= scale;
    }
    return (double)mc + (double)mf + log(z) - logit;
}

size_t gsn_factored_argmax(const float *coarse, int planes, int h, int w, const float *fine, int f,
                           int H, int W, float *prob, double *scratch) {
    const size_t cells = (size_t)h * w;
    double *S = scratch, *T = scratch + cells;
    float mc, mf;
    double z = factor_cells(coarse, planes, h, w, fine, f, H, W, &mc, &mf, S, T);
    /* the best pixel of each cell, reusing T (no longer needed) for its index */
    for (size_t i = 0; i < cells; i++) S[i] = -INFINITY;
    for (int Y = 0; Y < H; Y++)
        for (int X = 0; X < W; X++) {
            size_t cell = (size_t)(Y / f) * w + X / f, at = (size_t)Y * W + X;
            if (fine[at] > S[cell]) {
                S[cell] = fine[at];
                T[cell] = (double)at;
            }
        }
    double best = -INFINITY;
    size_t best_p = 0, best_cell = 0;
    for (int p = 0; p < planes; p++)
        for (size_t i = 0; i < cells; i++) {
            double v = (double)coarse[p * cells + i] + S[i];
            if (v > best) {
                best = v;
                best_p = (size_t)p;
                best_cell = i;
            }
        }
    if (prob) *prob = (float)(exp(best - (double)mc - (double)mf) / z);
    return best_p * (size_t)H * W + (size_t)T[best_cell];
}

/* floor(x) as an int without libm's floor() call (x well inside int range). */
static inline int floor_int(double x) {
    int i = (int)x;
    return i - (x < (double)i);
}

/* floor for four floats (x well inside int range). */
static inline v4f floor4(v4f x) {
    v4f t = __builtin_convertvector(__builtin_convertvector(x, v4i), v4f);
    return t + __builtin_convertvector(t > x, v4f); /* -1 where truncation rounded up */
}

/* A turned crop's geometry, worked out once per crop: its turn and centre. */
typedef struct crop_turn {
    double row, col, cs, sn, half;
    float csf, snf;
} crop_turn;

static crop_turn crop_turn_make(double row, double col, double theta, int side) {
    crop_turn t = {row, col, cos(theta), sin(theta), (side - 1) / 2.0, 0.0f, 0.0f};
    t.csf = (float)t.cs, t.snf = (float)t.sn;
    return t;
}

/* Where row i starts: its first sample in double, split into a whole pixel
 * (ci0, ri0) and a remainder (fc0, fr0); sample j of the row is at the
 * remainder plus j (csf, -snf) in float (at most side pixels, so within a
 * few 1e-6 of a pixel). One definition for the crop and its adjoint, so
 * both take the same points. */
typedef struct crop_row {
    int ci0, ri0;
    float fc0, fr0;
} crop_row;

static crop_row crop_row_start(const crop_turn *t, int i) {
    const double v = i - t->half;
    const double sc0 = t->col - t->cs * t->half + t->sn * v, sr0 = t->row + t->sn * t->half + t->cs * v;
    crop_row r;
    r.ci0 = floor_int(sc0), r.ri0 = floor_int(sr0);
    r.fc0 = (float)(sc0 - r.ci0), r.fr0 = (float)(sr0 - r.ri0);
    return r;
}

void gsn_rotated_crop(const float *img, int c, int h, int w, double row, double col, double theta,
                      int side, float *out, size_t out_stride) {
    const crop_turn turn = crop_turn_make(row, col, theta, side);
    const float csf = turn.csf, snf = turn.snf;
    for (int i = 0; i < side; i++) {
        /* four samples of the row at a time */
        const crop_row cr = crop_row_start(&turn, i);
        const int ci0 = cr.ci0, ri0 = cr.ri0;
        const float fc0 = cr.fc0, fr0 = cr.fr0;
        float *o = out + (size_t)i * side;
        for (int j0 = 0; j0 < side; j0 += 4) {
            const v4f jv = {(float)j0, (float)(j0 + 1), (float)(j0 + 2), (float)(j0 + 3)};
            const v4f sc = fc0 + csf * jv, sr = fr0 - snf * jv;
            const v4f fc = floor4(sc), fr = floor4(sr);
            const v4f tc = sc - fc, tr = sr - fr;
            const v4f w00 = (1.0f - tr) * (1.0f - tc), w01 = (1.0f - tr) * tc;
            const v4f w10 = tr * (1.0f - tc), w11 = tr * tc;
            const v4i cc = __builtin_convertvector(fc, v4i) + ci0;
            const v4i rr = __builtin_convertvector(fr, v4i) + ri0;
            const int nq = side - j0 < 4 ? side - j0 : 4;
            for (int q = 0; q < nq; q++) {
                const int r0 = rr[q], c0 = cc[q], j = j0 + q;
                const float wts[4] = {w00[q], w01[q], w10[q], w11[q]};
                if (r0 >= 0 && r0 + 1 < h && c0 >= 0 && c0 + 1 < w) {
                    const float *p = img + (size_t)r0 * w + c0;
                    for (int ch = 0; ch < c; ch++, p += (size_t)h * w)
                        o[(size_t)ch * out_stride + j] =
                            wts[0] * p[0] + wts[1] * p[1] + wts[2] * p[w] + wts[3] * p[w + 1];
                    continue;
                }
                const int ry[4] = {r0, r0, r0 + 1, r0 + 1}, cx[4] = {c0, c0 + 1, c0, c0 + 1};
                for (int ch = 0; ch < c; ch++) {
                    const float *plane = img + (size_t)ch * h * w;
                    float acc = 0.0f;
                    for (int t = 0; t < 4; t++)
                        if (ry[t] >= 0 && ry[t] < h && cx[t] >= 0 && cx[t] < w)
                            acc += wts[t] * plane[(size_t)ry[t] * w + cx[t]];
                    o[(size_t)ch * out_stride + j] = acc;
                }
            }
        }
    }
}

void gsn_rotated_crop_backward(const float *dout, size_t out_stride, int c, int h, int w, double row,
                               double col, double theta, int side, float *dimg) {
    const crop_turn turn = crop_turn_make(row, col, theta, side);
    for (int i = 0; i < side; i++) {
        const crop_row cr = crop_row_start(&turn, i);
        for (int j = 0; j < side; j++) {
            const float sc = cr.fc0 + turn.csf * (float)j, sr = cr.fr0 - turn.snf * (float)j;
            const float fc = floorf(sc), fr = floorf(sr), tc = sc - fc, tr = sr - fr;
            const int r0 = (int)fr + cr.ri0, c0 = (int)fc + cr.ci0;
            const float wts[4] = {(1.0f - tr) * (1.0f - tc), (1.0f - tr) * tc, tr * (1.0f - tc), tr * tc};
            const int ry[4] = {r0, r0, r0 + 1, r0 + 1}, cx[4] = {c0, c0 + 1, c0, c0 + 1};
            for (int t = 0; t < 4; t++) {
                if (ry[t] < 0 || ry[t] >= h || cx[t] < 0 || cx[t] >= w) continue;
                const size_t at = (size_t)ry[t] * w + cx[t];
                for (int ch = 0; ch < c; ch++)
                    dimg[(size_t)ch * h * w + at] += wts[t] * dout[(size_t)ch * out_stride + (size_t)i * side + j];
            }
        }
    }
}

void gsn_adam(float *param, const float *grad, float *m, float *v, size_t n, float lr, float beta1,
              float beta2, float eps, int64_t t) {
    const double c1 = 1.0 - pow(beta1, (double)t), c2 = 1.0 - pow(beta2, (double)t);
    const float step = (float)(lr * sqrt(c2) / c1);
    for (size_t i = 0; i < n; i++) {
        m[i] = beta1 * m[i] + (1.0f - beta1) * grad[i];
        v[i] = beta2 * v[i] + (1.0f - beta2) * grad[i] * grad[i];
        param[i] -= step * m[i] / (sqrtf(v[i]) + eps);
    }
}

/* ---- fully connected layers (the learned skills' MLPs) ---- */

void gsn_linear(const float *x, int n, int in, const float *w, const float *b, int out, float *y) {
    for (int i = 0; i < n; i++)
        if (b) memcpy(y + (size_t)i * out, b, (size_t)out * sizeof *y);
        else memset(y + (size_t)i * out, 0, (size_t)out * sizeof *y);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, out, in, 1.0f, x, in, w, in, 1.0f, y, out);
}

void gsn_linear_backward(const float *x, int n, int in, const float *w, int out, const float *dy, float *dw,
                         float *db, float *dx) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, n, 1.0f, dy, out, x, in, 1.0f, dw, in);
    if (db)
        for (int i = 0; i < n; i++)
            for (int o = 0; o < out; o++) db[o] += dy[(size_t)i * out + o];
    if (dx) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, in, out, 1.0f, dy, out, w, in, 0.0f, dx, in);
}

void gsn_linear_reference(const float *x, int n, int in, const float *w, const float *b, int out, float *y) {
    for (int i = 0; i < n; i++)
        for (int o = 0; o < out; o++) {
            double s = b ? b[o] : 0;
            for (int k = 0; k < in; k++) s += (double)x[(size_t)i * in + k] * w[(size_t)o * in + k];
            y[(size_t)i * out + o] = (float)s;
        }
}
