/* test_render.c: the heightmap's exact footprints and heights, the view's
 * pixel arithmetic, and the camera's colours and orientation. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gensim/render.h"
#include "render/render_internal.h"

#define PI 3.14159265358979323846

static gsr_item make_item(gs_shape_type type, double sx, double sy, double sz, double x, double y,
                          double z, double yaw, float r, float g, float b, int id);
static int count_id(const int32_t *seg, int n, int id);
static int footprint_is_rect(const int32_t *seg, int width, int height, int id, int c0, int c1,
                             int r0, int r1);
static int project(const gsr_camera *cam, const double p[3], int *col, int *row);
static int is_red(const uint8_t *px);
static double srgb_reference(double linear);

static void test_view(void) {
    gsr_view v = gsr_view_default();
    CHECK(gsr_view_width(&v) == 160);
    CHECK(gsr_view_height(&v) == 320);
    int col = 0, row = 0;
    CHECK(gsr_world_to_pixel(&v, 0.25, -0.5, &col, &row) && col == 0 && row == 0);
    CHECK(gsr_world_to_pixel(&v, 0.7499, 0.4999, &col, &row) && col == 159 && row == 319);
    CHECK(!gsr_world_to_pixel(&v, 0.75, 0.0, &col, &row));
    CHECK(!gsr_world_to_pixel(&v, 0.5, -0.5001, &col, &row));
    CHECK(!gsr_world_to_pixel(&v, NAN, 0.0, &col, &row));
    CHECK(gsr_world_to_pixel(&v, 0.5, 0.0, &col, &row) && col == 80 && row == 160);
    int round_trip = 1;
    for (int r = 0; r < 320; r += 7) {
        for (int c = 0; c < 160; c += 3) {
            double x, y;
            gsr_pixel_to_world(&v, c, r, &x, &y);
            int c2 = -1, r2 = -1;
            if (!gsr_world_to_pixel(&v, x, y, &c2, &r2) || c2 != c || r2 != r) round_trip = 0;
        }
    }
    CHECK(round_trip);
    double x, y;
    gsr_pixel_to_world(&v, 0, 0, &x, &y);
    CHECK_NEAR(x, 0.25 + 0.0015625, 1e-12);
    CHECK_NEAR(y, -0.5 + 0.0015625, 1e-12);
}

/* 0.05 x 0.025 m centred on a pixel corner: exactly 16 x 8 pixels. */
static void test_box_footprint(void) {
    gsr_view v = gsr_view_default();
    int w = gsr_view_width(&v), h = gsr_view_height(&v), n = w * h;
    float *heights = malloc(sizeof *heights * n);
    uint8_t *rgb = malloc((size_t)n * 3);
    int32_t *seg = malloc(sizeof *seg * n);
    gsr_item box = make_item(GS_SHAPE_BOX, 0.05, 0.025, 0.04, 0.5, 0.0, 0.02, 0, 1, 0, 0, 7);
    gsr_heightmap(&box, 1, &v, heights, rgb, seg);
    /* x 0.475..0.525 is columns 72..87, y -0.0125..0.0125 rows 156..163. */
    CHECK(count_id(seg, n, 7) == 16 * 8);
    CHECK(footprint_is_rect(seg, w, h, 7, 72, 87, 156, 163));
    int heights_ok = 1, rest_zero = 1, colors_ok = 1;
    for (int i = 0; i < n; i++) {
        const uint8_t *px = &rgb[i * 3];
        if (seg[i] == 7) {
            if (fabs(heights[i] - 0.04) > 1e-6) heights_ok = 0;
            if (px[0] != 255 || px[1] != 0 || px[2] != 0) colors_ok = 0;
        } else {
            if (heights[i] != 0 || seg[i] != 0) rest_zero = 0;
            if (px[0] != px[1] || px[1] != px[2]) colors_ok = 0; /* the grey table */
        }
    }
    CHECK(heights_ok);
    CHECK(rest_zero);
    CHECK(colors_ok);

    /* Turned 90 degrees about z, the footprint swaps: 8 x 16. */
    box.pose = gsu_pose_xyz_yaw(0.5, 0.0, 0.02, PI / 2);
    gsr_heightmap(&box, 1, &v, heights, rgb, seg);
    CHECK(count_id(seg, n, 7) == 8 * 16);
    CHECK(footprint_is_rect(seg, w, h, 7, 76, 83, 152, 167));

    /* A square whose edges and diagonal run through pixel centres: the tie
     * rule takes one of each pair of boundary rows and columns, and the
     * diagonal between the top face's two triangles leaves no hole. */
    double cx, cy;
    gsr_pixel_to_world(&v, 100, 200, &cx, &cy);
    gsr_item square = make_item(GS_SHAPE_BOX, 0.05, 0.05, 0.03, cx, cy, 0.015, 0, 0, 1, 0, 3);
    gsr_heightmap(&square, 1, &v, heights, NULL, seg);
    CHECK(count_id(seg, n, 3) == 16 * 16);
    CHECK(footprint_is_rect(seg, w, h, 3, 92, 107, 192, 207));

    /* Yawed boxes against a point-in-rectangle reference: every pixel
     * centre clearly inside is covered, none clearly outside. */
    int mismatches = 0;
    for (int k = 0; k < 12; k++) {
        double yaw = 0.37 * k, bx = 0.4 + 0.011 * k, by = -0.3 + 0.05 * k;
        gsr_item b = make_item(GS_SHAPE_BOX, 0.07, 0.03, 0.02, bx, by, 0.01, yaw, 0, 0, 1, 9);
        gsr_heightmap(&b, 1, &v, NULL, NULL, seg);
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                double x, y;
                gsr_pixel_to_world(&v, c, r, &x, &y);
                double u = cos(yaw) * (x - bx) + sin(yaw) * (y - by);
                double t = -sin(yaw) * (x - bx) + cos(yaw) * (y - by);
                double margin = fmin(0.035 - fabs(u), 0.015 - fabs(t));
                if (margin > 1e-4 && seg[r * w + c] != 9) mismatches++;
                if (margin < -1e-4 && seg[r * w + c] != 0) mismatches++;
            }
        }
    }
    CHECK(mismatches == 0);
    free(heights), free(rgb), free(seg);
}

static void test_occlusion(void) {
    gsr_view v = gsr_view_default();
    int w = gsr_view_width(&v), h = gsr_view_height(&v), n = w * h;
    float *heights = malloc(sizeof *heights * n);
    int32_t *seg = malloc(sizeof *seg * n);
    /* Short: x 0.375..0.425, y -0.225..-0.175 (cols 40..55, rows 88..103).
     * Tall: x 0.40..0.45, y -0.20..-0.15 (cols 48..63, rows 96..111). */
    gsr_item items[2] = {
        make_item(GS_SHAPE_BOX, 0.05, 0.05, 0.02, 0.40, -0.20, 0.01, 0, 1, 0, 0, 1),
        make_item(GS_SHAPE_BOX, 0.05, 0.05, 0.06, 0.425, -0.175, 0.03, 0, 0, 1, 0, 2),
    };
    for (int order = 0; order < 2; order++) {
        gsr_heightmap(items, 2, &v, heights, NULL, seg);
        int overlap = 100 * w + 50, short_only = 90 * w + 42, tall_only = 108 * w + 60;
        CHECK(seg[overlap] == 2);
        CHECK_NEAR(heights[overlap], 0.06, 1e-6);
        CHECK(seg[short_only] == 1);
        CHECK_NEAR(heights[short_only], 0.02, 1e-6);
        CHECK(seg[tall_only] == 2);
        CHECK(count_id(seg, n, 2) == 16 * 16);
        CHECK(count_id(seg, n, 1) == 16 * 16 - 8 * 8);
        gsr_item swap = items[0];
        items[0] = items[1], items[1] = swap;
    }
    /* An item sunk below the table does not show; one lying on it does. */
    gsr_item sunk = make_item(GS_SHAPE_BOX, 0.05, 0.05, 0.02, 0.5, 0.0, -0.02, 0, 1, 1, 1, 5);
    gsr_heightmap(&sunk, 1, &v, heights, NULL, seg);
    CHECK(count_id(seg, n, 5) == 0);
    gsr_item flat = make_item(GS_SHAPE_BOX, 0.05, 0.05, 0.0, 0.5, 0.0, 0.0, 0, 1, 1, 1, 6);
    gsr_heightmap(&flat, 1, &v, heights, NULL, seg);
    CHECK(count_id(seg, n, 6) == 16 * 16);
    CHECK(heights[160 * w + 80] == 0);
    free(heights), free(seg);
}

static void test_round_shapes(void) {
    gsr_view v = gsr_view_default();
    int w = gsr_view_width(&v), h = gsr_view_height(&v), n = w * h;
    float *heights = malloc(sizeof *heights * n);
    int32_t *seg = malloc(sizeof *seg * n);
    double pixel_area = v.pixel * v.pixel;

    /* Sphere centred over a pixel centre: its pole is that pixel's height. */
    double cx, cy;
    gsr_pixel_to_world(&v, 70, 150, &cx, &cy);
    gsr_item ball = make_item(GS_SHAPE_SPHERE, 0.1, 0.1, 0.1, cx, cy, 0.05, 0, 0, 0, 1, 4);
    gsr_heightmap(&ball, 1, &v, heights, NULL, seg);
    CHECK_NEAR(heights[150 * w + 70], 0.1, 1e-6);
    CHECK(seg[150 * w + 70] == 4);
    double disc = PI * 0.05 * 0.05;
    CHECK_NEAR(count_id(seg, n, 4) * pixel_area / disc, 1.0, 0.03);
    float peak = 0;
    for (int i = 0; i < n; i++) peak = heights[i] > peak ? heights[i] : peak;
    CHECK_NEAR(peak, 0.1, 1e-6);
    /* Half way out, the surface is near sqrt(1 - 0.25) of the radius up. */
    CHECK_NEAR(heights[150 * w + 70 + 8], 0.05 + sqrt(0.05 * 0.05 - 0.025 * 0.025), 2e-3);

    /* Upright cylinder: a flat disc at its height. */
    gsr_item can = make_item(GS_SHAPE_CYLINDER, 0.08, 0.08, 0.05, 0.6, 0.2, 0.025, 0.3, 1, 1, 0, 8);
    gsr_heightmap(&can, 1, &v, heights, NULL, seg);
    disc = PI * 0.04 * 0.04;
    CHECK_NEAR(count_id(seg, n, 8) * pixel_area / disc, 1.0, 0.03);
    int col, row;
    CHECK(gsr_world_to_pixel(&v, 0.6, 0.2, &col, &row));
    CHECK_NEAR(heights[row * w + col], 0.05, 1e-6);

    /* Lying on its side along x: a 0.08 x 0.1 rectangle, ridge 0.08 high. */
    gsr_item log = make_item(GS_SHAPE_CYLINDER, 0.08, 0.08, 0.1, 0.5, -0.2, 0.04, 0, 1, 0, 1, 9);
    double q[4];
    gsu_quat_from_euler(0, PI / 2, 0, q);
    memcpy(log.pose.rot, q, sizeof q);
    gsr_heightmap(&log, 1, &v, heights, NULL, seg);
    CHECK_NEAR(count_id(seg, n, 9) * pixel_area / (0.08 * 0.1), 1.0, 0.03);
    CHECK(gsr_world_to_pixel(&v, 0.5 + 0.0001, -0.2 + 0.0001, &col, &row));
    CHECK_NEAR(heights[row * w + col], 0.08, 5e-4);
    free(heights), free(seg);
}

static void test_empty_and_degenerate(void) {
    gsr_view v = gsr_view_default();
    int w = gsr_view_width(&v), h = gsr_view_height(&v), n = w * h;
    float *heights = malloc(sizeof *heights * n);
    uint8_t *rgb = malloc((size_t)n * 3);
    int32_t *seg = malloc(sizeof *seg * n);
    memset(heights, 0xff, sizeof *heights * n);
    memset(seg, 0xff, sizeof *seg * n);
    gsr_heightmap(NULL, 0, &v, heights, rgb, seg);
    int empty = 1;
    for (int i = 0; i < n; i++)
        if (heights[i] != 0 || seg[i] != 0 || rgb[3 * i] != rgb[3 * i + 2]) empty = 0;
    CHECK(empty);
    gsr_heightmap(NULL, 0, &v, NULL, NULL, NULL);

    /* Non-finite poses and negative sizes are skipped, not drawn. */
    gsr_item bad[3] = {
        make_item(GS_SHAPE_BOX, 0.05, 0.05, 0.05, NAN, 0, 0.025, 0, 1, 0, 0, 1),
        make_item(GS_SHAPE_BOX, -0.05, 0.05, 0.05, 0.5, 0, 0.025, 0, 1, 0, 0, 2),
        make_item(GS_SHAPE_SPHERE, 1e30, 1e30, 1e30, 0.5, 0, 0, 0, 1, 0, 0, 3),
    };
    bad[2].pose.rot[3] = INFINITY;
    gsr_heightmap(bad, 3, &v, heights, rgb, seg);
    CHECK(count_id(seg, n, 1) + count_id(seg, n, 2) + count_id(seg, n, 3) == 0);
    /* Huge but finite parts are skipped or drawn, never crash. */
    gsr_item huge = make_item(GS_SHAPE_BOX, 1e12, 1e12, 1.0, 0.5, 0, 0.5, 0.1, 1, 0, 0, 4);
    gsr_heightmap(&huge, 1, &v, heights, rgb, seg);

    uint8_t *image = malloc(64 * 48 * 3);
    gsr_camera cam = gsr_camera_default(64, 48);
    gsr_render_camera(NULL, 0, &cam, image);
    gsr_render_camera(bad, 3, &cam, image);
    gsr_render_camera(&huge, 1, &cam, image);
    gsr_camera stuck = cam;
    memcpy(stuck.target, stuck.eye, sizeof stuck.eye);
    gsr_render_camera(&huge, 1, &stuck, image);
    CHECK(image[0] == 0 && image[64 * 48 * 3 - 1] == 0);
    /* A camera inside an item, and one looking straight down. */
    gsr_item around = make_item(GS_SHAPE_SPHERE, 4, 4, 4, 1.05, 0, 0.95, 0, 0, 1, 0, 5);
    gsr_render_camera(&around, 1, &cam, image);
    gsr_camera down = {{0.5, 0, 1.0}, {0.5, 0, 0}, 1.0, 33, 17};
    gsr_render_camera(&around, 1, &down, image);
    free(image), free(heights), free(rgb), free(seg);
}

static void test_camera(void) {
    const int w = 640, h = 480;
    uint8_t *empty = malloc((size_t)w * h * 3), *image = malloc((size_t)w * h * 3);
    gsr_camera cam = gsr_camera_default(w, h);
    gsr_render_camera(NULL, 0, &cam, empty);
    int red = 0;
    for (int i = 0; i < w * h; i++) red += is_red(&empty[i * 3]);
    CHECK(red == 0);

    gsr_item box = make_item(GS_SHAPE_BOX, 0.04, 0.04, 0.04, 0.6, 0.2, 0.02, 0.4, 1, 0, 0, 1);
    gsr_render_camera(&box, 1, &cam, image);
    double top[3] = {0.6, 0.2, 0.04};
    int col, row;
    CHECK(project(&cam, top, &col, &row));
    CHECK(is_red(&image[(row * w + col) * 3]));
    red = 0;
    for (int i = 0; i < w * h; i++) red += is_red(&image[i * 3]);
    CHECK(red > 200);    /* about 25 pixels across */
    CHECK(red < 5000);
    CHECK(!is_red(&empty[(row * w + col) * 3]));

    /* Same call, same bytes. */
    uint8_t *again = malloc((size_t)w * h * 3);
    gsr_render_camera(&box, 1, &cam, again);
    CHECK(memcmp(image, again, (size_t)w * h * 3) == 0);

    /* From the default camera, in front of the table facing the robot,
     * +y is to the right and the far side (small x) is up. */
    double left_y[3] = {0.5, 0.3, 0}, right_y[3] = {0.5, -0.3, 0}, far[3] = {0.3, 0, 0},
           near[3] = {0.7, 0, 0};
    int c1, r1, c2, r2;
    CHECK(project(&cam, left_y, &c1, &r1) && project(&cam, right_y, &c2, &r2) && c1 > c2);
    CHECK(project(&cam, far, &c1, &r1) && project(&cam, near, &c2, &r2) && r1 < r2);
    /* The whole workspace is in the picture. */
    const double corners[4][3] = {{0.25, -0.5, 0}, {0.25, 0.5, 0}, {0.75, -0.5, 0}, {0.75, 0.5, 0}};
    int in_view = 0;
    for (int k = 0; k < 4; k++) in_view += project(&cam, corners[k], &col, &row);
    CHECK(in_view == 4);

    /* Depth order, not drawing order, decides: a tall blue box stands
     * between the camera and the front of a red one. */
    gsr_item pair[2] = {
        make_item(GS_SHAPE_BOX, 0.1, 0.1, 0.1, 0.4, 0.0, 0.05, 0, 1, 0, 0, 1),
        make_item(GS_SHAPE_BOX, 0.1, 0.1, 0.3, 0.6, 0.0, 0.15, 0, 0, 0, 1, 2),
    };
    double red_front[3] = {0.45, 0.0, 0.05};
    CHECK(project(&cam, red_front, &col, &row));
    const uint8_t *px = &image[(row * w + col) * 3];
    gsr_render_camera(pair, 1, &cam, image);
    CHECK(is_red(px));
    for (int order = 0; order < 2; order++) {
        gsr_render_camera(pair, 2, &cam, image);
        CHECK(px[2] > 2 * px[0] && px[2] > 60);
        gsr_item swap = pair[0];
        pair[0] = pair[1], pair[1] = swap;
    }
    free(empty), free(image), free(again);
}

/* The table-driven encoder against the formula, over the whole range. */
static void test_srgb(void) {
    gsr_srgb srgb;
    gsr_srgb_init(&srgb);
    int wrong = 0;
    for (int i = 0; i <= 200000; i++) {
        float x = (float)i / 200000.0f;
        double exact = 255.0 * srgb_reference(x);
        /* Where the exact value sits on a half, float rounding may go either
         * way; anywhere else the byte is the nearest. */
        if (fabs(exact - floor(exact) - 0.5) < 1e-3) continue;
        if (gsr_srgb_encode(&srgb, x) != (int)floor(exact + 0.5)) wrong++;
    }
    CHECK(wrong == 0);
    CHECK(gsr_srgb_encode(&srgb, 0.5f) == 188);
    CHECK(gsr_srgb_encode(&srgb, -1.0f) == 0);
    CHECK(gsr_srgb_encode(&srgb, NAN) == 0);
    CHECK(gsr_srgb_encode(&srgb, 7.0f) == 255);
}

/* A mesh part is drawn from its triangles: a tetrahedron seen from above
 * covers a triangle of the table, highest at its apex; a part without its
 * mesh draws nothing. */
static void test_mesh_part(void) {
    gsr_view v = gsr_view_default();
    int w = gsr_view_width(&v), h = gsr_view_height(&v), n = w * h;
    float *heights = malloc(sizeof *heights * n);
    int32_t *seg = malloc(sizeof *seg * n);
    /* corners (0,0,0) (0.06,0,0) (0,0.06,0), apex (0,0,0.03), centred in its box */
    static const float vert[4][3] = {{-0.03f, -0.03f, -0.015f}, {0.03f, -0.03f, -0.015f},
                                     {-0.03f, 0.03f, -0.015f}, {-0.03f, -0.03f, 0.015f}};
    static const int tri[4][3] = {{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}};
    gs_mesh mesh = {&vert[0][0], 4, &tri[0][0], 4};
    gsr_item item = make_item(GS_SHAPE_MESH, 0.06, 0.06, 0.03, 0.5, 0.0, 0.015, 0, 0, 1, 0, 3);
    item.mesh = &mesh;
    gsr_heightmap(&item, 1, &v, heights, NULL, seg);
    int covered = count_id(seg, n, 3);
    /* half of the 0.06 square: about 19 x 19 / 2 pixels */
    CHECK(covered > 150 && covered < 210);
    int col, row;
    CHECK(gsr_world_to_pixel(&v, 0.4715, -0.0285, &col, &row));
    CHECK(seg[row * w + col] == 3);
    CHECK(heights[row * w + col] > 0.025f);
    CHECK(gsr_world_to_pixel(&v, 0.525, 0.025, &col, &row));
    CHECK(seg[row * w + col] == 0); /* the far corner of the box is empty */
    item.mesh = NULL;
    gsr_heightmap(&item, 1, &v, heights, NULL, seg);
    CHECK(count_id(seg, n, 3) == 0);
    free(heights);
    free(seg);
}

int main(void) {
    test_mesh_part();
    test_view();
    test_box_footprint();
    test_occlusion();
    test_round_shapes();
    test_empty_and_degenerate();
    test_camera();
    test_srgb();
    return CHECK_DONE();
}

static gsr_item make_item(gs_shape_type type, double sx, double sy, double sz, double x, double y,
                          double z, double yaw, float r, float g, float b, int id) {
    gsr_item item;
    memset(&item, 0, sizeof item);
    item.shape.type = type;
    item.shape.size[0] = sx, item.shape.size[1] = sy, item.shape.size[2] = sz;
    item.shape.local = gsu_pose_identity();
    item.pose = gsu_pose_xyz_yaw(x, y, z, yaw);
    item.color[0] = r, item.color[1] = g, item.color[2] = b;
    item.id = id;
    return item;
}

static int count_id(const int32_t *seg, int n, int id) {
    int count = 0;
    for (int i = 0; i < n; i++) count += seg[i] == id;
    return count;
}

/* 1 when id covers exactly columns c0..c1 and rows r0..r1. */
static int footprint_is_rect(const int32_t *seg, int width, int height, int id, int c0, int c1,
                             int r0, int r1) {
    for (int r = 0; r < height; r++) {
        for (int c = 0; c < width; c++) {
            int inside = c >= c0 && c <= c1 && r >= r0 && r <= r1;
            if ((seg[r * width + c] == id) != inside) return 0;
        }
    }
    return 1;
}

/* The pinhole model the camera documents: right = forward x z, up =
 * right x forward, pixel centres at half integers. */
static int project(const gsr_camera *cam, const double p[3], int *col, int *row) {
    double f[3], r[3], u[3], d[3];
    for (int i = 0; i < 3; i++) f[i] = cam->target[i] - cam->eye[i], d[i] = p[i] - cam->eye[i];
    double len = sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]);
    for (int i = 0; i < 3; i++) f[i] /= len;
    r[0] = f[1], r[1] = -f[0], r[2] = 0;
    len = sqrt(r[0] * r[0] + r[1] * r[1]);
    r[0] /= len, r[1] /= len;
    u[0] = r[1] * f[2] - r[2] * f[1], u[1] = r[2] * f[0] - r[0] * f[2];
    u[2] = r[0] * f[1] - r[1] * f[0];
    double x = d[0] * r[0] + d[1] * r[1] + d[2] * r[2];
    double y = d[0] * u[0] + d[1] * u[1] + d[2] * u[2];
    double z = d[0] * f[0] + d[1] * f[1] + d[2] * f[2];
    double focal = cam->height / 2.0 / tan(cam->fov_y / 2);
    double c = cam->width / 2.0 + focal * x / z, rr = cam->height / 2.0 - focal * y / z;
    *col = (int)floor(c), *row = (int)floor(rr);
    return z > 0 && *col >= 0 && *col < cam->width && *row >= 0 && *row < cam->height;
}

static int is_red(const uint8_t *px) {
    return px[0] > 100 && px[0] > 2 * px[1] && px[0] > 2 * px[2];
}

static double srgb_reference(double linear) {
    return linear <= 0.0031308 ? 12.92 * linear : 1.055 * pow(linear, 1 / 2.4) - 0.055;
}
