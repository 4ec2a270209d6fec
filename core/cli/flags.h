/* flags.h: the one flag parser of the command line.
 *
 * A command declares its flags in a table (name, kind, where the value
 * goes, its range, a metavariable and help); cli_parse reads argv against
 * that table and the flags every command shares (the sandbox limits,
 * --json, --quiet, -h/--help), and --help prints a usage text whose flag
 * lines come from the same table, so what is accepted and what is
 * documented cannot drift apart. Every bad value is a message naming the
 * flag and what it takes. */
#ifndef GS_CLI_FLAGS_H
#define GS_CLI_FLAGS_H

#include <stdint.h>
#include <stdio.h>

#include "gensim/task.h"
#include "gensim/workflow.h"

typedef enum cli_flag_kind {
    CLI_SWITCH,   /* no value: *(int *)dest = 1 */
    CLI_COUNT,    /* a whole number in lo..hi: *(uint64_t *)dest */
    CLI_NUMBER,   /* a finite number in lo..hi: *(double *)dest */
    CLI_TEXT,     /* a non-empty string: *(const char **)dest */
    CLI_CHOICE,   /* one of choices ("train|test"): *(const char **)dest */
    CLI_LIST      /* repeatable string: appended to a cli_list */
} cli_flag_kind;

/* Where a CLI_LIST flag's values go. */
typedef struct cli_list {
    const char **items;       /* (max) */
    int n, max;
} cli_list;

typedef struct cli_flag {
    const char *name;         /* "--episodes" */
    cli_flag_kind kind;
    void *dest;
    double lo, hi;            /* CLI_COUNT, CLI_NUMBER */
    const char *choices;      /* CLI_CHOICE */
    const char *metavar;      /* "N"; NULL for a switch */
    const char *help;         /* may hold several lines */
} cli_flag;

/* A command's interface: its flags, its positional arguments and the
 * text around the flag lines. */
typedef struct cli_command {
    const char *prog;         /* "gensim demos" */
    const char *synopsis;     /* after "usage: PROG " */
    const char *about;        /* paragraphs before the flags */
    const cli_flag *flags;
    int nflags;
    cli_list *positional;     /* nullable: the command takes none */
    const char *positional_name; /* "task file", for messages */
    int limits;               /* 1: the sandbox limit flags apply (task_opt) */
    int quiet;                /* 1: --quiet applies */
    const char *epilog;       /* after the flags: exit statuses */
    int scale;                /* CLI_SCALE_*: whether --jobs and --shard apply */
} cli_command;

/* Which of the scale-out flags a command takes: --jobs N (worker
 * processes, 0 one per core) and --shard I/N (a part of the work; without
 * it, SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT when set). */
enum { CLI_SCALE_NONE = 0, CLI_SCALE_JOBS = 1, CLI_SCALE_ALL = 3 };

/* What cli_parse found besides the table's flags. */
typedef struct cli_common {
    int json, quiet;
    gs_task_options *task_opt; /* where the limit flags go (cmd->limits) */
    gs_scale *scale;           /* where --jobs and --shard go (cmd->scale) */
    int shard_given;           /* 1: the shard came from --shard or Slurm's variables */
} cli_common;

/* Parses argv[1..argc). Returns CLI_OK, CLI_USAGE (a message on stderr),
 * or CLI_HELP when --help was given (the usage on stdout). */
enum { CLI_HELP = -1 };
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_common *common);
/* The usage text to f (stdout for --help, stderr after a usage error). */
void cli_usage(const cli_command *cmd, FILE *f);
/* Reports a usage error for cmd on stderr (printf-style) and returns CLI_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
