/* fuzz_dataset.c: the HDF5 episode reader (dataset.h) on hostile files.
 *
 * The input is written to a file and opened; every episode the file lists
 * (the first few) is read whole and observation by observation, in caller
 * buffers of exactly the size the header claims, and what came back is
 * checked against what the reader promises: shapes, strings present,
 * pixels inside the image, primitives known. No HDF5 object may stay open
 * once the dataset is closed. A file on which libhdf5 itself crashes or
 * loops is refused by gs_dataset_open, which checks every file in a child
 * process first: the outcome is then FUZZ_CONTAINED. */
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gensim/dataset.h"

#define MAX_EPISODES_READ 3

static void check_episode(const gs_dataset_info *info, const gs_dataset_episode *ep);
static void read_observations(gs_dataset *ds, const gs_dataset_info *info, int64_t index, int steps);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* a genuine episode is checked in milliseconds; libhdf5's loops on
     * mutated files should not cost seconds each (CTest gives 1000) */
    setenv("GENSIM_DATASET_CHECK_MS", "300", 0);
    const char *path = fuzz_temp_file("dataset.h5", data, size);
    char err[1024] = "";
    gs_dataset *ds = NULL;
    gs_status st = gs_dataset_open(path, &ds, err, sizeof err);
    if (st == GS_OK) {
        const gs_dataset_info *info = gs_dataset_get_info(ds);
        if (info->rows < 1 || info->cols < 1 || info->episodes < 0 || gs_dataset_episodes(ds) != info->episodes)
            fuzz_fail("opened with a %d x %d image and %lld episodes", info->rows, info->cols,
                      (long long)info->episodes);
        gs_dataset_episode ep;
        memset(&ep, 0, sizeof ep);
        /* -1 and one past the end must be refused, not read */
        for (int64_t i = -1; i <= info->episodes && i < MAX_EPISODES_READ; i++) {
            char why[1024] = "";
            gs_status rs = gs_dataset_read_episode(ds, i, GS_DATASET_OBSERVATIONS, &ep, why, sizeof why);
            if ((i < 0 || i >= info->episodes) && rs == GS_OK) fuzz_fail("episode %lld read, out of range", (long long)i);
            if (rs == GS_OK) {
                check_episode(info, &ep);
                read_observations(ds, info, i, ep.steps);
                /* a second read reuses the buffers: only images of one kind */
                rs = gs_dataset_read_episode(ds, i, GS_DATASET_COLOR, &ep, why, sizeof why);
                if (rs == GS_OK && (ep.heightmap || ep.segmentation || !ep.color))
                    fuzz_fail("a colour-only read left other images");
            }
            if (rs != GS_OK && i >= 0 && i < info->episodes && st == GS_OK) {
                st = rs;
                snprintf(err, sizeof err, "%s", why);
            }
        }
        gs_dataset_episode_free(&ep);
        gs_dataset_close(ds);
    }
    ssize_t open_ids = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
    if (open_ids != 0) fuzz_fail("%zd HDF5 objects left open after %s", open_ids, st == GS_OK ? "success" : err);
    /* libhdf5 crashed or looped in gs_dataset_open's checking process: the
     * library contained it (dataset_read.c) */
    fuzz_outcome(strstr(err, "libhdf5 ") ? FUZZ_CONTAINED : (int)st, err);
    return 0;
}

/* Touches every element of every array (a short buffer is a sanitizer
 * report) and checks the promises of gs_dataset_read_episode. */
static void check_episode(const gs_dataset_info *info, const gs_dataset_episode *ep) {
    if (ep->steps < 0 || ep->nobjects < 0 || ep->rows != info->rows || ep->cols != info->cols)
        fuzz_fail("episode read with %d steps, %d objects, %d x %d images", ep->steps, ep->nobjects,
                  ep->rows, ep->cols);
    if (!ep->task || !ep->description) fuzz_fail("episode read without its task or description");
    const size_t T = (size_t)ep->steps, obs = T + 1, rc = (size_t)ep->rows * (size_t)ep->cols;
    if (!ep->heightmap || !ep->color || !ep->segmentation) fuzz_fail("an image asked for is missing");
    volatile double sum = 0;
    for (size_t i = 0; i < obs * rc; i++) sum += ep->heightmap[i] + ep->segmentation[i];
    for (size_t i = 0; i < obs * rc * 3; i++) sum += ep->color[i];
    for (size_t i = 0; i < T * 7; i++) sum += ep->pick_pose[i] + ep->place_pose[i];
    for (size_t i = 0; i < obs * (size_t)ep->nobjects * 7; i++) sum += ep->object_pose[i];
    for (size_t k = 0; k < T; k++) {
        const int32_t *px[2] = {ep->pick_pixel + 2 * k, ep->place_pixel + 2 * k};
        for (int j = 0; j < 2; j++) {
            int outside = px[j][0] == -1 && px[j][1] == -1;
            int inside = px[j][0] >= 0 && px[j][0] < ep->rows && px[j][1] >= 0 && px[j][1] < ep->cols;
            if (!outside && !inside) fuzz_fail("step %zu: pixel (%d, %d) accepted", k, px[j][0], px[j][1]);
        }
        if (ep->primitive[k] > GS_DATASET_PUSH) fuzz_fail("step %zu: primitive %d accepted", k, ep->primitive[k]);
        if (!ep->lang[k]) fuzz_fail("step %zu: no language", k);
        sum += ep->reward[k] + (double)strlen(ep->lang[k]);
    }
    for (int i = 0; i < ep->nobjects; i++) {
        if (!ep->object_kind[i] || !ep->object_color[i]) fuzz_fail("object %d: no kind or colour", i);
        sum += (double)(strlen(ep->object_kind[i]) + strlen(ep->object_color[i]));
    }
    (void)sum;
}

/* Observations 0, T and T + 1 (refused) into buffers of exactly one
 * image each. */
static void read_observations(gs_dataset *ds, const gs_dataset_info *info, int64_t index, int steps) {
    const size_t rc = (size_t)info->rows * (size_t)info->cols;
    float *heights = malloc(rc * sizeof *heights);
    uint8_t *rgb = malloc(rc * 3);
    int32_t *seg = malloc(rc * sizeof *seg);
    if (!heights || !rgb || !seg) fuzz_fail("out of memory for %zu pixels", rc);
    int ts[3] = {0, steps, steps + 1};
    for (int k = 0; k < 3; k++) {
        char why[1024];
        gs_status st = gs_dataset_read_observation(ds, index, ts[k], heights, rgb, seg, why, sizeof why);
        if (k == 2 && st == GS_OK) fuzz_fail("observation %d of %d steps read", ts[k], steps);
    }
    /* one image alone, the others NULL */
    char why[1024];
    gs_dataset_read_observation(ds, index, 0, NULL, rgb, NULL, why, sizeof why);
    free(heights);
    free(rgb);
    free(seg);
}
