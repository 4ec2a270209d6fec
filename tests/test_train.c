/* test_train.c: whole training runs through gs_train on a tiny network:
 * the curves (the CSV's columns and rows, a PNG libpng decodes), a resumed
 * run's rows, closed-loop evaluation that leaves the checkpoint as it was,
 * a stop from the progress callback, and refused options. */
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gensim/dataset.h"
#include "gensim/episode.h"
#include "gensim/io.h"
#include "gensim/train.h"
#include "scratch.h"

static const char *const TASK = "tasks/seed/place-red-in-green.lua";

/* Three successful episodes of TASK. */
static int record(const char *path) {
    char err[1024];
    gs_dataset_writer *w = NULL;
    gs_dataset_options opt = gs_dataset_options_default();
    if (gs_dataset_create(path, &opt, &w, err, sizeof err) != GS_OK) return 0;
    gs_task_options to = gs_task_options_default();
    gs_task *t = NULL;
    int kept = 0;
    if (gs_task_load(TASK, &to, &t, err, sizeof err) == GS_OK) {
        gs_dataset_episode ep = {0};
        for (uint64_t seed = 0; kept < 3 && seed < 20; seed++)
            if (gs_episode_record(t, seed, gs_actor_oracle(), &opt.view, &ep, err, sizeof err) == GS_OK && ep.success &&
                gs_dataset_append(w, &ep, err, sizeof err) == GS_OK)
                kept++;
        gs_dataset_episode_free(&ep);
    }
    gs_task_free(t);
    return gs_dataset_writer_close(w, err, sizeof err) == GS_OK && kept == 3;
}

static gs_train_options tiny(const char **data, const char *out) {
    gs_train_options o = gs_train_options_default();
    o.paths = data, o.npaths = 1, o.out = out;
    o.steps = 3, o.batch = 2, o.channels = 4, o.log_every = 1, o.val_fraction = 0.34;
    o.workers = 2;
    return o;
}

/* The lines of a file (at most max, each malloc'd); their count. */
static int read_lines(const char *path, char **lines, int max) {
    char *text;
    char err[256];
    if (gs_read_file(path, 1 << 20, &text, NULL, err, sizeof err) != GS_OK) return 0;
    int n = 0;
    for (char *s = text, *nl; *s && n < max; s = nl + 1) {
        if (!(nl = strchr(s, '\n'))) break;
        *nl = '\0';
        lines[n++] = strdup(s);
    }
    free(text);
    return n;
}

static void free_lines(char **lines, int n) {
    for (int i = 0; i < n; i++) free(lines[i]);
}

static int files_equal(const char *a, const char *b) {
    char *x, *y, err[256];
    size_t nx, ny;
    if (gs_read_file(a, 1 << 26, &x, &nx, err, sizeof err) != GS_OK) return 0;
    if (gs_read_file(b, 1 << 26, &y, &ny, err, sizeof err) != GS_OK) return free(x), 0;
    int same = nx == ny && memcmp(x, y, nx) == 0;
    free(x), free(y);
    return same;
}

/* Decodes the PNG with libpng: its size, and pixels of the first series' colour. */
static void check_png(const char *path, int width, int height) {
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    CHECK(png_image_begin_read_from_file(&img, path));
    img.format = PNG_FORMAT_RGB;
    CHECK(img.width == (png_uint_32)width && img.height == (png_uint_32)height);
    uint8_t *px = malloc(PNG_IMAGE_SIZE(img));
    CHECK(px && png_image_finish_read(&img, NULL, px, 0, NULL));
    uint8_t blue[3];
    gsr_plot_palette(0, blue);
    long ink = 0;
    for (size_t i = 0; px && i < (size_t)img.width * img.height; i++) ink += memcmp(px + 3 * i, blue, 3) == 0;
    CHECK(ink > 50);
    free(px);
    png_image_free(&img);
}

/* A path in the scratch folder that stays put (in_root's buffers rotate). */
static const char *keep(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "%s", in_root(name));
    return buf;
}

static void test_curves(const char *data) {
    char err[1024], model[700], plain_model[700];
    const char *paths[1] = {data};
    const char *eval[1] = {TASK};
    gs_train_options o = tiny(paths, keep(model, sizeof model, "m.st"));
    o.eval_tasks = eval, o.neval_tasks = 1, o.eval_every = 2, o.eval_episodes = 1;
    gs_train_result r;
    CHECK(gs_train(&o, NULL, NULL, &r, err, sizeof err) == GS_OK);
    CHECK(r.steps == 3 && r.nlog == 3 && r.neval == 1 && !r.interrupted);
    CHECK(strcmp(r.csv, in_root("m.csv")) == 0 && strcmp(r.png, in_root("m.png")) == 0);
    /* evaluated at step 2 and at the end, not at step 1 */
    CHECK(isnan(r.log[0].success[0]) && !isnan(r.log[1].success[0]) && !isnan(r.log[2].success[0]));
    char *lines[16];
    int n = read_lines(r.csv, lines, 16);
    CHECK(n == 4);
    if (n == 4) {
        CHECK(strcmp(lines[0], "step,samples,lr,train_loss,val_loss,samples_per_s,"
                               "success_place-red-in-green") == 0);
        CHECK(strncmp(lines[1], "1,2,", 4) == 0 && lines[1][strlen(lines[1]) - 1] == ',');
        CHECK(strncmp(lines[2], "2,4,", 4) == 0 && lines[2][strlen(lines[2]) - 1] != ',');
        CHECK(strncmp(lines[3], "3,6,", 4) == 0);
    }
    free_lines(lines, n);
    check_png(r.png, 720, 720);
    gs_train_result_free(&r);
    char first[700], *bytes;
    size_t len;
    keep(first, sizeof first, "m3.st");
    CHECK(gs_read_file(model, 1 << 26, &bytes, &len, err, sizeof err) == GS_OK &&
          gs_write_file_atomic(first, bytes, len, err, sizeof err) == GS_OK);
    free(bytes);

    /* resumed: the rows up to the checkpoint's step, then the new ones */
    o.steps = 5, o.resume = 1;
    CHECK(gs_train(&o, NULL, NULL, &r, err, sizeof err) == GS_OK);
    CHECK(r.first_step == 3 && r.nlog == 2);
    n = read_lines(r.csv, lines, 16);
    CHECK(n == 6 && strncmp(lines[3], "3,6,", 4) == 0 && strncmp(lines[5], "5,10,", 5) == 0);
    free_lines(lines, n);
    gs_train_result_free(&r);

    /* evaluation does not change what is learned; nor do the workers */
    gs_train_options plain = tiny(paths, keep(plain_model, sizeof plain_model, "plain.st"));
    plain.workers = 1, plain.curves = 0;
    CHECK(gs_train(&plain, NULL, NULL, &r, err, sizeof err) == GS_OK);
    CHECK(r.csv[0] == '\0');
    CHECK(files_equal(first, plain_model));
    gs_train_result_free(&r);
}

static int stop_at_two(const gs_train_progress *p, void *ud) {
    int *events = ud;
    events[p->event]++;
    return p->event == GS_TRAIN_STEP && p->step == 2;
}

static void test_stop_and_refusals(const char *data) {
    char err[1024], model[700], bad_model[700];
    const char *paths[1] = {data};
    gs_train_options o = tiny(paths, keep(model, sizeof model, "stop.st"));
    o.steps = 100;
    gs_train_result r;
    int events[4] = {0};
    CHECK(gs_train(&o, stop_at_two, events, &r, err, sizeof err) == GS_OK);
    CHECK(r.interrupted && r.steps == 2 && events[GS_TRAIN_BEGIN] == 1 && events[GS_TRAIN_STEP] == 2);
    CHECK(events[GS_TRAIN_ROW] == 2);
    gs_train_result_free(&r);
    /* the checkpoint exists now: without resume it is refused */
    CHECK(gs_train(&o, NULL, NULL, &r, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "already exists");
    gs_train_result_free(&r);
    /* refused runs write nothing */
    int entries = count_entries(root);
    gs_train_options bad = tiny(paths, keep(bad_model, sizeof bad_model, "bad.st"));
    bad.steps = 0;
    CHECK(gs_train(&bad, NULL, NULL, &r, err, sizeof err) == GS_ERR_USAGE);
    bad = tiny(paths, bad_model);
    bad.eval_every = 5; /* no tasks */
    CHECK(gs_train(&bad, NULL, NULL, &r, err, sizeof err) == GS_ERR_USAGE);
    const char *missing[1] = {"tests/fixtures/bad/does-not-exist.lua"};
    bad.eval_tasks = missing, bad.neval_tasks = 1;
    CHECK(gs_train(&bad, NULL, NULL, &r, err, sizeof err) != GS_OK);
    CHECK_STR_CONTAINS(err, "does-not-exist");
    gs_train_result_free(&r);
    CHECK(count_entries(root) == entries);
}

static void test_paths(void) {
    char csv[64], png[64], err[128];
    CHECK(gs_train_curves_paths("runs/a.st", csv, png, sizeof csv, err, sizeof err) == GS_OK);
    CHECK(strcmp(csv, "runs/a.csv") == 0 && strcmp(png, "runs/a.png") == 0);
    CHECK(gs_train_curves_paths("v1.2/model", csv, png, sizeof csv, err, sizeof err) == GS_OK);
    CHECK(strcmp(csv, "v1.2/model.csv") == 0);
    CHECK(gs_train_curves_paths("x.csv", csv, png, sizeof csv, err, sizeof err) == GS_OK);
    CHECK(strcmp(csv, "x.csv.csv") == 0 && strcmp(png, "x.csv.png") == 0);
    CHECK(gs_train_curves_paths("d/.st", csv, png, sizeof csv, err, sizeof err) == GS_OK);
    CHECK(strcmp(csv, "d/.st.csv") == 0);
    CHECK(gs_train_curves_paths("a-long-name.st", csv, png, 8, err, sizeof err) == GS_ERR_USAGE);
}

int main(void) {
    if (!scratch_init("train")) return 1;
    test_paths();
    char data[700];
    keep(data, sizeof data, "d.h5");
    CHECK(record(data));
    test_curves(data);
    test_stop_and_refusals(data);
    return CHECK_DONE();
}
