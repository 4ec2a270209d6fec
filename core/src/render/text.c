/* text.c: captions on pictures, in a small bitmap font of our own.
 *
 * The font is drawn below as a sheet, twelve glyphs to a band, so it can be
 * read and edited as pictures: '#' is ink. Each glyph is 5 x 9 pixels: 7
 * rows from the top of the capitals to the baseline and 2 below it for
 * descenders. A cell adds a column and a row of space (6 x 10), so lines
 * and glyphs never touch. Only printable ASCII (32..126) has glyphs; any
 * other byte draws as '?'. */
#include <stdint.h>
#include <string.h>

#include "gensim/render.h"

enum {
    GLYPH_W = 5,
    GLYPH_H = 9,
    SHEET_PER_BAND = 12,  /* glyphs side by side in one band of the sheet */
    SHEET_STRIDE = GLYPH_W + 1,
    FIRST_CHAR = 32,
    LAST_CHAR = 126,
    BLOCK_LINES = 128     /* lines of one block that get drawn */
};

/* Band b's row r is FONT_SHEET[b * GLYPH_H + r]; glyph k of the band starts
 * at column k * SHEET_STRIDE. */
static const char *const FONT_SHEET[] = {
    /* sp    !     "     #     $     %     &     '     (     )     *     + */
    "..... ..#.. .#.#. .#.#. ..#.. ##... .##.. ..#.. ...#. .#... ..... .....",
    "..... ..#.. .#.#. .#.#. .#### ##..# #..#. ..#.. ..#.. ..#.. ..#.. ..#..",
    "..... ..#.. .#.#. ##### #.#.. ...#. #.#.. .#... .#... ...#. #.#.# ..#..",
    "..... ..#.. ..... .#.#. .###. ..#.. .#... ..... .#... ...#. .###. #####",
    "..... ..#.. ..... ##### ..#.# .#... #.#.# ..... .#... ...#. #.#.# ..#..",
    "..... ..... ..... .#.#. ####. #..## #..#. ..... ..#.. ..#.. ..#.. ..#..",
    "..... ..#.. ..... .#.#. ..#.. ...## .##.# ..... ...#. .#... ..... .....",
    "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
    "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
    /* ,     -     .     /     0     1     2     3     4     5     6     7 */
    "..... ..... ..... ....# .###. ..#.. .###. ##### ...#. ##### ..##. #####",
    "..... ..... ..... ....# #...# .##.. #...# ...#. ..##. #.... .#... ....#",
    "..... ..... ..... ...#. #..## ..#.. ....# ..#.. .#.#. ####. #.... ...#.",
    "..... ##### ..... ..#.. #.#.# ..#.. ...#. ...#. #..#. ....# ####. ..#..",
    "..... ..... ..... .#... ##..# ..#.. ..#.. ....# ##### ....# #...# .#...",
    ".##.. ..... .##.. #.... #...# ..#.. .#... #...# ...#. #...# #...# .#...",
    ".##.. ..... .##.. #.... .###. .###. ##### .###. ...#. .###. .###. .#...",
    "..#.. ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
    ".#... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
    /* 8     9     :     ;     <     =     >     ?     @     A     B     C */
    ".###. .###. ..... ..... ...#. ..... .#... .###. .###. .###. ####. .###.",
    "#...# #...# .##.. .##.. ..#.. ..... ..#.. #...# #...# #...# #...# #...#",
    "#...# #...# .##.. .##.. .#... ##### ...#. ....# #.### #...# #...# #....",
    ".###. .#### ..... ..... #.... ..... ....# ...#. #.#.# ##### ####. #....",
    "#...# ....# .##.. .##.. .#... ##### ...#. ..#.. #.### #...# #...# #....",
    "#...# ...#. .##.. .##.. ..#.. ..... ..#.. ..... #.... #...# #...# #...#",
    ".###. .##.. ..... ..#.. ...#. ..... .#... ..#.. .###. #...# ####. .###.",
    "..... ..... ..... .#... ..... ..... ..... ..... ..... ..... ..... .....",
    "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
    /* D     E     F     G     H     I     J     K     L     M     N     O */
    "###.. ##### ##### .###. #...# .###. ..### #...# #.... #...# #...# .###.",
    "#..#. #.... #.... #...# #...# ..#.. ...#. #..#. #.... ##.## #...# #...#",
    "#...# #.... #.... #.... #...# ..#.. ...#. #.#.. #.... #.#.# ##..# #...#",
    "#...# ####. ####. #.### ##### ..#.. ...#. ##... #.... #.#.# #.#.# #...#",
    "#...# #.... #.... #...# #...# ..#.. ...#. #.#.. #.... #...# #..## #...#",
    "#..#. #.... #.... #...# #...# ..#.. #..#. #..#. #.... #...# #...# #...#",
    "###.. ##### #.... .#### #...# .###. .##.. #...# ##### #...# #...# .###.",
    "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
    "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
    /* P     Q     R     S     T     U     V     W     X     Y     Z     [ */
    "####. .###. ####. .#### ##### #...# #...# #...# #...# #...# ##### .###.",
    "#...# #...# #...# #.... ..#.. #...# #...# #...# #...# #...# ....# .#...",
    "#...# #...# #...# #.... ..#.. #...# #...# #...# .#.#. .#.#. ...#. .#...",
    "####. #...# ####. .###. ..#.. #...# #...# #.#.# ..#.. ..#.. ..#.. .#...",
    "#.... #.#.# #.#.. ....# ..#.. #...# #...# #.#.# .#.#. ..#.. .#... .#...",
    "#.... #..#. #..#. ....# ..#.. #...# .#.#. #.#.# #...# ..#.. #.... .#...",
    "#.... .##.# #...# ####. ..#.. .###. ..#.. .#.#. #...# ..#.. ##### .###.",
    "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
    "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
    /* \\    ]     ^     _     `     a     b     c     d     e     f     g */
    "#.... .###. ..#.. ..... .#... ..... #.... ..... ....# ..... ..##. .....",
    "#.... ...#. .#.#. ..... ..#.. ..... #.... ..... ....# ..... .#..# .....",
    ".#... ...#. #...# ..... ..... .###. ####. .#### .#### .###. .#... .####",
    "..#.. ...#. ..... ..... ..... ....# #...# #.... #...# #...# ###.. #...#",
    "...#. ...#. ..... ..... ..... .#### #...# #.... #...# ##### .#... #...#",
    "....# ...#. ..... ..... ..... #...# #...# #.... #...# #.... .#... #...#",
    "....# .###. ..... ..... ..... .#### ####. .#### .#### .###. .#... .####",
    "..... ..... ..... ##### ..... ..... ..... ..... ..... ..... ..... ....#",
    "..... ..... ..... ..... ..... ..... ..... ..... ..... ..... ..... .###.",
    /* h     i     j     k     l     m     n     o     p     q     r     s */
    "#.... ..#.. ...#. #.... .##.. ..... ..... ..... ..... ..... ..... .....",
    "#.... ..... ..... #.... ..#.. ..... ..... ..... ..... ..... ..... .....",
    "####. .##.. ..##. #..#. ..#.. ##.#. ####. .###. ####. .#### #.##. .####",
    "#...# ..#.. ...#. #.#.. ..#.. #.#.# #...# #...# #...# #...# ##..# #....",
    "#...# ..#.. ...#. ##... ..#.. #.#.# #...# #...# #...# #...# #.... .###.",
    "#...# ..#.. ...#. #.#.. ..#.. #.#.# #...# #...# #...# #...# #.... ....#",
    "#...# .###. ...#. #..#. .###. #.#.# #...# .###. ####. .#### #.... ####.",
    "..... ..... #..#. ..... ..... ..... ..... ..... #.... ....# ..... .....",
    "..... ..... .##.. ..... ..... ..... ..... ..... #.... ....# ..... .....",
    /* t     u     v     w     x     y     z     {     |     }     ~ */
    ".#... ..... ..... ..... ..... ..... ..... ...## ..#.. ##... .....",
    ".#... ..... ..... ..... ..... ..... ..... ..#.. ..#.. ..#.. .....",
    "####. #...# #...# #...# #...# #...# ##### ..#.. ..#.. ..#.. .#...",
    ".#... #...# #...# #...# .#.#. #...# ...#. ##... ..#.. ...## #.#.#",
    ".#... #...# #...# #.#.# ..#.. #...# ..#.. ..#.. ..#.. ..#.. ...#.",
    ".#..# #..## .#.#. #.#.# .#.#. #...# .#... ..#.. ..#.. ..#.. .....",
    "..##. .##.# ..#.. .#.#. #...# .#### ##### ...## ..#.. ##... .....",
    "..... ..... ..... ..... ..... ....# ..... ..... ..#.. ..... .....",
    "..... ..... ..... ..... ..... .###. ..... ..... ..... ..... ....."
};

static int glyph_ink(int c, int gx, int gy);
static void darken(uint8_t *rgb, int width, int height, int x0, int y0, int x1, int y1,
                   float alpha);

gsr_text_style gsr_text_style_default(void) {
    gsr_text_style s = {1, {255, 255, 255}, 0.6f, 3, 0};
    return s;
}

void gsr_text_draw(uint8_t *rgb, int width, int height, int x, int y, const char *text, int n,
                   int scale, const uint8_t color[3]) {
    if (!rgb || !text || !color || width <= 0 || height <= 0 || scale < 1) return;
    for (int i = 0; i < n && text[i]; i++, x += GSR_FONT_WIDTH * scale) {
        if (x >= width) break;
        if (x + GLYPH_W * scale <= 0) continue;
        int c = (unsigned char)text[i];
        if (c < FIRST_CHAR || c > LAST_CHAR) c = '?';
        for (int gy = 0; gy < GLYPH_H; gy++) {
            /* The cell's first row is space. */
            int py = y + (gy + 1) * scale;
            for (int gx = 0; gx < GLYPH_W; gx++) {
                if (!glyph_ink(c, gx, gy)) continue;
                int px = x + gx * scale;
                for (int dy = 0; dy < scale; dy++) {
                    if (py + dy < 0 || py + dy >= height) continue;
                    uint8_t *row = rgb + ((size_t)(py + dy) * (size_t)width) * 3;
                    for (int dx = 0; dx < scale; dx++) {
                        if (px + dx < 0 || px + dx >= width) continue;
                        memcpy(row + (size_t)(px + dx) * 3, color, 3);
                    }
                }
            }
        }
    }
}

int gsr_text_wrap(const char *text, int scale, int max_width, int *starts, int *lens, int max) {
    if (!text || scale < 1) return 0;
    int cols = max_width / (GSR_FONT_WIDTH * scale);
    if (cols < 1) cols = 1; /* always make progress */
    int count = 0, i = 0;
    while (text[i]) {
        int start = i, j = i, last_space = -1;
        while (text[j] && text[j] != '\n' && j - start < cols) {
            if (text[j] == ' ') last_space = j;
            j++;
        }
        int end, soft = 0;
        if (!text[j] || text[j] == '\n') {
            end = j;
            i = text[j] ? j + 1 : j;
        } else if (text[j] == ' ') {
            end = j, i = j, soft = 1;
        } else if (last_space > start) {
            end = last_space, i = last_space, soft = 1;
        } else {
            end = j, i = j; /* a word wider than the line: cut it */
        }
        while (end > start && text[end - 1] == ' ') end--;
        if (soft)
            while (text[i] == ' ') i++;
        if (count < max && starts && lens) starts[count] = start, lens[count] = end - start;
        count++;
    }
    return count;
}

void gsr_text_measure(const char *text, int max_width, const gsr_text_style *style, int *width,
                      int *height) {
    gsr_text_style s = style ? *style : gsr_text_style_default();
    if (s.scale < 1) s.scale = 1;
    if (s.pad < 0) s.pad = 0;
    int starts[BLOCK_LINES], lens[BLOCK_LINES];
    int n = text ? gsr_text_wrap(text, s.scale, max_width - 2 * s.pad, starts, lens, BLOCK_LINES) : 0;
    int longest = 0;
    for (int k = 0; k < n && k < BLOCK_LINES; k++)
        if (lens[k] > longest) longest = lens[k];
    int w = 0, h = 0;
    if (n > 0) {
        /* The last glyph's column of space is not part of the text. */
        w = longest > 0 ? longest * GSR_FONT_WIDTH * s.scale - s.scale + 2 * s.pad : 2 * s.pad;
        if (s.fill || w > max_width) w = max_width;
        h = n * GSR_FONT_HEIGHT * s.scale + 2 * s.pad;
    }
    if (width) *width = w;
    if (height) *height = h;
}

int gsr_text_block(uint8_t *rgb, int width, int height, int x, int y, int max_width,
                   const char *text, const gsr_text_style *style) {
    gsr_text_style s = style ? *style : gsr_text_style_default();
    if (s.scale < 1) s.scale = 1;
    if (s.pad < 0) s.pad = 0;
    int bw, bh;
    gsr_text_measure(text, max_width, &s, &bw, &bh);
    if (!rgb || bh == 0) return bh;
    darken(rgb, width, height, x, y, x + bw, y + bh, s.band);
    int starts[BLOCK_LINES], lens[BLOCK_LINES];
    int n = gsr_text_wrap(text, s.scale, max_width - 2 * s.pad, starts, lens, BLOCK_LINES);
    /* The cell's top row of space sits inside the band's padding. */
    int line_y = y + s.pad - s.scale / 2;
    for (int k = 0; k < n && k < BLOCK_LINES; k++, line_y += GSR_FONT_HEIGHT * s.scale)
        gsr_text_draw(rgb, width, height, x + s.pad, line_y, text + starts[k], lens[k], s.scale,
                      s.color);
    return bh;
}

/* ---- helpers ---- */

static int glyph_ink(int c, int gx, int gy) {
    int k = c - FIRST_CHAR;
    const char *row = FONT_SHEET[(k / SHEET_PER_BAND) * GLYPH_H + gy];
    return row[(k % SHEET_PER_BAND) * SHEET_STRIDE + gx] == '#';
}

/* Blends the rectangle x0..x1-1, y0..y1-1 (clipped) towards black. */
static void darken(uint8_t *rgb, int width, int height, int x0, int y0, int x1, int y1,
                   float alpha) {
    if (!(alpha > 0)) return;
    int keep = alpha >= 1 ? 0 : (int)(256 * (1 - alpha) + 0.5f);
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > width) x1 = width;
    if (y1 > height) y1 = height;
    for (int y = y0; y < y1; y++) {
        uint8_t *p = rgb + ((size_t)y * (size_t)width + (size_t)x0) * 3;
        for (int i = 0; i < (x1 - x0) * 3; i++) p[i] = (uint8_t)((p[i] * keep) >> 8);
    }
}
