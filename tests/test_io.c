/* test_io.c: whole-file reads, atomic writes, PNG round trips, mkdir -p.
 * Everything happens under a fresh folder in $TMPDIR (or /tmp), removed at
 * the end. */
#include <dirent.h>
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

int main(void) {
    if (!scratch_init("io")) return 1;
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
