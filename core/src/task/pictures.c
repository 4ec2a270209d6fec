/* pictures.c: PNGs and a GIF clip of an episode, an observer of the
 * episode runner (episode.h). They only read the scene, so an episode with
 * pictures is the episode without them, bit for bit.
 *
 * The clip takes a frame every CLIP_EVERY physics steps, each held for the
 * simulated time it stands for, so it plays at the pace of the simulation;
 * past CLIP_SLOWDOWN frames the stride doubles, and past CLIP_MAX_BYTES only
 * the last frame is added, so long episodes stay a few megabytes. */
#include "gensim/episode.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gensim/io.h"
#include "task/task_internal.h"

enum {
    SHOT_WIDTH = 640, SHOT_HEIGHT = 480, /* the PNGs */
    CLIP_WIDTH = 320, CLIP_HEIGHT = 240, /* the GIF's frames */
    CLIP_EVERY = 8,          /* physics steps a frame at first: 30 frames a simulated second */
    CLIP_SLOWDOWN = 450,     /* frames after which the stride doubles, bounding long clips */
    CLIP_HOLD_FIRST = 80,    /* hundredths of a second on the first frame, to read the goal */
    CLIP_HOLD_LAST = 200,    /* ...and on the last */
    ROBOT_ITEMS = 4          /* cup, blade and their rods */
};
/* Past this the clip only gets its last frame, keeping it near 5 MB. */
#define CLIP_MAX_BYTES ((size_t)4500 * 1024)

/* The clip under way (gs_pictures.state). */
typedef struct clip {
    gs_gif *gif;
    uint8_t *rgb;              /* (SHOT_HEIGHT x SHOT_WIDTH x 3), the largest picture */
    gsr_item *items;           /* (cap_items) */
    int cap_items;
    int every, since;          /* the stride, and steps since the last frame */
    int since_slowdown;        /* frames since the stride last changed */
    long steps;                /* physics steps recorded */
    int full;                  /* 1 once the clip reached CLIP_MAX_BYTES */
} clip;

static gs_status pictures_reset(void *ud, gs_task *t, double reward, char *err, size_t errlen);
static void pictures_step(void *ud, gs_task *t);
static gs_status pictures_end(void *ud, gs_task *t, const gs_episode_result *r, gs_status st,
                              char *err, size_t errlen);
static gs_status render_frame(gs_pictures *p, const gs_task *t, int width, int height, int robot,
                              const char *corner);
static void caption(const gs_task *t, uint8_t *rgb, int width, int height, const char *corner);
static int scene_items(clip *c, const gs_scene *s, int robot);
static void shot_path(char *out, size_t n, const char *dir, const gs_task *t, uint64_t seed,
                      const char *suffix);
static double now(void);

gs_observer gs_pictures_observer(gs_pictures *p) {
    gs_observer o = {pictures_reset, NULL, NULL, pictures_step, pictures_end, p};
    return o;
}

/* The first PNG and, with a clip, its first frame (held to read the goal). */
static gs_status pictures_reset(void *ud, gs_task *t, double reward, char *err, size_t errlen) {
    (void)reward, (void)err, (void)errlen;
    gs_pictures *p = ud;
    double t0 = now();
    p->first[0] = p->last[0] = p->gif[0] = '\0';
    p->frames = 0, p->gif_bytes = 0, p->seconds = 0;
    p->status = GS_OK, p->err[0] = '\0';
    clip *c = p->state = calloc(1, sizeof *c);
    if (!c) {
        p->status = gs_fail(p->err, sizeof p->err, GS_ERR_NOMEM, "out of memory for pictures");
        return GS_OK;
    }
    c->every = CLIP_EVERY;
    shot_path(p->first, sizeof p->first, p->dir, t, t->seed, "-first.png");
    shot_path(p->last, sizeof p->last, p->dir, t, t->seed, "-last.png");
    if (p->clip) shot_path(p->gif, sizeof p->gif, p->dir, t, t->seed, ".gif");
    char corner[64];
    snprintf(corner, sizeof corner, "step 0/%d", t->snap.max_steps);
    p->status = render_frame(p, t, SHOT_WIDTH, SHOT_HEIGHT, 0, corner);
    if (p->status == GS_OK)
        p->status = gs_write_png(p->first, c->rgb, SHOT_WIDTH, SHOT_HEIGHT, p->err, sizeof p->err);
    if (p->status == GS_OK && p->clip) {
        p->status = gs_gif_open(&c->gif, p->gif, CLIP_WIDTH, CLIP_HEIGHT, 4, p->err, sizeof p->err);
        if (p->status == GS_OK) p->status = render_frame(p, t, CLIP_WIDTH, CLIP_HEIGHT, 1, corner);
        if (p->status == GS_OK)
            p->status = gs_gif_add_frame_for(c->gif, c->rgb, CLIP_HOLD_FIRST, p->err, sizeof p->err);
    }
    p->seconds += now() - t0;
    return GS_OK;
}

/* Every c->every physics steps, a frame for the clip. */
static void pictures_step(void *ud, gs_task *t) {
    gs_pictures *p = ud;
    clip *c = p->state;
    if (!c || !c->gif) return;
    c->steps++;
    if (p->status != GS_OK || c->full || ++c->since < c->every) return;
    double t0 = now();
    c->since = 0;
    /* Each frame lasts until the next, in simulated time, rounded so the
     * clip keeps pace: 8 steps at 240 Hz make 3 or 4 hundredths. */
    double dt_cs = gs_world_timestep(t->scene.world) * 100;
    int delay = (int)(lround((double)(c->steps + c->every) * dt_cs) - lround((double)c->steps * dt_cs));
    if (delay < 1) delay = 1;
    /* The action under way. */
    char corner[48];
    int step = t->scene.steps + 1, max = t->snap.max_steps;
    snprintf(corner, sizeof corner, "step %d/%d", step < max ? step : max, max);
    p->status = render_frame(p, t, CLIP_WIDTH, CLIP_HEIGHT, 1, corner);
    if (p->status == GS_OK) p->status = gs_gif_add_frame_for(c->gif, c->rgb, delay, p->err, sizeof p->err);
    if (gs_gif_bytes(c->gif) > CLIP_MAX_BYTES) c->full = 1;
    if (++c->since_slowdown >= CLIP_SLOWDOWN) c->every *= 2, c->since_slowdown = 0;
    p->seconds += now() - t0;
}

/* The last pictures, the outcome in the corner when there is one. */
static gs_status pictures_end(void *ud, gs_task *t, const gs_episode_result *r, gs_status st,
                              char *err, size_t errlen) {
    (void)err, (void)errlen;
    gs_pictures *p = ud;
    clip *c = p->state;
    if (!c) return GS_OK;
    double t0 = now();
    char corner[64];
    snprintf(corner, sizeof corner, "step %d/%d%s", t->scene.steps, t->snap.max_steps,
             st != GS_OK ? "" : r->success ? ": success" : ": failure");
    if (c->gif && p->status == GS_OK) {
        p->status = render_frame(p, t, CLIP_WIDTH, CLIP_HEIGHT, 1, corner);
        if (p->status == GS_OK)
            p->status = gs_gif_add_frame_for(c->gif, c->rgb, CLIP_HOLD_LAST, p->err, sizeof p->err);
    }
    if (c->gif) {
        p->frames = gs_gif_frames(c->gif);
        p->gif_bytes = gs_gif_bytes(c->gif);
        if (p->status == GS_OK) p->status = gs_gif_close(c->gif, p->err, sizeof p->err);
        else gs_gif_discard(c->gif);
    }
    if (p->status == GS_OK) p->status = render_frame(p, t, SHOT_WIDTH, SHOT_HEIGHT, 0, corner);
    if (p->status == GS_OK)
        p->status = gs_write_png(p->last, c->rgb, SHOT_WIDTH, SHOT_HEIGHT, p->err, sizeof p->err);
    free(c->rgb);
    free(c->items);
    free(c);
    p->state = NULL;
    p->seconds += now() - t0;
    return GS_OK;
}

/* ---- helpers ---- */

/* Renders the scene (the robot too when robot is 1) at width x height into
 * the clip's rgb and captions it, corner in the bottom right corner. */
static gs_status render_frame(gs_pictures *p, const gs_task *t, int width, int height, int robot,
                              const char *corner) {
    clip *c = p->state;
    if (!c->rgb && !(c->rgb = malloc((size_t)SHOT_WIDTH * SHOT_HEIGHT * 3)))
        return gs_fail(p->err, sizeof p->err, GS_ERR_NOMEM, "out of memory rendering");
    int n = scene_items(c, &t->scene, robot);
    if (n < 0) return gs_fail(p->err, sizeof p->err, GS_ERR_NOMEM, "out of memory rendering");
    gsr_camera cam = gsr_camera_default(width, height);
    gsr_render_camera(c->items, n, &cam, c->rgb);
    caption(t, c->rgb, width, height, corner);
    return GS_OK;
}

/* The current stage's language goal in a band across the top; the stage,
 * when there are several, and corner in the bottom right corner. */
static void caption(const gs_task *t, uint8_t *rgb, int width, int height, const char *corner) {
    const gs_scene *s = &t->scene;
    int stage = 0;
    gs_scene_reward(s, &stage);
    if (stage >= s->ngoals) stage = s->ngoals - 1;
    gsr_text_style style = gsr_text_style_default();
    style.scale = width >= 480 ? 2 : 1;
    style.pad = 3 * style.scale;
    style.fill = 1;
    gsr_text_block(rgb, width, height, 0, 0, width, gs_task_stage_lang(t), &style);

    char label[96];
    int n = 0;
    if (s->ngoals > 1 && stage >= 0)
        n = snprintf(label, sizeof label, "stage %d/%d, ", stage + 1, s->ngoals);
    snprintf(label + n, sizeof label - (size_t)n, "%s", corner);
    style.fill = 0;
    int w, h;
    gsr_text_measure(label, width, &style, &w, &h);
    gsr_text_block(rgb, width, height, width - w, height - h, width, label, &style);
}

/* Fills c->items with the scene's parts and, with robot, the cup and the
 * blade on rods (the blade only when it is out of its parking place);
 * returns how many, -1 when out of memory. */
static int scene_items(clip *c, const gs_scene *s, int robot) {
    int n = gs_scene_render_items(s, NULL, 0);
    if (n + ROBOT_ITEMS > c->cap_items) {
        gsr_item *grown = realloc(c->items, (size_t)(n + ROBOT_ITEMS) * sizeof *grown);
        if (!grown) return -1;
        c->items = grown, c->cap_items = n + ROBOT_ITEMS;
    }
    gs_scene_render_items(s, c->items, n);
    if (!robot) return n;
    const gs_robot *rb = &s->robot;
    static const float tool[3] = {0.06f, 0.06f, 0.07f}, rod[3] = {0.30f, 0.31f, 0.33f};
    const double rod_len = 0.3, rod_width = 0.012;
    for (int k = 0; k < 2; k++) {
        int body = k == 0 ? rb->tip : rb->spatula;
        if (body == GS_BODY_NONE) continue;
        gs_pose p;
        gs_world_get_pose(s->world, body, &p);
        if (k == 1 && p.pos[2] > rb->park.pos[2] - 0.1) continue; /* parked, out of sight */
        gsr_item *it = &c->items[n++];
        memset(it, 0, sizeof *it);
        if (k == 0) {
            it->shape.type = GS_SHAPE_CYLINDER;
            it->shape.size[0] = it->shape.size[1] = 2 * rb->opt.tip_radius;
            it->shape.size[2] = rb->opt.tip_height;
        } else {
            it->shape.type = GS_SHAPE_BOX;
            memcpy(it->shape.size, rb->opt.spatula_size, sizeof it->shape.size);
        }
        it->pose = p;
        memcpy(it->color, tool, sizeof tool);
        it->id = s->nobjects + 1 + k;
        gsr_item *arm = &c->items[n++];
        *arm = *it;
        arm->shape.type = GS_SHAPE_CYLINDER;
        arm->shape.size[0] = arm->shape.size[1] = rod_width;
        arm->shape.size[2] = rod_len;
        arm->pose.pos[2] += it->shape.size[2] / 2 + rod_len / 2;
        memcpy(arm->color, rod, sizeof rod);
    }
    return n;
}

static void shot_path(char *out, size_t n, const char *dir, const gs_task *t, uint64_t seed,
                      const char *suffix) {
    snprintf(out, n, "%s/%s-%" PRIu64 "%s", dir, gs_task_name(t), seed, suffix);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}
