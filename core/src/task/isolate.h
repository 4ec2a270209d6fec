/* task/isolate.h (internal): running a workflow's tasks in a supervised
 * worker (isolate.c). */
#ifndef GS_TASK_ISOLATE_H
#define GS_TASK_ISOLATE_H

#include "gensim/episode.h"
#include "sandbox/worker.h"

/* Address space a worker may add beyond the task's memory cap: Bullet,
 * the renderer, pictures, the allocator's arenas. */
#define GS_WORKER_OVERHEAD ((size_t)1 << 30)

/* Message types of the workflows (GSL_MSG_USER and up). */
enum { GS_MSG_BEAT = GSL_MSG_USER, GS_MSG_NAME, GS_MSG_EPISODE, GS_MSG_RESULT };

/* 1 when a workflow should run its tasks in a worker: not asked to stay in
 * process, and not already in a worker. */
int gs__isolated(const gs_task_options *o);
/* The limits of a task's worker. */
gsl_worker_limits gs__worker_limits(const gs_task_options *o, int allow_writes);
/* An observer that tells the parent after every action that the child lives. */
gs_observer gs__heartbeat(gsl_channel *c);

#endif
