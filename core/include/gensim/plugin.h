/* plugin.h: the plugin path and what is on it.
 *
 * A folder on the plugin path (gs_plugin_path: $GENSIM_PATH, else
 * ./plugins and the user's data folder; the installed one always last)
 * holds loose task files and plugins, each a folder with plugin.lua:
 *
 *   NAME/plugin.lua   return plugin{name, version, api, description, license, requires}
 *   NAME/tasks/       tasks, one per .lua file
 *   NAME/kinds/       asset kinds, each file returning kind{name, class, doc, size,
 *                     options, symmetry, build}
 *   NAME/lib/         helper modules: require "NAME.module" (sub-folders nest)
 *   NAME/curricula/   curricula (trusted; run only when named)
 *   NAME/spec/        Busted specs, files ending _spec.lua (gensim plugin check)
 *
 * The path is read once per process. Manifests and kind files are code from
 * strangers: they are read in a supervised worker (unless the caller runs
 * tasks in process) inside the sandbox. What is found is listed here, in
 * path order; a plugin that cannot be used (another API major, a missing
 * requirement, a broken manifest) stays listed with the reason, and so do
 * clashing names: using a refused name is an error that says why. The
 * kinds of accepted plugins join the asset table (gs_asset_add_kinds). */
#ifndef GENSIM_PLUGIN_H
#define GENSIM_PLUGIN_H

#include "gensim/status.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

typedef enum gs_item_type {
    GS_ITEM_TASK,
    GS_ITEM_KIND,
    GS_ITEM_MODULE,
    GS_ITEM_CURRICULUM,
    GS_ITEM_SPEC,
    GS_ITEM_TYPES
} gs_item_type;

/* One thing a folder or plugin provides. */
typedef struct gs_plugin_item {
    gs_item_type type;
    char *name;        /* a task's or kind's name, "plugin.module", a curriculum's or spec's file stem */
    char *path;        /* its file */
    int plugin;        /* index in gs_plugin_set.plugins; -1 for a loose task */
    int folder;        /* index in gs_plugin_set.folders */
    int shadowed_by;   /* the item of the same type and name that wins, or -1 */
    char *refused;     /* NULL, or why the item cannot be used */
} gs_plugin_item;

typedef struct gs_plugin_require {
    char *name;        /* a plugin */
    char *range;       /* versions it must be in: ">=0.2 <1", "0.3.1", "" for any */
} gs_plugin_require;

typedef struct gs_plugin {
    char *name, *version, *description, *license; /* license nullable */
    char *dir;         /* its folder */
    int api;           /* the task API major it was written for */
    int folder;        /* index in gs_plugin_set.folders */
    gs_plugin_require *requires;
    int nrequires;
    char *refused;     /* NULL, or why the plugin is not used */
} gs_plugin;

typedef struct gs_plugin_set {
    char **folders;    /* (nfolders) the plugin path, then the library's task folders */
    int nfolders;
    int npath;         /* folders[0 .. npath-1] are the plugin path */
    gs_plugin *plugins;
    int nplugins;
    gs_plugin_item *items;
    int nitems;
    char *error;       /* NULL, or why the path could not be read at all */
} gs_plugin_set;

/* The plugin path as read (the first call reads it); never NULL. */
GS_API const gs_plugin_set *gs_plugins(void);
/* The usable item of type named name (the first on the path), or -1. A
 * name that only a refused item has is also -1; gs_plugins_why says why. */
GS_API int gs_plugins_find(const gs_plugin_set *p, gs_item_type type, const char *name);
/* Why type name cannot be used, into err; GS_ERR_IO when nothing of that
 * name is on the path (with the nearest names), else the refusal's status. */
GS_API gs_status gs_plugins_why(const gs_plugin_set *p, gs_item_type type, const char *name, char *err,
                                size_t errlen);
/* The set as JSON ({folders, plugins, items}), malloc'd; NULL when out of memory. */
GS_API char *gs_plugins_json(const gs_plugin_set *p);
/* Every asset kind, built-in and from plugins (the path is read first), as
 * [{name, role, doc, size, mass, fixed, symmetry, options (names, color and
 * fixed first), options_text, custom (by name): [{name, default, min, max, integer,
 * doc}], plugin, file}]: what `gensim assets`, gensim.assets() and the
 * model's API reference list. malloc'd JSON; NULL when out of memory. */
GS_API char *gs_kinds_json(void);
/* 1 when version ("MAJOR.MINOR.PATCH", fewer parts allowed) is in range
 * (space-separated comparisons: ">=0.2 <1", "=1.2.0", "1.2"; "" or "*":
 * any); -1 when range is malformed. */
GS_API int gs_version_in_range(const char *version, const char *range);

GS_END_DECLS

#endif
