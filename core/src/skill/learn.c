/* learn.c: gs_learn, a task's learned units from their dense rewards
 * (skill.h): the tasks on their threads, the units in order, the final
 * evaluation, the checkpoint, the learning curve.
 *
 * Tasks are loaded in this process, one per thread, each its own sandbox
 * and world under the task's limits; a worker process per thread would
 * cost a copy of every rollout. */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "gensim/io.h"
#include "gensim/render.h"
#include "skill/skill_internal.h"
#include "skill/terms.h"

#define MAX_THREADS 64

double gsk_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

gs_learn_options gs_learn_options_default(void) {
    gs_learn_options o;
    memset(&o, 0, sizeof o);
    o.task_opt = gs_task_options_default();
    o.algo = GS_LEARN_PPO;
    o.threads = 1;
    o.eval_episodes = 50;
    o.eval_seed = 1000000;
    o.hidden = 64;
    o.batch_steps = 2048;
    o.minibatch = 256;
    o.epochs = 10;
    o.lr = 3e-4;
    o.gamma = 0.99;
    o.lambda = 0.95;
    o.clip = 0.2;
    o.ent_coef = 0.0;
    o.vf_coef = 0.5;
    o.max_grad_norm = 0.5;
    o.init_log_std = -0.5;
    o.target_success = 2;
    o.cem_seeds = 10;
    o.population = 64;
    o.elites = 8;
    o.cem_std = 0.5;
    return o;
}

static gs_status check_options(const gs_learn_options *o, char *err, size_t errlen) {
    const struct {
        const char *name;
        double v, lo, hi;
    } checks[] = {
        {"threads", o->threads, 1, MAX_THREADS},       {"eval_episodes", o->eval_episodes, 0, 100000},
        {"hidden", o->hidden, 1, 1024},                {"batch_steps", o->batch_steps, 1, 1 << 22},
        {"minibatch", o->minibatch, 1, 1 << 16},       {"epochs", o->epochs, 1, 1000},
        {"lr", o->lr, 0, 1},                           {"gamma", o->gamma, 0, 1},
        {"lambda", o->lambda, 0, 1},                   {"clip", o->clip, 0, 10},
        {"ent_coef", o->ent_coef, 0, 10},              {"vf_coef", o->vf_coef, 0, 100},
        {"max_grad_norm", o->max_grad_norm, 0, 1e6},   {"init_log_std", o->init_log_std, -10, 2},
        {"cem_seeds", o->cem_seeds, 1, 10000},         {"population", o->population, 2, 100000},
        {"elites", o->elites, 1, o->population},       {"cem_std", o->cem_std, 1e-3, 10},
        {"target_success", o->target_success, 0, 1e9},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if (!(checks[i].v >= checks[i].lo && checks[i].v <= checks[i].hi))
            return gs_fail(err, errlen, GS_ERR_USAGE, "learn: %s must be in [%g, %g], not %g", checks[i].name,
                           checks[i].lo, checks[i].hi, checks[i].v);
    if (!o->task) return gs_fail(err, errlen, GS_ERR_USAGE, "learn: no task");
    if (o->steps > (UINT64_C(1) << 40)) return gs_fail(err, errlen, GS_ERR_USAGE, "learn: --steps is too large");
    return GS_OK;
}

/* ---- threads ---- */

typedef struct parallel {
    gsk_learner *l;
    int count;
    gs_status (*job)(void *ud, int worker, int i, char *err, size_t errlen);
    void *ud;
    atomic_int next;          /* the next index to take */
    atomic_int limit;         /* indices from here on are not started (the lowest failure so far) */
    int failed[MAX_THREADS];  /* each worker's lowest failing index, or count */
    gs_status status[MAX_THREADS];
    char err[MAX_THREADS][1024];
} parallel;

typedef struct worker_arg {
    parallel *p;
    int w;
} worker_arg;

static void *worker_main(void *arg) {
    worker_arg *wa = arg;
    parallel *p = wa->p;
    for (;;) {
        int i = atomic_fetch_add(&p->next, 1);
        if (i >= p->count || i >= atomic_load(&p->limit)) break;
        char why[1024];
        gs_status st = p->job(p->ud, wa->w, i, why, sizeof why);
        if (st != GS_OK && i < p->failed[wa->w]) {
            p->failed[wa->w] = i, p->status[wa->w] = st;
            snprintf(p->err[wa->w], sizeof p->err[wa->w], "%s", why);
            int cur = atomic_load(&p->limit);
            while (i < cur && !atomic_compare_exchange_weak(&p->limit, &cur, i)) {}
        }
    }
    return NULL;
}

gs_status gsk_parallel(gsk_learner *l, int count, gs_status (*job)(void *ud, int worker, int i, char *err, size_t errlen),
                       void *ud, char *err, size_t errlen) {
    parallel *p = calloc(1, sizeof *p);
    if (!p) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    p->l = l, p->count = count, p->job = job, p->ud = ud;
    atomic_init(&p->next, 0);
    atomic_init(&p->limit, count);
    int threads = l->threads < count ? l->threads : count;
    pthread_t tid[MAX_THREADS];
    worker_arg args[MAX_THREADS];
    int started = 0;
    for (int w = 0; w < threads; w++) {
        p->failed[w] = count;
        args[w] = (worker_arg){p, w};
    }
    for (int w = 1; w < threads; w++)
        if (pthread_create(&tid[w], NULL, worker_main, &args[w]) == 0) started = w;
        else break;
    if (threads > 0) worker_main(&args[0]);
    for (int w = 1; w <= started; w++) pthread_join(tid[w], NULL);
    gs_status st = GS_OK;
    int lowest = count;
    for (int w = 0; w < threads; w++)
        if (p->failed[w] < lowest) {
            lowest = p->failed[w];
            st = gs_fail(err, errlen, p->status[w], "%s", p->err[w]);
        }
    free(p);
    return st;
}

/* ---- the curve and the report ---- */

void gsk_learner_report(gsk_learner *l, int iteration, uint64_t steps, uint64_t episodes, double mean_return,
                        double success, double steps_per_s, double update_per_s) {
    const gs_learn_options *o = l->o;
    double wall = gsk_now() - l->t0;
    if (l->rows == l->cap_rows) {
        int cap = l->cap_rows ? 2 * l->cap_rows : 64;
        double *c = realloc(l->curve, (size_t)cap * GSK_CURVE_COLS * sizeof *c);
        if (!c) return; /* the curve is a report: a row lost to memory is not the run's failure */
        l->curve = c, l->cap_rows = cap;
    }
    double *row = l->curve + (size_t)l->rows++ * GSK_CURVE_COLS;
    row[GSK_CURVE_UNIT] = l->unit, row[GSK_CURVE_ITER] = iteration, row[GSK_CURVE_STEPS] = (double)steps;
    row[GSK_CURVE_EPISODES] = (double)episodes, row[GSK_CURVE_WALL] = wall, row[GSK_CURVE_RETURN] = mean_return;
    row[GSK_CURVE_SUCCESS] = success, row[GSK_CURVE_SPS] = steps_per_s;
    l->r->train_success = success;
    if (l->r->threshold_s < 0 && success >= o->target_success && l->unit == l->nunits - 1)
        l->r->threshold_s = wall, l->r->threshold_steps = steps;
    if (o->on_progress) {
        gs_learn_progress p = {l->unit, l->nunits, iteration, steps, episodes, mean_return, success, steps_per_s,
                               update_per_s, wall};
        o->on_progress(o->ud, &p);
    }
}

/* The slot of the term named name in t, added when new; -1 when t is full. */
static int term_slot(gsk_terms *t, const char *name) {
    int k = 0;
    while (k < t->n && strcmp(t->names[k], name) != 0) k++;
    if (k < t->n) return k;
    if (t->n == GS_REWARD_TERMS_MAX) return -1;
    snprintf(t->names[t->n++], GS_REWARD_TERM_NAME_MAX, "%s", name);
    return k;
}

/* Widens slot k's range to [lo, hi]; an empty slot takes it. */
static void term_range(gsk_terms *t, int k, double lo, double hi) {
    if (t->count[k] == 0 || lo < t->min[k]) t->min[k] = lo;
    if (t->count[k] == 0 || hi > t->max[k]) t->max[k] = hi;
}

void gsk_terms_add(gsk_terms *t, int nterms, const char *const *names, const double *values, int first) {
    for (int i = 0; i < nterms; i++) {
        int k = term_slot(t, names[i]);
        if (k < 0) continue;
        term_range(t, k, values[i], values[i]);
        t->sum[k] += values[i], t->count[k] += 1, t->last[k] = values[i];
        if (first) t->first[k] += values[i], t->episodes[k] += 1;
    }
}

void gsk_terms_merge(gsk_terms *a, const gsk_terms *b) {
    for (int i = 0; i < b->n; i++) {
        int k = term_slot(a, b->names[i]);
        if (k < 0 || b->count[i] == 0) continue;
        term_range(a, k, b->min[i], b->max[i]);
        a->sum[k] += b->sum[i], a->count[k] += b->count[i];
        a->first[k] += b->first[i], a->last[k] += b->last[i], a->episodes[k] += b->episodes[i];
    }
    gs_learn_returns *ra = &a->returns;
    const gs_learn_returns *rb = &b->returns;
    if (rb->episodes == 0) return;
    if (ra->episodes == 0 || rb->min < ra->min) ra->min = rb->min;
    if (ra->episodes == 0 || rb->max > ra->max) ra->max = rb->max;
    ra->mean += rb->mean, ra->episodes += rb->episodes;
}

void gsk_terms_return(gsk_terms *t, double ret) {
    gsk_terms one;
    memset(&one, 0, sizeof one);
    one.returns = (gs_learn_returns){1, ret, ret, ret};
    gsk_terms_merge(t, &one);
}

void gsk_terms_result(const gsk_terms *t, gs_learn_result *r) {
    r->nterms = t->n;
    for (int i = 0; i < t->n; i++) {
        gs_learn_term *o = &r->terms[i];
        snprintf(o->name, sizeof o->name, "%s", t->names[i]);
        o->mean = t->count[i] ? t->sum[i] / t->count[i] : 0;
        o->first = t->episodes[i] ? t->first[i] / t->episodes[i] : 0;
        o->last = t->episodes[i] ? t->last[i] / t->episodes[i] : 0;
        o->min = t->min[i], o->max = t->max[i];
    }
    r->returns = t->returns;
    if (r->returns.episodes) r->returns.mean /= r->returns.episodes;
}

/* FILE.csv and FILE.png beside the checkpoint. */
static gs_status write_curve(gsk_learner *l, const char *out, char *err, size_t errlen) {
    gs_learn_result *r = l->r;
    snprintf(r->csv, sizeof r->csv, "%s.csv", out);
    snprintf(r->png, sizeof r->png, "%s.png", out);
    size_t cap = 128 + (size_t)l->rows * 160, used = 0;
    char *text = malloc(cap);
    if (!text) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory for the learning curve");
    used += (size_t)snprintf(text, cap, "unit,iteration,env_steps,episodes,wall_s,mean_return,success_rate,steps_per_s\n");
    for (int i = 0; i < l->rows; i++) {
        const double *row = l->curve + (size_t)i * GSK_CURVE_COLS;
        used += (size_t)snprintf(text + used, cap - used, "%d,%d,%.0f,%.0f,%.3f,%.6g,%.4f,%.1f\n", (int)row[0],
                                 (int)row[1], row[2], row[3], row[4], row[5], row[6], row[7]);
    }
    gs_status st = gs_write_file_atomic(r->csv, text, used, err, errlen);
    free(text);
    if (st != GS_OK) return st;
    enum { W = 640, H = 480 };
    uint8_t *rgb = malloc((size_t)W * H * 3);
    double *x = malloc(((size_t)l->rows + 1) * 3 * sizeof *x);
    if (!rgb || !x) {
        free(rgb), free(x);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory for the learning curve's picture");
    }
    double *success = x + l->rows + 1, *ret = success + l->rows + 1;
    for (int i = 0; i < l->rows; i++) {
        const double *row = l->curve + (size_t)i * GSK_CURVE_COLS;
        x[i] = row[GSK_CURVE_STEPS], success[i] = row[GSK_CURVE_SUCCESS], ret[i] = row[GSK_CURVE_RETURN];
    }
    char title[160];
    snprintf(title, sizeof title, "%s (%s): success rate over environment steps", r->task,
             l->o->algo == GS_LEARN_PPO ? "PPO" : "CEM");
    /* success above, mean return below, each a plot of W x H / 2 */
    gsr_series s1 = {"success", x, success, l->rows, {30, 120, 200}}, s2 = {"return", x, ret, l->rows, {200, 80, 40}};
    gsr_plot_style top = gsr_plot_style_default(), bottom = gsr_plot_style_default();
    top.title = title, top.y_label = "success rate", top.y_min = 0, top.y_max = 1;
    bottom.title = "mean return per episode", bottom.x_label = "environment steps", bottom.y_label = "return";
    st = gsr_plot_lines(rgb, W, H / 2, &top, &s1, 1, err, errlen);
    if (st == GS_OK) st = gsr_plot_lines(rgb + (size_t)W * (H / 2) * 3, W, H / 2, &bottom, &s2, 1, err, errlen);
    if (st != GS_OK) {
        free(rgb), free(x);
        return st;
    }
    st = gs_write_png(r->png, rgb, W, H, err, errlen);
    free(rgb), free(x);
    return st;
}

/* ---- evaluation ---- */

typedef struct eval_ctx {
    gsk_learner *l;
    gsk_episode *eps;         /* (threads) */
    unsigned char *success;   /* (count) */
    double *ret;              /* (count) */
    uint64_t first_seed;
} eval_ctx;

static gs_status eval_job(void *ud, int worker, int i, char *err, size_t errlen) {
    eval_ctx *c = ud;
    gsk_episode *e = &c->eps[worker];
    gs_episode_result r;
    gs_status st = gsk_episode_run(c->l->tasks[worker], c->first_seed + (uint64_t)i, e, &r, err, errlen);
    c->success[i] = st == GS_OK && r.success;
    c->ret[i] = r.reward;
    return st;
}

/* The skill through every unit on count seeds from first_seed. */
static gs_status evaluate(gsk_learner *l, int count, uint64_t first_seed, char *err, size_t errlen) {
    eval_ctx c = {l, calloc((size_t)l->threads, sizeof(gsk_episode)), calloc((size_t)count, 1),
                  calloc((size_t)count, sizeof(double)), first_seed};
    gs_status st = c.eps && c.success && c.ret ? GS_OK : gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    for (int w = 0; st == GS_OK && w < l->threads; w++) {
        gsk_episode *e = &c.eps[w];
        e->target = GSK_ALL_UNITS, e->slots = l->skill->slots, e->decide = gsk_skill_decide, e->ud = l->skill;
        e->reward = NULL; /* no unit is the target: nothing is learned */
        if (!(e->state = calloc((size_t)l->skill->obs, sizeof(float)))) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    }
    if (st == GS_OK) st = gsk_parallel(l, count, eval_job, &c, err, errlen);
    if (st == GS_OK) {
        double sum = 0;
        l->r->eval_episodes = count;
        for (int i = 0; i < count; i++) l->r->eval_successes += c.success[i], sum += c.ret[i];
        l->r->success_rate = count ? (double)l->r->eval_successes / count : 0;
        l->r->mean_reward = count ? sum / count : 0;
    }
    for (int w = 0; c.eps && w < l->threads; w++) free(c.eps[w].state);
    free(c.eps), free(c.success), free(c.ret);
    return st;
}

/* ---- the run ---- */

/* Loads a task per thread and reads the layout from the first one's reset. */
static gs_status load_tasks(gsk_learner *l, char *err, size_t errlen) {
    const gs_learn_options *o = l->o;
    if (!(l->tasks = calloc((size_t)l->threads, sizeof *l->tasks)))
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    for (int w = 0; w < l->threads; w++) {
        gs_status st = o->source ? gs_task_load_string(o->task, o->source, o->source_len, &o->task_opt, &l->tasks[w], err, errlen)
                                 : gs_task_load(o->task, &o->task_opt, &l->tasks[w], err, errlen);
        if (st != GS_OK) return st;
    }
    gs_task *t = l->tasks[0];
    gs_skill *s = l->skill;
    snprintf(s->task, sizeof s->task, "%s", gs_task_name(t));
    snprintf(l->r->task, sizeof l->r->task, "%s", gs_task_name(t));
    l->nunits = gsk_task_units(t, l->units, GS_SKILL_MAX_UNITS);
    if (l->nunits == 0)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "task '%s' has nothing to learn: it is not control = \"continuous\" and none of its subtasks "
                       "has a reward (its oracle solves it: gensim-run)", gs_task_name(t));
    gs_status st = gs_task_reset(t, GSK_TRAIN_SEED0, err, errlen);
    if (st != GS_OK) return st;
    s->slots = gs_task_state_objects(t, s->kinds, sizeof s->kinds);
    if (s->slots > 256) return gs_fail(err, errlen, GS_ERR_USAGE, "task '%s' has %d objects; a skill observes at most 256",
                                      gs_task_name(t), s->slots);
    s->obs = GS_STATE_SIZE(s->slots);
    s->hidden = o->hidden;
    s->algo = o->algo;
    s->seed = o->seed;
    s->nunits = l->nunits;
    for (int u = 0; u < l->nunits; u++) s->units[u].subtask = l->units[u];
    l->r->units = l->nunits, l->r->slots = s->slots, l->r->obs = s->obs;
    return GS_OK;
}

static gs_status learn_units(gsk_learner *l, char *err, size_t errlen) {
    const gs_learn_options *o = l->o;
    uint64_t total = o->steps ? o->steps : o->algo == GS_LEARN_PPO ? 200000 : 100000;
    gs_status st = GS_OK;
    for (l->unit = 0; l->unit < l->nunits && st == GS_OK; l->unit++) {
        l->budget = total / (uint64_t)l->nunits;
        if (l->budget < 1) l->budget = 1;
        st = o->algo == GS_LEARN_PPO ? gsk_ppo_learn(l, err, errlen) : gsk_cem_learn(l, err, errlen);
        l->skill->units[l->unit].ready = st == GS_OK;
        if (o->stop && *o->stop) {
            l->r->stopped = 1;
            break;
        }
    }
    if (l->unit >= l->nunits) l->unit = l->nunits - 1;
    return st;
}

gs_status gsk_learner_open(gsk_learner *l, const gs_learn_options *o, gs_learn_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    r->algo = o->algo;
    r->threshold_s = -1;
    memset(l, 0, sizeof *l);
    l->o = o, l->r = r, l->threads = o->threads, l->t0 = gsk_now();
    gs_status st = check_options(o, err, errlen);
    if (st != GS_OK) return st;
    if (!(l->skill = calloc(1, sizeof *l->skill))) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    gs_policy_set_threads(1); /* one GEMM thread: the learner's threads are the parallelism, and sums stay in order */
    return load_tasks(l, err, errlen);
}

void gsk_learner_close(gsk_learner *l) {
    for (int w = 0; l->tasks && w < l->threads; w++) gs_task_free(l->tasks[w]);
    free(l->tasks);
    free(l->curve);
    gs_skill_free(l->skill);
    memset(l, 0, sizeof *l);
}

gs_status gs_learn(const gs_learn_options *o, gs_learn_result *r, char *err, size_t errlen) {
    gsk_learner l;
    gs_status st = gsk_learner_open(&l, o, r, err, errlen);
    if (st == GS_OK) st = learn_units(&l, err, errlen);
    if (st == GS_OK && !r->stopped) {
        int all_ready = 1;
        for (int u = 0; u < l.nunits; u++) all_ready &= l.skill->units[u].ready;
        if (all_ready && o->algo == GS_LEARN_PPO && o->eval_episodes > 0)
            st = evaluate(&l, o->eval_episodes, o->eval_seed, err, errlen);
        else if (all_ready && o->algo == GS_LEARN_CEM)
            st = evaluate(&l, o->cem_seeds, o->eval_seed, err, errlen);
    }
    if (l.skill) l.skill->env_steps = l.env_steps;
    r->env_steps = l.env_steps, r->episodes = l.episodes;
    r->collect_s = l.collect_s, r->update_s = l.update_s;
    r->steps_per_s = l.collect_s > 0 ? (double)l.env_steps / l.collect_s : 0;
    r->update_samples_per_s = l.update_s > 0 ? (double)l.update_samples / l.update_s : 0;
    if (st == GS_OK && o->out) st = gsk_skill_save(l.skill, o->out, r->sha256, err, errlen);
    if (st == GS_OK && o->out && l.rows > 0) st = write_curve(&l, o->out, err, errlen);
    r->wall_s = gsk_now() - l.t0;
    gsk_learner_close(&l);
    return st;
}

char *gs_learn_result_json(const gs_learn_result *r, const gs_learn_options *o) {
    cJSON *j = cJSON_CreateObject();
    if (!j) return NULL;
    cJSON_AddStringToObject(j, "task", r->task);
    cJSON_AddStringToObject(j, "algo", r->algo == GS_LEARN_PPO ? "ppo" : "cem");
    cJSON_AddNumberToObject(j, "units", r->units);
    cJSON_AddNumberToObject(j, "observation", r->obs);
    cJSON_AddNumberToObject(j, "threads", o->threads);
    cJSON_AddNumberToObject(j, "seed", (double)o->seed);
    cJSON_AddNumberToObject(j, "env_steps", (double)r->env_steps);
    cJSON_AddNumberToObject(j, "episodes", (double)r->episodes);
    cJSON_AddNumberToObject(j, "iterations", r->iterations);
    cJSON_AddNumberToObject(j, "eval_episodes", r->eval_episodes);
    cJSON_AddNumberToObject(j, "eval_successes", r->eval_successes);
    cJSON_AddNumberToObject(j, "first_eval_seed", (double)o->eval_seed);
    cJSON_AddNumberToObject(j, "success_rate", r->success_rate);
    cJSON_AddNumberToObject(j, "mean_reward", r->mean_reward);
    cJSON_AddNumberToObject(j, "train_success_rate", r->train_success);
    cJSON_AddNumberToObject(j, "wall_s", r->wall_s);
    cJSON_AddNumberToObject(j, "collect_s", r->collect_s);
    cJSON_AddNumberToObject(j, "update_s", r->update_s);
    cJSON_AddNumberToObject(j, "steps_per_s", r->steps_per_s);
    cJSON_AddNumberToObject(j, "update_samples_per_s", r->update_samples_per_s);
    if (r->threshold_s >= 0) {
        cJSON_AddNumberToObject(j, "threshold_s", r->threshold_s);
        cJSON_AddNumberToObject(j, "threshold_steps", (double)r->threshold_steps);
    } else {
        cJSON_AddNullToObject(j, "threshold_s");
    }
    cJSON_AddBoolToObject(j, "stopped", r->stopped);
    if (o->out) cJSON_AddStringToObject(j, "checkpoint", o->out);
    if (r->sha256[0]) cJSON_AddStringToObject(j, "sha256", r->sha256);
    if (r->csv[0]) cJSON_AddStringToObject(j, "curve_csv", r->csv);
    if (r->png[0]) cJSON_AddStringToObject(j, "curve_png", r->png);
    gsk_terms_json(j, r->terms, r->nterms, &r->returns);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}

void gsk_terms_json(cJSON *o, const gs_learn_term *terms, int n, const gs_learn_returns *returns) {
    cJSON *list = cJSON_AddArrayToObject(o, "terms");
    for (int i = 0; list && i < n; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "name", terms[i].name);
        cJSON_AddNumberToObject(t, "mean", terms[i].mean);
        cJSON_AddNumberToObject(t, "first", terms[i].first);
        cJSON_AddNumberToObject(t, "last", terms[i].last);
        cJSON_AddNumberToObject(t, "min", terms[i].min);
        cJSON_AddNumberToObject(t, "max", terms[i].max);
        cJSON_AddItemToArray(list, t);
    }
    if (!returns || returns->episodes == 0) return;
    cJSON *ret = cJSON_AddObjectToObject(o, "return");
    cJSON_AddNumberToObject(ret, "episodes", returns->episodes);
    cJSON_AddNumberToObject(ret, "min", returns->min);
    cJSON_AddNumberToObject(ret, "mean", returns->mean);
    cJSON_AddNumberToObject(ret, "max", returns->max);
}
