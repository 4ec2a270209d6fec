/* plot_bars: grouped horizontal bars of rates in [0, 1], one group per row
 * of a CSV, for the README (bench/generalization.sh draws its chart so).
 *
 * Usage: plot_bars OUT.png TITLE DATA.csv
 * DATA.csv: a header "label,SERIES,..." (1 to 4 series, named in the
 * legend), then one row per group, "label,value,..." with values in [0, 1]
 * drawn as percentages; a row starting with '#' is a heading over the
 * groups after it. Exits 2 on bad usage, an unreadable file or a bad row,
 * naming it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/io.h"
#include "gensim/render.h"

#define MAX_SERIES 4
#define MAX_ROWS 64
#define LABEL_MAX 48

typedef struct row {
    char label[LABEL_MAX];
    int heading;              /* 1: a heading, no bars */
    double value[MAX_SERIES];
} row;

typedef struct chart {
    char series[MAX_SERIES][LABEL_MAX];
    int nseries;
    row rows[MAX_ROWS];
    int nrows;
} chart;

enum { WIDTH = 760, BAR = 11, GAP = 7, HEADING = 20, TOP = 56, BOTTOM = 34, RIGHT = 46 };

/* Splits line at commas into at most max fields (in place); returns how many. */
static int split(char *line, char **fields, int max) {
    int n = 0;
    for (char *f = line, *comma; f && n < max; f = comma ? comma + 1 : NULL) {
        if ((comma = strchr(f, ','))) *comma = '\0';
        fields[n++] = f;
    }
    return n;
}

static void copy_label(char *dst, const char *src) {
    snprintf(dst, LABEL_MAX, "%s", src);
    dst[strcspn(dst, "\r")] = '\0';
}

/* One line of the file into c: the header (line 0), a heading or a group. */
static int read_line(chart *c, char *s, int line, const char *path) {
    char *f[MAX_SERIES + 2];
    if (line > 0 && s[0] == '#') {
        if (c->nrows == MAX_ROWS) return fprintf(stderr, "plot_bars: %s has over %d rows\n", path, MAX_ROWS), 0;
        row *r = &c->rows[c->nrows++];
        copy_label(r->label, s + 1), r->heading = 1;
        return 1;
    }
    int n = split(s, f, MAX_SERIES + 2);
    if (line == 0) {
        c->nseries = n - 1;
        if (c->nseries < 1 || c->nseries > MAX_SERIES)
            return fprintf(stderr, "plot_bars: %s: the header names 1 to %d series\n", path, MAX_SERIES), 0;
        for (int i = 0; i < c->nseries; i++) copy_label(c->series[i], f[i + 1]);
        return 1;
    }
    if (n != c->nseries + 1 || c->nrows == MAX_ROWS)
        return fprintf(stderr, "plot_bars: %s line %d: not a label and %d values\n", path, line + 1, c->nseries), 0;
    row *r = &c->rows[c->nrows++];
    copy_label(r->label, f[0]), r->heading = 0;
    for (int i = 0; i < c->nseries; i++) {
        char *end;
        r->value[i] = strtod(f[i + 1], &end);
        if (end == f[i + 1] || !(r->value[i] >= 0 && r->value[i] <= 1))
            return fprintf(stderr, "plot_bars: %s line %d: '%s' is not in [0, 1]\n", path, line + 1, f[i + 1]), 0;
    }
    return 1;
}

static int read_chart(const char *path, chart *c) {
    char *text, err[512];
    if (gs_read_file(path, (size_t)1 << 20, &text, NULL, err, sizeof err) != GS_OK)
        return fprintf(stderr, "plot_bars: %s\n", err), 0;
    int ok = 1, line = 0;
    for (char *s = text, *nl; ok && s && *s; s = nl ? nl + 1 : NULL) {
        if ((nl = strchr(s, '\n'))) *nl = '\0';
        if (*s) ok = read_line(c, s, line++, path);
    }
    free(text);
    if (ok && line < 2) return fprintf(stderr, "plot_bars: %s has no rows\n", path), 0;
    return ok;
}

static void fill(uint8_t *rgb, int w, int h, int x0, int y0, int x1, int y1, const uint8_t color[3]) {
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++) memcpy(rgb + 3 * ((size_t)y * w + x), color, 3);
}

static int row_height(const chart *c, const row *r) { return r->heading ? HEADING : c->nseries * BAR + GAP; }

/* The axis from x0 to x1 under the bars (top to bottom): grid every 20%. */
static void draw_axis(uint8_t *rgb, int h, int x0, int x1, int top, int bottom) {
    static const uint8_t grid[3] = {225, 225, 225}, ink[3] = {60, 60, 60};
    for (int k = 0; k <= 5; k++) {
        int x = x0 + (x1 - x0) * k / 5;
        fill(rgb, WIDTH, h, x, top, x + 1, bottom, k ? grid : ink);
        char t[8];
        int n = snprintf(t, sizeof t, "%d%%", 20 * k);
        gsr_text_draw(rgb, WIDTH, h, x - n * GSR_FONT_WIDTH / 2, bottom + 6, t, n, 1, ink);
    }
    fill(rgb, WIDTH, h, x0, bottom, x1 + 1, bottom + 1, ink);
}

/* The title, the legend and one group of bars (or a heading) per row. */
static void draw(uint8_t *rgb, int h, const chart *c, const char *title) {
    static const uint8_t ink[3] = {30, 30, 30}, soft[3] = {90, 90, 90};
    int left = 12;
    for (int i = 0; i < c->nrows; i++) {
        int wl = (int)strlen(c->rows[i].label) * GSR_FONT_WIDTH + 24;
        if (wl > left) left = wl;
    }
    int x1 = WIDTH - RIGHT, y = TOP;
    draw_axis(rgb, h, left, x1, TOP - 4, h - BOTTOM);
    gsr_text_draw(rgb, WIDTH, h, 12, 10, title, (int)strlen(title), 2, ink);
    for (int s = 0, lx = 12; s < c->nseries; s++) {
        uint8_t col[3];
        gsr_plot_palette(s, col);
        fill(rgb, WIDTH, h, lx, 36, lx + 12, 46, col);
        gsr_text_draw(rgb, WIDTH, h, lx + 16, 36, c->series[s], (int)strlen(c->series[s]), 1, ink);
        lx += 16 + (int)strlen(c->series[s]) * GSR_FONT_WIDTH + 24;
    }
    for (int i = 0; i < c->nrows; i++) {
        const row *r = &c->rows[i];
        int n = (int)strlen(r->label);
        if (r->heading) {
            gsr_text_draw(rgb, WIDTH, h, 12, y + 6, r->label, n, 1, ink);
            fill(rgb, WIDTH, h, 12, y + 17, x1, y + 18, soft);
        } else {
            gsr_text_draw(rgb, WIDTH, h, left - 10 - n * GSR_FONT_WIDTH, y + (c->nseries * BAR - 8) / 2, r->label,
                          n, 1, ink);
            for (int s = 0; s < c->nseries; s++) {
                uint8_t col[3];
                char t[8];
                gsr_plot_palette(s, col);
                int xe = left + (int)lround(r->value[s] * (x1 - left)), yb = y + s * BAR;
                fill(rgb, WIDTH, h, left + 1, yb, xe + 1, yb + BAR - 1, col);
                int k = snprintf(t, sizeof t, "%.0f%%", 100 * r->value[s]);
                gsr_text_draw(rgb, WIDTH, h, xe + 4, yb - 1, t, k, 1, soft);
            }
        }
        y += row_height(c, r);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: plot_bars OUT.png TITLE DATA.csv\n");
        return 2;
    }
    static chart c;
    if (!read_chart(argv[3], &c)) return 2;
    int h = TOP + BOTTOM + 4;
    for (int i = 0; i < c.nrows; i++) h += row_height(&c, &c.rows[i]);
    uint8_t *rgb = malloc((size_t)WIDTH * h * 3);
    if (!rgb) return fprintf(stderr, "plot_bars: out of memory\n"), 2;
    memset(rgb, 255, (size_t)WIDTH * h * 3);
    draw(rgb, h, &c, argv[2]);
    char err[512];
    int status = 0;
    if (gs_write_png(argv[1], rgb, WIDTH, h, err, sizeof err) != GS_OK) {
        fprintf(stderr, "plot_bars: %s\n", err);
        status = 2;
    }
    free(rgb);
    return status;
}
