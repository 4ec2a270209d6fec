/* cem.c: the cross-entropy method over open-loop action sequences, one
 * plan per seed (skill.h).
 *
 * For each of the seeds: a Gaussian over the unit's whole sequence of
 * actions (horizon x 5, in units of the bounds), sampled with noise
 * correlated in time (each step's noise half its predecessor's, which
 * makes smooth motions likelier than jitter), every candidate run as an
 * episode from the seed's deterministic reset; candidates rank by success
 * first, then by return, the elites refit the mean and deviation, and the
 * best half of the elites carry over to the next population (as in iCEM;
 * an episode from a fixed seed is deterministic, so their results are
 * kept rather than run again). A seed stops at its first success or when
 * its share of the budget is spent. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skill/skill_internal.h"

#define CORRELATION 0.8       /* of each step's noise with the step before */
#define MIN_STD 0.02
#define SUCTION_MEAN (-0.3)   /* the suction starts more likely off */

typedef struct cem_worker {
    gsk_episode ep;
    struct cem_seed *seed;
    int candidate;
} cem_worker;

/* One seed's search. */
typedef struct cem_seed {
    gsk_learner *l;
    int target, horizon;
    uint64_t scene_seed;
    float *candidates;        /* (population x horizon x GSK_ACT) */
    double *ret;              /* (population) */
    unsigned char *success;   /* (population) */
    int *steps;               /* (population) */
    gsk_terms *terms;         /* (population) */
    unsigned char *known;     /* (population) 1: a carried-over elite, its results already known */
    cem_worker *workers;      /* (threads) */
} cem_seed;

static gs_status cem_decide(void *ud, uint64_t seed, int unit, int k, const float *state, float act[GSK_ACT],
                            char *err, size_t errlen) {
    cem_worker *w = ud;
    cem_seed *s = w->seed;
    if (unit != s->target) return gsk_skill_decide(s->l->skill, seed, unit, k, state, act, err, errlen);
    const float *plan = s->candidates + (size_t)w->candidate * (size_t)s->horizon * GSK_ACT;
    memcpy(act, plan + (size_t)(k < s->horizon ? k : s->horizon - 1) * GSK_ACT, GSK_ACT * sizeof *act);
    return GS_OK;
}

static void cem_reward(void *ud, int k, double r, int nterms, const char *const *names, const double *values) {
    cem_worker *w = ud;
    w->seed->ret[w->candidate] += r;
    gsk_terms_add(&w->seed->terms[w->candidate], nterms, names, values, k == 0);
}

static gs_status candidate_job(void *ud, int worker, int i, char *err, size_t errlen) {
    cem_seed *s = ud;
    if (s->known[i]) return GS_OK;
    cem_worker *w = &s->workers[worker];
    w->seed = s, w->candidate = i;
    s->ret[i] = 0;
    memset(&s->terms[i], 0, sizeof s->terms[i]);
    gs_episode_result r;
    gs_status st = gsk_episode_run(s->l->tasks[worker], s->scene_seed, &w->ep, &r, err, errlen);
    s->success[i] = st == GS_OK && w->ep.success;
    s->steps[i] = w->ep.steps;
    return st;
}

/* Draws the population from mean and sd after the nkept carried-over
 * candidates (already in place, their results known; with none, candidate
 * 0 is the mean itself). */
static void sample(cem_seed *s, const float *mean, const float *sd, int nkept, gsu_rng *rng) {
    int pop = s->l->o->population;
    size_t len = (size_t)s->horizon * GSK_ACT;
    for (int c = 0; c < pop; c++) s->known[c] = c < nkept;
    for (int c = nkept; c < pop; c++) {
        float *x = s->candidates + (size_t)c * len;
        if (c == 0) {
            memcpy(x, mean, len * sizeof *x);
            continue;
        }
        double noise[GSK_ACT] = {0};
        for (int t = 0; t < s->horizon; t++)
            for (int j = 0; j < GSK_ACT; j++) {
                noise[j] = CORRELATION * noise[j] + sqrt(1 - CORRELATION * CORRELATION) * gsu_rng_normal(rng, 0, 1);
                size_t k = (size_t)t * GSK_ACT + (size_t)j;
                double v = mean[k] + sd[k] * noise[j];
                x[k] = (float)(j < GSK_MOVE ? fmax(-1.0, fmin(1.0, v)) : v);
            }
    }
}

/* Moves the best nkept candidates (by order) to the front with their results. */
static void carry_over(cem_seed *s, const int *order, int nkept, float *scratch) {
    size_t len = (size_t)s->horizon * GSK_ACT;
    double ret[64];
    unsigned char success[64];
    int steps[64];
    gsk_terms *terms = malloc((size_t)nkept * sizeof *terms);
    if (!terms) nkept = 0; /* no carry-over: the next population is all new */
    for (int i = 0; i < nkept; i++) {
        memcpy(scratch + (size_t)i * len, s->candidates + (size_t)order[i] * len, len * sizeof *scratch);
        ret[i] = s->ret[order[i]], success[i] = s->success[order[i]], steps[i] = s->steps[order[i]];
        terms[i] = s->terms[order[i]];
    }
    for (int i = 0; i < nkept; i++) {
        memcpy(s->candidates + (size_t)i * len, scratch + (size_t)i * len, len * sizeof *scratch);
        s->ret[i] = ret[i], s->success[i] = success[i], s->steps[i] = steps[i], s->terms[i] = terms[i];
    }
    free(terms);
}

/* Refits mean and sd to the elites: success first, then return, then index. */
static int refit(cem_seed *s, float *mean, float *sd, int *order) {
    int pop = s->l->o->population, elites = s->l->o->elites;
    for (int i = 0; i < pop; i++) order[i] = i;
    for (int i = 1; i < pop; i++) { /* insertion sort: stable, deterministic */
        int c = order[i], j = i - 1;
        while (j >= 0 && (s->success[order[j]] < s->success[c] ||
                          (s->success[order[j]] == s->success[c] && s->ret[order[j]] < s->ret[c]))) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = c;
    }
    size_t len = (size_t)s->horizon * GSK_ACT;
    for (size_t k = 0; k < len; k++) {
        double m = 0, v = 0;
        for (int e = 0; e < elites; e++) m += s->candidates[(size_t)order[e] * len + k];
        m /= elites;
        for (int e = 0; e < elites; e++) {
            double d = s->candidates[(size_t)order[e] * len + k] - m;
            v += d * d;
        }
        mean[k] = (float)m;
        sd[k] = (float)fmax(MIN_STD, sqrt(v / elites));
    }
    return order[0];
}

/* Plans seed p of the unit into its plan; *steps: environment steps spent. */
static gs_status plan_seed(cem_seed *s, int p, uint64_t budget, float *plan, int *solved, uint64_t *steps,
                           uint64_t *episodes, gsk_terms *terms, char *err, size_t errlen) {
    const gs_learn_options *o = s->l->o;
    size_t len = (size_t)s->horizon * GSK_ACT;
    float *mean = calloc(len, sizeof *mean), *sd = calloc(len, sizeof *sd);
    int *order = calloc((size_t)o->population, sizeof *order);
    if (!mean || !sd || !order) {
        free(mean), free(sd), free(order);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "cem: out of memory");
    }
    for (size_t k = 0; k < len; k++) {
        mean[k] = k % GSK_ACT == GSK_MOVE ? (float)SUCTION_MEAN : 0;
        sd[k] = (float)o->cem_std;
    }
    gsu_rng rng;
    uint64_t key[3] = {o->seed, (uint64_t)s->l->unit, (uint64_t)p};
    gsu_rng_seed(&rng, gsu_fnv1a(GSU_FNV_OFFSET, key, sizeof key));
    double best_score = -INFINITY;
    int nkept = 0, keep = o->elites / 2 < 64 ? o->elites / 2 : 64;
    gs_status st = GS_OK;
    *solved = 0, *steps = 0;
    memset(terms, 0, sizeof *terms); /* none yet, even when the first population fails */
    memcpy(plan, mean, len * sizeof *plan);
    float *scratch = malloc((size_t)(keep > 0 ? keep : 1) * len * sizeof *scratch);
    if (!scratch) st = gs_fail(err, errlen, GS_ERR_NOMEM, "cem: out of memory");
    while (st == GS_OK && !*solved && *steps < budget && !(o->stop && *o->stop)) {
        sample(s, mean, sd, nkept, &rng);
        if ((st = gsk_parallel(s->l, o->population, candidate_job, s, err, errlen)) != GS_OK) break;
        for (int c = nkept; c < o->population; c++) *steps += (uint64_t)s->steps[c];
        *episodes += (uint64_t)(o->population - nkept);
        int top = refit(s, mean, sd, order);
        double score = s->success[top] * 1e12 + s->ret[top];
        if (score > best_score) {
            best_score = score, *solved = s->success[top];
            memcpy(plan, s->candidates + (size_t)top * len, len * sizeof *plan);
            memset(terms, 0, sizeof *terms);
            gsk_terms_merge(terms, &s->terms[top]);
            gsk_terms_return(terms, s->ret[top]);
        }
        carry_over(s, order, nkept = keep, scratch);
        if (o->on_progress) { /* a sign of life within the seed, for a caller that watches for one */
            gs_learn_progress pr = {s->l->unit, s->l->nunits, p, s->l->env_steps + *steps, s->l->episodes + *episodes,
                                    s->ret[0], 0, 0, 0, gsk_now() - s->l->t0};
            o->on_progress(o->ud, &pr);
        }
    }
    free(scratch), free(mean), free(sd), free(order);
    return st;
}

static gs_status alloc_seed(cem_seed *s, char *err, size_t errlen) {
    gsk_learner *l = s->l;
    int pop = l->o->population;
    s->candidates = calloc((size_t)pop * (size_t)s->horizon * GSK_ACT, sizeof *s->candidates);
    s->ret = calloc((size_t)pop, sizeof *s->ret);
    s->success = calloc((size_t)pop, 1);
    s->steps = calloc((size_t)pop, sizeof *s->steps);
    s->terms = calloc((size_t)pop, sizeof *s->terms);
    s->known = calloc((size_t)pop, 1);
    s->workers = calloc((size_t)l->threads, sizeof *s->workers);
    int ok = s->candidates && s->ret && s->success && s->steps && s->terms && s->known && s->workers;
    for (int w = 0; ok && w < l->threads; w++) {
        gsk_episode *e = &s->workers[w].ep;
        e->target = s->target, e->slots = l->skill->slots, e->decide = cem_decide, e->ud = &s->workers[w];
        e->reward = cem_reward;
        ok = (e->state = calloc((size_t)l->skill->obs, sizeof(float))) != NULL;
    }
    return ok ? GS_OK : gs_fail(err, errlen, GS_ERR_NOMEM, "cem: out of memory for %d candidates", pop);
}

static void free_seed(cem_seed *s) {
    for (int w = 0; s->workers && w < s->l->threads; w++) free(s->workers[w].ep.state);
    free(s->candidates), free(s->ret), free(s->success), free(s->steps), free(s->terms), free(s->known);
    free(s->workers);
}

gs_status gsk_cem_learn(gsk_learner *l, char *err, size_t errlen) {
    const gs_learn_options *o = l->o;
    gsk_unit_model *m = &l->skill->units[l->unit];
    cem_seed s;
    memset(&s, 0, sizeof s);
    s.l = l, s.target = l->units[l->unit];
    s.horizon = gsk_unit_max_steps(l->tasks[0], s.target);
    m->nplans = o->cem_seeds, m->horizon = s.horizon;
    m->seeds = calloc((size_t)m->nplans, sizeof *m->seeds);
    m->plans = calloc((size_t)m->nplans * (size_t)m->horizon * GSK_ACT, sizeof *m->plans);
    m->solved = calloc((size_t)m->nplans, 1);
    gs_status st = m->seeds && m->plans && m->solved ? alloc_seed(&s, err, errlen)
                                                     : gs_fail(err, errlen, GS_ERR_NOMEM, "cem: out of memory");
    gsk_terms all;
    memset(&all, 0, sizeof all);
    int solved_count = 0;
    uint64_t per_seed = l->budget / (uint64_t)o->cem_seeds;
    for (int p = 0; st == GS_OK && p < o->cem_seeds; p++) {
        double t0 = gsk_now();
        m->seeds[p] = s.scene_seed = o->eval_seed + (uint64_t)p;
        int solved = 0;
        uint64_t steps = 0, episodes = 0;
        gsk_terms terms;
        st = plan_seed(&s, p, per_seed, m->plans + (size_t)p * (size_t)m->horizon * GSK_ACT, &solved, &steps, &episodes,
                       &terms, err, errlen);
        m->solved[p] = (unsigned char)solved;
        solved_count += solved;
        gsk_terms_merge(&all, &terms);
        l->env_steps += steps;
        l->episodes += episodes;
        double dt = gsk_now() - t0;
        l->collect_s += dt;
        l->r->iterations++;
        gsk_learner_report(l, p + 1, l->env_steps, l->episodes, s.ret[0], (double)solved_count / (p + 1),
                           steps / fmax(dt, 1e-9), 0);
        if (o->stop && *o->stop) break;
    }
    gsk_terms_result(&all, l->r);
    free_seed(&s);
    return st;
}
