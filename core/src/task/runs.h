/* task/runs.h (internal): episodes of one or more tasks across worker
 * processes, tallied in the order one process would (run.c); gs_run and
 * gs_eval are its callers. */
#ifndef GS_TASK_RUNS_H
#define GS_TASK_RUNS_H

#include "gensim/workflow.h"

/* One task's episodes. */
typedef struct gs_run_part {
    const char *task;         /* a file or a task name */
    uint64_t seed;            /* episode k resets with seed + k */
    uint64_t first, end;      /* episodes first .. end - 1 */
    /* After each episode, in order (nullable). */
    void (*on_episode)(void *ud, uint64_t k, const gs_episode_result *r, const gs_pictures *pics,
                       double seconds);
    void *ud;
    gs_run_result r;          /* out: its totals and name (mean_reward, wall_s filled at the end) */
    double reward;            /* out: the sum of its rewards */
    int ran;                  /* out: 1 once its task loaded */
} gs_run_part;

/* Runs every part's episodes, in up to scale->jobs workers (in this
 * process when to->in_process or already in a worker), tallying each
 * episode in part order then episode order: the results, and the first
 * failure and what came before it, are those of one process. */
gs_status gs__run_parts(gs_run_part *parts, int nparts, const gs_task_options *to, gs_actor actor,
                        const char *render, const gs_scale *scale, char *err, size_t errlen);

#endif
