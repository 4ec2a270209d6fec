/* cli.c: pieces shared by gensim and gensim-run. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gensim/io.h"
#include "gensim/policy_data.h"
#include "gensim/render.h"

const char CLI_LIMITS_HELP[] =
    "  --max-instructions N  Lua instructions per episode (default 200000000)\n"
    "  --max-memory-mb N     memory of the task's Lua state in MiB (default 256)\n"
    "  --timeout-s S         wall seconds of Lua per episode (default 10)\n"
    "  --max-objects N       objects per scene (default 128)\n";

int cli_parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s || *s == '-') return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return 0;
    *out = v;
    return 1;
}

int cli_parse_double(const char *s, double *out) {
    if (!s || !*s) return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

int cli_common_flag(int argc, char **argv, int *i, gs_task_options *opt, const char *usage,
                    int *json, int *quiet) {
    int lim = cli_limit_flag(argc, argv, i, opt);
    if (lim) return lim < 0 ? CLI_FLAG_BAD : CLI_FLAG_TAKEN;
    const char *a = argv[*i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        printf(usage, CLI_LIMITS_HELP);
        return CLI_FLAG_HELP;
    }
    if (strcmp(a, "--json") == 0) {
        *json = 1;
        return CLI_FLAG_TAKEN;
    }
    if (quiet && strcmp(a, "--quiet") == 0) {
        *quiet = 1;
        return CLI_FLAG_TAKEN;
    }
    return CLI_FLAG_OTHER;
}

int cli_limit_flag(int argc, char **argv, int *i, gs_task_options *opt) {
    const char *flag = argv[*i];
    static const char *const flags[] = {"--max-instructions", "--max-memory-mb", "--timeout-s",
                                        "--max-objects"};
    int which = -1;
    for (int k = 0; k < 4; k++)
        if (strcmp(flag, flags[k]) == 0) which = k;
    if (which < 0) return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "%s needs a value\n", flag);
        return -1;
    }
    const char *v = argv[++*i];
    uint64_t n = 0;
    double d = 0;
    int ok = which == 2 ? cli_parse_double(v, &d) && d > 0 && d <= 86400
                        : cli_parse_u64(v, &n) && n > 0;
    if (ok && which == 1) ok = n <= 65536;
    if (ok && which == 3) ok = n <= 100000;
    if (!ok) {
        fprintf(stderr, "%s: '%s' is not a valid value\n", flag, v);
        return -1;
    }
    if (which == 0) opt->limits.max_instructions = n;
    if (which == 1) opt->limits.max_memory = (size_t)n << 20;
    if (which == 2) opt->limits.timeout_s = d;
    if (which == 3) opt->scene.max_objects = (int)n;
    return 1;
}

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- task folders ---- */

const char *const CLI_TASK_DIRS[] = {"tasks/seed", "tasks/generated", "plugins"};

static int compare_paths(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_lua_files(const char *dir, char ***paths) {
    *paths = NULL;
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **list = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || strcmp(e->d_name + len - 4, ".lua") != 0) continue;
        if (n == cap) {
            int grown_cap = cap ? cap * 2 : 16;
            char **grown = realloc(list, (size_t)grown_cap * sizeof *grown);
            if (!grown) break;
            list = grown, cap = grown_cap;
        }
        size_t size = strlen(dir) + 1 + len + 1;
        if (!(list[n] = malloc(size))) break;
        snprintf(list[n++], size, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (n) qsort(list, (size_t)n, sizeof *list, compare_paths);
    *paths = list;
    return n;
}

void cli_free_paths(char **paths, int n) {
    for (int i = 0; paths && i < n; i++) free(paths[i]);
    free(paths);
}

/* ---- episode pictures ---- */

enum {
    SHOT_WIDTH = 640, SHOT_HEIGHT = 480, /* the PNGs */
    CLIP_WIDTH = 320, CLIP_HEIGHT = 240, /* the GIF's frames */
    CLIP_EVERY = 8,          /* physics steps a frame at first: 30 frames a simulated second */
    CLIP_SLOWDOWN = 450,     /* frames after which the stride doubles, bounding long clips */
    CLIP_HOLD_FIRST = 80,    /* hundredths of a second on the first frame, to read the goal */
    CLIP_HOLD_LAST = 200,    /* ...and on the last */
    ROBOT_ITEMS = 4          /* cup, blade and their rods */
};
/* Past this the clip only gets its last frame, keeping it near 5 MB. */
#define CLIP_MAX_BYTES ((size_t)4500 * 1024)

/* What the step observer needs to add frames to the clip. */
typedef struct recorder {
    gs_task *task;
    gs_scene *scene;
    gs_gif *gif;
    uint8_t *rgb;              /* (SHOT_HEIGHT x SHOT_WIDTH x 3), the largest picture */
    gsr_item *items;           /* (cap_items) */
    int cap_items;
    int every, since;          /* the stride, and steps since the last frame */
    int since_slowdown;        /* frames since the stride last changed */
    long steps;                /* physics steps recorded */
    int full;                  /* 1 once the clip reached CLIP_MAX_BYTES */
    double seconds;            /* wall time spent on frames */
    gs_status status;          /* the first failure */
    char err[1024];
} recorder;

static gs_status render_frame(recorder *r, int width, int height, int robot,
                              const char *corner);
static void caption(const gs_task *t, const gs_scene *s, uint8_t *rgb, int width, int height,
                    const char *corner);
static void record_step(void *ud);
static int scene_items(recorder *r, int robot);
static void shot_path(char *out, size_t n, const char *dir, const gs_task *t, uint64_t seed,
                      const char *suffix);

gs_status cli_run_episode(gs_task *t, uint64_t seed, cli_pictures *pics,
                          gs_episode *ep, char *err, size_t errlen) {
    return cli_run_episode_with(t, seed, NULL, pics, ep, err, errlen);
}

gs_status cli_run_episode_with(gs_task *t, uint64_t seed, gs_policy *policy,
                               cli_pictures *pics, gs_episode *ep, char *err, size_t errlen) {
    if (!pics && !policy) return gs_task_run_episode(t, seed, ep, err, errlen);
    if (!pics) {
        gs_status st = gs_task_reset(t, seed, err, errlen);
        return st != GS_OK ? st : gs_policy_play(policy, t, seed, ep, err, errlen);
    }
    pics->first[0] = pics->last[0] = pics->gif[0] = '\0';
    pics->frames = 0, pics->gif_bytes = 0, pics->seconds = 0;
    pics->status = GS_OK, pics->err[0] = '\0';
    double picture_s = 0;

    /* gs_task_run_episode, with the pictures around its play: they only
     * read the scene */
    memset(ep, 0, sizeof *ep);
    ep->seed = seed;
    gs_status st = gs_task_reset(t, seed, err, errlen);
    if (st != GS_OK) return st;
    gs_scene *s = gs_task_scene(t);

    recorder rec;
    memset(&rec, 0, sizeof rec);
    rec.task = t, rec.scene = s, rec.every = CLIP_EVERY, rec.status = GS_OK;
    shot_path(pics->first, sizeof pics->first, pics->dir, t, seed, "-first.png");
    shot_path(pics->last, sizeof pics->last, pics->dir, t, seed, "-last.png");
    if (pics->clip) shot_path(pics->gif, sizeof pics->gif, pics->dir, t, seed, ".gif");
    double p0 = cli_now();
    char corner[64];
    snprintf(corner, sizeof corner, "step 0/%d", gs_task_max_steps(t));
    rec.status = render_frame(&rec, SHOT_WIDTH, SHOT_HEIGHT, 0, corner);
    if (rec.status == GS_OK)
        rec.status = gs_write_png(pics->first, rec.rgb, SHOT_WIDTH, SHOT_HEIGHT, rec.err, sizeof rec.err);
    if (rec.status == GS_OK && pics->clip) {
        rec.status = gs_gif_open(&rec.gif, pics->gif, CLIP_WIDTH, CLIP_HEIGHT, 4, rec.err, sizeof rec.err);
        if (rec.status == GS_OK) rec.status = render_frame(&rec, CLIP_WIDTH, CLIP_HEIGHT, 1, corner);
        if (rec.status == GS_OK)
            rec.status = gs_gif_add_frame_for(rec.gif, rec.rgb, CLIP_HOLD_FIRST, rec.err, sizeof rec.err);
        if (rec.status == GS_OK) {
            s->robot.on_step = record_step;
            s->robot.on_step_ud = &rec;
        }
    }
    picture_s += cli_now() - p0;

    st = policy ? gs_policy_play(policy, t, seed, ep, err, errlen) : gs_task_play(t, ep, err, errlen);
    s->robot.on_step = NULL;
    s->robot.on_step_ud = NULL;

    /* The last pictures, the outcome in the corner when there is one. */
    p0 = cli_now();
    snprintf(corner, sizeof corner, "step %d/%d%s", s->steps, gs_task_max_steps(t),
             st != GS_OK ? "" : ep->success ? ": success" : ": failure");
    if (rec.gif && rec.status == GS_OK) {
        rec.status = render_frame(&rec, CLIP_WIDTH, CLIP_HEIGHT, 1, corner);
        if (rec.status == GS_OK)
            rec.status = gs_gif_add_frame_for(rec.gif, rec.rgb, CLIP_HOLD_LAST, rec.err, sizeof rec.err);
    }
    if (rec.gif) {
        pics->frames = gs_gif_frames(rec.gif);
        pics->gif_bytes = gs_gif_bytes(rec.gif);
        if (rec.status == GS_OK) rec.status = gs_gif_close(rec.gif, rec.err, sizeof rec.err);
        else gs_gif_discard(rec.gif);
        rec.gif = NULL;
    }
    if (rec.status == GS_OK) rec.status = render_frame(&rec, SHOT_WIDTH, SHOT_HEIGHT, 0, corner);
    if (rec.status == GS_OK)
        rec.status = gs_write_png(pics->last, rec.rgb, SHOT_WIDTH, SHOT_HEIGHT, rec.err, sizeof rec.err);
    picture_s += cli_now() - p0;
    free(rec.rgb);
    free(rec.items);
    pics->status = rec.status;
    if (rec.status != GS_OK) snprintf(pics->err, sizeof pics->err, "%s", rec.err);
    pics->seconds = picture_s + rec.seconds;
    return st;
}

/* Renders the scene (the robot too when robot is 1) at width x height into
 * r->rgb and captions it, corner in the bottom right corner. */
static gs_status render_frame(recorder *r, int width, int height, int robot,
                              const char *corner) {
    if (!r->rgb && !(r->rgb = malloc((size_t)SHOT_WIDTH * SHOT_HEIGHT * 3)))
        return gs_fail(r->err, sizeof r->err, GS_ERR_NOMEM, "out of memory rendering");
    int n = scene_items(r, robot);
    if (n < 0) return gs_fail(r->err, sizeof r->err, GS_ERR_NOMEM, "out of memory rendering");
    gsr_camera cam = gsr_camera_default(width, height);
    gsr_render_camera(r->items, n, &cam, r->rgb);
    caption(r->task, r->scene, r->rgb, width, height, corner);
    return GS_OK;
}

/* The current goal stage's language goal (the task's description when it
 * has none) in a band across the top; the stage, when there are several,
 * and corner in the bottom right corner. */
static void caption(const gs_task *t, const gs_scene *s, uint8_t *rgb, int width, int height,
                    const char *corner) {
    int stage = 0;
    gs_scene_reward(s, &stage);
    if (stage >= s->ngoals) stage = s->ngoals - 1;
    const char *goal = stage >= 0 ? s->goals[stage].lang : NULL;
    if (!goal || !*goal) goal = gs_task_description(t);
    gsr_text_style style = gsr_text_style_default();
    style.scale = width >= 480 ? 2 : 1;
    style.pad = 3 * style.scale;
    style.fill = 1;
    gsr_text_block(rgb, width, height, 0, 0, width, goal, &style);

    char label[96];
    int n = 0;
    if (s->ngoals > 1 && stage >= 0)
        n = snprintf(label, sizeof label, "stage %d/%d, ", stage + 1, s->ngoals);
    snprintf(label + n, sizeof label - (size_t)n, "%s", corner);
    style.fill = 0;
    int w, h;
    gsr_text_measure(label, width, &style, &w, &h);
    gsr_text_block(rgb, width, height, width - w, height - h, width, label, &style);
}

/* The robot's observer: every r->every steps, a frame for the clip. */
static void record_step(void *ud) {
    recorder *r = ud;
    r->steps++;
    if (r->status != GS_OK || r->full || ++r->since < r->every) return;
    double t0 = cli_now();
    r->since = 0;
    /* Each frame lasts until the next, in simulated time, rounded so the
     * clip keeps pace: 8 steps at 240 Hz make 3 or 4 hundredths. */
    double dt_cs = gs_world_timestep(r->scene->world) * 100;
    int delay = (int)(lround((double)(r->steps + r->every) * dt_cs) - lround((double)r->steps * dt_cs));
    if (delay < 1) delay = 1;
    /* The action under way. */
    char corner[48];
    int step = r->scene->steps + 1, max = gs_task_max_steps(r->task);
    snprintf(corner, sizeof corner, "step %d/%d", step < max ? step : max, max);
    r->status = render_frame(r, CLIP_WIDTH, CLIP_HEIGHT, 1, corner);
    if (r->status == GS_OK) r->status = gs_gif_add_frame_for(r->gif, r->rgb, delay, r->err, sizeof r->err);
    if (gs_gif_bytes(r->gif) > CLIP_MAX_BYTES) r->full = 1;
    if (++r->since_slowdown >= CLIP_SLOWDOWN) r->every *= 2, r->since_slowdown = 0;
    r->seconds += cli_now() - t0;
}

/* Fills r->items with the scene's parts and, with robot, the cup and the
 * blade on rods (the blade only when it is out of its parking place);
 * returns how many, -1 when out of memory. */
static int scene_items(recorder *r, int robot) {
    const gs_scene *s = r->scene;
    int n = gs_scene_render_items(s, NULL, 0);
    if (n + ROBOT_ITEMS > r->cap_items) {
        gsr_item *grown = realloc(r->items, (size_t)(n + ROBOT_ITEMS) * sizeof *grown);
        if (!grown) return -1;
        r->items = grown, r->cap_items = n + ROBOT_ITEMS;
    }
    gs_scene_render_items(s, r->items, n);
    if (!robot) return n;
    const gs_robot *rb = &s->robot;
    static const float tool[3] = {0.06f, 0.06f, 0.07f}, rod[3] = {0.30f, 0.31f, 0.33f};
    const double rod_len = 0.3, rod_width = 0.012;
    for (int k = 0; k < 2; k++) {
        int body = k == 0 ? rb->tip : rb->spatula;
        if (body == GS_BODY_NONE) continue;
        gs_pose p;
        gs_world_get_pose(s->world, body, &p);
        if (k == 1 && p.pos[2] > rb->park.pos[2] - 0.1) continue; /* parked, out of sight */
        gsr_item *it = &r->items[n++];
        memset(it, 0, sizeof *it);
        if (k == 0) {
            it->shape.type = GS_SHAPE_CYLINDER;
            it->shape.size[0] = it->shape.size[1] = 2 * rb->opt.tip_radius;
            it->shape.size[2] = rb->opt.tip_height;
        } else {
            it->shape.type = GS_SHAPE_BOX;
            memcpy(it->shape.size, rb->opt.spatula_size, sizeof it->shape.size);
        }
        it->pose = p;
        memcpy(it->color, tool, sizeof tool);
        it->id = s->nobjects + 1 + k;
        gsr_item *arm = &r->items[n++];
        *arm = *it;
        arm->shape.type = GS_SHAPE_CYLINDER;
        arm->shape.size[0] = arm->shape.size[1] = rod_width;
        arm->shape.size[2] = rod_len;
        arm->pose.pos[2] += it->shape.size[2] / 2 + rod_len / 2;
        memcpy(arm->color, rod, sizeof rod);
    }
    return n;
}

static void shot_path(char *out, size_t n, const char *dir, const gs_task *t, uint64_t seed,
                      const char *suffix) {
    snprintf(out, n, "%s/%s-%" PRIu64 "%s", dir, gs_task_name(t), seed, suffix);
}

int cli_episode_flag(int argc, char **argv, int *i, const char *prog, uint64_t *episodes,
                     uint64_t *seed, gs_task_options *opt) {
    const char *a = argv[*i];
    if (strcmp(a, "--episodes") == 0 || strcmp(a, "--seed") == 0) {
        int count = a[2] == 'e';
        uint64_t *dst = count ? episodes : seed;
        if (*i + 1 >= argc || !cli_parse_u64(argv[*i + 1], dst) ||
            (count && (*dst < 1 || *dst > 1000000))) {
            fprintf(stderr, "%s: %s needs a %s\n", prog, a,
                    count ? "count from 1 to 1000000" : "non-negative integer");
            return CLI_FLAG_BAD;
        }
        ++*i;
        return CLI_FLAG_TAKEN;
    }
    if (strcmp(a, "--split") == 0) {
        if (*i + 1 >= argc || (strcmp(argv[*i + 1], "train") != 0 && strcmp(argv[*i + 1], "test") != 0)) {
            fprintf(stderr, "%s: --split is train or test\n", prog);
            return CLI_FLAG_BAD;
        }
        opt->test_split = strcmp(argv[++*i], "test") == 0;
        return CLI_FLAG_TAKEN;
    }
    return CLI_FLAG_OTHER;
}

volatile sig_atomic_t cli_stop_signal;

static void on_stop_signal(int sig) { cli_stop_signal = sig; }

static const int STOP_SIGNALS[3] = {SIGINT, SIGTERM, SIGHUP};

void cli_trap_stop(cli_signals *saved) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESTART | SA_RESETHAND; /* a second signal kills at once */
    sigemptyset(&sa.sa_mask);
    cli_stop_signal = 0;
    for (int k = 0; k < 3; k++) {
        sigaction(STOP_SIGNALS[k], NULL, &saved->old[k]);
        /* under nohup a hangup must not stop the run */
        if (STOP_SIGNALS[k] == SIGHUP && saved->old[k].sa_handler == SIG_IGN) continue;
        sigaction(STOP_SIGNALS[k], &sa, NULL);
    }
}

void cli_untrap_stop(const cli_signals *saved) {
    for (int k = 0; k < 3; k++) sigaction(STOP_SIGNALS[k], &saved->old[k], NULL);
}

void cli_log_task_line(void *ud, const char *line) {
    (void)ud;
    fprintf(stderr, "[task] %s\n", line);
}
