/* state.c: the low-dimensional observation of an episode (task.h,
 * GS_STATE_LAYOUT), what learned skills act on.
 *
 * The layout is a contract with every checkpoint written: a change to it
 * is a new layout name, never an edit of this one. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "task/task_internal.h"

/* Object i's slot: present, position, position relative to the cup, the
 * rotation's x and y axes, velocities, joint fraction. */
static void object_state(const gs_scene *s, int i, const double cup[3], float *o) {
    gs_pose p;
    gs_scene_pose(s, i, &p);
    const double *q = p.rot;
    double x = q[0], y = q[1], z = q[2], w = q[3];
    double axes[6] = {1 - 2 * (y * y + z * z), 2 * (x * y + w * z), 2 * (x * z - w * y),
                      2 * (x * y - w * z),     1 - 2 * (x * x + z * z), 2 * (y * z + w * x)};
    double lin[3], ang[3];
    gs_world_get_velocity(s->world, s->objects[i].body, lin, ang);
    o[0] = 1;
    for (int k = 0; k < 3; k++) {
        o[1 + k] = (float)p.pos[k];
        o[4 + k] = (float)(p.pos[k] - cup[k]);
        o[13 + k] = (float)lin[k];
        o[16 + k] = (float)ang[k];
    }
    for (int k = 0; k < 6; k++) o[7 + k] = (float)axes[k];
    o[19] = 0;
}

gs_status gs_task_state(const gs_task *t, int slots, float *out, char *err, size_t errlen) {
    if (!t->live) return gs_fail(err, errlen, GS_ERR_USAGE, "no episode: reset first");
    if (slots < 0) return gs_fail(err, errlen, GS_ERR_USAGE, "state: slots must be >= 0");
    const gs_scene *s = &t->scene;
    gs_pose cup;
    gs_robot_tip_pose(&s->robot, &cup);
    double yaw = gsu_pose_yaw(&cup);
    out[0] = (float)cup.pos[0], out[1] = (float)cup.pos[1], out[2] = (float)cup.pos[2];
    out[3] = (float)sin(yaw), out[4] = (float)cos(yaw);
    out[5] = (float)s->robot.suction;
    out[6] = s->robot.held != GS_BODY_NONE;
    out[7] = t->snap.max_steps ? (float)s->steps / (float)t->snap.max_steps : 0;
    for (int i = 0; i < slots; i++) {
        float *o = out + GS_STATE_HEAD + (size_t)i * GS_STATE_PER_OBJECT;
        if (i < s->nobjects) object_state(s, i, cup.pos, o);
        else memset(o, 0, GS_STATE_PER_OBJECT * sizeof *o);
    }
    return GS_OK;
}

int gs_task_state_objects(const gs_task *t, char *kinds, size_t n) {
    if (!t->live) {
        if (kinds && n) kinds[0] = 0;
        return 0;
    }
    const gs_scene *s = &t->scene;
    size_t used = 0;
    if (kinds && n) kinds[0] = 0;
    for (int i = 0; kinds && i < s->nobjects && used < n; i++)
        used += (size_t)snprintf(kinds + used, n - used, "%s%s", i ? "," : "", s->objects[i].kind->name);
    return s->nobjects;
}
