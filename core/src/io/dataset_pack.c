/* dataset_pack.c: an episode as one block of bytes (dataset.h), for a
 * worker process to hand what it recorded to the parent that writes the
 * file. The block is read back as untrusted: every count is checked
 * against the block's length before anything is allocated or copied. */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/dataset_internal.h"

typedef struct pack_head {
    uint64_t seed;
    double total_reward, initial_reward;
    int32_t success, steps, rows, cols, nobjects, njoints;
    int32_t level, reserved;  /* the images' deflate level, 0 raw */
} pack_head;

const gs__image_kind gs__image_kinds[GS_IMAGE_KINDS] = {
    {A_HEIGHTMAP, sizeof(float), sizeof(float), 1},
    {A_COLOR, 3, 1, 0},
    {A_SEGMENTATION, sizeof(int32_t), sizeof(int32_t), 1},
};

/* The byte size of each numeric array of an episode of h's counts; a
 * compressed block's images are not arrays of a known size (0 here). */
static void array_sizes(const pack_head *h, size_t sizes[NARRAYS]) {
    size_t T = (size_t)h->steps, obs = T + 1, rc = (size_t)h->rows * (size_t)h->cols;
    for (int k = 0; k < GS_IMAGE_KINDS; k++)
        sizes[gs__image_kinds[k].array] = h->level ? 0 : obs * rc * gs__image_kinds[k].pixel;
    sizes[A_PICK_POSE] = sizes[A_PLACE_POSE] = T * 7 * sizeof(double);
    sizes[A_PICK_PIXEL] = sizes[A_PLACE_PIXEL] = T * 2 * sizeof(int32_t);
    sizes[A_PRIMITIVE] = T;
    sizes[A_REWARD] = sizes[A_LIFT] = T * sizeof(double);
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
    slots[A_JOINT_FRACTION] = (void **)&ep->joint_fraction, slots[A_LIFT] = (void **)&ep->lift;
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

/* ---- image chunks: HDF5's shuffle filter, then zlib's deflate ---- */

/* Byte j of element i goes to plane j: dst[j * n + i] = src[i * elem + j]. */
static void shuffle(const unsigned char *src, size_t n, size_t elem, unsigned char *dst) {
    if (elem == 4) { /* every image kind that shuffles: one pass over the source */
        unsigned char *d0 = dst, *d1 = dst + n, *d2 = dst + 2 * n, *d3 = dst + 3 * n;
        for (size_t i = 0; i < n; i++, src += 4) d0[i] = src[0], d1[i] = src[1], d2[i] = src[2], d3[i] = src[3];
        return;
    }
    for (size_t j = 0; j < elem; j++)
        for (size_t i = 0; i < n; i++) dst[j * n + i] = src[i * elem + j];
}

static void unshuffle(const unsigned char *src, size_t n, size_t elem, unsigned char *dst) {
    for (size_t j = 0; j < elem; j++)
        for (size_t i = 0; i < n; i++) dst[i * elem + j] = src[j * n + i];
}

/* The images of ep, in the order of gs__image_kinds. */
static void image_arrays(const gs_dataset_episode *ep, unsigned char *images[GS_IMAGE_KINDS]) {
    images[0] = (unsigned char *)ep->heightmap, images[1] = ep->color, images[2] = (unsigned char *)ep->segmentation;
}

/* Room for the packed images of an episode of obs observations of rc pixels. */
static size_t image_bound(size_t obs, size_t rc) {
    size_t n = 0;
    for (int k = 0; k < GS_IMAGE_KINDS; k++)
        n += obs * (sizeof(uint32_t) + compressBound((uLong)(rc * gs__image_kinds[k].pixel)));
    return n;
}

/* The packed images of ep at level: per kind, per observation, a 32-bit
 * length and the chunk as the file's filters would write it. p has room
 * for image_bound(); tmp for one chunk. Returns the end, or NULL. */
static char *pack_images(const gs_dataset_episode *ep, int level, char *p, unsigned char *tmp) {
    size_t obs = (size_t)ep->steps + 1, rc = (size_t)ep->rows * (size_t)ep->cols;
    unsigned char *images[GS_IMAGE_KINDS];
    image_arrays(ep, images);
    for (int k = 0; k < GS_IMAGE_KINDS; k++) {
        const gs__image_kind *kind = &gs__image_kinds[k];
        size_t bytes = rc * kind->pixel;
        for (size_t i = 0; i < obs; i++) {
            const unsigned char *src = images[k] + i * bytes;
            if (kind->shuffle) shuffle(src, bytes / kind->elem, kind->elem, tmp), src = tmp;
            uLongf out = compressBound((uLong)bytes);
            if (compress2((Bytef *)p + sizeof(uint32_t), &out, src, (uLong)bytes, level) != Z_OK) return NULL;
            uint32_t n32 = (uint32_t)out;
            memcpy(p, &n32, sizeof n32);
            p += sizeof n32 + out;
        }
    }
    return p;
}

gs_status gs_dataset_episode_pack(const gs_dataset_episode *ep, char **out, size_t *len, char *err, size_t errlen) {
    return gs_dataset_episode_pack_compressed(ep, 0, out, len, err, errlen);
}

gs_status gs_dataset_episode_pack_compressed(const gs_dataset_episode *ep, int level, char **out, size_t *len,
                                            char *err, size_t errlen) {
    *out = NULL, *len = 0;
    if (level < 0 || level > 9) return gs_fail(err, errlen, GS_ERR_USAGE, "compression level %d is not 0..9", level);
    pack_head h;
    memset(&h, 0, sizeof h); /* its padding too: the same episode, the same bytes */
    h.seed = ep->seed, h.total_reward = ep->total_reward, h.initial_reward = ep->initial_reward;
    h.success = ep->success, h.steps = ep->steps, h.rows = ep->rows, h.cols = ep->cols, h.nobjects = ep->nobjects;
    h.njoints = ep->njoints, h.level = level;
    size_t sizes[NARRAYS], total = sizeof h, obs = (size_t)ep->steps + 1, rc = (size_t)ep->rows * (size_t)ep->cols,
           nstrings = 3 + (size_t)ep->steps + 2 * (size_t)ep->nobjects + (size_t)ep->njoints;
    array_sizes(&h, sizes);
    for (int a = 0; a < NARRAYS; a++) total += sizes[a];
    if (level) total += image_bound(obs, rc);
    for (size_t i = 0; i < nstrings; i++) total += sizeof(uint32_t) + strlen(string_at(ep, i) ? string_at(ep, i) : "");
    char *buf = malloc(total), *p = buf;
    unsigned char *tmp = level ? malloc(rc * sizeof(float)) : NULL;
    if (!buf || (level && !tmp)) {
        free(buf), free(tmp);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory packing an episode");
    }
    memcpy(p, &h, sizeof h), p += sizeof h;
    if (level) p = pack_images(ep, level, p, tmp);
    free(tmp);
    if (!p) {
        free(buf);
        return gs_fail(err, errlen, GS_ERR_RUNTIME, "zlib could not compress an image");
    }
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
    *out = buf, *len = (size_t)(p - buf);
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

void gs__chunks_free(gs__chunks *c) {
    free(c->at), free(c->len);
    memset(c, 0, sizeof *c);
}

/* The chunk table of a compressed block's images, from *p (moved past it);
 * GS_ERR_IO when the block ends first or a chunk is longer than deflate
 * can make one. */
static gs_status take_chunks(const pack_head *h, const char **p, const char *end, gs__chunks *c, char *err,
                             size_t errlen) {
    size_t obs = (size_t)h->steps + 1, rc = (size_t)h->rows * (size_t)h->cols;
    c->level = h->level, c->obs = (int)obs;
    c->at = malloc(GS_IMAGE_KINDS * obs * sizeof *c->at);
    c->len = malloc(GS_IMAGE_KINDS * obs * sizeof *c->len);
    if (!c->at || !c->len) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory unpacking an episode");
    for (int k = 0; k < GS_IMAGE_KINDS; k++) {
        uLong most = compressBound((uLong)(rc * gs__image_kinds[k].pixel));
        for (size_t i = 0; i < obs; i++) {
            uint32_t n;
            if ((size_t)(end - *p) < sizeof n) return gs_fail(err, errlen, GS_ERR_IO, "a packed episode's images are torn");
            memcpy(&n, *p, sizeof n), *p += sizeof n;
            if (n > most || (size_t)(end - *p) < n)
                return gs_fail(err, errlen, GS_ERR_IO, "a packed episode's image chunk of %" PRIu32 " bytes is torn", n);
            c->at[k * obs + i] = (const unsigned char *)*p, c->len[k * obs + i] = n;
            *p += n;
        }
    }
    return GS_OK;
}

/* The chunks of c inflated into ep's images (reserved); GS_ERR_IO for one
 * that is not a zlib stream of exactly its chunk's size. */
static gs_status inflate_chunks(const gs__chunks *c, gs_dataset_episode *ep, char *err, size_t errlen) {
    size_t obs = (size_t)c->obs, rc = (size_t)ep->rows * (size_t)ep->cols;
    unsigned char *images[GS_IMAGE_KINDS], *tmp = malloc(rc * sizeof(float));
    if (!tmp) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory unpacking an episode");
    image_arrays(ep, images);
    gs_status st = GS_OK;
    for (int k = 0; k < GS_IMAGE_KINDS && st == GS_OK; k++) {
        const gs__image_kind *kind = &gs__image_kinds[k];
        size_t bytes = rc * kind->pixel;
        for (size_t i = 0; i < obs && st == GS_OK; i++) {
            unsigned char *dst = images[k] + i * bytes;
            uLongf got = (uLongf)bytes;
            uLong used = c->len[k * obs + i];
            int z = uncompress2(kind->shuffle ? tmp : dst, &got, c->at[k * obs + i], &used);
            if (z != Z_OK || got != bytes || used != c->len[k * obs + i])
                st = gs_fail(err, errlen, GS_ERR_IO, "a packed episode's image chunk does not inflate to its %zu bytes",
                             bytes);
            else if (kind->shuffle)
                unshuffle(tmp, bytes / kind->elem, kind->elem, dst);
        }
    }
    free(tmp);
    return st;
}

int gs_dataset_block_level(const char *buf, size_t len) {
    pack_head h;
    if (!buf || len < sizeof h) return -1;
    memcpy(&h, buf, sizeof h);
    return h.level;
}

gs_status gs_dataset_episode_unpack(gs_dataset_episode *ep, const char *buf, size_t len, char *err, size_t errlen) {
    return gs__dataset_unpack(ep, buf, len, NULL, err, errlen);
}

gs_status gs__dataset_unpack(gs_dataset_episode *ep, const char *buf, size_t len, gs__chunks *chunks, char *err,
                             size_t errlen) {
    pack_head h;
    gs__chunks own = {0}, *c = chunks ? chunks : &own;
    gs__chunks_free(c);
    if (len < sizeof h) return gs_fail(err, errlen, GS_ERR_IO, "a packed episode of %zu bytes is too short", len);
    memcpy(&h, buf, sizeof h);
    if (h.steps < 0 || h.steps > MAX_STEPS || h.rows < 1 || h.rows > MAX_SIDE || h.cols < 1 || h.cols > MAX_SIDE ||
        h.nobjects < 0 || h.nobjects > MAX_OBJECTS || h.njoints < 0 || h.njoints > MAX_JOINTS || h.level < 0 ||
        h.level > 9)
        return gs_fail(err, errlen, GS_ERR_IO, "a packed episode declares %d steps of %d x %d images at level %d, %d "
                       "objects and %d joints", h.steps, h.rows, h.cols, h.level, h.nobjects, h.njoints);
    size_t sizes[NARRAYS], need = sizeof h;
    array_sizes(&h, sizes);
    for (int a = 0; a < NARRAYS; a++) need += sizes[a];
    if (need > len) return gs_fail(err, errlen, GS_ERR_IO, "a packed episode is %zu bytes, its arrays %zu", len, need);
    const char *p = buf + sizeof h, *end = buf + len;
    gs_status st = h.level ? take_chunks(&h, &p, end, c, err, errlen) : GS_OK;
    if (st == GS_OK && (size_t)(end - p) < need - sizeof h)
        st = gs_fail(err, errlen, GS_ERR_IO, "a packed episode is %zu bytes, its arrays %zu", len, need);
    if (st != GS_OK) {
        gs__chunks_free(c);
        return st;
    }
    gs__dataset_clear_strings(ep);
    ep->rows = h.rows, ep->cols = h.cols;
    ep->nobjects = h.nobjects;
    ep->njoints = h.njoints;
    int images = !h.level || !chunks; /* the images go into ep */
    if (!gs_dataset_episode_reserve_steps(ep, h.steps) || !gs_dataset_episode_reserve_objects(ep, h.nobjects) ||
        !gs_dataset_episode_reserve_joints(ep, h.njoints) ||
        !gs__reserve_observations(ep, h.steps + 1, images)) {
        gs__chunks_free(c);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory unpacking an episode");
    }
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
        gs__chunks_free(c);
        return gs_fail(err, errlen, GS_ERR_IO, "a packed episode's strings are torn");
    }
    if (h.level && !chunks) st = inflate_chunks(c, ep, err, errlen);
    if (st != GS_OK) gs__dataset_clear_strings(ep);
    if (!chunks || st != GS_OK) gs__chunks_free(c);
    return st;
}
