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

static const char LIBRARY_USAGE[] =
    "usage: gensim library SUBCOMMAND [ARGS] [--help]\n"
    "\n"
    "The task library (tasks/seed, tasks/generated, plugins).\n"
    "\n"
    "subcommands:\n"
    "  gallery   write a static HTML page of every task, with pictures, its language\n"
    "            goals and the oracle's measured success rate\n"
    "\n"
    "list, show, remove, stats and export-finetune arrive with a later change.\n"
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

/* Subcommands that are part of the plan but not of this version. */
static const char *const LATER[] = {"list", "show", "remove", "stats", "export-finetune"};
#define NLATER ((int)(sizeof LATER / sizeof LATER[0]))

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
    for (int i = 0; i < NLATER; i++)
        if (strcmp(sub, LATER[i]) == 0) {
            fprintf(stderr, "gensim library: '%s' is not available yet: it arrives with a later "
                            "change; this version has gallery (see gensim library --help)\n", sub);
            return CLI_USAGE;
        }
    const char *names[1 + NLATER] = {"gallery"};
    for (int i = 0; i < NLATER; i++) names[1 + i] = LATER[i];
    const char *near = gsu_nearest_name(sub, names, 1 + NLATER);
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
    if (defaults)
        for (ndirs = 0; ndirs < CLI_NTASK_DIRS; ndirs++) dirs[ndirs] = CLI_TASK_DIRS[ndirs];

    /* Every file first, so progress can say "k of n". */
    char **paths = NULL;
    int npaths = 0;
    for (int d = 0; d < ndirs; d++) {
        char **files;
        int n = cli_lua_files(dirs[d], &files);
        if (n < 0) {
            if (defaults) continue;
            fprintf(stderr, "gensim library gallery: cannot open folder '%s'\n", dirs[d]);
            cli_free_paths(paths, npaths);
            return CLI_USAGE;
        }
        char **grown = n ? realloc(paths, (size_t)(npaths + n) * sizeof *grown) : paths;
        if (n && !grown) {
            cli_free_paths(files, n);
            cli_free_paths(paths, npaths);
            fprintf(stderr, "gensim library gallery: out of memory\n");
            return CLI_TASK;
        }
        paths = grown;
        if (n) memcpy(paths + npaths, files, (size_t)n * sizeof *files);
        npaths += n;
        free(files);
    }
    card *cards = calloc((size_t)(npaths ? npaths : 1), sizeof *cards);
    if (!cards) {
        cli_free_paths(paths, npaths);
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
    static cli_pictures pics;
    pics.dir = out;
    pics.clip = clip;
    for (int e = 0; e < episodes; e++) {
        gs_episode ep;
        gs_status st = cli_run_episode(t, seed + (uint64_t)e, e == 0 ? &pics : NULL, &ep,
                                       err, sizeof err);
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
