/* dataset.c: demonstration datasets in HDF5 (see dataset.h and README.md,
 * "Datasets").
 *
 * HDF5 prints its error stack on stderr by default; every entry point here
 * turns that off and reports the innermost HDF5 message in err instead.
 *
 * An episode is built as an anonymous group, flushed, linked under
 * /episodes, and the file closed and opened again: a reader never sees half
 * an episode, a failed append leaves no trace in the layout, and the
 * metadata cache starts empty for every episode. The cache never evicts, so
 * metadata reaches the disk only at that flush and close; all writing
 * happens inside gs_dataset_append, and a run stopped between appends
 * (while simulating, where its time goes), even killed outright, leaves the
 * file its last append closed. */
#include "gensim/dataset.h"

#include <errno.h>
#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The numeric arrays of an episode, as indices into bytes[]. */
enum {
    A_HEIGHTMAP,
    A_COLOR,
    A_SEGMENTATION,
    A_PICK_POSE,
    A_PLACE_POSE,
    A_PICK_PIXEL,
    A_PLACE_PIXEL,
    A_PRIMITIVE,
    A_REWARD,
    A_OBJECT_POSE,
    NARRAYS
};

/* Bounds on what a file may declare, so a hostile file cannot ask for
 * absurd allocations. */
#define MAX_STEPS (1 << 16)
#define MAX_SIDE (1 << 14)
#define MAX_OBJECTS (1 << 16)
#define MAX_EPISODE_BYTES ((size_t)8 << 30)
#define MAX_STRING (1 << 20)

struct gs_dataset_writer {
    hid_t file, episodes;
    hid_t fapl;                              /* file access: metadata written only when asked */
    hid_t dcpl_float, dcpl_color, dcpl_int; /* chunked, filtered image datasets */
    hid_t vlen_str;                          /* UTF-8 variable-length string */
    int rows, cols;
    int64_t count;
    char *path;
};

struct gs_dataset {
    hid_t file, episodes;
    gs_dataset_info info;
    char *path;
};

static void silence_hdf5(void);
static void hdf5_reason(char *buf, size_t n);
static void *grow(void *p, size_t *have, size_t need);
static int set_string(char **slot, const char *value);
static void clear_strings(gs_dataset_episode *ep);
static int reserve_steps(gs_dataset_episode *ep, int steps);
static int reserve_names(gs_dataset_episode *ep, int n);
static gs_status observe(gs_dataset_episode *ep, const gs_scene *s, const gsr_view *v, int k,
                         char *err, size_t errlen);
static void store_action(gs_dataset_episode *ep, int k, const gs_action *a, const gsr_view *v);
static int write_episode(gs_dataset_writer *w, hid_t g, const gs_dataset_episode *ep, char *why,
                         size_t whylen);
static hid_t quiet_metadata_fapl(void);
static int reopen(gs_dataset_writer *w, char *why, size_t whylen);
static hid_t image_dcpl(int rank, const hsize_t *chunk, int shuffle, int level);
static int attr_string(hid_t loc, const char *name, const char *value, char *why, size_t whylen);
static int attr_write(hid_t loc, const char *name, hid_t filetype, hid_t memtype, int rank,
                      const hsize_t *dims, const void *value, char *why, size_t whylen);
static int dataset_write(hid_t loc, const char *name, hid_t filetype, hid_t memtype, int rank,
                         const hsize_t *dims, hid_t dcpl, const void *data, char *why,
                         size_t whylen);
static int dataset_strings(hid_t loc, const char *name, hid_t strtype, int n,
                           char *const *values, char *why, size_t whylen);
static gs_status read_info(gs_dataset *ds, char *err, size_t errlen);
static int attr_read_string(hid_t loc, const char *name, char **out, char *why, size_t whylen);
static int attr_read_numbers(hid_t loc, const char *name, hid_t memtype, size_t n, void *out,
                             char *why, size_t whylen);

/* ---- episodes ---- */

void gs_dataset_episode_free(gs_dataset_episode *ep) {
    if (!ep) return;
    clear_strings(ep);
    free(ep->task);
    free(ep->description);
    free(ep->heightmap);
    free(ep->color);
    free(ep->segmentation);
    free(ep->pick_pose);
    free(ep->place_pose);
    free(ep->pick_pixel);
    free(ep->place_pixel);
    free(ep->primitive);
    free(ep->reward);
    free(ep->lang);
    free(ep->object_kind);
    free(ep->object_color);
    free(ep->object_pose);
    memset(ep, 0, sizeof *ep);
}

/* ---- recording ---- */

gs_status gs_dataset_record(gs_task *t, uint64_t seed, const gsr_view *v, gs_dataset_episode *ep,
                            char *err, size_t errlen) {
    int rows = gsr_view_height(v), cols = gsr_view_width(v);
    if (rows <= 0 || cols <= 0 || rows > MAX_SIDE || cols > MAX_SIDE)
        return gs_fail(err, errlen, GS_ERR_USAGE, "the view is %d x %d pixels", rows, cols);
    clear_strings(ep);
    ep->seed = seed;
    ep->success = 0;
    ep->total_reward = ep->initial_reward = 0;
    ep->rows = rows, ep->cols = cols;
    if (!set_string(&ep->task, gs_task_name(t)) ||
        !set_string(&ep->description, gs_task_description(t)))
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory recording an episode");

    gs_status st = gs_task_reset(t, seed, err, errlen);
    if (st != GS_OK) return st;
    gs_scene *s = gs_task_scene(t);
    int nobjects = s->nobjects;
    if (!reserve_names(ep, nobjects))
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory recording an episode");
    for (int i = 0; i < nobjects; i++) {
        if (!set_string(&ep->object_kind[i], s->objects[i].kind->name) ||
            !set_string(&ep->object_color[i], s->objects[i].color))
            return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory recording an episode");
    }
    ep->nobjects = nobjects;

    double reward, credited = 0;
    int done;
    if ((st = gs_task_reward(t, &reward, &done, err, errlen)) != GS_OK) return st;
    ep->initial_reward = reward;
    const int max_steps = gs_task_max_steps(t);
    for (;;) {
        int k = ep->steps;
        if ((st = observe(ep, s, v, k, err, errlen)) != GS_OK) return st;
        if (done || s->steps >= max_steps || k >= MAX_STEPS) break;
        gs_action a = {0};
        int have;
        if ((st = gs_task_oracle(t, &a, &have, err, errlen)) != GS_OK) return st;
        if (!have) break;
        if (!reserve_steps(ep, k + 1))
            return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory recording an episode");
        /* The stage the action works on is the first one not complete. */
        int stage;
        gs_scene_reward(s, &stage);
        const char *lang = stage < s->ngoals && s->goals[stage].lang ? s->goals[stage].lang
                                                                     : ep->description;
        store_action(ep, k, &a, v);
        gs_action_result res;
        char why[256];
        if ((st = gs_scene_act(s, &a, &res, why, sizeof why)) != GS_OK)
            return gs_fail(err, errlen, st, "%s: seed %" PRIu64 ": step %d: %s", ep->task, seed,
                           k + 1, why);
        if (!set_string(&ep->lang[k], lang))
            return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory recording an episode");
        ep->steps = k + 1;
        if ((st = gs_task_reward(t, &reward, &done, err, errlen)) != GS_OK) return st;
        /* Credit before the first action counts as 0, so the rewards add up
         * to the total even when reset left some goals met. */
        ep->reward[k] = reward - credited;
        credited = reward;
    }
    ep->total_reward = reward;
    return gs_task_success(t, &ep->success, err, errlen);
}

/* ---- writing ---- */

gs_dataset_options gs_dataset_options_default(void) {
    gs_dataset_options o;
    o.view = gsr_view_default();
    o.split = "train";
    o.overwrite = 0;
    o.compression = 1;
    return o;
}

gs_status gs_dataset_create(const char *path, const gs_dataset_options *opt,
                            gs_dataset_writer **out, char *err, size_t errlen) {
    *out = NULL;
    silence_hdf5();
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
    if (!opt->overwrite && access(path, F_OK) == 0)
        return gs_fail(err, errlen, GS_ERR_IO, "%s already exists", path);

    gs_dataset_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory creating %s", path);
    }
    w->file = w->episodes = w->fapl = w->dcpl_float = w->dcpl_color = w->dcpl_int = w->vlen_str = H5I_INVALID_HID;
    w->rows = rows, w->cols = cols;
    char why[512] = "";
    w->fapl = quiet_metadata_fapl();
    w->file = H5Fcreate(path, opt->overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT,
                        w->fapl >= 0 ? w->fapl : H5P_DEFAULT);
    if (w->file < 0) {
        hdf5_reason(why, sizeof why);
        gs_dataset_writer_close(w, NULL, 0);
        return gs_fail(err, errlen, GS_ERR_IO, "cannot create %s: %s", path, why);
    }
    hsize_t chunk3[3] = {1, (hsize_t)rows, (hsize_t)cols}, chunk4[4] = {1, (hsize_t)rows, (hsize_t)cols, 3};
    w->dcpl_float = image_dcpl(3, chunk3, 1, opt->compression);
    w->dcpl_int = image_dcpl(3, chunk3, 1, opt->compression);
    w->dcpl_color = image_dcpl(4, chunk4, 0, opt->compression);
    w->vlen_str = H5Tcopy(H5T_C_S1);
    int ok = w->dcpl_float >= 0 && w->dcpl_int >= 0 && w->dcpl_color >= 0 && w->vlen_str >= 0 &&
             H5Tset_size(w->vlen_str, H5T_VARIABLE) >= 0 && H5Tset_cset(w->vlen_str, H5T_CSET_UTF8) >= 0;
    if (!ok) snprintf(why, sizeof why, "cannot set up the datasets' properties");

    double bounds[3][2] = {{v->x0, v->x1}, {v->y0, v->y1}, {0, GS_WS_Z1}};
    int32_t image_size[2] = {rows, cols};
    int32_t version = GS_DATASET_FORMAT_VERSION;
    hsize_t dims_bounds[2] = {3, 2}, dims_size[1] = {2};
    hid_t root = w->file;
    ok = ok && attr_string(root, "format", GS_DATASET_FORMAT, why, sizeof why) &&
         attr_write(root, "format_version", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, NULL, &version, why, sizeof why) &&
         attr_string(root, "gensim_version", GS_VERSION, why, sizeof why) &&
         attr_write(root, "pixel_size", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, NULL, &v->pixel, why, sizeof why) &&
         attr_write(root, "bounds", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims_bounds, bounds, why, sizeof why) &&
         attr_write(root, "image_size", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, dims_size, image_size, why, sizeof why) &&
         attr_string(root, "split", split, why, sizeof why);
    if (ok) {
        w->episodes = H5Gcreate2(w->file, "episodes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (w->episodes < 0) {
            char reason[256];
            hdf5_reason(reason, sizeof reason);
            snprintf(why, sizeof why, "group 'episodes': %s", reason);
            ok = 0;
        }
    }
    if (ok && H5Fflush(w->file, H5F_SCOPE_LOCAL) < 0) {
        hdf5_reason(why, sizeof why);
        ok = 0;
    }
    if (!ok) {
        gs_dataset_writer_close(w, NULL, 0);
        return gs_fail(err, errlen, GS_ERR_IO, "cannot write %s: %s", path, why);
    }
    *out = w;
    return GS_OK;
}

gs_status gs_dataset_append(gs_dataset_writer *w, const gs_dataset_episode *ep, char *err,
                            size_t errlen) {
    silence_hdf5();
    char name[32];
    snprintf(name, sizeof name, "%06" PRId64, w->count);
    if (w->file < 0 || w->episodes < 0)
        return gs_fail(err, errlen, GS_ERR_IO, "%s: the file is no longer open after an earlier error", w->path);
    if (ep->rows != w->rows || ep->cols != w->cols)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: episode %s: images are %d x %d, the file's are %d x %d",
                       w->path, name, ep->rows, ep->cols, w->rows, w->cols);
    if (ep->steps < 0 || ep->steps > MAX_STEPS || ep->nobjects < 0 || ep->nobjects > MAX_OBJECTS ||
        !ep->heightmap || !ep->color || !ep->segmentation ||
        (ep->steps > 0 && (!ep->pick_pose || !ep->place_pose || !ep->pick_pixel || !ep->place_pixel ||
                           !ep->primitive || !ep->reward || !ep->lang)) ||
        (ep->nobjects > 0 && (!ep->object_kind || !ep->object_color || !ep->object_pose)))
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: episode %s: missing arrays or bad counts (steps %d, objects %d)",
                       w->path, name, ep->steps, ep->nobjects);
    char why[512] = "";
    hid_t g = H5Gcreate_anon(w->file, H5P_DEFAULT, H5P_DEFAULT);
    int ok = g >= 0;
    if (!ok) hdf5_reason(why, sizeof why);
    ok = ok && write_episode(w, g, ep, why, sizeof why);
    /* The new objects go to disk (and the superblock's end of file past
     * them) before anything reachable points at them; then the link, a
     * few small writes when the file closes. */
    if (ok && H5Fflush(w->file, H5F_SCOPE_LOCAL) < 0) {
        hdf5_reason(why, sizeof why);
        ok = 0;
    }
    if (ok && H5Olink(g, w->episodes, name, H5P_DEFAULT, H5P_DEFAULT) < 0) {
        hdf5_reason(why, sizeof why);
        ok = 0;
    }
    if (g >= 0) H5Gclose(g);
    if (ok) ok = reopen(w, why, sizeof why);
    if (!ok) return gs_fail(err, errlen, GS_ERR_IO, "%s: writing episode %s: %s", w->path, name, why);
    w->count++;
    return GS_OK;
}

int64_t gs_dataset_writer_episodes(const gs_dataset_writer *w) { return w ? w->count : 0; }

gs_status gs_dataset_writer_close(gs_dataset_writer *w, char *err, size_t errlen) {
    if (!w) return GS_OK;
    silence_hdf5();
    if (w->episodes >= 0) H5Gclose(w->episodes);
    if (w->dcpl_float >= 0) H5Pclose(w->dcpl_float);
    if (w->dcpl_int >= 0) H5Pclose(w->dcpl_int);
    if (w->dcpl_color >= 0) H5Pclose(w->dcpl_color);
    if (w->vlen_str >= 0) H5Tclose(w->vlen_str);
    if (w->fapl >= 0) H5Pclose(w->fapl);
    gs_status st = GS_OK;
    if (w->file >= 0 && H5Fclose(w->file) < 0) {
        char why[256];
        hdf5_reason(why, sizeof why);
        st = gs_fail(err, errlen, GS_ERR_IO, "closing %s: %s", w->path, why);
    }
    free(w->path);
    free(w);
    return st;
}

/* ---- reading ---- */

/* What an episode's dataset must look like. dims[i] < 0 stands for a count
 * taken from the episode: -1 T, -2 T + 1, -3 nobjects. */
typedef struct dataset_spec {
    const char *name;
    H5T_class_t cls;
    int rank;
    int dims[4];
    unsigned field;   /* GS_DATASET_* for images; 0 for the rest */
} dataset_spec;

enum { D_T = -1, D_OBS = -2, D_OBJ = -3, D_ROWS = -4, D_COLS = -5 };

static const dataset_spec SPECS[] = {
    {"heightmap", H5T_FLOAT, 3, {D_OBS, D_ROWS, D_COLS, 0}, GS_DATASET_HEIGHTMAP},
    {"color", H5T_INTEGER, 4, {D_OBS, D_ROWS, D_COLS, 3}, GS_DATASET_COLOR},
    {"segmentation", H5T_INTEGER, 3, {D_OBS, D_ROWS, D_COLS, 0}, GS_DATASET_SEGMENTATION},
    {"pick_pose", H5T_FLOAT, 2, {D_T, 7, 0, 0}, 0},
    {"place_pose", H5T_FLOAT, 2, {D_T, 7, 0, 0}, 0},
    {"pick_pixel", H5T_INTEGER, 2, {D_T, 2, 0, 0}, 0},
    {"place_pixel", H5T_INTEGER, 2, {D_T, 2, 0, 0}, 0},
    {"primitive", H5T_INTEGER, 1, {D_T, 0, 0, 0}, 0},
    {"reward", H5T_FLOAT, 1, {D_T, 0, 0, 0}, 0},
    {"lang", H5T_STRING, 1, {D_T, 0, 0, 0}, 0},
    {"object_kind", H5T_STRING, 1, {D_OBJ, 0, 0, 0}, 0},
    {"object_color", H5T_STRING, 1, {D_OBJ, 0, 0, 0}, 0},
    {"object_pose", H5T_FLOAT, 3, {D_OBS, D_OBJ, 7, 0}, 0},
};
#define NSPECS ((int)(sizeof SPECS / sizeof SPECS[0]))
enum { S_HEIGHTMAP, S_COLOR, S_SEGMENTATION, S_PICK_POSE, S_PLACE_POSE, S_PICK_PIXEL,
       S_PLACE_PIXEL, S_PRIMITIVE, S_REWARD, S_LANG, S_OBJECT_KIND, S_OBJECT_COLOR, S_OBJECT_POSE };

/* An open episode group whose attributes are read and whose datasets are
 * checked. */
typedef struct open_episode {
    hid_t group;
    hid_t sets[NSPECS];
    char name[32];
    int steps, nobjects;
} open_episode;

static gs_status episode_open(gs_dataset *ds, int64_t index, unsigned specs, gs_dataset_episode *ep,
                              open_episode *oe, char *err, size_t errlen);
static void episode_close(open_episode *oe);
static int read_numbers(hid_t set, hid_t memtype, void *out, char *why, size_t whylen);
static int read_strings(hid_t set, int n, char **out, char *why, size_t whylen);

gs_status gs_dataset_open(const char *path, gs_dataset **out, char *err, size_t errlen) {
    *out = NULL;
    silence_hdf5();
    if (access(path, R_OK) != 0)
        return gs_fail(err, errlen, GS_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    gs_dataset *ds = calloc(1, sizeof *ds);
    if (!ds || !(ds->path = strdup(path))) {
        free(ds);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory opening %s", path);
    }
    ds->episodes = H5I_INVALID_HID;
    ds->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (ds->file < 0) {
        char why[256];
        hdf5_reason(why, sizeof why);
        gs_dataset_close(ds);
        return gs_fail(err, errlen, GS_ERR_IO, "%s is not a readable HDF5 file: %s", path, why);
    }
    gs_status st = read_info(ds, err, errlen);
    if (st != GS_OK) {
        gs_dataset_close(ds);
        return st;
    }
    *out = ds;
    return GS_OK;
}

const gs_dataset_info *gs_dataset_get_info(const gs_dataset *ds) { return &ds->info; }

int64_t gs_dataset_episodes(const gs_dataset *ds) { return ds->info.episodes; }

gs_status gs_dataset_read_episode(gs_dataset *ds, int64_t index, unsigned fields,
                                  gs_dataset_episode *ep, char *err, size_t errlen) {
    silence_hdf5();
    open_episode oe;
    clear_strings(ep);
    gs_status st = episode_open(ds, index, ~0u, ep, &oe, err, errlen);
    if (st != GS_OK) return st;
    const int T = oe.steps, n = oe.nobjects;
    const size_t rc = (size_t)ds->info.rows * (size_t)ds->info.cols, obs = (size_t)T + 1;
    char why[512] = "";
    void *tmp;
    int ok = 1;
#define GROW(field, idx, need) \
    (tmp = grow(ep->field, &ep->bytes[idx], (need)), tmp ? (ep->field = tmp, 1) : 0)
    /* Images: read the ones asked for; drop the others so nothing stale is
     * left behind. */
    if (!(fields & GS_DATASET_HEIGHTMAP)) free(ep->heightmap), ep->heightmap = NULL, ep->bytes[A_HEIGHTMAP] = 0;
    else ok = GROW(heightmap, A_HEIGHTMAP, obs * rc * sizeof(float));
    if (!(fields & GS_DATASET_COLOR)) free(ep->color), ep->color = NULL, ep->bytes[A_COLOR] = 0;
    else ok = ok && GROW(color, A_COLOR, obs * rc * 3);
    if (!(fields & GS_DATASET_SEGMENTATION)) free(ep->segmentation), ep->segmentation = NULL, ep->bytes[A_SEGMENTATION] = 0;
    else ok = ok && GROW(segmentation, A_SEGMENTATION, obs * rc * sizeof(int32_t));
    ok = ok && GROW(pick_pose, A_PICK_POSE, (size_t)T * 7 * sizeof(double)) &&
         GROW(place_pose, A_PLACE_POSE, (size_t)T * 7 * sizeof(double)) &&
         GROW(pick_pixel, A_PICK_PIXEL, (size_t)T * 2 * sizeof(int32_t)) &&
         GROW(place_pixel, A_PLACE_PIXEL, (size_t)T * 2 * sizeof(int32_t)) &&
         GROW(primitive, A_PRIMITIVE, (size_t)T) &&
         GROW(reward, A_REWARD, (size_t)T * sizeof(double)) &&
         GROW(object_pose, A_OBJECT_POSE, obs * (size_t)n * 7 * sizeof(double)) &&
         reserve_steps(ep, T) && reserve_names(ep, n);
#undef GROW
    if (!ok) {
        episode_close(&oe);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "%s: episode %s: out of memory", ds->path, oe.name);
    }
    ok = (!ep->heightmap || read_numbers(oe.sets[S_HEIGHTMAP], H5T_NATIVE_FLOAT, ep->heightmap, why, sizeof why)) &&
         (!ep->color || read_numbers(oe.sets[S_COLOR], H5T_NATIVE_UINT8, ep->color, why, sizeof why)) &&
         (!ep->segmentation || read_numbers(oe.sets[S_SEGMENTATION], H5T_NATIVE_INT32, ep->segmentation, why, sizeof why)) &&
         read_numbers(oe.sets[S_PICK_POSE], H5T_NATIVE_DOUBLE, ep->pick_pose, why, sizeof why) &&
         read_numbers(oe.sets[S_PLACE_POSE], H5T_NATIVE_DOUBLE, ep->place_pose, why, sizeof why) &&
         read_numbers(oe.sets[S_PICK_PIXEL], H5T_NATIVE_INT32, ep->pick_pixel, why, sizeof why) &&
         read_numbers(oe.sets[S_PLACE_PIXEL], H5T_NATIVE_INT32, ep->place_pixel, why, sizeof why) &&
         read_numbers(oe.sets[S_PRIMITIVE], H5T_NATIVE_UINT8, ep->primitive, why, sizeof why) &&
         read_numbers(oe.sets[S_REWARD], H5T_NATIVE_DOUBLE, ep->reward, why, sizeof why) &&
         read_numbers(oe.sets[S_OBJECT_POSE], H5T_NATIVE_DOUBLE, ep->object_pose, why, sizeof why);
    /* Strings: the counts say how many slots hold strings to free later. */
    if (ok) {
        ep->steps = T;
        ok = read_strings(oe.sets[S_LANG], T, ep->lang, why, sizeof why);
    }
    if (ok) {
        ep->nobjects = n;
        ok = read_strings(oe.sets[S_OBJECT_KIND], n, ep->object_kind, why, sizeof why) &&
             read_strings(oe.sets[S_OBJECT_COLOR], n, ep->object_color, why, sizeof why);
    }
    /* Pixels index the images: a trainer must be able to trust them. */
    for (int k = 0; ok && k < T; k++) {
        const int32_t *px[2] = {ep->pick_pixel + 2 * k, ep->place_pixel + 2 * k};
        for (int j = 0; j < 2 && ok; j++) {
            int outside = px[j][0] == -1 && px[j][1] == -1;
            int inside = px[j][0] >= 0 && px[j][0] < ds->info.rows && px[j][1] >= 0 && px[j][1] < ds->info.cols;
            if (!outside && !inside) {
                snprintf(why, sizeof why, "%s[%d] = (%d, %d) is outside the %d x %d image",
                         j ? "place_pixel" : "pick_pixel", k, (int)px[j][0], (int)px[j][1],
                         ds->info.rows, ds->info.cols);
                ok = 0;
            }
        }
        if (ok && ep->primitive[k] > GS_DATASET_PUSH) {
            snprintf(why, sizeof why, "primitive[%d] = %d is not 0 (pick-place) or 1 (push)", k, ep->primitive[k]);
            ok = 0;
        }
    }
    episode_close(&oe);
    if (!ok) return gs_fail(err, errlen, GS_ERR_IO, "%s: episode %s: %s", ds->path, oe.name, why);
    return GS_OK;
}

gs_status gs_dataset_read_observation(gs_dataset *ds, int64_t index, int t, float *heights,
                                      uint8_t *rgb, int32_t *seg, char *err, size_t errlen) {
    silence_hdf5();
    open_episode oe;
    unsigned specs = (1u << S_HEIGHTMAP) | (1u << S_COLOR) | (1u << S_SEGMENTATION);
    gs_status st = episode_open(ds, index, specs, NULL, &oe, err, errlen);
    if (st != GS_OK) return st;
    if (t < 0 || t > oe.steps) {
        episode_close(&oe);
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: episode %s has observations 0..%d, not %d",
                       ds->path, oe.name, oe.steps, t);
    }
    void *outs[3] = {heights, rgb, seg};
    hid_t types[3] = {H5T_NATIVE_FLOAT, H5T_NATIVE_UINT8, H5T_NATIVE_INT32};
    char why[512] = "";
    int ok = 1;
    for (int i = 0; i < 3 && ok; i++) {
        if (!outs[i]) continue;
        hid_t set = oe.sets[i];
        hsize_t start[4] = {(hsize_t)t, 0, 0, 0};
        hsize_t count[4] = {1, (hsize_t)ds->info.rows, (hsize_t)ds->info.cols, 3};
        int rank = SPECS[i].rank;
        hid_t fspace = H5Dget_space(set);
        hid_t mspace = H5Screate_simple(rank, count, NULL);
        ok = fspace >= 0 && mspace >= 0 &&
             H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
             H5Dread(set, types[i], mspace, fspace, H5P_DEFAULT, outs[i]) >= 0;
        if (!ok) {
            char reason[256];
            hdf5_reason(reason, sizeof reason);
            snprintf(why, sizeof why, "reading '%s': %s", SPECS[i].name, reason);
        }
        if (mspace >= 0) H5Sclose(mspace);
        if (fspace >= 0) H5Sclose(fspace);
    }
    episode_close(&oe);
    if (!ok) return gs_fail(err, errlen, GS_ERR_IO, "%s: episode %s: %s", ds->path, oe.name, why);
    return GS_OK;
}

void gs_dataset_close(gs_dataset *ds) {
    if (!ds) return;
    silence_hdf5();
    if (ds->episodes >= 0) H5Gclose(ds->episodes);
    if (ds->file >= 0) H5Fclose(ds->file);
    free(ds->path);
    free(ds);
}

/* ---- helpers: recording ---- */

/* Observation k: the images and every object's pose. */
static gs_status observe(gs_dataset_episode *ep, const gs_scene *s, const gsr_view *v, int k,
                         char *err, size_t errlen) {
    const size_t rc = (size_t)ep->rows * (size_t)ep->cols, obs = (size_t)k + 1;
    void *tmp;
#define GROW(field, idx, need) \
    (tmp = grow(ep->field, &ep->bytes[idx], (need)), tmp ? (ep->field = tmp, 1) : 0)
    if (!GROW(heightmap, A_HEIGHTMAP, obs * rc * sizeof(float)) ||
        !GROW(color, A_COLOR, obs * rc * 3) ||
        !GROW(segmentation, A_SEGMENTATION, obs * rc * sizeof(int32_t)) ||
        !GROW(object_pose, A_OBJECT_POSE, obs * (size_t)ep->nobjects * 7 * sizeof(double)))
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory recording an episode");
#undef GROW
    gs_status st = gs_scene_observe(s, v, ep->heightmap + (size_t)k * rc, ep->color + (size_t)k * rc * 3,
                                    ep->segmentation + (size_t)k * rc, err, errlen);
    if (st != GS_OK) return st;
    for (int i = 0; i < ep->nobjects && i < s->nobjects; i++) {
        gs_pose p;
        gs_scene_pose(s, i, &p);
        double *out = ep->object_pose + ((size_t)k * (size_t)ep->nobjects + (size_t)i) * 7;
        memcpy(out, p.pos, sizeof p.pos);
        memcpy(out + 3, p.rot, sizeof p.rot);
    }
    return GS_OK;
}

static void store_pose(double *out, const gs_pose *p) {
    memcpy(out, p->pos, sizeof p->pos);
    memcpy(out + 3, p->rot, sizeof p->rot);
}

static void store_pixel(int32_t *out, const gsr_view *v, const double pos[3]) {
    int col, row;
    gsr_world_to_pixel(v, pos[0], pos[1], &col, &row);
    out[0] = row, out[1] = col;
}

/* Action k: poses, pixels and primitive. A push keeps its two points as the
 * positions of pick_pose and place_pose. */
static void store_action(gs_dataset_episode *ep, int k, const gs_action *a, const gsr_view *v) {
    gs_pose from = a->pick, to = a->place;
    if (a->kind == GS_ACTION_PUSH) {
        from = gsu_pose_identity(), to = gsu_pose_identity();
        memcpy(from.pos, a->from, sizeof from.pos);
        memcpy(to.pos, a->to, sizeof to.pos);
    }
    store_pose(ep->pick_pose + 7 * k, &from);
    store_pose(ep->place_pose + 7 * k, &to);
    store_pixel(ep->pick_pixel + 2 * k, v, from.pos);
    store_pixel(ep->place_pixel + 2 * k, v, to.pos);
    ep->primitive[k] = a->kind == GS_ACTION_PUSH ? GS_DATASET_PUSH : GS_DATASET_PICK_PLACE;
}

/* Room for steps actions, their lang slots included. */
static int reserve_steps(gs_dataset_episode *ep, int steps) {
    size_t n = (size_t)steps;
    void *tmp;
#define GROW(field, idx, need) \
    (tmp = grow(ep->field, &ep->bytes[idx], (need)), tmp ? (ep->field = tmp, 1) : 0)
    if (!GROW(pick_pose, A_PICK_POSE, n * 7 * sizeof(double)) ||
        !GROW(place_pose, A_PLACE_POSE, n * 7 * sizeof(double)) ||
        !GROW(pick_pixel, A_PICK_PIXEL, n * 2 * sizeof(int32_t)) ||
        !GROW(place_pixel, A_PLACE_PIXEL, n * 2 * sizeof(int32_t)) ||
        !GROW(primitive, A_PRIMITIVE, n) || !GROW(reward, A_REWARD, n * sizeof(double)))
        return 0;
#undef GROW
    if (n > ep->lang_slots) {
        size_t slots = n < 2 * ep->lang_slots ? 2 * ep->lang_slots : n;
        char **lang = realloc(ep->lang, slots * sizeof *lang);
        if (!lang) return 0;
        for (size_t i = ep->lang_slots; i < slots; i++) lang[i] = NULL;
        ep->lang = lang, ep->lang_slots = slots;
    }
    return 1;
}

/* Room for n object names. */
static int reserve_names(gs_dataset_episode *ep, int n) {
    size_t want = (size_t)n;
    if (want <= ep->name_slots && ep->object_kind) return 1;
    size_t slots = want < 2 * ep->name_slots ? 2 * ep->name_slots : want;
    if (slots == 0) slots = 1;
    char **kind = realloc(ep->object_kind, slots * sizeof *kind);
    if (!kind) return 0;
    ep->object_kind = kind;
    char **color = realloc(ep->object_color, slots * sizeof *color);
    if (!color) return 0;
    ep->object_color = color;
    for (size_t i = ep->name_slots; i < slots; i++) kind[i] = color[i] = NULL;
    ep->name_slots = slots;
    return 1;
}

/* Frees every per-step and per-object string; counts drop to 0. */
static void clear_strings(gs_dataset_episode *ep) {
    for (size_t i = 0; i < ep->lang_slots; i++) free(ep->lang[i]), ep->lang[i] = NULL;
    for (size_t i = 0; i < ep->name_slots; i++) {
        free(ep->object_kind[i]), ep->object_kind[i] = NULL;
        free(ep->object_color[i]), ep->object_color[i] = NULL;
    }
    ep->steps = 0;
    ep->nobjects = 0;
}

static int set_string(char **slot, const char *value) {
    char *copy = strdup(value ? value : "");
    if (!copy) return 0;
    free(*slot);
    *slot = copy;
    return 1;
}

/* p grown to at least need bytes (contents kept), or NULL with p intact. */
static void *grow(void *p, size_t *have, size_t need) {
    if (need == 0) need = 1;
    if (p && need <= *have) return p;
    size_t n = need < *have + *have / 2 ? *have + *have / 2 : need;
    void *q = realloc(p, n);
    if (!q) return NULL;
    *have = n;
    return q;
}

/* ---- helpers: HDF5 ---- */

static void silence_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* Keeps the most specific entry of the stack: its text and minor message. */
static herr_t innermost(unsigned n, const H5E_error2_t *e, void *data) {
    char *buf = data; /* 256 bytes */
    if (n > 0) return 0;
    char minor[128] = "";
    H5Eget_msg(e->min_num, NULL, minor, sizeof minor);
    const char *desc = e->desc && e->desc[0] ? e->desc : NULL;
    if (desc && minor[0]) snprintf(buf, 256, "%s (%s)", desc, minor);
    else snprintf(buf, 256, "%s", desc ? desc : minor);
    return 0;
}

/* The innermost message of HDF5's error stack, for err. */
static void hdf5_reason(char *buf, size_t n) {
    char tmp[256] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, tmp);
    snprintf(buf, n, "%s", tmp[0] ? tmp : "HDF5 error");
    H5Eclear2(H5E_DEFAULT);
}

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
static int reopen(gs_dataset_writer *w, char *why, size_t whylen) {
    H5Gclose(w->episodes);
    w->episodes = H5I_INVALID_HID;
    herr_t closed = H5Fclose(w->file);
    w->file = H5I_INVALID_HID;
    if (closed < 0) {
        char reason[256];
        hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "closing: %s", reason);
        return 0;
    }
    w->file = H5Fopen(w->path, H5F_ACC_RDWR, w->fapl >= 0 ? w->fapl : H5P_DEFAULT);
    if (w->file >= 0) w->episodes = H5Gopen2(w->file, "episodes", H5P_DEFAULT);
    if (w->file < 0 || w->episodes < 0) {
        char reason[256];
        hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "opening again: %s", reason);
        return 0;
    }
    return 1;
}

static hid_t image_dcpl(int rank, const hsize_t *chunk, int shuffle, int level) {
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
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

static int write_episode(gs_dataset_writer *w, hid_t g, const gs_dataset_episode *ep, char *why,
                         size_t whylen) {
    const hsize_t T = (hsize_t)ep->steps, obs = T + 1, n = (hsize_t)ep->nobjects;
    const hsize_t rows = (hsize_t)ep->rows, cols = (hsize_t)ep->cols;
    uint8_t success = ep->success ? 1 : 0;
    int32_t steps = ep->steps;
    hsize_t d_img[4] = {obs, rows, cols, 3}, d_pose[2] = {T, 7}, d_pixel[2] = {T, 2}, d_t[1] = {T},
            d_object_pose[3] = {obs, n, 7};
    return attr_string(g, "task", ep->task, why, whylen) &&
           attr_string(g, "description", ep->description, why, whylen) &&
           attr_write(g, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, 0, NULL, &ep->seed, why, whylen) &&
           attr_write(g, "success", H5T_STD_U8LE, H5T_NATIVE_UINT8, 0, NULL, &success, why, whylen) &&
           attr_write(g, "steps", H5T_STD_I32LE, H5T_NATIVE_INT32, 0, NULL, &steps, why, whylen) &&
           attr_write(g, "total_reward", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, NULL, &ep->total_reward, why, whylen) &&
           attr_write(g, "initial_reward", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 0, NULL, &ep->initial_reward, why, whylen) &&
           dataset_write(g, "heightmap", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, d_img, w->dcpl_float, ep->heightmap, why, whylen) &&
           dataset_write(g, "color", H5T_STD_U8LE, H5T_NATIVE_UINT8, 4, d_img, w->dcpl_color, ep->color, why, whylen) &&
           dataset_write(g, "segmentation", H5T_STD_I32LE, H5T_NATIVE_INT32, 3, d_img, w->dcpl_int, ep->segmentation, why, whylen) &&
           dataset_write(g, "pick_pose", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d_pose, H5P_DEFAULT, ep->pick_pose, why, whylen) &&
           dataset_write(g, "place_pose", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, d_pose, H5P_DEFAULT, ep->place_pose, why, whylen) &&
           dataset_write(g, "pick_pixel", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, d_pixel, H5P_DEFAULT, ep->pick_pixel, why, whylen) &&
           dataset_write(g, "place_pixel", H5T_STD_I32LE, H5T_NATIVE_INT32, 2, d_pixel, H5P_DEFAULT, ep->place_pixel, why, whylen) &&
           dataset_write(g, "primitive", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1, d_t, H5P_DEFAULT, ep->primitive, why, whylen) &&
           dataset_write(g, "reward", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1, d_t, H5P_DEFAULT, ep->reward, why, whylen) &&
           dataset_strings(g, "lang", w->vlen_str, ep->steps, ep->lang, why, whylen) &&
           dataset_strings(g, "object_kind", w->vlen_str, ep->nobjects, ep->object_kind, why, whylen) &&
           dataset_strings(g, "object_color", w->vlen_str, ep->nobjects, ep->object_color, why, whylen) &&
           dataset_write(g, "object_pose", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 3, d_object_pose, H5P_DEFAULT, ep->object_pose, why, whylen);
}

/* A variable-length UTF-8 string attribute (h5py reads it as str). */
static int attr_string(hid_t loc, const char *name, const char *value, char *why, size_t whylen) {
    const char *text = value ? value : "";
    hid_t type = H5Tcopy(H5T_C_S1);
    int ok = type >= 0 && H5Tset_size(type, H5T_VARIABLE) >= 0 && H5Tset_cset(type, H5T_CSET_UTF8) >= 0;
    if (ok) ok = attr_write(loc, name, type, type, 0, NULL, &text, why, whylen);
    else {
        char reason[256];
        hdf5_reason(reason, sizeof reason);
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
        hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "attribute '%s': %s", name, reason);
    }
    if (attr >= 0) H5Aclose(attr);
    if (space >= 0) H5Sclose(space);
    return ok;
}

static int dataset_write(hid_t loc, const char *name, hid_t filetype, hid_t memtype, int rank,
                         const hsize_t *dims, hid_t dcpl, const void *data, char *why,
                         size_t whylen) {
    hsize_t count = 1;
    for (int i = 0; i < rank; i++) count *= dims[i];
    hid_t space = H5Screate_simple(rank, dims, NULL);
    /* An empty dataset cannot be chunked by rows it does not have. */
    hid_t set = space >= 0 ? H5Dcreate2(loc, name, filetype, space, H5P_DEFAULT,
                                        count ? dcpl : H5P_DEFAULT, H5P_DEFAULT)
                           : -1;
    int ok = set >= 0 && (count == 0 || H5Dwrite(set, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    if (!ok) {
        char reason[256];
        hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "dataset '%s': %s", name, reason);
    }
    if (set >= 0) H5Dclose(set);
    if (space >= 0) H5Sclose(space);
    return ok;
}

static int dataset_strings(hid_t loc, const char *name, hid_t strtype, int n,
                           char *const *values, char *why, size_t whylen) {
    const char **all = malloc((size_t)(n > 0 ? n : 1) * sizeof *all);
    if (!all) {
        snprintf(why, whylen, "dataset '%s': out of memory", name);
        return 0;
    }
    for (int i = 0; i < n; i++) all[i] = values[i] ? values[i] : "";
    hsize_t dims[1] = {(hsize_t)n};
    int ok = dataset_write(loc, name, strtype, strtype, 1, dims, H5P_DEFAULT, all, why, whylen);
    free(all);
    return ok;
}

/* ---- helpers: reading ---- */

static gs_status read_info(gs_dataset *ds, char *err, size_t errlen) {
    gs_dataset_info *in = &ds->info;
    char why[512] = "";
    char *format = NULL, *version = NULL, *split = NULL;
    int32_t format_version = 0, image_size[2] = {0, 0};
    int ok = attr_read_string(ds->file, "format", &format, why, sizeof why);
    if (ok && strcmp(format, GS_DATASET_FORMAT) != 0) {
        snprintf(why, sizeof why, "attribute 'format' is '%.64s', not '%s'", format, GS_DATASET_FORMAT);
        ok = 0;
    }
    ok = ok && attr_read_numbers(ds->file, "format_version", H5T_NATIVE_INT32, 1, &format_version, why, sizeof why);
    if (ok && (format_version < 1 || format_version > GS_DATASET_FORMAT_VERSION)) {
        snprintf(why, sizeof why, "attribute 'format_version' is %d; this reader knows 1..%d",
                 (int)format_version, GS_DATASET_FORMAT_VERSION);
        ok = 0;
    }
    ok = ok && attr_read_string(ds->file, "gensim_version", &version, why, sizeof why) &&
         attr_read_string(ds->file, "split", &split, why, sizeof why) &&
         attr_read_numbers(ds->file, "pixel_size", H5T_NATIVE_DOUBLE, 1, &in->pixel_size, why, sizeof why) &&
         attr_read_numbers(ds->file, "bounds", H5T_NATIVE_DOUBLE, 6, in->bounds, why, sizeof why) &&
         attr_read_numbers(ds->file, "image_size", H5T_NATIVE_INT32, 2, image_size, why, sizeof why);
    if (ok) {
        snprintf(in->format, sizeof in->format, "%s", format);
        snprintf(in->gensim_version, sizeof in->gensim_version, "%s", version);
        snprintf(in->split, sizeof in->split, "%s", split);
        in->format_version = format_version;
        in->rows = image_size[0], in->cols = image_size[1];
    }
    free(format);
    free(version);
    free(split);
    if (ok && !(isfinite(in->pixel_size) && in->pixel_size > 0)) {
        snprintf(why, sizeof why, "attribute 'pixel_size' is %g, not a positive size", in->pixel_size);
        ok = 0;
    }
    for (int i = 0; ok && i < 3; i++)
        if (!(isfinite(in->bounds[i][0]) && isfinite(in->bounds[i][1]) && in->bounds[i][0] < in->bounds[i][1])) {
            snprintf(why, sizeof why, "attribute 'bounds' row %d is (%g, %g), not a range", i,
                     in->bounds[i][0], in->bounds[i][1]);
            ok = 0;
        }
    if (ok) {
        double want_rows = (in->bounds[1][1] - in->bounds[1][0]) / in->pixel_size;
        double want_cols = (in->bounds[0][1] - in->bounds[0][0]) / in->pixel_size;
        if (in->rows < 1 || in->cols < 1 || in->rows > MAX_SIDE || in->cols > MAX_SIDE ||
            fabs(want_rows - in->rows) > 0.5 || fabs(want_cols - in->cols) > 0.5) {
            snprintf(why, sizeof why,
                     "attribute 'image_size' is (%d, %d) but bounds and pixel_size %g give (%.0f, %.0f)",
                     in->rows, in->cols, in->pixel_size, want_rows, want_cols);
            ok = 0;
        }
    }
    if (!ok) return gs_fail(err, errlen, GS_ERR_IO, "%s: %s", ds->path, why);

    htri_t exists = H5Lexists(ds->file, "episodes", H5P_DEFAULT);
    if (exists <= 0) {
        if (exists < 0) hdf5_reason(why, sizeof why);
        return gs_fail(err, errlen, GS_ERR_IO, "%s: %s group 'episodes'%s%s", ds->path,
                       exists < 0 ? "cannot look up the" : "missing", exists < 0 ? ": " : "", exists < 0 ? why : "");
    }
    ds->episodes = H5Gopen2(ds->file, "episodes", H5P_DEFAULT);
    H5G_info_t gi;
    if (ds->episodes < 0 || H5Gget_info(ds->episodes, &gi) < 0) {
        hdf5_reason(why, sizeof why);
        return gs_fail(err, errlen, GS_ERR_IO, "%s: 'episodes' is not a readable group: %s", ds->path, why);
    }
    /* Episodes are numbered 000000 .. N-1 with nothing else beside them. */
    for (hsize_t i = 0; i < gi.nlinks; i++) {
        char name[32];
        snprintf(name, sizeof name, "%06" PRIu64, (uint64_t)i);
        if (H5Lexists(ds->episodes, name, H5P_DEFAULT) <= 0) {
            H5Eclear2(H5E_DEFAULT);
            return gs_fail(err, errlen, GS_ERR_IO,
                           "%s: 'episodes' holds %" PRIu64 " entries but no 'episodes/%s' (groups must be numbered 000000 up)",
                           ds->path, (uint64_t)gi.nlinks, name);
        }
    }
    in->episodes = (int64_t)gi.nlinks;
    return GS_OK;
}

/* Opens episode index, reads its attributes into ep (nullable) and opens and
 * checks the datasets named by the specs bits. */
static gs_status episode_open(gs_dataset *ds, int64_t index, unsigned specs, gs_dataset_episode *ep,
                              open_episode *oe, char *err, size_t errlen) {
    memset(oe, 0, sizeof *oe);
    oe->group = H5I_INVALID_HID;
    for (int i = 0; i < NSPECS; i++) oe->sets[i] = H5I_INVALID_HID;
    if (index < 0 || index >= ds->info.episodes)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: no episode %" PRId64 " (the file has %" PRId64 ")",
                       ds->path, index, ds->info.episodes);
    snprintf(oe->name, sizeof oe->name, "%06" PRId64, index);
    char why[512] = "";
    oe->group = H5Gopen2(ds->episodes, oe->name, H5P_DEFAULT);
    if (oe->group < 0) {
        hdf5_reason(why, sizeof why);
        return gs_fail(err, errlen, GS_ERR_IO, "%s: episode %s is not a readable group: %s", ds->path, oe->name, why);
    }
    int32_t steps = 0;
    int ok = attr_read_numbers(oe->group, "steps", H5T_NATIVE_INT32, 1, &steps, why, sizeof why);
    if (ok && (steps < 0 || steps > MAX_STEPS)) {
        snprintf(why, sizeof why, "attribute 'steps' is %d, not 0..%d", (int)steps, MAX_STEPS);
        ok = 0;
    }
    oe->steps = steps;
    if (ok && ep) {
        uint8_t success = 0;
        ok = attr_read_string(oe->group, "task", &ep->task, why, sizeof why) &&
             attr_read_string(oe->group, "description", &ep->description, why, sizeof why) &&
             attr_read_numbers(oe->group, "seed", H5T_NATIVE_UINT64, 1, &ep->seed, why, sizeof why) &&
             attr_read_numbers(oe->group, "success", H5T_NATIVE_UINT8, 1, &success, why, sizeof why) &&
             attr_read_numbers(oe->group, "total_reward", H5T_NATIVE_DOUBLE, 1, &ep->total_reward, why, sizeof why) &&
             attr_read_numbers(oe->group, "initial_reward", H5T_NATIVE_DOUBLE, 1, &ep->initial_reward, why, sizeof why);
        ep->success = success != 0;
        ep->rows = ds->info.rows, ep->cols = ds->info.cols;
    }
    /* The object count comes from object_kind's length. */
    oe->nobjects = -1;
    for (int i = 0; ok && i < NSPECS; i++) {
        if (!(specs & (1u << i))) continue; /* object_pose needs object_kind's count first */
        const dataset_spec *sp = &SPECS[i];
        htri_t exists = H5Lexists(oe->group, sp->name, H5P_DEFAULT);
        if (exists <= 0) {
            char reason[256] = "";
            if (exists < 0) hdf5_reason(reason, sizeof reason);
            if (exists < 0) snprintf(why, sizeof why, "cannot look up dataset '%s': %s", sp->name, reason);
            else snprintf(why, sizeof why, "missing dataset '%s'", sp->name);
            ok = 0;
            break;
        }
        hid_t set = oe->sets[i] = H5Dopen2(oe->group, sp->name, H5P_DEFAULT);
        hid_t type = set >= 0 ? H5Dget_type(set) : -1;
        hid_t space = set >= 0 ? H5Dget_space(set) : -1;
        hsize_t dims[8] = {0};
        int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
        if (set < 0 || type < 0 || space < 0 || rank < 0 || rank > 8 ||
            H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
            char reason[256];
            hdf5_reason(reason, sizeof reason);
            snprintf(why, sizeof why, "'%s' is not a readable dataset: %s", sp->name, reason);
            ok = 0;
        } else if (H5Tget_class(type) != sp->cls) {
            snprintf(why, sizeof why, "dataset '%s' holds %s, expected %s", sp->name,
                     H5Tget_class(type) == H5T_STRING ? "strings" : H5Tget_class(type) == H5T_FLOAT ? "floats"
                     : H5Tget_class(type) == H5T_INTEGER ? "integers" : "another type",
                     sp->cls == H5T_STRING ? "strings" : sp->cls == H5T_FLOAT ? "floats" : "integers");
            ok = 0;
        } else {
            if (i == S_OBJECT_KIND && rank == 1) oe->nobjects = dims[0] > MAX_OBJECTS ? -2 : (int)dims[0];
            hsize_t want[4];
            int good = rank == sp->rank;
            for (int d = 0; d < sp->rank; d++) {
                int code = sp->dims[d];
                want[d] = code == D_T ? (hsize_t)steps : code == D_OBS ? (hsize_t)steps + 1
                        : code == D_OBJ ? (hsize_t)(oe->nobjects < 0 ? 0 : oe->nobjects)
                        : code == D_ROWS ? (hsize_t)ds->info.rows : code == D_COLS ? (hsize_t)ds->info.cols
                        : (hsize_t)code;
                if (good && dims[d] != want[d]) good = 0;
            }
            if (oe->nobjects == -2) {
                snprintf(why, sizeof why, "dataset 'object_kind' lists more than %d objects", MAX_OBJECTS);
                ok = 0;
            } else if (!good) {
                char have[96] = "", expect[96] = "";
                for (int d = 0; d < rank; d++)
                    snprintf(have + strlen(have), sizeof have - strlen(have), "%s%" PRIu64, d ? " x " : "", (uint64_t)dims[d]);
                for (int d = 0; d < sp->rank; d++)
                    snprintf(expect + strlen(expect), sizeof expect - strlen(expect), "%s%" PRIu64, d ? " x " : "", (uint64_t)want[d]);
                snprintf(why, sizeof why, "dataset '%s' has shape (%s), expected (%s) for %d steps", sp->name,
                         rank ? have : "scalar", expect, (int)steps);
                ok = 0;
            }
        }
        if (type >= 0) H5Tclose(type);
        if (space >= 0) H5Sclose(space);
    }
    if (ok && oe->nobjects < 0) oe->nobjects = 0;
    if (ok && specs == ~0u) {
        size_t rc = (size_t)ds->info.rows * (size_t)ds->info.cols;
        if (((size_t)steps + 1) * rc * 11 > MAX_EPISODE_BYTES) {
            snprintf(why, sizeof why, "%d steps of %d x %d images are too much to read at once",
                     (int)steps, ds->info.rows, ds->info.cols);
            ok = 0;
        }
    }
    if (!ok) {
        episode_close(oe);
        return gs_fail(err, errlen, GS_ERR_IO, "%s: episode %s: %s", ds->path, oe->name, why);
    }
    return GS_OK;
}

static void episode_close(open_episode *oe) {
    for (int i = 0; i < NSPECS; i++)
        if (oe->sets[i] >= 0) H5Dclose(oe->sets[i]), oe->sets[i] = H5I_INVALID_HID;
    if (oe->group >= 0) H5Gclose(oe->group), oe->group = H5I_INVALID_HID;
}

static int read_numbers(hid_t set, hid_t memtype, void *out, char *why, size_t whylen) {
    hid_t space = H5Dget_space(set);
    hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    if (space >= 0) H5Sclose(space);
    if (n == 0) return 1;
    if (n > 0 && H5Dread(set, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0) return 1;
    char name[64] = "", reason[256];
    hdf5_reason(reason, sizeof reason);
    H5Iget_name(set, name, sizeof name);
    snprintf(why, whylen, "reading '%s': %s", name, reason);
    return 0;
}

/* n strings into slots out[0..n) (each freed and replaced). Variable- and
 * fixed-length strings are both accepted. */
static int read_strings(hid_t set, int n, char **out, char *why, size_t whylen) {
    if (n == 0) return 1;
    char name[64] = "", reason[256] = "";
    H5Iget_name(set, name, sizeof name);
    hid_t ftype = H5Dget_type(set);
    int ok = ftype >= 0;
    if (ok && H5Tis_variable_str(ftype) > 0) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        char **tmp = calloc((size_t)n, sizeof *tmp);
        hid_t space = H5Dget_space(set);
        ok = mt >= 0 && tmp && space >= 0 && H5Tset_size(mt, H5T_VARIABLE) >= 0 &&
             H5Tset_cset(mt, H5Tget_cset(ftype)) >= 0 &&
             H5Dread(set, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, tmp) >= 0;
        if (!ok) hdf5_reason(reason, sizeof reason);
        for (int i = 0; ok && i < n; i++) {
            if (tmp[i] && strlen(tmp[i]) > MAX_STRING) {
                snprintf(reason, sizeof reason, "entry %d is longer than %d bytes", i, MAX_STRING);
                ok = 0;
            } else ok = set_string(&out[i], tmp[i] ? tmp[i] : "");
        }
        if (tmp && space >= 0 && mt >= 0) {
#if H5_VERSION_GE(1, 12, 0)
            H5Treclaim(mt, space, H5P_DEFAULT, tmp);
#else
            H5Dvlen_reclaim(mt, space, H5P_DEFAULT, tmp);
#endif
        }
        free(tmp);
        if (space >= 0) H5Sclose(space);
        if (mt >= 0) H5Tclose(mt);
    } else if (ok) {
        size_t size = H5Tget_size(ftype);
        char *buf = size > 0 && size <= MAX_STRING ? malloc((size_t)n * size) : NULL;
        ok = buf && H5Dread(set, ftype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
        if (!ok) {
            if (buf) hdf5_reason(reason, sizeof reason);
            else snprintf(reason, sizeof reason, "strings of %zu bytes", size);
        }
        for (int i = 0; ok && i < n; i++) {
            char *s = malloc(size + 1);
            if (!s) {
                ok = 0;
                break;
            }
            memcpy(s, buf + (size_t)i * size, size);
            s[size] = 0;
            free(out[i]);
            out[i] = s;
        }
        free(buf);
    }
    if (ftype >= 0) H5Tclose(ftype);
    if (!ok) snprintf(why, whylen, "reading '%s': %s", name, reason[0] ? reason : "out of memory");
    return ok;
}

/* 1 when loc has attribute name; else 0 and why says it is missing or
 * could not be looked up. */
static int attr_present(hid_t loc, const char *name, char *why, size_t whylen) {
    htri_t exists = H5Aexists(loc, name);
    if (exists > 0) return 1;
    if (exists == 0) {
        snprintf(why, whylen, "missing attribute '%s'", name);
        return 0;
    }
    char reason[256];
    hdf5_reason(reason, sizeof reason);
    snprintf(why, whylen, "cannot look up attribute '%s': %s", name, reason);
    return 0;
}

/* A string attribute, fixed- or variable-length, into a malloc'd *out. */
static int attr_read_string(hid_t loc, const char *name, char **out, char *why, size_t whylen) {
    if (!attr_present(loc, name, why, whylen)) return 0;
    hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t type = attr >= 0 ? H5Aget_type(attr) : -1;
    hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
    int ok = 0;
    char *value = NULL;
    if (type >= 0 && space >= 0 && H5Tget_class(type) == H5T_STRING &&
        H5Sget_simple_extent_npoints(space) == 1) {
        if (H5Tis_variable_str(type) > 0) {
            hid_t mt = H5Tcopy(H5T_C_S1);
            char *tmp = NULL;
            ok = mt >= 0 && H5Tset_size(mt, H5T_VARIABLE) >= 0 &&
                 H5Tset_cset(mt, H5Tget_cset(type)) >= 0 && H5Aread(attr, mt, &tmp) >= 0;
            if (ok) ok = (value = strdup(tmp ? tmp : "")) != NULL;
            if (tmp) H5free_memory(tmp);
            if (mt >= 0) H5Tclose(mt);
        } else {
            size_t size = H5Tget_size(type);
            value = size > 0 && size <= MAX_STRING ? calloc(1, size + 1) : NULL;
            ok = value && H5Aread(attr, type, value) >= 0;
        }
    } else if (type >= 0 && space >= 0) {
        snprintf(why, whylen, "attribute '%s' is not a single string", name);
        H5Tclose(type), H5Sclose(space), H5Aclose(attr);
        return 0;
    }
    if (!ok) {
        char reason[256];
        hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "attribute '%s': %s", name, reason);
        free(value);
        value = NULL;
    }
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    if (attr >= 0) H5Aclose(attr);
    if (ok) {
        free(*out);
        *out = value;
    }
    return ok;
}

/* n numbers of attribute name, converted to memtype. */
static int attr_read_numbers(hid_t loc, const char *name, hid_t memtype, size_t n, void *out,
                             char *why, size_t whylen) {
    if (!attr_present(loc, name, why, whylen)) return 0;
    hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t type = attr >= 0 ? H5Aget_type(attr) : -1;
    hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
    int ok = type >= 0 && space >= 0;
    if (ok) {
        H5T_class_t cls = H5Tget_class(type);
        hssize_t count = H5Sget_simple_extent_npoints(space);
        if ((cls != H5T_INTEGER && cls != H5T_FLOAT) || count != (hssize_t)n) {
            snprintf(why, whylen, "attribute '%s' should hold %zu number%s", name, n, n == 1 ? "" : "s");
            ok = -1;
        } else ok = H5Aread(attr, memtype, out) >= 0;
    }
    if (!ok) {
        char reason[256];
        hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "attribute '%s': %s", name, reason);
    }
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    if (attr >= 0) H5Aclose(attr);
    return ok == 1;
}
