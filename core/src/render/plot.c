/* plot.c: line plots (training curves, success per round) drawn with the
 * bitmap font of text.c, for pictures written with gs_write_png. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gensim/render.h"

enum {
    MIN_WIDTH = 160,
    MIN_HEIGHT = 100,
    TICK = 4,         /* tick mark length, pixels */
    GAP = 6,          /* space between labels and what they label */
    MAX_TICKS = 8,    /* at most this many labelled ticks on an axis */
    MAX_LABEL = 24    /* bytes of a tick label */
};

static const uint8_t AXIS[3] = {60, 60, 60}, GRID[3] = {225, 225, 225}, INK[3] = {30, 30, 30},
                     WHITE[3] = {255, 255, 255};

/* An axis: its range rounded out to ticks first, first + step, ... */
typedef struct axis {
    double lo, hi, step;
    int ticks;
} axis;

/* The picture drawn on. */
typedef struct canvas {
    uint8_t *rgb;
    int w, h;
} canvas;

/* The plot area in pixels: x0..x1, y0..y1 (y1 at the bottom, the axis). */
typedef struct frame {
    int x0, y0, x1, y1;
} frame;

static void data_range(const gsr_series *series, int nseries, int use_y, double *lo, double *hi);
static axis nice_axis(double lo, double hi, int max_ticks);
static void tick_label(double v, double step, char *buf, size_t len);
static int label_width(const char *s);
static void text(const canvas *cv, int x, int y, const char *s);
static void draw_axes(const canvas *cv, const frame *f, const axis *ax, const axis *ay);
static void draw_series(const canvas *cv, const frame *f, const axis *ax, const axis *ay,
                        const gsr_series *s);
static void draw_legend(const canvas *cv, const frame *f, const gsr_series *series, int nseries);

gsr_plot_style gsr_plot_style_default(void) {
    gsr_plot_style s = {NULL, NULL, NULL, NAN, NAN, NAN, NAN};
    return s;
}

void gsr_plot_palette(int i, uint8_t color[3]) {
    static const uint8_t colors[8][3] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},
                                         {214, 39, 40},  {148, 103, 189}, {140, 86, 75},
                                         {227, 119, 194}, {127, 127, 127}};
    memcpy(color, colors[(i < 0 ? -i : i) % 8], 3);
}

gs_status gsr_plot_lines(uint8_t *rgb, int width, int height, const gsr_plot_style *style,
                         const gsr_series *series, int nseries, char *err, size_t errlen) {
    if (!rgb || width < MIN_WIDTH || height < MIN_HEIGHT)
        return gs_fail(err, errlen, GS_ERR_USAGE, "plot: a picture of %d x %d is under %d x %d", width,
                       height, MIN_WIDTH, MIN_HEIGHT);
    if (nseries < 0 || (nseries > 0 && !series))
        return gs_fail(err, errlen, GS_ERR_USAGE, "plot: %d series", nseries);
    for (int i = 0; i < nseries; i++)
        if (series[i].n < 0 || (series[i].n > 0 && (!series[i].x || !series[i].y)))
            return gs_fail(err, errlen, GS_ERR_USAGE, "plot: series %d has no points to read", i);
    gsr_plot_style st = style ? *style : gsr_plot_style_default();
    for (size_t i = 0; i < (size_t)width * height; i++) memcpy(rgb + 3 * i, WHITE, 3);

    double xlo, xhi, ylo, yhi;
    data_range(series, nseries, 0, &xlo, &xhi);
    data_range(series, nseries, 1, &ylo, &yhi);
    if (isfinite(st.x_min)) xlo = st.x_min;
    if (isfinite(st.x_max)) xhi = st.x_max;
    if (isfinite(st.y_min)) ylo = st.y_min;
    if (isfinite(st.y_max)) yhi = st.y_max;
    const int fh = GSR_FONT_HEIGHT;
    frame f;
    f.y0 = GAP + (st.title ? fh + GAP : 0) + (st.y_label ? fh + GAP / 2 : 0);
    f.y1 = height - 1 - (TICK + GAP / 2 + fh + (st.x_label ? fh + GAP / 2 : 0) + GAP / 2);
    axis ay = nice_axis(ylo, yhi, (f.y1 - f.y0) / (2 * fh) < MAX_TICKS ? (f.y1 - f.y0) / (2 * fh) : MAX_TICKS);
    int widest = 0;
    for (int k = 0; k < ay.ticks; k++) {
        char buf[MAX_LABEL];
        tick_label(ay.lo + k * ay.step, ay.step, buf, sizeof buf);
        if (label_width(buf) > widest) widest = label_width(buf);
    }
    f.x0 = GAP + widest + GAP / 2 + TICK;
    f.x1 = width - 1 - 3 * GAP;
    axis ax = nice_axis(xlo, xhi, (f.x1 - f.x0) / (8 * GSR_FONT_WIDTH) < MAX_TICKS
                                      ? (f.x1 - f.x0) / (8 * GSR_FONT_WIDTH) : MAX_TICKS);
    const canvas cv = {rgb, width, height};
    if (st.title) text(&cv, f.x0, GAP, st.title);
    if (st.y_label) text(&cv, GAP, f.y0 - fh - GAP / 2, st.y_label);
    if (st.x_label) text(&cv, (f.x0 + f.x1 - label_width(st.x_label)) / 2, height - GAP / 2 - fh, st.x_label);
    draw_axes(&cv, &f, &ax, &ay);
    for (int i = 0; i < nseries; i++) draw_series(&cv, &f, &ax, &ay, &series[i]);
    draw_legend(&cv, &f, series, nseries);
    return GS_OK;
}

/* ---- helpers ---- */

/* The finite range of the series' x (use_y 0) or y values; 0..1 when none. */
static void data_range(const gsr_series *series, int nseries, int use_y, double *lo, double *hi) {
    *lo = INFINITY, *hi = -INFINITY;
    for (int i = 0; i < nseries; i++)
        for (int k = 0; k < series[i].n; k++) {
            double x = series[i].x[k], y = series[i].y[k], v = use_y ? y : x;
            if (!isfinite(x) || !isfinite(y)) continue;
            if (v < *lo) *lo = v;
            if (v > *hi) *hi = v;
        }
    if (*lo > *hi) *lo = 0, *hi = 1;
}

/* Ticks at 1, 2 or 5 times a power of ten, at most max_ticks of them,
 * the range rounded out to them. */
static axis nice_axis(double lo, double hi, int max_ticks) {
    if (max_ticks < 2) max_ticks = 2;
    if (hi - lo < 1e-12 * (fabs(lo) + fabs(hi)) || hi - lo < 1e-300) {
        double pad = lo != 0 ? fabs(lo) * 0.5 : 0.5;
        lo -= pad, hi += pad;
    }
    double raw = (hi - lo) / (max_ticks - 1), mag = pow(10, floor(log10(raw))), step = 10 * mag;
    static const double mult[3] = {1, 2, 5};
    for (int m = 2; m >= 0; m--)
        if (mult[m] * mag >= raw) step = mult[m] * mag;
    axis a;
    a.lo = floor(lo / step + 1e-9) * step;
    a.hi = ceil(hi / step - 1e-9) * step;
    if (a.hi <= a.lo) a.hi = a.lo + step;
    a.step = step;
    a.ticks = (int)lround((a.hi - a.lo) / step) + 1;
    return a;
}

/* v with as many decimals as the step needs ("0.25", "40000"). */
static void tick_label(double v, double step, char *buf, size_t len) {
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (decimals > 6) decimals = 6;
    if (fabs(v) < step * 1e-6) v = 0; /* no "-0" */
    snprintf(buf, len, "%.*f", decimals, v);
}

static int label_width(const char *s) {
    return (int)strlen(s) * GSR_FONT_WIDTH;
}

/* Every drawing call clips to the picture. */
static void put(const canvas *cv, int x, int y, const uint8_t c[3]) {
    if (x >= 0 && x < cv->w && y >= 0 && y < cv->h) memcpy(cv->rgb + ((size_t)y * cv->w + x) * 3, c, 3);
}

static void hline(const canvas *cv, int x0, int x1, int y, const uint8_t c[3]) {
    for (int x = x0; x <= x1; x++) put(cv, x, y, c);
}

static void vline(const canvas *cv, int x, int y0, int y1, const uint8_t c[3]) {
    for (int y = y0; y <= y1; y++) put(cv, x, y, c);
}

static void text(const canvas *cv, int x, int y, const char *s) {
    gsr_text_draw(cv->rgb, cv->w, cv->h, x, y, s, (int)strlen(s), 1, INK);
}

static int to_px(const axis *a, double v, int p0, int p1) {
    return (int)lround(p0 + (v - a->lo) / (a->hi - a->lo) * (p1 - p0));
}

/* Grid lines, the two axes, tick marks and their labels. */
static void draw_axes(const canvas *cv, const frame *f, const axis *ax, const axis *ay) {
    char buf[MAX_LABEL];
    for (int k = 0; k < ay->ticks; k++) {
        double v = ay->lo + k * ay->step;
        int y = to_px(ay, v, f->y1, f->y0);
        hline(cv, f->x0 + 1, f->x1, y, GRID);
        hline(cv, f->x0 - TICK, f->x0, y, AXIS);
        tick_label(v, ay->step, buf, sizeof buf);
        text(cv, f->x0 - TICK - GAP / 2 - label_width(buf), y - GSR_FONT_HEIGHT / 2, buf);
    }
    for (int k = 0; k < ax->ticks; k++) {
        double v = ax->lo + k * ax->step;
        int x = to_px(ax, v, f->x0, f->x1);
        vline(cv, x, f->y0, f->y1 - 1, GRID);
        vline(cv, x, f->y1, f->y1 + TICK, AXIS);
        tick_label(v, ax->step, buf, sizeof buf);
        int lx = x - label_width(buf) / 2;
        if (lx + label_width(buf) > cv->w) lx = cv->w - label_width(buf);
        text(cv, lx, f->y1 + TICK + GAP / 2 - 1, buf);
    }
    hline(cv, f->x0, f->x1, f->y1, AXIS);
    vline(cv, f->x0, f->y0, f->y1, AXIS);
}

/* A 2-pixel line from (xa, ya) to (xb, yb), kept inside the frame. */
static void segment(const canvas *cv, const frame *f, int xa, int ya, int xb, int yb,
                    const uint8_t c[3]) {
    int dx = xb > xa ? xb - xa : xa - xb, dy = yb > ya ? ya - yb : yb - ya;
    int sx = xa < xb ? 1 : -1, sy = ya < yb ? 1 : -1, e = dx + dy;
    for (;;) {
        for (int oy = 0; oy < 2; oy++)
            for (int ox = 0; ox < 2; ox++) {
                int x = xa + ox, y = ya - oy;
                if (x >= f->x0 && x <= f->x1 && y >= f->y0 && y <= f->y1) put(cv, x, y, c);
            }
        if (xa == xb && ya == yb) return;
        int e2 = 2 * e;
        if (e2 >= dy) e += dy, xa += sx;
        if (e2 <= dx) e += dx, ya += sy;
    }
}

static void draw_series(const canvas *cv, const frame *f, const axis *ax, const axis *ay,
                        const gsr_series *s) {
    int have = 0, px = 0, py = 0;
    for (int k = 0; k < s->n; k++) {
        double x = s->x[k], y = s->y[k];
        if (!isfinite(x) || !isfinite(y)) {
            have = 0;
            continue;
        }
        /* far outside values would overflow the pixel arithmetic */
        double span = ay->hi - ay->lo;
        y = fmin(fmax(y, ay->lo - 4 * span), ay->hi + 4 * span);
        int cx = to_px(ax, x, f->x0, f->x1), cy = to_px(ay, y, f->y1, f->y0);
        /* a lone point still shows */
        segment(cv, f, have ? px : cx, have ? py : cy, cx, cy, s->color);
        have = 1, px = cx, py = cy;
    }
}

/* The named series, a swatch and the name each, boxed in the top-right corner. */
static void draw_legend(const canvas *cv, const frame *f, const gsr_series *series, int nseries) {
    enum { SWATCH = 14 };
    int named = 0, widest = 0;
    for (int i = 0; i < nseries; i++)
        if (series[i].name) {
            named++;
            if (label_width(series[i].name) > widest) widest = label_width(series[i].name);
        }
    if (!named) return;
    const int lh = GSR_FONT_HEIGHT + 2;
    int bw = GAP + SWATCH + GAP / 2 + widest + GAP, bh = named * lh + GAP;
    int bx = f->x1 - GAP - bw, by = f->y0 + GAP;
    if (bx < f->x0 + 1) bx = f->x0 + 1;
    for (int y = by; y < by + bh; y++) hline(cv, bx, bx + bw - 1, y, WHITE);
    hline(cv, bx, bx + bw - 1, by, GRID);
    hline(cv, bx, bx + bw - 1, by + bh - 1, GRID);
    vline(cv, bx, by, by + bh - 1, GRID);
    vline(cv, bx + bw - 1, by, by + bh - 1, GRID);
    int y = by + GAP / 2;
    for (int i = 0; i < nseries; i++) {
        if (!series[i].name) continue;
        for (int t = 0; t < 3; t++)
            hline(cv, bx + GAP, bx + GAP + SWATCH - 1, y + GSR_FONT_HEIGHT / 2 + t - 1, series[i].color);
        text(cv, bx + GAP + SWATCH + GAP / 2, y, series[i].name);
        y += lh;
    }
}
