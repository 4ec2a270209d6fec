/* io.h: files in and out: whole-file reads, atomic writes, PNG images, GIF clips. */
#ifndef GENSIM_IO_H
#define GENSIM_IO_H

#include <stddef.h>
#include <stdint.h>

#include "gensim/assets.h"
#include "gensim/status.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

/* Reads a whole file into a NUL-terminated malloc'd buffer (*len bytes,
 * len nullable), refusing files over max_bytes. The caller frees *out. */
GS_API gs_status gs_read_file(const char *path, size_t max_bytes, char **out, size_t *len, char *err,
                       size_t errlen);
/* Writes n bytes to path through a temporary file in the same folder and
 * a rename, so readers see the old file or the new one, never a part. */
GS_API gs_status gs_write_file_atomic(const char *path, const void *data, size_t n, char *err,
                               size_t errlen);
/* The same without waiting for the disk: a process killed at any moment
 * still leaves the old file or the new one, but after a crash of the
 * machine the file may be either (for progress saved often, where an
 * fsync per save would cost more than the work between saves). */
GS_API gs_status gs_write_file_atomic_nosync(const char *path, const void *data, size_t n, char *err,
                                             size_t errlen);
/* Writes an 8-bit RGB image (height x width x 3) as PNG, atomically. */
GS_API gs_status gs_write_png(const char *path, const uint8_t *rgb, int width, int height, char *err,
                       size_t errlen);
/* Creates a folder and its parents (mkdir -p); existing ones are fine. */
GS_API gs_status gs_make_dirs(const char *path, char *err, size_t errlen);

/* ---- folders and where gensim's data lives (paths.c) ---- */

/* The files directly in folder dir whose names end in suffix (".lua"),
 * hidden ones skipped, sorted by name, as malloc'd "dir/name" paths in
 * *paths (free with gs_free_paths). Returns their count, or -1 (and err,
 * errno kept from opendir) when the folder cannot be read or memory runs
 * out. */
GS_API int gs_list_files(const char *dir, const char *suffix, char ***paths, char *err, size_t errlen);
/* The folders directly in dir, hidden ones skipped, sorted, as gs_list_files. */
GS_API int gs_list_dirs(const char *dir, char ***paths, char *err, size_t errlen);
/* Frees what gs_list_files returned; paths nullable. */
GS_API void gs_free_paths(char **paths, int n);
/* Frees the n strings of an array the caller owns (gs_plugin_path's). */
GS_API void gs_free_strings(char **strings, int n);
/* The folder that holds gensim's shipped data (tasks/, scripts/, plugins/,
 * scenes/): $GENSIM_DATA_DIR when set; else share/gensim of the prefix the
 * library or program was installed to; else the source tree it was built
 * from. Never the working directory. NULL when none of them exists. */
GS_API const char *gs_data_dir(void);
/* "<data dir>/rel" into out (n bytes); GS_ERR_IO when there is no data
 * folder, GS_ERR_USAGE when out is too small. */
GS_API gs_status gs_data_path(const char *rel, char *out, size_t n, char *err, size_t errlen);
/* The plugin path, first folder first: the colon-separated $GENSIM_PATH
 * when set, else ./plugins and $XDG_DATA_HOME/gensim/plugins (default
 * ~/.local/share/gensim/plugins); then, always, the data folder's plugins/
 * (the shipped ones, which the seed tasks use). A folder named twice is
 * kept where it first appears. Writes at
 * most max malloc'd folder names into dirs (free with gs_free_strings) and
 * returns how many; folders that do not exist are kept (the path is what
 * the user said). */
GS_API int gs_plugin_path(char **dirs, int max);

/* ---- scene files: URDF objects and OBJ meshes (paths.c, urdf.c, obj.c) ---- */

#define GS_URDF_MAX_BYTES (1 << 20)
#define GS_OBJ_MAX_BYTES (8 << 20)

/* 1 when rel is a scene file a task may name: a relative path of plain
 * names (letters, digits, '.', '_', '-'; none empty, "." or ".."), at most
 * 255 bytes, under scenes/ ("scenes/NAME.urdf", for the data folder's) or a
 * plugin's scenes/ ("PLUGIN/scenes/NAME.urdf", for a plugin on the plugin
 * path). Else 0 and why (nullable) says what is wrong. */
GS_API int gs_scene_file_valid(const char *rel, char *why, size_t whylen);
/* Where rel is: a "scenes/..." file in the data folder, a
 * "PLUGIN/scenes/..." file in the first folder of the plugin path that has
 * it; into path (n bytes), and the folder it was found under into root
 * (n bytes, nullable). GS_ERR_USAGE for a name gs_scene_file_valid refuses,
 * GS_ERR_IO naming where it looked when there is no such file. */
GS_API gs_status gs_scene_file_resolve(const char *rel, char *path, char *root, size_t n, char *err,
                                       size_t errlen);

/* The scene files there are, by the names a task gives them: the data
 * folder's scenes/NAME.urdf, then PLUGIN/scenes/NAME.urdf of every plugin
 * folder on the plugin path, each name once, sorted, as malloc'd strings
 * in *names (free with gs_free_paths); returns how many. */
GS_API int gs_scene_files(char ***names);

/* Reads an OBJ mesh from text (len bytes; name is what messages call it)
 * into link of m: one convex part per `o`/`g` group with faces (or one for
 * the file), each scaled by scale and placed by origin (nullable: the
 * link's frame). Every problem is GS_ERR_IO with "name:line: message". */
GS_API gs_status gs_obj_parse(const char *name, const char *text, size_t len, double scale,
                              const gs_pose *origin, gs_model *m, int link, char *err, size_t errlen);
/* The same from the file at path (at most GS_OBJ_MAX_BYTES). */
GS_API gs_status gs_obj_load(const char *path, const char *name, double scale, const gs_pose *origin,
                             gs_model *m, int link, char *err, size_t errlen);

/* Reads a URDF object from text (len bytes; name is what messages call
 * it) into m (empty): links with their collision parts (box, cylinder,
 * sphere, OBJ meshes as convex parts) and inertials, joints (revolute,
 * continuous, prismatic; fixed ones merge their child into its parent)
 * with limits and dynamics, all scaled by scale (masses by its cube). The
 * base link's frame becomes the middle of the bottom of the object as it
 * stands with every joint at its lower limit. Meshes are named relative
 * to dir, or as package://PATH relative to root; both nullable (then a
 * mesh is refused), and a mesh name obeys gs_scene_file_valid's rule for
 * its parts. Every problem is GS_ERR_IO with "name:line: message". */
GS_API gs_status gs_urdf_parse(const char *name, const char *text, size_t len, const char *dir,
                               const char *root, double scale, gs_model *m, char *err, size_t errlen);
/* A scene file by its name (gs_scene_file_resolve), read and parsed. */
GS_API gs_status gs_urdf_load(const char *rel, double scale, gs_model *m, char *err, size_t errlen);

/* ---- animated GIF clips (gif.c) ----
 * Frames share one fixed 252-colour palette with ordered dithering; each
 * frame after the first stores only what changed. */
typedef struct gs_gif gs_gif;
/* Starts a looping clip of width x height frames, each shown delay_cs
 * hundredths of a second unless said otherwise; nothing reaches path before
 * gs_gif_close. */
GS_API gs_status gs_gif_open(gs_gif **out, const char *path, int width, int height, int delay_cs,
                      char *err, size_t errlen);
/* Adds a frame, an 8-bit RGB image (height x width x 3), for the default delay. */
GS_API gs_status gs_gif_add_frame(gs_gif *g, const uint8_t *rgb, char *err, size_t errlen);
/* Adds a frame shown delay_cs (1..65535) hundredths of a second, e.g. a held last frame. */
GS_API gs_status gs_gif_add_frame_for(gs_gif *g, const uint8_t *rgb, int delay_cs, char *err,
                               size_t errlen);
/* Bytes encoded so far (the file will be about this) and frames added; a
 * frame identical to the one before counts once. */
GS_API size_t gs_gif_bytes(const gs_gif *g);
GS_API int gs_gif_frames(const gs_gif *g);
/* Finishes the clip, writes it to its path atomically and frees g. */
GS_API gs_status gs_gif_close(gs_gif *g, char *err, size_t errlen);
/* Frees g (nullable) and writes nothing. */
GS_API void gs_gif_discard(gs_gif *g);

GS_END_DECLS

#endif
