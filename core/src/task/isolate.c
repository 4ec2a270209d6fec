/* isolate.c: what the workflows share to run tasks in a supervised worker
 * (sandbox/worker.h): the limits a task's worker gets from its options,
 * and a heartbeat after every action, so the parent's clock measures one
 * action (its Lua bounded by the deadline, its physics by the robot's step
 * cap), never a whole episode. */
#include "task/isolate.h"

#include <string.h>

#include "gensim/workflow.h"

int gs_worker_filtered(void) { return gsl_worker_filtered(); }

int gs__isolated(const gs_task_options *o) { return !o->in_process && !gsl_worker_is_child(); }

gsl_worker_limits gs__worker_limits(const gs_task_options *o, int allow_writes) {
    gsl_worker_limits lim;
    memset(&lim, 0, sizeof lim);
    /* one action: the task's Lua (its deadline and the watchdog's grace),
     * then simulated steps; generous, since it only catches what nothing
     * else did */
    lim.wall_s = (o->limits.timeout_s > 0 ? o->limits.timeout_s : 10) + 1 + 30;
    lim.memory = o->limits.max_memory + GS_WORKER_OVERHEAD;
    lim.allow_writes = allow_writes;
    return lim;
}

static gs_status beat(void *ud, gs_task *t, int k, const gs_action_result *res, double reward, char *err,
                      size_t errlen) {
    (void)t, (void)k, (void)res, (void)reward;
    if (gsl_channel_send(ud, GS_MSG_BEAT, NULL, 0) != GS_OK)
        return gs_fail(err, errlen, GS_ERR_IO, "the worker's parent is gone");
    return GS_OK;
}

gs_observer gs__heartbeat(gsl_channel *c) {
    gs_observer o = {NULL, NULL, beat, NULL, NULL, c};
    return o;
}
