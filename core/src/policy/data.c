/* data.c: demonstration files as policy samples, batches and augmentation
 * (policy_data.h).
 *
 * Opening reads only the actions of every episode (a few hundred bytes
 * each) into a flat index; observations are read from the file when a
 * batch first needs them and kept while the cache budget allows, so a
 * dataset larger than memory still trains, only slower. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/dataset.h"
#include "gensim/policy_data.h"

#define AUGMENT_TRIES 32
#define MAX_FILES 1024

/* One usable step: where its observation is and what the expert did. */
typedef struct demo_step {
    int file, task, lang;
    int64_t episode;
    int t;
    int pick_row, pick_col, place_row, place_col, rotation, push;
    double lift;
    float *heightmap;  /* cached observation, or NULL */
    uint8_t *color;
} demo_step;

typedef struct demo_task {
    char *name;
    int64_t episodes;          /* recorded episodes of this task */
    int64_t *train, *val;      /* step indices per split */
    int64_t ntrain, nval;
} demo_task;

struct gs_demos {
    gs_dataset **files;
    int nfiles;
    int rows, cols;
    demo_step *steps;
    int64_t nsteps;
    demo_task *tasks;
    int ntasks;
    char **langs;              /* distinct language goals */
    int nlangs;
    int64_t *val;              /* every validation step, task by task */
    int64_t nval, ntrain, episodes[2];
    size_t cache_left;
};

static int task_index(gs_demos *d, const char *name);
static int lang_index(gs_demos *d, const char *lang);
static int push_index(int64_t **arr, int64_t *n, int64_t v);
static gs_status check_view(const gs_dataset_info *in, const char *path,
                            const gs_policy_config *cfg, char *err, size_t errlen);
static gs_status load_sample(gs_demos *d, int64_t index, float *heightmap, uint8_t *color,
                             gs_policy_sample *s, char *err, size_t errlen);

gsr_view gs_policy_view(const gs_policy_config *cfg) {
    gsr_view v = {cfg->bounds[0][0], cfg->bounds[0][1], cfg->bounds[1][0], cfg->bounds[1][1],
                  cfg->pixel};
    return v;
}

int gs_policy_rotation_bin(double pick_yaw, double place_yaw, int rotations) {
    if (rotations < 1) return 0;
    double turn = gsu_wrap_angle(place_yaw - pick_yaw, 2 * GS_PI);
    long bin = lround(turn / (2 * GS_PI / rotations));
    return (int)(((bin % rotations) + rotations) % rotations);
}

gs_demos_options gs_demos_options_default(void) {
    gs_demos_options o;
    o.val_fraction = 0.1;
    o.cache_bytes = (size_t)2 << 30;
    return o;
}

/* Indexes episode e's usable steps (pick-and-place or push, both pixels in
 * the view) of file f; *cap_steps is d->steps' capacity. */
static gs_status index_steps(gs_demos *d, int f, int64_t e, int task, const gs_dataset_episode *ep,
                             const gs_policy_config *cfg, int64_t *cap_steps, const char *path, char *err,
                             size_t errlen) {
    for (int t = 0; t < ep->steps; t++) {
        const int32_t *pk = ep->pick_pixel + 2 * t, *pl = ep->place_pixel + 2 * t;
        /* steps the view does not show teach nothing */
        int push = ep->primitive[t] == GS_DATASET_PUSH;
        if ((ep->primitive[t] != GS_DATASET_PICK_PLACE && !push) || pk[0] < 0 || pk[1] < 0 || pl[0] < 0 ||
            pl[1] < 0 || pk[0] >= d->rows || pk[1] >= d->cols || pl[0] >= d->rows || pl[1] >= d->cols)
            continue;
        if (d->nsteps == *cap_steps) {
            int64_t cap = *cap_steps ? 2 * *cap_steps : 256;
            demo_step *s = realloc(d->steps, (size_t)cap * sizeof *s);
            if (!s) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory indexing %s", path);
            d->steps = s, *cap_steps = cap;
        }
        int lang = lang_index(d, ep->lang[t] ? ep->lang[t] : "");
        if (lang < 0) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory indexing %s", path);
        gs_pose pick, place;
        memcpy(pick.rot, ep->pick_pose + 7 * t + 3, sizeof pick.rot);
        memcpy(place.rot, ep->place_pose + 7 * t + 3, sizeof place.rot);
        demo_step *s = &d->steps[d->nsteps++];
        memset(s, 0, sizeof *s);
        s->file = f, s->task = task, s->lang = lang, s->episode = e, s->t = t;
        s->pick_row = pk[0], s->pick_col = pk[1];
        s->place_row = pl[0], s->place_col = pl[1];
        /* a push's direction is its two pixels; the spatula turns to it */
        s->rotation = push ? 0 : gs_policy_rotation_bin(gsu_pose_yaw(&pick), gsu_pose_yaw(&place), cfg->rotations);
        s->push = push;
        s->lift = ep->lift[t]; /* a push's is not used (gs_policy_learn_goal) */
    }
    return GS_OK;
}

/* Opens and indexes every file: each episode's task and first step into
 * ep_task and ep_first (nep of them), to split by episode after. */
static gs_status index_files(gs_demos *d, const char *const *paths, int npaths, const gs_policy_config *cfg,
                             int64_t **ep_task, int64_t **ep_first, int64_t *nep, char *err, size_t errlen) {
    gs_status st = GS_OK;
    gs_dataset_episode ep = {0};
    int64_t cap_steps = 0;
    for (int f = 0; f < npaths && st == GS_OK; f++) {
        if ((st = gs_dataset_open(paths[f], &d->files[f], err, errlen)) != GS_OK) break;
        d->nfiles++;
        st = check_view(gs_dataset_get_info(d->files[f]), paths[f], cfg, err, errlen);
        int64_t n = gs_dataset_episodes(d->files[f]);
        for (int64_t e = 0; e < n && st == GS_OK; e++) {
            char why[768];
            if ((st = gs_dataset_read_episode(d->files[f], e, 0, &ep, why, sizeof why)) != GS_OK) {
                gs_fail(err, errlen, st, "%s", why);
                break;
            }
            int task = task_index(d, ep.task);
            int64_t nfirst = *nep;
            if (task < 0 || !push_index(ep_task, nep, task) || !push_index(ep_first, &nfirst, d->nsteps)) {
                st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory indexing %s", paths[f]);
                break;
            }
            d->tasks[task].episodes++;
            st = index_steps(d, f, e, task, &ep, cfg, &cap_steps, paths[f], err, errlen);
        }
    }
    gs_dataset_episode_free(&ep);
    if (st == GS_OK && d->nsteps == 0)
        st = gs_fail(err, errlen, GS_ERR_USAGE,
                     "%s%s: no pick-and-place or push step with its pixels in the view to learn from",
                     paths[0], npaths > 1 ? " and the other files" : "");
    return st;
}

/* The split: the last val_fraction of each task's episodes, rounded, at
 * least one when there are two or more and the fraction is not 0, never
 * all of them. */
static gs_status split_episodes(gs_demos *d, const int64_t *ep_task, const int64_t *ep_first, int64_t nep,
                                double val_fraction, char *err, size_t errlen) {
    int64_t *seen = calloc((size_t)d->ntasks, sizeof *seen);
    if (!seen) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    gs_status st = GS_OK;
    for (int64_t e = 0; e < nep && st == GS_OK; e++) {
        demo_task *tk = &d->tasks[ep_task[e]];
        int64_t nval = (int64_t)llround(val_fraction * (double)tk->episodes);
        if (val_fraction > 0 && nval < 1 && tk->episodes >= 2) nval = 1;
        if (nval >= tk->episodes) nval = tk->episodes - 1;
        int is_val = seen[ep_task[e]]++ >= tk->episodes - nval;
        d->episodes[is_val]++;
        int64_t end = e + 1 < nep ? ep_first[e + 1] : d->nsteps;
        for (int64_t k = ep_first[e]; k < end && st == GS_OK; k++) {
            int ok = is_val ? push_index(&tk->val, &tk->nval, k) : push_index(&tk->train, &tk->ntrain, k);
            if (!ok) st = gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
        }
    }
    free(seen);
    if (st != GS_OK) return st;
    /* Validation samples task by task in turn, so the first few (what the
     * loss line evaluates) cover every task. */
    int64_t most = 0;
    for (int k = 0; k < d->ntasks; k++) {
        d->ntrain += d->tasks[k].ntrain;
        if (d->tasks[k].nval > most) most = d->tasks[k].nval;
    }
    for (int64_t i = 0; i < most; i++)
        for (int k = 0; k < d->ntasks; k++)
            if (i < d->tasks[k].nval && !push_index(&d->val, &d->nval, d->tasks[k].val[i]))
                return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory");
    if (d->ntrain == 0)
        return gs_fail(err, errlen, GS_ERR_USAGE, "every usable step is held out for validation; "
                                                 "lower the validation fraction");
    return GS_OK;
}

gs_status gs_demos_open(const char *const *paths, int npaths, const gs_policy_config *cfg,
                        const gs_demos_options *opt, gs_demos **out, char *err, size_t errlen) {
    *out = NULL;
    gs_demos_options o = opt ? *opt : gs_demos_options_default();
    if (npaths < 1 || npaths > MAX_FILES)
        return gs_fail(err, errlen, GS_ERR_USAGE, "between 1 and %d demonstration files, not %d",
                       MAX_FILES, npaths);
    if (!(o.val_fraction >= 0 && o.val_fraction <= 0.9))
        return gs_fail(err, errlen, GS_ERR_USAGE, "the validation fraction %g is not in [0, 0.9]",
                       o.val_fraction);
    gs_demos *d = calloc(1, sizeof *d);
    if (!d || !(d->files = calloc((size_t)npaths, sizeof *d->files))) {
        free(d);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory opening demonstrations");
    }
    d->rows = cfg->rows, d->cols = cfg->cols;
    d->cache_left = o.cache_bytes;
    int64_t *ep_task = NULL, *ep_first = NULL, nep = 0;
    gs_status st = index_files(d, paths, npaths, cfg, &ep_task, &ep_first, &nep, err, errlen);
    if (st == GS_OK) st = split_episodes(d, ep_task, ep_first, nep, o.val_fraction, err, errlen);
    free(ep_task);
    free(ep_first);
    if (st != GS_OK) {
        gs_demos_close(d);
        return st;
    }
    *out = d;
    return GS_OK;
}

void gs_demos_close(gs_demos *d) {
    if (!d) return;
    for (int f = 0; f < d->nfiles; f++) gs_dataset_close(d->files[f]);
    free(d->files);
    for (int64_t i = 0; i < d->nsteps; i++) free(d->steps[i].heightmap), free(d->steps[i].color);
    free(d->steps);
    for (int k = 0; k < d->ntasks; k++) {
        free(d->tasks[k].name);
        free(d->tasks[k].train);
        free(d->tasks[k].val);
    }
    free(d->tasks);
    for (int k = 0; k < d->nlangs; k++) free(d->langs[k]);
    free(d->langs);
    free(d->val);
    free(d);
}

int64_t gs_demos_count(const gs_demos *d, int split) {
    return split == GS_DEMOS_VAL ? d->nval : d->ntrain;
}

int gs_demos_tasks(const gs_demos *d) { return d->ntasks; }

const char *gs_demos_task_name(const gs_demos *d, int i) {
    return i >= 0 && i < d->ntasks ? d->tasks[i].name : NULL;
}

int64_t gs_demos_episodes(const gs_demos *d, int split) {
    return d->episodes[split == GS_DEMOS_VAL];
}

gs_status gs_demos_batch_init(gs_demos_batch *b, const gs_demos *d, int cap, char *err,
                              size_t errlen) {
    memset(b, 0, sizeof *b);
    if (cap < 1) return gs_fail(err, errlen, GS_ERR_USAGE, "a batch holds at least one sample");
    size_t rc = (size_t)d->rows * (size_t)d->cols;
    b->samples = calloc((size_t)cap, sizeof *b->samples);
    b->heightmap = malloc((size_t)cap * rc * sizeof *b->heightmap);
    b->color = malloc((size_t)cap * rc * 3);
    if (!b->samples || !b->heightmap || !b->color) {
        gs_demos_batch_free(b);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory for a batch of %d", cap);
    }
    b->cap = cap;
    return GS_OK;
}

void gs_demos_batch_free(gs_demos_batch *b) {
    free(b->samples);
    free(b->heightmap);
    free(b->color);
    memset(b, 0, sizeof *b);
}

gs_status gs_demos_train_batch(gs_demos *d, uint64_t seed, int64_t step, int n, int augment,
                               gs_demos_batch *b, char *err, size_t errlen) {
    if (n < 1 || n > b->cap)
        return gs_fail(err, errlen, GS_ERR_USAGE, "a batch of %d in room for %d", n, b->cap);
    if (augment & ~(GS_AUGMENT_GEOMETRY | GS_AUGMENT_COLOR))
        return gs_fail(err, errlen, GS_ERR_USAGE, "augment is a set of GS_AUGMENT_* bits, not %d", augment);
    /* The stream of step k depends on (seed, k) alone: resuming at step k
     * draws what the uninterrupted run would have. */
    uint64_t h = gsu_fnv1a(GSU_FNV_OFFSET, &seed, sizeof seed);
    h = gsu_fnv1a(h, &step, sizeof step);
    gsu_rng rng, tint;
    gsu_rng_seed(&rng, h);
    /* the colours draw from a stream of their own: jitter changes no
       sample's choice nor its turn and shift */
    gsu_rng_seed(&tint, gsu_fnv1a(h, "color", 5));
    size_t rc = (size_t)d->rows * (size_t)d->cols;
    /* one sample's worth of scratch for the unaugmented images */
    const int turn = augment & GS_AUGMENT_GEOMETRY;
    float *hm = turn ? malloc(rc * sizeof *hm) : NULL;
    uint8_t *col = turn ? malloc(rc * 3) : NULL;
    if (turn && (!hm || !col)) {
        free(hm), free(col);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory for a batch");
    }
    gs_status st = GS_OK;
    b->n = 0;
    for (int i = 0; i < n && st == GS_OK; i++) {
        const demo_task *tk;
        do tk = &d->tasks[gsu_rng_int(&rng, 0, d->ntasks - 1)];
        while (tk->ntrain == 0);
        int64_t index = tk->train[gsu_rng_int(&rng, 0, tk->ntrain - 1)];
        float *out_h = b->heightmap + (size_t)i * rc;
        uint8_t *out_c = b->color + (size_t)i * rc * 3;
        if (!turn) {
            st = load_sample(d, index, out_h, out_c, &b->samples[i], err, errlen);
        } else {
            gs_policy_sample raw;
            st = load_sample(d, index, hm, col, &raw, err, errlen);
            if (st == GS_OK)
                gs_augment_sample(&raw, d->rows, d->cols, &rng, out_h, out_c, &b->samples[i]);
        }
        if (st != GS_OK) break;
        if ((augment & GS_AUGMENT_COLOR) && !gs_policy_lang_names_color(b->samples[i].lang)) {
            gs_color_jitter j = gs_color_jitter_draw(&tint);
            gs_color_jitter_apply(&j, out_c, rc);
        }
        b->n++;
    }
    free(hm), free(col);
    return st;
}

int gs_demos_learn_goals(const gs_demos *d, gs_policy *p) {
    int added = 0;
    for (int64_t i = 0; i < d->nsteps; i++) {
        const demo_step *st = &d->steps[i];
        gs_policy_sample s = {0};
        s.lang = d->langs[st->lang], s.push = st->push, s.lift = st->lift;
        added += gs_policy_learn_goal(p, &s);
    }
    return added;
}

gs_status gs_demos_val_batch(gs_demos *d, int64_t first, int n, gs_demos_batch *b, char *err,
                             size_t errlen) {
    if (n < 1 || n > b->cap || first < 0 || first + n > d->nval)
        return gs_fail(err, errlen, GS_ERR_USAGE, "validation samples %" PRId64 "..%" PRId64
                       " of %" PRId64 " in room for %d", first, first + n - 1, d->nval, b->cap);
    size_t rc = (size_t)d->rows * (size_t)d->cols;
    b->n = 0;
    for (int i = 0; i < n; i++) {
        gs_status st = load_sample(d, d->val[first + i], b->heightmap + (size_t)i * rc,
                                   b->color + (size_t)i * rc * 3, &b->samples[i], err, errlen);
        if (st != GS_OK) return st;
        b->n++;
    }
    return GS_OK;
}

/* ---- augmentation ---- */

int gs_augment_pixel(const gs_augment *a, int rows, int cols, int row, int col, int *out_row,
                     int *out_col) {
    double cr = (rows - 1) / 2.0, cc = (cols - 1) / 2.0;
    double dx = col - cc, dy = row - cr, c = cos(a->angle), s = sin(a->angle);
    long r = lround(s * dx + c * dy + cr + a->drow);
    long k = lround(c * dx - s * dy + cc + a->dcol);
    *out_row = (int)r, *out_col = (int)k;
    return r >= 0 && r < rows && k >= 0 && k < cols;
}

void gs_augment_images(const gs_augment *a, int rows, int cols, const float *heightmap,
                       const uint8_t *color, float *out_heightmap, uint8_t *out_color) {
    double cr = (rows - 1) / 2.0, cc = (cols - 1) / 2.0, c = cos(a->angle), s = sin(a->angle);
    for (int r = 0; r < rows; r++)
        for (int k = 0; k < cols; k++) {
            /* the inverse transform: which input pixel lands here */
            double dx = k - cc - a->dcol, dy = r - cr - a->drow;
            long sr = lround(-s * dx + c * dy + cr), sk = lround(c * dx + s * dy + cc);
            size_t o = (size_t)r * (size_t)cols + (size_t)k;
            if (sr >= 0 && sr < rows && sk >= 0 && sk < cols) {
                size_t i = (size_t)sr * (size_t)cols + (size_t)sk;
                out_heightmap[o] = heightmap[i];
                memcpy(out_color + 3 * o, color + 3 * i, 3);
            } else {
                out_heightmap[o] = 0;
                memset(out_color + 3 * o, 0, 3);
            }
        }
}

gs_augment gs_augment_sample(const gs_policy_sample *s, int rows, int cols, gsu_rng *rng,
                             float *heightmap, uint8_t *color, gs_policy_sample *out) {
    gs_augment a = {0, 0, 0};
    int pr = s->pick_row, pc = s->pick_col, qr = s->place_row, qc = s->place_col;
    for (int k = 0; k < AUGMENT_TRIES; k++) {
        gs_augment try = {gsu_rng_uniform(rng, -GS_PI, GS_PI), gsu_rng_uniform(rng, -rows / 8.0, rows / 8.0),
                          gsu_rng_uniform(rng, -cols / 8.0, cols / 8.0)};
        int r1, c1, r2, c2;
        if (gs_augment_pixel(&try, rows, cols, s->pick_row, s->pick_col, &r1, &c1) &&
            gs_augment_pixel(&try, rows, cols, s->place_row, s->place_col, &r2, &c2)) {
            a = try, pr = r1, pc = c1, qr = r2, qc = c2;
            break;
        }
    }
    gs_augment_images(&a, rows, cols, s->heightmap, s->color, heightmap, color);
    *out = *s;
    out->heightmap = heightmap, out->color = color;
    out->pick_row = pr, out->pick_col = pc, out->place_row = qr, out->place_col = qc;
    return a;
}

gs_color_jitter gs_color_jitter_draw(gsu_rng *rng) {
    gs_color_jitter j;
    j.hue = gsu_rng_uniform(rng, -GS_PI, GS_PI);
    j.saturation = gsu_rng_uniform(rng, 0.4, 1.4);
    j.value = gsu_rng_uniform(rng, 0.75, 1.3);
    return j;
}

/* The jitter as one 3x3 matrix: value * (P + saturation * R (I - P)), P the
 * projection on the grey axis k = (1, 1, 1) / sqrt 3 and R the turn about
 * it (Rodrigues: cos I + sin [k]x + (1 - cos) k k^T), which leaves P fixed. */
void gs_color_jitter_apply(const gs_color_jitter *j, uint8_t *color, size_t n) {
    const double c = cos(j->hue), s = sin(j->hue) / sqrt(3.0), third = 1.0 / 3.0;
    /* R (I - P) = c (I - P) + sin [k]x: [k]x's off-diagonals are +-1/sqrt 3 */
    const double diag = c * (1 - third), off = -c * third;
    const double r[3][3] = {{diag, off - s, off + s}, {off + s, diag, off - s}, {off - s, off + s, diag}};
    float m[3][3];
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) m[a][b] = (float)(j->value * (third + j->saturation * r[a][b]));
    for (size_t i = 0; i < n; i++) {
        uint8_t *px = color + 3 * i;
        const float in[3] = {px[0], px[1], px[2]};
        for (int a = 0; a < 3; a++) {
            float v = m[a][0] * in[0] + m[a][1] * in[1] + m[a][2] * in[2];
            px[a] = (uint8_t)(v <= 0.0f ? 0 : v >= 255.0f ? 255 : lrintf(v));
        }
    }
}

/* ---- helpers ---- */

/* The sample at step index, its images in heightmap and color (from the
 * cache, else the file, caching them while the budget lasts). */
static gs_status load_sample(gs_demos *d, int64_t index, float *heightmap, uint8_t *color,
                             gs_policy_sample *s, char *err, size_t errlen) {
    demo_step *st = &d->steps[index];
    size_t rc = (size_t)d->rows * (size_t)d->cols;
    if (st->heightmap) {
        memcpy(heightmap, st->heightmap, rc * sizeof *heightmap);
        memcpy(color, st->color, rc * 3);
    } else {
        gs_status r = gs_dataset_read_observation(d->files[st->file], st->episode, st->t, heightmap,
                                                  color, NULL, err, errlen);
        if (r != GS_OK) return r;
        size_t need = rc * (sizeof *heightmap + 3);
        if (need <= d->cache_left && (st->heightmap = malloc(rc * sizeof *heightmap))) {
            if ((st->color = malloc(rc * 3))) {
                memcpy(st->heightmap, heightmap, rc * sizeof *heightmap);
                memcpy(st->color, color, rc * 3);
                d->cache_left -= need;
            } else {
                free(st->heightmap), st->heightmap = NULL;
            }
        }
    }
    s->heightmap = heightmap, s->color = color;
    s->lang = d->langs[st->lang];
    s->pick_row = st->pick_row, s->pick_col = st->pick_col;
    s->place_row = st->place_row, s->place_col = st->place_col;
    s->rotation = st->rotation;
    s->push = st->push;
    s->lift = st->lift;
    return GS_OK;
}

/* A file recorded over another view cannot train this network: its
 * pixels would mean other places. */
static gs_status check_view(const gs_dataset_info *in, const char *path,
                            const gs_policy_config *cfg, char *err, size_t errlen) {
    if (fabs(in->pixel_size - cfg->pixel) > 1e-9)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "%s: pixel size %.4f mm, but the policy's is %.4f mm (record the demos with "
                       "the policy's view)", path, in->pixel_size * 1e3, cfg->pixel * 1e3);
    if (in->rows != cfg->rows || in->cols != cfg->cols)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: images of %d x %d pixels, but the policy's "
                       "are %d x %d", path, in->rows, in->cols, cfg->rows, cfg->cols);
    for (int a = 0; a < 2; a++)
        for (int k = 0; k < 2; k++)
            if (fabs(in->bounds[a][k] - cfg->bounds[a][k]) > 1e-9)
                return gs_fail(err, errlen, GS_ERR_USAGE,
                               "%s: the view's %c range is %.4f..%.4f m, but the policy's is "
                               "%.4f..%.4f m", path, "xy"[a], in->bounds[a][0], in->bounds[a][1],
                               cfg->bounds[a][0], cfg->bounds[a][1]);
    return GS_OK;
}

static int task_index(gs_demos *d, const char *name) {
    for (int k = 0; k < d->ntasks; k++)
        if (strcmp(d->tasks[k].name, name) == 0) return k;
    demo_task *more = realloc(d->tasks, (size_t)(d->ntasks + 1) * sizeof *more);
    if (!more) return -1;
    d->tasks = more;
    memset(&d->tasks[d->ntasks], 0, sizeof *more);
    if (!(d->tasks[d->ntasks].name = strdup(name))) return -1;
    return d->ntasks++;
}

static int lang_index(gs_demos *d, const char *lang) {
    for (int k = d->nlangs - 1; k >= 0; k--)
        if (strcmp(d->langs[k], lang) == 0) return k;
    char **more = realloc(d->langs, (size_t)(d->nlangs + 1) * sizeof *more);
    if (!more) return -1;
    d->langs = more;
    if (!(d->langs[d->nlangs] = strdup(lang))) return -1;
    return d->nlangs++;
}

/* Appends v, growing by doubling (capacity = the next power of two). */
static int push_index(int64_t **arr, int64_t *n, int64_t v) {
    if ((*n & (*n - 1)) == 0) {
        int64_t cap = *n ? 2 * *n : 1;
        int64_t *a = realloc(*arr, (size_t)cap * sizeof *a);
        if (!a) return 0;
        *arr = a;
    }
    (*arr)[(*n)++] = v;
    return 1;
}
