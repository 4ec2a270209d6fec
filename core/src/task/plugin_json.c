/* plugin_json.c: a plugin set as JSON and back (plugin.h): what `gensim
 * plugin list --json` prints, and how a worker that read the plugin path
 * hands the set to its parent. The parent reads it as untrusted input:
 * strings are bounded, numbers range-checked, indices checked against the
 * set, and a kind's snapshot passes the same rules kind{...} applies. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "task/plugin_internal.h"

#define TEXT_MAX 4096

static const char *const TYPE_NAMES[GS_ITEM_TYPES] = {"task", "kind", "module", "curriculum", "spec"};
static const char *const CLASSES[] = {"movable", "receptacle", "marker"};

/* ---- out ---- */

static void add_string_or_null(cJSON *o, const char *key, const char *s) {
    if (s) cJSON_AddStringToObject(o, key, s);
    else cJSON_AddNullToObject(o, key);
}

static cJSON *kind_json(const gsl_kind_meta *m) {
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "class", CLASSES[m->role]);
    cJSON_AddStringToObject(k, "doc", m->doc);
    cJSON_AddItemToObject(k, "size", cJSON_CreateDoubleArray(m->size, 3));
    cJSON_AddNumberToObject(k, "mass", m->mass);
    cJSON_AddBoolToObject(k, "fixed", m->fixed);
    cJSON_AddNumberToObject(k, "symmetry", m->symmetry);
    cJSON_AddNumberToObject(k, "options", m->options);
    cJSON *custom = cJSON_AddArrayToObject(k, "custom");
    for (int c = 0; c < m->ncustom; c++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", m->custom_name[c]);
        cJSON_AddNumberToObject(o, "default", m->custom[c].def);
        cJSON_AddNumberToObject(o, "min", m->custom[c].min);
        cJSON_AddNumberToObject(o, "max", m->custom[c].max);
        cJSON_AddBoolToObject(o, "integer", m->custom[c].integer);
        cJSON_AddStringToObject(o, "doc", m->custom_doc[c]);
        cJSON_AddItemToArray(custom, o);
    }
    return k;
}

static cJSON *plugin_json(const gs_plugin *pl) {
    cJSON *o = cJSON_CreateObject();
    add_string_or_null(o, "name", pl->name);
    add_string_or_null(o, "version", pl->version);
    cJSON_AddNumberToObject(o, "api", pl->api);
    add_string_or_null(o, "description", pl->description);
    add_string_or_null(o, "license", pl->license);
    cJSON_AddStringToObject(o, "dir", pl->dir);
    cJSON_AddNumberToObject(o, "folder", pl->folder);
    cJSON *req = cJSON_AddArrayToObject(o, "requires");
    for (int r = 0; r < pl->nrequires; r++) {
        cJSON *q = cJSON_CreateObject();
        cJSON_AddStringToObject(q, "name", pl->requires[r].name);
        cJSON_AddStringToObject(q, "range", pl->requires[r].range);
        cJSON_AddItemToArray(req, q);
    }
    add_string_or_null(o, "refused", pl->refused);
    return o;
}

char *gs_plugins_json(const gs_plugin_set *p) {
    const gs__plugin_scan *sc = (const gs__plugin_scan *)p;
    cJSON *j = cJSON_CreateObject();
    if (!j) return NULL;
    cJSON_AddItemToObject(j, "folders", cJSON_CreateStringArray((const char *const *)p->folders, p->nfolders));
    cJSON_AddNumberToObject(j, "npath", p->npath);
    cJSON *plugins = cJSON_AddArrayToObject(j, "plugins");
    for (int i = 0; i < p->nplugins; i++) cJSON_AddItemToArray(plugins, plugin_json(&p->plugins[i]));
    cJSON *items = cJSON_AddArrayToObject(j, "items");
    for (int i = 0; i < p->nitems; i++) {
        const gs_plugin_item *it = &p->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", TYPE_NAMES[it->type]);
        cJSON_AddStringToObject(o, "name", it->name);
        cJSON_AddStringToObject(o, "path", it->path);
        cJSON_AddNumberToObject(o, "plugin", it->plugin);
        cJSON_AddNumberToObject(o, "folder", it->folder);
        cJSON_AddNumberToObject(o, "shadowed_by", it->shadowed_by);
        add_string_or_null(o, "refused", it->refused);
        if (it->type == GS_ITEM_KIND && !it->refused) cJSON_AddItemToObject(o, "kind", kind_json(&sc->metas[i]));
        cJSON_AddItemToArray(items, o);
    }
    add_string_or_null(j, "error", p->error);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}

/* ---- in ---- */

typedef struct reader {
    gs_status st;
    char *err;
    size_t errlen;
} reader;

static int bad(reader *r, const char *what) {
    if (r->st == GS_OK) r->st = gs_fail(r->err, r->errlen, GS_ERR_RUNTIME, "the plugin path's reader sent %s", what);
    return 0;
}

/* A string field: NULL for null (when allowed), a copy otherwise. */
static char *take_string(reader *r, const cJSON *o, const char *key, int nullable) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (nullable && (!v || cJSON_IsNull(v))) return NULL;
    if (!cJSON_IsString(v) || strlen(v->valuestring) > TEXT_MAX) return bad(r, "a malformed string"), NULL;
    char *s = strdup(v->valuestring);
    if (!s) bad(r, "more than memory holds");
    return s;
}

static double take_number(reader *r, const cJSON *o, const char *key, double lo, double hi) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi)) return bad(r, "a number out of range");
    return v->valuedouble;
}

static void copy_bounded(reader *r, const cJSON *o, const char *key, char *out, size_t n) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= n) {
        bad(r, "a string too long");
        out[0] = 0;
        return;
    }
    memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
}

static void read_kind(reader *r, const cJSON *k, const char *name, gsl_kind_meta *m) {
    memset(m, 0, sizeof *m);
    if (strlen(name) >= sizeof m->name || !gs_task_name_valid(name, NULL, 0)) return (void)bad(r, "a bad kind name");
    memcpy(m->name, name, strlen(name) + 1);
    char class[16];
    copy_bounded(r, k, "class", class, sizeof class);
    m->role = GS_ROLE_MOVABLE;
    int c = 0;
    while (c < 3 && strcmp(class, CLASSES[c]) != 0) c++;
    if (c == 3) return (void)bad(r, "a bad kind class");
    m->role = (gs_asset_role)c;
    copy_bounded(r, k, "doc", m->doc, sizeof m->doc);
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(k, "size");
    for (int d = 0; d < 3; d++) {
        const cJSON *v = cJSON_GetArrayItem(size, d);
        m->size[d] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
        if (!(m->size[d] >= 0 && m->size[d] <= GS_ASSET_SIZE_MAX)) return (void)bad(r, "a bad kind size");
    }
    m->mass = take_number(r, k, "mass", 0.001, 100);
    m->fixed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(k, "fixed"));
    m->symmetry = take_number(r, k, "symmetry", 0, 2 * GS_PI);
    m->options = (unsigned)take_number(r, k, "options", 0, GS_OPT_MASS | GS_OPT_LENGTH | GS_OPT_HEIGHT | GS_OPT_RADIUS | GS_OPT_SIZE);
    const cJSON *custom = cJSON_GetObjectItemCaseSensitive(k, "custom"), *o;
    cJSON_ArrayForEach(o, custom) {
        if (m->ncustom == GS_ASSET_MAX_CUSTOM) return (void)bad(r, "too many kind options");
        gs_asset_custom *x = &m->custom[m->ncustom];
        copy_bounded(r, o, "name", m->custom_name[m->ncustom], sizeof m->custom_name[0]);
        copy_bounded(r, o, "doc", m->custom_doc[m->ncustom], sizeof m->custom_doc[0]);
        x->min = take_number(r, o, "min", -1e6, 1e6);
        x->max = take_number(r, o, "max", x->min, 1e6);
        x->def = take_number(r, o, "default", x->min, x->max);
        x->integer = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "integer"));
        m->ncustom++;
    }
}

static void read_plugin(reader *r, gs__plugin_scan *sc, const cJSON *o, int nfolders) {
    char *dir = take_string(r, o, "dir", 0);
    int folder = (int)take_number(r, o, "folder", 0, nfolders - 1);
    int i = dir && r->st == GS_OK ? gs__scan_add_plugin(sc, dir, folder) : -1;
    free(dir);
    if (i < 0) return (void)bad(r, "a plugin it could not hold");
    gs_plugin *pl = &sc->set.plugins[i];
    pl->name = take_string(r, o, "name", 1), pl->version = take_string(r, o, "version", 1);
    pl->description = take_string(r, o, "description", 1), pl->license = take_string(r, o, "license", 1);
    pl->refused = take_string(r, o, "refused", 1);
    pl->api = (int)take_number(r, o, "api", -1e9, 1e9);
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(o, "requires"), *q;
    int n = cJSON_GetArraySize(req);
    if (n > 64) return (void)bad(r, "too many requirements");
    pl->requires = n ? calloc((size_t)n, sizeof *pl->requires) : NULL;
    cJSON_ArrayForEach(q, req) {
        if (!pl->requires) break;
        pl->requires[pl->nrequires].name = take_string(r, q, "name", 0);
        pl->requires[pl->nrequires].range = take_string(r, q, "range", 0);
        pl->nrequires++;
    }
}

static void read_item(reader *r, gs__plugin_scan *sc, const cJSON *o) {
    char type[16];
    copy_bounded(r, o, "type", type, sizeof type);
    int t = 0;
    while (t < GS_ITEM_TYPES && strcmp(type, TYPE_NAMES[t]) != 0) t++;
    if (t == GS_ITEM_TYPES) return (void)bad(r, "an item of no known type");
    char *name = take_string(r, o, "name", 0), *path = take_string(r, o, "path", 0);
    int plugin = (int)take_number(r, o, "plugin", -1, sc->set.nplugins - 1);
    int folder = (int)take_number(r, o, "folder", 0, sc->set.nfolders - 1);
    int i = name && path && r->st == GS_OK ? gs__scan_add_item(sc, (gs_item_type)t, name, path, plugin, folder) : -1;
    free(name), free(path);
    if (i < 0) return (void)bad(r, "an item it could not hold");
    gs_plugin_item *it = &sc->set.items[i];
    it->refused = take_string(r, o, "refused", 1);
    it->shadowed_by = (int)take_number(r, o, "shadowed_by", -1, i - 1);
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "kind");
    if (t == GS_ITEM_KIND && !it->refused) read_kind(r, k, it->name, &sc->metas[i]);
}

gs_status gs__plugins_from_json(gs__plugin_scan *sc, const char *text, size_t len, char *err, size_t errlen) {
    memset(sc, 0, sizeof *sc);
    reader r = {GS_OK, err, errlen};
    cJSON *j = cJSON_ParseWithLength(text, len);
    if (!j) return gs_fail(err, errlen, GS_ERR_RUNTIME, "the plugin path's reader sent malformed JSON");
    const cJSON *folders = cJSON_GetObjectItemCaseSensitive(j, "folders"), *o;
    int n = cJSON_GetArraySize(folders);
    sc->set.folders = n > 0 && n <= 256 ? calloc((size_t)n, sizeof *sc->set.folders) : NULL;
    if (!sc->set.folders) bad(&r, "no folders");
    cJSON_ArrayForEach(o, folders) {
        if (r.st != GS_OK) break;
        if (!cJSON_IsString(o) || strlen(o->valuestring) > TEXT_MAX) bad(&r, "a malformed folder");
        else sc->set.folders[sc->set.nfolders++] = strdup(o->valuestring);
    }
    sc->set.npath = (int)take_number(&r, j, "npath", 0, sc->set.nfolders);
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(j, "plugins")) if (r.st == GS_OK) read_plugin(&r, sc, o, sc->set.nfolders);
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(j, "items")) if (r.st == GS_OK) read_item(&r, sc, o);
    if (r.st == GS_OK) sc->set.error = take_string(&r, j, "error", 1);
    cJSON_Delete(j);
    if (r.st != GS_OK) gs__scan_free(sc);
    return r.st;
}
