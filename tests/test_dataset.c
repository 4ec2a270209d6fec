/* test_dataset.c: demonstration datasets: record place-red-in-green episodes
 * through the C API, read them back with the project's reader and check
 * what they say about the scene; then feed the reader broken files. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gensim/dataset.h"
#include "gensim/episode.h"

#define TASK "tasks/seed/place-red-in-green.lua"
#define LANG "put the red blocks in a green bowl"
#define NEPISODES 3

static char dir[] = "/tmp/gensim-test-dataset-XXXXXX";
static char good[256];

static void record_file(gs_task *t, uint64_t *seeds);
static void check_info(gs_dataset *ds);
static void check_episode(gs_task *t, gs_dataset *ds, int64_t i, uint64_t seed);
static void check_malformed(void);
static void check_pack(const gs_dataset_episode *ep, gs_dataset_episode *copy);
static void check_pack_compressed(const gs_dataset_episode *ep);
static int same_file(const char *a, const char *b);
static void check_writer_errors(gs_task *t);
static int copy_file(const char *from, const char *to, long bytes);
static void path_in_dir(char *out, size_t n, const char *name);
static void check_articulated(void);
static void check_lift(void);

int main(void) {
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    path_in_dir(good, sizeof good, "demos.h5");
    char err[1024];
    gs_task_options opt = gs_task_options_default();
    gs_task *t = NULL;
    CHECK(gs_task_load(TASK, &opt, &t, err, sizeof err) == GS_OK);
    if (!t) {
        fprintf(stderr, "%s\n", err);
        return CHECK_DONE();
    }
    uint64_t seeds[NEPISODES];
    record_file(t, seeds);

    gs_dataset *ds = NULL;
    CHECK(gs_dataset_open(good, &ds, err, sizeof err) == GS_OK);
    if (ds) {
        check_info(ds);
        for (int64_t i = 0; i < gs_dataset_episodes(ds) && i < NEPISODES; i++)
            check_episode(t, ds, i, seeds[i]);
        gs_dataset_episode ep = {0};
        CHECK(gs_dataset_read_episode(ds, NEPISODES, 0, &ep, err, sizeof err) == GS_ERR_USAGE);
        CHECK_STR_CONTAINS(err, "no episode 3");
        gs_dataset_episode_free(&ep);
        gs_dataset_close(ds);
    }
    check_writer_errors(t);
    check_malformed();
    gs_task_free(t);
    check_articulated();
    check_lift();

    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    return CHECK_DONE();
}

/* NEPISODES successful episodes into good, their seeds into seeds. */
static void record_file(gs_task *t, uint64_t *seeds) {
    char err[1024];
    gs_dataset_options opt = gs_dataset_options_default();
    gs_dataset_writer *w = NULL, *wb = NULL;
    char blocks[256];
    path_in_dir(blocks, sizeof blocks, "blocks.h5");
    CHECK(gs_dataset_create(good, &opt, &w, err, sizeof err) == GS_OK);
    CHECK(gs_dataset_create(blocks, &opt, &wb, err, sizeof err) == GS_OK);
    if (!w || !wb) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    gs_dataset_episode ep = {0}, copy = {0}, scratch = {0};
    const gsr_view view = gsr_view_default();
    int kept = 0;
    for (uint64_t seed = 100; kept < NEPISODES && seed < 130; seed++) {
        gs_status st = gs_episode_record(t, seed, gs_actor_oracle(), &view, &ep, err, sizeof err);
        CHECK(st == GS_OK);
        if (st != GS_OK) fprintf(stderr, "%s\n", err);
        if (st != GS_OK || !ep.success || ep.steps == 0) continue;
        /* what goes into the file is the episode after a trip through
         * bytes, as a worker's parent gets it: the file's checks check both */
        check_pack(&ep, &copy);
        check_pack_compressed(&ep);
        CHECK(gs_dataset_append(w, &copy, err, sizeof err) == GS_OK);
        /* the same episode compressed as a worker does, its chunks copied in */
        char *block = NULL;
        size_t len = 0;
        CHECK(gs_dataset_episode_pack_compressed(&ep, opt.compression, &block, &len, err, sizeof err) == GS_OK);
        CHECK(block && gs_dataset_append_block(wb, block, len, &scratch, err, sizeof err) == GS_OK);
        free(block);
        seeds[kept++] = seed;
        CHECK(gs_dataset_writer_episodes(w) == kept);
    }
    CHECK(kept == NEPISODES);
    CHECK(gs_dataset_writer_close(w, err, sizeof err) == GS_OK);
    CHECK(gs_dataset_writer_close(wb, err, sizeof err) == GS_OK);
    /* HDF5's filters and the packer's compression give the same file */
    CHECK(same_file(good, blocks));
    gs_dataset_episode_free(&ep);
    gs_dataset_episode_free(&copy);
    gs_dataset_episode_free(&scratch);
}

/* The two files hold the same bytes. */
static int same_file(const char *a, const char *b) {
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = getc(fa), cb = getc(fb);
        same = ca == cb;
        if (ca == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

/* ep packed with its images compressed unpacks to the episode the raw
 * block holds; a torn block, and a chunk that does not inflate to its
 * size, are refused; a level outside 0..9 is a usage error. */
static void check_pack_compressed(const gs_dataset_episode *ep) {
    char err[1024], *raw = NULL, *z = NULL, *again = NULL;
    size_t rawlen = 0, zlen = 0, againlen = 0;
    gs_dataset_episode back = {0};
    CHECK(gs_dataset_episode_pack(ep, &raw, &rawlen, err, sizeof err) == GS_OK);
    CHECK(gs_dataset_episode_pack_compressed(ep, 3, &z, &zlen, err, sizeof err) == GS_OK);
    CHECK(z && zlen < rawlen / 4); /* the images dominate, and they compress */
    CHECK(gs_dataset_episode_unpack(&back, z, zlen, err, sizeof err) == GS_OK);
    CHECK(gs_dataset_episode_pack(&back, &again, &againlen, err, sizeof err) == GS_OK);
    CHECK(again && againlen == rawlen && memcmp(raw, again, rawlen) == 0);
    int torn_refused = 1;
    for (size_t cut = 0; z && cut < zlen; cut += 1 + cut / 5)
        torn_refused &= gs_dataset_episode_unpack(&back, z, cut, err, sizeof err) == GS_ERR_IO;
    CHECK(torn_refused);
    /* a byte inside the first chunk's deflate stream (past its length and
     * zlib header) flipped: refused by the inflating unpack */
    if (z && zlen > 200) {
        size_t at = 0;
        for (size_t i = 0; i + 2 < 200; i++) /* the zlib header of level 3: 0x78 0x5e */
            if ((unsigned char)z[i] == 0x78 && (unsigned char)z[i + 1] == 0x5e) {
                at = i;
                break;
            }
        CHECK(at > 0);
        z[at + 20] ^= 0x55;
        CHECK(gs_dataset_episode_unpack(&back, z, zlen, err, sizeof err) == GS_ERR_IO);
        CHECK_STR_CONTAINS(err, "inflate");
    }
    free(again);
    CHECK(gs_dataset_episode_pack_compressed(ep, 10, &again, &againlen, err, sizeof err) == GS_ERR_USAGE);
    gs_dataset_episode_free(&back);
    free(raw), free(z), free(again);
}

/* ep packed, unpacked into copy and packed again gives the same bytes; a
 * torn block and absurd counts (a compromised worker's) are refused. */
static void check_pack(const gs_dataset_episode *ep, gs_dataset_episode *copy) {
    char err[1024], *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    CHECK(gs_dataset_episode_pack(ep, &a, &alen, err, sizeof err) == GS_OK);
    CHECK(a && alen > 0 && gs_dataset_episode_unpack(copy, a, alen, err, sizeof err) == GS_OK);
    CHECK(gs_dataset_episode_pack(copy, &b, &blen, err, sizeof err) == GS_OK);
    CHECK(b && blen == alen && memcmp(a, b, alen) == 0);
    CHECK(copy->steps == ep->steps && copy->seed == ep->seed && strcmp(copy->task, ep->task) == 0);
    gs_dataset_episode scratch = {0};
    int torn_refused = 1;
    for (size_t cut = 0; a && cut < alen; cut += 1 + cut / 7)
        torn_refused &= gs_dataset_episode_unpack(&scratch, a, cut, err, sizeof err) == GS_ERR_IO;
    CHECK(torn_refused);
    /* every 4-byte word set to all ones in turn: refused, or read as some
     * episode, never a crash or a read outside the block (ASan) */
    int ends = 1;
    for (size_t at = 0; a && at + 4 <= alen && at < 4096; at += 4) {
        char saved[4];
        memcpy(saved, a + at, 4);
        memset(a + at, 0xff, 4);
        gs_status st = gs_dataset_episode_unpack(&scratch, a, alen, err, sizeof err);
        ends &= st == GS_OK || st == GS_ERR_IO;
        memcpy(a + at, saved, 4);
    }
    CHECK(ends);
    gs_dataset_episode_free(&scratch);
    free(a);
    free(b);
}

static void check_info(gs_dataset *ds) {
    const gs_dataset_info *in = gs_dataset_get_info(ds);
    CHECK(strcmp(in->format, GS_DATASET_FORMAT) == 0);
    CHECK(in->format_version == GS_DATASET_FORMAT_VERSION);
    CHECK(strcmp(in->gensim_version, GS_VERSION) == 0);
    CHECK(strcmp(in->split, "train") == 0);
    CHECK_NEAR(in->pixel_size, 0.003125, 1e-12);
    CHECK(in->rows == 320 && in->cols == 160);
    CHECK_NEAR(in->bounds[0][0], 0.25, 1e-12);
    CHECK_NEAR(in->bounds[0][1], 0.75, 1e-12);
    CHECK_NEAR(in->bounds[1][0], -0.5, 1e-12);
    CHECK_NEAR(in->bounds[1][1], 0.5, 1e-12);
    CHECK_NEAR(in->bounds[2][0], 0.0, 1e-12);
    CHECK_NEAR(in->bounds[2][1], 0.3, 1e-12);
    CHECK(in->episodes == NEPISODES);
    CHECK(gs_dataset_episodes(ds) == NEPISODES);
}

/* Episode i read back: shapes, what the pixels show at the actions, and the
 * same episode recorded again from its seed, bit for bit. */
static void check_episode(gs_task *t, gs_dataset *ds, int64_t i, uint64_t seed) {
    char err[1024];
    gs_dataset_episode ep = {0}, again = {0};
    gs_status st = gs_dataset_read_episode(ds, i, GS_DATASET_OBSERVATIONS, &ep, err, sizeof err);
    CHECK(st == GS_OK);
    if (st != GS_OK) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    const int T = ep.steps, rows = ep.rows, cols = ep.cols, n = ep.nobjects;
    const size_t rc = (size_t)rows * (size_t)cols;
    CHECK(strcmp(ep.task, "place-red-in-green") == 0);
    CHECK_STR_CONTAINS(ep.description, "red block");
    /* the code it came from, by content */
    char *prov = gs_task_provenance_json(t);
    CHECK(prov && ep.provenance && strcmp(ep.provenance, prov) == 0);
    CHECK(ep.provenance && strstr(ep.provenance, "\"file\":\"tasks/seed/place-red-in-green.lua\",\"sha256\":\""));
    free(prov);
    CHECK(ep.seed == seed);
    CHECK(ep.success == 1);
    CHECK(ep.total_reward >= 1 - 1e-6);
    CHECK(T >= 1 && T <= 10);
    CHECK(rows == 320 && cols == 160);
    CHECK(n >= 2);
    CHECK(ep.heightmap && ep.color && ep.segmentation);

    double sum = 0;
    for (int k = 0; k < T; k++) sum += ep.reward[k];
    CHECK_NEAR(sum, ep.total_reward, 1e-9);
    /* this oracle moves at the robot's hover (the rope's, in
       check_lift, drags low) */
    for (int k = 0; k < T; k++) CHECK(ep.lift[k] == 0);

    /* Heights: metres above the table, inside the workspace's z range, 0 on
     * the bare table and above it under objects. */
    float hmax = 0, hmin = 1;
    int table_flat = 1;
    for (size_t p = 0; p < (size_t)(T + 1) * rc; p++) {
        float h = ep.heightmap[p];
        if (h > hmax) hmax = h;
        if (h < hmin) hmin = h;
        if (ep.segmentation[p] == 0 && h != 0) table_flat = 0;
        if (ep.segmentation[p] < 0 || ep.segmentation[p] > n) table_flat = 0;
    }
    CHECK(hmin >= 0);
    CHECK(hmax > 0.01 && hmax < 0.3);
    CHECK(table_flat);

    const gsr_view view = gsr_view_default();
    for (int k = 0; k < T; k++) {
        const double *pick = ep.pick_pose + 7 * k, *place = ep.place_pose + 7 * k;
        CHECK(ep.primitive[k] == GS_DATASET_PICK_PLACE);
        CHECK(strcmp(ep.lang[k], LANG) == 0);
        CHECK_NEAR(pick[3] * pick[3] + pick[4] * pick[4] + pick[5] * pick[5] + pick[6] * pick[6], 1, 1e-9);
        CHECK_NEAR(place[3] * place[3] + place[4] * place[4] + place[5] * place[5] + place[6] * place[6], 1, 1e-9);
        int col, row;
        CHECK(gsr_world_to_pixel(&view, pick[0], pick[1], &col, &row));
        CHECK(ep.pick_pixel[2 * k] == row && ep.pick_pixel[2 * k + 1] == col);
        CHECK(gsr_world_to_pixel(&view, place[0], place[1], &col, &row));
        CHECK(ep.place_pixel[2 * k] == row && ep.place_pixel[2 * k + 1] == col);

        /* What observation k shows at the pick pixel: a red block, the one
         * at the pick pose, as tall as the pick is high. */
        size_t at = (size_t)k * rc + (size_t)ep.pick_pixel[2 * k] * (size_t)cols + (size_t)ep.pick_pixel[2 * k + 1];
        int32_t id = ep.segmentation[at];
        CHECK(id >= 1 && id <= n);
        if (id < 1 || id > n) continue;
        const gs_asset_kind *kind = gs_asset_find(ep.object_kind[id - 1]);
        CHECK(kind && kind->role == GS_ROLE_MOVABLE);
        CHECK(strcmp(ep.object_color[id - 1], "red") == 0);
        const double *obj = ep.object_pose + ((size_t)k * (size_t)n + (size_t)(id - 1)) * 7;
        CHECK(hypot(obj[0] - pick[0], obj[1] - pick[1]) < 0.03);
        CHECK(ep.heightmap[at] > 0.02);
        CHECK_NEAR(ep.heightmap[at], pick[2], 0.005);
        const uint8_t *rgb = ep.color + 3 * at;
        CHECK(rgb[0] > rgb[1] + 40 && rgb[0] > rgb[2] + 40);
    }

    /* One observation alone, as a trainer samples them. */
    float *h = malloc(rc * sizeof *h);
    uint8_t *rgb = malloc(rc * 3);
    int32_t *seg = malloc(rc * sizeof *seg);
    if (h && rgb && seg) {
        CHECK(gs_dataset_read_observation(ds, i, T, h, rgb, seg, err, sizeof err) == GS_OK);
        CHECK(memcmp(h, ep.heightmap + (size_t)T * rc, rc * sizeof *h) == 0);
        CHECK(memcmp(rgb, ep.color + (size_t)T * rc * 3, rc * 3) == 0);
        CHECK(memcmp(seg, ep.segmentation + (size_t)T * rc, rc * sizeof *seg) == 0);
        CHECK(gs_dataset_read_observation(ds, i, 0, NULL, rgb, NULL, err, sizeof err) == GS_OK);
        CHECK(memcmp(rgb, ep.color, rc * 3) == 0);
        CHECK(gs_dataset_read_observation(ds, i, T + 1, h, NULL, NULL, err, sizeof err) == GS_ERR_USAGE);
        CHECK_STR_CONTAINS(err, "observations 0..");
    }
    free(h), free(rgb), free(seg);

    /* The same seed again gives the same episode, bit for bit. */
    CHECK(gs_episode_record(t, seed, gs_actor_oracle(), &view, &again, err, sizeof err) == GS_OK);
    CHECK(again.steps == T && again.nobjects == n);
    if (again.steps == T && again.nobjects == n) {
        CHECK(memcmp(again.heightmap, ep.heightmap, (size_t)(T + 1) * rc * sizeof(float)) == 0);
        CHECK(memcmp(again.color, ep.color, (size_t)(T + 1) * rc * 3) == 0);
        CHECK(memcmp(again.segmentation, ep.segmentation, (size_t)(T + 1) * rc * sizeof(int32_t)) == 0);
        CHECK(memcmp(again.pick_pose, ep.pick_pose, (size_t)T * 7 * sizeof(double)) == 0);
        CHECK(memcmp(again.place_pose, ep.place_pose, (size_t)T * 7 * sizeof(double)) == 0);
        CHECK(memcmp(again.reward, ep.reward, (size_t)T * sizeof(double)) == 0);
        CHECK(memcmp(again.lift, ep.lift, (size_t)T * sizeof(double)) == 0);
        CHECK(memcmp(again.object_pose, ep.object_pose, (size_t)(T + 1) * (size_t)n * 7 * sizeof(double)) == 0);
        CHECK(again.initial_reward == ep.initial_reward && again.total_reward == ep.total_reward);
    }

    /* Metadata and actions only: the images are dropped, the rest reused. */
    CHECK(gs_dataset_read_episode(ds, i, 0, &ep, err, sizeof err) == GS_OK);
    CHECK(!ep.heightmap && !ep.color && !ep.segmentation);
    CHECK(ep.steps == T && ep.nobjects == n && strcmp(ep.lang[0], LANG) == 0);
    CHECK(memcmp(again.pick_pose, ep.pick_pose, (size_t)T * 7 * sizeof(double)) == 0);
    CHECK(gs_dataset_read_episode(ds, i, GS_DATASET_COLOR, &ep, err, sizeof err) == GS_OK);
    CHECK(!ep.heightmap && ep.color && !ep.segmentation);
    gs_dataset_episode_free(&again);
    gs_dataset_episode_free(&ep);
}

static void check_writer_errors(gs_task *t) {
    char err[1024];
    gs_dataset_options opt = gs_dataset_options_default();
    gs_dataset_writer *w = NULL;
    /* An existing file is never replaced unless asked. */
    CHECK(gs_dataset_create(good, &opt, &w, err, sizeof err) == GS_ERR_IO);
    CHECK_STR_CONTAINS(err, "already exists");
    CHECK(w == NULL);
    opt.compression = 12;
    char path[256];
    path_in_dir(path, sizeof path, "coarse.h5");
    CHECK(gs_dataset_create(path, &opt, &w, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "compression");

    /* Episodes must match the file's view. */
    opt = gs_dataset_options_default();
    opt.view.pixel = 0.00625;
    opt.split = "test";
    CHECK(gs_dataset_create(path, &opt, &w, err, sizeof err) == GS_OK);
    gs_dataset_episode ep = {0};
    const gsr_view view = gsr_view_default();
    CHECK(gs_episode_record(t, 7, gs_actor_oracle(), &view, &ep, err, sizeof err) == GS_OK);
    CHECK(gs_dataset_append(w, &ep, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "images are 320 x 160, the file's are 160 x 80");
    CHECK(gs_dataset_writer_close(w, err, sizeof err) == GS_OK);
    gs_dataset_episode_free(&ep);
    gs_dataset *ds = NULL;
    CHECK(gs_dataset_open(path, &ds, err, sizeof err) == GS_OK);
    if (ds) {
        CHECK(gs_dataset_episodes(ds) == 0);
        CHECK(gs_dataset_get_info(ds)->rows == 160 && gs_dataset_get_info(ds)->cols == 80);
        CHECK(strcmp(gs_dataset_get_info(ds)->split, "test") == 0);
        gs_dataset_close(ds);
    }
}

/* ---- broken files ---- */

/* A copy of the good file changed by edit (raw HDF5); NULL edit: no change. */
typedef void (*edit_fn)(hid_t file);

static void make_copy(const char *path, edit_fn edit) {
    CHECK(copy_file(good, path, -1) == 0);
    if (!edit) return;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    CHECK(f >= 0);
    if (f < 0) return;
    edit(f);
    CHECK(H5Fclose(f) >= 0);
}

static void drop_color(hid_t f) { CHECK(H5Ldelete(f, "/episodes/000001/color", H5P_DEFAULT) >= 0); }
static void drop_pixel_size(hid_t f) { CHECK(H5Adelete(f, "pixel_size") >= 0); }
static void skip_number(hid_t f) {
    CHECK(H5Lmove(f, "/episodes/000001", f, "/episodes/000007", H5P_DEFAULT, H5P_DEFAULT) >= 0);
}

static void write_attr(hid_t f, const char *name, hid_t type, const void *value) {
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    CHECK(a >= 0 && H5Awrite(a, type, value) >= 0);
    if (a >= 0) H5Aclose(a);
}
static void small_image(hid_t f) {
    int32_t size[2] = {100, 160};
    write_attr(f, "image_size", H5T_NATIVE_INT32, size);
}
static void coarse_pixels(hid_t f) {
    double pixel = 0.005;
    write_attr(f, "pixel_size", H5T_NATIVE_DOUBLE, &pixel);
}
static void other_format(hid_t f) {
    CHECK(H5Adelete(f, "format") >= 0);
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR);
    H5Tset_size(type, 5);
    hid_t a = H5Acreate2(f, "format", type, space, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(a >= 0 && H5Awrite(a, type, "other") >= 0);
    H5Aclose(a), H5Sclose(space), H5Tclose(type);
}
static void narrow_pick_pose(hid_t f) {
    CHECK(H5Ldelete(f, "/episodes/000000/pick_pose", H5P_DEFAULT) >= 0);
    hsize_t dims[2] = {1, 6};
    hid_t space = H5Screate_simple(2, dims, NULL);
    hid_t d = H5Dcreate2(f, "/episodes/000000/pick_pose", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(d >= 0);
    H5Dclose(d), H5Sclose(space);
}
static void drop_lift(hid_t f) { CHECK(H5Ldelete(f, "/episodes/000001/lift", H5P_DEFAULT) >= 0); }
static void string_lift(hid_t f) {
    CHECK(H5Ldelete(f, "/episodes/000000/lift", H5P_DEFAULT) >= 0);
    hsize_t dims[1] = {1};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t d = H5Dcreate2(f, "/episodes/000000/lift", H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(d >= 0);
    H5Dclose(d), H5Sclose(space);
}
static void wild_pixel(hid_t f) {
    hid_t d = H5Dopen2(f, "/episodes/000002/pick_pixel", H5P_DEFAULT);
    hid_t space = H5Dget_space(d);
    hsize_t start[2] = {0, 0}, count[2] = {1, 2};
    int32_t px[2] = {500, 3};
    hid_t mem = H5Screate_simple(2, count, NULL);
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
    CHECK(H5Dwrite(d, H5T_NATIVE_INT32, mem, space, H5P_DEFAULT, px) >= 0);
    H5Sclose(mem), H5Sclose(space), H5Dclose(d);
}

/* Opens path and reads every episode; returns the first failure's status
 * with its message in err. */
static gs_status open_and_read_all(const char *path, char *err, size_t errlen) {
    gs_dataset *ds = NULL;
    gs_status st = gs_dataset_open(path, &ds, err, errlen);
    if (st != GS_OK) return st;
    gs_dataset_episode ep = {0};
    for (int64_t i = 0; st == GS_OK && i < gs_dataset_episodes(ds); i++)
        st = gs_dataset_read_episode(ds, i, GS_DATASET_OBSERVATIONS, &ep, err, errlen);
    gs_dataset_episode_free(&ep);
    gs_dataset_close(ds);
    return st;
}

static void check_malformed(void) {
    char err[1024], path[256];
    gs_dataset *ds = NULL;

    path_in_dir(path, sizeof path, "missing.h5");
    CHECK(gs_dataset_open(path, &ds, err, sizeof err) == GS_ERR_IO && !ds);
    CHECK_STR_CONTAINS(err, "missing.h5");

    path_in_dir(path, sizeof path, "text.h5");
    FILE *f = fopen(path, "w");
    if (f) fputs("not an HDF5 file at all\n", f), fclose(f);
    CHECK(gs_dataset_open(path, &ds, err, sizeof err) == GS_ERR_IO && !ds);
    CHECK_STR_CONTAINS(err, "is not a readable HDF5 file");

    /* Truncated anywhere: refused at open (HDF5 checks the end of file). */
    long sizes[] = {0, 100, 2048, -2, -3};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        path_in_dir(path, sizeof path, "truncated.h5");
        FILE *g = fopen(good, "rb");
        long total = 0;
        if (g) fseek(g, 0, SEEK_END), total = ftell(g), fclose(g);
        long keep = sizes[k] >= 0 ? sizes[k] : total * (-sizes[k] - 1) / -sizes[k];
        CHECK(copy_file(good, path, keep) == 0);
        err[0] = 0;
        CHECK(open_and_read_all(path, err, sizeof err) == GS_ERR_IO);
        CHECK_STR_CONTAINS(err, "truncated.h5");
    }

    /* Bytes overwritten in the middle (compressed image chunks, mostly):
     * whatever happens, an error message and no crash. */
    path_in_dir(path, sizeof path, "corrupt.h5");
    CHECK(copy_file(good, path, -1) == 0);
    f = fopen(path, "r+b");
    if (f) {
        fseek(f, 0, SEEK_END);
        long total = ftell(f);
        unsigned char junk[512];
        memset(junk, 0xA5, sizeof junk);
        for (int k = 1; k < 8; k++) {
            fseek(f, total * k / 8, SEEK_SET);
            fwrite(junk, 1, sizeof junk, f);
        }
        fclose(f);
    }
    err[0] = 0;
    if (open_and_read_all(path, err, sizeof err) != GS_OK) CHECK_STR_CONTAINS(err, "corrupt.h5");

    /* A missing dataset: the other episodes still read. */
    path_in_dir(path, sizeof path, "nocolor.h5");
    make_copy(path, drop_color);
    CHECK(gs_dataset_open(path, &ds, err, sizeof err) == GS_OK);
    if (ds) {
        gs_dataset_episode ep = {0};
        CHECK(gs_dataset_read_episode(ds, 0, GS_DATASET_OBSERVATIONS, &ep, err, sizeof err) == GS_OK);
        CHECK(gs_dataset_read_episode(ds, 1, 0, &ep, err, sizeof err) == GS_ERR_IO);
        CHECK_STR_CONTAINS(err, "episode 000001: missing dataset 'color'");
        CHECK(gs_dataset_read_observation(ds, 1, 0, NULL, NULL, NULL, err, sizeof err) == GS_ERR_IO);
        CHECK_STR_CONTAINS(err, "missing dataset 'color'");
        CHECK(gs_dataset_read_episode(ds, 2, GS_DATASET_OBSERVATIONS, &ep, err, sizeof err) == GS_OK);
        gs_dataset_episode_free(&ep);
        gs_dataset_close(ds);
    }

    /* An episode recorded before lifts were kept: it reads, at the hover. */
    path_in_dir(path, sizeof path, "nolift.h5");
    make_copy(path, drop_lift);
    CHECK(gs_dataset_open(path, &ds, err, sizeof err) == GS_OK);
    if (ds) {
        gs_dataset_episode ep = {0};
        CHECK(gs_dataset_read_episode(ds, 1, 0, &ep, err, sizeof err) == GS_OK);
        ep.lift[0] = 1; /* a buffer reused from another read is cleared */
        CHECK(gs_dataset_read_episode(ds, 1, 0, &ep, err, sizeof err) == GS_OK);
        for (int k = 0; k < ep.steps; k++) CHECK(ep.lift[k] == 0);
        gs_dataset_episode_free(&ep);
        gs_dataset_close(ds);
    }

    static const struct {
        const char *file;
        edit_fn edit;
        const char *expect;
    } CASES[] = {
        {"intlift.h5", string_lift, "episode 000000: dataset 'lift' holds integers, expected floats"},
        {"nopixel.h5", drop_pixel_size, "missing attribute 'pixel_size'"},
        {"small.h5", small_image, "attribute 'image_size' is (100, 160) but bounds and pixel_size 0.003125 give (320, 160)"},
        {"coarse.h5", coarse_pixels, "attribute 'image_size' is (320, 160) but bounds and pixel_size 0.005 give (200, 100)"},
        {"format.h5", other_format, "attribute 'format' is 'other', not 'gensim-demos'"},
        {"gap.h5", skip_number, "no 'episodes/000001'"},
        {"narrow.h5", narrow_pick_pose, "episode 000000: dataset 'pick_pose' has shape (1 x 6), expected ("},
        {"wild.h5", wild_pixel, "episode 000002: pick_pixel[0] = (500, 3) is outside the 320 x 160 image"},
    };
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        path_in_dir(path, sizeof path, CASES[k].file);
        make_copy(path, CASES[k].edit);
        err[0] = 0;
        CHECK(open_and_read_all(path, err, sizeof err) == GS_ERR_IO);
        CHECK_STR_CONTAINS(err, CASES[k].expect);
        CHECK_STR_CONTAINS(err, CASES[k].file);
    }
}

/* ---- helpers ---- */

/* Copies the first bytes of from (all when bytes < 0) to to. */
static int copy_file(const char *from, const char *to, long bytes) {
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    int rc = in && out ? 0 : -1;
    char buf[65536];
    long left = bytes;
    while (rc == 0 && (bytes < 0 || left > 0)) {
        size_t want = bytes < 0 || left > (long)sizeof buf ? sizeof buf : (size_t)left;
        size_t got = fread(buf, 1, want, in);
        if (got == 0) break;
        if (fwrite(buf, 1, got, out) != got) rc = -1;
        left -= (long)got;
    }
    if (in) fclose(in);
    if (out && fclose(out) != 0) rc = -1;
    return rc;
}

static void path_in_dir(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

/* ep through bytes into copy (check_pack), copy into a new file at path,
 * and its one episode read back into back. */
static void through_file(const gs_dataset_episode *ep, gs_dataset_episode *copy, const char *path,
                         gs_dataset_episode *back) {
    char err[1024];
    check_pack(ep, copy);
    gs_dataset_options o = gs_dataset_options_default();
    gs_dataset_writer *w = NULL;
    CHECK(gs_dataset_create(path, &o, &w, err, sizeof err) == GS_OK);
    CHECK(w && gs_dataset_append(w, copy, err, sizeof err) == GS_OK);
    CHECK(gs_dataset_writer_close(w, err, sizeof err) == GS_OK);
    gs_dataset *ds = NULL;
    CHECK(gs_dataset_open(path, &ds, err, sizeof err) == GS_OK);
    CHECK(ds && gs_dataset_read_episode(ds, 0, 0, back, err, sizeof err) == GS_OK);
    if (ds) gs_dataset_close(ds);
}

/* The rope's oracle drags each bead 5 mm above the table, not at the
 * robot's hover: every move's lift is kept, through bytes and a file. */
static void check_lift(void) {
    char err[1024], path[256];
    gs_task_options opt = gs_task_options_default();
    gs_task *t = NULL;
    CHECK(gs_task_load("tasks/seed/manipulating-rope.lua", &opt, &t, err, sizeof err) == GS_OK);
    if (!t) return;
    gs_dataset_episode ep = {0}, copy = {0}, back = {0};
    const gsr_view view = gsr_view_default();
    CHECK(gs_episode_record(t, 0, gs_actor_oracle(), &view, &ep, err, sizeof err) == GS_OK);
    CHECK(ep.steps > 0);
    for (int k = 0; k < ep.steps; k++) CHECK(ep.primitive[k] == GS_DATASET_PICK_PLACE && ep.lift[k] == 0.005);
    path_in_dir(path, sizeof path, "rope.h5");
    through_file(&ep, &copy, path, &back);
    CHECK(copy.steps == ep.steps && memcmp(copy.lift, ep.lift, (size_t)ep.steps * sizeof(double)) == 0);
    CHECK(back.steps == ep.steps && memcmp(back.lift, ep.lift, (size_t)ep.steps * sizeof(double)) == 0);
    gs_dataset_episode_free(&ep);
    gs_dataset_episode_free(&copy);
    gs_dataset_episode_free(&back);
    gs_task_free(t);
}

/* An episode with a drawer: its joint with every observation, the drags
 * as primitive 2, through bytes and a file and back; the same file made a
 * version 1 file (no joint datasets) still reads, with no joints. */
static void check_articulated(void) {
    char err[1024], path[256];
    gs_task_options opt = gs_task_options_default();
    gs_task *t = NULL;
    CHECK(gs_task_load("tasks/seed/put-block-in-drawer.lua", &opt, &t, err, sizeof err) == GS_OK);
    if (!t) return;
    gs_dataset_episode ep = {0}, copy = {0}, back = {0};
    const gsr_view view = gsr_view_default();
    CHECK(gs_episode_record(t, 3, gs_actor_oracle(), &view, &ep, err, sizeof err) == GS_OK);
    CHECK(ep.success && ep.steps == 3 && ep.njoints == 1);
    path_in_dir(path, sizeof path, "drawer.h5");
    through_file(&ep, &copy, path, &back);
    CHECK(copy.njoints == 1 && strcmp(copy.joint_name[0], "drawer") == 0);
    CHECK(back.njoints == 1 && back.joint_object[0] == 0 && strcmp(back.joint_name[0], "drawer") == 0);
    CHECK(back.primitive[0] == GS_DATASET_DRAG && back.primitive[1] == GS_DATASET_PICK_PLACE &&
          back.primitive[2] == GS_DATASET_DRAG);
    CHECK_NEAR(back.joint_fraction[0], 0, 0.01);       /* shut at reset */
    CHECK_NEAR(back.joint_fraction[1], 0.9, 0.05);     /* open after the first drag */
    CHECK_NEAR(back.joint_fraction[3], 0, 0.05);       /* shut at the end */
    CHECK(back.joint_position[1] > 0.05);              /* metres out */
    /* a drag's poses: from the handle to where the target puts it, 0.9 of the travel apart */
    double dx = back.place_pose[0] - back.pick_pose[0], dy = back.place_pose[1] - back.pick_pose[1];
    CHECK(hypot(dx, dy) > 0.05);
    /* the same file as version 1 wrote it */
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    const char *sets[] = {"joint_name", "joint_object", "joint_position", "joint_fraction"};
    for (int i = 0; i < 4; i++) {
        char name[64];
        snprintf(name, sizeof name, "episodes/000000/%s", sets[i]);
        CHECK(H5Ldelete(f, name, H5P_DEFAULT) >= 0);
    }
    int32_t one = 1;
    hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
    CHECK(H5Awrite(a, H5T_NATIVE_INT32, &one) >= 0);
    H5Aclose(a);
    H5Fclose(f);
    gs_dataset *ds = NULL;
    CHECK(gs_dataset_open(path, &ds, err, sizeof err) == GS_OK);
    CHECK(ds && gs_dataset_get_info(ds)->format_version == 1);
    CHECK(ds && gs_dataset_read_episode(ds, 0, 0, &back, err, sizeof err) == GS_OK);
    CHECK(back.njoints == 0 && back.steps == 3);
    if (ds) gs_dataset_close(ds);
    gs_dataset_episode_free(&ep);
    gs_dataset_episode_free(&copy);
    gs_dataset_episode_free(&back);
    gs_task_free(t);
}
