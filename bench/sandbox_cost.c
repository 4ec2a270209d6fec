/* sandbox_cost: what the sandbox costs per call into a task, beside what
 * one simulated physics step costs, on the same scene.
 *
 * A task with a Lua reward(env) that reads four block poses (the common
 * shape of a generated dense reward) is reset, then:
 *   reward   gs_task_reward: entering the sandbox (deadline armed, the
 *            watchdog told), the Lua function, the checks of its result
 *   step     one simulated step of the oracle's pick-and-place actions,
 *            robot control included (the time of the actions over their
 *            simulated steps)
 *   worker   a supervised worker's whole life (fork, limits, the system-
 *            call filter, one message, the wait), paid once per task
 * Prints both in microseconds, and the reward call as a fraction of a step.
 *
 * Usage: sandbox_cost [--calls N] [--json]   (default 20000 calls) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gensim/task.h"
#include "sandbox/worker.h"

/* The task, with a reward body in place of %s. */
static const char TASK[] =
    "local blocks\n"
    "return task {\n"
    "  name = 'bench-reward', description = 'four blocks to the middle', assets = {'block'},\n"
    "  max_steps = 4,\n"
    "  reset = function(env)\n"
    "    blocks = {}\n"
    "    for i = 1, 4 do blocks[i] = env:add('block', env:random_pose({0.04, 0.04, 0.04}), {color = 'red'}) end\n"
    "    env:goal{objects = blocks, targets = {gs.pose(0.4, -0.2, 0.02, 0), gs.pose(0.4, 0, 0.02, 0),\n"
    "             gs.pose(0.4, 0.2, 0.02, 0), gs.pose(0.6, 0, 0.02, 0)}, matches = 'pairs',\n"
    "             rotations = false, tolerance = 0.03, lang = 'line the blocks up'}\n"
    "  end,\n"
    "  reward = function(env)\n%s  end,\n"
    "}\n";

/* Nothing: the cost of entering the sandbox and checking the result. */
static const char EMPTY[] = "    return 0, false\n";
/* Four poses read, a Gaussian of each block's distance to the middle. */
static const char POSES[] =
    "    local sum = 0\n"
    "    for _, b in ipairs(blocks) do\n"
    "      local p = env:pose(b).pos\n"
    "      local dx, dy = p[1] - 0.5, p[2]\n"
    "      sum = sum + math.exp(-(dx * dx + dy * dy) / 0.01)\n"
    "    end\n"
    "    return sum / #blocks, false\n";

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int die(const char *what, const char *err) {
    fprintf(stderr, "sandbox_cost: %s: %s\n", what, err);
    return 1;
}

/* The task with the given reward body, reset on seed 1. */
static gs_task *load(const char *body) {
    char src[4096], err[1024];
    int n = snprintf(src, sizeof src, TASK, body);
    gs_task_options opt = gs_task_options_default();
    gs_task *t = NULL;
    if (gs_task_load_string("bench-reward.lua", src, (size_t)n, &opt, &t, err, sizeof err) != GS_OK ||
        gs_task_reset(t, 1, err, sizeof err) != GS_OK) {
        fprintf(stderr, "sandbox_cost: %s\n", err);
        gs_task_free(t);
        return NULL;
    }
    return t;
}

/* Microseconds per gs_task_reward on t's scene as reset left it; < 0 on
 * a failure. */
static double time_reward(gs_task *t, long calls) {
    char err[1024];
    double reward, t0 = now_s();
    int done;
    for (long i = 0; i < calls; i++)
        if (gs_task_reward(t, &reward, &done, err, sizeof err) != GS_OK) return die("reward", err), -1;
    return (now_s() - t0) / (double)calls * 1e6;
}

/* Microseconds per simulated step of the oracle's actions on seeds 1..5,
 * and the steps per action; < 0 on a failure. */
static double time_step(gs_task *t, double *per_action) {
    char err[1024];
    long sim_steps = 0, actions = 0;
    double act_s = 0;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        if (gs_task_reset(t, seed, err, sizeof err) != GS_OK) return die("reset", err), -1;
        for (int k = 0; k < gs_task_max_steps(t); k++) {
            gs_action a;
            gs_action_result res;
            int have;
            if (gs_task_oracle(t, &a, &have, err, sizeof err) != GS_OK) return die("oracle", err), -1;
            if (!have) break;
            double a0 = now_s();
            if (gs_scene_act(gs_task_scene(t), &a, &res, err, sizeof err) != GS_OK) return die("act", err), -1;
            act_s += now_s() - a0;
            sim_steps += res.steps, actions++;
        }
    }
    if (sim_steps < 1) return die("oracle", "no simulated step was taken"), -1;
    *per_action = (double)sim_steps / (double)actions;
    return act_s / (double)sim_steps * 1e6;
}

static gs_status nothing(void *ud, gsl_channel *out, char *err, size_t errlen) {
    (void)ud, (void)err, (void)errlen;
    return gsl_channel_send(out, GSL_MSG_USER, "", 0);
}

/* Milliseconds per worker (best of n); < 0 on a failure. */
static double time_worker(int n) {
    gsl_worker_limits lim = {10, 10, (size_t)1 << 30, 0, NULL};
    double best = 1e9;
    char err[1024];
    for (int i = 0; i < n; i++) {
        double t0 = now_s();
        if (gsl_worker_run(nothing, NULL, &lim, NULL, NULL, err, sizeof err) != GS_OK) return die("worker", err), -1;
        double ms = (now_s() - t0) * 1e3;
        if (ms < best) best = ms;
    }
    return best;
}

int main(int argc, char **argv) {
    long calls = 20000;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--calls") == 0 && i + 1 < argc) calls = atol(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0) json = 1;
        else return fprintf(stderr, "usage: sandbox_cost [--calls N] [--json]\n"), 2;
    }
    if (calls < 1) return fprintf(stderr, "sandbox_cost: --calls must be positive\n"), 2;
    gs_task *empty = load(EMPTY), *poses = load(POSES);
    double per_action = 0;
    double empty_us = empty ? time_reward(empty, calls) : -1;
    double poses_us = poses ? time_reward(poses, calls) : -1;
    double step_us = poses ? time_step(poses, &per_action) : -1;
    /* with the tasks loaded, so the fork copies a host's page tables */
    double worker_ms = time_worker(20);
    gs_task_free(empty);
    gs_task_free(poses);
    if (empty_us < 0 || poses_us < 0 || step_us < 0 || worker_ms < 0) return 1;
    if (json)
        printf("{\"calls\":%ld,\"empty_reward_us\":%.3f,\"reward_us\":%.3f,\"step_us\":%.3f,"
               "\"steps_per_action\":%.1f,\"worker_ms\":%.3f,\"filtered\":%s}\n", calls, empty_us, poses_us, step_us,
               per_action, worker_ms, gsl_worker_filtered() ? "true" : "false");
    else
        printf("entering the sandbox (an empty reward)  %8.2f us  %5.1f%% of a physics step\n"
               "a reward reading four poses            %8.2f us  %5.1f%% of a physics step\n"
               "a physics step (oracle actions)        %8.2f us  (%.0f steps per action)\n"
               "a worker per task (fork, limits, %s)  %8.2f ms\n",
               empty_us, 100 * empty_us / step_us, poses_us, 100 * poses_us / step_us, step_us, per_action,
               gsl_worker_filtered() ? "filter" : "no filter", worker_ms);
    return 0;
}
