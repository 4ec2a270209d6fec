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

/* Records task ts until it keeps o->episodes, runs out of attempts or
 * breaks on every seed. GS_OK unless the host itself failed. */
static gs_status record_task(const gs_record_options *o, gs_task *t, gs_record_task *ts,
                             gs_dataset_writer *w, gs_dataset_episode *ep, gs_record_result *r,
                             char *err, size_t errlen) {
    const gsr_view view = gsr_view_default();
    uint64_t max_attempts = o->max_attempts ? o->max_attempts : 3 * o->episodes + 10;
    int test = o->task_opt.test_split;
    for (uint64_t k = 0; ts->kept < o->episodes && k < max_attempts; k++) {
        if (o->stop && *o->stop) {
            r->interrupted = 1;
            break;
        }
        uint64_t seed = gs_split_seed(o->seed, k, test);
        char why[1024];
        gs_status st = gs_episode_record(t, seed, o->actor, &view, ep, why, sizeof why);
        ts->attempts++, r->attempts++;
        if (st == GS_ERR_NOMEM || st == GS_ERR_USAGE) return gs_fail(err, errlen, st, "%s", why);
        if (st != GS_OK) {
            /* A task may fail on a seed (no room for an object, a limit): the
             * attempt counts as failed; the first reason is kept. */
            if (!ts->errors++) {
                snprintf(ts->first_error, sizeof ts->first_error, "%s", why);
                if (o->on_error) o->on_error(o->ud, why, seed);
            }
            r->errors++;
            /* Broken on every seed so far: more seeds will not help. */
            if (ts->errors == ts->attempts && ts->attempts >= GIVE_UP_ERRORS) break;
        } else if (ep->success) {
            ts->successes++, r->successes++;
            /* An episode solved before any action teaches nothing. */
            if (ep->steps > 0) {
                if ((st = gs_dataset_append(w, ep, err, errlen)) != GS_OK) return st;
                ts->kept++;
            }
        }
        if (o->on_attempt) o->on_attempt(o->ud, ts->name, (uint64_t)gs_dataset_writer_episodes(w), r->attempts,
                                         r->requested);
    }
    return GS_OK;
}

/* Every task loads before the file is created, so a bad one leaves nothing. */
static gs_status load_tasks(const gs_record_options *o, gs_task **tasks, gs_record_result *r,
                            char *err, size_t errlen) {
    for (int i = 0; i < o->ntasks; i++) {
        r->tasks[i].path = o->tasks[i];
        gs_status st = gs_task_load(o->tasks[i], &o->task_opt, &tasks[i], err, errlen);
        if (st != GS_OK) return st;
        snprintf(r->tasks[i].name, sizeof r->tasks[i].name, "%s", gs_task_name(tasks[i]));
    }
    return GS_OK;
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
    if (st == GS_OK) {
        struct stat sb;
        gs_dataset_options dopt = gs_dataset_options_default();
        dopt.split = o->task_opt.test_split ? "test" : "train";
        dopt.overwrite = o->overwrite;
        dopt.compression = o->compression;
        if (!o->overwrite && stat(o->out, &sb) == 0)
            st = gs_fail(err, errlen, GS_ERR_IO, "%s already exists (use --force to replace it)", o->out);
        else st = gs_dataset_create(o->out, &dopt, &w, err, errlen);
    }
    gs_dataset_episode ep;
    memset(&ep, 0, sizeof ep);
    for (int i = 0; i < o->ntasks && st == GS_OK && !r->interrupted; i++)
        st = record_task(o, tasks[i], &r->tasks[i], w, &ep, r, err, errlen);
    gs_dataset_episode_free(&ep);
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
