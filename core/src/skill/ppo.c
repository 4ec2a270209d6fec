/* ppo.c: proximal policy optimisation of a learned unit (skill.h).
 *
 * Per iteration: E whole episodes (E = batch_steps / the unit's steps,
 * rounded up, at least one per thread) collected on the threads with the
 * policy frozen, each episode's scene seed and noise fixed by its index
 * in the run; then the observation statistics take in the batch, rewards
 * are scaled by the running deviation of the discounted return, GAE gives
 * advantages (bootstrapped from the value of the last state unless the
 * task ended the episode), and `epochs` passes of minibatches update both
 * networks with Adam at a rate falling linearly to 0 over the budget. */
#include "skill/ppo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skill/skill_internal.h"

#define LOG_2PI 1.8378770664093453

/* ---- the loss ---- */

static double softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }
static double sigmoid(double x) { return 1 / (1 + exp(-x)); }

double gsk_ppo_logp(const float *out, const float *log_std, const float *act) {
    double lp = 0;
    for (int j = 0; j < GSK_MOVE; j++) {
        double z = (act[j] - out[j]) / exp(log_std[j]);
        lp += -0.5 * z * z - log_std[j] - 0.5 * LOG_2PI;
    }
    double l = out[GSK_MOVE];
    return lp + (act[GSK_MOVE] > 0.5 ? l : 0) - softplus(l);
}

double gsk_ppo_loss(gsk_net *net, const gsk_ppo_batch *b, const gsk_ppo_coef *c, int backward, float *scratch,
                    gsk_ppo_stats *stats) {
    int n = b->n;
    float *out = scratch, *values = out + (size_t)n * GSK_OUT, *dout = values + n, *dv = dout + (size_t)n * GSK_OUT;
    gsk_net_forward(net, b->x, n, out, values);
    const float *ls = gsk_net_log_std(net);
    float *dls = net->grad + (gsk_net_log_std(net) - net->w);
    double policy = 0, value = 0, entropy = 0, clipped = 0, kl = 0, inv = 1.0 / n;
    for (int i = 0; i < n; i++) {
        const float *o = out + (size_t)i * GSK_OUT, *a = b->act + (size_t)i * GSK_OUT;
        double lp = gsk_ppo_logp(o, ls, a);
        double ratio = exp(lp - b->logp_old[i]), A = b->adv[i];
        double lo = 1 - c->clip, hi = 1 + c->clip;
        double surrogate = fmin(ratio * A, fmin(fmax(ratio, lo), hi) * A);
        int active = !((A >= 0 && ratio > hi) || (A < 0 && ratio < lo));
        clipped += !active;
        kl += b->logp_old[i] - lp;
        policy -= surrogate;
        double l = o[GSK_MOVE], p = sigmoid(l);
        double h = softplus(l) - l * p;
        for (int j = 0; j < GSK_MOVE; j++) h += ls[j] + 0.5 * (LOG_2PI + 1);
        entropy += h;
        double dv_i = values[i] - b->ret[i];
        value += 0.5 * dv_i * dv_i;
        if (!backward) continue;
        double g = active ? -A * ratio * inv : 0; /* d loss / d logp */
        float *d = dout + (size_t)i * GSK_OUT;
        for (int j = 0; j < GSK_MOVE; j++) {
            double var = exp(2 * ls[j]), z2 = (a[j] - o[j]) * (a[j] - o[j]) / var;
            d[j] = (float)(g * (a[j] - o[j]) / var);
            dls[j] += (float)(g * (z2 - 1) - c->ent * inv);
        }
        d[GSK_MOVE] = (float)(g * ((a[GSK_MOVE] > 0.5 ? 1 : 0) - p) + c->ent * inv * l * p * (1 - p));
        dv[i] = (float)(c->vf * dv_i * inv);
    }
    if (backward) gsk_net_backward(net, n, dout, dv);
    double loss = (policy + c->vf * value - c->ent * entropy) * inv;
    if (stats) {
        stats->loss = loss, stats->policy = policy * inv, stats->value = value * inv;
        stats->entropy = entropy * inv, stats->clip_fraction = clipped * inv, stats->approx_kl = kl * inv;
    }
    return loss;
}

/* ---- collection ---- */

/* One collected episode. */
typedef struct ppo_episode {
    int n;                    /* steps */
    float *x, *raw;           /* (cap x obs) normalised and raw states */
    float *act;               /* (cap x GSK_OUT) */
    float *logp, *value, *reward, *adv, *ret; /* (cap) */
    float *final_x;           /* (obs) */
    float final_value;
    int terminated, success;
    double ret_sum;
    gsk_terms terms;
    gsu_rng rng;
} ppo_episode;

typedef struct ppo_worker {
    gsk_episode ep;
    struct ppo_run *run;
    ppo_episode *cur;         /* the episode under way */
    float *final_state;
} ppo_worker;

typedef struct ppo_run {
    gsk_learner *l;
    gsk_net *net;
    int obs, cap, target;
    ppo_episode *eps;
    int neps;
    uint64_t first;           /* the run's index of the iteration's first episode */
    ppo_worker *workers;      /* (threads) */
} ppo_run;

static gs_status ppo_decide(void *ud, uint64_t seed, int unit, int k, const float *state, float act[GSK_ACT],
                            char *err, size_t errlen) {
    ppo_worker *w = ud;
    ppo_run *run = w->run;
    if (unit != run->target) return gsk_skill_decide(run->l->skill, seed, unit, k, state, act, err, errlen);
    ppo_episode *e = w->cur;
    if (e->n >= run->cap) return gs_fail(err, errlen, GS_ERR_RUNTIME, "ppo: more steps than the unit allows");
    float *x = e->x + (size_t)e->n * run->obs, *a = e->act + (size_t)e->n * GSK_OUT, out[GSK_OUT], v;
    memcpy(e->raw + (size_t)e->n * run->obs, state, (size_t)run->obs * sizeof *state);
    gsk_net_normalize(run->net, state, x);
    gsk_net_act(run->net, x, out, &v);
    const float *ls = gsk_net_log_std(run->net);
    for (int j = 0; j < GSK_MOVE; j++) a[j] = (float)(out[j] + exp(ls[j]) * gsu_rng_normal(&e->rng, 0, 1));
    a[GSK_MOVE] = gsu_rng_unit(&e->rng) < sigmoid(out[GSK_MOVE]) ? 1.0f : 0.0f;
    e->logp[e->n] = (float)gsk_ppo_logp(out, ls, a);
    e->value[e->n] = v;
    e->reward[e->n] = 0;
    memcpy(act, a, GSK_ACT * sizeof *act);
    e->n++;
    return GS_OK;
}

static void ppo_reward(void *ud, int k, double r, int nterms, const char *const *names, const double *values) {
    ppo_worker *w = ud;
    ppo_episode *e = w->cur;
    if (k >= 0 && k < e->n) e->reward[k] = (float)r;
    e->ret_sum += r;
    gsk_terms_add(&e->terms, nterms, names, values, k == 0);
}

static gs_status collect_job(void *ud, int worker, int i, char *err, size_t errlen) {
    ppo_run *run = ud;
    ppo_worker *w = &run->workers[worker];
    ppo_episode *e = &run->eps[i];
    uint64_t index = run->first + (uint64_t)i;
    e->n = 0, e->ret_sum = 0, e->terminated = e->success = 0;
    memset(&e->terms, 0, sizeof e->terms);
    gsu_rng_seed(&e->rng, gsu_fnv1a(gsu_fnv1a(GSU_FNV_OFFSET, &run->l->o->seed, 8), &index, 8) ^ (uint64_t)run->l->unit);
    w->cur = e;
    gs_episode_result r;
    gs_status st = gsk_episode_run(run->l->tasks[worker], GSK_TRAIN_SEED0 + index, &w->ep, &r, err, errlen);
    if (st != GS_OK) return st;
    e->terminated = w->ep.terminated, e->success = w->ep.success;
    if (e->terminated || e->n == 0) {
        e->final_value = 0;
    } else {
        float out[GSK_OUT];
        gsk_net_normalize(run->net, w->final_state, e->final_x);
        gsk_net_act(run->net, e->final_x, out, &e->final_value);
    }
    return GS_OK;
}

/* ---- the update ---- */

/* The running deviation of the discounted return, which scales rewards. */
typedef struct return_stats {
    double mean, m2, count;
} return_stats;

static void return_stats_add(return_stats *s, double x) {
    s->count += 1;
    double d = x - s->mean;
    s->mean += d / s->count;
    s->m2 += d * (x - s->mean);
}

/* Advantages and value targets of every episode, rewards scaled. */
static void advantages(ppo_run *run, return_stats *rs) {
    const gs_learn_options *o = run->l->o;
    for (int i = 0; i < run->neps; i++) {
        const ppo_episode *e = &run->eps[i];
        double R = 0;
        for (int t = 0; t < e->n; t++) {
            R = o->gamma * R + e->reward[t];
            return_stats_add(rs, R);
        }
    }
    double var = rs->count > 1 ? rs->m2 / rs->count : 1;
    double scale = 1 / sqrt(var + 1e-8);
    for (int i = 0; i < run->neps; i++) {
        ppo_episode *e = &run->eps[i];
        double next_value = e->final_value, A = 0;
        for (int t = e->n - 1; t >= 0; t--) {
            double delta = e->reward[t] * scale + o->gamma * next_value - e->value[t];
            A = delta + o->gamma * o->lambda * A;
            e->adv[t] = (float)A;
            e->ret[t] = (float)(A + e->value[t]);
            next_value = e->value[t];
        }
    }
}

int gsk_ppo_flat_alloc(gsk_ppo_flat *f, int n, int obs, int minibatch) {
    memset(f, 0, sizeof *f);
    f->n = n, f->obs = obs, f->minibatch = minibatch;
    size_t nn = n > 0 ? (size_t)n : 1, m = (size_t)minibatch;
    f->x = malloc(nn * obs * sizeof *f->x), f->act = malloc(nn * GSK_OUT * sizeof *f->act);
    f->logp = malloc(nn * sizeof *f->logp), f->adv = malloc(nn * sizeof *f->adv), f->ret = malloc(nn * sizeof *f->ret);
    f->mx = malloc(m * obs * sizeof *f->mx), f->mact = malloc(m * GSK_OUT * sizeof *f->mact);
    f->mlogp = malloc(m * sizeof *f->mlogp), f->madv = malloc(m * sizeof *f->madv), f->mret = malloc(m * sizeof *f->mret);
    f->scratch = malloc(GSK_PPO_SCRATCH(m) * sizeof *f->scratch), f->perm = malloc(nn * sizeof *f->perm);
    return f->x && f->act && f->logp && f->adv && f->ret && f->mx && f->mact && f->mlogp && f->madv && f->mret &&
           f->scratch && f->perm;
}

void gsk_ppo_flat_free(gsk_ppo_flat *f) {
    free(f->x), free(f->act), free(f->logp), free(f->adv), free(f->ret);
    free(f->mx), free(f->mact), free(f->mlogp), free(f->madv), free(f->mret), free(f->scratch), free(f->perm);
    memset(f, 0, sizeof *f);
}

/* The episodes into f, advantages normalised over the batch. */
static int flat_fill(gsk_ppo_flat *f, const ppo_run *run, int minibatch) {
    int n = 0, obs = run->obs;
    for (int i = 0; i < run->neps; i++) n += run->eps[i].n;
    if (!gsk_ppo_flat_alloc(f, n, obs, minibatch)) return 0;
    int k = 0;
    for (int i = 0; i < run->neps; i++) {
        const ppo_episode *e = &run->eps[i];
        memcpy(f->x + (size_t)k * obs, e->x, (size_t)e->n * obs * sizeof *f->x);
        memcpy(f->act + (size_t)k * GSK_OUT, e->act, (size_t)e->n * GSK_OUT * sizeof *f->act);
        memcpy(f->logp + k, e->logp, (size_t)e->n * sizeof *f->logp);
        memcpy(f->adv + k, e->adv, (size_t)e->n * sizeof *f->adv);
        memcpy(f->ret + k, e->ret, (size_t)e->n * sizeof *f->ret);
        k += e->n;
    }
    double mean = 0, sq = 0;
    for (int i = 0; i < n; i++) mean += f->adv[i];
    mean /= n > 0 ? n : 1;
    for (int i = 0; i < n; i++) sq += (f->adv[i] - mean) * (f->adv[i] - mean);
    double sd = sqrt(sq / (n > 1 ? n : 1)) + 1e-8;
    for (int i = 0; i < n; i++) f->adv[i] = (float)((f->adv[i] - mean) / sd);
    return 1;
}

uint64_t gsk_ppo_update(gsk_net *net, gsk_ppo_flat *f, const gs_learn_options *o, int unit, int iteration, double lr) {
    gsk_ppo_coef c = {o->clip, o->ent_coef, o->vf_coef};
    gsu_rng rng;
    uint64_t key[3] = {o->seed, (uint64_t)unit, (uint64_t)iteration};
    gsu_rng_seed(&rng, gsu_fnv1a(GSU_FNV_OFFSET, key, sizeof key) ^ 0x5eed);
    uint64_t seen = 0;
    int mb = o->minibatch < f->minibatch ? o->minibatch : f->minibatch;
    for (int i = 0; i < f->n; i++) f->perm[i] = i;
    for (int epoch = 0; epoch < o->epochs; epoch++) {
        for (int i = f->n - 1; i > 0; i--) {
            int j = (int)gsu_rng_int(&rng, 0, i), tmp = f->perm[i];
            f->perm[i] = f->perm[j], f->perm[j] = tmp;
        }
        for (int start = 0; start < f->n; start += mb) {
            int m = f->n - start < mb ? f->n - start : mb;
            for (int k = 0; k < m; k++) {
                int s = f->perm[start + k];
                memcpy(f->mx + (size_t)k * f->obs, f->x + (size_t)s * f->obs, (size_t)f->obs * sizeof *f->mx);
                memcpy(f->mact + (size_t)k * GSK_OUT, f->act + (size_t)s * GSK_OUT, GSK_OUT * sizeof *f->mact);
                f->mlogp[k] = f->logp[s], f->madv[k] = f->adv[s], f->mret[k] = f->ret[s];
            }
            gsk_ppo_batch b = {m, f->mx, f->mact, f->mlogp, f->madv, f->mret};
            gsk_net_zero_grad(net);
            gsk_ppo_loss(net, &b, &c, 1, f->scratch, NULL);
            gsk_net_step(net, lr, o->max_grad_norm);
            seen += (uint64_t)m;
        }
    }
    return seen;
}

/* ---- the unit ---- */

static void free_episodes(ppo_run *run) {
    for (int i = 0; run->eps && i < run->neps; i++) {
        ppo_episode *e = &run->eps[i];
        free(e->x), free(e->raw), free(e->act), free(e->logp), free(e->value), free(e->reward), free(e->adv);
        free(e->ret), free(e->final_x);
    }
    free(run->eps);
    for (int w = 0; run->workers && w < run->l->threads; w++) free(run->workers[w].ep.state), free(run->workers[w].final_state);
    free(run->workers);
}

static gs_status alloc_run(ppo_run *run, char *err, size_t errlen) {
    gsk_learner *l = run->l;
    run->eps = calloc((size_t)run->neps, sizeof *run->eps);
    run->workers = calloc((size_t)l->threads, sizeof *run->workers);
    int ok = run->eps && run->workers;
    size_t cap = (size_t)run->cap, obs = (size_t)run->obs;
    for (int i = 0; ok && i < run->neps; i++) {
        ppo_episode *e = &run->eps[i];
        e->x = malloc(cap * obs * sizeof(float)), e->raw = malloc(cap * obs * sizeof(float));
        e->act = malloc(cap * GSK_OUT * sizeof(float)), e->final_x = malloc(obs * sizeof(float));
        e->logp = malloc(cap * sizeof(float)), e->value = malloc(cap * sizeof(float));
        e->reward = malloc(cap * sizeof(float)), e->adv = malloc(cap * sizeof(float)), e->ret = malloc(cap * sizeof(float));
        ok = e->x && e->raw && e->act && e->final_x && e->logp && e->value && e->reward && e->adv && e->ret;
    }
    for (int w = 0; ok && w < l->threads; w++) {
        ppo_worker *pw = &run->workers[w];
        pw->run = run;
        pw->ep.target = run->target, pw->ep.slots = l->skill->slots, pw->ep.decide = ppo_decide, pw->ep.ud = pw;
        pw->ep.reward = ppo_reward;
        pw->ep.state = malloc(obs * sizeof(float)), pw->final_state = malloc(obs * sizeof(float));
        pw->ep.final_state = pw->final_state;
        ok = pw->ep.state && pw->final_state;
    }
    return ok ? GS_OK : gs_fail(err, errlen, GS_ERR_NOMEM, "ppo: out of memory for %d episodes of %d steps", run->neps, run->cap);
}

/* Statistics of an iteration: mean return and success over its episodes;
 * the terms into the result. */
static void iteration_stats(ppo_run *run, double *mean_return, double *success, uint64_t *steps) {
    double ret = 0, won = 0;
    gsk_terms terms;
    memset(&terms, 0, sizeof terms);
    *steps = 0;
    for (int i = 0; i < run->neps; i++) {
        ret += run->eps[i].ret_sum, won += run->eps[i].success;
        *steps += (uint64_t)run->eps[i].n;
        gsk_terms_merge(&terms, &run->eps[i].terms);
    }
    *mean_return = ret / run->neps, *success = won / run->neps;
    gsk_terms_result(&terms, run->l->r);
}

/* One iteration: collect, then update. */
static gs_status iterate(ppo_run *run, int it, uint64_t *unit_steps, return_stats *rs, double *success, char *err,
                         size_t errlen) {
    gsk_learner *l = run->l;
    double t0 = gsk_now();
    run->first = l->episodes;
    gs_status st = gsk_parallel(l, run->neps, collect_job, run, err, errlen);
    if (st != GS_OK) return st;
    double t1 = gsk_now(), mean_return;
    uint64_t steps;
    iteration_stats(run, &mean_return, success, &steps);
    l->episodes += (uint64_t)run->neps, l->env_steps += steps, *unit_steps += steps;
    advantages(run, rs);
    gsk_ppo_flat f;
    if (!flat_fill(&f, run, l->o->minibatch)) {
        gsk_ppo_flat_free(&f);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "ppo: out of memory for a batch of %d steps", f.n);
    }
    double lr = l->o->lr * fmax(0.0, 1.0 - (double)*unit_steps / (double)l->budget);
    if (l->on_batch) l->on_batch(l->batch_ud, run->net, &f);
    uint64_t seen = gsk_ppo_update(run->net, &f, l->o, l->unit, it, lr);
    for (int i = 0; i < run->neps; i++) gsk_net_observe(run->net, run->eps[i].raw, (size_t)run->eps[i].n);
    gsk_ppo_flat_free(&f);
    double t2 = gsk_now();
    l->collect_s += t1 - t0, l->update_s += t2 - t1, l->update_samples += seen;
    l->r->iterations++;
    gsk_learner_report(l, it, l->env_steps, l->episodes, mean_return, *success, steps / fmax(t1 - t0, 1e-9),
                       seen / fmax(t2 - t1, 1e-9));
    return GS_OK;
}

gs_status gsk_ppo_learn(gsk_learner *l, char *err, size_t errlen) {
    const gs_learn_options *o = l->o;
    gsk_unit_model *m = &l->skill->units[l->unit];
    ppo_run run;
    memset(&run, 0, sizeof run);
    run.l = l, run.net = &m->net, run.obs = l->skill->obs, run.target = l->units[l->unit];
    run.cap = gsk_unit_max_steps(l->tasks[0], run.target);
    run.neps = (o->batch_steps + run.cap - 1) / run.cap;
    if (run.neps < l->threads) run.neps = l->threads;
    uint64_t net_seed = gsu_fnv1a(GSU_FNV_OFFSET, &o->seed, sizeof o->seed) + (uint64_t)l->unit;
    gs_status st = gsk_net_init(&m->net, run.obs, o->hidden, o->minibatch, net_seed, o->init_log_std, err, errlen);
    if (st == GS_OK) st = alloc_run(&run, err, errlen);
    /* the first statistics from the initial states of a few episodes'
     * worth of resets would need episodes; the first iteration's
     * normalisation is the identity instead */
    return_stats rs = {0, 0, 0};
    uint64_t unit_steps = 0;
    for (int it = 0; st == GS_OK && unit_steps < l->budget; it++) {
        double success = 0;
        st = iterate(&run, it, &unit_steps, &rs, &success, err, errlen);
        if ((o->stop && *o->stop) || success >= o->target_success) break;
    }
    free_episodes(&run);
    return st;
}
