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
#include "task/runs.h"

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
    o.scale = gs_scale_default();
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

/* A share of one part's episodes: the unit a worker runs. */
typedef struct chunk {
    int part;
    uint64_t first, end;      /* episodes first .. end - 1 */
    uint64_t received;        /* episodes first .. received - 1 have arrived */
    episode_msg *held;        /* (nheld) arrived before the chunks ahead were tallied */
    size_t nheld, cap;
    int finished;
    gs_status st;             /* its failure, GS_OK if none */
    char why[1024];
} chunk;

typedef struct runner {
    gs_run_part *parts;
    int nparts;
    const gs_task_options *to;
    gs_actor actor;
    const char *render;
    const gs_scale *scale;
    chunk *chunks;
    int nchunks, next, head;  /* next to start; the first not wholly tallied */
    int failed;               /* the first chunk that failed, or nchunks */
} runner;

/* Where an episode goes: the part's totals and its callback. */
static void tally(gs_run_part *p, const episode_msg *m) {
    gs_run_result *r = &p->r;
    r->episodes++;
    r->successes += (uint64_t)m->ep.success;
    p->reward += m->ep.reward;
    r->sim_steps += m->ep.sim_steps;
    r->digest = gsu_fnv1a(r->digest, &m->ep.digest, sizeof m->ep.digest);
    if (p->on_episode) p->on_episode(p->ud, m->k, &m->ep, m->has_pictures ? &m->pics : NULL, m->seconds);
}

/* Runs chunk c's episodes from c->received here; with a channel (in a
 * worker's child) each goes to the parent, else it is tallied. */
static gs_status run_chunk(runner *R, chunk *c, gsl_channel *out, char *err, size_t errlen) {
    gs_run_part *p = &R->parts[c->part];
    gs_task *t;
    gs_status st = gs_task_load(p->task, R->to, &t, err, errlen);
    if (st != GS_OK) return st;
    const char *name = gs_task_name(t);
    snprintf(p->r.task, sizeof p->r.task, "%s", name);
    p->ran = 1;
    if (out && gsl_channel_send(out, GS_MSG_NAME, name, strlen(name)) != GS_OK) st = GS_ERR_IO;
    episode_msg *m = calloc(1, sizeof *m);
    if (!m) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory for pictures");
    gs_observer observers[2];
    int n = 0;
    if (st == GS_OK && R->render) {
        m->pics.dir = R->render, m->pics.clip = 1;
        observers[n++] = gs_pictures_observer(&m->pics);
    }
    if (out) observers[n++] = gs__heartbeat(out);
    for (uint64_t e = c->received; e < c->end && st == GS_OK; e++) {
        double e0 = now();
        if ((st = gs_episode_run(t, p->seed + e, R->actor, observers, n, &m->ep, err, errlen)) != GS_OK) break;
        if (R->render && m->pics.status != GS_OK) {
            st = gs_fail(err, errlen, m->pics.status, "%s", m->pics.err);
            break;
        }
        m->k = e, m->seconds = now() - e0, m->has_pictures = R->render != NULL;
        if (out) {
            m->pics.state = NULL;
            if (gsl_channel_send(out, GS_MSG_EPISODE, m, sizeof *m) != GS_OK) st = GS_ERR_IO;
        } else {
            c->received = e + 1;
            tally(p, m);
        }
    }
    free(m);
    gs_task_free(t);
    return st;
}

/* Tallies what the chunks at the head hold, and moves the head past the
 * finished ones; never past the first failure. */
static void advance(runner *R) {
    while (R->head < R->nchunks) {
        chunk *c = &R->chunks[R->head];
        for (size_t i = 0; i < c->nheld; i++) tally(&R->parts[c->part], &c->held[i]);
        free(c->held);
        c->held = NULL, c->nheld = c->cap = 0;
        if (!c->finished || R->head == R->failed) break;
        R->head++;
    }
}

static int chunks_next(void *ud, gsl_pool *pool) {
    (void)pool;
    runner *R = ud;
    return R->next < R->failed && R->next < R->nchunks ? R->next++ : -1;
}

static gs_status chunks_work(void *ud, int job, gsl_channel *out, char *err, size_t errlen) {
    runner *R = ud;
    return run_chunk(R, &R->chunks[job], out, err, errlen);
}

static gs_status chunks_message(void *ud, gsl_pool *pool, int job, int type, const void *data, size_t len,
                                char *err, size_t errlen) {
    (void)pool;
    runner *R = ud;
    chunk *c = &R->chunks[job];
    gs_run_part *p = &R->parts[c->part];
    if (type == GS_MSG_NAME) {
        snprintf(p->r.task, sizeof p->r.task, "%.*s", (int)len, (const char *)data);
        p->ran = 1;
        return GS_OK;
    }
    if (type != GS_MSG_EPISODE) return GS_OK;
    episode_msg m;
    if (len != sizeof m) return gs_fail(err, errlen, GS_ERR_RUNTIME, "the worker sent a torn episode");
    memcpy(&m, data, sizeof m);
    if (m.k != c->received) return gs_fail(err, errlen, GS_ERR_RUNTIME, "the worker sent episodes out of order");
    c->received++;
    if (job == R->head) {
        tally(p, &m);
        return GS_OK;
    }
    if (c->nheld == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        episode_msg *grown = realloc(c->held, cap * sizeof *grown);
        if (!grown) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory holding episodes");
        c->held = grown, c->cap = cap;
    }
    c->held[c->nheld++] = m;
    return GS_OK;
}

static void chunks_retry(void *ud, int job, const char *why) {
    runner *R = ud;
    const chunk *c = &R->chunks[job];
    const gs_run_part *p = &R->parts[c->part];
    if (!R->scale->on_retry) return;
    char shard[24], msg[1400];
    snprintf(msg, sizeof msg, "%s%s%s: seeds %" PRIu64 "..%" PRIu64 ": %s; running them again",
             R->scale->shard.count > 1 ? "shard " : "",
             R->scale->shard.count > 1 ? gs_shard_text(R->scale->shard, shard) : "", p->task,
             p->seed + c->received, p->seed + c->end - 1, why);
    R->scale->on_retry(R->scale->ud, msg);
}

static gs_status chunks_done(void *ud, gsl_pool *pool, int job, gs_status st, const char *why, char *err,
                             size_t errlen) {
    (void)err, (void)errlen;
    runner *R = ud;
    chunk *c = &R->chunks[job];
    c->finished = 1;
    c->st = st;
    snprintf(c->why, sizeof c->why, "%s", why);
    if (st != GS_OK && job < R->failed) {
        R->failed = job; /* what comes after it is not the serial run's */
        for (int j = job + 1; j < R->nchunks; j++) gsl_pool_cancel(pool, j);
    }
    advance(R);
    return GS_OK;
}

/* Splits every part into chunks: one per part for one worker, else
 * shares small enough to balance and large enough to pay for a fork. */
static gs_status make_chunks(runner *R, int jobs, char *err, size_t errlen) {
    uint64_t total = 0;
    for (int i = 0; i < R->nparts; i++) total += R->parts[i].end - R->parts[i].first;
    uint64_t size = UINT64_MAX;
    if (jobs > 1) {
        uint64_t even = (total + (uint64_t)jobs - 1) / (uint64_t)jobs, quarter = (total + 4 * (uint64_t)jobs - 1) / (4 * (uint64_t)jobs);
        size = quarter > (even < 8 ? even : 8) ? quarter : (even < 8 ? even : 8);
        if (size > 256) size = 256;
        if (size < 1) size = 1;
    }
    int n = 0, cap = 0;
    for (int i = 0; i < R->nparts; i++) {
        for (uint64_t a = R->parts[i].first; a < R->parts[i].end;) {
            uint64_t b = R->parts[i].end - a > size ? a + size : R->parts[i].end;
            if (n == cap) {
                cap = cap ? 2 * cap : 16;
                chunk *grown = realloc(R->chunks, (size_t)cap * sizeof *grown);
                if (!grown) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
                R->chunks = grown;
            }
            R->chunks[n++] = (chunk){i, a, b, a, NULL, 0, 0, 0, GS_OK, ""};
            a = b;
        }
    }
    R->nchunks = n, R->failed = n;
    return GS_OK;
}

gs_status gs__run_parts(gs_run_part *parts, int nparts, const gs_task_options *to, gs_actor actor,
                        const char *render, const gs_scale *scale, char *err, size_t errlen) {
    for (int i = 0; i < nparts; i++) parts[i].r.digest = GSU_FNV_OFFSET;
    runner R = {parts, nparts, to, actor, render, scale, NULL, 0, 0, 0, 0};
    int isolated = gs__isolated(to), jobs = isolated ? gs_jobs_resolve(scale->jobs) : 1;
    /* the pictures' folder is made here, for every caller (run, eval) */
    gs_status st = render ? gs_make_dirs(render, err, errlen) : GS_OK;
    if (st == GS_OK) st = make_chunks(&R, jobs, err, errlen);
    if (st == GS_OK && !isolated) {
        for (int j = 0; j < R.nchunks && st == GS_OK; j++) st = run_chunk(&R, &R.chunks[j], NULL, err, errlen);
    } else if (st == GS_OK) {
        gsl_worker_limits lim = gs__worker_limits(to, render != NULL);
        gsl_pool_ops ops = {chunks_next, chunks_work, chunks_message, chunks_done, chunks_retry, NULL, &R};
        st = gsl_pool_run(&ops, jobs, 1, &lim, err, errlen);
        if (st == GS_OK && R.failed < R.nchunks) {
            st = gs_fail(err, errlen, R.chunks[R.failed].st, "%s", R.chunks[R.failed].why);
        }
    }
    for (int j = 0; j < R.nchunks; j++) free(R.chunks[j].held);
    free(R.chunks);
    for (int i = 0; i < nparts; i++)
        parts[i].r.mean_reward = parts[i].r.episodes ? parts[i].reward / (double)parts[i].r.episodes : 0;
    return st;
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
    gs_status st = gs_scale_check(&o->scale, err, errlen);
    if (st != GS_OK) return st;
    if ((st = readable(o->task, err, errlen)) != GS_OK) return st;
    double t0 = now();
    gs_shard_range range;
    gs_shard_plan(o->scale.shard, 1, o->episodes, &range);
    gs_run_part part;
    memset(&part, 0, sizeof part);
    part.task = o->task, part.seed = o->seed, part.first = range.lo, part.end = range.hi;
    part.on_episode = o->on_episode, part.ud = o->ud;
    st = gs__run_parts(&part, 1, &o->task_opt, o->actor, o->render, &o->scale, err, errlen);
    *r = part.r;
    r->shard = o->scale.shard;
    r->first_seed = o->seed + range.lo;
    r->wall_s = now() - t0;
    return st;
}

/* A probe is a run of no episodes: its task loads (in a worker) and names itself. */
gs_status gs_task_probe(const char *task, const gs_task_options *to, char name[GS_TASK_NAME_MAX + 1], char *err,
                        size_t errlen) {
    gs_status st = readable(task, err, errlen);
    gs_run_part part;
    memset(&part, 0, sizeof part);
    part.task = task; /* no episodes: the load is all */
    gs_scale one = gs_scale_default();
    runner R = {&part, 1, to, gs_actor_oracle(), NULL, &one, NULL, 0, 0, 0, 0};
    chunk c = {0, 0, 0, 0, NULL, 0, 0, 0, GS_OK, ""};
    R.chunks = &c, R.nchunks = 1, R.failed = 1;
    if (st == GS_OK && gs__isolated(to)) {
        gsl_worker_limits lim = gs__worker_limits(to, 0);
        gsl_pool_ops ops = {chunks_next, chunks_work, chunks_message, chunks_done, NULL, NULL, &R};
        st = gsl_pool_run(&ops, 1, 0, &lim, err, errlen);
        if (st == GS_OK && c.st != GS_OK) st = gs_fail(err, errlen, c.st, "%s", c.why);
    } else if (st == GS_OK) {
        st = run_chunk(&R, &c, NULL, err, errlen);
    }
    snprintf(name, GS_TASK_NAME_MAX + 1, "%s", part.r.task);
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
    if (r->shard.count > 1) { /* a part: which one, and its seeds */
        char shard[24];
        cJSON_AddStringToObject(o, "shard", gs_shard_text(r->shard, shard));
        cJSON_AddNumberToObject(o, "first_seed", (double)r->first_seed);
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}
