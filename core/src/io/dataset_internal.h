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

/* An open file being written (dataset_write.c, dataset_edit.c). */
struct gs_dataset_writer {
    hid_t file, episodes;
    hid_t fapl;                              /* file access: metadata written only when asked */
    hid_t dcpl_float, dcpl_color, dcpl_int; /* chunked, filtered image datasets */
    hid_t dcpl_plain, gcpl;                  /* the other datasets, and groups */
    hid_t vlen_str;                          /* UTF-8 variable-length string */
    int rows, cols;
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
