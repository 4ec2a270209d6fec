/* cli.h: what the command-line front ends share: number parsing, the
 * sandbox limit flags, scene pictures and wall time. */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <stdint.h>

#include "gensim/task.h"

/* Exit statuses of the command-line contract. */
enum { CLI_OK = 0, CLI_USAGE = 2, CLI_TASK = 3 };

/* Parses a whole decimal integer or number; 0 when s is not one. */
int cli_parse_u64(const char *s, uint64_t *out);
int cli_parse_double(const char *s, double *out);

/* Consumes a limit flag (--max-instructions N, --max-memory-mb N,
 * --timeout-s S, --max-objects N) at argv[*i]; returns 1 when it was one,
 * 0 when argv[*i] is another flag, -1 (with a message on stderr) when its
 * value is missing or bad. */
int cli_limit_flag(int argc, char **argv, int *i, gs_task_options *opt);
/* The help text of the limit flags. */
extern const char CLI_LIMITS_HELP[];

/* Writes a perspective picture of the scene to path (PNG). */
gs_status cli_write_scene_png(const gs_scene *s, const char *path, char *err, size_t errlen);

/* Monotonic seconds. */
double cli_now(void);

#endif
