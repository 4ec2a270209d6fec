/* mesh.c: items as triangles, and the sRGB encoder.
 *
 * The ring and threshold tables are literals rather than sin, cos and pow
 * calls, so that an item gives the same vertices and a colour the same byte
 * on every machine, whatever its libm. */
#include "render/render_internal.h"

#include <math.h>
#include <stddef.h>

#include "gensim/math.h"

enum {
    RING = 32,  /* segments around a cylinder or a sphere */
    BANDS = 16, /* latitude bands of a sphere, pole to pole */
    CYLINDER_TRIANGLES = 4 * RING,
    SPHERE_TRIANGLES = 2 * RING * (BANDS - 1)
};

/* cos and sin of 2 pi k / 32, k = 0..32; a sphere's band b (polar angle
 * b pi / 16) reuses entry b. */
static const double ring_cos[33] = {
    1.0, 0.9807852804032304, 0.9238795325112867, 0.8314696123025452,
    0.7071067811865476, 0.5555702330196023, 0.38268343236508984, 0.19509032201612833,
    0.0, -0.19509032201612833, -0.38268343236508984, -0.5555702330196023,
    -0.7071067811865476, -0.8314696123025452, -0.9238795325112867, -0.9807852804032304,
    -1.0, -0.9807852804032304, -0.9238795325112867, -0.8314696123025452,
    -0.7071067811865476, -0.5555702330196023, -0.38268343236508984, -0.19509032201612833,
    0.0, 0.19509032201612833, 0.38268343236508984, 0.5555702330196023,
    0.7071067811865476, 0.8314696123025452, 0.9238795325112867, 0.9807852804032304,
    1.0,
};
static const double ring_sin[33] = {
    0.0, 0.19509032201612833, 0.38268343236508984, 0.5555702330196023,
    0.7071067811865476, 0.8314696123025452, 0.9238795325112867, 0.9807852804032304,
    1.0, 0.9807852804032304, 0.9238795325112867, 0.8314696123025452,
    0.7071067811865476, 0.5555702330196023, 0.38268343236508984, 0.19509032201612833,
    0.0, -0.19509032201612833, -0.38268343236508984, -0.5555702330196023,
    -0.7071067811865476, -0.8314696123025452, -0.9238795325112867, -0.9807852804032304,
    -1.0, -0.9807852804032304, -0.9238795325112867, -0.8314696123025452,
    -0.7071067811865476, -0.5555702330196023, -0.38268343236508984, -0.19509032201612833,
    0.0,
};
/* sRGB byte b holds the linear values from entry b - 1 up to entry b: each
 * entry is the IEC 61966-2-1 decoding of (b + 0.5) / 255, in double, then
 * rounded to float. */
const float gsr_srgb_threshold[255] = {
    0.000151763492f, 0.000455290475f, 0.000758817459f, 0.00106234444f, 0.00136587143f,
    0.00166939841f, 0.00197292539f, 0.00227645238f, 0.00257997936f, 0.00288350634f,
    0.0031883009f, 0.00350925935f, 0.00384831493f, 0.00420574803f, 0.00458183274f,
    0.00497683725f, 0.00539102416f, 0.00582465078f, 0.00627796943f, 0.00675122763f,
    0.00724466842f, 0.0077585305f, 0.00829304845f, 0.00884845295f, 0.00942497089f,
    0.0100228256f, 0.0106422369f, 0.0112834213f, 0.0119465921f, 0.0126319598f,
    0.0133397316f, 0.014070112f, 0.0148233028f, 0.0155995031f, 0.0163989095f,
    0.0172217161f, 0.0180681146f, 0.0189382945f, 0.0198324428f, 0.0207507446f,
    0.0216933829f, 0.0226605384f, 0.0236523902f, 0.024669115f, 0.0257108881f,
    0.0267778826f, 0.0278702702f, 0.0289882206f, 0.0301319019f, 0.0313014806f,
    0.0324971216f, 0.0337189882f, 0.0349672424f, 0.0362420443f, 0.037543553f,
    0.0388719259f, 0.0402273192f, 0.0416098877f, 0.0430197848f, 0.0444571628f,
    0.0459221727f, 0.047414964f, 0.0489356854f, 0.0504844842f, 0.0520615066f,
    0.0536668976f, 0.0553008013f, 0.0569633604f, 0.0586547169f, 0.0603750115f,
    0.0621243839f, 0.0639029729f, 0.0657109163f, 0.0675483509f, 0.0694154125f,
    0.0713122362f, 0.0732389559f, 0.0751957047f, 0.077182615f, 0.0791998181f,
    0.0812474446f, 0.0833256241f, 0.0854344855f, 0.087574157f, 0.0897447658f,
    0.0919464383f, 0.0941793004f, 0.096443477f, 0.0987390924f, 0.10106627f,
    0.103425133f, 0.105815802f, 0.108238401f, 0.110693048f, 0.113179865f,
    0.11569897f, 0.118250482f, 0.12083452f, 0.1234512f, 0.12610064f,
    0.128782955f, 0.131498261f, 0.134246673f, 0.137028306f, 0.139843272f,
    0.142691686f, 0.14557366f, 0.148489305f, 0.151438734f, 0.154422057f,
    0.157439385f, 0.160490827f, 0.163576493f, 0.166696492f, 0.169850932f,
    0.17303992f, 0.176263564f, 0.179521971f, 0.182815248f, 0.186143498f,
    0.189506829f, 0.192905345f, 0.196339151f, 0.19980835f, 0.203313045f,
    0.20685334f, 0.210429338f, 0.21404114f, 0.217688849f, 0.221372565f,
    0.225092389f, 0.228848422f, 0.232640764f, 0.236469515f, 0.240334772f,
    0.244236636f, 0.248175205f, 0.252150577f, 0.256162849f, 0.260212118f,
    0.264298482f, 0.268422037f, 0.272582879f, 0.276781103f, 0.281016805f,
    0.285290081f, 0.289601024f, 0.293949728f, 0.298336289f, 0.302760799f,
    0.307223352f, 0.31172404f, 0.316262956f, 0.320840192f, 0.325455841f,
    0.330109993f, 0.33480274f, 0.339534173f, 0.344304382f, 0.349113458f,
    0.353961491f, 0.35884857f, 0.363774785f, 0.368740224f, 0.373744977f,
    0.378789131f, 0.383872775f, 0.388995998f, 0.394158885f, 0.399361525f,
    0.404604005f, 0.409886411f, 0.41520883f, 0.420571347f, 0.42597405f,
    0.431417022f, 0.43690035f, 0.442424119f, 0.447988412f, 0.453593316f,
    0.459238914f, 0.46492529f, 0.470652528f, 0.476420711f, 0.482229923f,
    0.488080246f, 0.493971763f, 0.499904557f, 0.505878709f, 0.511894303f,
    0.517951419f, 0.524050139f, 0.530190544f, 0.536372716f, 0.542596734f,
    0.54886268f, 0.555170635f, 0.561520677f, 0.567912887f, 0.574347344f,
    0.580824128f, 0.587343319f, 0.593904994f, 0.600509233f, 0.607156115f,
    0.613845717f, 0.620578117f, 0.627353395f, 0.634171626f, 0.641032889f,
    0.647937261f, 0.654884819f, 0.66187564f, 0.668909801f, 0.675987377f,
    0.683108445f, 0.690273081f, 0.697481362f, 0.704733362f, 0.712029156f,
    0.719368822f, 0.726752432f, 0.734180063f, 0.741651788f, 0.749167683f,
    0.756727821f, 0.764332277f, 0.771981125f, 0.779674438f, 0.787412289f,
    0.795194753f, 0.803021903f, 0.810893811f, 0.81881055f, 0.826772194f,
    0.834778813f, 0.842830482f, 0.850927271f, 0.859069253f, 0.867256499f,
    0.875489082f, 0.883767073f, 0.892090542f, 0.900459561f, 0.908874202f,
    0.917334534f, 0.925840628f, 0.934392556f, 0.942990386f, 0.95163419f,
    0.960324036f, 0.969059996f, 0.977842139f, 0.986670534f, 0.99554525f,
};

static void local_box(const gsr_mesh *m, int i, double p[3][3], double n[3][3]);
static void local_cylinder(const gsr_mesh *m, int i, double p[3][3], double n[3][3]);
static void local_sphere(const gsr_mesh *m, int i, double p[3][3], double n[3][3]);
static void local_triangle(const gsr_mesh *m, int i, double p[3][3], double n[3][3]);
static void ellipse_normal(const double half[3], const double unit[3], double n[3]);

int gsr_mesh_init(gsr_mesh *m, const gsr_item *item) {
    m->count = 0;
    m->type = item->shape.type;
    m->mesh = item->mesh;
    double q[4];
    for (int i = 0; i < 3; i++) {
        m->pos[i] = item->pose.pos[i];
        m->half[i] = item->shape.size[i] / 2;
        if (!isfinite(m->pos[i]) || !isfinite(m->half[i]) || m->half[i] < 0) return 0;
    }
    for (int i = 0; i < 4; i++) {
        q[i] = item->pose.rot[i];
        if (!isfinite(q[i])) return 0;
    }
    gsu_quat_normalize(q);
    for (int i = 0; i < 3; i++) {
        double e[3] = {i == 0, i == 1, i == 2};
        gsu_quat_rotate(q, e, m->axis[i]);
    }
    for (int j = 0; j < 3; j++) {
        m->extent[j] = 0;
        for (int i = 0; i < 3; i++) m->extent[j] += fabs(m->axis[i][j]) * m->half[i];
    }
    switch (m->type) {
    case GS_SHAPE_BOX: m->count = 12; break;
    case GS_SHAPE_CYLINDER: m->count = CYLINDER_TRIANGLES; break;
    case GS_SHAPE_SPHERE: m->count = SPHERE_TRIANGLES; break;
    case GS_SHAPE_MESH: m->count = m->mesh ? m->mesh->ntriangles : 0; break;
    default: m->count = 0; break;
    }
    return m->count;
}

void gsr_mesh_triangle(const gsr_mesh *m, int i, gsr_tri *t) {
    double lp[3][3], ln[3][3];
    switch (m->type) {
    case GS_SHAPE_BOX: local_box(m, i, lp, ln); break;
    case GS_SHAPE_CYLINDER: local_cylinder(m, i, lp, ln); break;
    case GS_SHAPE_MESH: local_triangle(m, i, lp, ln); break;
    default: local_sphere(m, i, lp, ln); break;
    }
    for (int v = 0; v < 3; v++) {
        for (int j = 0; j < 3; j++) {
            t->p[v][j] = m->pos[j] + m->axis[0][j] * lp[v][0] + m->axis[1][j] * lp[v][1] +
                         m->axis[2][j] * lp[v][2];
            t->n[v][j] =
                m->axis[0][j] * ln[v][0] + m->axis[1][j] * ln[v][1] + m->axis[2][j] * ln[v][2];
        }
    }
}

void gsr_srgb_init(gsr_srgb *e) {
    int b = 0;
    for (int i = 0; i <= 4096; i++) {
        float x = (float)i / 4096.0f;
        while (b < 255 && gsr_srgb_threshold[b] <= x) b++;
        e->start[i] = (uint8_t)b;
    }
}

/* Face f = i / 2 has outward normal sign * axis a; its corners run
 * counter-clockwise about that normal, split along one diagonal. */
static void local_box(const gsr_mesh *m, int i, double p[3][3], double n[3][3]) {
    static const int corner_u[4] = {-1, 1, 1, -1}, corner_v[4] = {-1, -1, 1, 1};
    static const int outward[2][2][3] = {{{0, 1, 2}, {0, 2, 3}}, {{0, 3, 2}, {0, 2, 1}}};
    int face = i / 2, a = face / 2, sign = face % 2 ? -1 : 1;
    int u = (a + 1) % 3, w = (a + 2) % 3; /* (a, u, w) is right-handed */
    const int *order = outward[sign < 0][i % 2];
    for (int v = 0; v < 3; v++) {
        int c = order[v];
        p[v][a] = sign * m->half[a];
        p[v][u] = corner_u[c] * m->half[u];
        p[v][w] = corner_v[c] * m->half[w];
        n[v][a] = sign, n[v][u] = 0, n[v][w] = 0;
    }
}

/* Triangles 0..31 the top cap, 32..63 the bottom cap, then two per side
 * segment; the axis is local z. */
static void local_cylinder(const gsr_mesh *m, int i, double p[3][3], double n[3][3]) {
    const double rx = m->half[0], ry = m->half[1], h = m->half[2];
    if (i < 2 * RING) {
        int k = i % RING, top = i < RING;
        double z = top ? h : -h;
        int ks[3] = {0, top ? k : k + 1, top ? k + 1 : k};
        for (int v = 0; v < 3; v++) {
            p[v][0] = v ? rx * ring_cos[ks[v]] : 0;
            p[v][1] = v ? ry * ring_sin[ks[v]] : 0;
            p[v][2] = z;
            n[v][0] = 0, n[v][1] = 0, n[v][2] = top ? 1 : -1;
        }
        return;
    }
    int j = i - 2 * RING, k = j / 2;
    /* (bottom k, bottom k+1, top k+1) and (bottom k, top k+1, top k) */
    static const int dk[2][3] = {{0, 1, 1}, {0, 1, 0}}, up[2][3] = {{0, 0, 1}, {0, 1, 1}};
    for (int v = 0; v < 3; v++) {
        int kk = k + dk[j % 2][v];
        double unit[3] = {ring_cos[kk], ring_sin[kk], 0};
        p[v][0] = rx * unit[0];
        p[v][1] = ry * unit[1];
        p[v][2] = up[j % 2][v] ? h : -h;
        double flat[3] = {rx, ry, 1};
        ellipse_normal(flat, unit, n[v]);
    }
}

/* Triangles 0..31 the fan round the top pole, then two per band segment,
 * then the fan round the bottom pole. */
static void local_sphere(const gsr_mesh *m, int i, double p[3][3], double n[3][3]) {
    int band[3], seg[3];
    if (i < RING) {
        band[0] = 0, band[1] = 1, band[2] = 1;
        seg[0] = 0, seg[1] = i, seg[2] = i + 1;
    } else if (i >= SPHERE_TRIANGLES - RING) {
        int k = i - (SPHERE_TRIANGLES - RING);
        band[0] = BANDS, band[1] = BANDS - 1, band[2] = BANDS - 1;
        seg[0] = 0, seg[1] = k + 1, seg[2] = k;
    } else {
        int j = i - RING, b = 1 + j / (2 * RING), k = (j % (2 * RING)) / 2;
        /* (b k, b+1 k, b+1 k+1) and (b k, b+1 k+1, b k+1) */
        static const int db[2][3] = {{0, 1, 1}, {0, 1, 0}}, dk[2][3] = {{0, 0, 1}, {0, 1, 1}};
        for (int v = 0; v < 3; v++) band[v] = b + db[j % 2][v], seg[v] = k + dk[j % 2][v];
    }
    for (int v = 0; v < 3; v++) {
        double s = ring_sin[band[v]];
        double unit[3] = {s * ring_cos[seg[v]], s * ring_sin[seg[v]], ring_cos[band[v]]};
        for (int c = 0; c < 3; c++) p[v][c] = unit[c] * m->half[c];
        ellipse_normal(m->half, unit, n[v]);
    }
}

/* Triangle i of a mesh part as its file has it, with the face's normal. */
static void local_triangle(const gsr_mesh *m, int i, double p[3][3], double n[3][3]) {
    const gs_mesh *mesh = m->mesh;
    for (int v = 0; v < 3; v++) {
        int idx = mesh->triangles[3 * i + v];
        if (idx < 0 || idx >= mesh->nvertices) idx = 0;
        for (int k = 0; k < 3; k++) p[v][k] = mesh->vertices[3 * idx + k];
    }
    double a[3], b[3], c[3];
    for (int k = 0; k < 3; k++) a[k] = p[1][k] - p[0][k], b[k] = p[2][k] - p[0][k];
    c[0] = a[1] * b[2] - a[2] * b[1], c[1] = a[2] * b[0] - a[0] * b[2], c[2] = a[0] * b[1] - a[1] * b[0];
    double len = sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
    for (int v = 0; v < 3; v++)
        for (int k = 0; k < 3; k++) n[v][k] = len > 0 ? c[k] / len : (k == 2);
}

/* The outward unit normal of an ellipsoid of half extents half at the point
 * half * unit: unit / half, written without dividing so a flat part works. */
static void ellipse_normal(const double half[3], const double unit[3], double n[3]) {
    if (half[0] == half[1] && (half[2] == half[0] || unit[2] == 0)) {
        /* Round, the usual case: the direction is the normal. */
        n[0] = unit[0], n[1] = unit[1], n[2] = unit[2];
        return;
    }
    n[0] = unit[0] * half[1] * half[2];
    n[1] = unit[1] * half[0] * half[2];
    n[2] = unit[2] * half[0] * half[1];
    double len = sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    if (len > 0) n[0] /= len, n[1] /= len, n[2] /= len;
}
