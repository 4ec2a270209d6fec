/* demos_state.c: the rule that commits attempt outcomes, and the record of
 * a recording's plan and progress (demos_internal.h): the state file of a
 * run under way, and the "shard" attribute of a finished shard. Outcomes
 * are stored run-length encoded ("K12F1K30"), so a record stays small. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "task/demos_internal.h"

int gs__commit(gs_record_task *ts, uint64_t episodes, char outcome) {
    ts->attempts++;
    if (outcome == GS_OUT_ERROR) ts->errors++;
    if (outcome == GS_OUT_KEPT || outcome == GS_OUT_ZERO) ts->successes++;
    int kept = outcome == GS_OUT_KEPT;
    ts->kept += (uint64_t)kept;
    /* a task whose every attempt from the first raised an error is given up */
    int broken = ts->first_attempt == 0 && ts->errors == ts->attempts && ts->attempts >= GS_GIVE_UP_ERRORS;
    if (ts->kept >= episodes || ts->first_attempt + ts->attempts >= ts->end_attempt || broken) ts->done = 1;
    return kept;
}

int gs__outcomes_add(gs_outcomes *o, char outcome) {
    if (o->n + 1 >= o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 64;
        char *grown = realloc(o->text, cap);
        if (!grown) return 0;
        o->text = grown, o->cap = cap;
    }
    o->text[o->n++] = outcome;
    o->text[o->n] = 0;
    return 1;
}

void gs__outcomes_free(gs_outcomes *o) {
    free(o->text);
    memset(o, 0, sizeof *o);
}

/* "K12F1..." of o, malloc'd. */
static char *encode(const gs_outcomes *o) {
    char *out = malloc(o->n * 21 + 1);
    if (!out) return NULL;
    size_t at = 0;
    for (size_t i = 0; i < o->n;) {
        size_t j = i;
        while (j < o->n && o->text[j] == o->text[i]) j++;
        at += (size_t)sprintf(out + at, "%c%zu", o->text[i], j - i);
        i = j;
    }
    out[at] = 0;
    return out;
}

/* Decodes s into o; 0 when s is not an encoding of outcomes. */
static int decode(const char *s, gs_outcomes *o, uint64_t max) {
    while (*s) {
        char c = *s++;
        if (c != GS_OUT_KEPT && c != GS_OUT_ZERO && c != GS_OUT_FAIL && c != GS_OUT_ERROR) return 0;
        uint64_t n = 0;
        if (*s < '1' || *s > '9') return 0;
        while (*s >= '0' && *s <= '9' && n <= max) n = n * 10 + (uint64_t)(*s++ - '0');
        if (n > max - o->n) return 0;
        for (uint64_t k = 0; k < n; k++)
            if (!gs__outcomes_add(o, c)) return 0;
    }
    return 1;
}

char *gs__demos_record_json(const gs_demos_record *rec) {
    cJSON *j = cJSON_CreateObject();
    char shard[24];
    cJSON_AddStringToObject(j, "run", "gensim demos");
    cJSON_AddNumberToObject(j, "version", 1);
    cJSON *tasks = cJSON_AddArrayToObject(j, "tasks");
    for (int i = 0; i < rec->ntasks_all; i++) cJSON_AddItemToArray(tasks, cJSON_CreateString(rec->tasks_all[i]));
    cJSON_AddNumberToObject(j, "episodes", (double)rec->episodes);
    cJSON_AddNumberToObject(j, "seed", (double)rec->seed);
    cJSON_AddNumberToObject(j, "max_attempts", (double)rec->max_attempts);
    cJSON_AddStringToObject(j, "split", rec->test_split ? "test" : "train");
    cJSON_AddNumberToObject(j, "compression", rec->compression);
    cJSON_AddStringToObject(j, "shard", gs_shard_text(rec->shard, shard));
    cJSON *slices = cJSON_AddArrayToObject(j, "slices");
    int ok = j && tasks && slices;
    for (int i = 0; ok && i < rec->nslices; i++) {
        const gs_record_task *ts = &rec->slices[i];
        cJSON *s = cJSON_CreateObject();
        char *rle = encode(&rec->outcomes[i]);
        ok = s && rle;
        cJSON_AddNumberToObject(s, "task", rec->task[i]);
        cJSON_AddStringToObject(s, "name", ts->name);
        cJSON_AddNumberToObject(s, "first", (double)ts->first_attempt);
        cJSON_AddNumberToObject(s, "end", (double)ts->end_attempt);
        cJSON_AddStringToObject(s, "outcomes", rle ? rle : "");
        if (ts->errors) {
            cJSON_AddStringToObject(s, "first_error", ts->first_error);
            cJSON_AddNumberToObject(s, "first_error_seed", (double)ts->first_error_seed);
        }
        free(rle);
        cJSON_AddItemToArray(slices, s);
    }
    cJSON_AddNumberToObject(j, "written", (double)rec->written);
    char *text = ok ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    return text;
}

static int number(const cJSON *o, const char *key, uint64_t *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0) return 0;
    *out = (uint64_t)v->valuedouble;
    return 1;
}

static const char *text(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* One slice of a record: its range, its outcomes replayed. */
static int parse_slice(const cJSON *s, gs_demos_record *rec, int i) {
    gs_record_task *ts = &rec->slices[i];
    uint64_t task, first, end, seed = 0;
    const char *name = text(s, "name"), *rle = text(s, "outcomes"), *first_error = text(s, "first_error");
    if (!number(s, "task", &task) || task >= (uint64_t)rec->ntasks_all || !number(s, "first", &first) ||
        !number(s, "end", &end) || first > end || end > rec->max_attempts || !name || !rle ||
        strlen(name) > GS_TASK_NAME_MAX)
        return 0;
    rec->task[i] = (int)task;
    snprintf(ts->name, sizeof ts->name, "%s", name);
    ts->path = rec->tasks_all[task];
    ts->first_attempt = first, ts->end_attempt = end;
    ts->done = first == end;
    if (!decode(rle, &rec->outcomes[i], end - first)) return 0;
    for (size_t k = 0; k < rec->outcomes[i].n; k++) {
        if (ts->done) return 0; /* nothing is attempted after the task is done */
        gs__commit(ts, rec->episodes, rec->outcomes[i].text[k]);
    }
    if (ts->errors && (!first_error || !number(s, "first_error_seed", &seed))) return 0;
    if (first_error) snprintf(ts->first_error, sizeof ts->first_error, "%s", first_error);
    ts->first_error_seed = seed;
    return 1;
}

gs_status gs__demos_record_parse(const char *json, const char *path, gs_demos_record *rec, char *err,
                                 size_t errlen) {
    memset(rec, 0, sizeof *rec);
    cJSON *j = cJSON_Parse(json);
    const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(j, "tasks");
    const cJSON *slices = cJSON_GetObjectItemCaseSensitive(j, "slices");
    const char *run = text(j, "run"), *split = text(j, "split"), *shard = text(j, "shard");
    uint64_t version = 0, compression = 0, written = 0;
    int ok = run && strcmp(run, "gensim demos") == 0 && number(j, "version", &version) && version == 1 &&
             cJSON_IsArray(tasks) && cJSON_IsArray(slices) && number(j, "episodes", &rec->episodes) &&
             number(j, "seed", &rec->seed) && number(j, "max_attempts", &rec->max_attempts) && split &&
             number(j, "compression", &compression) && number(j, "written", &written) && shard &&
             gs_shard_parse(shard, &rec->shard, NULL, 0) == GS_OK;
    if (ok) {
        rec->test_split = strcmp(split, "test") == 0;
        rec->compression = (int)compression, rec->written = (int64_t)written;
        rec->ntasks_all = cJSON_GetArraySize(tasks), rec->nslices = cJSON_GetArraySize(slices);
        rec->tasks_all = calloc((size_t)rec->ntasks_all + 1, sizeof *rec->tasks_all);
        rec->task = calloc((size_t)rec->nslices + 1, sizeof *rec->task);
        rec->slices = calloc((size_t)rec->nslices + 1, sizeof *rec->slices);
        rec->outcomes = calloc((size_t)rec->nslices + 1, sizeof *rec->outcomes);
        ok = rec->tasks_all && rec->task && rec->slices && rec->outcomes;
    }
    for (int i = 0; ok && i < rec->ntasks_all; i++) {
        const cJSON *t = cJSON_GetArrayItem(tasks, i);
        ok = cJSON_IsString(t) && (rec->tasks_all[i] = strdup(t->valuestring)) != NULL;
    }
    for (int i = 0; ok && i < rec->nslices; i++) ok = parse_slice(cJSON_GetArrayItem(slices, i), rec, i);
    cJSON_Delete(j);
    if (!ok) {
        gs__demos_record_free(rec);
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: not the record of a gensim demos run", path);
    }
    return GS_OK;
}

void gs__demos_record_free(gs_demos_record *rec) {
    for (int i = 0; rec->tasks_all && i < rec->ntasks_all; i++) free(rec->tasks_all[i]);
    for (int i = 0; rec->outcomes && i < rec->nslices; i++) gs__outcomes_free(&rec->outcomes[i]);
    free(rec->tasks_all);
    free(rec->task);
    free(rec->slices);
    free(rec->outcomes);
    memset(rec, 0, sizeof *rec);
}
