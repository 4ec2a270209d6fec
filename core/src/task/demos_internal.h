/* task/demos_internal.h (internal): what gs_record (demos.c), its workers
 * (demos_run.c), its state and records (demos_state.c) and the merge of
 * shards (demos_merge.c) share.
 *
 * A recording is a list of tasks, each with attempts 0 .. max_attempts - 1
 * (attempt k resets with gs_split_seed(seed, k, split)). A part (the whole
 * run, or a shard) makes, per task, the attempts of one range; an attempt's
 * outcome is one letter, and outcomes are committed in attempt order by
 * one rule (gs__commit), in the recorder, on resume and in the merge. */
#ifndef GS_TASK_DEMOS_INTERNAL_H
#define GS_TASK_DEMOS_INTERNAL_H

#include "gensim/dataset.h"
#include "gensim/workflow.h"

/* What an attempt came to. */
enum {
    GS_OUT_KEPT = 'K',    /* a success with actions: recorded */
    GS_OUT_ZERO = 'Z',    /* a success with no action: teaches nothing, skipped */
    GS_OUT_FAIL = 'F',    /* ran, not a success */
    GS_OUT_ERROR = 'E'    /* raised an error (no room, a limit): a failed attempt */
};

/* A task whose first attempts all raise errors is given up. */
#define GS_GIVE_UP_ERRORS 10

/* Commits the next outcome of ts (its counts, done) for a run keeping
 * `episodes` per task; the one rule of which attempts are kept. Returns 1
 * when the attempt's episode is kept. */
int gs__commit(gs_record_task *ts, uint64_t episodes, char outcome);

/* The outcomes of a part's task, committed so far: one letter each. */
typedef struct gs_outcomes {
    char *text;
    size_t n, cap;
} gs_outcomes;
/* 0 when out of memory. */
int gs__outcomes_add(gs_outcomes *o, char outcome);
void gs__outcomes_free(gs_outcomes *o);

/* A run's plan and progress: the state file while it runs, a shard's
 * "shard" attribute once complete. */
typedef struct gs_demos_record {
    int ntasks_all;           /* tasks of the whole run */
    char **tasks_all;         /* (ntasks_all) as given */
    uint64_t episodes, seed, max_attempts;
    int test_split, compression;
    gs_shard shard;
    int nslices;
    int *task;                /* (nslices) index into tasks_all */
    gs_record_task *slices;   /* (nslices) names, ranges, counts, first errors */
    gs_outcomes *outcomes;    /* (nslices) */
    int64_t written;          /* episodes in the file when it was written */
} gs_demos_record;

/* The record as JSON text (malloc'd; NULL when out of memory). */
char *gs__demos_record_json(const gs_demos_record *rec);
/* Parses a record (from path, for messages) into rec, replaying every
 * outcome through gs__commit; GS_ERR_USAGE when it is not one. */
gs_status gs__demos_record_parse(const char *text, const char *path, gs_demos_record *rec, char *err, size_t errlen);
void gs__demos_record_free(gs_demos_record *rec);

/* The recorder's engine (demos_run.c): records the slices of r (their
 * ranges and, when resumed, their committed outcomes filled in) into w,
 * in up to o->scale.jobs workers. After each episode it keeps, and when it
 * ends, save(ud) is called to write the state. */
typedef struct gs_demos_run {
    const gs_record_options *o;
    gs_record_result *r;
    gs_outcomes *outcomes;    /* (r->ntasks) */
    gs_dataset_writer *w;
    gs_status (*save)(void *ud, char *err, size_t errlen);
    void *ud;
} gs_demos_run;
gs_status gs__demos_record_slices(gs_demos_run *run, char *err, size_t errlen);

#endif
