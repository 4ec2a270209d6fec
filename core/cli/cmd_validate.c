/* gensim validate: the validation ladder on task files.
 *
 * Each file climbs syntax, shape, runtime, nontrivial, solvable, novel,
 * stopping at its first failing rung; novelty compares it with the library
 * folders (tasks/seed tasks/generated plugins unless --dir is given).
 *
 * Exit status: 0 every task passed, 2 bad usage or an unreadable file,
 * 3 a task failed a rung. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "gensim/io.h"
#include "gensim/library.h"

#define MAX_TASK_BYTES (1 << 20)

static const char VALIDATE_USAGE[] =
    "usage: gensim validate TASK.lua... [--seeds K] [--min-solved M] [--seed S]\n"
    "                       [--dir DIR]... [--no-novelty] [--threshold T]\n"
    "                       [--code-threshold T] [--split train|test] [--json] [--quiet]\n"
    "\n"
    "Runs the validation ladder on each task file, stopping at the first failing rung:\n"
    "  syntax      the chunk compiles\n"
    "  shape       it returns a valid task{...}\n"
    "  runtime     reset succeeds on K distinct seeds and the scene is valid\n"
    "  nontrivial  the goals are not met at reset, and doing nothing does not succeed\n"
    "  solvable    the oracle succeeds on at least M of the K seeds\n"
    "  novel       no library task has nearly the same code and description\n"
    "Prints one line per task (a mark per rung: + passed, x failed, . not reached) and\n"
    "the failure message; --json prints one object with every result and per-rung counts.\n"
    "\n"
    "  --seeds K             seeds per task (default 8, at most 64)\n"
    "  --min-solved M        oracle successes needed (default 4)\n"
    "  --seed S              the first seed (default 0)\n"
    "  --dir DIR             a library folder to compare with (repeatable; default\n"
    "                        tasks/seed tasks/generated plugins)\n"
    "  --no-novelty          compare with no library (the novel rung passes)\n"
    "  --threshold T         duplicate at combined similarity >= T (default 0.9)\n"
    "  --code-threshold T    duplicate at code similarity >= T (default 0.95)\n"
    "  --split train|test    the colours the tasks draw from (default train)\n"
    "  --json                print a JSON summary on stdout\n"
    "  --quiet               print only failures (human output)\n"
    "%s"
    "  -h, --help            this text\n"
    "\n"
    "Exit status: 0 all passed, 2 bad usage or an unreadable file, 3 a task failed.\n";

static int parse_fraction(const char *flag, const char *v, double *out);

int cmd_validate(int argc, char **argv) {
    gs_ladder_options opt = gs_ladder_options_default();
    int json = 0, quiet = 0, no_novelty = 0;
    const char *files[256];
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int common = cli_common_flag(argc, argv, &i, &opt.task, VALIDATE_USAGE, &json, &quiet);
        if (common == CLI_FLAG_BAD) return CLI_USAGE;
        if (common == CLI_FLAG_HELP) return CLI_OK;
        if (common == CLI_FLAG_TAKEN) continue;
        const int has_value = i + 1 < argc;
        if (strcmp(a, "--seeds") == 0 || strcmp(a, "--min-solved") == 0) {
            uint64_t v;
            if (!has_value || !cli_parse_u64(argv[i + 1], &v) || v < 1 || v > GS_LADDER_MAX_SEEDS) {
                fprintf(stderr, "gensim validate: %s needs a count from 1 to %d\n", a, GS_LADDER_MAX_SEEDS);
                return CLI_USAGE;
            }
            *(a[2] == 's' ? &opt.seeds : &opt.min_solved) = (int)v;
            i++;
        } else if (strcmp(a, "--seed") == 0) {
            if (!has_value || !cli_parse_u64(argv[i + 1], &opt.first_seed) ||
                opt.first_seed > UINT64_MAX - GS_LADDER_MAX_SEEDS) {
                fprintf(stderr, "gensim validate: --seed needs a non-negative integer\n");
                return CLI_USAGE;
            }
            i++;
        } else if (strcmp(a, "--dir") == 0) {
            if (!has_value || !argv[i + 1][0]) {
                fprintf(stderr, "gensim validate: --dir needs a folder\n");
                return CLI_USAGE;
            }
            if (opt.ndirs == GS_LADDER_MAX_DIRS) {
                fprintf(stderr, "gensim validate: at most %d --dir folders\n", GS_LADDER_MAX_DIRS);
                return CLI_USAGE;
            }
            opt.dirs[opt.ndirs++] = argv[++i];
        } else if (strcmp(a, "--no-novelty") == 0) {
            no_novelty = 1;
        } else if (strcmp(a, "--threshold") == 0 || strcmp(a, "--code-threshold") == 0) {
            if (!has_value || !parse_fraction(a, argv[i + 1], a[2] == 't' ? &opt.threshold : &opt.code_threshold))
                return CLI_USAGE;
            i++;
        } else if (strcmp(a, "--split") == 0) {
            if (!has_value || (strcmp(argv[i + 1], "train") != 0 && strcmp(argv[i + 1], "test") != 0)) {
                fprintf(stderr, "gensim validate: --split needs train or test\n");
                return CLI_USAGE;
            }
            opt.task.test_split = strcmp(argv[++i], "test") == 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gensim validate: unknown option '%s' (see --help)\n", a);
            return CLI_USAGE;
        } else if (nfiles < (int)(sizeof files / sizeof files[0])) {
            files[nfiles++] = a;
        } else {
            fprintf(stderr, "gensim validate: at most %d task files\n", (int)(sizeof files / sizeof files[0]));
            return CLI_USAGE;
        }
    }
    if (nfiles == 0) {
        fprintf(stderr, "gensim validate: no task file given (see --help)\n");
        return CLI_USAGE;
    }
    if (opt.min_solved > opt.seeds) {
        fprintf(stderr, "gensim validate: --min-solved %d is more than --seeds %d\n", opt.min_solved, opt.seeds);
        return CLI_USAGE;
    }
    char *owned[GS_LADDER_MAX_DIRS];
    int nowned = 0;
    if (no_novelty) opt.ndirs = 0;
    else if (opt.ndirs == 0) opt.ndirs = nowned = cli_default_folders(opt.dirs, owned, GS_LADDER_MAX_DIRS);

    /* every file must be readable before any is validated: a typo is a usage error */
    char **sources = calloc((size_t)nfiles, sizeof *sources);
    size_t *lens = calloc((size_t)nfiles, sizeof *lens);
    gs_ladder_result *r = malloc(sizeof *r);
    char err[1024];
    int status = CLI_OK;
    if (!sources || !lens || !r) {
        fprintf(stderr, "gensim validate: out of memory\n");
        status = CLI_USAGE;
    }
    for (int f = 0; f < nfiles && status == CLI_OK; f++)
        if (gs_read_file(files[f], MAX_TASK_BYTES, &sources[f], &lens[f], err, sizeof err) != GS_OK) {
            fprintf(stderr, "gensim validate: %s\n", err);
            status = CLI_USAGE;
        }

    cJSON *out = json ? cJSON_CreateObject() : NULL;
    cJSON *tasks = out ? cJSON_AddArrayToObject(out, "tasks") : NULL;
    int passed_rung[GS_RUNG_COUNT] = {0}, accepted = 0, done = 0, broken = 0;
    double t0 = cli_now();
    for (int f = 0; f < nfiles && status != CLI_USAGE && !broken; f++) {
        double c0 = cli_now();
        gs_status st = gs_ladder_run(files[f], sources[f], lens[f], &opt, r, err, sizeof err);
        if (st != GS_OK) {
            fprintf(stderr, "gensim validate: %s: %s\n", files[f], err);
            status = cli_exit_status(st);
            broken = 1;
            break;
        }
        done++;
        for (int k = 0; k < GS_RUNG_COUNT; k++) passed_rung[k] += r->rungs[k] == GS_RUNG_PASS;
        accepted += r->passed;
        double secs = cli_now() - c0;
        if (!json && (!quiet || !r->passed)) {
            char marks[GS_RUNG_COUNT + 1];
            for (int k = 0; k < GS_RUNG_COUNT; k++)
                marks[k] = r->rungs[k] == GS_RUNG_PASS ? '+' : r->rungs[k] == GS_RUNG_FAIL ? 'x' : '.';
            marks[GS_RUNG_COUNT] = 0;
            printf("%s %-6s %s", marks, r->passed ? "PASS" : "FAIL", files[f]);
            if (r->rungs[GS_RUNG_SOLVABLE] != GS_RUNG_SKIP) printf("  oracle %d/%d", r->solved, r->seeds);
            if (r->nearest[0]) printf("  nearest %s (%.2f)", r->nearest, r->similarity);
            printf("  %.2f s\n", secs);
            if (!r->passed) printf("  %s: %s\n", gs_rung_name(r->failed), r->message);
            else if (r->same_name[0] && !quiet) printf("  note: %s\n", r->rung_message[GS_RUNG_NOVEL]);
        }
        if (tasks) {
            char *text = gs_ladder_result_json(r);
            cJSON *one = text ? cJSON_Parse(text) : NULL;
            free(text);
            if (one) {
                cJSON_AddStringToObject(one, "path", files[f]);
                cJSON_AddNumberToObject(one, "seconds", secs);
                cJSON_AddItemToArray(tasks, one);
            }
        }
        if (!r->passed) status = CLI_TASK;
    }
    if (done > 0 && !json && !quiet)
        printf("%d of %d task%s passed, %.2f s\n", accepted, done, done == 1 ? "" : "s", cli_now() - t0);
    if (out && done > 0) {
        cJSON *counts = cJSON_AddObjectToObject(out, "passed");
        cJSON *rates = cJSON_AddObjectToObject(out, "rates");
        for (int k = 0; k < GS_RUNG_COUNT; k++) {
            cJSON_AddNumberToObject(counts, gs_rung_name(k), passed_rung[k]);
            cJSON_AddNumberToObject(rates, gs_rung_name(k), (double)passed_rung[k] / done);
        }
        cJSON_AddNumberToObject(counts, "accepted", accepted);
        cJSON_AddNumberToObject(rates, "accepted", (double)accepted / done);
        cJSON_AddNumberToObject(out, "total", done);
        cJSON_AddNumberToObject(out, "seeds", opt.seeds);
        cJSON_AddNumberToObject(out, "min_solved", opt.min_solved);
        cJSON_AddNumberToObject(out, "wall_s", cli_now() - t0);
        char *text = cJSON_PrintUnformatted(out);
        if (text) puts(text);
        cJSON_free(text);
    }
    cJSON_Delete(out);
    for (int f = 0; sources && f < nfiles; f++) free(sources[f]);
    free(sources);
    free(lens);
    free(r);
    gs_free_strings(owned, nowned);
    return status;
}

static int parse_fraction(const char *flag, const char *v, double *out) {
    double d;
    if (!cli_parse_double(v, &d) || !(d > 0 && d <= 1)) {
        fprintf(stderr, "gensim validate: %s needs a number in (0, 1], not '%s'\n", flag, v);
        return 0;
    }
    *out = d;
    return 1;
}
