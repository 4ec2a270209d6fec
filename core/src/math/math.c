/* math.c: pose algebra, the seeded generator, hashing, name matching. */
#include "gensim/math.h"

#include <stdio.h>

#include <math.h>
#include <string.h>

gs_pose gsu_pose_identity(void) {
    gs_pose p = {{0, 0, 0}, {0, 0, 0, 1}};
    return p;
}

gs_pose gsu_pose_xyz_yaw(double x, double y, double z, double yaw) {
    gs_pose p = {{x, y, z}, {0, 0, sin(yaw / 2), cos(yaw / 2)}};
    return p;
}

void gsu_quat_multiply(const double a[4], const double b[4], double q[4]) {
    double x = a[3] * b[0] + a[0] * b[3] + a[1] * b[2] - a[2] * b[1];
    double y = a[3] * b[1] - a[0] * b[2] + a[1] * b[3] + a[2] * b[0];
    double z = a[3] * b[2] + a[0] * b[1] - a[1] * b[0] + a[2] * b[3];
    double w = a[3] * b[3] - a[0] * b[0] - a[1] * b[1] - a[2] * b[2];
    q[0] = x, q[1] = y, q[2] = z, q[3] = w;
}

void gsu_quat_rotate(const double q[4], const double v[3], double out[3]) {
    /* v' = v + 2w (u x v) + 2 u x (u x v), u the vector part */
    const double *u = q;
    double w = q[3];
    double t[3] = {2 * (u[1] * v[2] - u[2] * v[1]), 2 * (u[2] * v[0] - u[0] * v[2]),
                   2 * (u[0] * v[1] - u[1] * v[0])};
    double r[3] = {v[0] + w * t[0] + (u[1] * t[2] - u[2] * t[1]),
                   v[1] + w * t[1] + (u[2] * t[0] - u[0] * t[2]),
                   v[2] + w * t[2] + (u[0] * t[1] - u[1] * t[0])};
    out[0] = r[0], out[1] = r[1], out[2] = r[2];
}

gs_pose gsu_pose_multiply(const gs_pose *a, const gs_pose *b) {
    gs_pose p;
    gsu_quat_rotate(a->rot, b->pos, p.pos);
    for (int i = 0; i < 3; i++) p.pos[i] += a->pos[i];
    gsu_quat_multiply(a->rot, b->rot, p.rot);
    gsu_quat_normalize(p.rot);
    return p;
}

gs_pose gsu_pose_invert(const gs_pose *p) {
    gs_pose inv;
    inv.rot[0] = -p->rot[0], inv.rot[1] = -p->rot[1], inv.rot[2] = -p->rot[2];
    inv.rot[3] = p->rot[3];
    double t[3];
    gsu_quat_rotate(inv.rot, p->pos, t);
    for (int i = 0; i < 3; i++) inv.pos[i] = -t[i];
    return inv;
}

void gsu_pose_apply(const gs_pose *p, const double v[3], double out[3]) {
    double r[3];
    gsu_quat_rotate(p->rot, v, r);
    for (int i = 0; i < 3; i++) out[i] = r[i] + p->pos[i];
}

void gsu_quat_from_euler(double roll, double pitch, double yaw, double q[4]) {
    double cr = cos(roll / 2), sr = sin(roll / 2);
    double cp = cos(pitch / 2), sp = sin(pitch / 2);
    double cy = cos(yaw / 2), sy = sin(yaw / 2);
    q[0] = sr * cp * cy - cr * sp * sy;
    q[1] = cr * sp * cy + sr * cp * sy;
    q[2] = cr * cp * sy - sr * sp * cy;
    q[3] = cr * cp * cy + sr * sp * sy;
}

void gsu_quat_to_euler(const double q[4], double rpy[3]) {
    double x = q[0], y = q[1], z = q[2], w = q[3];
    rpy[0] = atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y));
    double s = 2 * (w * y - z * x);
    rpy[1] = fabs(s) >= 1 ? copysign(GS_PI / 2, s) : asin(s);
    rpy[2] = atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
}

void gsu_quat_normalize(double q[4]) {
    double n = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    if (!(n > 1e-12) || !isfinite(n)) {
        q[0] = q[1] = q[2] = 0, q[3] = 1;
        return;
    }
    for (int i = 0; i < 4; i++) q[i] /= n;
}

double gsu_pose_yaw(const gs_pose *p) {
    const double *q = p->rot;
    return atan2(2 * (q[3] * q[2] + q[0] * q[1]), 1 - 2 * (q[1] * q[1] + q[2] * q[2]));
}

double gsu_wrap_angle(double a, double period) {
    if (!(period > 0)) return a;
    double r = fmod(a, period);
    if (r > period / 2) r -= period;
    else if (r <= -period / 2) r += period;
    return r;
}

int gsu_pose_is_sane(const gs_pose *p, double limit) {
    double n = 0;
    for (int i = 0; i < 3; i++)
        if (!isfinite(p->pos[i]) || fabs(p->pos[i]) > limit) return 0;
    for (int i = 0; i < 4; i++) {
        if (!isfinite(p->rot[i])) return 0;
        n += p->rot[i] * p->rot[i];
    }
    return fabs(n - 1) < 1e-3;
}

void gsu_rotated_half_extents(const double q[4], const double half[3], double out[3]) {
    /* |R| * half, R the rotation matrix of q */
    double x = q[0], y = q[1], z = q[2], w = q[3];
    double r[3][3] = {
        {1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)},
        {2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)},
        {2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)},
    };
    for (int i = 0; i < 3; i++)
        out[i] = fabs(r[i][0]) * half[0] + fabs(r[i][1]) * half[1] + fabs(r[i][2]) * half[2];
}

void gsu_quat_from_axis_angle(const double axis[3], double angle, double q[4]) {
    double n = sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
    if (!(n > 1e-12)) {
        q[0] = q[1] = q[2] = 0, q[3] = 1;
        return;
    }
    double s = sin(angle / 2) / n;
    q[0] = axis[0] * s, q[1] = axis[1] * s, q[2] = axis[2] * s, q[3] = cos(angle / 2);
}

void gsu_quat_to_matrix(const double q[4], double m[3][3]) {
    double x = q[0], y = q[1], z = q[2], w = q[3];
    m[0][0] = 1 - 2 * (y * y + z * z), m[0][1] = 2 * (x * y - z * w), m[0][2] = 2 * (x * z + y * w);
    m[1][0] = 2 * (x * y + z * w), m[1][1] = 1 - 2 * (x * x + z * z), m[1][2] = 2 * (y * z - x * w);
    m[2][0] = 2 * (x * z - y * w), m[2][1] = 2 * (y * z + x * w), m[2][2] = 1 - 2 * (x * x + y * y);
}

void gsu_quat_from_matrix(const double m[3][3], double q[4]) {
    /* Shepperd's method: divide by the largest of the four candidates */
    double t = m[0][0] + m[1][1] + m[2][2];
    if (t > 0) {
        double s = 2 * sqrt(t + 1);
        q[3] = s / 4, q[0] = (m[2][1] - m[1][2]) / s, q[1] = (m[0][2] - m[2][0]) / s,
        q[2] = (m[1][0] - m[0][1]) / s;
    } else if (m[0][0] > m[1][1] && m[0][0] > m[2][2]) {
        double s = 2 * sqrt(1 + m[0][0] - m[1][1] - m[2][2]);
        q[3] = (m[2][1] - m[1][2]) / s, q[0] = s / 4, q[1] = (m[0][1] + m[1][0]) / s,
        q[2] = (m[0][2] + m[2][0]) / s;
    } else if (m[1][1] > m[2][2]) {
        double s = 2 * sqrt(1 + m[1][1] - m[0][0] - m[2][2]);
        q[3] = (m[0][2] - m[2][0]) / s, q[0] = (m[0][1] + m[1][0]) / s, q[1] = s / 4,
        q[2] = (m[1][2] + m[2][1]) / s;
    } else {
        double s = 2 * sqrt(1 + m[2][2] - m[0][0] - m[1][1]);
        q[3] = (m[1][0] - m[0][1]) / s, q[0] = (m[0][2] + m[2][0]) / s,
        q[1] = (m[1][2] + m[2][1]) / s, q[2] = s / 4;
    }
    gsu_quat_normalize(q);
}

void gsu_sym3_eigen(const double a[3][3], double values[3], double vectors[3][3]) {
    double m[3][3], v[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    memcpy(m, a, sizeof m);
    for (int sweep = 0; sweep < 50; sweep++) {
        double off = fabs(m[0][1]) + fabs(m[0][2]) + fabs(m[1][2]);
        double scale = fabs(m[0][0]) + fabs(m[1][1]) + fabs(m[2][2]);
        if (!(off > 1e-15 * scale) || !isfinite(off)) break;
        for (int p = 0; p < 2; p++)
            for (int r = p + 1; r < 3; r++) {
                if (m[p][r] == 0) continue;
                /* the rotation in the (p, r) plane that zeroes m[p][r] */
                double theta = (m[r][r] - m[p][p]) / (2 * m[p][r]);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < 3; k++) {
                    double mkp = m[k][p], mkr = m[k][r];
                    m[k][p] = c * mkp - s * mkr, m[k][r] = s * mkp + c * mkr;
                }
                for (int k = 0; k < 3; k++) {
                    double mpk = m[p][k], mrk = m[r][k];
                    m[p][k] = c * mpk - s * mrk, m[r][k] = s * mpk + c * mrk;
                }
                for (int k = 0; k < 3; k++) {
                    double vkp = v[k][p], vkr = v[k][r];
                    v[k][p] = c * vkp - s * vkr, v[k][r] = s * vkp + c * vkr;
                }
            }
    }
    int order[3] = {0, 1, 2};
    for (int i = 1; i < 3; i++)
        for (int j = i; j > 0 && m[order[j - 1]][order[j - 1]] > m[order[j]][order[j]]; j--) {
            int t = order[j];
            order[j] = order[j - 1], order[j - 1] = t;
        }
    for (int i = 0; i < 3; i++) {
        values[i] = m[order[i]][order[i]];
        for (int k = 0; k < 3; k++) vectors[k][i] = v[k][order[i]];
    }
    /* right-handed: the third column is the cross product of the first two */
    double *c0[3] = {&vectors[0][0], &vectors[1][0], &vectors[2][0]};
    double *c1[3] = {&vectors[0][1], &vectors[1][1], &vectors[2][1]};
    double cross[3] = {*c0[1] * *c1[2] - *c0[2] * *c1[1], *c0[2] * *c1[0] - *c0[0] * *c1[2],
                       *c0[0] * *c1[1] - *c0[1] * *c1[0]};
    for (int k = 0; k < 3; k++) vectors[k][2] = cross[k];
}

/* ---- random generator ---- */

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void gsu_rng_seed(gsu_rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

uint64_t gsu_rng_next(gsu_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double gsu_rng_unit(gsu_rng *r) { return (double)(gsu_rng_next(r) >> 11) * 0x1.0p-53; }

double gsu_rng_uniform(gsu_rng *r, double a, double b) { return a + (b - a) * gsu_rng_unit(r); }

int64_t gsu_rng_int(gsu_rng *r, int64_t a, int64_t b) {
    /* Lemire-style rejection keeps every value equally likely */
    uint64_t span = (uint64_t)b - (uint64_t)a + 1;
    if (span == 0) return (int64_t)gsu_rng_next(r); /* the full 64-bit range */
    uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    uint64_t x;
    do x = gsu_rng_next(r);
    while (x >= limit);
    return (int64_t)((uint64_t)a + x % span);
}

double gsu_rng_normal(gsu_rng *r, double mean, double sd) {
    double u1 = 1.0 - gsu_rng_unit(r); /* (0, 1]: log stays finite */
    double u2 = gsu_rng_unit(r);
    return mean + sd * sqrt(-2 * log(u1)) * cos(2 * GS_PI * u2);
}

/* ---- hashing and names ---- */

uint64_t gsu_fnv1a(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Optimal string alignment: Levenshtein plus adjacent transpositions, the
 * commonest typing slip ("pirnt" is one edit from "print"). */
int gsu_edit_distance(const char *a, const char *b, int cap) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return cap + 1;
    int d[64][64];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int best = d[i][0];
        for (size_t j = 1; j <= lb; j++) {
            int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < best) best = v;
        }
        if (best > cap + 1) return cap + 1; /* a transposition may still lower it by one */
    }
    return d[la][lb] > cap ? cap + 1 : d[la][lb];
}

int gsu_suggestion_cap(const char *s) {
    /* short names tolerate one slip, longer ones a third of their length */
    size_t len = strlen(s);
    return len <= 3 ? 1 : len / 3 < 2 ? 2 : (int)(len / 3);
}

const char *gsu_nearest_name(const char *s, const char *const *names, size_t n) {
    int cap = gsu_suggestion_cap(s);
    const char *best = NULL;
    int best_d = cap + 1;
    for (size_t i = 0; i < n; i++) {
        int d = gsu_edit_distance(s, names[i], cap);
        if (d < best_d) best_d = d, best = names[i];
    }
    return best;
}

const char *gsu_suggest(const char *name, const char *const *names, size_t n, char *buf,
                        size_t len) {
    const char *near = gsu_nearest_name(name, names, n);
    if (near) {
        snprintf(buf, len, " (did you mean '%s'?)", near);
        return buf;
    }
    size_t used = (size_t)snprintf(buf, len, " (valid:");
    for (size_t i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s %s", i ? "," : "", names[i]);
    if (used < len) snprintf(buf + used, len - used, ")");
    else if (len > 5) strcpy(buf + len - 5, "...)");
    return buf;
}
