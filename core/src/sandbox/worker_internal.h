/* sandbox/worker_internal.h (internal): what the worker's child side
 * (worker.c) and its parent side (pool.c) share. */
#ifndef GS_SANDBOX_WORKER_INTERNAL_H
#define GS_SANDBOX_WORKER_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "sandbox/worker.h"

/* The worker's own message types, below GSL_MSG_USER. */
enum { GSL__MSG_RESULT = 1, GSL__MSG_STUCK = 2 };
/* The largest message a child may send (a recorded episode fits). */
#define GSL__MAX_MESSAGE ((size_t)1 << 30)

/* Forks a child that runs fn(ud) under lim and reports on a socket whose
 * parent end goes to *fd. Returns the child's pid, or -1 with err. */
pid_t gsl__worker_spawn(gsl_worker_fn fn, void *ud, const gsl_worker_limits *lim, int *fd, char *err,
                        size_t errlen);
/* Writes all of data to a socket; 0 when the other end is gone. */
int gsl__send_all(int fd, const void *data, size_t len);

#endif
