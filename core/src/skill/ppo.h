/* skill/ppo.h (internal): PPO's loss, for the learner and its tests. */
#ifndef GS_SKILL_PPO_H
#define GS_SKILL_PPO_H

#include <stdint.h>

#include "gensim/skill.h"
#include "skill/net.h"

/* A minibatch of n samples. */
typedef struct gsk_ppo_batch {
    int n;
    const float *x;           /* (n x obs) normalised observations */
    const float *act;         /* (n x 5) the Gaussian samples of the move, then 1 or 0 for the suction taken */
    const float *logp_old;    /* (n) their log-probabilities when collected */
    const float *adv;         /* (n) advantages */
    const float *ret;         /* (n) value targets */
} gsk_ppo_batch;

typedef struct gsk_ppo_coef {
    double clip, ent, vf;
} gsk_ppo_coef;

typedef struct gsk_ppo_stats {
    double loss, policy, value, entropy, clip_fraction, approx_kl;
} gsk_ppo_stats;

/* Floats of scratch the loss needs for n samples. */
#define GSK_PPO_SCRATCH(n) ((size_t)(n) * (2 * GSK_OUT + 2))
/* The mean clipped-surrogate loss plus vf * 0.5 (V - ret)^2 minus ent *
 * entropy over b; with backward, its gradients are added to net->grad.
 * b->n <= net->cap. */
double gsk_ppo_loss(gsk_net *net, const gsk_ppo_batch *b, const gsk_ppo_coef *c, int backward, float *scratch,
                    gsk_ppo_stats *stats);
/* The log-probability of act (GSK_OUT: the move's sample, the suction
 * taken as 1 or 0) under the policy's out (GSK_OUT) and log_std (4). */
double gsk_ppo_logp(const float *out, const float *log_std, const float *act);

/* An iteration's batch, flat in episode order, as the update takes it,
 * with the scratch of one minibatch (of minibatch samples). */
typedef struct gsk_ppo_flat {
    int n, obs, minibatch;
    float *x, *act, *logp, *adv, *ret; /* (n x obs), (n x GSK_OUT), (n) each; adv normalised */
    float *mx, *mact, *mlogp, *madv, *mret, *scratch; /* a minibatch */
    int *perm;                /* (n) */
} gsk_ppo_flat;

/* Room for n samples of obs floats and a minibatch; 0 when out of memory
 * (free it all the same). */
int gsk_ppo_flat_alloc(gsk_ppo_flat *f, int n, int obs, int minibatch);
void gsk_ppo_flat_free(gsk_ppo_flat *f);
/* o->epochs passes over f in minibatches of o->minibatch (f's), shuffled
 * by the learner's seed, unit and iteration, each an Adam step at rate lr
 * with the gradients' norm clipped to o->max_grad_norm; returns the
 * samples seen. */
uint64_t gsk_ppo_update(gsk_net *net, gsk_ppo_flat *f, const gs_learn_options *o, int unit, int iteration, double lr);

#endif
