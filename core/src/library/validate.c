/* validate.c: the ladder over many files (gs_validate_files), as gensim
 * validate and the Lua host's gensim.validate run it: each file's ladder in
 * a worker of a pool, up to --jobs at once, the results reported in file
 * order; a shard validates its part of the files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "gensim/io.h"
#include "gensim/library.h"
#include "library/library_internal.h"
#include "task/isolate.h"

#define MAX_TASK_BYTES (1 << 20)

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The per-rung counts and rates, and the run's settings, into out. */
static void add_totals(cJSON *out, const gs_validate_summary *s, const gs_ladder_options *opt) {
    cJSON *counts = cJSON_AddObjectToObject(out, "passed");
    cJSON *rates = cJSON_AddObjectToObject(out, "rates");
    double n = s->total > 0 ? s->total : 1;
    for (int k = 0; k < GS_RUNG_COUNT; k++) {
        cJSON_AddNumberToObject(counts, gs_rung_name(k), s->passed[k]);
        cJSON_AddNumberToObject(rates, gs_rung_name(k), s->passed[k] / n);
    }
    cJSON_AddNumberToObject(counts, "accepted", s->accepted);
    cJSON_AddNumberToObject(rates, "accepted", s->accepted / n);
    cJSON_AddNumberToObject(out, "total", s->total);
    cJSON_AddNumberToObject(out, "seeds", opt->seeds);
    cJSON_AddNumberToObject(out, "min_solved", opt->min_solved);
    cJSON_AddNumberToObject(out, "wall_s", s->wall_s);
}

/* The ladder's result with the file and its time, into tasks. */
static void add_result(cJSON *tasks, const char *file, const gs_ladder_result *r, double seconds) {
    char *text = gs_ladder_result_json(r);
    cJSON *one = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!one) return;
    cJSON_AddStringToObject(one, "path", file);
    cJSON_AddNumberToObject(one, "seconds", seconds);
    cJSON_AddItemToArray(tasks, one);
}

/* The entry of list whose "file" is file, or NULL. */
static const cJSON *entry_for(const cJSON *list, const char *file) {
    const cJSON *e;
    cJSON_ArrayForEach(e, list) {
        const char *f = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "file"));
        if (f && strcmp(f, file) == 0) return e;
    }
    return NULL;
}

/* A library task whose record names plugin files that differ now (another
 * version, other bytes, no longer used) gets a warning: it was accepted
 * against code that is not what runs today. */
static void provenance_warning(const char *file, gs_ladder_result *r) {
    size_t n = strlen(file);
    if (n < 5 || strcmp(file + n - 4, ".lua") != 0 || !r->provenance[0]) return;
    char path[4096], *text = NULL;
    snprintf(path, sizeof path, "%.*s.json", (int)(n - 4), file);
    if (gs_read_file(path, 16 << 20, &text, NULL, NULL, 0) != GS_OK) return;
    cJSON *rec = cJSON_Parse(text), *now = cJSON_Parse(r->provenance);
    free(text);
    const cJSON *then = cJSON_GetObjectItemCaseSensitive(rec, "provenance"), *e;
    size_t used = 0;
    cJSON_ArrayForEach(e, then) {
        const char *plugin = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "plugin"));
        const char *f = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "file"));
        const char *sha = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "sha256"));
        if (!plugin || !f || !sha) continue;
        const cJSON *cur = entry_for(now, f);
        const char *cur_sha = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cur, "sha256"));
        if (cur_sha && strcmp(cur_sha, sha) == 0) continue;
        if (used < sizeof r->warning)
            used += (size_t)snprintf(r->warning + used, sizeof r->warning - used, "%s%s", used ? ", " : "", f);
    }
    if (used > 0) {
        char files[sizeof r->warning];
        memcpy(files, r->warning, sizeof files);
        snprintf(r->warning, sizeof r->warning, "plugin code changed since the task was accepted: %.400s", files);
    }
    cJSON_Delete(rec);
    cJSON_Delete(now);
}

/* The files of a validation, their results held until every one before
 * them is reported: on_result and the JSON see them in file order. */
typedef struct validation {
    const char *const *files;
    char **sources;
    size_t *lens;
    const gs_ladder_options *opt;
    int *todo, ntodo;         /* the part's files, as indices into files */
    int next, head;           /* next to start; the first not yet reported */
    gs_ladder_result *results; /* (ntodo) */
    double *started, *seconds;
    int *finished;
    gs_validate_fn on_result;
    void *ud;
    gs_validate_summary *summary;
    cJSON *tasks;             /* nullable */
} validation;

/* Reports the finished results at the head, in order. */
static void report_ready(validation *v) {
    while (v->head < v->ntodo && v->finished[v->head]) {
        int j = v->head++;
        const char *file = v->files[v->todo[j]];
        gs_ladder_result *r = &v->results[j];
        provenance_warning(file, r);
        v->summary->total++;
        for (int k = 0; k < GS_RUNG_COUNT; k++) v->summary->passed[k] += r->rungs[k] == GS_RUNG_PASS;
        v->summary->accepted += r->passed;
        if (v->tasks) add_result(v->tasks, file, r, v->seconds[j]);
        if (v->on_result) v->on_result(v->ud, file, r, v->seconds[j]);
    }
}

static int files_next(void *ud, gsl_pool *p) {
    (void)p;
    validation *v = ud;
    if (v->next >= v->ntodo) return -1;
    v->started[v->next] = now();
    return v->next++;
}

static gs_status files_work(void *ud, int job, gsl_channel *out, char *err, size_t errlen) {
    validation *v = ud;
    int f = v->todo[job];
    return gs__ladder_child(v->files[f], v->sources[f], v->lens[f], v->opt, &v->results[job], out, err, errlen);
}

static gs_status files_message(void *ud, gsl_pool *p, int job, int type, const void *data, size_t len, char *err,
                               size_t errlen) {
    (void)p;
    validation *v = ud;
    return gs__ladder_message(&v->results[job], type, data, len, err, errlen);
}

static gs_status files_done(void *ud, gsl_pool *p, int job, gs_status st, const char *why, char *err,
                            size_t errlen) {
    (void)p;
    validation *v = ud;
    gs_ladder_result *r = &v->results[job];
    st = gs__ladder_verdict(r, v->files[v->todo[job]], st, why, err, errlen);
    if (st != GS_OK) return st; /* the host's failure ends the run */
    v->seconds[job] = now() - v->started[job];
    v->finished[job] = 1;
    report_ready(v);
    return GS_OK;
}

static void files_retry(void *ud, int job, const char *why) {
    validation *v = ud;
    if (!v->opt->scale.on_retry) return;
    char msg[1400];
    snprintf(msg, sizeof msg, "%s: %s; validating it again", v->files[v->todo[job]], why);
    v->opt->scale.on_retry(v->opt->scale.ud, msg);
}

/* Every file of the part through the ladder: in a pool of workers (the
 * ladder of each in one of them), or here. */
static gs_status validate_part(validation *v, char *err, size_t errlen) {
    const gs_ladder_options *opt = v->opt;
    gs_status st = GS_OK;
    if (gs__isolated(&opt->task)) {
        for (int j = 0; j < v->ntodo; j++) v->results[j].failed = -1;
        gsl_worker_limits lim = gs__worker_limits(&opt->task, 0);
        gsl_pool_ops ops = {files_next, files_work, files_message, files_done, files_retry, NULL, v};
        st = gsl_pool_run(&ops, gs_jobs_resolve(opt->scale.jobs), 1, &lim, err, errlen);
    } else {
        gs_ladder_options one = *opt;
        one.scale.jobs = 1; /* in process: one ladder after the other */
        for (int j = 0; j < v->ntodo && st == GS_OK; j++) {
            int f = v->todo[j];
            double c0 = now();
            st = gs_ladder_run(v->files[f], v->sources[f], v->lens[f], &one, &v->results[j], err, errlen);
            v->seconds[j] = now() - c0;
            v->finished[j] = st == GS_OK;
            report_ready(v);
        }
    }
    return st;
}

gs_status gs_validate_files(const char *const *files, int n, const gs_ladder_options *opt,
                            gs_validate_fn on_result, void *ud, gs_validate_summary *summary,
                            char **json, char *err, size_t errlen) {
    memset(summary, 0, sizeof *summary);
    if (json) *json = NULL;
    if (n < 1 || !files) return gs_fail(err, errlen, GS_ERR_USAGE, "no task file to validate");
    gs_status st = gs_scale_check(&opt->scale, err, errlen);
    if (st != GS_OK) return st;
    validation v;
    memset(&v, 0, sizeof v);
    v.files = files, v.opt = opt, v.on_result = on_result, v.ud = ud, v.summary = summary;
    v.sources = calloc((size_t)n, sizeof *v.sources);
    v.lens = calloc((size_t)n, sizeof *v.lens);
    v.todo = calloc((size_t)n, sizeof *v.todo);
    v.results = calloc((size_t)n, sizeof *v.results);
    v.started = calloc((size_t)n, sizeof *v.started);
    v.seconds = calloc((size_t)n, sizeof *v.seconds);
    v.finished = calloc((size_t)n, sizeof *v.finished);
    gs_shard_range *ranges = calloc((size_t)n, sizeof *ranges);
    cJSON *out = json ? cJSON_CreateObject() : NULL;
    v.tasks = out ? cJSON_AddArrayToObject(out, "tasks") : NULL;
    if (!v.sources || !v.lens || !v.todo || !v.results || !v.started || !v.seconds || !v.finished || !ranges ||
        (json && !v.tasks))
        st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    /* every file must be readable before any is validated: a typo is a usage error */
    for (int f = 0; f < n && st == GS_OK; f++)
        st = gs_read_file(files[f], MAX_TASK_BYTES, &v.sources[f], &v.lens[f], err, errlen);
    int nranges = st == GS_OK ? gs_shard_plan(opt->scale.shard, n, 1, ranges) : 0;
    for (int i = 0; i < nranges; i++) v.todo[v.ntodo++] = ranges[i].task;
    double t0 = now();
    if (st == GS_OK) {
        v.opt = opt;
        st = validate_part(&v, err, errlen);
    }
    summary->wall_s = now() - t0;
    if (out && st == GS_OK) {
        add_totals(out, summary, opt);
        if (opt->scale.shard.count > 1) {
            char shard[24];
            cJSON_AddStringToObject(out, "shard", gs_shard_text(opt->scale.shard, shard));
        }
        if (!(*json = cJSON_PrintUnformatted(out))) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(out);
    for (int f = 0; v.sources && f < n; f++) free(v.sources[f]);
    free(v.sources), free(v.lens), free(v.todo), free(v.results), free(v.started), free(v.seconds);
    free(v.finished), free(ranges);
    return st;
}
