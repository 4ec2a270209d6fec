/* policy_speed: times one training sample (forward and backward through
 * both streams, plus the Adam step) and one act() for a policy config.
 *
 * Usage: policy_speed [--threads N] [--workers N] [--reps N] [--batch N]
 *                     [--channels N] [--crop N] [--rotations N] [--dilated 0|1] [--color-words 0|1] [--rotate-features 0|1]
 *                     [--only act|train]
 * Defaults: the default config, 1 thread, 10 reps, batch 1. Prints one JSON
 * line with milliseconds per sample and per act. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gensim/policy.h"

static double clock_ms(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Wall time, and CPU time of the process (on a shared machine the CPU time
 * of a one-thread run is the steadier figure). */
static double now_ms(void) {
    return clock_ms(CLOCK_MONOTONIC);
}

static double cpu_ms(void) {
    return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

int main(int argc, char **argv) {
    gs_policy_config cfg = gs_policy_config_default();
    int threads = 1, reps = 10, batch = 1, workers = 1;
    /* --only: time just one of the two, so a profiler sees it alone */
    const char *only = "";
    for (int i = 1; i + 1 < argc; i += 2) {
        int v = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--threads")) threads = v;
        else if (!strcmp(argv[i], "--reps")) reps = v;
        else if (!strcmp(argv[i], "--workers")) workers = v;
        else if (!strcmp(argv[i], "--batch")) batch = v;
        else if (!strcmp(argv[i], "--channels")) cfg.channels = v;
        else if (!strcmp(argv[i], "--crop")) cfg.crop = v;
        else if (!strcmp(argv[i], "--dilated")) cfg.dilated = v;
        else if (!strcmp(argv[i], "--color-words")) cfg.color_words = v;
        else if (!strcmp(argv[i], "--rotate-features")) cfg.rotate_features = v;
        else if (!strcmp(argv[i], "--rotations")) cfg.rotations = v;
        else if (!strcmp(argv[i], "--only")) only = argv[i + 1];
        else {
            fprintf(stderr, "policy_speed: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (reps < 1 || batch < 1 || batch > 64) {
        fprintf(stderr, "policy_speed: reps >= 1 and batch in 1..64\n");
        return 2;
    }
    gs_policy_set_threads(threads);
    char err[256];
    gs_policy *p;
    if (gs_policy_new(&cfg, 1, &p, err, sizeof err)) {
        fprintf(stderr, "policy_speed: %s\n", err);
        return 1;
    }
    if (gs_policy_set_workers(p, workers, err, sizeof err)) {
        fprintf(stderr, "policy_speed: %s\n", err);
        return 1;
    }
    size_t plane = (size_t)cfg.rows * cfg.cols;
    float *heights = calloc(plane, sizeof *heights);
    uint8_t *color = calloc(plane * 3, 1);
    if (!heights || !color) return 1;
    /* a block on the table, so activations are not all alike */
    for (int r = cfg.rows / 3; r < cfg.rows / 3 + 12; r++)
        for (int c = cfg.cols / 2; c < cfg.cols / 2 + 12; c++) {
            heights[(size_t)r * cfg.cols + c] = 0.04f;
            color[3 * ((size_t)r * cfg.cols + c)] = 220;
        }
    gs_policy_sample s[64];
    for (int i = 0; i < batch; i++) {
        gs_policy_sample one = {heights, color, "put the red block in the green bowl",
                                cfg.rows / 3 + 6, cfg.cols / 2 + 6, cfg.rows / 2, cfg.cols / 3, 3, 0, 0};
        s[i] = one;
    }
    double loss;
    gs_policy_decision d;
    /* one warm-up of each, so first-touch page faults are not timed */
    if (gs_policy_train_step(p, s, batch, 1e-3f, &loss, err, sizeof err) ||
        gs_policy_act(p, heights, color, s[0].lang, &d, err, sizeof err)) {
        fprintf(stderr, "policy_speed: %s\n", err);
        return 1;
    }
    double t0 = now_ms(), c0 = cpu_ms();
    int train_reps = strcmp(only, "act") ? reps : 0, act_reps = strcmp(only, "train") ? reps : 0;
    for (int i = 0; i < train_reps; i++) gs_policy_train_step(p, s, batch, 1e-3f, &loss, err, sizeof err);
    double train = (now_ms() - t0) / reps / batch, train_cpu = (cpu_ms() - c0) / reps / batch;
    t0 = now_ms(), c0 = cpu_ms();
    for (int i = 0; i < act_reps; i++) gs_policy_act(p, heights, color, s[0].lang, &d, err, sizeof err);
    double act = (now_ms() - t0) / reps, act_cpu = (cpu_ms() - c0) / reps;
    printf("{\"rows\":%d,\"cols\":%d,\"rotations\":%d,\"crop\":%d,\"channels\":%d,"
           "\"parameters\":%zu,\"threads\":%d,\"workers\":%d,\"batch\":%d,\"train_ms_per_sample\":%.2f,"
           "\"train_cpu_ms_per_sample\":%.2f,\"act_ms\":%.2f,\"act_cpu_ms\":%.2f,\"loss\":%.4f}\n",
           cfg.rows, cfg.cols, cfg.rotations, cfg.crop, cfg.channels, gs_policy_parameters(p),
           threads, workers, batch, train, train_cpu, act, act_cpu, loss);
    gs_policy_free(p);
    free(heights);
    free(color);
    return 0;
}
