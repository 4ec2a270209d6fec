/* camera.c: the perspective colour camera, for pictures of the scene.
 *
 * A pinhole camera with a depth buffer, 2 x 2 samples a pixel. The table is
 * not triangles but a plane each sample's ray meets, which gives the
 * workspace outline crisp edges and needs no clipping however far the table
 * runs. Items are triangles with Lambert and ambient light from one fixed
 * direction, and they cast shadows on the table: each triangle facing the
 * light, flattened onto z = 0 along it. The image is made in 16 x 16 pixel
 * tiles whose buffers live on the stack, so nothing is allocated. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "render/render_internal.h"

enum {
    CAM_TILE = 16,                      /* pixels on a tile's side */
    CAM_SS = 2,                         /* samples on a pixel's side (finish_tile assumes 2) */
    CAM_SAMPLES = CAM_TILE * CAM_SS,    /* samples on a tile's side */
    CAM_CLIP_MAX = 4                    /* a triangle cut by one plane */
};

/* What the nearest surface at a sample is. Only items keep a colour per
 * sample; the rest take theirs from a palette when the tile is finished,
 * once the table knows its shadows. A shadow adds KIND_SHADOW to a table
 * kind. */
enum {
    KIND_SKY,
    KIND_FLOOR,
    KIND_TABLE,
    KIND_OUTLINE,
    KIND_SHADOW = 2, /* KIND_TABLE or KIND_OUTLINE in shadow */
    KIND_TABLE_SHADOW = KIND_TABLE + KIND_SHADOW,
    KIND_OUTLINE_SHADOW = KIND_OUTLINE + KIND_SHADOW,
    KIND_ITEM,
    KIND_COUNT
};

/* Items whose screen boxes are worked out once a call rather than once a
 * tile; any beyond are still drawn, only more slowly. */
enum { RECT_CACHE = 256 };

#define NEAR_PLANE 0.01
#define AMBIENT 0.35f
#define DIFFUSE 0.65f
/* Light in shadow: ambient plus a little, as a real room's bounce light. */
#define SHADOW_LIGHT 0.5f
#define FLOOR_Z (-0.75)
#define OUTLINE_WIDTH 0.006

/* Towards the light: above, a little towards the camera and to +y, so that
 * shadows fall behind objects and show their height. */
static const double LIGHT[3] = {0.36249972, 0.21749983, 0.90624929};

/* The table top, well beyond the workspace on every side. */
static const double TABLE_X[2] = {-0.45, 1.25}, TABLE_Y[2] = {-0.95, 0.95};
/* The workspace the outline marks. */
static const double WORK_X[2] = {GS_WS_X0, GS_WS_X1}, WORK_Y[2] = {GS_WS_Y0, GS_WS_Y1};

/* Linear albedos. */
static const float TABLE_COLOR[3] = {0.58f, 0.48f, 0.34f}; /* light wood */
static const float OUTLINE_COLOR[3] = {0.02f, 0.02f, 0.02f};
static const float FLOOR_COLOR[3] = {0.10f, 0.10f, 0.11f};
static const float SKY_LOW[3] = {0.62f, 0.66f, 0.72f}, SKY_HIGH[3] = {0.30f, 0.40f, 0.56f};

/* The camera's frame and projection, in samples. */
typedef struct cam_frame {
    double eye[3], right[3], up[3], forward[3]; /* unit axes (3) */
    double focal;                               /* samples per unit tangent */
    double cx, cy;                              /* image centre, samples */
} cam_frame;

/* A screen rectangle in samples; empty when lo > hi. */
typedef struct cam_rect {
    float x_lo, x_hi, y_lo, y_hi;
} cam_rect;

/* One tile's samples. */
typedef struct cam_tile {
    int sx0, sy0, cols, rows; /* the tile's samples in the image */
    float depth[CAM_SAMPLES * CAM_SAMPLES];    /* distance along forward */
    float color[CAM_SAMPLES * CAM_SAMPLES][3]; /* linear, items only */
    uint8_t kind[CAM_SAMPLES * CAM_SAMPLES];
    float sky[CAM_SAMPLES][3]; /* the sky's colour on each sample row */
} cam_tile;

/* A vertex in camera coordinates with its colour. */
typedef struct cam_vertex {
    double v[3];
    float color[3];
} cam_vertex;

static int frame_init(cam_frame *f, const gsr_camera *cam);
static void palette_init(float palette[KIND_COUNT][3]);
static void item_rects(const cam_frame *f, const gsr_item *item, cam_rect *body,
                       cam_rect *shadow);
static void draw_backdrop(cam_tile *t, const cam_frame *f);
static void row_span(double x0, double dx, double y0, double dy, double x_lo, double x_hi,
                     double y_lo, double y_hi, int n, int *first, int *last);
static void draw_item(cam_tile *t, const cam_frame *f, const gsr_item *item);
static void draw_shadow(cam_tile *t, const cam_frame *f, const gsr_item *item);
static void draw_triangle(cam_tile *t, const cam_frame *f, double p[3][3],
                          float color[3][3]);
static void raster(cam_tile *t, const cam_vertex *a, const cam_vertex *b, const cam_vertex *c,
                   const cam_frame *f, int shadow);
static void finish_tile(const cam_tile *t, const float palette[KIND_COUNT][3],
                        const uint8_t encoded[KIND_COUNT][3], const gsr_srgb *srgb, int width,
                        uint8_t *rgb);
static cam_rect box_rect(const cam_frame *f, const double lo[3], const double hi[3]);
static int rect_touches_tile(const cam_rect *r, const cam_tile *t);
static void to_camera(const cam_frame *f, const double p[3], double v[3]);
static double dot3(const double a[3], const double b[3]);
static void cross3(const double a[3], const double b[3], double out[3]);
static int normalize3(double v[3]);

gsr_camera gsr_camera_default(int width, int height) {
    /* About 60 degrees above the table from the side away from the robot:
     * steep enough that the 1 m wide workspace fills a 4:3 picture's width,
     * low enough that heights show. */
    gsr_camera cam = {{1.05, 0.0, 0.95}, {0.5, 0.0, 0.0}, 0.78539816339744831, width, height};
    return cam;
}

void gsr_render_camera(const gsr_item *items, int nitems, const gsr_camera *cam, uint8_t *rgb) {
    if (!cam || !rgb || cam->width <= 0 || cam->height <= 0) return;
    if (cam->width > 100000 || cam->height > 100000) return;
    if (!items || nitems < 0) nitems = 0;
    cam_frame frame;
    if (!frame_init(&frame, cam)) {
        memset(rgb, 0, (size_t)cam->width * (size_t)cam->height * 3);
        return;
    }
    gsr_srgb srgb;
    gsr_srgb_init(&srgb);
    float palette[KIND_COUNT][3];
    uint8_t encoded[KIND_COUNT][3];
    palette_init(palette);
    for (int k = 0; k < KIND_COUNT; k++)
        for (int c = 0; c < 3; c++) encoded[k][c] = gsr_srgb_encode(&srgb, palette[k][c]);
    cam_rect body[RECT_CACHE], shadow[RECT_CACHE];
    for (int k = 0; k < nitems && k < RECT_CACHE; k++)
        item_rects(&frame, &items[k], &body[k], &shadow[k]);
    cam_tile tile;
    for (int y0 = 0; y0 < cam->height; y0 += CAM_TILE) {
        for (int x0 = 0; x0 < cam->width; x0 += CAM_TILE) {
            tile.sx0 = x0 * CAM_SS, tile.sy0 = y0 * CAM_SS;
            tile.cols = (cam->width - x0 < CAM_TILE ? cam->width - x0 : CAM_TILE) * CAM_SS;
            tile.rows = (cam->height - y0 < CAM_TILE ? cam->height - y0 : CAM_TILE) * CAM_SS;
            draw_backdrop(&tile, &frame);
            for (int k = 0; k < nitems; k++) {
                cam_rect b, s;
                if (k < RECT_CACHE) b = body[k], s = shadow[k];
                else item_rects(&frame, &items[k], &b, &s);
                if (rect_touches_tile(&s, &tile)) draw_shadow(&tile, &frame, &items[k]);
                if (rect_touches_tile(&b, &tile)) draw_item(&tile, &frame, &items[k]);
            }
            finish_tile(&tile, (const float(*)[3])palette, (const uint8_t(*)[3])encoded, &srgb,
                        cam->width, rgb);
        }
    }
}

static int frame_init(cam_frame *f, const gsr_camera *cam) {
    const double z_up[3] = {0, 0, 1};
    for (int i = 0; i < 3; i++) {
        f->eye[i] = cam->eye[i];
        f->forward[i] = cam->target[i] - cam->eye[i];
        if (!isfinite(f->eye[i]) || !isfinite(f->forward[i])) return 0;
    }
    if (!normalize3(f->forward)) return 0;
    if (!(cam->fov_y > 1e-3 && cam->fov_y < 3.14)) return 0;
    cross3(f->forward, z_up, f->right);
    if (!normalize3(f->right)) {
        /* Looking straight down (or up): keep +y to the right, as from the
         * default camera, so the far side of the table is at the top. */
        f->right[0] = 0, f->right[1] = 1, f->right[2] = 0;
    }
    cross3(f->right, f->forward, f->up);
    f->focal = cam->height * CAM_SS / 2.0 / tan(cam->fov_y / 2);
    f->cx = cam->width * CAM_SS / 2.0;
    f->cy = cam->height * CAM_SS / 2.0;
    return 1;
}

/* Lit colours of everything but items and the sky. */
static void palette_init(float palette[KIND_COUNT][3]) {
    const float lit = AMBIENT + DIFFUSE * (float)LIGHT[2];
    for (int c = 0; c < 3; c++) {
        palette[KIND_SKY][c] = 0; /* per row, in cam_tile.sky */
        palette[KIND_FLOOR][c] = FLOOR_COLOR[c];
        palette[KIND_TABLE][c] = TABLE_COLOR[c] * lit;
        palette[KIND_OUTLINE][c] = OUTLINE_COLOR[c] * lit;
        palette[KIND_TABLE_SHADOW][c] = TABLE_COLOR[c] * SHADOW_LIGHT;
        palette[KIND_OUTLINE_SHADOW][c] = OUTLINE_COLOR[c] * SHADOW_LIGHT;
        palette[KIND_ITEM][c] = 0; /* per sample, in cam_tile.color */
    }
}

/* The screen boxes an item and its shadow on the table may cover. */
static void item_rects(const cam_frame *f, const gsr_item *item, cam_rect *body,
                       cam_rect *shadow) {
    const cam_rect empty = {1, 0, 1, 0};
    gsr_mesh mesh;
    *body = *shadow = empty;
    if (!gsr_mesh_init(&mesh, item)) return;
    double lo[3], hi[3];
    for (int c = 0; c < 3; c++) {
        lo[c] = mesh.pos[c] - mesh.extent[c];
        hi[c] = mesh.pos[c] + mesh.extent[c];
    }
    *body = box_rect(f, lo, hi);
    if (!(hi[2] > 0)) return; /* under the table: no shadow on it */
    for (int c = 0; c < 2; c++) {
        double shift = -hi[2] * LIGHT[c] / LIGHT[2];
        lo[c] += shift < 0 ? shift : 0;
        hi[c] += shift > 0 ? shift : 0;
    }
    lo[2] = hi[2] = 0;
    *shadow = box_rect(f, lo, hi);
}

/* Casts each sample's ray at the table, then the floor, else the sky.
 * The camera's right axis is level, so along a row of samples the ray's
 * height, and with it the distance to any level plane, is constant and
 * the hit point moves in equal steps. */
static void draw_backdrop(cam_tile *t, const cam_frame *f) {
    const double w = OUTLINE_WIDTH / 2;
    for (int j = 0; j < t->rows; j++) {
        double b = (f->cy - (t->sy0 + j + 0.5)) / f->focal;
        double a0 = (t->sx0 + 0.5 - f->cx) / f->focal;
        double ray0[3], step[3];
        for (int c = 0; c < 3; c++) {
            ray0[c] = f->forward[c] + a0 * f->right[c] + b * f->up[c];
            step[c] = f->right[c] / f->focal;
        }
        /* Sky: a gradient by the row's elevation at the tile's middle. */
        double mid[3];
        for (int c = 0; c < 3; c++) mid[c] = ray0[c] + step[c] * t->cols / 2;
        float h = (float)(mid[2] / sqrt(dot3(mid, mid)));
        h = h < 0 ? 0 : h > 1 ? 1 : h;
        for (int c = 0; c < 3; c++) t->sky[j][c] = SKY_LOW[c] + (SKY_HIGH[c] - SKY_LOW[c]) * h;
        /* The ray parameter is the depth items are compared by: the ray has
         * unit length along forward. */
        float *depth = &t->depth[j * CAM_SAMPLES];
        uint8_t *kind = &t->kind[j * CAM_SAMPLES];
        double table_s = ray0[2] < 0 && f->eye[2] > 0 ? -f->eye[2] / ray0[2] : -1;
        double floor_s =
            ray0[2] < 0 && f->eye[2] > FLOOR_Z ? (FLOOR_Z - f->eye[2]) / ray0[2] : -1;
        uint8_t backdrop = floor_s > 0 ? KIND_FLOOR : KIND_SKY;
        float backdrop_depth = floor_s > 0 ? (float)floor_s : INFINITY;
        for (int i = 0; i < t->cols; i++) kind[i] = backdrop, depth[i] = backdrop_depth;
        if (!(table_s > 0)) continue;
        /* The hit point is p0 + i dp; each rectangle it crosses is a span
         * of samples, so nothing is tested sample by sample. */
        double x0 = f->eye[0] + table_s * ray0[0], dx = table_s * step[0];
        double y0 = f->eye[1] + table_s * ray0[1], dy = table_s * step[1];
        int first, last;
        row_span(x0, dx, y0, dy, TABLE_X[0], TABLE_X[1], TABLE_Y[0], TABLE_Y[1], t->cols,
                 &first, &last);
        for (int i = first; i <= last; i++) kind[i] = KIND_TABLE, depth[i] = (float)table_s;
        int out_first, out_last, in_first, in_last;
        row_span(x0, dx, y0, dy, WORK_X[0] - w, WORK_X[1] + w, WORK_Y[0] - w, WORK_Y[1] + w,
                 t->cols, &out_first, &out_last);
        row_span(x0, dx, y0, dy, WORK_X[0] + w, WORK_X[1] - w, WORK_Y[0] + w, WORK_Y[1] - w,
                 t->cols, &in_first, &in_last);
        for (int i = out_first > first ? out_first : first; i <= out_last && i <= last; i++)
            if (i < in_first || i > in_last) kind[i] = KIND_OUTLINE;
    }
}

/* The samples first..last (of 0..n-1; empty when first > last) whose point
 * (x0 + i dx, y0 + i dy) lies in the rectangle x_lo..x_hi, y_lo..y_hi. */
static void row_span(double x0, double dx, double y0, double dy, double x_lo, double x_hi,
                     double y_lo, double y_hi, int n, int *first, int *last) {
    double lo = 0, hi = n - 1;
    const double p0[2] = {x0, y0}, dp[2] = {dx, dy}, min[2] = {x_lo, y_lo}, max[2] = {x_hi, y_hi};
    for (int a = 0; a < 2; a++) {
        if (dp[a] == 0) {
            if (p0[a] < min[a] || p0[a] > max[a]) lo = 1, hi = 0;
            continue;
        }
        double inv = 1.0 / dp[a];
        double i0 = (min[a] - p0[a]) * inv, i1 = (max[a] - p0[a]) * inv;
        double enter = i0 < i1 ? i0 : i1, leave = i0 < i1 ? i1 : i0;
        if (enter > lo) lo = enter;
        if (leave < hi) hi = leave;
    }
    /* When not empty, lo and hi lie in 0..n-1, so plain conversions round
     * them without overflow. */
    if (!(lo <= hi)) {
        *first = 1, *last = 0;
        return;
    }
    *first = (int)lo + ((double)(int)lo < lo);
    *last = (int)hi;
}

static void draw_item(cam_tile *t, const cam_frame *f, const gsr_item *item) {
    gsr_mesh mesh;
    if (!gsr_mesh_init(&mesh, item)) return;
    float albedo[3];
    for (int c = 0; c < 3; c++) {
        float a = item->color[c];
        albedo[c] = a > 0 ? (a < 1 ? a : 1) : 0; /* NaN becomes 0 */
    }
    gsr_tri tri;
    float color[3][3];
    for (int i = 0; i < mesh.count; i++) {
        gsr_mesh_triangle(&mesh, i, &tri);
        for (int v = 0; v < 3; v++) {
            double lambert = dot3(tri.n[v], LIGHT);
            float light = AMBIENT + DIFFUSE * (float)(lambert > 0 ? lambert : 0);
            for (int c = 0; c < 3; c++) color[v][c] = albedo[c] * light;
        }
        draw_triangle(t, f, tri.p, color);
    }
}

/* A convex part's shadow on the table is the union of its faces that face
 * the light, each flattened onto z = 0 along the light. */
static void draw_shadow(cam_tile *t, const cam_frame *f, const gsr_item *item) {
    gsr_mesh mesh;
    if (!gsr_mesh_init(&mesh, item)) return;
    gsr_tri tri;
    for (int i = 0; i < mesh.count; i++) {
        gsr_mesh_triangle(&mesh, i, &tri);
        double e1[3], e2[3], n[3];
        for (int c = 0; c < 3; c++) {
            e1[c] = tri.p[1][c] - tri.p[0][c];
            e2[c] = tri.p[2][c] - tri.p[0][c];
        }
        cross3(e1, e2, n);
        if (!(dot3(n, LIGHT) > 0)) continue;
        for (int v = 0; v < 3; v++) {
            double z = tri.p[v][2] > 0 ? tri.p[v][2] : 0;
            for (int c = 0; c < 3; c++) tri.p[v][c] -= z / LIGHT[2] * LIGHT[c];
        }
        draw_triangle(t, f, tri.p, NULL);
    }
}

/* Culls back faces, clips at the near plane and rasterizes; color NULL
 * draws a shadow on the table instead of a surface. */
static void draw_triangle(cam_tile *t, const cam_frame *f, double p[3][3],
                          float color[3][3]) {
    if (color) {
        double e1[3], e2[3], n[3], to_eye[3];
        for (int c = 0; c < 3; c++) {
            e1[c] = p[1][c] - p[0][c], e2[c] = p[2][c] - p[0][c];
            to_eye[c] = f->eye[c] - p[0][c];
        }
        cross3(e1, e2, n);
        if (!(dot3(n, to_eye) > 0)) return;
    }
    cam_vertex in[3], out[CAM_CLIP_MAX];
    int inside = 0;
    for (int v = 0; v < 3; v++) {
        to_camera(f, p[v], in[v].v);
        for (int c = 0; c < 3; c++) in[v].color[c] = color ? color[v][c] : 0;
        inside += in[v].v[2] >= NEAR_PLANE;
    }
    if (inside == 0) return;
    if (inside == 3) {
        raster(t, &in[0], &in[1], &in[2], f, !color);
        return;
    }
    /* Sutherland-Hodgman against z = NEAR_PLANE. */
    int n_out = 0;
    for (int v = 0; v < 3; v++) {
        const cam_vertex *a = &in[v], *b = &in[(v + 1) % 3];
        int a_in = a->v[2] >= NEAR_PLANE, b_in = b->v[2] >= NEAR_PLANE;
        if (a_in) out[n_out++] = *a;
        if (a_in != b_in) {
            double s = (NEAR_PLANE - a->v[2]) / (b->v[2] - a->v[2]);
            cam_vertex *m = &out[n_out++];
            for (int c = 0; c < 3; c++) {
                m->v[c] = a->v[c] + s * (b->v[c] - a->v[c]);
                m->color[c] = a->color[c] + (float)s * (b->color[c] - a->color[c]);
            }
            m->v[2] = NEAR_PLANE;
        }
    }
    for (int v = 1; v + 1 < n_out; v++) raster(t, &out[0], &out[v], &out[v + 1], f, !color);
}

/* Perspective-correct: 1/z and colour/z are linear on the screen. Shared
 * edges may be drawn twice, which the depth test makes harmless. */
static void raster(cam_tile *t, const cam_vertex *a, const cam_vertex *b, const cam_vertex *c,
                   const cam_frame *f, int shadow) {
    const cam_vertex *vs[3] = {a, b, c};
    double sx[3], sy[3], inv_z[3];
    for (int v = 0; v < 3; v++) {
        inv_z[v] = 1.0 / vs[v]->v[2];
        sx[v] = f->cx + f->focal * vs[v]->v[0] * inv_z[v];
        sy[v] = f->cy - f->focal * vs[v]->v[1] * inv_z[v];
    }
    double area = (sx[1] - sx[0]) * (sy[2] - sy[0]) - (sy[1] - sy[0]) * (sx[2] - sx[0]);
    if (!(fabs(area) > 1e-12)) return; /* degenerate, or NaN */
    double x_lo = fmin(sx[0], fmin(sx[1], sx[2])), x_hi = fmax(sx[0], fmax(sx[1], sx[2]));
    double y_lo = fmin(sy[0], fmin(sy[1], sy[2])), y_hi = fmax(sy[0], fmax(sy[1], sy[2]));
    /* Sample i's centre is at i + 0.5. Bounds are checked against the tile
     * before the int conversions, so far-off vertices cannot overflow them. */
    if (x_hi < t->sx0 || x_lo > t->sx0 + t->cols || y_hi < t->sy0 || y_lo > t->sy0 + t->rows)
        return;
    int i_lo = (int)ceil(fmax(x_lo - 0.5, t->sx0));
    int i_hi = (int)floor(fmin(x_hi - 0.5, t->sx0 + t->cols - 1));
    int j_lo = (int)ceil(fmax(y_lo - 0.5, t->sy0));
    int j_hi = (int)floor(fmin(y_hi - 0.5, t->sy0 + t->rows - 1));
    if (i_lo > i_hi || j_lo > j_hi) return;
    /* Barycentric weights as planes over the screen: w = a + b x + c y. */
    double wa[2], wb[2], wc[2];
    for (int e = 0; e < 2; e++) {
        int p = (e + 1) % 3, q = (e + 2) % 3;
        wb[e] = -(sy[q] - sy[p]) / area;
        wc[e] = (sx[q] - sx[p]) / area;
        wa[e] = -(wb[e] * sx[p] + wc[e] * sy[p]);
    }
    float color_z[3][3];
    for (int v = 0; v < 3; v++)
        for (int ch = 0; ch < 3; ch++) color_z[v][ch] = vs[v]->color[ch] * (float)inv_z[v];
    for (int j = j_lo; j <= j_hi; j++) {
        double py = j + 0.5;
        for (int i = i_lo; i <= i_hi; i++) {
            double px = i + 0.5;
            double w0 = wa[0] + wb[0] * px + wc[0] * py;
            double w1 = wa[1] + wb[1] * px + wc[1] * py;
            double w2 = 1.0 - w0 - w1;
            if (!(w0 >= 0 && w1 >= 0 && w2 >= 0)) continue; /* NaN too */
            int here = (j - t->sy0) * CAM_SAMPLES + (i - t->sx0);
            if (shadow) {
                if (t->kind[here] == KIND_TABLE || t->kind[here] == KIND_OUTLINE)
                    t->kind[here] += KIND_SHADOW;
                continue;
            }
            double iz = w0 * inv_z[0] + w1 * inv_z[1] + w2 * inv_z[2];
            float depth = (float)(1.0 / iz);
            if (!(depth < t->depth[here])) continue;
            t->depth[here] = depth;
            t->kind[here] = KIND_ITEM;
            for (int ch = 0; ch < 3; ch++)
                t->color[here][ch] = (float)((w0 * color_z[0][ch] + w1 * color_z[1][ch] +
                                              w2 * color_z[2][ch]) / iz);
        }
    }
}

/* Averages each pixel's samples in linear light and encodes to sRGB; a
 * pixel of one palette kind, most of the table, takes its bytes ready
 * made. */
static void finish_tile(const cam_tile *t, const float palette[KIND_COUNT][3],
                        const uint8_t encoded[KIND_COUNT][3], const gsr_srgb *srgb, int width,
                        uint8_t *rgb) {
    const float scale = 1.0f / (CAM_SS * CAM_SS);
    for (int y = 0; y < t->rows / CAM_SS; y++) {
        uint8_t *out =
            rgb + ((size_t)(t->sy0 / CAM_SS + y) * (size_t)width + (size_t)(t->sx0 / CAM_SS)) * 3;
        for (int x = 0; x < t->cols / CAM_SS; x++, out += 3) {
            const uint8_t *kinds = &t->kind[y * CAM_SS * CAM_SAMPLES + x * CAM_SS];
            int k = kinds[0];
            if (k != KIND_ITEM && k != KIND_SKY && kinds[1] == k && kinds[CAM_SAMPLES] == k &&
                kinds[CAM_SAMPLES + 1] == k) {
                out[0] = encoded[k][0], out[1] = encoded[k][1], out[2] = encoded[k][2];
                continue;
            }
            float sum[3] = {0, 0, 0};
            for (int j = 0; j < CAM_SS; j++) {
                int row = y * CAM_SS + j;
                for (int i = 0; i < CAM_SS; i++) {
                    int here = row * CAM_SAMPLES + x * CAM_SS + i;
                    int kind = t->kind[here];
                    const float *color = kind == KIND_ITEM  ? t->color[here]
                                         : kind == KIND_SKY ? t->sky[row]
                                                            : palette[kind];
                    sum[0] += color[0], sum[1] += color[1], sum[2] += color[2];
                }
            }
            for (int c = 0; c < 3; c++) out[c] = gsr_srgb_encode(srgb, sum[c] * scale);
        }
    }
}

/* The screen box around a world box lo..hi (3 each); a box reaching
 * behind the near plane may cover anything. */
static cam_rect box_rect(const cam_frame *f, const double lo[3], const double hi[3]) {
    cam_rect r = {INFINITY, -INFINITY, INFINITY, -INFINITY};
    const cam_rect everything = {-INFINITY, INFINITY, -INFINITY, INFINITY};
    for (int k = 0; k < 8; k++) {
        double p[3] = {k & 1 ? hi[0] : lo[0], k & 2 ? hi[1] : lo[1], k & 4 ? hi[2] : lo[2]}, v[3];
        to_camera(f, p, v);
        if (!(v[2] >= NEAR_PLANE)) return everything;
        float sx = (float)(f->cx + f->focal * v[0] / v[2]);
        float sy = (float)(f->cy - f->focal * v[1] / v[2]);
        r.x_lo = fminf(r.x_lo, sx), r.x_hi = fmaxf(r.x_hi, sx);
        r.y_lo = fminf(r.y_lo, sy), r.y_hi = fmaxf(r.y_hi, sy);
    }
    return r;
}

/* With a sample's margin for rounding. */
static int rect_touches_tile(const cam_rect *r, const cam_tile *t) {
    return r->x_hi >= t->sx0 - 1 && r->x_lo <= t->sx0 + t->cols + 1 && r->y_hi >= t->sy0 - 1 &&
           r->y_lo <= t->sy0 + t->rows + 1;
}

static void to_camera(const cam_frame *f, const double p[3], double v[3]) {
    double d[3] = {p[0] - f->eye[0], p[1] - f->eye[1], p[2] - f->eye[2]};
    v[0] = dot3(d, f->right), v[1] = dot3(d, f->up), v[2] = dot3(d, f->forward);
}

static double dot3(const double a[3], const double b[3]) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void cross3(const double a[3], const double b[3], double out[3]) {
    double x = a[1] * b[2] - a[2] * b[1], y = a[2] * b[0] - a[0] * b[2];
    double z = a[0] * b[1] - a[1] * b[0];
    out[0] = x, out[1] = y, out[2] = z;
}

/* Scales v to unit length; 0 when it is too short to have a direction. */
static int normalize3(double v[3]) {
    double len = sqrt(dot3(v, v));
    if (!(len > 1e-12)) return 0;
    v[0] /= len, v[1] /= len, v[2] /= len;
    return 1;
}
