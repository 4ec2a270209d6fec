/* run.c: gs_run, the episodes of one task (workflow.h), and the seeds of
 * the two splits. */
#include "gensim/workflow.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "gensim/io.h"
#include "task/isolate.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

uint64_t gs_split_seed(uint64_t s, uint64_t k, int test_split) {
    return s + k + (test_split ? GS_TEST_SEED_OFFSET : 0);
}

gs_run_options gs_run_options_default(void) {
    gs_run_options o;
    memset(&o, 0, sizeof o);
    o.task_opt = gs_task_options_default();
    o.episodes = 1;
    o.actor = gs_actor_oracle();
    return o;
}

/* One episode as a worker's child reports it. */
typedef struct episode_msg {
    uint64_t k;
    gs_episode_result ep;
    double seconds;
    int has_pictures;
    gs_pictures pics; /* its state pointer is meaningless in the parent */
} episode_msg;

/* Where an episode goes: the caller's callback and the result, in the
 * process that runs the task or in the parent of its worker. */
static void tally(const gs_run_options *o, gs_run_result *r, double *reward, const episode_msg *m) {
    r->episodes++;
    r->successes += (uint64_t)m->ep.success;
    *reward += m->ep.reward;
    r->sim_steps += m->ep.sim_steps;
    r->digest = gsu_fnv1a(r->digest, &m->ep.digest, sizeof m->ep.digest);
    if (o->on_episode) o->on_episode(o->ud, m->k, &m->ep, m->has_pictures ? &m->pics : NULL, m->seconds);
}

typedef struct run_ctx {
    const gs_run_options *o;
    gs_run_result *r;
    double reward;
} run_ctx;

/* Loads the task and runs the episodes here; with a channel (in a
 * worker's child) each episode goes to the parent instead. */
static gs_status run_here(run_ctx *c, gsl_channel *out, char *err, size_t errlen) {
    const gs_run_options *o = c->o;
    gs_task *t;
    gs_status st = gs_task_load(o->task, &o->task_opt, &t, err, errlen);
    if (st != GS_OK) return st;
    const char *name = gs_task_name(t);
    snprintf(c->r->task, sizeof c->r->task, "%s", name);
    if (out && gsl_channel_send(out, GS_MSG_NAME, name, strlen(name)) != GS_OK) st = GS_ERR_IO;
    episode_msg *m = calloc(1, sizeof *m);
    if (!m) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory for pictures");
    gs_observer observers[2];
    int n = 0;
    if (st == GS_OK && o->render) {
        m->pics.dir = o->render, m->pics.clip = 1;
        observers[n++] = gs_pictures_observer(&m->pics);
    }
    if (out) observers[n++] = gs__heartbeat(out);
    for (uint64_t e = 0; e < o->episodes && st == GS_OK; e++) {
        double e0 = now();
        if ((st = gs_episode_run(t, o->seed + e, o->actor, observers, n, &m->ep, err, errlen)) != GS_OK) break;
        if (o->render && m->pics.status != GS_OK) {
            st = gs_fail(err, errlen, m->pics.status, "%s", m->pics.err);
            break;
        }
        m->k = e, m->seconds = now() - e0, m->has_pictures = o->render != NULL;
        if (out) {
            m->pics.state = NULL;
            if (gsl_channel_send(out, GS_MSG_EPISODE, m, sizeof *m) != GS_OK) st = GS_ERR_IO;
        } else {
            tally(o, c->r, &c->reward, m);
        }
    }
    free(m);
    gs_task_free(t);
    return st;
}

static gs_status run_child(void *ud, gsl_channel *out, char *err, size_t errlen) {
    return run_here(ud, out, err, errlen);
}

static gs_status run_message(void *ud, int type, const void *data, size_t len, char *err, size_t errlen) {
    run_ctx *c = ud;
    if (type == GS_MSG_NAME) {
        snprintf(c->r->task, sizeof c->r->task, "%.*s", (int)len, (const char *)data);
    } else if (type == GS_MSG_EPISODE) {
        if (len != sizeof(episode_msg)) return gs_fail(err, errlen, GS_ERR_RUNTIME, "the worker sent a torn episode");
        episode_msg m;
        memcpy(&m, data, sizeof m);
        tally(c->o, c->r, &c->reward, &m);
    }
    return GS_OK;
}

/* An unreadable file is the caller's mistake, told before any worker. */
static gs_status readable(const char *task, char *err, size_t errlen) {
    char path[4096];
    gs_status st = gs_task_resolve(task, path, sizeof path, err, errlen);
    if (st == GS_OK && access(path, R_OK) != 0) st = gs_fail(err, errlen, GS_ERR_IO, "%s: %s", path, strerror(errno));
    return st;
}

gs_status gs_run(const gs_run_options *o, gs_run_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    r->digest = GSU_FNV_OFFSET;
    if (o->episodes < 1 || o->episodes > 1000000)
        return gs_fail(err, errlen, GS_ERR_USAGE, "episodes must be 1..1000000, not %" PRIu64, o->episodes);
    if (o->seed > UINT64_MAX - o->episodes) return gs_fail(err, errlen, GS_ERR_USAGE, "the seeds overflow");
    gs_status st;
    if (o->render && (st = gs_make_dirs(o->render, err, errlen)) != GS_OK) return st;
    if ((st = readable(o->task, err, errlen)) != GS_OK) return st;
    double t0 = now();
    run_ctx c = {o, r, 0};
    if (gs__isolated(&o->task_opt)) {
        gsl_worker_limits lim = gs__worker_limits(&o->task_opt, o->render != NULL);
        st = gsl_worker_run(run_child, &c, &lim, run_message, &c, err, errlen);
    } else {
        st = run_here(&c, NULL, err, errlen);
    }
    r->mean_reward = r->episodes ? c.reward / (double)r->episodes : 0;
    r->wall_s = now() - t0;
    return st;
}

/* A probe is a run of no episodes. */
gs_status gs_task_probe(const char *task, const gs_task_options *to, char name[GS_TASK_NAME_MAX + 1], char *err,
                        size_t errlen) {
    gs_run_options o = gs_run_options_default();
    o.task = task, o.task_opt = *to, o.episodes = 0;
    gs_run_result r;
    memset(&r, 0, sizeof r);
    run_ctx c = {&o, &r, 0};
    gs_status st = readable(task, err, errlen);
    if (st == GS_OK && gs__isolated(to)) {
        gsl_worker_limits lim = gs__worker_limits(to, 0);
        st = gsl_worker_run(run_child, &c, &lim, run_message, &c, err, errlen);
    } else if (st == GS_OK) {
        st = run_here(&c, NULL, err, errlen);
    }
    snprintf(name, GS_TASK_NAME_MAX + 1, "%s", r.task);
    return st;
}

char *gs_run_result_json(const gs_run_result *r) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, r->digest);
    double n = (double)r->episodes;
    cJSON_AddStringToObject(o, "task", r->task);
    cJSON_AddNumberToObject(o, "episodes", n);
    cJSON_AddNumberToObject(o, "successes", (double)r->successes);
    cJSON_AddNumberToObject(o, "success_rate", n > 0 ? (double)r->successes / n : 0);
    cJSON_AddNumberToObject(o, "mean_reward", r->mean_reward);
    cJSON_AddNumberToObject(o, "sim_steps", (double)r->sim_steps);
    cJSON_AddNumberToObject(o, "wall_s", r->wall_s);
    cJSON_AddNumberToObject(o, "episodes_per_s", r->wall_s > 0 ? n / r->wall_s : 0);
    cJSON_AddStringToObject(o, "digest", hex);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}
