/* The supervised worker: messages in order, results, and every way a child
 * can end badly (a crash, a hang, a forbidden call, a write, memory, a
 * sandbox call stuck in C) reported to a parent that carries on. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "check.h"
#include "sandbox/sandbox.h"
#include "sandbox/worker.h"

#ifdef __SANITIZE_ADDRESS__
/* The children here crash and ask for more memory than they may have on
 * purpose: the parent must see the signal and the failed allocation, not
 * AddressSanitizer's report of them. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "handle_segv=0:allocator_may_return_null=1"; }
#endif

typedef struct got {
    int n, types[8];
    char text[8][32];
} got;

static gs_status collect(void *ud, int type, const void *data, size_t len, char *err, size_t errlen) {
    (void)err, (void)errlen;
    got *g = ud;
    if (g->n < 8) {
        g->types[g->n] = type;
        snprintf(g->text[g->n], sizeof g->text[0], "%.*s", (int)len, (const char *)data);
        g->n++;
    }
    return GS_OK;
}

static gs_status talk(void *ud, gsl_channel *out, char *err, size_t errlen) {
    (void)ud;
    for (int i = 0; i < 3; i++) {
        char msg[16];
        snprintf(msg, sizeof msg, "message %d", i);
        if (gsl_channel_send(out, GSL_MSG_USER + i, msg, strlen(msg)) != GS_OK) return GS_ERR_IO;
    }
    return gs_fail(err, errlen, GS_ERR_SHAPE, "the work's own verdict");
}

static gs_status crash(void *ud, gsl_channel *out, char *err, size_t errlen) {
    (void)ud, (void)out, (void)err, (void)errlen;
    raise(SIGSEGV);
    return GS_OK;
}

static gs_status hang(void *ud, gsl_channel *out, char *err, size_t errlen) {
    (void)ud, (void)out, (void)err, (void)errlen;
    for (;;) pause();
    return GS_OK;
}

static gs_status run_program(void *ud, gsl_channel *out, char *err, size_t errlen) {
    (void)ud, (void)out, (void)err, (void)errlen;
    execl("/bin/true", "true", (char *)NULL);
    return gs_fail(err, errlen, GS_ERR_IO, "execl: %s", strerror(errno));
}

static gs_status write_file(void *ud, gsl_channel *out, char *err, size_t errlen) {
    (void)out;
    int fd = open((const char *)ud, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return gs_fail(err, errlen, GS_ERR_IO, "open: %s", strerror(errno));
    close(fd);
    return GS_OK;
}

static gs_status allocate(void *ud, gsl_channel *out, char *err, size_t errlen) {
    (void)ud, (void)out;
    char *p = malloc((size_t)1 << 31);
    if (!p) return gs_fail(err, errlen, GS_ERR_NOMEM, "malloc refused");
    memset(p, 1, (size_t)1 << 31);
    free(p);
    return GS_OK;
}

static int spin_in_c(lua_State *L) {
    (void)L;
    for (volatile unsigned long i = 0;; i++) {
    }
    return 0;
}

/* A task's call that never leaves a C function: the watchdog sees it. */
static gs_status stuck(void *ud, gsl_channel *out, char *err, size_t errlen) {
    (void)ud, (void)out;
    gsl_limits l = gsl_limits_default();
    l.timeout_s = 0.2;
    gsl_sandbox *s = gsl_sandbox_new(&l, NULL, NULL, err, errlen);
    if (!s) return GS_ERR_NOMEM;
    lua_pushcfunction(gsl_sandbox_state(s), spin_in_c);
    gsl_sandbox_set_global(s, "spin");
    const char *src = "\nspin()";
    gs_status st = gsl_sandbox_load(s, "stuck.lua", src, strlen(src), err, errlen);
    gsl_sandbox_arm(s);
    if (st == GS_OK) st = gsl_sandbox_call(s, 0, 0, err, errlen);
    gsl_sandbox_free(s);
    return st;
}

/* Works until asked to stop, then says how many rounds it did. */
static gs_status until_stopped(void *ud, gsl_channel *out, char *err, size_t errlen) {
    (void)ud;
    int rounds = 0;
    while (!gsl_channel_stop_asked(out)) {
        if (rounds == 5000) return gs_fail(err, errlen, GS_ERR_LIMIT, "never asked to stop");
        if (gsl_channel_send(out, GSL_MSG_USER, &rounds, sizeof rounds) != GS_OK) return GS_ERR_IO;
        rounds++;
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    return GS_OK;
}

static volatile sig_atomic_t stop_flag;
/* Sets the parent's stop flag on the fifth message. */
static gs_status stop_at_five(void *ud, int type, const void *data, size_t len, char *err, size_t errlen) {
    (void)type, (void)data, (void)len, (void)err, (void)errlen;
    if (++*(int *)ud == 5) stop_flag = 1;
    return GS_OK;
}

int main(void) {
    char err[512];
    gsl_worker_limits lim = {5, 10, 0, 0, NULL};
    got g = {0};
    gs_status st = gsl_worker_run(talk, NULL, &lim, collect, &g, err, sizeof err);
    CHECK(st == GS_ERR_SHAPE);
    CHECK_STR_CONTAINS(err, "the work's own verdict");
    CHECK(g.n == 3 && g.types[0] == GSL_MSG_USER && g.types[2] == GSL_MSG_USER + 2);
    CHECK(strcmp(g.text[1], "message 1") == 0);
    CHECK(!gsl_worker_is_child());

    st = gsl_worker_run(crash, NULL, &lim, NULL, NULL, err, sizeof err);
    CHECK(st == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "task crashed the interpreter (signal 11");

    gsl_worker_limits short_wall = {0.3, 10, 0, 0, NULL};
    st = gsl_worker_run(hang, NULL, &short_wall, NULL, NULL, err, sizeof err);
    CHECK(st == GS_ERR_LIMIT);
    CHECK_STR_CONTAINS(err, "no sign of life for 0.3 s");

    st = gsl_worker_run(stuck, NULL, &lim, NULL, NULL, err, sizeof err);
    CHECK(st == GS_ERR_LIMIT);
    CHECK_STR_CONTAINS(err, "stuck.lua:2: time limit exceeded (0.2 s): the task is stuck in a library function");

    /* a stop in the parent reaches the child, which ends its work itself */
    gsl_worker_limits stoppable = {5, 10, 0, 0, &stop_flag};
    int seen = 0;
    st = gsl_worker_run(until_stopped, NULL, &stoppable, stop_at_five, &seen, err, sizeof err);
    CHECK(st == GS_OK);
    CHECK(stop_flag == 1 && seen >= 5 && seen < 1000);

    gsl_worker_limits small = {5, 10, (size_t)256 << 20, 0, NULL};
    st = gsl_worker_run(allocate, NULL, &small, NULL, NULL, err, sizeof err);
    CHECK(st == GS_ERR_NOMEM);

    if (gsl_worker_filtered()) {
    st = gsl_worker_run(run_program, NULL, &lim, NULL, NULL, err, sizeof err);
    CHECK(st == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "a forbidden system call");
    char path[] = "/tmp/gensim-worker-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    unlink(path);
    st = gsl_worker_run(write_file, path, &lim, NULL, NULL, err, sizeof err);
    CHECK(st == GS_ERR_IO);
    CHECK_STR_CONTAINS(err, "Permission denied");
    CHECK(access(path, F_OK) != 0);
    gsl_worker_limits writes = {5, 10, 0, 1, NULL};
    st = gsl_worker_run(write_file, path, &writes, NULL, NULL, err, sizeof err);
    CHECK(st == GS_OK && access(path, F_OK) == 0);
    unlink(path);
    } else {
        printf("skip: the system-call filter (not built in, or the kernel or valgrind does not take it)\n");
    }
    return CHECK_DONE();
}
