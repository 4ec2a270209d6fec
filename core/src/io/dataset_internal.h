/* io/dataset_internal.h (internal): what the dataset's buffers, writer
 * and reader share: the arrays' bookkeeping, the bounds a file may
 * declare, and HDF5 helpers that turn its error stack into messages. */
#ifndef GS_IO_DATASET_INTERNAL_H
#define GS_IO_DATASET_INTERNAL_H

#include <hdf5.h>

#include "gensim/dataset.h"

/* The numeric arrays of an episode, as indices into bytes[]. */
enum {
    A_HEIGHTMAP,
    A_COLOR,
    A_SEGMENTATION,
    A_PICK_POSE,
    A_PLACE_POSE,
    A_PICK_PIXEL,
    A_PLACE_PIXEL,
    A_PRIMITIVE,
    A_REWARD,
    A_OBJECT_POSE,
    A_JOINT_OBJECT,
    A_JOINT_POSITION,
    A_JOINT_FRACTION,
    A_LIFT,
    NARRAYS
};

/* Bounds on what a file may declare, so a hostile file cannot ask for
 * absurd allocations. */
#define MAX_STEPS (1 << 16)
#define MAX_SIDE (1 << 14)
#define MAX_OBJECTS (1 << 16)
#define MAX_JOINTS (1 << 16)
#define MAX_EPISODE_BYTES ((size_t)8 << 30)
#define MAX_STRING (1 << 20)

/* The image datasets, one chunk per observation: their array, the bytes
 * of a pixel and of an element, and whether the elements' bytes are
 * shuffled before deflate. The
 * writer's filters and the packer's own compression both follow this one
 * table, so a chunk compressed by either is the same bytes. */
typedef struct gs__image_kind {
    int array;
    size_t pixel, elem;
    int shuffle;
} gs__image_kind;
#define GS_IMAGE_KINDS 3
extern const gs__image_kind gs__image_kinds[GS_IMAGE_KINDS];

/* The compressed chunks of a packed block's images (gs__dataset_unpack):
 * chunk i of kind k is at[k * obs + i], len[k * obs + i] bytes, pointing
 * into the block. level 0: the block's images were raw and are in ep. */
typedef struct gs__chunks {
    int level, obs;
    const unsigned char **at;
    uint32_t *len;
} gs__chunks;
void gs__chunks_free(gs__chunks *c);
/* gs_dataset_episode_unpack, but a block's compressed images are left
 * compressed in *chunks (ep's image buffers untouched) rather than
 * inflated into ep. The chunks' structure is checked, not their bytes. */
gs_status gs__dataset_unpack(gs_dataset_episode *ep, const char *buf, size_t len, gs__chunks *chunks, char *err,
                             size_t errlen);

/* p grown to at least need bytes (contents kept), or NULL with p intact;
 * *have tracks the bytes allocated. */
void *gs__grow(void *p, size_t *have, size_t need);
/* gs_dataset_episode_reserve_observations; images 0: all but the images. */
int gs__reserve_observations(gs_dataset_episode *ep, int obs, int images);
/* Frees every per-step and per-object string; counts drop to 0. */
void gs__dataset_clear_strings(gs_dataset_episode *ep);

/* An open file being written (dataset_write.c, dataset_edit.c). */
struct gs_dataset_writer {
    hid_t file, episodes;
    hid_t fapl;                              /* file access: metadata written only when asked */
    hid_t dcpl_image[GS_IMAGE_KINDS];        /* chunked, filtered image datasets, per gs__image_kinds */
    hid_t dcpl_plain, gcpl;                  /* the other datasets, and groups */
    hid_t vlen_str;                          /* UTF-8 variable-length string */
    hid_t dxpl_strings;                      /* the string datasets' writes: a small conversion buffer */
    int rows, cols;
    int level;                               /* deflate level of the images, 0 none */
    int64_t count;
    char *path;
};

/* An episode the checking child refused (message NULL after the first
 * MAX_REFUSAL_MESSAGES, dataset_read.c). */
typedef struct refusal {
    int64_t index;
    char *message;
} refusal;

typedef struct refusals {
    refusal *list;
    size_t n, cap;
} refusals;
void gs__refusals_free(refusals *r);

/* An open file being read (dataset_read.c, dataset_edit.c). */
struct gs_dataset {
    hid_t file, episodes;
    gs_dataset_info info;
    char *path;
    refusals refused; /* the checking child's verdicts, by episode */
};

/* Closes the writer's file, which writes everything, and opens it again
 * with an empty metadata cache; 0 (and why) on failure. */
int gs__writer_reopen(gs_dataset_writer *w, char *why, size_t whylen);
/* A variable-length UTF-8 string attribute of loc; 0 (and why) on failure. */
int gs__attr_string(hid_t loc, const char *name, const char *value, char *why, size_t whylen);
/* A string attribute of loc into *out (malloc'd); 0 (and why) when it is
 * missing, not one string, or unreadable. */
int gs__attr_read_string(hid_t loc, const char *name, char **out, char *why, size_t whylen);

/* HDF5 prints its error stack on stderr by default; every entry point
 * turns that off and reports the innermost message instead. */
void gs__silence_hdf5(void);
/* The innermost message of HDF5's error stack (cleared), for err. */
void gs__hdf5_reason(char *buf, size_t n);

/* Set in the checking child (dataset_check.c): it also walks every chunk. */
extern int gs__dataset_checking_child;
/* Opens path in this process, checking nothing first. */
gs_status gs__dataset_open_here(const char *path, gs_dataset **out, char *err, size_t errlen);
/* Reads every episode of path in a forked child; its refusals, by episode,
 * into refused; a crash or stall of the child is an error naming it. */
gs_status gs__dataset_check_in_child(const char *path, refusals *refused, char *err, size_t errlen);

#endif
