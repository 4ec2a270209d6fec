/* physics.h: the rigid-body world, a plain C face over Bullet.
 *
 * Only core/src/physics/bullet_bridge.cpp includes a Bullet header. Bodies are
 * numbered from 0 in the order they were added; the table is not a body but
 * answers contact queries as GS_BODY_TABLE. The world steps at a fixed
 * timestep with no interpolation, so the same calls give the same states bit
 * for bit. */
#ifndef GENSIM_PHYSICS_H
#define GENSIM_PHYSICS_H

#include <stdio.h>

#include "gensim/math.h"
#include "gensim/status.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

#define GS_BODY_TABLE (-2) /* the table top, z = 0, in contact queries */
#define GS_BODY_NONE (-1)

typedef enum gs_shape_type {
    GS_SHAPE_BOX,
    GS_SHAPE_CYLINDER,
    GS_SHAPE_SPHERE,
    GS_SHAPE_MESH /* the convex hull of a gs_mesh's vertices */
} gs_shape_type;

/* One convex part of a body. size is always the full extent (3) in metres:
 * a box's x, y, z; a cylinder's diameter, diameter, height (axis along its
 * local z); a sphere's diameter three times; a mesh's bounding box, which
 * its vertices are centred in. */
typedef struct gs_shape {
    gs_shape_type type;
    double size[3];
    gs_pose local; /* the part's pose in the body frame */
} gs_shape;

/* A mesh part's geometry: the hull of the vertices collides, the
 * triangles are drawn and weighed. */
typedef struct gs_mesh {
    const float *vertices;  /* (nvertices x 3) in the part's frame, metres */
    int nvertices;          /* 4 .. GS_MESH_MAX_VERTICES */
    const int *triangles;   /* (ntriangles x 3) vertex indices, counter-clockwise from outside */
    int ntriangles;
} gs_mesh;

#define GS_MESH_MAX_VERTICES 4096

/* Where a body's mass sits: the centre of mass and principal axes (frame,
 * in the body frame) and the moments of inertia about those axes. */
typedef struct gs_inertial {
    gs_pose frame;
    double moments[3];      /* kg m^2 */
} gs_inertial;

/* The inertial of parts of uniform density and total mass (kg): each
 * part's exact volume and inertia (a closed mesh's from its triangles, an
 * open one's from its box), moved to the common centre of mass and
 * diagonalised. meshes is (nshapes), nullable when no part is a mesh.
 * GS_ERR_USAGE when the parts have no volume or mass is not positive. */
GS_API gs_status gs_shapes_inertial(const gs_shape *shapes, const gs_mesh *const *meshes, int nshapes,
                                    double mass, gs_inertial *out);

/* What a body is made of and where it starts. */
typedef struct gs_body_desc {
    const gs_shape *shapes; /* (nshapes) parts; several make a compound */
    int nshapes;
    const gs_mesh *const *meshes; /* (nshapes) each GS_SHAPE_MESH part's mesh; nullable
                                   * when there is none */
    const gs_inertial *inertial; /* nullable: Bullet's estimate from the parts' bounding box
                                  * about the body origin; else this (a dynamic body's centre
                                  * of mass and inertia, from gs_shapes_inertial or a file) */
    double mass;        /* kg; 0 makes a fixed body */
    double friction;    /* Coulomb coefficient */
    double restitution; /* bounce, 0 for none */
    gs_pose pose;       /* the body frame in the world */
    int kinematic;      /* 1: moved by the host, pushes others, is not pushed */
    int collides;       /* 0: a visual marker that nothing touches */
} gs_body_desc;

typedef struct gs_world_options {
    double timestep;       /* seconds per step; 1/240 */
    double gravity;        /* m/s^2 along -z; 9.8 */
    int solver_iterations; /* 10 */
    int max_bodies;        /* adding more fails; 256 */
} gs_world_options;

typedef struct gs_world gs_world;

/* Defaults as listed in gs_world_options. */
GS_API gs_world_options gs_world_options_default(void);
/* A world with the table and nothing on it; NULL (and err) on failure. */
GS_API gs_world *gs_world_create(const gs_world_options *opt, char *err, size_t errlen);
/* Frees the world and every body in it; w may be NULL. */
GS_API void gs_world_free(gs_world *w);

/* How many contact manifolds and collision algorithms a world of
 * max_bodies preallocates (more spill to the heap); bench/bare_bullet
 * mirrors it. */
GS_API int gs_world_pool_size(int max_bodies);

/* Adds a body; returns its number, or GS_BODY_NONE (and err) when the
 * description is invalid or the world is full. */
GS_API int gs_world_add_body(gs_world *w, const gs_body_desc *d, char *err, size_t errlen);
/* The number of bodies added. */
GS_API int gs_world_body_count(const gs_world *w);
/* 1 when the body is dynamic (mass > 0, not kinematic). */
GS_API int gs_world_body_is_dynamic(const gs_world *w, int body);

/* The body frame's pose in the world. */
GS_API void gs_world_get_pose(const gs_world *w, int body, gs_pose *out);
/* Moves a body: a dynamic body is teleported and stopped; a kinematic body
 * is moved so that the next step sees the velocity of the move. */
GS_API void gs_world_set_pose(gs_world *w, int body, const gs_pose *pose);
/* Linear (3) and angular (3) velocity; either may be NULL. */
GS_API void gs_world_get_velocity(const gs_world *w, int body, double lin[3], double ang[3]);

/* Where a dynamic body that falls past the table stops (m): every step
 * leaves such a body at rest, no longer simulated, where it got to. */
#define GS_FALLEN_Z (-0.5)

/* Advances the world by n fixed steps. */
GS_API void gs_world_step(gs_world *w, int n);
/* The number of steps taken since the world was created. */
GS_API long gs_world_steps(const gs_world *w);
/* The seconds one step advances (the options' timestep). */
GS_API double gs_world_timestep(const gs_world *w);
/* The largest linear speed (m/s) of any dynamic body, for settling. */
GS_API double gs_world_max_speed(const gs_world *w);
/* GS_BODY_NONE when every pose and velocity is finite, else the first
 * body whose state is not. */
GS_API int gs_world_first_invalid(const gs_world *w);

/* Writes up to max bodies (GS_BODY_TABLE included) whose contact with body
 * is closer than tolerance metres, as of the last step, in ascending order;
 * returns how many there are (which may exceed max). others may be NULL
 * when max is 0. */
GS_API int gs_world_contacts(const gs_world *w, int body, double tolerance, int *others, int max);
/* The smallest contact distance (metres, negative when overlapping) between
 * body and any other body except exclude (GS_BODY_NONE for none), as of the
 * last step; *other (nullable) names that body, GS_BODY_TABLE included.
 * Only pairs within Bullet's contact threshold (about 2 cm) are seen; with
 * none it returns GS_FAR and *other = GS_BODY_NONE. Ties go to the lower
 * number. */
#define GS_FAR 1e30
GS_API double gs_world_nearest_contact(const gs_world *w, int body, int exclude, int *other);
/* Runs collision detection now, without stepping, and returns the deepest
 * penetration (metres, >= 0) between any two bodies or a body and the
 * table; *a and *b (nullable) name the pair. Markers take no part. */
GS_API double gs_world_max_penetration(gs_world *w, int *a, int *b);

/* Welds body b to body a as they are now posed; collisions between the two
 * stop. Returns a handle >= 0, or -1. */
GS_API int gs_world_attach(gs_world *w, int a, int b);
/* Joins two dynamic bodies for good at a point: pivot_a (3) in a's frame
 * and pivot_b (3) in b's frame stay together, the bodies turn freely about
 * it, and they stop colliding with each other (beads of a rope). Returns 0,
 * or -1 when the bodies cannot be linked. */
GS_API int gs_world_link(gs_world *w, int a, int b, const double pivot_a[3], const double pivot_b[3]);
/* Removes a weld made by gs_world_attach; an invalid handle is ignored. */
GS_API void gs_world_detach(gs_world *w, int handle);

/* ---- joints ---- */

typedef enum gs_joint_type {
    GS_JOINT_REVOLUTE,   /* turns about the axis within limits */
    GS_JOINT_CONTINUOUS, /* turns about the axis without limits */
    GS_JOINT_PRISMATIC   /* slides along the axis within limits */
} gs_joint_type;

/* A joint between two bodies as they are posed when it is made: that pose
 * is position `position`, and positive positions turn the child about the
 * axis (right hand) or slide it along the axis. */
typedef struct gs_joint_desc {
    gs_joint_type type;
    int parent, child;   /* bodies: the child dynamic, the parent fixed or dynamic */
    double anchor[3];    /* a point of the axis in the parent's body frame */
    double axis[3];      /* the axis in the parent's body frame (normalised here) */
    double position;     /* the joint's position in the pose the bodies are in, m or rad */
    double lower, upper; /* limits, m or rad, lower <= upper, a revolute range under 2 pi;
                          * ignored for a continuous joint */
    double friction;     /* N or N m needed to move it: it stays where it is left */
    double damping;      /* N s/m or N m s/rad: more resistance the faster it moves */
} gs_joint_desc;

/* Adds a joint; returns its number (from 0, in order), or -1 (and err) when
 * the description is invalid. The two bodies stop colliding with each
 * other. */
GS_API int gs_world_add_joint(gs_world *w, const gs_joint_desc *d, char *err, size_t errlen);
/* The number of joints added. */
GS_API int gs_world_joint_count(const gs_world *w);
/* The joint that moves body (the joint's child), or -1. */
GS_API int gs_world_body_joint(const gs_world *w, int body);
/* A joint's position (m or rad; a continuous joint's counts whole turns)
 * and velocity as of the last step or pose change; either nullable. */
GS_API void gs_world_joint_state(const gs_world *w, int joint, double *position, double *velocity);

/* Holds dynamic body b at a point (3, in the world) to a kinematic body a,
 * free to turn about it, as a suction cup drags a handle; the two stop
 * colliding. Returns a handle for gs_world_detach, or -1. */
GS_API int gs_world_grip(gs_world *w, int a, int b, const double point[3]);

/* Benchmarking hooks. A trace is a text record of every call that changes a
 * world, one line each, so that bench/bare_bullet can replay the same bodies
 * through the same motion with bare Bullet objects. Floats are C99 hex (%a)
 * and read back bit for bit; POSE is x y z qx qy qz qw, as passed in:
 *   world TIMESTEP GRAVITY SOLVER_ITERATIONS MAX_BODIES BODIES STEPS
 *   body ID MASS FRICTION RESTITUTION KINEMATIC COLLIDES POSE NSHAPES
 *        then NSHAPES times: TYPE SIZE_X SIZE_Y SIZE_Z LOCAL_POSE
 *        (a mesh part then: NVERTICES X Y Z ...),
 *        then INERTIAL: 0, or 1 FRAME_POSE MOMENT_X MOMENT_Y MOMENT_Z
 *   pose ID POSE          gs_world_set_pose
 *   attach A B HANDLE     a successful gs_world_attach
 *   link A B PA_XYZ PB_XYZ  a successful gs_world_link
 *   joint ID TYPE PARENT CHILD ANCHOR_XYZ AXIS_XYZ POSITION LOWER UPPER FRICTION DAMPING
 *   grip A B POINT_XYZ HANDLE  a successful gs_world_grip
 *   detach HANDLE         gs_world_detach of a live handle
 *   step N                gs_world_step
 *   collide               gs_world_max_penetration's collision pass
 *   final ID POSE         every body's pose as the world is freed
 *   free
 * A world line's BODIES and STEPS are nonzero only when tracing started late,
 * and such a trace cannot be replayed. Writes are not checked: the caller
 * owns f and tests ferror() when done. With no trace a call pays one NULL
 * test. */

/* Traces w to f from now on (writing its world line); f NULL stops. f
 * must stay open until w is freed or its trace stopped. */
GS_API void gs_world_set_trace(gs_world *w, FILE *f);
/* Makes every world created from now on trace to f (NULL: none). Process
 * wide and not thread safe: meant for gensim-run --trace, whose worlds are
 * made deep inside the task code. */
GS_API void gs_world_trace_all(FILE *f);

GS_END_DECLS

#endif
