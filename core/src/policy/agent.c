/* agent.c: the policy acting in a task's scene (policy_data.h): an actor
 * of the one episode runner, observing what the recorder stores before an
 * action (the same view, heightmap, colour and stage language), so the
 * policy acts on what it was trained on. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/policy_data.h"

#define PLACE_REACH 0.02 /* metres around the place pixel the object may rest on */
#define PUSH_BLADE 0.008 /* the spatula's edge above the table during a push */

void gs_policy_action(const gs_policy_config *cfg, const float *heightmap,
                      const gs_policy_decision *d, gs_action *a) {
    memset(a, 0, sizeof *a);
    gsr_view v = gs_policy_view(cfg);
    double px, py, qx, qy;
    gsr_pixel_to_world(&v, d->pick_col, d->pick_row, &px, &py);
    gsr_pixel_to_world(&v, d->place_col, d->place_row, &qx, &qy);
    double pick_z = heightmap[(size_t)d->pick_row * (size_t)cfg->cols + (size_t)d->pick_col];
    if (d->push) {
        a->kind = GS_ACTION_PUSH;
        a->from[0] = px, a->from[1] = py, a->from[2] = PUSH_BLADE;
        a->to[0] = qx, a->to[1] = qy, a->to[2] = a->from[2];
        return;
    }
    /* The cup holds the object by the point it touched, pick_z above the
     * table when the object rests on it; released pick_z above what lies
     * under it, the object just touches. What lies under it is the highest
     * point within PLACE_REACH of the place pixel, not the pixel itself: a
     * block bridging two others sits over their gap. The robot starts its
     * slow, contact-seeking descent just above this height, so a guess too
     * high costs a little time and one too low a fast landing (which can
     * knock a stack over). */
    int reach = (int)ceil(PLACE_REACH / cfg->pixel);
    double place_z = 0;
    for (int r = d->place_row - reach; r <= d->place_row + reach; r++)
        for (int c = d->place_col - reach; c <= d->place_col + reach; c++)
            if (r >= 0 && r < cfg->rows && c >= 0 && c < cfg->cols)
                place_z = fmax(place_z, heightmap[(size_t)r * (size_t)cfg->cols + (size_t)c]);
    a->kind = GS_ACTION_PICK_PLACE;
    a->lift = d->lift; /* 0: the robot's hover */
    a->pick = gsu_pose_xyz_yaw(px, py, pick_z, 0);
    a->place = gsu_pose_xyz_yaw(qx, qy, place_z + pick_z, d->rotation * 2 * GS_PI / cfg->rotations);
}

static gs_status policy_act(void *ud, gs_task *t, gs_action *a, int *have, char *err,
                            size_t errlen) {
    gs_policy_actor *pa = ud;
    const gs_policy_config *cfg = gs_policy_get_config(pa->policy);
    *have = 0;
    gs_status st = gs_scene_observe(gs_task_scene(t), &pa->view, pa->heightmap, pa->color, NULL,
                                    err, errlen);
    if (st != GS_OK) return st;
    gs_policy_decision d;
    st = gs_policy_act(pa->policy, pa->heightmap, pa->color, gs_task_stage_lang(t), &d, err, errlen);
    if (st != GS_OK) return st;
    gs_policy_action(cfg, pa->heightmap, &d, a);
    *have = 1;
    return GS_OK;
}

gs_status gs_policy_actor_init(gs_policy_actor *a, gs_policy *p, char *err, size_t errlen) {
    memset(a, 0, sizeof *a);
    const gs_policy_config *cfg = gs_policy_get_config(p);
    gsr_view v = gs_policy_view(cfg);
    if (gsr_view_height(&v) != cfg->rows || gsr_view_width(&v) != cfg->cols)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "the policy's view (%g mm pixels) is %d x %d pixels, its images %d x %d",
                       cfg->pixel * 1e3, gsr_view_height(&v), gsr_view_width(&v), cfg->rows, cfg->cols);
    size_t rc = (size_t)cfg->rows * (size_t)cfg->cols;
    a->policy = p;
    a->view = v;
    a->heightmap = malloc(rc * sizeof *a->heightmap);
    a->color = malloc(rc * 3);
    if (!a->heightmap || !a->color) {
        gs_policy_actor_free(a);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory for the policy's observations");
    }
    return GS_OK;
}

gs_actor gs_policy_actor_get(gs_policy_actor *a) {
    gs_actor actor = {"policy", policy_act, a, 0};
    return actor;
}

void gs_policy_actor_free(gs_policy_actor *a) {
    free(a->heightmap);
    free(a->color);
    memset(a, 0, sizeof *a);
}
