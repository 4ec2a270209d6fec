/* policy.c: the Transporter network (see gensim/policy.h).
 *
 * Three convolutional streams share one shape: two stride-2 3x3 convolutions
 * down to a quarter of the resolution, then residual blocks, every
 * convolution followed by group normalisation whose affine is the language
 * FiLM, then ReLU; a 1x1 head. The attention stream gives one logit per
 * quarter-resolution cell; the key stream gives features of the scene; the
 * query stream runs over the crop around the pick, turned to each of the
 * rotations, and its outputs become the correlation kernels (with
 * rotate_features it runs once over a wider crop and its output is turned
 * instead). The loss and
 * the arg-max are over full-resolution pixels: the attention head gives 16
 * logits per quarter-resolution cell, one per pixel of it (depth to space);
 * a place logit is the correlation of its cell (per rotation) plus a
 * sub-cell term from 16 more channels of the key head, so the 4 x 4
 * quantisation costs no precision while the correlation, the expensive
 * part, stays at quarter resolution.
 *
 * Everything a step touches is allocated once in gs_policy_new, the
 * im2col matrix of every convolution included, so the backward pass reuses
 * the forward pass's instead of building it again. Stride-1 convolutions
 * and the correlation run by row shifts (gsn_conv2d_rows: k GEMMs over a
 * matrix k times smaller than im2col's); inference (act, the loss alone)
 * builds the matrices in cache-sized pieces instead of keeping them. */
#include "gensim/policy.h"

#include <cblas.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/assets.h"
#include "gensim/io.h"
#include "gensim/math.h"
#include "gensim/render.h"
#include "policy/tensor.h"
#include "math/bytes.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoints are written as the host's floats, which must be little-endian"
#endif

#define NRES 2                    /* residual blocks per stream */
#define NLAYERS (2 + 2 * NRES)    /* convolutions per stream before the head */
#define FACTOR 4                  /* the encoders' total stride */
#define IN_CH 4                   /* colour (3) and height; a fifth with color_words */
#define MAX_GOAL_COLORS 8         /* colour words of a goal the fifth channel marks */
#define COLOR_RADIUS 40.0f        /* sRGB distance at which a pixel stops matching a colour */
#define MAX_ENTRIES 64            /* named parameter tensors */
#define MAX_ALLOCS 2048
#define MAX_WORDS 64
#define HEIGHT_SCALE 0.02         /* metres that map to one unit of input */
#define ADAM_BETA1 0.9f
#define ADAM_BETA2 0.999f
#define ADAM_EPS 1e-8f
#define GSN_PI 3.14159265358979323846
#define MAX_CHECKPOINT ((size_t)1 << 31)
/* What one policy may allocate: its parameters, Adam's moments and one
 * worker's buffers (the default configuration takes 72 MB, 256 channels
 * 1.2 GB). Checked before anything is allocated, so a configuration (a
 * checkpoint's header) cannot ask for absurd memory. */
#define MAX_POLICY_BYTES ((size_t)4 << 30)

typedef struct param_entry {
    char name[48];
    int ndim;
    int shape[4];
    size_t offset, count;         /* floats into the parameter array */
} param_entry;

typedef struct stream {
    const char *name;
    int in_ch, width, out_ch, groups;
    int n, h, w;                   /* images and their size */
    int lh[NLAYERS], lw[NLAYERS];  /* each layer's output size */
    size_t w_conv[NLAYERS];        /* parameter offsets: (width x cin x 3 x 3) */
    size_t w_head, b_head;         /* (out_ch x width), (out_ch) */
    int film;                      /* first float of this stream's FiLM sites */
    int rows;                      /* stride-1 layers by gsn_conv2d_rows (else im2col) */
    int dil[NLAYERS];              /* each layer's dilation (stride-1 layers only) */
    float *x;                      /* (in_ch x n x h x w) */
    float *z[NLAYERS];             /* convolution outputs, (width x n x lh x lw) */
    float *a[NLAYERS];             /* activations after norm, FiLM, skip and ReLU */
    float *da[NLAYERS];            /* their gradients */
    float *mean[NLAYERS], *rstd[NLAYERS];  /* (groups x n) */
    float *col[NLAYERS];           /* each convolution's im2col, kept for its backward pass */
    float *out, *dout;             /* (out_ch x n x lh x lw) of the last layer */
} stream;

/* Everything one sample's forward and backward passes write: each worker
 * thread of a training step has its own. */
typedef struct workspace {
    stream attn, key, query;
    float *input;                  /* (4 x rows x cols) the normalised observation */
    float *col;                    /* scratch of the largest convolution's backward pass */
    float *corr_col;               /* the correlation's row-shift matrix of the key features */
    float *tmp1, *tmp2;            /* activation-sized scratch */
    float *pick_logits, *dpick;    /* (rows x cols) */
    float *phase, *dphase;         /* (rows x cols) the place logits' sub-cell term */
    double *xent;                  /* (2 x h4 x w4) scratch of the factored softmax */
    float *corr, *dcorr;           /* (rotations x h4 x w4) */
    float *kernel, *dkernel;       /* (rotations x key_ch x k x k) */
    float *film, *dfilm;           /* (film_size) */
    float *lang, *dlang;           /* (embed) */
    float *gamma;                  /* (channels) */
    float *w0;                     /* (2 channels x 4 x 3 x 3) attention's and key's first
                                      convolutions stacked: act runs both as one GEMM, its
                                      output attn.z[0] then key.z[0], adjacent */
    float *grads;                  /* (nparams) the gradient of the sample under way */
    int words[MAX_WORDS];
    int nwords;
    unsigned char goal_rgb[MAX_GOAL_COLORS][3]; /* (ngoal_colors) the goal's colour words' sRGB */
    int ngoal_colors;
} workspace;

struct gs_policy {
    gs_policy_config cfg;
    int in_ch;                     /* input channels: IN_CH, plus one with color_words */
    int key_ch;                    /* channels of the transport features */
    int embed;                     /* width of the word embedding */
    int film_size;                 /* floats of FiLM scale and shift, all sites */
    int h4, w4;                    /* quarter-resolution scene size */
    int k;                         /* side of the query kernel */
    int kq;                        /* side of the query stream's output: k, or with
                                      rotate_features the wider map the kernels are turned from */
    float corr_scale;              /* 1 / sqrt(fan-in) of the correlation */
    int64_t steps;
    size_t nparams;
    param_entry entries[MAX_ENTRIES];
    int nentries;
    size_t p_embed, p_film_w, p_film_b;
    float *params, *adam_m, *adam_v;
    float *grads;                  /* (nparams) the last batch's gradient */
    stream attn, key, query;       /* the plan: sizes and parameter offsets, no buffers */
    size_t col_need, act_need, corr_col_need;
    uint64_t push_goals[GS_POLICY_MAX_PUSH_GOALS]; /* (npush) hashes of push goals' language */
    uint64_t lift_goals[GS_POLICY_MAX_PUSH_GOALS]; /* (nlift) hashes of lift goals' language */
    double lifts[GS_POLICY_MAX_PUSH_GOALS];        /* (nlift) and the lift each acts at */
    int nlift;
    int npush;
    workspace *ws[GS_POLICY_MAX_WORKERS];
    int workers;                   /* workspaces in use by a training step */
    void *allocs[MAX_ALLOCS];
    int nallocs;
    float *sizing;                 /* non-NULL: take() only counts, into sized */
    size_t sized;
};

/* ---- configuration ---- */

gs_policy_config gs_policy_config_default(void) {
    gsr_view v = gsr_view_default();
    gs_policy_config c;
    memset(&c, 0, sizeof c);
    c.rows = gsr_view_height(&v);
    c.cols = gsr_view_width(&v);
    c.rotations = 36;
    c.crop = 57;
    c.channels = 16;
    c.vocab = 1024;
    c.pixel = v.pixel;
    c.bounds[0][0] = v.x0;
    c.bounds[0][1] = v.x1;
    c.bounds[1][0] = v.y0;
    c.bounds[1][1] = v.y1;
    c.bounds[2][0] = 0.0;
    c.bounds[2][1] = 0.28;
    return c;
}

static gs_status check_config(const gs_policy_config *c, char *err, size_t errlen) {
    if (!c) return gs_fail(err, errlen, GS_ERR_USAGE, "policy: no configuration");
    if (c->rows < 8 || c->rows > 4096 || c->cols < 8 || c->cols > 4096)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "policy: image size %d x %d outside 8..4096 on a side", c->rows, c->cols);
    if (c->rotations < 1 || c->rotations > 360)
        return gs_fail(err, errlen, GS_ERR_USAGE, "policy: rotations %d outside 1..360",
                       c->rotations);
    if (c->crop < 9 || c->crop > 257 || c->crop % 8 != 1)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "policy: crop %d must be 8 m + 1 in 9..257 (so the quarter-resolution "
                       "kernel has a centre cell on the pick)",
                       c->crop);
    if (c->channels < 4 || c->channels > 256 || c->channels % 4)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "policy: channels %d must be a multiple of 4 in 4..256", c->channels);
    if (c->dilated != 0 && c->dilated != 1)
        return gs_fail(err, errlen, GS_ERR_USAGE, "policy: dilated is 0 or 1, not %d", c->dilated);
    if (c->color_words != 0 && c->color_words != 1)
        return gs_fail(err, errlen, GS_ERR_USAGE, "policy: color_words is 0 or 1, not %d", c->color_words);
    if (c->rotate_features != 0 && c->rotate_features != 1)
        return gs_fail(err, errlen, GS_ERR_USAGE, "policy: rotate_features is 0 or 1, not %d",
                       c->rotate_features);
    if (c->vocab < 1 || c->vocab > (1 << 20))
        return gs_fail(err, errlen, GS_ERR_USAGE, "policy: vocab %d outside 1..1048576", c->vocab);
    if (!(c->pixel > 0.0) || !isfinite(c->pixel))
        return gs_fail(err, errlen, GS_ERR_USAGE, "policy: pixel size %g is not positive",
                       c->pixel);
    for (int i = 0; i < 3; i++)
        if (!isfinite(c->bounds[i][0]) || !isfinite(c->bounds[i][1]) ||
            !(c->bounds[i][0] < c->bounds[i][1]))
            return gs_fail(err, errlen, GS_ERR_USAGE, "policy: bounds of axis %c are not a range",
                           "xyz"[i]);
    return GS_OK;
}

/* ---- construction ---- */

static float *take(gs_policy *p, size_t n) {
    if (p->sizing) { /* a dry run: every buffer is the same scratch */
        p->sized += n ? n : 1;
        return p->sizing;
    }
    if (p->nallocs >= MAX_ALLOCS) return NULL;
    float *f = calloc(n ? n : 1, sizeof(float));
    if (f) p->allocs[p->nallocs++] = f;
    return f;
}

static size_t add_param(gs_policy *p, const char *name, int ndim, int d0, int d1, int d2, int d3) {
    param_entry *e = &p->entries[p->nentries++];
    snprintf(e->name, sizeof e->name, "%s", name);
    int dims[4] = {d0, d1, d2, d3};
    e->ndim = ndim;
    e->count = 1;
    for (int i = 0; i < ndim; i++) {
        e->shape[i] = dims[i];
        e->count *= (size_t)dims[i];
    }
    e->offset = p->nparams;
    p->nparams += e->count;
    return e->offset;
}

/* dilated: the residual blocks' convolutions take taps 1, 2, 4, 8 cells apart. */
static void stream_plan(gs_policy *p, stream *s, const char *name, int out_ch, int n, int h, int w,
                        int film, int dilated) {
    int c = p->cfg.channels;
    s->name = name;
    s->in_ch = p->in_ch;
    s->width = c;
    s->out_ch = out_ch;
    s->groups = c / 4;
    s->n = n;
    s->h = h;
    s->w = w;
    s->film = film;
    char nm[48];
    for (int l = 0; l < NLAYERS; l++) {
        int ph = l ? s->lh[l - 1] : h, pw = l ? s->lw[l - 1] : w, st = l < 2 ? 2 : 1;
        s->lh[l] = gsn_conv_out(ph, 3, st, 1);
        s->lw[l] = gsn_conv_out(pw, 3, st, 1);
        s->dil[l] = dilated && l >= 2 ? 1 << (l - 2) : 1;
        snprintf(nm, sizeof nm, "%s.conv%d.weight", name, l);
        s->w_conv[l] = add_param(p, nm, 4, c, l ? c : p->in_ch, 3, 3);
    }
    snprintf(nm, sizeof nm, "%s.head.weight", name);
    s->w_head = add_param(p, nm, 4, out_ch, c, 1, 1);
    snprintf(nm, sizeof nm, "%s.head.bias", name);
    s->b_head = add_param(p, nm, 1, out_ch, 0, 0, 0);
}

/* A side of n pixels after the two stride-2 convolutions. */
static int quarter_side(int n) {
    return gsn_conv_out(gsn_conv_out(n, 3, 2, 1), 3, 2, 1);
}

/* The query stream's input side. With rotate_features, the crop whose
 * quarter-resolution map (2 q + 1 cells) holds the k x k kernel (k = 2 m + 1
 * for a crop of 8 m + 1) turned by any angle, bilinear taps included:
 * q = ceil(m sqrt 2). */
static int query_side(const gs_policy_config *c) {
    if (!c->rotate_features) return c->crop;
    const int m = (c->crop - 1) / 8;
    return 8 * (int)ceil(m * sqrt(2.0)) + 1;
}

static size_t stream_act_count(const stream *s, int l) {
    return (size_t)s->width * s->n * s->lh[l] * s->lw[l];
}

/* Whether layer l runs as gsn_conv2d_rows. */
static int layer_rows(const stream *s, int l) {
    return s->rows && l >= 2;
}

static gsn_tensor layer_shape(const stream *s, int l) {
    int in_c = l ? s->width : s->in_ch;
    int ih = l ? s->lh[l - 1] : s->h, iw = l ? s->lw[l - 1] : s->w;
    return gsn_tensor_make(NULL, in_c, s->n, ih, iw);
}

static size_t stream_col_count(const stream *s, int l) {
    gsn_tensor x = layer_shape(s, l);
    if (layer_rows(s, l)) return gsn_conv_rows_col(&x, 3, s->dil[l]);
    return gsn_conv_scratch(&x, 3, l < 2 ? 2 : 1, 1);
}

/* Floats of the shared scratch layer l's passes need. */
static size_t stream_scratch_count(const stream *s, int l) {
    gsn_tensor x = layer_shape(s, l);
    if (layer_rows(s, l)) return gsn_conv_rows_scratch(&x, s->width, 3, s->dil[l]);
    return gsn_conv_scratch(&x, 3, l < 2 ? 2 : 1, 1);
}

 /* z0: the first convolution's output when the caller places it (else NULL). */
static int stream_alloc(gs_policy *p, stream *s, int own_input, float *z0) {
    if (own_input && !(s->x = take(p, (size_t)s->in_ch * s->n * s->h * s->w))) return 0;
    for (int l = 0; l < NLAYERS; l++) {
        size_t cnt = stream_act_count(s, l);
        if (!(s->z[l] = l || !z0 ? take(p, cnt) : z0) || !(s->a[l] = take(p, cnt)) || !(s->da[l] = take(p, cnt)) ||
            !(s->mean[l] = take(p, (size_t)s->groups * s->n)) ||
            !(s->rstd[l] = take(p, (size_t)s->groups * s->n)) ||
            !(s->col[l] = take(p, stream_col_count(s, l))))
            return 0;
    }
    size_t out = (size_t)s->out_ch * s->n * s->lh[NLAYERS - 1] * s->lw[NLAYERS - 1];
    return (s->out = take(p, out)) && (s->dout = take(p, out));
}

/* The largest im2col scratch and activation of a stream. */
static void stream_needs(const stream *s, size_t *col, size_t *act) {
    for (int l = 0; l < NLAYERS; l++) {
        size_t need = stream_scratch_count(s, l);
        if (need > *col) *col = need;
        if (stream_act_count(s, l) > *act) *act = stream_act_count(s, l);
    }
}

/* A workspace with every buffer one sample's passes need; NULL when out of memory. */
static workspace *workspace_new(gs_policy *p) {
    workspace *w = (workspace *)take(p, (sizeof(workspace) + sizeof(float) - 1) / sizeof(float));
    if (!w) return NULL;
    const gs_policy_config *cfg = &p->cfg;
    const size_t plane = (size_t)cfg->rows * cfg->cols, cells = (size_t)p->h4 * p->w4;
    const size_t kernel = (size_t)cfg->rotations * p->key_ch * p->k * p->k;
    const size_t corr = (size_t)cfg->rotations * cells;
    int ok = (w->grads = take(p, p->nparams)) && (w->input = take(p, (size_t)p->in_ch * plane)) &&
             (w->col = take(p, p->col_need)) && (w->corr_col = take(p, p->corr_col_need)) &&
             (w->tmp1 = take(p, p->act_need)) && (w->tmp2 = take(p, p->act_need)) &&
             (w->pick_logits = take(p, plane)) && (w->dpick = take(p, plane)) &&
             (w->phase = take(p, plane)) && (w->dphase = take(p, plane)) &&
             (w->xent = (double *)take(p, 4 * cells)) && (w->corr = take(p, corr)) &&
             (w->dcorr = take(p, corr)) && (w->kernel = take(p, kernel)) &&
             (w->dkernel = take(p, kernel)) && (w->film = take(p, p->film_size)) &&
             (w->dfilm = take(p, p->film_size)) && (w->lang = take(p, p->embed)) &&
             (w->dlang = take(p, p->embed)) && (w->gamma = take(p, cfg->channels)) &&
             (w->w0 = take(p, (size_t)2 * cfg->channels * p->in_ch * 9));
    w->attn = p->attn;
    w->key = p->key;
    w->query = p->query;
    w->attn.x = w->input;
    w->key.x = w->input;
    const size_t z0 = stream_act_count(&p->attn, 0);
    float *z0s = ok ? take(p, 2 * z0) : NULL;
    ok = ok && z0s && stream_alloc(p, &w->attn, 0, z0s) &&
         stream_alloc(p, &w->key, 0, p->sizing ? z0s : z0s + z0) && /* a dry run's scratch is small */
         stream_alloc(p, &w->query, 1, NULL);
    return ok ? w : NULL;
}

static void init_normal(gsu_rng *rng, float *dst, size_t n, double sd) {
    for (size_t i = 0; i < n; i++) dst[i] = (float)gsu_rng_normal(rng, 0.0, sd);
}

static void stream_init(gs_policy *p, const stream *s, gsu_rng *rng) {
    for (int l = 0; l < NLAYERS; l++) {
        int fan = (l ? s->width : s->in_ch) * 9;
        init_normal(rng, p->params + s->w_conv[l], (size_t)s->width * fan, sqrt(2.0 / fan));
    }
    /* Small heads: at the start every pixel should be about as likely as
     * any other. Over a flat table the key and query features are the same
     * everywhere, so the correlation adds them up coherently over the
     * kernel; without the 0.1 its first logits span tens of nats. */
    init_normal(rng, p->params + s->w_head, (size_t)s->out_ch * s->width, 0.1 / sqrt(s->width));
}

gs_status gs_policy_new(const gs_policy_config *cfg, uint64_t seed, gs_policy **out, char *err,
                        size_t errlen) {
    if (!out) return gs_fail(err, errlen, GS_ERR_USAGE, "policy: no output pointer");
    *out = NULL;
    gs_status st = check_config(cfg, err, errlen);
    if (st) return st;
    gs_policy *p = calloc(1, sizeof *p);
    if (!p) return gs_fail(err, errlen, GS_ERR_NOMEM, "policy: out of memory");
    p->cfg = *cfg;
    const int c = cfg->channels, R = cfg->rows, C = cfg->cols, rot = cfg->rotations;
    p->in_ch = IN_CH + cfg->color_words;
    p->key_ch = c / 2;
    p->embed = 2 * c;
    p->film_size = 3 * NLAYERS * 2 * c;
    p->p_embed = add_param(p, "lang.embedding", 2, cfg->vocab, p->embed, 0, 0);
    p->p_film_w = add_param(p, "lang.film.weight", 2, p->film_size, p->embed, 0, 0);
    p->p_film_b = add_param(p, "lang.film.bias", 1, p->film_size, 0, 0, 0);
    int site = NLAYERS * 2 * c;
    stream_plan(p, &p->attn, "attention", FACTOR * FACTOR, 1, R, C, 0, cfg->dilated);
    stream_plan(p, &p->key, "key", p->key_ch + FACTOR * FACTOR, 1, R, C, site, cfg->dilated);
    /* the query stream sees only the crop: its taps stay adjacent */
    const int qside = query_side(cfg);
    stream_plan(p, &p->query, "query", p->key_ch, cfg->rotate_features ? 1 : rot, qside, qside, 2 * site, 0);
    /* row shifts beat im2col on every stride-1 layer, the 36 query crops' included */
    p->attn.rows = p->key.rows = p->query.rows = 1;
    p->h4 = p->attn.lh[NLAYERS - 1];
    p->w4 = p->attn.lw[NLAYERS - 1];
    p->kq = p->query.lh[NLAYERS - 1];
    p->k = quarter_side(cfg->crop);
    p->corr_scale = (float)(1.0 / sqrt((double)p->key_ch * p->k * p->k));

    stream_needs(&p->attn, &p->col_need, &p->act_need);
    stream_needs(&p->key, &p->col_need, &p->act_need);
    stream_needs(&p->query, &p->col_need, &p->act_need);
    gsn_tensor kx = gsn_tensor_make(NULL, p->key_ch, 1, p->h4, p->w4);
    p->corr_col_need = gsn_conv_rows_col(&kx, p->k, 1);
    size_t corr_scratch = gsn_conv_rows_scratch(&kx, rot, p->k, 1);
    if (corr_scratch > p->col_need) p->col_need = corr_scratch;
    p->workers = 1;
    /* Size everything first: a dry run of the allocations below, into a
     * scratch big enough for the one structure they write through. */
    if (!(p->sizing = calloc(1, sizeof(workspace)))) {
        gs_policy_free(p);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "policy: out of memory");
    }
    p->sized = 3 * p->nparams;
    int fits = workspace_new(p) && p->sized <= MAX_POLICY_BYTES / sizeof(float);
    free(p->sizing);
    p->sizing = NULL;
    if (!fits) {
        double gb = (double)p->sized * sizeof(float) / (1 << 30);
        gs_policy_free(p);
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "policy: %d x %d pixels, %d channels, %d rotations and a crop of %d need %.1f GB, "
                       "over the %d GB a policy may take", R, C, c, rot, cfg->crop, gb,
                       (int)(MAX_POLICY_BYTES >> 30));
    }
    int ok = (p->params = take(p, p->nparams)) && (p->adam_m = take(p, p->nparams)) &&
             (p->adam_v = take(p, p->nparams)) && (p->grads = take(p, p->nparams)) &&
             (p->ws[0] = workspace_new(p));
    if (!ok) {
        size_t n = p->nparams;
        gs_policy_free(p);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "policy: out of memory for %zu parameters", n);
    }
    gsu_rng rng;
    gsu_rng_seed(&rng, seed);
    init_normal(&rng, p->params + p->p_embed, (size_t)cfg->vocab * p->embed, 1.0);
    init_normal(&rng, p->params + p->p_film_w, (size_t)p->film_size * p->embed, 0.02);
    stream_init(p, &p->attn, &rng);
    stream_init(p, &p->key, &rng);
    stream_init(p, &p->query, &rng);
    *out = p;
    return GS_OK;
}

void gs_policy_free(gs_policy *p) {
    if (!p) return;
    for (int i = 0; i < p->nallocs; i++) free(p->allocs[i]);
    free(p);
}

const gs_policy_config *gs_policy_get_config(const gs_policy *p) {
    return p ? &p->cfg : NULL;
}

int64_t gs_policy_steps(const gs_policy *p) {
    return p ? p->steps : 0;
}

size_t gs_policy_parameters(const gs_policy *p) {
    return p ? p->nparams : 0;
}

gs_status gs_policy_set_workers(gs_policy *p, int workers, char *err, size_t errlen) {
    if (!p || workers < 1 || workers > GS_POLICY_MAX_WORKERS)
        return gs_fail(err, errlen, GS_ERR_USAGE, "policy: workers %d outside 1..%d", workers,
                       GS_POLICY_MAX_WORKERS);
    for (int i = 1; i < workers; i++)
        if (!p->ws[i] && !(p->ws[i] = workspace_new(p)))
            return gs_fail(err, errlen, GS_ERR_NOMEM, "policy: out of memory for worker %d", i);
    p->workers = workers;
    return GS_OK;
}

void gs_policy_set_threads(int threads) {
    openblas_set_num_threads(threads < 1 ? 1 : threads);
}

/* ---- the forward and backward passes ---- */

/* Colour to roughly zero mean and unit spread, height in units of 2 cm;
 * non-finite heights (holes in a recording) read as the table. With
 * color_words, a fifth channel marks the pixels of the colours the goal
 * names (lang_words found them): 2 on the colour itself, falling to 0 at
 * COLOR_RADIUS away, so a word is grounded in the picture by the colour
 * table, whether or not training ever saw it. */
static void prepare_input(const gs_policy *p, workspace *w, const float *heightmap, const uint8_t *color) {
    const size_t plane = (size_t)p->cfg.rows * p->cfg.cols;
    for (size_t i = 0; i < plane; i++) {
        for (int ch = 0; ch < 3; ch++)
            w->input[ch * plane + i] = ((float)color[3 * i + ch] / 255.0f - 0.5f) * 4.0f;
        float h = heightmap[i];
        w->input[3 * plane + i] = isfinite(h) ? (float)(h / HEIGHT_SCALE) : 0.0f;
    }
    if (p->in_ch == IN_CH) return;
    float *marks = w->input + IN_CH * plane;
    for (size_t i = 0; i < plane; i++) {
        float best = 0.0f;
        for (int k = 0; k < w->ngoal_colors; k++) {
            float d2 = 0.0f;
            for (int ch = 0; ch < 3; ch++) {
                float d = (float)color[3 * i + ch] - (float)w->goal_rgb[k][ch];
                d2 += d * d;
            }
            float match = 1.0f - sqrtf(d2) / COLOR_RADIUS;
            if (match > best) best = match;
        }
        marks[i] = 2.0f * best;
    }
}

/* The next word of *s (a run of letters and digits, lowercased) into word
 * (cut to 31 characters) and its FNV-1a hash (of all of it) into *hash;
 * 0 at the end. */
static int next_word(const char **s, char word[32], uint64_t *hash) {
    const char *c = *s;
    while (*c && !isalnum((unsigned char)*c)) c++;
    if (!*c) return *s = c, 0;
    uint64_t h = GSU_FNV_OFFSET;
    size_t len = 0;
    while (*c && isalnum((unsigned char)*c)) {
        char lower = (char)tolower((unsigned char)*c++);
        h = gsu_fnv1a(h, &lower, 1);
        if (len + 1 < 32) word[len++] = lower;
    }
    word[len] = '\0';
    *s = c, *hash = h;
    return 1;
}

int gs_policy_lang_names_color(const char *lang) {
    const char *s = lang ? lang : "";
    char word[32];
    uint64_t h;
    while (next_word(&s, word, &h))
        if (gs_color_find(word)) return 1;
    return 0;
}

/* Words hash into buckets; those that name a colour of the colour table
 * are kept as colours too (once each). */
static void lang_words(const gs_policy *p, workspace *w, const char *lang) {
    w->nwords = 0;
    w->ngoal_colors = 0;
    const char *s = lang ? lang : "";
    char word[32];
    uint64_t h;
    while (w->nwords < MAX_WORDS && next_word(&s, word, &h)) {
        w->words[w->nwords++] = (int)(h % (uint64_t)p->cfg.vocab);
        const gs_color *c = gs_color_find(word);
        int known = 0;
        for (int k = 0; c && k < w->ngoal_colors; k++) known |= memcmp(w->goal_rgb[k], c->srgb, 3) == 0;
        if (c && !known && w->ngoal_colors < MAX_GOAL_COLORS) memcpy(w->goal_rgb[w->ngoal_colors++], c->srgb, 3);
    }
}

/* lang = mean word embedding; film = W lang + b. */
static void lang_forward(const gs_policy *p, workspace *w) {
    const int e = p->embed;
    memset(w->lang, 0, sizeof(float) * (size_t)e);
    for (int i = 0; i < w->nwords; i++) {
        const float *row = p->params + p->p_embed + (size_t)w->words[i] * e;
        for (int j = 0; j < e; j++) w->lang[j] += row[j] / (float)w->nwords;
    }
    memcpy(w->film, p->params + p->p_film_b, sizeof(float) * (size_t)p->film_size);
    cblas_sgemv(CblasRowMajor, CblasNoTrans, p->film_size, e, 1.0f, p->params + p->p_film_w, e,
                w->lang, 1, 1.0f, w->film, 1);
}

static void lang_backward(const gs_policy *p, workspace *w) {
    const int e = p->embed;
    cblas_sger(CblasRowMajor, p->film_size, e, 1.0f, w->dfilm, 1, w->lang, 1,
               w->grads + p->p_film_w, e);
    for (int i = 0; i < p->film_size; i++) w->grads[p->p_film_b + i] += w->dfilm[i];
    if (!w->nwords) return;
    cblas_sgemv(CblasRowMajor, CblasTrans, p->film_size, e, 1.0f, p->params + p->p_film_w, e,
                w->dfilm, 1, 0.0f, w->dlang, 1);
    for (int i = 0; i < w->nwords; i++) {
        float *row = w->grads + p->p_embed + (size_t)w->words[i] * e;
        for (int j = 0; j < e; j++) row[j] += w->dlang[j] / (float)w->nwords;
    }
}

static gsn_tensor layer_input(const stream *s, int l) {
    if (!l) return gsn_tensor_make(s->x, s->in_ch, s->n, s->h, s->w);
    return gsn_tensor_make(s->a[l - 1], s->width, s->n, s->lh[l - 1], s->lw[l - 1]);
}

/* The second convolution of each residual block adds the block's input. */
static int layer_skip(int l) {
    return l >= 3 && (l - 3) % 2 == 0 ? l - 2 : -1;
}

static void film_gamma(workspace *w, const stream *s, int l, float **beta) {
    const float *f = w->film + s->film + (size_t)l * 2 * s->width;
    for (int c = 0; c < s->width; c++) w->gamma[c] = 1.0f + f[c];
    *beta = (float *)f + s->width;
}

/* keep: leave each convolution's matrix for stream_backward (training);
 * else build it in cache-sized chunks. */
static void stream_forward(const gs_policy *p, workspace *w, stream *s, int keep, int first) {
    for (int l = 0; l < NLAYERS; l++) {
        gsn_tensor in = layer_input(s, l);
        gsn_tensor z = gsn_tensor_make(s->z[l], s->width, s->n, s->lh[l], s->lw[l]);
        gsn_tensor a = gsn_tensor_make(s->a[l], s->width, s->n, s->lh[l], s->lw[l]);
        if (l < first)
            ; /* convolved already (first_convolutions) */
        else if (layer_rows(s, l) && keep)
            gsn_conv2d_rows(&in, p->params + s->w_conv[l], 3, s->dil[l], &z, s->col[l], w->col);
        else if (layer_rows(s, l))
            gsn_conv2d_rows_inference(&in, p->params + s->w_conv[l], 3, s->dil[l], &z, s->col[l], w->col);
        else if (keep)
            gsn_conv2d(&in, p->params + s->w_conv[l], NULL, 3, l < 2 ? 2 : 1, 1, &z, s->col[l]);
        else
            gsn_conv2d_inference(&in, p->params + s->w_conv[l], NULL, 3, l < 2 ? 2 : 1, 1, &z,
                                 s->col[l]);
        float *beta;
        film_gamma(w, s, l, &beta);
        int skip = layer_skip(l);
        if (skip < 0) {
            gsn_groupnorm_relu(&z, s->groups, w->gamma, beta, &a, s->mean[l], s->rstd[l]);
            continue;
        }
        gsn_groupnorm_add_relu(&z, s->groups, w->gamma, beta, s->a[skip], &a, s->mean[l],
                               s->rstd[l]);
    }
    gsn_tensor last = layer_input(s, NLAYERS);
    gsn_tensor out = gsn_tensor_make(s->out, s->out_ch, s->n, last.h, last.w);
    gsn_conv2d(&last, p->params + s->w_head, p->params + s->b_head, 1, 1, 0, &out, w->col);
}

/* From s->dout back to the stream's weights and FiLM sites (grads accumulate). */
static void stream_backward(const gs_policy *p, workspace *w, stream *s) {
    for (int l = 0; l < NLAYERS; l++) memset(s->da[l], 0, sizeof(float) * stream_act_count(s, l));
    gsn_tensor last = layer_input(s, NLAYERS);
    gsn_tensor dlast = gsn_tensor_make(s->da[NLAYERS - 1], s->width, s->n, last.h, last.w);
    gsn_tensor dout = gsn_tensor_make(s->dout, s->out_ch, s->n, last.h, last.w);
    gsn_conv2d_backward(&last, p->params + s->w_head, 1, 1, 0, &dout, w->grads + s->w_head,
                        w->grads + s->b_head, &dlast, NULL, w->col);
    for (int l = NLAYERS - 1; l >= 0; l--) {
        size_t cnt = stream_act_count(s, l);
        gsn_relu_backward(s->a[l], s->da[l], w->tmp1, cnt);
        int skip = layer_skip(l);
        if (skip >= 0)
            for (size_t i = 0; i < cnt; i++) s->da[skip][i] += w->tmp1[i];
        float *beta;
        film_gamma(w, s, l, &beta);
        float *dfilm = w->dfilm + s->film + (size_t)l * 2 * s->width;
        gsn_tensor z = gsn_tensor_make(s->z[l], s->width, s->n, s->lh[l], s->lw[l]);
        gsn_tensor dpre = gsn_tensor_make(w->tmp1, s->width, s->n, s->lh[l], s->lw[l]);
        gsn_tensor dz = gsn_tensor_make(w->tmp2, s->width, s->n, s->lh[l], s->lw[l]);
        gsn_groupnorm_backward(&z, s->groups, w->gamma, s->mean[l], s->rstd[l], &dpre, &dz, dfilm,
                               dfilm + s->width);
        gsn_tensor in = layer_input(s, l);
        gsn_tensor din = l ? gsn_tensor_make(s->da[l - 1], s->width, s->n, in.h, in.w) : in;
        if (layer_rows(s, l))
            gsn_conv2d_rows_backward(&in, p->params + s->w_conv[l], 3, s->dil[l], &dz, w->grads + s->w_conv[l],
                                     &din, s->col[l], w->col);
        else
            gsn_conv2d_backward(&in, p->params + s->w_conv[l], 3, l < 2 ? 2 : 1, 1, &dz,
                                w->grads + s->w_conv[l], NULL, l ? &din : NULL, s->col[l], w->col);
    }
}

/* Attention's and key's first convolutions as one GEMM over the shared
 * input (its im2col built and packed once), for inference: the streams
 * then start at layer 1. */
static void first_convolutions(const gs_policy *p, workspace *w) {
    const size_t one = (size_t)p->attn.width * p->in_ch * 9;
    memcpy(w->w0, p->params + p->attn.w_conv[0], sizeof(float) * one);
    memcpy(w->w0 + one, p->params + p->key.w_conv[0], sizeof(float) * one);
    gsn_tensor in = layer_input(&w->attn, 0);
    gsn_tensor z = gsn_tensor_make(w->attn.z[0], 2 * p->attn.width, 1, p->attn.lh[0], p->attn.lw[0]);
    gsn_conv2d_inference(&in, w->w0, NULL, 3, 2, 1, &z, w->attn.col[0]);
}

static void attention_forward(const gs_policy *p, workspace *w, int keep, int first) {
    stream_forward(p, w, &w->attn, keep, first);
    gsn_depth_to_space(w->attn.out, p->h4, p->w4, FACTOR, p->cfg.rows, p->cfg.cols,
                       w->pick_logits);
}

static void attention_backward(const gs_policy *p, workspace *w) {
    gsn_depth_to_space_backward(w->dpick, p->h4, p->w4, FACTOR, p->cfg.rows, p->cfg.cols,
                                w->attn.dout);
    stream_backward(p, w, &w->attn);
}

/* Rotated crops around the pick through the query stream, the key stream
 * over the scene, their correlation (rotations x h4 x w4) and the sub-cell
 * term (rows x cols); the place logits are their sum, never formed. */
static void transport_forward(const gs_policy *p, workspace *w, int pick_row, int pick_col,
                              int keep, int key_first) {
    const int rot = p->cfg.rotations, kc = p->key_ch, k = p->k;
    const int n = w->query.n, side = w->query.h;
    const size_t crop = (size_t)side * side, kk = (size_t)k * k;
    for (int r = 0; r < n; r++)
        gsn_rotated_crop(w->input, p->in_ch, p->cfg.rows, p->cfg.cols, pick_row, pick_col,
                         r * 2.0 * GSN_PI / rot, side, w->query.x + r * crop, (size_t)n * crop);
    stream_forward(p, w, &w->key, keep, key_first);
    stream_forward(p, w, &w->query, keep, 0);
    if (p->cfg.rotate_features) {
        /* query out is (kc x kq x kq); each rotation's kernel its centre turned */
        const double centre = (p->kq - 1) / 2.0;
        for (int r = 0; r < rot; r++)
            gsn_rotated_crop(w->query.out, kc, p->kq, p->kq, centre, centre, r * 2.0 * GSN_PI / rot, k,
                             w->kernel + (size_t)r * kc * kk, kk);
        for (size_t i = 0; i < (size_t)rot * kc * kk; i++) w->kernel[i] *= p->corr_scale;
    } else {
        /* query out is (kc x rot x k x k); the kernels want (rot x kc x k x k) */
        for (int r = 0; r < rot; r++)
            for (int c = 0; c < kc; c++) {
                const float *src = w->query.out + ((size_t)c * rot + r) * kk;
                float *dst = w->kernel + ((size_t)r * kc + c) * kk;
                for (size_t i = 0; i < kk; i++) dst[i] = src[i] * p->corr_scale;
            }
    }
    gsn_tensor kx = gsn_tensor_make(w->key.out, kc, 1, p->h4, p->w4);
    gsn_tensor corr = gsn_tensor_make(w->corr, rot, 1, p->h4, p->w4);
    gsn_conv2d_rows(&kx, w->kernel, k, 1, &corr, w->corr_col, w->col);
    const size_t cells = (size_t)p->h4 * p->w4;
    gsn_depth_to_space(w->key.out + kc * cells, p->h4, p->w4, FACTOR, p->cfg.rows, p->cfg.cols,
                       w->phase);
}

static void transport_backward(const gs_policy *p, workspace *w) {
    const int rot = p->cfg.rotations, kc = p->key_ch, k = p->k;
    const size_t kk = (size_t)k * k;
    const size_t cells = (size_t)p->h4 * p->w4;
    memset(w->dkernel, 0, sizeof(float) * (size_t)rot * kc * kk);
    memset(w->key.dout, 0, sizeof(float) * (size_t)kc * cells);
    gsn_depth_to_space_backward(w->dphase, p->h4, p->w4, FACTOR, p->cfg.rows, p->cfg.cols,
                                w->key.dout + kc * cells);
    gsn_tensor kx = gsn_tensor_make(w->key.out, kc, 1, p->h4, p->w4);
    gsn_tensor dkx = gsn_tensor_make(w->key.dout, kc, 1, p->h4, p->w4);
    gsn_tensor dcorr = gsn_tensor_make(w->dcorr, rot, 1, p->h4, p->w4);
    gsn_conv2d_rows_backward(&kx, w->kernel, k, 1, &dcorr, w->dkernel, &dkx, w->corr_col, w->col);
    if (p->cfg.rotate_features) {
        const size_t out = (size_t)kc * p->kq * p->kq;
        const double centre = (p->kq - 1) / 2.0;
        memset(w->query.dout, 0, sizeof(float) * out);
        for (size_t i = 0; i < (size_t)rot * kc * kk; i++) w->dkernel[i] *= p->corr_scale;
        for (int r = 0; r < rot; r++)
            gsn_rotated_crop_backward(w->dkernel + (size_t)r * kc * kk, kk, kc, p->kq, p->kq, centre, centre,
                                      r * 2.0 * GSN_PI / rot, k, w->query.dout);
    } else {
        for (int r = 0; r < rot; r++)
            for (int c = 0; c < kc; c++) {
                const float *src = w->dkernel + ((size_t)r * kc + c) * kk;
                float *dst = w->query.dout + ((size_t)c * rot + r) * kk;
                for (size_t i = 0; i < kk; i++) dst[i] = src[i] * p->corr_scale;
            }
    }
    stream_backward(p, w, &w->key);
    stream_backward(p, w, &w->query);
}

static gs_status check_sample(const gs_policy *p, const gs_policy_sample *s, int i, char *err,
                              size_t errlen) {
    const gs_policy_config *c = &p->cfg;
    if (!s->heightmap || !s->color)
        return gs_fail(err, errlen, GS_ERR_USAGE, "policy: sample %d has no image", i);
    if (s->pick_row < 0 || s->pick_row >= c->rows || s->pick_col < 0 || s->pick_col >= c->cols)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "policy: sample %d picks at (%d, %d), outside %d x %d", i, s->pick_row,
                       s->pick_col, c->rows, c->cols);
    if (s->place_row < 0 || s->place_row >= c->rows || s->place_col < 0 ||
        s->place_col >= c->cols)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "policy: sample %d places at (%d, %d), outside %d x %d", i, s->place_row,
                       s->place_col, c->rows, c->cols);
    if (s->rotation < 0 || s->rotation >= c->rotations)
        return gs_fail(err, errlen, GS_ERR_USAGE, "policy: sample %d rotation %d outside 0..%d", i,
                       s->rotation, c->rotations - 1);
    return GS_OK;
}

/* Loss of one sample; with grad_scale > 0 its gradients (times
 * grad_scale) are added to w->grads. */
static double sample_pass(const gs_policy *p, workspace *w, const gs_policy_sample *s,
                          float grad_scale) {
    const int R = p->cfg.rows, C = p->cfg.cols;
    const int train = grad_scale > 0.0f;
    lang_words(p, w, s->lang);
    prepare_input(p, w, s->heightmap, s->color);
    lang_forward(p, w);
    if (train) memset(w->dfilm, 0, sizeof(float) * (size_t)p->film_size);
    attention_forward(p, w, train, 0);
    double loss = gsn_softmax_xent(w->pick_logits, (size_t)R * C,
                                   (size_t)s->pick_row * C + s->pick_col,
                                   train ? w->dpick : NULL, grad_scale);
    if (train) attention_backward(p, w);
    transport_forward(p, w, s->pick_row, s->pick_col, train, 0);
    size_t target = ((size_t)s->rotation * R + s->place_row) * C + s->place_col;
    loss += gsn_factored_xent(w->corr, p->cfg.rotations, p->h4, p->w4, w->phase, FACTOR, R, C,
                              target, train ? w->dcorr : NULL, train ? w->dphase : NULL,
                              grad_scale, w->xent);
    if (train) {
        transport_backward(p, w);
        lang_backward(p, w);
    }
    return loss;
}

/* One batch's pass shared by its workers. Each sample's gradient is
 * computed alone, into its worker's zeroed buffer, and added to the
 * batch's in sample order, so the sums, and so a run, do not depend on how
 * many workers there are or which took which sample. */
typedef struct batch_run {
    const gs_policy *p;
    const gs_policy_sample *batch;
    int n;
    float grad_scale;              /* 1 / n when training, else 0 */
    float *grads;                  /* (nparams) the batch's gradient, when training */
    pthread_mutex_t mu;
    pthread_cond_t turn;
    int taken, added;              /* samples handed out; samples summed so far */
    double loss;                   /* summed in sample order too */
} batch_run;

typedef struct worker_job {
    batch_run *b;
    workspace *w;
} worker_job;

/* Takes samples until none are left (a thread's entry point). */
static void *worker_run(void *arg) {
    worker_job *job = arg;
    batch_run *b = job->b;
    workspace *w = job->w;
    const size_t nparams = b->p->nparams;
    for (;;) {
        pthread_mutex_lock(&b->mu);
        int i = b->taken < b->n ? b->taken++ : -1;
        pthread_mutex_unlock(&b->mu);
        if (i < 0) return NULL;
        if (b->grad_scale > 0.0f) memset(w->grads, 0, sizeof(float) * nparams);
        double loss = sample_pass(b->p, w, &b->batch[i], b->grad_scale);
        pthread_mutex_lock(&b->mu);
        while (b->added != i) pthread_cond_wait(&b->turn, &b->mu);
        pthread_mutex_unlock(&b->mu);
        /* sample i's turn: the sums are this worker's until added moves on */
        if (b->grad_scale > 0.0f)
            for (size_t k = 0; k < nparams; k++) b->grads[k] += w->grads[k];
        b->loss += loss;
        pthread_mutex_lock(&b->mu);
        b->added++;
        pthread_cond_broadcast(&b->turn);
        pthread_mutex_unlock(&b->mu);
    }
}

/* The batch's mean loss and, when training, its gradient in p->grads. */
static gs_status batch_pass(gs_policy *p, const gs_policy_sample *batch, int n, int train,
                            double *loss, char *err, size_t errlen) {
    if (!p || !batch || n < 1)
        return gs_fail(err, errlen, GS_ERR_USAGE, "policy: empty batch or no policy");
    for (int i = 0; i < n; i++) {
        gs_status st = check_sample(p, &batch[i], i, err, errlen);
        if (st) return st;
    }
    batch_run b;
    memset(&b, 0, sizeof b);
    b.p = p, b.batch = batch, b.n = n;
    b.grad_scale = train ? 1.0f / n : 0.0f;
    b.grads = p->grads;
    if (train) memset(p->grads, 0, sizeof(float) * p->nparams);
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.turn, NULL);
    int workers = p->workers < n ? p->workers : n;
    worker_job jobs[GS_POLICY_MAX_WORKERS];
    pthread_t threads[GS_POLICY_MAX_WORKERS];
    int started[GS_POLICY_MAX_WORKERS] = {0};
    /* a worker that cannot get a thread leaves its samples to the others */
    for (int k = 0; k < workers; k++) {
        jobs[k].b = &b;
        jobs[k].w = p->ws[k];
        if (k > 0) started[k] = pthread_create(&threads[k], NULL, worker_run, &jobs[k]) == 0;
    }
    worker_run(&jobs[0]);
    for (int k = 1; k < workers; k++)
        if (started[k]) pthread_join(threads[k], NULL);
    pthread_cond_destroy(&b.turn);
    pthread_mutex_destroy(&b.mu);
    double total = b.loss / n;
    if (!isfinite(total))
        return gs_fail(err, errlen, GS_ERR_RUNTIME, "policy: the loss is not finite (%g)", total);
    if (loss) *loss = total;
    return GS_OK;
}

/* The hash a goal is known by: FNV-1a of its words, space separated, but
 * for those that name a colour, so "push the red pile into the blue zone"
 * is the same goal with the test split's colours. */
static uint64_t goal_hash(const char *lang) {
    const char *s = lang ? lang : "";
    char word[32];
    uint64_t h, key = GSU_FNV_OFFSET;
    int first = 1;
    while (next_word(&s, word, &h)) {
        if (gs_color_find(word)) continue;
        if (!first) key = gsu_fnv1a(key, " ", 1);
        key = gsu_fnv1a(key, word, strlen(word));
        first = 0;
    }
    return key;
}

/* The hash checkpoints before the colour-blind one stored: the whole
 * sentence's bytes. */
static uint64_t sentence_hash(const char *lang) {
    const char *s = lang ? lang : "";
    return gsu_fnv1a(GSU_FNV_OFFSET, s, strlen(s));
}

/* Index of lang's goal among n stored hashes, or -1; with sentences, an
 * older checkpoint's whole-sentence hash matches too. */
static int find_goal(const uint64_t *hashes, int n, const char *lang, int sentences) {
    uint64_t key = goal_hash(lang), old = sentences ? sentence_hash(lang) : key;
    for (int i = 0; i < n; i++)
        if (hashes[i] == key || hashes[i] == old) return i;
    return -1;
}

static int is_push_goal(const gs_policy *p, const char *lang) {
    return find_goal(p->push_goals, p->npush, lang, 1) >= 0;
}

/* The lift a goal acts at: its lift goal's, else 0 (the robot's hover). */
static double goal_lift(const gs_policy *p, const char *lang) {
    int i = find_goal(p->lift_goals, p->nlift, lang, 1);
    return i < 0 ? 0 : p->lifts[i];
}

/* (An older checkpoint's goals are learned again by their words: a run
 * resuming it adds them.) */
int gs_policy_learn_goal(gs_policy *p, const gs_policy_sample *s) {
    if (s->push) {
        if (find_goal(p->push_goals, p->npush, s->lang, 0) >= 0 || p->npush >= GS_POLICY_MAX_PUSH_GOALS) return 0;
        p->push_goals[p->npush++] = goal_hash(s->lang);
        return 1;
    }
    if (!(s->lift > 0 && isfinite(s->lift)) || find_goal(p->lift_goals, p->nlift, s->lang, 0) >= 0 ||
        p->nlift >= GS_POLICY_MAX_PUSH_GOALS)
        return 0;
    p->lift_goals[p->nlift] = goal_hash(s->lang);
    p->lifts[p->nlift++] = s->lift;
    return 1;
}

double gs_policy_lr(gs_lr_schedule schedule, double lr, int64_t step, int64_t total) {
    if (schedule == GS_LR_CONSTANT || total <= 0) return lr;
    double f = step <= 0 ? 0.0 : step >= total ? 1.0 : (double)step / (double)total;
    return lr * 0.5 * (1.0 + cos(GSN_PI * f));
}

gs_status gs_policy_train_step(gs_policy *p, const gs_policy_sample *batch, int n, float lr,
                               double *loss, char *err, size_t errlen) {
    if (!(lr >= 0.0f) || !isfinite(lr))
        return gs_fail(err, errlen, GS_ERR_USAGE, "policy: learning rate %g is not >= 0", lr);
    gs_status st = batch_pass(p, batch, n, 1, loss, err, errlen);
    if (st) return st;
    for (int i = 0; i < n; i++)
        gs_policy_learn_goal(p, &batch[i]);
    p->steps++;
    gsn_adam(p->params, p->grads, p->adam_m, p->adam_v, p->nparams, lr, ADAM_BETA1, ADAM_BETA2,
             ADAM_EPS, p->steps);
    return GS_OK;
}

gs_status gsn_policy_gradient(gs_policy *p, const gs_policy_sample *batch, int n, double *loss,
                              char *err, size_t errlen) {
    return batch_pass(p, batch, n, 1, loss, err, errlen);
}

const float *gsn_policy_input(gs_policy *p, const float *heightmap, const uint8_t *color, const char *lang,
                              int *channels) {
    workspace *w = p->ws[0];
    lang_words(p, w, lang);
    prepare_input(p, w, heightmap, color);
    if (channels) *channels = p->in_ch;
    return w->input;
}

float *gsn_policy_params(gs_policy *p, float **grads, size_t *n) {
    if (grads) *grads = p->grads;
    if (n) *n = p->nparams;
    return p->params;
}

gs_status gs_policy_loss(gs_policy *p, const gs_policy_sample *batch, int n, double *loss,
                         char *err, size_t errlen) {
    return batch_pass(p, batch, n, 0, loss, err, errlen);
}

gs_status gs_policy_act(gs_policy *p, const float *heightmap, const uint8_t *color,
                        const char *lang, gs_policy_decision *out, char *err, size_t errlen) {
    if (!p || !heightmap || !color || !out)
        return gs_fail(err, errlen, GS_ERR_USAGE, "policy: act needs a policy, an image and an output");
    const int R = p->cfg.rows, C = p->cfg.cols;
    const size_t plane = (size_t)R * C;
    workspace *w = p->ws[0];
    lang_words(p, w, lang);
    prepare_input(p, w, heightmap, color);
    lang_forward(p, w);
    first_convolutions(p, w);
    attention_forward(p, w, 0, 1);
    size_t pick = gsn_argmax(w->pick_logits, plane, &out->pick_p);
    out->pick_row = (int)(pick / C);
    out->pick_col = (int)(pick % C);
    transport_forward(p, w, out->pick_row, out->pick_col, 0, 1);
    size_t place = gsn_factored_argmax(w->corr, p->cfg.rotations, p->h4, p->w4, w->phase, FACTOR,
                                       R, C, &out->place_p, w->xent);
    out->rotation = (int)(place / plane);
    out->push = is_push_goal(p, lang);
    out->lift = out->push ? 0 : goal_lift(p, lang);
    out->place_row = (int)(place % plane / C);
    out->place_col = (int)(place % C);
    if (!isfinite(out->pick_p) || !isfinite(out->place_p))
        return gs_fail(err, errlen, GS_ERR_RUNTIME, "policy: the network's outputs are not finite");
    return GS_OK;
}

/* ---- checkpoints ---- */


/* The three blocks of a checkpoint: the parameters and Adam's two moments. */
static const char *const block_prefix[3] = {"", "adam.m.", "adam.v."};

static void meta_int(cJSON *meta, const char *key, long long v) {
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    cJSON_AddStringToObject(meta, key, buf);
}

static void meta_double(cJSON *meta, const char *key, double v) {
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v);
    cJSON_AddStringToObject(meta, key, buf);
}

/* load_goals' field: n hashes, each with ":LIFT" when lifts; absent when n is 0. */
static void save_goals(cJSON *meta, const char *key, const uint64_t *hashes, const double *lifts, int n) {
    if (n == 0) return;
    char goals[GS_POLICY_MAX_PUSH_GOALS * 48 + 1], *g = goals;
    for (int i = 0; i < n; i++) {
        g += snprintf(g, sizeof goals - (size_t)(g - goals), "%s%016llx", i ? "," : "", (unsigned long long)hashes[i]);
        if (lifts) g += snprintf(g, sizeof goals - (size_t)(g - goals), ":%.17g", lifts[i]);
    }
    cJSON_AddStringToObject(meta, key, goals);
}

static const char *const bound_keys[3][2] = {
    {"x_min", "x_max"}, {"y_min", "y_max"}, {"z_min", "z_max"}};

gs_status gs_policy_save(const gs_policy *p, const char *path, char *err, size_t errlen) {
    if (!p || !path) return gs_fail(err, errlen, GS_ERR_USAGE, "policy: save needs a policy and a path");
    cJSON *root = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(root, "__metadata__");
    if (!root || !meta) {
        cJSON_Delete(root);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "policy: out of memory");
    }
    const gs_policy_config *c = &p->cfg;
    /* the options make another architecture, which older builds refuse by name */
    const int options = c->dilated || c->color_words || c->rotate_features;
    cJSON_AddStringToObject(meta, "arch", c->rotate_features ? GS_POLICY_ARCH_3
                                          : options          ? GS_POLICY_ARCH_2
                                                             : GS_POLICY_ARCH);
    if (options) {
        meta_int(meta, "dilated", c->dilated);
        meta_int(meta, "color_words", c->color_words);
    }
    if (c->rotate_features) meta_int(meta, "rotate_features", 1);
    meta_int(meta, "rows", c->rows);
    meta_int(meta, "cols", c->cols);
    meta_int(meta, "rotations", c->rotations);
    meta_int(meta, "crop", c->crop);
    meta_int(meta, "channels", c->channels);
    meta_int(meta, "vocab", c->vocab);
    meta_double(meta, "pixel", c->pixel);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++) meta_double(meta, bound_keys[i][j], c->bounds[i][j]);
    meta_int(meta, "step", p->steps);
    meta_int(meta, "adam_t", p->steps);
    save_goals(meta, "push_goals", p->push_goals, NULL, p->npush);
    save_goals(meta, "lift_goals", p->lift_goals, p->lifts, p->nlift);
    const size_t block = p->nparams * sizeof(float);
    for (int b = 0; b < 3; b++)
        for (int i = 0; i < p->nentries; i++) {
            const param_entry *e = &p->entries[i];
            char name[64];
            snprintf(name, sizeof name, "%s%s", block_prefix[b], e->name);
            cJSON *t = cJSON_AddObjectToObject(root, name);
            cJSON_AddStringToObject(t, "dtype", "F32");
            cJSON *shape = cJSON_AddArrayToObject(t, "shape");
            for (int d = 0; d < e->ndim; d++) cJSON_AddItemToArray(shape, cJSON_CreateNumber(e->shape[d]));
            cJSON *off = cJSON_AddArrayToObject(t, "data_offsets");
            size_t begin = b * block + e->offset * sizeof(float);
            cJSON_AddItemToArray(off, cJSON_CreateNumber((double)begin));
            cJSON_AddItemToArray(off, cJSON_CreateNumber((double)(begin + e->count * sizeof(float))));
        }
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!json) return gs_fail(err, errlen, GS_ERR_NOMEM, "policy: out of memory");
    size_t jlen = strlen(json), hlen = (jlen + 7) / 8 * 8; /* data stays 8-byte aligned */
    size_t total = 8 + hlen + 3 * block;
    unsigned char *buf = malloc(total);
    if (!buf) {
        free(json);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "policy: out of memory for a %zu-byte checkpoint",
                       total);
    }
    gsu_put_le64(buf, hlen);
    memcpy(buf + 8, json, jlen);
    memset(buf + 8 + jlen, ' ', hlen - jlen);
    free(json);
    const float *blocks[3] = {p->params, p->adam_m, p->adam_v};
    for (int b = 0; b < 3; b++) memcpy(buf + 8 + hlen + b * block, blocks[b], block);
    gs_status st = gs_write_file_atomic(path, buf, total, err, errlen);
    free(buf);
    return st;
}

/* A metadata value as a whole number / a finite double; 0 when absent or malformed. */
static int meta_get_ll(const cJSON *meta, const char *key, long long *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, key);
    if (!cJSON_IsString(v) || !*v->valuestring) return 0;
    char *end;
    *out = strtoll(v->valuestring, &end, 10);
    return *end == '\0';
}

static int meta_get_double(const cJSON *meta, const char *key, double *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, key);
    if (!cJSON_IsString(v) || !*v->valuestring) return 0;
    char *end;
    *out = strtod(v->valuestring, &end);
    return *end == '\0' && isfinite(*out);
}

typedef struct span {
    size_t begin, end;
    const char *name;
} span;

static int span_cmp(const void *a, const void *b) {
    const span *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

static gs_status load_config(const cJSON *meta, const char *path, gs_policy_config *cfg,
                             long long *steps, char *err, size_t errlen) {
    static const char *const ints[] = {"rows", "cols", "rotations", "crop", "channels", "vocab",
                                       "step"};
    long long v[7];
    for (int i = 0; i < 7; i++)
        if (!meta_get_ll(meta, ints[i], &v[i]) || v[i] < 0 || v[i] > (i < 6 ? 1LL << 30 : 1LL << 62))
            return gs_fail(err, errlen, GS_ERR_IO,
                           "%s: metadata field '%s' is missing or not a whole number", path,
                           ints[i]);
    *cfg = gs_policy_config_default();
    cfg->rows = (int)v[0];
    cfg->cols = (int)v[1];
    cfg->rotations = (int)v[2];
    cfg->crop = (int)v[3];
    cfg->channels = (int)v[4];
    cfg->vocab = (int)v[5];
    *steps = v[6];

    if (!meta_get_double(meta, "pixel", &cfg->pixel))
        return gs_fail(err, errlen, GS_ERR_IO, "%s: metadata field 'pixel' is missing or not a number",
                       path);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
            if (!meta_get_double(meta, bound_keys[i][j], &cfg->bounds[i][j]))
                return gs_fail(err, errlen, GS_ERR_IO,
                               "%s: metadata field '%s' is missing or not a number", path,
                               bound_keys[i][j]);
    return GS_OK;
}

/* The architecture options GS_POLICY_ARCH_2 (options 2: the first two) and
 * GS_POLICY_ARCH_3 (options 3) carry, each 0 or 1. */
static gs_status load_options(const cJSON *meta, const char *path, int options, gs_policy_config *cfg,
                              char *err, size_t errlen) {
    static const char *const keys[] = {"dilated", "color_words", "rotate_features"};
    int *dst[] = {&cfg->dilated, &cfg->color_words, &cfg->rotate_features};
    for (int i = 0; i < options; i++) {
        long long v;
        if (!meta_get_ll(meta, keys[i], &v) || (v != 0 && v != 1))
            return gs_fail(err, errlen, GS_ERR_IO, "%s: metadata field '%s' is missing or not 0 or 1", path,
                           keys[i]);
        *dst[i] = (int)v;
    }
    return GS_OK;
}

/* Checks one tensor's header entry against what the architecture expects. */
static gs_status load_tensor(const cJSON *root, const char *name, const param_entry *e,
                             size_t data_len, span *sp, char *err, size_t errlen) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, name);
    if (!cJSON_IsObject(t))
        return gs_fail(err, errlen, GS_ERR_IO, "missing tensor '%s'", name);
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(t, "dtype");
    if (!cJSON_IsString(dtype) || strcmp(dtype->valuestring, "F32"))
        return gs_fail(err, errlen, GS_ERR_IO, "tensor '%s' is not F32", name);
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(t, "shape");
    int ok = cJSON_IsArray(shape) && cJSON_GetArraySize(shape) == e->ndim;
    for (int d = 0; ok && d < e->ndim; d++) {
        const cJSON *x = cJSON_GetArrayItem(shape, d);
        ok = cJSON_IsNumber(x) && x->valuedouble == e->shape[d];
    }
    if (!ok) {
        char want[64] = "", *w = want;
        for (int d = 0; d < e->ndim; d++)
            w += snprintf(w, sizeof want - (size_t)(w - want), "%s%d", d ? ", " : "", e->shape[d]);
        return gs_fail(err, errlen, GS_ERR_IO, "tensor '%s' has the wrong shape (expected [%s])",
                       name, want);
    }
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(t, "data_offsets");
    const cJSON *b = cJSON_GetArrayItem(off, 0), *en = cJSON_GetArrayItem(off, 1);
    if (!cJSON_IsArray(off) || cJSON_GetArraySize(off) != 2 || !cJSON_IsNumber(b) ||
        !cJSON_IsNumber(en) || b->valuedouble < 0 || en->valuedouble < b->valuedouble ||
        en->valuedouble > (double)data_len || b->valuedouble != floor(b->valuedouble) ||
        en->valuedouble - b->valuedouble != (double)(e->count * sizeof(float)))
        return gs_fail(err, errlen, GS_ERR_IO,
                       "tensor '%s' has data offsets outside the file's %zu data bytes or not "
                       "matching its shape (truncated file?)",
                       name, data_len);
    sp->begin = (size_t)b->valuedouble;
    sp->end = (size_t)en->valuedouble;
    return GS_OK;
}

/* The goals a checkpoint's metadata field key names: 16 hex digits of a
 * hash each, with lifts ":LIFT" after each (a lift finite, in (0, 1] m),
 * comma separated; none when the field is absent. */
static gs_status load_goals(const cJSON *meta, const char *path, const char *key, uint64_t *hashes,
                            double *lifts, int *n, char *err, size_t errlen) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, key);
    if (!v) return GS_OK;
    const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
    while (s && *s && *n < GS_POLICY_MAX_PUSH_GOALS) {
        char *end;
        unsigned long long h = strtoull(s, &end, 16);
        if (end != s + 16) break;
        if (lifts) {
            if (*end != ':') break;
            double lift = strtod(end + 1, &end);
            if (end == s + 17 || !(lift > 0 && lift <= 1)) break;
            lifts[*n] = lift;
        }
        if (*end && *end != ',') break;
        hashes[(*n)++] = h;
        s = *end ? end + 1 : end;
    }
    if (!s || *s)
        return gs_fail(err, errlen, GS_ERR_IO, "%s: metadata field '%s' is not a list of %s", path, key,
                       lifts ? "HASH:LIFT" : "hashes");
    return GS_OK;
}

/* The safetensors header of buf: its JSON (*root, the caller frees it),
 * its length, its metadata and how many options its arch carries (0, 2, 3). */
static gs_status read_header(const char *buf, size_t len, const char *path, cJSON **root, uint64_t *hlen,
                             const cJSON **meta, int *options, char *err, size_t errlen) {
    *root = NULL;
    if (len < 8) return gs_fail(err, errlen, GS_ERR_IO, "%s: truncated (%zu bytes, no header length)", path, len);
    *hlen = gsu_get_le64((const unsigned char *)buf);
    if (*hlen < 2 || *hlen > len - 8 || *hlen > ((uint64_t)1 << 27))
        return gs_fail(err, errlen, GS_ERR_IO,
                       "%s: truncated or not a safetensors file (header of %llu bytes in a file of %zu)", path,
                       (unsigned long long)*hlen, len);
    *root = cJSON_ParseWithLength(buf + 8, (size_t)*hlen);
    if (!cJSON_IsObject(*root))
        return gs_fail(err, errlen, GS_ERR_IO, "%s: the safetensors header is not a JSON object", path);
    *meta = cJSON_GetObjectItemCaseSensitive(*root, "__metadata__");
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(*meta, "arch");
    if (!cJSON_IsObject(*meta) || !cJSON_IsString(arch))
        return gs_fail(err, errlen, GS_ERR_IO, "%s: no __metadata__ with an arch", path);
    *options = !strcmp(arch->valuestring, GS_POLICY_ARCH_2) ? 2 : !strcmp(arch->valuestring, GS_POLICY_ARCH_3) ? 3 : 0;
    if (strcmp(arch->valuestring, GS_POLICY_ARCH) && !*options)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: holds architecture '%.64s', not '%s', '%s' or '%s'",
                       path, arch->valuestring, GS_POLICY_ARCH, GS_POLICY_ARCH_2, GS_POLICY_ARCH_3);
    return GS_OK;
}

/* The weights and Adam's moments from the data after the header: every
 * tensor where the header says, none overlapping another. */
static gs_status load_tensors(gs_policy *p, const cJSON *root, const unsigned char *data, size_t data_len,
                              const char *path, char *err, size_t errlen) {
    const int nspans = 3 * p->nentries;
    span *spans = calloc((size_t)nspans, sizeof *spans);
    if (!spans) return gs_fail(err, errlen, GS_ERR_NOMEM, "policy: out of memory");
    float *blocks[3] = {p->params, p->adam_m, p->adam_v};
    char names[3 * MAX_ENTRIES][64], msg[256];
    gs_status st = GS_OK;
    for (int b = 0; b < 3 && st == GS_OK; b++)
        for (int i = 0; i < p->nentries && st == GS_OK; i++) {
            const param_entry *e = &p->entries[i];
            int si = b * p->nentries + i;
            snprintf(names[si], sizeof names[si], "%s%s", block_prefix[b], e->name);
            st = load_tensor(root, names[si], e, data_len, &spans[si], msg, sizeof msg);
            if (st) {
                st = gs_fail(err, errlen, st, "%s: %s", path, msg);
                break;
            }
            spans[si].name = names[si];
            memcpy(blocks[b] + e->offset, data + spans[si].begin, e->count * sizeof(float));
        }
    if (st == GS_OK) qsort(spans, (size_t)nspans, sizeof *spans, span_cmp);
    for (int i = 1; i < nspans && st == GS_OK; i++)
        if (spans[i].begin < spans[i - 1].end)
            st = gs_fail(err, errlen, GS_ERR_IO, "%s: tensors '%s' and '%s' overlap", path, spans[i - 1].name,
                         spans[i].name);
    free(spans);
    return st;
}

gs_status gs_policy_load(const char *path, gs_policy **out, char *err, size_t errlen) {
    if (!path || !out) return gs_fail(err, errlen, GS_ERR_USAGE, "policy: load needs a path and an output");
    *out = NULL;
    char *buf = NULL, msg[256];
    size_t len = 0;
    gs_status st = gs_read_file(path, MAX_CHECKPOINT, &buf, &len, err, errlen);
    if (st) return st;
    cJSON *root = NULL;
    gs_policy *p = NULL;
    uint64_t hlen = 0;
    const cJSON *meta = NULL;
    int options = 0;
    gs_policy_config cfg;
    long long steps = 0, adam_t = 0;
    st = read_header(buf, len, path, &root, &hlen, &meta, &options, err, errlen);
    if (st == GS_OK) st = load_config(meta, path, &cfg, &steps, err, errlen);
    if (st == GS_OK && options) st = load_options(meta, path, options, &cfg, err, errlen);
    if (st == GS_OK && (!meta_get_ll(meta, "adam_t", &adam_t) || adam_t != steps))
        st = gs_fail(err, errlen, GS_ERR_IO, "%s: metadata field 'adam_t' is missing or not the step", path);
    if (st) goto done;
    /* A genuine file holds every tensor three times (weights and Adam's
     * moments), lang.embedding [vocab, 2 channels] and conv1.weight
     * [channels, channels, 3, 3] among them: a header asking for more than
     * the file holds is refused before anything is allocated. */
    const size_t data_len = len - 8 - (size_t)hlen;
    double least = 3.0 * sizeof(float) * ((double)cfg.vocab * 2 * cfg.channels + 9.0 * cfg.channels * cfg.channels);
    if ((st = check_config(&cfg, msg, sizeof msg)) == GS_OK && least > (double)data_len)
        st = gs_fail(msg, sizeof msg, GS_ERR_IO, "vocab %d and channels %d need at least %.0f bytes of tensors, "
                     "the file holds %zu", cfg.vocab, cfg.channels, least, data_len);
    if (st == GS_OK) st = gs_policy_new(&cfg, 0, &p, msg, sizeof msg);
    if (st) {
        st = gs_fail(err, errlen, st == GS_ERR_NOMEM ? st : GS_ERR_IO, "%s: %s", path, msg);
        goto done;
    }
    st = load_tensors(p, root, (const unsigned char *)buf + 8 + hlen, data_len, path, err, errlen);
    if (st == GS_OK) st = load_goals(meta, path, "push_goals", p->push_goals, NULL, &p->npush, err, errlen);
    if (st == GS_OK) st = load_goals(meta, path, "lift_goals", p->lift_goals, p->lifts, &p->nlift, err, errlen);
    if (st) goto done;
    p->steps = steps;
    *out = p;
    p = NULL;
done:
    gs_policy_free(p);
    cJSON_Delete(root);
    free(buf);
    return st;
}
