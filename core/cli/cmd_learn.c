/* cmd_learn.c: gensim learn: a skill for a continuous-control task from its
 * dense reward (gs_learn in skill.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "flags.h"
#include "gensim/skill.h"

typedef struct learn_ui {
    int tty, quiet;
} learn_ui;

static void on_progress(void *ud, const gs_learn_progress *p) {
    const learn_ui *ui = ud;
    if (ui->quiet) return;
    fprintf(stderr, "%sunit %d/%d  iteration %d  steps %" PRIu64 "  episodes %" PRIu64 "  return %.3f  success %.2f  "
                    "%.0f steps/s  %.0f update samples/s  %.1f s%s",
            ui->tty ? "\r\033[K" : "", p->unit + 1, p->units, p->iteration, p->env_steps, p->episodes, p->mean_return,
            p->success_rate, p->steps_per_s, p->update_samples_per_s, p->wall_s, ui->tty ? "" : "\n");
}

static void print_text(const gs_learn_result *r, const gs_learn_options *o) {
    printf("%s: %s, %" PRIu64 " environment steps in %.1f s (%.0f steps/s collecting", r->task,
           r->algo == GS_LEARN_PPO ? "ppo" : "cem", r->env_steps, r->wall_s, r->steps_per_s);
    if (r->algo == GS_LEARN_PPO) printf(", %.0f update samples/s", r->update_samples_per_s);
    printf(")\n");
    if (r->eval_episodes)
        printf("success %d/%d (%.1f%%) on %s seeds %" PRIu64 "..%" PRIu64 ", mean reward %.3f\n", r->eval_successes,
               r->eval_episodes, 100.0 * r->success_rate, r->algo == GS_LEARN_PPO ? "unseen" : "the planned",
               o->eval_seed, o->eval_seed + (uint64_t)r->eval_episodes - 1, r->mean_reward);
    for (int i = 0; i < r->nterms; i++)
        printf("  term %-16s mean %9.4f  first step %9.4f  last step %9.4f\n", r->terms[i].name, r->terms[i].mean,
               r->terms[i].first, r->terms[i].last);
    if (r->sha256[0]) printf("wrote %s (sha256 %s), %s and %s\n", o->out, r->sha256, r->csv, r->png);
}

int cmd_learn(int argc, char **argv) {
    gs_learn_options o = gs_learn_options_default();
    o.task_opt.log = cli_log_task_line;
    const char *algo = "ppo";
    uint64_t steps = 0, threads = 1, seed = 0, eval = 50, eval_seed = 1000000, cem_seeds = 10;
    uint64_t hidden = 64, batch = 2048, minibatch = 256, epochs = 10, population = 64, elites = 8;
    double target = 2;
    cli_common common = {0, 0, &o.task_opt, NULL, 0};
    const cli_flag flags[] = {
        {"--algo", CLI_CHOICE, &algo, 0, 0, "cem|ppo", "NAME",
         "ppo (default): a closed-loop policy that generalises over seeds;\n"
         "cem: open-loop plans, one per seed (--cem-seeds of them from --eval-seed)"},
        {"--steps", CLI_COUNT, &steps, 1, 1e12, NULL, "N", "environment steps to learn from (default 200000 ppo, 100000 cem)"},
        {"--threads", CLI_COUNT, &threads, 1, 64, NULL, "T",
         "threads collecting episodes, each with its own task (default 1);\n"
         "the checkpoint does not depend on T"},
        {"--seed", CLI_COUNT, &seed, 0, 1e18, NULL, "S", "the learner's seed (default 0)"},
        {"--out", CLI_TEXT, &o.out, 0, 0, NULL, "FILE",
         "the checkpoint (safetensors); FILE.csv and FILE.png get the learning curve"},
        {"--eval-episodes", CLI_COUNT, &eval, 0, 100000, NULL, "N", "ppo: episodes on unseen seeds at the end (default 50)"},
        {"--eval-seed", CLI_COUNT, &eval_seed, 0, 1e15, NULL, "S",
         "the first unseen seed (default 1000000, as gensim eval); cem plans from it"},
        {"--cem-seeds", CLI_COUNT, &cem_seeds, 1, 10000, NULL, "K", "cem: seeds to plan (default 10)"},
        {"--target", CLI_NUMBER, &target, 0, 1, NULL, "P",
         "stop once an iteration's episodes succeed this often (default: never)"},
        {"--hidden", CLI_COUNT, &hidden, 1, 1024, NULL, "H", "ppo: units per hidden layer (default 64)"},
        {"--batch", CLI_COUNT, &batch, 1, 1 << 22, NULL, "N", "ppo: steps collected per iteration (default 2048)"},
        {"--minibatch", CLI_COUNT, &minibatch, 1, 65536, NULL, "N", "ppo: samples per update (default 256)"},
        {"--epochs", CLI_COUNT, &epochs, 1, 1000, NULL, "N", "ppo: passes over each batch (default 10)"},
        {"--lr", CLI_NUMBER, &o.lr, 0, 1, NULL, "R", "ppo: Adam's first rate, falling linearly to 0 (default 3e-4)"},
        {"--ent-coef", CLI_NUMBER, &o.ent_coef, 0, 10, NULL, "C", "ppo: entropy bonus (default 0)"},
        {"--population", CLI_COUNT, &population, 2, 100000, NULL, "N", "cem: candidates per iteration (default 64)"},
        {"--elites", CLI_COUNT, &elites, 1, 100000, NULL, "N", "cem: candidates refitted to (default 8)"},
    };
    const char *paths[1];
    cli_list tasks = {paths, 0, 1};
    const cli_command cmd = {
        "gensim learn", "TASK --out FILE [--algo cem|ppo] [--steps N] [--threads T] [--seed S]\n"
                        "                    [--eval-episodes N] [--json] [--quiet]",
        "Learns what a control = \"continuous\" task (or each subtask with a reward) needs\n"
        "from its dense reward: PPO for a policy over the state observation, or CEM\n"
        "for a plan per seed. Progress goes to stderr; the checkpoint works with\n"
        "gensim eval --policy, gensim-run --policy and gensim demos --policy.\n",
        flags, (int)(sizeof flags / sizeof flags[0]), &tasks, "task", 1, 1,
        "Exit status: 0 learned (whatever the success rate); 2 bad usage, an unreadable task,\n"
        "a task with nothing to learn, or an unwritable checkpoint; 3 the task failed\n"
        "(its reward not a finite number, success raising, a sandbox limit).\n",
        CLI_SCALE_NONE};
    int status = cli_parse(&cmd, argc, argv, &common);
    if (status != CLI_OK) return status == CLI_HELP ? CLI_OK : status;
    if (!tasks.n) {
        fprintf(stderr, "gensim learn: no task\n\n");
        cli_usage(&cmd, stderr);
        return CLI_USAGE;
    }
    o.task = paths[0];
    o.algo = strcmp(algo, "cem") == 0 ? GS_LEARN_CEM : GS_LEARN_PPO;
    o.steps = steps, o.threads = (int)threads, o.seed = seed, o.eval_episodes = (int)eval, o.eval_seed = eval_seed;
    o.cem_seeds = (int)cem_seeds, o.hidden = (int)hidden, o.batch_steps = (int)batch, o.minibatch = (int)minibatch;
    o.epochs = (int)epochs, o.population = (int)population, o.elites = (int)elites, o.target_success = target;
    if (o.elites > o.population) return cli_usage_error(&cmd, "--elites cannot exceed --population");
    learn_ui ui = {isatty(STDERR_FILENO) && !common.quiet, common.quiet};
    o.on_progress = on_progress, o.ud = &ui;
    cli_signals saved;
    cli_trap_stop(&saved);
    o.stop = &cli_stop_signal;
    gs_learn_result r;
    char err[1024];
    gs_status st = gs_learn(&o, &r, err, sizeof err);
    cli_untrap_stop(&saved);
    if (ui.tty) fprintf(stderr, "\n");
    if (st != GS_OK) {
        fprintf(stderr, st == GS_ERR_IO || st == GS_ERR_USAGE ? "gensim learn: %s\n" : "%s\n", err);
        return cli_exit_status(st);
    }
    if (common.json) {
        char *text = gs_learn_result_json(&r, &o);
        if (text) puts(text);
        free(text);
    } else {
        print_text(&r, &o);
    }
    return r.stopped ? 128 + (int)cli_stop_signal : CLI_OK;
}
