/* dataset_check.c: a dataset checked in a child process before the parent
 * reads it: libhdf5 crashes or hangs on some malformed files, so a forked
 * child reads every episode first and reports which it refused; a crash or
 * a stall there is the file's fault, and the parent carries on. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "io/dataset_internal.h"

#define MAX_REFUSAL_MESSAGES 100

/* Present in sanitizer builds only. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/* How long the child may go without checking an episode, in ms:
 * GENSIM_DATASET_CHECK_MS, else 5000. */
static int check_stall_ms(void) {
    const char *v = getenv("GENSIM_DATASET_CHECK_MS");
    long ms = v && *v ? strtol(v, NULL, 10) : 0;
    return ms > 0 && ms <= 3600000 ? (int)ms : 5000;
}

void gs__refusals_free(refusals *r) {
    for (size_t i = 0; i < r->n; i++) free(r->list[i].message);
    free(r->list);
    memset(r, 0, sizeof *r);
}

/* Records that episode index was refused (message nullable); 0 when out
 * of memory. */
static int refusals_add(refusals *r, int64_t index, const char *message) {
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        refusal *list = realloc(r->list, cap * sizeof *list);
        if (!list) return 0;
        r->list = list, r->cap = cap;
    }
    r->list[r->n].index = index;
    r->list[r->n].message = message && r->n < MAX_REFUSAL_MESSAGES ? strdup(message) : NULL;
    r->n++;
    return 1;
}

/* The child: reads what the reader will read of the file, but the pixels,
 * reporting each episode ('.', or '!', why and a NUL when the reader
 * refuses it) and then 'S', the open's status as a digit and its message.
 * A refused episode does not fail the open: the caller hears of it when it
 * reads that episode (from the list the parent keeps, since check_chunks
 * runs in the child only). Never returns. */
static void check_walk(const char *path, int fd) {
    gs__dataset_checking_child = 1;
    char err[1024] = "", why[1024];
    gs_dataset *ds = NULL;
    gs_status st = gs__dataset_open_here(path, &ds, err, sizeof err);
    gs_dataset_episode ep;
    memset(&ep, 0, sizeof ep);
    for (int64_t i = 0; st == GS_OK && i < ds->info.episodes; i++) {
        if (gs_dataset_read_episode(ds, i, 0, &ep, why, sizeof why) == GS_OK) {
            if (write(fd, ".", 1) != 1) _exit(1);
        } else {
            size_t n = strlen(why) + 1;
            if (write(fd, "!", 1) != 1 || write(fd, why, n) != (ssize_t)n) _exit(1);
        }
    }
    char head[2] = {'S', (char)('0' + (int)st)};
    size_t n = st == GS_OK ? 0 : strlen(err);
    if (write(fd, head, 2) != 2 || (n && write(fd, err, n) != (ssize_t)n)) _exit(1);
    _exit(0);
}

/* Runs check_walk in a child and turns what became of it into a status:
 * the child's own answer, or a message when it crashed or stalled; the
 * episodes it refused go to refused. */
gs_status gs__dataset_check_in_child(const char *path, refusals *refused, char *err, size_t errlen) {
    int fds[2];
    if (pipe(fds) != 0)
        return gs_fail(err, errlen, GS_ERR_IO, "cannot check %s: %s", path, strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]), close(fds[1]);
        return gs_fail(err, errlen, GS_ERR_IO, "cannot check %s: fork: %s", path, strerror(e));
    }
    if (pid == 0) {
        close(fds[0]);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* no orphan looping in libhdf5 */
#endif
        /* The child's death is the parent's to report: not on the caller's
         * stderr (a sanitizer's report of libhdf5, say), not by the
         * caller's crash handlers or a sanitizer's death callback (a
         * fuzzer's, which would file the input as its own crash). */
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 2), close(null);
        static const int deadly[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
        for (size_t i = 0; i < sizeof deadly / sizeof deadly[0]; i++) signal(deadly[i], SIG_DFL);
        if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(NULL);
        check_walk(path, fds[1]);
    }
    close(fds[1]);
    const int stall_ms = check_stall_ms();
    long episodes = 0;
    int answered = 0, stalled = 0, in_refusal = 0, nomem = 0;
    char msg[1024], why[1024];
    size_t len = 0, wlen = 0;
    for (;;) {
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int r = poll(&pfd, 1, stall_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) {
            stalled = 1;
            break;
        }
        char buf[512];
        ssize_t got = read(fds[0], buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        for (ssize_t i = 0; i < got; i++) {
            char c = buf[i];
            if (answered) {
                if (len + 1 < sizeof msg) msg[len++] = c;
            } else if (in_refusal) {
                if (c && wlen + 1 < sizeof why) why[wlen++] = c;
                if (!c) {
                    why[wlen] = '\0';
                    nomem |= !refusals_add(refused, episodes++, why);
                    in_refusal = 0;
                }
            } else if (c == '.') {
                episodes++;
            } else if (c == '!') {
                in_refusal = 1, wlen = 0;
            } else if (c == 'S') {
                answered = 1;
            }
        }
    }
    if (stalled) kill(pid, SIGKILL);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {}
    close(fds[0]);
    msg[len] = '\0';
    if (nomem) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory checking %s", path);
    if (stalled)
        return gs_fail(err, errlen, GS_ERR_IO,
                       "%s: reading the file made no progress for %.1f s (after %ld episodes): "
                       "libhdf5 loops on some malformed files", path, stall_ms / 1000.0, episodes);
    /* an answer is complete at the end of the pipe, whatever the child's
     * exit status says (under valgrind it says whether the child leaked) */
    if (answered && len > 0 && msg[0] >= '0' && msg[0] <= '0' + GS_ERR_PHYSICS) {
        gs_status st = (gs_status)(msg[0] - '0');
        return st == GS_OK ? GS_OK : gs_fail(err, errlen, st, "%s", msg + 1);
    }
    if (WIFSIGNALED(wstatus))
        return gs_fail(err, errlen, GS_ERR_IO,
                       "%s: reading the file crashed the process checking it (signal %d, after %ld "
                       "episodes): libhdf5 fails so on some malformed files", path, WTERMSIG(wstatus), episodes);
    return gs_fail(err, errlen, GS_ERR_IO,
                   "%s: the process checking the file ended without an answer (exit status %d, after "
                   "%ld episodes): libhdf5 fails so on some malformed files", path,
                   WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1, episodes);
}
