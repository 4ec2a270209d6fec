/* math.h: poses, the seeded random generator, hashing and name matching.
 *
 * Pure utilities (prefix gsu_): no allocation, no global state. A pose is a
 * position in metres and a unit quaternion (x, y, z, w), as in the Lua API. */
#ifndef GENSIM_MATH_H
#define GENSIM_MATH_H

#include <stddef.h>
#include <stdint.h>
#include "gensim/export.h"

GS_BEGIN_DECLS

/* pi, which strict C11 does not define. */
#define GS_PI 3.14159265358979323846

/* The Ravens workspace, metres: what the robot reaches, what a task's
 * objects must stay inside, what the top-down view covers. */
#define GS_WS_X0 0.25
#define GS_WS_X1 0.75
#define GS_WS_Y0 (-0.5)
#define GS_WS_Y1 0.5
#define GS_WS_Z1 0.3

/* A rigid transform: pos (3) in metres, rot (4) quaternion x, y, z, w. */
typedef struct gs_pose {
    double pos[3];
    double rot[4];
} gs_pose;

/* The identity pose. */
GS_API gs_pose gsu_pose_identity(void);
/* A pose at (x, y, z) turned by yaw radians about the world z axis. */
GS_API gs_pose gsu_pose_xyz_yaw(double x, double y, double z, double yaw);
/* a * b: b given in a's frame, returned in the world's. */
GS_API gs_pose gsu_pose_multiply(const gs_pose *a, const gs_pose *b);
/* The inverse transform of p. */
GS_API gs_pose gsu_pose_invert(const gs_pose *p);
/* Maps point v (3) from the pose's frame to the world's into out (3). */
GS_API void gsu_pose_apply(const gs_pose *p, const double v[3], double out[3]);
/* Rotates vector v (3) by quaternion q (4) into out (3). */
GS_API void gsu_quat_rotate(const double q[4], const double v[3], double out[3]);
/* q = a * b (Hamilton product), all (4). */
GS_API void gsu_quat_multiply(const double a[4], const double b[4], double q[4]);
/* Quaternion (4) from roll, pitch, yaw (extrinsic x, y, z). */
GS_API void gsu_quat_from_euler(double roll, double pitch, double yaw, double q[4]);
/* Roll, pitch, yaw (3) of quaternion q (4). */
GS_API void gsu_quat_to_euler(const double q[4], double rpy[3]);
/* Normalises q (4) in place; a zero quaternion becomes the identity. */
GS_API void gsu_quat_normalize(double q[4]);
/* The yaw of a pose's rotation about world z, in (-pi, pi]. */
GS_API double gsu_pose_yaw(const gs_pose *p);
/* Wraps an angle into (-period/2, period/2]; period <= 0 means no wrapping. */
GS_API double gsu_wrap_angle(double a, double period);
/* 1 when every component is finite and |pos| <= limit and |rot| ~ 1. */
GS_API int gsu_pose_is_sane(const gs_pose *p, double limit);
/* Half extents (3) of the world-axis-aligned box around a box of half
 * extents half (3) turned by q (4). */
GS_API void gsu_rotated_half_extents(const double q[4], const double half[3], double out[3]);
/* Quaternion (4) of a turn by angle radians about axis (3, any length;
 * a zero axis gives the identity). */
GS_API void gsu_quat_from_axis_angle(const double axis[3], double angle, double q[4]);
/* Quaternion (4) of rotation matrix m (3 x 3, row-major, orthonormal with
 * determinant 1). */
GS_API void gsu_quat_from_matrix(const double m[3][3], double q[4]);
/* Rotation matrix (3 x 3, row-major) of quaternion q (4). */
GS_API void gsu_quat_to_matrix(const double q[4], double m[3][3]);
/* Eigenvalues (3) and unit eigenvectors (the columns of vectors, 3 x 3) of
 * the symmetric matrix a (3 x 3), by Jacobi rotations: ascending values,
 * the vectors a right-handed frame. The same input gives the same bits. */
GS_API void gsu_sym3_eigen(const double a[3][3], double values[3], double vectors[3][3]);

/* The episode's random generator: xoshiro256**, seeded by splitmix64. The
 * same seed gives the same stream on every machine. */
typedef struct gsu_rng {
    uint64_t s[4];
} gsu_rng;

/* Seeds the generator; any 64-bit seed, 0 included, is valid. */
GS_API void gsu_rng_seed(gsu_rng *r, uint64_t seed);
/* The next 64 random bits. */
GS_API uint64_t gsu_rng_next(gsu_rng *r);
/* A double uniform in [0, 1) with 53 random bits. */
GS_API double gsu_rng_unit(gsu_rng *r);
/* A double uniform in [a, b). */
GS_API double gsu_rng_uniform(gsu_rng *r, double a, double b);
/* An integer uniform in [a, b], both ends included; requires a <= b. */
GS_API int64_t gsu_rng_int(gsu_rng *r, int64_t a, int64_t b);
/* A normal deviate (Box-Muller, no cached second value). */
GS_API double gsu_rng_normal(gsu_rng *r, double mean, double sd);

/* 64-bit FNV-1a over n bytes, continuing from h (start with GSU_FNV_OFFSET). */
#define GSU_FNV_OFFSET 0xcbf29ce484222325ULL
GS_API uint64_t gsu_fnv1a(uint64_t h, const void *data, size_t n);

/* SHA-256 (FIPS 180-4), for provenance: which bytes a task came from. */
typedef struct gsu_sha256 {
    uint32_t h[8];
    uint64_t bytes;           /* message length so far */
    unsigned char block[64];  /* the block being filled */
} gsu_sha256;
GS_API void gsu_sha256_init(gsu_sha256 *c);
GS_API void gsu_sha256_update(gsu_sha256 *c, const void *data, size_t n);
/* The digest as 64 lowercase hex digits and a NUL into hex (65). */
GS_API void gsu_sha256_hex(gsu_sha256 *c, char hex[65]);

/* Edit distance (insertions, deletions, substitutions and adjacent
 * transpositions) between two strings, capped at cap + 1. */
GS_API int gsu_edit_distance(const char *a, const char *b, int cap);
/* How many edits a suggestion for s may be away: 1 for names of up to 3
 * letters, else max(2, len / 3). */
GS_API int gsu_suggestion_cap(const char *s);
/* The name in names (n) nearest to s by edit distance, or NULL when none is
 * close: within 1 edit for names of up to 3 letters, else max(2, len / 3). */
GS_API const char *gsu_nearest_name(const char *s, const char *const *names, size_t n);
/* A hint for a misspelt name, into buf (len) and returned: " (did you mean
 * 'x'?)" when one of names (n) is near, else " (valid: a, b, ...)". */
GS_API const char *gsu_suggest(const char *name, const char *const *names, size_t n, char *buf,
                        size_t len);

GS_END_DECLS

#endif
