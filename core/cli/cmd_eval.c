/* cmd_eval.c: gensim eval: a policy in closed loop on tasks.
 *
 * Each episode is gensim-run's with the policy in the oracle's place
 * (gs_policy_play through cli_run_episode_with, so --render draws the same
 * pictures), and scores as Ravens does: the total reward at the end, 1.0
 * being success. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "gensim/io.h"
#include "gensim/policy.h"
#include "gensim/policy_data.h"

static const char USAGE[] =
    "usage: gensim eval --policy MODEL TASK.lua... [--episodes N] [--seed S]\n"
    "                   [--split train|test] [--render DIR] [--json] [--quiet]\n"
    "\n"
    "Runs the policy in closed loop on each task for N episodes, seeds S .. S+N-1,\n"
    "and reports per task the success rate and the mean total reward. Choose S\n"
    "apart from the seeds the demonstrations were recorded on (gensim demos --seed)\n"
    "to evaluate on unseen scenes.\n"
    "\n"
    "  --policy MODEL        the checkpoint gensim train wrote\n"
    "  --episodes N          episodes per task (default 10)\n"
    "  --seed S              the first seed (default 1000000)\n"
    "  --split NAME          train (default) or test: env.split (seen or unseen colours)\n"
    "  --render DIR          pictures of each episode, as gensim-run --render\n"
    "  --json                print one JSON object instead of text\n"
    "  --quiet               no per-episode progress\n"
    "%s"
    "  -h, --help            this text\n"
    "\n"
    "Exit status: 0 ran (whatever the success rate); 2 bad usage, an unreadable task\n"
    "or checkpoint; 3 a task failed to load or raised an error.\n";

int cmd_eval(int argc, char **argv) {
    const char *paths[256], *model = NULL, *render = NULL;
    int npaths = 0, json = 0, quiet = 0;
    uint64_t episodes = 10, seed = 1000000;
    gs_task_options opt = gs_task_options_default();
    opt.log = cli_log_task_line;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int common = cli_common_flag(argc, argv, &i, &opt, USAGE, &json, &quiet);
        if (common == CLI_FLAG_BAD) return CLI_USAGE;
        if (common == CLI_FLAG_HELP) return CLI_OK;
        if (common == CLI_FLAG_TAKEN) continue;
        int episode = cli_episode_flag(argc, argv, &i, "gensim eval", &episodes, &seed, &opt);
        if (episode == CLI_FLAG_BAD) return CLI_USAGE;
        if (episode == CLI_FLAG_TAKEN) continue;
        if (strcmp(a, "--policy") == 0 || strcmp(a, "--render") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "gensim eval: %s needs a %s\n", a, a[2] == 'p' ? "checkpoint" : "folder");
                return CLI_USAGE;
            }
            *(a[2] == 'p' ? &model : &render) = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gensim eval: unknown option '%s' (see gensim eval --help)\n", a);
            return CLI_USAGE;
        } else if (npaths < (int)(sizeof paths / sizeof paths[0])) paths[npaths++] = a;
        else {
            fprintf(stderr, "gensim eval: at most %d task files\n", (int)(sizeof paths / sizeof paths[0]));
            return CLI_USAGE;
        }
    }
    if (!model || !npaths) {
        fprintf(stderr, "gensim eval: %s\n\n", !model ? "--policy MODEL is required" : "no task file");
        fprintf(stderr, USAGE, CLI_LIMITS_HELP);
        return CLI_USAGE;
    }
    gs_policy_set_threads(1);
    char err[1024];
    if (render && gs_make_dirs(render, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim eval: %s\n", err);
        return CLI_USAGE;
    }
    gs_policy *p;
    gs_policy_actor actor;
    if (gs_policy_load(model, &p, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim eval: %s\n", err);
        return CLI_USAGE;
    }
    if (gs_policy_actor_init(&actor, p, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim eval: %s\n", err);
        gs_policy_free(p);
        return CLI_USAGE;
    }
    /* Every task loads before any episode, so a bad one costs nothing. */
    gs_task **tasks = calloc((size_t)npaths, sizeof *tasks);
    int status = tasks ? CLI_OK : CLI_TASK;
    for (int i = 0; i < npaths && status == CLI_OK; i++) {
        gs_status st = gs_task_load(paths[i], &opt, &tasks[i], err, sizeof err);
        if (st != GS_OK) fprintf(stderr, st == GS_ERR_IO ? "gensim eval: %s\n" : "%s\n", err);
        status = cli_exit_status(st);
    }
    cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "tasks");
    static gs_pictures pics; /* static: its paths make it large */
    pics.dir = render;
    pics.clip = 1;
    int tty = isatty(STDERR_FILENO) && !quiet;
    double t0 = cli_now();
    uint64_t all_successes = 0, all_episodes = 0;
    double all_reward = 0;
    for (int i = 0; i < npaths && status == CLI_OK; i++) {
        const char *name = gs_task_name(tasks[i]);
        uint64_t successes = 0;
        double reward = 0, task_t0 = cli_now();
        for (uint64_t e = 0; e < episodes && status == CLI_OK; e++) {
            gs_episode_result ep;
            gs_status st = cli_episode(tasks[i], seed + e, &actor, render ? &pics : NULL, &ep, err,
                                       sizeof err);
            if (st != GS_OK) {
                fprintf(stderr, "%s%s\n", tty ? "\r\033[K" : "", err);
                status = cli_exit_status(st);
                break;
            }
            if (render && pics.status != GS_OK) {
                fprintf(stderr, "%sgensim eval: %s\n", tty ? "\r\033[K" : "", pics.err);
                status = CLI_USAGE;
                break;
            }
            successes += (uint64_t)ep.success;
            reward += ep.reward;
            if (!quiet)
                fprintf(stderr, "%s%s: episode %" PRIu64 "/%" PRIu64 " seed %" PRIu64 " %s reward %.3f steps %d; "
                                "%" PRIu64 " successes so far%s",
                        tty ? "\r\033[K" : "", name, e + 1, episodes, ep.seed, ep.success ? "success" : "failure",
                        ep.reward, ep.steps, successes, tty ? "" : "\n");
        }
        if (status != CLI_OK) break;
        if (tty) fprintf(stderr, "\r\033[K");
        all_successes += successes, all_episodes += episodes, all_reward += reward;
        double rate = (double)successes / (double)episodes, mean = reward / (double)episodes;
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "task", name);
        cJSON_AddStringToObject(t, "path", paths[i]);
        cJSON_AddNumberToObject(t, "episodes", (double)episodes);
        cJSON_AddNumberToObject(t, "successes", (double)successes);
        cJSON_AddNumberToObject(t, "success_rate", rate);
        cJSON_AddNumberToObject(t, "mean_reward", mean);
        cJSON_AddNumberToObject(t, "wall_s", cli_now() - task_t0);
        cJSON_AddItemToArray(arr, t);
        if (!json)
            printf("%s: %" PRIu64 "/%" PRIu64 " successes (%.1f%%), mean reward %.3f, seeds %" PRIu64 "..%" PRIu64 "\n",
                   name, successes, episodes, 100 * rate, mean, seed, seed + episodes - 1);
    }
    if (status == CLI_OK) {
        double wall = cli_now() - t0;
        if (json) {
            cJSON_AddStringToObject(out, "policy", model);
            cJSON_AddNumberToObject(out, "policy_steps", (double)gs_policy_steps(p));
            cJSON_AddNumberToObject(out, "first_seed", (double)seed);
            cJSON_AddStringToObject(out, "split", opt.test_split ? "test" : "train");
            cJSON_AddNumberToObject(out, "episodes", (double)all_episodes);
            cJSON_AddNumberToObject(out, "successes", (double)all_successes);
            cJSON_AddNumberToObject(out, "success_rate", (double)all_successes / (double)all_episodes);
            cJSON_AddNumberToObject(out, "mean_reward", all_reward / (double)all_episodes);
            cJSON_AddNumberToObject(out, "wall_s", wall);
            char *text = cJSON_PrintUnformatted(out);
            if (text) puts(text);
            cJSON_free(text);
        } else if (npaths > 1) {
            printf("all: %" PRIu64 "/%" PRIu64 " successes (%.1f%%), mean reward %.3f, %.1f s\n", all_successes,
                   all_episodes, 100.0 * (double)all_successes / (double)all_episodes,
                   all_reward / (double)all_episodes, wall);
        }
    }
    cJSON_Delete(out);
    for (int i = 0; i < npaths && tasks; i++) gs_task_free(tasks[i]);
    free(tasks);
    gs_policy_actor_free(&actor);
    gs_policy_free(p);
    return status;
}
