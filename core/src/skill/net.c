/* net.c: the learned skill's actor-critic (skill/net.h). */
#include "skill/net.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/math.h"
#include "policy/tensor.h"

static const char *const LAYER_NAMES[2 * GSK_LAYERS] = {"pi.0", "pi.1", "pi.2", "v.0", "v.1", "v.2"};

/* Lays the parameters out: per network, each layer's weight then bias;
 * the log standard deviations between the two networks. */
static void layout(gsk_net *n) {
    int k = 0;
    size_t at = 0;
    for (int net = 0; net < 2; net++) {
        for (int l = 0; l < GSK_LAYERS; l++) {
            int in = l == 0 ? n->obs : n->hidden;
            int out = l < GSK_LAYERS - 1 ? n->hidden : net == 0 ? GSK_OUT : 1;
            gsk_param *w = &n->params[k++], *b = &n->params[k++];
            snprintf(w->name, sizeof w->name, "%s.weight", LAYER_NAMES[net * GSK_LAYERS + l]);
            snprintf(b->name, sizeof b->name, "%s.bias", LAYER_NAMES[net * GSK_LAYERS + l]);
            w->rows = out, w->cols = in, w->offset = at;
            at += (size_t)out * (size_t)in;
            b->rows = out, b->cols = 0, b->offset = at;
            at += (size_t)out;
        }
        if (net == 0) {
            gsk_param *s = &n->params[k++];
            snprintf(s->name, sizeof s->name, "pi.log_std");
            s->rows = GSK_MOVE, s->cols = 0, s->offset = at;
            at += GSK_MOVE;
        }
    }
    n->nparams = at;
}

float *gsk_net_param(gsk_net *n, const char *name) {
    for (int i = 0; i < GSK_PARAMS; i++)
        if (strcmp(n->params[i].name, name) == 0) return n->w + n->params[i].offset;
    return NULL;
}

const float *gsk_net_log_std(const gsk_net *n) { return n->w + n->params[2 * GSK_LAYERS].offset; }

/* Layer l (0..2) of network net (0 policy, 1 value): its weight and bias. */
static const gsk_param *layer(const gsk_net *n, int net, int l) {
    return &n->params[net * (2 * GSK_LAYERS + 1) + 2 * l];
}

gs_status gsk_net_init(gsk_net *n, int obs, int hidden, int cap, uint64_t seed, double log_std, char *err,
                       size_t errlen) {
    memset(n, 0, sizeof *n);
    if (obs < 1 || obs > 100000 || hidden < 1 || hidden > 4096 || cap < 1)
        return gs_fail(err, errlen, GS_ERR_USAGE, "skill network: %d inputs and %d hidden units do not make a network",
                       obs, hidden);
    n->obs = obs, n->hidden = hidden, n->cap = cap;
    layout(n);
    n->w = calloc(n->nparams, sizeof *n->w);
    n->grad = calloc(n->nparams, sizeof *n->grad);
    n->adam_m = calloc(n->nparams, sizeof *n->adam_m);
    n->adam_v = calloc(n->nparams, sizeof *n->adam_v);
    n->obs_mean = calloc((size_t)obs, sizeof *n->obs_mean);
    n->obs_var = calloc((size_t)obs, sizeof *n->obs_var);
    int ok = n->w && n->grad && n->adam_m && n->adam_v && n->obs_mean && n->obs_var;
    for (int i = 0; i < 4 && ok; i++) ok = (n->act[i] = malloc((size_t)cap * hidden * sizeof(float))) != NULL;
    for (int i = 0; i < 2 && ok; i++) ok = (n->dact[i] = malloc((size_t)cap * hidden * sizeof(float))) != NULL;
    if (!ok) {
        gsk_net_free(n);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "skill network: out of memory");
    }
    for (int i = 0; i < obs; i++) n->obs_var[i] = 1;
    /* Scaled normal weights (Glorot), zero biases; the heads start small so
     * the first policy acts about its mean and the value near 0. */
    gsu_rng rng;
    gsu_rng_seed(&rng, seed);
    for (int net = 0; net < 2; net++)
        for (int l = 0; l < GSK_LAYERS; l++) {
            const gsk_param *w = layer(n, net, l);
            double sd = sqrt(2.0 / (w->rows + w->cols)) * (l == GSK_LAYERS - 1 ? (net == 0 ? 0.01 : 1.0) : 1.0);
            for (size_t i = 0; i < (size_t)w->rows * (size_t)w->cols; i++)
                n->w[w->offset + i] = (float)gsu_rng_normal(&rng, 0, sd);
        }
    float *ls = n->w + n->params[2 * GSK_LAYERS].offset;
    for (int i = 0; i < GSK_MOVE; i++) ls[i] = (float)log_std;
    return GS_OK;
}

void gsk_net_free(gsk_net *n) {
    free(n->w), free(n->grad), free(n->adam_m), free(n->adam_v);
    free(n->obs_mean), free(n->obs_var);
    for (int i = 0; i < 4; i++) free(n->act[i]);
    for (int i = 0; i < 2; i++) free(n->dact[i]);
    memset(n, 0, sizeof *n);
}

void gsk_net_normalize(const gsk_net *n, const float *state, float *x) {
    for (int i = 0; i < n->obs; i++) {
        double v = (state[i] - n->obs_mean[i]) / sqrt(n->obs_var[i] + 1e-8);
        x[i] = (float)fmax(-GSK_OBS_CLIP, fmin(GSK_OBS_CLIP, v));
    }
}

/* Chan's parallel update of the running mean and variance by a batch. */
void gsk_net_observe(gsk_net *n, const float *states, size_t count) {
    if (count == 0) return;
    double total = n->obs_count + (double)count;
    for (int i = 0; i < n->obs; i++) {
        double mean = 0, m2 = 0;
        for (size_t k = 0; k < count; k++) mean += states[k * (size_t)n->obs + (size_t)i];
        mean /= (double)count;
        for (size_t k = 0; k < count; k++) {
            double d = states[k * (size_t)n->obs + (size_t)i] - mean;
            m2 += d * d;
        }
        double delta = mean - n->obs_mean[i];
        double m2_all = n->obs_var[i] * n->obs_count + m2 + delta * delta * n->obs_count * (double)count / total;
        n->obs_mean[i] += delta * (double)count / total;
        n->obs_var[i] = m2_all / total;
    }
    n->obs_count = total;
}

/* y (out) = W x + b, one sample by loops; tanh when hidden. Four rows at
 * a time: their sums are independent, so they overlap, each still added
 * in the order of k, as one row alone. */
static void dense(const gsk_net *n, const gsk_param *wp, const float *x, float *y, int squash) {
    const float *w = n->w + wp->offset, *b = n->w + wp[1].offset;
    const size_t cols = (size_t)wp->cols;
    int o = 0;
    for (; o + 4 <= wp->rows; o += 4) {
        const float *r0 = w + (size_t)o * cols, *r1 = r0 + cols, *r2 = r1 + cols, *r3 = r2 + cols;
        float s0 = b[o], s1 = b[o + 1], s2 = b[o + 2], s3 = b[o + 3];
        for (size_t k = 0; k < cols; k++) {
            float xk = x[k];
            s0 += r0[k] * xk, s1 += r1[k] * xk, s2 += r2[k] * xk, s3 += r3[k] * xk;
        }
        y[o] = s0, y[o + 1] = s1, y[o + 2] = s2, y[o + 3] = s3;
    }
    for (; o < wp->rows; o++) {
        float s = b[o];
        const float *row = w + (size_t)o * cols;
        for (size_t k = 0; k < cols; k++) s += row[k] * x[k];
        y[o] = s;
    }
    if (squash)
        for (o = 0; o < wp->rows; o++) y[o] = tanhf(y[o]);
}

void gsk_net_act(const gsk_net *n, const float *x, float *out, float *value) {
    float h0[4096], h1[4096], v[1];
    dense(n, layer(n, 0, 0), x, h0, 1);
    dense(n, layer(n, 0, 1), h0, h1, 1);
    dense(n, layer(n, 0, 2), h1, out, 0);
    dense(n, layer(n, 1, 0), x, h0, 1);
    dense(n, layer(n, 1, 1), h0, h1, 1);
    dense(n, layer(n, 1, 2), h1, v, 0);
    *value = v[0];
}

static void tanh_inplace(float *x, size_t count) {
    for (size_t i = 0; i < count; i++) x[i] = tanhf(x[i]);
}

void gsk_net_forward(gsk_net *n, const float *x, int b, float *out, float *values) {
    n->x = x;
    size_t bh = (size_t)b * (size_t)n->hidden;
    for (int net = 0; net < 2; net++) {
        const gsk_param *l0 = layer(n, net, 0), *l1 = layer(n, net, 1), *l2 = layer(n, net, 2);
        float *h0 = n->act[2 * net], *h1 = n->act[2 * net + 1];
        gsn_linear(x, b, n->obs, n->w + l0->offset, n->w + l0[1].offset, n->hidden, h0);
        tanh_inplace(h0, bh);
        gsn_linear(h0, b, n->hidden, n->w + l1->offset, n->w + l1[1].offset, n->hidden, h1);
        tanh_inplace(h1, bh);
        gsn_linear(h1, b, n->hidden, n->w + l2->offset, n->w + l2[1].offset, l2->rows, net == 0 ? out : values);
    }
}

void gsk_net_backward(gsk_net *n, int b, const float *dout, const float *dvalues) {
    size_t bh = (size_t)b * (size_t)n->hidden;
    for (int net = 0; net < 2; net++) {
        const gsk_param *l0 = layer(n, net, 0), *l1 = layer(n, net, 1), *l2 = layer(n, net, 2);
        const float *h0 = n->act[2 * net], *h1 = n->act[2 * net + 1];
        float *d1 = n->dact[1], *d0 = n->dact[0];
        gsn_linear_backward(h1, b, n->hidden, n->w + l2->offset, l2->rows, net == 0 ? dout : dvalues,
                            n->grad + l2->offset, n->grad + l2[1].offset, d1);
        for (size_t i = 0; i < bh; i++) d1[i] *= 1 - h1[i] * h1[i];
        gsn_linear_backward(h0, b, n->hidden, n->w + l1->offset, n->hidden, d1, n->grad + l1->offset,
                            n->grad + l1[1].offset, d0);
        for (size_t i = 0; i < bh; i++) d0[i] *= 1 - h0[i] * h0[i];
        gsn_linear_backward(n->x, b, n->obs, n->w + l0->offset, n->hidden, d0, n->grad + l0->offset,
                            n->grad + l0[1].offset, NULL);
    }
}

void gsk_net_zero_grad(gsk_net *n) { memset(n->grad, 0, n->nparams * sizeof *n->grad); }

double gsk_net_step(gsk_net *n, double lr, double max_norm) {
    double sq = 0;
    for (size_t i = 0; i < n->nparams; i++) sq += (double)n->grad[i] * n->grad[i];
    double norm = sqrt(sq);
    if (max_norm > 0 && norm > max_norm) {
        float scale = (float)(max_norm / (norm + 1e-6));
        for (size_t i = 0; i < n->nparams; i++) n->grad[i] *= scale;
    }
    n->adam_t++;
    gsn_adam(n->w, n->grad, n->adam_m, n->adam_v, n->nparams, (float)lr, GSK_ADAM_BETA1, GSK_ADAM_BETA2, GSK_ADAM_EPS,
             n->adam_t);
    return norm;
}
