/* gensim: the subcommands around the task runtime.
 *
 * Exit status: 0 done, 2 bad usage or unreadable input, 3 a task failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "gensim/host.h"
#include "gensim/io.h"
#include "gensim/plugin.h"
#include "gensim/workflow.h"

static int cmd_assets(int argc, char **argv);
static int cmd_list(int argc, char **argv);
static int cmd_lua(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} COMMANDS[] = {
    {"assets", cmd_assets, "list the asset kinds, their options and default sizes"},
    {"curriculum", cmd_curriculum, "run a curriculum: stages of demos, training and evaluation (resumable)"},
    {"demos", cmd_demos, "record successful oracle episodes with observations into HDF5"},
    {"eval", cmd_eval, "run a trained policy in closed loop on tasks and report success"},
    {"generate", cmd_generate, "have a language model write tasks; keep the ones that climb the ladder"},
    {"learn", cmd_learn, "learn a skill (CEM or PPO) for a continuous-control task from its dense reward"},
    {"library", cmd_library, "the task library: gallery (an HTML page of every task)"},
    {"list", cmd_list, "list the tasks in folders (default: tasks/seed tasks/generated plugins)"},
    {"lua", cmd_lua, "run a trusted Lua script with the gensim module (specs, pipelines)"},
    {"plugin", cmd_plugin, "the plugin path: list what is on it, scaffold a plugin, check one"},
    {"train", cmd_train, "train the Transporter policy on HDF5 demonstrations"},
    {"validate", cmd_validate, "run the validation ladder on task files"},
    {"version", cmd_version, "the version, the task API, and how tasks are isolated"},
};
#define NCOMMANDS ((int)(sizeof COMMANDS / sizeof COMMANDS[0]))

static void usage(FILE *f) {
    fprintf(f, "usage: gensim COMMAND [ARGS] [--json] [--help]\n\ncommands:\n");
    for (int i = 0; i < NCOMMANDS; i++) fprintf(f, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f, "\nRun oracle episodes with gensim-run TASK.lua; see gensim COMMAND --help.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) return cmd_version(1, argv + 1);
    const char *names[NCOMMANDS];
    for (int i = 0; i < NCOMMANDS; i++) {
        names[i] = COMMANDS[i].name;
        if (strcmp(argv[1], COMMANDS[i].name) == 0) return COMMANDS[i].run(argc - 1, argv + 1);
    }
    const char *near = gsu_nearest_name(argv[1], names, NCOMMANDS);
    fprintf(stderr, "gensim: unknown command '%s'%s%s%s (see gensim --help)\n", argv[1],
            near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    return CLI_USAGE;
}

static int wants_help(int argc, char **argv, const char *text) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(text, stdout);
            return 1;
        }
    return 0;
}

static int cmd_assets(int argc, char **argv) {
    if (wants_help(argc, argv, "usage: gensim assets [--json]\n\nThe asset kinds a task may add, "
                               "with their options and default sizes.\n"))
        return CLI_OK;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else {
            fprintf(stderr, "gensim assets: unknown argument '%s'\n", argv[i]);
            return CLI_USAGE;
        }
    }
    char *text = gs_kinds_json();
    cJSON *arr = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!arr) {
        fprintf(stderr, "gensim assets: out of memory\n");
        return CLI_USAGE;
    }
    /* the URDF files kind urdf can load, with their joints: in JSON the
     * urdf kind's "files", in text a list after the kinds */
    char **files;
    int nfiles = gs_scene_files(&files);
    cJSON *scenes = cJSON_CreateArray();
    char *lines = calloc((size_t)nfiles + 1, 640), *line = lines;
    for (int i = 0; i < nfiles; i++) {
        gs_model *m = malloc(sizeof *m);
        char err[512] = "out of memory", joints[512] = "";
        int ok = m && gs_urdf_load(files[i], 1.0, m, err, sizeof err) == GS_OK;
        cJSON *o = cJSON_CreateObject(), *list = cJSON_CreateArray();
        cJSON_AddStringToObject(o, "file", files[i]);
        for (int k = 1; ok && k < m->nlinks; k++) {
            cJSON_AddItemToArray(list, cJSON_CreateString(m->links[k].joint));
            size_t used = strlen(joints);
            snprintf(joints + used, sizeof joints - used, "%s%s", k > 1 ? ", " : "", m->links[k].joint);
        }
        cJSON_AddItemToObject(o, "joints", list);
        if (!ok) cJSON_AddStringToObject(o, "error", err);
        cJSON_AddItemToArray(scenes, o);
        if (lines) {
            int n = snprintf(line, 640, "  %-28s %s%s\n", files[i], ok ? "joints: " : "", ok ? joints : err);
            line += n > 0 && n < 640 ? n : n > 0 ? 639 : 0;
        }
        if (ok) gs_model_free(m);
        free(m);
    }
    gs_free_paths(files, nfiles);
    cJSON *kind = NULL, *urdf = NULL;
    cJSON_ArrayForEach(kind, arr) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(kind, "name");
        if (cJSON_IsString(name) && strcmp(name->valuestring, "urdf") == 0) urdf = kind;
    }
    if (urdf) cJSON_AddItemToObject(urdf, "files", scenes);
    else cJSON_Delete(scenes);
    if (json) {
        free(lines);
        cli_print_json(arr);
        return CLI_OK;
    }
    const cJSON *k;
    cJSON_ArrayForEach(k, arr) {
        const cJSON *size = cJSON_GetObjectItem(k, "size"), *plugin = cJSON_GetObjectItem(k, "plugin");
        printf("%-12s %-10s size %.3f x %.3f x %.3f  %s  options: %s\n",
               cJSON_GetStringValue(cJSON_GetObjectItem(k, "name")), cJSON_GetStringValue(cJSON_GetObjectItem(k, "role")),
               cJSON_GetArrayItem(size, 0)->valuedouble, cJSON_GetArrayItem(size, 1)->valuedouble,
               cJSON_GetArrayItem(size, 2)->valuedouble, cJSON_IsTrue(cJSON_GetObjectItem(k, "fixed")) ? "fixed  " : "movable",
               cJSON_GetStringValue(cJSON_GetObjectItem(k, "options_text")));
        printf("%-12s %s%s%s%s\n", "", cJSON_GetStringValue(cJSON_GetObjectItem(k, "doc")),
               cJSON_IsString(plugin) ? " (plugin " : "", cJSON_IsString(plugin) ? plugin->valuestring : "",
               cJSON_IsString(plugin) ? ")" : "");
    }
    if (nfiles && lines) printf("\nURDF files (kind urdf, file = ...):\n%s", lines);
    free(lines);
    cJSON_Delete(arr);
    return CLI_OK;
}

static int cmd_list(int argc, char **argv) {
    if (wants_help(argc, argv, "usage: gensim list [DIR...] [--json]\n\nLoads every .lua file in the "
                               "folders (default: tasks/seed tasks/generated plugins)\nand lists its "
                               "name and description; a file that fails to load is listed with\nits "
                               "error and makes the exit status 3.\n"))
        return CLI_OK;
    int json = 0, ndirs = 0, status = CLI_OK;
    const char *dirs[64];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "gensim list: unknown option '%s'\n", argv[i]);
            return CLI_USAGE;
        } else if (ndirs < 64) dirs[ndirs++] = argv[i];
    }
    int defaults = ndirs == 0;
    char *owned[64];
    int nowned = defaults ? cli_default_folders(dirs, owned, 64) : 0;
    if (defaults) ndirs = nowned;
    cJSON *arr = cJSON_CreateArray();
    for (int d = 0; d < ndirs; d++) {
        char **files;
        char err[1024];
        int nfiles = gs_list_files(dirs[d], ".lua", &files, err, sizeof err);
        if (nfiles < 0) {
            if (defaults) continue;
            fprintf(stderr, "gensim list: %s\n", err);
            cJSON_Delete(arr);
            return CLI_USAGE;
        }
        for (int f = 0; f < nfiles; f++) {
            char err[1024];
            const char *path = files[f];
            gs_task_options opt = gs_task_options_default();
            gs_task *t;
            gs_status st = gs_task_load(path, &opt, &t, err, sizeof err);
            if (st != GS_OK) status = CLI_TASK;
            if (json) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "path", path);
                if (st == GS_OK) {
                    cJSON_AddStringToObject(o, "name", gs_task_name(t));
                    cJSON_AddStringToObject(o, "description", gs_task_description(t));
                    cJSON_AddNumberToObject(o, "max_steps", gs_task_max_steps(t));
                } else {
                    cJSON_AddStringToObject(o, "error", err);
                }
                cJSON_AddItemToArray(arr, o);
            } else if (st == GS_OK) {
                printf("%-28s %s\n", gs_task_name(t), gs_task_description(t));
            } else {
                printf("%-28s ERROR %s\n", path, err);
            }
            if (st == GS_OK) gs_task_free(t);
        }
        gs_free_paths(files, nfiles);
    }
    gs_free_strings(owned, nowned);
    if (json) cli_print_json(arr);
    else cJSON_Delete(arr);
    return status;
}

/* Trusted Lua: arg is set as the stand-alone interpreter sets it. */
static int cmd_lua(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs("usage: gensim lua SCRIPT [ARGS...]\n\nRuns SCRIPT with the full standard library and "
              "require 'gensim'.\n", argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    char err[8192];
    gs_status st = gs_host_run_script(argv[1], argc - 2, argv + 2, NULL, err, sizeof err);
    if (st == GS_OK) return CLI_OK;
    fprintf(stderr, "gensim lua: %s\n", err);
    return st == GS_ERR_IO || st == GS_ERR_SYNTAX ? CLI_USAGE : CLI_TASK;
}

static int cmd_version(int argc, char **argv) {
    if (wants_help(argc, argv, "usage: gensim version [--json]\n\nThe version, the task API version, the data "
                               "folder, and whether task workers run under the system-call filter.\n"))
        return CLI_OK;
    int json = argc > 1 && strcmp(argv[1], "--json") == 0;
    if (argc > 1 + json) {
        fprintf(stderr, "gensim version: unexpected argument '%s' (see gensim version --help)\n", argv[1 + json]);
        return CLI_USAGE;
    }
    const char *data = gs_data_dir();
    if (!json) {
        printf("gensim %s (task API %d, data %s, system-call filter %s)\n", gs_version(), GS_TASK_API,
               data ? data : "not found", gs_worker_filtered() ? "on" : "off: built without libseccomp");
        return CLI_OK;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", gs_version());
    cJSON_AddNumberToObject(o, "task_api", GS_TASK_API);
    if (data) cJSON_AddStringToObject(o, "data_dir", data);
    else cJSON_AddNullToObject(o, "data_dir");
    cJSON_AddBoolToObject(o, "seccomp", gs_worker_filtered());
    cli_print_json(o);
    return CLI_OK;
}
