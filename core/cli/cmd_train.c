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

#include <cjson/cJSON.h>

#include "cli.h"
#include "gensim/policy.h"
#include "gensim/train.h"

static const char USAGE[] =
    "usage: gensim train DATA.h5... --out MODEL --steps N [--batch B] [--lr LR]\n"
    "                    [--schedule cosine|constant] [--channels C] [--dilated 0|1]\n"
    "                    [--color-words 0|1]\n"
    "                    [--seed S] [--val-fraction F] [--log-every K] [--save-every K]\n"
    "                    [--resume] [--no-augment] [--workers W] [--threads T]\n"
    "                    [--cache-mb M] [--eval-every K --eval-tasks T.lua,...]\n"
    "                    [--eval-episodes N] [--eval-seed S] [--eval-split NAME]\n"
    "                    [--json] [--quiet]\n"
    "\n"
    "Trains the Transporter policy (policy.h) on demonstrations recorded by gensim\n"
    "demos. Several files, or files of several tasks, train one multitask policy:\n"
    "each batch draws a task uniformly, then one of that task's steps uniformly.\n"
    "Steps whose pixels are outside the view are skipped; a push is learned like a\n"
    "pick and place from its start to its end, and its goal is then acted on by\n"
    "pushing. The last fraction F of each task's episodes is held out for the\n"
    "validation loss.\n"
    "\n"
    "  --out MODEL           the checkpoint (safetensors), written at every --save-every\n"
    "                        steps, at the end and on Ctrl-C; an existing one is refused\n"
    "                        unless --resume is given\n"
    "  --steps N             train until the policy has taken N optimiser steps in all\n"
    "  --batch B             samples per step (default 4)\n"
    "  --lr LR               Adam's peak learning rate (default 1e-3)\n"
    "  --schedule NAME       cosine (default): the rate falls from LR at step 0 to 0 at\n"
    "                        step N along half a cosine, so the last steps settle the\n"
    "                        weights; constant: LR throughout. The rate depends on the\n"
    "                        step and N alone: resume with the same N to continue a run\n"
    "  --channels C          feature channels of each stream, a multiple of 4 in 4..256\n"
    "                        (default 16); a new policy's size, fixed once trained\n"
    "  --dilated 0|1         1: the attention and key streams' residual convolutions\n"
    "                        take taps 1, 2, 4 and 8 cells apart (each pixel sees about\n"
    "                        40 cm of the scene, not 12 cm); a new policy's, kept once\n"
    "                        trained (default 0)\n"
    "  --color-words 0|1     1: a fifth input channel marks the pixels whose colour a word\n"
    "                        of the goal names, by the colour table, so colour words\n"
    "                        are grounded even when training never saw them; a new\n"
    "                        policy's, kept once trained (default 0)\n"
    "  --seed S              initial weights and the batches (default 0); give the same\n"
    "                        S when resuming to continue the same sequence of batches\n"
    "  --val-fraction F      share of each task's episodes held out, 0..0.9 (default 0.1)\n"
    "  --log-every K         a loss line every K steps (default 100)\n"
    "  --save-every K        a checkpoint every K steps (default 1000)\n"
    "  --resume              continue MODEL where it stopped (its step count, weights and\n"
    "                        Adam moments); a fresh start when MODEL does not exist\n"
    "  --no-augment          no random rotation and shift of the observations\n"
    "  --workers W           threads each batch is split over (1..8, default one per\n"
    "                        core); the result is the same for every W, bit for bit\n"
    "  --threads T           OpenBLAS threads inside each worker (default 1; more is\n"
    "                        slower for this network's small matrices than workers)\n"
    "  --cache-mb M          observations kept in memory once read (default 2048); the\n"
    "                        rest are read from the files again when drawn\n"
    "  --eval-every K        run the policy in closed loop every K steps and at the\n"
    "                        end, on the tasks of --eval-tasks (comma-separated files),\n"
    "                        --eval-episodes N each (default 10) from seed --eval-seed\n"
    "                        (default 1000000), colours of --eval-split (train or test,\n"
    "                        default train), as gensim eval does; the success rates\n"
    "                        join the loss lines and the curves\n"
    "  --json                print one JSON object at the end instead of text\n"
    "  --quiet               no progress bar or loss lines\n"
    "%s"
    "  -h, --help            this text\n"
    "\n"
    "Loss lines (on stderr with --json): step, mean training loss over the interval,\n"
    "validation loss (the summed pick and place cross-entropies, up to 64 held-out\n"
    "samples), the last step's learning rate, samples/s. The same rows go to the\n"
    "curves beside MODEL after each line: NAME.csv (step, samples, lr, train_loss,\n"
    "val_loss, samples_per_s, then success_TASK per evaluated task) and NAME.png, a\n"
    "plot of them, NAME being MODEL without its extension; --resume keeps the rows\n"
    "up to the checkpoint's step.\n"
    "Exit status: 0 trained; 2 bad usage, an unreadable or mismatched data file or\n"
    "checkpoint; 3 training failed; 128 + the signal when interrupted (the checkpoint\n"
    "is written first).\n";

typedef struct train_args {
    const char *paths[256];
    int npaths;
    const char *out;
    uint64_t steps, batch, seed, log_every, save_every, threads, cache_mb, workers, channels, dilated,
        color_words;
    double lr, val_fraction;
    gs_lr_schedule schedule;
    int resume, augment, json, quiet;
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
    o.steps = (int64_t)a.steps, o.batch = (int)a.batch, o.lr = a.lr, o.schedule = a.schedule;
    o.channels = (int)a.channels, o.dilated = a.dilated == UINT64_MAX ? -1 : (int)a.dilated;
    o.color_words = a.color_words == UINT64_MAX ? -1 : (int)a.color_words;
    o.seed = a.seed, o.val_fraction = a.val_fraction;
    o.log_every = (int64_t)a.log_every, o.save_every = (int64_t)a.save_every;
    o.resume = a.resume, o.augment = a.augment, o.workers = (int)a.workers;
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

/* The flags that take a whole number: where it goes and its range. */
typedef struct whole {
    const char *name;
    uint64_t *dst, lo, hi;
} whole;

/* 1 and *out filled when flag is one of them. */
static int whole_flag(train_args *a, const char *flag, whole *out) {
    const whole t[] = {
        {"--steps", &a->steps, 1, 1000000000},     {"--batch", &a->batch, 1, 4096},
        {"--seed", &a->seed, 0, UINT64_MAX},       {"--log-every", &a->log_every, 1, 1000000000},
        {"--save-every", &a->save_every, 1, 1000000000}, {"--threads", &a->threads, 1, 256},
        {"--cache-mb", &a->cache_mb, 0, 1000000000}, {"--workers", &a->workers, 1, GS_POLICY_MAX_WORKERS},
        {"--channels", &a->channels, 4, 256},      {"--dilated", &a->dilated, 0, 1},
        {"--color-words", &a->color_words, 0, 1},      {"--eval-every", &a->eval_every, 1, 1000000000},
        {"--eval-episodes", &a->eval_episodes, 1, 1000000}, {"--eval-seed", &a->eval_seed, 0, UINT64_MAX},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (strcmp(flag, t[k].name) == 0) return (*out = t[k], 1);
    return 0;
}

/* Splits --eval-tasks' list at its commas into a->eval_tasks; 0 (with a
 * message) when it is empty, too long or names too many. */
static int eval_list(train_args *a, const char *list) {
    if (strlen(list) >= sizeof a->eval_list) {
        fprintf(stderr, "gensim train: --eval-tasks is too long\n");
        return 0;
    }
    strcpy(a->eval_list, list);
    a->neval_tasks = 0;
    for (char *s = a->eval_list, *comma; s; s = comma ? comma + 1 : NULL) {
        if ((comma = strchr(s, ','))) *comma = '\0';
        if (!*s || a->neval_tasks == GS_TRAIN_MAX_EVAL_TASKS) {
            fprintf(stderr, "gensim train: --eval-tasks needs 1 to %d task files, comma-separated\n",
                    GS_TRAIN_MAX_EVAL_TASKS);
            return 0;
        }
        a->eval_tasks[a->neval_tasks++] = s;
    }
    return 1;
}

/* Fills a from argv; returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, train_args *a) {
    whole w;
    memset(a, 0, sizeof *a);
    a->batch = 4, a->lr = 1e-3, a->val_fraction = 0.1, a->log_every = 100, a->save_every = 1000;
    a->threads = 1, a->augment = 1, a->cache_mb = 2048, a->workers = 0;
    a->schedule = GS_LR_COSINE;
    a->eval_episodes = 10, a->eval_seed = 1000000, a->dilated = UINT64_MAX;
    a->color_words = UINT64_MAX;
    a->task_options = gs_task_options_default();
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int common = cli_common_flag(argc, argv, &i, &a->task_options, USAGE, &a->json, &a->quiet);
        if (common == CLI_FLAG_BAD) return CLI_USAGE;
        if (common == CLI_FLAG_HELP) return CLI_OK;
        if (common == CLI_FLAG_TAKEN) continue;
        if (strcmp(s, "--resume") == 0) a->resume = 1;
        else if (strcmp(s, "--no-augment") == 0) a->augment = 0;
        else if (whole_flag(a, s, &w)) {
            if (i + 1 >= argc || !cli_parse_u64(argv[i + 1], w.dst) || *w.dst < w.lo || *w.dst > w.hi) {
                fprintf(stderr, "gensim train: %s needs a whole number from %" PRIu64 " to %" PRIu64 "\n",
                        s, w.lo, w.hi);
                return CLI_USAGE;
            }
            i++;
        } else if (strcmp(s, "--lr") == 0 || strcmp(s, "--val-fraction") == 0) {
            double *dst = s[2] == 'l' ? &a->lr : &a->val_fraction;
            int ok = i + 1 < argc && cli_parse_double(argv[i + 1], dst);
            ok = ok && (dst == &a->lr ? *dst > 0 && *dst <= 1 : *dst >= 0 && *dst <= 0.9);
            if (!ok) {
                fprintf(stderr, "gensim train: %s needs a number %s\n", s,
                        dst == &a->lr ? "in (0, 1]" : "from 0 to 0.9");
                return CLI_USAGE;
            }
            i++;
        } else if (strcmp(s, "--schedule") == 0) {
            const char *v = i + 1 < argc ? argv[++i] : "";
            if (strcmp(v, "cosine") == 0) a->schedule = GS_LR_COSINE;
            else if (strcmp(v, "constant") == 0) a->schedule = GS_LR_CONSTANT;
            else {
                fprintf(stderr, "gensim train: --schedule is cosine or constant, not '%s'\n", v);
                return CLI_USAGE;
            }
        } else if (strcmp(s, "--eval-tasks") == 0) {
            if (i + 1 >= argc || !eval_list(a, argv[++i])) return CLI_USAGE;
        } else if (strcmp(s, "--eval-split") == 0) {
            const char *v = i + 1 < argc ? argv[++i] : "";
            if (strcmp(v, "train") && strcmp(v, "test")) {
                fprintf(stderr, "gensim train: --eval-split is train or test, not '%s'\n", v);
                return CLI_USAGE;
            }
            a->task_options.test_split = strcmp(v, "test") == 0;
        } else if (strcmp(s, "--out") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "gensim train: --out needs a file\n");
                return CLI_USAGE;
            }
            a->out = argv[++i];
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "gensim train: unknown option '%s' (see gensim train --help)\n", s);
            return CLI_USAGE;
        } else if (a->npaths < (int)(sizeof a->paths / sizeof a->paths[0])) a->paths[a->npaths++] = s;
        else {
            fprintf(stderr, "gensim train: at most %d data files\n", (int)(sizeof a->paths / sizeof a->paths[0]));
            return CLI_USAGE;
        }
    }
    if (!a->eval_every != !a->neval_tasks) {
        fprintf(stderr, "gensim train: --eval-every and --eval-tasks go together\n");
        return CLI_USAGE;
    }
    if (!a->npaths || !a->out || !a->steps) {
        fprintf(stderr, "gensim train: %s\n\n", !a->npaths ? "no data file" : !a->out ? "--out MODEL is required"
                                                                                  : "--steps N is required");
        fprintf(stderr, USAGE, CLI_LIMITS_HELP);
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
