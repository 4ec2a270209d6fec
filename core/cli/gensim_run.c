/* gensim-run: episodes of one task (gs_run in workflow.h).
 *
 * Exit status: 0 ran, 2 bad usage or unreadable file, 3 the task failed
 * (syntax, shape, runtime, or a sandbox limit) with file:line: message on
 * stderr. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "flags.h"
#include "gensim/physics.h"
#include "gensim/policy_data.h"
#include "gensim/skill.h"
#include "gensim/workflow.h"

typedef struct run_args {
    cli_common common;
    const char *render, *trace, *policy, *split;
    uint64_t episodes, seed;
} run_args;

/* One line per episode, and where its pictures went. */
static void print_episode(void *ud, uint64_t k, const gs_episode_result *ep, const gs_pictures *pics,
                          double seconds) {
    const run_args *a = ud;
    if (a->common.json || a->common.quiet) return;
    printf("episode %" PRIu64 "  seed %" PRIu64 "  %s  reward %.3f  steps %d  sim_steps %ld  %.3f s\n", k + 1,
           ep->seed, ep->success ? "success" : "failure", ep->reward, ep->steps, ep->sim_steps, seconds);
    if (pics)
        printf("  wrote %s, %s and %s (%d frames, %.2f MB, %.3f s)\n", pics->first, pics->last, pics->gif,
               pics->frames, (double)pics->gif_bytes / 1e6, pics->seconds);
}

/* Runs o and prints its episodes' totals (or its JSON); the exit status. */
static int run_and_report(gs_run_options *o, const run_args *a) {
    char err[1024];
    gs_run_result r;
    gs_status st = gs_run(o, &r, err, sizeof err);
    if (st != GS_OK) {
        fprintf(stderr, st == GS_ERR_IO ? "gensim-run: %s\n" : "%s\n", err);
        return cli_exit_status(st);
    }
    if (a->common.json) {
        char *text = gs_run_result_json(&r);
        if (text) puts(text);
        free(text);
    } else {
        printf("%s: %" PRIu64 "/%" PRIu64 " successes (%.1f%%), mean reward %.3f, %ld sim steps, "
               "%.2f s, %.1f episodes/s, digest %016" PRIx64 "\n",
               r.task, r.successes, r.episodes, 100.0 * (double)r.successes / (double)r.episodes,
               r.mean_reward, r.sim_steps, r.wall_s, (double)r.episodes / r.wall_s, r.digest);
    }
    return CLI_OK;
}

int main(int argc, char **argv) {
    gs_run_options o = gs_run_options_default();
    o.task_opt.log = cli_log_task_line;
    run_args a = {{0, 0, &o.task_opt, &o.scale, 0}, NULL, NULL, NULL, "train", 1, 0};
    const cli_flag flags[] = {
        {"--episodes", CLI_COUNT, &a.episodes, 1, 1000000, NULL, "N", "episodes to run (default 1)"},
        {"--seed", CLI_COUNT, &a.seed, 0, 1e18, NULL, "S", "the first episode's seed (default 0)"},
        {"--split", CLI_CHOICE, &a.split, 0, 0, "train|test", "NAME",
         "train (default) or test: env.split, which tasks use to choose seen\n"
         "(gs.TRAIN_COLORS) or unseen (gs.TEST_COLORS) colours"},
        {"--render", CLI_TEXT, &a.render, 0, 0, NULL, "DIR",
         "pictures of each episode: DIR/<task>-<seed>-first.png (after reset),\n"
         "-last.png (the end) and .gif (the whole episode), captioned with the\n"
         "language goal"},
        {"--policy", CLI_TEXT, &a.policy, 0, 0, NULL, "MODEL", "a trained policy (gensim train) or a learned skill (gensim learn)\nacts instead of the oracle"},
        {"--trace", CLI_TEXT, &a.trace, 0, 0, NULL, "FILE", "record every physics call to FILE, for bench/bare_bullet"},
    };
    const char *tasks[1];
    cli_list positional = {tasks, 0, 1};
    const cli_command cmd = {
        "gensim-run", "TASK [--episodes N] [--seed S] [--split train|test] [--json]\n"
                      "                  [--render DIR] [--policy MODEL] [--trace FILE]\n"
                      "                  [--jobs N] [--shard I/N]",
        "Runs the built-in (or the task's own) oracle for N episodes, seeds S .. S+N-1,\n"
        "and reports each episode and the totals. TASK is a .lua file or the name of a\n"
        "task on the plugin path or in the library (gensim list shows them).\n",
        flags, (int)(sizeof flags / sizeof flags[0]), &positional, "task", 1, 1,
        "With --jobs the episodes run in N worker processes and are reported in seed\n"
        "order: the lines, the totals and the digest are those of one. --shard I/N runs\n"
        "part I of the seeds (its JSON names the shard and its first seed).\n"
        "Exit status: 0 ran, 2 bad usage or unreadable file, 3 the task failed.\n",
        CLI_SCALE_ALL};
    int status = cli_parse(&cmd, argc, argv, &a.common);
    if (status != CLI_OK) return status == CLI_HELP ? CLI_OK : status;
    if (positional.n == 0) {
        cli_usage(&cmd, stderr);
        return CLI_USAGE;
    }
    o.task = tasks[0];
    o.episodes = a.episodes, o.seed = a.seed, o.render = a.render;
    o.task_opt.test_split = strcmp(a.split, "test") == 0;
    o.on_episode = print_episode, o.ud = &a;
    o.scale.on_retry = cli_print_retry;

    char err[1024];
    gs_agent *agent = NULL;
    if (a.policy) {
        if (gs_agent_load(a.policy, &agent, err, sizeof err) != GS_OK) {
            fprintf(stderr, "gensim-run: %s\n", err);
            return CLI_USAGE;
        }
        o.actor = gs_agent_actor(agent);
    }
    FILE *trace = NULL;
    if (a.trace && !(trace = fopen(a.trace, "w"))) {
        fprintf(stderr, "gensim-run: cannot open trace file '%s': %s\n", a.trace, strerror(errno));
        status = CLI_USAGE;
    }
    if (trace && (o.scale.jobs != 1 || o.scale.shard.count > 1)) {
        fprintf(stderr, "gensim-run: --trace records this process's physics: it takes no --jobs or --shard\n");
        status = CLI_USAGE;
    }
    if (trace) {
        gs_world_trace_all(trace);
        o.task_opt.in_process = 1; /* the trace is this process's file */
    }
    if (status == CLI_OK) status = run_and_report(&o, &a);
    gs_agent_free(agent);
    if (trace) { /* gs_run freed the task: the last world's final poses are in */
        gs_world_trace_all(NULL);
        int bad = ferror(trace);
        if (fclose(trace) != 0 || bad) {
            fprintf(stderr, "gensim-run: writing trace file '%s' failed\n", a.trace);
            if (status == CLI_OK) status = CLI_USAGE;
        }
    }
    return status;
}
