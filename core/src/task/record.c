/* record.c: the dataset recorder, an observer of the episode runner
 * (episode.h), and gs_episode_record around it.
 *
 * Observation k is taken before action k, and one more after the last
 * action, so an episode of T actions holds T + 1; the rewards of the
 * actions add up to the total, the credit a reset already gave counting
 * as 0. Layout: dataset.h and README.md, "Datasets". */
#include "gensim/episode.h"

#include <stdlib.h>
#include <string.h>

#include "task/task_internal.h"

static gs_status record_reset(void *ud, gs_task *t, double reward, char *err, size_t errlen);
static gs_status record_before(void *ud, gs_task *t, int k, const gs_action *a, const char *lang,
                               char *err, size_t errlen);
static gs_status record_after(void *ud, gs_task *t, int k, const gs_action_result *res,
                              double reward, char *err, size_t errlen);
static gs_status record_end(void *ud, gs_task *t, const gs_episode_result *r, gs_status st,
                            char *err, size_t errlen);
static gs_status observe(gs_dataset_episode *ep, const gs_scene *s, const gsr_view *v, int k,
                         char *err, size_t errlen);
static void store_action(gs_dataset_episode *ep, const gs_scene *s, int k, const gs_action *a,
                         const gsr_view *v);

gs_observer gs_recorder_observer(gs_recorder *r) {
    gs_observer o = {record_reset, record_before, record_after, NULL, record_end, r};
    return o;
}

gs_status gs_episode_record(gs_task *t, uint64_t seed, gs_actor actor, const gsr_view *v,
                            gs_dataset_episode *ep, char *err, size_t errlen) {
    gs_status st = gs_dataset_episode_begin(ep, gs_task_name(t), gs_task_description(t), seed,
                                            gsr_view_height(v), gsr_view_width(v), err, errlen);
    if (st != GS_OK) return st;
    gs_recorder rec = {v, ep, 0};
    gs_observer o = gs_recorder_observer(&rec);
    gs_episode_result r;
    return gs_episode_run(t, seed, actor, &o, 1, &r, err, errlen);
}

/* ---- the observer ---- */

static gs_status nomem(char *err, size_t errlen) {
    return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory recording an episode");
}

static gs_status record_reset(void *ud, gs_task *t, double reward, char *err, size_t errlen) {
    gs_recorder *rec = ud;
    gs_dataset_episode *ep = rec->ep;
    const gs_scene *s = &t->scene;
    if (ep->rows != gsr_view_height(rec->view) || ep->cols != gsr_view_width(rec->view))
        return gs_fail(err, errlen, GS_ERR_USAGE, "the recorder's episode was not begun for its view");
    if (!gs_dataset_episode_reserve_objects(ep, s->nobjects)) return nomem(err, errlen);
    for (int i = 0; i < s->nobjects; i++)
        if (!gs_dataset_set_string(&ep->object_kind[i], s->objects[i].kind->name) ||
            !gs_dataset_set_string(&ep->object_color[i], s->objects[i].color))
            return nomem(err, errlen);
    ep->nobjects = s->nobjects;
    int nj = gs_scene_joint_count(s);
    if (!gs_dataset_episode_reserve_joints(ep, nj)) return nomem(err, errlen);
    for (int j = 0; j < nj; j++) {
        int obj;
        const char *name;
        gs_scene_joint_info(s, j, &obj, &name, NULL, NULL);
        ep->joint_object[j] = obj;
        if (!gs_dataset_set_string(&ep->joint_name[j], name)) return nomem(err, errlen);
    }
    ep->njoints = nj;
    ep->seed = t->seed;
    ep->initial_reward = ep->total_reward = reward;
    rec->credited = 0;
    return GS_OK;
}

static gs_status record_before(void *ud, gs_task *t, int k, const gs_action *a, const char *lang,
                               char *err, size_t errlen) {
    gs_recorder *rec = ud;
    gs_dataset_episode *ep = rec->ep;
    gs_status st = observe(ep, &t->scene, rec->view, k, err, errlen);
    if (st != GS_OK) return st;
    if (!gs_dataset_episode_reserve_steps(ep, k + 1)) return nomem(err, errlen);
    store_action(ep, &t->scene, k, a, rec->view);
    if (!gs_dataset_set_string(&ep->lang[k], lang)) return nomem(err, errlen);
    ep->reward[k] = 0;
    ep->steps = k + 1;
    return GS_OK;
}

static gs_status record_after(void *ud, gs_task *t, int k, const gs_action_result *res,
                              double reward, char *err, size_t errlen) {
    (void)t, (void)res, (void)err, (void)errlen;
    gs_recorder *rec = ud;
    rec->ep->reward[k] = reward - rec->credited;
    rec->credited = reward;
    rec->ep->total_reward = reward;
    return GS_OK;
}

/* The last observation, after the last action, and the outcome. */
static gs_status record_end(void *ud, gs_task *t, const gs_episode_result *r, gs_status st,
                            char *err, size_t errlen) {
    gs_recorder *rec = ud;
    gs_dataset_episode *ep = rec->ep;
    ep->success = st == GS_OK && r->success;
    ep->total_reward = r->reward;
    if (st != GS_OK) return GS_OK; /* the episode's own failure is what counts */
    /* at the end: the kinds a reset built are among the files it ran */
    char *prov = gs_task_provenance_json(t);
    int kept = prov && gs_dataset_set_string(&ep->provenance, prov);
    free(prov);
    if (!kept) return nomem(err, errlen);
    return observe(ep, &t->scene, rec->view, ep->steps, err, errlen);
}

/* ---- helpers ---- */

/* Observation k: the images and every object's pose. */
static gs_status observe(gs_dataset_episode *ep, const gs_scene *s, const gsr_view *v, int k,
                         char *err, size_t errlen) {
    if (!gs_dataset_episode_reserve_observations(ep, k + 1)) return nomem(err, errlen);
    const size_t rc = (size_t)ep->rows * (size_t)ep->cols;
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
    for (int j = 0; j < ep->njoints; j++) {
        size_t at = (size_t)k * (size_t)ep->njoints + (size_t)j;
        gs_scene_joint_info(s, j, NULL, NULL, &ep->joint_position[at], &ep->joint_fraction[at]);
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
 * positions of pick_pose and place_pose, a drag where the handle is and
 * where the joint's target puts it; a continuous move the cup's pose
 * before it and the pose it is sent to (before the workspace clamps it). */
static void store_action(gs_dataset_episode *ep, const gs_scene *s, int k, const gs_action *a,
                         const gsr_view *v) {
    gs_pose from = a->pick, to = a->place;
    if (a->kind == GS_ACTION_PUSH) {
        from = gsu_pose_identity(), to = gsu_pose_identity();
        memcpy(from.pos, a->from, sizeof from.pos);
        memcpy(to.pos, a->to, sizeof to.pos);
    } else if (a->kind == GS_ACTION_DRAG) {
        from = gsu_pose_identity(), to = gsu_pose_identity();
        gs__drag_points(s, a, from.pos, to.pos);
    } else if (a->kind == GS_ACTION_MOVE) {
        gs_robot_tip_pose(&s->robot, &from);
        to = gsu_pose_xyz_yaw(from.pos[0] + a->move[0], from.pos[1] + a->move[1], from.pos[2] + a->move[2],
                              gsu_pose_yaw(&from) + a->move[3]);
    }
    store_pose(ep->pick_pose + 7 * k, &from);
    store_pose(ep->place_pose + 7 * k, &to);
    store_pixel(ep->pick_pixel + 2 * k, v, from.pos);
    store_pixel(ep->place_pixel + 2 * k, v, to.pos);
    ep->primitive[k] = a->kind == GS_ACTION_PUSH   ? GS_DATASET_PUSH
                       : a->kind == GS_ACTION_DRAG ? GS_DATASET_DRAG
                       : a->kind == GS_ACTION_MOVE ? (a->suction ? GS_DATASET_MOVE_SUCTION : GS_DATASET_MOVE)
                                                   : GS_DATASET_PICK_PLACE;
    ep->lift[k] = a->kind == GS_ACTION_PICK_PLACE ? a->lift : 0;
}
