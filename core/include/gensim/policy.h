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
 * Network (core/src/policy/policy.c): three streams of the same shape, the
 * input 4 channels (colour (c / 255 - 0.5) * 4, height / 2 cm): two 3x3
 * stride-2 convolutions to quarter resolution, two residual blocks of two
 * 3x3 convolutions, each convolution followed by group norm (groups of 4
 * channels) whose scale and shift come from the goal (FiLM), then ReLU; a
 * 1x1 head. With dilated, the attention and key streams' four residual
 * convolutions take their taps 1, 2, 4 and 8 quarter-resolution cells
 * apart. With color_words the input has a fifth channel: 2 where a pixel
 * has a colour the goal's words name, falling to 0 40 sRGB steps away.
 * Attention: 16 logits per quarter cell, one per pixel (depth to space).
 * Key: channels / 2 features plus 16 sub-cell place logits. Query: run on
 * the crop around the pick turned to each rotation; its channels / 2
 * outputs (crop / 4 rounded up, odd, on a side) are the kernels correlated
 * with the key features. With rotate_features the query runs once on a
 * wider, unturned crop and its outputs are turned instead (bilinear, at
 * quarter resolution): one crop's convolutions instead of 36. A place
 * logit is its cell's correlation plus its sub-cell logit. Language: words
 * (runs of letters and digits, lowercased) hash (FNV-1a) into vocab
 * buckets of a 2 * channels embedding; the mean word vector maps linearly
 * to every FiLM site's scale and shift.
 *
 * Checkpoints are safetensors files (data little-endian, offsets from the
 * end of the header). Tensors: "lang.embedding" [vocab, 2 channels],
 * "lang.film.weight" [F, 2 channels], "lang.film.bias" [F] (F = 3 streams x
 * 6 sites x 2 channels), and for each stream S in attention, key, query:
 * "S.conv{0..5}.weight" [channels, in, 3, 3], "S.head.weight" [out,
 * channels, 1, 1], "S.head.bias" [out]; each again as "adam.m.<name>" and
 * "adam.v.<name>" (Adam's moments). __metadata__ (all strings): arch
 * (GS_POLICY_ARCH; GS_POLICY_ARCH_2, which older builds refuse, when an
 * option is set, with the options dilated and color_words, "0" or "1";
 * GS_POLICY_ARCH_3 with rotate_features set, carrying all three),
 * rows, cols, rotations, crop, channels, vocab, pixel,
 * x_min .. z_max (the bounds), step and adam_t, and push_goals (the push
 * goals' FNV-1a hashes of their words less colour words, space separated
 * (gs_policy_learn_goal; older checkpoints hashed the whole sentence, and
 * both are recognised), 16 hex digits each, comma separated; absent when
 * there are none) and lift_goals (HASH:LIFT: a lift goal's hash, a colon
 * and its lift in metres, comma separated; absent when there are none).
 *
 * A policy is not thread-safe: training and acting use its own scratch. */
#ifndef GENSIM_POLICY_H
#define GENSIM_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/status.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

#define GS_POLICY_ARCH "gensim-transporter-1"
#define GS_POLICY_ARCH_2 "gensim-transporter-2" /* with dilated or color_words set */
#define GS_POLICY_ARCH_3 "gensim-transporter-3" /* with rotate_features set */

typedef struct gs_policy_config {
    int rows, cols;       /* observation size (320 x 160 for the default view: rows follow y) */
    int rotations;        /* yaw bins of the transport stream (36) */
    int crop;             /* side of the square crop around the pick, pixels (8 m + 1: 57) */
    int channels;         /* base feature width, a multiple of 4 (16) */
    int vocab;            /* hashed word buckets of the language embedding (1024) */
    int dilated;          /* 1: the attention and key streams' residual convolutions take
                             taps 1, 2, 4 and 8 cells apart, so each pixel sees some 40 cm
                             of the scene instead of 12 cm; 0: all adjacent (0) */
    int color_words;      /* 1: a fifth input channel marks the pixels whose colour a word
                             of the goal names (by the colour table, gs_color_find), so
                             colour words are grounded in the picture even when training
                             never saw them (0) */
    int rotate_features;  /* 1: the query stream runs once, over a crop wide enough to turn
                             (8 ceil(m sqrt 2) + 1 pixels for a crop of 8 m + 1), and its
                             quarter-resolution features are turned to each rotation;
                             0: it runs on the crop turned to each rotation (0) */
    double pixel;         /* metres per pixel of the view (checked against datasets) */
    double bounds[3][2];  /* the view's x, y, z ranges, metres */
} gs_policy_config;

/* The default view and architecture. */
GS_API gs_policy_config gs_policy_config_default(void);

typedef struct gs_policy gs_policy;

/* A freshly initialised policy (weights from seed). GS_ERR_USAGE on a bad config. */
GS_API gs_status gs_policy_new(const gs_policy_config *cfg, uint64_t seed, gs_policy **out, char *err,
                        size_t errlen);
/* Frees a policy and all its buffers; NULL is fine. */
GS_API void gs_policy_free(gs_policy *p);
/* The configuration the policy was built with (or loaded under). */
GS_API const gs_policy_config *gs_policy_get_config(const gs_policy *p);
/* Optimiser steps taken so far (saved and restored with checkpoints). */
GS_API int64_t gs_policy_steps(const gs_policy *p);
/* Number of learned parameters. */
GS_API size_t gs_policy_parameters(const gs_policy *p);
/* Threads OpenBLAS may use for every policy in the process (1 for
 * benchmarks and reproducible runs; < 1 reads as 1). */
GS_API void gs_policy_set_threads(int threads);
#define GS_POLICY_MAX_WORKERS 8
#define GS_POLICY_MAX_PUSH_GOALS 64
/* Training and loss passes split each batch over this many threads, each
 * with its own buffers (about 130 MB for the default config), so a batch of
 * 2 or more uses 2 cores fully; pair it with gs_policy_set_threads(1).
 * Each sample's gradient and loss are computed alone and summed in sample
 * order, so results are bit for bit the same for any worker count.
 * Default 1; GS_ERR_USAGE outside 1..GS_POLICY_MAX_WORKERS, GS_ERR_NOMEM. */
GS_API gs_status gs_policy_set_workers(gs_policy *p, int workers, char *err, size_t errlen);

/* One demonstration step: the observation before the action and the
 * expert's action in pixels of that observation. */
typedef struct gs_policy_sample {
    const float *heightmap;   /* rows x cols, metres above the table */
    const uint8_t *color;     /* rows x cols x 3 */
    const char *lang;         /* the stage's language goal (nullable: no words) */
    int pick_row, pick_col;
    int place_row, place_col;
    int rotation;             /* yaw bin in [0, rotations) */
    int push;                 /* 1: a spatula push from the pick pixel to the place pixel
                                 (rotation 0), learned like a pick and place; training
                                 also remembers its language as a push goal */
    double lift;              /* the expert's clearance above pick and place (gs_action.lift),
                                 m; 0: the robot's hover. Training remembers a goal's
                                 first non-zero lift and acts with it (a lift goal) */
} gs_policy_sample;

/* Remembers s's goal as a push goal (s->push) or a lift goal (a first
 * non-zero s->lift), as a training step does; a goal is known by its words
 * less those that name a colour, so a goal learned with the training
 * colours is the same goal with any others. Returns 1 when the goal is
 * new, 0 when it was known, is neither, or the GS_POLICY_MAX_PUSH_GOALS
 * of its kind are taken. */
GS_API int gs_policy_learn_goal(gs_policy *p, const gs_policy_sample *s);

/* One Adam step on the summed pick and place cross-entropies of a batch;
 * *loss (nullable) is their mean over the batch. The language of every push
 * sample becomes a push goal (at most GS_POLICY_MAX_PUSH_GOALS, kept in the
 * checkpoint). GS_ERR_USAGE for a bad
 * sample (naming it), GS_ERR_RUNTIME (and no step) if the loss is not
 * finite. */
GS_API gs_status gs_policy_train_step(gs_policy *p, const gs_policy_sample *batch, int n, float lr,
                               double *loss, char *err, size_t errlen);
/* Learning-rate schedules over a run of `total` optimiser steps. */
typedef enum gs_lr_schedule {
    GS_LR_CONSTANT,           /* lr throughout */
    GS_LR_COSINE              /* lr * (1 + cos(pi * step / total)) / 2: lr at step 0,
                                 lr / 2 half way, 0 at the end */
} gs_lr_schedule;

/* The rate for optimiser step `step` (0-based) of `total`; a function of
 * its arguments alone, so a resumed run with the same total continues the
 * same schedule. Steps at or past the end get the final rate. */
GS_API double gs_policy_lr(gs_lr_schedule schedule, double lr, int64_t step, int64_t total);

/* The same loss, without changing anything (validation). */
GS_API gs_status gs_policy_loss(gs_policy *p, const gs_policy_sample *batch, int n, double *loss,
                         char *err, size_t errlen);

/* What the policy would do. */
typedef struct gs_policy_decision {
    int pick_row, pick_col;
    int place_row, place_col;
    int rotation;             /* yaw bin */
    float pick_p, place_p;    /* the chosen entries' probabilities */
    int push;                 /* 1: push from the pick pixel to the place pixel: the goal
                                 is one the policy learned from pushes */
    double lift;              /* the clearance to move at: the goal's lift when it is a
                                 lift goal, else 0 (the robot's hover) */
} gs_policy_decision;

/* The arg-max pick, then the arg-max place and rotation for that pick; a
 * push when lang is a push goal, at the goal's lift when it is a lift goal
 * (gs_policy_train_step). */
GS_API gs_status gs_policy_act(gs_policy *p, const float *heightmap, const uint8_t *color,
                        const char *lang, gs_policy_decision *out, char *err, size_t errlen);

/* 1 when a word of lang (words as the policy reads them: runs of letters
 * and digits, lowercased) names a colour of the colour table
 * (gs_color_find); such a goal is grounded in the scene's colours, which
 * colour jitter must then leave alone. */
GS_API int gs_policy_lang_names_color(const char *lang);

/* Writes a checkpoint atomically (temporary file, then rename). */
GS_API gs_status gs_policy_save(const gs_policy *p, const char *path, char *err, size_t errlen);
/* Reads a checkpoint; GS_ERR_IO when unreadable, truncated or malformed (a
 * missing tensor, a wrong shape or dtype, offsets out of bounds or
 * overlapping: the message names it), GS_ERR_USAGE (naming what differs)
 * when it holds another architecture. */
GS_API gs_status gs_policy_load(const char *path, gs_policy **out, char *err, size_t errlen);

GS_END_DECLS

#endif
