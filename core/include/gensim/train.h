/* train.h: training a policy on demonstrations, the whole run: what gensim
 * train does and what the Lua host's gensim.train{...} will do.
 *
 * A run opens the checkpoint (or starts a new policy), indexes the
 * demonstration files, takes optimiser steps until the policy has taken
 * `steps` in all, logs the losses every log_every steps, saves every
 * save_every steps and at the end, and writes the learning curves beside
 * the checkpoint after every log row: NAME.csv (step, samples, lr,
 * train_loss, val_loss, samples_per_s, then success_TASK per evaluated
 * task) and NAME.png, a plot of them, where NAME is the checkpoint's path
 * without its extension (gs_train_curves_paths). A resumed run keeps the
 * rows up to the checkpoint's step and goes on from there.
 *
 * Step k's batch and learning rate depend only on (seed, k, steps) and the
 * files, so a run stopped and resumed with the same options is byte for
 * byte the uninterrupted one, whatever the workers and threads.
 *
 * The library prints nothing: a caller watches through the progress
 * callback, which can also stop the run (the checkpoint is written first). */
#ifndef GENSIM_TRAIN_H
#define GENSIM_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/policy.h"
#include "gensim/status.h"
#include "gensim/task.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

#define GS_TRAIN_MAX_EVAL_TASKS 64

typedef struct gs_train_options {
    const char *const *paths;  /* (npaths) gensim demos files */
    int npaths;
    const char *out;           /* the checkpoint (safetensors) */
    int64_t steps;             /* train until the policy has taken this many steps in all */
    int batch;                 /* samples per step; 4 */
    double lr;                 /* Adam's peak rate, (0, 1]; 1e-3 */
    gs_lr_schedule schedule;   /* GS_LR_COSINE */
    int channels;              /* a new policy's width; 0: the default (16); a resumed
                                  policy must have this many when not 0 */
    int dilated;               /* a new policy's gs_policy_config.dilated; -1: the default;
                                  a resumed policy must match when not -1; -1 */
    int color_words;           /* the same for gs_policy_config.color_words; -1 */
    int rotate_features;       /* the same for gs_policy_config.rotate_features; -1 */
    uint64_t seed;             /* initial weights and batches; 0 */
    double val_fraction;       /* share of each task's episodes held out, [0, 0.9]; 0.1 */
    int64_t log_every;         /* a log row every this many steps; 100 */
    int64_t save_every;        /* a checkpoint every this many steps; 1000 */
    int resume;                /* 1: continue out when it exists (else it is refused); 0 */
    int augment;               /* random rotation and shift of the observations; 1 */
    int color_jitter;          /* 1: a random change of colour (gs_color_jitter) on every
                                  sample whose goal names no colour; 0 */
    int workers;               /* threads a batch is split over, 1..GS_POLICY_MAX_WORKERS;
                                  0: one per core (gs_train_default_workers); 0 */
    int threads;               /* OpenBLAS threads; 1 */
    size_t cache_bytes;        /* observations kept in memory once read; 2 GiB */
    /* Closed-loop evaluation every eval_every steps (0: none) and at the
     * last step: eval_episodes episodes of each task file from seed
     * eval_seed on, each as gensim eval runs it (gs_policy_play). An
     * episode that raises an error counts as a failure (result's
     * eval_errors). The success rates are columns of the curves. */
    const char *const *eval_tasks; /* (neval_tasks) task files, at most GS_TRAIN_MAX_EVAL_TASKS */
    int neval_tasks;
    int64_t eval_every;        /* 0 */
    int eval_episodes;         /* 10 */
    uint64_t eval_seed;        /* 1000000, as gensim eval */
    gs_task_options eval_options; /* the evaluated tasks' limits and split; the defaults */
    int curves;                /* 1: write the curves, NAME.csv and NAME.png; 1 */
} gs_train_options;

/* The defaults listed above; paths, out and steps must be filled in. */
GS_API gs_train_options gs_train_options_default(void);

/* The workers a run with workers 0 gets: the online cores, at most
 * GS_POLICY_MAX_WORKERS. They do not change the result (see
 * gs_policy_set_workers), only its speed. */
GS_API int gs_train_default_workers(void);

/* One row of the curves: a log point. */
typedef struct gs_train_row {
    int64_t step;              /* optimiser steps taken */
    int64_t samples;           /* samples trained on so far, over every run of this checkpoint */
    double lr;                 /* the last step's rate */
    double train_loss;         /* mean training loss since the last row */
    double val_loss;           /* mean loss on up to 64 held-out samples; NAN when none */
    double samples_per_s;      /* since the last row */
    double success[GS_TRAIN_MAX_EVAL_TASKS]; /* (neval) success rate per evaluated task;
                                                NAN where not evaluated at this row */
} gs_train_row;

typedef struct gs_train_result {
    int64_t first_step;        /* steps the policy had when the run began */
    int64_t steps;             /* steps it has now */
    int fresh;                 /* 1: a new policy (out did not exist) */
    size_t parameters;
    int channels, dilated, color_words, rotate_features; /* the policy's width and options */
    int workers;               /* the workers the run used */
    char **tasks;              /* (ntasks) the data's task names */
    int ntasks;
    int64_t train_samples, val_samples, train_episodes, val_episodes;
    double train_loss, val_loss; /* the last row's; NAN when no row was logged / none held out */
    double samples_per_s;      /* over the time spent on steps (data included) */
    double wall_s;
    int interrupted;           /* 1: the progress callback stopped the run */
    gs_train_row *log;         /* (nlog) this run's rows */
    int nlog;
    char **eval_names;         /* (neval) the evaluated tasks' names */
    int neval;
    int eval_errors;           /* evaluation episodes that raised an error */
    char eval_error[512];      /* the first one's message */
    char csv[4096], png[4096]; /* the curves' paths; "" without curves */
} gs_train_result;

/* Frees what a result holds (not r itself); a zeroed result is fine. */
GS_API void gs_train_result_free(gs_train_result *r);

typedef enum gs_train_event {
    GS_TRAIN_BEGIN,            /* the data and policy are ready; result's counts are set */
    GS_TRAIN_STEP,             /* a step was taken */
    GS_TRAIN_ROW,              /* a row was logged (row) */
    GS_TRAIN_EPISODE           /* an evaluation episode ended */
} gs_train_event;

typedef struct gs_train_progress {
    gs_train_event event;
    const gs_train_result *result; /* the run so far */
    int64_t step, total;       /* steps taken, the target */
    double samples_per_s;      /* this run's, over the time spent on steps */
    double elapsed_s;          /* since the run began */
    const gs_train_row *row;   /* GS_TRAIN_ROW: the row; else NULL */
    const char *task;          /* GS_TRAIN_EPISODE: its task's name */
    int episode, episodes;     /* GS_TRAIN_EPISODE: its number from 1, of how many */
    int success;               /* GS_TRAIN_EPISODE: 1 when it succeeded */
} gs_train_progress;

/* Called after every event; a non-zero return stops the run after the
 * step under way (the checkpoint is written and result->interrupted set). */
typedef int (*gs_train_progress_fn)(const gs_train_progress *p, void *ud);

/* The curves' paths for checkpoint out: out without its extension (from
 * the last '.' after the last '/'), plus ".csv" and ".png" (out plus them
 * when out ends in one of them); each len bytes. GS_ERR_USAGE when they do
 * not fit. */
GS_API gs_status gs_train_curves_paths(const char *out, char *csv, char *png, size_t len, char *err,
                                size_t errlen);

/* A whole run. *out is filled as far as the run got, also on failure
 * (free it with gs_train_result_free either way). Returns GS_ERR_USAGE for
 * bad options, a checkpoint that exists without resume or differs from
 * channels, and bad data (as gs_demos_open); GS_ERR_IO for an unreadable
 * checkpoint or a failed write; GS_ERR_RUNTIME when the loss stops being
 * finite; an evaluated task's status when it does not load. A failure
 * after some progress still writes the checkpoint. progress nullable. */
GS_API gs_status gs_train(const gs_train_options *o, gs_train_progress_fn progress, void *ud,
                   gs_train_result *out, char *err, size_t errlen);

/* {out, first_step, steps, batch, lr, schedule, seed, parameters, channels,
 * dilated, color_words, rotate_features, workers, threads, tasks, train_samples, val_samples,
 * train_loss, val_loss, samples_per_s, wall_s, interrupted, csv, png,
 * eval_errors, log: [{step, samples, train_loss, val_loss, lr,
 * samples_per_s, success: {TASK: rate}}]}: gensim train --json, malloc'd;
 * NULL when out of memory. */
GS_API char *gs_train_result_json(const gs_train_result *r, const gs_train_options *o);

GS_END_DECLS

#endif
