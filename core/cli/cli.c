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

const char CLI_LIMITS_HELP[] =
    "  --max-instructions N  Lua instructions per episode (default 200000000)\n"
    "  --max-memory-mb N     memory of the task's Lua state in MiB (default 256)\n"
    "  --timeout-s S         wall seconds of Lua per episode (default 10)\n"
    "  --max-objects N       objects per scene (default 128)\n";

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

int cli_common_flag(int argc, char **argv, int *i, gs_task_options *opt, const char *usage,
                    int *json, int *quiet) {
    int lim = cli_limit_flag(argc, argv, i, opt);
    if (lim) return lim < 0 ? CLI_FLAG_BAD : CLI_FLAG_TAKEN;
    const char *a = argv[*i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        printf(usage, CLI_LIMITS_HELP);
        return CLI_FLAG_HELP;
    }
    if (strcmp(a, "--json") == 0) {
        *json = 1;
        return CLI_FLAG_TAKEN;
    }
    if (quiet && strcmp(a, "--quiet") == 0) {
        *quiet = 1;
        return CLI_FLAG_TAKEN;
    }
    return CLI_FLAG_OTHER;
}

int cli_limit_flag(int argc, char **argv, int *i, gs_task_options *opt) {
    const char *flag = argv[*i];
    static const char *const flags[] = {"--max-instructions", "--max-memory-mb", "--timeout-s",
                                        "--max-objects"};
    int which = -1;
    for (int k = 0; k < 4; k++)
        if (strcmp(flag, flags[k]) == 0) which = k;
    if (which < 0) return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "%s needs a value\n", flag);
        return -1;
    }
    const char *v = argv[++*i];
    uint64_t n = 0;
    double d = 0;
    int ok = which == 2 ? cli_parse_double(v, &d) && d > 0 && d <= 86400
                        : cli_parse_u64(v, &n) && n > 0;
    if (ok && which == 1) ok = n <= 65536;
    if (ok && which == 3) ok = n <= 100000;
    if (!ok) {
        fprintf(stderr, "%s: '%s' is not a valid value\n", flag, v);
        return -1;
    }
    if (which == 0) opt->limits.max_instructions = n;
    if (which == 1) opt->limits.max_memory = (size_t)n << 20;
    if (which == 2) opt->limits.timeout_s = d;
    if (which == 3) opt->scene.max_objects = (int)n;
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

int cli_episode_flag(int argc, char **argv, int *i, const char *prog, uint64_t *episodes,
                     uint64_t *seed, gs_task_options *opt) {
    const char *a = argv[*i];
    if (strcmp(a, "--episodes") == 0 || strcmp(a, "--seed") == 0) {
        int count = a[2] == 'e';
        uint64_t *dst = count ? episodes : seed;
        if (*i + 1 >= argc || !cli_parse_u64(argv[*i + 1], dst) ||
            (count && (*dst < 1 || *dst > 1000000))) {
            fprintf(stderr, "%s: %s needs a %s\n", prog, a,
                    count ? "count from 1 to 1000000" : "non-negative integer");
            return CLI_FLAG_BAD;
        }
        ++*i;
        return CLI_FLAG_TAKEN;
    }
    if (strcmp(a, "--split") == 0) {
        if (*i + 1 >= argc || (strcmp(argv[*i + 1], "train") != 0 && strcmp(argv[*i + 1], "test") != 0)) {
            fprintf(stderr, "%s: --split is train or test\n", prog);
            return CLI_FLAG_BAD;
        }
        opt->test_split = strcmp(argv[++*i], "test") == 0;
        return CLI_FLAG_TAKEN;
    }
    return CLI_FLAG_OTHER;
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
