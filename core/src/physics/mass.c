/* mass.c: where the mass of a body of parts sits (gs_shapes_inertial).
 *
 * Bullet's own estimate treats a compound as the box around it, turning
 * about the body's origin: good enough for a block, wrong for a door whose
 * hinge is at its edge or a lid with a handle. Articulated links get their
 * centre of mass and inertia from their parts instead: each part's exact
 * volume and inertia about its centroid, moved to the common centre with
 * the parallel axis theorem, then diagonalised. Plain C, no Bullet. */
#include <math.h>
#include <string.h>

#include "gensim/physics.h"

/* One part's share: volume, centroid and inertia per unit density about
 * the centroid, in the part's frame. */
typedef struct part_mass {
    double volume;
    double centroid[3];
    double inertia[3][3];
} part_mass;

static void box_mass(const double size[3], part_mass *m);
static int mesh_mass(const gs_mesh *mesh, part_mass *m);

gs_status gs_shapes_inertial(const gs_shape *shapes, const gs_mesh *const *meshes, int nshapes,
                             double mass, gs_inertial *out) {
    if (!shapes || nshapes < 1 || !(mass > 0) || !isfinite(mass))
        return gs_fail(NULL, 0, GS_ERR_USAGE, "inertial: parts and a positive mass");
    part_mass parts[256];
    if (nshapes > 256) return gs_fail(NULL, 0, GS_ERR_USAGE, "inertial: at most 256 parts");
    double total = 0;
    for (int i = 0; i < nshapes; i++) {
        const gs_shape *s = &shapes[i];
        part_mass *m = &parts[i];
        memset(m, 0, sizeof *m);
        if (s->type == GS_SHAPE_SPHERE) {
            double r = s->size[0] / 2;
            m->volume = 4.0 / 3.0 * GS_PI * r * r * r;
            for (int k = 0; k < 3; k++) m->inertia[k][k] = 0.4 * m->volume * r * r;
        } else if (s->type == GS_SHAPE_CYLINDER) {
            double r = fmax(s->size[0], s->size[1]) / 2, h = s->size[2];
            m->volume = GS_PI * r * r * h;
            m->inertia[0][0] = m->inertia[1][1] = m->volume * (3 * r * r + h * h) / 12;
            m->inertia[2][2] = m->volume * r * r / 2;
        } else if (s->type != GS_SHAPE_MESH || !meshes || !meshes[i] || !mesh_mass(meshes[i], m)) {
            box_mass(s->size, m); /* a box, or a mesh that does not close */
        }
        if (!(m->volume > 0) || !isfinite(m->volume))
            return gs_fail(NULL, 0, GS_ERR_USAGE, "inertial: part %d has no volume", i);
        total += m->volume;
    }
    /* the parts in the body frame: centre of mass first */
    double com[3] = {0, 0, 0}, world_c[256][3];
    for (int i = 0; i < nshapes; i++) {
        gsu_pose_apply(&shapes[i].local, parts[i].centroid, world_c[i]);
        for (int k = 0; k < 3; k++) com[k] += world_c[i][k] * parts[i].volume / total;
    }
    double density = mass / total, inertia[3][3] = {{0}};
    for (int i = 0; i < nshapes; i++) {
        double r[3][3], d[3];
        gsu_quat_to_matrix(shapes[i].local.rot, r);
        for (int k = 0; k < 3; k++) d[k] = world_c[i][k] - com[k];
        double d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                double rotated = 0; /* (R I R^T)[a][b] */
                for (int k = 0; k < 3; k++)
                    for (int l = 0; l < 3; l++) rotated += r[a][k] * parts[i].inertia[k][l] * r[b][l];
                double shift = parts[i].volume * ((a == b ? d2 : 0) - d[a] * d[b]);
                inertia[a][b] += density * (rotated + shift);
            }
    }
    double axes[3][3];
    gsu_sym3_eigen(inertia, out->moments, axes);
    for (int k = 0; k < 3; k++) {
        out->frame.pos[k] = com[k];
        if (!(out->moments[k] > 0)) out->moments[k] = 1e-12; /* a flat part: keep it invertible */
    }
    gsu_quat_from_matrix(axes, out->frame.rot);
    return GS_OK;
}

static void box_mass(const double size[3], part_mass *m) {
    double x = size[0], y = size[1], z = size[2];
    m->volume = x * y * z;
    m->inertia[0][0] = m->volume * (y * y + z * z) / 12;
    m->inertia[1][1] = m->volume * (x * x + z * z) / 12;
    m->inertia[2][2] = m->volume * (x * x + y * y) / 12;
}

/* A closed mesh's volume, centroid and inertia from its triangles (the
 * tetrahedra they span with the origin, signed); 0 when it does not
 * enclose a positive volume. */
static int mesh_mass(const gs_mesh *mesh, part_mass *m) {
    double vol = 0, first[3] = {0, 0, 0}, second[3][3] = {{0}};
    for (int t = 0; t < mesh->ntriangles; t++) {
        const float *p[3];
        for (int v = 0; v < 3; v++) {
            int idx = mesh->triangles[3 * t + v];
            if (idx < 0 || idx >= mesh->nvertices) return 0;
            p[v] = mesh->vertices + 3 * idx;
        }
        double a[3] = {p[0][0], p[0][1], p[0][2]}, b[3] = {p[1][0], p[1][1], p[1][2]},
               c[3] = {p[2][0], p[2][1], p[2][2]};
        double det = a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
                     a[2] * (b[0] * c[1] - b[1] * c[0]);
        double v = det / 6;
        vol += v;
        for (int k = 0; k < 3; k++) first[k] += v * (a[k] + b[k] + c[k]) / 4;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                second[i][j] += v / 20 * (2 * (a[i] * a[j] + b[i] * b[j] + c[i] * c[j]) +
                                          a[i] * b[j] + a[j] * b[i] + a[i] * c[j] + a[j] * c[i] +
                                          b[i] * c[j] + b[j] * c[i]);
    }
    if (!(vol > 1e-12)) return 0;
    m->volume = vol;
    for (int k = 0; k < 3; k++) m->centroid[k] = first[k] / vol;
    /* second moments about the centroid, then the inertia tensor */
    double s[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) s[i][j] = second[i][j] - vol * m->centroid[i] * m->centroid[j];
    double trace = s[0][0] + s[1][1] + s[2][2];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) m->inertia[i][j] = (i == j ? trace : 0) - s[i][j];
    return 1;
}
