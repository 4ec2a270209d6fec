/* train.c: a whole training run (train.h): the checkpoint, the data, the
 * steps, the log rows and the saves. */
#include "gensim/train.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gensim/policy_data.h"

#define VAL_MAX 64 /* held-out samples a log row's validation loss averages */

/* Everything a run holds, so its steps can be small functions. */
typedef struct run {
    const gs_train_options *o;
    gs_train_progress_fn progress;
    void *ud;
    gs_train_result *r;
    gs_policy *p;
    gs_demos *d;
    gs_demos_batch batch;
    int exists;                /* out existed when the run began */
    int64_t step, last_saved;
    double t0, train_s;        /* the run's start; seconds spent on steps */
    double interval_t0, interval_loss;
    int64_t interval_n;
    int stop;                  /* the progress callback asked to stop */
} run;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

gs_train_options gs_train_options_default(void) {
    gs_train_options o;
    memset(&o, 0, sizeof o);
    o.batch = 4;
    o.lr = 1e-3;
    o.schedule = GS_LR_COSINE;
    o.val_fraction = 0.1;
    o.log_every = 100;
    o.save_every = 1000;
    o.augment = 1;
    o.workers = 1;
    o.threads = 1;
    o.cache_bytes = (size_t)2 << 30;
    return o;
}

void gs_train_result_free(gs_train_result *r) {
    if (!r) return;
    for (int i = 0; i < r->ntasks; i++) free(r->tasks[i]);
    free(r->tasks);
    free(r->log);
    memset(r, 0, sizeof *r);
}

static gs_status check_options(const gs_train_options *o, char *err, size_t errlen);
static gs_status open_policy(run *g, char *err, size_t errlen);
static gs_status open_data(run *g, char *err, size_t errlen);
static gs_status take_step(run *g, char *err, size_t errlen);
static gs_status log_row(run *g, double lr, char *err, size_t errlen);
static int report(run *g, gs_train_event ev, const gs_train_row *row);

gs_status gs_train(const gs_train_options *o, gs_train_progress_fn progress, void *ud,
                   gs_train_result *out, char *err, size_t errlen) {
    if (!out) return gs_fail(err, errlen, GS_ERR_USAGE, "train: no result to fill");
    memset(out, 0, sizeof *out);
    out->train_loss = out->val_loss = NAN;
    gs_status st = check_options(o, err, errlen);
    if (st != GS_OK) return st;
    run g;
    memset(&g, 0, sizeof g);
    g.o = o, g.progress = progress, g.ud = ud, g.r = out;
    g.t0 = now_s();
    gs_policy_set_threads(o->threads);
    st = open_policy(&g, err, errlen);
    if (st == GS_OK) st = open_data(&g, err, errlen);
    if (st != GS_OK) {
        gs_demos_batch_free(&g.batch);
        gs_demos_close(g.d);
        gs_policy_free(g.p);
        return st;
    }
    g.step = g.last_saved = out->first_step = gs_policy_steps(g.p);
    g.interval_t0 = now_s();
    g.stop = report(&g, GS_TRAIN_BEGIN, NULL);
    while (st == GS_OK && g.step < o->steps && !g.stop) {
        st = take_step(&g, err, errlen);
        if (st == GS_OK) g.stop = report(&g, GS_TRAIN_STEP, NULL);
    }
    /* The end, an interruption or an error after some progress: keep it. */
    if ((g.step > g.last_saved || !g.exists) && (st == GS_OK || g.step > out->first_step)) {
        char why[1024];
        gs_status saved = gs_policy_save(g.p, o->out, why, sizeof why);
        if (saved != GS_OK && st == GS_OK) st = gs_fail(err, errlen, saved, "%s", why);
    }
    out->steps = g.step;
    out->interrupted = g.stop;
    out->wall_s = now_s() - g.t0;
    out->samples_per_s = g.train_s > 0 ? (double)((g.step - out->first_step) * o->batch) / g.train_s : 0;
    gs_demos_batch_free(&g.batch);
    gs_demos_close(g.d);
    gs_policy_free(g.p);
    return st;
}

/* ---- the steps of a run ---- */

static gs_status check_options(const gs_train_options *o, char *err, size_t errlen) {
    if (!o || !o->paths || o->npaths < 1 || !o->out)
        return gs_fail(err, errlen, GS_ERR_USAGE, "train: no data file or no checkpoint path");
    if (o->steps < 1 || o->batch < 1 || o->log_every < 1 || o->save_every < 1 || o->threads < 1)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "train: steps, batch, log_every, save_every and threads must be at least 1");
    if (o->workers < 1 || o->workers > GS_POLICY_MAX_WORKERS)
        return gs_fail(err, errlen, GS_ERR_USAGE, "train: workers %d outside 1..%d", o->workers,
                       GS_POLICY_MAX_WORKERS);
    if (!(o->lr > 0 && o->lr <= 1))
        return gs_fail(err, errlen, GS_ERR_USAGE, "train: learning rate %g outside (0, 1]", o->lr);
    if (o->channels < 0)
        return gs_fail(err, errlen, GS_ERR_USAGE, "train: channels %d", o->channels);
    return GS_OK;
}

/* The checkpoint to continue, or a new policy; then its workers. */
static gs_status open_policy(run *g, char *err, size_t errlen) {
    const gs_train_options *o = g->o;
    struct stat sb;
    g->exists = stat(o->out, &sb) == 0;
    if (g->exists && !o->resume)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s already exists (--resume continues it)", o->out);
    gs_status st;
    if (g->exists) {
        if ((st = gs_policy_load(o->out, &g->p, err, errlen)) != GS_OK) return st;
    } else {
        gs_policy_config cfg = gs_policy_config_default();
        if (o->channels) cfg.channels = o->channels;
        if ((st = gs_policy_new(&cfg, o->seed, &g->p, err, errlen)) != GS_OK) return st;
        g->r->fresh = 1;
    }
    if (o->channels && gs_policy_get_config(g->p)->channels != o->channels)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s has %d channels, not the %d of --channels", o->out,
                       gs_policy_get_config(g->p)->channels, o->channels);
    if ((st = gs_policy_set_workers(g->p, o->workers, err, errlen)) != GS_OK) return st;
    g->r->parameters = gs_policy_parameters(g->p);
    g->r->workers = o->workers;
    return GS_OK;
}

/* The demonstrations, a batch's buffers and the result's counts. */
static gs_status open_data(run *g, char *err, size_t errlen) {
    const gs_train_options *o = g->o;
    gs_demos_options dopt = gs_demos_options_default();
    dopt.val_fraction = o->val_fraction;
    dopt.cache_bytes = o->cache_bytes;
    gs_status st = gs_demos_open(o->paths, o->npaths, gs_policy_get_config(g->p), &dopt, &g->d, err, errlen);
    if (st == GS_OK) st = gs_demos_batch_init(&g->batch, g->d, o->batch, err, errlen);
    if (st != GS_OK) return st;
    gs_train_result *r = g->r;
    r->ntasks = gs_demos_tasks(g->d);
    if (!(r->tasks = calloc((size_t)r->ntasks, sizeof *r->tasks)))
        return gs_fail(err, errlen, GS_ERR_NOMEM, "train: out of memory");
    for (int i = 0; i < r->ntasks; i++)
        if (!(r->tasks[i] = strdup(gs_demos_task_name(g->d, i))))
            return gs_fail(err, errlen, GS_ERR_NOMEM, "train: out of memory");
    r->train_samples = gs_demos_count(g->d, GS_DEMOS_TRAIN);
    r->val_samples = gs_demos_count(g->d, GS_DEMOS_VAL);
    r->train_episodes = gs_demos_episodes(g->d, GS_DEMOS_TRAIN);
    r->val_episodes = gs_demos_episodes(g->d, GS_DEMOS_VAL);
    return GS_OK;
}

/* One optimiser step, then the log row and the save it is due for. */
static gs_status take_step(run *g, char *err, size_t errlen) {
    const gs_train_options *o = g->o;
    double s0 = now_s(), loss;
    double lr = gs_policy_lr(o->schedule, o->lr, g->step, o->steps);
    char why[1024];
    gs_status st = gs_demos_train_batch(g->d, o->seed, g->step, o->batch, o->augment, &g->batch, why,
                                        sizeof why);
    if (st == GS_OK)
        st = gs_policy_train_step(g->p, g->batch.samples, g->batch.n, (float)lr, &loss, why, sizeof why);
    if (st != GS_OK) return gs_fail(err, errlen, st, "step %" PRId64 ": %s", g->step + 1, why);
    g->train_s += now_s() - s0;
    g->step++;
    g->interval_loss += loss, g->interval_n++;
    if (g->step % o->log_every == 0 || g->step == o->steps)
        if ((st = log_row(g, lr, err, errlen)) != GS_OK) return st;
    if (g->step % o->save_every == 0 && g->step < o->steps) {
        if ((st = gs_policy_save(g->p, o->out, err, errlen)) != GS_OK) return st;
        g->last_saved = g->step;
    }
    return GS_OK;
}

/* The mean loss over the first VAL_MAX held-out samples, in batches that
 * fit the batch buffers; *n 0 when none are held out. */
static gs_status validation_loss(run *g, double *loss, int64_t *n, char *err, size_t errlen) {
    gs_demos_batch *b = &g->batch;
    int64_t total = gs_demos_count(g->d, GS_DEMOS_VAL);
    if (total > VAL_MAX) total = VAL_MAX;
    double sum = 0;
    *n = 0;
    for (int64_t k = 0; k < total; k += b->cap) {
        int m = (int)(total - k < b->cap ? total - k : b->cap);
        double l;
        gs_status st = gs_demos_val_batch(g->d, k, m, b, err, errlen);
        if (st == GS_OK) st = gs_policy_loss(g->p, b->samples, b->n, &l, err, errlen);
        if (st != GS_OK) return st;
        sum += l * m, *n += m;
    }
    *loss = *n ? sum / (double)*n : 0;
    return GS_OK;
}

/* A row for the interval that ends now: its losses and speed. */
static gs_status log_row(run *g, double lr, char *err, size_t errlen) {
    gs_train_result *r = g->r;
    gs_train_row row;
    memset(&row, 0, sizeof row);
    row.step = g->step;
    row.samples = g->step * g->o->batch;
    row.lr = lr;
    row.train_loss = g->interval_loss / (double)g->interval_n;
    row.samples_per_s = (double)(g->interval_n * g->o->batch) / (now_s() - g->interval_t0);
    double val;
    int64_t nval;
    char why[1024];
    gs_status st = validation_loss(g, &val, &nval, why, sizeof why);
    if (st != GS_OK) return gs_fail(err, errlen, st, "validation: %s", why);
    row.val_loss = nval ? val : NAN;
    gs_train_row *more = realloc(r->log, (size_t)(r->nlog + 1) * sizeof *more);
    if (!more) return gs_fail(err, errlen, GS_ERR_NOMEM, "train: out of memory for the log");
    r->log = more;
    r->log[r->nlog++] = row;
    r->train_loss = row.train_loss, r->val_loss = row.val_loss;
    if (report(g, GS_TRAIN_ROW, &row)) g->stop = 1;
    g->interval_loss = 0, g->interval_n = 0, g->interval_t0 = now_s();
    return GS_OK;
}

/* Tells the caller; 1 when it asks to stop. */
static int report(run *g, gs_train_event ev, const gs_train_row *row) {
    if (!g->progress) return 0;
    gs_train_progress p;
    memset(&p, 0, sizeof p);
    p.event = ev;
    p.result = g->r;
    p.step = g->step;
    p.total = g->o->steps;
    p.samples_per_s = g->train_s > 0 ? (double)((g->step - g->r->first_step) * g->o->batch) / g->train_s : 0;
    p.elapsed_s = now_s() - g->t0;
    p.row = row;
    return g->progress(&p, g->ud) != 0;
}
