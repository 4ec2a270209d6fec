/* demos.c: gs_record, demonstrations into an HDF5 file (workflow.h): the
 * plan of a part, its file and state, its result (the engine that records
 * is demos_run.c).
 *
 * Episodes are appended (and flushed) as their turn comes, so memory stays
 * flat however many are asked for, and a run that stops leaves a readable
 * file with every committed episode, and beside it its state, from which
 * --resume goes on. */
#include "gensim/workflow.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "gensim/io.h"
#include "task/demos_internal.h"

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
    o.scale = gs_scale_default();
    return o;
}

void gs_record_result_free(gs_record_result *r) {
    free(r->tasks);
    memset(r, 0, sizeof *r);
}

static uint64_t max_attempts_of(const gs_record_options *o) {
    return o->max_attempts ? o->max_attempts : 3 * o->episodes + 10;
}

static gs_status check_options(const gs_record_options *o, char *err, size_t errlen) {
    if (!o->tasks || o->ntasks < 1) return gs_fail(err, errlen, GS_ERR_USAGE, "no task to record");
    if (!o->out || !*o->out) return gs_fail(err, errlen, GS_ERR_USAGE, "no file to record into");
    if (o->episodes < 1 || o->episodes > 1000000)
        return gs_fail(err, errlen, GS_ERR_USAGE, "episodes must be 1..1000000, not %" PRIu64, o->episodes);
    if (o->compression < 0 || o->compression > 9)
        return gs_fail(err, errlen, GS_ERR_USAGE, "compression must be 0..9, not %d", o->compression);
    if (o->resume && o->overwrite)
        return gs_fail(err, errlen, GS_ERR_USAGE, "resuming a file and replacing it do not go together");
    uint64_t attempts = max_attempts_of(o);
    if (o->seed >= GS_TEST_SEED_OFFSET || attempts > GS_TEST_SEED_OFFSET - o->seed)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "seeds %" PRIu64 "..%" PRIu64 " cross 2^31, where test seeds begin; "
                       "use a smaller seed or fewer attempts", o->seed, o->seed + attempts - 1);
    return gs_scale_check(&o->scale, err, errlen);
}

/* What gs_record keeps besides the result: the plan's task indices, the
 * outcomes, the file and where its state goes. */
typedef struct recording {
    const gs_record_options *o;
    gs_record_result *r;
    int *task;                /* (r->ntasks) index into o->tasks */
    gs_outcomes *outcomes;    /* (r->ntasks) */
    gs_dataset_writer *w;
    char state[4200];         /* OUT.state.json */
} recording;

/* The run's record as it stands (borrowing the recording's arrays). */
static gs_demos_record record_of(const recording *rc) {
    const gs_record_options *o = rc->o;
    gs_demos_record rec;
    memset(&rec, 0, sizeof rec);
    rec.ntasks_all = o->ntasks, rec.tasks_all = (char **)o->tasks;
    rec.episodes = o->episodes, rec.seed = o->seed, rec.max_attempts = max_attempts_of(o);
    rec.test_split = o->task_opt.test_split, rec.compression = o->compression, rec.shard = o->scale.shard;
    rec.nslices = rc->r->ntasks, rec.task = rc->task, rec.slices = rc->r->tasks, rec.outcomes = rc->outcomes;
    rec.written = gs_dataset_writer_episodes(rc->w);
    return rec;
}

/* Writes the state file (atomically), durable on disk when asked. */
static gs_status write_state(recording *rc, int durable, char *err, size_t errlen) {
    gs_demos_record rec = record_of(rc);
    char *text = gs__demos_record_json(&rec);
    if (!text) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory writing the state");
    gs_status st = durable ? gs_write_file_atomic(rc->state, text, strlen(text), err, errlen)
                           : gs_write_file_atomic_nosync(rc->state, text, strlen(text), err, errlen);
    free(text);
    return st;
}

/* The state at the start and the end of a part: synced to the disk. */
static gs_status save_state(recording *rc, char *err, size_t errlen) { return write_state(rc, 1, err, errlen); }

/* The state after every kept episode: a killed run resumes from it, so
 * it is renamed into place each time, but not synced (the episodes it
 * counts are not either; two disk flushes an episode were most of the
 * writing process's time). */
static gs_status save_progress(void *ud, char *err, size_t errlen) { return write_state(ud, 0, err, errlen); }

/* The part's tasks and attempt ranges, each task loaded once (in a
 * worker) to check it and learn its name: a bad one leaves no file. */
static gs_status plan(recording *rc, char *err, size_t errlen) {
    const gs_record_options *o = rc->o;
    gs_record_result *r = rc->r;
    gs_shard_range *ranges = calloc((size_t)o->ntasks, sizeof *ranges);
    r->tasks = calloc((size_t)o->ntasks, sizeof *r->tasks);
    rc->task = calloc((size_t)o->ntasks, sizeof *rc->task);
    rc->outcomes = calloc((size_t)o->ntasks, sizeof *rc->outcomes);
    if (!ranges || !r->tasks || !rc->task || !rc->outcomes) {
        free(ranges);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    }
    r->ntasks = gs_shard_plan(o->scale.shard, o->ntasks, max_attempts_of(o), ranges);
    r->requested = o->episodes * (uint64_t)r->ntasks;
    gs_status st = GS_OK;
    for (int i = 0; i < r->ntasks && st == GS_OK; i++) {
        gs_record_task *ts = &r->tasks[i];
        rc->task[i] = ranges[i].task;
        ts->path = o->tasks[ranges[i].task];
        ts->first_attempt = ranges[i].lo, ts->end_attempt = ranges[i].hi;
        ts->done = ts->first_attempt == ts->end_attempt;
        st = gs_task_probe(ts->path, &o->task_opt, ts->name, err, errlen);
    }
    free(ranges);
    return st;
}

static gs_dataset_options file_options(const gs_record_options *o) {
    gs_dataset_options dopt = gs_dataset_options_default();
    dopt.split = o->task_opt.test_split ? "test" : "train";
    dopt.overwrite = o->overwrite;
    dopt.compression = o->compression;
    return dopt;
}

/* 1 when rec is the record of the run o asks for, with the same part. */
static int same_plan(const gs_demos_record *rec, const recording *rc) {
    const gs_record_options *o = rc->o;
    int same = rec->ntasks_all == o->ntasks && rec->episodes == o->episodes && rec->seed == o->seed &&
               rec->max_attempts == max_attempts_of(o) && rec->test_split == o->task_opt.test_split &&
               rec->compression == o->compression && rec->shard.index == o->scale.shard.index &&
               rec->shard.count == o->scale.shard.count && rec->nslices == rc->r->ntasks;
    for (int i = 0; same && i < o->ntasks; i++) same = strcmp(rec->tasks_all[i], o->tasks[i]) == 0;
    for (int i = 0; same && i < rec->nslices; i++) {
        const gs_record_task *a = &rec->slices[i], *b = &rc->r->tasks[i];
        same = rec->task[i] == rc->task[i] && a->first_attempt == b->first_attempt &&
               a->end_attempt == b->end_attempt && strcmp(a->name, b->name) == 0;
    }
    return same;
}

/* Takes the counts and outcomes of a run's record (a state file, or a
 * finished shard's attribute) as the recording's. */
static gs_status adopt(recording *rc, gs_demos_record *rec, const char *from, char *err, size_t errlen) {
    if (!same_plan(rec, rc))
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "%s was recorded by another command (tasks, episodes, seeds, split, compression or shard "
                       "differ): give the command that started it, or --force to start again", from);
    gs_record_result *r = rc->r;
    for (int i = 0; i < r->ntasks; i++) {
        const char *path = r->tasks[i].path;
        r->tasks[i] = rec->slices[i];
        r->tasks[i].path = path;
        gs__outcomes_free(&rc->outcomes[i]);
        rc->outcomes[i] = rec->outcomes[i];
        memset(&rec->outcomes[i], 0, sizeof rec->outcomes[i]);
        r->attempts += r->tasks[i].attempts, r->successes += r->tasks[i].successes, r->errors += r->tasks[i].errors;
    }
    r->resumed = 1;
    r->attempts_before = r->attempts;
    r->written_before = rec->written;
    return GS_OK;
}

/* --resume on a file whose state file is gone: a finished run. A shard's
 * record says what it did; a whole run's file says what it kept. */
static gs_status resume_finished(recording *rc, char *err, size_t errlen) {
    const gs_record_options *o = rc->o;
    gs_dataset *ds;
    gs_status st = gs_dataset_open(o->out, &ds, err, errlen);
    char *text = NULL;
    if (st == GS_OK) st = gs_dataset_text(ds, "shard", &text, err, errlen);
    if (st == GS_OK && text) {
        gs_demos_record rec;
        if ((st = gs__demos_record_parse(text, o->out, &rec, err, errlen)) == GS_OK) {
            st = adopt(rc, &rec, o->out, err, errlen);
            gs__demos_record_free(&rec);
        }
    } else if (st == GS_OK && o->scale.shard.count > 1) {
        st = gs_fail(err, errlen, GS_ERR_USAGE, "%s is not a part of a sharded run (it has no shard record)", o->out);
    } else if (st == GS_OK) {
        gs_dataset_episode ep = {0};
        for (int64_t e = 0; e < gs_dataset_episodes(ds) && st == GS_OK; e++)
            if ((st = gs_dataset_read_episode(ds, e, 0, &ep, err, errlen)) == GS_OK)
                for (int i = 0; i < rc->r->ntasks; i++) rc->r->tasks[i].kept += strcmp(ep.task, rc->r->tasks[i].name) == 0;
        gs_dataset_episode_free(&ep);
        for (int i = 0; i < rc->r->ntasks; i++) rc->r->tasks[i].done = 1;
        rc->r->resumed = 1;
    }
    if (ds) rc->r->written = rc->r->written_before = gs_dataset_episodes(ds);
    free(text);
    gs_dataset_close(ds);
    return st;
}

/* --resume on a file with its state: the run goes on from it; episodes
 * appended after the state was last written are dropped, to be recorded
 * again. */
static gs_status resume_state(recording *rc, char *err, size_t errlen) {
    char *text;
    gs_status st = gs_read_file(rc->state, (size_t)64 << 20, &text, NULL, err, errlen);
    if (st != GS_OK) return st;
    gs_demos_record rec;
    st = gs__demos_record_parse(text, rc->state, &rec, err, errlen);
    free(text);
    if (st != GS_OK) return st;
    st = adopt(rc, &rec, rc->o->out, err, errlen);
    int64_t written = rec.written;
    gs__demos_record_free(&rec);
    gs_dataset_options dopt = file_options(rc->o);
    if (st == GS_OK) st = gs_dataset_writer_open(rc->o->out, &dopt, &rc->w, err, errlen);
    if (st == GS_OK && gs_dataset_writer_episodes(rc->w) < written)
        st = gs_fail(err, errlen, GS_ERR_IO, "%s holds %" PRId64 " episodes, fewer than its state %s says (%" PRId64 ")",
                     rc->o->out, gs_dataset_writer_episodes(rc->w), rc->state, written);
    if (st == GS_OK && gs_dataset_writer_episodes(rc->w) > written)
        st = gs_dataset_writer_truncate(rc->w, written, err, errlen);
    return st;
}

/* The file to record into: a new one, or with resume the one a run left. */
static gs_status open_file(recording *rc, char *err, size_t errlen) {
    const gs_record_options *o = rc->o;
    struct stat sb;
    int exists = stat(o->out, &sb) == 0, has_state = stat(rc->state, &sb) == 0;
    if (o->resume && exists) return has_state ? resume_state(rc, err, errlen) : resume_finished(rc, err, errlen);
    if (!o->overwrite && exists)
        return gs_fail(err, errlen, GS_ERR_IO, "%s already exists (use --force to replace it, or --resume to go on "
                                              "with it)", o->out);
    if (has_state) unlink(rc->state); /* a state whose file is gone: nothing to go on from */
    gs_dataset_options dopt = file_options(o);
    return gs_dataset_create(o->out, &dopt, &rc->w, err, errlen);
}

/* The end of a part: complete, a shard's file gets its record, and the
 * state file goes; else the state stays for --resume. */
static gs_status finish(recording *rc, char *err, size_t errlen) {
    gs_record_result *r = rc->r;
    r->complete = !r->interrupted;
    for (int i = 0; i < r->ntasks; i++) r->complete &= r->tasks[i].done;
    if (!rc->w) return GS_OK; /* a finished file, left as it was */
    if (!r->complete) return save_state(rc, err, errlen);
    gs_status st = GS_OK;
    if (rc->o->scale.shard.count > 1) {
        gs_demos_record rec = record_of(rc);
        char *text = gs__demos_record_json(&rec);
        st = text ? gs_dataset_writer_set_text(rc->w, "shard", text, err, errlen)
                  : gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
        free(text);
    }
    if (st == GS_OK && unlink(rc->state) != 0 && errno != ENOENT)
        st = gs_fail(err, errlen, GS_ERR_IO, "cannot remove %s: %s", rc->state, strerror(errno));
    return st;
}

gs_status gs_record(const gs_record_options *o, gs_record_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    gs_status st = check_options(o, err, errlen);
    if (st != GS_OK) return st;
    double t0 = now();
    r->first_seed = gs_split_seed(o->seed, 0, o->task_opt.test_split);
    r->shard = o->scale.shard;
    recording rc;
    memset(&rc, 0, sizeof rc);
    rc.o = o, rc.r = r;
    snprintf(rc.state, sizeof rc.state, "%s.state.json", o->out);
    st = plan(&rc, err, errlen);
    if (st == GS_OK) st = open_file(&rc, err, errlen);
    if (st == GS_OK && rc.w) st = save_state(&rc, err, errlen);
    if (st == GS_OK && rc.w) {
        gs_demos_run run = {o, r, rc.outcomes, rc.w, save_progress, &rc};
        st = gs__demos_record_slices(&run, err, errlen);
        r->written = gs_dataset_writer_episodes(rc.w);
    }
    char why[1024];
    gs_status ended = st == GS_OK || rc.w ? finish(&rc, why, sizeof why) : GS_OK;
    if (ended != GS_OK && st == GS_OK) st = gs_fail(err, errlen, ended, "%s", why);
    gs_status closed = gs_dataset_writer_close(rc.w, why, sizeof why);
    if (closed != GS_OK && st == GS_OK) st = gs_fail(err, errlen, closed, "%s", why);
    for (int i = 0; i < r->ntasks && st == GS_OK && !r->interrupted; i++) {
        gs_record_task *ts = &r->tasks[i];
        ts->fell_short = ts->done && ts->kept < o->episodes && ts->first_attempt == 0 &&
                         ts->end_attempt == max_attempts_of(o);
        r->short_tasks += ts->fell_short;
    }
    for (int i = 0; rc.outcomes && i < r->ntasks; i++) gs__outcomes_free(&rc.outcomes[i]);
    free(rc.outcomes);
    free(rc.task);
    struct stat sb;
    r->bytes = stat(o->out, &sb) == 0 ? (double)sb.st_size : 0;
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
        if (r->shard.count > 1) {
            cJSON_AddNumberToObject(t, "first_attempt", (double)ts->first_attempt);
            cJSON_AddNumberToObject(t, "end_attempt", (double)ts->end_attempt);
        }
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
    cJSON_AddBoolToObject(j, "complete", r->complete);
    if (r->resumed) { /* what the run it went on from had done */
        cJSON *before = cJSON_AddObjectToObject(j, "resumed");
        cJSON_AddNumberToObject(before, "episodes", (double)r->written_before);
        cJSON_AddNumberToObject(before, "attempts", (double)r->attempts_before);
    }
    if (r->shard.count > 1) {
        char shard[24];
        cJSON_AddStringToObject(j, "shard", gs_shard_text(r->shard, shard));
    }
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}
