/* demos_run.c: the recorder's engine (demos_internal.h).
 *
 * Each task's attempts are handed out in chunks (a range of attempts, and
 * how many episodes the chunk may keep at most) to up to N workers. Every
 * worker reports each attempt's outcome as it ends; the parent commits
 * outcomes in attempt order, task by task, through gs__commit, holding
 * what arrives early, and alone appends episodes to the file. So the file
 * holds the episodes one process would have kept, in its order, however
 * many workers ran and whichever finished first; attempts made beyond what
 * a task turned out to need are dropped. Chunks are sized from the task's
 * success rate so far; the parent stops reading a worker that is ahead
 * once it holds HELD_BUDGET bytes of early episodes, and the worker waits. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task/demos_internal.h"
#include "task/isolate.h"

/* Attempts per chunk with several workers. Each chunk is a fresh worker
 * that loads its task (~10 ms), so chunks are as long as the balance
 * between workers allows: a task's expected need split evenly, at most
 * CHUNK_MAX (a crashed worker's share, retried, stays short), and at least
 * CHUNK_MIN (a run's last chunks are not one attempt each; what a task
 * turns out not to need is dropped). */
#define CHUNK_MAX 64
#define CHUNK_MIN 4
#define HELD_BUDGET ((size_t)256 << 20)  /* bytes of early episodes the parent holds */

/* One attempt as a worker reports it: this head, the error's text (for an
 * error), then the packed episode (for a kept one). */
typedef struct attempt_head {
    uint64_t attempt;
    int32_t outcome;
    uint32_t error_len;
} attempt_head;

/* An outcome that arrived before its turn. */
typedef struct pending {
    uint64_t attempt;
    char outcome;
    char *error, *episode;    /* malloc'd, nullable */
    size_t len;
} pending;

enum { C_RUNNING = 1, C_FINISHED = 2 };

typedef struct chunk {
    int slice;
    uint64_t from, to;        /* attempts from .. to - 1 */
    uint64_t need;            /* the worker stops once it kept this many */
    uint64_t received, kept;  /* attempts from .. received - 1 arrived; kept of them */
    pending *held;            /* held[first .. nheld) wait for their turn */
    size_t first, nheld, cap, bytes;
    int state;
    int next_same;            /* the slice's next chunk, or -1 */
} chunk;

typedef struct engine {
    gs_demos_run *run;
    const gs_record_options *o;
    gs_record_result *r;
    int workers, isolated;
    chunk *chunks;
    int nchunks, cap;
    uint64_t *next;           /* (ntasks) first attempt not yet given to a chunk */
    int *head, *last;         /* (ntasks) the slice's first chunk not yet passed, its last chunk */
    int cur;                  /* the first slice not done: the only one committing */
    size_t held_bytes;
    gs_dataset_episode ep;    /* episodes unpacked here on their way to the file */
    int failed;               /* a chunk failed: at fail_slice, attempt fail_attempt */
    int fail_slice;
    uint64_t fail_attempt;
    gs_status fail_st;
    char fail_why[1400];
    gs_status fatal;          /* the run ends with this (GS_OK: it goes on) */
    char fatal_why[1400];
    gsl_pool *pool;           /* while workers run */
} engine;

static gs_status commit(engine *E, int s, char outcome, const char *error, const char *episode, size_t len);
static void drain(engine *E);

/* ---- the parent: committing in order ---- */

static int stopping(const engine *E) { return E->o->stop && *E->o->stop; }

static void end_run(engine *E, gs_status st, const char *why) {
    if (E->fatal != GS_OK) return;
    E->fatal = st;
    snprintf(E->fatal_why, sizeof E->fatal_why, "%s", why);
    for (int j = 0; E->pool && j < E->nchunks; j++)
        if (E->chunks[j].state == C_RUNNING) gsl_pool_cancel(E->pool, j);
}

static void free_held(engine *E, chunk *c) {
    for (size_t i = c->first; i < c->nheld; i++) free(c->held[i].error), free(c->held[i].episode);
    free(c->held);
    E->held_bytes -= c->bytes;
    c->held = NULL, c->first = c->nheld = c->cap = c->bytes = 0;
}

/* The slice is done: what its workers still do or hold is not needed. */
static void slice_done(engine *E, int s) {
    for (int j = E->head[s]; j >= 0; j = E->chunks[j].next_same) {
        chunk *c = &E->chunks[j];
        if (c->state == C_RUNNING && E->pool) gsl_pool_cancel(E->pool, j);
        free_held(E, c);
    }
    while (E->cur < E->r->ntasks && E->r->tasks[E->cur].done) E->cur++;
    if (E->failed && E->fail_slice == s) E->failed = 0; /* the failure came after what the task needed */
}

/* The attempt the slice commits next. */
static uint64_t pointer(const engine *E, int s) {
    const gs_record_task *ts = &E->r->tasks[s];
    return ts->first_attempt + ts->attempts;
}

static gs_status commit(engine *E, int s, char outcome, const char *error, const char *episode, size_t len) {
    const gs_record_options *o = E->o;
    gs_record_result *r = E->r;
    gs_record_task *ts = &r->tasks[s];
    uint64_t seed = gs_split_seed(o->seed, pointer(E, s), o->task_opt.test_split);
    int first_error = outcome == GS_OUT_ERROR && ts->errors == 0;
    int kept = gs__commit(ts, o->episodes, outcome);
    r->attempts++;
    r->successes += outcome == GS_OUT_KEPT || outcome == GS_OUT_ZERO;
    r->errors += outcome == GS_OUT_ERROR;
    char why[1024];
    gs_status st = gs__outcomes_add(&E->run->outcomes[s], outcome) ? GS_OK : gs_fail(why, sizeof why, GS_ERR_NOMEM, "out of memory");
    if (first_error) {
        snprintf(ts->first_error, sizeof ts->first_error, "%s", error ? error : "");
        ts->first_error_seed = seed;
        if (o->on_error) o->on_error(o->ud, ts->first_error, seed);
    }
    if (st == GS_OK && kept) {
        st = gs_dataset_append_block(E->run->w, episode, len, &E->ep, why, sizeof why);
        r->written = gs_dataset_writer_episodes(E->run->w);
        if (st == GS_OK) st = E->run->save(E->run->ud, why, sizeof why);
    }
    if (o->on_attempt) o->on_attempt(o->ud, ts->name, (uint64_t)r->written, r->attempts, r->requested);
    if (st != GS_OK) end_run(E, st, why);
    if (ts->done) slice_done(E, s);
    return st;
}

/* Commits what waits for its turn, from the current slice on; and ends
 * the run when the commit reaches a failed chunk's attempt. */
static void drain(engine *E) {
    while (E->fatal == GS_OK && E->cur < E->r->ntasks) {
        int s = E->cur;
        uint64_t p = pointer(E, s);
        if (E->failed && E->fail_slice == s && p >= E->fail_attempt) {
            end_run(E, E->fail_st, E->fail_why);
            return;
        }
        while (E->head[s] >= 0 && E->chunks[E->head[s]].to <= p) E->head[s] = E->chunks[E->head[s]].next_same;
        chunk *c = E->head[s] >= 0 ? &E->chunks[E->head[s]] : NULL;
        if (!c || c->from > p || c->first >= c->nheld || c->held[c->first].attempt != p) return;
        pending h = c->held[c->first++];
        c->bytes -= h.len, E->held_bytes -= h.len;
        commit(E, s, h.outcome, h.error, h.episode, h.len);
        free(h.error), free(h.episode);
    }
}

/* An attempt's outcome from chunk c: committed now if it is its turn,
 * else held. */
static gs_status receive(engine *E, int job, uint64_t attempt, char outcome, const char *error, const char *episode,
                         size_t len, char *err, size_t errlen) {
    chunk *c = &E->chunks[job];
    if (attempt != c->received || attempt >= c->to)
        return gs_fail(err, errlen, GS_ERR_RUNTIME, "the worker reported attempt %" PRIu64 " out of order", attempt);
    c->received++;
    c->kept += outcome == GS_OUT_KEPT;
    int s = c->slice;
    if (E->r->tasks[s].done || E->fatal != GS_OK) return GS_OK;
    if (s == E->cur && attempt == pointer(E, s)) {
        commit(E, s, outcome, error, episode, len);
        drain(E);
        return GS_OK;
    }
    if (c->nheld == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        pending *grown = realloc(c->held, cap * sizeof *grown);
        if (!grown) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory holding attempts");
        c->held = grown, c->cap = cap;
    }
    pending h = {attempt, outcome, error ? strdup(error) : NULL, NULL, len};
    if (len && (h.episode = malloc(len))) memcpy(h.episode, episode, len);
    if ((error && !h.error) || (len && !h.episode)) {
        free(h.error), free(h.episode);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory holding attempts");
    }
    c->held[c->nheld++] = h;
    c->bytes += len, E->held_bytes += len;
    return GS_OK;
}

/* ---- handing out chunks ---- */

/* A new chunk of slice s from its next attempt; its index. */
static int new_chunk(engine *E, int s, uint64_t size) {
    if (E->nchunks == E->cap) {
        int cap = E->cap ? 2 * E->cap : 32;
        chunk *grown = realloc(E->chunks, (size_t)cap * sizeof *grown);
        if (!grown) {
            end_run(E, GS_ERR_NOMEM, "out of memory for chunks");
            return -1;
        }
        E->chunks = grown, E->cap = cap;
    }
    const gs_record_task *ts = &E->r->tasks[s];
    int j = E->nchunks++;
    chunk *c = &E->chunks[j];
    memset(c, 0, sizeof *c);
    c->slice = s, c->from = c->received = E->next[s], c->to = E->next[s] + size;
    c->need = E->o->episodes - ts->kept;
    c->next_same = -1;
    c->state = C_RUNNING;
    if (E->last[s] >= 0) E->chunks[E->last[s]].next_same = j;
    if (E->head[s] < 0) E->head[s] = j; /* the drain had passed every chunk before it */
    E->last[s] = j;
    E->next[s] = c->to;
    return j;
}

/* The next chunk to run: the first slice whose attempts under way fall
 * short of what it is expected to need (at its success rate so far). */
static int next_chunk(engine *E) {
    if (E->fatal != GS_OK || stopping(E)) return -1;
    for (int s = E->cur; s < E->r->ntasks; s++) {
        const gs_record_task *ts = &E->r->tasks[s];
        if (ts->done || E->next[s] >= ts->end_attempt) continue;
        if (E->failed && (s > E->fail_slice || (s == E->fail_slice && E->next[s] >= E->fail_attempt))) return -1;
        uint64_t left = ts->end_attempt - E->next[s];
        if (E->workers == 1) return new_chunk(E, s, left);
        uint64_t under_way = E->next[s] - pointer(E, s);
        double rate = (ts->kept + 1.0) / (ts->attempts + 1.0);
        uint64_t want = (uint64_t)ceil((double)(E->o->episodes - ts->kept) / rate);
        if (under_way >= want) continue;
        uint64_t size = (want - under_way + (uint64_t)E->workers - 1) / (uint64_t)E->workers;
        if (size > CHUNK_MAX) size = CHUNK_MAX;
        if (size < CHUNK_MIN) size = CHUNK_MIN;
        return new_chunk(E, s, size < left ? size : left);
    }
    return -1;
}

/* A chunk ended with st: a failure is the run's only if the commit
 * reaches the chunk's next attempt before its task is done. */
static void chunk_ended(engine *E, int job, gs_status st, const char *why) {
    chunk *c = &E->chunks[job];
    c->state = C_FINISHED;
    const gs_record_task *ts = &E->r->tasks[c->slice];
    if (ts->done) return;
    char text[1024];
    if (st == GS_OK && c->received < c->to && c->kept < c->need && !stopping(E)) {
        st = GS_ERR_RUNTIME; /* a worker that stops short without being asked: never drop its attempts */
        snprintf(text, sizeof text, "the worker ended before its last attempt");
        why = text;
    }
    if (st == GS_OK) return;
    if (!E->failed || c->slice < E->fail_slice || (c->slice == E->fail_slice && c->received < E->fail_attempt)) {
        char shard[24];
        E->failed = 1, E->fail_slice = c->slice, E->fail_attempt = c->received, E->fail_st = st;
        snprintf(E->fail_why, sizeof E->fail_why, "%s%s%s: seed %" PRIu64 ": %s", ts->name,
                 E->o->scale.shard.count > 1 ? ", shard " : "",
                 E->o->scale.shard.count > 1 ? gs_shard_text(E->o->scale.shard, shard) : "",
                 gs_split_seed(E->o->seed, c->received, E->o->task_opt.test_split), why);
    }
    drain(E);
}

/* ---- the worker: a chunk's attempts ---- */

typedef gs_status (*deliver_fn)(engine *E, int job, uint64_t attempt, char outcome, const char *error,
                                const gs_dataset_episode *ep, gsl_channel *out, char *err, size_t errlen);

/* In a worker: the attempt goes to the parent, its images compressed here
 * as the file stores them, so the parent only copies them in. */
static gs_status send_attempt(engine *E, int job, uint64_t attempt, char outcome, const char *error,
                              const gs_dataset_episode *ep, gsl_channel *out, char *err, size_t errlen) {
    (void)job;
    char *packed = NULL;
    size_t len = 0;
    attempt_head h = {attempt, outcome, outcome == GS_OUT_ERROR ? (uint32_t)strlen(error) : 0};
    gs_status st = outcome == GS_OUT_KEPT ? gs_dataset_episode_pack_compressed(ep, E->o->compression, &packed, &len,
                                                                               err, errlen)
                                          : GS_OK;
    char *msg = st == GS_OK ? malloc(sizeof h + h.error_len + len) : NULL;
    if (st == GS_OK && !msg) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory sending an episode");
    if (msg) {
        memcpy(msg, &h, sizeof h);
        memcpy(msg + sizeof h, error, h.error_len);
        if (len) memcpy(msg + sizeof h + h.error_len, packed, len);
        if (gsl_channel_send(out, GS_MSG_EPISODE, msg, sizeof h + h.error_len + len) != GS_OK)
            st = gs_fail(err, errlen, GS_ERR_IO, "the worker's parent is gone");
    }
    free(msg);
    free(packed);
    return st;
}

/* In process: the attempt is received at once (packed, as from a worker). */
static gs_status deliver_here(engine *E, int job, uint64_t attempt, char outcome, const char *error,
                              const gs_dataset_episode *ep, gsl_channel *out, char *err, size_t errlen) {
    (void)out;
    char *packed = NULL;
    size_t len = 0;
    gs_status st = outcome == GS_OUT_KEPT ? gs_dataset_episode_pack_compressed(ep, E->o->compression, &packed, &len,
                                                                               err, errlen)
                                          : GS_OK;
    if (st == GS_OK) st = receive(E, job, attempt, outcome, error, packed, len, err, errlen);
    free(packed);
    return st;
}

static gs_status run_chunk(engine *E, int job, gsl_channel *out, deliver_fn deliver, char *err, size_t errlen) {
    const gs_record_options *o = E->o;
    chunk *c = &E->chunks[job];
    gs_task *t;
    gs_status st = gs_task_load(E->r->tasks[c->slice].path, &o->task_opt, &t, err, errlen);
    if (st != GS_OK) return st;
    const gsr_view view = gsr_view_default();
    gs_dataset_episode ep;
    memset(&ep, 0, sizeof ep);
    for (uint64_t a = c->received, kept = c->kept; a < c->to && kept < c->need && st == GS_OK; a++) {
        if ((o->stop && *o->stop) || (out && gsl_channel_stop_asked(out))) break;
        if (!out && (E->r->tasks[c->slice].done || E->fatal != GS_OK)) break;
        char why[1024] = "";
        gs_status got = gs_episode_record(t, gs_split_seed(o->seed, a, o->task_opt.test_split), o->actor, &view, &ep,
                                          why, sizeof why);
        if (got == GS_ERR_NOMEM || got == GS_ERR_USAGE) { /* the host's failure, not the task's */
            st = gs_fail(err, errlen, got, "%s", why);
            break;
        }
        char outcome = got != GS_OK ? GS_OUT_ERROR : !ep.success ? GS_OUT_FAIL : ep.steps > 0 ? GS_OUT_KEPT : GS_OUT_ZERO;
        kept += outcome == GS_OUT_KEPT;
        st = deliver(E, job, a, outcome, why, &ep, out, err, errlen);
    }
    gs_dataset_episode_free(&ep);
    gs_task_free(t);
    return st;
}

/* ---- the pool's callbacks ---- */

static int pool_next(void *ud, gsl_pool *p) {
    engine *E = ud;
    E->pool = p;
    return next_chunk(E);
}

static gs_status pool_work(void *ud, int job, gsl_channel *out, char *err, size_t errlen) {
    return run_chunk(ud, job, out, send_attempt, err, errlen);
}

static gs_status pool_message(void *ud, gsl_pool *p, int job, int type, const void *data, size_t len, char *err,
                              size_t errlen) {
    engine *E = ud;
    E->pool = p;
    attempt_head h;
    if (type != GS_MSG_EPISODE) return GS_OK;
    if (len < sizeof h) return gs_fail(err, errlen, GS_ERR_RUNTIME, "the worker sent a torn attempt");
    memcpy(&h, data, sizeof h);
    if (len - sizeof h < h.error_len) return gs_fail(err, errlen, GS_ERR_RUNTIME, "the worker sent a torn attempt");
    char *error = h.error_len ? strndup((const char *)data + sizeof h, h.error_len) : NULL;
    if (h.error_len && !error) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    const char *episode = (const char *)data + sizeof h + h.error_len;
    gs_status st = receive(E, job, h.attempt, (char)h.outcome, error ? error : "", episode,
                           len - sizeof h - h.error_len, err, errlen);
    free(error);
    return st;
}

static gs_status pool_done(void *ud, gsl_pool *p, int job, gs_status st, const char *why, char *err, size_t errlen) {
    (void)err, (void)errlen;
    engine *E = ud;
    E->pool = p;
    chunk_ended(E, job, st, why);
    return GS_OK;
}

static void pool_retry(void *ud, int job, const char *why) {
    engine *E = ud;
    const chunk *c = &E->chunks[job];
    if (!E->o->scale.on_retry) return;
    char shard[24], msg[1400];
    snprintf(msg, sizeof msg, "%s%s%s: seeds %" PRIu64 "..%" PRIu64 ": %s; running them again",
             E->r->tasks[c->slice].name, E->o->scale.shard.count > 1 ? ", shard " : "",
             E->o->scale.shard.count > 1 ? gs_shard_text(E->o->scale.shard, shard) : "",
             gs_split_seed(E->o->seed, c->received, E->o->task_opt.test_split),
             gs_split_seed(E->o->seed, c->to - 1, E->o->task_opt.test_split), why);
    E->o->scale.on_retry(E->o->scale.ud, msg);
}

/* Back-pressure: a worker ahead of the commit waits while the parent
 * already holds its budget of early episodes. */
static int pool_readable(void *ud, int job) {
    engine *E = ud;
    const chunk *c = &E->chunks[job];
    if (E->held_bytes < HELD_BUDGET || E->r->tasks[c->slice].done) return 1;
    uint64_t p = pointer(E, c->slice);
    return c->slice == E->cur && c->from <= p && p < c->to;
}

gs_status gs__demos_record_slices(gs_demos_run *run, char *err, size_t errlen) {
    const gs_record_options *o = run->o;
    gs_record_result *r = run->r;
    engine E;
    memset(&E, 0, sizeof E);
    E.run = run, E.o = o, E.r = r;
    E.isolated = gs__isolated(&o->task_opt);
    E.workers = E.isolated ? gs_jobs_resolve(o->scale.jobs) : 1;
    E.next = calloc((size_t)r->ntasks + 1, sizeof *E.next);
    E.head = malloc(((size_t)r->ntasks + 1) * sizeof *E.head);
    E.last = malloc(((size_t)r->ntasks + 1) * sizeof *E.last);
    if (!E.next || !E.head || !E.last) E.fatal = gs_fail(E.fatal_why, sizeof E.fatal_why, GS_ERR_NOMEM, "out of memory");
    for (int s = 0; E.fatal == GS_OK && s < r->ntasks; s++) E.next[s] = pointer(&E, s), E.head[s] = E.last[s] = -1;
    while (E.cur < r->ntasks && r->tasks[E.cur].done) E.cur++;
    gs_status st = GS_OK;
    if (E.fatal == GS_OK && E.isolated) {
        gsl_worker_limits lim = gs__worker_limits(&o->task_opt, 0);
        lim.stop = o->stop;
        gsl_pool_ops ops = {pool_next, pool_work, pool_message, pool_done, pool_retry, pool_readable, &E};
        st = gsl_pool_run(&ops, E.workers, 1, &lim, err, errlen);
        E.pool = NULL;
    } else {
        for (int job; E.fatal == GS_OK && (job = next_chunk(&E)) >= 0;) {
            char why[1024] = "";
            gs_status got = run_chunk(&E, job, NULL, deliver_here, why, sizeof why);
            chunk_ended(&E, job, got, why);
        }
    }
    r->interrupted = stopping(&E);
    if (st == GS_OK && E.fatal != GS_OK) st = gs_fail(err, errlen, E.fatal, "%s", E.fatal_why);
    for (int j = 0; j < E.nchunks; j++) free_held(&E, &E.chunks[j]);
    gs_dataset_episode_free(&E.ep);
    free(E.chunks);
    free(E.next);
    free(E.head);
    free(E.last);
    return st;
}
