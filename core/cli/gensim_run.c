/* gensim-run: oracle episodes of one task file.
 *
 * Exit status: 0 ran, 2 bad usage or unreadable file, 3 the task failed
 * (syntax, shape, runtime, or a sandbox limit) with file:line: message on
 * stderr. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "gensim/io.h"
#include "gensim/physics.h"
#include "gensim/policy.h"
#include "gensim/policy_data.h"

static const char USAGE[] =
    "usage: gensim-run TASK.lua [--episodes N] [--seed S] [--split train|test] [--json]\n"
    "                  [--render DIR] [--policy MODEL]\n"
    "                  [--trace FILE]\n"
    "\n"
    "Runs the built-in (or the task's own) oracle for N episodes, seeds S .. S+N-1,\n"
    "and reports each episode and the totals.\n"
    "\n"
    "  --episodes N          episodes to run (default 1)\n"
    "  --seed S              the first episode's seed (default 0)\n"
    "  --json                print one JSON object instead of text\n"
    "  --split NAME          train (default) or test: env.split, which tasks use to\n"
    "                        choose seen (gs.TRAIN_COLORS) or unseen (gs.TEST_COLORS)\n"
    "                        colours\n"
    "  --render DIR          pictures of each episode: DIR/<task>-<seed>-first.png (after\n"
    "                        reset), -last.png (the end) and .gif (the whole episode),\n"
    "                        captioned with the language goal\n"
    "  --policy MODEL        a trained policy (gensim train) acts instead of the oracle\n"
    "  --quiet               no per-episode lines\n"
    "  --trace FILE          record every physics call to FILE, for bench/bare_bullet\n"
    "%s"
    "  -h, --help            this text\n"
    "\n"
    "Exit status: 0 ran, 2 bad usage or unreadable file, 3 the task failed.\n";

int main(int argc, char **argv) {
    const char *path = NULL, *render = NULL, *trace_path = NULL, *model = NULL;
    uint64_t episodes = 1, seed = 0;
    int json = 0, quiet = 0;
    gs_task_options opt = gs_task_options_default();
    opt.log = cli_log_task_line;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int common = cli_common_flag(argc, argv, &i, &opt, USAGE, &json, &quiet);
        if (common == CLI_FLAG_BAD) return CLI_USAGE;
        if (common == CLI_FLAG_HELP) return CLI_OK;
        if (common == CLI_FLAG_TAKEN) continue;
        int episode = cli_episode_flag(argc, argv, &i, "gensim-run", &episodes, &seed, &opt);
        if (episode == CLI_FLAG_BAD) return CLI_USAGE;
        if (episode == CLI_FLAG_TAKEN) continue;
        if (strcmp(a, "--render") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "gensim-run: --render needs a folder\n");
                return CLI_USAGE;
            }
            render = argv[++i];
        } else if (strcmp(a, "--policy") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "gensim-run: --policy needs a checkpoint\n");
                return CLI_USAGE;
            }
            model = argv[++i];
        } else if (strcmp(a, "--trace") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "gensim-run: --trace needs a file\n");
                return CLI_USAGE;
            }
            trace_path = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gensim-run: unknown option '%s' (see --help)\n", a);
            return CLI_USAGE;
        } else if (path) {
            fprintf(stderr, "gensim-run: one task file at a time ('%s' and '%s')\n", path, a);
            return CLI_USAGE;
        } else path = a;
    }
    if (!path) {
        fprintf(stderr, USAGE, CLI_LIMITS_HELP);
        return CLI_USAGE;
    }

    char err[1024];
    if (render && gs_make_dirs(render, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim-run: %s\n", err);
        return CLI_USAGE;
    }
    gs_policy *policy = NULL;
    gs_policy_actor actor = {0};
    if (model && (gs_policy_load(model, &policy, err, sizeof err) != GS_OK ||
                  gs_policy_actor_init(&actor, policy, err, sizeof err) != GS_OK)) {
        fprintf(stderr, "gensim-run: %s\n", err);
        gs_policy_free(policy);
        return CLI_USAGE;
    }
    FILE *trace = NULL;
    if (trace_path) {
        trace = fopen(trace_path, "w");
        if (!trace) {
            fprintf(stderr, "gensim-run: cannot open trace file '%s': %s\n", trace_path,
                    strerror(errno));
            gs_policy_actor_free(&actor);
            gs_policy_free(policy);
            return CLI_USAGE;
        }
        gs_world_trace_all(trace);
    }
    gs_task *task;
    double t0 = cli_now();
    gs_status st = gs_task_load(path, &opt, &task, err, sizeof err);
    if (st != GS_OK) {
        fprintf(stderr, st == GS_ERR_IO ? "gensim-run: %s\n" : "%s\n", err);
        gs_policy_actor_free(&actor);
        gs_policy_free(policy);
        if (trace) gs_world_trace_all(NULL), fclose(trace);
        return cli_exit_status(st);
    }

    uint64_t successes = 0, digest = GSU_FNV_OFFSET;
    long sim_steps = 0;
    double reward_sum = 0;
    int status = CLI_OK;
    /* Static: the pictures' paths make it large. */
    static gs_pictures pics;
    pics.dir = render;
    pics.clip = 1;
    for (uint64_t e = 0; e < episodes; e++) {
        gs_episode_result ep;
        double e0 = cli_now();
        st = cli_episode(task, seed + e, policy ? &actor : NULL, render ? &pics : NULL, &ep, err,
                         sizeof err);
        if (st != GS_OK) {
            fprintf(stderr, "%s\n", err);
            status = cli_exit_status(st);
            break;
        }
        successes += (uint64_t)ep.success;
        reward_sum += ep.reward;
        sim_steps += ep.sim_steps;
        digest = gsu_fnv1a(digest, &ep.digest, sizeof ep.digest);
        if (!json && !quiet)
            printf("episode %" PRIu64 "  seed %" PRIu64 "  %s  reward %.3f  steps %d  sim_steps %ld  %.3f s\n",
                   e + 1, ep.seed, ep.success ? "success" : "failure", ep.reward, ep.steps,
                   ep.sim_steps, cli_now() - e0);
        if (render) {
            if (pics.status != GS_OK) {
                fprintf(stderr, "gensim-run: %s\n", pics.err);
                status = CLI_USAGE;
                break;
            }
            if (!json && !quiet)
                printf("  wrote %s, %s and %s (%d frames, %.2f MB, %.3f s)\n", pics.first,
                       pics.last, pics.gif, pics.frames, (double)pics.gif_bytes / 1e6, pics.seconds);
        }
    }
    double wall = cli_now() - t0;
    if (status == CLI_OK) {
        char hex[17];
        snprintf(hex, sizeof hex, "%016" PRIx64, digest);
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "task", gs_task_name(task));
            cJSON_AddNumberToObject(o, "episodes", (double)episodes);
            cJSON_AddNumberToObject(o, "successes", (double)successes);
            cJSON_AddNumberToObject(o, "success_rate", (double)successes / (double)episodes);
            cJSON_AddNumberToObject(o, "mean_reward", reward_sum / (double)episodes);
            cJSON_AddNumberToObject(o, "sim_steps", (double)sim_steps);
            cJSON_AddNumberToObject(o, "wall_s", wall);
            cJSON_AddNumberToObject(o, "episodes_per_s", (double)episodes / wall);
            cJSON_AddStringToObject(o, "digest", hex);
            char *text = cJSON_PrintUnformatted(o);
            if (text) puts(text);
            cJSON_free(text);
            cJSON_Delete(o);
        } else {
            printf("%s: %" PRIu64 "/%" PRIu64 " successes (%.1f%%), mean reward %.3f, %ld sim steps, "
                   "%.2f s, %.1f episodes/s, digest %s\n",
                   gs_task_name(task), successes, episodes, 100.0 * (double)successes / (double)episodes,
                   reward_sum / (double)episodes, sim_steps, wall, (double)episodes / wall, hex);
        }
    }
    gs_task_free(task); /* the last world's final poses go to the trace */
    gs_policy_actor_free(&actor);
    gs_policy_free(policy);
    if (trace) {
        gs_world_trace_all(NULL);
        int bad = ferror(trace);
        if (fclose(trace) != 0 || bad) {
            fprintf(stderr, "gensim-run: writing trace file '%s' failed\n", trace_path);
            if (status == CLI_OK) status = CLI_USAGE;
        }
    }
    return status;
}
