/* tensor.h: the policy network's small tensor layer (prefix gsn_).
 *
 * Internal to the core (the policy uses it; tests check it). Habits from
 * ggml: a plain struct, buffers owned by the caller (the policy plans them
 * once per network, so nothing allocates inside a step), status returns
 * where a shape can disagree.
 *
 * Layout: every activation is c x n x h x w, contiguous, w fastest ("CNHW":
 * channels outermost), so a convolution is one GEMM over all n images at
 * once: W (cout x cin*k*k) times the im2col matrix (cin*k*k x n*ho*wo) is
 * directly the output (cout x n*ho*wo). Strides follow from the shape. */
#ifndef GENSIM_TENSOR_H
#define GENSIM_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/status.h"

/* A view of a contiguous c x n x h x w float32 array (not owned). */
typedef struct gsn_tensor {
    float *data;    /* (c x n x h x w) */
    int c, n, h, w;
} gsn_tensor;

/* A tensor over data with the given shape. */
gsn_tensor gsn_tensor_make(float *data, int c, int n, int h, int w);
/* Number of elements, c * n * h * w. */
size_t gsn_tensor_count(const gsn_tensor *t);

/* Output side of a convolution over n pixels with kernel k, stride s, padding p. */
int gsn_conv_out(int n, int k, int s, int p);
/* Floats of the scratch a convolution of x with that kernel needs (im2col). */
size_t gsn_conv_scratch(const gsn_tensor *x, int k, int s, int p);

/* y = conv(x, w) + b. w: (y->c x x->c x k x k); b nullable (y->c). col:
 * scratch of gsn_conv_scratch floats. GS_ERR_USAGE when shapes disagree. */
gs_status gsn_conv2d(const gsn_tensor *x, const float *w, const float *b, int k, int s, int p,
                     gsn_tensor *y, float *col);
/* The same result for inference: the im2col is built a few images (or
 * output rows) at a time, so it stays in cache; col (gsn_conv_scratch
 * floats, of which it uses a part) is left holding no backward pass's matrix. */
gs_status gsn_conv2d_inference(const gsn_tensor *x, const float *w, const float *b, int k, int s,
                               int p, gsn_tensor *y, float *col);
/* The same by plain loops: the reference the GEMM path is tested against. */
gs_status gsn_conv2d_reference(const gsn_tensor *x, const float *w, const float *b, int k, int s,
                               int p, gsn_tensor *y);
/* Gradients of gsn_conv2d: dw (as w) and db (nullable) accumulate; dx
 * (nullable, shaped as x) accumulates too, so skip connections can add into
 * the same buffer. col: the im2col matrix the forward pass left, so it is
 * not built twice (NULL: rebuilt in scratch); scratch: gsn_conv_scratch
 * floats, not the same buffer as col. */
gs_status gsn_conv2d_backward(const gsn_tensor *x, const float *w, int k, int s, int p,
                              const gsn_tensor *dy, float *dw, float *db, gsn_tensor *dx,
                              const float *col, float *scratch);

/* A stride-1 "same" convolution (k odd) with dilation d (taps d pixels
 * apart, padding d (k / 2)) by row shifts: the im2col is built over the k
 * horizontal taps only, each image padded by p = d (k / 2) rows above and
 * below, and the k vertical taps become k GEMMs over row offsets of it, so
 * the matrix is k times smaller than im2col's (the transport correlation's,
 * 15 x 15 taps, would be 23 MB) and stays in cache. With n > 1 images the
 * GEMMs also run over the padding rows between images, which are dropped.
 * Floats of the matrix (kept for the backward pass) and of the scratch
 * both passes need: */
size_t gsn_conv_rows_col(const gsn_tensor *x, int k, int d);
size_t gsn_conv_rows_scratch(const gsn_tensor *x, int cout, int k, int d);
/* y = conv(x, w), stride 1, dilation d >= 1, padding d (k / 2). w: (y->c x
 * x->c x k x k). col: gsn_conv_rows_col floats, left for the backward pass;
 * scratch: gsn_conv_rows_scratch floats. GS_ERR_USAGE when shapes disagree. */
gs_status gsn_conv2d_rows(const gsn_tensor *x, const float *w, int k, int d, gsn_tensor *y,
                          float *col, float *scratch);
/* The same result for inference: one image at a time, so the matrix
 * stays in cache; col is left holding no backward pass's matrix. */
gs_status gsn_conv2d_rows_inference(const gsn_tensor *x, const float *w, int k, int d, gsn_tensor *y,
                                    float *col, float *scratch);
/* Its gradients, as gsn_conv2d_backward (dw and dx, nullable, accumulate;
 * no bias). col: what gsn_conv2d_rows left for this x. */
gs_status gsn_conv2d_rows_backward(const gsn_tensor *x, const float *w, int k, int d,
                                   const gsn_tensor *dy, float *dw, gsn_tensor *dx, const float *col,
                                   float *scratch);
/* The dilated stride-1 "same" convolution by plain loops: the reference
 * gsn_conv2d_rows is tested against at d > 1 (gsn_conv2d_reference covers d = 1). */
gs_status gsn_conv2d_dilated_reference(const gsn_tensor *x, const float *w, int k, int d, gsn_tensor *y);

/* Group normalisation per (group of channels, image) followed by a
 * per-channel affine y = xhat * gamma + beta (gamma, beta nullable: 1, 0).
 * mean, rstd: (groups x n) saved for the backward pass. Independent of the
 * batch, so it trains the same at batch 1 and 8. */
gs_status gsn_groupnorm(const gsn_tensor *x, int groups, const float *gamma, const float *beta,
                        gsn_tensor *y, float *mean, float *rstd);
/* Gradients of gsn_groupnorm: dx overwritten; dgamma, dbeta (nullable, c)
 * accumulate. */
gs_status gsn_groupnorm_backward(const gsn_tensor *x, int groups, const float *gamma,
                                 const float *mean, const float *rstd, const gsn_tensor *dy,
                                 gsn_tensor *dx, float *dgamma, float *dbeta);

/* gsn_groupnorm then max(y, 0) in the same pass (the backward pass is
 * gsn_relu_backward, then gsn_groupnorm_backward). */
gs_status gsn_groupnorm_relu(const gsn_tensor *x, int groups, const float *gamma,
                             const float *beta, gsn_tensor *y, float *mean, float *rstd);
/* y = max(gsn_groupnorm(x) + skip, 0) in one pass: the residual blocks'
 * ending (skip shaped as x; the backward pass is gsn_relu_backward, the
 * skip's share of it, then gsn_groupnorm_backward). */
gs_status gsn_groupnorm_add_relu(const gsn_tensor *x, int groups, const float *gamma,
                                 const float *beta, const float *skip, gsn_tensor *y, float *mean,
                                 float *rstd);
/* y = max(x, 0) over count floats (y may be x). */
void gsn_relu(const float *x, float *y, size_t count);
/* dx = dy where y > 0, else 0 (dx may be dy); y is the forward output. */
void gsn_relu_backward(const float *y, const float *dy, float *dx, size_t count);

/* Depth to space: the f*f channels of each cell become its f x f pixels,
 * y (H x W) [f i + a][f j + b] = x (f*f x h x w) [a f + b][i][j]; H, W at
 * most f h, f w (the rest is cropped). This is how a quarter-resolution
 * head still names every full-resolution pixel. */
void gsn_depth_to_space(const float *x, int h, int w, int f, int H, int W, float *y);
/* Its adjoint: dx (f*f x h x w) overwritten (zero where cropped). */
void gsn_depth_to_space_backward(const float *dy, int h, int w, int f, int H, int W, float *dx);
/* Nearest upsampling added to y: y (planes x H x W) [p][Y][X] += x (planes
 * x h x w) [p][Y / f][X / f]. */
void gsn_upsample_add(const float *x, int planes, int h, int w, int f, int H, int W, float *y);
/* Its adjoint: dx (planes x h x w) overwritten with the sums over each cell. */
void gsn_upsample_add_backward(const float *dy, int planes, int h, int w, int f, int H, int W,
                               float *dx);

/* Softmax cross-entropy of n logits against the index target; returns the
 * loss. dlogits (nullable, n) = scale * (softmax - onehot). */
double gsn_softmax_xent(const float *logits, size_t n, size_t target, float *dlogits, float scale);
/* Index of the largest of n values (the first on ties); *prob (nullable)
 * its softmax probability. */
size_t gsn_argmax(const float *x, size_t n, float *prob);

/* A side x side crop of img (c x h x w) centred on (row, col), turned by
 * theta (counter-clockwise with columns as x and rows as y): out (c x side
 * x side) at offset (u, v) samples img at centre + R(-theta) (u, v), so the
 * crop shows the content as it would look after a turn by theta. Bilinear,
 * zero outside the image. out_stride: floats between out's channels. */
void gsn_rotated_crop(const float *img, int c, int h, int w, double row, double col, double theta,
                      int side, float *out, size_t out_stride);

/* The adjoint of gsn_rotated_crop with the same arguments: adds to dimg
 * (c x h x w) what each sample of dout (c x side x side, out_stride
 * between channels) drew from it, with the forward pass's weights. */
void gsn_rotated_crop_backward(const float *dout, size_t out_stride, int c, int h, int w, double row,
                               double col, double theta, int side, float *dimg);

/* Softmax cross-entropy over planes x H x W logits that are a coarse term
 * plus a fine one, l[p][Y][X] = coarse (planes x h x w) [p][Y/f][X/f] +
 * fine (H x W) [Y][X], without forming them: the normaliser factors over
 * the h x w cells (h = ceil(H / f), w = ceil(W / f)). target: (p H + Y) W
 * + X. dcoarse (planes x h x w) and dfine (H x W), nullable, are
 * overwritten with scale times the gradient. scratch: 2 h w doubles.
 * Returns the loss, exactly that of gsn_softmax_xent over the full logits. */
double gsn_factored_xent(const float *coarse, int planes, int h, int w, const float *fine, int f,
                         int H, int W, size_t target, float *dcoarse, float *dfine, float scale,
                         double *scratch);
/* The arg-max of the same logits, (p H + Y) W + X, and its probability
 * (prob nullable). scratch: 2 h w doubles. */
size_t gsn_factored_argmax(const float *coarse, int planes, int h, int w, const float *fine, int f,
                           int H, int W, float *prob, double *scratch);

/* One Adam step over n parameters (t: the step number, from 1). */
void gsn_adam(float *param, const float *grad, float *m, float *v, size_t n, float lr, float beta1,
              float beta2, float eps, int64_t t);

/* A fully connected layer over a batch: y (n x out) = x (n x in) W^T + b,
 * W (out x in) row-major, b nullable. */
void gsn_linear(const float *x, int n, int in, const float *w, const float *b, int out, float *y);
/* Its gradients: dw (out x in) and db (nullable, out) accumulate; dx
 * (nullable, n x in) is overwritten. */
void gsn_linear_backward(const float *x, int n, int in, const float *w, int out, const float *dy, float *dw,
                         float *db, float *dx);
/* The same forward pass by plain loops, the reference of the tests. */
void gsn_linear_reference(const float *x, int n, int in, const float *w, const float *b, int out, float *y);

/* ---- hooks into the policy for its tests (policy.c) ---- */
#include "gensim/policy.h"
/* The policy's flat parameter array, *grads its gradient array, *n their length. */
float *gsn_policy_params(gs_policy *p, float **grads, size_t *n);
/* The network's input planes for an observation and goal (channels x rows
 * x cols, *channels of them), as a pass would see them; valid until the
 * next call on p. */
const float *gsn_policy_input(gs_policy *p, const float *heightmap, const uint8_t *color, const char *lang,
                              int *channels);
/* Loss (mean over the batch) and its gradients into the gradient array,
 * without an optimiser step: for finite-difference checks of the whole net. */
gs_status gsn_policy_gradient(gs_policy *p, const gs_policy_sample *batch, int n, double *loss,
                              char *err, size_t errlen);

#endif
