/* cli.c: pieces shared by gensim and gensim-run. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "gensim/host.h"
#include "gensim/io.h"
#include "gensim/policy_data.h"
#include "gensim/render.h"

int cli_exit_status(gs_status st) {
    if (st == GS_OK) return CLI_OK;
    return st == GS_ERR_USAGE || st == GS_ERR_IO ? CLI_USAGE : CLI_TASK;
}

int cli_parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s || *s == '-') return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return 0;
    *out = v;
    return 1;
}

int cli_parse_double(const char *s, double *out) {
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- task folders ---- */

int cli_default_folders(const char **dirs, char **owned, int max) {
    int n = gs_task_folders(owned, max);
    for (int i = 0; i < n; i++) dirs[i] = owned[i];
    return n;
}

gs_status cli_episode(gs_task *t, uint64_t seed, gs_policy_actor *policy, gs_pictures *pics,
                      gs_episode_result *r, char *err, size_t errlen) {
    gs_actor actor = policy ? gs_policy_actor_get(policy) : gs_actor_oracle();
    gs_observer o;
    if (pics) o = gs_pictures_observer(pics);
    return gs_episode_run(t, seed, actor, pics ? &o : NULL, pics ? 1 : 0, r, err, errlen);
}

volatile sig_atomic_t cli_stop_signal;

static void on_stop_signal(int sig) { cli_stop_signal = sig; }

static const int STOP_SIGNALS[3] = {SIGINT, SIGTERM, SIGHUP};

void cli_trap_stop(cli_signals *saved) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESTART | SA_RESETHAND; /* a second signal kills at once */
    sigemptyset(&sa.sa_mask);
    cli_stop_signal = 0;
    for (int k = 0; k < 3; k++) {
        sigaction(STOP_SIGNALS[k], NULL, &saved->old[k]);
        /* under nohup a hangup must not stop the run */
        if (STOP_SIGNALS[k] == SIGHUP && saved->old[k].sa_handler == SIG_IGN) continue;
        sigaction(STOP_SIGNALS[k], &sa, NULL);
    }
}

void cli_untrap_stop(const cli_signals *saved) {
    for (int k = 0; k < 3; k++) sigaction(STOP_SIGNALS[k], &saved->old[k], NULL);
}

void cli_log_task_line(void *ud, const char *line) {
    (void)ud;
    fprintf(stderr, "[task] %s\n", line);
}

void cli_print_json(void *o) {
    char *text = cJSON_PrintUnformatted(o);
    if (text) puts(text);
    cJSON_free(text);
    cJSON_Delete(o);
}

int cli_run_script(const char *name, const char *rel, int argc, char **argv) {
    char path[4096], err[4096];
    if (gs_data_path(rel, path, sizeof path, err, sizeof err) != GS_OK) {
        fprintf(stderr, "%s: %s\n", name, err);
        return CLI_USAGE;
    }
    int returned;
    gs_status st = gs_host_run_script(path, argc - 1, argv + 1, &returned, err, sizeof err);
    if (st != GS_OK) {
        fprintf(stderr, "%s: %s\n", name, err);
        return CLI_TASK;
    }
    return returned >= 0 ? returned : CLI_TASK;
}
