/* gallery.c: the task library's gallery (gs_gallery in library.h): one
 * static HTML page of every task in the folders, each with pictures of an
 * oracle episode, its description and language goals, and the oracle's
 * measured success rate. The page needs nothing but its folder: inline
 * CSS, no scripts, the pictures beside it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "gensim/episode.h"
#include "gensim/io.h"
#include "gensim/library.h"
#include "task/isolate.h"

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

static void measure(card *c, const gs_task_options *opt, const char *out, uint64_t seed,
                    int episodes, int clip);
static gs_status measure_all(const gs_gallery_options *o, card *cards, int n, int *failed, char *err,
                             size_t errlen);
static void keep_goals(card *c, const gs_scene *s);
static char *html_page(const card *cards, int n, int episodes, uint64_t seed);
static void html_card(FILE *f, const card *c, int episodes);
static void html_text(FILE *f, const char *s);
static cJSON *json_card(const card *c, const char *out);
static const char *base_name(const char *path);
static void free_card(card *c);
static char *copy_text(const char *s);

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

gs_gallery_options gs_gallery_options_default(void) {
    gs_gallery_options o;
    memset(&o, 0, sizeof o);
    o.episodes = 20;
    o.task_opt = gs_task_options_default();
    o.scale = gs_scale_default();
    return o;
}

/* Every .lua file of the folders, in folder order then by name. */
static int collect(const gs_gallery_options *o, char ***out, char *err, size_t errlen) {
    char *owned[64];
    const char *const *dirs = o->dirs;
    int ndirs = o->ndirs;
    if (ndirs == 0) {
        ndirs = gs_task_folders(owned, 64);
        dirs = (const char *const *)owned;
    }
    char **paths = NULL;
    int npaths = 0;
    for (int d = 0; d < ndirs && npaths >= 0; d++) {
        char **files;
        int n = gs_list_files(dirs[d], ".lua", &files, err, errlen);
        if (n < 0) {
            if (o->ndirs == 0) continue; /* a default folder may not exist */
            gs_free_paths(paths, npaths);
            npaths = -1;
            break;
        }
        char **grown = n ? realloc(paths, (size_t)(npaths + n) * sizeof *grown) : paths;
        if (n && !grown) {
            gs_free_paths(files, n);
            gs_free_paths(paths, npaths);
            gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
            npaths = -1;
            break;
        }
        paths = grown;
        if (n) memcpy(paths + npaths, files, (size_t)n * sizeof *files);
        npaths += n;
        free(files);
    }
    if (o->ndirs == 0) gs_free_strings(owned, ndirs);
    *out = npaths >= 0 ? paths : NULL;
    return npaths;
}

gs_status gs_gallery(const gs_gallery_options *o, char **json, char *err, size_t errlen) {
    if (json) *json = NULL;
    if (!o->out || !*o->out) return gs_fail(err, errlen, GS_ERR_USAGE, "the gallery needs a folder to go to");
    if (o->episodes < 1 || o->episodes > 100000)
        return gs_fail(err, errlen, GS_ERR_USAGE, "episodes must be 1..100000");
    gs_status st = gs_make_dirs(o->out, err, errlen);
    if (st != GS_OK) return st;
    char **paths;
    int npaths = collect(o, &paths, err, errlen);
    if (npaths < 0) return GS_ERR_IO;
    card *cards = calloc((size_t)(npaths ? npaths : 1), sizeof *cards);
    if (!cards) {
        gs_free_paths(paths, npaths);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    }
    /* the shard's part of the files */
    gs_shard_range *ranges = calloc((size_t)(npaths ? npaths : 1), sizeof *ranges);
    int n = ranges ? gs_shard_plan(o->scale.shard, npaths, 1, ranges) : 0;
    for (int i = 0; i < n; i++) {
        cards[i].path = paths[ranges[i].task];
        paths[ranges[i].task] = NULL;
    }
    gs_free_paths(paths, npaths);
    free(ranges);
    npaths = n;
    int failed = 0;
    st = measure_all(o, cards, npaths, &failed, err, errlen);
    if (st != GS_OK) {
        for (int i = 0; i < npaths; i++) free_card(&cards[i]);
        free(cards);
        return st;
    }
    char index[4096];
    snprintf(index, sizeof index, "%s/index.html", o->out);
    char *page = html_page(cards, npaths, (int)o->episodes, o->seed);
    st = page ? gs_write_file_atomic(index, page, strlen(page), err, errlen)
              : gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory writing the page");
    free(page);
    cJSON *j = json ? cJSON_CreateObject() : NULL;
    if (j) {
        cJSON_AddStringToObject(j, "index", index);
        cJSON_AddBoolToObject(j, "written", st == GS_OK);
        cJSON_AddNumberToObject(j, "episodes", (double)o->episodes);
        cJSON_AddNumberToObject(j, "seed", (double)o->seed);
        cJSON_AddNumberToObject(j, "tasks", npaths - failed);
        cJSON_AddNumberToObject(j, "failed", failed);
        if (o->scale.shard.count > 1) {
            char shard[24];
            cJSON_AddStringToObject(j, "shard", gs_shard_text(o->scale.shard, shard));
        }
        cJSON *arr = cJSON_AddArrayToObject(j, "cards");
        for (int i = 0; i < npaths; i++) cJSON_AddItemToArray(arr, json_card(&cards[i], o->out));
        *json = cJSON_PrintUnformatted(j);
        cJSON_Delete(j);
    }
    for (int i = 0; i < npaths; i++) free_card(&cards[i]);
    free(cards);
    if (st == GS_OK && failed) return gs_fail(err, errlen, GS_ERR_RUNTIME, "%d of %d tasks failed to load or run", failed, npaths);
    return st;
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
    gs_pictures *pics = calloc(1, sizeof *pics); /* its paths make it large */
    if (!pics) {
        c->error = copy_text("out of memory for pictures");
        gs_task_free(t);
        return;
    }
    pics->dir = out;
    pics->clip = clip;
    gs_observer observer = gs_pictures_observer(pics);
    for (int e = 0; e < episodes; e++) {
        gs_episode_result ep;
        gs_status st = gs_episode_run(t, seed + (uint64_t)e, gs_actor_oracle(), e == 0 ? &observer : NULL,
                                      e == 0, &ep, err, sizeof err);
        if (e == 0 && gs_task_scene(t)) keep_goals(c, gs_task_scene(t));
        if (e == 0) {
            /* Whatever pictures were written are shown, even of a failed episode. */
            if (pics->status == GS_OK) {
                snprintf(c->first, sizeof c->first, "%s", base_name(pics->first));
                snprintf(c->last, sizeof c->last, "%s", base_name(pics->last));
                if (clip) snprintf(c->gif, sizeof c->gif, "%s", base_name(pics->gif));
            } else if (st == GS_OK) {
                c->error = copy_text(pics->err);
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
    free(pics);
    gs_task_free(t);
}

/* ---- many cards at once ---- */

/* The cards, measured in a pool of workers (each task in one, writing its
 * pictures), reported to on_card in order. */
typedef struct gallery_run {
    const gs_gallery_options *o;
    card *cards;
    int n, next, head, failed;
    int *finished;
    double *started, *seconds;
} gallery_run;

/* A card as its worker sends it: the measured fields as JSON. */
static char *card_pack(const card *c) {
    cJSON *o = cJSON_CreateObject();
    if (c->name) cJSON_AddStringToObject(o, "name", c->name);
    if (c->description) cJSON_AddStringToObject(o, "description", c->description);
    cJSON *goals = cJSON_AddArrayToObject(o, "goals");
    for (int k = 0; k < c->ngoals; k++) cJSON_AddItemToArray(goals, cJSON_CreateString(c->goals[k]));
    cJSON_AddNumberToObject(o, "episodes", c->episodes);
    cJSON_AddNumberToObject(o, "successes", c->successes);
    cJSON_AddStringToObject(o, "first", c->first);
    cJSON_AddStringToObject(o, "last", c->last);
    cJSON_AddStringToObject(o, "gif", c->gif);
    if (c->error) cJSON_AddStringToObject(o, "error", c->error);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

static const char *json_text(const cJSON *o, const char *key) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int card_unpack(card *c, const char *data, size_t len) {
    cJSON *o = cJSON_ParseWithLength(data, len);
    if (!o) return 0;
    const char *name = json_text(o, "name"), *desc = json_text(o, "description"), *error = json_text(o, "error");
    if (name) c->name = copy_text(name);
    if (desc) c->description = copy_text(desc);
    if (error) c->error = copy_text(error);
    const cJSON *goals = cJSON_GetObjectItemCaseSensitive(o, "goals"), *g;
    int n = cJSON_GetArraySize(goals);
    c->goals = n > 0 ? calloc((size_t)n, sizeof *c->goals) : NULL;
    cJSON_ArrayForEach(g, goals) if (c->goals && cJSON_IsString(g)) c->goals[c->ngoals++] = copy_text(g->valuestring);
    c->episodes = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "episodes"));
    c->successes = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "successes"));
    const char *keys[3] = {"first", "last", "gif"};
    char *slots[3] = {c->first, c->last, c->gif};
    for (int k = 0; k < 3; k++) snprintf(slots[k], sizeof c->first, "%s", json_text(o, keys[k]) ? json_text(o, keys[k]) : "");
    cJSON_Delete(o);
    return 1;
}

static void report_cards(gallery_run *g) {
    const gs_gallery_options *o = g->o;
    while (g->head < g->n && g->finished[g->head]) {
        const card *c = &g->cards[g->head];
        g->failed += c->error != NULL;
        if (o->on_card)
            o->on_card(o->ud, g->head, g->n, c->name ? c->name : c->path, c->successes, c->episodes, c->error,
                       g->seconds[g->head]);
        g->head++;
    }
}

static int cards_next(void *ud, gsl_pool *p) {
    (void)p;
    gallery_run *g = ud;
    if (g->next >= g->n) return -1;
    g->started[g->next] = now();
    return g->next++;
}

static gs_status cards_work(void *ud, int job, gsl_channel *out, char *err, size_t errlen) {
    gallery_run *g = ud;
    const gs_gallery_options *o = g->o;
    card *c = &g->cards[job];
    measure(c, &o->task_opt, o->out, o->seed, (int)o->episodes, o->clip);
    char *text = card_pack(c);
    gs_status st = text ? GS_OK : gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    if (text && gsl_channel_send(out, GS_MSG_RESULT, text, strlen(text)) != GS_OK) st = GS_ERR_IO;
    free(text);
    return st;
}

static gs_status cards_message(void *ud, gsl_pool *p, int job, int type, const void *data, size_t len, char *err,
                               size_t errlen) {
    (void)p;
    gallery_run *g = ud;
    if (type != GS_MSG_RESULT) return GS_OK;
    if (!card_unpack(&g->cards[job], data, len)) return gs_fail(err, errlen, GS_ERR_RUNTIME, "the worker sent a torn card");
    return GS_OK;
}

static gs_status cards_done(void *ud, gsl_pool *p, int job, gs_status st, const char *why, char *err, size_t errlen) {
    (void)p, (void)err, (void)errlen;
    gallery_run *g = ud;
    card *c = &g->cards[job];
    if (st != GS_OK && !c->error) c->error = copy_text(why); /* a crash or a hang is the task's */
    g->seconds[job] = now() - g->started[job];
    g->finished[job] = 1;
    report_cards(g);
    return GS_OK;
}

static void cards_retry(void *ud, int job, const char *why) {
    gallery_run *g = ud;
    if (!g->o->scale.on_retry) return;
    char msg[1400];
    snprintf(msg, sizeof msg, "%s: %s; measuring it again", g->cards[job].path, why);
    g->o->scale.on_retry(g->o->scale.ud, msg);
}

static gs_status measure_all(const gs_gallery_options *o, card *cards, int n, int *failed, char *err,
                             size_t errlen) {
    gallery_run g = {o, cards, n, 0, 0, 0, calloc((size_t)n + 1, sizeof(int)), calloc((size_t)n + 1, sizeof(double)),
                     calloc((size_t)n + 1, sizeof(double))};
    gs_status st = g.finished && g.started && g.seconds ? GS_OK : gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    if (st == GS_OK && gs__isolated(&o->task_opt)) {
        gsl_worker_limits lim = gs__worker_limits(&o->task_opt, 1);
        gsl_pool_ops ops = {cards_next, cards_work, cards_message, cards_done, cards_retry, NULL, &g};
        st = gsl_pool_run(&ops, gs_jobs_resolve(o->scale.jobs), 1, &lim, err, errlen);
    } else if (st == GS_OK) {
        for (int i; (i = cards_next(&g, NULL)) >= 0;) {
            measure(&cards[i], &o->task_opt, o->out, o->seed, (int)o->episodes, o->clip);
            cards_done(&g, NULL, i, GS_OK, "", err, errlen);
        }
    }
    *failed = g.failed;
    free(g.finished), free(g.started), free(g.seconds);
    return st;
}

/* The scene's distinct language goals, in stage order. */
static void keep_goals(card *c, const gs_scene *s) {
    int n = gs_scene_goal_count(s);
    if (n <= 0) return;
    c->goals = calloc((size_t)n, sizeof *c->goals);
    if (!c->goals) return;
    for (int g = 0; g < n; g++) {
        const char *lang = gs_scene_goal_lang(s, g);
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

