/* llm_internal.h: what the parts of the LLM client share. */
#ifndef GS_LLM_INTERNAL_H
#define GS_LLM_INTERNAL_H

#include <stddef.h>

#include "gensim/status.h"

/* Runs "/bin/sh -c cmd" in its own process group, writes input (len bytes)
 * to its stdin, and collects its stdout into *out (malloc'd, NUL-terminated,
 * *out_len bytes). Past timeout_s the whole group is killed; a non-zero exit,
 * a signal or a timeout is an error carrying an excerpt of its stderr. */
gs_status gsh_run_command(const char *cmd, const char *input, size_t len, double timeout_s,
                          char **out, size_t *out_len, char *err, size_t errlen);

/* The most bytes a response (HTTP body or command output) may have. */
#define GSH_MAX_RESPONSE ((size_t)32 << 20)

#endif
