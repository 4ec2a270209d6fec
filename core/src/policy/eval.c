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

#include "gensim/io.h"
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

/* The episodes of one task into et. */
static gs_status eval_task(const gs_eval_options *o, gs_task *t, gs_actor actor, gs_pictures *pics,
                           gs_eval_task *et, char *err, size_t errlen) {
    double t0 = now(), reward = 0;
    gs_observer observer;
    if (pics) observer = gs_pictures_observer(pics);
    for (uint64_t e = 0; e < o->episodes; e++) {
        gs_episode_result ep;
        uint64_t seed = gs_split_seed(o->seed, e, o->task_opt.test_split);
        gs_status st = gs_episode_run(t, seed, actor, pics ? &observer : NULL, pics ? 1 : 0, &ep, err, errlen);
        if (st != GS_OK) return st;
        if (pics && pics->status != GS_OK) return gs_fail(err, errlen, pics->status, "%s", pics->err);
        et->episodes++;
        et->successes += (uint64_t)ep.success;
        reward += ep.reward;
        if (o->on_episode) o->on_episode(o->ud, et->name, e, &ep, et->successes);
    }
    et->mean_reward = et->episodes ? reward / (double)et->episodes : 0;
    et->wall_s = now() - t0;
    return GS_OK;
}

gs_status gs_eval(const gs_eval_options *o, gs_eval_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    if (!o->policy || !o->tasks || o->ntasks < 1)
        return gs_fail(err, errlen, GS_ERR_USAGE, "gs_eval: a policy and at least one task");
    if (o->episodes < 1 || o->episodes > 1000000)
        return gs_fail(err, errlen, GS_ERR_USAGE, "episodes must be 1..1000000");
    gs_status st = o->render ? gs_make_dirs(o->render, err, errlen) : GS_OK;
    if (st != GS_OK) return st;
    double t0 = now();
    r->first_seed = gs_split_seed(o->seed, 0, o->task_opt.test_split);
    r->policy_steps = gs_policy_steps(o->policy);
    r->tasks = calloc((size_t)o->ntasks, sizeof *r->tasks);
    gs_task **tasks = calloc((size_t)o->ntasks, sizeof *tasks);
    gs_pictures *pics = o->render ? calloc(1, sizeof *pics) : NULL;
    gs_policy_actor actor;
    memset(&actor, 0, sizeof actor);
    if (!r->tasks || !tasks || (o->render && !pics)) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    if (pics) pics->dir = o->render, pics->clip = 1;
    if (st == GS_OK) st = gs_policy_actor_init(&actor, o->policy, err, errlen);
    for (int i = 0; i < o->ntasks && st == GS_OK; i++) {
        r->tasks[i].path = o->tasks[i];
        if ((st = gs_task_load(o->tasks[i], &o->task_opt, &tasks[i], err, errlen)) == GS_OK)
            snprintf(r->tasks[i].name, sizeof r->tasks[i].name, "%s", gs_task_name(tasks[i]));
    }
    double reward = 0;
    for (int i = 0; i < o->ntasks && st == GS_OK; i++) {
        st = eval_task(o, tasks[i], gs_policy_actor_get(&actor), pics, &r->tasks[i], err, errlen);
        r->ntasks = i + 1;
        r->episodes += r->tasks[i].episodes;
        r->successes += r->tasks[i].successes;
        reward += r->tasks[i].mean_reward * (double)r->tasks[i].episodes;
    }
    r->mean_reward = r->episodes ? reward / (double)r->episodes : 0;
    r->wall_s = now() - t0;
    for (int i = 0; tasks && i < o->ntasks; i++) gs_task_free(tasks[i]);
    free(tasks);
    free(pics);
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
