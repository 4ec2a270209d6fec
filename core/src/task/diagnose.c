/* diagnose.c: why an episode failed, in words that lead to the fix.
 *
 * The observer follows every goal object through the episode: how often
 * the actor picked it, whether it was in its target after it was placed,
 * whether it later left the target, tipped over or fell off the table. At
 * the end of a failed episode it says which stage stayed unmet, which of
 * its objects are not where the stage wants them and what happened to
 * them, and how the steps were spent. It only reads poses, so the episode
 * is the same with it as without. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gensim/episode.h"
#include "task/task_internal.h"

#define TIP_COS 0.7071 /* an up axis more than 45 degrees from where it started */
#define FALL_Z (-0.01) /* a centre this far below the table top has left it */
#define MM(x) ((x) * 1000.0)

static gs_status diag_reset(void *ud, gs_task *t, double reward, char *err, size_t errlen);
static gs_status diag_after(void *ud, gs_task *t, int k, const gs_action_result *res, double reward,
                            char *err, size_t errlen);
static gs_status diag_end(void *ud, gs_task *t, const gs_episode_result *r, gs_status status, char *err,
                          size_t errlen);

gs_observer gs_diagnosis_observer(gs_diagnosis *d) {
    gs_observer o = {diag_reset, NULL, diag_after, NULL, diag_end, d};
    return o;
}

/* The object's up axis in the world. */
static void up_axis(const gs_scene *s, int i, double up[3]) {
    gs_pose p;
    gs_scene_pose(s, i, &p);
    gs_pose rot = p;
    rot.pos[0] = rot.pos[1] = rot.pos[2] = 0;
    const double z[3] = {0, 0, 1};
    gsu_pose_apply(&rot, z, up);
}

/* 1 when every part of object i is a sphere: it has no up to tip from. */
static int round_object(const gs_scene *s, int i) {
    for (int k = 0; k < s->objects[i].nshapes; k++)
        if (s->objects[i].shapes[k].type != GS_SHAPE_SPHERE) return 0;
    return 1;
}

/* Whether object i of goal g is where g wants it now; match holds g's
 * matching when g is a pose goal. */
static int in_target(const gs_scene *s, const gs_goal *g, int i, const int *match) {
    if (g->metric == GS_METRIC_ZONE) return gs__zone_fraction(s, g, g->objects[i]) >= 1 - GS_SUCCESS_EPS;
    if (g->metric == GS_METRIC_POSE) return match[i] >= 0;
    if (g->metric == GS_METRIC_JOINT)
        return fabs(gs__link_fraction(s, g->objects[i], g->links[i]) - g->target) <= g->tolerance;
    return 1; /* a metric this observer does not follow counts as held */
}

/* g's matching into match (g->nobjects); 0 when g is too large to follow. */
static int goal_matching(const gs_scene *s, const gs_goal *g, int *match) {
    if (g->nobjects > GS_DIAGNOSIS_OBJECTS) return 0;
    if (g->metric == GS_METRIC_POSE) gs__scene_matching(s, g, match);
    return 1;
}

/* Updates which objects are in a target now; after the action that
 * placed object placed (-1: none), notes where it landed. */
static void follow(gs_diagnosis *d, const gs_scene *s, int step, int placed) {
    int in[GS_DIAGNOSIS_OBJECTS] = {0}, listed[GS_DIAGNOSIS_OBJECTS] = {0}, match[GS_DIAGNOSIS_OBJECTS];
    for (int k = 0; k < s->ngoals; k++) {
        const gs_goal *g = &s->goals[k];
        if (!goal_matching(s, g, match)) continue;
        for (int i = 0; i < g->nobjects; i++) {
            int o = g->objects[i];
            if (o >= d->nobjects) continue;
            listed[o] = 1;
            in[o] |= in_target(s, g, i, match);
        }
    }
    for (int o = 0; o < d->nobjects; o++) {
        gs_diagnosis_object *x = &d->obj[o];
        if (listed[o] && in[o]) x->in_since = x->in_since >= 0 ? x->in_since : step, x->left_step = -1;
        else if (listed[o] && x->in_since >= 0) x->left_step = step, x->in_since = -1, x->left_ever = 1;
        if (o == placed) x->in_after_place = in[o], x->placed_step = step;
        gs_pose p;
        gs_scene_pose(s, o, &p);
        double up[3];
        up_axis(s, o, up);
        if (!round_object(s, o) && up[0] * x->up0[0] + up[1] * x->up0[1] + up[2] * x->up0[2] < TIP_COS) x->tipped = 1;
        if (p.pos[2] < FALL_Z || p.pos[0] < GS_WS_X0 || p.pos[0] > GS_WS_X1 || p.pos[1] < GS_WS_Y0 ||
            p.pos[1] > GS_WS_Y1)
            x->fell = 1;
    }
}

static gs_status diag_reset(void *ud, gs_task *t, double reward, char *err, size_t errlen) {
    (void)reward, (void)err, (void)errlen;
    gs_diagnosis *d = ud;
    const gs_scene *s = &t->scene;
    d->text[0] = 0;
    d->nobjects = s->nobjects < GS_DIAGNOSIS_OBJECTS ? s->nobjects : GS_DIAGNOSIS_OBJECTS;
    for (int o = 0; o < d->nobjects; o++) {
        gs_diagnosis_object *x = &d->obj[o];
        memset(x, 0, sizeof *x);
        x->in_since = x->left_step = x->placed_step = -1;
        up_axis(s, o, x->up0);
    }
    follow(d, s, 0, -1);
    return GS_OK;
}

static int object_of_body(const gs_scene *s, int body) {
    for (int i = 0; body >= 0 && i < s->nobjects; i++)
        if (s->objects[i].body == body) return i;
    return -1;
}

static gs_status diag_after(void *ud, gs_task *t, int k, const gs_action_result *res, double reward, char *err,
                            size_t errlen) {
    (void)reward, (void)err, (void)errlen;
    gs_diagnosis *d = ud;
    int held = res->picked ? object_of_body(&t->scene, res->held_body) : -1;
    if (held >= 0 && held < d->nobjects) d->obj[held].picks++;
    follow(d, &t->scene, k + 1, held < d->nobjects ? held : -1);
    return GS_OK;
}

/* Appends to the diagnosis text, cut short where it does not fit. */
static void say(gs_diagnosis *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(gs_diagnosis *d, const char *fmt, ...) {
    size_t used = strlen(d->text);
    if (used + 1 >= sizeof d->text) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->text + used, sizeof d->text - used, fmt, ap);
    va_end(ap);
}

/* Where object i of pose goal g is against its nearest allowed target. */
static void say_offset(gs_diagnosis *d, const gs_scene *s, const gs_goal *g, int i) {
    gs_pose p;
    gs_scene_pose(s, g->objects[i], &p);
    int best = -1;
    double best_d = 0;
    for (int j = 0; j < g->ntargets; j++) {
        if (!g->allowed[i * g->ntargets + j]) continue;
        double dx = p.pos[0] - g->targets[j].pos[0], dy = p.pos[1] - g->targets[j].pos[1];
        if (best < 0 || dx * dx + dy * dy < best_d) best = j, best_d = dx * dx + dy * dy;
    }
    if (best < 0) return;
    double dz = p.pos[2] - g->targets[best].pos[2];
    say(d, " is %.0f mm from its nearest target", MM(sqrt(best_d)));
    if (fabs(dz) > s->objects[g->objects[i]].size[2] / 2 + g->tolerance)
        say(d, ", %.0f mm %s it%s", MM(fabs(dz)), dz > 0 ? "above" : "below",
            dz < 0 ? " (a target must be where the object can rest: nothing holds it that high)" : "");
}

/* What became of one unmet object. */
static void say_object(gs_diagnosis *d, const gs_scene *s, const gs_goal *g, int i) {
    int o = g->objects[i];
    char label[96];
    gs_pose p;
    gs_scene_pose(s, o, &p);
    say(d, "%s, now at (%.2f, %.2f, %.2f),", gs__object_label(s, o, label, sizeof label), p.pos[0], p.pos[1], p.pos[2]);
    if (g->metric == GS_METRIC_ZONE) say(d, " is %.0f%% inside the zone", 100 * gs__zone_fraction(s, g, o));
    else if (g->metric == GS_METRIC_POSE) say_offset(d, s, g, i);
    else if (g->metric == GS_METRIC_JOINT)
        say(d, " has the goal's joint at %.2f of its range, the goal %.2f within %.2f", gs__link_fraction(s, o, g->links[i]),
            g->target, g->tolerance);
    if (o >= d->nobjects) return;
    const gs_diagnosis_object *x = &d->obj[o];
    if (x->tipped) say(d, "; it tipped over");
    if (x->fell) say(d, "; it fell off the table");
    if (x->left_ever) say(d, "; it was in its target, then slid out by step %d", x->left_step);
    else if (x->placed_step >= 0 && !x->in_after_place) say(d, "; placed at step %d, it did not stay there",
                                                             x->placed_step);
    if (x->picks) say(d, "; picked %d time%s", x->picks, x->picks == 1 ? "" : "s");
    else say(d, "; never picked");
}

/* A stage whose objects cannot all be within tolerance of the targets
 * they share: the commonest cause of a shared bowl or zone that "never
 * fills". */
static void say_crowding(gs_diagnosis *d, const gs_scene *s, const gs_goal *g) {
    if (g->metric != GS_METRIC_POSE || !g->replace || g->ntargets >= g->nobjects) return;
    double need = 0;
    for (int i = 0; i < g->nobjects; i++) {
        const double *sz = s->objects[g->objects[i]].size;
        need = fmax(need, sqrt(sz[0] * sz[0] + sz[1] * sz[1]));
    }
    /* n footprints side by side around a target reach about sqrt(n) sizes */
    double reach = need * sqrt((double)g->nobjects / g->ntargets) / 2;
    if (g->tolerance >= reach) return;
    say(d, "; %d objects share %d target%s within a tolerance of %.0f mm, but side by side they reach about %.0f mm "
        "from it: give a tolerance near the receptacle's inner radius, or score with metric = \"zone\"",
        g->nobjects, g->ntargets, g->ntargets == 1 ? "" : "s", MM(g->tolerance), MM(reach));
}

/* Picks of the objects outside the unmet stage, most first (up to 3). */
static void say_other_picks(gs_diagnosis *d, const gs_scene *s, const gs_goal *g) {
    int shown[3] = {-1, -1, -1};
    for (int n = 0; n < 3; n++) {
        for (int o = 0; o < d->nobjects; o++) {
            int in_goal = 0, seen = 0;
            for (int i = 0; i < g->nobjects; i++) in_goal |= g->objects[i] == o;
            for (int m = 0; m < n; m++) seen |= shown[m] == o;
            if (!in_goal && !seen && d->obj[o].picks > 0 && (shown[n] < 0 || d->obj[o].picks > d->obj[shown[n]].picks))
                shown[n] = o;
        }
        if (shown[n] < 0) break;
        char label[96];
        say(d, "%s%s %d", n ? ", " : "; other picks: ", gs__object_label(s, shown[n], label, sizeof label),
            d->obj[shown[n]].picks);
    }
}

static gs_status diag_end(void *ud, gs_task *t, const gs_episode_result *r, gs_status status, char *err,
                          size_t errlen) {
    (void)err, (void)errlen;
    gs_diagnosis *d = ud;
    const gs_scene *s = &t->scene;
    d->text[0] = 0;
    if (status != GS_OK || r->success || s->ngoals == 0) return GS_OK;
    int stage, match[GS_DIAGNOSIS_OBJECTS];
    gs_scene_reward(s, &stage);
    int max_steps = t->snap.max_steps;
    const char *oracle = t->snap.has[GSL_ORACLE] ? "the task's oracle" : "the built-in oracle";
    if (r->steps < max_steps)
        say(d, "%s stopped after %d of %d steps (%s)", oracle, r->steps, max_steps,
            t->snap.has[GSL_ORACLE] ? "it returned nil" : "it found no move left that it can make");
    else say(d, "%s used all %d steps", oracle, max_steps);
    if (stage >= s->ngoals) { /* every stage holds, yet the task's success says no */
        say(d, "; every goal stage holds, but the task's success(env) is false");
        return GS_OK;
    }
    const gs_goal *g = &s->goals[stage];
    say(d, "; stage %d of %d", stage + 1, s->ngoals);
    if (g->lang && g->lang[0]) say(d, " (\"%.80s\")", g->lang);
    if (g->line > 0) say(d, ", the env:goal of line %d,", g->line);
    say(d, " stayed unmet: ");
    int shown = 0, unmet = 0;
    int have = goal_matching(s, g, match);
    for (int i = 0; have && i < g->nobjects; i++) {
        if (in_target(s, g, i, match)) continue;
        if (unmet++ < 3) {
            say(d, "%s", shown++ ? "; " : "");
            say_object(d, s, g, i);
        }
    }
    if (unmet > 3) say(d, "; and %d more", unmet - 3);
    if (!unmet) say(d, "its objects each count as placed, yet its credit is short of 1");
    say_crowding(d, s, g);
    say_other_picks(d, s, g);
    return GS_OK;
}
