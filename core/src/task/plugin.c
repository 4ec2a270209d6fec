/* plugin.c: the plugin path as the process sees it (plugin.h).
 *
 * The path is read once per process. Reading it runs the manifests and
 * kind files, which are code from strangers, so it happens in a
 * supervised worker: the child reads the path (plugin_scan.c) and sends
 * the set as JSON; the parent reads the JSON as it would any untrusted
 * input, keeping every string bounded and every number in range, then adds
 * the usable kinds to the asset table. */
#define _DEFAULT_SOURCE /* realpath */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <pthread.h>

#include "gensim/io.h"
#include "task/isolate.h"
#include "task/plugin_internal.h"

#define MODULE_FILE_MAX (1024 * 1024)
#define TEXT_MAX 4096 /* longest string taken from a child's JSON */

static const char *const TYPE_NAMES[GS_ITEM_TYPES] = {"task", "kind", "module", "curriculum", "spec"};

/* ---- building a set ---- */

int gs__scan_add_item(gs__plugin_scan *sc, gs_item_type type, const char *name, const char *path, int plugin,
                      int folder) {
    gs_plugin_set *p = &sc->set;
    if (p->nitems == sc->cap_items) {
        int cap = sc->cap_items ? 2 * sc->cap_items : 64;
        gs_plugin_item *items = realloc(p->items, sizeof *items * (size_t)cap);
        if (items) p->items = items;
        gsl_kind_meta *metas = realloc(sc->metas, sizeof *metas * (size_t)cap);
        if (metas) sc->metas = metas;
        if (!items || !metas) return -1;
        sc->cap_items = cap;
    }
    gs_plugin_item *it = &p->items[p->nitems];
    memset(it, 0, sizeof *it);
    memset(&sc->metas[p->nitems], 0, sizeof sc->metas[0]);
    it->type = type, it->plugin = plugin, it->folder = folder, it->shadowed_by = -1;
    it->name = strdup(name), it->path = strdup(path);
    if (!it->name || !it->path) {
        free(it->name), free(it->path);
        return -1;
    }
    return p->nitems++;
}

int gs__scan_add_plugin(gs__plugin_scan *sc, const char *dir, int folder) {
    gs_plugin_set *p = &sc->set;
    if (p->nplugins == sc->cap_plugins) {
        int cap = sc->cap_plugins ? 2 * sc->cap_plugins : 16;
        gs_plugin *grown = realloc(p->plugins, sizeof *grown * (size_t)cap);
        if (!grown) return -1;
        p->plugins = grown, sc->cap_plugins = cap;
    }
    gs_plugin *pl = &p->plugins[p->nplugins];
    memset(pl, 0, sizeof *pl);
    pl->folder = folder;
    if (!(pl->dir = strdup(dir))) return -1;
    return p->nplugins++;
}

void gs__scan_refuse(char **refused, const char *fmt, ...) {
    if (*refused) return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    *refused = strdup(buf);
}

void gs__scan_free(gs__plugin_scan *sc) {
    gs_plugin_set *p = &sc->set;
    gs_free_strings(p->folders, p->nfolders);
    free(p->folders);
    for (int i = 0; i < p->nplugins; i++) {
        gs_plugin *pl = &p->plugins[i];
        free(pl->name), free(pl->version), free(pl->description), free(pl->license), free(pl->dir), free(pl->refused);
        for (int r = 0; r < pl->nrequires; r++) free(pl->requires[r].name), free(pl->requires[r].range);
        free(pl->requires);
    }
    free(p->plugins);
    for (int i = 0; i < p->nitems; i++) free(p->items[i].name), free(p->items[i].path), free(p->items[i].refused);
    free(p->items);
    free(p->error);
    free(sc->metas);
    memset(sc, 0, sizeof *sc);
}

int gs__scan_plugin(const gs__plugin_scan *sc, const char *name) {
    for (int i = 0; i < sc->set.nplugins; i++)
        if (sc->set.plugins[i].name && strcmp(sc->set.plugins[i].name, name) == 0 && !sc->set.plugins[i].refused)
            return i;
    return -1;
}

/* ---- lookups ---- */

int gs_plugins_find(const gs_plugin_set *p, gs_item_type type, const char *name) {
    for (int i = 0; i < p->nitems; i++) {
        const gs_plugin_item *it = &p->items[i];
        if (it->type == type && !it->refused && it->shadowed_by < 0 && strcmp(it->name, name) == 0) return i;
    }
    return -1;
}

gs_status gs_plugins_why(const gs_plugin_set *p, gs_item_type type, const char *name, char *err, size_t errlen) {
    for (int i = 0; i < p->nitems; i++) {
        const gs_plugin_item *it = &p->items[i];
        if (it->type == type && it->refused && strcmp(it->name, name) == 0)
            return gs_fail(err, errlen, GS_ERR_USAGE, "%s", it->refused);
    }
    const char *names[512];
    int n = 0;
    for (int i = 0; i < p->nitems && n < 512; i++)
        if (p->items[i].type == type) names[n++] = p->items[i].name;
    char hint[256];
    return gs_fail(err, errlen, GS_ERR_IO, "no %s '%s' on the plugin path%s", TYPE_NAMES[type], name,
                   gsu_suggest(name, names, (size_t)n, hint, sizeof hint));
}

/* ---- versions ---- */

/* "1.2.3" (1 to 3 parts) into v; the number of parts, or 0 when malformed. */
static int parse_version(const char *s, long v[3], const char **end) {
    int parts = 0;
    v[0] = v[1] = v[2] = 0;
    while (parts < 3 && isdigit((unsigned char)*s)) {
        char *e;
        v[parts++] = strtol(s, &e, 10);
        s = e;
        if (*s != '.') break;
        s++;
    }
    if (end) *end = s;
    return parts;
}

static int compare_versions(const long a[3], const long b[3]) {
    for (int i = 0; i < 3; i++)
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    return 0;
}

int gs_version_in_range(const char *version, const char *range) {
    long v[3];
    const char *end;
    if (!parse_version(version, v, &end) || *end) return -1;
    const char *s = range ? range : "";
    for (;;) {
        while (*s == ' ' || *s == ',') s++;
        if (!*s || (*s == '*' && (s[1] == 0 || s[1] == ' '))) {
            if (*s == '*') s++;
            if (!*s) return 1;
            continue;
        }
        char op[3] = "";
        size_t k = 0;
        while (k < 2 && (*s == '>' || *s == '<' || *s == '=')) op[k++] = *s++;
        long w[3];
        int parts = parse_version(s, w, &end);
        if (!parts || (*end && *end != ' ' && *end != ',')) return -1;
        s = end;
        int c = compare_versions(v, w), ok;
        if (!strcmp(op, ">=")) ok = c >= 0;
        else if (!strcmp(op, ">")) ok = c > 0;
        else if (!strcmp(op, "<=")) ok = c <= 0;
        else if (!strcmp(op, "<")) ok = c < 0;
        else if (!strcmp(op, "=") || !op[0]) ok = parts == 1 ? v[0] == w[0] : parts == 2 ? v[0] == w[0] && v[1] == w[1] : c == 0;
        else return -1;
        if (!ok) return 0;
    }
}

/* ---- modules ---- */

gs_status gs__find_module(void *ud, const char *name, char *path, size_t pathlen, char **src, size_t *len,
                          char *err, size_t errlen) {
    const gs__module_finder *f = ud;
    const gs__plugin_scan *sc = f && f->scan ? f->scan : (const gs__plugin_scan *)gs_plugins();
    const char *dot = strchr(name, '.');
    char plugin[GS_TASK_NAME_MAX + 1];
    snprintf(plugin, sizeof plugin, "%.*s", (int)(dot ? dot - name : 0), name);
    int pi = gs__scan_plugin(sc, plugin);
    if (pi < 0) {
        for (int i = 0; i < sc->set.nplugins; i++)
            if (sc->set.plugins[i].name && strcmp(sc->set.plugins[i].name, plugin) == 0)
                return gs_fail(err, errlen, GS_ERR_USAGE, "'%s': %s", name, sc->set.plugins[i].refused);
        return gs_fail(err, errlen, GS_ERR_IO, "'%s': no plugin '%s' on the plugin path", name, plugin);
    }
    const char *names[256];
    int n = 0;
    for (int i = 0; i < sc->set.nitems; i++) {
        const gs_plugin_item *it = &sc->set.items[i];
        if (it->type != GS_ITEM_MODULE || it->plugin != pi) continue;
        if (strcmp(it->name, name) == 0) {
            if (snprintf(path, pathlen, "%s", it->path) >= (int)pathlen)
                return gs_fail(err, errlen, GS_ERR_USAGE, "'%s': its path is too long", name);
            gs_status st = gs_read_file(it->path, MODULE_FILE_MAX, src, len, err, errlen);
            if (st == GS_OK && f && f->prov) gs__provenance_add(f->prov, it->path, *src, *len);
            return st;
        }
        if (n < 256) names[n++] = it->name;
    }
    char hint[256];
    return gs_fail(err, errlen, GS_ERR_IO, "plugin '%s' (%s) has no module '%s' in its lib/%s", plugin,
                   sc->set.plugins[pi].dir, name, gsu_suggest(name, names, (size_t)n, hint, sizeof hint));
}

/* ---- provenance ---- */

void gs__provenance_add(gs_provenance *p, const char *path, const void *text, size_t len) {
    if (!p || p->n == GS_PROVENANCE_MAX) return;
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->path[i], path) == 0) return;
    char real[PATH_MAX];
    snprintf(p->path[p->n], sizeof p->path[0], "%.1023s", realpath(path, real) ? real : path);
    gsu_sha256 c;
    gsu_sha256_init(&c);
    gsu_sha256_update(&c, text, len);
    gsu_sha256_hex(&c, p->sha256[p->n]);
    p->n++;
}

/* The item whose file is path (compared as real paths), or -1. */
static int item_of_path(const gs_plugin_set *s, const char *path) {
    char want[PATH_MAX], real[PATH_MAX];
    if (!realpath(path, want)) snprintf(want, sizeof want, "%s", path);
    for (int i = 0; i < s->nitems; i++)
        if (strcmp(s->items[i].path, path) == 0 || (realpath(s->items[i].path, real) && strcmp(real, want) == 0))
            return i;
    return -1;
}

char *gs__provenance_json(const gs_provenance *p) {
    const gs_plugin_set *s = gs_plugins();
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; arr && i < p->n; i++) {
        cJSON *o = cJSON_CreateObject();
        int it = item_of_path(s, p->path[i]);
        const char *file = p->path[i];
        /* named from the folder it was found in (the library's from the data
         * folder: tasks/seed/NAME.lua): no machine's layout in a record */
        const char *data = gs_data_dir();
        const char *folder = it < 0 ? NULL : s->items[it].folder >= s->npath ? data : s->folders[s->items[it].folder];
        char real[PATH_MAX];
        if (folder && realpath(folder, real)) folder = real;
        size_t n = folder ? strlen(folder) : 0;
        if (folder && strncmp(file, folder, n) == 0 && file[n] == '/') file += n + 1;
        cJSON_AddStringToObject(o, "file", file);
        cJSON_AddStringToObject(o, "sha256", p->sha256[i]);
        const gs_plugin *pl = it >= 0 && s->items[it].plugin >= 0 ? &s->plugins[s->items[it].plugin] : NULL;
        if (pl) cJSON_AddStringToObject(o, "plugin", pl->name), cJSON_AddStringToObject(o, "version", pl->version);
        else cJSON_AddNullToObject(o, "plugin");
        cJSON_AddItemToArray(arr, o);
    }
    char *text = arr ? cJSON_PrintUnformatted(arr) : NULL;
    cJSON_Delete(arr);
    return text;
}

/* ---- the process's plugin path ---- */

static gs__plugin_scan the;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static gs_status scan_child(void *ud, gsl_channel *out, char *err, size_t errlen) {
    (void)ud;
    gs__plugin_scan sc;
    memset(&sc, 0, sizeof sc);
    gs_status st = gs__scan_path(&sc, err, errlen);
    char *text = st == GS_OK ? gs_plugins_json(&sc.set) : NULL;
    if (st == GS_OK && !text) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory writing the plugin path");
    if (text && gsl_channel_send(out, GS_MSG_RESULT, text, strlen(text)) != GS_OK) st = GS_ERR_IO;
    free(text);
    gs__scan_free(&sc);
    return st;
}

static gs_status scan_message(void *ud, int type, const void *data, size_t len, char *err, size_t errlen) {
    if (type != GS_MSG_RESULT) return GS_OK;
    gs__scan_free(ud);
    return gs__plugins_from_json(ud, data, len, err, errlen);
}

/* The usable kinds join the asset table; their entries live as long as
 * the process, pointing into the.metas. */
static void add_kinds(void) {
    static gs_asset_kind *entries;
    int n = 0;
    for (int i = 0; i < the.set.nitems; i++) n += the.set.items[i].type == GS_ITEM_KIND && !the.set.items[i].refused;
    if (n == 0 || !(entries = calloc((size_t)n, sizeof *entries))) return;
    n = 0;
    for (int i = 0; i < the.set.nitems; i++) {
        const gs_plugin_item *it = &the.set.items[i];
        if (it->type == GS_ITEM_KIND && !it->refused) entries[n++] = gsl_kind_entry(&the.metas[i], it->path);
    }
    char err[512];
    if (gs_asset_add_kinds(entries, n, err, sizeof err) != GS_OK && !the.set.error) the.set.error = strdup(err);
}

static void read_path(void) {
    char err[1024] = "";
    gs_task_options o = gs_task_options_default();
    gs_status st;
    if (gs__isolated(&o)) {
        gsl_worker_limits lim = gs__worker_limits(&o, 0);
        st = gsl_worker_run(scan_child, NULL, &lim, scan_message, &the, err, sizeof err);
    } else {
        st = gs__scan_path(&the, err, sizeof err);
    }
    if (st != GS_OK) {
        gs__scan_free(&the);
        the.set.error = strdup(err[0] ? err : "the plugin path could not be read");
    }
    add_kinds();
}

const gs_plugin_set *gs_plugins(void) {
    pthread_once(&once, read_path);
    return &the.set;
}

/* ---- the kind table as JSON ---- */

static cJSON *kind_entry_json(const gs_asset_kind *k) {
    static const char *const roles[] = {"movable", "receptacle", "marker"};
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", k->name);
    cJSON_AddStringToObject(o, "role", roles[k->role]);
    cJSON_AddStringToObject(o, "doc", k->doc);
    cJSON_AddItemToObject(o, "size", cJSON_CreateDoubleArray(k->default_size, 3));
    cJSON_AddNumberToObject(o, "mass", k->default_mass);
    cJSON_AddBoolToObject(o, "fixed", k->default_fixed);
    cJSON_AddNumberToObject(o, "symmetry", k->symmetry);
    cJSON *opts = cJSON_AddArrayToObject(o, "options");
    cJSON_AddItemToArray(opts, cJSON_CreateString("color"));
    cJSON_AddItemToArray(opts, cJSON_CreateString("fixed"));
    int n;
    const char *const *names = gs_asset_option_names(&n);
    for (int b = 0; b < n; b++)
        if (k->options & (1u << b)) cJSON_AddItemToArray(opts, cJSON_CreateString(names[b]));
    cJSON *custom = cJSON_AddArrayToObject(o, "custom");
    for (int c = 0; c < k->ncustom; c++) {
        const gs_asset_custom *x = &k->custom[c];
        cJSON_AddItemToArray(opts, cJSON_CreateString(x->name));
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", x->name);
        cJSON_AddNumberToObject(e, "default", x->def);
        cJSON_AddNumberToObject(e, "min", x->min);
        cJSON_AddNumberToObject(e, "max", x->max);
        cJSON_AddBoolToObject(e, "integer", x->integer);
        if (x->doc) cJSON_AddStringToObject(e, "doc", x->doc);
        cJSON_AddItemToArray(custom, e);
    }
    char text[1024];
    gs_asset_options_text(k, text, sizeof text);
    cJSON_AddStringToObject(o, "options_text", text);
    const gs_plugin_set *p = gs_plugins();
    int it = k->origin ? item_of_path(p, k->origin) : -1;
    const gs_plugin *pl = it >= 0 && p->items[it].plugin >= 0 ? &p->plugins[p->items[it].plugin] : NULL;
    if (pl) cJSON_AddStringToObject(o, "plugin", pl->name);
    else cJSON_AddNullToObject(o, "plugin");
    if (k->origin) cJSON_AddStringToObject(o, "file", k->origin);
    else cJSON_AddNullToObject(o, "file");
    return o;
}

char *gs_kinds_json(void) {
    gs_plugins();
    int n;
    const gs_asset_kind *kinds = gs_asset_kinds(&n);
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; arr && i < n; i++) cJSON_AddItemToArray(arr, kind_entry_json(&kinds[i]));
    char *text = arr ? cJSON_PrintUnformatted(arr) : NULL;
    cJSON_Delete(arr);
    return text;
}
