/* worker.c: the supervised worker (worker.h). */
#define _GNU_SOURCE /* strsignal, MSG_NOSIGNAL */
#include "sandbox/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef GS_HAVE_SECCOMP
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/syscall.h>
#endif

#include "sandbox/sandbox.h"

/* The worker's own message types, below GSL_MSG_USER. */
enum { MSG_RESULT = 1, MSG_STUCK = 2 };
/* The largest message a child may send (a recorded episode fits). */
#define MAX_MESSAGE ((size_t)1 << 30)

struct gsl_channel {
    int fd;
    int stop_asked;
};

static int in_child;
static int child_filtered; /* in a child: 1 when its system-call filter is on */
static gsl_channel *child_channel; /* for the stuck handler */

int gsl_worker_is_child(void) { return in_child; }

#ifdef GS_HAVE_SECCOMP
static gs_status probe_child(void *ud, gsl_channel *out, char *err, size_t errlen) {
    (void)ud, (void)err, (void)errlen;
    char filtered = (char)child_filtered;
    return gsl_channel_send(out, GSL_MSG_USER, &filtered, 1);
}

static gs_status probe_message(void *ud, int type, const void *data, size_t len, char *err, size_t errlen) {
    (void)type, (void)err, (void)errlen;
    if (len == 1) *(int *)ud = *(const char *)data != 0;
    return GS_OK;
}
#endif

int gsl_worker_filtered(void) {
#ifdef GS_HAVE_SECCOMP
    if (in_child) return child_filtered;
    /* built with the filter; whether the kernel takes it, a worker says */
    static int known = -1;
    if (known < 0) {
        int filtered = 0;
        char err[256];
        gsl_worker_limits lim = {10, 10, 0, 0, NULL};
        if (gsl_worker_run(probe_child, NULL, &lim, probe_message, &filtered, err, sizeof err) != GS_OK) filtered = 0;
        known = filtered;
    }
    return known;
#else
    return 0;
#endif
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int send_all(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 0;
        p += w, len -= (size_t)w;
    }
    return 1;
}

gs_status gsl_channel_send(gsl_channel *c, int type, const void *data, size_t len) {
    uint32_t head[2] = {(uint32_t)type, (uint32_t)len};
    if (len > MAX_MESSAGE || !send_all(c->fd, head, sizeof head) || (len && !send_all(c->fd, data, len)))
        return GS_ERR_IO;
    return GS_OK;
}

/* ---- the child ---- */

/* The parent writes one byte to ask for a stop; a closed socket (the
 * parent is gone) asks the same. */
int gsl_channel_stop_asked(gsl_channel *c) {
    if (c->stop_asked) return 1;
    struct pollfd p = {c->fd, POLLIN, 0};
    if (poll(&p, 1, 0) > 0) c->stop_asked = 1;
    return c->stop_asked;
}

/* The watchdog found the task's call stuck in C: tell the parent, leave. */
static void on_stuck(const char *message) {
    if (child_channel) gsl_channel_send(child_channel, MSG_STUCK, message, strlen(message));
    _exit(3);
}

/* The address space the child has now, bytes (its limit adds to it). */
static size_t address_space(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1) pages = 0;
        fclose(f);
    }
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

static void limit(int resource, rlim_t value) {
    struct rlimit r = {value, value};
    setrlimit(resource, &r);
}

#ifdef GS_HAVE_SECCOMP
/* No new programs or processes, no network, no tracing or system
 * administration; without allow_writes, no file opened for writing and no
 * change to the file system. Everything else (memory, threads, reading
 * files, the socket to the parent) is the work's. */
static int install_filter(int allow_writes) {
    /* a kernel without seccomp (or valgrind, which does not know the call)
     * answers ENOSYS: the work then runs with its other limits only */
    uint32_t action = SECCOMP_RET_KILL_PROCESS;
    if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0 && (errno == ENOSYS || errno == EINVAL))
        return -1;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) return 0;
    int loaded;
    static const int killed[] = {
        SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork), SCMP_SYS(vfork), SCMP_SYS(ptrace),
        SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev), SCMP_SYS(mount), SCMP_SYS(umount2),
        SCMP_SYS(pivot_root), SCMP_SYS(chroot), SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(bpf),
        SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd), SCMP_SYS(keyctl), SCMP_SYS(add_key),
        SCMP_SYS(request_key), SCMP_SYS(init_module), SCMP_SYS(finit_module), SCMP_SYS(delete_module),
        SCMP_SYS(kexec_load), SCMP_SYS(reboot), SCMP_SYS(swapon), SCMP_SYS(swapoff),
        SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setreuid), SCMP_SYS(setregid),
        SCMP_SYS(setresuid), SCMP_SYS(setresgid), SCMP_SYS(personality), SCMP_SYS(iopl),
        SCMP_SYS(ioperm), SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at)};
    static const int refused[] = {SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(connect),
                                  SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept), SCMP_SYS(accept4)};
    int ok = 1;
    for (size_t i = 0; i < sizeof killed / sizeof killed[0]; i++)
        ok &= seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, killed[i], 0) == 0;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        ok &= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), refused[i], 0) == 0;
    /* threads (OpenBLAS's, the watchdog's) but no processes */
    ok &= seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(clone), 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0)) == 0;
    ok &= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) == 0;
    if (!allow_writes) {
        const int write_flags[] = {O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND};
        for (size_t i = 0; i < sizeof write_flags / sizeof write_flags[0]; i++) {
            scmp_datum_t f = (scmp_datum_t)write_flags[i];
            ok &= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, f, f)) == 0;
            ok &= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, f, f)) == 0;
        }
        static const int changes[] = {SCMP_SYS(creat), SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
                                      SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(mkdir), SCMP_SYS(mkdirat),
                                      SCMP_SYS(rmdir), SCMP_SYS(link), SCMP_SYS(linkat), SCMP_SYS(symlink),
                                      SCMP_SYS(symlinkat), SCMP_SYS(truncate), SCMP_SYS(chmod), SCMP_SYS(fchmodat),
                                      SCMP_SYS(chown), SCMP_SYS(fchownat), SCMP_SYS(lchown), SCMP_SYS(mknod),
                                      SCMP_SYS(mknodat)};
        for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
            ok &= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), changes[i], 0) == 0;
    }
    loaded = ok ? seccomp_load(ctx) : -1;
    seccomp_release(ctx);
    return ok && loaded == 0;
}
#endif

/* The child's whole life: limits, filter, the work, its result. */
static void child_main(int fd, gsl_worker_fn fn, void *ud, const gsl_worker_limits *lim) {
    in_child = 1;
    /* The parent's files stay the parent's: an inherited descriptor would
     * keep its locks (HDF5's) and its files open after the parent closed them. */
    if (fd > 3) close_range(3, (unsigned)fd - 1, 0);
    close_range((unsigned)fd + 1, ~0u, 0);
    static gsl_channel channel;
    channel.fd = fd, channel.stop_asked = 0;
    child_channel = &channel;
    limit(RLIMIT_CORE, 0);
    if (lim->cpu_s > 0) limit(RLIMIT_CPU, (rlim_t)(lim->cpu_s + 1));
    if (lim->memory > 0) limit(RLIMIT_AS, (rlim_t)(address_space() + lim->memory));
    gsl_sandbox_on_stuck(on_stuck);
#ifdef GS_HAVE_SECCOMP
    int filter = install_filter(lim->allow_writes);
    child_filtered = filter == 1;
    if (filter == 0) {
        static const char msg[] = "worker: the system-call filter could not be installed";
        int32_t st = GS_ERR_IO;
        char buf[sizeof st + sizeof msg];
        memcpy(buf, &st, sizeof st);
        memcpy(buf + sizeof st, msg, sizeof msg - 1);
        gsl_channel_send(&channel, MSG_RESULT, buf, sizeof st + sizeof msg - 1);
        _exit(2);
    }
#endif
    char err[4096] = "";
    int32_t st = (int32_t)fn(ud, &channel, err, sizeof err);
    char buf[sizeof st + sizeof err];
    size_t n = strlen(err);
    memcpy(buf, &st, sizeof st);
    memcpy(buf + sizeof st, err, n);
    gsl_channel_send(&channel, MSG_RESULT, buf, sizeof st + n);
    _exit(0);
}

/* ---- the parent ---- */

typedef struct reader {
    char *buf;
    size_t len, cap;
    int got_result, stuck;
    gs_status result;
    char message[4096];
} reader;

/* Hands every whole message in r->buf to its reader; keeps the rest. */
static gs_status dispatch(reader *r, gsl_message_fn on_message, void *mud, char *err, size_t errlen) {
    size_t at = 0;
    gs_status st = GS_OK;
    while (st == GS_OK && r->len - at >= 8) {
        uint32_t type, len;
        memcpy(&type, r->buf + at, 4);
        memcpy(&len, r->buf + at + 4, 4);
        if (r->len - at - 8 < len) break;
        const char *data = r->buf + at + 8;
        if (type == MSG_RESULT || type == MSG_STUCK) {
            int32_t code = GS_ERR_LIMIT;
            size_t off = 0;
            if (type == MSG_RESULT && len >= sizeof code) memcpy(&code, data, sizeof code), off = sizeof code;
            size_t n = len - off < sizeof r->message - 1 ? len - off : sizeof r->message - 1;
            memcpy(r->message, data + off, n);
            r->message[n] = 0;
            r->result = (gs_status)code;
            r->got_result = type == MSG_RESULT;
            r->stuck = type == MSG_STUCK;
        } else if (on_message) {
            st = on_message(mud, (int)type, data, len, err, errlen);
        }
        at += 8 + len;
    }
    memmove(r->buf, r->buf + at, r->len - at);
    r->len -= at;
    return st;
}

/* Reads the child's messages until it closes its end; GS_ERR_LIMIT when
 * none came for lim->wall_s. Once *lim->stop is set, asks the child to
 * stop (one byte on the socket) and goes on reading what it finishes. */
static gs_status read_child(int fd, const gsl_worker_limits *lim, reader *r, gsl_message_fn on_message,
                            void *mud, char *err, size_t errlen) {
    double last = now_s();
    int asked = 0;
    for (;;) {
        if (lim->stop && *lim->stop && !asked) {
            asked = 1;
            (void)send_all(fd, "", 1); /* a child already gone hears nothing: fine */
        }
        int ms = lim->stop && !asked ? 100 : -1;
        if (lim->wall_s > 0) {
            double left = last + lim->wall_s - now_s();
            if (left <= 0)
                return gs_fail(err, errlen, GS_ERR_LIMIT, "the task's worker gave no sign of life for %g s; it was killed",
                               lim->wall_s);
            int wall_ms = (int)(left * 1000) + 1;
            if (ms < 0 || wall_ms < ms) ms = wall_ms;
        }
        struct pollfd p = {fd, POLLIN, 0};
        int rc = poll(&p, 1, ms);
        if (rc <= 0) continue; /* a timeout, or EINTR (a signal: perhaps the stop) */
        if (r->cap - r->len < 65536) {
            size_t cap = r->cap ? 2 * r->cap : 1 << 20;
            char *grown = r->len + 65536 <= MAX_MESSAGE + 16 ? realloc(r->buf, cap) : NULL;
            if (!grown) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory reading the task's worker");
            r->buf = grown, r->cap = cap;
        }
        ssize_t got = read(fd, r->buf + r->len, r->cap - r->len);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return GS_OK; /* the child closed its end: it ended */
        r->len += (size_t)got;
        last = now_s();
        gs_status st = dispatch(r, on_message, mud, err, errlen);
        if (st != GS_OK) return st;
    }
}

/* The verdict on how the child ended. */
static gs_status verdict(const reader *r, int status, char *err, size_t errlen) {
    if (r->stuck) return gs_fail(err, errlen, GS_ERR_LIMIT, "%s", r->message);
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *why = sig == SIGXCPU ? " (its CPU time ran out)" : sig == SIGSYS ? " (a forbidden system call)" : "";
        return gs_fail(err, errlen, sig == SIGXCPU ? GS_ERR_LIMIT : GS_ERR_RUNTIME,
                       "task crashed the interpreter (signal %d, %s)%s", sig, strsignal(sig), why);
    }
    if (r->got_result) {
        if (r->result != GS_OK) return gs_fail(err, errlen, r->result, "%s", r->message);
        return GS_OK;
    }
    return gs_fail(err, errlen, GS_ERR_RUNTIME, "the task's worker ended without a result (exit status %d)",
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

gs_status gsl_worker_run(gsl_worker_fn fn, void *ud, const gsl_worker_limits *lim,
                         gsl_message_fn on_message, void *message_ud, char *err, size_t errlen) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return gs_fail(err, errlen, GS_ERR_IO, "worker: socketpair: %s", strerror(errno));
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(sv[0]), close(sv[1]);
        return gs_fail(err, errlen, GS_ERR_IO, "worker: fork: %s", strerror(e));
    }
    if (pid == 0) {
        close(sv[0]);
        child_main(sv[1], fn, ud, lim);
    }
    close(sv[1]);
    reader r;
    memset(&r, 0, sizeof r);
    gs_status st = read_child(sv[0], lim, &r, on_message, message_ud, err, errlen);
    if (st == GS_OK && r.len > 0) st = dispatch(&r, on_message, message_ud, err, errlen);
    close(sv[0]);
    if (st != GS_OK) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (st == GS_OK) st = verdict(&r, status, err, errlen);
    free(r.buf);
    return st;
}
