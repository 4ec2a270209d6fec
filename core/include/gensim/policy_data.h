/* policy_data.h: demonstrations as training samples for the policy, their
 * augmentation, and the policy acting in a task's scene.
 *
 * Samples come from gensim demos files (dataset.h): every pick-and-place
 * step whose pick and place pixels lie in the view gives one sample, the
 * observation before the action with the action in pixels and the yaw the
 * robot turns the object by (place yaw - pick yaw, exactly what
 * gs_robot_pick_place executes) binned into the policy's rotations. A push
 * gives a sample too: its start and end pixels as pick and place, rotation
 * 0, marked push (as in Ravens, where the spatula's start and end are the
 * Transporter's pick and place).
 *
 * Batches are drawn uniformly over tasks (by task name, whatever file holds
 * them), then uniformly over that task's steps, so a multitask run is not
 * dominated by the task with the longest episodes. The last val_fraction of
 * each task's episodes (in file order) are held out for validation; their
 * samples are ordered task by task in turn, so any prefix covers every task. */
#ifndef GENSIM_POLICY_DATA_H
#define GENSIM_POLICY_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/math.h"
#include "gensim/policy.h"
#include "gensim/render.h"
#include "gensim/status.h"
#include "gensim/episode.h"
#include "gensim/task.h"
#include "gensim/workflow.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

/* The view a policy configuration observes (its bounds and pixel size). */
GS_API gsr_view gs_policy_view(const gs_policy_config *cfg);

/* The yaw bin (of rotations) of the turn between a pick and a place yaw,
 * radians, counter-clockwise seen from above. */
GS_API int gs_policy_rotation_bin(double pick_yaw, double place_yaw, int rotations);

/* ---- demonstrations ---- */

typedef struct gs_demos_options {
    double val_fraction;      /* share of each task's episodes held out, [0, 0.9]; 0.1 */
    size_t cache_bytes;       /* observations kept in memory once read; 2 GiB */
} gs_demos_options;

/* val_fraction 0.1, cache 2 GiB. */
GS_API gs_demos_options gs_demos_options_default(void);

typedef struct gs_demos gs_demos;

/* Which samples: the training or the held-out episodes. */
enum { GS_DEMOS_TRAIN = 0, GS_DEMOS_VAL = 1 };

/* Opens npaths demonstration files and indexes their usable steps. Every
 * file must match cfg's view (pixel size, bounds, image size): another one
 * is GS_ERR_USAGE naming both; an unreadable or malformed file is the
 * reader's error. No usable step at all is GS_ERR_USAGE. */
GS_API gs_status gs_demos_open(const char *const *paths, int npaths, const gs_policy_config *cfg,
                        const gs_demos_options *opt, gs_demos **out, char *err, size_t errlen);
/* Closes the files and frees d (nullable). */
GS_API void gs_demos_close(gs_demos *d);
/* Samples in a split. */
GS_API int64_t gs_demos_count(const gs_demos *d, int split);
/* Distinct tasks, and the name of task i. */
GS_API int gs_demos_tasks(const gs_demos *d);
GS_API const char *gs_demos_task_name(const gs_demos *d, int i);
/* Episodes in a split. */
GS_API int64_t gs_demos_episodes(const gs_demos *d, int split);

/* A batch of samples and the images they point into. */
typedef struct gs_demos_batch {
    gs_policy_sample *samples; /* (cap) */
    float *heightmap;          /* (cap x rows x cols) */
    uint8_t *color;            /* (cap x rows x cols x 3) */
    int n, cap;
} gs_demos_batch;

/* Room for cap samples of d's image size. */
GS_API gs_status gs_demos_batch_init(gs_demos_batch *b, const gs_demos *d, int cap, char *err,
                              size_t errlen);
GS_API void gs_demos_batch_free(gs_demos_batch *b);

/* What gs_demos_train_batch's augment may set (or 0 for none). */
#define GS_AUGMENT_GEOMETRY 1  /* a random turn and shift (gs_augment_sample) */
#define GS_AUGMENT_COLOR 2     /* a random change of every colour (gs_color_jitter), on
                                  samples whose goal names no colour */

/* Fills b with n random training samples (n <= b->cap), augmented as the
 * GS_AUGMENT_* bits of augment say (1 is the geometry alone). The draw
 * depends only on (seed, step, augment), so a resumed run continues the
 * same sequence of batches. */
GS_API gs_status gs_demos_train_batch(gs_demos *d, uint64_t seed, int64_t step, int n, int augment,
                               gs_demos_batch *b, char *err, size_t errlen);
/* Makes every push and lift goal of d's steps (both splits) a goal of p
 * (gs_policy_learn_goal), in the files' order, so a goal is known however
 * rarely its steps are drawn. Returns how many were new. */
GS_API int gs_demos_learn_goals(const gs_demos *d, gs_policy *p);
/* Fills b with validation samples first .. first + n - 1 (in order, not
 * augmented; n <= b->cap and within the split). */
GS_API gs_status gs_demos_val_batch(gs_demos *d, int64_t first, int n, gs_demos_batch *b, char *err,
                             size_t errlen);

/* ---- augmentation ---- */

/* A rigid transform of the image plane: a turn by angle (radians, from
 * columns towards rows, i.e. counter-clockwise from above) about the image
 * centre, then a shift of (drow, dcol) pixels. */
typedef struct gs_augment {
    double angle, drow, dcol;
} gs_augment;

/* Where pixel (row, col) lands under a; 0 when it leaves the rows x cols image. */
GS_API int gs_augment_pixel(const gs_augment *a, int rows, int cols, int row, int col, int *out_row,
                     int *out_col);
/* Draws a transform (any angle, shifts up to a quarter of each side) that
 * keeps s's pick and place pixels in the image, then writes the transformed
 * images (nearest neighbour; what comes from outside is empty table:
 * height 0, colour 0) to heightmap (rows x cols) and color (rows x cols x 3)
 * and the moved sample, pointing at them, to *out. The rotation label is
 * kept: turning the whole scene does not change how far the object turns.
 * After 32 draws that lose a pixel, the identity. Returns the transform. */
GS_API gs_augment gs_augment_sample(const gs_policy_sample *s, int rows, int cols, gsu_rng *rng,
                             float *heightmap, uint8_t *color, gs_policy_sample *out);
/* Applies a to the images only (each rows x cols [x 3], out distinct from in). */
GS_API void gs_augment_images(const gs_augment *a, int rows, int cols, const float *heightmap,
                       const uint8_t *color, float *out_heightmap, uint8_t *out_color);

/* A change of every colour of an image: a turn of hue by hue radians
 * (about the grey axis of sRGB), chroma scaled by saturation, then all
 * three channels by value. Greys stay grey (the table, the stand, the
 * black outside the view), and every two pixels of one colour stay one
 * colour: relations between the scene's colours survive, their names do
 * not. */
typedef struct gs_color_jitter {
    double hue, saturation, value;
} gs_color_jitter;

/* Draws a jitter: any hue, saturation in [0.4, 1.4], value in [0.75, 1.3]. */
GS_API gs_color_jitter gs_color_jitter_draw(gsu_rng *rng);
/* Applies j to n sRGB pixels in place (rounded, clamped to 0..255). */
GS_API void gs_color_jitter_apply(const gs_color_jitter *j, uint8_t *color, size_t n);

/* ---- acting ---- */

/* The pick-and-place a decision stands for, in the form the oracle gives
 * the robot: pick at the pick pixel's centre, at the height the heightmap
 * (rows x cols, the observation decided on) shows there, yaw 0; place at
 * the place pixel's centre, as high as the highest surface within 2 cm of
 * it plus the picked point's height (the robot descends from there until
 * the object touches), yaw the rotation bin's angle, which the robot turns
 * the object by. A push decision is a push instead, from the pick pixel's
 * centre to the place pixel's, the spatula's edge 8 mm above the table (as
 * the seed tasks' sweeps). */
GS_API void gs_policy_action(const gs_policy_config *cfg, const float *heightmap,
                      const gs_policy_decision *d, gs_action *a);

/* A trained policy as an actor of the episode runner (episode.h). Before
 * each action it observes what the recorder stores there (the default
 * view's heightmap and colour, the stage's language goal), so it acts on
 * what it was trained on. */
typedef struct gs_policy_actor {
    gs_policy *policy;        /* not owned */
    gsr_view view;
    float *heightmap;         /* (rows x cols) scratch */
    uint8_t *color;           /* (rows x cols x 3) scratch */
} gs_policy_actor;

/* Readies a for policy p; a configuration whose view differs from the
 * default recording view is GS_ERR_USAGE. */
GS_API gs_status gs_policy_actor_init(gs_policy_actor *a, gs_policy *p, char *err, size_t errlen);
/* The actor to hand to gs_episode_run; a must outlive the episode. */
GS_API gs_actor gs_policy_actor_get(gs_policy_actor *a);
/* Frees a's scratch (a may be zeroed memory). */
GS_API void gs_policy_actor_free(gs_policy_actor *a);

/* ---- evaluation (gensim eval) ---- */

typedef struct gs_eval_options {
    gs_policy *policy;        /* not owned; nullable when actor is set */
    const gs_actor *actor;    /* nullable: acts instead of the policy (a learned skill) */
    const char *policy_path;  /* for the report; nullable */
    const char *const *tasks; /* (ntasks) files or task names */
    int ntasks;
    uint64_t episodes;        /* per task, 1..1000000; 10 */
    uint64_t seed;            /* episode e uses gs_split_seed(seed, e, split); 1000000 */
    gs_task_options task_opt; /* limits, split, log */
    const char *render;       /* nullable: pictures of every episode go there */
    gs_scale scale;           /* workers (the policy forked into each); the shard's part of
                               * tasks x episodes (gs_shard_plan) */
    /* After each episode (nullable), in order: progress. */
    void (*on_episode)(void *ud, const char *task, uint64_t e, const gs_episode_result *r,
                       uint64_t successes);
    void *ud;
} gs_eval_options;

typedef struct gs_eval_task {
    char name[GS_TASK_NAME_MAX + 1];
    const char *path;
    uint64_t first_seed;      /* its first episode's seed (a shard may start later) */
    uint64_t episodes, successes;
    double mean_reward, wall_s;
} gs_eval_task;

typedef struct gs_eval_result {
    gs_eval_task *tasks;      /* (ntasks) */
    int ntasks;
    uint64_t episodes, successes;
    double mean_reward, wall_s;
    uint64_t first_seed;
    int64_t policy_steps;
    gs_shard shard;           /* the part run ({0, 1}: all) */
} gs_eval_result;

GS_API gs_eval_options gs_eval_options_default(void);
/* Loads every task first (a bad one costs nothing), then runs the policy
 * in closed loop on each (on a shard: on the tasks and episodes of its
 * part, which alone are in r->tasks). GS_ERR_IO: a task cannot be read; another
 * failure is a task's. Free r with gs_eval_result_free. */
GS_API gs_status gs_eval(const gs_eval_options *o, gs_eval_result *r, char *err, size_t errlen);
GS_API void gs_eval_result_free(gs_eval_result *r);
/* The --json object of gensim eval, malloc'd; NULL when out of memory. */
GS_API char *gs_eval_result_json(const gs_eval_result *r, const gs_eval_options *o);

GS_END_DECLS

#endif
