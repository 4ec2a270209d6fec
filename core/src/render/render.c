/* render.c: the workspace view and the top-down heightmap.
 *
 * The heightmap is what a policy sees, so it is rasterized exactly: vertices
 * snap to 1/256 pixel and edge functions are integers, with a tie rule that
 * gives every pixel centre on a shared edge or vertex to exactly one
 * triangle. The image is done in square tiles whose buffers live on the
 * stack, so nothing is allocated whatever the view's size. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "render/render_internal.h"

enum {
    HM_TILE = 32,     /* pixels on a tile's side */
    SUBPIXEL_BITS = 8 /* vertex snapping: 1/256 pixel, 12 um at 3.125 mm */
};

/* Vertices farther than this many pixels from the view's corner are beyond
 * what int64 edge functions hold; such absurd triangles are skipped. */
#define HM_COORD_LIMIT 1048576.0

/* Empty pixels: a neutral grey table, sRGB 120. */
static const uint8_t TABLE_RGB[3] = {120, 120, 120};

/* The nearest surface seen so far at each pixel of one tile. */
typedef struct hm_tile {
    int col0, row0, cols, rows;
    float top[HM_TILE * HM_TILE];    /* highest z so far, -inf when none */
    int32_t owner[HM_TILE * HM_TILE]; /* index into items, -1 when none */
} hm_tile;

static void hm_draw_item(hm_tile *t, const gsr_mesh *m, int item, const gsr_view *v);
static void hm_draw_triangle(hm_tile *t, const gsr_tri *tri, int item, const gsr_view *v);
static int64_t floor_div(int64_t a, int64_t b);
static int view_cells(double lo, double hi, double pixel);

gsr_view gsr_view_default(void) {
    gsr_view v = {GS_WS_X0, GS_WS_X1, GS_WS_Y0, GS_WS_Y1, 0.003125};
    return v;
}

int gsr_view_width(const gsr_view *v) {
    return view_cells(v->x0, v->x1, v->pixel);
}

int gsr_view_height(const gsr_view *v) {
    return view_cells(v->y0, v->y1, v->pixel);
}

int gsr_world_to_pixel(const gsr_view *v, double x, double y, int *col, int *row) {
    double c = floor((x - v->x0) / v->pixel), r = floor((y - v->y0) / v->pixel);
    /* The comparisons are false for NaN, so NaN counts as outside. */
    int inside = c >= 0 && c < gsr_view_width(v) && r >= 0 && r < gsr_view_height(v);
    if (col) *col = inside ? (int)c : -1;
    if (row) *row = inside ? (int)r : -1;
    return inside;
}

void gsr_pixel_to_world(const gsr_view *v, int col, int row, double *x, double *y) {
    if (x) *x = v->x0 + (col + 0.5) * v->pixel;
    if (y) *y = v->y0 + (row + 0.5) * v->pixel;
}

void gsr_heightmap(const gsr_item *items, int nitems, const gsr_view *v, float *heights,
                   uint8_t *rgb, int32_t *seg) {
    if (!v) return;
    int width = gsr_view_width(v), height = gsr_view_height(v);
    if (width <= 0 || height <= 0 || (!heights && !rgb && !seg)) return;
    if (!items || nitems < 0) nitems = 0;
    gsr_srgb srgb;
    gsr_srgb_init(&srgb);
    hm_tile tile;
    for (int row0 = 0; row0 < height; row0 += HM_TILE) {
        for (int col0 = 0; col0 < width; col0 += HM_TILE) {
            tile.col0 = col0, tile.row0 = row0;
            tile.cols = width - col0 < HM_TILE ? width - col0 : HM_TILE;
            tile.rows = height - row0 < HM_TILE ? height - row0 : HM_TILE;
            for (int i = 0; i < HM_TILE * HM_TILE; i++) tile.top[i] = -INFINITY, tile.owner[i] = -1;
            for (int k = 0; k < nitems; k++) {
                gsr_mesh mesh;
                if (gsr_mesh_init(&mesh, &items[k])) hm_draw_item(&tile, &mesh, k, v);
            }
            for (int r = 0; r < tile.rows; r++) {
                for (int c = 0; c < tile.cols; c++) {
                    int here = r * HM_TILE + c;
                    size_t out = (size_t)(row0 + r) * (size_t)width + (size_t)(col0 + c);
                    int k = tile.owner[here];
                    /* The table hides what is below it; a surface lying on it
                     * (a flat marker) still shows, despite rounding. */
                    if (k >= 0 && !(tile.top[here] >= -1e-9f)) k = -1;
                    if (heights) heights[out] = k >= 0 && tile.top[here] > 0 ? tile.top[here] : 0;
                    if (seg) seg[out] = k >= 0 ? items[k].id : 0;
                    if (rgb) {
                        for (int ch = 0; ch < 3; ch++)
                            rgb[out * 3 + ch] = k >= 0 ? gsr_srgb_encode(&srgb, items[k].color[ch])
                                                       : TABLE_RGB[ch];
                    }
                }
            }
        }
    }
}

/* Skips items whose bounding box misses the tile before making triangles. */
static void hm_draw_item(hm_tile *t, const gsr_mesh *m, int item, const gsr_view *v) {
    double c_lo = (m->pos[0] - m->extent[0] - v->x0) / v->pixel;
    double c_hi = (m->pos[0] + m->extent[0] - v->x0) / v->pixel;
    double r_lo = (m->pos[1] - m->extent[1] - v->y0) / v->pixel;
    double r_hi = (m->pos[1] + m->extent[1] - v->y0) / v->pixel;
    if (c_hi < t->col0 - 1 || c_lo > t->col0 + t->cols + 1) return;
    if (r_hi < t->row0 - 1 || r_lo > t->row0 + t->rows + 1) return;
    gsr_tri tri;
    for (int i = 0; i < m->count; i++) {
        gsr_mesh_triangle(m, i, &tri);
        hm_draw_triangle(t, &tri, item, v);
    }
}

/* Keeps, at each pixel centre the triangle covers, the higher of its z and
 * what is there. Triangles facing down or seen edge-on are skipped: on a
 * convex part the top surface always faces up. */
static void hm_draw_triangle(hm_tile *t, const gsr_tri *tri, int item, const gsr_view *v) {
    const int64_t one = (int64_t)1 << SUBPIXEL_BITS, centre = one / 2;
    int64_t x[3], y[3];
    double z[3];
    for (int i = 0; i < 3; i++) {
        double px = (tri->p[i][0] - v->x0) / v->pixel, py = (tri->p[i][1] - v->y0) / v->pixel;
        if (!(fabs(px) < HM_COORD_LIMIT && fabs(py) < HM_COORD_LIMIT)) return;
        x[i] = llround(px * (double)one);
        y[i] = llround(py * (double)one);
        z[i] = tri->p[i][2];
    }
    int64_t area = (x[1] - x[0]) * (y[2] - y[0]) - (y[1] - y[0]) * (x[2] - x[0]);
    if (area <= 0) return;
    int64_t x_lo = x[0], x_hi = x[0], y_lo = y[0], y_hi = y[0];
    for (int i = 1; i < 3; i++) {
        if (x[i] < x_lo) x_lo = x[i];
        if (x[i] > x_hi) x_hi = x[i];
        if (y[i] < y_lo) y_lo = y[i];
        if (y[i] > y_hi) y_hi = y[i];
    }
    /* Pixel c's centre is at c * one + centre. */
    int64_t c_lo = floor_div(x_lo - centre + one - 1, one), c_hi = floor_div(x_hi - centre, one);
    int64_t r_lo = floor_div(y_lo - centre + one - 1, one), r_hi = floor_div(y_hi - centre, one);
    if (c_lo < t->col0) c_lo = t->col0;
    if (r_lo < t->row0) r_lo = t->row0;
    if (c_hi > t->col0 + t->cols - 1) c_hi = t->col0 + t->cols - 1;
    if (r_hi > t->row0 + t->rows - 1) r_hi = t->row0 + t->rows - 1;
    if (c_lo > c_hi || r_lo > r_hi) return;
    /* Edge e runs from vertex e+1 to e+2, opposite vertex e, and is positive
     * inside. A centre exactly on an edge belongs to the triangle when the
     * edge goes down (dy < 0) or, if level, right: as if every centre sat
     * an infinitesimal step right and a smaller one up, so abutting
     * triangles never both take it, nor both miss it. */
    int64_t dx[3], dy[3], edge_row[3], bias[3];
    for (int e = 0; e < 3; e++) {
        int a = (e + 1) % 3, b = (e + 2) % 3;
        dx[e] = x[b] - x[a], dy[e] = y[b] - y[a];
        int64_t px = c_lo * one + centre, py = r_lo * one + centre;
        edge_row[e] = dx[e] * (py - y[a]) - dy[e] * (px - x[a]);
        bias[e] = (dy[e] < 0 || (dy[e] == 0 && dx[e] > 0)) ? 0 : 1;
    }
    /* z as vertex 0 plus the others' differences keeps a level face exact. */
    double dz1 = (z[1] - z[0]) / (double)area, dz2 = (z[2] - z[0]) / (double)area;
    for (int64_t r = r_lo; r <= r_hi; r++) {
        int64_t e0 = edge_row[0], e1 = edge_row[1], e2 = edge_row[2];
        for (int64_t c = c_lo; c <= c_hi; c++) {
            if (e0 >= bias[0] && e1 >= bias[1] && e2 >= bias[2]) {
                float height = (float)(z[0] + (double)e1 * dz1 + (double)e2 * dz2);
                int here = (int)(r - t->row0) * HM_TILE + (int)(c - t->col0);
                if (height > t->top[here]) t->top[here] = height, t->owner[here] = item;
            }
            e0 -= dy[0] * one, e1 -= dy[1] * one, e2 -= dy[2] * one;
        }
        for (int e = 0; e < 3; e++) edge_row[e] += dx[e] * one;
    }
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Rounded, so that 1.0 / 0.003125 (320 in decimal, 319.99.. in binary)
 * gives 320; 0 for a degenerate or absurd view. */
static int view_cells(double lo, double hi, double pixel) {
    double n = (hi - lo) / pixel;
    if (!(n >= 0.5 && n < 1e6)) return 0;
    return (int)lround(n);
}
