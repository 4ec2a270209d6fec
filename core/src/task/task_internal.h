/* task/task_internal.h (internal): a loaded task, as the task module's
 * files (task.c, episode.c, the observers) share it. */
#ifndef GS_TASK_TASK_INTERNAL_H
#define GS_TASK_TASK_INTERNAL_H

#include "task/api_internal.h"
#include "task/plugin_internal.h"

struct gs_task {
    gs_task_options opt;
    gsl_sandbox *sb;
    gsl_host host;
    char *path;
    int snapshot_ref;        /* the snapshot's userdata (its callbacks), in the registry */
    gsl_task_snapshot snap;  /* what task{...} checked: the only view of the task the host has */
    const char *assets[GSL_TASK_ASSETS_MAX]; /* (snap.nassets) into snap.assets */
    uint64_t seed;           /* the live episode's seed */
    long steps0;             /* world steps when reset was done */
    gs_scene scene;
    int live;                /* scene holds an episode */
    gs_provenance prov;      /* the files it ran: itself, its modules, its kinds */
    gs__module_finder finder; /* what its require searches */
    int nterms;              /* the named terms the last reward returned (gs_task_reward_terms) */
    char term_names[GS_REWARD_TERMS_MAX][GS_REWARD_TERM_NAME_MAX];
    double term_values[GS_REWARD_TERMS_MAX];
};

#endif
