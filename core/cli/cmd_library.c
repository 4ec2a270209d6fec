/* gensim library: the task library as a whole: its gallery and the store
 * of accepted tasks (list, show, remove, stats, export-finetune). The work
 * is the library's (library.h); this file parses and prints.
 *
 * Exit status: 0 done, 2 bad usage, no such task, or a file that could not
 * be read or written, 3 a task failed to load or run (gallery). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "flags.h"
#include "gensim/io.h"
#include "gensim/library.h"

static const char LIBRARY_USAGE[] =
    "usage: gensim library SUBCOMMAND [ARGS] [--help]\n"
    "\n"
    "The task library (the data folder's tasks/seed and tasks/generated, and the\n"
    "plugin path).\n"
    "\n"
    "subcommands:\n"
    "  gallery           write a static HTML page of every task, with pictures, its\n"
    "                    language goals and the oracle's measured success rate\n"
    "  list              the accepted tasks of a library folder (default tasks/generated)\n"
    "  show NAME         one task's record and the path of its code\n"
    "  remove NAME       removes a task (its record, its code, its index entry)\n"
    "  stats             counts, oracle success, rungs, models; kinds, metrics, Self-BLEU,\n"
    "                    code similarity of the seed, generated and both (library_stats.lua)\n"
    "  export-finetune OUT.jsonl\n"
    "                    a chat fine-tuning set, one line per accepted task\n"
    "  merge PART... --out DIR\n"
    "                    joins library folders (a campaign's shards) into DIR, running\n"
    "                    the novelty check again across them\n"
    "\n"
    "See gensim library SUBCOMMAND --help.\n";

static int gallery(int argc, char **argv);
static int merge(int argc, char **argv);
static int store(const char *sub, int argc, char **argv);
static int store_list(const char *dir, int json);
static int store_show(const char *dir, const char *name, int json);
static int store_remove(const char *dir, const char *name, int json);
static int store_export(const char *dir, const char *out, int json);

static const char *const SUBCOMMANDS[] = {"gallery", "list", "show", "remove", "stats", "export-finetune", "merge"};
#define NSUB ((int)(sizeof SUBCOMMANDS / sizeof SUBCOMMANDS[0]))

int cmd_library(int argc, char **argv) {
    if (argc < 2) {
        fputs(LIBRARY_USAGE, stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        fputs(LIBRARY_USAGE, stdout);
        return CLI_OK;
    }
    if (strcmp(sub, "gallery") == 0) return gallery(argc - 1, argv + 1);
    if (strcmp(sub, "merge") == 0) return merge(argc - 1, argv + 1);
    if (strcmp(sub, "stats") == 0)
        return cli_run_script("gensim library stats", "scripts/library_stats.lua", argc - 1, argv + 1);
    for (int i = 1; i < NSUB; i++)
        if (strcmp(sub, SUBCOMMANDS[i]) == 0) return store(sub, argc - 1, argv + 1);
    char hint[256];
    fprintf(stderr, "gensim library: unknown subcommand '%s'%s (see gensim library --help)\n", sub,
            gsu_suggest(sub, SUBCOMMANDS, NSUB, hint, sizeof hint));
    return CLI_USAGE;
}

static void print_card(void *ud, int i, int n, const char *name, int successes, int episodes,
                       const char *error, double seconds) {
    (void)ud;
    if (error) fprintf(stderr, "gallery: [%d/%d] %s: ERROR %s\n", i + 1, n, name, error);
    else fprintf(stderr, "gallery: [%d/%d] %s: %d/%d oracle successes, %.2f s\n", i + 1, n, name, successes,
                 episodes, seconds);
}

static int gallery(int argc, char **argv) {
    gs_gallery_options o = gs_gallery_options_default();
    cli_common common = {0, 0, &o.task_opt, &o.scale, 0};
    const cli_flag flags[] = {
        {"--out", CLI_TEXT, &o.out, 0, 0, NULL, "DIR", "where index.html and the pictures go (created)"},
        {"--episodes", CLI_COUNT, &o.episodes, 1, 100000, NULL, "N", "oracle episodes per task (default 20)"},
        {"--seed", CLI_COUNT, &o.seed, 0, 1e18, NULL, "S", "the first seed, the one pictured (default 0)"},
        {"--gif", CLI_SWITCH, &o.clip, 0, 0, NULL, NULL, "also an animated GIF of the pictured episode"},
    };
    const char *dirs[64];
    cli_list folders = {dirs, 0, 64};
    const cli_command cmd = {
        "gensim library gallery", "--out DIR [--episodes N] [--seed S] [--gif] [--jobs N] [--shard I/N]\n"
                                  "                              [--json] [DIR...]",
        "Loads every .lua task in the folders (default: the plugin path and the library's\n"
        "tasks/seed and tasks/generated), runs N oracle episodes of each (seeds S ..\n"
        "S+N-1) to measure its success rate, pictures the first one, and writes\n"
        "OUT/index.html: a card per task with its name, description, language goals,\n"
        "success rate and pictures. A task that fails to load or run is on the page with\n"
        "its error and makes the exit status 3. Progress goes to stderr. --jobs N measures\n"
        "N tasks at once (the page is the same); --shard I/N makes a page of part I of the\n"
        "tasks.\n",
        flags, (int)(sizeof flags / sizeof flags[0]), &folders, "folder", 1, 0, NULL, CLI_SCALE_ALL};
    int status = cli_parse(&cmd, argc, argv, &common);
    if (status != CLI_OK) return status == CLI_HELP ? CLI_OK : status;
    if (!o.out) return cli_usage_error(&cmd, "--out DIR is required");
    o.dirs = dirs, o.ndirs = folders.n;
    o.on_card = print_card;
    o.scale.on_retry = cli_print_retry;
    char *json = NULL, err[1024];
    gs_status st = gs_gallery(&o, common.json ? &json : NULL, err, sizeof err);
    if (st != GS_OK) fprintf(stderr, "gensim library gallery: %s\n", err);
    else fprintf(stderr, "gallery: wrote %s/index.html\n", o.out);
    if (json) puts(json);
    free(json);
    return cli_exit_status(st);
}

/* ---- merge ---- */

static int merge(int argc, char **argv) {
    const char *out = NULL;
    gs_ladder_options lo = gs_ladder_options_default();
    const cli_flag flags[] = {
        {"--out", CLI_TEXT, &out, 0, 0, NULL, "DIR", "the library folder to write (created)"},
        {"--threshold", CLI_NUMBER, &lo.threshold, 1e-9, 1, NULL, "T", "duplicate at combined similarity >= T (default 0.9)"},
        {"--code-threshold", CLI_NUMBER, &lo.code_threshold, 1e-9, 1, NULL, "T",
         "duplicate at code similarity >= T (default 0.95)"},
    };
    const char *items[4096];
    cli_list parts = {items, 0, 4096};
    const cli_command cmd = {
        "gensim library merge", "PART... --out DIR [--threshold T] [--code-threshold T] [--json]",
        "Joins library folders into DIR: the parts the shards of a generation campaign\n"
        "wrote (gensim generate -n N --shard I/K; each part's campaign.json must be of\n"
        "the same campaign, every shard once and finished), in the campaign's proposal\n"
        "order, or any folders, in the order given. The novelty check runs again across\n"
        "them: a task that is a near duplicate of one kept before it (or already in DIR),\n"
        "or takes its name, is left out, so the result does not depend on the split. A\n"
        "task DIR already holds with the same code counts as merged: an interrupted merge\n"
        "run again finishes.\n",
        flags, (int)(sizeof flags / sizeof flags[0]), &parts, "part", 0, 0,
        "Exit status: 0 merged; 2 bad usage, parts that are not one campaign's, overlap,\n"
        "miss a shard or are unfinished, or a folder that cannot be read or written.\n",
        CLI_SCALE_NONE};
    cli_common common = {0, 0, NULL, NULL, 0};
    int status = cli_parse(&cmd, argc, argv, &common);
    if (status != CLI_OK) return status == CLI_HELP ? CLI_OK : status;
    if (!parts.n) return cli_usage_error(&cmd, "no part to merge");
    if (!out) return cli_usage_error(&cmd, "--out DIR is required");
    char *json = NULL, err[1024];
    gs_status st = gs_library_merge(parts.items, parts.n, out, lo.code_threshold, lo.threshold, &json, err, sizeof err);
    if (st != GS_OK) {
        fprintf(stderr, "gensim library merge: %s\n", err);
        return cli_exit_status(st);
    }
    cJSON *j = cJSON_Parse(json);
    if (common.json) puts(json);
    else {
        const cJSON *d;
        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(j, "dropped"))
            printf("left out %s (%s): a near duplicate of %s\n",
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "name")),
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "part")),
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "duplicate_of")));
        printf("merged %d parts into %s: %d tasks kept, %d left out\n", parts.n, out,
               cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "kept")),
               cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "dropped")));
    }
    cJSON_Delete(j);
    free(json);
    return CLI_OK;
}

/* ---- the store: list, show, remove, stats, export-finetune ---- */

static int store(const char *sub, int argc, char **argv) {
    char generated[4096], err[1024];
    const char *dir = NULL;
    const cli_flag flags[] = {
        {"--dir", CLI_TEXT, &dir, 0, 0, NULL, "DIR", "the library folder (default: the data folder's tasks/generated)"},
    };
    int needs_arg = strcmp(sub, "show") == 0 || strcmp(sub, "remove") == 0 || strcmp(sub, "export-finetune") == 0;
    const char *args[1];
    cli_list arg = {args, 0, needs_arg};
    char prog[64];
    snprintf(prog, sizeof prog, "gensim library %s", sub);
    const cli_command cmd = {
        prog, strcmp(sub, "export-finetune") == 0 ? "OUT.jsonl [--dir DIR] [--json]"
              : needs_arg ? "NAME [--dir DIR] [--json]" : "[--dir DIR] [--json]",
        "The accepted tasks of a library folder: DIR/NAME.lua with its record DIR/NAME.json\n"
        "and DIR/index.json.\n"
        "  list             name, oracle success, time and description of every task\n"
        "  show NAME        the record (JSON) and the path of the code\n"
        "  remove NAME      removes the record, the code and the index entry\n"

        "  export-finetune  writes OUT.jsonl (atomically): one chat example per accepted\n"
        "                   task, {\"messages\": [system, user: the request, assistant: the code]}\n",
        flags, 1, needs_arg ? &arg : NULL, strcmp(sub, "export-finetune") == 0 ? "OUT.jsonl" : "NAME", 0, 0,
        "Exit status: 0 done, 2 bad usage, no such task, or a file that could not be read\n"
        "or written.\n", 0};
    cli_common common = {0, 0, NULL, NULL, 0};
    int status = cli_parse(&cmd, argc, argv, &common);
    if (status != CLI_OK) return status == CLI_HELP ? CLI_OK : status;
    if (needs_arg && !arg.n) return cli_usage_error(&cmd, "%s is required", cmd.positional_name);
    if (!dir) {
        if (gs_data_path("tasks/generated", generated, sizeof generated, err, sizeof err) != GS_OK) {
            fprintf(stderr, "%s: %s\n", prog, err);
            return CLI_USAGE;
        }
        dir = generated;
    }
    if (strcmp(sub, "list") == 0) return store_list(dir, common.json);
    if (strcmp(sub, "show") == 0) return store_show(dir, args[0], common.json);
    if (strcmp(sub, "remove") == 0) return store_remove(dir, args[0], common.json);
    return store_export(dir, args[0], common.json);
}

static int store_list(const char *dir, int json) {
    gs_library_entry *e;
    int n;
    char err[1024];
    if (gs_library_list(dir, &e, &n, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim library list: %s\n", err);
        return CLI_USAGE;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "dir", dir);
        cJSON_AddNumberToObject(o, "count", n);
        cJSON *arr = cJSON_AddArrayToObject(o, "tasks");
        for (int i = 0; i < n; i++) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "name", e[i].name);
            cJSON_AddStringToObject(t, "path", e[i].path);
            cJSON_AddStringToObject(t, "description", e[i].description);
            if (e[i].oracle_success >= 0) cJSON_AddNumberToObject(t, "oracle_success", e[i].oracle_success);
            else cJSON_AddNullToObject(t, "oracle_success");
            cJSON_AddStringToObject(t, "time", e[i].time);
            cJSON_AddStringToObject(t, "hash", e[i].hash);
            cJSON_AddItemToArray(arr, t);
        }
        cli_print_json(o);
    } else {
        for (int i = 0; i < n; i++) {
            char rate[16] = "  -";
            if (e[i].oracle_success >= 0) snprintf(rate, sizeof rate, "%3.0f%%", 100 * e[i].oracle_success);
            printf("%-32s %s  %-20s  %s\n", e[i].name, rate, e[i].time, e[i].description);
        }
        printf("%d task%s in %s\n", n, n == 1 ? "" : "s", dir);
    }
    gs_library_entries_free(e, n);
    return CLI_OK;
}

static int store_show(const char *dir, const char *name, int json) {
    char *record, err[1024];
    if (gs_library_read(dir, name, &record, NULL, NULL, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim library show: %s\n", err);
        return CLI_USAGE;
    }
    cJSON *rec = cJSON_Parse(record);
    free(record);
    char path[8200];
    snprintf(path, sizeof path, "%s/%s.lua", dir, name);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddStringToObject(o, "path", path);
        cJSON_AddItemToObject(o, "record", rec ? rec : cJSON_CreateNull());
        cli_print_json(o);
    } else {
        char *text = rec ? cJSON_Print(rec) : NULL;
        printf("code: %s\nrecord: %s/%s.json\n%s\n", path, dir, name, text ? text : "{}");
        cJSON_free(text);
        cJSON_Delete(rec);
    }
    return CLI_OK;
}

static int store_remove(const char *dir, const char *name, int json) {
    char err[1024];
    if (gs_library_remove(dir, name, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim library remove: %s\n", err);
        return CLI_USAGE;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "removed", name);
        cJSON_AddStringToObject(o, "dir", dir);
        cli_print_json(o);
    } else {
        printf("removed %s from %s\n", name, dir);
    }
    return CLI_OK;
}

static int store_export(const char *dir, const char *out, int json) {
    char path[4096], err[1024], *system = NULL;
    int examples, skipped;
    gs_status st = gs_data_path("scripts/prompts/system.md", path, sizeof path, err, sizeof err);
    if (st == GS_OK) st = gs_read_file(path, 1 << 20, &system, NULL, err, sizeof err);
    if (st == GS_OK) st = gs_library_export_finetune(dir, system, out, &examples, &skipped, err, sizeof err);
    free(system);
    if (st != GS_OK) {
        fprintf(stderr, "gensim library export-finetune: %s\n", err);
        return CLI_USAGE;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "out", out);
        cJSON_AddNumberToObject(o, "examples", examples);
        cJSON_AddNumberToObject(o, "skipped", skipped);
        cli_print_json(o);
    } else {
        printf("wrote %s: %d example%s (%d not accepted, skipped)\n", out, examples, examples == 1 ? "" : "s", skipped);
    }
    return CLI_OK;
}

