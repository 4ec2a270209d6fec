/* test_plot.c: line plots: lines go where their values say, gaps stay
 * empty, the legend names its series, bad arguments are refused. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gensim/render.h"

enum { W = 400, H = 240 };

static uint8_t rgb[W * H * 3];

static int is(const uint8_t *p, const uint8_t c[3]) { return memcmp(p, c, 3) == 0; }

/* The mean row and the column range of pixels of colour c in columns
 * x0..x1-1 and rows y0..y1-1; 0 when none. */
static int find_in(const uint8_t c[3], int x0, int x1, int y0, int y1, double *row, int *left,
                   int *right) {
    long sum = 0, count = 0;
    *left = W, *right = -1;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            if (is(rgb + ((size_t)y * W + x) * 3, c)) {
                sum += y, count++;
                if (x < *left) *left = x;
                if (x > *right) *right = x;
            }
    if (count) *row = (double)sum / count;
    return count > 0;
}

static int find(const uint8_t c[3], int x0, int x1, double *row, int *left, int *right) {
    return find_in(c, x0, x1, 0, H, row, left, right);
}

static void test_refused(void) {
    char err[256];
    double x[2] = {0, 1}, y[2] = {0, 1};
    gsr_series s = {"a", x, y, 2, {1, 2, 3}};
    CHECK(gsr_plot_lines(rgb, 100, 50, NULL, &s, 1, err, sizeof err) == GS_ERR_USAGE);
    CHECK_STR_CONTAINS(err, "100 x 50");
    CHECK(gsr_plot_lines(NULL, W, H, NULL, &s, 1, err, sizeof err) == GS_ERR_USAGE);
    s.x = NULL;
    CHECK(gsr_plot_lines(rgb, W, H, NULL, &s, 1, err, sizeof err) == GS_ERR_USAGE);
    s.n = -1;
    CHECK(gsr_plot_lines(rgb, W, H, NULL, &s, 1, err, sizeof err) == GS_ERR_USAGE);
    CHECK(gsr_plot_lines(rgb, W, H, NULL, NULL, 1, err, sizeof err) == GS_ERR_USAGE);
    /* nothing to draw is fine: empty axes */
    CHECK(gsr_plot_lines(rgb, W, H, NULL, NULL, 0, err, sizeof err) == GS_OK);
}

/* A rising line ends higher (a smaller row) than it starts; a line of
 * larger values lies above one of smaller values; a gap stays empty. */
static void test_lines(void) {
    char err[256];
    double x[5] = {0, 1, 2, 3, 4}, up[5] = {0, 1, 2, 3, 4}, low[5] = {1, 1, 1, 1, 1};
    double high[5] = {3, 3, NAN, 3, 3};
    gsr_series s[3] = {{NULL, x, up, 5, {200, 0, 0}}, {NULL, x, low, 5, {0, 200, 0}},
                       {NULL, x, high, 5, {0, 0, 200}}};
    CHECK(gsr_plot_lines(rgb, W, H, NULL, s, 3, err, sizeof err) == GS_OK);
    double r_start, r_end, r_low, r_high;
    int l, r, l2, r2;
    CHECK(find(s[0].color, 0, W / 4, &r_start, &l, &r) && find(s[0].color, 3 * W / 4, W, &r_end, &l, &r));
    CHECK(r_end < r_start - H / 3);
    CHECK(find(s[1].color, 0, W, &r_low, &l, &r) && find(s[2].color, 0, W, &r_high, &l2, &r2));
    CHECK(r_high < r_low - 10);
    /* the y = 3 line spans the plot but its middle third (around x = 2) is empty */
    CHECK(r2 - l2 > W / 2);
    double unused;
    int gl, gr;
    CHECK(!find(s[2].color, l2 + (r2 - l2) * 2 / 5, l2 + (r2 - l2) * 3 / 5, &unused, &gl, &gr));
    /* axes and tick labels: dark pixels left of the plot */
    int dark = 0;
    for (int y = 0; y < H; y++)
        for (int xx = 0; xx < 20; xx++) dark += rgb[((size_t)y * W + xx) * 3] < 100;
    CHECK(dark > 20);
}

/* The style's y range places a value; the legend shows each named series' colour at the top right. */
static void test_range_and_legend(void) {
    char err[256];
    double x[2] = {0, 10}, y[2] = {0.5, 0.5};
    gsr_series s = {"half", x, y, 2, {0}};
    gsr_plot_palette(3, s.color);
    uint8_t other[3];
    gsr_plot_palette(4, other);
    CHECK(memcmp(s.color, other, 3) != 0);
    gsr_plot_style st = gsr_plot_style_default();
    st.y_min = 0, st.y_max = 1, st.title = "a title", st.x_label = "samples", st.y_label = "rate";
    CHECK(gsr_plot_lines(rgb, W, H, &st, &s, 1, err, sizeof err) == GS_OK);
    /* the line: in the left half, half way between the plot's top and bottom rows */
    double row;
    int l, r;
    CHECK(find(s.color, 0, W / 2, &row, &l, &r));
    CHECK(row > H * 0.3 && row < H * 0.7);
    /* the legend's swatch: the same colour in the top right corner */
    CHECK(find_in(s.color, W / 2, W, 0, H / 4, &row, &l, &r));
    st.y_min = 0.6, st.y_max = 1; /* the line now falls below the range: clipped away */
    CHECK(gsr_plot_lines(rgb, W, H, &st, &s, 1, err, sizeof err) == GS_OK);
    CHECK(!find(s.color, 0, W / 2, &row, &l, &r));
}

int main(void) {
    test_refused();
    test_lines();
    test_range_and_legend();
    return CHECK_DONE();
}
