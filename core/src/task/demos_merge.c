/* demos_merge.c: gs_demos_merge (workflow.h): the files of a sharded
 * gensim demos run joined into the one a single process would have
 * written. Each part's "shard" record holds its plan and every attempt's
 * outcome; the merge replays the outcomes of each task's parts in attempt
 * order through the recorder's own rule (gs__commit), so it keeps exactly
 * the episodes a single run would have kept, and copies them whole. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "task/demos_internal.h"

/* The parts, open, with their records. */
typedef struct part {
    const char *path;
    gs_dataset *ds;
    gs_demos_record rec;
    int64_t *base;            /* (rec.nslices) the file's index of each slice's first episode */
} part;

/* Opens every part and reads its record. */
static gs_status open_parts(part *p, const char *const *paths, int n, char *err, size_t errlen) {
    gs_status st = GS_OK;
    for (int i = 0; i < n && st == GS_OK; i++) {
        p[i].path = paths[i];
        char *text = NULL;
        st = gs_dataset_open(paths[i], &p[i].ds, err, errlen);
        if (st == GS_OK) st = gs_dataset_text(p[i].ds, "shard", &text, err, errlen);
        if (st == GS_OK && !text)
            st = gs_fail(err, errlen, GS_ERR_USAGE, "%s is not a finished part of a sharded gensim demos run (no "
                                                    "shard record); finish its shard with --resume", paths[i]);
        if (st == GS_OK) st = gs__demos_record_parse(text, paths[i], &p[i].rec, err, errlen);
        free(text);
        if (st != GS_OK) break;
        p[i].base = calloc((size_t)p[i].rec.nslices + 1, sizeof *p[i].base);
        if (!p[i].base) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
        int64_t at = 0;
        for (int k = 0; k < p[i].rec.nslices; k++) p[i].base[k] = at, at += (int64_t)p[i].rec.slices[k].kept;
        if (at != gs_dataset_episodes(p[i].ds))
            st = gs_fail(err, errlen, GS_ERR_USAGE, "%s holds %" PRId64 " episodes but its record keeps %" PRId64,
                         paths[i], gs_dataset_episodes(p[i].ds), at);
    }
    return st;
}

/* The parts are one run's: same plan and file attributes, every shard
 * once, each the part gs_shard_plan gives it. */
static gs_status check_parts(part *p, int n, char *err, size_t errlen) {
    static const char *const skip[] = {"shard", NULL};
    const gs_demos_record *a = &p[0].rec;
    int *seen = calloc(a->shard.count, sizeof *seen);
    gs_shard_range *ranges = calloc((size_t)a->ntasks_all + 1, sizeof *ranges);
    gs_status st = seen && ranges ? GS_OK : gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n && st == GS_OK; i++) {
        const gs_demos_record *b = &p[i].rec;
        int same = b->ntasks_all == a->ntasks_all && b->episodes == a->episodes && b->seed == a->seed &&
                   b->max_attempts == a->max_attempts && b->test_split == a->test_split &&
                   b->compression == a->compression && b->shard.count == a->shard.count;
        for (int t = 0; same && t < a->ntasks_all; t++) same = strcmp(a->tasks_all[t], b->tasks_all[t]) == 0;
        char why[512] = "";
        if (!same)
            st = gs_fail(err, errlen, GS_ERR_USAGE, "%s and %s are parts of different runs (tasks, episodes, seeds, "
                                                    "split, compression or shard count differ)", p[0].path, p[i].path);
        else if (!gs_dataset_same_attributes(p[0].ds, p[i].ds, skip, why, sizeof why))
            st = gs_fail(err, errlen, GS_ERR_USAGE, "the parts differ: %s", why);
        else if (seen[b->shard.index]++)
            st = gs_fail(err, errlen, GS_ERR_USAGE, "shard %" PRIu32 "/%" PRIu32 " is given twice (%s overlaps another part)",
                         b->shard.index, b->shard.count, p[i].path);
        int nr = st == GS_OK ? gs_shard_plan(b->shard, b->ntasks_all, b->max_attempts, ranges) : 0;
        same = nr == b->nslices;
        for (int k = 0; st == GS_OK && same && k < nr; k++)
            same = ranges[k].task == b->task[k] && ranges[k].lo == b->slices[k].first_attempt &&
                   ranges[k].hi == b->slices[k].end_attempt;
        if (st == GS_OK && !same)
            st = gs_fail(err, errlen, GS_ERR_USAGE, "%s does not hold the part its shard should", p[i].path);
    }
    for (uint32_t s = 0; st == GS_OK && s < a->shard.count; s++)
        if (!seen[s]) st = gs_fail(err, errlen, GS_ERR_USAGE, "shard %" PRIu32 "/%" PRIu32 " is missing", s, a->shard.count);
    free(seen);
    free(ranges);
    return st;
}

/* One task's parts, replayed in attempt order: its counts into ts, and
 * each kept episode copied into w. */
static gs_status merge_task(part *p, int n, int task, gs_record_task *ts, gs_dataset_writer *w, char *err,
                            size_t errlen) {
    const gs_demos_record *a = &p[0].rec;
    ts->first_attempt = 0, ts->end_attempt = a->max_attempts;
    gs_status st = GS_OK;
    for (uint64_t at = 0; !ts->done && st == GS_OK;) {
        int pi = -1, k = -1; /* the part and slice that hold attempt at */
        for (int i = 0; i < n && pi < 0; i++)
            for (int s = 0; s < p[i].rec.nslices; s++)
                if (p[i].rec.task[s] == task && p[i].rec.slices[s].first_attempt == at) pi = i, k = s;
        if (pi < 0) return gs_fail(err, errlen, GS_ERR_USAGE, "no part holds attempt %" PRIu64 " of task %d", at, task);
        const gs_record_task *sl = &p[pi].rec.slices[k];
        const gs_outcomes *out = &p[pi].rec.outcomes[k];
        snprintf(ts->name, sizeof ts->name, "%s", sl->name);
        int64_t episode = p[pi].base[k];
        for (size_t i = 0; i < out->n && !ts->done && st == GS_OK; i++) {
            int first_error = out->text[i] == GS_OUT_ERROR && ts->errors == 0;
            if (first_error) {
                snprintf(ts->first_error, sizeof ts->first_error, "%s", sl->first_error);
                ts->first_error_seed = sl->first_error_seed;
            }
            if (gs__commit(ts, a->episodes, out->text[i])) st = gs_dataset_writer_copy_episode(w, p[pi].ds, episode, err, errlen);
            episode += out->text[i] == GS_OUT_KEPT;
        }
        if (!ts->done && out->n < sl->end_attempt - sl->first_attempt)
            return gs_fail(err, errlen, GS_ERR_USAGE, "%s stopped task %s at attempt %" PRIu64 " before it was done",
                           p[pi].path, sl->name, sl->first_attempt + out->n);
        at = sl->end_attempt;
    }
    return st;
}

/* The merged file, written under a temporary name. */
static gs_status write_merged(part *p, int n, const char *tmp, gs_record_result *r, char *err, size_t errlen) {
    static const char *const skip[] = {"shard", NULL};
    const gs_demos_record *a = &p[0].rec;
    gs_dataset_options dopt = gs_dataset_options_default();
    dopt.split = a->test_split ? "test" : "train";
    dopt.compression = a->compression;
    dopt.overwrite = 1;
    gs_dataset_writer *w;
    gs_status st = gs_dataset_create(tmp, &dopt, &w, err, errlen);
    if (st != GS_OK) return st;
    st = gs_dataset_writer_copy_attributes(w, p[0].ds, skip, err, errlen);
    char *strings = (char *)(r->tasks + a->ntasks_all);
    for (int t = 0; t < a->ntasks_all && st == GS_OK; t++) {
        gs_record_task *ts = &r->tasks[t];
        ts->path = strcpy(strings, a->tasks_all[t]);
        strings += strlen(strings) + 1;
        st = merge_task(p, n, t, ts, w, err, errlen);
        r->ntasks = t + 1;
        r->attempts += ts->attempts, r->successes += ts->successes, r->errors += ts->errors;
        ts->fell_short = ts->kept < a->episodes;
        r->short_tasks += ts->fell_short;
    }
    r->written = gs_dataset_writer_episodes(w);
    char why[512];
    gs_status closed = gs_dataset_writer_close(w, why, sizeof why);
    if (closed != GS_OK && st == GS_OK) st = gs_fail(err, errlen, closed, "%s", why);
    return st;
}

gs_status gs_demos_merge(const char *const *paths, int n, const char *out, int overwrite, gs_record_result *r,
                         char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    if (n < 1 || !out || !*out) return gs_fail(err, errlen, GS_ERR_USAGE, "merge: parts and a file to write");
    struct stat sb;
    if (!overwrite && stat(out, &sb) == 0)
        return gs_fail(err, errlen, GS_ERR_IO, "%s already exists (use --force to replace it)", out);
    part *p = calloc((size_t)n, sizeof *p);
    if (!p) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    gs_status st = open_parts(p, paths, n, err, errlen);
    if (st == GS_OK) st = check_parts(p, n, err, errlen);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.merging-%ld", out, (long)getpid());
    if (st == GS_OK) {
        const gs_demos_record *a = &p[0].rec;
        /* one block: the tasks, then their paths (gs_record_result_free frees both) */
        size_t strings = 0;
        for (int t = 0; t < a->ntasks_all; t++) strings += strlen(a->tasks_all[t]) + 1;
        r->tasks = calloc(1, (size_t)a->ntasks_all * sizeof *r->tasks + strings);
        r->requested = a->episodes * (uint64_t)a->ntasks_all;
        r->first_seed = gs_split_seed(a->seed, 0, a->test_split);
        r->shard = (gs_shard){0, 1};
        st = r->tasks ? write_merged(p, n, tmp, r, err, errlen) : gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
        if (st == GS_OK && rename(tmp, out) != 0) st = gs_fail(err, errlen, GS_ERR_IO, "cannot write %s", out);
        if (st != GS_OK) unlink(tmp);
        r->complete = st == GS_OK;
    }
    for (int i = 0; i < n; i++) {
        gs_dataset_close(p[i].ds);
        free(p[i].base);
        gs__demos_record_free(&p[i].rec);
    }
    free(p);
    if (st == GS_OK && stat(out, &sb) == 0) r->bytes = (double)sb.st_size;
    return st;
}

char *gs_demos_merge_json(const gs_record_result *r, const char *out) {
    gs_record_options o = gs_record_options_default();
    o.out = out;
    o.task_opt.test_split = r->first_seed >= GS_TEST_SEED_OFFSET;
    return gs_record_result_json(r, &o);
}
