/* run.c: episodes of a task's learned units (skill/run.h). */
#include "skill/run.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int gsk_task_units(gs_task *t, int *units, int max) {
    int n = gs_task_subtask_count(t), k = 0;
    if (n == 0) {
        if (gs_task_continuous(t) && max > 0) units[k++] = GSK_WHOLE_TASK;
        return k;
    }
    for (int i = 0; i < n && k < max; i++)
        if (gs_task_subtask(t, i).learned) units[k++] = i;
    return k;
}

int gsk_unit_max_steps(gs_task *t, int unit) {
    return unit == GSK_WHOLE_TASK ? gs_task_max_steps(t) : gs_task_subtask(t, unit).max_steps;
}

void gsk_action(const float act[GSK_ACT], gs_action *a) {
    memset(a, 0, sizeof *a);
    a->kind = GS_ACTION_MOVE;
    for (int i = 0; i < GSK_MOVE; i++) {
        double bound = i < 3 ? GS_MOVE_MAX_XYZ : GS_MOVE_MAX_YAW;
        double v = isfinite(act[i]) ? fmax(-1.0, fmin(1.0, act[i])) : 0;
        a->move[i] = v * bound;
    }
    a->suction = act[GSK_MOVE] > 0;
}

/* The unit under way now: GSK_WHOLE_TASK, a subtask index, or the count
 * of subtasks when every one is done. */
static gs_status current_unit(gs_task *t, int *unit, char *err, size_t errlen) {
    if (gs_task_subtask_count(t) == 0) {
        *unit = GSK_WHOLE_TASK;
        return GS_OK;
    }
    return gs_task_current_subtask(t, unit, err, errlen);
}

/* The checkpoint's layout against this episode's objects: a kind that
 * differs in a slot both have is another task's layout. */
static gs_status check_layout(const gsk_episode *e, gs_task *t, char *err, size_t errlen) {
    if (!e->kinds) return GS_OK;
    char have[2048];
    gs_task_state_objects(t, have, sizeof have);
    const char *a = e->kinds, *b = have;
    for (int slot = 0; slot < e->slots && *a && *b; slot++) {
        size_t la = strcspn(a, ","), lb = strcspn(b, ",");
        if (la != lb || strncmp(a, b, la) != 0)
            return gs_fail(err, errlen, GS_ERR_USAGE,
                           "the skill's observation layout does not fit task '%s': it was learned on objects [%s], "
                           "this episode has [%s] (slot %d differs)", gs_task_name(t), e->kinds, have, slot + 1);
        a += la + (a[la] == ','), b += lb + (b[lb] == ',');
    }
    return GS_OK;
}

gs_status gsk_act(gsk_episode *e, gs_task *t, gs_action *a, int *have, char *err, size_t errlen) {
    int unit, n = gs_task_subtask_count(t);
    gs_status st;
    *have = 0;
    e->last_learned = 0;
    if (gs_scene_steps(gs_task_scene(t)) == 0) { /* a new episode */
        e->seed = gs_task_seed(t);
        e->steps = e->success = e->terminated = 0;
        e->unit = -3, e->unit_steps = e->unit_max = e->unit_done = e->declined = 0;
        if ((st = check_layout(e, t, err, errlen)) != GS_OK) return st;
    }
    if ((st = current_unit(t, &unit, err, errlen)) != GS_OK) return st;
    if ((n > 0 && unit >= n) || (e->target >= 0 && unit > e->target)) return GS_OK;
    if (unit >= 0 && !gs_task_subtask(t, unit).learned) return gs_task_oracle(t, a, have, err, errlen);
    if (unit != e->unit) e->unit = unit, e->unit_steps = 0, e->unit_done = 0;
    e->unit_max = gsk_unit_max_steps(t, unit);
    if (e->unit_steps >= e->unit_max || e->unit_done) {
        e->declined = 1;
        return GS_OK;
    }
    if ((st = gs_task_state(t, e->slots, e->state, err, errlen)) != GS_OK) return st;
    e->state[7] = (float)e->unit_steps / (float)e->unit_max;
    float out[GSK_ACT];
    if ((st = e->decide(e->ud, e->seed, unit, e->unit_steps, e->state, out, err, errlen)) != GS_OK) return st;
    gsk_action(out, a);
    e->last_learned = 1;
    e->unit_steps++;
    *have = 1;
    return GS_OK;
}

static gs_status act(void *ud, gs_task *t, gs_action *a, int *have, char *err, size_t errlen) {
    return gsk_act(ud, t, a, have, err, errlen);
}

static gs_status after(void *ud, gs_task *t, int k, const gs_action_result *res, double reward, char *err,
                       size_t errlen) {
    (void)k, (void)res;
    gsk_episode *e = ud;
    if (!e->last_learned) return GS_OK;
    double r = reward;
    if (e->unit != GSK_WHOLE_TASK) {
        gs_status st = gs_task_subtask_reward(t, e->unit, &r, &e->unit_done, err, errlen);
        if (st != GS_OK) return st;
    }
    if (e->unit == e->target && e->reward) {
        const char *names[GS_REWARD_TERMS_MAX];
        double values[GS_REWARD_TERMS_MAX];
        int nterms = gs_task_reward_terms(t, names, values, GS_REWARD_TERMS_MAX);
        e->reward(e->ud, e->unit_steps - 1, r, nterms, names, values);
    }
    if (e->unit == e->target) e->steps++;
    return GS_OK;
}

static gs_status end(void *ud, gs_task *t, const gs_episode_result *r, gs_status status, char *err,
                     size_t errlen) {
    gsk_episode *e = ud;
    if (status != GS_OK) return GS_OK;
    gs_status st = GS_OK;
    if (e->target >= 0) st = gs_task_subtask_done(t, e->target, &e->success, err, errlen);
    else e->success = r->success;
    e->terminated = e->success || e->unit_done ||
                    (e->target == GSK_WHOLE_TASK && !e->declined && r->steps < gs_task_max_steps(t));
    if (st == GS_OK && e->final_state && (st = gs_task_state(t, e->slots, e->final_state, err, errlen)) == GS_OK)
        e->final_state[7] = e->unit_max ? (float)e->unit_steps / (float)e->unit_max : 0;
    return st;
}

gs_status gsk_episode_run(gs_task *t, uint64_t seed, gsk_episode *e, gs_episode_result *r, char *err,
                          size_t errlen) {
    gs_actor actor = {"skill", act, e, 0};
    gs_observer o = {NULL, NULL, after, NULL, end, e};
    e->steps = e->success = e->terminated = 0;
    return gs_episode_run(t, seed, actor, &o, 1, r, err, errlen);
}
