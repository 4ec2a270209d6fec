/* cmd_train.c: gensim train: the Transporter policy on HDF5 demonstrations.
 *
 * Step k's batch depends only on (--seed, k) and the files, so a run
 * resumed from a checkpoint at step k draws the batches the uninterrupted
 * run would have (given the same --seed and files). SIGINT, SIGTERM and
 * SIGHUP (unless ignored) finish the step under way, write the checkpoint
 * and exit with 128 + the signal; a second signal kills at once. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "gensim/policy.h"
#include "gensim/policy_data.h"

static const char USAGE[] =
    "usage: gensim train DATA.h5... --out MODEL --steps N [--batch B] [--lr LR]\n"
    "                    [--schedule cosine|constant] [--channels C] [--seed S]\n"
    "                    [--val-fraction F] [--log-every K] [--save-every K]\n"
    "                    [--resume] [--no-augment] [--workers W] [--threads T]\n"
    "                    [--cache-mb M] [--json] [--quiet]\n"
    "\n"
    "Trains the Transporter policy (policy.h) on demonstrations recorded by gensim\n"
    "demos. Several files, or files of several tasks, train one multitask policy:\n"
    "each batch draws a task uniformly, then one of that task's steps uniformly.\n"
    "Pushes and steps whose pixels are outside the view are skipped. The last\n"
    "fraction F of each task's episodes is held out for the validation loss.\n"
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
    "  --seed S              initial weights and the batches (default 0); give the same\n"
    "                        S when resuming to continue the same sequence of batches\n"
    "  --val-fraction F      share of each task's episodes held out, 0..0.9 (default 0.1)\n"
    "  --log-every K         a loss line every K steps (default 100)\n"
    "  --save-every K        a checkpoint every K steps (default 1000)\n"
    "  --resume              continue MODEL where it stopped (its step count, weights and\n"
    "                        Adam moments); a fresh start when MODEL does not exist\n"
    "  --no-augment          no random rotation and shift of the observations\n"
    "  --workers W           threads each batch is split over (1..8, default 1); the\n"
    "                        result depends on W, not on timing\n"
    "  --threads T           OpenBLAS threads (default 1)\n"
    "  --cache-mb M          observations kept in memory once read (default 2048); the\n"
    "                        rest are read from the files again when drawn\n"
    "  --json                print one JSON object at the end instead of text\n"
    "  --quiet               no progress bar or loss lines\n"
    "%s"
    "  -h, --help            this text\n"
    "\n"
    "Loss lines (on stderr with --json): step, mean training loss over the interval,\n"
    "validation loss (the summed pick and place cross-entropies, up to 64 held-out\n"
    "samples), the last step's learning rate, samples/s.\n"
    "Exit status: 0 trained; 2 bad usage, an unreadable or mismatched data file or\n"
    "checkpoint; 3 training failed; 128 + the signal when interrupted (the checkpoint\n"
    "is written first).\n";

#define VAL_MAX 64


typedef struct train_args {
    const char *paths[256];
    int npaths;
    const char *out;
    uint64_t steps, batch, seed, log_every, save_every, threads, cache_mb, workers, channels;
    double lr, val_fraction;
    gs_lr_schedule schedule;
    int resume, augment, json, quiet;
} train_args;

static int parse_args(int argc, char **argv, train_args *a);
static gs_status validation_loss(gs_policy *p, gs_demos *d, gs_demos_batch *b, double *loss,
                                 int64_t *n, char *err, size_t errlen);
static void progress_bar(int64_t step, int64_t total, int64_t first, double rate, double loss);

int cmd_train(int argc, char **argv) {
    train_args a;
    int parsed = parse_args(argc, argv, &a);
    if (parsed != -1) return parsed;
    gs_policy_set_threads((int)a.threads);

    char err[1024];
    gs_policy *p = NULL;
    struct stat sb;
    int exists = stat(a.out, &sb) == 0;
    if (exists && !a.resume) {
        fprintf(stderr, "gensim train: %s already exists (--resume continues it)\n", a.out);
        return CLI_USAGE;
    }
    if (exists) {
        if (gs_policy_load(a.out, &p, err, sizeof err) != GS_OK) {
            fprintf(stderr, "gensim train: %s\n", err);
            return CLI_USAGE;
        }
    } else {
        gs_policy_config cfg = gs_policy_config_default();
        if (a.channels) cfg.channels = (int)a.channels;
        gs_status st = gs_policy_new(&cfg, a.seed, &p, err, sizeof err);
        if (st != GS_OK) {
            fprintf(stderr, "gensim train: %s\n", err);
            return st == GS_ERR_USAGE ? CLI_USAGE : CLI_TASK;
        }
        if (a.resume && !a.quiet) fprintf(stderr, "gensim train: %s does not exist yet: a fresh start\n", a.out);
    }
    if (a.channels && gs_policy_get_config(p)->channels != (int)a.channels) {
        fprintf(stderr, "gensim train: %s has %d channels, not the %d of --channels\n", a.out,
                gs_policy_get_config(p)->channels, (int)a.channels);
        gs_policy_free(p);
        return CLI_USAGE;
    }
    if (gs_policy_set_workers(p, (int)a.workers, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim train: %s\n", err);
        gs_policy_free(p);
        return CLI_TASK;
    }
    const gs_policy_config *cfg = gs_policy_get_config(p);
    gs_demos_options dopt = gs_demos_options_default();
    dopt.val_fraction = a.val_fraction;
    dopt.cache_bytes = (size_t)a.cache_mb << 20;
    gs_demos *d;
    gs_status st = gs_demos_open(a.paths, a.npaths, cfg, &dopt, &d, err, sizeof err);
    if (st != GS_OK) {
        fprintf(stderr, "gensim train: %s\n", err);
        gs_policy_free(p);
        return st == GS_ERR_NOMEM ? CLI_TASK : CLI_USAGE;
    }
    gs_demos_batch batch;
    if ((st = gs_demos_batch_init(&batch, d, (int)a.batch, err, sizeof err)) != GS_OK) {
        fprintf(stderr, "gensim train: %s\n", err);
        gs_demos_close(d);
        gs_policy_free(p);
        return CLI_TASK;
    }
    const int64_t first = gs_policy_steps(p), total = (int64_t)a.steps;
    /* With --json stdout carries the one object; the lines go to stderr. */
    FILE *lines = a.json ? stderr : stdout;
    if (!a.quiet)
        fprintf(lines, "%d task%s, %" PRId64 " training samples (%" PRId64 " episodes), %" PRId64
               " validation samples (%" PRId64 " episodes); %zu parameters; steps %" PRId64 "..%" PRId64 "\n",
               gs_demos_tasks(d), gs_demos_tasks(d) == 1 ? "" : "s", gs_demos_count(d, GS_DEMOS_TRAIN),
               gs_demos_episodes(d, GS_DEMOS_TRAIN), gs_demos_count(d, GS_DEMOS_VAL),
               gs_demos_episodes(d, GS_DEMOS_VAL), gs_policy_parameters(p), first, total);
    fflush(stdout);

    cli_signals saved_signals;
    cli_trap_stop(&saved_signals);

    int tty = isatty(STDERR_FILENO) && !a.quiet;
    cJSON *log = cJSON_CreateArray();
    double t0 = cli_now(), interval_t0 = t0, interval_loss = 0, last_train = -1, last_val = -1;
    double train_s = 0;
    int64_t interval_n = 0, step = first, last_saved = first;
    int status = CLI_OK;
    while (step < total && !cli_stop_signal) {
        double s0 = cli_now(), loss, step_lr = gs_policy_lr(a.schedule, a.lr, step, total);
        st = gs_demos_train_batch(d, a.seed, step, (int)a.batch, a.augment, &batch, err, sizeof err);
        if (st == GS_OK)
            st = gs_policy_train_step(p, batch.samples, batch.n, (float)step_lr, &loss, err, sizeof err);
        if (st != GS_OK) {
            fprintf(stderr, "%sgensim train: step %" PRId64 ": %s\n", tty ? "\r\033[K" : "", step + 1, err);
            status = st == GS_ERR_USAGE || st == GS_ERR_IO ? CLI_USAGE : CLI_TASK;
            break;
        }
        train_s += cli_now() - s0;
        step++;
        interval_loss += loss, interval_n++;
        if (step % (int64_t)a.log_every == 0 || step == total) {
            double now = cli_now(), val = -1;
            int64_t nval = 0;
            double rate = (double)(interval_n * (int64_t)a.batch) / (now - interval_t0);
            if ((st = validation_loss(p, d, &batch, &val, &nval, err, sizeof err)) != GS_OK) {
                fprintf(stderr, "%sgensim train: validation: %s\n", tty ? "\r\033[K" : "", err);
                status = CLI_TASK;
                break;
            }
            last_train = interval_loss / (double)interval_n, last_val = nval ? val : -1;
            if (!a.quiet) {
                char vbuf[32];
                if (nval) snprintf(vbuf, sizeof vbuf, "%.4f", val);
                else snprintf(vbuf, sizeof vbuf, "-");
                if (tty) fprintf(stderr, "\r\033[K");
                fprintf(lines, "step %7" PRId64 "  train loss %.4f  val loss %s  lr %.2e  %.1f samples/s  %.0f s\n",
                        step, last_train, vbuf, step_lr, rate, now - t0);
                fflush(lines);
            }
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "step", (double)step);
            cJSON_AddNumberToObject(e, "train_loss", last_train);
            if (nval) cJSON_AddNumberToObject(e, "val_loss", val);
            else cJSON_AddNullToObject(e, "val_loss");
            cJSON_AddNumberToObject(e, "lr", step_lr);
            cJSON_AddNumberToObject(e, "samples_per_s", rate);
            cJSON_AddItemToArray(log, e);
            interval_loss = 0, interval_n = 0, interval_t0 = cli_now();
        }
        if (step % (int64_t)a.save_every == 0 && step < total) {
            if (gs_policy_save(p, a.out, err, sizeof err) != GS_OK) {
                fprintf(stderr, "%sgensim train: %s\n", tty ? "\r\033[K" : "", err);
                status = CLI_USAGE;
                break;
            }
            last_saved = step;
        }
        if (tty) progress_bar(step, total, first, (double)((step - first) * (int64_t)a.batch) / train_s,
                              last_train);
    }
    if (tty) fprintf(stderr, "\r\033[K");
    /* The end, an interruption or an error after some progress: keep it. */
    if ((step > last_saved || !exists) && (status == CLI_OK || step > first)) {
        if (gs_policy_save(p, a.out, err, sizeof err) != GS_OK) {
            fprintf(stderr, "gensim train: %s\n", err);
            if (status == CLI_OK) status = CLI_USAGE;
        }
    }
    cli_untrap_stop(&saved_signals);
    double wall = cli_now() - t0;
    double rate = train_s > 0 ? (double)((step - first) * (int64_t)a.batch) / train_s : 0;
    int interrupted = cli_stop_signal != 0;
    if (status == CLI_OK && a.json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "out", a.out);
        cJSON_AddNumberToObject(o, "first_step", (double)first);
        cJSON_AddNumberToObject(o, "steps", (double)step);
        cJSON_AddNumberToObject(o, "batch", (double)a.batch);
        cJSON_AddNumberToObject(o, "lr", a.lr);
        cJSON_AddStringToObject(o, "schedule", a.schedule == GS_LR_COSINE ? "cosine" : "constant");
        cJSON_AddNumberToObject(o, "seed", (double)a.seed);
        cJSON_AddNumberToObject(o, "parameters", (double)gs_policy_parameters(p));
        cJSON *tasks = cJSON_AddArrayToObject(o, "tasks");
        for (int i = 0; i < gs_demos_tasks(d); i++)
            cJSON_AddItemToArray(tasks, cJSON_CreateString(gs_demos_task_name(d, i)));
        cJSON_AddNumberToObject(o, "train_samples", (double)gs_demos_count(d, GS_DEMOS_TRAIN));
        cJSON_AddNumberToObject(o, "val_samples", (double)gs_demos_count(d, GS_DEMOS_VAL));
        if (last_train >= 0) cJSON_AddNumberToObject(o, "train_loss", last_train);
        else cJSON_AddNullToObject(o, "train_loss");
        if (last_val >= 0) cJSON_AddNumberToObject(o, "val_loss", last_val);
        else cJSON_AddNullToObject(o, "val_loss");
        cJSON_AddNumberToObject(o, "samples_per_s", rate);
        cJSON_AddNumberToObject(o, "wall_s", wall);
        cJSON_AddBoolToObject(o, "interrupted", interrupted);
        cJSON_AddItemToObject(o, "log", log);
        log = NULL;
        char *text = cJSON_PrintUnformatted(o);
        if (text) puts(text);
        cJSON_free(text);
        cJSON_Delete(o);
    } else if (status == CLI_OK && !a.quiet) {
        printf("trained steps %" PRId64 "..%" PRId64 " in %.1f s, %.1f samples/s; wrote %s\n", first,
               step, wall, rate, a.out);
    }
    cJSON_Delete(log);
    if (interrupted) {
        fprintf(stderr, "gensim train: interrupted by signal %d at step %" PRId64 "; %s holds it (--resume "
                        "continues)\n", (int)cli_stop_signal, step, a.out);
        if (status == CLI_OK) status = 128 + cli_stop_signal;
    }
    gs_demos_batch_free(&batch);
    gs_demos_close(d);
    gs_policy_free(p);
    return status;
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
        {"--channels", &a->channels, 4, 256},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (strcmp(flag, t[k].name) == 0) return (*out = t[k], 1);
    return 0;
}

/* Fills a from argv; returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, train_args *a) {
    whole w;
    memset(a, 0, sizeof *a);
    a->batch = 4, a->lr = 1e-3, a->val_fraction = 0.1, a->log_every = 100, a->save_every = 1000;
    a->threads = 1, a->augment = 1, a->cache_mb = 2048, a->workers = 1;
    a->schedule = GS_LR_COSINE;
    gs_task_options unused = gs_task_options_default();
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int common = cli_common_flag(argc, argv, &i, &unused, USAGE, &a->json, &a->quiet);
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
    if (!a->npaths || !a->out || !a->steps) {
        fprintf(stderr, "gensim train: %s\n\n", !a->npaths ? "no data file" : !a->out ? "--out MODEL is required"
                                                                                  : "--steps N is required");
        fprintf(stderr, USAGE, CLI_LIMITS_HELP);
        return CLI_USAGE;
    }
    return -1;
}

/* The mean loss over the first VAL_MAX held-out samples, in batches that
 * fit b; *n 0 when none are held out. */
static gs_status validation_loss(gs_policy *p, gs_demos *d, gs_demos_batch *b, double *loss,
                                 int64_t *n, char *err, size_t errlen) {
    int64_t total = gs_demos_count(d, GS_DEMOS_VAL);
    if (total > VAL_MAX) total = VAL_MAX;
    double sum = 0;
    *n = 0;
    for (int64_t k = 0; k < total; k += b->cap) {
        int m = (int)(total - k < b->cap ? total - k : b->cap);
        double l;
        gs_status st = gs_demos_val_batch(d, k, m, b, err, errlen);
        if (st == GS_OK) st = gs_policy_loss(p, b->samples, b->n, &l, err, errlen);
        if (st != GS_OK) return st;
        sum += l * m, *n += m;
    }
    *loss = *n ? sum / (double)*n : 0;
    return GS_OK;
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
