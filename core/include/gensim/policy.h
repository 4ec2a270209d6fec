/* policy.h: a Transporter network for top-down pick and place.
 *
 * Input: one observation of the view the demonstrations were recorded over
 * (rows x cols heightmap in metres and sRGB colour) and the language goal of
 * the current stage. Output: a pick pixel (attention stream) and a place
 * pixel with one of `rotations` yaw bins (transport stream: features of a
 * crop around the pick, rotated, cross-correlated with the scene's). The
 * goal's words condition every feature map per channel, so one checkpoint
 * serves many tasks.
 *
 * Pixels are (row, col) as in gsr_view: rows follow y, columns follow x.
 * Rotation bin r means a yaw of r * 2 pi / rotations applied to the picked
 * object between pick and place (counter-clockwise seen from above).
 *
 * Checkpoints are safetensors files: every parameter and Adam moment as an
 * F32 tensor under a documented name, the configuration and the step in the
 * header's __metadata__. */
#ifndef GENSIM_POLICY_H
#define GENSIM_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/status.h"

#define GS_POLICY_ARCH "gensim-transporter-1"

typedef struct gs_policy_config {
    int rows, cols;       /* observation size (320 x 160 for the default view: rows follow y) */
    int rotations;        /* yaw bins of the transport stream (36) */
    int crop;             /* side of the square crop around the pick, pixels (8 m + 1: 57) */
    int channels;         /* base feature width */
    int vocab;            /* hashed word buckets of the language embedding */
    double pixel;         /* metres per pixel of the view (checked against datasets) */
    double bounds[3][2];  /* the view's x, y, z ranges, metres */
} gs_policy_config;

/* The default view and architecture. */
gs_policy_config gs_policy_config_default(void);

typedef struct gs_policy gs_policy;

/* A freshly initialised policy (weights from seed). GS_ERR_USAGE on a bad config. */
gs_status gs_policy_new(const gs_policy_config *cfg, uint64_t seed, gs_policy **out, char *err,
                        size_t errlen);
void gs_policy_free(gs_policy *p);
const gs_policy_config *gs_policy_get_config(const gs_policy *p);
/* Optimiser steps taken so far (saved and restored with checkpoints). */
int64_t gs_policy_steps(const gs_policy *p);
/* Number of learned parameters. */
size_t gs_policy_parameters(const gs_policy *p);
/* Threads OpenBLAS may use for every policy in the process (1 for
 * benchmarks and reproducible runs; < 1 reads as 1). */
void gs_policy_set_threads(int threads);

/* One demonstration step: the observation before the action and the
 * expert's action in pixels of that observation. */
typedef struct gs_policy_sample {
    const float *heightmap;   /* rows x cols, metres above the table */
    const uint8_t *color;     /* rows x cols x 3 */
    const char *lang;         /* the stage's language goal */
    int pick_row, pick_col;
    int place_row, place_col;
    int rotation;             /* yaw bin in [0, rotations) */
} gs_policy_sample;

/* One Adam step on the summed pick and place cross-entropies of a batch;
 * *loss (nullable) is their mean over the batch. */
gs_status gs_policy_train_step(gs_policy *p, const gs_policy_sample *batch, int n, float lr,
                               double *loss, char *err, size_t errlen);
/* The same loss, without changing anything (validation). */
gs_status gs_policy_loss(gs_policy *p, const gs_policy_sample *batch, int n, double *loss,
                         char *err, size_t errlen);

/* What the policy would do. */
typedef struct gs_policy_decision {
    int pick_row, pick_col;
    int place_row, place_col;
    int rotation;             /* yaw bin */
    float pick_p, place_p;    /* the chosen entries' probabilities */
} gs_policy_decision;

/* The arg-max pick, then the arg-max place and rotation for that pick. */
gs_status gs_policy_act(gs_policy *p, const float *heightmap, const uint8_t *color,
                        const char *lang, gs_policy_decision *out, char *err, size_t errlen);

/* Writes a checkpoint atomically (temporary file, then rename). */
gs_status gs_policy_save(const gs_policy *p, const char *path, char *err, size_t errlen);
/* Reads a checkpoint; GS_ERR_IO when unreadable, truncated or malformed (a
 * missing tensor, a wrong shape or dtype, offsets out of bounds or
 * overlapping: the message names it), GS_ERR_USAGE (naming what differs)
 * when it holds another architecture. */
gs_status gs_policy_load(const char *path, gs_policy **out, char *err, size_t errlen);

#endif
