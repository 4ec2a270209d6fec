/* skill/net.h (internal): a learned skill's actor-critic (prefix gsk_).
 *
 * Two MLPs over the normalised state: the policy obs -> hidden -> hidden
 * -> 5 (tanh between; the means of dx, dy, dz, dyaw in units of their
 * bounds, and the suction's logit) with a learned log standard deviation
 * per move dimension, and the value obs -> hidden -> hidden -> 1. Every
 * parameter lives in one flat array (gradients and Adam's moments beside
 * it), named for the checkpoint. Batches run on the tensor layer's GEMM;
 * one sample at a time by plain loops, which is faster at this size. */
#ifndef GS_SKILL_NET_H
#define GS_SKILL_NET_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/status.h"

#define GSK_MOVE 4            /* dx, dy, dz, dyaw */
#define GSK_OUT 5             /* the move's means and the suction's logit */
#define GSK_LAYERS 3
#define GSK_OBS_CLIP 10.0f    /* normalised observations are clipped to this */
/* Adam (gsk_net_step): the moments' decays and the epsilon added to the
 * square root of the second moment before its bias correction. */
#define GSK_ADAM_BETA1 0.9f
#define GSK_ADAM_BETA2 0.999f
#define GSK_ADAM_EPS 1e-5f

typedef struct gsk_param {
    char name[32];            /* "pi.0.weight", ... */
    int rows, cols;           /* cols 0: a vector of rows */
    size_t offset;            /* into the flat arrays */
} gsk_param;

#define GSK_PARAMS (4 * GSK_LAYERS + 1)

typedef struct gsk_net {
    int obs, hidden;
    size_t nparams;
    gsk_param params[GSK_PARAMS]; /* pi layers (weight, bias) x 3, log_std, v layers x 3 */
    float *w, *grad, *adam_m, *adam_v; /* (nparams) each */
    int64_t adam_t;
    double *obs_mean, *obs_var; /* (obs) running statistics */
    double obs_count;
    int cap;                  /* batch capacity of the scratch below */
    const float *x;           /* the batch gsk_net_forward last saw (the caller's) */
    float *act[4], *dact[2];  /* scratch: hidden activations (pi h0, h1, v h0, h1), their gradients */
} gsk_net;

/* A network for obs floats with hidden units, weights drawn from seed, the
 * log standard deviations at log_std; scratch for batches of cap. */
gs_status gsk_net_init(gsk_net *n, int obs, int hidden, int cap, uint64_t seed, double log_std, char *err,
                       size_t errlen);
void gsk_net_free(gsk_net *n);
/* Views of named parameters. */
float *gsk_net_param(gsk_net *n, const char *name);
const float *gsk_net_log_std(const gsk_net *n);

/* Normalises a raw state (obs floats) into x with the running statistics. */
void gsk_net_normalize(const gsk_net *n, const float *state, float *x);
/* Folds count raw states (count x obs) into the running statistics. */
void gsk_net_observe(gsk_net *n, const float *states, size_t count);

/* One sample: out (GSK_OUT) and *value from a normalised x. */
void gsk_net_act(const gsk_net *n, const float *x, float *out, float *value);
/* A batch of b (<= cap) normalised rows x (b x obs): out (b x GSK_OUT) and
 * values (b), keeping the activations for gsk_net_backward. */
void gsk_net_forward(gsk_net *n, const float *x, int b, float *out, float *values);
/* Accumulates into grad the gradients of a loss whose derivatives are dout
 * (b x GSK_OUT) and dvalues (b), after gsk_net_forward on the same batch. */
void gsk_net_backward(gsk_net *n, int b, const float *dout, const float *dvalues);
/* Zeroes the gradients. */
void gsk_net_zero_grad(gsk_net *n);
/* Clips the gradients' global norm to max_norm (<= 0: no clip) and takes
 * one Adam step at rate lr; returns the norm before clipping. */
double gsk_net_step(gsk_net *n, double lr, double max_norm);

#endif
