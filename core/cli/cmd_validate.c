/* gensim validate: the validation ladder on task files (gs_validate_files
 * in library.h).
 *
 * Exit status: 0 every task passed, 2 bad usage or an unreadable file,
 * 3 a task failed a rung. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "flags.h"
#include "gensim/io.h"
#include "gensim/library.h"

typedef struct validate_ui {
    int json, quiet, learn_seeds;
} validate_ui;

/* One line per task (a mark per rung: + passed, x failed, . not reached,
 * - not applicable) and the failure message. */
static void print_result(void *ud, const char *file, const gs_ladder_result *r, double seconds) {
    const validate_ui *ui = ud;
    if (ui->json || (ui->quiet && r->passed)) return;
    char marks[GS_RUNG_COUNT + 1];
    for (int k = 0; k < GS_RUNG_COUNT; k++)
        marks[k] = r->rungs[k] == GS_RUNG_PASS ? '+' : r->rungs[k] == GS_RUNG_FAIL ? 'x' : r->rungs[k] == GS_RUNG_NA ? '-' : '.';
    marks[GS_RUNG_COUNT] = 0;
    printf("%s %-6s %s", marks, r->passed ? "PASS" : "FAIL", file);
    if (r->rungs[GS_RUNG_SOLVABLE] == GS_RUNG_PASS || r->rungs[GS_RUNG_SOLVABLE] == GS_RUNG_FAIL)
        printf("  oracle %d/%d", r->solved, r->seeds);
    if (r->learned && r->rungs[GS_RUNG_LEARNABLE] != GS_RUNG_SKIP)
        printf("  learned %d/%d seeds in %.0f steps", r->learn_solved, ui->learn_seeds, r->learn_steps);
    if (r->nearest[0]) printf("  nearest %s (%.2f)", r->nearest, r->similarity);
    printf("  %.2f s\n", seconds);
    if (!r->passed) printf("  %s: %s\n", gs_rung_name(r->failed), r->message);
    else if (r->same_name[0] && !ui->quiet) printf("  note: %s\n", r->rung_message[GS_RUNG_NOVEL]);
    if (r->warning[0]) printf("  warning: %s\n", r->warning);
    fflush(stdout);
}

/* Validates the files and prints what came of them; the exit status. */
static int run_validate(const cli_list *files, gs_ladder_options *opt, const cli_common *common) {
    char err[1024];
    int status;
    validate_ui ui = {common->json, common->quiet, opt->learn_seeds};
    opt->scale.on_retry = cli_print_retry;
    gs_validate_summary sum;
    char *json = NULL;
    gs_status st = gs_validate_files(files->items, files->n, opt, print_result, &ui, &sum,
                                     common->json ? &json : NULL, err, sizeof err);
    if (st != GS_OK) {
        fprintf(stderr, "gensim validate: %s\n", err);
        status = cli_exit_status(st);
    } else {
        if (json) puts(json);
        else if (!common->quiet)
            printf("%d of %d task%s passed, %.2f s\n", sum.accepted, sum.total, sum.total == 1 ? "" : "s", sum.wall_s);
        status = sum.accepted == sum.total ? CLI_OK : CLI_TASK;
    }
    free(json);
    return status;
}

int cmd_validate(int argc, char **argv) {
    gs_ladder_options opt = gs_ladder_options_default();
    uint64_t seeds = (uint64_t)opt.seeds, min_solved = 0; /* 0: 7 in 8 of the seeds */
    uint64_t learn_seeds = (uint64_t)opt.learn_seeds, learn_threads = 1;
    const char *split = "train";
    int no_novelty = 0;
    const char *dir_items[GS_LADDER_MAX_DIRS];
    cli_list dirs = {dir_items, 0, GS_LADDER_MAX_DIRS};
    cli_common common = {0, 0, &opt.task, &opt.scale, 0};
    const cli_flag flags[] = {
        {"--seeds", CLI_COUNT, &seeds, 1, GS_LADDER_MAX_SEEDS, NULL, "K", "seeds per task (default 8, at most 64)"},
        {"--min-solved", CLI_COUNT, &min_solved, 1, GS_LADDER_MAX_SEEDS, NULL, "M",
         "oracle successes needed (default 7 of 8: 7/8 of K, rounded up)"},
        {"--seed", CLI_COUNT, &opt.first_seed, 0, 1e18, NULL, "S", "the first seed (default 0)"},
        {"--dir", CLI_LIST, &dirs, 0, 0, NULL, "DIR",
         "a library folder to compare with (repeatable; default the plugin\n"
         "path and the library's tasks/seed and tasks/generated)"},
        {"--no-novelty", CLI_SWITCH, &no_novelty, 0, 0, NULL, NULL, "compare with no library (the novel rung passes)"},
        {"--threshold", CLI_NUMBER, &opt.threshold, 1e-9, 1, NULL, "T", "duplicate at combined similarity >= T (default 0.9)"},
        {"--code-threshold", CLI_NUMBER, &opt.code_threshold, 1e-9, 1, NULL, "T",
         "duplicate at code similarity >= T (default 0.95)"},
        {"--split", CLI_CHOICE, &split, 0, 0, "train|test", "NAME", "the colours the tasks draw from (default train)"},
        {"--render", CLI_TEXT, &opt.render_dir, 0, 0, NULL, "DIR",
         "picture each oracle episode's first and last frame in DIR\n"
         "(created); a failed solvable rung names the last frame of its\n"
         "example seed"},
        {"--learn-steps", CLI_COUNT, &opt.learn_steps, 1, 1e10, NULL, "N",
         "learnable: CEM's environment steps over its seeds (default 40000)"},
        {"--learn-seeds", CLI_COUNT, &learn_seeds, 1, GS_LADDER_MAX_SEEDS, NULL, "K", "learnable: seeds planned (default 4)"},
        {"--learn-threshold", CLI_NUMBER, &opt.learn_threshold, 1e-9, 1, NULL, "P",
         "learnable: the fraction of them CEM must solve (default 0.5)"},
        {"--learn-threads", CLI_COUNT, &learn_threads, 1, 64, NULL, "T", "learnable: threads (default 1)"},
    };
    const char *file_items[256];
    cli_list files = {file_items, 0, 256};
    const cli_command cmd = {
        "gensim validate", "TASK.lua... [--seeds K] [--min-solved M] [--seed S]\n"
                           "                       [--dir DIR]... [--no-novelty] [--threshold T]\n"
                           "                       [--code-threshold T] [--split train|test] [--jobs N]\n"
                           "                       [--shard I/N] [--render DIR] [--json] [--quiet]",
        "Runs the validation ladder on each task file, stopping at the first failing rung:\n"
        "  syntax      the chunk compiles\n"
        "  shape       it returns a valid task{...}\n"
        "  runtime     reset succeeds on K distinct seeds and the scene is valid\n"
        "  nontrivial  the goals are not met at reset, and doing nothing does not succeed\n"
        "  solvable    the oracle succeeds on at least M of the K seeds\n"
        "  learnable   instead of solvable for a task whose parts are learned (control =\n"
        "              \"continuous\", or subtasks with rewards): CEM succeeds on enough seeds\n"
        "  novel       no library task has nearly the same code and description\n"
        "Prints one line per task (a mark per rung: + passed, x failed, . not reached,\n"
        "- not applicable) and the failure message; --json prints one object with every\n"
        "result and per-rung counts. --jobs N validates N files at once (reported in the\n"
        "order given); --shard I/N validates part I of the files.\n",
        flags, (int)(sizeof flags / sizeof flags[0]), &files, "task file", 1, 1,
        "Exit status: 0 all passed, 2 bad usage or an unreadable file, 3 a task failed.\n",
        CLI_SCALE_ALL};
    int status = cli_parse(&cmd, argc, argv, &common);
    if (status != CLI_OK) return status == CLI_HELP ? CLI_OK : status;
    char err[1024];
    if (files.n == 0) return cli_usage_error(&cmd, "no task file given");
    if (!min_solved) min_solved = (uint64_t)gs_ladder_min_solved((int)seeds);
    if (opt.render_dir && gs_make_dirs(opt.render_dir, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim validate: %s\n", err);
        return CLI_USAGE;
    }
    if (min_solved > seeds) return cli_usage_error(&cmd, "--min-solved %d is more than --seeds %d", (int)min_solved, (int)seeds);
    opt.seeds = (int)seeds, opt.min_solved = (int)min_solved;
    opt.learn_seeds = (int)learn_seeds, opt.learn_threads = (int)learn_threads;
    opt.task.test_split = strcmp(split, "test") == 0;
    char *owned[GS_LADDER_MAX_DIRS];
    int nowned = 0;
    for (int k = 0; k < dirs.n; k++) opt.dirs[opt.ndirs++] = dirs.items[k];
    if (no_novelty) opt.ndirs = 0;
    else if (opt.ndirs == 0) opt.ndirs = nowned = cli_default_folders(opt.dirs, owned, GS_LADDER_MAX_DIRS);

    status = run_validate(&files, &opt, &common);
    gs_free_strings(owned, nowned);
    return status;
}
