/* test_gif.c: animated GIF clips, read back with giflib's own decoder.
 * Everything happens under a fresh folder in $TMPDIR (or /tmp), removed at
 * the end. */
#include <dirent.h>
#include <gif_lib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "scratch.h"
#include "gensim/io.h"

enum { W = 64, H = 48 };

/* One cube step: the most a dithered channel may be off by. */
#define CUBE_STEP 51


/* A clip as a viewer shows it: every frame composited, (frames x H x W x 3). */
typedef struct clip {
    int width, height, frames;
    uint8_t *rgb;
    int delay[16];
    int rect[16][4]; /* left, top, width, height of what each frame stored */
} clip;

static int read_clip(const char *path, clip *c);
static void fill(uint8_t *rgb, int w, int h, const uint8_t color[3]);
static const uint8_t *pixel(const clip *c, int frame, int x, int y);
static double mean_channel(const clip *c, int frame, int x0, int y0, int x1, int y1, int ch);
static int max_error(const clip *c, int frame, int x0, int y0, int x1, int y1,
                     const uint8_t color[3]);

static void test_round_trip(void) {
    char err[512];
    const char *path = in_root("clip.gif");
    /* Off the cube's levels (0, 51, 102, ...) so both paths are exercised:
     * the first frame's colour becomes exact, the second is dithered. */
    const uint8_t sand[3] = {201, 183, 150}, teal[3] = {40, 150, 140}, red[3] = {230, 30, 25};
    uint8_t *rgb = malloc((size_t)W * H * 3);
    gs_gif *g = NULL;
    CHECK(gs_gif_open(&g, path, W, H, 4, err, sizeof err) == GS_OK);
    fill(rgb, W, H, sand);
    CHECK(gs_gif_add_frame(g, rgb, err, sizeof err) == GS_OK);
    fill(rgb, W, H, teal);
    CHECK(gs_gif_add_frame(g, rgb, err, sizeof err) == GS_OK);
    /* The same picture again only lengthens the frame before. */
    CHECK(gs_gif_add_frame(g, rgb, err, sizeof err) == GS_OK);
    CHECK(gs_gif_frames(g) == 2);
    /* A small red square: the last frame stores only around it. */
    for (int y = 20; y < 28; y++)
        for (int x = 30; x < 38; x++) memcpy(rgb + ((size_t)y * W + x) * 3, red, 3);
    CHECK(gs_gif_add_frame_for(g, rgb, 150, err, sizeof err) == GS_OK);
    CHECK(gs_gif_frames(g) == 3);
    CHECK(count_entries(root) == 0); /* nothing on disk before close */
    CHECK(gs_gif_close(g, err, sizeof err) == GS_OK);
    CHECK(count_entries(root) == 1); /* and no temporary left */

    clip c;
    CHECK(read_clip(path, &c));
    CHECK(c.width == W && c.height == H);
    CHECK(c.frames == 3);
    if (c.frames == 3) {
        CHECK(c.delay[0] == 4 && c.delay[1] == 8 && c.delay[2] == 150);
        /* Frame 0: the first frame's commonest colour is exact. */
        CHECK(max_error(&c, 0, 0, 0, W, H, sand) == 0);
        /* Frame 1: dithered, each pixel within a cube step, and over whole
         * 8 x 8 dither cells the mean is the colour. */
        CHECK(max_error(&c, 1, 0, 0, W, H, teal) <= CUBE_STEP);
        for (int ch = 0; ch < 3; ch++) CHECK_NEAR(mean_channel(&c, 1, 0, 0, W, H, ch), teal[ch], 3.0);
        /* Frame 2: the square changed, the rest is frame 1 unchanged. */
        CHECK(c.rect[2][0] == 30 && c.rect[2][1] == 20 && c.rect[2][2] <= 8 && c.rect[2][3] <= 8);
        CHECK(max_error(&c, 2, 30, 20, 38, 28, red) <= CUBE_STEP);
        for (int ch = 0; ch < 3; ch++) CHECK_NEAR(mean_channel(&c, 2, 30, 20, 38, 28, ch), red[ch], 4.0);
        int same = 1;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                if (!(x >= 30 && x < 38 && y >= 20 && y < 28))
                    same &= memcmp(pixel(&c, 1, x, y), pixel(&c, 2, x, y), 3) == 0;
        CHECK(same);
    }
    free(c.rgb);

    /* The same frames make the same bytes. */
    char *first = NULL, *second = NULL;
    size_t n1 = 0, n2 = 0;
    CHECK(gs_read_file(path, 1 << 20, &first, &n1, err, sizeof err) == GS_OK);
    CHECK(gs_gif_open(&g, path, W, H, 4, err, sizeof err) == GS_OK);
    fill(rgb, W, H, sand);
    gs_gif_add_frame(g, rgb, err, sizeof err);
    fill(rgb, W, H, teal);
    gs_gif_add_frame(g, rgb, err, sizeof err);
    gs_gif_add_frame(g, rgb, err, sizeof err);
    for (int y = 20; y < 28; y++)
        for (int x = 30; x < 38; x++) memcpy(rgb + ((size_t)y * W + x) * 3, red, 3);
    gs_gif_add_frame_for(g, rgb, 150, err, sizeof err);
    CHECK(gs_gif_close(g, err, sizeof err) == GS_OK);
    CHECK(gs_read_file(path, 1 << 20, &second, &n2, err, sizeof err) == GS_OK);
    CHECK(n1 == n2 && first && second && memcmp(first, second, n1) == 0);
    free(first);
    free(second);
    free(rgb);
    unlink(path);
}

/* A smooth gradient has too many colours to keep exact: all dithered, and
 * the mean over dither cells still follows the picture. */
static void test_gradient(void) {
    char err[512];
    const char *path = in_root("gradient.gif");
    const int w = 640, h = 480;
    uint8_t *rgb = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = rgb + ((size_t)y * w + x) * 3;
            p[0] = (uint8_t)(x * 255 / (w - 1));
            p[1] = (uint8_t)(y * 255 / (h - 1));
            p[2] = (uint8_t)((x + y) * 255 / (w + h - 2));
        }
    gs_gif *g;
    CHECK(gs_gif_open(&g, path, w, h, 3, err, sizeof err) == GS_OK);
    CHECK(gs_gif_add_frame(g, rgb, err, sizeof err) == GS_OK);
    CHECK(gs_gif_close(g, err, sizeof err) == GS_OK);
    clip c;
    CHECK(read_clip(path, &c));
    CHECK(c.frames == 1 && c.width == w && c.height == h);
    if (c.frames == 1) {
        int worst = 0;
        double worst_mean = 0;
        for (int y = 0; y < h; y += 8)
            for (int x = 0; x < w; x += 8) {
                const uint8_t *want = rgb + ((size_t)(y + 4) * w + x + 4) * 3;
                int e = max_error(&c, 0, x, y, x + 8, y + 8, want);
                if (e > worst) worst = e;
                for (int ch = 0; ch < 3; ch++) {
                    double m = fabs(mean_channel(&c, 0, x, y, x + 8, y + 8, ch) - want[ch]);
                    if (m > worst_mean) worst_mean = m;
                }
            }
        /* A cube step, plus the gradient's own change across a cell. */
        CHECK(worst <= CUBE_STEP + 4);
        CHECK(worst_mean <= 6);
    }
    free(c.rgb);
    free(rgb);
    unlink(path);
}

static void test_errors(void) {
    char err[512] = "";
    gs_gif *g = (gs_gif *)1;
    CHECK(gs_gif_open(&g, in_root("bad.gif"), 0, 10, 4, err, sizeof err) == GS_ERR_USAGE);
    CHECK(g == NULL);
    CHECK(gs_gif_open(&g, in_root("bad.gif"), 10, 10, 0, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "delay");
    CHECK(gs_gif_open(&g, NULL, 10, 10, 4, err, sizeof err) == GS_ERR_USAGE);

    /* No frames: an error, and no file. */
    CHECK(gs_gif_open(&g, in_root("empty.gif"), 10, 10, 4, err, sizeof err) == GS_OK);
    CHECK(gs_gif_close(g, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "at least one frame");
    CHECK(count_entries(root) == 0);

    /* A bad delay or image is refused and the clip goes on. */
    uint8_t rgb[10 * 10 * 3];
    memset(rgb, 90, sizeof rgb);
    CHECK(gs_gif_open(&g, in_root("ok.gif"), 10, 10, 4, err, sizeof err) == GS_OK);
    CHECK(gs_gif_add_frame_for(g, rgb, 70000, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_gif_add_frame(g, NULL, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gs_gif_add_frame(g, rgb, err, sizeof err) == GS_OK);
    CHECK(gs_gif_bytes(g) > 0);
    gs_gif_discard(g); /* discarded: nothing written */
    CHECK(count_entries(root) == 0);
    gs_gif_discard(NULL);

    /* A folder that does not exist: the error names the path. */
    CHECK(gs_gif_open(&g, in_root("missing/x.gif"), 10, 10, 4, err, sizeof err) == GS_OK);
    CHECK(gs_gif_add_frame(g, rgb, err, sizeof err) == GS_OK);
    CHECK(gs_gif_close(g, err, sizeof err) == GS_ERR_IO);
    CHECK_STR_CONTAINS(err, "missing/x.gif");
    CHECK(count_entries(root) == 0);
}

int main(void) {
    if (!scratch_init("gif")) return 1;
    test_round_trip();
    test_gradient();
    test_errors();
    rmdir(root);
    return CHECK_DONE();
}


/* Decodes path with DGifSlurp and composites each frame over the one
 * before, honouring transparency, as a viewer does; 0 on failure. */
static int read_clip(const char *path, clip *c) {
    memset(c, 0, sizeof *c);
    int e = 0;
    GifFileType *g = DGifOpenFileName(path, &e);
    if (!g) return 0;
    if (DGifSlurp(g) != GIF_OK || !g->SColorMap || g->ImageCount > 16) {
        DGifCloseFile(g, &e);
        return 0;
    }
    c->width = g->SWidth, c->height = g->SHeight, c->frames = g->ImageCount;
    size_t size = (size_t)c->width * c->height * 3;
    c->rgb = calloc((size_t)c->frames * size + 1, 1);
    for (int i = 0; i < c->frames; i++) {
        SavedImage *im = &g->SavedImages[i];
        GifImageDesc *d = &im->ImageDesc;
        GraphicsControlBlock gcb = {0, false, 0, NO_TRANSPARENT_COLOR};
        DGifSavedExtensionToGCB(g, i, &gcb);
        c->delay[i] = gcb.DelayTime;
        c->rect[i][0] = d->Left, c->rect[i][1] = d->Top;
        c->rect[i][2] = d->Width, c->rect[i][3] = d->Height;
        uint8_t *frame = c->rgb + (size_t)i * size;
        if (i > 0) memcpy(frame, frame - size, size);
        const ColorMapObject *map = d->ColorMap ? d->ColorMap : g->SColorMap;
        for (int y = 0; y < d->Height; y++)
            for (int x = 0; x < d->Width; x++) {
                int k = im->RasterBits[y * d->Width + x];
                if (k == gcb.TransparentColor || k >= map->ColorCount) continue;
                uint8_t *p = frame + ((size_t)(d->Top + y) * c->width + d->Left + x) * 3;
                p[0] = map->Colors[k].Red, p[1] = map->Colors[k].Green, p[2] = map->Colors[k].Blue;
            }
    }
    DGifCloseFile(g, &e);
    return 1;
}

static void fill(uint8_t *rgb, int w, int h, const uint8_t color[3]) {
    for (int i = 0; i < w * h; i++) memcpy(rgb + (size_t)i * 3, color, 3);
}

static const uint8_t *pixel(const clip *c, int frame, int x, int y) {
    return c->rgb + (((size_t)frame * c->height + y) * c->width + x) * 3;
}

static double mean_channel(const clip *c, int frame, int x0, int y0, int x1, int y1, int ch) {
    double sum = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) sum += pixel(c, frame, x, y)[ch];
    return sum / ((double)(x1 - x0) * (y1 - y0));
}

static int max_error(const clip *c, int frame, int x0, int y0, int x1, int y1,
                     const uint8_t color[3]) {
    int worst = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            for (int ch = 0; ch < 3; ch++) {
                int e = abs(pixel(c, frame, x, y)[ch] - color[ch]);
                if (e > worst) worst = e;
            }
    return worst;
}
