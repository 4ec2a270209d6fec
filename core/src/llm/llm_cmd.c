/* llm_cmd.c: the command provider's process runner.
 *
 * The child's stdin is one end of a socketpair, not a pipe, so a child that
 * exits without reading its input costs us EPIPE (send with MSG_NOSIGNAL)
 * rather than a SIGPIPE that would kill the host. stdin, stdout and stderr
 * are all served from one poll loop, so a child that writes a lot before
 * reading everything never deadlocks against us. The child leads its own
 * process group, so a timeout kills "sh -c" and whatever it started. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "llm/llm_internal.h"

/* A growing byte buffer, NUL-terminated. */
typedef struct bytes {
    char *p;
    size_t n, cap;
} bytes;

static int bytes_add(bytes *b, const char *src, size_t n) {
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A printable excerpt of the child's stderr for an error message. */
static void excerpt(const bytes *b, char *dst, size_t cap) {
    size_t n = b->n < cap - 1 ? b->n : cap - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)b->p[i];
        dst[i] = (ch < 32 || ch == 127) ? ' ' : (char)ch;
    }
    dst[n] = '\0';
    while (n > 0 && dst[n - 1] == ' ') dst[--n] = '\0';
}

/* A child's three pipes and what came of talking to it. */
typedef struct child {
    pid_t pid;
    int fd_in, fd_out, fd_err; /* -1 once closed */
    bytes out, errs;
    int timed_out, too_big, nomem;
} child;

static void close_all(const int *fds, int n) {
    for (int i = 0; i < n; i++) close(fds[i]);
}

/* Starts sh -c cmd in its own process group, its stdin a socket (so a write
 * to a child that stopped reading fails instead of raising SIGPIPE), its
 * stdout and stderr pipes. */
static gs_status spawn(const char *cmd, child *c, char *err, size_t errlen) {
    int in_sock[2], out_pipe[2], err_pipe[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, in_sock) != 0)
        return gs_fail(err, errlen, GS_ERR_IO, "command: socketpair: %s", strerror(errno));
    if (pipe(out_pipe) != 0) {
        close_all(in_sock, 2);
        return gs_fail(err, errlen, GS_ERR_IO, "command: pipe: %s", strerror(errno));
    }
    if (pipe(err_pipe) != 0) {
        close_all(in_sock, 2);
        close_all(out_pipe, 2);
        return gs_fail(err, errlen, GS_ERR_IO, "command: pipe: %s", strerror(errno));
    }
    int fds[] = {in_sock[0], in_sock[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]};
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close_all(fds, 6);
        return gs_fail(err, errlen, GS_ERR_IO, "command: fork: %s", strerror(e));
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in_sock[1], 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        close_all(fds, 6);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid); /* also from here, so the kill below never races the child's own call */
    close(in_sock[1]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    c->pid = pid;
    c->fd_in = in_sock[0], c->fd_out = out_pipe[0], c->fd_err = err_pipe[0];
    fcntl(c->fd_in, F_SETFL, fcntl(c->fd_in, F_GETFL) | O_NONBLOCK);
    return GS_OK;
}

/* Reads what is ready on *fd into b; closes it at the end of its output. */
static void drain(child *c, int *fd, bytes *b) {
    char buf[8192];
    ssize_t got = read(*fd, buf, sizeof buf);
    if (got > 0) {
        if (b->n + (size_t)got > GSH_MAX_RESPONSE) c->too_big = 1;
        else if (!bytes_add(b, buf, (size_t)got)) c->nomem = 1;
    } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(*fd);
        *fd = -1;
    }
}

/* Feeds the input and collects both outputs until they close, the
 * deadline passes, or too much arrives. */
static void exchange(child *c, const char *input, size_t len, double deadline) {
    size_t sent = 0;
    if (len == 0) close(c->fd_in), c->fd_in = -1;
    while (c->fd_out >= 0 || c->fd_err >= 0) {
        double left = deadline - now_s();
        if (left <= 0) {
            c->timed_out = 1;
            return;
        }
        struct pollfd pf[3];
        int np = 0, i_in = -1, i_out = -1, i_err = -1;
        if (c->fd_in >= 0) pf[i_in = np++] = (struct pollfd){c->fd_in, POLLOUT, 0};
        if (c->fd_out >= 0) pf[i_out = np++] = (struct pollfd){c->fd_out, POLLIN, 0};
        if (c->fd_err >= 0) pf[i_err = np++] = (struct pollfd){c->fd_err, POLLIN, 0};
        int r = poll(pf, (nfds_t)np, (int)(left * 1000.0) + 1);
        if (r < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (i_in >= 0 && pf[i_in].revents) {
            ssize_t w = send(c->fd_in, input + sent, len - sent, MSG_NOSIGNAL);
            if (w > 0) sent += (size_t)w;
            /* EPIPE: the child does not want the rest; that is its business. */
            if ((w < 0 && errno != EAGAIN && errno != EINTR) || sent == len) close(c->fd_in), c->fd_in = -1;
        }
        if (i_out >= 0 && pf[i_out].revents) drain(c, &c->fd_out, &c->out);
        if (i_err >= 0 && pf[i_err].revents) drain(c, &c->fd_err, &c->errs);
        if (c->too_big || c->nomem) return;
    }
}

/* Waits (until the deadline) for a child whose output closed, then kills
 * its whole group and reaps it; returns its wait status. */
static int reap(child *c, double deadline) {
    if (!(c->timed_out || c->too_big || c->nomem)) {
        /* The child may still run (it closed stdout early): it gets the rest
         * of the time. WNOWAIT leaves it a zombie, so its pid (and group id)
         * cannot be reused before the kill below. */
        for (;;) {
            siginfo_t info;
            memset(&info, 0, sizeof info);
            int w = waitid(P_PID, (id_t)c->pid, &info, WEXITED | WNOHANG | WNOWAIT);
            if ((w == 0 && info.si_pid == c->pid) || (w < 0 && errno != EINTR)) break;
            if (now_s() >= deadline) {
                c->timed_out = 1;
                break;
            }
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    /* The whole group goes: a timed-out child, or what a shell left behind. */
    kill(-c->pid, SIGKILL);
    int status = 0;
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

/* What the run came to, with an excerpt of the child's stderr. */
static gs_status verdict(const child *c, int status, double timeout_s, char *err, size_t errlen) {
    char ex[240];
    excerpt(&c->errs, ex, sizeof ex);
    const char *lead = *ex ? "; stderr: " : "";
    if (c->nomem) return gs_fail(err, errlen, GS_ERR_NOMEM, "command: out of memory reading its output");
    if (c->too_big)
        return gs_fail(err, errlen, GS_ERR_LIMIT, "command printed more than %zu bytes; killed",
                       (size_t)GSH_MAX_RESPONSE);
    if (c->timed_out)
        return gs_fail(err, errlen, GS_ERR_LIMIT, "command timed out after %.3g s and was killed%s%s",
                       timeout_s, lead, ex);
    if (WIFSIGNALED(status))
        return gs_fail(err, errlen, GS_ERR_RUNTIME, "command killed by signal %d%s%s", WTERMSIG(status), lead, ex);
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return gs_fail(err, errlen, GS_ERR_RUNTIME, "command exited with status %d%s%s", WEXITSTATUS(status),
                       lead, ex);
    return GS_OK;
}

gs_status gsh_run_command(const char *cmd, const char *input, size_t len, double timeout_s,
                          char **out, size_t *out_len, char *err, size_t errlen) {
    *out = NULL;
    if (out_len) *out_len = 0;
    child c;
    memset(&c, 0, sizeof c);
    gs_status st = spawn(cmd, &c, err, errlen);
    if (st != GS_OK) return st;
    double deadline = now_s() + timeout_s;
    exchange(&c, input, len, deadline);
    int fds[] = {c.fd_in, c.fd_out, c.fd_err};
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0) close(fds[i]);
    int status = reap(&c, deadline);
    st = verdict(&c, status, timeout_s, err, errlen);
    free(c.errs.p);
    if (st != GS_OK) {
        free(c.out.p);
        return st;
    }
    if (!c.out.p && !bytes_add(&c.out, "", 0)) return gs_fail(err, errlen, GS_ERR_NOMEM, "command: out of memory");
    *out = c.out.p;
    if (out_len) *out_len = c.out.n;
    return GS_OK;
}
