/* status.h: the one error convention of the C core.
 *
 * Every fallible function returns a gs_status and, where it can say more,
 * writes a message into a caller-supplied buffer (err, errlen). The library
 * never prints, never exits. */
#ifndef GENSIM_STATUS_H
#define GENSIM_STATUS_H

#include <stddef.h>
#include "gensim/export.h"

GS_BEGIN_DECLS

typedef enum gs_status {
    GS_OK = 0,
    GS_ERR_USAGE,     /* a bad argument from the caller */
    GS_ERR_IO,        /* a file could not be read or written */
    GS_ERR_SYNTAX,    /* a task chunk does not compile */
    GS_ERR_SHAPE,     /* a task table is malformed */
    GS_ERR_RUNTIME,   /* a task raised an error while running */
    GS_ERR_LIMIT,     /* a sandbox or physics limit was hit */
    GS_ERR_NOMEM,     /* the host itself ran out of memory */
    GS_ERR_PHYSICS    /* the simulation became invalid (NaN, blow-up) */
} gs_status;

/* The library's version, "MAJOR.MINOR.PATCH". */
GS_API const char *gs_version(void);

/* A short constant name for a status ("ok", "syntax", ...). */
GS_API const char *gs_status_name(gs_status s);

/* Formats a message into err (which may be NULL) and returns status. */
GS_API gs_status gs_fail(char *err, size_t errlen, gs_status status, const char *fmt, ...)
    GS_PRINTF(4, 5);

GS_END_DECLS

#endif
