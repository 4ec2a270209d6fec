/* dataset.h: demonstration datasets in HDF5: the episode recorder, a
 * streaming writer and a validating reader.
 *
 * A file holds successful oracle episodes with the observations a policy
 * sees before each action (format "gensim-demos", version 2; README.md,
 * "Datasets", documents the layout; the reader also reads version 1, the
 * same without the joint datasets):
 *
 *   /                    attrs format, format_version, gensim_version,
 *                        pixel_size, bounds (3 x 2), image_size (2), split
 *   /episodes/000000     one group per episode, numbered in recording order;
 *                        attrs task, description, seed, success, steps,
 *                        total_reward, initial_reward; datasets below
 *
 * T is the episode's steps (actions); observations are T + 1: one before
 * each action and the final one after the last action.
 *
 * The writer keeps nothing of an episode once it is written: every append
 * writes one group, links it only when complete, and closes and reopens the
 * file, so memory stays flat and a run that stops between appends leaves a
 * readable file with every episode appended so far. */
#ifndef GENSIM_DATASET_H
#define GENSIM_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/render.h"
#include "gensim/status.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

#define GS_DATASET_FORMAT "gensim-demos"
#define GS_DATASET_FORMAT_VERSION 2

/* What an action's poses mean: pick and place; a push from pick_pose's
 * position to place_pose's; a drag of a joint by its handle from where the
 * handle was (pick_pose's position) to where the joint's target puts it
 * (place_pose's) (rotations identity for both); a continuous-control step. */
enum { GS_DATASET_PICK_PLACE = 0, GS_DATASET_PUSH = 1, GS_DATASET_DRAG = 2,
       GS_DATASET_MOVE = 3,          /* a continuous-control step, the suction off */
       GS_DATASET_MOVE_SUCTION = 4 }; /* ... with the suction on */

/* One episode, as recorded and as read back. Arrays are row-major and owned
 * by the struct; zero it before first use and reuse it across episodes
 * (buffers only grow), then gs_dataset_episode_free. After a failed record
 * or read its contents are unspecified, but it can still be reused or freed. */
typedef struct gs_dataset_episode {
    char *task;               /* the task's name */
    char *description;        /* the task's description */
    char *provenance;         /* nullable: JSON [{file, sha256, plugin, version}], the code it came from */
    uint64_t seed;            /* gs_task_reset's seed: gensim-run --seed replays it */
    int success;              /* 1 when the task said so at the end */
    double total_reward;      /* the reward at the end, [0, 1] */
    double initial_reward;    /* the reward right after reset */
    int steps;                /* T, actions taken */
    int rows, cols;           /* image size: rows follow y, columns x */
    float *heightmap;         /* (T+1 x rows x cols) metres above the table; nullable when read */
    uint8_t *color;           /* (T+1 x rows x cols x 3) sRGB; nullable when read */
    int32_t *segmentation;    /* (T+1 x rows x cols) object index + 1, 0 table; nullable when read */
    double *pick_pose;        /* (T x 7) x y z qx qy qz qw */
    double *place_pose;       /* (T x 7) */
    int32_t *pick_pixel;      /* (T x 2) row, col in the view; -1, -1 outside */
    int32_t *place_pixel;     /* (T x 2) */
    uint8_t *primitive;       /* (T) GS_DATASET_PICK_PLACE, GS_DATASET_PUSH, GS_DATASET_DRAG,
                               * GS_DATASET_MOVE or GS_DATASET_MOVE_SUCTION */
    double *reward;           /* (T) reward gained by each action; sums to total_reward */
    double *lift;             /* (T) each action's clearance above its pick and place
                               * (gs_action.lift), m; 0: the robot's hover. Files
                               * recorded before it was kept read 0 */
    char **lang;              /* (T) the language goal of the stage each action works on */
    int nobjects;             /* objects in the scene at reset */
    char **object_kind;       /* (nobjects) asset kind of segmentation id i + 1 */
    char **object_color;      /* (nobjects) colour name */
    double *object_pose;      /* (T+1 x nobjects x 7) every object's pose with each observation */
    int njoints;              /* the articulated objects' joints at reset (0 when none) */
    int32_t *joint_object;    /* (njoints) the object each joint is part of: segmentation id - 1 */
    char **joint_name;        /* (njoints) the joint's name in its object */
    double *joint_position;   /* (T+1 x njoints) m or rad, with each observation */
    double *joint_fraction;   /* (T+1 x njoints) of the joint's range, 0 shut .. 1 open */
    /* private: what the buffers above hold */
    size_t bytes[16];         /* bytes allocated per numeric array */
    size_t lang_slots;        /* entries allocated in lang */
    size_t name_slots;        /* entries allocated in object_kind and object_color */
    size_t joint_slots;       /* entries allocated in joint_name */
} gs_dataset_episode;

/* Frees what the episode holds and zeroes it; ep may be zeroed memory. */
GS_API void gs_dataset_episode_free(gs_dataset_episode *ep);

/* ---- filling an episode (the recorder in episode.h, or a program's own) ---- */

/* Starts ep for a new episode, keeping its buffers: the names and seed
 * set, images of rows x cols, counts 0. GS_ERR_USAGE for a bad size. */
GS_API gs_status gs_dataset_episode_begin(gs_dataset_episode *ep, const char *task,
                                   const char *description, uint64_t seed, int rows, int cols,
                                   char *err, size_t errlen);
/* Room for n object names (object_kind, object_color); 0 when out of memory. */
GS_API int gs_dataset_episode_reserve_objects(gs_dataset_episode *ep, int n);
/* Room for steps actions (poses, pixels, primitives, rewards, lang); 0 when
 * out of memory. */
GS_API int gs_dataset_episode_reserve_steps(gs_dataset_episode *ep, int steps);
/* Room for obs observations (images, the poses of nobjects objects and
 * the states of njoints joints); 0 when out of memory. */
GS_API int gs_dataset_episode_reserve_observations(gs_dataset_episode *ep, int obs);
/* Room for n joints (joint_object, joint_name); 0 when out of memory. */
GS_API int gs_dataset_episode_reserve_joints(gs_dataset_episode *ep, int n);
/* Replaces *slot with a copy of value ("" for NULL); 0 when out of memory. */
GS_API int gs_dataset_set_string(char **slot, const char *value);

/* ---- an episode as bytes (a worker hands its recording to its parent) ---- */

/* ep as one malloc'd block (*out, *len bytes), its images raw. */
GS_API gs_status gs_dataset_episode_pack(const gs_dataset_episode *ep, char **out, size_t *len, char *err,
                                         size_t errlen);
/* The same with the images deflated at level (1..9; 0 is
 * gs_dataset_episode_pack), one chunk per observation exactly as a file of
 * that compression stores them: whoever packs does the compressing, and
 * gs_dataset_append_block into such a file only copies the chunks. A
 * level outside 0..9 is GS_ERR_USAGE. */
GS_API gs_status gs_dataset_episode_pack_compressed(const gs_dataset_episode *ep, int level, char **out,
                                                    size_t *len, char *err, size_t errlen);
/* The deflate level of a packed block's images (0: raw), or -1 when buf
 * is too short to hold a block's header. Says nothing of the rest. */
GS_API int gs_dataset_block_level(const char *buf, size_t len);
/* A block either function made, into ep (its buffers reused; compressed
 * images are inflated); a block that is torn, declares absurd counts or
 * holds an image chunk that does not inflate to its size is GS_ERR_IO. */
GS_API gs_status gs_dataset_episode_unpack(gs_dataset_episode *ep, const char *buf, size_t len, char *err,
                                           size_t errlen);

/* ---- writing ---- */

typedef struct gs_dataset_options {
    gsr_view view;            /* the observations' view; every episode must match it */
    const char *split;        /* a label stored as the split attribute ("train", "test") */
    int overwrite;            /* 1: replace an existing file; 0: refuse it */
    int compression;          /* deflate level 0..9 of the image datasets */
} gs_dataset_options;

typedef struct gs_dataset_writer gs_dataset_writer;
typedef struct gs_dataset gs_dataset; /* a file open for reading (below) */

/* gsr_view_default(), split "train", no overwrite, compression 1. */
GS_API gs_dataset_options gs_dataset_options_default(void);
/* Creates path and writes the file attributes. GS_ERR_IO when it exists and
 * opt->overwrite is 0, or cannot be created. */
GS_API gs_status gs_dataset_create(const char *path, const gs_dataset_options *opt,
                            gs_dataset_writer **out, char *err, size_t errlen);
/* Writes ep as the next /episodes/NNNNNN group; the file on disk is
 * complete when it returns. After an error the writer only closes. */
GS_API gs_status gs_dataset_append(gs_dataset_writer *w, const gs_dataset_episode *ep, char *err,
                            size_t errlen);
/* Appends the episode of a packed block (either pack function; scratch
 * holds its unpacked arrays and may be reused): a block compressed at the
 * file's level has its image chunks written as they are, without
 * inflating them (so a worker's compressing is not done again); any other
 * block is unpacked and appended as gs_dataset_append would. A torn block
 * is GS_ERR_IO and leaves the file as it was. The compressed chunks are
 * checked for their structure, not their bytes: a damaged one is found by
 * the reader (gensim demos --info FILE --full). */
GS_API gs_status gs_dataset_append_block(gs_dataset_writer *w, const char *buf, size_t len,
                                         gs_dataset_episode *scratch, char *err, size_t errlen);
/* Episodes in the file. */
GS_API int64_t gs_dataset_writer_episodes(const gs_dataset_writer *w);
/* Opens an existing file to go on appending to it (a resumed recording):
 * the reader's checks first, then the file's image size and split must be
 * opt's; appends go after its last episode. */
GS_API gs_status gs_dataset_writer_open(const char *path, const gs_dataset_options *opt, gs_dataset_writer **out,
                                        char *err, size_t errlen);
/* Drops every episode from index n on (what a resumed run records again). */
GS_API gs_status gs_dataset_writer_truncate(gs_dataset_writer *w, int64_t n, char *err, size_t errlen);
/* Sets, or replaces, a string attribute of the file. */
GS_API gs_status gs_dataset_writer_set_text(gs_dataset_writer *w, const char *name, const char *value, char *err,
                                            size_t errlen);
/* Appends episode index of ds as the next episode, copied whole: every
 * attribute and dataset it holds, known to this version or not. */
GS_API gs_status gs_dataset_writer_copy_episode(gs_dataset_writer *w, gs_dataset *ds, int64_t index, char *err,
                                                size_t errlen);
/* Gives the writer's file every file attribute of ds that skip (a
 * NULL-terminated list of names, nullable) does not name, replacing its own
 * of the same name. */
GS_API gs_status gs_dataset_writer_copy_attributes(gs_dataset_writer *w, gs_dataset *ds, const char *const *skip,
                                                   char *err, size_t errlen);
/* Closes the file and frees w (nullable). */
GS_API gs_status gs_dataset_writer_close(gs_dataset_writer *w, char *err, size_t errlen);

/* ---- reading ---- */

/* The file attributes. */
typedef struct gs_dataset_info {
    char format[32];          /* GS_DATASET_FORMAT */
    int format_version;
    char gensim_version[32];  /* the version that wrote the file */
    char split[32];
    double pixel_size;        /* metres */
    double bounds[3][2];      /* x, y, z ranges, metres */
    int rows, cols;           /* image size */
    int64_t episodes;
} gs_dataset_info;

/* What gs_dataset_read_episode reads besides metadata and actions. */
enum {
    GS_DATASET_HEIGHTMAP = 1u << 0,
    GS_DATASET_COLOR = 1u << 1,
    GS_DATASET_SEGMENTATION = 1u << 2,
    GS_DATASET_OBSERVATIONS = 7u
};

/* Opens a file for reading and checks its attributes and episode groups.
 * Every episode's metadata is first read in a child process, which libhdf5
 * may crash or hang on a malformed file without harm: GS_ERR_IO then, and
 * a child that goes GENSIM_DATASET_CHECK_MS (5000) ms without finishing an
 * episode counts as hung. */
GS_API gs_status gs_dataset_open(const char *path, gs_dataset **out, char *err, size_t errlen);
/* The file attributes (valid until close). */
GS_API const gs_dataset_info *gs_dataset_get_info(const gs_dataset *ds);
/* Number of episodes. */
GS_API int64_t gs_dataset_episodes(const gs_dataset *ds);
/* Reads episode index into ep (its buffers reused): metadata, actions and
 * objects always, the images named by fields (others become NULL). Every
 * dataset's presence, type class and shape is checked first. */
GS_API gs_status gs_dataset_read_episode(gs_dataset *ds, int64_t index, unsigned fields,
                                  gs_dataset_episode *ep, char *err, size_t errlen);
/* Reads observation t (0..T) of episode index into caller buffers (each
 * rows x cols [x 3], nullable), without reading the rest. */
GS_API gs_status gs_dataset_read_observation(gs_dataset *ds, int64_t index, int t, float *heights,
                                      uint8_t *rgb, int32_t *seg, char *err, size_t errlen);
/* A string attribute of the file, malloc'd in *out; NULL when there is none. */
GS_API gs_status gs_dataset_text(gs_dataset *ds, const char *name, char **out, char *err, size_t errlen);
/* 1 when a and b have the same file attributes, values and types, apart
 * from those skip (NULL-terminated, nullable) names; else 0 and why names
 * the first that differs. */
GS_API int gs_dataset_same_attributes(gs_dataset *a, gs_dataset *b, const char *const *skip, char *why,
                                      size_t whylen);
/* Closes the file and frees ds (nullable). */
GS_API void gs_dataset_close(gs_dataset *ds);

GS_END_DECLS

#endif
