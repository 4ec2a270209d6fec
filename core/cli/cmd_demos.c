/* cmd_demos.c: gensim demos: successful episodes with observations,
 * streamed into an HDF5 file (gs_record in workflow.h; layout: dataset.h,
 * README.md "Datasets").
 *
 * SIGINT, SIGTERM and SIGHUP (unless ignored, as under nohup) set a flag:
 * the episode under way finishes, the file is closed, and the exit status
 * is 128 + the signal; a second signal kills at once. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "flags.h"
#include "gensim/dataset.h"
#include "gensim/skill.h"
#include "gensim/workflow.h"

static int progress_tty; /* stderr shows a bar that log lines must clear first */

typedef struct progress {
    int tty, quiet;
    double t0, last;
} progress;

static int demos_info(const char *path, int full, int json);
static int demos_merge(int argc, char **argv);
static void on_retry(void *ud, const char *message);
static void log_line(void *ud, const char *line);
static void on_attempt(void *ud, const char *task, uint64_t kept, uint64_t attempts, uint64_t total);
static void on_error(void *ud, const char *message, uint64_t seed);
static void progress_show(progress *p, const char *task, uint64_t kept, uint64_t attempts,
                          uint64_t total, int final);
static int report(const gs_record_result *r, const gs_record_options *o, int json);

/* Records o into out with progress, the summary and the messages of a
 * stopped or short run; the exit status. */
static int demos_record(gs_record_options *o, const char *out, const cli_common *common) {
    char err[1024];
    int status = CLI_OK;
    progress prog = {isatty(STDERR_FILENO), common->quiet, cli_now(), cli_now()};
    progress_tty = prog.tty && !common->quiet;
    o->on_attempt = on_attempt, o->on_error = on_error, o->ud = &prog;
    o->stop = &cli_stop_signal;
    o->scale.on_retry = on_retry;

    cli_signals saved_signals;
    cli_trap_stop(&saved_signals);
    gs_record_result r;
    gs_status st = gs_record(o, &r, err, sizeof err);
    if (r.resumed && !common->quiet)
        fprintf(stderr, "%sgensim demos: went on from %s: %" PRId64 " episodes in %" PRIu64 " attempts were "
                        "already made\n", progress_tty ? "\r\033[K" : "", out, r.written_before, r.attempts_before);
    if (r.ntasks && r.attempts)
        progress_show(&prog, cli_stop_signal ? "interrupted" : "done", (uint64_t)r.written, r.attempts, r.requested, 1);
    cli_untrap_stop(&saved_signals);
    if (st != GS_OK) {
        fprintf(stderr, "%s%s%s\n", progress_tty ? "\r\033[K" : "",
                st == GS_ERR_IO || st == GS_ERR_USAGE ? "gensim demos: " : "", err);
        status = cli_exit_status(st);
    }
    if (st == GS_OK || r.written > 0) {
        int reported = report(&r, o, common->json);
        if (status == CLI_OK) status = reported;
    }
    if (r.interrupted) {
        fprintf(stderr, "gensim demos: interrupted by signal %d: %" PRId64 " finished episodes are in %s; "
                        "the same command with --resume goes on\n", (int)cli_stop_signal, r.written, out);
        status = 128 + cli_stop_signal;
    } else if (st != GS_OK && r.written >= 0 && r.ntasks && !r.complete && st != GS_ERR_USAGE) {
        fprintf(stderr, "gensim demos: %" PRId64 " episodes are in %s; the same command with --resume makes "
                        "only the attempts not yet made\n", r.written, out);
    }
    gs_record_result_free(&r);
    return status;
}

int cmd_demos(int argc, char **argv) {
    gs_record_options o = gs_record_options_default();
    o.task_opt.log = log_line;
    const char *out = NULL, *info = NULL, *split = "train", *model = NULL;
    int force = 0, full = 0, resume = 0;
    uint64_t episodes = 0, seed = 0, max_attempts = 0, compression = 1;
    cli_common common = {0, 0, &o.task_opt, &o.scale, 0};
    const cli_flag flags[] = {
        {"--episodes", CLI_COUNT, &episodes, 1, 1000000, NULL, "N", "successful episodes to keep per task (1..1000000)"},
        {"--out", CLI_TEXT, &out, 0, 0, NULL, "FILE", "the HDF5 file to write; an existing one is refused"},
        {"--force", CLI_SWITCH, &force, 0, 0, NULL, NULL, "replace an existing FILE"},
        {"--resume", CLI_SWITCH, &resume, 0, 0, NULL, NULL,
         "go on with the FILE a stopped run of the same command left\n"
         "(FILE.state.json says how far it got); a finished FILE is left as it is"},
        {"--seed", CLI_COUNT, &seed, 0, (double)(GS_TEST_SEED_OFFSET - 1), NULL, "S",
         "the first seed (default 0): attempt k of a task uses\n"
         "seed S + k for train, 2^31 + S + k for test"},
        {"--split", CLI_CHOICE, &split, 0, 0, "train|test", "NAME", "train (default) or test; the two never share a seed"},
        {"--max-attempts", CLI_COUNT, &max_attempts, 1, (double)GS_TEST_SEED_OFFSET, NULL, "M",
         "attempts per task before giving up (default 3N + 10)"},
        {"--compression", CLI_COUNT, &compression, 0, 9, NULL, "L", "deflate level of the images, 0..9 (default 1)"},
        {"--info", CLI_TEXT, &info, 0, 0, NULL, "FILE",
         "check FILE's layout and actions with the reader and\n"
         "describe it; --full also decompresses every image"},
        {"--full", CLI_SWITCH, &full, 0, 0, NULL, NULL, "with --info: read every image too"},
        {"--policy", CLI_TEXT, &model, 0, 0, NULL, "MODEL",
         "a trained policy (gensim train) or a learned skill (gensim learn)\n"
         "acts instead of the oracle; its successful episodes are kept"},
    };
    const char *paths[256];
    cli_list tasks = {paths, 0, 256};
    const cli_command cmd = {
        "gensim demos", "TASK... --episodes N --out FILE.h5 [--seed S]\n"
                        "                    [--split train|test] [--force | --resume] [--max-attempts M]\n"
                        "                    [--compression L] [--policy MODEL] [--jobs N] [--shard I/N]\n"
                        "                    [--json] [--quiet]\n"
                        "       gensim demos --info FILE.h5 [--full] [--json]\n"
                        "       gensim demos merge PART.h5... --out FILE.h5 [--force] [--json]",
        "Records N successful oracle episodes of each task (a .lua file or a task name)\n"
        "into FILE.h5: per episode the heightmap, colour and segmentation before each\n"
        "action and after the last, the actions (pick and place poses and their pixels),\n"
        "the reward of each action, the language goal, the task's name and the seed\n"
        "(README.md, \"Datasets\"). Failed episodes are skipped and further seeds tried,\n"
        "up to M attempts per task. Each episode is written as it finishes: an\n"
        "interrupted run (Ctrl-C) leaves a readable file with every finished episode.\n"
        "With --jobs the attempts run in N worker processes and the file is the one a\n"
        "single process writes, byte for byte. --shard I/N records part I of the tasks\n"
        "(or, with more shards than tasks, of each task's attempts) into its own file;\n"
        "gensim demos merge joins the parts into the file one run would have written.\n",
        flags, (int)(sizeof flags / sizeof flags[0]), &tasks, "task", 1, 1,
        "Progress goes to stderr: a bar on a terminal, else a line every 10 s.\n"
        "Exit status: 0 every episode asked for was recorded; 2 bad usage, an unreadable\n"
        "task, an existing FILE or a write error; 3 a task failed to load or gave fewer\n"
        "than N successes in M attempts (the file keeps what was recorded); 128 + the\n"
        "signal when interrupted (130 for Ctrl-C), the file keeping every finished episode;\n"
        "the same command with --resume goes on from there.\n",
        CLI_SCALE_ALL};
    if (argc > 1 && strcmp(argv[1], "merge") == 0) return demos_merge(argc - 1, argv + 1);
    int status = cli_parse(&cmd, argc, argv, &common);
    if (status != CLI_OK) return status == CLI_HELP ? CLI_OK : status;
    if (info) {
        if (tasks.n || out) return cli_usage_error(&cmd, "--info takes a file and no tasks or --out");
        return demos_info(info, full, common.json);
    }
    if (!tasks.n || !out || !episodes) {
        fprintf(stderr, "gensim demos: %s\n\n",
                !tasks.n ? "no task file" : !out ? "--out FILE is required" : "--episodes N is required");
        cli_usage(&cmd, stderr);
        return CLI_USAGE;
    }
    char err[1024];
    gs_agent *agent = NULL;
    if (model) {
        if (gs_agent_load(model, &agent, err, sizeof err) != GS_OK) {
            fprintf(stderr, "gensim demos: %s\n", err);
            return CLI_USAGE;
        }
        o.actor = gs_agent_actor(agent);
    }
    o.tasks = paths, o.ntasks = tasks.n, o.out = out, o.overwrite = force, o.resume = resume;
    o.episodes = episodes, o.seed = seed, o.max_attempts = max_attempts, o.compression = (int)compression;
    o.task_opt.test_split = strcmp(split, "test") == 0; /* env.split: the unseen colours */
    status = demos_record(&o, out, &common);
    gs_agent_free(agent);
    return status;
}

/* The summary, and a message for every task that kept fewer than asked. */
static int report(const gs_record_result *r, const gs_record_options *o, int json) {
    int status = CLI_OK;
    for (int i = 0; i < r->ntasks && !r->interrupted; i++) {
        const gs_record_task *ts = &r->tasks[i];
        if (!ts->fell_short) continue;
        fprintf(stderr, "gensim demos: %s: only %" PRIu64 " of %" PRIu64 " episodes in %" PRIu64
                        " attempts (%" PRIu64 " successes, %" PRIu64 " errors)%s%s\n",
                ts->path, ts->kept, o->episodes, ts->attempts, ts->successes, ts->errors,
                ts->errors ? "; first error: " : "", ts->first_error);
        status = CLI_TASK;
    }
    if (json) {
        char *text = gs_record_result_json(r, o);
        if (text) puts(text);
        free(text);
        return status;
    }
    for (int i = 0; i < r->ntasks; i++)
        printf("%s: %" PRIu64 " episodes kept of %" PRIu64 " attempts (%" PRIu64 " successes, %" PRIu64 " errors)\n",
               r->tasks[i].name, r->tasks[i].kept, r->tasks[i].attempts, r->tasks[i].successes, r->tasks[i].errors);
    printf("wrote %" PRId64 " episodes to %s (%.1f MB) in %.2f s, %.1f episodes/s\n", r->written, o->out,
           r->bytes / 1e6, r->wall_s, r->wall_s > 0 ? (double)r->written / r->wall_s : 0);
    return status;
}

static void on_attempt(void *ud, const char *task, uint64_t kept, uint64_t attempts, uint64_t total) {
    progress_show(ud, task, kept, attempts, total, 0);
}

static void on_retry(void *ud, const char *message) {
    (void)ud;
    fprintf(stderr, "%sgensim demos: worker lost: %s\n", progress_tty ? "\r\033[K" : "", message);
}

/* ---- gensim demos merge ---- */

static int demos_merge(int argc, char **argv) {
    const char *out = NULL;
    int force = 0;
    const cli_flag flags[] = {
        {"--out", CLI_TEXT, &out, 0, 0, NULL, "FILE", "the merged file (written whole, then renamed)"},
        {"--force", CLI_SWITCH, &force, 0, 0, NULL, NULL, "replace an existing FILE"},
    };
    const char *paths[GS_SHARDS_MAX < 4096 ? GS_SHARDS_MAX : 4096];
    cli_list parts = {paths, 0, (int)(sizeof paths / sizeof paths[0])};
    const cli_command cmd = {
        "gensim demos merge", "PART.h5... --out FILE.h5 [--force] [--json]",
        "Joins the files the shards of one gensim demos run wrote (--shard 0/N .. N-1/N,\n"
        "each complete) into FILE.h5: the episodes one process would have recorded, in\n"
        "its order, with every attribute of the parts' files and episodes. The parts\n"
        "must be of the same tasks, episodes, seeds, split and compression, every shard\n"
        "once.\n",
        flags, (int)(sizeof flags / sizeof flags[0]), &parts, "part", 0, 0,
        "Exit status: 0 merged; 2 bad usage, parts that are not one run's, overlap or\n"
        "miss a shard, or a file that cannot be read or written (an existing FILE is\n"
        "kept); 3 merged, but a task kept fewer episodes than asked.\n",
        CLI_SCALE_NONE};
    cli_common common = {0, 0, NULL, NULL, 0};
    int status = cli_parse(&cmd, argc, argv, &common);
    if (status != CLI_OK) return status == CLI_HELP ? CLI_OK : status;
    if (!parts.n) return cli_usage_error(&cmd, "no part to merge");
    if (!out) return cli_usage_error(&cmd, "--out FILE is required");
    gs_record_result r;
    char err[1024];
    gs_status st = gs_demos_merge(parts.items, parts.n, out, force, &r, err, sizeof err);
    if (st != GS_OK) {
        fprintf(stderr, "gensim demos merge: %s\n", err);
        gs_record_result_free(&r);
        return cli_exit_status(st);
    }
    for (int i = 0; i < r.ntasks; i++)
        if (r.tasks[i].fell_short) {
            fprintf(stderr, "gensim demos merge: %s: only %" PRIu64 " episodes in %" PRIu64 " attempts\n",
                    r.tasks[i].name, r.tasks[i].kept, r.tasks[i].attempts);
            status = CLI_TASK;
        }
    char *text = common.json ? gs_demos_merge_json(&r, out) : NULL;
    if (text) puts(text);
    else if (!common.json)
        printf("merged %d parts into %s: %" PRId64 " episodes of %d tasks (%.1f MB)\n", parts.n, out, r.written,
               r.ntasks, r.bytes / 1e6);
    free(text);
    gs_record_result_free(&r);
    return status;
}

static void on_error(void *ud, const char *message, uint64_t seed) {
    (void)ud;
    fprintf(stderr, "%s%s (seed %" PRIu64 "; counted as a failed attempt)\n", progress_tty ? "\r\033[K" : "",
            message, seed);
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
        cli_print_json(o);
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
static void progress_show(progress *p, const char *task, uint64_t kept, uint64_t attempts,
                          uint64_t total, int final) {
    if (p->quiet) return;
    double now = cli_now(), elapsed = now - p->t0;
    if (!p->tty) {
        if (!final && now - p->last >= 10) {
            fprintf(stderr, "gensim demos: %" PRIu64 "/%" PRIu64 " episodes, %" PRIu64 " attempts, %.1f episodes/s\n",
                    kept, total, attempts, elapsed > 0 ? (double)kept / elapsed : 0);
            p->last = now;
        }
        return;
    }
    if (!final && now - p->last < 0.1) return;
    p->last = now;
    double rate = elapsed > 0 ? (double)kept / elapsed : 0;
    char eta[32];
    format_duration(eta, sizeof eta, final ? elapsed : rate > 0 ? (double)(total - kept) / rate : -1);
    enum { WIDTH = 24 };
    char bar[WIDTH + 1];
    int filled = total ? (int)(WIDTH * kept / total) : 0;
    for (int i = 0; i < WIDTH; i++) bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = 0;
    fprintf(stderr, "\r%-.24s [%s] %" PRIu64 "/%" PRIu64 " episodes, %" PRIu64 " attempts, %.1f/s, %s %s\033[K%s",
            task, bar, kept, total, attempts, rate, final ? "took" : "ETA", eta, final ? "\n" : "");
    fflush(stderr);
}
