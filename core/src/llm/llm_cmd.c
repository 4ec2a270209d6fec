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

gs_status gsh_run_command(const char *cmd, const char *input, size_t len, double timeout_s,
                          char **out, size_t *out_len, char *err, size_t errlen) {
    *out = NULL;
    if (out_len) *out_len = 0;
    int in_sock[2], out_pipe[2], err_pipe[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, in_sock) != 0)
        return gs_fail(err, errlen, GS_ERR_IO, "command: socketpair: %s", strerror(errno));
    if (pipe(out_pipe) != 0) {
        close(in_sock[0]);
        close(in_sock[1]);
        return gs_fail(err, errlen, GS_ERR_IO, "command: pipe: %s", strerror(errno));
    }
    if (pipe(err_pipe) != 0) {
        close(in_sock[0]);
        close(in_sock[1]);
        close(out_pipe[0]);
        close(out_pipe[1]);
        return gs_fail(err, errlen, GS_ERR_IO, "command: pipe: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        int fds[] = {in_sock[0], in_sock[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]};
        for (int i = 0; i < 6; i++) close(fds[i]);
        return gs_fail(err, errlen, GS_ERR_IO, "command: fork: %s", strerror(e));
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in_sock[1], 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        int fds[] = {in_sock[0], in_sock[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]};
        for (int i = 0; i < 6; i++) close(fds[i]);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid); /* also from here, so the kill below never races the child's own call */
    close(in_sock[1]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    int fd_in = in_sock[0], fd_out = out_pipe[0], fd_err = err_pipe[0];
    fcntl(fd_in, F_SETFL, fcntl(fd_in, F_GETFL) | O_NONBLOCK);
    if (len == 0) {
        close(fd_in);
        fd_in = -1;
    }

    bytes so = {0}, se = {0};
    size_t sent = 0;
    double deadline = now_s() + timeout_s;
    int timed_out = 0, too_big = 0, nomem = 0;
    while (fd_out >= 0 || fd_err >= 0) {
        double left = deadline - now_s();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd pf[3];
        int np = 0, i_in = -1, i_out = -1, i_err = -1;
        if (fd_in >= 0) pf[i_in = np++] = (struct pollfd){fd_in, POLLOUT, 0};
        if (fd_out >= 0) pf[i_out = np++] = (struct pollfd){fd_out, POLLIN, 0};
        if (fd_err >= 0) pf[i_err = np++] = (struct pollfd){fd_err, POLLIN, 0};
        int ms = (int)(left * 1000.0) + 1;
        int r = poll(pf, (nfds_t)np, ms);
        if (r < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (i_in >= 0 && pf[i_in].revents) {
            ssize_t w = send(fd_in, input + sent, len - sent, MSG_NOSIGNAL);
            if (w > 0) sent += (size_t)w;
            /* EPIPE: the child does not want the rest; that is its business. */
            if ((w < 0 && errno != EAGAIN && errno != EINTR) || sent == len) {
                close(fd_in);
                fd_in = -1;
            }
        }
        int idx[2] = {i_out, i_err};
        for (int k = 0; k < 2; k++) {
            if (idx[k] < 0 || !pf[idx[k]].revents) continue;
            int *fd = k == 0 ? &fd_out : &fd_err;
            bytes *b = k == 0 ? &so : &se;
            char buf[8192];
            ssize_t got = read(*fd, buf, sizeof buf);
            if (got > 0) {
                if (b->n + (size_t)got > GSH_MAX_RESPONSE) {
                    too_big = 1;
                } else if (!bytes_add(b, buf, (size_t)got)) {
                    nomem = 1;
                }
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                close(*fd);
                *fd = -1;
            }
        }
        if (too_big || nomem) break;
    }
    if (fd_in >= 0) close(fd_in);
    if (fd_out >= 0) close(fd_out);
    if (fd_err >= 0) close(fd_err);

    int status = 0;
    if (!(timed_out || too_big || nomem)) {
        /* Output closed; the child may still be running (it closed stdout
         * early): it gets the rest of the time. WNOWAIT leaves it a zombie,
         * so its pid (and group id) cannot be reused before the kill below. */
        for (;;) {
            siginfo_t info;
            memset(&info, 0, sizeof info);
            int w = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
            if ((w == 0 && info.si_pid == pid) || (w < 0 && errno != EINTR)) break;
            if (now_s() >= deadline) {
                timed_out = 1;
                break;
            }
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    /* The whole group goes: a timed-out child, or what a shell left behind. */
    kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }

    char ex[240];
    excerpt(&se, ex, sizeof ex);
    gs_status st = GS_OK;
    if (nomem) st = gs_fail(err, errlen, GS_ERR_NOMEM, "command: out of memory reading its output");
    else if (too_big)
        st = gs_fail(err, errlen, GS_ERR_LIMIT, "command printed more than %zu bytes; killed",
                     (size_t)GSH_MAX_RESPONSE);
    else if (timed_out)
        st = gs_fail(err, errlen, GS_ERR_LIMIT, "command timed out after %.3g s and was killed%s%s",
                     timeout_s, *ex ? "; stderr: " : "", ex);
    else if (WIFSIGNALED(status))
        st = gs_fail(err, errlen, GS_ERR_RUNTIME, "command killed by signal %d%s%s", WTERMSIG(status),
                     *ex ? "; stderr: " : "", ex);
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        st = gs_fail(err, errlen, GS_ERR_RUNTIME, "command exited with status %d%s%s",
                     WEXITSTATUS(status), *ex ? "; stderr: " : "", ex);
    free(se.p);
    if (st != GS_OK) {
        free(so.p);
        return st;
    }
    if (!so.p && !bytes_add(&so, "", 0))
        return gs_fail(err, errlen, GS_ERR_NOMEM, "command: out of memory");
    *out = so.p;
    if (out_len) *out_len = so.n;
    return GS_OK;
}
