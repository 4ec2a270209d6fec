/* cmd_eval.c: gensim eval: a policy in closed loop on tasks (gs_eval in
 * policy_data.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "flags.h"
#include "gensim/policy.h"
#include "gensim/policy_data.h"
#include "gensim/skill.h"
#include "gensim/workflow.h"

typedef struct eval_ui {
    int tty, quiet;
    uint64_t episodes;
} eval_ui;

static void on_episode(void *ud, const char *task, uint64_t e, const gs_episode_result *ep,
                       uint64_t successes) {
    const eval_ui *ui = ud;
    if (ui->quiet) return;
    fprintf(stderr, "%s%s: episode %" PRIu64 "/%" PRIu64 " seed %" PRIu64 " %s reward %.3f steps %d; "
                    "%" PRIu64 " successes so far%s",
            ui->tty ? "\r\033[K" : "", task, e + 1, ui->episodes, ep->seed, ep->success ? "success" : "failure",
            ep->reward, ep->steps, successes, ui->tty ? "" : "\n");
}

static void print_text(const gs_eval_result *r, const gs_eval_options *o) {
    for (int i = 0; i < r->ntasks; i++) {
        const gs_eval_task *t = &r->tasks[i];
        printf("%s: %" PRIu64 "/%" PRIu64 " successes (%.1f%%), mean reward %.3f, seeds %" PRIu64 "..%" PRIu64 "\n",
               t->name, t->successes, t->episodes, 100.0 * (double)t->successes / (double)t->episodes,
               t->mean_reward, r->first_seed, r->first_seed + o->episodes - 1);
    }
    if (r->ntasks > 1)
        printf("all: %" PRIu64 "/%" PRIu64 " successes (%.1f%%), mean reward %.3f, %.1f s\n", r->successes,
               r->episodes, 100.0 * (double)r->successes / (double)r->episodes, r->mean_reward, r->wall_s);
}

int cmd_eval(int argc, char **argv) {
    gs_eval_options o = gs_eval_options_default();
    o.task_opt.log = cli_log_task_line;
    const char *model = NULL, *split = "train";
    cli_common common = {0, 0, &o.task_opt, &o.scale, 0};
    const cli_flag flags[] = {
        {"--policy", CLI_TEXT, &model, 0, 0, NULL, "MODEL", "the checkpoint gensim train or gensim learn wrote"},
        {"--episodes", CLI_COUNT, &o.episodes, 1, 1000000, NULL, "N", "episodes per task (default 10)"},
        {"--seed", CLI_COUNT, &o.seed, 0, (double)(GS_TEST_SEED_OFFSET - 1), NULL, "S",
         "the first seed (default 1000000); the test split adds 2^31, as\n"
         "gensim demos does, so it never meets a training scene"},
        {"--split", CLI_CHOICE, &split, 0, 0, "train|test", "NAME",
         "train (default) or test: env.split (seen or unseen colours)"},
        {"--render", CLI_TEXT, &o.render, 0, 0, NULL, "DIR", "pictures of each episode, as gensim-run --render"},
    };
    const char *paths[256];
    cli_list tasks = {paths, 0, 256};
    const cli_command cmd = {
        "gensim eval", "--policy MODEL TASK... [--episodes N] [--seed S]\n"
                       "                   [--split train|test] [--render DIR] [--jobs N] [--shard I/N]\n"
                       "                   [--json] [--quiet]",
        "Runs the policy in closed loop on each task for N episodes and reports per task\n"
        "the success rate and the mean total reward. Choose S apart from the seeds the\n"
        "demonstrations were recorded on (gensim demos --seed) to evaluate on unseen\n"
        "scenes.\n",
        flags, (int)(sizeof flags / sizeof flags[0]), &tasks, "task", 1, 1,
        "Exit status: 0 ran (whatever the success rate); 2 bad usage, an unreadable task\n"
        "or checkpoint; 3 a task failed to load or raised an error.\n",
        CLI_SCALE_ALL};
    int status = cli_parse(&cmd, argc, argv, &common);
    if (status != CLI_OK) return status == CLI_HELP ? CLI_OK : status;
    if (!model || !tasks.n) {
        fprintf(stderr, "gensim eval: %s\n\n", !model ? "--policy MODEL is required" : "no task file");
        cli_usage(&cmd, stderr);
        return CLI_USAGE;
    }
    gs_policy_set_threads(1);
    char err[1024];
    gs_agent *agent;
    if (gs_agent_load(model, &agent, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim eval: %s\n", err);
        return CLI_USAGE;
    }
    gs_actor actor = gs_agent_actor(agent);
    o.policy = gs_agent_policy(agent);
    if (!o.policy) o.actor = &actor;
    o.policy_path = model, o.tasks = paths, o.ntasks = tasks.n;
    o.task_opt.test_split = strcmp(split, "test") == 0;
    eval_ui ui = {isatty(STDERR_FILENO) && !common.quiet, common.quiet, o.episodes};
    o.on_episode = on_episode, o.ud = &ui;
    o.scale.on_retry = cli_print_retry;
    gs_eval_result r;
    gs_status st = gs_eval(&o, &r, err, sizeof err);
    if (ui.tty) fprintf(stderr, "\r\033[K");
    if (st != GS_OK) {
        fprintf(stderr, st == GS_ERR_IO ? "gensim eval: %s\n" : "%s\n", err);
        status = cli_exit_status(st);
    } else if (common.json) {
        char *text = gs_eval_result_json(&r, &o);
        if (text) puts(text);
        free(text);
    } else {
        print_text(&r, &o);
    }
    gs_eval_result_free(&r);
    gs_agent_free(agent);
    return status;
}
