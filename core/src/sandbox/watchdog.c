/* watchdog.c: the sandbox's clock that does not depend on Lua running.
 *
 * The limit hook reads the clock only while Lua instructions run. Time spent
 * inside one C function (a library loop, a comparison of two long strings,
 * an allocation-heavy concatenation) passes unseen until it returns, and a
 * task can pack many such operations between two hook calls. So one thread
 * per process watches every sandbox call under way:
 *
 * - at the call's deadline it marks the sandbox expired and makes the hook
 *   of its main thread fire on every instruction (lua_sethook may be called
 *   asynchronously: Lua's own comment on it says so), so the next
 *   instruction trips the time limit, and the line hook of any coroutine
 *   sees the mark at its next line;
 * - GSL_STUCK_GRACE_S later, if the call has still not returned, the time
 *   is being spent in C that no hook will interrupt. Nothing in-process can
 *   stop it safely, so the watchdog hands a message to the stuck handler
 *   that the process installed: a supervised worker (worker.c) reports it
 *   to its parent and exits, and the parent carries on with the next task.
 *
 * The watchdog touches a sandbox only under its mutex and only while the
 * sandbox's call is registered, which is before the call returns and so
 * before the sandbox can be freed. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sandbox/sandbox_internal.h"

#define MAX_WATCHES 64

enum { WATCH_RUNNING, WATCH_EXPIRED, WATCH_STUCK };

typedef struct watch {
    gsl_sandbox *s;
    double deadline;   /* CLOCK_MONOTONIC seconds */
    int depth;         /* calls of this sandbox under way (a host function may call back) */
    int state;
} watch;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int cv_ready;
    watch w[MAX_WATCHES];
    int n;
    int started;
    double sleeps_until; /* when the thread looks next (INFINITY: when woken) */
    gsl_stuck_fn stuck;
} wd = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, {{0}}, 0, 0, INFINITY, NULL};

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static double mono_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A forked child has no watchdog thread and no calls under way: it starts
 * its own when it first needs one. */
static void atfork_prepare(void) { pthread_mutex_lock(&wd.mu); }
static void atfork_parent(void) { pthread_mutex_unlock(&wd.mu); }
static void atfork_child(void) {
    pthread_mutex_init(&wd.mu, NULL);
    wd.cv_ready = 0; /* the parent's thread waited on it: made anew, not destroyed */
    wd.n = 0;
    wd.started = 0;
    wd.sleeps_until = INFINITY;
}
static void register_atfork(void) { pthread_atfork(atfork_prepare, atfork_parent, atfork_child); }

/* Acts on every watch whose time has come; returns when to look next
 * (INFINITY when nothing is watched). Called with the mutex held. */
static double tend(double now) {
    double next = INFINITY;
    for (int i = 0; i < wd.n; i++) {
        watch *w = &wd.w[i];
        if (w->state == WATCH_RUNNING && now >= w->deadline) {
            w->state = WATCH_EXPIRED;
            gsl__expire(w->s);
        }
        if (w->state == WATCH_EXPIRED && now >= w->deadline + GSL_STUCK_GRACE_S) {
            w->state = WATCH_STUCK;
            char msg[512];
            gsl__stuck_message(w->s, msg, sizeof msg);
            if (wd.stuck) wd.stuck(msg);
        }
        if (w->state == WATCH_RUNNING && w->deadline < next) next = w->deadline;
        if (w->state == WATCH_EXPIRED && w->deadline + GSL_STUCK_GRACE_S < next) next = w->deadline + GSL_STUCK_GRACE_S;
    }
    return next;
}

static void *watchdog(void *arg) {
    (void)arg;
    pthread_mutex_lock(&wd.mu);
    for (;;) {
        double next = tend(mono_now());
        wd.sleeps_until = next;
        if (isinf(next)) {
            pthread_cond_wait(&wd.cv, &wd.mu);
            continue;
        }
        struct timespec at;
        double whole = floor(next);
        at.tv_sec = (time_t)whole;
        at.tv_nsec = (long)((next - whole) * 1e9);
        pthread_cond_timedwait(&wd.cv, &wd.mu, &at);
    }
    return NULL;
}

/* Starts the thread once per process (per child after a fork). */
static int start_locked(void) {
    if (wd.started) return 1;
    if (!wd.cv_ready) {
        pthread_condattr_t attr;
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&wd.cv, &attr);
        pthread_condattr_destroy(&attr);
        wd.cv_ready = 1;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    int ok = pthread_create(&thread, &attr, watchdog, NULL) == 0;
    pthread_attr_destroy(&attr);
    wd.started = ok;
    return ok;
}

void gsl__watch_begin(gsl_sandbox *s, double deadline) {
    if (isinf(deadline)) return;
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&wd.mu);
    int i = 0;
    while (i < wd.n && wd.w[i].s != s) i++;
    if (i < wd.n) {
        wd.w[i].depth++;
    } else if (wd.n < MAX_WATCHES && start_locked()) {
        wd.w[wd.n++] = (watch){s, deadline, 1, WATCH_RUNNING};
        /* Waking the thread costs a context switch, so only when it would
         * look too late: the calls of an episode share its deadline, and
         * after the first the thread already sleeps until then. */
        if (deadline < wd.sleeps_until) {
            wd.sleeps_until = deadline;
            pthread_cond_signal(&wd.cv);
        }
    }
    pthread_mutex_unlock(&wd.mu);
}

void gsl__watch_end(gsl_sandbox *s) {
    pthread_mutex_lock(&wd.mu);
    for (int i = 0; i < wd.n; i++)
        if (wd.w[i].s == s && --wd.w[i].depth == 0) {
            wd.w[i] = wd.w[--wd.n];
            break;
        }
    pthread_mutex_unlock(&wd.mu);
}

void gsl_sandbox_on_stuck(gsl_stuck_fn fn) {
    pthread_mutex_lock(&wd.mu);
    wd.stuck = fn;
    pthread_mutex_unlock(&wd.mu);
}
