/* train.h: training a policy on demonstrations, the whole run: what gensim
 * train does and what the Lua host's gensim.train{...} will do.
 *
 * A run opens the checkpoint (or starts a new policy), indexes the
 * demonstration files, takes optimiser steps until the policy has taken
 * `steps` in all, logs the losses every log_every steps, saves every
 * save_every steps and at the end.
 *
 * Step k's batch and learning rate depend only on (seed, k, steps) and the
 * files, so a run stopped and resumed with the same options is byte for
 * byte the uninterrupted one.
 *
 * The library prints nothing: a caller watches through the progress
 * callback, which can also stop the run (the checkpoint is written first). */
#ifndef GENSIM_TRAIN_H
#define GENSIM_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/policy.h"
#include "gensim/status.h"

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
    uint64_t seed;             /* initial weights and batches; 0 */
    double val_fraction;       /* share of each task's episodes held out, [0, 0.9]; 0.1 */
    int64_t log_every;         /* a log row every this many steps; 100 */
    int64_t save_every;        /* a checkpoint every this many steps; 1000 */
    int resume;                /* 1: continue out when it exists (else it is refused); 0 */
    int augment;               /* random rotation and shift of the observations; 1 */
    int workers;               /* threads a batch is split over, 1..GS_POLICY_MAX_WORKERS; 1 */
    int threads;               /* OpenBLAS threads; 1 */
    size_t cache_bytes;        /* observations kept in memory once read; 2 GiB */
} gs_train_options;

/* The defaults listed above; paths, out and steps must be filled in. */
gs_train_options gs_train_options_default(void);

/* One row of the curves: a log point. */
typedef struct gs_train_row {
    int64_t step;              /* optimiser steps taken */
    int64_t samples;           /* samples trained on so far, over every run of this checkpoint */
    double lr;                 /* the last step's rate */
    double train_loss;         /* mean training loss since the last row */
    double val_loss;           /* mean loss on up to 64 held-out samples; NAN when none */
    double samples_per_s;      /* since the last row */
} gs_train_row;

typedef struct gs_train_result {
    int64_t first_step;        /* steps the policy had when the run began */
    int64_t steps;             /* steps it has now */
    int fresh;                 /* 1: a new policy (out did not exist) */
    size_t parameters;
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
} gs_train_result;

/* Frees what a result holds (not r itself); a zeroed result is fine. */
void gs_train_result_free(gs_train_result *r);

typedef enum gs_train_event {
    GS_TRAIN_BEGIN,            /* the data and policy are ready; result's counts are set */
    GS_TRAIN_STEP,             /* a step was taken */
    GS_TRAIN_ROW               /* a row was logged (row) */
} gs_train_event;

typedef struct gs_train_progress {
    gs_train_event event;
    const gs_train_result *result; /* the run so far */
    int64_t step, total;       /* steps taken, the target */
    double samples_per_s;      /* this run's, over the time spent on steps */
    double elapsed_s;          /* since the run began */
    const gs_train_row *row;   /* GS_TRAIN_ROW: the row; else NULL */
} gs_train_progress;

/* Called after every event; a non-zero return stops the run after the
 * step under way (the checkpoint is written and result->interrupted set). */
typedef int (*gs_train_progress_fn)(const gs_train_progress *p, void *ud);

/* A whole run. *out is filled as far as the run got, also on failure
 * (free it with gs_train_result_free either way). Returns GS_ERR_USAGE for
 * bad options, a checkpoint that exists without resume or differs from
 * channels, and bad data (as gs_demos_open); GS_ERR_IO for an unreadable
 * checkpoint or a failed write; GS_ERR_RUNTIME when the loss stops being
 * finite. A failure after
 * some progress still writes the checkpoint. progress nullable. */
gs_status gs_train(const gs_train_options *o, gs_train_progress_fn progress, void *ud,
                   gs_train_result *out, char *err, size_t errlen);

#endif
