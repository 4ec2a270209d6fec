/* run.c: gs_run, the episodes of one task (workflow.h), and the seeds of
 * the two splits. */
#include "gensim/workflow.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "gensim/io.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

uint64_t gs_split_seed(uint64_t s, uint64_t k, int test_split) {
    return s + k + (test_split ? GS_TEST_SEED_OFFSET : 0);
}

gs_run_options gs_run_options_default(void) {
    gs_run_options o;
    memset(&o, 0, sizeof o);
    o.task_opt = gs_task_options_default();
    o.episodes = 1;
    o.actor = gs_actor_oracle();
    return o;
}

gs_status gs_run(const gs_run_options *o, gs_run_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    r->digest = GSU_FNV_OFFSET;
    if (o->episodes < 1 || o->episodes > 1000000)
        return gs_fail(err, errlen, GS_ERR_USAGE, "episodes must be 1..1000000, not %" PRIu64, o->episodes);
    if (o->seed > UINT64_MAX - o->episodes) return gs_fail(err, errlen, GS_ERR_USAGE, "the seeds overflow");
    gs_status st;
    if (o->render && (st = gs_make_dirs(o->render, err, errlen)) != GS_OK) return st;
    double t0 = now();
    gs_task *t;
    if ((st = gs_task_load(o->task, &o->task_opt, &t, err, errlen)) != GS_OK) return st;
    snprintf(r->task, sizeof r->task, "%s", gs_task_name(t));
    gs_pictures *pics = o->render ? calloc(1, sizeof *pics) : NULL;
    if (o->render && !pics) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory for pictures");
    gs_observer observer;
    if (pics) {
        pics->dir = o->render, pics->clip = 1;
        observer = gs_pictures_observer(pics);
    }
    double reward = 0;
    for (uint64_t e = 0; e < o->episodes && st == GS_OK; e++) {
        gs_episode_result ep;
        double e0 = now();
        st = gs_episode_run(t, o->seed + e, o->actor, pics ? &observer : NULL, pics ? 1 : 0, &ep, err, errlen);
        if (st != GS_OK) break;
        if (pics && pics->status != GS_OK) {
            st = gs_fail(err, errlen, pics->status, "%s", pics->err);
            break;
        }
        r->episodes++;
        r->successes += (uint64_t)ep.success;
        reward += ep.reward;
        r->sim_steps += ep.sim_steps;
        r->digest = gsu_fnv1a(r->digest, &ep.digest, sizeof ep.digest);
        if (o->on_episode) o->on_episode(o->ud, e, &ep, pics, now() - e0);
    }
    r->mean_reward = r->episodes ? reward / (double)r->episodes : 0;
    r->wall_s = now() - t0;
    free(pics);
    gs_task_free(t);
    return st;
}

char *gs_run_result_json(const gs_run_result *r) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, r->digest);
    double n = (double)r->episodes;
    cJSON_AddStringToObject(o, "task", r->task);
    cJSON_AddNumberToObject(o, "episodes", n);
    cJSON_AddNumberToObject(o, "successes", (double)r->successes);
    cJSON_AddNumberToObject(o, "success_rate", n > 0 ? (double)r->successes / n : 0);
    cJSON_AddNumberToObject(o, "mean_reward", r->mean_reward);
    cJSON_AddNumberToObject(o, "sim_steps", (double)r->sim_steps);
    cJSON_AddNumberToObject(o, "wall_s", r->wall_s);
    cJSON_AddNumberToObject(o, "episodes_per_s", r->wall_s > 0 ? n / r->wall_s : 0);
    cJSON_AddStringToObject(o, "digest", hex);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}
