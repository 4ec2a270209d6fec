/* sandbox/worker.h (internal): the supervised worker.
 *
 * Untrusted work (loading a task and running its episodes, a validation
 * run) runs in a forked child process, while the parent keeps what must
 * not be lost: the library, the transcript, the datasets. The child runs
 * under resource limits (address space, CPU time, no core files) and, where
 * libseccomp is available, a system-call filter (no new programs or
 * processes, no network, no tracing, and no writing to files unless the
 * work writes pictures). It reports to the parent in framed messages over a
 * socket. Whatever the child does to itself, the parent survives:
 *
 *   the child's work returned        its status and message, as if in-process
 *   a signal killed it (a crash)     GS_ERR_RUNTIME "task crashed the
 *                                    interpreter (signal N, NAME)"
 *   the sandbox watchdog found a     GS_ERR_LIMIT "file:line: time limit
 *   call stuck in C past its grace   exceeded ... stuck in a library function"
 *   no message within wall_s         GS_ERR_LIMIT (the child is killed)
 *
 * A fork costs about a millisecond (copy-on-write), so workflows fork per
 * task or per batch of episodes, never per step. */
#ifndef GS_SANDBOX_WORKER_H
#define GS_SANDBOX_WORKER_H

#include <signal.h>
#include <stddef.h>

#include "gensim/status.h"

typedef struct gsl_worker_limits {
    double wall_s;       /* kill the child after this long without a message; 0: no limit */
    double cpu_s;        /* the child's CPU seconds (RLIMIT_CPU); 0: no limit */
    size_t memory;       /* address space the child may add to what it was forked with; 0: no limit */
    int allow_writes;    /* 1: the child may create and write files (pictures) */
    const volatile sig_atomic_t *stop; /* nullable: once nonzero, the child is asked to stop
                                        * (gsl_channel_stop_asked), at most 0.1 s later */
} gsl_worker_limits;

/* The first type a caller's messages may use; lower ones are the worker's. */
#define GSL_MSG_USER 16

/* The child's end of the channel. */
typedef struct gsl_channel gsl_channel;
/* In the child: sends a message to the parent; GS_ERR_IO when the parent
 * is gone (the work should then end). */
gs_status gsl_channel_send(gsl_channel *c, int type, const void *data, size_t len);
/* In the child: 1 once the parent asked the work to stop (its lim->stop
 * was set) or is gone; the work should then finish what it has under way
 * and return. Costs one poll, never blocks. */
int gsl_channel_stop_asked(gsl_channel *c);

/* The work the child does. */
typedef gs_status (*gsl_worker_fn)(void *ud, gsl_channel *out, char *err, size_t errlen);
/* The parent's reader of the child's messages, in order; a failure ends
 * the worker (the child is killed) with that status. */
typedef gs_status (*gsl_message_fn)(void *ud, int type, const void *data, size_t len, char *err,
                                    size_t errlen);

/* Runs fn(ud) in a supervised child; returns its status and message, or
 * the parent's verdict on how the child ended (see above). */
gs_status gsl_worker_run(gsl_worker_fn fn, void *ud, const gsl_worker_limits *lim,
                         gsl_message_fn on_message, void *message_ud, char *err, size_t errlen);

/* ---- many workers at once (pool.c) ----
 *
 * A pool runs jobs (ids the caller chooses) in up to `workers` supervised
 * children at once, each as gsl_worker_run would run it. The parent is one
 * thread polling every child's socket, so the caller's callbacks run one at
 * a time, in the parent, and only the parent writes what is kept. A job
 * whose worker was lost (killed by a signal nothing in the task raised:
 * SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT; or gone without a result) is
 * started again, up to `retries` times, in a child forked from the parent
 * as it is then, so the work can go on from what the parent already has.
 * A crash the task caused (SIGSEGV, a forbidden call) is the job's verdict,
 * not retried: it would crash again. */
typedef struct gsl_pool gsl_pool;

typedef struct gsl_pool_ops {
    /* Parent: the next job to start, or -1 when none can start now (the
     * pool ends once none runs either). Not asked once a stop is set. */
    int (*next)(void *ud, gsl_pool *p);
    /* Child: the job's work. */
    gs_status (*work)(void *ud, int job, gsl_channel *out, char *err, size_t errlen);
    /* Parent (nullable): the job's messages, in order; a failure ends the
     * job's worker (killed) with that status. */
    gs_status (*message)(void *ud, gsl_pool *p, int job, int type, const void *data, size_t len, char *err,
                         size_t errlen);
    /* Parent: the job ended with st (why: its message). Another status
     * than GS_OK ends the pool: every other worker is killed, and
     * gsl_pool_run returns it with err filled in. */
    gs_status (*done)(void *ud, gsl_pool *p, int job, gs_status st, const char *why, char *err, size_t errlen);
    /* Parent (nullable): the job's worker was lost (why) and it starts again. */
    void (*retry)(void *ud, int job, const char *why);
    /* Parent (nullable): 0 leaves the job's messages unread for now, so its
     * child waits in its next send (back-pressure: the parent buffers only
     * what it can hold); its silence then is no hang. */
    int (*readable)(void *ud, int job);
    void *ud;
} gsl_pool_ops;

/* Runs jobs until next() has none and none runs, lim applying to every
 * child (lim->stop: every child is asked to stop, and no job starts).
 * GS_OK, or the status a done() returned, or a failure to start a child. */
gs_status gsl_pool_run(const gsl_pool_ops *ops, int workers, int retries, const gsl_worker_limits *lim,
                       char *err, size_t errlen);
/* From a callback: kills the job's worker now; nothing more of it is
 * reported (no messages, no done). A job not running is ignored. */
void gsl_pool_cancel(gsl_pool *p, int job);
/* Workers running now. */
int gsl_pool_running(const gsl_pool *p);

/* 1 when children run under the system-call filter: built with libseccomp
 * and taken by the kernel (a kernel without seccomp, or valgrind, runs
 * them with their other limits only); the first call asks a worker. */
int gsl_worker_filtered(void);
/* 1 when the process is a worker's child (its work runs there). */
int gsl_worker_is_child(void);

#endif
