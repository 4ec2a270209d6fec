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

/* p grown to at least need bytes (contents kept), or NULL with p intact;
 * *have tracks the bytes allocated. */
void *gs__grow(void *p, size_t *have, size_t need);
/* Frees every per-step and per-object string; counts drop to 0. */
void gs__dataset_clear_strings(gs_dataset_episode *ep);

/* HDF5 prints its error stack on stderr by default; every entry point
 * turns that off and reports the innermost message instead. */
void gs__silence_hdf5(void);
/* The innermost message of HDF5's error stack (cleared), for err. */
void gs__hdf5_reason(char *buf, size_t n);

#endif
