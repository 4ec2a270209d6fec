/* ladder_spread.c: one ladder with its seeds spread over workers
 * (gs__ladder_spread in library_internal.h), as the generator validates a
 * candidate with --jobs.
 *
 * Rungs 1 and 2 run in one worker; rungs 3 and 4 with the seeds split into
 * contiguous ranges, a worker each; rung 5 the same; rung 6 in the parent,
 * which only reads library files. Every worker loads the task afresh. The
 * result is the one a single worker gives: the seeds after the first failed
 * reset are cleared (one worker stops there), and a worker that crashed
 * counts from its first seed, so a failure on an earlier seed wins as it
 * would have come first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "library/library_internal.h"
#include "task/isolate.h"

enum { PHASE_LOAD, PHASE_RESETS, PHASE_ORACLE };

/* What a worker of a phase reports: the result as it left it, and its
 * first failed reset (or first oracle error). */
typedef struct report {
    gs_ladder_result r;
    int failed;               /* PHASE_RESETS: the first seed whose reset failed, or -1 */
    int max_steps;            /* PHASE_LOAD: the task's */
    int learned;              /* PHASE_LOAD: 1 when its parts are learned (gs__ladder_learned) */
    char why[1024];           /* that reset's message, or the first oracle error */
} report;

typedef struct spread {
    const char *name, *src;
    size_t len;
    const gs_ladder_options *opt;
    int phase, nchunks, next;
    int lo[GS_LADDER_MAX_SEEDS], hi[GS_LADDER_MAX_SEEDS];
    report *got;              /* (nchunks) */
    gs_status st[GS_LADDER_MAX_SEEDS];
    char why[GS_LADDER_MAX_SEEDS][1024];
} spread;

static int spread_next(void *ud, gsl_pool *p) {
    (void)p;
    spread *S = ud;
    return S->next < S->nchunks ? S->next++ : -1;
}

static gs_status spread_work(void *ud, int job, gsl_channel *out, char *err, size_t errlen) {
    spread *S = ud;
    report *rep = calloc(1, sizeof *rep);
    if (!rep) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    rep->r = S->got[job].r; /* the parent's result so far */
    rep->failed = -1;
    gs_task *t = NULL;
    gs_status st;
    if (S->phase == PHASE_LOAD) {
        st = gs__ladder_load(S->name, S->src, S->len, S->opt, &rep->r, &t, err, errlen);
        if (t) {
            rep->max_steps = gs_task_max_steps(t), rep->learned = gs__ladder_learned(t);
            gs__ladder_note_provenance(t, &rep->r);
        }
    } else {
        st = gs_task_load_string(S->name, S->src, S->len, &S->opt->task, &t, err, errlen);
        if (st == GS_OK && S->phase == PHASE_RESETS)
            st = gs__ladder_reset_seeds(t, S->opt, &rep->r, S->lo[job], S->hi[job], &rep->failed, rep->why,
                                        sizeof rep->why) == GS_OK
                     ? GS_OK
                     : gs_fail(err, errlen, GS_ERR_NOMEM, "%s", rep->why);
        else if (st == GS_OK)
            st = gs__ladder_oracle_seeds(t, S->opt, &rep->r, S->lo[job], S->hi[job], rep->why, sizeof rep->why, err, errlen);
    }
    gs_task_free(t);
    if (st == GS_OK && gsl_channel_send(out, GS_MSG_RESULT, rep, sizeof *rep) != GS_OK) st = GS_ERR_IO;
    free(rep);
    return st;
}

static gs_status spread_message(void *ud, gsl_pool *p, int job, int type, const void *data, size_t len, char *err,
                                size_t errlen) {
    (void)p;
    spread *S = ud;
    if (type != GS_MSG_RESULT) return GS_OK;
    if (len != sizeof(report)) return gs_fail(err, errlen, GS_ERR_RUNTIME, "the worker sent a torn ladder result");
    memcpy(&S->got[job], data, sizeof(report));
    return GS_OK;
}

static gs_status spread_done(void *ud, gsl_pool *p, int job, gs_status st, const char *why, char *err,
                             size_t errlen) {
    (void)p, (void)err, (void)errlen;
    spread *S = ud;
    S->st[job] = st;
    snprintf(S->why[job], sizeof S->why[job], "%s", why);
    return GS_OK;
}

/* Runs the phase's chunks over the workers; returns the host's failure,
 * else GS_OK with *crashed the first chunk whose worker failed (or -1). */
static gs_status run_phase(spread *S, int phase, int chunks, const gs_ladder_result *r, int *crashed, char *err,
                           size_t errlen) {
    const gs_ladder_options *opt = S->opt;
    S->phase = phase, S->nchunks = chunks, S->next = 0;
    for (int c = 0; c < chunks; c++) {
        S->lo[c] = opt->seeds * c / chunks, S->hi[c] = opt->seeds * (c + 1) / chunks;
        S->got[c].r = *r;
        S->got[c].failed = -1;
        S->got[c].why[0] = 0;
        S->st[c] = GS_OK;
    }
    gsl_worker_limits lim = gs__worker_limits(&opt->task, 0);
    gsl_pool_ops ops = {spread_next, spread_work, spread_message, spread_done, NULL, NULL, S};
    gs_status st = gsl_pool_run(&ops, gs_jobs_resolve(opt->scale.jobs), 1, &lim, err, errlen);
    *crashed = -1;
    for (int c = 0; c < chunks && st == GS_OK && *crashed < 0; c++) {
        if (S->st[c] == GS_ERR_USAGE || S->st[c] == GS_ERR_NOMEM || S->st[c] == GS_ERR_IO)
            st = gs_fail(err, errlen, S->st[c], "%s", S->why[c]);
        else if (S->st[c] != GS_OK)
            *crashed = c;
    }
    return st;
}

/* Rungs 3 and 4: the first event in seed order decides, a failed reset or
 * a worker that crashed. *crashed: the crashed chunk that decides, or -1. */
static void merge_resets(spread *S, gs_ladder_result *r, int *crashed, const char **why) {
    int failed = -1, chunks = S->nchunks;
    *why = "";
    for (int c = 0; c < chunks && failed < 0; c++) {
        if (S->st[c] != GS_OK) {
            *crashed = c;
            return;
        }
        memcpy(&r->seed[S->lo[c]], &S->got[c].r.seed[S->lo[c]], (size_t)(S->hi[c] - S->lo[c]) * sizeof r->seed[0]);
        if (S->got[c].failed >= 0) failed = S->got[c].failed, *why = S->got[c].why;
    }
    *crashed = -1;
    for (int k = failed + 1; failed >= 0 && k < S->opt->seeds; k++) memset(&r->seed[k], 0, sizeof r->seed[k]);
    gs__ladder_judge_resets(S->name, S->opt, r, failed, *why);
}

/* The three phases and rung 6; r as one worker would leave it. */
static gs_status climb_spread(spread *S, gs_ladder_result *r, int *learned, char *err, size_t errlen) {
    const gs_ladder_options *opt = S->opt;
    int chunks = gs_jobs_resolve(opt->scale.jobs), crashed;
    if (chunks > opt->seeds) chunks = opt->seeds;
    gs_status st = run_phase(S, PHASE_LOAD, 1, r, &crashed, err, errlen);
    if (st != GS_OK || crashed >= 0) return st == GS_OK ? gs__ladder_verdict(r, S->name, S->st[0], S->why[0], err, errlen) : st;
    *r = S->got[0].r;
    int max_steps = S->got[0].max_steps;
    if (r->failed >= 0 || (*learned = S->got[0].learned)) return GS_OK;
    gs_ladder_result before = *r; /* what a worker that crashes now leaves */
    const char *why;
    if ((st = run_phase(S, PHASE_RESETS, chunks, r, &crashed, err, errlen)) != GS_OK) return st;
    merge_resets(S, r, &crashed, &why);
    if (crashed >= 0) {
        *r = before;
        return gs__ladder_verdict(r, S->name, S->st[crashed], S->why[crashed], err, errlen);
    }
    if (r->failed >= 0) return GS_OK;
    r->rungs[GS_RUNG_LEARNABLE] = GS_RUNG_NA; /* a task of primitives: the solvable rung is its, as in climb() */
    before = *r;
    if ((st = run_phase(S, PHASE_ORACLE, chunks, r, &crashed, err, errlen)) != GS_OK) return st;
    if (crashed >= 0) {
        *r = before;
        return gs__ladder_verdict(r, S->name, S->st[crashed], S->why[crashed], err, errlen);
    }
    const char *first_error = "";
    for (int c = 0; c < S->nchunks; c++) {
        memcpy(&r->seed[S->lo[c]], &S->got[c].r.seed[S->lo[c]], (size_t)(S->hi[c] - S->lo[c]) * sizeof r->seed[0]);
        if (!first_error[0]) first_error = S->got[c].why;
    }
    gs__ladder_judge_oracle(S->name, opt, r, first_error, max_steps);
    if (r->failed >= 0) return GS_OK;
    return gs__ladder_novelty(S->name, S->src, S->len, opt, r, err, errlen);
}

gs_status gs__ladder_spread(const char *name, const char *src, size_t len, const gs_ladder_options *opt,
                            gs_ladder_result *r, int *learned, char *err, size_t errlen) {
    *learned = 0;
    memset(r, 0, sizeof *r);
    r->failed = -1;
    if (!name || !src) return gs_fail(err, errlen, GS_ERR_USAGE, "gs_ladder_run: name, src and options are required");
    spread *S = calloc(1, sizeof *S);
    report *got = calloc(GS_LADDER_MAX_SEEDS, sizeof *got);
    if (!S || !got) {
        free(S), free(got);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    }
    S->name = name, S->src = src, S->len = len, S->opt = opt, S->got = got;
    r->seeds = opt->seeds;
    gs_status st = climb_spread(S, r, learned, err, errlen);
    r->passed = st == GS_OK && r->failed < 0;
    free(got);
    free(S);
    return st;
}
