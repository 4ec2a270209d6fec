/* plot.c: line charts for learning curves (render.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gensim/render.h"

#define MARGIN_L 56
#define MARGIN_R 10
#define MARGIN_T 16
#define MARGIN_B 14

static void put(uint8_t *rgb, int width, int height, int x, int y, const uint8_t c[3]) {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    memcpy(rgb + ((size_t)y * (size_t)width + (size_t)x) * 3, c, 3);
}

/* A line two pixels thick from (ax, ay) to (bx, by). */
static void line(uint8_t *rgb, int width, int height, int ax, int ay, int bx, int by, const uint8_t c[3]) {
    int dx = bx > ax ? bx - ax : ax - bx, dy = by > ay ? ay - by : by - ay;
    int sx = ax < bx ? 1 : -1, sy = ay < by ? 1 : -1, e = dx + dy;
    for (;;) {
        put(rgb, width, height, ax, ay, c);
        put(rgb, width, height, ax + 1, ay, c);
        put(rgb, width, height, ax, ay + 1, c);
        if (ax == bx && ay == by) break;
        int e2 = 2 * e;
        if (e2 >= dy) e += dy, ax += sx;
        if (e2 <= dx) e += dx, ay += sy;
    }
}

static void fill(uint8_t *rgb, int width, int height, int x0, int y0, int w, int h, const uint8_t c[3]) {
    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w; x++) put(rgb, width, height, x, y, c);
}

static void label(uint8_t *rgb, int width, int height, int x, int y, const char *text, const uint8_t c[3]) {
    gsr_text_draw(rgb, width, height, x, y, text, (int)strlen(text), 1, c);
}

void gsr_plot(uint8_t *rgb, int width, int height, int x0, int y0, int w, int h, const char *title,
              const double *x, int n, const gsr_series *series, int nseries, double ymin, double ymax) {
    static const uint8_t white[3] = {255, 255, 255}, black[3] = {40, 40, 40}, grey[3] = {200, 200, 200};
    fill(rgb, width, height, x0, y0, w, h, white);
    if (ymin == ymax) {
        ymin = INFINITY, ymax = -INFINITY;
        for (int s = 0; s < nseries; s++)
            for (int i = 0; i < n; i++)
                if (isfinite(series[s].y[i])) ymin = fmin(ymin, series[s].y[i]), ymax = fmax(ymax, series[s].y[i]);
        if (!(ymin <= ymax)) ymin = 0, ymax = 1;
        if (ymax - ymin < 1e-9) ymin -= 0.5, ymax += 0.5;
    }
    int px = x0 + MARGIN_L, py = y0 + MARGIN_T, pw = w - MARGIN_L - MARGIN_R, ph = h - MARGIN_T - MARGIN_B - 10;
    if (pw < 8 || ph < 8) return;
    label(rgb, width, height, x0 + 4, y0 + 3, title ? title : "", black);
    for (int k = 0; k <= 4; k++) { /* grid and y ticks */
        int yy = py + ph - (int)lround((double)ph * k / 4);
        for (int xx = px; xx < px + pw; xx++) put(rgb, width, height, xx, yy, grey);
        char t[32];
        snprintf(t, sizeof t, "%.3g", ymin + (ymax - ymin) * k / 4);
        label(rgb, width, height, x0 + 2, yy - 5, t, black);
    }
    line(rgb, width, height, px, py, px, py + ph, black);
    line(rgb, width, height, px, py + ph, px + pw, py + ph, black);
    double xlo = n > 0 ? x[0] : 0, xhi = n > 0 ? x[n - 1] : 1;
    if (xhi <= xlo) xhi = xlo + 1;
    char t[48];
    snprintf(t, sizeof t, "%.4g", xlo);
    label(rgb, width, height, px, py + ph + 4, t, black);
    snprintf(t, sizeof t, "%.4g", xhi);
    label(rgb, width, height, px + pw - 6 * (int)strlen(t), py + ph + 4, t, black);
    for (int s = 0; s < nseries; s++) {
        int lx = px + pw - 6 * (int)strlen(series[s].name ? series[s].name : "") - 4;
        label(rgb, width, height, lx, py + 4 + 12 * s, series[s].name ? series[s].name : "", series[s].color);
        int prev_x = 0, prev_y = 0, have = 0;
        for (int i = 0; i < n; i++) {
            double v = series[s].y[i];
            if (!isfinite(v)) continue;
            v = fmax(ymin, fmin(ymax, v));
            int cx = px + (int)lround((x[i] - xlo) / (xhi - xlo) * pw);
            int cy = py + ph - (int)lround((v - ymin) / (ymax - ymin) * ph);
            if (have) line(rgb, width, height, prev_x, prev_y, cx, cy, series[s].color);
            else put(rgb, width, height, cx, cy, series[s].color);
            prev_x = cx, prev_y = cy, have = 1;
        }
    }
}
