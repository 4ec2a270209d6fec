/* test_io.c: whole-file reads, atomic writes, PNG round trips, mkdir -p.
 * Everything happens under a fresh folder in $TMPDIR (or /tmp), removed at
 * the end. */
#include <dirent.h>
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "scratch.h"
#include "gensim/io.h"


static void remove_tree(const char *path);

static void test_write_read(void) {
    char err[512];
    const char *path = in_root("data.bin");
    unsigned char data[3000];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 7 + (i >> 8));
    data[10] = 0; /* binary: a NUL in the middle must survive */
    CHECK(gs_write_file_atomic(path, data, sizeof data, err, sizeof err) == GS_OK);
    char *back = NULL;
    size_t len = 0;
    CHECK(gs_read_file(path, 1 << 20, &back, &len, err, sizeof err) == GS_OK);
    CHECK(len == sizeof data);
    CHECK(back && memcmp(back, data, sizeof data) == 0);
    CHECK(back && back[len] == '\0');
    free(back);

    /* Overwriting replaces the whole file and leaves no temporary behind. */
    CHECK(gs_write_file_atomic(path, "short", 5, err, sizeof err) == GS_OK);
    CHECK(gs_read_file(path, 100, &back, NULL, err, sizeof err) == GS_OK);
    CHECK(back && strcmp(back, "short") == 0);
    free(back);
    CHECK(count_entries(root) == 1);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);

    /* Empty files are files. */
    CHECK(gs_write_file_atomic(path, NULL, 0, err, sizeof err) == GS_OK);
    CHECK(gs_read_file(path, 0, &back, &len, err, sizeof err) == GS_OK);
    CHECK(len == 0 && back && back[0] == '\0');
    free(back);
    unlink(path);
}

static void test_read_errors(void) {
    char err[512] = "";
    char *out = (char *)1;
    size_t len = 99;
    const char *missing = in_root("no-such-file.lua");
    CHECK(gs_read_file(missing, 1000, &out, &len, err, sizeof err) == GS_ERR_IO);
    CHECK_STR_CONTAINS(err, missing);
    CHECK(out == NULL && len == 0);

    /* Over the limit: refused, whatever the size the file claims. */
    const char *big = in_root("big.txt");
    CHECK(gs_write_file_atomic(big, "0123456789", 10, err, sizeof err) == GS_OK);
    out = (char *)1;
    CHECK(gs_read_file(big, 9, &out, &len, err, sizeof err) == GS_ERR_LIMIT);
    CHECK(out == NULL);
    CHECK_STR_CONTAINS(err, big);
    CHECK(gs_read_file(big, 10, &out, &len, err, sizeof err) == GS_OK);
    CHECK(len == 10);
    free(out);
    unlink(big);

    /* A stream with no size up front is held to the limit while reading. */
    if (access("/proc/self/status", R_OK) == 0) {
        CHECK(gs_read_file("/proc/self/status", 1 << 20, &out, &len, err, sizeof err) == GS_OK);
        CHECK(len > 0 && out && strstr(out, "Name:"));
        free(out);
        CHECK(gs_read_file("/proc/self/status", 16, &out, &len, err, sizeof err) ==
              GS_ERR_LIMIT);
        CHECK(out == NULL);
    }

    CHECK(gs_read_file(root, 1000, &out, &len, err, sizeof err) == GS_ERR_IO);
    CHECK(gs_read_file(NULL, 1000, &out, &len, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_read_file(missing, 1000, &out, NULL, NULL, 0) == GS_ERR_IO);

    /* A write into a missing folder fails, names the path, leaves nothing. */
    const char *nowhere = in_root("missing/dir/file.txt");
    CHECK(gs_write_file_atomic(nowhere, "x", 1, err, sizeof err) == GS_ERR_IO);
    CHECK_STR_CONTAINS(err, nowhere);
    CHECK(gs_write_file_atomic(in_root(""), "x", 1, err, sizeof err) == GS_ERR_USAGE);
    CHECK(count_entries(root) == 0);

    /* The rename onto a folder fails after the temporary exists: it goes. */
    const char *folder = in_root("folder");
    CHECK(mkdir(folder, 0755) == 0);
    CHECK(gs_write_file_atomic(folder, "x", 1, err, sizeof err) == GS_ERR_IO);
    CHECK_STR_CONTAINS(err, folder);
    CHECK(count_entries(root) == 1);
    rmdir(folder);
}

static void test_png(void) {
    char err[512];
    const int w = 37, h = 23;
    uint8_t *rgb = malloc((size_t)w * h * 3);
    for (int i = 0; i < w * h * 3; i++) rgb[i] = (uint8_t)(i * 31 + i / 7);
    const char *path = in_root("image.png");
    CHECK(gs_write_png(path, rgb, w, h, err, sizeof err) == GS_OK);

    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    int opened = png_image_begin_read_from_file(&image, path);
    CHECK(opened);
    if (opened) {
        CHECK(image.width == (png_uint_32)w && image.height == (png_uint_32)h);
        image.format = PNG_FORMAT_RGB;
        uint8_t *back = malloc(PNG_IMAGE_SIZE(image));
        CHECK(png_image_finish_read(&image, NULL, back, 0, NULL));
        CHECK(memcmp(back, rgb, (size_t)w * h * 3) == 0);
        free(back);
        png_image_free(&image);
    }
    /* The file is a PNG from its first bytes, and nothing else is left. */
    char *bytes = NULL;
    size_t len = 0;
    CHECK(gs_read_file(path, 1 << 20, &bytes, &len, err, sizeof err) == GS_OK);
    CHECK(len > 8 && bytes && memcmp(bytes, "\x89PNG\r\n\x1a\n", 8) == 0);
    free(bytes);
    CHECK(count_entries(root) == 1);
    unlink(path);

    CHECK(gs_write_png(path, rgb, 0, h, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_write_png(path, NULL, w, h, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_write_png(in_root("nope/x.png"), rgb, w, h, err, sizeof err) == GS_ERR_IO);
    CHECK(count_entries(root) == 0);
    free(rgb);
}

static void test_make_dirs(void) {
    char err[512];
    char nested[600];
    snprintf(nested, sizeof nested, "%s/a/b//c/", root);
    CHECK(gs_make_dirs(nested, err, sizeof err) == GS_OK);
    struct stat st;
    CHECK(stat(in_root("a/b/c"), &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(gs_make_dirs(in_root("a/b/c"), err, sizeof err) == GS_OK); /* again: fine */
    CHECK(gs_write_file_atomic(in_root("a/file"), "x", 1, err, sizeof err) == GS_OK);
    CHECK(gs_make_dirs(in_root("a/file/d"), err, sizeof err) == GS_ERR_IO);
    CHECK_STR_CONTAINS(err, in_root("a/file"));
    CHECK(gs_make_dirs("", err, sizeof err) == GS_ERR_USAGE);
    remove_tree(in_root("a"));
    CHECK(count_entries(root) == 0);
}


/* ---- scene files: URDF and OBJ ---- */

#define URDF_DIR "tests/fixtures/urdf"

/* A good file: links merged through fixed joints, the joint's limits,
 * dynamics and axis, a handle from the part named so, a mesh part, the
 * base standing on the table. */
static void test_urdf_good(void) {
    gs_model m;
    char err[512] = "", *text;
    size_t len;
    CHECK(gs_read_file(URDF_DIR "/good.urdf", 1 << 20, &text, &len, err, sizeof err) == GS_OK);
    gs_status st = gs_urdf_parse("good.urdf", text, len, URDF_DIR, "tests/fixtures", 2.0, &m, err, sizeof err);
    CHECK(st == GS_OK);
    if (st != GS_OK) {
        fprintf(stderr, "good.urdf: %s\n", err);
        free(text);
        return;
    }
    CHECK(m.nlinks == 2);
    CHECK(strcmp(m.links[0].name, "base") == 0 && m.links[0].nshapes == 2); /* the post merged in */
    const gs_model_link *flap = &m.links[1];
    CHECK(strcmp(flap->joint, "hinge") == 0 && flap->type == GS_JOINT_REVOLUTE);
    CHECK_NEAR(flap->lower, -0.5, 1e-12);
    CHECK_NEAR(flap->axis[2], 1, 1e-12); /* normalised */
    CHECK_NEAR(flap->friction, 0.2, 1e-12);
    CHECK(flap->nshapes == 2 && flap->shapes[1].type == GS_SHAPE_MESH && flap->meshes[1]);
    CHECK_NEAR(flap->shapes[1].size[0], 0.04, 1e-6); /* 4 cm x 0.5 x 2 */
    CHECK(flap->has_handle);
    CHECK_NEAR(flap->handle[0], 2 * (0.1 + 0.005), 1e-6); /* the mesh's middle, scaled by 2 */
    CHECK(m.links[0].has_inertial); /* the post's inertial merged with the base's parts */
    CHECK(m.links[0].has_color);
    /* scaled by 2: the flap's box is 0.2 long, its mass 8 times the density's */
    CHECK_NEAR(flap->shapes[0].size[0], 0.2, 1e-12);
    /* the whole stands on z = 0 */
    double lo = 1e9;
    for (int i = 0; i < m.links[0].nshapes; i++) {
        const gs_shape *sh = &m.links[0].shapes[i];
        lo = fmin(lo, sh->local.pos[2] - sh->size[2] / 2);
    }
    CHECK_NEAR(lo, 0, 1e-9);
    CHECK(gs_model_check(&m, err, sizeof err) == GS_OK);
    gs_model_free(&m);
    /* the same file twice gives the same model */
    gs_model a, b;
    gs_urdf_parse("good.urdf", text, len, URDF_DIR, "tests/fixtures", 1.0, &a, err, sizeof err);
    gs_urdf_parse("good.urdf", text, len, URDF_DIR, "tests/fixtures", 1.0, &b, err, sizeof err);
    CHECK(a.nlinks == b.nlinks);
    for (int i = 0; i < a.nlinks && i < b.nlinks; i++) {
        CHECK(memcmp(a.links[i].shapes, b.links[i].shapes, sizeof(gs_shape) * (size_t)a.links[i].nshapes) == 0);
        CHECK(memcmp(&a.links[i].inertial, &b.links[i].inertial, sizeof a.links[i].inertial) == 0);
        CHECK(a.links[i].mass == b.links[i].mass);
    }
    gs_model_free(&a);
    gs_model_free(&b);
    free(text);
}

/* Every bad fixture fails with "name:line: ..." and the words its first
 * line expects. */
static void test_urdf_bad(void) {
    char **files;
    int n = gs_list_files(URDF_DIR, ".urdf", &files, NULL, 0);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        const char *name = strrchr(files[i], '/') + 1;
        if (strcmp(name, "good.urdf") == 0) continue;
        char *text, err[512] = "", expect[200] = "";
        size_t len;
        if (gs_read_file(files[i], 1 << 20, &text, &len, err, sizeof err) != GS_OK) continue;
        sscanf(text, "<!-- expect: %199[^\n]", expect);
        char *end = strstr(expect, " -->");
        if (end) *end = 0;
        gs_model m;
        gs_status st = gs_urdf_parse(name, text, len, URDF_DIR, "tests/fixtures", 1.0, &m, err, sizeof err);
        CHECK(st == GS_ERR_IO);
        char prefix[128];
        snprintf(prefix, sizeof prefix, "%s:", name);
        int located = strncmp(err, prefix, strlen(prefix)) == 0 && err[strlen(prefix)] >= '1' && err[strlen(prefix)] <= '9';
        if (!located) { /* a mesh's problem names the mesh's file */
            const char *colon = strchr(err, ':');
            located = colon && colon[1] >= '1' && colon[1] <= '9';
        }
        CHECK(located);
        CHECK(expect[0] != 0);
        CHECK_STR_CONTAINS(err, expect);
        CHECK(m.nlinks == 0 && m.nmeshes == 0); /* nothing left to free */
        bad++;
        free(text);
    }
    gs_free_paths(files, n);
    CHECK(bad >= 18);
}

/* OBJ: groups as convex parts, faces of every corner form, and every bad
 * line named; a part too large for one hull. */
static void test_obj(void) {
    static const char cube[] = "# cube\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 0 0 1\nv 1 0 1\nv 1 1 1\nv 0 1 1\n"
                               "o one\nf 1 4 3 2\nf 5 6 7 8\nf 1/1 2/1 6/1 5/1\nf 2//1 3//1 7//1 6//1\nf -6 -5 -1 -2\n"
                               "f 4 1 5 8\ng two\nf 1 2 3\nf 1 3 5\nf 1 5 2\nf 2 5 3\n";
    gs_model m;
    gs_model_init(&m);
    gs_model_add_link(&m, "a", -1);
    char err[256] = "";
    CHECK(gs_obj_parse("cube.obj", cube, sizeof cube - 1, 0.1, NULL, &m, 0, err, sizeof err) == GS_OK);
    CHECK(m.links[0].nshapes == 2 && m.nmeshes == 2);
    CHECK_NEAR(m.links[0].shapes[0].size[0], 0.1, 1e-6);
    CHECK_NEAR(m.links[0].shapes[0].local.pos[0], 0.05, 1e-6); /* centred in its box */
    CHECK(m.links[0].meshes[0]->ntriangles == 12);
    gs_model_free(&m);
    static const struct {
        const char *text, *expect;
    } bad[] = {
        {"v 0 0 0\nvv 1 2 3\n", "x.obj:2: unknown statement 'vv'"},
        {"v 0 0 0\nf 1 2 3\n", "x.obj:2: a face corner must name a vertex"},
        {"v 0 0\n", "x.obj:1: a vertex needs three finite"},
        {"v 0 0 nan\n", "x.obj:1: a vertex needs three finite"},
        {"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n", "x.obj:4: a part needs faces over at least 4"},
        {"v 0 0 0\nv 1 0 0\nf 1 2\n", "x.obj:3: a face needs at least three corners"},
        {"# nothing\n", "x.obj:1: no faces"},
        {"v 0 0 0\n\0v", "x.obj:2: a NUL byte"},
        {"v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3 4\n", "x.obj:5: a part is flat"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gs_model_init(&m);
        gs_model_add_link(&m, "a", -1);
        size_t len = strlen(bad[i].text) + (strstr(bad[i].expect, "NUL") ? 2 : 0);
        CHECK(gs_obj_parse("x.obj", bad[i].text, len, 1, NULL, &m, 0, err, sizeof err) == GS_ERR_IO);
        CHECK_STR_CONTAINS(err, bad[i].expect);
        gs_model_free(&m);
    }
    /* one part of 5000 vertices is more than a hull may have */
    size_t cap = 5000 * 40 + 64, at = 0;
    char *big = malloc(cap);
    for (int i = 0; i < 5000; i++) at += (size_t)snprintf(big + at, cap - at, "v %d %d %d\n", i % 17, i % 19, i % 23);
    at += (size_t)snprintf(big + at, cap - at, "f");
    for (int i = 1; i <= 5000 && at + 16 < cap; i += 80) at += (size_t)snprintf(big + at, cap - at, " %d", i);
    gs_model_init(&m);
    gs_model_add_link(&m, "a", -1);
    gs_status st = gs_obj_parse("big.obj", big, at, 1, NULL, &m, 0, err, sizeof err);
    CHECK(st == GS_OK || st == GS_ERR_IO); /* 63 corners: a fine part */
    gs_model_free(&m);
    at = 0;
    for (int i = 0; i < 5000; i++) at += (size_t)snprintf(big + at, cap - at, "v %d %d %d\n", i % 17, i % 19, i % 23);
    for (int i = 1; i + 2 <= 5000; i += 3) at += (size_t)snprintf(big + at, cap - at, "f %d %d %d\n", i, i + 1, i + 2);
    gs_model_init(&m);
    gs_model_add_link(&m, "a", -1);
    CHECK(gs_obj_parse("big.obj", big, at, 1, NULL, &m, 0, err, sizeof err) == GS_ERR_IO);
    CHECK_STR_CONTAINS(err, "at most 4096 vertices");
    gs_model_free(&m);
    free(big);
}

/* Which names a task may give for a scene file. */
static void test_scene_file_names(void) {
    char why[512];
    CHECK(gs_scene_file_valid("scenes/microwave.urdf", why, sizeof why));
    CHECK(gs_scene_file_valid("kitchen/scenes/fridge.urdf", why, sizeof why));
    CHECK(!gs_scene_file_valid("/etc/passwd", why, sizeof why));
    CHECK_STR_CONTAINS(why, "absolute");
    CHECK(!gs_scene_file_valid("scenes/../etc/passwd", why, sizeof why));
    CHECK_STR_CONTAINS(why, "\"..\"");
    CHECK(!gs_scene_file_valid("tasks/seed/x.urdf", why, sizeof why));
    CHECK_STR_CONTAINS(why, "scenes/");
    CHECK(!gs_scene_file_valid("scenes//x.urdf", why, sizeof why));
    CHECK(!gs_scene_file_valid("scenes/x y.urdf", why, sizeof why));
    CHECK(!gs_scene_file_valid("", why, sizeof why));
    CHECK(!gs_scene_file_valid("scenes/", why, sizeof why));
    char path[4096], root[4096], err[512];
    CHECK(gs_scene_file_resolve("scenes/microwave.urdf", path, root, sizeof path, err, sizeof err) == GS_OK);
    CHECK_STR_CONTAINS(path, "/scenes/microwave.urdf");
    CHECK(gs_scene_file_resolve("scenes/nothing.urdf", path, root, sizeof path, err, sizeof err) == GS_ERR_IO);
    CHECK_STR_CONTAINS(err, "no scene file 'scenes/nothing.urdf'");
    /* every shipped object loads */
    const char *const shipped[] = {"scenes/microwave.urdf", "scenes/faucet.urdf", "scenes/chest.urdf",
                                   "scenes/laptop.urdf"};
    for (int i = 0; i < 4; i++) {
        gs_model m;
        gs_status st = gs_urdf_load(shipped[i], 1.0, &m, err, sizeof err);
        CHECK(st == GS_OK);
        if (st != GS_OK) fprintf(stderr, "%s: %s\n", shipped[i], err);
        else CHECK(m.nlinks >= 2);
        gs_model_free(&m);
    }
}

int main(void) {
    if (!scratch_init("io")) return 1;
    test_urdf_good();
    test_urdf_bad();
    test_obj();
    test_scene_file_names();
    test_write_read();
    test_read_errors();
    test_png();
    test_make_dirs();
    remove_tree(root);
    return CHECK_DONE();
}


static void remove_tree(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char child[1024];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        remove_tree(child);
    }
    closedir(d);
    rmdir(path);
}
