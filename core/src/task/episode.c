/* episode.c: the one episode runner (episode.h).
 *
 * The order of calls into the task is fixed (reset, reward, then for each
 * action the actor, the action, reward; success at the end), so a task's
 * callbacks see the same sequence whoever acts and whoever observes, and
 * the same seed gives the same episode bit for bit. */
#include "gensim/episode.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "task/task_internal.h"

/* What the robot's per-step hook needs to reach the observers. */
typedef struct run_state {
    gs_task *task;
    const gs_observer *observers;
    int n;
} run_state;

static gs_status notify_reset(const run_state *run, double reward, int *reached, char *err,
                              size_t errlen);
static gs_status notify_before(const run_state *run, int k, const gs_action *a, char *err,
                               size_t errlen);
static gs_status notify_after(const run_state *run, int k, const gs_action_result *res,
                              double reward, char *err, size_t errlen);
static gs_status notify_end(const run_state *run, int reached, const gs_episode_result *r,
                            gs_status st, char *err, size_t errlen);
static void on_physics_step(void *ud);
static gs_status oracle_act(void *ud, gs_task *t, gs_action *a, int *have, char *err,
                            size_t errlen);
static gs_status idle_act(void *ud, gs_task *t, gs_action *a, int *have, char *err,
                          size_t errlen);

gs_actor gs_actor_oracle(void) {
    gs_actor a = {"oracle", oracle_act, NULL, 1};
    return a;
}

gs_actor gs_actor_idle(const double *seconds) {
    gs_actor a = {"idle", idle_act, (void *)seconds, 0};
    return a;
}

gs_status gs_episode_run(gs_task *t, uint64_t seed, gs_actor actor, const gs_observer *observers,
                         int n, gs_episode_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    r->seed = seed;
    if (!t || !actor.act || n < 0 || n > GS_EPISODE_MAX_OBSERVERS || (n > 0 && !observers))
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "gs_episode_run: a task, an actor and at most %d observers",
                       GS_EPISODE_MAX_OBSERVERS);
    gs_status st = gs_task_reset(t, seed, err, errlen);
    if (st != GS_OK) return st;
    gs_scene *s = &t->scene;
    run_state run = {t, observers, n};
    for (int i = 0; i < n; i++)
        if (observers[i].physics_step) {
            s->robot.on_step = on_physics_step;
            s->robot.on_step_ud = &run;
        }

    int reached = 0, done = 0;
    double reward = 0;
    st = gs_task_reward(t, &reward, &done, err, errlen);
    r->initial_reward = reward;
    if (st == GS_OK) st = notify_reset(&run, reward, &reached, err, errlen);
    while (st == GS_OK && !done && s->steps < t->snap.max_steps) {
        gs_action a;
        memset(&a, 0, sizeof a);
        int have = 0;
        if ((st = actor.act(actor.ud, t, &a, &have, err, errlen)) != GS_OK || !have) break;
        int k = s->steps;
        if ((st = notify_before(&run, k, &a, err, errlen)) != GS_OK) break;
        gs_action_result res;
        char why[512];
        if ((st = gs_scene_act(s, &a, &res, why, sizeof why)) != GS_OK) {
            int line = actor.task_code && t->snap.has[GSL_ORACLE] ? t->snap.line[GSL_ORACLE] : t->snap.line[GSL_RESET];
            gs_fail(err, errlen, st, "%s:%d: seed %" PRIu64 ": step %d (%s): %s", t->path, line,
                    seed, k + 1, actor.name, why);
            break;
        }
        if ((st = gs_task_reward(t, &reward, &done, err, errlen)) != GS_OK) break;
        st = notify_after(&run, k, &res, reward, err, errlen);
    }
    if (st == GS_OK) st = gs_task_success(t, &r->success, err, errlen);
    r->reward = reward;
    r->steps = s->steps;
    r->sim_steps = gs_world_steps(s->world) - t->steps0;
    r->digest = gs_scene_digest(s, gsu_fnv1a(GSU_FNV_OFFSET, &seed, sizeof seed));
    s->robot.on_step = NULL;
    s->robot.on_step_ud = NULL;
    return notify_end(&run, reached, r, st, err, errlen);
}

/* ---- observers ---- */

static gs_status notify_reset(const run_state *run, double reward, int *reached, char *err,
                              size_t errlen) {
    for (int i = 0; i < run->n; i++) {
        const gs_observer *o = &run->observers[i];
        *reached = i + 1; /* its end is owed even when its reset fails */
        if (o->reset) {
            gs_status st = o->reset(o->ud, run->task, reward, err, errlen);
            if (st != GS_OK) return st;
        }
    }
    return GS_OK;
}

static gs_status notify_before(const run_state *run, int k, const gs_action *a, char *err,
                               size_t errlen) {
    const char *lang = NULL;
    for (int i = 0; i < run->n; i++) {
        const gs_observer *o = &run->observers[i];
        if (!o->before) continue;
        if (!lang) lang = gs_task_stage_lang(run->task);
        gs_status st = o->before(o->ud, run->task, k, a, lang, err, errlen);
        if (st != GS_OK) return st;
    }
    return GS_OK;
}

static gs_status notify_after(const run_state *run, int k, const gs_action_result *res,
                              double reward, char *err, size_t errlen) {
    for (int i = 0; i < run->n; i++) {
        const gs_observer *o = &run->observers[i];
        if (!o->after) continue;
        gs_status st = o->after(o->ud, run->task, k, res, reward, err, errlen);
        if (st != GS_OK) return st;
    }
    return GS_OK;
}

/* Every observer that saw the reset sees the end; the episode's own
 * failure keeps its message over an observer's. */
static gs_status notify_end(const run_state *run, int reached, const gs_episode_result *r,
                            gs_status st, char *err, size_t errlen) {
    for (int i = 0; i < reached; i++) {
        const gs_observer *o = &run->observers[i];
        if (!o->end) continue;
        char why[1024];
        gs_status end = o->end(o->ud, run->task, r, st, why, sizeof why);
        if (end != GS_OK && st == GS_OK) st = gs_fail(err, errlen, end, "%s", why);
    }
    return st;
}

static void on_physics_step(void *ud) {
    const run_state *run = ud;
    for (int i = 0; i < run->n; i++)
        if (run->observers[i].physics_step)
            run->observers[i].physics_step(run->observers[i].ud, run->task);
}

/* ---- actors ---- */

static gs_status oracle_act(void *ud, gs_task *t, gs_action *a, int *have, char *err,
                            size_t errlen) {
    (void)ud;
    return gs_task_oracle(t, a, have, err, errlen);
}

static gs_status idle_act(void *ud, gs_task *t, gs_action *a, int *have, char *err,
                          size_t errlen) {
    (void)err, (void)errlen;
    *have = t->scene.steps == 0; /* one wait, then nothing */
    a->kind = GS_ACTION_WAIT;
    a->wait_s = *(const double *)ud;
    return GS_OK;
}
