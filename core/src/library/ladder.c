/* ladder.c: the validation ladder a task climbs before it enters the library.
 *
 * The task is loaded once; rungs 3 and 4 share one episode per seed whose
 * actor does nothing (reset, check, reward at reset, then up to idle_s of
 * simulated time with no action), and rung 5 runs one oracle episode per
 * seed on the same seeds (each episode resets afresh, so the idle wait does
 * not disturb it).
 * Rung 6 compares the task with every .lua file of the library folders. */
#include <stdarg.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gensim/episode.h"
#include "gensim/io.h"
#include "gensim/library.h"
#include "library/library_internal.h"
#include "skill/terms.h"
#include "task/isolate.h"

#define MAX_LIBRARY_FILE (1 << 20)

static const char *const RUNG_NAMES[GS_RUNG_COUNT] = {"syntax",   "shape",     "runtime", "nontrivial",
                                                      "solvable", "learnable", "novel"};

static void fail_rung(gs_ladder_result *r, gs_rung rung, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pass_rung(gs_ladder_result *r, gs_rung rung);
static gs_status reset_and_idle(gs_task *t, gs_ladder_seed *s, double idle_s, char *why,
                                size_t whylen);
static gs_status novelty(const char *path, const char *src, size_t len,
                         const gs_ladder_options *opt, gs_ladder_result *r);

gs_status gs__ladder_novelty(const char *name, const char *src, size_t len, const gs_ladder_options *opt,
                             gs_ladder_result *r, char *err, size_t errlen) {
    if (novelty(name, src, len, opt, r) != GS_OK)
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory comparing %s with the library", name);
    return GS_OK;
}
static const char *base_name(const char *path);
static void copy_text(char *dst, size_t n, const char *src);
/* In a worker's child, every passed rung goes to the parent, so a crash
 * on the next one is charged to that rung. */
static gsl_channel *progress;

gs_ladder_options gs_ladder_options_default(void) {
    gs_ladder_options o;
    memset(&o, 0, sizeof o);
    o.seeds = 8;
    o.min_solved = gs_ladder_min_solved(o.seeds);
    o.first_seed = 0;
    o.idle_s = 3;
    o.task = gs_task_options_default();
    o.ndirs = 0;
    o.code_threshold = 0.95;
    o.threshold = 0.9;
    o.scale = gs_scale_default();
    o.learn_steps = 40000;
    o.learn_seeds = 4;
    o.learn_threshold = 0.5;
    o.learn_threads = 1;
    return o;
}

int gs_ladder_min_solved(int seeds) { return seeds > 0 ? (7 * seeds + 7) / 8 : 1; }

const char *gs_rung_name(int rung) {
    return rung >= 0 && rung < GS_RUNG_COUNT ? RUNG_NAMES[rung] : "?";
}

int gs_rung_parse(const char *s) {
    for (int i = 0; s && i < GS_RUNG_COUNT; i++)
        if (strcmp(s, RUNG_NAMES[i]) == 0) return i;
    return -1;
}

static gs_status check_options(const gs_ladder_options *opt, char *err, size_t errlen) {
    if (opt->seeds < 1 || opt->seeds > GS_LADDER_MAX_SEEDS)
        return gs_fail(err, errlen, GS_ERR_USAGE, "seeds must be 1..%d, not %d", GS_LADDER_MAX_SEEDS, opt->seeds);
    if (opt->min_solved < 1 || opt->min_solved > opt->seeds)
        return gs_fail(err, errlen, GS_ERR_USAGE, "min_solved must be 1..%d (the seeds), not %d", opt->seeds,
                       opt->min_solved);
    if (!(opt->idle_s >= 0 && opt->idle_s <= 60))
        return gs_fail(err, errlen, GS_ERR_USAGE, "idle_s must be 0..60 seconds");
    if (!(opt->threshold > 0 && opt->threshold <= 1) || !(opt->code_threshold > 0 && opt->code_threshold <= 1))
        return gs_fail(err, errlen, GS_ERR_USAGE, "similarity thresholds must be in (0, 1]");
    if (opt->ndirs < 0 || opt->ndirs > GS_LADDER_MAX_DIRS)
        return gs_fail(err, errlen, GS_ERR_USAGE, "at most %d library folders", GS_LADDER_MAX_DIRS);
    if (opt->first_seed > UINT64_MAX - (uint64_t)opt->seeds)
        return gs_fail(err, errlen, GS_ERR_USAGE, "the seeds overflow");
    if (opt->learn_seeds < 1 || opt->learn_seeds > GS_LADDER_MAX_SEEDS || opt->learn_threads < 1 ||
        opt->learn_threads > 64 || opt->learn_steps < 1 || !(opt->learn_threshold > 0 && opt->learn_threshold <= 1))
        return gs_fail(err, errlen, GS_ERR_USAGE, "learnable: learn_seeds 1..%d, learn_threads 1..64, learn_steps >= 1 "
                       "and learn_threshold in (0, 1]", GS_LADDER_MAX_SEEDS);
    return GS_OK;
}

/* Rungs 1 and 2, from the one load: *t is the loaded task when both pass. */
gs_status gs__ladder_load(const char *name, const char *src, size_t len, const gs_ladder_options *opt,
                            gs_ladder_result *r, gs_task **t, char *err, size_t errlen) {
    char why[1024];
    *t = NULL;
    gs_status st = gs_task_load_string(name, src, len, &opt->task, t, why, sizeof why);
    if (st == GS_ERR_NOMEM) return gs_fail(err, errlen, st, "%s", why);
    if (st == GS_ERR_SYNTAX) {
        fail_rung(r, GS_RUNG_SYNTAX, "%s", why);
        return GS_OK;
    }
    pass_rung(r, GS_RUNG_SYNTAX);
    if (st != GS_OK) {
        /* a runtime error or a limit while the chunk itself ran (before it
         * returned its table) is a shape failure too: there is no task yet */
        fail_rung(r, GS_RUNG_SHAPE, "%s", why);
        return GS_OK;
    }
    /* every API symbol the code names must exist, even on paths no seed takes */
    int line;
    int unknown = gs_check_api_symbols(src, len, &line, why, sizeof why);
    if (unknown < 0) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory checking %s", name);
    else if (unknown) fail_rung(r, GS_RUNG_SHAPE, "%s:%d: %s", name, line, why);
    if (st != GS_OK || unknown) {
        gs_task_free(*t);
        *t = NULL;
        return st;
    }
    pass_rung(r, GS_RUNG_SHAPE);
    copy_text(r->name, sizeof r->name, gs_task_name(*t));
    copy_text(r->description, sizeof r->description, gs_task_description(*t));
    return GS_OK;
}

gs_status gs__ladder_reset_seeds(gs_task *t, const gs_ladder_options *opt, gs_ladder_result *r, int lo, int hi,
                                 int *failed, char *why, size_t whylen) {
    *failed = -1;
    for (int k = lo; k < hi; k++) {
        gs_ladder_seed *s = &r->seed[k];
        s->seed = opt->first_seed + (uint64_t)k;
        s->reset = reset_and_idle(t, s, opt->idle_s, why, whylen);
        if (s->reset == GS_ERR_NOMEM) return GS_ERR_NOMEM;
        if (s->reset != GS_OK) { /* the rung has failed: the seeds after it cannot change that */
            *failed = k;
            return GS_OK;
        }
    }
    return GS_OK;
}

void gs__ladder_judge_resets(const char *name, const gs_ladder_options *opt, gs_ladder_result *r, int failed,
                             const char *why) {
    if (failed >= 0) {
        fail_rung(r, GS_RUNG_RUNTIME, "reset failed on seed %" PRIu64 " (%d of %d seeds): %s", r->seed[failed].seed,
                  failed + 1, opt->seeds, why);
        return;
    }
    pass_rung(r, GS_RUNG_RUNTIME);
    int trivial_bad = -1;
    for (int k = 0; k < opt->seeds && trivial_bad < 0; k++)
        if (r->seed[k].met_at_reset || r->seed[k].idle_success) trivial_bad = k;
    if (trivial_bad < 0) {
        pass_rung(r, GS_RUNG_NONTRIVIAL);
        return;
    }
    const gs_ladder_seed *s = &r->seed[trivial_bad];
    if (s->met_at_reset)
        fail_rung(r, GS_RUNG_NONTRIVIAL,
                  "%s: on seed %" PRIu64 " the goals are already met right after reset "
                  "(reward %.2f): reset must place the objects away from their targets",
                  name, s->seed, s->reward_at_reset);
    else
        fail_rung(r, GS_RUNG_NONTRIVIAL,
                  "%s: on seed %" PRIu64 " doing nothing for %.1f s succeeds (reward %.2f at "
                  "reset): objects fall or slide into their targets by themselves; place "
                  "them at rest and away from the targets",
                  name, s->seed, opt->idle_s, s->reward_at_reset);
}

/* Rungs 3 and 4: one reset per seed; every seed is tried for rung 3 before
 * rung 4 is judged. */
static gs_status climb_seeds(gs_task *t, const char *name, const gs_ladder_options *opt,
                             gs_ladder_result *r, char *err, size_t errlen) {
    char why[1024] = "";
    int failed;
    if (gs__ladder_reset_seeds(t, opt, r, 0, opt->seeds, &failed, why, sizeof why) != GS_OK)
        return gs_fail(err, errlen, GS_ERR_NOMEM, "%s", why);
    gs__ladder_judge_resets(name, opt, r, failed, why);
    return GS_OK;
}

/* One oracle episode on s->seed: its outcome, and with it in words why it
 * failed (and its last frame with opt->render_dir). why gets the
 * episode's error. */
static gs_status oracle_seed(gs_task *t, const gs_ladder_options *opt, gs_ladder_seed *s, char *why,
                             size_t whylen) {
    gs_diagnosis diag;
    gs_pictures pics;
    memset(&diag, 0, sizeof diag);
    memset(&pics, 0, sizeof pics);
    pics.dir = opt->render_dir;
    gs_observer obs[2] = {gs_diagnosis_observer(&diag), gs_pictures_observer(&pics)};
    gs_episode_result ep;
    s->ran = 1;
    s->oracle = gs_episode_run(t, s->seed, gs_actor_oracle(), obs, opt->render_dir ? 2 : 1, &ep, why, whylen);
    s->solved = s->oracle == GS_OK && ep.success;
    s->reward = ep.reward;
    s->steps = ep.steps;
    copy_text(s->diagnosis, sizeof s->diagnosis, diag.text);
    if (opt->render_dir && pics.status == GS_OK) copy_text(s->picture, sizeof s->picture, pics.last);
    return s->oracle;
}

gs_status gs__ladder_oracle_seeds(gs_task *t, const gs_ladder_options *opt, gs_ladder_result *r, int lo, int hi,
                                  char *first_error, size_t n, char *err, size_t errlen) {
    char why[1024];
    first_error[0] = 0;
    for (int k = lo; k < hi; k++) {
        gs_ladder_seed *s = &r->seed[k];
        oracle_seed(t, opt, s, why, sizeof why);
        if (s->oracle == GS_ERR_NOMEM) return gs_fail(err, errlen, GS_ERR_NOMEM, "%s", why);
        if (s->oracle != GS_OK && !first_error[0]) {
            int at = snprintf(first_error, n, "seed %" PRIu64 ": ", s->seed);
            copy_text(first_error + at, n - (size_t)at, why);
        }
    }
    return GS_OK;
}

/* The solvable rung's lead for the example seed: the first error, else
 * what the worst failed episode came to. */
static void solvable_detail(const gs_ladder_result *r, int worst, int max_steps, const char *first_error,
                            char *detail, size_t n) {
    detail[0] = 0;
    if (first_error[0]) {
        snprintf(detail, n, "; the oracle raised an error on %s", first_error);
        return;
    }
    if (worst < 0) return;
    const gs_ladder_seed *s = &r->seed[worst];
    int used = s->diagnosis[0] ? snprintf(detail, n, "; on seed %" PRIu64 " (reward %.2f): %s", s->seed, s->reward,
                                          s->diagnosis)
                               : snprintf(detail, n, "; on seed %" PRIu64 " (reward %.2f after %d of %d steps) the "
                                          "oracle stopped or ran out of steps before the goals were met",
                                          s->seed, s->reward, s->steps, max_steps);
    if (s->picture[0] && used > 0 && (size_t)used < n)
        snprintf(detail + used, n - (size_t)used, "; its last frame: %s", s->picture);
}

void gs__ladder_judge_oracle(const char *name, const gs_ladder_options *opt, gs_ladder_result *r,
                             const char *first_error, int max_steps) {
    int worst = -1;
    r->solved = 0;
    for (int k = 0; k < opt->seeds; k++) {
        const gs_ladder_seed *s = &r->seed[k];
        r->solved += s->solved;
        if (!s->solved && s->oracle == GS_OK && (worst < 0 || s->reward < r->seed[worst].reward)) worst = k;
    }
    if (r->solved >= opt->min_solved) {
        pass_rung(r, GS_RUNG_SOLVABLE);
        return;
    }
    char detail[1500];
    solvable_detail(r, worst, max_steps, first_error, detail, sizeof detail);
    fail_rung(r, GS_RUNG_SOLVABLE, "%s: the oracle succeeded on %d of %d seeds, %d needed%s", name, r->solved,
              opt->seeds, opt->min_solved, detail);
}

/* Rung 5: oracle episodes on the same seeds. */
static gs_status climb_solvable(gs_task *t, const char *name, const gs_ladder_options *opt,
                                gs_ladder_result *r, char *err, size_t errlen) {
    char first_error[1024];
    gs_status st = gs__ladder_oracle_seeds(t, opt, r, 0, opt->seeds, first_error, sizeof first_error, err, errlen);
    if (st == GS_OK) gs__ladder_judge_oracle(name, opt, r, first_error, gs_task_max_steps(t));
    return st;
}

void gs__ladder_note_provenance(gs_task *t, gs_ladder_result *r) {
    char *prov = gs_task_provenance_json(t);
    if (prov && strlen(prov) < sizeof r->provenance) memcpy(r->provenance, prov, strlen(prov) + 1);
    free(prov);
}

int gs__ladder_learned(gs_task *t) {
    int n = gs_task_subtask_count(t), learned = gs_task_continuous(t);
    for (int i = 0; i < n; i++) learned |= gs_task_subtask(t, i).learned;
    return learned;
}

/* The reward's terms over the best plans, for the model: "dist mean 0.14
 * (0.02 .. 0.3; first step 0.15, last 0.13)". */
static void terms_text(const gs_ladder_result *r, char *out, size_t n) {
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; i < r->nterms && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%s mean %.3g (%.3g .. %.3g; first step %.3g, last %.3g)",
                                 i ? "; " : "", r->terms[i].name, r->terms[i].mean, r->terms[i].min, r->terms[i].max,
                                 r->terms[i].first, r->terms[i].last);
}

/* The learner's progress: the worker's sign of life. */
static void learn_heartbeat(void *ud, const gs_learn_progress *p) {
    (void)p;
    if (progress) gsl_channel_send(progress, GS_MSG_RESULT, ud, sizeof(gs_ladder_result));
}

/* Rung 5 for a learned task: CEM plans learn_seeds seeds within
 * learn_steps; enough of them must succeed. */
static gs_status climb_learnable(gs_task *t, const char *name, const char *src, size_t len,
                                 const gs_ladder_options *opt, gs_ladder_result *r, char *err, size_t errlen) {
    (void)t;
    gs_learn_options lo = gs_learn_options_default();
    lo.task = name, lo.source = src, lo.source_len = len, lo.task_opt = opt->task;
    lo.algo = GS_LEARN_CEM, lo.steps = opt->learn_steps, lo.threads = opt->learn_threads;
    lo.cem_seeds = opt->learn_seeds, lo.eval_seed = opt->first_seed, lo.population = 32, lo.elites = 6;
    lo.on_progress = learn_heartbeat, lo.ud = r;
    learn_heartbeat(r, NULL); /* the parent learns that solvable does not apply */
    gs_learn_result lr;
    char why[1024];
    gs_status st = gs_learn(&lo, &lr, why, sizeof why);
    if (st == GS_ERR_NOMEM) return gs_fail(err, errlen, st, "%s", why);
    r->learn_solved = lr.eval_successes, r->learn_steps = (double)lr.env_steps;
    r->nterms = lr.nterms;
    memcpy(r->terms, lr.terms, sizeof r->terms);
    r->learn_return = lr.returns;
    int needed = (int)ceil(opt->learn_threshold * opt->learn_seeds - 1e-9);
    r->learn_seeds = opt->learn_seeds, r->learn_needed = needed, r->learn_budget = (double)opt->learn_steps;
    if (st != GS_OK) {
        fail_rung(r, GS_RUNG_LEARNABLE, "%s: learning from the reward failed: %s", name, why);
        return GS_OK;
    }
    if (lr.eval_successes >= needed) {
        pass_rung(r, GS_RUNG_LEARNABLE);
        snprintf(r->rung_message[GS_RUNG_LEARNABLE], sizeof r->rung_message[GS_RUNG_LEARNABLE],
                 "CEM solved %d of %d seeds in %.0f steps", lr.eval_successes, opt->learn_seeds, r->learn_steps);
        return GS_OK;
    }
    char terms[900];
    terms_text(r, terms, sizeof terms);
    fail_rung(r, GS_RUNG_LEARNABLE,
              "%s: CEM reached success(env) on %d of %d seeds within %.0f steps, %d needed: the reward never led "
              "to success. Make reward(env) grow steadily as the task nears what success(env) tests (a term for "
              "the distance still to go, one for bringing the cup to the object it must move, a bonus when "
              "success holds), check the sign of each term, and make success reachable within max_steps moves "
              "of at most 0.04 m. %s%s",
              name, lr.eval_successes, opt->learn_seeds, r->learn_steps, needed,
              terms[0] ? "The reward's terms over the best attempts: " : "", terms);
    return GS_OK;
}

/* The ladder in this process. */
static gs_status climb(const char *name, const char *src, size_t len, const gs_ladder_options *opt,
                       gs_ladder_result *r, char *err, size_t errlen);

gs_status gs__ladder_child(const char *name, const char *src, size_t len, const gs_ladder_options *opt,
                           gs_ladder_result *r, gsl_channel *out, char *err, size_t errlen) {
    progress = out;
    gs_status st = climb(name, src, len, opt, r, err, errlen);
    if (st == GS_OK && gsl_channel_send(out, GS_MSG_RESULT, r, sizeof *r) != GS_OK) st = GS_ERR_IO;
    return st;
}

gs_status gs__ladder_message(gs_ladder_result *r, int type, const void *data, size_t len, char *err, size_t errlen) {
    if (type != GS_MSG_RESULT) return GS_OK;
    if (len != sizeof *r) return gs_fail(err, errlen, GS_ERR_RUNTIME, "the worker sent a torn ladder result");
    memcpy(r, data, sizeof *r);
    return GS_OK;
}

/* The task's worker crashed or was stopped: the rung it was on fails with
 * the worker's verdict, which goes back to the model like any rung's. */
gs_status gs__ladder_verdict(gs_ladder_result *r, const char *name, gs_status st, const char *why, char *err,
                             size_t errlen) {
    if (st == GS_OK || st == GS_ERR_USAGE || st == GS_ERR_NOMEM || st == GS_ERR_IO)
        return st == GS_OK ? GS_OK : gs_fail(err, errlen, st, "%s", why);
    int rung = GS_RUNG_SYNTAX;
    while (rung < GS_RUNG_NOVEL && (r->rungs[rung] == GS_RUNG_PASS || r->rungs[rung] == GS_RUNG_NA)) rung++;
    fail_rung(r, rung, "%s: %s (%s)", name ? name : "task", why, gs_status_name(st));
    return GS_OK;
}

typedef struct ladder_job {
    const char *name, *src;
    size_t len;
    const gs_ladder_options *opt;
    gs_ladder_result *r;
} ladder_job;

static gs_status ladder_child(void *ud, gsl_channel *out, char *err, size_t errlen) {
    ladder_job *j = ud;
    return gs__ladder_child(j->name, j->src, j->len, j->opt, j->r, out, err, errlen);
}

static gs_status ladder_message(void *ud, int type, const void *data, size_t len, char *err, size_t errlen) {
    ladder_job *j = ud;
    return gs__ladder_message(j->r, type, data, len, err, errlen);
}

gs_status gs_ladder_run(const char *name, const char *src, size_t len,
                        const gs_ladder_options *opt, gs_ladder_result *r, char *err,
                        size_t errlen) {
    if (!opt || !gs__isolated(&opt->task)) return climb(name, src, len, opt, r, err, errlen);
    memset(r, 0, sizeof *r);
    r->failed = -1;
    if (gs_jobs_resolve(opt->scale.jobs) > 1 && opt->seeds > 1) {
        int learned = 0;
        gs_status st = check_options(opt, err, errlen);
        if (st == GS_OK) st = gs__ladder_spread(name, src, len, opt, r, &learned, err, errlen);
        if (st != GS_OK || !learned) return st;
        /* a learned task's rung plans its seeds itself: one worker */
        memset(r, 0, sizeof *r);
        r->failed = -1;
    }
    ladder_job j = {name, src, len, opt, r};
    gsl_worker_limits lim = gs__worker_limits(&opt->task, opt->render_dir != NULL);
    char why[1024];
    gs_status st = gsl_worker_run(ladder_child, &j, &lim, ladder_message, &j, why, sizeof why);
    return gs__ladder_verdict(r, name, st, why, err, errlen);
}

static gs_status climb(const char *name, const char *src, size_t len, const gs_ladder_options *opt,
                       gs_ladder_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    r->failed = -1;
    if (!name || !src || !opt)
        return gs_fail(err, errlen, GS_ERR_USAGE, "gs_ladder_run: name, src and options are required");
    gs_status st = check_options(opt, err, errlen);
    if (st != GS_OK) return st;
    r->seeds = opt->seeds;
    gs_task *t;
    st = gs__ladder_load(name, src, len, opt, r, &t, err, errlen);
    if (st == GS_OK && r->failed < 0) st = climb_seeds(t, name, opt, r, err, errlen);
    if (st == GS_OK && r->failed < 0) {
        r->learned = gs__ladder_learned(t);
        r->continuous = gs_task_continuous(t), r->subtasks = gs_task_subtask_count(t);
        r->rungs[r->learned ? GS_RUNG_SOLVABLE : GS_RUNG_LEARNABLE] = GS_RUNG_NA;
        st = r->learned ? climb_learnable(t, name, src, len, opt, r, err, errlen)
                        : climb_solvable(t, name, opt, r, err, errlen);
    }
    if (t) gs__ladder_note_provenance(t, r);
    gs_task_free(t);
    /* 6: novelty */
    if (st == GS_OK && r->failed < 0) st = gs__ladder_novelty(name, src, len, opt, r, err, errlen);
    r->passed = st == GS_OK && r->failed < 0;
    return st;
}

/* What reset left on a seed: the reward and whether the task already
 * counts as solved (a continuous task's reward is any number: only its
 * success(env) says). */
static gs_status note_reset(void *ud, gs_task *t, double reward, char *why, size_t whylen) {
    gs_ladder_seed *s = ud;
    int success = 0;
    gs_status st = gs_task_success(t, &success, why, whylen);
    s->reward_at_reset = reward;
    s->met_at_reset = st == GS_OK && (success || (!gs_task_continuous(t) && reward >= 1 - GS_SUCCESS_EPS));
    return st;
}

/* Resets on s->seed, then waits up to idle_s of simulated time with no
 * action (an episode whose actor does nothing), noting success at reset
 * and after the wait. */
static gs_status reset_and_idle(gs_task *t, gs_ladder_seed *s, double idle_s, char *why,
                                size_t whylen) {
    gs_observer o = {note_reset, NULL, NULL, NULL, NULL, s};
    gs_episode_result r;
    gs_status st = gs_episode_run(t, s->seed, gs_actor_idle(&idle_s), &o, 1, &r, why, whylen);
    s->idle_success = st == GS_OK && !s->met_at_reset && r.success;
    return st;
}

/* Compares the task with every library file; fails the rung on a near duplicate. */
static gs_status novelty(const char *path, const char *src, size_t len,
                         const gs_ladder_options *opt, gs_ladder_result *r) {
    gs_fingerprint self;
    if (!gs_fingerprint_init(&self, src, len, r->description)) return GS_ERR_NOMEM;
    char own_file[GS_TASK_NAME_MAX + 8];
    snprintf(own_file, sizeof own_file, "%s.lua", r->name);
    const char *own_base = base_name(path);
    char nearest_file[256] = "";
    gs_similarity_parts best = {0, 0, -1};
    for (int d = 0; d < opt->ndirs; d++) {
        char **files;
        int nfiles = gs_list_files(opt->dirs[d], ".lua", &files, NULL, 0);
        for (int k = 0; k < nfiles; k++) {
            const char *file = files[k], *base = strrchr(file, '/') + 1;
            char *other;
            size_t olen;
            char why[256];
            if (gs_read_file(file, MAX_LIBRARY_FILE, &other, &olen, why, sizeof why) != GS_OK) continue;
            gs_fingerprint f;
            int ok = gs_fingerprint_init(&f, other, olen, NULL);
            free(other);
            if (!ok) {
                gs_free_paths(files, nfiles);
                gs_fingerprint_free(&self);
                return GS_ERR_NOMEM;
            }
            /* the task itself, or an earlier version of it, is no rival */
            if (strcmp(base, own_file) == 0 || strcmp(base, own_base) == 0 ||
                (f.name[0] && strcmp(f.name, r->name) == 0)) {
                if (!r->same_name[0]) copy_text(r->same_name, sizeof r->same_name, file);
                gs_fingerprint_free(&f);
                continue;
            }
            gs_similarity_parts p;
            gs_fingerprint_compare(&self, &f, &p);
            gs_fingerprint_free(&f);
            r->compared++;
            if (p.combined > best.combined || (p.combined == best.combined && strcmp(file, nearest_file) < 0)) {
                best = p;
                copy_text(nearest_file, sizeof nearest_file, file);
            }
        }
        gs_free_paths(files, nfiles);
    }
    gs_fingerprint_free(&self);
    /* named by its file's name: where the library lies is no part of the verdict */
    const char *slash = strrchr(nearest_file, '/');
    const char *nearest = slash ? slash + 1 : nearest_file;
    if (nearest_file[0]) {
        copy_text(r->nearest, sizeof r->nearest, nearest);
        r->similarity = best.combined;
        r->code_similarity = best.code;
        r->description_similarity = best.description;
    }
    if (nearest_file[0] && (best.code >= opt->code_threshold || best.combined >= opt->threshold)) {
        fail_rung(r, GS_RUNG_NOVEL,
                  "%s is a near duplicate of %s (code similarity %.2f, description %.2f, "
                  "combined %.2f; duplicate at code >= %.2f or combined >= %.2f): make a task "
                  "that differs in what is to be done, not only in names and numbers",
                  path, nearest, best.code, best.description, best.combined,
                  opt->code_threshold, opt->threshold);
        return GS_OK;
    }
    pass_rung(r, GS_RUNG_NOVEL);
    if (r->same_name[0])
        snprintf(r->rung_message[GS_RUNG_NOVEL], sizeof r->rung_message[GS_RUNG_NOVEL],
                 "not compared with %s (the same name)", r->same_name);
    return GS_OK;
}

static void fail_rung(gs_ladder_result *r, gs_rung rung, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    copy_text(r->rung_message[rung], sizeof r->rung_message[rung], r->message);
    r->rungs[rung] = GS_RUNG_FAIL;
    r->failed = rung;
    r->passed = 0;
}

static void pass_rung(gs_ladder_result *r, gs_rung rung) {
    r->rungs[rung] = GS_RUNG_PASS;
    if (progress) gsl_channel_send(progress, GS_MSG_RESULT, r, sizeof *r);
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

char *gs_ladder_result_json(const gs_ladder_result *r) {
    static const char *const STATUS[] = {"skip", "pass", "fail", "n/a"};
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddBoolToObject(o, "passed", r->passed);
    if (r->failed >= 0) {
        cJSON_AddStringToObject(o, "failed", gs_rung_name(r->failed));
        cJSON_AddStringToObject(o, "message", r->message);
    } else {
        cJSON_AddNullToObject(o, "failed");
    }
    if (r->name[0]) cJSON_AddStringToObject(o, "name", r->name);
    cJSON *rungs = cJSON_AddArrayToObject(o, "rungs");
    for (int k = 0; k < GS_RUNG_COUNT; k++) {
        cJSON *g = cJSON_CreateObject();
        cJSON_AddStringToObject(g, "name", gs_rung_name(k));
        cJSON_AddStringToObject(g, "status", STATUS[r->rungs[k]]);
        if (r->rung_message[k][0]) cJSON_AddStringToObject(g, "message", r->rung_message[k]);
        cJSON_AddItemToArray(rungs, g);
    }
    cJSON_AddNumberToObject(o, "seeds", r->seeds);
    cJSON_AddNumberToObject(o, "solved", r->solved);
    cJSON *prov = r->provenance[0] ? cJSON_Parse(r->provenance) : NULL;
    if (prov) cJSON_AddItemToObject(o, "provenance", prov);
    if (r->warning[0]) cJSON_AddStringToObject(o, "warning", r->warning);
    if (r->rungs[GS_RUNG_SOLVABLE] != GS_RUNG_SKIP && !r->learned)
        cJSON_AddNumberToObject(o, "oracle_success", r->seeds ? (double)r->solved / r->seeds : 0);
    if (r->learned && r->rungs[GS_RUNG_LEARNABLE] != GS_RUNG_SKIP) {
        cJSON_AddNumberToObject(o, "learn_solved", r->learn_solved);
        cJSON_AddNumberToObject(o, "learn_steps", r->learn_steps);
        gsk_terms_json(o, r->terms, r->nterms, &r->learn_return);
    }
    cJSON *seeds = cJSON_AddArrayToObject(o, "per_seed");
    for (int k = 0; k < r->seeds && r->rungs[GS_RUNG_RUNTIME] != GS_RUNG_SKIP; k++) {
        const gs_ladder_seed *s = &r->seed[k];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "seed", (double)s->seed);
        cJSON_AddStringToObject(j, "reset", gs_status_name(s->reset));
        cJSON_AddNumberToObject(j, "reward_at_reset", s->reward_at_reset);
        cJSON_AddBoolToObject(j, "met_at_reset", s->met_at_reset);
        cJSON_AddBoolToObject(j, "idle_success", s->idle_success);
        if (s->ran) {
            cJSON_AddStringToObject(j, "oracle", gs_status_name(s->oracle));
            cJSON_AddBoolToObject(j, "solved", s->solved);
            cJSON_AddNumberToObject(j, "reward", s->reward);
            cJSON_AddNumberToObject(j, "steps", s->steps);
        }
        cJSON_AddItemToArray(seeds, j);
    }
    if (r->rungs[GS_RUNG_NOVEL] != GS_RUNG_SKIP) {
        cJSON_AddNumberToObject(o, "compared", r->compared);
        if (r->nearest[0]) {
            cJSON_AddStringToObject(o, "nearest", r->nearest);
            cJSON_AddNumberToObject(o, "similarity", r->similarity);
            cJSON_AddNumberToObject(o, "code_similarity", r->code_similarity);
            cJSON_AddNumberToObject(o, "description_similarity", r->description_similarity);
        }
        if (r->failed == GS_RUNG_NOVEL) cJSON_AddStringToObject(o, "duplicate_of", r->nearest);
        if (r->same_name[0]) cJSON_AddStringToObject(o, "same_name", r->same_name);
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* Copies src into dst (n bytes), cut short where it does not fit. */
static void copy_text(char *dst, size_t n, const char *src) {
    size_t l = strlen(src);
    if (l >= n) l = n - 1;
    memcpy(dst, src, l);
    dst[l] = 0;
}
