/* dataset_pack.c: an episode as one block of bytes (dataset.h), for a
 * worker process to hand what it recorded to the parent that writes the
 * file. The block is read back as untrusted: every count is checked
 * against the block's length before anything is allocated or copied. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/dataset_internal.h"

typedef struct pack_head {
    uint64_t seed;
    double total_reward, initial_reward;
    int32_t success, steps, rows, cols, nobjects, njoints;
} pack_head;

/* The byte size of each numeric array of an episode of h's counts. */
static void array_sizes(const pack_head *h, size_t sizes[NARRAYS]) {
    size_t T = (size_t)h->steps, obs = T + 1, rc = (size_t)h->rows * (size_t)h->cols;
    sizes[A_HEIGHTMAP] = obs * rc * sizeof(float);
    sizes[A_COLOR] = obs * rc * 3;
    sizes[A_SEGMENTATION] = obs * rc * sizeof(int32_t);
    sizes[A_PICK_POSE] = sizes[A_PLACE_POSE] = T * 7 * sizeof(double);
    sizes[A_PICK_PIXEL] = sizes[A_PLACE_PIXEL] = T * 2 * sizeof(int32_t);
    sizes[A_PRIMITIVE] = T;
    sizes[A_REWARD] = T * sizeof(double);
    sizes[A_OBJECT_POSE] = obs * (size_t)h->nobjects * 7 * sizeof(double);
    sizes[A_JOINT_OBJECT] = (size_t)h->njoints * sizeof(int32_t);
    sizes[A_JOINT_POSITION] = sizes[A_JOINT_FRACTION] = obs * (size_t)h->njoints * sizeof(double);
}

static void **array_slots(gs_dataset_episode *ep, void **slots[NARRAYS]) {
    slots[A_HEIGHTMAP] = (void **)&ep->heightmap, slots[A_COLOR] = (void **)&ep->color;
    slots[A_SEGMENTATION] = (void **)&ep->segmentation, slots[A_PICK_POSE] = (void **)&ep->pick_pose;
    slots[A_PLACE_POSE] = (void **)&ep->place_pose, slots[A_PICK_PIXEL] = (void **)&ep->pick_pixel;
    slots[A_PLACE_PIXEL] = (void **)&ep->place_pixel, slots[A_PRIMITIVE] = (void **)&ep->primitive;
    slots[A_REWARD] = (void **)&ep->reward, slots[A_OBJECT_POSE] = (void **)&ep->object_pose;
    slots[A_JOINT_OBJECT] = (void **)&ep->joint_object, slots[A_JOINT_POSITION] = (void **)&ep->joint_position;
    slots[A_JOINT_FRACTION] = (void **)&ep->joint_fraction;
    return NULL;
}

/* The strings in order: task, description, provenance, lang (T), kinds
 * and colours (n), joint names (j). */
static const char *string_at(const gs_dataset_episode *ep, size_t i) {
    size_t T = (size_t)ep->steps, n = (size_t)ep->nobjects;
    if (i == 0) return ep->task;
    if (i == 1) return ep->description;
    if (i == 2) return ep->provenance;
    i -= 3;
    if (i < T) return ep->lang[i];
    i -= T;
    if (i < 2 * n) return i < n ? ep->object_kind[i] : ep->object_color[i - n];
    return ep->joint_name[i - 2 * n];
}

gs_status gs_dataset_episode_pack(const gs_dataset_episode *ep, char **out, size_t *len, char *err, size_t errlen) {
    pack_head h;
    memset(&h, 0, sizeof h); /* its padding too: the same episode, the same bytes */
    h.seed = ep->seed, h.total_reward = ep->total_reward, h.initial_reward = ep->initial_reward;
    h.success = ep->success, h.steps = ep->steps, h.rows = ep->rows, h.cols = ep->cols, h.nobjects = ep->nobjects;
    h.njoints = ep->njoints;
    size_t sizes[NARRAYS], total = sizeof h,
           nstrings = 3 + (size_t)ep->steps + 2 * (size_t)ep->nobjects + (size_t)ep->njoints;
    array_sizes(&h, sizes);
    for (int a = 0; a < NARRAYS; a++) total += sizes[a];
    for (size_t i = 0; i < nstrings; i++) total += sizeof(uint32_t) + strlen(string_at(ep, i) ? string_at(ep, i) : "");
    char *buf = malloc(total), *p = buf;
    if (!buf) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory packing an episode");
    memcpy(p, &h, sizeof h), p += sizeof h;
    void **slots[NARRAYS];
    array_slots((gs_dataset_episode *)ep, slots);
    for (int a = 0; a < NARRAYS; a++) {
        if (sizes[a]) memcpy(p, *slots[a], sizes[a]);
        p += sizes[a];
    }
    for (size_t i = 0; i < nstrings; i++) {
        const char *s = string_at(ep, i) ? string_at(ep, i) : "";
        uint32_t n = (uint32_t)strlen(s);
        memcpy(p, &n, sizeof n), p += sizeof n;
        memcpy(p, s, n), p += n;
    }
    *out = buf, *len = total;
    return GS_OK;
}

/* The next string of the block into *slot; 0 when the block ends first. */
static int take_string(const char **p, const char *end, char **slot) {
    uint32_t n;
    if ((size_t)(end - *p) < sizeof n) return 0;
    memcpy(&n, *p, sizeof n), *p += sizeof n;
    if ((size_t)(end - *p) < n || n > MAX_STRING || memchr(*p, 0, n)) return 0; /* C strings: no NUL inside */
    char *s = malloc((size_t)n + 1);
    if (!s) return 0;
    memcpy(s, *p, n), s[n] = 0, *p += n;
    free(*slot);
    *slot = s;
    return 1;
}

gs_status gs_dataset_episode_unpack(gs_dataset_episode *ep, const char *buf, size_t len, char *err, size_t errlen) {
    pack_head h;
    if (len < sizeof h) return gs_fail(err, errlen, GS_ERR_IO, "a packed episode of %zu bytes is too short", len);
    memcpy(&h, buf, sizeof h);
    if (h.steps < 0 || h.steps > MAX_STEPS || h.rows < 1 || h.rows > MAX_SIDE || h.cols < 1 || h.cols > MAX_SIDE ||
        h.nobjects < 0 || h.nobjects > MAX_OBJECTS || h.njoints < 0 || h.njoints > MAX_JOINTS)
        return gs_fail(err, errlen, GS_ERR_IO, "a packed episode declares %d steps of %d x %d images, %d objects "
                       "and %d joints", h.steps, h.rows, h.cols, h.nobjects, h.njoints);
    size_t sizes[NARRAYS], need = sizeof h;
    array_sizes(&h, sizes);
    for (int a = 0; a < NARRAYS; a++) need += sizes[a];
    if (need > len) return gs_fail(err, errlen, GS_ERR_IO, "a packed episode is %zu bytes, its arrays %zu", len, need);
    gs__dataset_clear_strings(ep);
    ep->rows = h.rows, ep->cols = h.cols;
    ep->nobjects = h.nobjects;
    ep->njoints = h.njoints;
    if (!gs_dataset_episode_reserve_steps(ep, h.steps) || !gs_dataset_episode_reserve_objects(ep, h.nobjects) ||
        !gs_dataset_episode_reserve_joints(ep, h.njoints) || !gs_dataset_episode_reserve_observations(ep, h.steps + 1))
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory unpacking an episode");
    const char *p = buf + sizeof h, *end = buf + len;
    void **slots[NARRAYS];
    array_slots(ep, slots);
    for (int a = 0; a < NARRAYS; a++) {
        if (sizes[a]) memcpy(*slots[a], p, sizes[a]);
        p += sizes[a];
    }
    ep->seed = h.seed, ep->success = h.success != 0, ep->steps = h.steps;
    ep->total_reward = h.total_reward, ep->initial_reward = h.initial_reward;
    int ok = take_string(&p, end, &ep->task) && take_string(&p, end, &ep->description) &&
             take_string(&p, end, &ep->provenance);
    for (int k = 0; ok && k < h.steps; k++) ok = take_string(&p, end, &ep->lang[k]);
    for (int i = 0; ok && i < h.nobjects; i++) ok = take_string(&p, end, &ep->object_kind[i]);
    for (int i = 0; ok && i < h.nobjects; i++) ok = take_string(&p, end, &ep->object_color[i]);
    for (int i = 0; ok && i < h.njoints; i++) ok = take_string(&p, end, &ep->joint_name[i]);
    if (!ok || p != end) {
        gs__dataset_clear_strings(ep);
        return gs_fail(err, errlen, GS_ERR_IO, "a packed episode's strings are torn");
    }
    return GS_OK;
}
