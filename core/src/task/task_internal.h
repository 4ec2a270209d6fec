/* task/task_internal.h (internal): a loaded task, as the task module's
 * files (task.c, episode.c, the observers) share it. */
#ifndef GS_TASK_TASK_INTERNAL_H
#define GS_TASK_TASK_INTERNAL_H

#include "task/api_internal.h"

struct gs_task {
    gs_task_options opt;
    gsl_sandbox *sb;
    gsl_host host;
    char *path;
    int table_ref;           /* the task table, in the registry */
    char name[64];
    char *description;
    int max_steps;
    int reset_line;          /* where reset, oracle and reward are defined, */
    int oracle_line;         /* for errors about what they made or returned */
    int reward_line;         /* (1 for a library function) */
    uint64_t seed;           /* the live episode's seed */
    long steps0;             /* world steps when reset was done */
    int has_oracle, has_reward, has_success;
    char *assets[32];
    int nassets;
    gs_scene scene;
    int live;                /* scene holds an episode */
};

#endif
