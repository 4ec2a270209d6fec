/* dataset_read.c: the validating reader of demonstration datasets
 * (dataset.h). Every attribute and dataset a file declares is checked
 * against the layout before anything is read, and bounded (MAX_*, and no
 * more than its storage can hold), so a hostile file gets a message, not
 * an absurd allocation.
 *
 * libhdf5 itself is not that careful: Debian 12's 1.10.8 trusts sizes and
 * offsets of its own metadata in places (a malformed global heap, where
 * variable-length strings live, sends H5Aread into an endless loop or a
 * memcpy of gigabytes). No check of ours can come before those, so
 * gs_dataset_open first reads, in a forked child, everything of the file
 * the reader will later touch but the pixels: the attributes, every
 * episode's datasets (types, shapes, filters and chunk indexes), its
 * actions and strings. A child that crashes, or goes 5 s (or
 * GENSIM_DATASET_CHECK_MS) without finishing an episode, costs the caller a
 * message and the file; only a file the child read through is opened in
 * the caller's process. The child is dataset_check.c's. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "io/dataset_internal.h"

int gs__dataset_checking_child;

static gs_status read_info(gs_dataset *ds, char *err, size_t errlen);
#define attr_read_string gs__attr_read_string
static int attr_read_numbers(hid_t loc, const char *name, hid_t memtype, size_t n, void *out,
                             char *why, size_t whylen);

/* ---- reading ---- */

/* What an episode's dataset must look like. dims[i] < 0 stands for a count
 * taken from the episode: -1 T, -2 T + 1, -3 nobjects, -6 njoints. */
typedef struct dataset_spec {
    const char *name;
    H5T_class_t cls;
    int rank;
    int dims[4];
    unsigned field;   /* GS_DATASET_* for images; 0 for the rest */
} dataset_spec;

enum { D_T = -1, D_OBS = -2, D_OBJ = -3, D_ROWS = -4, D_COLS = -5, D_JNT = -6 };

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
    /* format_version 2 */
    {"joint_name", H5T_STRING, 1, {D_JNT, 0, 0, 0}, 0},
    {"joint_object", H5T_INTEGER, 1, {D_JNT, 0, 0, 0}, 0},
    {"joint_position", H5T_FLOAT, 2, {D_OBS, D_JNT, 0, 0}, 0},
    {"joint_fraction", H5T_FLOAT, 2, {D_OBS, D_JNT, 0, 0}, 0},
    /* optional: files recorded before it was kept lack it and read 0 */
    {"lift", H5T_FLOAT, 1, {D_T, 0, 0, 0}, 0},
};
#define NSPECS ((int)(sizeof SPECS / sizeof SPECS[0]))
enum { S_HEIGHTMAP, S_COLOR, S_SEGMENTATION, S_PICK_POSE, S_PLACE_POSE, S_PICK_PIXEL,
       S_PLACE_PIXEL, S_PRIMITIVE, S_REWARD, S_LANG, S_OBJECT_KIND, S_OBJECT_COLOR, S_OBJECT_POSE,
       S_JOINT_NAME, S_JOINT_OBJECT, S_JOINT_POSITION, S_JOINT_FRACTION, S_LIFT };
/* The datasets of a version 1 file: all but the joints'. */
#define V1_SPECS ((1u << S_JOINT_NAME) - 1)
/* The datasets an episode may lack (its set is then left closed). */
#define OPTIONAL_SPECS (1u << S_LIFT)

/* An open episode group whose attributes are read and whose datasets are
 * checked. */
typedef struct open_episode {
    hid_t group;
    hid_t sets[NSPECS];
    char name[32];
    int steps, nobjects, njoints;
} open_episode;

static gs_status episode_open(gs_dataset *ds, int64_t index, unsigned specs, gs_dataset_episode *ep,
                              open_episode *oe, char *err, size_t errlen);
static void episode_close(open_episode *oe);
static int check_storage(hid_t set, hid_t type, const char *name, char *why, size_t whylen);
static int read_numbers(hid_t set, hid_t memtype, void *out, char *why, size_t whylen);
static int read_strings(hid_t set, int n, char **out, char *why, size_t whylen);

gs_status gs_dataset_open(const char *path, gs_dataset **out, char *err, size_t errlen) {
    *out = NULL;
    gs__silence_hdf5();
    if (access(path, R_OK) != 0)
        return gs_fail(err, errlen, GS_ERR_IO, "cannot read %s: %s", path, strerror(errno));
    refusals refused = {0};
    gs_status st = gs__dataset_check_in_child(path, &refused, err, errlen);
    if (st == GS_OK) st = gs__dataset_open_here(path, out, err, errlen);
    if (st == GS_OK) (*out)->refused = refused;
    else gs__refusals_free(&refused);
    return st;
}

/* Opens the file in this process: its attributes and episode list. */
gs_status gs__dataset_open_here(const char *path, gs_dataset **out, char *err, size_t errlen) {
    gs_dataset *ds = calloc(1, sizeof *ds);
    if (!ds || !(ds->path = strdup(path))) {
        free(ds);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory opening %s", path);
    }
    ds->episodes = H5I_INVALID_HID;
    ds->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (ds->file < 0) {
        char why[256];
        gs__hdf5_reason(why, sizeof why);
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
    gs__silence_hdf5();
    open_episode oe;
    gs__dataset_clear_strings(ep);
    gs_status st = episode_open(ds, index, ds->info.format_version >= 2 ? ~0u : V1_SPECS, ep, &oe, err, errlen);
    if (st != GS_OK) return st;
    const int T = oe.steps, n = oe.nobjects, nj = oe.njoints;
    const size_t rc = (size_t)ds->info.rows * (size_t)ds->info.cols, obs = (size_t)T + 1;
    char why[512] = "";
    void *tmp;
    int ok = 1;
#define GROW(field, idx, need) \
    (tmp = gs__grow(ep->field, &ep->bytes[idx], (need)), tmp ? (ep->field = tmp, 1) : 0)
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
         GROW(lift, A_LIFT, (size_t)T * sizeof(double)) &&
         GROW(object_pose, A_OBJECT_POSE, obs * (size_t)n * 7 * sizeof(double)) &&
         GROW(joint_position, A_JOINT_POSITION, obs * (size_t)nj * sizeof(double)) &&
         GROW(joint_fraction, A_JOINT_FRACTION, obs * (size_t)nj * sizeof(double)) &&
         gs_dataset_episode_reserve_steps(ep, T) && gs_dataset_episode_reserve_objects(ep, n) &&
         gs_dataset_episode_reserve_joints(ep, nj);
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
         (oe.sets[S_LIFT] < 0 ? (memset(ep->lift, 0, (size_t)T * sizeof(double)), 1)
                              : read_numbers(oe.sets[S_LIFT], H5T_NATIVE_DOUBLE, ep->lift, why, sizeof why)) &&
         read_numbers(oe.sets[S_OBJECT_POSE], H5T_NATIVE_DOUBLE, ep->object_pose, why, sizeof why) &&
         (nj == 0 || (read_numbers(oe.sets[S_JOINT_OBJECT], H5T_NATIVE_INT32, ep->joint_object, why, sizeof why) &&
                      read_numbers(oe.sets[S_JOINT_POSITION], H5T_NATIVE_DOUBLE, ep->joint_position, why, sizeof why) &&
                      read_numbers(oe.sets[S_JOINT_FRACTION], H5T_NATIVE_DOUBLE, ep->joint_fraction, why, sizeof why)));
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
    if (ok) {
        ep->njoints = nj;
        ok = nj == 0 || read_strings(oe.sets[S_JOINT_NAME], nj, ep->joint_name, why, sizeof why);
    }
    /* Joints belong to objects of the episode. */
    for (int j = 0; ok && j < nj; j++)
        if (ep->joint_object[j] < 0 || ep->joint_object[j] >= n) {
            snprintf(why, sizeof why, "joint_object[%d] = %d is not an object of the episode (%d)", j,
                     (int)ep->joint_object[j], n);
            ok = 0;
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
        if (ok && ep->primitive[k] > GS_DATASET_MOVE_SUCTION) {
            snprintf(why, sizeof why,
                     "primitive[%d] = %d is not 0 (pick-place), 1 (push), 2 (drag), 3 (move) or 4 (move, suction on)",
                     k, ep->primitive[k]);
            ok = 0;
        }
    }
    episode_close(&oe);
    if (!ok) return gs_fail(err, errlen, GS_ERR_IO, "%s: episode %s: %s", ds->path, oe.name, why);
    return GS_OK;
}

gs_status gs_dataset_read_observation(gs_dataset *ds, int64_t index, int t, float *heights,
                                      uint8_t *rgb, int32_t *seg, char *err, size_t errlen) {
    gs__silence_hdf5();
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
            gs__hdf5_reason(reason, sizeof reason);
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
    gs__silence_hdf5();
    if (ds->episodes >= 0) H5Gclose(ds->episodes);
    if (ds->file >= 0) H5Fclose(ds->file);
    gs__refusals_free(&ds->refused);
    free(ds->path);
    free(ds);
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
        if (exists < 0) gs__hdf5_reason(why, sizeof why);
        return gs_fail(err, errlen, GS_ERR_IO, "%s: %s group 'episodes'%s%s", ds->path,
                       exists < 0 ? "cannot look up the" : "missing", exists < 0 ? ": " : "", exists < 0 ? why : "");
    }
    ds->episodes = H5Gopen2(ds->file, "episodes", H5P_DEFAULT);
    H5G_info_t gi;
    if (ds->episodes < 0 || H5Gget_info(ds->episodes, &gi) < 0) {
        gs__hdf5_reason(why, sizeof why);
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
/* An episode's attributes into ep: its task, description, seed, outcome
 * and (when recorded) provenance. 0 and why when one is missing or bad. */
static int read_attrs(const gs_dataset *ds, hid_t group, gs_dataset_episode *ep, char *why, size_t whylen) {
    uint8_t success = 0;
    int ok = attr_read_string(group, "task", &ep->task, why, whylen) &&
             attr_read_string(group, "description", &ep->description, why, whylen) &&
             attr_read_numbers(group, "seed", H5T_NATIVE_UINT64, 1, &ep->seed, why, whylen) &&
             attr_read_numbers(group, "success", H5T_NATIVE_UINT8, 1, &success, why, whylen) &&
             attr_read_numbers(group, "total_reward", H5T_NATIVE_DOUBLE, 1, &ep->total_reward, why, whylen) &&
             attr_read_numbers(group, "initial_reward", H5T_NATIVE_DOUBLE, 1, &ep->initial_reward, why, whylen);
    ep->success = success != 0;
    ep->rows = ds->info.rows, ep->cols = ds->info.cols;
    free(ep->provenance);
    ep->provenance = NULL;
    /* optional: files written before it was recorded lack it */
    if (ok && H5Aexists(group, "provenance") > 0) ok = attr_read_string(group, "provenance", &ep->provenance, why, whylen);
    return ok;
}

/* Opens dataset i of SPECS into oe->sets[i] and checks its class, its
 * shape for `steps` steps and its storage; notes the object and joint
 * counts its length gives. 0 and why when it is not as it must be. */
static int open_dataset(const gs_dataset *ds, open_episode *oe, int i, int32_t steps, char *why, size_t whylen) {
    int ok = 1;
        const dataset_spec *sp = &SPECS[i];
        htri_t exists = H5Lexists(oe->group, sp->name, H5P_DEFAULT);
        if (exists <= 0) {
            char reason[256] = "";
            if (exists < 0) gs__hdf5_reason(reason, sizeof reason);
            if (exists < 0) snprintf(why, whylen, "cannot look up dataset '%s': %s", sp->name, reason);
            else snprintf(why, whylen, "missing dataset '%s'", sp->name);
            return 0;
        }
        hid_t set = oe->sets[i] = H5Dopen2(oe->group, sp->name, H5P_DEFAULT);
        hid_t type = set >= 0 ? H5Dget_type(set) : -1;
        hid_t space = set >= 0 ? H5Dget_space(set) : -1;
        hsize_t dims[8] = {0};
        int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
        if (set < 0 || type < 0 || space < 0 || rank < 0 || rank > 8 ||
            H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
            char reason[256];
            gs__hdf5_reason(reason, sizeof reason);
            snprintf(why, whylen, "'%s' is not a readable dataset: %s", sp->name, reason);
            ok = 0;
        } else if (H5Tget_class(type) != sp->cls) {
            snprintf(why, whylen, "dataset '%s' holds %s, expected %s", sp->name,
                     H5Tget_class(type) == H5T_STRING ? "strings" : H5Tget_class(type) == H5T_FLOAT ? "floats"
                     : H5Tget_class(type) == H5T_INTEGER ? "integers" : "another type",
                     sp->cls == H5T_STRING ? "strings" : sp->cls == H5T_FLOAT ? "floats" : "integers");
            ok = 0;
        } else {
            if (i == S_OBJECT_KIND && rank == 1) oe->nobjects = dims[0] > MAX_OBJECTS ? -2 : (int)dims[0];
            if (i == S_JOINT_NAME && rank == 1) oe->njoints = dims[0] > MAX_JOINTS ? -2 : (int)dims[0];
            hsize_t want[4];
            int good = rank == sp->rank;
            for (int d = 0; d < sp->rank; d++) {
                int code = sp->dims[d];
                want[d] = code == D_T ? (hsize_t)steps : code == D_OBS ? (hsize_t)steps + 1
                        : code == D_OBJ ? (hsize_t)(oe->nobjects < 0 ? 0 : oe->nobjects)
                        : code == D_JNT ? (hsize_t)(oe->njoints < 0 ? 0 : oe->njoints)
                        : code == D_ROWS ? (hsize_t)ds->info.rows : code == D_COLS ? (hsize_t)ds->info.cols
                        : (hsize_t)code;
                if (good && dims[d] != want[d]) good = 0;
            }
            if (oe->nobjects == -2 || oe->njoints == -2) {
                snprintf(why, whylen, "dataset '%s' lists more than %d entries", sp->name, MAX_OBJECTS);
                ok = 0;
            } else if (good) {
                ok = check_storage(set, type, sp->name, why, whylen);
            } else {
                char have[96] = "", expect[96] = "";
                for (int d = 0; d < rank; d++)
                    snprintf(have + strlen(have), sizeof have - strlen(have), "%s%" PRIu64, d ? " x " : "", (uint64_t)dims[d]);
                for (int d = 0; d < sp->rank; d++)
                    snprintf(expect + strlen(expect), sizeof expect - strlen(expect), "%s%" PRIu64, d ? " x " : "", (uint64_t)want[d]);
                snprintf(why, whylen, "dataset '%s' has shape (%s), expected (%s) for %d steps", sp->name,
                         rank ? have : "scalar", expect, (int)steps);
                ok = 0;
            }
        }
        if (type >= 0) H5Tclose(type);
        if (space >= 0) H5Sclose(space);
    return ok;
}

static gs_status episode_open(gs_dataset *ds, int64_t index, unsigned specs, gs_dataset_episode *ep,
                              open_episode *oe, char *err, size_t errlen) {
    memset(oe, 0, sizeof *oe);
    oe->group = H5I_INVALID_HID;
    for (int i = 0; i < NSPECS; i++) oe->sets[i] = H5I_INVALID_HID;
    if (index < 0 || index >= ds->info.episodes)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: no episode %" PRId64 " (the file has %" PRId64 ")",
                       ds->path, index, ds->info.episodes);
    snprintf(oe->name, sizeof oe->name, "%06" PRId64, index);
    for (size_t i = 0; i < ds->refused.n; i++)
        if (ds->refused.list[i].index == index)
            return ds->refused.list[i].message
                       ? gs_fail(err, errlen, GS_ERR_IO, "%s", ds->refused.list[i].message)
                       : gs_fail(err, errlen, GS_ERR_IO, "%s: episode %s: refused when the file was checked",
                                 ds->path, oe->name);
    char why[512] = "";
    oe->group = H5Gopen2(ds->episodes, oe->name, H5P_DEFAULT);
    if (oe->group < 0) {
        gs__hdf5_reason(why, sizeof why);
        return gs_fail(err, errlen, GS_ERR_IO, "%s: episode %s is not a readable group: %s", ds->path, oe->name, why);
    }
    int32_t steps = 0;
    int ok = attr_read_numbers(oe->group, "steps", H5T_NATIVE_INT32, 1, &steps, why, sizeof why);
    if (ok && (steps < 0 || steps > MAX_STEPS)) {
        snprintf(why, sizeof why, "attribute 'steps' is %d, not 0..%d", (int)steps, MAX_STEPS);
        ok = 0;
    }
    oe->steps = steps;
    if (ok && ep) ok = read_attrs(ds, oe->group, ep, why, sizeof why);
    /* The object count comes from object_kind's length, the joints' from
     * joint_name's. */
    oe->nobjects = -1;
    oe->njoints = -1;
    for (int i = 0; ok && i < NSPECS; i++) {
        if (!(specs & (1u << i))) continue; /* object_pose needs object_kind's count first */
        if ((OPTIONAL_SPECS & (1u << i)) && H5Lexists(oe->group, SPECS[i].name, H5P_DEFAULT) == 0) continue;
        ok = open_dataset(ds, oe, i, steps, why, sizeof why);
    }
    if (ok && oe->nobjects < 0) oe->nobjects = 0;
    if (ok && oe->njoints < 0) oe->njoints = 0;
    if (ok && (specs & (1u << S_OBJECT_POSE))) {
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

/* What a dataset stores against what it declares: a declared shape with
 * nothing (or little) behind it would have the reader allocate, and HDF5
 * fill, memory the file never held. Deflate cannot shrink data more than
 * about 1032 times, so no genuine file declares more than MAX_RATIO times
 * what it stores; and only the filters a gensim file may use (deflate,
 * shuffle, a checksum) are run on its data. */
#define MAX_RATIO 1100
#define STORAGE_SLACK 4096

static int check_chunks(hid_t set, hid_t type, hid_t dcpl, unsigned deflate_bit, unsigned fletcher_bit,
                        const char *name, char *why, size_t whylen);

static int check_storage(hid_t set, hid_t type, const char *name, char *why, size_t whylen) {
    hid_t dcpl = H5Dget_create_plist(set);
    int nfilters = dcpl >= 0 ? H5Pget_nfilters(dcpl) : -1;
    unsigned deflate_bit = 0, fletcher_bit = 0; /* their bits in a chunk's filter mask */
    for (int k = 0; k < nfilters; k++) {
        unsigned flags = 0;
        size_t nvalues = 0;
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)k, &flags, &nvalues, NULL, 0, NULL, NULL);
        if (id == H5Z_FILTER_DEFLATE) deflate_bit |= 1u << k;
        else if (id == H5Z_FILTER_FLETCHER32) fletcher_bit |= 1u << k;
        else if (id != H5Z_FILTER_SHUFFLE) {
            snprintf(why, whylen, "dataset '%s' uses HDF5 filter %d; this reader runs deflate, shuffle and "
                     "fletcher32 only", name, (int)id);
            H5Pclose(dcpl);
            return 0;
        }
    }
    if (nfilters < 0) {
        char reason[256];
        gs__hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "dataset '%s': cannot read its filters: %s", name, reason);
        if (dcpl >= 0) H5Pclose(dcpl);
        return 0;
    }
    hid_t space = H5Dget_space(set);
    hssize_t points = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    if (space >= 0) H5Sclose(space);
    size_t element = H5Tget_size(type);
    double declared = points > 0 ? (double)points * (double)element : 0;
    double stored = (double)H5Dget_storage_size(set); /* 0 also on error */
    H5Eclear2(H5E_DEFAULT);
    int ok = 1;
    if (points < 0 || declared > (deflate_bit ? MAX_RATIO * stored + STORAGE_SLACK : stored)) {
        snprintf(why, whylen, "dataset '%s' declares %.0f bytes but stores %.0f%s (a file cut short or crafted)",
                 name, declared, stored, deflate_bit ? ": more than any compression gives" : "");
        ok = 0;
    }
    if (ok && gs__dataset_checking_child)
        ok = check_chunks(set, type, dcpl, deflate_bit, fletcher_bit, name, why, whylen);
    H5Pclose(dcpl);
    return ok;
}

/* Every chunk against the chunk's size: exactly it when no deflate ran on
 * it (plus a checksum's 4 bytes), at most MAX_RATIO times it deflated.
 * libhdf5 copies an undeflated chunk at the size the chunk should have,
 * whatever the file stored. Chunks are counted by index, so this is
 * quadratic in their number: the checking child runs it, once per file. */
static int check_chunks(hid_t set, hid_t type, hid_t dcpl, unsigned deflate_bit, unsigned fletcher_bit,
                        const char *name, char *why, size_t whylen) {
    if (H5Pget_layout(dcpl) != H5D_CHUNKED) return 1;
    hsize_t dims[H5S_MAX_RANK];
    int rank = H5Pget_chunk(dcpl, H5S_MAX_RANK, dims);
    double raw = (double)H5Tget_size(type);
    for (int d = 0; d < rank; d++) raw *= (double)dims[d];
    hsize_t n = 0;
    hid_t space = H5Dget_space(set);
    int ok = rank > 0 && space >= 0 && H5Dget_num_chunks(set, space, &n) >= 0, bad = 0;
    for (hsize_t i = 0; ok && !bad && i < n; i++) {
        unsigned mask = 0;
        haddr_t addr;
        hsize_t size = 0;
        if (H5Dget_chunk_info(set, space, i, NULL, &mask, &addr, &size) < 0) {
            ok = 0;
            break;
        }
        double want = raw + (fletcher_bit && !(mask & fletcher_bit) ? 4 : 0);
        int deflated = deflate_bit && !(mask & deflate_bit);
        if (deflated ? raw > MAX_RATIO * (double)size + 64 : (double)size != want) {
            snprintf(why, whylen, "dataset '%s': chunk %llu stores %llu bytes for %.0f%s (a file cut short or crafted)",
                     name, (unsigned long long)i, (unsigned long long)size, raw,
                     deflated ? ": more than any compression gives" : "");
            bad = 1;
        }
    }
    if (space >= 0) H5Sclose(space);
    if (bad) return 0;
    if (!ok) {
        char reason[256];
        gs__hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "dataset '%s': cannot read its chunk index: %s", name, reason);
    }
    return ok;
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
    gs__hdf5_reason(reason, sizeof reason);
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
        if (!ok) gs__hdf5_reason(reason, sizeof reason);
        for (int i = 0; ok && i < n; i++) {
            if (tmp[i] && strlen(tmp[i]) > MAX_STRING) {
                snprintf(reason, sizeof reason, "entry %d is longer than %d bytes", i, MAX_STRING);
                ok = 0;
            } else ok = gs_dataset_set_string(&out[i], tmp[i] ? tmp[i] : "");
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
            if (buf) gs__hdf5_reason(reason, sizeof reason);
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
    gs__hdf5_reason(reason, sizeof reason);
    snprintf(why, whylen, "cannot look up attribute '%s': %s", name, reason);
    return 0;
}

/* A string attribute, fixed- or variable-length, into a malloc'd *out. */
int gs__attr_read_string(hid_t loc, const char *name, char **out, char *why, size_t whylen) {
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
        gs__hdf5_reason(reason, sizeof reason);
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
        gs__hdf5_reason(reason, sizeof reason);
        snprintf(why, whylen, "attribute '%s': %s", name, reason);
    }
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    if (attr >= 0) H5Aclose(attr);
    return ok == 1;
}

