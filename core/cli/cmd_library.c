/* gensim library: the task library as a whole.
 *
 * gallery: one static HTML page of every task in the library folders, each
 * with pictures of an oracle episode, its description and language goals,
 * and the oracle's measured success rate. The page needs nothing but its
 * folder: inline CSS, no scripts, the pictures beside it.
 *
 * Exit status: 0 done, 2 bad usage or the page could not be written, 3 a
 * task failed to load or run (it is on the page with its error). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "gensim/io.h"
#include "gensim/library.h"

static const char LIBRARY_USAGE[] =
    "usage: gensim library SUBCOMMAND [ARGS] [--help]\n"
    "\n"
    "The task library (tasks/seed, tasks/generated, plugins).\n"
    "\n"
    "subcommands:\n"
    "  gallery           write a static HTML page of every task, with pictures, its\n"
    "                    language goals and the oracle's measured success rate\n"
    "  list              the accepted tasks of a library folder (default tasks/generated)\n"
    "  show NAME         one task's record and the path of its code\n"
    "  remove NAME       removes a task (its record, its code, its index entry)\n"
    "  stats             counts, mean oracle success, per-rung totals, models used\n"
    "  export-finetune OUT.jsonl\n"
    "                    a chat fine-tuning set, one line per accepted task\n"
    "\n"
    "See gensim library SUBCOMMAND --help.\n";

static const char GALLERY_USAGE[] =
    "usage: gensim library gallery --out DIR [--episodes N] [--seed S] [--gif] [--json]\n"
    "                              [DIR...]\n"
    "\n"
    "Loads every .lua task in the folders (default: tasks/seed tasks/generated plugins),\n"
    "runs N oracle episodes of each (seeds S .. S+N-1) to measure its success rate,\n"
    "pictures the first one, and writes OUT/index.html: a card per task with its name,\n"
    "description, language goals, success rate and pictures. A task that fails to load\n"
    "or run is on the page with its error and makes the exit status 3. Progress goes\n"
    "to stderr.\n"
    "\n"
    "  --out DIR             where index.html and the pictures go (created)\n"
    "  --episodes N          oracle episodes per task (default 20)\n"
    "  --seed S              the first seed, the one pictured (default 0)\n"
    "  --gif                 also an animated GIF of the pictured episode\n"
    "  --json                print a JSON summary on stdout\n"
    "%s"
    "  -h, --help            this text\n";

/* The store's subcommands (at the end of the file). */
static int cmd_library_store(const char *sub, int argc, char **argv);
static const char *const STORE[] = {"list", "show", "remove", "stats", "export-finetune"};
#define NSTORE ((int)(sizeof STORE / sizeof STORE[0]))

/* One card of the gallery. */
typedef struct card {
    char *path;            /* the task file */
    char *name;            /* NULL when it did not load */
    char *description;
    char **goals;          /* (ngoals) the distinct language goals, in stage order */
    int ngoals;
    int episodes, successes;
    char first[4096], last[4096], gif[4096]; /* file names in the out folder, "" if none */
    char *error;           /* NULL when all went well */
} card;

static int gallery(int argc, char **argv);
static void measure(card *c, const gs_task_options *opt, const char *out, uint64_t seed,
                    int episodes, int clip);
static void keep_goals(card *c, const gs_scene *s);
static char *html_page(const card *cards, int n, int episodes, uint64_t seed);
static void html_card(FILE *f, const card *c, int episodes);
static void html_text(FILE *f, const char *s);
static cJSON *json_card(const card *c, const char *out);
static const char *base_name(const char *path);
static void free_card(card *c);
static char *copy_text(const char *s);

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
    for (int i = 0; i < NSTORE; i++)
        if (strcmp(sub, STORE[i]) == 0) return cmd_library_store(sub, argc - 1, argv + 1);
    const char *names[1 + NSTORE] = {"gallery"};
    for (int i = 0; i < NSTORE; i++) names[1 + i] = STORE[i];
    const char *near = gsu_nearest_name(sub, names, 1 + NSTORE);
    fprintf(stderr, "gensim library: unknown subcommand '%s'%s%s%s (see gensim library --help)\n",
            sub, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    return CLI_USAGE;
}

static int gallery(int argc, char **argv) {
    const char *out = NULL;
    uint64_t episodes = 20, seed = 0;
    int json = 0, clip = 0, ndirs = 0;
    const char *dirs[64];
    gs_task_options opt = gs_task_options_default();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int common = cli_common_flag(argc, argv, &i, &opt, GALLERY_USAGE, &json, NULL);
        if (common == CLI_FLAG_BAD) return CLI_USAGE;
        if (common == CLI_FLAG_HELP) return CLI_OK;
        if (common == CLI_FLAG_TAKEN) continue;
        if (strcmp(a, "--gif") == 0) clip = 1;
        else if (strcmp(a, "--out") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                fprintf(stderr, "gensim library gallery: --out needs a folder\n");
                return CLI_USAGE;
            }
            out = argv[++i];
        } else if (strcmp(a, "--episodes") == 0 || strcmp(a, "--seed") == 0) {
            uint64_t *dst = a[2] == 'e' ? &episodes : &seed;
            if (i + 1 >= argc || !cli_parse_u64(argv[i + 1], dst) ||
                (dst == &episodes && (episodes < 1 || episodes > 100000))) {
                fprintf(stderr, "gensim library gallery: %s needs a %s\n", a,
                        dst == &episodes ? "count from 1 to 100000" : "non-negative integer");
                return CLI_USAGE;
            }
            i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gensim library gallery: unknown option '%s' (see --help)\n", a);
            return CLI_USAGE;
        } else if (ndirs < 64) {
            dirs[ndirs++] = a;
        } else {
            fprintf(stderr, "gensim library gallery: at most 64 folders\n");
            return CLI_USAGE;
        }
    }
    if (!out) {
        fprintf(stderr, "gensim library gallery: --out DIR is required (see --help)\n");
        return CLI_USAGE;
    }
    char err[1024];
    if (gs_make_dirs(out, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim library gallery: %s\n", err);
        return CLI_USAGE;
    }
    int defaults = ndirs == 0;
    char *owned[64];
    int nowned = defaults ? cli_default_folders(dirs, owned, 64) : 0;
    if (defaults) ndirs = nowned;

    /* Every file first, so progress can say "k of n". */
    char **paths = NULL;
    int npaths = 0;
    for (int d = 0; d < ndirs; d++) {
        char **files;
        int n = gs_list_files(dirs[d], ".lua", &files, err, sizeof err);
        if (n < 0) {
            if (defaults) continue;
            fprintf(stderr, "gensim library gallery: %s\n", err);
            gs_free_paths(paths, npaths);
            gs_free_strings(owned, nowned);
            return CLI_USAGE;
        }
        char **grown = n ? realloc(paths, (size_t)(npaths + n) * sizeof *grown) : paths;
        if (n && !grown) {
            gs_free_paths(files, n);
            gs_free_paths(paths, npaths);
            fprintf(stderr, "gensim library gallery: out of memory\n");
            return CLI_TASK;
        }
        paths = grown;
        if (n) memcpy(paths + npaths, files, (size_t)n * sizeof *files);
        npaths += n;
        free(files);
    }
    gs_free_strings(owned, nowned);
    card *cards = calloc((size_t)(npaths ? npaths : 1), sizeof *cards);
    if (!cards) {
        gs_free_paths(paths, npaths);
        fprintf(stderr, "gensim library gallery: out of memory\n");
        return CLI_TASK;
    }

    int status = CLI_OK, failed = 0;
    double t0 = cli_now();
    for (int i = 0; i < npaths; i++) {
        card *c = &cards[i];
        c->path = paths[i];
        paths[i] = NULL;
        double c0 = cli_now();
        measure(c, &opt, out, seed, (int)episodes, clip);
        if (c->error) {
            status = CLI_TASK;
            failed++;
            fprintf(stderr, "gallery: [%d/%d] %s: ERROR %s\n", i + 1, npaths,
                    c->name ? c->name : c->path, c->error);
        } else {
            fprintf(stderr, "gallery: [%d/%d] %s: %d/%d oracle successes, %.2f s\n", i + 1,
                    npaths, c->name, c->successes, c->episodes, cli_now() - c0);
        }
    }
    free(paths);

    char index[4096];
    snprintf(index, sizeof index, "%s/index.html", out);
    char *page = html_page(cards, npaths, (int)episodes, seed);
    gs_status st = page ? gs_write_file_atomic(index, page, strlen(page), err, sizeof err)
                        : gs_fail(err, sizeof err, GS_ERR_NOMEM, "out of memory writing the page");
    free(page);
    if (st != GS_OK) {
        fprintf(stderr, "gensim library gallery: %s\n", err);
        status = CLI_USAGE;
    } else {
        fprintf(stderr, "gallery: wrote %s: %d tasks, %d failed, %.1f s\n", index, npaths - failed,
                failed, cli_now() - t0);
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "index", index);
        cJSON_AddBoolToObject(o, "written", st == GS_OK);
        cJSON_AddNumberToObject(o, "episodes", (double)episodes);
        cJSON_AddNumberToObject(o, "seed", (double)seed);
        cJSON_AddNumberToObject(o, "tasks", npaths - failed);
        cJSON_AddNumberToObject(o, "failed", failed);
        cJSON *arr = cJSON_AddArrayToObject(o, "cards");
        for (int i = 0; i < npaths; i++) cJSON_AddItemToArray(arr, json_card(&cards[i], out));
        char *text = cJSON_PrintUnformatted(o);
        if (text) puts(text);
        cJSON_free(text);
        cJSON_Delete(o);
    }
    for (int i = 0; i < npaths; i++) free_card(&cards[i]);
    free(cards);
    return status;
}

/* Loads c->path, pictures its first episode and counts its successes. */
static void measure(card *c, const gs_task_options *opt, const char *out, uint64_t seed,
                    int episodes, int clip) {
    char err[1024];
    gs_task *t;
    if (gs_task_load(c->path, opt, &t, err, sizeof err) != GS_OK) {
        c->error = copy_text(err);
        return;
    }
    c->name = copy_text(gs_task_name(t));
    c->description = copy_text(gs_task_description(t));
    /* Static: the pictures' paths make it large. */
    static gs_pictures pics;
    pics.dir = out;
    pics.clip = clip;
    for (int e = 0; e < episodes; e++) {
        gs_episode_result ep;
        gs_status st = cli_episode(t, seed + (uint64_t)e, NULL, e == 0 ? &pics : NULL, &ep, err,
                                   sizeof err);
        if (e == 0 && gs_task_scene(t)) keep_goals(c, gs_task_scene(t));
        if (e == 0) {
            /* Whatever pictures were written are shown, even of a failed episode. */
            if (pics.status == GS_OK) {
                snprintf(c->first, sizeof c->first, "%s", base_name(pics.first));
                snprintf(c->last, sizeof c->last, "%s", base_name(pics.last));
                if (clip) snprintf(c->gif, sizeof c->gif, "%s", base_name(pics.gif));
            } else if (st == GS_OK) {
                c->error = copy_text(pics.err);
                break;
            }
        }
        if (st != GS_OK) {
            char why[1200];
            snprintf(why, sizeof why, "seed %" PRIu64 ": %s", seed + (uint64_t)e, err);
            c->error = copy_text(why);
            break;
        }
        c->episodes++;
        c->successes += ep.success;
    }
    gs_task_free(t);
}

/* The scene's distinct language goals, in stage order. */
static void keep_goals(card *c, const gs_scene *s) {
    if (s->ngoals <= 0) return;
    c->goals = calloc((size_t)s->ngoals, sizeof *c->goals);
    if (!c->goals) return;
    for (int g = 0; g < s->ngoals; g++) {
        const char *lang = s->goals[g].lang;
        if (!lang || !*lang) continue;
        int seen = 0;
        for (int k = 0; k < c->ngoals; k++) seen |= strcmp(c->goals[k], lang) == 0;
        if (!seen && (c->goals[c->ngoals] = copy_text(lang))) c->ngoals++;
    }
}

static const char PAGE_HEAD[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>gensim task library</title>\n"
    "<style>\n"
    ":root { --ink: #1d232b; --muted: #5d6875; --line: #d9dee4; --card: #ffffff;\n"
    "        --page: #f3f5f7; --good: #2f8f4e; --fair: #c58a12; --poor: #c2412d; }\n"
    "* { box-sizing: border-box; }\n"
    "body { margin: 0; background: var(--page); color: var(--ink);\n"
    "       font: 15px/1.45 system-ui, -apple-system, \"Segoe UI\", sans-serif; }\n"
    "header { padding: 28px 32px 8px; }\n"
    "header h1 { margin: 0 0 4px; font-size: 26px; }\n"
    "header p { margin: 0; color: var(--muted); }\n"
    "main { display: grid; gap: 20px; padding: 20px 32px 40px;\n"
    "       grid-template-columns: repeat(auto-fill, minmax(min(100%, 600px), 1fr)); }\n"
    ".card { background: var(--card); border: 1px solid var(--line); border-radius: 10px;\n"
    "        padding: 16px 18px; box-shadow: 0 1px 2px rgba(0,0,0,.04); }\n"
    ".card.broken { border-color: var(--poor); }\n"
    ".card h2 { margin: 0; font-size: 18px; font-family: ui-monospace, Menlo, monospace; }\n"
    ".path { margin: 2px 0 10px; color: var(--muted); font-size: 13px;\n"
    "        font-family: ui-monospace, Menlo, monospace; }\n"
    ".shots { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 8px; }\n"
    ".shots figure { margin: 0; }\n"
    ".shots img { width: 100%; height: auto; display: block; border-radius: 6px;\n"
    "             border: 1px solid var(--line); background: #c9b89c; }\n"
    ".shots figcaption { color: var(--muted); font-size: 12px; text-align: center; }\n"
    ".desc { margin: 12px 0 6px; }\n"
    ".goals { margin: 0 0 10px; padding-left: 20px; color: var(--muted); }\n"
    ".rate { display: flex; align-items: center; gap: 10px; font-size: 14px; }\n"
    ".bar { flex: 1; height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; }\n"
    ".bar span { display: block; height: 100%; }\n"
    ".good { background: var(--good); } .fair { background: var(--fair); }\n"
    ".poor { background: var(--poor); }\n"
    ".error { margin: 10px 0 0; padding: 10px; background: #fbeeec; color: #7d2417;\n"
    "         border-radius: 6px; white-space: pre-wrap; word-break: break-word;\n"
    "         font: 13px/1.4 ui-monospace, Menlo, monospace; }\n"
    "</style>\n"
    "</head>\n"
    "<body>\n";

/* The whole page as a malloc'd string, NULL when out of memory. */
static char *html_page(const card *cards, int n, int episodes, uint64_t seed) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return NULL;
    int failed = 0;
    for (int i = 0; i < n; i++) failed += cards[i].error != NULL;
    fputs(PAGE_HEAD, f);
    fprintf(f, "<header>\n<h1>gensim task library</h1>\n<p>%d task%s", n, n == 1 ? "" : "s");
    if (failed) fprintf(f, " (%d with errors)", failed);
    fprintf(f, "; oracle success measured over %d episode%s each, seeds %" PRIu64 " to %" PRIu64
               "; pictures of seed %" PRIu64 ".</p>\n</header>\n<main>\n",
            episodes, episodes == 1 ? "" : "s", seed, seed + (uint64_t)episodes - 1, seed);
    for (int i = 0; i < n; i++) html_card(f, &cards[i], episodes);
    if (n == 0) fputs("<p>No task files found.</p>\n", f);
    fputs("</main>\n</body>\n</html>\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(text);
        return NULL;
    }
    return text;
}

static void html_card(FILE *f, const card *c, int episodes) {
    fprintf(f, "<article class=\"card%s\">\n<h2>", c->error ? " broken" : "");
    html_text(f, c->name ? c->name : base_name(c->path));
    fputs("</h2>\n<p class=\"path\">", f);
    html_text(f, c->path);
    fputs("</p>\n", f);
    if (c->first[0]) {
        const char *names[3] = {c->first, c->last, c->gif};
        const char *labels[3] = {"after reset", "at the end", "the episode"};
        fputs("<div class=\"shots\">\n", f);
        for (int k = 0; k < 3; k++) {
            if (!names[k][0]) continue;
            /* Each picture links to itself, to be seen at full size. */
            fputs("<figure><a href=\"", f);
            html_text(f, names[k]);
            fputs("\"><img src=\"", f);
            html_text(f, names[k]);
            fputs("\" alt=\"", f);
            html_text(f, c->name ? c->name : "");
            fprintf(f, ", %s\" width=\"%d\" height=\"%d\" loading=\"lazy\"></a>"
                       "<figcaption>%s</figcaption></figure>\n",
                    labels[k], k < 2 ? 640 : 320, k < 2 ? 480 : 240, labels[k]);
        }
        fputs("</div>\n", f);
    }
    if (c->description) {
        fputs("<p class=\"desc\">", f);
        html_text(f, c->description);
        fputs("</p>\n", f);
    }
    if (c->ngoals > 0) {
        fputs("<ol class=\"goals\">\n", f);
        for (int k = 0; k < c->ngoals; k++) {
            fputs("<li>", f);
            html_text(f, c->goals[k]);
            fputs("</li>\n", f);
        }
        fputs("</ol>\n", f);
    }
    if (c->episodes > 0) {
        double rate = (double)c->successes / c->episodes;
        const char *grade = rate >= 0.9 ? "good" : rate >= 0.5 ? "fair" : "poor";
        fprintf(f, "<div class=\"rate\"><div class=\"bar\"><span class=\"%s\" style=\"width: %.1f%%\">"
                   "</span></div><span>oracle success <b>%.0f%%</b> (%d/%d episodes%s)</span></div>\n",
                grade, 100 * rate, 100 * rate, c->successes, c->episodes,
                c->episodes < episodes ? ", then an error" : "");
    }
    if (c->error) {
        fputs("<pre class=\"error\">", f);
        html_text(f, c->error);
        fputs("</pre>\n", f);
    }
    fputs("</article>\n", f);
}

/* Text with HTML's special characters escaped; fit for attributes too. */
static void html_text(FILE *f, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

static cJSON *json_card(const card *c, const char *out) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", c->path);
    if (c->name) cJSON_AddStringToObject(o, "name", c->name);
    if (c->description) cJSON_AddStringToObject(o, "description", c->description);
    cJSON *goals = cJSON_AddArrayToObject(o, "goals");
    for (int k = 0; k < c->ngoals; k++) cJSON_AddItemToArray(goals, cJSON_CreateString(c->goals[k]));
    cJSON_AddNumberToObject(o, "episodes", c->episodes);
    cJSON_AddNumberToObject(o, "successes", c->successes);
    if (c->episodes > 0)
        cJSON_AddNumberToObject(o, "success_rate", (double)c->successes / c->episodes);
    const char *keys[3] = {"first", "last", "gif"};
    const char *names[3] = {c->first, c->last, c->gif};
    for (int k = 0; k < 3; k++) {
        if (!names[k][0]) continue;
        char path[8300];
        snprintf(path, sizeof path, "%s/%s", out, names[k]);
        cJSON_AddStringToObject(o, keys[k], path);
    }
    if (c->error) cJSON_AddStringToObject(o, "error", c->error);
    return o;
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void free_card(card *c) {
    free(c->path);
    free(c->name);
    free(c->description);
    for (int k = 0; k < c->ngoals; k++) free(c->goals[k]);
    free(c->goals);
    free(c->error);
}

static char *copy_text(const char *s) { return strdup(s ? s : ""); }

/* ---- the store: list, show, remove, stats, export-finetune ----
 *
 * Exit status: 0 done, 2 bad usage, no such task, or a file that could not
 * be read or written. */

static const char STORE_USAGE[] =
    "usage: gensim library list [--dir DIR] [--json]\n"
    "       gensim library show NAME [--dir DIR] [--json]\n"
    "       gensim library remove NAME [--dir DIR] [--json]\n"
    "       gensim library stats [--dir DIR] [--json]\n"
    "       gensim library export-finetune OUT.jsonl [--dir DIR] [--json]\n"
    "\n"
    "The accepted tasks of a library folder: DIR/NAME.lua with its record DIR/NAME.json\n"
    "and DIR/index.json.\n"
    "  list             name, oracle success, time and description of every task\n"
    "  show NAME        the record (JSON) and the path of the code\n"
    "  remove NAME      removes the record, the code and the index entry\n"
    "  stats            task count, mean oracle success, per-rung pass totals from the\n"
    "                   records' ladder results, the models used\n"
    "  export-finetune  writes OUT.jsonl (atomically): one chat example per accepted\n"
    "                   task, {\"messages\": [system, user: the request, assistant: the code]}\n"
    "\n"
    "  --dir DIR        the library folder (default tasks/generated)\n"
    "  --json           print JSON on stdout\n"
    "%s"
    "  -h, --help       this text\n";

static const char FINETUNE_SYSTEM[] =
    "You write robot-learning simulation tasks for gensim in Lua. A task file is a chunk "
    "that returns task{name, description, assets, max_steps, reset = function(env) ... end} "
    "with optional oracle, reward and success functions; reset adds objects with env:add and "
    "goals with env:goal. Answer with the whole file in one ```lua block.";

static int store_list(const char *dir, int json);
static int store_show(const char *dir, const char *name, int json);
static int store_remove(const char *dir, const char *name, int json);
static int store_stats(const char *dir, int json);
static int store_export(const char *dir, const char *out, int json);
static void print_json(cJSON *o);

static int cmd_library_store(const char *sub, int argc, char **argv) {
    const char *dir = "tasks/generated", *arg = NULL;
    int json = 0;
    gs_task_options opt = gs_task_options_default();
    int needs_arg = strcmp(sub, "show") == 0 || strcmp(sub, "remove") == 0 ||
                    strcmp(sub, "export-finetune") == 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int common = cli_common_flag(argc, argv, &i, &opt, STORE_USAGE, &json, NULL);
        if (common == CLI_FLAG_BAD) return CLI_USAGE;
        if (common == CLI_FLAG_HELP) return CLI_OK;
        if (common == CLI_FLAG_TAKEN) continue;
        if (strcmp(a, "--dir") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                fprintf(stderr, "gensim library %s: --dir needs a folder\n", sub);
                return CLI_USAGE;
            }
            dir = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gensim library %s: unknown option '%s' (see --help)\n", sub, a);
            return CLI_USAGE;
        } else if (needs_arg && !arg) {
            arg = a;
        } else {
            fprintf(stderr, "gensim library %s: unexpected argument '%s' (see --help)\n", sub, a);
            return CLI_USAGE;
        }
    }
    if (needs_arg && !arg) {
        fprintf(stderr, "gensim library %s: %s is required (see --help)\n", sub,
                strcmp(sub, "export-finetune") == 0 ? "OUT.jsonl" : "NAME");
        return CLI_USAGE;
    }
    if (strcmp(sub, "list") == 0) return store_list(dir, json);
    if (strcmp(sub, "show") == 0) return store_show(dir, arg, json);
    if (strcmp(sub, "remove") == 0) return store_remove(dir, arg, json);
    if (strcmp(sub, "stats") == 0) return store_stats(dir, json);
    return store_export(dir, arg, json);
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
        print_json(o);
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
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.lua", dir, name);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddStringToObject(o, "path", path);
        cJSON_AddItemToObject(o, "record", rec ? rec : cJSON_CreateNull());
        print_json(o);
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
        print_json(o);
    } else {
        printf("removed %s from %s\n", name, dir);
    }
    return CLI_OK;
}

static int store_stats(const char *dir, int json) {
    gs_library_entry *e;
    int n;
    char err[1024];
    if (gs_library_list(dir, &e, &n, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim library stats: %s\n", err);
        return CLI_USAGE;
    }
    int rung_pass[GS_RUNG_COUNT] = {0}, with_ladder = 0, with_rate = 0;
    double rate_sum = 0;
    cJSON *models = cJSON_CreateObject();
    for (int i = 0; i < n; i++) {
        if (e[i].oracle_success >= 0) rate_sum += e[i].oracle_success, with_rate++;
        cJSON *rec = cJSON_Parse(e[i].record);
        cJSON *model = cJSON_GetObjectItemCaseSensitive(rec, "model");
        if (cJSON_IsString(model)) {
            cJSON *count = cJSON_GetObjectItemCaseSensitive(models, model->valuestring);
            if (count) cJSON_SetNumberValue(count, count->valuedouble + 1);
            else cJSON_AddNumberToObject(models, model->valuestring, 1);
        }
        cJSON *rungs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "ladder"), "rungs");
        if (cJSON_IsArray(rungs)) {
            with_ladder++;
            cJSON *g;
            cJSON_ArrayForEach(g, rungs) {
                int k = gs_rung_parse(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "name")));
                const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "status"));
                if (k >= 0 && st && strcmp(st, "pass") == 0) rung_pass[k]++;
            }
        }
        cJSON_Delete(rec);
    }
    double mean = with_rate ? rate_sum / with_rate : 0;
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "dir", dir);
        cJSON_AddNumberToObject(o, "tasks", n);
        cJSON_AddNumberToObject(o, "with_oracle_success", with_rate);
        if (with_rate) cJSON_AddNumberToObject(o, "mean_oracle_success", mean);
        else cJSON_AddNullToObject(o, "mean_oracle_success");
        cJSON_AddNumberToObject(o, "with_ladder", with_ladder);
        cJSON *r = cJSON_AddObjectToObject(o, "rungs_passed");
        for (int k = 0; k < GS_RUNG_COUNT; k++) cJSON_AddNumberToObject(r, gs_rung_name(k), rung_pass[k]);
        cJSON_AddItemToObject(o, "models", models);
        print_json(o);
    } else {
        printf("%d task%s in %s\n", n, n == 1 ? "" : "s", dir);
        if (with_rate) printf("mean oracle success %.1f%% (%d tasks with a rate)\n", 100 * mean, with_rate);
        printf("rungs passed (of %d records with a ladder result):", with_ladder);
        for (int k = 0; k < GS_RUNG_COUNT; k++) printf(" %s %d", gs_rung_name(k), rung_pass[k]);
        printf("\nmodels:");
        cJSON *m;
        int any = 0;
        cJSON_ArrayForEach(m, models) printf(" %s (%d)", m->string, (int)m->valuedouble), any = 1;
        printf("%s\n", any ? "" : " none recorded");
        cJSON_Delete(models);
    }
    gs_library_entries_free(e, n);
    return CLI_OK;
}

/* The user's request for a task: its name, description and assets. */
static char *finetune_request(const char *name, const char *desc, cJSON *assets) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return NULL;
    fprintf(f, "Write the gensim task '%s': %s", name, desc);
    int k = 0;
    cJSON *a;
    cJSON_ArrayForEach(a, assets) if (cJSON_IsString(a))
        fprintf(f, "%s%s", k++ ? ", " : "\nUse the assets: ", a->valuestring);
    fclose(f);
    return text;
}

static int store_export(const char *dir, const char *out, int json) {
    gs_library_entry *e;
    int n;
    char err[1024];
    if (gs_library_list(dir, &e, &n, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim library export-finetune: %s\n", err);
        return CLI_USAGE;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int written = 0, skipped = 0, status = CLI_OK;
    gs_task_options opt = gs_task_options_default();
    for (int i = 0; f && i < n && status == CLI_OK; i++) {
        char *src = NULL;
        if (gs_library_read(dir, e[i].name, NULL, &src, NULL, err, sizeof err) != GS_OK) {
            fprintf(stderr, "gensim library export-finetune: %s\n", err);
            status = CLI_USAGE;
            break;
        }
        cJSON *rec = cJSON_Parse(e[i].record);
        cJSON *passed = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "ladder"), "passed");
        if (cJSON_IsFalse(passed)) { /* kept in the library but not accepted by the ladder */
            skipped++;
            free(src);
            cJSON_Delete(rec);
            continue;
        }
        /* the assets as the task declares them: load it (in its sandbox) */
        cJSON *assets = cJSON_CreateArray();
        gs_task *t;
        if (gs_task_load_string(e[i].path, src, strlen(src), &opt, &t, err, sizeof err) == GS_OK) {
            int na;
            const char *const *names = gs_task_assets(t, &na);
            for (int k = 0; k < na; k++) cJSON_AddItemToArray(assets, cJSON_CreateString(names[k]));
            gs_task_free(t);
        }
        char *request = finetune_request(e[i].name, e[i].description, assets);
        size_t code_len = strlen(src) + 16;
        char *code = malloc(code_len);
        if (code) snprintf(code, code_len, "```lua\n%s%s```", src, src[0] && src[strlen(src) - 1] == '\n' ? "" : "\n");
        cJSON *line = cJSON_CreateObject();
        cJSON *msgs = cJSON_AddArrayToObject(line, "messages");
        const char *roles[3] = {"system", "user", "assistant"};
        const char *contents[3] = {FINETUNE_SYSTEM, request ? request : "", code ? code : ""};
        for (int k = 0; k < 3; k++) {
            cJSON *m = cJSON_CreateObject();
            cJSON_AddStringToObject(m, "role", roles[k]);
            cJSON_AddStringToObject(m, "content", contents[k]);
            cJSON_AddItemToArray(msgs, m);
        }
        char *one = cJSON_PrintUnformatted(line);
        if (one && request && code) {
            fprintf(f, "%s\n", one);
            written++;
        } else {
            fprintf(stderr, "gensim library export-finetune: out of memory\n");
            status = CLI_USAGE;
        }
        cJSON_free(one);
        cJSON_Delete(line);
        cJSON_Delete(assets);
        cJSON_Delete(rec);
        free(request);
        free(code);
        free(src);
    }
    gs_library_entries_free(e, n);
    if (!f || fclose(f) != 0) {
        free(text);
        fprintf(stderr, "gensim library export-finetune: out of memory\n");
        return CLI_USAGE;
    }
    if (status == CLI_OK && gs_write_file_atomic(out, text ? text : "", len, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim library export-finetune: %s\n", err);
        status = CLI_USAGE;
    }
    free(text);
    if (status != CLI_OK) return status;
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "out", out);
        cJSON_AddNumberToObject(o, "examples", written);
        cJSON_AddNumberToObject(o, "skipped", skipped);
        print_json(o);
    } else {
        printf("wrote %s: %d example%s (%d not accepted, skipped)\n", out, written, written == 1 ? "" : "s", skipped);
    }
    return CLI_OK;
}

/* Prints o on one line and frees it. */
static void print_json(cJSON *o) {
    char *text = cJSON_PrintUnformatted(o);
    if (text) puts(text);
    cJSON_free(text);
    cJSON_Delete(o);
}
