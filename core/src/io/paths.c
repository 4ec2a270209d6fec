/* paths.c: folder listings, the data folder and the plugin path.
 *
 * The data folder is found from where the code is, never from the working
 * directory, so every command works from any directory: an installed
 * library, program or Lua module sits in PREFIX/lib, PREFIX/bin or
 * PREFIX/lib/lua/5.4, and its data in PREFIX/share/gensim, so a whole
 * prefix can be moved; code in a build tree uses the source tree it was
 * built from; last, the prefix it was configured to install to. A folder counts as the data
 * folder only when it holds scripts/generate.lua, so a half-removed prefix
 * is not taken for one. */
#define _GNU_SOURCE /* dladdr */
#include "gensim/io.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef GS_SOURCE_DIR
#define GS_SOURCE_DIR ""
#endif
/* Where share/gensim lies relative to the installed library's and
 * programs' folders (set by CMake from its install directories). */
#ifndef GS_LIB_TO_DATA
#define GS_LIB_TO_DATA "../share/gensim"
#endif
#ifndef GS_BIN_TO_DATA
#define GS_BIN_TO_DATA "../share/gensim"
#endif
#ifndef GS_LUAMOD_TO_DATA
#define GS_LUAMOD_TO_DATA "../../../share/gensim"
#endif
#ifndef GS_INSTALL_DATADIR
#define GS_INSTALL_DATADIR ""
#endif
#define DATA_MARKER "scripts/generate.lua"

static int compare_paths(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir that are regular files ending in suffix, or (dirs)
 * folders, skipping hidden ones, sorted (gs_list_files). */
static int list_entries(const char *dir, const char *suffix, int dirs, char ***paths, char *err, size_t errlen) {
    *paths = NULL;
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        gs_fail(err, errlen, GS_ERR_IO, "cannot open folder '%s': %s", dir, strerror(e));
        errno = e;
        return -1;
    }
    size_t slen = strlen(suffix);
    char **list = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= slen || strcmp(e->d_name + len - slen, suffix) != 0)
            continue;
        if (n == cap) {
            int grown_cap = cap ? cap * 2 : 16;
            char **grown = realloc(list, (size_t)grown_cap * sizeof *grown);
            if (!grown) goto nomem;
            list = grown, cap = grown_cap;
        }
        size_t size = strlen(dir) + 1 + len + 1;
        if (!(list[n] = malloc(size))) goto nomem;
        snprintf(list[n], size, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(list[n], &st) == 0 && (dirs ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode))) n++;
        else free(list[n]);
    }
    closedir(d);
    if (n) qsort(list, (size_t)n, sizeof *list, compare_paths);
    *paths = list;
    return n;
nomem:
    closedir(d);
    gs_free_paths(list, n);
    gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory listing '%s'", dir);
    return -1;
}

int gs_list_files(const char *dir, const char *suffix, char ***paths, char *err, size_t errlen) {
    return list_entries(dir, suffix, 0, paths, err, errlen);
}

int gs_list_dirs(const char *dir, char ***paths, char *err, size_t errlen) {
    return list_entries(dir, "", 1, paths, err, errlen);
}

void gs_free_strings(char **strings, int n) {
    for (int i = 0; strings && i < n; i++) free(strings[i]);
}

void gs_free_paths(char **paths, int n) {
    gs_free_strings(paths, n);
    free(paths);
}

/* ---- the data folder ---- */

static char data_dir[PATH_MAX];
static pthread_once_t data_once = PTHREAD_ONCE_INIT;

/* 1 when dir is a data folder; its canonical path goes to data_dir. */
static int take_if_data(const char *dir) {
    char marker[PATH_MAX + 32];
    struct stat st;
    if (!dir || !*dir || snprintf(marker, sizeof marker, "%s/%s", dir, DATA_MARKER) >= (int)sizeof marker ||
        stat(marker, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    if (!realpath(dir, data_dir)) return 0;
    return 1;
}

/* Tries rel from the folder of file (the library's or the program's). */
static int take_beside(const char *file, const char *rel) {
    char dir[PATH_MAX], candidate[2 * PATH_MAX];
    if (!file || !realpath(file, dir)) return 0;
    char *slash = strrchr(dir, '/');
    if (!slash) return 0;
    *slash = 0;
    snprintf(candidate, sizeof candidate, "%s/%s", dir, rel);
    return take_if_data(candidate);
}

static void find_data_dir(void) {
    const char *env = getenv("GENSIM_DATA_DIR");
    if (env && *env) {
        if (!take_if_data(env)) data_dir[0] = 0; /* said, but wrong: no guessing */
        return;
    }
    Dl_info info;
    if (dladdr((void *)gs_data_dir, &info) && info.dli_fname &&
        (take_beside(info.dli_fname, GS_LIB_TO_DATA) || take_beside(info.dli_fname, GS_BIN_TO_DATA) ||
         take_beside(info.dli_fname, GS_LUAMOD_TO_DATA)))
        return;
    /* a build tree's code uses its source tree; an install whose library
     * was moved apart from its data (a LuaRocks tree) the prefix it was
     * installed to */
    if (take_if_data(GS_SOURCE_DIR) || take_if_data(GS_INSTALL_DATADIR)) return;
    data_dir[0] = 0;
}

const char *gs_data_dir(void) {
    pthread_once(&data_once, find_data_dir);
    return data_dir[0] ? data_dir : NULL;
}

gs_status gs_data_path(const char *rel, char *out, size_t n, char *err, size_t errlen) {
    const char *dir = gs_data_dir();
    if (!dir)
        return gs_fail(err, errlen, GS_ERR_IO,
                       "cannot find gensim's data folder (share/gensim): set GENSIM_DATA_DIR%s",
                       getenv("GENSIM_DATA_DIR") ? " to a folder that holds " DATA_MARKER : "");
    if (snprintf(out, n, "%s/%s", dir, rel) >= (int)n)
        return gs_fail(err, errlen, GS_ERR_USAGE, "the path %s/%s is too long", dir, rel);
    return GS_OK;
}

/* ---- the plugin path ---- */

/* Adds a + b to dirs unless it is a folder already there under another
 * name (./plugins is the data folder's plugins/ when run from the source
 * tree): each folder is searched once, where it first appears. */
static int add_dir(char **dirs, int n, int max, const char *a, const char *b) {
    if (n >= max) return n;
    size_t size = strlen(a) + (b ? strlen(b) : 0) + 1;
    if (!(dirs[n] = malloc(size))) return n;
    snprintf(dirs[n], size, "%s%s", a, b ? b : "");
    char here[PATH_MAX], there[PATH_MAX];
    if (realpath(dirs[n], here))
        for (int i = 0; i < n; i++)
            if (realpath(dirs[i], there) && strcmp(here, there) == 0) {
                free(dirs[n]);
                return n;
            }
    return n + 1;
}

int gs_plugin_path(char **dirs, int max) {
    int n = 0;
    const char *env = getenv("GENSIM_PATH");
    if (env && *env) {
        const char *p = env;
        while (*p && n < max) {
            size_t len = strcspn(p, ":");
            if (len > 0 && len < PATH_MAX) {
                char dir[PATH_MAX];
                memcpy(dir, p, len);
                dir[len] = 0;
                n = add_dir(dirs, n, max, dir, NULL);
            }
            p += len + (p[len] == ':');
        }
    } else {
        n = add_dir(dirs, n, max, "./plugins", NULL);
        const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
        if (xdg && *xdg) n = add_dir(dirs, n, max, xdg, "/gensim/plugins");
        else if (home && *home) n = add_dir(dirs, n, max, home, "/.local/share/gensim/plugins");
    }
    /* the shipped plugins come last, always: the seed tasks require their
     * helpers, so a GENSIM_PATH of one's own must not hide them */
    const char *data = gs_data_dir();
    if (data) n = add_dir(dirs, n, max, data, "/plugins");
    return n;
}

/* ---- scene files ---- */

/* One component of a scene file name: plain characters, not "." or "..". */
static int plain_component(const char *s, size_t n) {
    if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int gs_scene_file_valid(const char *rel, char *why, size_t whylen) {
    size_t len = rel ? strlen(rel) : 0;
    const char *problem = NULL;
    if (len == 0 || len > 255) problem = "a scene file is named by 1 to 255 bytes";
    else if (rel[0] == '/') problem = "a scene file is named relative to scenes/, never by an absolute path";
    int components = 0, scenes_at = -1;
    for (const char *p = rel; !problem && p && *p;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (!plain_component(p, n))
            problem = "each part of a scene file's name is plain: letters, digits, '.', '_', '-', "
                      "and never empty, \".\" or \"..\"";
        else if (n == 6 && memcmp(p, "scenes", 6) == 0 && scenes_at < 0 && slash)
            scenes_at = components;
        components++;
        p = slash ? slash + 1 : NULL;
        if (slash && !*p) problem = "a scene file's name ends in a file, not '/'";
    }
    if (!problem && scenes_at != 0 && scenes_at != 1)
        problem = "a scene file lies under scenes/ (\"scenes/NAME.urdf\") or a plugin's scenes/ "
                  "(\"PLUGIN/scenes/NAME.urdf\")";
    if (problem && why) snprintf(why, whylen, "'%.80s': %s", rel ? rel : "(null)", problem);
    return problem == NULL;
}

gs_status gs_scene_file_resolve(const char *rel, char *path, char *root, size_t n, char *err,
                                size_t errlen) {
    char why[400];
    if (!gs_scene_file_valid(rel, why, sizeof why)) return gs_fail(err, errlen, GS_ERR_USAGE, "%s", why);
    char *dirs[64];
    int ndirs = 0;
    if (strncmp(rel, "scenes/", 7) == 0) {
        const char *data = gs_data_dir();
        if (data && (dirs[0] = strdup(data))) ndirs = 1;
    } else {
        ndirs = gs_plugin_path(dirs, 64);
    }
    char looked[1024] = "";
    int used = 0;
    for (int d = 0; d < ndirs; d++) {
        struct stat st;
        int fits = snprintf(path, n, "%s/%s", dirs[d], rel) < (int)n;
        if (fits && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (root) snprintf(root, n, "%s", dirs[d]);
            gs_free_strings(dirs, ndirs);
            return GS_OK;
        }
        if (used < (int)sizeof looked)
            used += snprintf(looked + used, sizeof looked - (size_t)used, "%s%s", d ? ", " : "", dirs[d]);
    }
    gs_free_strings(dirs, ndirs);
    path[0] = 0;
    return gs_fail(err, errlen, GS_ERR_IO, "no scene file '%s' in %s", rel,
                   ndirs ? looked : "any folder (no data folder and no plugin path)");
}

/* Appends the .urdf files of dir as prefix/NAME.urdf to *names. */
static void add_scene_names(const char *dir, const char *prefix, char ***names, int *n, int *cap) {
    char **files;
    int nfiles = gs_list_files(dir, ".urdf", &files, NULL, 0);
    for (int i = 0; i < nfiles; i++) {
        char name[512];
        snprintf(name, sizeof name, "%s/%s", prefix, strrchr(files[i], '/') + 1);
        int seen = !gs_scene_file_valid(name, NULL, 0);
        for (int k = 0; k < *n && !seen; k++) seen = strcmp((*names)[k], name) == 0;
        if (seen) continue;
        if (*n == *cap) {
            int grown_cap = *cap ? 2 * *cap : 16;
            char **grown = realloc(*names, sizeof *grown * (size_t)grown_cap);
            if (!grown) break;
            *names = grown, *cap = grown_cap;
        }
        if (((*names)[*n] = strdup(name))) (*n)++;
    }
    gs_free_paths(files, nfiles);
}

int gs_scene_files(char ***names) {
    int n = 0, cap = 0;
    *names = NULL;
    char dir[4096];
    if (gs_data_dir() && snprintf(dir, sizeof dir, "%s/scenes", gs_data_dir()) < (int)sizeof dir)
        add_scene_names(dir, "scenes", names, &n, &cap);
    char *folders[64];
    int nfolders = gs_plugin_path(folders, 64);
    for (int f = 0; f < nfolders; f++) {
        DIR *d = opendir(folders[f]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char prefix[512];
            snprintf(prefix, sizeof prefix, "%s/scenes", e->d_name);
            if (snprintf(dir, sizeof dir, "%s/%s", folders[f], prefix) < (int)sizeof dir)
                add_scene_names(dir, prefix, names, &n, &cap);
        }
        if (d) closedir(d);
    }
    gs_free_strings(folders, nfolders);
    if (n > 1) qsort(*names + 0, (size_t)n, sizeof **names, compare_paths);
    return n;
}
