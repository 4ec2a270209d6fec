/* test_policy.c: the Transporter policy learns a tiny synthetic problem,
 * checkpoints round-trip bit for bit, and bad files or configs give errors. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gensim/assets.h"
#include "gensim/io.h"
#include "gensim/math.h"
#include "gensim/policy.h"
#include "policy/tensor.h"
#include "scratch.h"

enum { ROWS = 32, COLS = 64, ROT = 8, NSCENE = 4 };

static gs_policy_config tiny_config(void) {
    gs_policy_config c = gs_policy_config_default();
    c.rows = ROWS;
    c.cols = COLS;
    c.rotations = ROT;
    c.crop = 17;
    c.channels = 8;
    c.vocab = 64;
    return c;
}

/* An L: a bar of 7 pixels along x with a stub of 3 along y at one end, so
 * every turn of it looks different. Offsets (drow, dcol). */
static const int ell[][2] = {{0, -3}, {0, -2}, {0, -1}, {0, 0}, {0, 1}, {0, 2}, {0, 3},
                             {1, 3},  {2, 3},  {3, 3}};

static void paint(float *h, uint8_t *rgb, int row, int col, int rotation, const uint8_t color[3],
                  float height) {
    double th = rotation * 2.0 * acos(-1.0) / ROT, cs = cos(th), sn = sin(th);
    for (size_t i = 0; i < sizeof ell / sizeof ell[0]; i++) {
        double dc = ell[i][1], dr = ell[i][0];
        /* counter-clockwise with columns as x, rows as y */
        int c = col + (int)lround(cs * dc - sn * dr), r = row + (int)lround(sn * dc + cs * dr);
        for (int y = r; y <= r + 1; y++)
            for (int x = c; x <= c + 1; x++) {
                if (y < 0 || y >= ROWS || x < 0 || x >= COLS) continue;
                h[y * COLS + x] = height;
                memcpy(rgb + 3 * (y * COLS + x), color, 3);
            }
    }
}

static float heights[NSCENE][ROWS * COLS];
static uint8_t colors[NSCENE][ROWS * COLS * 3];
static gs_policy_sample samples[NSCENE];

/* Two layouts, each asked twice: once for the red L, once for the blue, so
 * only the language tells the two picks apart. */
static void make_scenes(void) {
    static const uint8_t red[3] = {220, 40, 40}, blue[3] = {40, 60, 220}, green[3] = {40, 200, 60};
    static const struct {
        int red_r, red_c, blue_r, blue_c, mark_r, mark_c, rot;
    } layout[2] = {{9, 12, 22, 30, 16, 52, 2}, {23, 10, 10, 36, 18, 50, 5}};
    for (int s = 0; s < NSCENE; s++) {
        int l = s / 2, use_blue = s % 2;
        memset(colors[s], 128, sizeof colors[s]);
        paint(heights[s], colors[s], layout[l].red_r, layout[l].red_c, 0, red, 0.04f);
        paint(heights[s], colors[s], layout[l].blue_r, layout[l].blue_c, 0, blue, 0.04f);
        paint(heights[s], colors[s], layout[l].mark_r, layout[l].mark_c, layout[l].rot, green, 0.005f);
        gs_policy_sample one = {heights[s], colors[s],
                                use_blue ? "Put the BLUE block on the green mark."
                                         : "put the red block on the green mark",
                                use_blue ? layout[l].blue_r : layout[l].red_r,
                                use_blue ? layout[l].blue_c : layout[l].red_c,
                                layout[l].mark_r, layout[l].mark_c, layout[l].rot, 0, 0};
        samples[s] = one;
    }
}

static void test_schedule(void) {
    CHECK(gs_policy_lr(GS_LR_CONSTANT, 1e-3, 0, 100) == 1e-3);
    CHECK(gs_policy_lr(GS_LR_CONSTANT, 1e-3, 99, 100) == 1e-3);
    CHECK(gs_policy_lr(GS_LR_COSINE, 1e-3, 0, 100) == 1e-3);
    CHECK(fabs(gs_policy_lr(GS_LR_COSINE, 1e-3, 50, 100) - 5e-4) < 1e-15);
    CHECK(fabs(gs_policy_lr(GS_LR_COSINE, 1e-3, 25, 100) - 1e-3 * (2 + sqrt(2.0)) / 4) < 1e-15);
    CHECK(gs_policy_lr(GS_LR_COSINE, 1e-3, 100, 100) == 0.0);
    CHECK(gs_policy_lr(GS_LR_COSINE, 1e-3, 1000, 100) == 0.0);
    int falls = 1;
    for (int k = 1; k < 100; k++) {
        double a = gs_policy_lr(GS_LR_COSINE, 1e-3, k - 1, 100), b = gs_policy_lr(GS_LR_COSINE, 1e-3, k, 100);
        falls = falls && b < a && b > 0;
    }
    CHECK(falls);
}

static void test_bad_config(void) {
    char err[256];
    gs_policy *p = (gs_policy *)&p;
    gs_policy_config c = tiny_config();
    c.crop = 16;
    CHECK(gs_policy_new(&c, 1, &p, err, sizeof err) == GS_ERR_USAGE && !p);
    CHECK_STR_CONTAINS(err, "crop");
    c = tiny_config();
    c.channels = 6;
    CHECK(gs_policy_new(&c, 1, &p, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "channels");
    c = tiny_config();
    c.rows = 0;
    CHECK(gs_policy_new(&c, 1, &p, err, sizeof err) == GS_ERR_USAGE);
    c = tiny_config();
    c.rotations = 0;
    CHECK(gs_policy_new(&c, 1, &p, err, sizeof err) == GS_ERR_USAGE);
    c = tiny_config();
    c.vocab = 0;
    CHECK(gs_policy_new(&c, 1, &p, err, sizeof err) == GS_ERR_USAGE);
    c = tiny_config();
    c.dilated = 2;
    CHECK(gs_policy_new(&c, 1, &p, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "dilated");
    c = tiny_config();
    c.pixel = -1;
    CHECK(gs_policy_new(&c, 1, &p, err, sizeof err) == GS_ERR_USAGE);
    c = tiny_config();
    c.bounds[2][1] = c.bounds[2][0];
    CHECK(gs_policy_new(&c, 1, &p, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_policy_new(NULL, 1, &p, err, sizeof err) == GS_ERR_USAGE);
    /* the default config itself is valid and matches the default view */
    c = gs_policy_config_default();
    CHECK(c.rows == 320 && c.cols == 160 && c.rotations == 36);
    CHECK(gs_policy_new(&c, 1, &p, err, sizeof err) == GS_OK && gs_policy_parameters(p) > 10000);
    gs_policy_free(p);
}

static void test_bad_samples(gs_policy *p) {
    char err[256];
    gs_policy_sample s = samples[0];
    s.rotation = ROT;
    CHECK(gs_policy_train_step(p, &s, 1, 1e-3f, NULL, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "rotation");
    s = samples[0];
    s.pick_col = COLS;
    CHECK(gs_policy_loss(p, &s, 1, NULL, err, sizeof err) == GS_ERR_USAGE);
    s = samples[0];
    s.color = NULL;
    CHECK(gs_policy_train_step(p, &s, 1, 1e-3f, NULL, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_policy_train_step(p, samples, 0, 1e-3f, NULL, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_policy_train_step(p, samples, 1, -1.0f, NULL, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_policy_steps(p) == 0); /* nothing above stepped */
}

static int same_decision(const gs_policy_decision *a, const gs_policy_decision *b) {
    return a->pick_row == b->pick_row && a->pick_col == b->pick_col &&
           a->place_row == b->place_row && a->place_col == b->place_col &&
           a->rotation == b->rotation && a->pick_p == b->pick_p && a->place_p == b->place_p;
}

/* Trains on the four scenes until every decision is right. */
static gs_policy *test_training(void) {
    char err[256];
    gs_policy *p;
    gs_policy_config c = tiny_config();
    CHECK(gs_policy_new(&c, 42, &p, err, sizeof err) == GS_OK);
    if (!p) return NULL;
    test_bad_samples(p);
    double first, loss = 0.0;
    CHECK(gs_policy_loss(p, samples, NSCENE, &first, err, sizeof err) == GS_OK);
    /* untrained, both softmaxes are near uniform */
    CHECK(first > 0.5 * (log((double)ROWS * COLS) + log((double)ROT * ROWS * COLS)));
    int steps = getenv("POLICY_STEPS") ? atoi(getenv("POLICY_STEPS")) : 150;
    float lr = getenv("POLICY_LR") ? (float)atof(getenv("POLICY_LR")) : 2e-3f;
    for (int step = 0; step < steps; step++) {
        CHECK(gs_policy_train_step(p, samples, NSCENE, lr, &loss, err, sizeof err) == GS_OK);
        if (step % 50 == 0) printf("step %d loss %.3f\n", step, loss);
    }
    CHECK(gs_policy_steps(p) == steps);
    double after;
    CHECK(gs_policy_loss(p, samples, NSCENE, &after, err, sizeof err) == GS_OK);
    printf("loss %.3f -> %.3f\n", first, after);
    CHECK(after < 0.1 * first);
    for (int s = 0; s < NSCENE; s++) {
        gs_policy_decision d;
        CHECK(gs_policy_act(p, samples[s].heightmap, samples[s].color, samples[s].lang, &d, err,
                            sizeof err) == GS_OK);
        printf("scene %d: pick (%d, %d) want (%d, %d), place (%d, %d) r %d want (%d, %d) r %d\n", s,
               d.pick_row, d.pick_col, samples[s].pick_row, samples[s].pick_col, d.place_row,
               d.place_col, d.rotation, samples[s].place_row, samples[s].place_col,
               samples[s].rotation);
        CHECK(abs(d.pick_row - samples[s].pick_row) <= 1 && abs(d.pick_col - samples[s].pick_col) <= 1);
        CHECK(abs(d.place_row - samples[s].place_row) <= 1 &&
              abs(d.place_col - samples[s].place_col) <= 1);
        CHECK(d.rotation == samples[s].rotation);
        CHECK(d.pick_p > 0.0f && d.pick_p <= 1.0f && d.place_p > 0.0f && d.place_p <= 1.0f);
    }
    return p;
}

static int files_equal(const char *a, const char *b) {
    char *x = NULL, *y = NULL, err[256];
    size_t nx = 0, ny = 0;
    int same = !gs_read_file(a, 1 << 28, &x, &nx, err, sizeof err) &&
               !gs_read_file(b, 1 << 28, &y, &ny, err, sizeof err) && nx == ny &&
               !memcmp(x, y, nx);
    free(x);
    free(y);
    return same;
}

static void test_round_trip(gs_policy *p) {
    char err[256];
    char path[700]; /* in_root's buffers rotate */
    snprintf(path, sizeof path, "%s", in_root("policy.safetensors"));
    CHECK(gs_policy_save(p, path, err, sizeof err) == GS_OK);
    CHECK(count_entries(root) == 1); /* no temporary left behind */
    gs_policy *q = NULL;
    CHECK(gs_policy_load(path, &q, err, sizeof err) == GS_OK);
    if (!q) return;
    CHECK(gs_policy_steps(q) == gs_policy_steps(p));
    CHECK(gs_policy_parameters(q) == gs_policy_parameters(p));
    CHECK(memcmp(gs_policy_get_config(q), gs_policy_get_config(p), sizeof(gs_policy_config)) == 0);
    for (int s = 0; s < NSCENE; s++) {
        gs_policy_decision a, b;
        CHECK(gs_policy_act(p, samples[s].heightmap, samples[s].color, samples[s].lang, &a, err, sizeof err) == GS_OK);
        CHECK(gs_policy_act(q, samples[s].heightmap, samples[s].color, samples[s].lang, &b, err, sizeof err) == GS_OK);
        CHECK(same_decision(&a, &b));
    }
    /* resuming continues the same run: both take the same steps to the same bytes */
    double lp, lq;
    for (int i = 0; i < 3; i++) {
        CHECK(gs_policy_train_step(p, samples + i % 2, 2, 1e-3f, &lp, err, sizeof err) == GS_OK);
        CHECK(gs_policy_train_step(q, samples + i % 2, 2, 1e-3f, &lq, err, sizeof err) == GS_OK);
        CHECK(lp == lq);
    }
    CHECK(gs_policy_save(p, in_root("p.safetensors"), err, sizeof err) == GS_OK);
    CHECK(gs_policy_save(q, in_root("q.safetensors"), err, sizeof err) == GS_OK);
    CHECK(files_equal(in_root("p.safetensors"), in_root("q.safetensors")));
    CHECK(!files_equal(path, in_root("p.safetensors"))); /* the steps changed something */
    gs_policy_free(q);
}

/* ---- broken checkpoints ---- */

typedef void (*mutator)(cJSON *header);

/* Writes a copy of src whose header went through mutate (data unchanged). */
static void rewrite(const char *src, const char *dst, mutator mutate) {
    char *buf = NULL, err[256];
    size_t len = 0;
    if (gs_read_file(src, 1 << 28, &buf, &len, err, sizeof err)) return;
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++) hlen |= (uint64_t)(unsigned char)buf[i] << (8 * i);
    cJSON *h = cJSON_ParseWithLength(buf + 8, hlen);
    mutate(h);
    char *json = cJSON_PrintUnformatted(h);
    size_t jlen = strlen(json), total = 8 + jlen + (len - 8 - hlen);
    char *out = malloc(total);
    for (int i = 0; i < 8; i++) out[i] = (char)((uint64_t)jlen >> (8 * i));
    memcpy(out + 8, json, jlen);
    memcpy(out + 8 + jlen, buf + 8 + hlen, len - 8 - hlen);
    gs_write_file_atomic(dst, out, total, err, sizeof err);
    free(out);
    free(json);
    cJSON_Delete(h);
    free(buf);
}

static void other_arch(cJSON *h) {
    cJSON *meta = cJSON_GetObjectItem(h, "__metadata__");
    cJSON_ReplaceItemInObject(meta, "arch", cJSON_CreateString("someone-elses-net"));
}
static void drop_tensor(cJSON *h) {
    cJSON_DeleteItemFromObject(h, "key.conv3.weight");
}
static void wrong_shape(cJSON *h) {
    cJSON *t = cJSON_GetObjectItem(h, "query.head.weight");
    cJSON_ReplaceItemInArray(cJSON_GetObjectItem(t, "shape"), 0, cJSON_CreateNumber(5));
}
static void overlap(cJSON *h) {
    cJSON *a = cJSON_GetObjectItem(h, "lang.film.bias"), *b = cJSON_GetObjectItem(h, "adam.m.lang.film.bias");
    cJSON_ReplaceItemInObject(b, "data_offsets", cJSON_Duplicate(cJSON_GetObjectItem(a, "data_offsets"), 1));
}
static void beyond_end(cJSON *h) {
    cJSON *off = cJSON_GetObjectItem(cJSON_GetObjectItem(h, "adam.v.query.head.bias"), "data_offsets");
    cJSON_ReplaceItemInArray(off, 0, cJSON_CreateNumber(1e9));
    cJSON_ReplaceItemInArray(off, 1, cJSON_CreateNumber(1e9 + 16));
}
static void wrong_dtype(cJSON *h) {
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(h, "attention.conv0.weight"), "dtype", cJSON_CreateString("F16"));
}
static void bad_meta(cJSON *h) {
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(h, "__metadata__"), "crop", cJSON_CreateString("seventeen"));
}
static void v2_without_options(cJSON *h) {
    cJSON *meta = cJSON_GetObjectItem(h, "__metadata__");
    cJSON_ReplaceItemInObject(meta, "arch", cJSON_CreateString(GS_POLICY_ARCH_2));
}

static void bad_push_goals(cJSON *h) {
    cJSON_AddStringToObject(cJSON_GetObjectItem(h, "__metadata__"), "push_goals", "12ab,zz");
}

static const char *legacy_goals;
static void old_push_goals(cJSON *h) {
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(h, "__metadata__"), "push_goals", cJSON_CreateString(legacy_goals));
}

static void bad_lift_goals(cJSON *h) {
    cJSON_AddStringToObject(cJSON_GetObjectItem(h, "__metadata__"), "lift_goals", "00000000000012ab:-1");
}

static void huge_rows(cJSON *h) {
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(h, "__metadata__"), "rows", cJSON_CreateString("4294967328"));
}
static void bad_config(cJSON *h) {
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(h, "__metadata__"), "crop", cJSON_CreateString("16"));
}

static void expect_load_error(const char *path, gs_status want, const char *needle) {
    char err[256] = "";
    gs_policy *q = (gs_policy *)&q;
    gs_status st = gs_policy_load(path, &q, err, sizeof err);
    CHECK(st == want && q == NULL);
    CHECK_STR_CONTAINS(err, needle);
}

static void test_broken_files(void) {
    const char *good = in_root("policy.safetensors");
    char *buf = NULL, err[256];
    size_t len = 0;
    CHECK(gs_read_file(good, 1 << 28, &buf, &len, err, sizeof err) == GS_OK);
    if (!buf) return;
    const char *bad = in_root("bad.safetensors");
    /* cut anywhere: in the length, in the header, in the data */
    size_t cuts[] = {0, 5, 8, 100, len / 2, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        CHECK(gs_write_file_atomic(bad, buf, cuts[i], err, sizeof err) == GS_OK);
        expect_load_error(bad, GS_ERR_IO, cuts[i] < 100 ? "truncated" : "");
    }
    expect_load_error(bad, GS_ERR_IO, "truncated"); /* len - 1: a data offset past the end */
    const char garbage[] = "\x10\0\0\0\0\0\0\0{not json at all}";
    CHECK(gs_write_file_atomic(bad, garbage, sizeof garbage - 1, err, sizeof err) == GS_OK);
    expect_load_error(bad, GS_ERR_IO, "JSON");
    const char huge[] = "\xff\xff\xff\xff\xff\xff\xff\x7f{}";
    CHECK(gs_write_file_atomic(bad, huge, sizeof huge - 1, err, sizeof err) == GS_OK);
    expect_load_error(bad, GS_ERR_IO, "header");
    const char nometa[] = "\x02\0\0\0\0\0\0\0{}";
    CHECK(gs_write_file_atomic(bad, nometa, sizeof nometa - 1, err, sizeof err) == GS_OK);
    expect_load_error(bad, GS_ERR_IO, "__metadata__");
    expect_load_error(in_root("absent.safetensors"), GS_ERR_IO, "absent");

    rewrite(good, bad, other_arch);
    expect_load_error(bad, GS_ERR_USAGE, "someone-elses-net");
    rewrite(good, bad, drop_tensor);
    expect_load_error(bad, GS_ERR_IO, "missing tensor 'key.conv3.weight'");
    rewrite(good, bad, wrong_shape);
    expect_load_error(bad, GS_ERR_IO, "'query.head.weight' has the wrong shape");
    rewrite(good, bad, overlap);
    expect_load_error(bad, GS_ERR_IO, "overlap");
    rewrite(good, bad, beyond_end);
    expect_load_error(bad, GS_ERR_IO, "adam.v.query.head.bias");
    rewrite(good, bad, wrong_dtype);
    expect_load_error(bad, GS_ERR_IO, "not F32");
    rewrite(good, bad, bad_meta);
    expect_load_error(bad, GS_ERR_IO, "'crop'");
    rewrite(good, bad, huge_rows); /* would wrap to 32 as an int */
    expect_load_error(bad, GS_ERR_IO, "'rows'");
    rewrite(good, bad, bad_config);
    expect_load_error(bad, GS_ERR_IO, "crop 16");
    rewrite(good, bad, v2_without_options);
    expect_load_error(bad, GS_ERR_IO, "'dilated'");
    rewrite(good, bad, bad_push_goals);
    expect_load_error(bad, GS_ERR_IO, "'push_goals'");
    rewrite(good, bad, bad_lift_goals);
    expect_load_error(bad, GS_ERR_IO, "'lift_goals'");
    /* random bytes anywhere in the length or the header: an error, never a crash */
    gsu_rng rng;
    gsu_rng_seed(&rng, 5);
    size_t hlen = 0;
    for (int i = 0; i < 8; i++) hlen |= (size_t)(unsigned char)buf[i] << (8 * i);
    int refused = 0;
    for (int trial = 0; trial < 150; trial++) {
        char *copy = malloc(len);
        memcpy(copy, buf, len);
        int flips = (int)gsu_rng_int(&rng, 1, 4);
        for (int f = 0; f < flips; f++)
            copy[gsu_rng_int(&rng, 0, (int64_t)(8 + hlen - 1))] = (char)gsu_rng_int(&rng, 0, 255);
        gs_write_file_atomic(bad, copy, len, err, sizeof err);
        free(copy);
        gs_policy *q = NULL;
        gs_status st = gs_policy_load(bad, &q, err, sizeof err);
        refused += st != GS_OK;
        CHECK((st == GS_OK) == (q != NULL));
        gs_policy_free(q);
    }
    CHECK(refused > 75); /* most flips break something the loader checks */
    free(buf);
}

/* The whole network's gradient (both streams, FiLM, the language
 * embedding, the correlation, the factored softmax) against central
 * differences of its loss, parameter by parameter on a sample of each tensor. */
static void test_gradient(int dilated, int color_words, int rotate_features) {
    enum { GR = 32, GC = 48 };
    char err[256];
    gs_policy_config c = tiny_config();
    /* dilated: a quarter-resolution map of 8 x 12, so taps 2 and 4 cells
     * apart land inside it */
    c.rows = dilated ? GR : 16, c.cols = dilated ? GC : 24;
    c.crop = 9, c.rotations = 4, c.channels = 4, c.vocab = 8;
    c.dilated = dilated, c.color_words = color_words, c.rotate_features = rotate_features;
    gs_policy *p = NULL;
    CHECK(gs_policy_new(&c, 9, &p, err, sizeof err) == GS_OK);
    if (!p) return;
    static float h[GR * GC];
    static uint8_t rgb[GR * GC * 3];
    gsu_rng rng;
    gsu_rng_seed(&rng, 3);
    for (int i = 0; i < c.rows * c.cols; i++) {
        h[i] = (float)gsu_rng_uniform(&rng, 0.0, 0.05);
        for (int k = 0; k < 3; k++) rgb[3 * i + k] = (uint8_t)gsu_rng_int(&rng, 0, 255);
    }
    /* with color_words the goal's colours must be in the picture: paint a red patch */
    for (int r = 2; color_words && r < 6; r++)
        for (int q = 4; q < 10; q++) memcpy(rgb + 3 * (r * c.cols + q), gs_color_find("red")->srgb, 3);
    gs_policy_sample s = {h, rgb, "stack the red block", 5, 7, 11, 17, 3, 0, 0};
    float *grads;
    size_t n;
    float *params = gsn_policy_params(p, &grads, &n);
    double loss;
    CHECK(gsn_policy_gradient(p, &s, 1, &loss, err, sizeof err) == GS_OK);
    /* every 97th parameter: a spread over all tensors (the embedding rows of
     * words not in the goal have zero gradient, which also checks out) */
    int checked = 0, good = 0, nonzero = 0;
    for (size_t i = 0; i < n; i += 37) {
        float keep = params[i];
        const float eps = 3e-3f; /* small enough to stay clear of ReLU kinks here */
        double up, down;
        params[i] = keep + eps;
        gs_policy_loss(p, &s, 1, &up, err, sizeof err);
        params[i] = keep - eps;
        gs_policy_loss(p, &s, 1, &down, err, sizeof err);
        params[i] = keep;
        double num = (up - down) / (2.0 * eps), ana = grads[i];
        checked++;
        nonzero += fabs(num) > 1e-3;
        if (fabs(num - ana) <= 5e-4 + 0.03 * fabs(num)) good++;
        else printf("parameter %zu: analytic %.6g, numeric %.6g\n", i, ana, num);
    }
    printf("gradient%s%s%s: %d of %d parameters agree, %d of them nonzero\n", dilated ? " (dilated)" : "",
           color_words ? " (color words)" : "", rotate_features ? " (turned features)" : "", good, checked,
           nonzero);
    CHECK(checked >= 100 && good == checked);
    CHECK(nonzero >= checked / 2);
    /* the checkpoint keeps the architecture */
    gs_policy *back = NULL;
    CHECK(gs_policy_save(p, in_root("gradient.st"), err, sizeof err) == GS_OK);
    CHECK(gs_policy_load(in_root("gradient.st"), &back, err, sizeof err) == GS_OK);
    CHECK(back && gs_policy_get_config(back)->dilated == dilated);
    CHECK(back && gs_policy_get_config(back)->color_words == color_words);
    CHECK(back && gs_policy_get_config(back)->rotate_features == rotate_features);
    remove(in_root("gradient.st"));
    gs_policy_free(back);
    gs_policy_free(p);
}

/* The fifth channel marks the pixels of the colours the goal names, any
 * colour of the table (unseen ones included), and nothing else. */
static void test_color_words(void) {
    char err[256];
    gs_policy_config c = tiny_config();
    c.color_words = 1;
    gs_policy *p = NULL;
    CHECK(gs_policy_new(&c, 2, &p, err, sizeof err) == GS_OK);
    if (!p) return;
    static float h[ROWS * COLS];
    static uint8_t rgb[ROWS * COLS * 3];
    memset(rgb, 120, sizeof rgb); /* the table */
    const gs_color *red = gs_color_find("red"), *white = gs_color_find("white");
    for (int q = 0; q < 10; q++) {
        memcpy(rgb + 3 * (4 * COLS + q), red->srgb, 3);
        memcpy(rgb + 3 * (20 * COLS + q), white->srgb, 3);
    }
    const size_t plane = (size_t)ROWS * COLS;
    int channels;
    const float *in = gsn_policy_input(p, h, rgb, "put the RED block, then the white one", &channels);
    CHECK(channels == 5);
    CHECK(in[4 * plane + 4 * COLS + 3] == 2.0f && in[4 * plane + 20 * COLS + 3] == 2.0f);
    CHECK(in[4 * plane + 10 * COLS + 30] == 0.0f); /* the table */
    in = gsn_policy_input(p, h, rgb, "the red one", &channels);
    CHECK(in[4 * plane + 4 * COLS + 3] == 2.0f && in[4 * plane + 20 * COLS + 3] == 0.0f);
    in = gsn_policy_input(p, h, rgb, "no colour here", &channels);
    double sum = 0;
    for (size_t i = 0; i < plane; i++) sum += in[4 * plane + i];
    CHECK(sum == 0.0);
    gs_policy_free(p);
    /* without the option there are four channels */
    c.color_words = 0;
    CHECK(gs_policy_new(&c, 2, &p, err, sizeof err) == GS_OK);
    if (p) gsn_policy_input(p, h, rgb, "the red one", &channels);
    CHECK(channels == 4);
    gs_policy_free(p);
}

/* Workers split a batch: the same loss and gradient, bit for bit, as one
 * worker (each sample's gradient is summed in sample order), run after run,
 * and the same steps. */
static void test_workers(void) {
    char err[256];
    gs_policy_config c = tiny_config();
    gs_policy *one = NULL, *two = NULL;
    CHECK(gs_policy_new(&c, 4, &one, err, sizeof err) == GS_OK);
    CHECK(gs_policy_new(&c, 4, &two, err, sizeof err) == GS_OK);
    if (!one || !two) return;
    CHECK(gs_policy_set_workers(two, 0, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_policy_set_workers(two, GS_POLICY_MAX_WORKERS + 1, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_policy_set_workers(two, 2, err, sizeof err) == GS_OK);
    double l1, l2, l2again;
    CHECK(gsn_policy_gradient(one, samples, NSCENE, &l1, err, sizeof err) == GS_OK);
    CHECK(gsn_policy_gradient(two, samples, NSCENE, &l2, err, sizeof err) == GS_OK);
    CHECK(l1 == l2);
    float *g1, *g2;
    size_t n;
    gsn_policy_params(one, &g1, &n);
    gsn_policy_params(two, &g2, &n);
    double largest = 0.0;
    for (size_t i = 0; i < n; i++) largest = fmax(largest, fabs(g1[i]));
    CHECK(largest > 0.0 && memcmp(g1, g2, n * sizeof *g1) == 0);
    float *copy = malloc(n * sizeof *copy);
    memcpy(copy, g2, n * sizeof *copy);
    CHECK(gsn_policy_gradient(two, samples, NSCENE, &l2again, err, sizeof err) == GS_OK);
    CHECK(l2again == l2 && memcmp(copy, g2, n * sizeof *copy) == 0);
    free(copy);
    /* a batch smaller than the workers, and steps through them */
    CHECK(gs_policy_set_workers(two, 3, err, sizeof err) == GS_OK);
    for (int k = 0; k < 3; k++) {
        CHECK(gs_policy_train_step(two, samples + k, 2, 1e-3f, &l2, err, sizeof err) == GS_OK);
        CHECK(gs_policy_train_step(one, samples + k, 2, 1e-3f, &l1, err, sizeof err) == GS_OK);
        CHECK(l1 == l2);
    }
    float *p1 = gsn_policy_params(one, NULL, &n), *p2 = gsn_policy_params(two, NULL, &n);
    CHECK(memcmp(p1, p2, n * sizeof *p1) == 0);
    gs_policy_free(one);
    gs_policy_free(two);
}

/* Push samples make their language a push goal: act then pushes for that
 * goal and only that one, and the checkpoint keeps the goals. */
static void test_push_goals(void) {
    char err[256];
    gs_policy_config c = tiny_config();
    gs_policy *p = NULL;
    CHECK(gs_policy_new(&c, 5, &p, err, sizeof err) == GS_OK);
    if (!p) return;
    gs_policy_sample batch[2] = {samples[0], samples[1]};
    batch[1].push = 1, batch[1].lang = "sweep the pile into the zone", batch[1].rotation = 0;
    double loss;
    CHECK(gs_policy_train_step(p, batch, 2, 1e-3f, &loss, err, sizeof err) == GS_OK);
    gs_policy_decision d;
    CHECK(gs_policy_act(p, heights[0], colors[0], "sweep the pile into the zone", &d, err, sizeof err) == GS_OK);
    CHECK(d.push == 1 && d.lift == 0);
    CHECK(gs_policy_act(p, heights[0], colors[0], samples[0].lang, &d, err, sizeof err) == GS_OK);
    CHECK(d.push == 0 && d.lift == 0);
    /* a sample moving low makes its goal a lift goal, at its first lift */
    batch[1].push = 0, batch[1].lang = "drag the rope", batch[1].lift = 0.005;
    CHECK(gs_policy_train_step(p, batch, 2, 1e-3f, &loss, err, sizeof err) == GS_OK);
    batch[1].lift = 0.02;
    CHECK(gs_policy_train_step(p, batch, 2, 1e-3f, &loss, err, sizeof err) == GS_OK);
    CHECK(gs_policy_act(p, heights[0], colors[0], "drag the rope", &d, err, sizeof err) == GS_OK);
    CHECK(d.push == 0 && d.lift == 0.005);
    CHECK(gs_policy_act(p, heights[0], colors[0], samples[0].lang, &d, err, sizeof err) == GS_OK);
    CHECK(d.lift == 0);
    /* goals are known by their words less colour words: other colours, or
       none, are the same goal; other words are not */
    gs_policy_sample sweep = {0};
    sweep.lang = "Push the RED pile into the blue zone.", sweep.push = 1;
    CHECK(gs_policy_learn_goal(p, &sweep) == 1 && gs_policy_learn_goal(p, &sweep) == 0);
    CHECK(gs_policy_act(p, heights[0], colors[0], "push the white pile into the pink zone", &d, err, sizeof err) == GS_OK);
    CHECK(d.push == 1);
    CHECK(gs_policy_act(p, heights[0], colors[0], "push the pile into the zone", &d, err, sizeof err) == GS_OK);
    CHECK(d.push == 1);
    CHECK(gs_policy_act(p, heights[0], colors[0], "push the white pile into the pink bowl", &d, err, sizeof err) == GS_OK);
    CHECK(d.push == 0);
    gs_policy_sample rope = {0};
    rope.lang = "drag the green rope", rope.lift = 0.01;
    CHECK(gs_policy_learn_goal(p, &rope) == 0); /* "drag the rope" is known, at its first lift */
    gs_policy *back = NULL;
    CHECK(gs_policy_save(p, in_root("push.st"), err, sizeof err) == GS_OK);
    CHECK(gs_policy_load(in_root("push.st"), &back, err, sizeof err) == GS_OK);
    if (back) {
        CHECK(gs_policy_act(back, heights[0], colors[0], "sweep the pile into the zone", &d, err, sizeof err) == GS_OK);
        CHECK(d.push == 1);
        CHECK(gs_policy_act(back, heights[0], colors[0], "drag the rope", &d, err, sizeof err) == GS_OK);
        CHECK(d.push == 0 && d.lift == 0.005);
        CHECK(gs_policy_act(back, heights[0], colors[0], "push the cyan pile into the gray zone", &d, err, sizeof err) == GS_OK);
        CHECK(d.push == 1);
    }
    /* a checkpoint from before, whose push goals hash whole sentences */
    char legacy[64];
    const char *sentence = "Sweep it, 3 times!";
    snprintf(legacy, sizeof legacy, "%016llx",
             (unsigned long long)gsu_fnv1a(GSU_FNV_OFFSET, sentence, strlen(sentence)));
    legacy_goals = legacy;
    rewrite(in_root("push.st"), in_root("legacy.st"), old_push_goals);
    gs_policy *old = NULL;
    CHECK(gs_policy_load(in_root("legacy.st"), &old, err, sizeof err) == GS_OK);
    if (old) {
        CHECK(gs_policy_act(old, heights[0], colors[0], sentence, &d, err, sizeof err) == GS_OK);
        CHECK(d.push == 1);
        CHECK(gs_policy_act(old, heights[0], colors[0], "sweep it 3 times", &d, err, sizeof err) == GS_OK);
        CHECK(d.push == 0);
        /* learning the goal again (a resumed run) adds it by its words */
        gs_policy_sample again = {0};
        again.lang = sentence, again.push = 1;
        CHECK(gs_policy_learn_goal(old, &again) == 1);
        CHECK(gs_policy_act(old, heights[0], colors[0], "sweep it 3 times", &d, err, sizeof err) == GS_OK);
        CHECK(d.push == 1);
    }
    gs_policy_free(old);
    remove(in_root("legacy.st"));
    remove(in_root("push.st"));
    gs_policy_free(back);
    gs_policy_free(p);
}

int main(void) {
    if (!scratch_init("policy")) return 1;
    gs_policy_set_threads(1); /* the same sums in the same order, run after run */
    make_scenes();
    test_schedule();
    test_bad_config();
    test_gradient(0, 0, 0);
    test_gradient(1, 0, 0); /* the residual blocks' taps 1, 2, 4 and 8 cells apart */
    test_gradient(0, 1, 0); /* a fifth input channel */
    test_gradient(0, 0, 1); /* the query's features turned instead of its crops */
    test_color_words();
    test_workers();
    test_push_goals();
    gs_policy *p = test_training();
    if (p) {
        test_round_trip(p);
        test_broken_files();
    }
    gs_policy_free(p);
    return CHECK_DONE();
}
