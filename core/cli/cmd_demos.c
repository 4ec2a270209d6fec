/* cmd_demos.c: gensim demos: successful oracle episodes with observations,
 * streamed into an HDF5 file (layout: dataset.h, README.md "Datasets").
 *
 * Episodes are recorded in memory one at a time and appended (and flushed)
 * as each finishes, so memory stays flat however many are asked for, and a
 * run that is interrupted leaves a readable file with every finished
 * episode. SIGINT, SIGTERM and SIGHUP (unless ignored, as under nohup) set a
 * flag: the episode under way finishes, the file is closed, and the exit
 * status is 128 + the signal; a second signal kills at once. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "gensim/dataset.h"

static const char USAGE[] =
    "usage: gensim demos TASK.lua... --episodes N --out FILE.h5 [--seed S]\n"
    "                    [--split train|test] [--force] [--max-attempts M]\n"
    "                    [--compression L] [--json] [--quiet]\n"
    "       gensim demos --info FILE.h5 [--full] [--json]\n"
    "\n"
    "Records N successful oracle episodes of each task into FILE.h5: per episode the\n"
    "heightmap, colour and segmentation before each action and after the last, the\n"
    "actions (pick and place poses and their pixels), the reward of each action, the\n"
    "language goal, the task's name and the seed (README.md, \"Datasets\"). Failed\n"
    "episodes are skipped and further seeds tried, up to M attempts per task. Each\n"
    "episode is written as it finishes: an interrupted run (Ctrl-C) leaves a readable\n"
    "file with every finished episode.\n"
    "\n"
    "  --episodes N          successful episodes to keep per task (1..1000000)\n"
    "  --out FILE            the HDF5 file to write; an existing one is refused\n"
    "  --force               replace an existing FILE\n"
    "  --seed S              the first seed (default 0): attempt k of a task uses\n"
    "                        seed S + k for train, 2^31 + S + k for test\n"
    "  --split NAME          train (default) or test; the two never share a seed\n"
    "  --max-attempts M      attempts per task before giving up (default 3N + 10)\n"
    "  --compression L       deflate level of the images, 0..9 (default 1)\n"
    "  --info FILE           check FILE's layout and actions with the reader and\n"
    "                        describe it; --full also decompresses every image\n"
    "  --json                print one JSON object instead of text\n"
    "  --quiet               no progress on stderr\n"
    "%s"
    "  -h, --help            this text\n"
    "\n"
    "Progress goes to stderr: a bar on a terminal, else a line every 10 s.\n"
    "Exit status: 0 every episode asked for was recorded; 2 bad usage, an unreadable\n"
    "task, an existing FILE or a write error; 3 a task failed to load or gave fewer\n"
    "than N successes in M attempts (the file keeps what was recorded); 128 + the\n"
    "signal when interrupted (130 for Ctrl-C), the file keeping every finished episode.\n";

#define SPLIT_OFFSET (UINT64_C(1) << 31)
#define GIVE_UP_ERRORS 10 /* a task whose first attempts all raise errors is dropped */

static int progress_tty; /* stderr shows a bar that log lines must clear first */

typedef struct task_stats {
    const char *path;
    gs_task *task;
    uint64_t kept, attempts, successes, errors;
    char first_error[1024];
} task_stats;

typedef struct progress {
    int tty, quiet;
    double t0, last;
    uint64_t total;
} progress;

static int demos_info(const char *path, int full, int json);
static void log_line(void *ud, const char *line);
static void progress_show(progress *p, const char *task, uint64_t kept, uint64_t attempts, int final);

int cmd_demos(int argc, char **argv) {
    const char *paths[256], *out = NULL, *info = NULL, *split = "train";
    int npaths = 0, json = 0, quiet = 0, force = 0, full = 0;
    uint64_t episodes = 0, seed = 0, max_attempts = 0, compression = 1;
    gs_task_options opt = gs_task_options_default();
    opt.log = log_line;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int common = cli_common_flag(argc, argv, &i, &opt, USAGE, &json, &quiet);
        if (common == CLI_FLAG_BAD) return CLI_USAGE;
        if (common == CLI_FLAG_HELP) return CLI_OK;
        if (common == CLI_FLAG_TAKEN) continue;
        if (strcmp(a, "--force") == 0) force = 1;
        else if (strcmp(a, "--full") == 0) full = 1;
        else if (strcmp(a, "--episodes") == 0 || strcmp(a, "--seed") == 0 ||
                 strcmp(a, "--max-attempts") == 0 || strcmp(a, "--compression") == 0) {
            uint64_t *dst = a[2] == 'e' ? &episodes : a[2] == 's' ? &seed : a[2] == 'm' ? &max_attempts : &compression;
            uint64_t lo = dst == &seed ? 0 : dst == &compression ? 0 : 1;
            uint64_t hi = dst == &episodes ? 1000000 : dst == &compression ? 9 : dst == &seed ? SPLIT_OFFSET - 1 : SPLIT_OFFSET;
            if (i + 1 >= argc || !cli_parse_u64(argv[i + 1], dst) || *dst < lo || *dst > hi) {
                fprintf(stderr, "gensim demos: %s needs a whole number from %" PRIu64 " to %" PRIu64 "\n", a, lo, hi);
                return CLI_USAGE;
            }
            i++;
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "--split") == 0 || strcmp(a, "--info") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "gensim demos: %s needs a value\n", a);
                return CLI_USAGE;
            }
            const char **dst = a[2] == 'o' ? &out : a[2] == 's' ? &split : &info;
            *dst = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gensim demos: unknown option '%s' (see gensim demos --help)\n", a);
            return CLI_USAGE;
        } else if (npaths < (int)(sizeof paths / sizeof paths[0])) paths[npaths++] = a;
        else {
            fprintf(stderr, "gensim demos: at most %d task files\n", (int)(sizeof paths / sizeof paths[0]));
            return CLI_USAGE;
        }
    }
    if (info) {
        if (npaths || out) {
            fprintf(stderr, "gensim demos: --info takes a file and no tasks or --out\n");
            return CLI_USAGE;
        }
        return demos_info(info, full, json);
    }
    if (!npaths || !out || !episodes) {
        fprintf(stderr, "gensim demos: %s\n\n", !npaths ? "no task file" : !out ? "--out FILE is required" : "--episodes N is required");
        fprintf(stderr, USAGE, CLI_LIMITS_HELP);
        return CLI_USAGE;
    }
    if (strcmp(split, "train") != 0 && strcmp(split, "test") != 0) {
        fprintf(stderr, "gensim demos: --split is train or test, not '%s'\n", split);
        return CLI_USAGE;
    }
    if (!max_attempts) max_attempts = 3 * episodes + 10;
    if (seed + max_attempts > SPLIT_OFFSET) {
        fprintf(stderr, "gensim demos: seeds %" PRIu64 "..%" PRIu64 " cross 2^31, where test seeds begin; "
                        "use a smaller --seed or --max-attempts\n", seed, seed + max_attempts - 1);
        return CLI_USAGE;
    }
    const uint64_t first_seed = seed + (strcmp(split, "test") == 0 ? SPLIT_OFFSET : 0);

    /* Every task loads before the file is created, so a bad one leaves nothing. */
    task_stats *tasks = calloc((size_t)npaths, sizeof *tasks);
    if (!tasks) {
        fprintf(stderr, "gensim demos: out of memory\n");
        return CLI_TASK;
    }
    char err[1024];
    int status = CLI_OK;
    for (int i = 0; i < npaths && status == CLI_OK; i++) {
        tasks[i].path = paths[i];
        opt.test_split = strcmp(split, "test") == 0; /* env.split: the unseen colours */
        gs_status st = gs_task_load(paths[i], &opt, &tasks[i].task, err, sizeof err);
        if (st != GS_OK) fprintf(stderr, st == GS_ERR_IO ? "gensim demos: %s\n" : "%s\n", err);
        status = cli_exit_status(st);
    }
    gs_dataset_writer *w = NULL;
    if (status == CLI_OK) {
        struct stat sb;
        gs_dataset_options dopt = gs_dataset_options_default();
        dopt.split = split;
        dopt.overwrite = force;
        dopt.compression = (int)compression;
        if (!force && stat(out, &sb) == 0) {
            fprintf(stderr, "gensim demos: %s already exists (use --force to replace it)\n", out);
            status = CLI_USAGE;
        } else if (gs_dataset_create(out, &dopt, &w, err, sizeof err) != GS_OK) {
            fprintf(stderr, "gensim demos: %s\n", err);
            status = CLI_USAGE;
        }
    }
    if (status != CLI_OK) {
        for (int i = 0; i < npaths; i++) gs_task_free(tasks[i].task);
        free(tasks);
        return status;
    }

    cli_signals saved_signals;
    cli_trap_stop(&saved_signals);

    progress prog = {isatty(STDERR_FILENO), quiet, cli_now(), 0, episodes * (uint64_t)npaths};
    prog.last = prog.t0;
    progress_tty = prog.tty && !quiet;
    const gsr_view view = gsr_view_default();
    gs_dataset_episode ep = {0};
    uint64_t kept = 0, attempts = 0;
    for (int ti = 0; ti < npaths && status == CLI_OK && !cli_stop_signal; ti++) {
        task_stats *ts = &tasks[ti];
        const char *name = gs_task_name(ts->task);
        for (uint64_t k = 0; ts->kept < episodes && k < max_attempts && !cli_stop_signal; k++) {
            gs_status st = gs_episode_record(ts->task, first_seed + k, gs_actor_oracle(), &view, &ep,
                                             err, sizeof err);
            ts->attempts++, attempts++;
            if (st == GS_ERR_NOMEM || st == GS_ERR_USAGE) {
                fprintf(stderr, "%sgensim demos: %s\n", progress_tty ? "\r\033[K" : "", err);
                status = CLI_TASK;
                break;
            }
            if (st != GS_OK) {
                /* A task may fail on a seed (no room for an object, a limit):
                 * the attempt counts as failed; the first reason is shown. */
                if (!ts->errors++) {
                    snprintf(ts->first_error, sizeof ts->first_error, "%s", err);
                    fprintf(stderr, "%s%s (seed %" PRIu64 "; counted as a failed attempt)\n",
                            progress_tty ? "\r\033[K" : "", err, first_seed + k);
                }
                /* Broken on every seed so far: more seeds will not help. */
                if (ts->errors == ts->attempts && ts->attempts >= GIVE_UP_ERRORS) {
                    fprintf(stderr, "%sgensim demos: %s: the first %d attempts all failed; giving up on it\n",
                            progress_tty ? "\r\033[K" : "", ts->path, GIVE_UP_ERRORS);
                    break;
                }
            } else if (ep.success) {
                ts->successes++;
                /* An episode solved before any action teaches nothing. */
                if (ep.steps > 0) {
                    if (gs_dataset_append(w, &ep, err, sizeof err) != GS_OK) {
                        fprintf(stderr, "%sgensim demos: %s\n", progress_tty ? "\r\033[K" : "", err);
                        status = CLI_USAGE;
                        break;
                    }
                    ts->kept++, kept++;
                }
            }
            progress_show(&prog, name, kept, attempts, 0);
        }
    }
    progress_show(&prog, cli_stop_signal ? "interrupted" : "done", kept, attempts, 1);
    int64_t written = gs_dataset_writer_episodes(w);
    if (gs_dataset_writer_close(w, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim demos: %s\n", err);
        status = CLI_USAGE;
    }
    cli_untrap_stop(&saved_signals);
    gs_dataset_episode_free(&ep);
    double wall = cli_now() - prog.t0;
    int interrupted = cli_stop_signal != 0;

    uint64_t successes = 0, errors = 0;
    for (int i = 0; i < npaths; i++) {
        task_stats *ts = &tasks[i];
        successes += ts->successes, errors += ts->errors;
        if (status == CLI_OK && !interrupted && ts->kept < episodes) {
            fprintf(stderr, "gensim demos: %s: only %" PRIu64 " of %" PRIu64 " episodes in %" PRIu64
                            " attempts (%" PRIu64 " successes, %" PRIu64 " errors)%s%s\n",
                    ts->path, ts->kept, episodes, ts->attempts, ts->successes, ts->errors,
                    ts->errors ? "; first error: " : "", ts->first_error);
            status = CLI_TASK;
        }
    }
    struct stat sb;
    double bytes = stat(out, &sb) == 0 ? (double)sb.st_size : 0;
    if (json) {
        cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "tasks");
        for (int i = 0; i < npaths; i++) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "task", gs_task_name(tasks[i].task));
            cJSON_AddStringToObject(t, "path", tasks[i].path);
            cJSON_AddNumberToObject(t, "episodes", (double)tasks[i].kept);
            cJSON_AddNumberToObject(t, "attempts", (double)tasks[i].attempts);
            cJSON_AddNumberToObject(t, "successes", (double)tasks[i].successes);
            cJSON_AddNumberToObject(t, "errors", (double)tasks[i].errors);
            cJSON_AddItemToArray(arr, t);
        }
        cJSON_AddNumberToObject(o, "episodes", (double)written);
        cJSON_AddNumberToObject(o, "requested", (double)(episodes * (uint64_t)npaths));
        cJSON_AddNumberToObject(o, "attempts", (double)attempts);
        cJSON_AddNumberToObject(o, "successes", (double)successes);
        cJSON_AddNumberToObject(o, "errors", (double)errors);
        cJSON_AddNumberToObject(o, "wall_s", wall);
        cJSON_AddNumberToObject(o, "episodes_per_s", wall > 0 ? (double)written / wall : 0);
        cJSON_AddStringToObject(o, "path", out);
        cJSON_AddNumberToObject(o, "bytes", bytes);
        cJSON_AddStringToObject(o, "split", split);
        cJSON_AddNumberToObject(o, "first_seed", (double)first_seed);
        cJSON_AddBoolToObject(o, "interrupted", interrupted);
        char *text = cJSON_PrintUnformatted(o);
        if (text) puts(text);
        cJSON_free(text);
        cJSON_Delete(o);
    } else {
        for (int i = 0; i < npaths; i++)
            printf("%s: %" PRIu64 " episodes kept of %" PRIu64 " attempts (%" PRIu64 " successes, %" PRIu64 " errors)\n",
                   gs_task_name(tasks[i].task), tasks[i].kept, tasks[i].attempts, tasks[i].successes,
                   tasks[i].errors);
        printf("wrote %" PRId64 " episodes to %s (%.1f MB) in %.2f s, %.1f episodes/s\n", written, out,
               bytes / 1e6, wall, wall > 0 ? (double)written / wall : 0);
    }
    if (interrupted) {
        fprintf(stderr, "gensim demos: interrupted by signal %d: %" PRId64 " finished episodes are in %s\n",
                (int)cli_stop_signal, written, out);
        status = 128 + cli_stop_signal;
    }
    for (int i = 0; i < npaths; i++) gs_task_free(tasks[i].task);
    free(tasks);
    return status;
}

/* ---- gensim demos --info ---- */

typedef struct info_task {
    char *name;
    uint64_t episodes, steps, seed_min, seed_max;
} info_task;

/* Opens path with the dataset reader, checks every episode's layout and
 * actions (and with full, reads every image), and describes the file. */
static int demos_info(const char *path, int full, int json) {
    char err[1024];
    gs_dataset *ds;
    if (gs_dataset_open(path, &ds, err, sizeof err) != GS_OK) {
        fprintf(stderr, "gensim demos: %s\n", err);
        return CLI_USAGE;
    }
    const gs_dataset_info *in = gs_dataset_get_info(ds);
    int64_t n = gs_dataset_episodes(ds);
    gs_dataset_episode ep = {0};
    info_task *tasks = NULL;
    int ntasks = 0, status = CLI_OK;
    uint64_t steps = 0;
    cJSON *list = cJSON_CreateArray();
    for (int64_t i = 0; i < n; i++) {
        if (gs_dataset_read_episode(ds, i, full ? GS_DATASET_OBSERVATIONS : 0, &ep, err, sizeof err) != GS_OK) {
            fprintf(stderr, "gensim demos: %s\n", err);
            status = CLI_USAGE;
            break;
        }
        steps += (uint64_t)ep.steps;
        int t = 0;
        while (t < ntasks && strcmp(tasks[t].name, ep.task) != 0) t++;
        if (t == ntasks) {
            info_task *more = realloc(tasks, (size_t)(ntasks + 1) * sizeof *tasks);
            char *name = strdup(ep.task);
            if (!more || !name) {
                free(name);
                if (more) tasks = more;
                fprintf(stderr, "gensim demos: out of memory\n");
                status = CLI_USAGE;
                break;
            }
            tasks = more;
            tasks[ntasks++] = (info_task){name, 0, 0, ep.seed, ep.seed};
        }
        tasks[t].episodes++;
        tasks[t].steps += (uint64_t)ep.steps;
        if (ep.seed < tasks[t].seed_min) tasks[t].seed_min = ep.seed;
        if (ep.seed > tasks[t].seed_max) tasks[t].seed_max = ep.seed;
        if (json) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "task", ep.task);
            cJSON_AddNumberToObject(e, "seed", (double)ep.seed);
            cJSON_AddNumberToObject(e, "steps", ep.steps);
            cJSON_AddNumberToObject(e, "total_reward", ep.total_reward);
            cJSON_AddBoolToObject(e, "success", ep.success);
            cJSON_AddItemToArray(list, e);
        }
    }
    if (status == CLI_OK && json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", path);
        cJSON_AddStringToObject(o, "format", in->format);
        cJSON_AddNumberToObject(o, "format_version", in->format_version);
        cJSON_AddStringToObject(o, "gensim_version", in->gensim_version);
        cJSON_AddStringToObject(o, "split", in->split);
        cJSON_AddNumberToObject(o, "pixel_size", in->pixel_size);
        cJSON_AddItemToObject(o, "image_size", cJSON_CreateIntArray((const int[]){in->rows, in->cols}, 2));
        cJSON_AddNumberToObject(o, "episodes", (double)n);
        cJSON_AddNumberToObject(o, "steps", (double)steps);
        cJSON *arr = cJSON_AddArrayToObject(o, "tasks");
        for (int t = 0; t < ntasks; t++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "task", tasks[t].name);
            cJSON_AddNumberToObject(e, "episodes", (double)tasks[t].episodes);
            cJSON_AddNumberToObject(e, "steps", (double)tasks[t].steps);
            cJSON_AddNumberToObject(e, "seed_min", (double)tasks[t].seed_min);
            cJSON_AddNumberToObject(e, "seed_max", (double)tasks[t].seed_max);
            cJSON_AddItemToArray(arr, e);
        }
        cJSON_AddItemToObject(o, "episode_list", list);
        list = NULL;
        char *text = cJSON_PrintUnformatted(o);
        if (text) puts(text);
        cJSON_free(text);
        cJSON_Delete(o);
    } else if (status == CLI_OK) {
        printf("%s: %s v%d (gensim %s), split %s, %d x %d images of %.3f mm\n", path, in->format,
               in->format_version, in->gensim_version, in->split, in->rows, in->cols, in->pixel_size * 1e3);
        printf("%" PRId64 " episodes, %" PRIu64 " steps\n", n, steps);
        for (int t = 0; t < ntasks; t++)
            printf("  %-28s %6" PRIu64 " episodes %7" PRIu64 " steps  seeds %" PRIu64 "..%" PRIu64 "\n",
                   tasks[t].name, tasks[t].episodes, tasks[t].steps, tasks[t].seed_min, tasks[t].seed_max);
    }
    cJSON_Delete(list);
    for (int t = 0; t < ntasks; t++) free(tasks[t].name);
    free(tasks);
    gs_dataset_episode_free(&ep);
    gs_dataset_close(ds);
    return status;
}

/* ---- helpers ---- */


static void log_line(void *ud, const char *line) {
    (void)ud;
    fprintf(stderr, "%s[task] %s\n", progress_tty ? "\r\033[K" : "", line);
}

static void format_duration(char *buf, size_t n, double s) {
    if (!(s >= 0) || s > 1e7) snprintf(buf, n, "?");
    else if (s < 60) snprintf(buf, n, "%.0fs", s);
    else if (s < 3600) snprintf(buf, n, "%dm%02ds", (int)s / 60, (int)s % 60);
    else snprintf(buf, n, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
}

/* A bar redrawn at most 10 times a second on a terminal; a plain line every
 * 10 s otherwise. final ends the bar's line. */
static void progress_show(progress *p, const char *task, uint64_t kept, uint64_t attempts, int final) {
    if (p->quiet) return;
    double now = cli_now(), elapsed = now - p->t0;
    if (!p->tty) {
        if (!final && now - p->last >= 10) {
            fprintf(stderr, "gensim demos: %" PRIu64 "/%" PRIu64 " episodes, %" PRIu64 " attempts, %.1f episodes/s\n",
                    kept, p->total, attempts, elapsed > 0 ? (double)kept / elapsed : 0);
            p->last = now;
        }
        return;
    }
    if (!final && now - p->last < 0.1) return;
    p->last = now;
    double rate = elapsed > 0 ? (double)kept / elapsed : 0;
    char eta[32];
    format_duration(eta, sizeof eta, final ? elapsed : rate > 0 ? (double)(p->total - kept) / rate : -1);
    enum { WIDTH = 24 };
    char bar[WIDTH + 1];
    int filled = p->total ? (int)(WIDTH * kept / p->total) : 0;
    for (int i = 0; i < WIDTH; i++) bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = 0;
    fprintf(stderr, "\r%-.24s [%s] %" PRIu64 "/%" PRIu64 " episodes, %" PRIu64 " attempts, %.1f/s, %s %s\033[K%s",
            task, bar, kept, p->total, attempts, rate, final ? "took" : "ETA", eta, final ? "\n" : "");
    fflush(stderr);
}
