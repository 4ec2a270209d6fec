/* agent.c: the policy acting in a task's scene (policy_data.h).
 *
 * The episode loop is gs_task_play's with the policy in the oracle's place,
 * and each observation is the one gs_dataset_record stores before an action
 * (the same view, heightmap, colour and stage language), so the policy acts
 * on what it was trained on and the episode reports the same figures. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/physics.h"
#include "gensim/policy_data.h"

#define PLACE_REACH 0.02 /* metres around the place pixel the object may rest on */
#define PUSH_BLADE 0.008 /* the spatula's edge above the table during a push */

void gs_policy_action(const gs_policy_config *cfg, const float *heightmap,
                      const gs_policy_decision *d, gs_action *a) {
    memset(a, 0, sizeof *a); /* lift 0: the robot's hover, as the oracle leaves it */
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
    a->pick = gsu_pose_xyz_yaw(px, py, pick_z, 0);
    a->place = gsu_pose_xyz_yaw(qx, qy, place_z + pick_z, d->rotation * 2 * GS_PI / cfg->rotations);
}

const char *gs_policy_lang(gs_task *t) {
    const gs_scene *s = gs_task_scene(t);
    int stage;
    gs_scene_reward(s, &stage);
    return stage < s->ngoals && s->goals[stage].lang ? s->goals[stage].lang : gs_task_description(t);
}

gs_status gs_policy_play(gs_policy *p, gs_task *t, uint64_t seed, gs_episode *ep, char *err,
                         size_t errlen) {
    memset(ep, 0, sizeof *ep);
    ep->seed = seed;
    const gs_policy_config *cfg = gs_policy_get_config(p);
    gsr_view v = gs_policy_view(cfg);
    if (gsr_view_height(&v) != cfg->rows || gsr_view_width(&v) != cfg->cols)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "the policy's view (%g mm pixels) is %d x %d pixels, its images %d x %d",
                       cfg->pixel * 1e3, gsr_view_height(&v), gsr_view_width(&v), cfg->rows, cfg->cols);
    gs_scene *s = gs_task_scene(t);
    if (!s || !s->world) return gs_fail(err, errlen, GS_ERR_USAGE, "no episode: reset first");
    size_t rc = (size_t)cfg->rows * (size_t)cfg->cols;
    float *heightmap = malloc(rc * sizeof *heightmap);
    uint8_t *color = malloc(rc * 3);
    if (!heightmap || !color) {
        free(heightmap), free(color);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory observing");
    }
    long steps0 = gs_world_steps(s->world);
    const int max_steps = gs_task_max_steps(t);
    gs_status st;
    int done = 0;
    double reward = 0;
    while ((st = gs_task_reward(t, &reward, &done, err, errlen)) == GS_OK && !done &&
           s->steps < max_steps) {
        if ((st = gs_scene_observe(s, &v, heightmap, color, NULL, err, errlen)) != GS_OK) break;
        gs_policy_decision d;
        if ((st = gs_policy_act(p, heightmap, color, gs_policy_lang(t), &d, err, errlen)) != GS_OK) break;
        gs_action a;
        gs_policy_action(cfg, heightmap, &d, &a);
        gs_action_result res;
        char why[256];
        if ((st = gs_scene_act(s, &a, &res, why, sizeof why)) != GS_OK) {
            gs_fail(err, errlen, st, "%s: seed %llu: step %d: %s", gs_task_name(t),
                    (unsigned long long)seed, s->steps, why);
            break;
        }
    }
    free(heightmap);
    free(color);
    if (st == GS_OK) st = gs_task_success(t, &ep->success, err, errlen);
    ep->reward = reward;
    ep->steps = s->steps;
    ep->sim_steps = gs_world_steps(s->world) - steps0;
    ep->digest = gs_scene_digest(s, gsu_fnv1a(GSU_FNV_OFFSET, &seed, sizeof seed));
    return st;
}
