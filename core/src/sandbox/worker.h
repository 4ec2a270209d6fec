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

/* 1 when children run under the system-call filter: built with libseccomp
 * and taken by the kernel (a kernel without seccomp, or valgrind, runs
 * them with their other limits only); the first call asks a worker. */
int gsl_worker_filtered(void);
/* 1 when the process is a worker's child (its work runs there). */
int gsl_worker_is_child(void);

#endif
