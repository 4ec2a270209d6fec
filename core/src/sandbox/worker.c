/* worker.c: the supervised worker (worker.h): the child's side; the
 * parent's (reading, verdicts, many at once) is pool.c. */
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
#include "sandbox/worker_internal.h"

enum { MSG_RESULT = GSL__MSG_RESULT, MSG_STUCK = GSL__MSG_STUCK };
#define MAX_MESSAGE GSL__MAX_MESSAGE

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

int gsl__send_all(int fd, const void *data, size_t len) {
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
    if (len > MAX_MESSAGE || !gsl__send_all(c->fd, head, sizeof head) || (len && !gsl__send_all(c->fd, data, len)))
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
    /* ...and the parent waits for this byte before it goes on, so it never
     * reopens a file whose lock a child not yet this far still shares */
    (void)gsl__send_all(fd, "", 1);
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

pid_t gsl__worker_spawn(gsl_worker_fn fn, void *ud, const gsl_worker_limits *lim, int *fd, char *err,
                        size_t errlen) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        gs_fail(err, errlen, GS_ERR_IO, "worker: socketpair: %s", strerror(errno));
        return -1;
    }
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(sv[0]), close(sv[1]);
        gs_fail(err, errlen, GS_ERR_IO, "worker: fork: %s", strerror(e));
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        child_main(sv[1], fn, ud, lim);
    }
    close(sv[1]);
    *fd = sv[0];
    /* the child has closed the parent's files once its first byte comes
     * (or it is gone) */
    char ready;
    struct pollfd p = {sv[0], POLLIN, 0};
    while (poll(&p, 1, 10000) < 0 && errno == EINTR) {
    }
    while (recv(sv[0], &ready, 1, MSG_DONTWAIT) < 0 && errno == EINTR) {
    }
    return pid;
}
