/* cli.h: what the command-line front ends share: number parsing, the
 * sandbox limit flags, scene pictures and wall time. */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <signal.h>
#include <stdint.h>

#include "gensim/policy.h"
#include "gensim/policy_data.h"
#include "gensim/episode.h"
#include "gensim/task.h"

/* Exit statuses of the command-line contract. */
enum { CLI_OK = 0, CLI_USAGE = 2, CLI_TASK = 3 };
/* The one mapping from a status to an exit status: 0 for GS_OK; 2 for bad
 * usage and for files that cannot be read or written (GS_ERR_USAGE,
 * GS_ERR_IO); 3 for everything a task or the host failed at. */
int cli_exit_status(gs_status st);

/* Parses a whole decimal integer or number; 0 when s is not one. */
int cli_parse_u64(const char *s, uint64_t *out);
int cli_parse_double(const char *s, double *out);

/* Runs the trusted Lua script rel (under the data folder) in the host with
 * the command's arguments after argv[0]; the status it returns, or 2 / 3
 * when it cannot run (name prefixes the message). */
int cli_run_script(const char *name, const char *rel, int argc, char **argv);

/* Prints o (a cJSON *) on one line of stdout and frees it. */
void cli_print_json(void *o);

/* The task folders a command scans when given none (gs_task_folders):
 * dirs[i] points at owned[i]; returns how many (free with gs_free_strings). */
int cli_default_folders(const char **dirs, char **owned, int max);

/* One episode of t from seed by policy (nullable: the oracle), with
 * pictures (nullable) observing. */
gs_status cli_episode(gs_task *t, uint64_t seed, gs_policy_actor *policy, gs_pictures *pics,
                      gs_episode_result *r, char *err, size_t errlen);

/* Long work that stops cleanly on SIGINT, SIGTERM or SIGHUP: the first
 * signal sets cli_stop_signal (a second kills at once); under nohup a
 * hangup is left ignored. */
extern volatile sig_atomic_t cli_stop_signal;
typedef struct cli_signals {
    struct sigaction old[3]; /* the handlers before cli_trap_stop */
} cli_signals;
/* Clears cli_stop_signal and installs the handler, keeping the old ones. */
void cli_trap_stop(cli_signals *saved);
/* Puts the old handlers back. */
void cli_untrap_stop(const cli_signals *saved);

/* gensim library: the task library's subcommands (cmd_library.c). */
int cmd_library(int argc, char **argv);

/* A task's log line on stderr, as "[task] LINE" (gs_task_options.log). */
void cli_log_task_line(void *ud, const char *line);

/* A worker was lost and its share runs again (gs_scale.on_retry): a line
 * on stderr. */
void cli_print_retry(void *ud, const char *message);

/* Monotonic seconds. */
double cli_now(void);

/* gensim demos: oracle episodes with observations into HDF5 (cmd_demos.c). */
int cmd_demos(int argc, char **argv);

/* gensim generate: the language-model pipeline (cmd_generate.c). */
int cmd_generate(int argc, char **argv);
int cmd_plugin(int argc, char **argv);
int cmd_curriculum(int argc, char **argv);
/* gensim validate: the validation ladder on task files (cmd_validate.c). */
int cmd_validate(int argc, char **argv);
/* gensim train: the Transporter policy on HDF5 demonstrations (cmd_train.c). */
int cmd_train(int argc, char **argv);
/* gensim eval: a policy in closed loop on tasks (cmd_eval.c). */
int cmd_eval(int argc, char **argv);
/* gensim learn: a learned skill for a continuous-control task (cmd_learn.c). */
int cmd_learn(int argc, char **argv);

#endif
