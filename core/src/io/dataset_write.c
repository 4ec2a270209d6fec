/* dataset_write.c: the streaming HDF5 writer of demonstration datasets
 * (dataset.h; layout in README.md, "Datasets").
 *
 * An episode is built as an anonymous group, flushed, linked under
 * /episodes, and the file closed and opened again: a reader never sees half
 * an episode, a failed append leaves no trace in the layout, and the
 * metadata cache starts empty for every episode. The cache never evicts, so
 * metadata reaches the disk only at that flush and close; all writing
 * happens inside gs_dataset_append, and a run stopped between appends
 * (while simulating, where its time goes), even killed outright, leaves the
 * file its last append closed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/dataset_internal.h"

static int write_episode(gs_dataset_writer *w, hid_t g, const gs_dataset_episode *ep, const gs__chunks *chunks,
                         char *why, size_t whylen);
static hid_t quiet_metadata_fapl(void);
#define reopen gs__writer_reopen
static hid_t untimed(hid_t cls);
static hid_t image_dcpl(int rank, const hsize_t *chunk, int shuffle, int level);
#define attr_string gs__attr_string
static int attr_write(hid_t loc, const char *name, hid_t filetype, hid_t memtype, int rank,
                      const hsize_t *dims, const void *value, char *why, size_t whylen);
static int dataset_write(hid_t loc, const char *name, hid_t filetype, hid_t memtype, int rank,
                         const hsize_t *dims, hid_t dcpl, const void *data, char *why,
                         size_t whylen);
static int image_write(hid_t loc, const char *name, hid_t filetype, hid_t memtype, int rank, const hsize_t *dims,
                       hid_t dcpl, const void *data, const gs__chunks *chunks, int kind, char *why, size_t whylen);
static int dataset_strings(const gs_dataset_writer *w, hid_t loc, const char *name, int n, char *const *values,
                           char *why, size_t whylen);
static int write_set(hid_t loc, const char *name, hid_t filetype, hid_t memtype, int rank, const hsize_t *dims,
                     hid_t dcpl, hid_t dxpl, const void *data, char *why, size_t whylen);

/* The type conversion buffer of the string datasets' writes: HDF5's
 * default, 1 MiB, is calloc'd afresh for each write, which made clearing
 * it most of the writing process's time; an episode's strings need a few
 * KiB (longer ones are converted in strips). */
#define STRINGS_TCONV ((size_t)64 << 10)

/* ---- writing ---- */

gs_dataset_options gs_dataset_options_default(void) {
    gs_dataset_options o;
    o.view = gsr_view_default();
    o.split = "train";
    o.overwrite = 0;
    o.compression = 1;
    return o;
}

/* A writer for path, its property lists set up and no file open yet. */
static gs_status new_writer(const char *path, const gs_dataset_options *opt, gs_dataset_writer **out, char *err,
                            size_t errlen) {
    *out = NULL;
    const gsr_view *v = &opt->view;
    int rows = gsr_view_height(v), cols = gsr_view_width(v);
    if (rows <= 0 || cols <= 0 || rows > MAX_SIDE || cols > MAX_SIDE || !(v->pixel > 0))
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: the view is %d x %d pixels", path, rows, cols);
    if (opt->compression < 0 || opt->compression > 9)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: compression level %d is not 0..9", path,
                       opt->compression);
    const char *split = opt->split ? opt->split : "";
    if (strlen(split) >= sizeof ((gs_dataset_info *)0)->split)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: the split label '%s' is too long", path, split);
    gs_dataset_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory creating %s", path);
    }
    w->file = w->episodes = w->fapl = w->vlen_str = w->dcpl_plain = w->gcpl = w->dxpl_strings = H5I_INVALID_HID;
    w->rows = rows, w->cols = cols, w->level = opt->compression;
    w->fapl = quiet_metadata_fapl();
    int ok = 1;
    for (int k = 0; k < GS_IMAGE_KINDS; k++) {
        /* one observation a chunk; colour's three channels are its last dimension */
        hsize_t chunk[4] = {1, (hsize_t)rows, (hsize_t)cols, 3};
        int rank = gs__image_kinds[k].array == A_COLOR ? 4 : 3;
        w->dcpl_image[k] = image_dcpl(rank, chunk, gs__image_kinds[k].shuffle, opt->compression);
        ok = ok && w->dcpl_image[k] >= 0;
    }
    w->dcpl_plain = untimed(H5P_DATASET_CREATE);
    w->gcpl = untimed(H5P_GROUP_CREATE);
    w->vlen_str = H5Tcopy(H5T_C_S1);
    w->dxpl_strings = H5Pcreate(H5P_DATASET_XFER);
    ok = ok && w->dxpl_strings >= 0 && H5Pset_buffer(w->dxpl_strings, STRINGS_TCONV, NULL, NULL) >= 0;
    ok = ok && w->dcpl_plain >= 0 && w->gcpl >= 0 &&
             w->vlen_str >= 0 && H5Tset_size(w->vlen_str, H5T_VARIABLE) >= 0 &&
             H5Tset_cset(w->vlen_str, H5T_CSET_UTF8) >= 0;
    if (!ok) {
        gs_dataset_writer_close(w, NULL, 0);
        return gs_fail(err, errlen, GS_ERR_IO, "%s: cannot set up the datasets' properties", path);
    }
    *out = w;
    return GS_OK;
}

gs_status gs_dataset_create(const char *path, const gs_dataset_options *opt,
                            gs_dataset_writer **out, char *err, size_t errlen) {
    *out = NULL;
    gs__silence_hdf5();
    if (!opt->overwrite && access(path, F_OK) == 0)
        return gs_fail(err, errlen, GS_ERR_IO, "%s already exists", path);
    gs_dataset_writer *w;
    gs_status st = new_writer(path, opt, &w, err, errlen);
    if (st != GS_OK) return st;
    char why[512] = "";
    w->file = H5Fcreate(path, opt->overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT,
                        w->fapl >= 0 ? w->fapl : H5P_DEFAULT);
    if (w->file < 0) {
        gs__hdf5_reason(why, sizeof why);
        gs_dataset_writer_close(w, NULL, 0);
        return gs_fail(err, errlen, GS_ERR_IO, "cannot create %s: %s", path, why);
    }
    const gsr_view *v = &opt->view;
    double bounds[3][2] = {{v->x0, v->x1}, {v->y0, v->y1}, {0, GS_WS_Z1}};
    int32_t image_size[2] = {w->rows, w->cols};
    int32_t version = GS_DATASET_FORMAT_VERSION;
    hsize_t dims_bounds[2] = {3, 2}, dims_size[1] = {2};
    hid_t root = w->file;
    int ok = attr_string(root, "format", GS_DATASET_FORMAT, why, sizeof why) &&
             attr_write(root, "format_version", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, NULL, &version, why, sizeof why) &&
             attr_string(root, "gensim_version", GS_VERSION, why, sizeof why) &&
             attr_write(root, "pixel_size", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, NULL, &v->pixel, why, sizeof why) &&
             attr_write(root, "bounds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims_bounds, bounds, why, sizeof why) &&
             attr_write(root, "image_size", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, dims_size, image_size, why, sizeof why) &&
             attr_string(root, "split", opt->split ? opt->split : "", why, sizeof why);
    if (ok) {
        w->episodes = H5Gcreate2(w->file, "episodes", H5P_DEFAULT, w->gcpl, H5P_DEFAULT);
        if (w->episodes < 0) {
            char reason[256];
            gs__hdf5_reason(reason, sizeof reason);
            snprintf(why, sizeof why, "group 'episodes': %s", reason);
            ok = 0;
        }
    }
    if (ok && H5Fflush(w->file, H5F_SCOPE_LOCAL) < 0) {
        gs__hdf5_reason(why, sizeof why);
        ok = 0;
    }
    if (!ok) {
        gs_dataset_writer_close(w, NULL, 0);
        return gs_fail(err, errlen, GS_ERR_IO, "cannot write %s: %s", path, why);
    }
    *out = w;
    return GS_OK;
}

gs_status gs_dataset_writer_open(const char *path, const gs_dataset_options *opt, gs_dataset_writer **out,
                                 char *err, size_t errlen) {
    *out = NULL;
    gs__silence_hdf5();
    gs_dataset *ds;
    gs_status st = gs_dataset_open(path, &ds, err, errlen); /* the reader's checks first */
    if (st != GS_OK) return st;
    gs_dataset_info in = *gs_dataset_get_info(ds);
    gs_dataset_close(ds);
    gs_dataset_writer *w;
    if ((st = new_writer(path, opt, &w, err, errlen)) != GS_OK) return st;
    if (in.rows != w->rows || in.cols != w->cols || strcmp(in.split, opt->split ? opt->split : "") != 0) {
        st = gs_fail(err, errlen, GS_ERR_USAGE, "%s holds %d x %d images of split '%s', not %d x %d of '%s'", path,
                     in.rows, in.cols, in.split, w->rows, w->cols, opt->split ? opt->split : "");
        gs_dataset_writer_close(w, NULL, 0);
        return st;
    }
    w->file = H5Fopen(path, H5F_ACC_RDWR, w->fapl >= 0 ? w->fapl : H5P_DEFAULT);
    if (w->file >= 0) w->episodes = H5Gopen2(w->file, "episodes", H5P_DEFAULT);
    if (w->file < 0 || w->episodes < 0) {
        char why[256];
        gs__hdf5_reason(why, sizeof why);
        gs_dataset_writer_close(w, NULL, 0);
        return gs_fail(err, errlen, GS_ERR_IO, "cannot open %s to write: %s", path, why);
    }
    w->count = in.episodes;
    *out = w;
    return GS_OK;
}

gs_status gs_dataset_writer_truncate(gs_dataset_writer *w, int64_t n, char *err, size_t errlen) {
    gs__silence_hdf5();
    if (n < 0 || n > w->count)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: cannot keep %" PRId64 " of %" PRId64 " episodes", w->path, n,
                       w->count);
    char why[256] = "";
    int ok = 1;
    for (int64_t i = w->count - 1; i >= n && ok; i--) { /* last first: the numbering never has a gap */
        char name[32];
        snprintf(name, sizeof name, "%06" PRId64, i);
        if (H5Ldelete(w->episodes, name, H5P_DEFAULT) < 0) {
            gs__hdf5_reason(why, sizeof why);
            ok = 0;
        } else {
            w->count = i;
        }
    }
    if (ok) ok = reopen(w, why, sizeof why);
    if (!ok) return gs_fail(err, errlen, GS_ERR_IO, "%s: dropping episodes: %s", w->path, why);
    return GS_OK;
}

gs_status gs_dataset_writer_set_text(gs_dataset_writer *w, const char *name, const char *value, char *err,
                                     size_t errlen) {
    gs__silence_hdf5();
    char why[512] = "";
    int ok = w->file >= 0;
    if (ok && H5Aexists(w->file, name) > 0 && H5Adelete(w->file, name) < 0) {
        gs__hdf5_reason(why, sizeof why);
        ok = 0;
    }
    ok = ok && attr_string(w->file, name, value, why, sizeof why) && reopen(w, why, sizeof why);
    if (!ok) return gs_fail(err, errlen, GS_ERR_IO, "%s: attribute '%s': %s", w->path, name, why);
    return GS_OK;
}

/* ep's counts and arrays as the file needs them; its images may be absent
 * when chunks holds them compressed. */
static gs_status check_episode(const gs_dataset_writer *w, const gs_dataset_episode *ep, const gs__chunks *chunks,
                               const char *name, char *err, size_t errlen) {
    if (w->file < 0 || w->episodes < 0)
        return gs_fail(err, errlen, GS_ERR_IO, "%s: the file is no longer open after an earlier error", w->path);
    if (ep->rows != w->rows || ep->cols != w->cols)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: episode %s: images are %d x %d, the file's are %d x %d",
                       w->path, name, ep->rows, ep->cols, w->rows, w->cols);
    if (ep->steps < 0 || ep->steps > MAX_STEPS || ep->nobjects < 0 || ep->nobjects > MAX_OBJECTS ||
        (!chunks && (!ep->heightmap || !ep->color || !ep->segmentation)) ||
        (chunks && chunks->obs != ep->steps + 1) ||
        (ep->steps > 0 && (!ep->pick_pose || !ep->place_pose || !ep->pick_pixel || !ep->place_pixel ||
                           !ep->primitive || !ep->reward || !ep->lift || !ep->lang)) ||
        (ep->nobjects > 0 && (!ep->object_kind || !ep->object_color || !ep->object_pose)) ||
        ep->njoints < 0 || ep->njoints > MAX_JOINTS ||
        (ep->njoints > 0 && (!ep->joint_object || !ep->joint_name || !ep->joint_position || !ep->joint_fraction)))
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: episode %s: missing arrays or bad counts (steps %d, objects %d, "
                       "joints %d)", w->path, name, ep->steps, ep->nobjects, ep->njoints);
    return GS_OK;
}

/* Appends ep, its images compressed in chunks when chunks is not NULL. */
static gs_status append(gs_dataset_writer *w, const gs_dataset_episode *ep, const gs__chunks *chunks, char *err,
                        size_t errlen) {
    gs__silence_hdf5();
    char name[32];
    snprintf(name, sizeof name, "%06" PRId64, w->count);
    gs_status st = check_episode(w, ep, chunks, name, err, errlen);
    if (st != GS_OK) return st;
    char why[512] = "";
    hid_t g = H5Gcreate_anon(w->file, w->gcpl, H5P_DEFAULT);
    int ok = g >= 0;
    if (!ok) gs__hdf5_reason(why, sizeof why);
    ok = ok && write_episode(w, g, ep, chunks, why, sizeof why);
    /* The new objects go to disk (and the superblock's end of file past
     * them) before anything reachable points at them; then the link, a
     * few small writes when the file closes. */
    if (ok && H5Fflush(w->file, H5F_SCOPE_LOCAL) < 0) {
        gs__hdf5_reason(why, sizeof why);
        ok = 0;
    }
    if (ok && H5Olink(g, w->episodes, name, H5P_DEFAULT, H5P_DEFAULT) < 0) {
        gs__hdf5_reason(why, sizeof why);
        ok = 0;
    }
    if (g >= 0) H5Gclose(g);
    if (ok) ok = reopen(w, why, sizeof why);
    if (!ok) return gs_fail(err, errlen, GS_ERR_IO, "%s: writing episode %s: %s", w->path, name, why);
    w->count++;
    return GS_OK;
}

gs_status gs_dataset_append(gs_dataset_writer *w, const gs_dataset_episode *ep, char *err, size_t errlen) {
    return append(w, ep, NULL, err, errlen);
}

gs_status gs_dataset_append_block(gs_dataset_writer *w, const char *buf, size_t len, gs_dataset_episode *scratch,
                                  char *err, size_t errlen) {
    gs__chunks chunks = {0};
    gs_status st = gs__dataset_unpack(scratch, buf, len, &chunks, err, errlen);
    if (st == GS_OK && chunks.level && chunks.level != w->level) { /* another level: inflated, then the file's */
        gs__chunks_free(&chunks);
        st = gs_dataset_episode_unpack(scratch, buf, len, err, errlen);
    }
    if (st == GS_OK) st = append(w, scratch, chunks.level ? &chunks : NULL, err, errlen);
    gs__chunks_free(&chunks);
    return st;
}

int64_t gs_dataset_writer_episodes(const gs_dataset_writer *w) { return w ? w->count : 0; }

gs_status gs_dataset_writer_close(gs_dataset_writer *w, char *err, size_t errlen) {
    if (!w) return GS_OK;
    gs__silence_hdf5();
    if (w->episodes >= 0) H5Gclose(w->episodes);
    for (int k = 0; k < GS_IMAGE_KINDS; k++)
        if (w->dcpl_image[k] >= 0) H5Pclose(w->dcpl_image[k]);
    if (w->dcpl_plain >= 0) H5Pclose(w->dcpl_plain);
    if (w->gcpl >= 0) H5Pclose(w->gcpl);
    if (w->vlen_str >= 0) H5Tclose(w->vlen_str);
    if (w->dxpl_strings >= 0) H5Pclose(w->dxpl_strings);
    if (w->fapl >= 0) H5Pclose(w->fapl);
    gs_status st = GS_OK;
    if (w->file >= 0 && H5Fclose(w->file) < 0) {
        char why[256];
        gs__hdf5_reason(why, sizeof why);
        st = gs_fail(err, errlen, GS_ERR_IO, "closing %s: %s", w->path, why);
    }
    free(w->path);
    free(w);
    return st;
}

/* ---- helpers ---- */

/* File access with the metadata cache's evictions off: changed metadata then
 * reaches the file only when an append flushes or closes it, never halfway
 * through an episode. reopen() empties the cache after every episode, so it
 * holds one episode's metadata at most. */
static hid_t quiet_metadata_fapl(void) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return fapl;
    H5AC_cache_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    if (H5Pget_mdc_config(fapl, &cfg) >= 0) {
        cfg.incr_mode = H5C_incr__off;
        cfg.flash_incr_mode = H5C_flash_incr__off;
        cfg.decr_mode = H5C_decr__off;
        cfg.evictions_enabled = 0;
        if (H5Pset_mdc_config(fapl, &cfg) >= 0) return fapl;
    }
    H5Eclear2(H5E_DEFAULT);
    H5Pclose(fapl);
    return H5I_INVALID_HID;
}

/* Closes the file, which writes everything, and opens it again: the file
 * is complete on disk between appends, and the metadata cache (which never
 * evicts) starts empty for the next episode, so memory stays flat. */
int gs__writer_reopen(gs_dataset_writer *w, char *why, size_t whylen) {
    H5Gclose(w->episodes);
    w->episodes = H5I_INVALID_HID;
    herr_t closed = H5Fclose(w->file);
    w->file = H5I_INVALID_HID;
    if (closed < 0) {
        char reason[256];
        gs__hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "closing: %s", reason);
        return 0;
    }
    w->file = H5Fopen(w->path, H5F_ACC_RDWR, w->fapl >= 0 ? w->fapl : H5P_DEFAULT);
    if (w->file >= 0) w->episodes = H5Gopen2(w->file, "episodes", H5P_DEFAULT);
    if (w->file < 0 || w->episodes < 0) {
        char reason[256];
        gs__hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "opening again: %s", reason);
        return 0;
    }
    return 1;
}

/* A creation property list of class cls whose objects carry no modification
 * times: the same episodes then give the same bytes, whenever and by however
 * many workers they were recorded. */
static hid_t untimed(hid_t cls) {
    hid_t p = H5Pcreate(cls);
    if (p >= 0 && H5Pset_obj_track_times(p, 0) < 0) {
        H5Pclose(p);
        return H5I_INVALID_HID;
    }
    return p;
}

static hid_t image_dcpl(int rank, const hsize_t *chunk, int shuffle, int level) {
    hid_t p = untimed(H5P_DATASET_CREATE);
    if (p < 0) return p;
    int ok = H5Pset_chunk(p, rank, chunk) >= 0 && H5Pset_fill_time(p, H5D_FILL_TIME_NEVER) >= 0;
    if (ok && level > 0) {
        if (shuffle) ok = H5Pset_shuffle(p) >= 0;
        ok = ok && H5Pset_deflate(p, (unsigned)level) >= 0;
    }
    if (!ok) {
        H5Pclose(p);
        return H5I_INVALID_HID;
    }
    return p;
}

static int write_episode(gs_dataset_writer *w, hid_t g, const gs_dataset_episode *ep, const gs__chunks *chunks,
                         char *why, size_t whylen) {
    const hsize_t T = (hsize_t)ep->steps, obs = T + 1, n = (hsize_t)ep->nobjects;
    const hsize_t rows = (hsize_t)ep->rows, cols = (hsize_t)ep->cols;
    uint8_t success = ep->success ? 1 : 0;
    int32_t steps = ep->steps;
    hsize_t d_img[4] = {obs, rows, cols, 3}, d_pose[2] = {T, 7}, d_pixel[2] = {T, 2}, d_t[1] = {T},
            d_object_pose[3] = {obs, n, 7}, d_joint[1] = {(hsize_t)ep->njoints},
            d_joint_state[2] = {obs, (hsize_t)ep->njoints};
    return attr_string(g, "task", ep->task, why, whylen) &&
           attr_string(g, "description", ep->description, why, whylen) &&
           (!ep->provenance || !*ep->provenance || attr_string(g, "provenance", ep->provenance, why, whylen)) &&
           attr_write(g, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, NULL, &ep->seed, why, whylen) &&
           attr_write(g, "success", H5T_STD_U8LE, H5T_NATIVE_UINT8, 0, NULL, &success, why, whylen) &&
           attr_write(g, "steps", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, NULL, &steps, why, whylen) &&
           attr_write(g, "total_reward", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, NULL, &ep->total_reward, why, whylen) &&
           attr_write(g, "initial_reward", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, NULL, &ep->initial_reward, why, whylen) &&
           image_write(g, "heightmap", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, d_img, w->dcpl_image[0], ep->heightmap, chunks, 0, why, whylen) &&
           image_write(g, "color", H5T_STD_U8LE, H5T_NATIVE_UINT8, 4, d_img, w->dcpl_image[1], ep->color, chunks, 1, why, whylen) &&
           image_write(g, "segmentation", H5T_STD_I32LE, H5T_NATIVE_INT32, 3, d_img, w->dcpl_image[2], ep->segmentation, chunks, 2, why, whylen) &&
           dataset_write(g, "pick_pose", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d_pose, w->dcpl_plain, ep->pick_pose, why, whylen) &&
           dataset_write(g, "place_pose", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d_pose, w->dcpl_plain, ep->place_pose, why, whylen) &&
           dataset_write(g, "pick_pixel", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, d_pixel, w->dcpl_plain, ep->pick_pixel, why, whylen) &&
           dataset_write(g, "place_pixel", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, d_pixel, w->dcpl_plain, ep->place_pixel, why, whylen) &&
           dataset_write(g, "primitive", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1, d_t, w->dcpl_plain, ep->primitive, why, whylen) &&
           dataset_write(g, "reward", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, d_t, w->dcpl_plain, ep->reward, why, whylen) &&
           dataset_write(g, "lift", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, d_t, w->dcpl_plain, ep->lift, why, whylen) &&
           dataset_strings(w, g, "lang", ep->steps, ep->lang, why, whylen) &&
           dataset_strings(w, g, "object_kind", ep->nobjects, ep->object_kind, why, whylen) &&
           dataset_strings(w, g, "object_color", ep->nobjects, ep->object_color, why, whylen) &&
           dataset_write(g, "object_pose", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, d_object_pose, w->dcpl_plain, ep->object_pose, why, whylen) &&
           dataset_write(g, "joint_object", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, d_joint, w->dcpl_plain, ep->joint_object, why, whylen) &&
           dataset_strings(w, g, "joint_name", ep->njoints, ep->joint_name, why, whylen) &&
           dataset_write(g, "joint_position", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d_joint_state, w->dcpl_plain, ep->joint_position, why, whylen) &&
           dataset_write(g, "joint_fraction", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d_joint_state, w->dcpl_plain, ep->joint_fraction, why, whylen);
}

/* A variable-length UTF-8 string attribute (h5py reads it as str). */
int gs__attr_string(hid_t loc, const char *name, const char *value, char *why, size_t whylen) {
    const char *text = value ? value : "";
    hid_t type = H5Tcopy(H5T_C_S1);
    int ok = type >= 0 && H5Tset_size(type, H5T_VARIABLE) >= 0 && H5Tset_cset(type, H5T_CSET_UTF8) >= 0;
    if (ok) ok = attr_write(loc, name, type, type, 0, NULL, &text, why, whylen);
    else {
        char reason[256];
        gs__hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "attribute '%s': %s", name, reason);
    }
    if (type >= 0) H5Tclose(type);
    return ok;
}

static int attr_write(hid_t loc, const char *name, hid_t filetype, hid_t memtype, int rank,
                      const hsize_t *dims, const void *value, char *why, size_t whylen) {
    hid_t space = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t attr = space >= 0 ? H5Acreate2(loc, name, filetype, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
    int ok = attr >= 0 && H5Awrite(attr, memtype, value) >= 0;
    if (!ok) {
        char reason[256];
        gs__hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "attribute '%s': %s", name, reason);
    }
    if (attr >= 0) H5Aclose(attr);
    if (space >= 0) H5Sclose(space);
    return ok;
}

/* The end of writing dataset name: HDF5's reason into why when it failed,
 * the set and its space closed; ok passed on. */
static int set_done(int ok, hid_t set, hid_t space, const char *name, char *why, size_t whylen) {
    if (!ok) {
        char reason[256];
        gs__hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "dataset '%s': %s", name, reason);
    }
    if (set >= 0) H5Dclose(set);
    if (space >= 0) H5Sclose(space);
    return ok;
}

static int dataset_write(hid_t loc, const char *name, hid_t filetype, hid_t memtype, int rank,
                         const hsize_t *dims, hid_t dcpl, const void *data, char *why,
                         size_t whylen) {
    return write_set(loc, name, filetype, memtype, rank, dims, dcpl, H5P_DEFAULT, data, why, whylen);
}

static int write_set(hid_t loc, const char *name, hid_t filetype, hid_t memtype, int rank, const hsize_t *dims,
                     hid_t dcpl, hid_t dxpl, const void *data, char *why, size_t whylen) {
    hsize_t count = 1;
    for (int i = 0; i < rank; i++) count *= dims[i];
    hid_t space = H5Screate_simple(rank, dims, NULL);
    /* An empty dataset cannot be chunked by rows it does not have. */
    hid_t empty = count ? H5I_INVALID_HID : untimed(H5P_DATASET_CREATE);
    hid_t set = space >= 0 ? H5Dcreate2(loc, name, filetype, space, H5P_DEFAULT,
                                        count ? dcpl : empty, H5P_DEFAULT)
                           : -1;
    if (empty >= 0) H5Pclose(empty);
    int ok = set >= 0 && (count == 0 || H5Dwrite(set, memtype, H5S_ALL, H5S_ALL, dxpl, data) >= 0);
    return set_done(ok, set, space, name, why, whylen);
}

/* An image dataset (kind k of gs__image_kinds, one chunk per observation):
 * data through the filters, or, with chunks, its compressed chunks as they
 * are (the filters' output already, gs_dataset_episode_pack_compressed). */
static int image_write(hid_t loc, const char *name, hid_t filetype, hid_t memtype, int rank, const hsize_t *dims,
                       hid_t dcpl, const void *data, const gs__chunks *chunks, int kind, char *why, size_t whylen) {
    if (!chunks) return dataset_write(loc, name, filetype, memtype, rank, dims, dcpl, data, why, whylen);
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t set = space >= 0 ? H5Dcreate2(loc, name, filetype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT) : -1;
    int ok = set >= 0;
    size_t obs = (size_t)chunks->obs;
    for (size_t i = 0; ok && i < obs; i++) {
        hsize_t offset[4] = {(hsize_t)i, 0, 0, 0};
        size_t at = (size_t)kind * obs + i;
        ok = H5Dwrite_chunk(set, H5P_DEFAULT, 0, offset, chunks->len[at], chunks->at[at]) >= 0;
    }
    return set_done(ok, set, space, name, why, whylen);
}

static int dataset_strings(const gs_dataset_writer *w, hid_t loc, const char *name, int n, char *const *values,
                           char *why, size_t whylen) {
    const char **all = malloc((size_t)(n > 0 ? n : 1) * sizeof *all);
    if (!all) {
        snprintf(why, whylen, "dataset '%s': out of memory", name);
        return 0;
    }
    for (int i = 0; i < n; i++) all[i] = values[i] ? values[i] : "";
    hsize_t dims[1] = {(hsize_t)n};
    int ok = write_set(loc, name, w->vlen_str, w->vlen_str, 1, dims, w->dcpl_plain, w->dxpl_strings, all, why, whylen);
    free(all);
    return ok;
}
