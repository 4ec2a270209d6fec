/* test_text.c: captions: glyphs land inside their cells, wrapping keeps
 * within the width, bands darken only their own rectangle. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gensim/render.h"

enum { W = 120, H = 80 };

static const uint8_t WHITE[3] = {255, 255, 255};

static void fill(uint8_t *rgb, int w, int h, uint8_t v) { memset(rgb, v, (size_t)w * h * 3); }

/* Pixels that differ from v inside and outside the box x0..x1-1, y0..y1-1. */
static void count_changed(const uint8_t *rgb, int w, int h, uint8_t v, int x0, int y0, int x1,
                          int y1, int *inside, int *outside) {
    *inside = *outside = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *p = rgb + ((size_t)y * w + x) * 3;
            if (p[0] == v && p[1] == v && p[2] == v) continue;
            if (x >= x0 && x < x1 && y >= y0 && y < y1) ++*inside;
            else ++*outside;
        }
}

static void test_glyph_in_its_cell(void) {
    uint8_t rgb[W * H * 3];
    for (int scale = 1; scale <= 3; scale++) {
        fill(rgb, W, H, 40);
        gsr_text_draw(rgb, W, H, 10, 12, "A", 1, scale, WHITE);
        int in, out;
        count_changed(rgb, W, H, 40, 10, 12, 10 + GSR_FONT_WIDTH * scale,
                      12 + GSR_FONT_HEIGHT * scale, &in, &out);
        CHECK(in >= 10 * scale * scale); /* an A has well over 10 pixels of ink */
        CHECK(out == 0);
        /* The cell's top row and right column are space. */
        count_changed(rgb, W, H, 40, 10, 12, 10 + GSR_FONT_WIDTH * scale, 12 + scale, &in, &out);
        CHECK(in == 0);
        count_changed(rgb, W, H, 40, 10 + (GSR_FONT_WIDTH - 1) * scale, 12,
                      10 + GSR_FONT_WIDTH * scale, 12 + GSR_FONT_HEIGHT * scale, &in, &out);
        CHECK(in == 0);
    }
    /* Ink is only ever the colour given. */
    fill(rgb, W, H, 40);
    const uint8_t orange[3] = {250, 140, 20};
    gsr_text_draw(rgb, W, H, 0, 0, "Hg", 2, 2, orange);
    int other = 0, ink = 0;
    for (int i = 0; i < W * H; i++) {
        const uint8_t *p = rgb + (size_t)i * 3;
        if (memcmp(p, orange, 3) == 0) ink++;
        else if (!(p[0] == 40 && p[1] == 40 && p[2] == 40)) other++;
    }
    CHECK(ink > 0 && other == 0);

    /* A space draws nothing; n stops the text; bytes outside ASCII draw as '?'. */
    fill(rgb, W, H, 40);
    gsr_text_draw(rgb, W, H, 5, 5, "   ", 3, 2, WHITE);
    gsr_text_draw(rgb, W, H, 5, 5, "AB", 0, 2, WHITE);
    int in, out;
    count_changed(rgb, W, H, 40, 0, 0, 0, 0, &in, &out);
    CHECK(out == 0);
    uint8_t other_img[W * H * 3];
    fill(rgb, W, H, 40);
    fill(other_img, W, H, 40);
    gsr_text_draw(rgb, W, H, 5, 5, "\x01\xe9", 2, 1, WHITE);
    gsr_text_draw(other_img, W, H, 5, 5, "??", 2, 1, WHITE);
    CHECK(memcmp(rgb, other_img, sizeof rgb) == 0);

    /* Every printable glyph has ink, except the space. */
    int blank = 0;
    for (int c = 33; c <= 126; c++) {
        char s[2] = {(char)c, 0};
        fill(rgb, W, H, 0);
        gsr_text_draw(rgb, W, H, 0, 0, s, 1, 1, WHITE);
        count_changed(rgb, W, H, 0, 0, 0, W, H, &in, &out);
        blank += in == 0;
    }
    CHECK(blank == 0);

    /* Off the edges: clipped, never written outside the buffer (ASan
     * watches), and what is visible is still drawn. */
    fill(rgb, W, H, 40);
    gsr_text_draw(rgb, W, H, -7, -9, "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW", 32, 3, WHITE);
    gsr_text_draw(rgb, W, H, W - 4, H - 6, "MM", 2, 2, WHITE);
    count_changed(rgb, W, H, 40, 0, 0, W, H, &in, &out);
    CHECK(in > 0);
}

static void test_wrap(void) {
    const char *text = "put the red blocks in a green bowl, then stack them";
    int starts[32], lens[32];
    /* 60 pixels at scale 1: 10 cells a line. */
    int n = gsr_text_wrap(text, 1, 60, starts, lens, 32);
    CHECK(n >= 5 && n <= 32);
    char joined[256] = "";
    for (int k = 0; k < n && k < 32; k++) {
        CHECK(lens[k] * GSR_FONT_WIDTH <= 60);
        CHECK(lens[k] > 0 && text[starts[k]] != ' ' && text[starts[k] + lens[k] - 1] != ' ');
        if (k) strcat(joined, " ");
        strncat(joined, text + starts[k], (size_t)lens[k]);
    }
    /* Breaks fall at spaces: the lines put back together are the text. */
    CHECK(strcmp(joined, text) == 0);
    /* Counting alone gives the same number. */
    CHECK(gsr_text_wrap(text, 1, 60, NULL, NULL, 0) == n);
    /* Twice the scale, twice the width, the same lines. */
    CHECK(gsr_text_wrap(text, 2, 120, NULL, NULL, 0) == n);

    /* A word wider than the line is cut; newlines always break. */
    n = gsr_text_wrap("abcdefghijklmnopqrstuvwxyz", 1, 60, starts, lens, 32);
    CHECK(n == 3);
    if (n == 3) CHECK(lens[0] == 10 && lens[1] == 10 && lens[2] == 6);
    n = gsr_text_wrap("one\ntwo three", 1, 600, starts, lens, 32);
    CHECK(n == 2);
    if (n == 2) CHECK(lens[0] == 3 && starts[1] == 4 && lens[1] == 9);
    CHECK(gsr_text_wrap("", 1, 60, starts, lens, 32) == 0);
    /* Narrower than one glyph: still one glyph a line, never stuck. */
    CHECK(gsr_text_wrap("abc", 1, 2, starts, lens, 32) == 3);
}

static void test_block(void) {
    uint8_t rgb[W * H * 3];
    fill(rgb, W, H, 200);
    gsr_text_style style = gsr_text_style_default();
    style.scale = 1;
    style.pad = 3;
    style.band = 0.5f;
    const char *text = "the quick brown fox jumps over the lazy dog";
    int bw, bh;
    gsr_text_measure(text, 100, &style, &bw, &bh);
    int lines = gsr_text_wrap(text, 1, 100 - 2 * style.pad, NULL, NULL, 0);
    CHECK(bh == lines * GSR_FONT_HEIGHT + 2 * style.pad);
    CHECK(bw <= 100 && bw > 2 * style.pad);
    int h = gsr_text_block(rgb, W, H, 7, 5, 100, text, &style);
    CHECK(h == bh);
    int in, out;
    count_changed(rgb, W, H, 200, 7, 5, 7 + bw, 5 + bh, &in, &out);
    CHECK(out == 0);
    CHECK(in == bw * bh); /* every band pixel darkened or inked */
    /* Half opacity: the band is half as bright; the text stays white. */
    const uint8_t *corner = rgb + ((size_t)5 * W + 7) * 3;
    CHECK(corner[0] == 100);
    int white = 0;
    for (int i = 0; i < W * H; i++) white += memcmp(rgb + (size_t)i * 3, WHITE, 3) == 0;
    CHECK(white > 0);

    /* fill: the band spans the whole width given. */
    style.fill = 1;
    gsr_text_measure("hi", 100, &style, &bw, &bh);
    CHECK(bw == 100);
    /* Empty text: nothing at all. */
    fill(rgb, W, H, 200);
    CHECK(gsr_text_block(rgb, W, H, 0, 0, W, "", &style) == 0);
    count_changed(rgb, W, H, 200, 0, 0, 0, 0, &in, &out);
    CHECK(out == 0);
    /* A band running off the image is clipped. */
    CHECK(gsr_text_block(rgb, W, H, W - 20, H - 8, 200, text, NULL) > 0);
}

int main(void) {
    test_glyph_in_its_cell();
    test_wrap();
    test_block();
    return CHECK_DONE();
}
