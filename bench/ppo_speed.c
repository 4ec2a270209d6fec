/* ppo_speed: gensim learn's PPO taken apart for timing, on one continuous
 * seed task, beside the same update in PyTorch (bench/ppo_torch.py).
 *
 *   collect  environment steps/s of PPO's collection on each of --threads
 *            thread counts (default 1,2; the first records): the learner
 *            itself (sandboxed tasks, one per thread, the policy acting)
 *            for --iters iterations of the default batch
 *   record   the last of those iterations' batch, as the update takes it
 *            (normalised observations, actions, log-probabilities,
 *            normalised advantages, value targets), and the network that
 *            collected it, into DIR/batch.bin and DIR/batch.json
 *   check    one minibatch (the batch's first --minibatch rows) through
 *            the loss, its gradients' norm, one Adam step from fresh
 *            moments, the loss again: the figures PyTorch must match
 *   update   update samples/s of the learner's update (epochs passes of
 *            shuffled minibatches, each forward, backward and Adam) on the
 *            recorded batch, with 1 and 2 GEMM threads (gensim learn uses 1)
 *   act      microseconds per step of the policy's forward pass (both
 *            networks on one normalised observation), as collection runs it
 *
 * The network's size and every hyper-parameter are the learner's defaults
 * (gs_learn_options_default, skill/net.h), read here, not restated.
 * Usage: ppo_speed --dir DIR [--task NAME] [--iters K] [--reps R] [--threads T1,T2,...]
 * Prints one JSON line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gensim/policy.h"
#include "skill/ppo.h"
#include "skill/skill_internal.h"

typedef struct recorded {
    gsk_ppo_flat f;           /* the last batch */
    float *w;                 /* (nparams) the network that collected it */
    int have;
} recorded;

static double now_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void record_batch(void *ud, const gsk_net *net, const gsk_ppo_flat *b) {
    recorded *r = ud;
    gsk_ppo_flat_free(&r->f);
    free(r->w);
    r->have = gsk_ppo_flat_alloc(&r->f, b->n, b->obs, b->minibatch) &&
              (r->w = malloc(net->nparams * sizeof *r->w)) != NULL;
    if (!r->have) return;
    size_t n = (size_t)b->n;
    memcpy(r->f.x, b->x, n * (size_t)b->obs * sizeof *b->x);
    memcpy(r->f.act, b->act, n * GSK_OUT * sizeof *b->act);
    memcpy(r->f.logp, b->logp, n * sizeof *b->logp);
    memcpy(r->f.adv, b->adv, n * sizeof *b->adv);
    memcpy(r->f.ret, b->ret, n * sizeof *b->ret);
    memcpy(r->w, net->w, net->nparams * sizeof *r->w);
}

/* PPO as gensim learn runs it, on threads, for iters iterations of the
 * default batch; environment steps/s of its collection. With rec, the
 * batches are recorded (the last one kept). */
static int collect(const char *task, int threads, int iters, recorded *rec, double *steps_per_s, int *obs) {
    gs_learn_options o = gs_learn_options_default();
    o.task = task, o.threads = threads, o.eval_episodes = 0;
    o.steps = (uint64_t)iters * (uint64_t)o.batch_steps;
    gsk_learner l;
    gs_learn_result r;
    char err[1024];
    gs_status st = gsk_learner_open(&l, &o, &r, err, sizeof err);
    if (st == GS_OK && l.nunits != 1) st = gs_fail(err, sizeof err, GS_ERR_USAGE, "%s: not one learned unit", task);
    if (st == GS_OK) {
        l.unit = 0, l.budget = o.steps;
        if (rec) l.on_batch = record_batch, l.batch_ud = rec;
        st = gsk_ppo_learn(&l, err, sizeof err);
    }
    *steps_per_s = l.collect_s > 0 ? (double)l.env_steps / l.collect_s : 0;
    if (st == GS_OK) *obs = l.skill->obs;
    gsk_learner_close(&l);
    if (st != GS_OK) fprintf(stderr, "ppo_speed: %s\n", err);
    return st == GS_OK;
}

/* The network that collected the batch, Adam's moments fresh. */
static void restore(gsk_net *net, const recorded *rec) {
    memcpy(net->w, rec->w, net->nparams * sizeof *net->w);
    memset(net->adam_m, 0, net->nparams * sizeof *net->adam_m);
    memset(net->adam_v, 0, net->nparams * sizeof *net->adam_v);
    net->adam_t = 0;
}

typedef struct check {
    int m;
    gsk_ppo_stats before;
    double grad_norm, loss_after;
} check;

static void first_step(gsk_net *net, const recorded *rec, const gs_learn_options *o, check *c) {
    const gsk_ppo_flat *f = &rec->f;
    c->m = f->n < o->minibatch ? f->n : o->minibatch;
    gsk_ppo_batch b = {c->m, f->x, f->act, f->logp, f->adv, f->ret};
    gsk_ppo_coef coef = {o->clip, o->ent_coef, o->vf_coef};
    restore(net, rec);
    gsk_net_zero_grad(net);
    gsk_ppo_loss(net, &b, &coef, 1, f->scratch, &c->before);
    c->grad_norm = gsk_net_step(net, o->lr, o->max_grad_norm);
    c->loss_after = gsk_ppo_loss(net, &b, &coef, 0, f->scratch, NULL);
}

/* Update samples/s on threads GEMM threads: one update unmeasured, then
 * reps (wall seconds; the process's CPU seconds into *cpu_per_sample). */
static double time_update(gsk_net *net, recorded *rec, const gs_learn_options *o, int threads, int reps,
                          double *cpu_us_per_sample) {
    gs_policy_set_threads(threads);
    restore(net, rec);
    gsk_ppo_update(net, &rec->f, o, 0, 0, o->lr);
    uint64_t seen = 0;
    double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < reps; i++) seen += gsk_ppo_update(net, &rec->f, o, 0, i + 1, o->lr);
    double wall = now_s(CLOCK_MONOTONIC) - t0;
    *cpu_us_per_sample = (now_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e6 / (double)seen;
    gs_policy_set_threads(1);
    return (double)seen / wall;
}

/* Microseconds per step of the policy's forward pass, as collection runs
 * it (one observation, both networks), over the batch's observations. */
static double time_act(gsk_net *net, const recorded *rec, int steps) {
    const gsk_ppo_flat *f = &rec->f;
    float out[GSK_OUT], v;
    volatile float sink = 0; /* keeps the loop */
    restore(net, rec);
    double t0 = now_s(CLOCK_MONOTONIC);
    for (int i = 0; i < steps; i++) {
        gsk_net_act(net, f->x + (size_t)(i % f->n) * f->obs, out, &v);
        sink = out[0] + v;
    }
    (void)sink;
    return (now_s(CLOCK_MONOTONIC) - t0) * 1e6 / steps;
}

static int write_floats(FILE *fp, const float *x, size_t n) { return fwrite(x, sizeof *x, n, fp) == n; }

/* DIR/batch.bin: x, act, logp, adv, ret, then the weights, float32 in this
 * machine's order; DIR/batch.json: their shapes, the layout, the settings
 * and the check. */
static int write_batch(const char *dir, const char *task, const gsk_net *net, const recorded *rec,
                       const gs_learn_options *o, const check *c) {
    const gsk_ppo_flat *f = &rec->f;
    size_t n = (size_t)f->n;
    char path[4096];
    snprintf(path, sizeof path, "%s/batch.bin", dir);
    FILE *fp = fopen(path, "wb");
    int ok = fp && write_floats(fp, f->x, n * (size_t)f->obs) && write_floats(fp, f->act, n * GSK_OUT) &&
             write_floats(fp, f->logp, n) && write_floats(fp, f->adv, n) && write_floats(fp, f->ret, n) &&
             write_floats(fp, rec->w, net->nparams);
    if (fp && fclose(fp) != 0) ok = 0;
    snprintf(path, sizeof path, "%s/batch.json", dir);
    if (!ok || !(fp = fopen(path, "w"))) return 0;
    fprintf(fp, "{\"task\":\"%s\",\"n\":%d,\"obs\":%d,\"hidden\":%d,\"out\":%d,\"move\":%d,\"nparams\":%zu,\"params\":[",
            task, f->n, f->obs, net->hidden, GSK_OUT, GSK_MOVE, net->nparams);
    for (int i = 0; i < GSK_PARAMS; i++)
        fprintf(fp, "%s{\"name\":\"%s\",\"rows\":%d,\"cols\":%d,\"offset\":%zu}", i ? "," : "", net->params[i].name,
                net->params[i].rows, net->params[i].cols, net->params[i].offset);
    fprintf(fp, "],\"epochs\":%d,\"minibatch\":%d,\"lr\":%.9g,\"clip\":%.9g,\"vf_coef\":%.9g,\"ent_coef\":%.9g,"
                "\"max_grad_norm\":%.9g,\"adam_beta1\":%.9g,\"adam_beta2\":%.9g,\"adam_eps\":%.9g,",
            o->epochs, o->minibatch, o->lr, o->clip, o->vf_coef, o->ent_coef, o->max_grad_norm, GSK_ADAM_BETA1,
            GSK_ADAM_BETA2, GSK_ADAM_EPS);
    fprintf(fp, "\"check\":{\"m\":%d,\"loss\":%.9g,\"policy\":%.9g,\"value\":%.9g,\"entropy\":%.9g,"
                "\"grad_norm\":%.9g,\"loss_after\":%.9g}}\n",
            c->m, c->before.loss, c->before.policy, c->before.value, c->before.entropy, c->grad_norm, c->loss_after);
    return fclose(fp) == 0;
}

#define MAX_COUNTS 8

typedef struct args {
    const char *task, *dir;
    int iters, reps;
    int threads[MAX_COUNTS], counts; /* collection's thread counts */
} args;

/* "1,2,4" into a->threads; 0 when it is not such a list. */
static int parse_threads(const char *s, args *a) {
    a->counts = 0;
    for (char *end; *s && a->counts < MAX_COUNTS; s = end + (*end == ',')) {
        long t = strtol(s, &end, 10);
        if (end == s || t < 1 || t > 64 || (*end && *end != ',')) return 0;
        a->threads[a->counts++] = (int)t;
    }
    return a->counts > 0 && !*s;
}

static int parse(int argc, char **argv, args *a) {
    *a = (args){"slide-block-to-line", NULL, 10, 5, {1, 2}, 2};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--task")) a->task = argv[i + 1];
        else if (!strcmp(argv[i], "--dir")) a->dir = argv[i + 1];
        else if (!strcmp(argv[i], "--iters")) a->iters = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps")) a->reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) {
            if (!parse_threads(argv[i + 1], a)) return 0;
        } else return 0;
    }
    return a->dir && a->iters >= 1 && a->reps >= 1 && argc % 2 == 1;
}

int main(int argc, char **argv) {
    args a;
    if (!parse(argc, argv, &a)) {
        fprintf(stderr, "usage: ppo_speed --dir DIR [--task NAME] [--iters K] [--reps R] [--threads T1,T2,...]\n");
        return 2;
    }
    gs_learn_options o = gs_learn_options_default();
    recorded rec;
    memset(&rec, 0, sizeof rec);
    double sps[MAX_COUNTS];
    int obs = 0;
    for (int i = 0; i < a.counts; i++)
        if (!collect(a.task, a.threads[i], a.iters, i == 0 ? &rec : NULL, &sps[i], &obs)) return 1;
    if (!rec.have) return 1;
    gsk_net net;
    char err[256];
    if (gsk_net_init(&net, obs, o.hidden, o.minibatch, 0, o.init_log_std, err, sizeof err) != GS_OK) {
        fprintf(stderr, "ppo_speed: %s\n", err);
        return 1;
    }
    check c;
    first_step(&net, &rec, &o, &c);
    if (!write_batch(a.dir, a.task, &net, &rec, &o, &c)) {
        fprintf(stderr, "ppo_speed: cannot write the batch into %s\n", a.dir);
        return 1;
    }
    double cpu1, cpu2;
    double ups1 = time_update(&net, &rec, &o, 1, a.reps, &cpu1), ups2 = time_update(&net, &rec, &o, 2, a.reps, &cpu2);
    double act_us = time_act(&net, &rec, 200000);
    char list_threads[256] = "[", list_sps[512] = "[";
    for (int i = 0; i < a.counts; i++) {
        snprintf(list_threads + strlen(list_threads), sizeof list_threads - strlen(list_threads), "%s%d",
                 i ? "," : "", a.threads[i]);
        snprintf(list_sps + strlen(list_sps), sizeof list_sps - strlen(list_sps), "%s%.1f", i ? "," : "", sps[i]);
    }
    strcat(list_threads, "]"), strcat(list_sps, "]");
    printf("{\"task\":\"%s\",\"obs\":%d,\"hidden\":%d,\"parameters\":%zu,\"batch\":%d,\"minibatch\":%d,\"epochs\":%d,"
           "\"lr\":%g,\"clip\":%g,\"vf_coef\":%g,\"ent_coef\":%g,\"max_grad_norm\":%g,\"gamma\":%g,\"lambda\":%g,"
           "\"init_log_std\":%g,\"collect_threads\":%s,\"env_steps_per_s\":%s,"
           "\"update_samples_per_s_1\":%.1f,\"update_samples_per_s_2\":%.1f,\"update_cpu_us_per_sample_1\":%.2f,"
           "\"update_cpu_us_per_sample_2\":%.2f,\"act_us\":%.3f,\"check_loss\":%.9g,\"check_grad_norm\":%.9g,"
           "\"check_loss_after\":%.9g}\n",
           a.task, obs, o.hidden, net.nparams, rec.f.n, o.minibatch, o.epochs, o.lr, o.clip, o.vf_coef, o.ent_coef,
           o.max_grad_norm, o.gamma, o.lambda, o.init_log_std, list_threads, list_sps, ups1, ups2, cpu1, cpu2, act_us,
           c.before.loss, c.grad_norm, c.loss_after);
    gsk_net_free(&net);
    gsk_ppo_flat_free(&rec.f);
    free(rec.w);
    return 0;
}
