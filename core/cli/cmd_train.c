/* cmd_train.c: gensim train: the Transporter policy on HDF5 demonstrations.
 *
 * The run is gs_train's (train.h); this parses the flags, prints the
 * progress and the result, and turns SIGINT, SIGTERM and SIGHUP (unless
 * ignored) into a stop: the step under way finishes, the checkpoint is
 * written and the exit status is 128 + the signal; a second signal kills at
 * once. */
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "flags.h"
#include "gensim/policy.h"
#include "gensim/train.h"

typedef struct train_args {
    const char *paths[256];
    int npaths;
    const char *out;
    uint64_t steps, batch, seed, log_every, save_every, threads, cache_mb, workers, channels, dilated,
        color_words, rotate_features, color_jitter;
    double lr, val_fraction;
    const char *schedule, *eval_split;
    int resume, no_augment, json, quiet;
    uint64_t eval_every, eval_episodes, eval_seed;
    char eval_list[8192];      /* --eval-tasks, split at the commas into eval_tasks */
    const char *eval_tasks[GS_TRAIN_MAX_EVAL_TASKS];
    int neval_tasks;
    gs_task_options task_options; /* the limit flags and --eval-split */
} train_args;

/* What the progress callback needs: where lines go, and the terminal. */
typedef struct train_view {
    const train_args *a;
    FILE *lines;
    int tty;
} train_view;

static int parse_args(int argc, char **argv, train_args *a);
static int on_progress(const gs_train_progress *p, void *ud);
static void print_json(const gs_train_options *o, const gs_train_result *r);
static void progress_bar(int64_t step, int64_t total, int64_t first, double rate, double loss);

int cmd_train(int argc, char **argv) {
    train_args a;
    int parsed = parse_args(argc, argv, &a);
    if (parsed != -1) return parsed;
    gs_train_options o = gs_train_options_default();
    o.paths = a.paths, o.npaths = a.npaths, o.out = a.out;
    o.steps = (int64_t)a.steps, o.batch = (int)a.batch, o.lr = a.lr;
    o.schedule = strcmp(a.schedule, "constant") == 0 ? GS_LR_CONSTANT : GS_LR_COSINE;
    o.channels = (int)a.channels, o.dilated = a.dilated == UINT64_MAX ? -1 : (int)a.dilated;
    o.color_words = a.color_words == UINT64_MAX ? -1 : (int)a.color_words;
    o.rotate_features = a.rotate_features == UINT64_MAX ? -1 : (int)a.rotate_features;
    o.seed = a.seed, o.val_fraction = a.val_fraction;
    o.log_every = (int64_t)a.log_every, o.save_every = (int64_t)a.save_every;
    o.resume = a.resume, o.augment = !a.no_augment, o.color_jitter = (int)a.color_jitter, o.workers = (int)a.workers;
    o.threads = (int)a.threads, o.cache_bytes = (size_t)a.cache_mb << 20;
    o.eval_tasks = a.eval_tasks, o.neval_tasks = a.neval_tasks, o.eval_every = (int64_t)a.eval_every;
    o.eval_episodes = (int)a.eval_episodes, o.eval_seed = a.eval_seed, o.eval_options = a.task_options;
    /* With --json stdout carries the one object; the lines go to stderr. */
    train_view view = {&a, a.json ? stderr : stdout, isatty(STDERR_FILENO) && !a.quiet};

    cli_signals saved_signals;
    cli_trap_stop(&saved_signals);
    char err[1024];
    gs_train_result r;
    gs_status st = gs_train(&o, on_progress, &view, &r, err, sizeof err);
    cli_untrap_stop(&saved_signals);
    if (view.tty) fprintf(stderr, "\r\033[K");
    int status = st == GS_OK ? CLI_OK : st == GS_ERR_USAGE || st == GS_ERR_IO ? CLI_USAGE : CLI_TASK;
    if (st != GS_OK) fprintf(stderr, "gensim train: %s\n", err);
    else if (a.json) print_json(&o, &r);
    else if (!a.quiet)
        printf("trained steps %" PRId64 "..%" PRId64 " in %.1f s, %.1f samples/s; wrote %s, %s and %s\n",
               r.first_step, r.steps, r.wall_s, r.samples_per_s, a.out, r.csv, r.png);
    if (r.eval_errors)
        fprintf(stderr, "gensim train: %d evaluation episode%s raised an error and counted as failed; the "
                        "first: %s\n", r.eval_errors, r.eval_errors == 1 ? "" : "s", r.eval_error);
    if (r.interrupted) {
        fprintf(stderr, "gensim train: interrupted by signal %d at step %" PRId64 "; %s holds it (--resume "
                        "continues)\n", (int)cli_stop_signal, r.steps, a.out);
        if (status == CLI_OK) status = 128 + cli_stop_signal;
    }
    gs_train_result_free(&r);
    return status;
}

/* Progress on the terminal and the loss lines; stops the run on a signal. */
static int on_progress(const gs_train_progress *p, void *ud) {
    const train_view *v = ud;
    const gs_train_result *r = p->result;
    if (p->event == GS_TRAIN_BEGIN && !v->a->quiet) {
        if (v->a->resume && r->fresh)
            fprintf(stderr, "gensim train: %s does not exist yet: a fresh start\n", v->a->out);
        fprintf(v->lines, "%d task%s, %" PRId64 " training samples (%" PRId64 " episodes), %" PRId64
                " validation samples (%" PRId64 " episodes); %zu parameters; steps %" PRId64 "..%" PRId64 "\n",
                r->ntasks, r->ntasks == 1 ? "" : "s", r->train_samples, r->train_episodes, r->val_samples,
                r->val_episodes, r->parameters, r->first_step, p->total);
        fflush(v->lines);
    } else if (p->event == GS_TRAIN_ROW && !v->a->quiet) {
        char vbuf[32];
        if (!isnan(p->row->val_loss)) snprintf(vbuf, sizeof vbuf, "%.4f", p->row->val_loss);
        else snprintf(vbuf, sizeof vbuf, "-");
        if (v->tty) fprintf(stderr, "\r\033[K");
        fprintf(v->lines, "step %7" PRId64 "  train loss %.4f  val loss %s  lr %.2e  %.1f samples/s  %.0f s",
                p->row->step, p->row->train_loss, vbuf, p->row->lr, p->row->samples_per_s, p->elapsed_s);
        for (int k = 0; k < r->neval; k++)
            if (!isnan(p->row->success[k])) fprintf(v->lines, "  %s %.0f%%", r->eval_names[k], 100 * p->row->success[k]);
        fputc('\n', v->lines);
        fflush(v->lines);
    } else if (p->event == GS_TRAIN_EPISODE && v->tty) {
        fprintf(stderr, "\revaluating %s: episode %d/%d\033[K", p->task, p->episode, p->episodes);
        fflush(stderr);
    } else if (p->event == GS_TRAIN_STEP && v->tty) {
        progress_bar(p->step, p->total, r->first_step, p->samples_per_s, r->nlog ? r->train_loss : -1);
    }
    return cli_stop_signal != 0;
}

/* The run as one JSON object on stdout. */
static void print_json(const gs_train_options *o, const gs_train_result *r) {
    char *text = gs_train_result_json(r, o);
    if (text) puts(text);
    free(text);
}

/* Splits --eval-tasks' list at its commas into a->eval_tasks; 0 (with a
 * message) when it is empty, too long or names too many. */
static int eval_list(const cli_command *cmd, train_args *a, const char *list) {
    if (strlen(list) >= sizeof a->eval_list) return cli_usage_error(cmd, "--eval-tasks is too long"), 0;
    strcpy(a->eval_list, list);
    a->neval_tasks = 0;
    for (char *s = a->eval_list, *comma; s; s = comma ? comma + 1 : NULL) {
        if ((comma = strchr(s, ','))) *comma = '\0';
        if (!*s || a->neval_tasks == GS_TRAIN_MAX_EVAL_TASKS) {
            cli_usage_error(cmd, "--eval-tasks needs 1 to %d task files, comma-separated", GS_TRAIN_MAX_EVAL_TASKS);
            return 0;
        }
        a->eval_tasks[a->neval_tasks++] = s;
    }
    return 1;
}

#define TRAIN_SYNOPSIS                                                                        \
    "DATA.h5... --out MODEL --steps N [--batch B] [--lr LR]\n"                                \
    "                    [--schedule cosine|constant] [--channels C] [--dilated 0|1]\n"       \
    "                    [--color-words 0|1] [--rotate-features 0|1]\n"                       \
    "                    [--seed S] [--val-fraction F] [--log-every K] [--save-every K]\n"    \
    "                    [--resume] [--no-augment] [--color-jitter 0|1]\n"                    \
    "                    [--workers W] [--threads T]\n"                                       \
    "                    [--cache-mb M] [--eval-every K --eval-tasks T.lua,...]\n"            \
    "                    [--eval-episodes N] [--eval-seed S] [--eval-split NAME]\n"           \
    "                    [--json] [--quiet]"

#define TRAIN_ABOUT                                                                           \
    "Trains the Transporter policy (policy.h) on demonstrations recorded by gensim\n"         \
    "demos. Several files, or files of several tasks, train one multitask policy:\n"          \
    "each batch draws a task uniformly, then one of that task's steps uniformly.\n"           \
    "Steps whose pixels are outside the view are skipped; a push is learned like a\n"         \
    "pick and place from its start to its end, and its goal is then acted on by\n"           \
    "pushing. The last fraction F of each task's episodes is held out for the\n"              \
    "validation loss.\n"

#define TRAIN_EPILOG                                                                          \
    "Loss lines (on stderr with --json): step, mean training loss over the interval,\n"       \
    "validation loss (the summed pick and place cross-entropies, up to 64 held-out\n"         \
    "samples), the last step's learning rate, samples/s. The same rows go to the\n"           \
    "curves beside MODEL after each line: NAME.csv (step, samples, lr, train_loss,\n"         \
    "val_loss, samples_per_s, then success_TASK per evaluated task) and NAME.png, a\n"        \
    "plot of them, NAME being MODEL without its extension; --resume keeps the rows\n"         \
    "up to the checkpoint's step.\n"                                                          \
    "Exit status: 0 trained; 2 bad usage, an unreadable or mismatched data file or\n"         \
    "checkpoint; 3 training failed; 128 + the signal when interrupted (the checkpoint\n"      \
    "is written first).\n"

enum { TRAIN_FLAGS_MAX = 32 };

/* The flag table over a's fields into f (TRAIN_FLAGS_MAX); returns how many. */
static int train_flags(train_args *a, const char **eval_tasks, cli_flag *f) {
    const cli_flag t[] = {
        {"--out", CLI_TEXT, &a->out, 0, 0, NULL, "MODEL",
         "the checkpoint (safetensors), written at every --save-every\n"
         "steps, at the end and on Ctrl-C; an existing one is refused\nunless --resume is given"},
        {"--steps", CLI_COUNT, &a->steps, 1, 1e9, NULL, "N", "train until the policy has taken N optimiser steps in all"},
        {"--batch", CLI_COUNT, &a->batch, 1, 4096, NULL, "B", "samples per step (default 4)"},
        {"--lr", CLI_NUMBER, &a->lr, 1e-12, 1, NULL, "LR", "Adam's peak learning rate, in (0, 1] (default 1e-3)"},
        {"--schedule", CLI_CHOICE, &a->schedule, 0, 0, "cosine|constant", "NAME",
         "cosine (default): the rate falls from LR at step 0 to 0 at\n"
         "step N along half a cosine, so the last steps settle the\n"
         "weights; constant: LR throughout. The rate depends on the\n"
         "step and N alone: resume with the same N to continue a run"},
        {"--channels", CLI_COUNT, &a->channels, 4, 256, NULL, "C",
         "feature channels of each stream, a multiple of 4 in 4..256\n"
         "(default 16); a new policy's size, fixed once trained"},
        {"--dilated", CLI_COUNT, &a->dilated, 0, 1, NULL, "0|1",
         "1: the attention and key streams' residual convolutions\n"
         "take taps 1, 2, 4 and 8 cells apart (each pixel sees about\n"
         "40 cm of the scene, not 12 cm); a new policy's, kept once\ntrained (default 0)"},
        {"--color-words", CLI_COUNT, &a->color_words, 0, 1, NULL, "0|1",
         "1: a fifth input channel marks the pixels whose colour a word\n"
         "of the goal names, by the colour table, so colour words\n"
         "are grounded even when training never saw them; a new\npolicy's, kept once trained (default 0)"},
        {"--rotate-features", CLI_COUNT, &a->rotate_features, 0, 1, NULL, "0|1",
         "1: the query stream runs once over a wider crop and its\n"
         "features are turned to each rotation, instead of running on\n"
         "each turned crop (about 1.5x the samples/s); a new policy's,\n"
         "kept once trained (default 0)"},
        {"--seed", CLI_COUNT, &a->seed, 0, 1.8e19, NULL, "S",
         "initial weights and the batches (default 0); give the same\n"
         "S when resuming to continue the same sequence of batches"},
        {"--val-fraction", CLI_NUMBER, &a->val_fraction, 0, 0.9, NULL, "F",
         "share of each task's episodes held out, 0..0.9 (default 0.1)"},
        {"--log-every", CLI_COUNT, &a->log_every, 1, 1e9, NULL, "K", "a loss line every K steps (default 100)"},
        {"--save-every", CLI_COUNT, &a->save_every, 1, 1e9, NULL, "K", "a checkpoint every K steps (default 1000)"},
        {"--resume", CLI_SWITCH, &a->resume, 0, 0, NULL, NULL,
         "continue MODEL where it stopped (its step count, weights and\n"
         "Adam moments); a fresh start when MODEL does not exist"},
        {"--no-augment", CLI_SWITCH, &a->no_augment, 0, 0, NULL, NULL,
         "no random rotation and shift of the observations"},
        {"--color-jitter", CLI_COUNT, &a->color_jitter, 0, 1, NULL, "0|1",
         "1: every sample whose goal names no colour gets a random\n"
         "change of colour (hue turned, saturation and brightness\n"
         "scaled, greys kept), so the policy learns shapes, not the\n"
         "training colours (default 0)"},
        {"--workers", CLI_COUNT, &a->workers, 1, GS_POLICY_MAX_WORKERS, NULL, "W",
         "threads each batch is split over (1..8, default one per\n"
         "core); the result is the same for every W, bit for bit"},
        {"--threads", CLI_COUNT, &a->threads, 1, 256, NULL, "T",
         "OpenBLAS threads inside each worker (default 1; more is\n"
         "slower for this network's small matrices than workers)"},
        {"--cache-mb", CLI_COUNT, &a->cache_mb, 0, 1e9, NULL, "M",
         "observations kept in memory once read (default 2048); the\n"
         "rest are read from the files again when drawn"},
        {"--eval-every", CLI_COUNT, &a->eval_every, 1, 1e9, NULL, "K",
         "run the policy in closed loop every K steps and at the\n"
         "end, on the tasks of --eval-tasks, as gensim eval does; the\n"
         "success rates join the loss lines and the curves"},
        {"--eval-tasks", CLI_TEXT, eval_tasks, 0, 0, NULL, "T.lua,...", "the tasks --eval-every runs, comma-separated"},
        {"--eval-episodes", CLI_COUNT, &a->eval_episodes, 1, 1e6, NULL, "N", "episodes per task and evaluation (default 10)"},
        {"--eval-seed", CLI_COUNT, &a->eval_seed, 0, 1.8e19, NULL, "S", "the evaluations' first seed (default 1000000)"},
        {"--eval-split", CLI_CHOICE, &a->eval_split, 0, 0, "train|test", "NAME",
         "the evaluations' colours: train (default) or test"},
    };
    _Static_assert(sizeof t / sizeof t[0] <= TRAIN_FLAGS_MAX, "the flag table outgrew its array");
    memcpy(f, t, sizeof t);
    return (int)(sizeof t / sizeof t[0]);
}

/* Fills a from argv; returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, train_args *a) {
    memset(a, 0, sizeof *a);
    a->batch = 4, a->lr = 1e-3, a->val_fraction = 0.1, a->log_every = 100, a->save_every = 1000;
    a->threads = 1, a->cache_mb = 2048, a->workers = 0, a->schedule = "cosine", a->eval_split = "train";
    a->eval_episodes = 10, a->eval_seed = 1000000, a->dilated = UINT64_MAX, a->color_words = UINT64_MAX;
    a->rotate_features = UINT64_MAX;
    a->task_options = gs_task_options_default();
    const char *eval_tasks = NULL;
    cli_flag flags[TRAIN_FLAGS_MAX];
    cli_list data = {a->paths, 0, (int)(sizeof a->paths / sizeof a->paths[0])};
    const cli_command cmd = {"gensim train", TRAIN_SYNOPSIS, TRAIN_ABOUT, flags, train_flags(a, &eval_tasks, flags),
                             &data, "data file", 1, 1, TRAIN_EPILOG, CLI_SCALE_NONE};
    cli_common common = {0, 0, &a->task_options, NULL, 0};
    int status = cli_parse(&cmd, argc, argv, &common);
    if (status != CLI_OK) return status == CLI_HELP ? CLI_OK : status;
    a->npaths = data.n, a->json = common.json, a->quiet = common.quiet;
    a->task_options.test_split = strcmp(a->eval_split, "test") == 0;
    if (a->channels && a->channels % 4) return cli_usage_error(&cmd, "--channels needs a multiple of 4 in 4..256");
    if (eval_tasks && !eval_list(&cmd, a, eval_tasks)) return CLI_USAGE;
    if (!a->eval_every != !a->neval_tasks) return cli_usage_error(&cmd, "--eval-every and --eval-tasks go together");
    if (!a->npaths || !a->out || !a->steps) {
        fprintf(stderr, "gensim train: %s\n\n", !a->npaths ? "no data file" : !a->out ? "--out MODEL is required"
                                                                                  : "--steps N is required");
        cli_usage(&cmd, stderr);
        return CLI_USAGE;
    }
    return -1;
}

/* A bar on the terminal, redrawn at most 10 times a second. */
static void progress_bar(int64_t step, int64_t total, int64_t first, double rate, double loss) {
    static double last;
    double now = cli_now();
    if (now - last < 0.1 && step < total) return;
    last = now;
    enum { WIDTH = 24 };
    char bar[WIDTH + 1];
    int filled = total > first ? (int)(WIDTH * (step - first) / (total - first)) : WIDTH;
    for (int i = 0; i < WIDTH; i++) bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = 0;
    fprintf(stderr, "\rtrain [%s] step %" PRId64 "/%" PRId64 ", %.1f samples/s", bar, step, total, rate);
    if (loss >= 0) fprintf(stderr, ", loss %.4f", loss);
    fprintf(stderr, "\033[K");
    fflush(stderr);
}
