/* io.h: files in and out: whole-file reads, atomic writes, PNG images. */
#ifndef GENSIM_IO_H
#define GENSIM_IO_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/status.h"

/* Reads a whole file into a NUL-terminated malloc'd buffer (*len bytes,
 * len nullable), refusing files over max_bytes. The caller frees *out. */
gs_status gs_read_file(const char *path, size_t max_bytes, char **out, size_t *len, char *err,
                       size_t errlen);
/* Writes n bytes to path through a temporary file in the same folder and
 * a rename, so readers see the old file or the new one, never a part. */
gs_status gs_write_file_atomic(const char *path, const void *data, size_t n, char *err,
                               size_t errlen);
/* Writes an 8-bit RGB image (height x width x 3) as PNG, atomically. */
gs_status gs_write_png(const char *path, const uint8_t *rgb, int width, int height, char *err,
                       size_t errlen);
/* Creates a folder and its parents (mkdir -p); existing ones are fine. */
gs_status gs_make_dirs(const char *path, char *err, size_t errlen);

#endif
