/* flags.c: the one flag parser of the command line (flags.h). */
#include "flags.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { NAME_COLUMN = 22 }; /* where a flag's help starts, after "  " */

/* The sandbox limits every command that runs tasks takes. */
static int limit_flags(gs_task_options *o, cli_flag *out, uint64_t *mem_mb, uint64_t *instructions,
                       uint64_t *objects) {
    static const char *const help[] = {
        "Lua instructions per episode (default 200000000)",
        "memory of the task's Lua state in MiB (default 256)",
        "wall seconds of Lua per episode (default 10)",
        "objects per scene (default 128)"};
    *instructions = o->limits.max_instructions;
    *mem_mb = o->limits.max_memory >> 20;
    *objects = (uint64_t)o->scene.max_objects;
    out[0] = (cli_flag){"--max-instructions", CLI_COUNT, instructions, 1, 1e15, NULL, "N", help[0]};
    out[1] = (cli_flag){"--max-memory-mb", CLI_COUNT, mem_mb, 1, 65536, NULL, "N", help[1]};
    out[2] = (cli_flag){"--timeout-s", CLI_NUMBER, &o->limits.timeout_s, 1e-3, 86400, NULL, "S", help[2]};
    out[3] = (cli_flag){"--max-objects", CLI_COUNT, objects, 1, 100000, NULL, "N", help[3]};
    return 4;
}

static const char JOBS_HELP[] = "worker processes at once (default 1; 0: one per core); the\n"
                                "results are those of one";
static const char SHARD_HELP[] = "do part I of N (0 <= I < N) into its own output, for a later\n"
                                 "merge; default: SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT\n"
                                 "in a Slurm job array, else all";

/* The scale-out flags a command takes, into out: --jobs, and --shard as
 * text (checked once parsed). */
static int scale_flags(const cli_command *cmd, gs_scale *sc, uint64_t *jobs, const char **shard, cli_flag *out) {
    int n = 0;
    if (!(cmd->scale & CLI_SCALE_JOBS) || !sc) return 0;
    *jobs = (uint64_t)sc->jobs;
    out[n++] = (cli_flag){"--jobs", CLI_COUNT, jobs, 0, GS_JOBS_MAX, NULL, "N", JOBS_HELP};
    if (cmd->scale == CLI_SCALE_ALL) out[n++] = (cli_flag){"--shard", CLI_TEXT, shard, 0, 0, NULL, "I/N", SHARD_HELP};
    return n;
}

/* The shard: --shard, else the Slurm array's, else all. */
static int take_shard(const cli_command *cmd, const char *text, cli_common *common) {
    char err[512];
    if (text) {
        if (gs_shard_parse(text, &common->scale->shard, err, sizeof err) != GS_OK)
            return cli_usage_error(cmd, "--shard: %s", err);
        common->shard_given = 1;
        return CLI_OK;
    }
    int env = gs_shard_from_env(&common->scale->shard, err, sizeof err);
    if (env < 0) return cli_usage_error(cmd, "%s", err);
    common->shard_given = env;
    return CLI_OK;
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", cmd->prog);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see %s --help)\n", cmd->prog);
    va_end(ap);
    return CLI_USAGE;
}

/* Stores v for flag f; 0 (and a message) when v is not what f takes. */
static int take_value(const cli_command *cmd, const cli_flag *f, const char *v) {
    switch (f->kind) {
    case CLI_COUNT: {
        uint64_t n;
        if (!cli_parse_u64(v, &n) || (double)n < f->lo || (double)n > f->hi) {
            cli_usage_error(cmd, "%s needs a whole number from %.0f to %.0f, not '%s'", f->name, f->lo, f->hi, v);
            return 0;
        }
        *(uint64_t *)f->dest = n;
        return 1;
    }
    case CLI_NUMBER: {
        double d;
        if (!cli_parse_double(v, &d) || d < f->lo || d > f->hi) {
            cli_usage_error(cmd, "%s needs a number from %g to %g, not '%s'", f->name, f->lo, f->hi, v);
            return 0;
        }
        *(double *)f->dest = d;
        return 1;
    }
    case CLI_CHOICE: {
        size_t n = strlen(v);
        const char *c = f->choices;
        while (*c) {
            size_t len = strcspn(c, "|");
            if (len == n && strncmp(c, v, n) == 0) {
                *(const char **)f->dest = v;
                return 1;
            }
            c += len + (c[len] == '|');
        }
        char list[128];
        size_t used = 0, k = 0, count = 1;
        for (c = f->choices; *c; c++) count += *c == '|';
        for (c = f->choices; *c && used + 8 < sizeof list; c++) {
            if (*c != '|') list[used++] = *c;
            else used += (size_t)snprintf(list + used, sizeof list - used, "%s", ++k + 1 == count ? " or " : ", ");
        }
        list[used] = 0;
        cli_usage_error(cmd, "%s is %s, not '%s'", f->name, list, v);
        return 0;
    }
    case CLI_LIST: {
        cli_list *l = f->dest;
        if (l->n >= l->max) {
            cli_usage_error(cmd, "%s at most %d times", f->name, l->max);
            return 0;
        }
        l->items[l->n++] = v;
        return 1;
    }
    default:
        if (!*v) {
            cli_usage_error(cmd, "%s needs a %s, not an empty string", f->name, f->metavar);
            return 0;
        }
        *(const char **)f->dest = v;
        return 1;
    }
}

static const cli_flag *find_flag(const cli_flag *flags, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(flags[i].name, name) == 0) return &flags[i];
    return NULL;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_common *common) {
    cli_flag limits[4];
    uint64_t mem_mb = 0, instructions = 0, objects = 0;
    int nlimits = cmd->limits && common->task_opt
                      ? limit_flags(common->task_opt, limits, &mem_mb, &instructions, &objects)
                      : 0;
    cli_flag scale[2];
    uint64_t jobs = 1;
    const char *shard = NULL;
    int nscale = scale_flags(cmd, common->scale, &jobs, &shard, scale);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_usage(cmd, stdout);
            return CLI_HELP;
        }
        if (strcmp(a, "--json") == 0) {
            common->json = 1;
            continue;
        }
        if (cmd->quiet && strcmp(a, "--quiet") == 0) {
            common->quiet = 1;
            continue;
        }
        const cli_flag *f = find_flag(cmd->flags, cmd->nflags, a);
        if (!f) f = find_flag(limits, nlimits, a);
        if (!f) f = find_flag(scale, nscale, a);
        if (f && f->kind == CLI_SWITCH) {
            *(int *)f->dest = 1;
        } else if (f) {
            if (i + 1 >= argc) return cli_usage_error(cmd, "%s needs a value (%s)", a, f->metavar);
            if (!take_value(cmd, f, argv[++i])) return CLI_USAGE;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (!cmd->positional) {
            return cli_usage_error(cmd, "unexpected argument '%s'", a);
        } else if (cmd->positional->n >= cmd->positional->max) {
            return cli_usage_error(cmd, "at most %d %ss", cmd->positional->max, cmd->positional_name);
        } else {
            cmd->positional->items[cmd->positional->n++] = a;
        }
    }
    if (nscale) {
        common->scale->jobs = (int)jobs;
        if (cmd->scale == CLI_SCALE_ALL && take_shard(cmd, shard, common) != CLI_OK) return CLI_USAGE;
    }
    if (nlimits) {
        common->task_opt->limits.max_instructions = instructions;
        common->task_opt->limits.max_memory = (size_t)mem_mb << 20;
        common->task_opt->scene.max_objects = (int)objects;
    }
    return CLI_OK;
}

/* "  --name META" padded to the help column, then the help's lines. */
static void flag_lines(const cli_flag *f, FILE *out) {
    char head[64];
    int n = snprintf(head, sizeof head, "  %s%s%s", f->name, f->metavar ? " " : "", f->metavar ? f->metavar : "");
    const char *h = f->help;
    int first = 1;
    do {
        size_t len = strcspn(h, "\n");
        if (first) fprintf(out, "%-*s%.*s\n", n < NAME_COLUMN + 2 ? NAME_COLUMN + 2 : n + 1, head, (int)len, h);
        else fprintf(out, "%*s%.*s\n", NAME_COLUMN + 2, "", (int)len, h);
        h += len + (h[len] == '\n');
        first = 0;
    } while (*h);
}

void cli_usage(const cli_command *cmd, FILE *out) {
    fprintf(out, "usage: %s %s\n\n%s\n", cmd->prog, cmd->synopsis, cmd->about);
    for (int i = 0; i < cmd->nflags; i++) flag_lines(&cmd->flags[i], out);
    static const cli_flag json = {"--json", CLI_SWITCH, NULL, 0, 0, NULL, NULL, "print one JSON object instead of text"};
    static const cli_flag quiet = {"--quiet", CLI_SWITCH, NULL, 0, 0, NULL, NULL, "no progress or per-episode lines"};
    flag_lines(&json, out);
    if (cmd->quiet) flag_lines(&quiet, out);
    if (cmd->scale & CLI_SCALE_JOBS) {
        gs_scale sc = gs_scale_default();
        cli_flag scale[2];
        uint64_t jobs;
        const char *shard;
        int n = scale_flags(cmd, &sc, &jobs, &shard, scale);
        for (int i = 0; i < n; i++) flag_lines(&scale[i], out);
    }
    if (cmd->limits) {
        gs_task_options o = gs_task_options_default();
        cli_flag limits[4];
        uint64_t a, b, c;
        int n = limit_flags(&o, limits, &a, &b, &c);
        for (int i = 0; i < n; i++) flag_lines(&limits[i], out);
    }
    static const cli_flag help = {"-h, --help", CLI_SWITCH, NULL, 0, 0, NULL, NULL, "this text"};
    flag_lines(&help, out);
    if (cmd->epilog) fprintf(out, "\n%s", cmd->epilog);
}
