/* task/plugin_internal.h (internal): plugins as the task module uses them:
 * the kinds written in Lua (kind.c), the plugin path's scan (plugin.c,
 * plugin_scan.c), the module finder tasks require through, and the
 * provenance of what a task ran. */
#ifndef GS_TASK_PLUGIN_INTERNAL_H
#define GS_TASK_PLUGIN_INTERNAL_H

#include <lua.h>

#include "gensim/assets.h"
#include "gensim/plugin.h"
#include "gensim/task.h"
#include "sandbox/sandbox.h"
#include "task/scene_internal.h"

/* ---- kinds in Lua (kind.c) ---- */

#define GSL_KIND_DOC_MAX 200
#define GSL_KIND_OPTION_NAME_MAX 31
#define GSL_KIND_OPTION_DOC_MAX 160
#define GSL_KIND_FILE_MAX (256 * 1024) /* bytes of a kind's file */

/* What kind{...} checked, copied then: the host reads a plugin kind from
 * here; the build function is the userdata's user value. */
typedef struct gsl_kind_meta {
    char name[GS_TASK_NAME_MAX + 1];
    gs_asset_role role;
    char doc[GSL_KIND_DOC_MAX + 1];
    double size[3], mass, symmetry;
    int fixed;
    unsigned options; /* gs_asset_option bits it takes (size, radius, height, length, mass) */
    gs_asset_custom custom[GS_ASSET_MAX_CUSTOM];
    char custom_name[GS_ASSET_MAX_CUSTOM][GSL_KIND_OPTION_NAME_MAX + 1];
    char custom_doc[GS_ASSET_MAX_CUSTOM][GSL_KIND_OPTION_DOC_MAX + 1];
    int ncustom;
} gsl_kind_meta;

/* Sets the global kind (the constructor kind files return) in the sandbox. */
void gsl_kind_install(gsl_sandbox *sb);
/* The snapshot of the kind{...} userdata at idx, or NULL for anything else. */
const gsl_kind_meta *gsl_kind_meta_at(lua_State *L, int idx);
/* The asset-table entry of a snapshot (its strings point into m, which
 * must live as long as the entry and not move; origin is the kind's file). */
gs_asset_kind gsl_kind_entry(gsl_kind_meta *m, const char *origin);

/* ---- provenance: the files a task ran ---- */

#define GS_PROVENANCE_MAX 32

typedef struct gs_provenance {
    int n;
    char path[GS_PROVENANCE_MAX][1024];
    char sha256[GS_PROVENANCE_MAX][65];
} gs_provenance;

/* Records a file the task ran (once per path). */
void gs__provenance_add(gs_provenance *p, const char *path, const void *text, size_t len);
/* [{file, sha256, plugin, version}], each file named relative to the
 * folder it was found in; malloc'd JSON, NULL when out of memory. */
char *gs__provenance_json(const gs_provenance *p);

/* ---- the plugin path (plugin.c, plugin_scan.c) ---- */

/* A set as it is built, with what the public struct does not show. */
typedef struct gs__plugin_scan {
    gs_plugin_set set;       /* first: a gs_plugin_set * of a scan is the scan */
    gsl_kind_meta *metas;    /* (set.nitems) the snapshot of each kind item */
    int cap_items, cap_plugins;
} gs__plugin_scan;

/* Adds an item or a plugin (strings copied); returns its index, or -1
 * when out of memory. */
int gs__scan_add_item(gs__plugin_scan *sc, gs_item_type type, const char *name, const char *path, int plugin,
                      int folder);
int gs__scan_add_plugin(gs__plugin_scan *sc, const char *dir, int folder);
/* Sets a refusal (printf-style), keeping the first one. */
void gs__scan_refuse(char **refused, const char *fmt, ...) GS_PRINTF(2, 3);
void gs__scan_free(gs__plugin_scan *sc);
/* Reads the plugin path into sc (plugin_scan.c): folders, manifests, kinds
 * (in sandboxes), then the rules: API major, requirements, shadowing and
 * clashes. GS_OK unless memory ran out. */
gs_status gs__scan_path(gs__plugin_scan *sc, char *err, size_t errlen);
/* The set gs_plugins_json wrote, read back into sc (plugin_json.c) as
 * untrusted input; on failure sc is empty. */
gs_status gs__plugins_from_json(gs__plugin_scan *sc, const char *text, size_t len, char *err, size_t errlen);
/* The index of the usable plugin named name, or -1. */
int gs__scan_plugin(const gs__plugin_scan *sc, const char *name);

/* What require searches: a scan's modules, and where to record what ran. */
typedef struct gs__module_finder {
    const gs__plugin_scan *scan; /* NULL: the process's (gs_plugins) */
    gs_provenance *prov;         /* nullable */
} gs__module_finder;
/* Finds module "plugin.module" for require: the usable plugin's
 * lib/module.lua (dots are folders); ud is a gs__module_finder.
 * gsl_find_module_fn. */
gs_status gs__find_module(void *ud, const char *name, char *path, size_t pathlen, char **src, size_t *len,
                          char *err, size_t errlen);

/* Adds an object of plugin kind k from inside env:add: runs the kind's
 * file in L once (recorded in prov), then its build(b, o) with the
 * resolved options; raises on any failure. Returns the object's index. */
int gsl_kind_build(lua_State *L, gs_scene *s, const gs_asset_kind *k, const gs_asset_params *p, const char *color,
                   const gs_pose *pose, gs_provenance *prov);

#endif
