/* eval.c: gs_eval, a policy in closed loop on tasks (policy_data.h).
 *
 * Each episode is gensim-run's with the policy in the oracle's place (the
 * one episode runner), and scores as Ravens does: the total reward at the
 * end, 1.0 being success. Seeds follow the split's rule, so the test
 * split evaluates on scenes no training split ever drew. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "gensim/policy_data.h"
#include "gensim/workflow.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

gs_eval_options gs_eval_options_default(void) {
    gs_eval_options o;
    memset(&o, 0, sizeof o);
    o.episodes = 10;
    o.seed = 1000000;
    o.task_opt = gs_task_options_default();
    return o;
}

void gs_eval_result_free(gs_eval_result *r) {
    free(r->tasks);
    memset(r, 0, sizeof *r);
}

/* gs_run's report of an episode, as gs_eval's. */
typedef struct eval_ctx {
    const gs_eval_options *o;
    gs_eval_task *et;
} eval_ctx;

static void on_episode(void *ud, uint64_t k, const gs_episode_result *ep, const gs_pictures *pics, double seconds) {
    (void)pics, (void)seconds;
    eval_ctx *c = ud;
    c->et->episodes++;
    c->et->successes += (uint64_t)ep->success;
    if (c->o->on_episode) c->o->on_episode(c->o->ud, c->et->name, k, ep, c->et->successes);
}

/* The episodes of one task into et: gs_run with the policy acting (in a
 * worker, unless the options keep the task in process). */
static gs_status eval_task(const gs_eval_options *o, gs_actor actor, gs_eval_task *et, char *err, size_t errlen) {
    eval_ctx c = {o, et};
    gs_run_options ro = gs_run_options_default();
    ro.task = et->path, ro.task_opt = o->task_opt, ro.episodes = o->episodes;
    ro.seed = gs_split_seed(o->seed, 0, o->task_opt.test_split);
    ro.actor = actor, ro.render = o->render;
    ro.on_episode = on_episode, ro.ud = &c;
    gs_run_result rr;
    gs_status st = gs_run(&ro, &rr, err, errlen);
    et->mean_reward = rr.mean_reward;
    et->wall_s = rr.wall_s;
    return st;
}

gs_status gs_eval(const gs_eval_options *o, gs_eval_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    if ((!o->policy && !o->actor) || !o->tasks || o->ntasks < 1)
        return gs_fail(err, errlen, GS_ERR_USAGE, "gs_eval: a policy and at least one task");
    if (o->episodes < 1 || o->episodes > 1000000)
        return gs_fail(err, errlen, GS_ERR_USAGE, "episodes must be 1..1000000");
    double t0 = now();
    r->first_seed = gs_split_seed(o->seed, 0, o->task_opt.test_split);
    r->policy_steps = o->policy ? gs_policy_steps(o->policy) : 0;
    r->tasks = calloc((size_t)o->ntasks, sizeof *r->tasks);
    if (!r->tasks) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    gs_status st = GS_OK;
    for (int i = 0; i < o->ntasks && st == GS_OK; i++) {
        r->tasks[i].path = o->tasks[i];
        st = gs_task_probe(o->tasks[i], &o->task_opt, r->tasks[i].name, err, errlen);
    }
    gs_policy_actor actor;
    memset(&actor, 0, sizeof actor);
    if (st == GS_OK && !o->actor) st = gs_policy_actor_init(&actor, o->policy, err, errlen);
    double reward = 0;
    for (int i = 0; i < o->ntasks && st == GS_OK; i++) {
        st = eval_task(o, o->actor ? *o->actor : gs_policy_actor_get(&actor), &r->tasks[i], err, errlen);
        r->ntasks = i + 1;
        r->episodes += r->tasks[i].episodes;
        r->successes += r->tasks[i].successes;
        reward += r->tasks[i].mean_reward * (double)r->tasks[i].episodes;
    }
    r->mean_reward = r->episodes ? reward / (double)r->episodes : 0;
    r->wall_s = now() - t0;
    gs_policy_actor_free(&actor);
    return st;
}

char *gs_eval_result_json(const gs_eval_result *r, const gs_eval_options *o) {
    cJSON *j = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(j, "tasks");
    if (!j || !arr) {
        cJSON_Delete(j);
        return NULL;
    }
    for (int i = 0; i < r->ntasks; i++) {
        const gs_eval_task *et = &r->tasks[i];
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "task", et->name);
        cJSON_AddStringToObject(t, "path", et->path ? et->path : "");
        cJSON_AddNumberToObject(t, "episodes", (double)et->episodes);
        cJSON_AddNumberToObject(t, "successes", (double)et->successes);
        cJSON_AddNumberToObject(t, "success_rate", et->episodes ? (double)et->successes / (double)et->episodes : 0);
        cJSON_AddNumberToObject(t, "mean_reward", et->mean_reward);
        cJSON_AddNumberToObject(t, "wall_s", et->wall_s);
        cJSON_AddItemToArray(arr, t);
    }
    cJSON_AddStringToObject(j, "policy", o->policy_path ? o->policy_path : "");
    cJSON_AddNumberToObject(j, "policy_steps", (double)r->policy_steps);
    cJSON_AddNumberToObject(j, "first_seed", (double)r->first_seed);
    cJSON_AddStringToObject(j, "split", o->task_opt.test_split ? "test" : "train");
    cJSON_AddNumberToObject(j, "episodes", (double)r->episodes);
    cJSON_AddNumberToObject(j, "successes", (double)r->successes);
    cJSON_AddNumberToObject(j, "success_rate", r->episodes ? (double)r->successes / (double)r->episodes : 0);
    cJSON_AddNumberToObject(j, "mean_reward", r->mean_reward);
    cJSON_AddNumberToObject(j, "wall_s", r->wall_s);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}
