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
#include "task/runs.h"

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
    o.scale = gs_scale_default();
    return o;
}

void gs_eval_result_free(gs_eval_result *r) {
    free(r->tasks);
    memset(r, 0, sizeof *r);
}

/* An episode of a part, as gs_eval reports it. */
typedef struct eval_ctx {
    const gs_eval_options *o;
    gs_eval_task *et;
    double *last;             /* when the episode before it was tallied */
} eval_ctx;

static void on_episode(void *ud, uint64_t k, const gs_episode_result *ep, const gs_pictures *pics, double seconds) {
    (void)pics, (void)seconds;
    eval_ctx *c = ud;
    double t = now();
    c->et->episodes++;
    c->et->successes += (uint64_t)ep->success;
    c->et->wall_s += t - *c->last;
    *c->last = t;
    if (c->o->on_episode) c->o->on_episode(c->o->ud, c->et->name, k, ep, c->et->successes);
}

/* The tasks of the shard's part, with their episode ranges, as parts of
 * one run: every worker serves every task, in order. */
static gs_status eval_parts(const gs_eval_options *o, gs_policy_actor *actor, gs_eval_result *r,
                            const gs_shard_range *ranges, int n, char *err, size_t errlen) {
    gs_run_part *parts = calloc((size_t)(n ? n : 1), sizeof *parts);
    eval_ctx *ctx = calloc((size_t)(n ? n : 1), sizeof *ctx);
    double last = now();
    gs_status st = parts && ctx ? GS_OK : gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    uint64_t seed0 = gs_split_seed(o->seed, 0, o->task_opt.test_split);
    for (int i = 0; i < n && st == GS_OK; i++) {
        gs_eval_task *et = &r->tasks[i];
        et->path = o->tasks[ranges[i].task];
        et->first_seed = seed0 + ranges[i].lo;
        ctx[i] = (eval_ctx){o, et, &last};
        parts[i].task = et->path, parts[i].seed = seed0;
        parts[i].first = ranges[i].lo, parts[i].end = ranges[i].hi;
        parts[i].on_episode = on_episode, parts[i].ud = &ctx[i];
        st = gs_task_probe(et->path, &o->task_opt, et->name, err, errlen);
    }
    /* a given actor (a learned skill's) stands in for the policy */
    if (st == GS_OK && !o->actor) st = gs_policy_actor_init(actor, o->policy, err, errlen);
    if (st == GS_OK)
        st = gs__run_parts(parts, n, &o->task_opt, o->actor ? *o->actor : gs_policy_actor_get(actor), o->render,
                           &o->scale, err, errlen);
    double reward = 0;
    for (int i = 0; i < n && parts; i++) {
        if (!parts[i].r.episodes && !parts[i].ran) continue;
        r->ntasks = i + 1;
        r->tasks[i].mean_reward = parts[i].r.mean_reward;
        r->episodes += r->tasks[i].episodes;
        r->successes += r->tasks[i].successes;
        reward += parts[i].reward;
    }
    r->mean_reward = r->episodes ? reward / (double)r->episodes : 0;
    free(parts);
    free(ctx);
    return st;
}

gs_status gs_eval(const gs_eval_options *o, gs_eval_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    if ((!o->policy && !o->actor) || !o->tasks || o->ntasks < 1)
        return gs_fail(err, errlen, GS_ERR_USAGE, "gs_eval: a policy and at least one task");
    if (o->episodes < 1 || o->episodes > 1000000)
        return gs_fail(err, errlen, GS_ERR_USAGE, "episodes must be 1..1000000");
    gs_status st = gs_scale_check(&o->scale, err, errlen);
    if (st != GS_OK) return st;
    double t0 = now();
    r->first_seed = gs_split_seed(o->seed, 0, o->task_opt.test_split);
    r->policy_steps = o->policy ? gs_policy_steps(o->policy) : 0;
    r->shard = o->scale.shard;
    r->tasks = calloc((size_t)o->ntasks, sizeof *r->tasks);
    gs_shard_range *ranges = calloc((size_t)o->ntasks, sizeof *ranges);
    if (!r->tasks || !ranges) {
        free(ranges);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    }
    int n = gs_shard_plan(o->scale.shard, o->ntasks, o->episodes, ranges);
    gs_policy_actor actor;
    memset(&actor, 0, sizeof actor);
    st = eval_parts(o, &actor, r, ranges, n, err, errlen);
    free(ranges);
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
        if (r->shard.count > 1) cJSON_AddNumberToObject(t, "first_seed", (double)et->first_seed);
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
    if (r->shard.count > 1) {
        char shard[24];
        cJSON_AddStringToObject(j, "shard", gs_shard_text(r->shard, shard));
    }
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}
