/* scene_explain.c: what the scene check says when a reset's scene is not
 * valid, in words that lead to the fix.
 *
 * A model (or a person) reads these messages with the task file in front
 * of it and nothing else: objects are named by kind, colour and the line
 * that added them, never by an index to count; an overlap says which way
 * the object must move and by how much, and for a receptacle where its
 * floor is, since "the pose z of a thing resting in a bowl" is the usual
 * mistake. The figures come from the objects' own parts (the rest rule of
 * assets.h), so they hold for every kind, plugin kinds included. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "task/scene_internal.h"

#define MM(x) ((x) * 1000.0)

const char *gs__object_label(const gs_scene *s, int i, char *buf, size_t n) {
    const gs_object *o = &s->objects[i];
    if (o->line > 0) snprintf(buf, n, "%s (%s) from line %d", o->kind->name, o->color, o->line);
    else snprintf(buf, n, "%s (%s)", o->kind->name, o->color);
    return buf;
}

/* The object whose body is body, or -1 (the table, the robot). */
static int object_of_body(const gs_scene *s, int body) {
    for (int i = 0; body >= 0 && i < s->nobjects; i++)
        if (s->objects[i].body == body) return i;
    return -1;
}

/* Part k of object i as a world box: centre c and half extents ext. */
static void part_box(const gs_scene *s, int i, int k, double c[3], double ext[3]) {
    const gs_shape *sh = &s->objects[i].shapes[k];
    gs_pose p;
    gs_scene_pose(s, i, &p);
    gs_pose w = gsu_pose_multiply(&p, &sh->local);
    double half[3] = {sh->size[0] / 2, sh->size[1] / 2, sh->size[2] / 2};
    memcpy(c, w.pos, sizeof w.pos);
    gsu_rotated_half_extents(w.rot, half, ext);
}

/* Where b's parts overlap a's most: over the part pairs whose world boxes
 * overlap, the one whose shallowest axis is deepest. That axis (0 x, 1 y,
 * 2 z) and the sign of the way b must move to clear it go to *axis and
 * *sign; returns the depth along it (0 when no boxes overlap). */
static double overlap_axis(const gs_scene *s, int a, int b, int *axis, int *sign) {
    double best = 0;
    *axis = 2, *sign = 1;
    for (int i = 0; i < s->objects[a].nshapes; i++)
        for (int j = 0; j < s->objects[b].nshapes; j++) {
            double ca[3], ea[3], cb[3], eb[3];
            part_box(s, a, i, ca, ea);
            part_box(s, b, j, cb, eb);
            int shallow = -1;
            double depth = 0;
            for (int d = 0; d < 3; d++) {
                double o = ea[d] + eb[d] - fabs(ca[d] - cb[d]);
                if (o <= 0) {
                    shallow = -1;
                    break;
                }
                if (shallow < 0 || o < depth) shallow = d, depth = o;
            }
            if (shallow >= 0 && depth > best) {
                best = depth;
                *axis = shallow;
                *sign = cb[shallow] >= ca[shallow] ? 1 : -1;
            }
        }
    return best;
}

/* "up", "down", "+x", "-y": the way along axis with sign. */
static const char *direction(int axis, int sign) {
    static const char *const names[3][2] = {{"-x", "+x"}, {"-y", "+y"}, {"down", "up"}};
    return names[axis][sign > 0];
}

/* What b resting on or in a would have as its pose z. */
static void rest_note(const gs_scene *s, int a, int b, char *buf, size_t n) {
    const gs_object *oa = &s->objects[a], *ob = &s->objects[b];
    gs_pose pa;
    gs_scene_pose(s, a, &pa);
    double floor, wall;
    gs_asset_rest_geometry(oa->shapes, oa->nshapes, &floor, &wall);
    char la[96];
    gs__object_label(s, a, la, sizeof la);
    if (oa->kind->role == GS_ROLE_MOVABLE) {
        snprintf(buf, n, "; poses are bounding-box centres, so one resting on %s has z = %.3f (its z %.3f + half "
                 "of both heights)", la, pa.pos[2] + oa->size[2] / 2 + ob->size[2] / 2, pa.pos[2]);
        return;
    }
    size_t used = (size_t)snprintf(buf, n, "; %s has its pose at the centre of its base, and what rests %s it sits "
                                   "on z = %.3f (its floor, %.0f mm up), so a resting %s has z = %.3f (floor + half its "
                                   "height)", la, floor < oa->size[2] - 0.001 ? "in" : "on", pa.pos[2] + floor,
                                   MM(floor), ob->kind->name, pa.pos[2] + floor + ob->size[2] / 2);
    if (wall > 0 && used < n)
        snprintf(buf + used, n - used, "; its walls are %.0f mm thick", MM(wall));
}

gs_status gs__explain_overlap(const gs_scene *s, int body_a, int body_b, double depth, int *line, char *err,
                              size_t errlen) {
    int a = object_of_body(s, body_a), b = object_of_body(s, body_b);
    if (b < a) { /* b is the later object: the one placed into the other */
        int t = a;
        a = b, b = t;
    }
    char lb[96], la[96], note[400] = "";
    if (b < 0) { /* two bodies that are no objects: the table and the robot */
        *line = 0;
        return gs_fail(err, errlen, GS_ERR_RUNTIME, "the robot and the table interpenetrate by %.1f mm", MM(depth));
    }
    gs__object_label(s, b, lb, sizeof lb);
    *line = s->objects[b].line;
    gs_pose pb;
    gs_scene_pose(s, b, &pb);
    if (a < 0 && (body_a == GS_BODY_TABLE || body_b == GS_BODY_TABLE))
        return gs_fail(err, errlen, GS_ERR_RUNTIME,
                       "%s at (%.3f, %.3f, %.3f) reaches %.1f mm into the table: move it up by %.1f mm; %s pose is "
                       "%s, so resting on the table it has z = %.3f",
                       lb, pb.pos[0], pb.pos[1], pb.pos[2], MM(depth), MM(depth),
                       s->objects[b].kind->role == GS_ROLE_MOVABLE ? "a movable object's" : "this kind's",
                       s->objects[b].kind->role == GS_ROLE_MOVABLE ? "the centre of its bounding box"
                                                                     : "the centre of its base",
                       s->objects[b].kind->role == GS_ROLE_MOVABLE ? s->objects[b].size[2] / 2 : 0.0);
    if (a < 0)
        return gs_fail(err, errlen, GS_ERR_RUNTIME, "%s at (%.3f, %.3f, %.3f) and the robot interpenetrate by %.1f mm",
                       lb, pb.pos[0], pb.pos[1], pb.pos[2], MM(depth));
    int axis, sign;
    double along = overlap_axis(s, a, b, &axis, &sign);
    if (along <= 0) along = depth;
    gs__object_label(s, a, la, sizeof la);
    rest_note(s, a, b, note, sizeof note);
    return gs_fail(err, errlen, GS_ERR_RUNTIME,
                   "%s at (%.3f, %.3f, %.3f) overlaps %s by %.1f mm: move it %s by %.1f mm to clear it%s", lb,
                   pb.pos[0], pb.pos[1], pb.pos[2], la, MM(depth), direction(axis, sign), MM(along), note);
}

gs_status gs__explain_outside(const gs_scene *s, int i, const double lo[3], const double hi[3], int *line,
                              char *err, size_t errlen) {
    static const double bounds[3][2] = {{GS_WS_X0, GS_WS_X1}, {GS_WS_Y0, GS_WS_Y1}, {0, GS_WS_Z1}};
    static const char *const axes = "xyz";
    const gs_object *o = &s->objects[i];
    char label[96], part[320] = "";
    size_t used = 0;
    for (int d = 0; d < 3 && used < sizeof part; d++) {
        int side = gs__ws_outside(d, lo[d], hi[d]);
        if (d == 2 && side < 0)
            used += (size_t)snprintf(part + used, sizeof part - used,
                                     "%sit reaches %.1f mm into the table: %s pose is %s, so resting on the table "
                                     "it has z = %.3f", used ? "; " : "", MM(-lo[d]),
                                     o->kind->role == GS_ROLE_MOVABLE ? "a movable object's" : "this kind's",
                                     o->kind->role == GS_ROLE_MOVABLE ? "the centre of its bounding box"
                                                                      : "the centre of its base",
                                     o->kind->role == GS_ROLE_MOVABLE ? o->size[2] / 2 : 0.0);
        else if (side)
            used += (size_t)snprintf(part + used, sizeof part - used, "%s%c reaches %.3f, %.1f mm past %.2f",
                                     used ? "; " : "", axes[d], side < 0 ? lo[d] : hi[d],
                                     MM(side < 0 ? bounds[d][0] - lo[d] : hi[d] - bounds[d][1]),
                                     bounds[d][side > 0]);
    }
    gs_pose p;
    gs_scene_pose(s, i, &p);
    *line = o->line;
    return gs_fail(err, errlen, GS_ERR_RUNTIME,
                   "%s at (%.3f, %.3f, %.3f) is outside the workspace x %.2f..%.2f, y %.2f..%.2f, z 0..%.2f: %s; "
                   "env:random_pose(size) gives poses whose footprint lies inside it",
                   gs__object_label(s, i, label, sizeof label), p.pos[0], p.pos[1], p.pos[2], GS_WS_X0, GS_WS_X1,
                   GS_WS_Y0, GS_WS_Y1, GS_WS_Z1, part);
}
