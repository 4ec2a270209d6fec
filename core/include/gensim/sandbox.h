/* sandbox.h: the limits every untrusted task runs under (public part).
 *
 * A task file runs in its own sandboxed Lua state (core/src/sandbox); what
 * a caller sets is how much it may spend and where its printed lines go.
 * The state itself is internal: nothing here reaches a Lua header. */
#ifndef GENSIM_SANDBOX_H
#define GENSIM_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include "gensim/export.h"

GS_BEGIN_DECLS

typedef struct gsl_limits {
    uint64_t max_instructions; /* per armed period; 200,000,000 */
    size_t max_memory;         /* bytes for the whole state; 256 MiB */
    double timeout_s;          /* wall seconds per armed period; 10 */
} gsl_limits;

/* Receives what the task prints, one line at a time. */
typedef void (*gsl_log_fn)(void *ud, const char *line);

/* Defaults as listed in gsl_limits. */
GS_API gsl_limits gsl_limits_default(void);

GS_END_DECLS

#endif
