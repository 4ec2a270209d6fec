/* dataset.c: an episode's buffers (dataset.h), and the HDF5 error
 * helpers the writer (dataset_write.c) and reader (dataset_read.c) share.
 *
 * HDF5 prints its error stack on stderr by default; every entry point of
 * the writer and reader turns that off and reports the innermost HDF5
 * message in err instead. */
#include "io/dataset_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- episodes ---- */

void gs_dataset_episode_free(gs_dataset_episode *ep) {
    if (!ep) return;
    gs__dataset_clear_strings(ep);
    free(ep->task);
    free(ep->description);
    free(ep->provenance);
    free(ep->heightmap);
    free(ep->color);
    free(ep->segmentation);
    free(ep->pick_pose);
    free(ep->place_pose);
    free(ep->pick_pixel);
    free(ep->place_pixel);
    free(ep->primitive);
    free(ep->reward);
    free(ep->lift);
    free(ep->lang);
    free(ep->object_kind);
    free(ep->object_color);
    free(ep->object_pose);
    free(ep->joint_object);
    free(ep->joint_name);
    free(ep->joint_position);
    free(ep->joint_fraction);
    memset(ep, 0, sizeof *ep);
}

gs_status gs_dataset_episode_begin(gs_dataset_episode *ep, const char *task, const char *description,
                                   uint64_t seed, int rows, int cols, char *err, size_t errlen) {
    if (rows <= 0 || cols <= 0 || rows > MAX_SIDE || cols > MAX_SIDE)
        return gs_fail(err, errlen, GS_ERR_USAGE, "the view is %d x %d pixels", rows, cols);
    gs__dataset_clear_strings(ep);
    ep->seed = seed;
    ep->success = 0;
    ep->total_reward = ep->initial_reward = 0;
    ep->rows = rows, ep->cols = cols;
    if (!gs_dataset_set_string(&ep->task, task) || !gs_dataset_set_string(&ep->description, description))
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory recording an episode");
    return GS_OK;
}

int gs_dataset_episode_reserve_observations(gs_dataset_episode *ep, int obs) {
    return gs__reserve_observations(ep, obs, 1);
}

int gs__reserve_observations(gs_dataset_episode *ep, int obs, int images) {
    const size_t rc = (size_t)ep->rows * (size_t)ep->cols, n = (size_t)obs;
    void *tmp;
#define GROW(field, idx, need) \
    (tmp = gs__grow(ep->field, &ep->bytes[idx], (need)), tmp ? (ep->field = tmp, 1) : 0)
    return (!images || (GROW(heightmap, A_HEIGHTMAP, n * rc * sizeof(float)) && GROW(color, A_COLOR, n * rc * 3) &&
                        GROW(segmentation, A_SEGMENTATION, n * rc * sizeof(int32_t)))) &&
           GROW(object_pose, A_OBJECT_POSE, n * (size_t)ep->nobjects * 7 * sizeof(double)) &&
           GROW(joint_position, A_JOINT_POSITION, n * (size_t)ep->njoints * sizeof(double)) &&
           GROW(joint_fraction, A_JOINT_FRACTION, n * (size_t)ep->njoints * sizeof(double));
#undef GROW
}

int gs_dataset_episode_reserve_joints(gs_dataset_episode *ep, int n) {
    void *tmp = gs__grow(ep->joint_object, &ep->bytes[A_JOINT_OBJECT], (size_t)n * sizeof(int32_t));
    if (!tmp) return 0;
    ep->joint_object = tmp;
    size_t want = (size_t)n;
    if (want <= ep->joint_slots && ep->joint_name) return 1;
    size_t slots = want < 2 * ep->joint_slots ? 2 * ep->joint_slots : want;
    if (slots == 0) slots = 1;
    char **names = realloc(ep->joint_name, slots * sizeof *names);
    if (!names) return 0;
    for (size_t i = ep->joint_slots; i < slots; i++) names[i] = NULL;
    ep->joint_name = names, ep->joint_slots = slots;
    return 1;
}

int gs_dataset_episode_reserve_steps(gs_dataset_episode *ep, int steps) {
    size_t n = (size_t)steps;
    void *tmp;
#define GROW(field, idx, need) \
    (tmp = gs__grow(ep->field, &ep->bytes[idx], (need)), tmp ? (ep->field = tmp, 1) : 0)
    if (!GROW(pick_pose, A_PICK_POSE, n * 7 * sizeof(double)) ||
        !GROW(place_pose, A_PLACE_POSE, n * 7 * sizeof(double)) ||
        !GROW(pick_pixel, A_PICK_PIXEL, n * 2 * sizeof(int32_t)) ||
        !GROW(place_pixel, A_PLACE_PIXEL, n * 2 * sizeof(int32_t)) ||
        !GROW(primitive, A_PRIMITIVE, n) || !GROW(reward, A_REWARD, n * sizeof(double)) ||
        !GROW(lift, A_LIFT, n * sizeof(double)))
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

int gs_dataset_episode_reserve_objects(gs_dataset_episode *ep, int n) {
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

void gs__dataset_clear_strings(gs_dataset_episode *ep) {
    for (size_t i = 0; i < ep->lang_slots; i++) free(ep->lang[i]), ep->lang[i] = NULL;
    for (size_t i = 0; i < ep->name_slots; i++) {
        free(ep->object_kind[i]), ep->object_kind[i] = NULL;
        free(ep->object_color[i]), ep->object_color[i] = NULL;
    }
    for (size_t i = 0; i < ep->joint_slots; i++) free(ep->joint_name[i]), ep->joint_name[i] = NULL;
    ep->steps = 0;
    ep->nobjects = 0;
    ep->njoints = 0;
}

int gs_dataset_set_string(char **slot, const char *value) {
    char *copy = strdup(value ? value : "");
    if (!copy) return 0;
    free(*slot);
    *slot = copy;
    return 1;
}

void *gs__grow(void *p, size_t *have, size_t need) {
    if (need == 0) need = 1;
    if (p && need <= *have) return p;
    size_t n = need < *have + *have / 2 ? *have + *have / 2 : need;
    void *q = realloc(p, n);
    if (!q) return NULL;
    *have = n;
    return q;
}

/* ---- HDF5 messages ---- */

/* ---- helpers: HDF5 ---- */

void gs__silence_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

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

void gs__hdf5_reason(char *buf, size_t n) {
    char tmp[256] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, tmp);
    snprintf(buf, n, "%s", tmp[0] ? tmp : "HDF5 error");
    H5Eclear2(H5E_DEFAULT);
}
