/* train.c: a whole training run (train.h): the checkpoint, the data, the
 * steps, the log rows and the saves. */
#include "gensim/train.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "policy/curves.h"
#include "gensim/episode.h"
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
    gs_demos_batch batches[2]; /* step k's batch is batches[k % 2] */
    gs_demos_batch val;        /* validation samples */
    /* The next step's batch is drawn by a thread while a step trains; only
     * that thread touches d until it is joined. */
    pthread_t drawer;
    int drawing;               /* the thread is under way */
    int64_t drawn;             /* the step whose batch is ready (or being drawn); -1 none */
    gs_status draw_st;
    char draw_err[1024];
    int exists;                /* out existed when the run began */
    int64_t step, last_saved;
    double t0, train_s;        /* the run's start; seconds spent on steps */
    double interval_t0, interval_loss;
    int64_t interval_n;
    int stop;                  /* the progress callback asked to stop */
    gs_task *eval[GS_TRAIN_MAX_EVAL_TASKS]; /* (o->neval_tasks) the evaluated tasks */
    gs_train_row *hist;        /* (nhist) rows of earlier runs, from the CSV */
    int nhist;
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
    o.dilated = -1;
    o.color_words = -1;
    o.rotate_features = -1;
    o.schedule = GS_LR_COSINE;
    o.val_fraction = 0.1;
    o.log_every = 100;
    o.save_every = 1000;
    o.augment = 1;
    o.threads = 1;
    o.cache_bytes = (size_t)2 << 30;
    o.eval_episodes = 10;
    o.eval_seed = 1000000;
    o.eval_options = gs_task_options_default();
    o.curves = 1;
    return o;
}

int gs_train_default_workers(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > GS_POLICY_MAX_WORKERS ? GS_POLICY_MAX_WORKERS : (int)cores;
}

void gs_train_result_free(gs_train_result *r) {
    if (!r) return;
    for (int i = 0; i < r->ntasks; i++) free(r->tasks[i]);
    free(r->tasks);
    for (int i = 0; i < r->neval; i++) free(r->eval_names[i]);
    free(r->eval_names);
    free(r->log);
    memset(r, 0, sizeof *r);
}

static gs_status check_options(const gs_train_options *o, char *err, size_t errlen);
static gs_status open_policy(run *g, char *err, size_t errlen);
static gs_status open_data(run *g, char *err, size_t errlen);
static gs_status open_eval(run *g, char *err, size_t errlen);
static gs_status open_curves(run *g, char *err, size_t errlen);
static gs_status take_step(run *g, char *err, size_t errlen);
static gs_status log_row(run *g, double lr, int eval, char *err, size_t errlen);
static int report(run *g, gs_train_progress *p);
static gs_status write_curves(run *g, char *err, size_t errlen);
static void close_run(run *g);
static gs_status draw_finish(run *g);

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
    g.drawn = -1;
    g.t0 = now_s();
    gs_policy_set_threads(o->threads);
    st = open_policy(&g, err, errlen);
    if (st == GS_OK) st = open_data(&g, err, errlen);
    if (st == GS_OK) st = open_eval(&g, err, errlen);
    g.step = g.last_saved = out->first_step = gs_policy_steps(g.p);
    /* the data's push and lift goals, known before the first step: a run
       that only adds goals (a finished one resumed) still saves them */
    int new_goals = st == GS_OK ? gs_demos_learn_goals(g.d, g.p) : 0;
    if (st == GS_OK) st = open_curves(&g, err, errlen);
    if (st != GS_OK) {
        close_run(&g);
        return st;
    }
    g.interval_t0 = now_s();
    gs_train_progress begin = {.event = GS_TRAIN_BEGIN};
    g.stop = report(&g, &begin);
    while (st == GS_OK && g.step < o->steps && !g.stop) {
        st = take_step(&g, err, errlen);
        gs_train_progress p = {.event = GS_TRAIN_STEP};
        if (st == GS_OK && report(&g, &p)) g.stop = 1;
    }
    /* The end, an interruption or an error after some progress: keep it. */
    if ((g.step > g.last_saved || !g.exists || new_goals) && (st == GS_OK || g.step > out->first_step)) {
        char why[1024];
        gs_status saved = gs_policy_save(g.p, o->out, why, sizeof why);
        if (saved != GS_OK && st == GS_OK) st = gs_fail(err, errlen, saved, "%s", why);
    }
    out->steps = g.step;
    out->interrupted = g.stop;
    out->wall_s = now_s() - g.t0;
    out->samples_per_s = g.train_s > 0 ? (double)((g.step - out->first_step) * o->batch) / g.train_s : 0;
    close_run(&g);
    return st;
}

gs_status gs_train_curves_paths(const char *out, char *csv, char *png, size_t len, char *err,
                                size_t errlen) {
    const char *slash = strrchr(out, '/'), *dot = strrchr(out, '.');
    size_t stem = dot && dot > (slash ? slash + 1 : out) ? (size_t)(dot - out) : strlen(out);
    if (dot && (strcmp(dot, ".csv") == 0 || strcmp(dot, ".png") == 0)) stem = strlen(out);
    if (stem + 5 > len)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: the curves' paths would be too long", out);
    snprintf(csv, len, "%.*s.csv", (int)stem, out);
    snprintf(png, len, "%.*s.png", (int)stem, out);
    return GS_OK;
}

/* ---- the steps of a run ---- */

static void close_run(run *g) {
    for (int k = 0; k < GS_TRAIN_MAX_EVAL_TASKS; k++) gs_task_free(g->eval[k]);
    free(g->hist);
    draw_finish(g);
    for (int k = 0; k < 2; k++) gs_demos_batch_free(&g->batches[k]);
    gs_demos_batch_free(&g->val);
    gs_demos_close(g->d);
    gs_policy_free(g->p);
}

static gs_status check_options(const gs_train_options *o, char *err, size_t errlen) {
    if (!o || !o->paths || o->npaths < 1 || !o->out)
        return gs_fail(err, errlen, GS_ERR_USAGE, "train: no data file or no checkpoint path");
    if (o->steps < 1 || o->batch < 1 || o->log_every < 1 || o->save_every < 1 || o->threads < 1)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "train: steps, batch, log_every, save_every and threads must be at least 1");
    if (o->workers < 0 || o->workers > GS_POLICY_MAX_WORKERS)
        return gs_fail(err, errlen, GS_ERR_USAGE, "train: workers %d outside 0..%d", o->workers,
                       GS_POLICY_MAX_WORKERS);
    if (!(o->lr > 0 && o->lr <= 1))
        return gs_fail(err, errlen, GS_ERR_USAGE, "train: learning rate %g outside (0, 1]", o->lr);
    if (o->channels < 0 || o->dilated < -1 || o->dilated > 1 || o->color_words < -1 || o->color_words > 1 ||
        o->rotate_features < -1 || o->rotate_features > 1)
        return gs_fail(err, errlen, GS_ERR_USAGE, "train: channels %d, dilated %d, color_words %d, rotate_features %d",
                       o->channels, o->dilated, o->color_words, o->rotate_features);
    if (o->neval_tasks < 0 || o->neval_tasks > GS_TRAIN_MAX_EVAL_TASKS || (o->neval_tasks && !o->eval_tasks))
        return gs_fail(err, errlen, GS_ERR_USAGE, "train: %d tasks to evaluate, not 0..%d", o->neval_tasks,
                       GS_TRAIN_MAX_EVAL_TASKS);
    if (o->eval_every < 0 || (o->eval_every > 0 && (o->eval_episodes < 1 || !o->neval_tasks)))
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "train: evaluating every %" PRId64 " steps needs tasks and at least one episode",
                       o->eval_every);
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
        if (o->dilated >= 0) cfg.dilated = o->dilated;
        if (o->color_words >= 0) cfg.color_words = o->color_words;
        if (o->rotate_features >= 0) cfg.rotate_features = o->rotate_features;
        if ((st = gs_policy_new(&cfg, o->seed, &g->p, err, errlen)) != GS_OK) return st;
        g->r->fresh = 1;
    }
    if (o->channels && gs_policy_get_config(g->p)->channels != o->channels)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s has %d channels, not the %d of --channels", o->out,
                       gs_policy_get_config(g->p)->channels, o->channels);
    const gs_policy_config *cfg = gs_policy_get_config(g->p);
    if ((o->dilated >= 0 && cfg->dilated != o->dilated) || (o->color_words >= 0 && cfg->color_words != o->color_words) ||
        (o->rotate_features >= 0 && cfg->rotate_features != o->rotate_features))
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "%s has --dilated %d --color-words %d --rotate-features %d, not the options given", o->out,
                       cfg->dilated, cfg->color_words, cfg->rotate_features);
    int workers = o->workers ? o->workers : gs_train_default_workers();
    if ((st = gs_policy_set_workers(g->p, workers, err, errlen)) != GS_OK) return st;
    g->r->parameters = gs_policy_parameters(g->p);
    g->r->channels = gs_policy_get_config(g->p)->channels;
    g->r->dilated = gs_policy_get_config(g->p)->dilated;
    g->r->color_words = gs_policy_get_config(g->p)->color_words;
    g->r->rotate_features = gs_policy_get_config(g->p)->rotate_features;
    g->r->workers = workers;
    return GS_OK;
}

/* The demonstrations, a batch's buffers and the result's counts. */
static gs_status open_data(run *g, char *err, size_t errlen) {
    const gs_train_options *o = g->o;
    gs_demos_options dopt = gs_demos_options_default();
    dopt.val_fraction = o->val_fraction;
    dopt.cache_bytes = o->cache_bytes;
    gs_status st = gs_demos_open(o->paths, o->npaths, gs_policy_get_config(g->p), &dopt, &g->d, err, errlen);
    for (int k = 0; k < 2 && st == GS_OK; k++) st = gs_demos_batch_init(&g->batches[k], g->d, o->batch, err, errlen);
    if (st == GS_OK) st = gs_demos_batch_init(&g->val, g->d, o->batch, err, errlen);
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

/* The tasks to evaluate, loaded once: a bad one fails the run before any step. */
static gs_status open_eval(run *g, char *err, size_t errlen) {
    const gs_train_options *o = g->o;
    gs_train_result *r = g->r;
    if (!o->eval_every) return GS_OK;
    if (!(r->eval_names = calloc((size_t)o->neval_tasks, sizeof *r->eval_names)))
        return gs_fail(err, errlen, GS_ERR_NOMEM, "train: out of memory");
    for (int k = 0; k < o->neval_tasks; k++) {
        gs_status st = gs_task_load(o->eval_tasks[k], &o->eval_options, &g->eval[k], err, errlen);
        if (st != GS_OK) return st;
        if (!(r->eval_names[k] = strdup(gs_task_name(g->eval[k]))))
            return gs_fail(err, errlen, GS_ERR_NOMEM, "train: out of memory");
        r->neval++;
    }
    return GS_OK;
}

/* The curves' paths and, when continuing a checkpoint, its earlier rows. */
static gs_status open_curves(run *g, char *err, size_t errlen) {
    gs_train_result *r = g->r;
    if (!g->o->curves) return GS_OK;
    gs_status st = gs_train_curves_paths(g->o->out, r->csv, r->png, sizeof r->csv, err, errlen);
    if (st != GS_OK || r->fresh) return st;
    return gs_curves_read(r->csv, r->eval_names, r->neval, g->step, &g->hist, &g->nhist, err, errlen);
}

/* Draws the batch of step g->drawn (a thread's entry point). */
static void *draw_run(void *arg) {
    run *g = arg;
    const gs_train_options *o = g->o;
    const int augment = (o->augment ? GS_AUGMENT_GEOMETRY : 0) | (o->color_jitter ? GS_AUGMENT_COLOR : 0);
    g->draw_st = gs_demos_train_batch(g->d, o->seed, g->drawn, o->batch, augment, &g->batches[g->drawn % 2],
                                      g->draw_err, sizeof g->draw_err);
    return NULL;
}

/* Starts drawing step's batch on a thread (or here, when none starts). */
static void draw_start(run *g, int64_t step) {
    g->drawn = step;
    g->drawing = pthread_create(&g->drawer, NULL, draw_run, g) == 0;
    if (!g->drawing) draw_run(g);
}

/* Waits for the draw under way, if any; its status. */
static gs_status draw_finish(run *g) {
    if (g->drawing) pthread_join(g->drawer, NULL);
    g->drawing = 0;
    return g->draw_st;
}

/* One optimiser step, then the log row and the save it is due for. The
 * next step's batch is drawn meanwhile: batch k depends on (seed, k) alone,
 * so when it is drawn changes nothing. */
static gs_status take_step(run *g, char *err, size_t errlen) {
    const gs_train_options *o = g->o;
    double s0 = now_s(), loss;
    double lr = gs_policy_lr(o->schedule, o->lr, g->step, o->steps);
    char why[1024];
    if (g->drawn != g->step) draw_start(g, g->step);
    gs_status st = draw_finish(g);
    gs_demos_batch *b = &g->batches[g->step % 2];
    if (st != GS_OK) snprintf(why, sizeof why, "%s", g->draw_err);
    else if (g->step + 1 < o->steps) draw_start(g, g->step + 1);
    if (st == GS_OK) st = gs_policy_train_step(g->p, b->samples, b->n, (float)lr, &loss, why, sizeof why);
    if (st != GS_OK) return gs_fail(err, errlen, st, "step %" PRId64 ": %s", g->step + 1, why);
    g->train_s += now_s() - s0;
    g->step++;
    g->interval_loss += loss, g->interval_n++;
    int eval = o->eval_every && (g->step % o->eval_every == 0 || g->step == o->steps);
    if (g->step % o->log_every == 0 || g->step == o->steps || eval)
        if ((st = log_row(g, lr, eval, err, errlen)) != GS_OK) return st;
    if (g->step % o->save_every == 0 && g->step < o->steps) {
        if ((st = gs_policy_save(g->p, o->out, err, errlen)) != GS_OK) return st;
        g->last_saved = g->step;
    }
    return GS_OK;
}

/* The mean loss over the first VAL_MAX held-out samples, in batches that
 * fit the batch buffers; *n 0 when none are held out. */
static gs_status validation_loss(run *g, double *loss, int64_t *n, char *err, size_t errlen) {
    gs_demos_batch *b = &g->val;
    /* the next batch's draw reads the files too: it finishes first */
    gs_status drawn = draw_finish(g);
    if (drawn != GS_OK) return gs_fail(err, errlen, drawn, "%s", g->draw_err);
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

/* Each evaluated task's success rate over its episodes into row: the
 * policy acting in the one episode runner, as gensim eval runs it. */
static void evaluate(run *g, gs_train_row *row) {
    const gs_train_options *o = g->o;
    gs_train_result *r = g->r;
    gs_policy_actor actor;
    char why[512];
    if (gs_policy_actor_init(&actor, g->p, why, sizeof why) != GS_OK) {
        if (!r->eval_errors++) snprintf(r->eval_error, sizeof r->eval_error, "%s", why);
        return;
    }
    for (int k = 0; k < r->neval && !g->stop; k++) {
        int successes = 0;
        for (int e = 0; e < o->eval_episodes && !g->stop; e++) {
            uint64_t seed = o->eval_seed + (uint64_t)e;
            gs_episode_result ep;
            gs_status st = gs_episode_run(g->eval[k], seed, gs_policy_actor_get(&actor), NULL, 0, &ep, why, sizeof why);
            if (st != GS_OK && !r->eval_errors++) snprintf(r->eval_error, sizeof r->eval_error, "%s", why);
            int success = st == GS_OK && ep.success;
            successes += success;
            gs_train_progress p = {.event = GS_TRAIN_EPISODE, .task = r->eval_names[k],
                                   .episode = e + 1, .episodes = o->eval_episodes, .success = success};
            if (report(g, &p)) g->stop = 1;
            if (e + 1 == o->eval_episodes) row->success[k] = (double)successes / o->eval_episodes;
        }
    }
    gs_policy_actor_free(&actor);
}

/* A row for the interval that ends now: its losses, speed and (eval)
 * success; then the curves again. */
static gs_status log_row(run *g, double lr, int eval, char *err, size_t errlen) {
    gs_train_result *r = g->r;
    gs_train_row row;
    memset(&row, 0, sizeof row);
    for (int k = 0; k < GS_TRAIN_MAX_EVAL_TASKS; k++) row.success[k] = NAN;
    row.step = g->step;
    const gs_train_row *last = r->nlog ? &r->log[r->nlog - 1] : g->nhist ? &g->hist[g->nhist - 1] : NULL;
    row.samples = (last ? last->samples + (g->step - last->step) * g->o->batch : g->step * g->o->batch);
    row.lr = lr;
    row.train_loss = g->interval_loss / (double)g->interval_n;
    row.samples_per_s = (double)(g->interval_n * g->o->batch) / (now_s() - g->interval_t0);
    double val = 0;
    int64_t nval = 0;
    char why[1024];
    gs_status st = validation_loss(g, &val, &nval, why, sizeof why);
    if (st != GS_OK) return gs_fail(err, errlen, st, "validation: %s", why);
    row.val_loss = nval ? val : NAN;
    if (eval) evaluate(g, &row);
    gs_train_row *more = realloc(r->log, (size_t)(r->nlog + 1) * sizeof *more);
    if (!more) return gs_fail(err, errlen, GS_ERR_NOMEM, "train: out of memory for the log");
    r->log = more;
    r->log[r->nlog++] = row;
    r->train_loss = row.train_loss, r->val_loss = row.val_loss;
    if (g->o->curves && (st = write_curves(g, err, errlen)) != GS_OK) return st;
    gs_train_progress p = {.event = GS_TRAIN_ROW, .row = &r->log[r->nlog - 1]};
    if (report(g, &p)) g->stop = 1;
    g->interval_loss = 0, g->interval_n = 0, g->interval_t0 = now_s();
    return GS_OK;
}

/* Every row so far, the earlier runs' first, to NAME.csv and NAME.png. */
static gs_status write_curves(run *g, char *err, size_t errlen) {
    gs_train_result *r = g->r;
    gs_train_row *all = malloc(sizeof *all * (size_t)(g->nhist + r->nlog));
    if (!all) return gs_fail(err, errlen, GS_ERR_NOMEM, "train: out of memory for the curves");
    if (g->nhist) memcpy(all, g->hist, sizeof *all * (size_t)g->nhist);
    memcpy(all + g->nhist, r->log, sizeof *all * (size_t)r->nlog);
    gs_status st = gs_curves_write(r->csv, r->png, all, g->nhist + r->nlog, r->eval_names, r->neval, err,
                                   errlen);
    free(all);
    return st;
}

/* Tells the caller what p says (event and its fields) with the run's
 * state filled in; 1 when it asks to stop. */
static int report(run *g, gs_train_progress *p) {
    if (!g->progress) return 0;
    p->result = g->r;
    p->step = g->step;
    p->total = g->o->steps;
    p->samples_per_s = g->train_s > 0 ? (double)((g->step - g->r->first_step) * g->o->batch) / g->train_s : 0;
    p->elapsed_s = now_s() - g->t0;
    return g->progress(p, g->ud) != 0;
}
