/* demos.c: gs_record, demonstrations into an HDF5 file (workflow.h).
 *
 * Episodes are recorded in memory one at a time and appended (and flushed)
 * as each finishes, so memory stays flat however many are asked for, and a
 * run that stops leaves a readable file with every finished episode. */
#include "gensim/workflow.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "task/isolate.h"

#define GIVE_UP_ERRORS 10 /* a task whose first attempts all raise errors is dropped */

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

gs_record_options gs_record_options_default(void) {
    gs_record_options o;
    memset(&o, 0, sizeof o);
    o.compression = 1;
    o.task_opt = gs_task_options_default();
    o.actor = gs_actor_oracle();
    return o;
}

void gs_record_result_free(gs_record_result *r) {
    free(r->tasks);
    memset(r, 0, sizeof *r);
}

static gs_status check_options(const gs_record_options *o, char *err, size_t errlen) {
    if (!o->tasks || o->ntasks < 1) return gs_fail(err, errlen, GS_ERR_USAGE, "no task to record");
    if (!o->out || !*o->out) return gs_fail(err, errlen, GS_ERR_USAGE, "no file to record into");
    if (o->episodes < 1 || o->episodes > 1000000)
        return gs_fail(err, errlen, GS_ERR_USAGE, "episodes must be 1..1000000, not %" PRIu64, o->episodes);
    if (o->compression < 0 || o->compression > 9)
        return gs_fail(err, errlen, GS_ERR_USAGE, "compression must be 0..9, not %d", o->compression);
    uint64_t attempts = o->max_attempts ? o->max_attempts : 3 * o->episodes + 10;
    if (o->seed >= GS_TEST_SEED_OFFSET || attempts > GS_TEST_SEED_OFFSET - o->seed)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "seeds %" PRIu64 "..%" PRIu64 " cross 2^31, where test seeds begin; "
                       "use a smaller seed or fewer attempts", o->seed, o->seed + attempts - 1);
    return GS_OK;
}

/* Where a task's recording goes: the file (in-process), or the parent
 * that writes it (in a worker's child). */
typedef struct sink {
    gs_status (*episode)(struct sink *k, const gs_dataset_episode *ep, char *err, size_t errlen);
    const gs_record_options *o;
    gs_record_result *r;     /* totals across tasks (in-process, or the parent's) */
    gs_record_task *ts;      /* this task's counts */
    gs_dataset_writer *w;    /* in-process */
    gsl_channel *out;        /* in a child */
} sink;

/* The counts a child reports after each attempt, and the first error. */
typedef struct attempt_msg {
    uint64_t kept, attempts, successes, errors, seed;
    int interrupted;
    char first_error[1024];
} attempt_msg;

/* After each attempt: progress, and the first error once. */
static void report_attempt(sink *k, uint64_t seed, int first_error) {
    const gs_record_options *o = k->o;
    gs_record_task *ts = k->ts;
    if (k->out) {
        attempt_msg m = {ts->kept, ts->attempts, ts->successes, ts->errors, seed, k->r->interrupted, ""};
        if (first_error) snprintf(m.first_error, sizeof m.first_error, "%s", ts->first_error);
        gsl_channel_send(k->out, GS_MSG_RESULT, &m, sizeof m);
        return;
    }
    if (first_error && o->on_error) o->on_error(o->ud, ts->first_error, seed);
    if (o->on_attempt) o->on_attempt(o->ud, ts->name, (uint64_t)gs_dataset_writer_episodes(k->w), k->r->attempts, k->r->requested);
}

/* Records the task until it keeps o->episodes, runs out of attempts or
 * breaks on every seed. GS_OK unless the host itself failed. */
static gs_status record_task(sink *k, gs_task *t, char *err, size_t errlen) {
    const gs_record_options *o = k->o;
    gs_record_task *ts = k->ts;
    const gsr_view view = gsr_view_default();
    uint64_t max_attempts = o->max_attempts ? o->max_attempts : 3 * o->episodes + 10;
    gs_dataset_episode ep;
    memset(&ep, 0, sizeof ep);
    gs_status st = GS_OK;
    for (uint64_t a = 0; ts->kept < o->episodes && a < max_attempts && st == GS_OK; a++) {
        if ((o->stop && *o->stop) || (k->out && gsl_channel_stop_asked(k->out))) {
            k->r->interrupted = 1;
            break;
        }
        uint64_t seed = gs_split_seed(o->seed, a, o->task_opt.test_split);
        char why[1024];
        gs_status got = gs_episode_record(t, seed, o->actor, &view, &ep, why, sizeof why);
        ts->attempts++, k->r->attempts++;
        int first_error = 0;
        if (got == GS_ERR_NOMEM || got == GS_ERR_USAGE) {
            st = gs_fail(err, errlen, got, "%s", why);
            break;
        }
        if (got != GS_OK) {
            /* A task may fail on a seed (no room for an object, a limit): the
             * attempt counts as failed; the first reason is kept. */
            if (!ts->errors++) snprintf(ts->first_error, sizeof ts->first_error, "%s", why), first_error = 1;
            k->r->errors++;
        } else if (ep.success) {
            ts->successes++, k->r->successes++;
            /* An episode solved before any action teaches nothing. */
            if (ep.steps > 0 && (st = k->episode(k, &ep, err, errlen)) == GS_OK) ts->kept++;
        }
        report_attempt(k, seed, first_error);
        /* Broken on every seed so far: more seeds will not help. */
        if (ts->errors == ts->attempts && ts->attempts >= GIVE_UP_ERRORS) break;
    }
    gs_dataset_episode_free(&ep);
    return st;
}

static gs_status append_here(sink *k, const gs_dataset_episode *ep, char *err, size_t errlen) {
    return gs_dataset_append(k->w, ep, err, errlen);
}

static gs_status send_episode(sink *k, const gs_dataset_episode *ep, char *err, size_t errlen) {
    char *buf;
    size_t len;
    gs_status st = gs_dataset_episode_pack(ep, &buf, &len, err, errlen);
    if (st == GS_OK && gsl_channel_send(k->out, GS_MSG_EPISODE, buf, len) != GS_OK)
        st = gs_fail(err, errlen, GS_ERR_IO, "the worker's parent is gone");
    free(buf);
    return st;
}

/* A worker's child: records the task. */
typedef struct task_job {
    sink *k;
    gs_dataset_episode ep;   /* the parent's: episodes unpacked into it */
} task_job;

static gs_status task_child(void *ud, gsl_channel *out, char *err, size_t errlen) {
    task_job *j = ud;
    gs_task *t;
    gs_status st = gs_task_load(j->k->ts->path, &j->k->o->task_opt, &t, err, errlen);
    if (st != GS_OK) return st;
    j->k->out = out, j->k->episode = send_episode;
    st = record_task(j->k, t, err, errlen);
    gs_task_free(t);
    return st;
}

static gs_status task_message(void *ud, int type, const void *data, size_t len, char *err, size_t errlen) {
    task_job *j = ud;
    sink *k = j->k;
    gs_record_task *ts = k->ts;
    if (type == GS_MSG_EPISODE) {
        gs_status st = gs_dataset_episode_unpack(&j->ep, data, len, err, errlen);
        if (st == GS_OK) st = gs_dataset_append(k->w, &j->ep, err, errlen);
        return st;
    } else if (type == GS_MSG_RESULT && len == sizeof(attempt_msg)) {
        attempt_msg m;
        memcpy(&m, data, sizeof m);
        k->r->attempts += m.attempts - ts->attempts, k->r->successes += m.successes - ts->successes;
        k->r->errors += m.errors - ts->errors;
        ts->kept = m.kept, ts->attempts = m.attempts, ts->successes = m.successes, ts->errors = m.errors;
        k->r->interrupted |= m.interrupted;
        if (m.first_error[0]) snprintf(ts->first_error, sizeof ts->first_error, "%s", m.first_error);
        k->out = NULL; /* report in the parent */
        report_attempt(k, m.seed, m.first_error[0] != 0);
    }
    return GS_OK;
}

/* Records a task in a worker; one the worker could not finish (a crash, a
 * hang) is an error of that task. */
static gs_status record_in_worker(sink *k, char *err, size_t errlen) {
    task_job j = {k, {0}};
    gsl_worker_limits lim = gs__worker_limits(&k->o->task_opt, 0);
    lim.stop = k->o->stop;
    gs_status st = gsl_worker_run(task_child, &j, &lim, task_message, &j, err, errlen);
    gs_dataset_episode_free(&j.ep);
    return st;
}

/* Every task loads before the file is created, so a bad one leaves
 * nothing; in-process, the loaded tasks are kept for recording. */
static gs_status load_tasks(const gs_record_options *o, gs_task **tasks, gs_record_result *r,
                            char *err, size_t errlen) {
    for (int i = 0; i < o->ntasks; i++) {
        r->tasks[i].path = o->tasks[i];
        gs_status st;
        if (gs__isolated(&o->task_opt)) {
            st = gs_task_probe(o->tasks[i], &o->task_opt, r->tasks[i].name, err, errlen);
        } else if ((st = gs_task_load(o->tasks[i], &o->task_opt, &tasks[i], err, errlen)) == GS_OK) {
            snprintf(r->tasks[i].name, sizeof r->tasks[i].name, "%s", gs_task_name(tasks[i]));
        }
        if (st != GS_OK) return st;
    }
    return GS_OK;
}

static gs_status create_file(const gs_record_options *o, gs_dataset_writer **w, char *err, size_t errlen) {
    struct stat sb;
    gs_dataset_options dopt = gs_dataset_options_default();
    dopt.split = o->task_opt.test_split ? "test" : "train";
    dopt.overwrite = o->overwrite;
    dopt.compression = o->compression;
    if (!o->overwrite && stat(o->out, &sb) == 0)
        return gs_fail(err, errlen, GS_ERR_IO, "%s already exists (use --force to replace it)", o->out);
    return gs_dataset_create(o->out, &dopt, w, err, errlen);
}

gs_status gs_record(const gs_record_options *o, gs_record_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    gs_status st = check_options(o, err, errlen);
    if (st != GS_OK) return st;
    double t0 = now();
    r->first_seed = gs_split_seed(o->seed, 0, o->task_opt.test_split);
    r->requested = o->episodes * (uint64_t)o->ntasks;
    r->ntasks = o->ntasks;
    r->tasks = calloc((size_t)o->ntasks, sizeof *r->tasks);
    gs_task **tasks = calloc((size_t)o->ntasks, sizeof *tasks);
    if (!r->tasks || !tasks) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    if (st == GS_OK) st = load_tasks(o, tasks, r, err, errlen);
    gs_dataset_writer *w = NULL;
    if (st == GS_OK) st = create_file(o, &w, err, errlen);
    for (int i = 0; i < o->ntasks && st == GS_OK && !r->interrupted; i++) {
        sink k = {append_here, o, r, &r->tasks[i], w, NULL};
        st = tasks[i] ? record_task(&k, tasks[i], err, errlen) : record_in_worker(&k, err, errlen);
        if (o->stop && *o->stop) r->interrupted = 1;
    }
    r->written = gs_dataset_writer_episodes(w);
    char why[1024];
    gs_status closed = gs_dataset_writer_close(w, why, sizeof why);
    if (closed != GS_OK && st == GS_OK) st = gs_fail(err, errlen, closed, "%s", why);
    for (int i = 0; i < o->ntasks && tasks; i++) gs_task_free(tasks[i]);
    free(tasks);
    for (int i = 0; i < r->ntasks && st == GS_OK && !r->interrupted; i++)
        r->short_tasks += r->tasks[i].kept < o->episodes;
    struct stat sb;
    r->bytes = w && stat(o->out, &sb) == 0 ? (double)sb.st_size : 0;
    r->wall_s = now() - t0;
    return st;
}

char *gs_record_result_json(const gs_record_result *r, const gs_record_options *o) {
    cJSON *j = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(j, "tasks");
    if (!j || !arr) {
        cJSON_Delete(j);
        return NULL;
    }
    for (int i = 0; i < r->ntasks; i++) {
        const gs_record_task *ts = &r->tasks[i];
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "task", ts->name);
        cJSON_AddStringToObject(t, "path", ts->path ? ts->path : "");
        cJSON_AddNumberToObject(t, "episodes", (double)ts->kept);
        cJSON_AddNumberToObject(t, "attempts", (double)ts->attempts);
        cJSON_AddNumberToObject(t, "successes", (double)ts->successes);
        cJSON_AddNumberToObject(t, "errors", (double)ts->errors);
        if (ts->errors) cJSON_AddStringToObject(t, "first_error", ts->first_error);
        cJSON_AddItemToArray(arr, t);
    }
    cJSON_AddNumberToObject(j, "episodes", (double)r->written);
    cJSON_AddNumberToObject(j, "requested", (double)r->requested);
    cJSON_AddNumberToObject(j, "attempts", (double)r->attempts);
    cJSON_AddNumberToObject(j, "successes", (double)r->successes);
    cJSON_AddNumberToObject(j, "errors", (double)r->errors);
    cJSON_AddNumberToObject(j, "wall_s", r->wall_s);
    cJSON_AddNumberToObject(j, "episodes_per_s", r->wall_s > 0 ? (double)r->written / r->wall_s : 0);
    cJSON_AddStringToObject(j, "path", o->out);
    cJSON_AddNumberToObject(j, "bytes", r->bytes);
    cJSON_AddStringToObject(j, "split", o->task_opt.test_split ? "test" : "train");
    cJSON_AddNumberToObject(j, "first_seed", (double)r->first_seed);
    cJSON_AddBoolToObject(j, "interrupted", r->interrupted);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}
