/* validate.c: the ladder over many files (gs_validate_files), as gensim
 * validate and the Lua host's gensim.validate run it. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "gensim/io.h"
#include "gensim/library.h"

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

gs_status gs_validate_files(const char *const *files, int n, const gs_ladder_options *opt,
                            gs_validate_fn on_result, void *ud, gs_validate_summary *summary,
                            char **json, char *err, size_t errlen) {
    memset(summary, 0, sizeof *summary);
    if (json) *json = NULL;
    if (n < 1 || !files) return gs_fail(err, errlen, GS_ERR_USAGE, "no task file to validate");
    char **sources = calloc((size_t)n, sizeof *sources);
    size_t *lens = calloc((size_t)n, sizeof *lens);
    gs_ladder_result *r = malloc(sizeof *r);
    cJSON *out = json ? cJSON_CreateObject() : NULL;
    cJSON *tasks = out ? cJSON_AddArrayToObject(out, "tasks") : NULL;
    gs_status st = GS_OK;
    if (!sources || !lens || !r || (json && !tasks)) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    /* every file must be readable before any is validated: a typo is a usage error */
    for (int f = 0; f < n && st == GS_OK; f++)
        st = gs_read_file(files[f], MAX_TASK_BYTES, &sources[f], &lens[f], err, errlen);
    double t0 = now();
    for (int f = 0; f < n && st == GS_OK; f++) {
        double c0 = now();
        if ((st = gs_ladder_run(files[f], sources[f], lens[f], opt, r, err, errlen)) != GS_OK) break;
        provenance_warning(files[f], r);
        double seconds = now() - c0;
        summary->total++;
        for (int k = 0; k < GS_RUNG_COUNT; k++) summary->passed[k] += r->rungs[k] == GS_RUNG_PASS;
        summary->accepted += r->passed;
        if (tasks) add_result(tasks, files[f], r, seconds);
        if (on_result) on_result(ud, files[f], r, seconds);
    }
    summary->wall_s = now() - t0;
    if (out && st == GS_OK) {
        add_totals(out, summary, opt);
        if (!(*json = cJSON_PrintUnformatted(out))) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(out);
    for (int f = 0; sources && f < n; f++) free(sources[f]);
    free(sources);
    free(lens);
    free(r);
    return st;
}
