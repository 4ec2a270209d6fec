/* io/safetensors.h (internal): safetensors files of F32 tensors with
 * string metadata, for learned skills' checkpoints.
 *
 * Layout (huggingface/safetensors): 8 bytes little-endian header length N,
 * N bytes of JSON {"__metadata__": {key: string}, name: {dtype, shape,
 * data_offsets: [begin, end]}} padded with spaces to a multiple of 8, then
 * the data, offsets counted from its start. Reading checks everything a
 * hostile file could get wrong before any tensor is used: the header's
 * length and JSON, each tensor's dtype, shape, offsets inside the data and
 * matching its shape, no two overlapping. */
#ifndef GS_IO_SAFETENSORS_H
#define GS_IO_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/status.h"

#define GS_ST_MAX_DIMS 4
#define GS_ST_NAME_MAX 96

/* One F32 tensor to write (the data is the caller's). */
typedef struct gs_st_tensor {
    const char *name;
    int ndim;
    int64_t shape[GS_ST_MAX_DIMS];
    const float *data;        /* (product of shape) */
} gs_st_tensor;

/* Writes the tensors (n) and the metadata (nmeta pairs: keys[i] -> values[i])
 * to path atomically. */
gs_status gs_st_write(const char *path, const gs_st_tensor *tensors, int n, const char *const *keys,
                      const char *const *values, int nmeta, char *err, size_t errlen);

typedef struct gs_st_file gs_st_file;

/* Reads and checks a file of at most max_bytes; GS_ERR_IO naming the path
 * and what is wrong. */
gs_status gs_st_read(const char *path, size_t max_bytes, gs_st_file **out, char *err, size_t errlen);
void gs_st_free(gs_st_file *f);
/* The metadata value of key, or NULL. */
const char *gs_st_meta(const gs_st_file *f, const char *key);
/* The data of tensor name, which must have ndim dimensions of the given
 * shape (a -1 entry takes any size, written back into shape); NULL and
 * err (naming the file, the tensor and the shape wanted) otherwise. */
const float *gs_st_tensor_data(const gs_st_file *f, const char *name, int ndim, int64_t *shape, char *err,
                               size_t errlen);

#endif
