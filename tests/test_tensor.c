/* test_tensor.c: every optimised kernel against plain loops, every backward
 * pass against central finite differences computed in double. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "gensim/math.h"
#include "policy/tensor.h"

static gsu_rng rng;

static void fill(float *x, size_t n, double sd) {
    for (size_t i = 0; i < n; i++) x[i] = (float)gsu_rng_normal(&rng, 0.0, sd);
}

static double dot(const float *a, const float *b, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

/* Largest |a - b| relative to the largest |b| (so near-zero entries do not dominate). */
static double rel_error(const float *a, const double *b, size_t n) {
    double num = 0.0, den = 1e-12;
    for (size_t i = 0; i < n; i++) {
        if (fabs(a[i] - b[i]) > num) num = fabs(a[i] - b[i]);
        if (fabs(b[i]) > den) den = fabs(b[i]);
    }
    return num / den;
}

/* ---- convolution ---- */

typedef struct conv_case {
    int cin, cout, n, h, w, k, s, p;
    int d; /* the row-shift convolution's dilation; 0 reads as 1 */
} conv_case;

static const conv_case conv_cases[] = {
    {3, 5, 1, 9, 11, 3, 2, 1, 0}, {4, 6, 2, 8, 7, 3, 1, 1, 0}, {5, 3, 3, 6, 5, 1, 1, 0, 0},
    {2, 4, 1, 10, 9, 5, 1, 2, 0}, {3, 2, 2, 7, 9, 3, 2, 0, 0},
};

/* Loss r . conv(x, w) + b, in double by plain loops. */
static double conv_loss(const gsn_tensor *x, const float *w, const float *b, const conv_case *c,
                        const float *r, float *ybuf) {
    gsn_tensor y = gsn_tensor_make(ybuf, c->cout, c->n, gsn_conv_out(c->h, c->k, c->s, c->p),
                                   gsn_conv_out(c->w, c->k, c->s, c->p));
    gsn_conv2d_reference(x, w, b, c->k, c->s, c->p, &y);
    return dot(ybuf, r, gsn_tensor_count(&y));
}

static void test_conv(const conv_case *c) {
    int ho = gsn_conv_out(c->h, c->k, c->s, c->p), wo = gsn_conv_out(c->w, c->k, c->s, c->p);
    size_t nx = (size_t)c->cin * c->n * c->h * c->w, nw = (size_t)c->cout * c->cin * c->k * c->k;
    size_t ny = (size_t)c->cout * c->n * ho * wo;
    float *x = malloc(nx * sizeof *x), *w = malloc(nw * sizeof *w), *b = malloc(c->cout * sizeof *b);
    float *y = malloc(ny * sizeof *y), *yr = malloc(ny * sizeof *yr), *r = malloc(ny * sizeof *r);
    float *dw = calloc(nw, sizeof *dw), *db = calloc(c->cout, sizeof *db), *dx = calloc(nx, sizeof *dx);
    gsn_tensor tx = gsn_tensor_make(x, c->cin, c->n, c->h, c->w);
    float *col = malloc((gsn_conv_scratch(&tx, c->k, c->s, c->p) + 1) * sizeof *col);
    float *scratch = malloc((gsn_conv_scratch(&tx, c->k, c->s, c->p) + 1) * sizeof *scratch);
    double *num = malloc((nx + nw) * sizeof *num);
    fill(x, nx, 1.0);
    fill(w, nw, 0.5);
    fill(b, c->cout, 0.5);
    fill(r, ny, 1.0);
    gsn_tensor ty = gsn_tensor_make(y, c->cout, c->n, ho, wo), tyr = gsn_tensor_make(yr, c->cout, c->n, ho, wo);
    CHECK(gsn_conv2d(&tx, w, b, c->k, c->s, c->p, &ty, col) == GS_OK);
    CHECK(gsn_conv2d_reference(&tx, w, b, c->k, c->s, c->p, &tyr) == GS_OK);
    double worst = 0.0;
    for (size_t i = 0; i < ny; i++)
        if (fabs(y[i] - yr[i]) > worst) worst = fabs(y[i] - yr[i]);
    CHECK(worst < 1e-4);

    /* backward: dy = r, so the gradients are those of r . y */
    gsn_tensor tdy = gsn_tensor_make(r, c->cout, c->n, ho, wo), tdx = gsn_tensor_make(dx, c->cin, c->n, c->h, c->w);
    /* with the forward pass's im2col (col) */
    CHECK(gsn_conv2d_backward(&tx, w, c->k, c->s, c->p, &tdy, dw, db, &tdx, col, scratch) == GS_OK);
    const float eps = 1e-2f;
    CENTRAL_DIFFERENCES(w, (size_t)nw, eps, conv_loss(&tx, w, b, c, r, yr), num);
    CHECK(rel_error(dw, num, nw) < 1e-3);
    CENTRAL_DIFFERENCES(x, (size_t)nx, eps, conv_loss(&tx, w, b, c, r, yr), num);
    CHECK(rel_error(dx, num, nx) < 1e-3);
    /* the bias gradient is the sum of dy over its channel */
    for (int co = 0; co < c->cout; co++) {
        double s = 0.0;
        for (size_t i = 0; i < ny / c->cout; i++) s += r[co * (ny / c->cout) + i];
        CHECK_NEAR(db[co], s, 1e-3 * (1.0 + fabs(s)));
    }
    /* gradients accumulate: a second backward pass (rebuilding im2col) doubles them */
    float dw0 = dw[0], dx0 = dx[0];
    CHECK(gsn_conv2d_backward(&tx, w, c->k, c->s, c->p, &tdy, dw, NULL, &tdx, NULL, scratch) == GS_OK);
    CHECK_NEAR(dw[0], 2.0 * dw0, 1e-4 * (1.0 + fabs(dw0)));
    CHECK_NEAR(dx[0], 2.0 * dx0, 1e-4 * (1.0 + fabs(dx0)));
    free(x), free(w), free(b), free(y), free(yr), free(r), free(dw), free(db), free(dx), free(col), free(scratch), free(num);
}

/* Loss r . conv(x, w) for the dilated "same" convolution, by plain loops. */
static double dilated_loss(const gsn_tensor *x, const float *w, const conv_case *c, const float *r,
                           float *ybuf) {
    gsn_tensor y = gsn_tensor_make(ybuf, c->cout, c->n, c->h, c->w);
    gsn_conv2d_dilated_reference(x, w, c->k, c->d ? c->d : 1, &y);
    return dot(ybuf, r, gsn_tensor_count(&y));
}

/* The row-shift convolution (stride 1, padding d (k / 2)) against the
 * references (the plain one at d = 1, the dilated one), its gradients
 * against finite differences. */
static void test_conv_rows(const conv_case *c) {
    const int d = c->d ? c->d : 1;
    size_t nx = (size_t)c->cin * c->n * c->h * c->w, nw = (size_t)c->cout * c->cin * c->k * c->k;
    size_t ny = (size_t)c->cout * c->n * c->h * c->w;
    float *x = malloc(nx * sizeof *x), *w = malloc(nw * sizeof *w);
    float *y = malloc(ny * sizeof *y), *yr = malloc(ny * sizeof *yr), *r = malloc(ny * sizeof *r);
    float *dw = calloc(nw, sizeof *dw), *dx = calloc(nx, sizeof *dx);
    gsn_tensor tx = gsn_tensor_make(x, c->cin, c->n, c->h, c->w);
    float *col = malloc(gsn_conv_rows_col(&tx, c->k, d) * sizeof *col);
    float *scratch = malloc(gsn_conv_rows_scratch(&tx, c->cout, c->k, d) * sizeof *scratch);
    double *num = malloc((nx + nw) * sizeof *num);
    fill(x, nx, 1.0);
    fill(w, nw, 0.5);
    fill(r, ny, 1.0);
    gsn_tensor ty = gsn_tensor_make(y, c->cout, c->n, c->h, c->w);
    gsn_tensor tyr = gsn_tensor_make(yr, c->cout, c->n, c->h, c->w);
    CHECK(gsn_conv2d_rows(&tx, w, c->k, d, &ty, col, scratch) == GS_OK);
    CHECK(gsn_conv2d_dilated_reference(&tx, w, c->k, d, &tyr) == GS_OK);
    double worst = 0.0;
    for (size_t i = 0; i < ny; i++)
        if (fabs(y[i] - yr[i]) > worst) worst = fabs(y[i] - yr[i]);
    CHECK(worst < 1e-4);
    if (d == 1) { /* the two references agree */
        CHECK(gsn_conv2d_reference(&tx, w, NULL, c->k, 1, c->k / 2, &tyr) == GS_OK);
        for (size_t i = 0; i < ny; i++)
            if (fabs(y[i] - yr[i]) > worst) worst = fabs(y[i] - yr[i]);
        CHECK(worst < 1e-4);
    }
    gsn_tensor tdy = gsn_tensor_make(r, c->cout, c->n, c->h, c->w);
    gsn_tensor tdx = gsn_tensor_make(dx, c->cin, c->n, c->h, c->w);
    CHECK(gsn_conv2d_rows_backward(&tx, w, c->k, d, &tdy, dw, &tdx, col, scratch) == GS_OK);
    const float eps = 1e-2f;
    CENTRAL_DIFFERENCES(w, (size_t)nw, eps, dilated_loss(&tx, w, c, r, yr), num);
    CHECK(rel_error(dw, num, nw) < 1e-3);
    CENTRAL_DIFFERENCES(x, (size_t)nx, eps, dilated_loss(&tx, w, c, r, yr), num);
    CHECK(rel_error(dx, num, nx) < 1e-3);
    /* a wrong output size, an even kernel or dilation 0 is refused */
    gsn_tensor bad = gsn_tensor_make(y, c->cout, c->n, c->h + 1, c->w);
    CHECK(gsn_conv2d_rows(&tx, w, c->k, d, &bad, col, scratch) == GS_ERR_USAGE);
    CHECK(gsn_conv2d_rows(&tx, w, 2, d, &ty, col, scratch) == GS_ERR_USAGE);
    CHECK(gsn_conv2d_rows(&tx, w, c->k, 0, &ty, col, scratch) == GS_ERR_USAGE);
    free(x), free(w), free(y), free(yr), free(r), free(dw), free(dx), free(col), free(scratch), free(num);
}

static const conv_case rows_cases[] = {
    {3, 5, 1, 9, 11, 3, 1, 1, 0}, {4, 6, 3, 5, 7, 3, 1, 1, 0}, {2, 3, 1, 6, 5, 7, 1, 3, 0},
    {2, 4, 2, 4, 9, 5, 1, 2, 0}, {3, 2, 2, 3, 4, 1, 1, 0, 0},
    /* dilated: taps reaching past the image on one side or both */
    {3, 4, 1, 9, 11, 3, 1, 0, 2}, {2, 3, 3, 7, 6, 3, 1, 0, 4}, {2, 2, 2, 5, 12, 5, 1, 0, 3},
};

/* gsn_conv2d_inference (im2col in chunks of images or output rows) gives
 * gsn_conv2d's result; big enough shapes that it takes several chunks. */
static void test_conv_inference(void) {
    static const conv_case cases[] = {
        {16, 8, 1, 70, 64, 3, 1, 1, 0}, {16, 6, 3, 40, 37, 3, 2, 1, 0}, {4, 5, 2, 9, 11, 3, 2, 1, 0}};
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        const conv_case *c = &cases[t];
        int ho = gsn_conv_out(c->h, c->k, c->s, c->p), wo = gsn_conv_out(c->w, c->k, c->s, c->p);
        size_t nx = (size_t)c->cin * c->n * c->h * c->w, nw = (size_t)c->cout * c->cin * c->k * c->k;
        size_t ny = (size_t)c->cout * c->n * ho * wo;
        float *x = malloc(nx * sizeof *x), *w = malloc(nw * sizeof *w), *b = malloc(c->cout * sizeof *b);
        float *y = malloc(ny * sizeof *y), *y2 = malloc(ny * sizeof *y2);
        gsn_tensor tx = gsn_tensor_make(x, c->cin, c->n, c->h, c->w);
        float *col = malloc(gsn_conv_scratch(&tx, c->k, c->s, c->p) * sizeof *col);
        fill(x, nx, 1.0);
        fill(w, nw, 0.5);
        fill(b, c->cout, 0.5);
        gsn_tensor ty = gsn_tensor_make(y, c->cout, c->n, ho, wo), ty2 = gsn_tensor_make(y2, c->cout, c->n, ho, wo);
        CHECK(gsn_conv2d(&tx, w, b, c->k, c->s, c->p, &ty, col) == GS_OK);
        CHECK(gsn_conv2d_inference(&tx, w, b, c->k, c->s, c->p, &ty2, col) == GS_OK);
        double worst = 0.0;
        for (size_t i = 0; i < ny; i++)
            if (fabs(y[i] - y2[i]) > worst) worst = fabs(y[i] - y2[i]);
        CHECK(worst < 1e-4);
        gsn_tensor bad = gsn_tensor_make(y2, c->cout, c->n, ho + 1, wo);
        CHECK(gsn_conv2d_inference(&tx, w, b, c->k, c->s, c->p, &bad, col) == GS_ERR_USAGE);
        free(x), free(w), free(b), free(y), free(y2), free(col);
    }
    /* the row-shift convolution image by image, 12 of them and one, dilated too */
    static const conv_case rows[] = {{16, 8, 12, 15, 15, 3, 1, 1, 1}, {16, 8, 1, 40, 30, 3, 1, 1, 1},
                                     {8, 8, 1, 40, 20, 3, 1, 0, 8}, {8, 4, 5, 12, 10, 3, 1, 0, 2}};
    for (size_t t = 0; t < sizeof rows / sizeof rows[0]; t++) {
        const conv_case *c = &rows[t];
        size_t nx = (size_t)c->cin * c->n * c->h * c->w, nw = (size_t)c->cout * c->cin * c->k * c->k;
        size_t ny = (size_t)c->cout * c->n * c->h * c->w;
        float *x = malloc(nx * sizeof *x), *w = malloc(nw * sizeof *w);
        float *y = malloc(ny * sizeof *y), *y2 = malloc(ny * sizeof *y2);
        gsn_tensor tx = gsn_tensor_make(x, c->cin, c->n, c->h, c->w);
        float *col = malloc(gsn_conv_rows_col(&tx, c->k, c->d) * sizeof *col);
        float *scratch = malloc(gsn_conv_rows_scratch(&tx, c->cout, c->k, c->d) * sizeof *scratch);
        fill(x, nx, 1.0);
        fill(w, nw, 0.5);
        gsn_tensor ty = gsn_tensor_make(y, c->cout, c->n, c->h, c->w);
        gsn_tensor ty2 = gsn_tensor_make(y2, c->cout, c->n, c->h, c->w);
        CHECK(gsn_conv2d_dilated_reference(&tx, w, c->k, c->d, &ty) == GS_OK);
        CHECK(gsn_conv2d_rows_inference(&tx, w, c->k, c->d, &ty2, col, scratch) == GS_OK);
        double worst = 0.0;
        for (size_t i = 0; i < ny; i++)
            if (fabs(y[i] - y2[i]) > worst) worst = fabs(y[i] - y2[i]);
        CHECK(worst < 1e-4);
        free(x), free(w), free(y), free(y2), free(col), free(scratch);
    }
}

static void test_conv_shapes(void) {
    float buf[64] = {0}, w[9] = {0};
    gsn_tensor x = gsn_tensor_make(buf, 1, 1, 4, 4), y = gsn_tensor_make(buf, 1, 1, 3, 3);
    CHECK(gsn_conv2d_reference(&x, w, NULL, 3, 1, 1, &y) == GS_ERR_USAGE); /* needs 4 x 4 */
    CHECK(gsn_conv2d(&x, w, NULL, 3, 1, 1, &y, buf) == GS_ERR_USAGE);
    y = gsn_tensor_make(buf, 1, 2, 4, 4);
    CHECK(gsn_conv2d(&x, w, NULL, 3, 1, 1, &y, buf) == GS_ERR_USAGE); /* batch differs */
}

/* ---- group normalisation ---- */

static double gn_loss(const gsn_tensor *x, int groups, const float *gamma, const float *beta,
                      const float *r, float *ybuf) {
    /* reference in double: normalise each (group, image) by plain loops */
    const int cg = x->c / groups;
    const size_t plane = (size_t)x->h * x->w;
    double loss = 0.0;
    for (int g = 0; g < groups; g++)
        for (int b = 0; b < x->n; b++) {
            double s = 0.0, q = 0.0, cnt = (double)cg * plane;
            for (int c = g * cg; c < (g + 1) * cg; c++)
                for (size_t i = 0; i < plane; i++) s += x->data[((size_t)c * x->n + b) * plane + i];
            double mu = s / cnt;
            for (int c = g * cg; c < (g + 1) * cg; c++)
                for (size_t i = 0; i < plane; i++) {
                    double d = x->data[((size_t)c * x->n + b) * plane + i] - mu;
                    q += d * d;
                }
            double sd = sqrt(q / cnt + 1e-5);
            for (int c = g * cg; c < (g + 1) * cg; c++)
                for (size_t i = 0; i < plane; i++) {
                    size_t at = ((size_t)c * x->n + b) * plane + i;
                    double yv = (x->data[at] - mu) / sd * gamma[c] + beta[c];
                    ybuf[at] = (float)yv;
                    loss += yv * r[at];
                }
        }
    return loss;
}

static void test_groupnorm(void) {
    const int C = 6, N = 2, H = 3, W = 4, G = 3;
    const size_t n = (size_t)C * N * H * W;
    float x[144], y[144], yr[144], r[144], dx[144], gamma[6], beta[6], dg[6] = {0}, dbt[6] = {0};
    float mean[6], rstd[6];
    double num[144];
    fill(x, n, 2.0);
    for (size_t i = 0; i < n; i++) x[i] += 1.5f; /* a mean to remove */
    fill(r, n, 1.0);
    fill(gamma, C, 1.0);
    fill(beta, C, 1.0);
    gsn_tensor tx = gsn_tensor_make(x, C, N, H, W), ty = gsn_tensor_make(y, C, N, H, W);
    CHECK(gsn_groupnorm(&tx, G, gamma, beta, &ty, mean, rstd) == GS_OK);
    gn_loss(&tx, G, gamma, beta, r, yr);
    double worst = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(y[i] - yr[i]) > worst) worst = fabs(y[i] - yr[i]);
    CHECK(worst < 1e-4);
    gsn_tensor tdy = gsn_tensor_make(r, C, N, H, W), tdx = gsn_tensor_make(dx, C, N, H, W);
    CHECK(gsn_groupnorm_backward(&tx, G, gamma, mean, rstd, &tdy, &tdx, dg, dbt) == GS_OK);
    const float eps = 1e-2f;
    CENTRAL_DIFFERENCES(x, (size_t)n, eps, gn_loss(&tx, G, gamma, beta, r, yr), num);
    CHECK(rel_error(dx, num, n) < 2e-3);
    CENTRAL_DIFFERENCES(gamma, (size_t)C, eps, gn_loss(&tx, G, gamma, beta, r, yr), num);
    CHECK(rel_error(dg, num, C) < 1e-3);
    CENTRAL_DIFFERENCES(beta, (size_t)C, eps, gn_loss(&tx, G, gamma, beta, r, yr), num);
    CHECK(rel_error(dbt, num, C) < 1e-3);
    CHECK(gsn_groupnorm(&tx, 4, gamma, beta, &ty, mean, rstd) == GS_ERR_USAGE); /* 6 % 4 */
    /* the fused ReLU is the ReLU of the plain one */
    float yrelu[144];
    gsn_tensor tyr2 = gsn_tensor_make(yrelu, C, N, H, W);
    CHECK(gsn_groupnorm_relu(&tx, G, gamma, beta, &tyr2, mean, rstd) == GS_OK);
    CHECK(gsn_groupnorm(&tx, G, gamma, beta, &ty, mean, rstd) == GS_OK);
    int same = 1, some_cut = 0;
    for (size_t i = 0; i < n; i++) {
        same &= yrelu[i] == (y[i] > 0 ? y[i] : 0.0f);
        some_cut |= y[i] < 0;
    }
    CHECK(same && some_cut);
}

/* ---- ReLU, upsampling, softmax ---- */

static void test_relu(void) {
    float x[6] = {-2, -0.5f, 0, 0.5f, 2, -1}, y[6], dy[6] = {1, 2, 3, 4, 5, 6}, dx[6];
    gsn_relu(x, y, 6);
    gsn_relu_backward(y, dy, dx, 6);
    CHECK(y[0] == 0 && y[2] == 0 && y[3] == 0.5f && y[4] == 2);
    CHECK(dx[0] == 0 && dx[2] == 0 && dx[3] == 4 && dx[4] == 5 && dx[5] == 0);
}

static void test_resampling(void) {
    enum { P = 2, h = 3, w = 5, f = 4, H = 11, W = 19 };
    float x[P * f * f * h * w], y[P * H * W], r[P * H * W], dx[P * f * f * h * w];
    fill(x, sizeof x / sizeof x[0], 1.0);
    fill(r, P * H * W, 1.0);
    /* depth to space: channel a f + b of cell (i, j) lands on pixel (f i + a, f j + b) */
    gsn_depth_to_space(x, h, w, f, H, W, y);
    CHECK(y[0] == x[0] && y[1] == x[h * w] && y[W] == x[f * h * w]);
    CHECK(y[(f + 1) * W + 2 * f + 3] == x[(1 * f + 3) * h * w + 1 * w + 2]);
    /* each backward pass is the adjoint: <op(x), r> == <x, op'(r)> */
    gsn_depth_to_space_backward(r, h, w, f, H, W, dx);
    CHECK_NEAR(dot(y, r, H * W), dot(x, dx, f * f * h * w), 1e-4);
    CHECK(dx[(3 * f + 3) * h * w + 2 * w + 4] == 0.0f); /* pixel (11, 19) is cropped */
    memset(y, 0, sizeof y);
    y[5] = 1.0f;
    gsn_upsample_add(x, P, h, w, f, H, W, y);
    CHECK(y[5] == 1.0f + x[1] && y[H * W + 9 * W + 18] == x[h * w + 2 * w + 4]);
    gsn_upsample_add_backward(r, P, h, w, f, H, W, dx);
    memset(y, 0, sizeof y);
    gsn_upsample_add(x, P, h, w, f, H, W, y);
    CHECK_NEAR(dot(y, r, P * H * W), dot(x, dx, P * h * w), 1e-4);
}

static void test_softmax(void) {
    enum { N = 7 };
    float z[N], d[N];
    double num[N];
    fill(z, N, 2.0);
    double loss = gsn_softmax_xent(z, N, 3, d, 0.5f);
    const float eps = 1e-2f;
    for (int i = 0; i < N; i++) {
        float keep = z[i];
        z[i] = keep + eps;
        double up = gsn_softmax_xent(z, N, 3, NULL, 1.0f);
        z[i] = keep - eps;
        double down = gsn_softmax_xent(z, N, 3, NULL, 1.0f);
        z[i] = keep;
        num[i] = 0.5 * (up - down) / (2.0 * (double)eps);
    }
    CHECK(rel_error(d, num, N) < 1e-3);
    CHECK(loss > 0.0);
    float flat[4] = {1, 1, 1, 1}, prob;
    CHECK_NEAR(gsn_softmax_xent(flat, 4, 0, NULL, 1.0f), log(4.0), 1e-6);
    float peaked[5] = {0, 1, 9, 9, 2};
    CHECK(gsn_argmax(peaked, 5, &prob) == 2); /* first of the ties */
    CHECK(prob > 0.49f && prob < 0.5f);
}

/* The factored softmax against the full logits through the plain ops. */
static void test_factored_xent(void) {
    enum { P = 3, h = 3, w = 4, f = 4, H = 10, W = 15 };
    float coarse[P * h * w], fine[H * W], full[P * H * W], dfull[P * H * W];
    float dc[P * h * w], df[H * W], dc_ref[P * h * w], df_ref[H * W];
    double scratch[2 * h * w];
    fill(coarse, P * h * w, 2.0);
    fill(fine, H * W, 2.0);
    for (int p = 0; p < P; p++) memcpy(full + p * H * W, fine, sizeof fine);
    gsn_upsample_add(coarse, P, h, w, f, H, W, full);
    size_t targets[3] = {0, (size_t)(1 * H + 9) * W + 14, (size_t)(2 * H + 5) * W + 6};
    for (int t = 0; t < 3; t++) {
        double want = gsn_softmax_xent(full, P * H * W, targets[t], dfull, 0.25f);
        double got = gsn_factored_xent(coarse, P, h, w, fine, f, H, W, targets[t], dc, df, 0.25f,
                                       scratch);
        CHECK_NEAR(got, want, 1e-5 * (1.0 + fabs(want)));
        /* gradients: the full ones pushed back through the broadcasts */
        gsn_upsample_add_backward(dfull, P, h, w, f, H, W, dc_ref);
        memset(df_ref, 0, sizeof df_ref);
        for (int p = 0; p < P; p++)
            for (int i = 0; i < H * W; i++) df_ref[i] += dfull[p * H * W + i];
        double worst = 0.0;
        for (int i = 0; i < P * h * w; i++) worst = fmax(worst, fabs(dc[i] - dc_ref[i]));
        for (int i = 0; i < H * W; i++) worst = fmax(worst, fabs(df[i] - df_ref[i]));
        CHECK(worst < 1e-5);
    }
    float p_full, p_fact;
    size_t a = gsn_argmax(full, P * H * W, &p_full);
    CHECK(gsn_factored_argmax(coarse, P, h, w, fine, f, H, W, &p_fact, scratch) == a);
    CHECK_NEAR(p_fact, p_full, 1e-5);
}

/* ---- the rotated crop ---- */

static void test_rotated_crop(void) {
    enum { H = 21, W = 23, S = 7 };
    float img[2 * H * W] = {0}, out[2 * S * S];
    /* a bright pixel two columns right of the centre (10, 11), channel 1 */
    img[H * W + 10 * W + 13] = 1.0f;
    gsn_rotated_crop(img, 2, H, W, 10, 11, 0.0, S, out, S * S);
    CHECK(out[S * S + 3 * S + 5] == 1.0f); /* unturned: two columns right of the crop's centre */
    CHECK(out[3 * S + 5] == 0.0f);         /* channel 0 stays dark */
    /* a quarter turn counter-clockwise (x to y): two rows further along y */
    gsn_rotated_crop(img, 2, H, W, 10, 11, acos(-1.0) / 2, S, out, S * S);
    CHECK_NEAR(out[S * S + 5 * S + 3], 1.0, 1e-6);
    CHECK_NEAR(out[S * S + 3 * S + 5], 0.0, 1e-6);
    /* half a pixel off: the average of the two neighbours, fast path and edge path alike */
    img[5 * W + 6] = 2.0f;
    gsn_rotated_crop(img, 1, H, W, 5, 8.5, 0.0, S, out, S * S);
    CHECK_NEAR(out[3 * S + 1], 1.0, 1e-6); /* samples (5, 6.5) */
    gsn_rotated_crop(img, 1, H, W, 5, 2.5, 0.0, S, out, S * S);
    CHECK_NEAR(out[3 * S + 0], 0.0, 1e-6); /* (5, -0.5): outside half-weighted */
    img[5 * W + 0] = 4.0f;
    gsn_rotated_crop(img, 1, H, W, 5, 2.5, 0.0, S, out, S * S);
    CHECK_NEAR(out[3 * S + 0], 2.0, 1e-6);
    /* outside the image reads as zero, never out of bounds */
    gsn_rotated_crop(img, 2, H, W, 0, 0, 0.3, S, out, S * S);
    CHECK(out[0] == 0.0f);
}

/* The crop's backward pass is its adjoint: <dout, crop(img)> equals
 * <crop_backward(dout), img> for random images at angles that take samples
 * across the image's edge, with a channel stride wider than a channel. */
static void test_rotated_crop_backward(void) {
    enum { H = 13, W = 11, S = 9, C = 3, STRIDE = S * S + 5 };
    static float img[C * H * W], out[C * STRIDE], dout[C * STRIDE], dimg[C * H * W];
    gsu_rng rng;
    gsu_rng_seed(&rng, 11);
    const double angles[] = {0.0, 0.35, 1.9, -2.6};
    const double centres[][2] = {{6, 5}, {2.3, 9.6}, {6, 5}, {11, 1}};
    for (int t = 0; t < 4; t++) {
        for (int i = 0; i < C * H * W; i++) img[i] = (float)gsu_rng_uniform(&rng, -1.0, 1.0);
        for (int i = 0; i < C * STRIDE; i++) dout[i] = (float)gsu_rng_uniform(&rng, -1.0, 1.0);
        for (int i = 0; i < C * H * W; i++) dimg[i] = 0.5f; /* it adds */
        gsn_rotated_crop(img, C, H, W, centres[t][0], centres[t][1], angles[t], S, out, STRIDE);
        gsn_rotated_crop_backward(dout, STRIDE, C, H, W, centres[t][0], centres[t][1], angles[t], S, dimg);
        double lhs = 0.0, rhs = 0.0;
        for (int ch = 0; ch < C; ch++)
            for (int i = 0; i < S * S; i++) lhs += (double)dout[ch * STRIDE + i] * out[ch * STRIDE + i];
        for (int i = 0; i < C * H * W; i++) rhs += (double)(dimg[i] - 0.5f) * img[i];
        CHECK_NEAR(lhs, rhs, 1e-4 * (1.0 + fabs(lhs)));
    }
}

/* ---- Adam ---- */

static void test_adam(void) {
    float p[2] = {1.0f, -2.0f}, g[2], m[2] = {0}, v[2] = {0};
    /* the first step moves each parameter by lr against its gradient's sign */
    g[0] = 3.0f, g[1] = -0.001f;
    gsn_adam(p, g, m, v, 2, 0.1f, 0.9f, 0.999f, 1e-8f, 1);
    CHECK_NEAR(p[0], 0.9, 1e-5);
    CHECK_NEAR(p[1], -1.9, 1e-4);
    /* and it minimises a quadratic */
    for (int t = 2; t < 600; t++) {
        g[0] = 2.0f * (p[0] - 0.5f), g[1] = 2.0f * (p[1] + 0.25f);
        gsn_adam(p, g, m, v, 2, 0.02f, 0.9f, 0.999f, 1e-8f, t);
    }
    CHECK_NEAR(p[0], 0.5, 1e-2);
    CHECK_NEAR(p[1], -0.25, 1e-2);
}

int main(void) {
    gsu_rng_seed(&rng, 7);
    for (size_t i = 0; i < sizeof conv_cases / sizeof conv_cases[0]; i++) test_conv(&conv_cases[i]);
    for (size_t i = 0; i < sizeof rows_cases / sizeof rows_cases[0]; i++) test_conv_rows(&rows_cases[i]);
    test_conv_inference();
    test_conv_shapes();
    test_groupnorm();
    test_relu();
    test_resampling();
    test_softmax();
    test_factored_xent();
    test_rotated_crop();
    test_rotated_crop_backward();
    test_adam();
    return CHECK_DONE();
}
