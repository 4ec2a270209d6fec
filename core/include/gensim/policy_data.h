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
#include "gensim/task.h"

/* The view a policy configuration observes (its bounds and pixel size). */
gsr_view gs_policy_view(const gs_policy_config *cfg);

/* The yaw bin (of rotations) of the turn between a pick and a place yaw,
 * radians, counter-clockwise seen from above. */
int gs_policy_rotation_bin(double pick_yaw, double place_yaw, int rotations);

/* ---- demonstrations ---- */

typedef struct gs_demos_options {
    double val_fraction;      /* share of each task's episodes held out, [0, 0.9]; 0.1 */
    size_t cache_bytes;       /* observations kept in memory once read; 2 GiB */
} gs_demos_options;

/* val_fraction 0.1, cache 2 GiB. */
gs_demos_options gs_demos_options_default(void);

typedef struct gs_demos gs_demos;

/* Which samples: the training or the held-out episodes. */
enum { GS_DEMOS_TRAIN = 0, GS_DEMOS_VAL = 1 };

/* Opens npaths demonstration files and indexes their usable steps. Every
 * file must match cfg's view (pixel size, bounds, image size): another one
 * is GS_ERR_USAGE naming both; an unreadable or malformed file is the
 * reader's error. No usable step at all is GS_ERR_USAGE. */
gs_status gs_demos_open(const char *const *paths, int npaths, const gs_policy_config *cfg,
                        const gs_demos_options *opt, gs_demos **out, char *err, size_t errlen);
/* Closes the files and frees d (nullable). */
void gs_demos_close(gs_demos *d);
/* Samples in a split. */
int64_t gs_demos_count(const gs_demos *d, int split);
/* Distinct tasks, and the name of task i. */
int gs_demos_tasks(const gs_demos *d);
const char *gs_demos_task_name(const gs_demos *d, int i);
/* Episodes in a split. */
int64_t gs_demos_episodes(const gs_demos *d, int split);

/* A batch of samples and the images they point into. */
typedef struct gs_demos_batch {
    gs_policy_sample *samples; /* (cap) */
    float *heightmap;          /* (cap x rows x cols) */
    uint8_t *color;            /* (cap x rows x cols x 3) */
    int n, cap;
} gs_demos_batch;

/* Room for cap samples of d's image size. */
gs_status gs_demos_batch_init(gs_demos_batch *b, const gs_demos *d, int cap, char *err,
                              size_t errlen);
void gs_demos_batch_free(gs_demos_batch *b);

/* Fills b with n random training samples (n <= b->cap), augmented when
 * augment is 1. The draw depends only on (seed, step), so a resumed run
 * continues the same sequence of batches. */
gs_status gs_demos_train_batch(gs_demos *d, uint64_t seed, int64_t step, int n, int augment,
                               gs_demos_batch *b, char *err, size_t errlen);
/* Fills b with validation samples first .. first + n - 1 (in order, not
 * augmented; n <= b->cap and within the split). */
gs_status gs_demos_val_batch(gs_demos *d, int64_t first, int n, gs_demos_batch *b, char *err,
                             size_t errlen);

/* ---- augmentation ---- */

/* A rigid transform of the image plane: a turn by angle (radians, from
 * columns towards rows, i.e. counter-clockwise from above) about the image
 * centre, then a shift of (drow, dcol) pixels. */
typedef struct gs_augment {
    double angle, drow, dcol;
} gs_augment;

/* Where pixel (row, col) lands under a; 0 when it leaves the rows x cols image. */
int gs_augment_pixel(const gs_augment *a, int rows, int cols, int row, int col, int *out_row,
                     int *out_col);
/* Draws a transform (any angle, shifts up to a quarter of each side) that
 * keeps s's pick and place pixels in the image, then writes the transformed
 * images (nearest neighbour; what comes from outside is empty table:
 * height 0, colour 0) to heightmap (rows x cols) and color (rows x cols x 3)
 * and the moved sample, pointing at them, to *out. The rotation label is
 * kept: turning the whole scene does not change how far the object turns.
 * After 32 draws that lose a pixel, the identity. Returns the transform. */
gs_augment gs_augment_sample(const gs_policy_sample *s, int rows, int cols, gsu_rng *rng,
                             float *heightmap, uint8_t *color, gs_policy_sample *out);
/* Applies a to the images only (each rows x cols [x 3], out distinct from in). */
void gs_augment_images(const gs_augment *a, int rows, int cols, const float *heightmap,
                       const uint8_t *color, float *out_heightmap, uint8_t *out_color);

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
void gs_policy_action(const gs_policy_config *cfg, const float *heightmap,
                      const gs_policy_decision *d, gs_action *a);

/* The language goal a policy is given: the first incomplete stage's lang,
 * else the task's description (as gs_dataset_record stores it). */
const char *gs_policy_lang(gs_task *t);

/* Runs the episode gs_task_reset(t, seed) began with the policy choosing
 * every action instead of the oracle, observing as gs_dataset_record does;
 * ep reports it as gs_task_play would (seed, success, reward, steps,
 * sim_steps, digest). A configuration whose view differs from the default
 * recording view is GS_ERR_USAGE. */
gs_status gs_policy_play(gs_policy *p, gs_task *t, uint64_t seed, gs_episode *ep, char *err,
                         size_t errlen);

#endif
