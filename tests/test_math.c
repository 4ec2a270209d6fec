/* Pose math against hand-computed cases, the generator, names. */
#include <stdint.h>

#include "check.h"
#include "gensim/math.h"

static void check_pose(const gs_pose *p, double x, double y, double z, const double q[4]) {
    CHECK_NEAR(p->pos[0], x, 1e-12);
    CHECK_NEAR(p->pos[1], y, 1e-12);
    CHECK_NEAR(p->pos[2], z, 1e-12);
    /* q and -q are the same rotation */
    double dot = 0;
    for (int i = 0; i < 4; i++) dot += p->rot[i] * q[i];
    CHECK_NEAR(fabs(dot), 1, 1e-12);
}

/* Eigen-decomposition of a symmetric matrix (A V = V diag), rotation
 * matrices and quaternions both ways, turns about an axis. */
static void test_rotations(void) {
    double a[3][3] = {{4, 1, 0.5}, {1, 3, 0.2}, {0.5, 0.2, 1}}, values[3], v[3][3];
    gsu_sym3_eigen(a, values, v);
    CHECK(values[0] <= values[1] && values[1] <= values[2]);
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 3; i++) {
            double av = 0;
            for (int j = 0; j < 3; j++) av += a[i][j] * v[j][k];
            CHECK_NEAR(av, values[k] * v[i][k], 1e-9);
        }
    double det = v[0][0] * (v[1][1] * v[2][2] - v[1][2] * v[2][1]) - v[0][1] * (v[1][0] * v[2][2] - v[1][2] * v[2][0]) +
                 v[0][2] * (v[1][0] * v[2][1] - v[1][1] * v[2][0]);
    CHECK_NEAR(det, 1, 1e-9);
    double trace = values[0] + values[1] + values[2];
    CHECK_NEAR(trace, 8, 1e-9);
    double q[4], m[3][3], back[4];
    gsu_quat_from_euler(0.3, -0.7, 2.9, q);
    gsu_quat_to_matrix(q, m);
    gsu_quat_from_matrix(m, back);
    double dot = 0;
    for (int i = 0; i < 4; i++) dot += q[i] * back[i];
    CHECK_NEAR(fabs(dot), 1, 1e-9);
    double axis[3] = {0, 0, 2}, turned[4], x[3] = {1, 0, 0}, out[3];
    gsu_quat_from_axis_angle(axis, GS_PI / 2, turned);
    gsu_quat_rotate(turned, x, out);
    CHECK_NEAR(out[1], 1, 1e-12);
    double zero[3] = {0, 0, 0};
    gsu_quat_from_axis_angle(zero, 1, turned);
    CHECK(turned[3] == 1);
}

int main(void) {
    test_rotations();
    /* a quarter turn about z maps x to y */
    gs_pose a = gsu_pose_xyz_yaw(1, 2, 3, GS_PI / 2);
    double v[3] = {1, 0, 0}, out[3];
    gsu_pose_apply(&a, v, out);
    CHECK_NEAR(out[0], 1, 1e-12);
    CHECK_NEAR(out[1], 3, 1e-12);
    CHECK_NEAR(out[2], 3, 1e-12);

    /* multiply: b in a's frame. a at (1,2,3) turned 90 deg; b 1 m along a's x,
     * turned 90 deg more: (1, 3, 3) at 180 deg */
    gs_pose b = gsu_pose_xyz_yaw(1, 0, 0, GS_PI / 2);
    gs_pose ab = gsu_pose_multiply(&a, &b);
    double half_turn[4] = {0, 0, 1, 0};
    check_pose(&ab, 1, 3, 3, half_turn);
    CHECK_NEAR(fabs(gsu_pose_yaw(&ab)), GS_PI, 1e-12);

    /* invert: a * a^-1 is the identity */
    gs_pose inv = gsu_pose_invert(&a);
    gs_pose id = gsu_pose_multiply(&a, &inv);
    double ident[4] = {0, 0, 0, 1};
    check_pose(&id, 0, 0, 0, ident);
    /* a^-1 maps a's origin back to zero: a^-1 * (1,2,3) = 0 */
    double origin[3] = {1, 2, 3};
    gsu_pose_apply(&inv, origin, out);
    CHECK_NEAR(out[0], 0, 1e-12);
    CHECK_NEAR(out[1], 0, 1e-12);
    CHECK_NEAR(out[2], 0, 1e-12);

    /* euler round trip and a known quaternion: roll 90 deg = (sin45, 0, 0, cos45) */
    double q[4];
    gsu_quat_from_euler(GS_PI / 2, 0, 0, q);
    CHECK_NEAR(q[0], sqrt(0.5), 1e-12);
    CHECK_NEAR(q[3], sqrt(0.5), 1e-12);
    double rpy[3];
    gsu_quat_from_euler(0.3, -0.2, 1.1, q);
    gsu_quat_to_euler(q, rpy);
    CHECK_NEAR(rpy[0], 0.3, 1e-12);
    CHECK_NEAR(rpy[1], -0.2, 1e-12);
    CHECK_NEAR(rpy[2], 1.1, 1e-12);

    /* wrapping modulo a symmetry period */
    CHECK_NEAR(gsu_wrap_angle(GS_PI / 2 + 0.1, GS_PI / 2), 0.1, 1e-12);
    CHECK_NEAR(gsu_wrap_angle(-0.1, GS_PI / 2), -0.1, 1e-12);
    CHECK_NEAR(gsu_wrap_angle(3 * GS_PI / 4 - 0.01, GS_PI), -GS_PI / 4 - 0.01, 1e-12);
    CHECK_NEAR(gsu_wrap_angle(5, 0), 5, 0);

    /* a box of 0.1 x 0.04 turned 90 deg has half extents 0.02 x 0.05 */
    double half[3] = {0.05, 0.02, 0.01}, ext[3];
    gsu_rotated_half_extents(a.rot, half, ext);
    CHECK_NEAR(ext[0], 0.02, 1e-12);
    CHECK_NEAR(ext[1], 0.05, 1e-12);
    CHECK_NEAR(ext[2], 0.01, 1e-12);
    gs_pose diag = gsu_pose_xyz_yaw(0, 0, 0, GS_PI / 4);
    gsu_rotated_half_extents(diag.rot, half, ext);
    CHECK_NEAR(ext[0], 0.07 / sqrt(2), 1e-12);

    /* sanity of poses */
    CHECK(gsu_pose_is_sane(&a, 10));
    gs_pose bad = a;
    bad.pos[0] = NAN;
    CHECK(!gsu_pose_is_sane(&bad, 10));
    bad = a;
    bad.pos[1] = 1e9;
    CHECK(!gsu_pose_is_sane(&bad, 10));
    bad = a;
    bad.rot[3] = 5;
    CHECK(!gsu_pose_is_sane(&bad, 10));

    /* the generator: the same seed, the same stream; ranges hold */
    gsu_rng r1, r2;
    gsu_rng_seed(&r1, 42);
    gsu_rng_seed(&r2, 42);
    int same = 1;
    for (int i = 0; i < 1000; i++) same &= gsu_rng_next(&r1) == gsu_rng_next(&r2);
    CHECK(same);
    gsu_rng_seed(&r2, 43);
    CHECK(gsu_rng_next(&r1) != gsu_rng_next(&r2));
    int seen[3] = {0, 0, 0}, in_range = 1;
    double sum = 0, sumsq = 0;
    for (int i = 0; i < 30000; i++) {
        int64_t k = gsu_rng_int(&r1, -1, 1);
        in_range &= k >= -1 && k <= 1;
        if (k >= -1 && k <= 1) seen[k + 1]++;
        double u = gsu_rng_unit(&r1);
        in_range &= u >= 0 && u < 1;
        double n = gsu_rng_normal(&r1, 2, 0.5);
        sum += n, sumsq += n * n;
    }
    CHECK(in_range);
    CHECK(seen[0] > 9000 && seen[1] > 9000 && seen[2] > 9000);
    CHECK_NEAR(sum / 30000, 2, 0.02);
    CHECK_NEAR(sqrt(sumsq / 30000 - (sum / 30000) * (sum / 30000)), 0.5, 0.02);
    gsu_rng_seed(&r1, 0);
    uint64_t first = gsu_rng_next(&r1);
    gsu_rng_seed(&r1, 0);
    CHECK(gsu_rng_next(&r1) == first);

    /* FNV-1a of "a" is a published constant */
    CHECK(gsu_fnv1a(GSU_FNV_OFFSET, "a", 1) == 0xaf63dc4c8601ec8cULL);

    /* SHA-256: the FIPS 180-4 examples, a million 'a's fed in odd pieces,
     * and the lengths around the padding's edge (55, 56, 64 bytes) */
    char hex[65];
    gsu_sha256 c;
    gsu_sha256_init(&c);
    gsu_sha256_hex(&c, hex);
    CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);
    gsu_sha256_init(&c);
    gsu_sha256_update(&c, "abc", 3);
    gsu_sha256_hex(&c, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    gsu_sha256_init(&c);
    gsu_sha256_update(&c, two, strlen(two));
    gsu_sha256_hex(&c, hex);
    CHECK(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0);
    static char million[1000000];
    memset(million, 'a', sizeof million);
    gsu_sha256_init(&c);
    for (size_t at = 0, step = 1; at < sizeof million; at += step, step = step * 7 % 997 + 1)
        gsu_sha256_update(&c, million + at, at + step <= sizeof million ? step : sizeof million - at);
    gsu_sha256_hex(&c, hex);
    CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0);
    gsu_sha256_init(&c);
    gsu_sha256_update(&c, million, 55);
    gsu_sha256_hex(&c, hex);
    CHECK(strcmp(hex, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318") == 0);
    gsu_sha256_init(&c);
    gsu_sha256_update(&c, million, 56);
    gsu_sha256_hex(&c, hex);
    CHECK(strcmp(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a") == 0);
    gsu_sha256_init(&c);
    gsu_sha256_update(&c, million, 64);
    gsu_sha256_hex(&c, hex);
    CHECK(strcmp(hex, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb") == 0);

    /* names */
    CHECK(gsu_edit_distance("kitten", "sitting", 10) == 3);
    static const char *const names[] = {"block", "bowl", "box", "ball"};
    CHECK(strcmp(gsu_nearest_name("blok", names, 4), "block") == 0);
    CHECK(gsu_nearest_name("pyramid", names, 4) == NULL);
    CHECK(gsu_edit_distance("pirnt", "print", 10) == 1); /* a transposition */
    CHECK(gsu_edit_distance("ca", "abc", 10) == 3);       /* OSA, not full Damerau */
    static const char *const api[] = {"int", "print", "gs"};
    CHECK(strcmp(gsu_nearest_name("pirnt", api, 3), "print") == 0);
    CHECK(gsu_nearest_name("io", api, 3) == NULL); /* two edits is too far for two letters */
    return CHECK_DONE();
}
