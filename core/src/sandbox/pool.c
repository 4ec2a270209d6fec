/* pool.c: the parent's side of supervised workers (worker.h): one child
 * (gsl_worker_run) or many at once (gsl_pool_run), read by one poll loop.
 *
 * Why one thread polling N sockets rather than N threads each driving a
 * worker: the callbacks that keep results (an HDF5 file, a library) then
 * run one at a time with no locks, a fork never happens while another
 * thread holds a lock the child would inherit, and a stop or a cancel is
 * one loop's decision. */
#define _GNU_SOURCE /* strsignal */
#include "sandbox/worker.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/worker_internal.h"

/* What the parent has read of one child. */
typedef struct reader {
    char *buf;
    size_t len, cap;
    int got_result, stuck;
    gs_status result;
    char message[4096];
} reader;

/* One running child of a pool. */
typedef struct slot {
    int job;            /* -1: free */
    pid_t pid;
    int fd;
    int tries;          /* starts so far beyond the first */
    int asked_stop;     /* the stop byte was sent */
    int killed;         /* the parent killed it: a hang, a cancel, a failed reader */
    int cancelled;      /* gsl_pool_cancel: report nothing more */
    int hung;           /* no message within lim->wall_s */
    gs_status failed;   /* the parent's reader failed with this (GS_OK: did not) */
    char why[1024];     /* ... and this message */
    double last;        /* when it last spoke (or was last read) */
    reader r;
} slot;

struct gsl_pool {
    const gsl_pool_ops *ops;
    const gsl_worker_limits *lim;
    int nslots, retries;
    slot *slots;
};

/* One job of gsl_pool_run, as the child sees it. */
typedef struct job_call {
    const gsl_pool_ops *ops;
    int job;
} job_call;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static gs_status job_work(void *ud, gsl_channel *out, char *err, size_t errlen) {
    const job_call *c = ud;
    return c->ops->work(c->ops->ud, c->job, out, err, errlen);
}

static void start_job(gsl_pool *p, slot *s, int job, int tries, gs_status *st, char *err, size_t errlen) {
    job_call call = {p->ops, job};
    memset(s, 0, sizeof *s);
    s->job = job, s->tries = tries, s->fd = -1;
    s->pid = gsl__worker_spawn(job_work, &call, p->lim, &s->fd, err, errlen);
    if (s->pid < 0) {
        s->job = -1;
        *st = GS_ERR_IO;
    }
    s->last = now_s();
}

/* Hands every whole message in the slot's buffer to the pool's reader. */
static void dispatch(gsl_pool *p, slot *s) {
    reader *r = &s->r;
    size_t at = 0;
    while (!s->cancelled && s->failed == GS_OK && r->len - at >= 8) {
        uint32_t type, len;
        memcpy(&type, r->buf + at, 4);
        memcpy(&len, r->buf + at + 4, 4);
        if (r->len - at - 8 < len) break;
        const char *data = r->buf + at + 8;
        if (type == GSL__MSG_RESULT || type == GSL__MSG_STUCK) {
            int32_t code = GS_ERR_LIMIT;
            size_t off = 0;
            if (type == GSL__MSG_RESULT && len >= sizeof code) memcpy(&code, data, sizeof code), off = sizeof code;
            size_t n = len - off < sizeof r->message - 1 ? len - off : sizeof r->message - 1;
            memcpy(r->message, data + off, n);
            r->message[n] = 0;
            r->result = (gs_status)code;
            r->got_result = type == GSL__MSG_RESULT;
            r->stuck = type == GSL__MSG_STUCK;
        } else if (p->ops->message) {
            s->failed = p->ops->message(p->ops->ud, p, s->job, (int)type, data, len, s->why, sizeof s->why);
        }
        at += 8 + len;
    }
    memmove(r->buf, r->buf + at, r->len - at);
    r->len -= at;
}

/* Reads what the child sent; 0 once it closed its end (it ended). */
static int read_slot(gsl_pool *p, slot *s) {
    reader *r = &s->r;
    if (r->cap - r->len < 65536) {
        size_t cap = r->cap ? 2 * r->cap : 1 << 20;
        char *grown = r->len + 65536 <= GSL__MAX_MESSAGE + 16 ? realloc(r->buf, cap) : NULL;
        if (!grown) {
            s->failed = gs_fail(s->why, sizeof s->why, GS_ERR_NOMEM, "out of memory reading the task's worker");
            return 0;
        }
        r->buf = grown, r->cap = cap;
    }
    ssize_t got = read(s->fd, r->buf + r->len, r->cap - r->len);
    if (got < 0 && errno == EINTR) return 1;
    if (got <= 0) return 0;
    r->len += (size_t)got;
    s->last = now_s();
    dispatch(p, s);
    return s->failed == GS_OK && !s->cancelled;
}

/* Signals that say someone outside ended the worker, not the task. */
static int lost_signal(int sig) {
    return sig == SIGKILL || sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT;
}

/* The verdict on how the child ended; *lost when its worker was lost
 * rather than failed by its task. */
static gs_status verdict(const slot *s, const gsl_worker_limits *lim, int status, int *lost, char *err,
                         size_t errlen) {
    const reader *r = &s->r;
    *lost = 0;
    if (s->failed != GS_OK) return gs_fail(err, errlen, s->failed, "%s", s->why);
    if (s->hung)
        return gs_fail(err, errlen, GS_ERR_LIMIT, "the task's worker gave no sign of life for %g s; it was killed",
                       lim->wall_s);
    if (r->stuck) return gs_fail(err, errlen, GS_ERR_LIMIT, "%s", r->message);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (lost_signal(sig) && !s->killed) {
            *lost = 1;
            return gs_fail(err, errlen, GS_ERR_RUNTIME, "the worker was killed (signal %d, %s)", sig, strsignal(sig));
        }
        const char *why = sig == SIGXCPU ? " (its CPU time ran out)" : sig == SIGSYS ? " (a forbidden system call)" : "";
        return gs_fail(err, errlen, sig == SIGXCPU ? GS_ERR_LIMIT : GS_ERR_RUNTIME,
                       "task crashed the interpreter (signal %d, %s)%s", sig, strsignal(sig), why);
    }
    if (r->got_result) {
        if (r->result != GS_OK) return gs_fail(err, errlen, r->result, "%s", r->message);
        return GS_OK;
    }
    *lost = 1;
    return gs_fail(err, errlen, GS_ERR_RUNTIME, "the task's worker ended without a result (exit status %d)",
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Reaps a slot's child (killing it first when asked) and frees the slot. */
static int reap(slot *s, int kill_first) {
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    if (kill_first) {
        s->killed = 1;
        kill(s->pid, SIGKILL);
    }
    int status = 0;
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR) {
    }
    free(s->r.buf);
    s->r.buf = NULL;
    s->r.len = s->r.cap = 0;
    return status;
}

/* A slot's child ended: its verdict to done(), or a retry. */
static gs_status finish(gsl_pool *p, slot *s, int stopping, char *err, size_t errlen) {
    int job = s->job, tries = s->tries, cancelled = s->cancelled;
    int status = reap(s, s->failed != GS_OK || s->cancelled || s->hung);
    int lost;
    char why[4096] = ""; /* a verdict of GS_OK writes no message */
    gs_status st = verdict(s, p->lim, status, &lost, why, sizeof why);
    s->job = -1;
    if (cancelled) return GS_OK;
    if (lost && tries < p->retries && !stopping) {
        if (p->ops->retry) p->ops->retry(p->ops->ud, job, why);
        gs_status started = GS_OK;
        start_job(p, s, job, tries + 1, &started, err, errlen);
        return started;
    }
    if (lost && tries > 0) {
        size_t n = strlen(why);
        snprintf(why + n, sizeof why - n, ", and again when run once more");
    }
    return p->ops->done(p->ops->ud, p, job, st, why, err, errlen);
}

static void kill_all(gsl_pool *p) {
    for (int i = 0; i < p->nslots; i++)
        if (p->slots[i].job >= 0) {
            reap(&p->slots[i], 1);
            p->slots[i].job = -1;
        }
}

/* Starts jobs in free slots while next() has some. */
static gs_status fill(gsl_pool *p, char *err, size_t errlen) {
    gs_status st = GS_OK;
    for (int i = 0; i < p->nslots && st == GS_OK; i++) {
        if (p->slots[i].job >= 0) continue;
        int job = p->ops->next(p->ops->ud, p);
        if (job < 0) break;
        start_job(p, &p->slots[i], job, 0, &st, err, errlen);
    }
    return st;
}

/* One round: polls the children that may be read, reads them, and ends
 * those that ended or hung. */
static gs_status poll_round(gsl_pool *p, int stopping, char *err, size_t errlen) {
    const gsl_worker_limits *lim = p->lim;
    struct pollfd fds[p->nslots];
    int any_readable = 0;
    for (int i = 0; i < p->nslots; i++) {
        slot *s = &p->slots[i];
        int readable = s->job >= 0 && (!p->ops->readable || p->ops->readable(p->ops->ud, s->job));
        any_readable |= readable;
        fds[i] = (struct pollfd){readable ? s->fd : -1, POLLIN, 0};
        if (s->job >= 0 && stopping && !s->asked_stop) {
            s->asked_stop = 1;
            (void)gsl__send_all(s->fd, "", 1); /* a child already gone hears nothing: fine */
        }
    }
    if (!any_readable) /* nothing may be read: read the first anyway, or nothing moves */
        for (int i = 0; i < p->nslots && !any_readable; i++)
            if (p->slots[i].job >= 0) fds[i].fd = p->slots[i].fd, any_readable = 1;
    double t = now_s();
    int ms = lim->stop && !stopping ? 100 : -1;
    for (int i = 0; i < p->nslots && lim->wall_s > 0; i++) {
        if (fds[i].fd < 0) {
            p->slots[i].last = t; /* an unread child's silence is the parent's doing */
            continue;
        }
        int left = (int)((p->slots[i].last + lim->wall_s - t) * 1000) + 1;
        if (left < 0) left = 0;
        if (ms < 0 || left < ms) ms = left;
    }
    int rc = poll(fds, (nfds_t)p->nslots, ms);
    if (rc < 0 && errno != EINTR) return gs_fail(err, errlen, GS_ERR_IO, "worker: poll: %s", strerror(errno));
    gs_status st = GS_OK;
    t = now_s();
    for (int i = 0; i < p->nslots && st == GS_OK; i++) {
        slot *s = &p->slots[i];
        if (s->job < 0 || fds[i].fd < 0) continue;
        int alive = 1;
        if (rc > 0 && fds[i].revents) alive = read_slot(p, s);
        else if (lim->wall_s > 0 && t - s->last >= lim->wall_s) s->hung = 1, alive = 0;
        if (!alive) st = finish(p, s, stopping, err, errlen);
    }
    /* a callback cancelled a job that was not read this round */
    for (int i = 0; i < p->nslots && st == GS_OK; i++)
        if (p->slots[i].job >= 0 && p->slots[i].cancelled) st = finish(p, &p->slots[i], stopping, err, errlen);
    return st;
}

gs_status gsl_pool_run(const gsl_pool_ops *ops, int workers, int retries, const gsl_worker_limits *lim,
                       char *err, size_t errlen) {
    if (workers < 1) workers = 1;
    gsl_pool p = {ops, lim, workers, retries, calloc((size_t)workers, sizeof(slot))};
    if (!p.slots) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory for %d workers", workers);
    for (int i = 0; i < workers; i++) p.slots[i].job = -1, p.slots[i].fd = -1;
    gs_status st = GS_OK;
    for (;;) {
        int stopping = lim->stop && *lim->stop;
        if (!stopping) st = fill(&p, err, errlen);
        if (st != GS_OK || gsl_pool_running(&p) == 0) break;
        if ((st = poll_round(&p, stopping, err, errlen)) != GS_OK) break;
    }
    kill_all(&p);
    free(p.slots);
    return st;
}

void gsl_pool_cancel(gsl_pool *p, int job) {
    for (int i = 0; i < p->nslots; i++)
        if (p->slots[i].job == job && !p->slots[i].cancelled) {
            p->slots[i].cancelled = 1;
            p->slots[i].killed = 1;
            kill(p->slots[i].pid, SIGKILL);
        }
}

int gsl_pool_running(const gsl_pool *p) {
    int n = 0;
    for (int i = 0; i < p->nslots; i++) n += p->slots[i].job >= 0;
    return n;
}

/* ---- one worker ---- */

typedef struct single {
    gsl_worker_fn fn;
    void *ud;
    gsl_message_fn on_message;
    void *message_ud;
    int started;
    gs_status st;
    char why[4096];
} single;

static int single_next(void *ud, gsl_pool *p) {
    (void)p;
    single *s = ud;
    return s->started++ ? -1 : 0;
}

static gs_status single_work(void *ud, int job, gsl_channel *out, char *err, size_t errlen) {
    (void)job;
    single *s = ud;
    return s->fn(s->ud, out, err, errlen);
}

static gs_status single_message(void *ud, gsl_pool *p, int job, int type, const void *data, size_t len, char *err,
                                size_t errlen) {
    (void)p, (void)job;
    single *s = ud;
    return s->on_message ? s->on_message(s->message_ud, type, data, len, err, errlen) : GS_OK;
}

static gs_status single_done(void *ud, gsl_pool *p, int job, gs_status st, const char *why, char *err,
                             size_t errlen) {
    (void)p, (void)job, (void)err, (void)errlen;
    single *s = ud;
    s->st = st;
    snprintf(s->why, sizeof s->why, "%s", why);
    return GS_OK;
}

gs_status gsl_worker_run(gsl_worker_fn fn, void *ud, const gsl_worker_limits *lim,
                         gsl_message_fn on_message, void *message_ud, char *err, size_t errlen) {
    single s = {fn, ud, on_message, message_ud, 0, GS_OK, ""};
    gsl_pool_ops ops = {single_next, single_work, single_message, single_done, NULL, NULL, &s};
    gs_status st = gsl_pool_run(&ops, 1, 0, lim, err, errlen);
    if (st != GS_OK) return st;
    if (s.st != GS_OK) return gs_fail(err, errlen, s.st, "%s", s.why);
    return GS_OK;
}
