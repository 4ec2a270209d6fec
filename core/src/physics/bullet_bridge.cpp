/* bullet_bridge.cpp: physics.h over Bullet 3 rigid bodies.
 *
 * The only C++ in the project and the only file that sees a Bullet header.
 * Every entry point is extern "C" and catches what C++ could throw, so a C
 * caller only ever sees a status, a NULL or GS_BODY_NONE.
 *
 * Determinism: one internal step of exactly the timestep per step, no motion
 * state interpolation, no randomised solver order, and Bullet's
 * m_deterministicOverlappingPairs so that pairs are processed and island
 * manifolds solved in the order of the broadphase proxies' unique ids (the
 * order bodies were added), not in an order that depends on heap addresses.
 * Every query that walks the manifolds sorts or tie-breaks by body number for
 * the same reason. */
extern "C" {
#include "gensim/physics.h"
}

#include "physics/cylinder_pairs.h"

#include <BulletCollision/CollisionDispatch/btActivatingCollisionAlgorithm.h>
#include <BulletCollision/CollisionDispatch/btCollisionObjectWrapper.h>
#include <BulletCollision/CollisionDispatch/btConvexConvexAlgorithm.h>
#include <BulletCollision/NarrowPhaseCollision/btGjkEpaPenetrationDepthSolver.h>
#include <BulletCollision/NarrowPhaseCollision/btGjkPairDetector.h>
#include <BulletCollision/NarrowPhaseCollision/btPointCollector.h>
#include <BulletCollision/NarrowPhaseCollision/btVoronoiSimplexSolver.h>
#include <BulletCollision/CollisionShapes/btConvexHullShape.h>
#include <btBulletDynamicsCommon.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

namespace {

enum body_kind { KIND_DYNAMIC, KIND_FIXED, KIND_KINEMATIC, KIND_MARKER };

/* One body of the world and everything it owns. */
struct gs_body {
    body_kind kind;
    btRigidBody *rb;                          /* NULL for a marker */
    btCollisionShape *shape;                  /* what rb collides with */
    std::vector<btCollisionShape *> children; /* a compound's parts */
    btDefaultMotionState *motion;             /* kinematic bodies only */
    btTransform marker_pose;                  /* a marker's pose */
    int welds;                                /* attach handles holding it */
    bool shifted;                             /* the body's frame is not Bullet's: */
    btTransform com;                          /* its centre of mass frame in the body frame */
};

/* A joint and what the bridge tracks of it between steps. */
struct gs_joint {
    gs_joint_type type;
    int parent, child;
    btTypedConstraint *c; /* a btHingeConstraint or a btSliderConstraint */
    btVector3 axis;       /* the axis in the parent's centre of mass frame */
    double mid;           /* a revolute joint's position where Bullet's angle is 0 */
    double friction, damping;
    double position, velocity;
    double raw;           /* Bullet's hinge angle at the last update, to count turns */
};

/* A 3 m square slab whose top is z = 0, centred under the workspace. */
const btScalar TABLE_HALF_XY = 1.5f;
const btScalar TABLE_HALF_Z = 0.05f;
const btScalar TABLE_CENTRE_X = 0.5f;
/* Collision margin for parts of 2-5 cm; Bullet's 4 cm default would round
 * such a block into a pebble. */
const double MARGIN = 0.001;
/* Descriptions beyond these are errors, not physics. */
const double POSE_LIMIT = 100.0;
const double SIZE_LIMIT = 10.0;
const int MAX_SHAPES = 256;
/* Bullet's default sleeping thresholds (0.8 m/s, 1 rad/s) would freeze a
 * block still sliding at 0.5 m/s; these only let truly resting bodies sleep. */
const btScalar SLEEP_LINEAR = 0.005f;
const btScalar SLEEP_ANGULAR = 0.02f;
/* Kinematic bodies meet fixed ones (so the tip can feel the table) but not
 * each other. */
const int KINEMATIC_GROUP = btBroadphaseProxy::KinematicFilter;
const int KINEMATIC_MASK = btBroadphaseProxy::AllFilter ^ btBroadphaseProxy::KinematicFilter;

} // namespace

struct gs_world {
    gs_world_options opt;
    btDefaultCollisionConfiguration *config;
    btCollisionDispatcher *dispatcher;
    gs_cylinder_pairs *cylinder_pairs; /* see cylinder_pairs.h */
    btDbvtBroadphase *broadphase;
    btSequentialImpulseConstraintSolver *solver;
    btDiscreteDynamicsWorld *world;
    btBoxShape *table_shape;
    btRigidBody *table;
    std::vector<gs_body> bodies;
    std::vector<btTypedConstraint *> welds; /* NULL marks a free handle */
    std::vector<btTypedConstraint *> links; /* permanent joints, freed with the world */
    std::vector<gs_joint> joints;           /* gs_world_add_joint's, in order */
    mutable std::vector<int> scratch;       /* contact lists, sized once */
    long steps;
    FILE *trace; /* the benchmark's call record, or NULL */
};

/* What gs_world_trace_all asked every new world to trace to. */
static FILE *trace_default = NULL;

static void fail(char *err, size_t errlen, const char *msg, int index);
static const char *check_options(const gs_world_options *opt);
static const char *check_desc(const gs_world *w, const gs_body_desc *d, int *bad_shape);
static const char *check_mesh(const gs_mesh *m);
static btCollisionShape *make_part(const gs_shape *s, const gs_mesh *mesh);
static btTransform body_frame(const gs_body &b);
static void make_shape(gs_body *b, const gs_body_desc *d);
static void joints_before_step(gs_world *w);
static void joint_update(gs_world *w, gs_joint &j, bool resync);
static void trace_joint(const gs_world *w, int id, const gs_joint_desc *d);
static int add_weld(gs_world *w, int a, int b, btTypedConstraint *c);
static const char *check_joint(const gs_world *w, const gs_joint_desc *d);
static btTransform to_bt(const gs_pose *p);
static void from_bt(const btTransform &t, gs_pose *out);
static bool is_identity(const gs_pose *p);
static int body_id(const btCollisionObject *o);
static void wake_touching(gs_world *w, const btCollisionObject *o);
static void free_body(gs_world *w, gs_body *b);
static double static_pair_depth(gs_world *w, btCollisionObject *a, btCollisionObject *b);
static void stop_fallen(gs_world *w);
static bool valid_body(const gs_world *w, int body);
static void trace_world(const gs_world *w);
static void trace_body(const gs_world *w, int id, const gs_body_desc *d);
static void trace_final(const gs_world *w);
static void put_pose(FILE *f, const gs_pose *p);

extern "C" {

gs_world_options gs_world_options_default(void) {
    gs_world_options o;
    o.timestep = 1.0 / 240.0;
    o.gravity = 9.8;
    o.solver_iterations = 10;
    o.max_bodies = 256;
    return o;
}

gs_world *gs_world_create(const gs_world_options *opt, char *err, size_t errlen) {
    gs_world_options o = opt ? *opt : gs_world_options_default();
    const char *bad = check_options(&o);
    if (bad) {
        fail(err, errlen, bad, -1);
        return NULL;
    }
    gs_world *w = NULL;
    try {
        w = new gs_world();
        w->opt = o;
        w->steps = 0;
        w->bodies.reserve((size_t)o.max_bodies);
        w->scratch.resize((size_t)o.max_bodies + 1);
        /* Bullet's default pools hold 4096 manifolds and algorithms, and
         * clearing them cost a tenth of a short episode; pools sized to the
         * scene do the same work, and overflow falls back to the heap. */
        btDefaultCollisionConstructionInfo pools;
        pools.m_defaultMaxPersistentManifoldPoolSize = gs_world_pool_size(o.max_bodies);
        pools.m_defaultMaxCollisionAlgorithmPoolSize = gs_world_pool_size(o.max_bodies);
        w->config = new btDefaultCollisionConfiguration(pools);
        /* several contact points per convex pair per step: one point lets a
         * body standing on another tip onto an edge (the extra points come
         * from queries with a body turned far enough to invent contacts on
         * centimetre bodies; see cylinder_pairs.h) */
        w->config->setConvexConvexMultipointIterations(4, 3);
        w->dispatcher = new btCollisionDispatcher(w->config);
        /* ...but not for a movable cylinder: see cylinder_pairs.h */
        w->cylinder_pairs = gs_cylinder_pairs_install(w->dispatcher, w->config);
        if (!w->cylinder_pairs) throw std::bad_alloc();
        w->broadphase = new btDbvtBroadphase();
        w->solver = new btSequentialImpulseConstraintSolver();
        w->world = new btDiscreteDynamicsWorld(w->dispatcher, w->broadphase, w->solver, w->config);
    } catch (const std::bad_alloc &) {
        gs_world_free(w);
        fail(err, errlen, "out of memory creating the world", -1);
        return NULL;
    }
    btDiscreteDynamicsWorld *dw = w->world;
    dw->setGravity(btVector3(0, 0, (btScalar)-o.gravity));
    dw->getSolverInfo().m_numIterations = o.solver_iterations;
    dw->getDispatchInfo().m_deterministicOverlappingPairs = true;
    /* Static bodies only move through gs_world_set_pose, which updates their
     * boxes itself; re-boxing every fixed body every step is wasted work. */
    dw->setForceUpdateAllAabbs(false);

    w->table_shape = new btBoxShape(btVector3(TABLE_HALF_XY, TABLE_HALF_XY, TABLE_HALF_Z));
    w->table_shape->setMargin((btScalar)MARGIN);
    btRigidBody::btRigidBodyConstructionInfo info(0, NULL, w->table_shape);
    info.m_startWorldTransform.setIdentity();
    info.m_startWorldTransform.setOrigin(btVector3(TABLE_CENTRE_X, 0, -TABLE_HALF_Z));
    /* Bullet multiplies the two bodies' coefficients: a table of 1 and 0
     * leaves each object's own friction and restitution in charge. */
    info.m_friction = 1;
    info.m_restitution = 0;
    w->table = new btRigidBody(info);
    w->table->setUserIndex(GS_BODY_TABLE);
    dw->addRigidBody(w->table);
    w->trace = trace_default;
    if (w->trace) trace_world(w);
    return w;
}

void gs_world_free(gs_world *w) {
    if (!w) return;
    if (w->trace) trace_final(w);
    if (w->world) {
        for (std::vector<btTypedConstraint *> *list : {&w->welds, &w->links})
            for (btTypedConstraint *c : *list)
                if (c) {
                    w->world->removeConstraint(c);
                    delete c;
                }
        for (gs_joint &j : w->joints) {
            w->world->removeConstraint(j.c);
            delete j.c;
        }
        for (gs_body &b : w->bodies) free_body(w, &b);
        if (w->table) {
            w->world->removeRigidBody(w->table);
            delete w->table;
        }
    }
    delete w->table_shape;
    delete w->world;
    delete w->solver;
    delete w->broadphase;
    delete w->dispatcher;
    gs_cylinder_pairs_free(w->cylinder_pairs);
    delete w->config;
    delete w;
}

int gs_world_add_body(gs_world *w, const gs_body_desc *d, char *err, size_t errlen) {
    if (!w || !d) {
        fail(err, errlen, "add_body: no world or no description", -1);
        return GS_BODY_NONE;
    }
    int bad_shape = -1;
    const char *bad = check_desc(w, d, &bad_shape);
    if (bad) {
        fail(err, errlen, bad, bad_shape);
        return GS_BODY_NONE;
    }
    int id = (int)w->bodies.size();
    gs_body b;
    b.kind = !d->collides   ? KIND_MARKER
             : d->kinematic ? KIND_KINEMATIC
             : d->mass > 0  ? KIND_DYNAMIC
                            : KIND_FIXED;
    b.rb = NULL;
    b.shape = NULL;
    b.motion = NULL;
    b.welds = 0;
    /* Only a dynamic body has a mass to place; the others keep their frame. */
    b.shifted = b.kind == KIND_DYNAMIC && d->inertial;
    b.com.setIdentity();
    if (b.shifted) {
        gs_pose com = d->inertial->frame;
        gsu_quat_normalize(com.rot);
        b.com = to_bt(&com);
    }
    gs_pose start = d->pose;
    gsu_quat_normalize(start.rot);
    b.marker_pose = to_bt(&start);
    try {
        if (b.kind == KIND_MARKER) {
            /* A marker never enters the world: it has a pose and nothing
             * else, so it cannot touch, slow or wake anything. */
            w->bodies.push_back(b);
            if (w->trace) trace_body(w, id, d);
            return id;
        }
        make_shape(&b, d);
        btScalar mass = b.kind == KIND_DYNAMIC ? (btScalar)d->mass : 0;
        btVector3 inertia(0, 0, 0);
        if (mass > 0 && b.shifted)
            inertia = btVector3((btScalar)d->inertial->moments[0], (btScalar)d->inertial->moments[1],
                                (btScalar)d->inertial->moments[2]);
        else if (mass > 0)
            b.shape->calculateLocalInertia(mass, inertia);
        if (b.kind == KIND_KINEMATIC) b.motion = new btDefaultMotionState(b.marker_pose);
        btRigidBody::btRigidBodyConstructionInfo info(mass, b.motion, b.shape, inertia);
        info.m_startWorldTransform = b.shifted ? b.marker_pose * b.com : b.marker_pose;
        info.m_friction = (btScalar)d->friction;
        info.m_restitution = (btScalar)d->restitution;
        info.m_linearSleepingThreshold = SLEEP_LINEAR;
        info.m_angularSleepingThreshold = SLEEP_ANGULAR;
        b.rb = new btRigidBody(info);
        b.rb->setUserIndex(id);
        if (b.kind == KIND_KINEMATIC) {
            b.rb->setCollisionFlags(b.rb->getCollisionFlags() |
                                    btCollisionObject::CF_KINEMATIC_OBJECT);
            b.rb->setActivationState(DISABLE_DEACTIVATION);
            w->world->addRigidBody(b.rb, KINEMATIC_GROUP, KINEMATIC_MASK);
        } else {
            w->world->addRigidBody(b.rb);
        }
        w->bodies.push_back(b);
    } catch (const std::bad_alloc &) {
        free_body(w, &b);
        fail(err, errlen, "out of memory adding a body", -1);
        return GS_BODY_NONE;
    }
    if (w->trace) trace_body(w, id, d);
    return id;
}

int gs_world_body_count(const gs_world *w) { return w ? (int)w->bodies.size() : 0; }

int gs_world_body_is_dynamic(const gs_world *w, int body) {
    return valid_body(w, body) && w->bodies[(size_t)body].kind == KIND_DYNAMIC;
}

void gs_world_get_pose(const gs_world *w, int body, gs_pose *out) {
    if (!out) return;
    if (!valid_body(w, body)) {
        *out = gsu_pose_identity();
        return;
    }
    from_bt(body_frame(w->bodies[(size_t)body]), out);
}

void gs_world_set_pose(gs_world *w, int body, const gs_pose *pose) {
    if (!valid_body(w, body) || !pose) return;
    if (w->trace) {
        fprintf(w->trace, "pose %d", body);
        put_pose(w->trace, pose);
        fputc('\n', w->trace);
    }
    gs_pose p = *pose;
    gsu_quat_normalize(p.rot);
    btTransform t = to_bt(&p);
    gs_body &b = w->bodies[(size_t)body];
    if (b.kind == KIND_MARKER) {
        b.marker_pose = t;
        return;
    }
    if (b.kind == KIND_KINEMATIC) {
        /* The next step reads the motion state and derives the velocity
         * from the pose of the previous step; setting the world transform
         * too only makes the new pose visible to queries right away. */
        b.motion->setWorldTransform(t);
        b.rb->setWorldTransform(t);
        return;
    }
    /* Whatever rested on the body must not sleep in mid-air. */
    wake_touching(w, b.rb);
    if (b.shifted) t = t * b.com;
    b.rb->setWorldTransform(t);
    b.rb->setInterpolationWorldTransform(t);
    if (b.kind == KIND_DYNAMIC) {
        b.rb->setLinearVelocity(btVector3(0, 0, 0));
        b.rb->setAngularVelocity(btVector3(0, 0, 0));
        b.rb->setInterpolationLinearVelocity(btVector3(0, 0, 0));
        b.rb->setInterpolationAngularVelocity(btVector3(0, 0, 0));
        b.rb->clearForces();
        b.rb->activate(true);
    }
    w->world->updateSingleAabb(b.rb);
    for (gs_joint &j : w->joints)
        if (j.parent == body || j.child == body) joint_update(w, j, true);
}

void gs_world_get_velocity(const gs_world *w, int body, double lin[3], double ang[3]) {
    btVector3 l(0, 0, 0), a(0, 0, 0);
    if (valid_body(w, body) && w->bodies[(size_t)body].rb) {
        l = w->bodies[(size_t)body].rb->getLinearVelocity();
        a = w->bodies[(size_t)body].rb->getAngularVelocity();
    }
    for (int i = 0; i < 3; i++) {
        if (lin) lin[i] = l[i];
        if (ang) ang[i] = a[i];
    }
}

void gs_world_step(gs_world *w, int n) {
    if (!w) return;
    if (w->trace && n > 0) fprintf(w->trace, "step %d\n", n);
    btScalar dt = (btScalar)w->opt.timestep;
    for (int i = 0; i < n; i++) {
        joints_before_step(w);
        /* maxSubSteps = 0: exactly one internal step of dt, no leftover
         * time carried between calls, no interpolated poses. */
        w->world->stepSimulation(dt, 0, dt);
        w->steps++;
        for (gs_joint &j : w->joints) joint_update(w, j, false);
        stop_fallen(w);
    }
}

long gs_world_steps(const gs_world *w) { return w ? w->steps : 0; }

double gs_world_timestep(const gs_world *w) { return w ? w->opt.timestep : 0; }

double gs_world_max_speed(const gs_world *w) {
    double best = 0;
    if (!w) return 0;
    for (const gs_body &b : w->bodies) {
        if (b.kind != KIND_DYNAMIC) continue;
        double s = b.rb->getLinearVelocity().length();
        if (!(s <= best)) best = s; /* a NaN speed wins, so it is seen */
    }
    return best;
}

int gs_world_first_invalid(const gs_world *w) {
    if (!w) return GS_BODY_NONE;
    for (size_t i = 0; i < w->bodies.size(); i++) {
        const gs_body &b = w->bodies[i];
        btTransform t = body_frame(b);
        const btVector3 &o = t.getOrigin();
        btQuaternion q = t.getRotation();
        bool ok = std::isfinite(o.x()) && std::isfinite(o.y()) && std::isfinite(o.z()) &&
                  std::isfinite(q.x()) && std::isfinite(q.y()) && std::isfinite(q.z()) &&
                  std::isfinite(q.w());
        if (ok && b.rb) {
            const btVector3 &l = b.rb->getLinearVelocity();
            const btVector3 &a = b.rb->getAngularVelocity();
            for (int k = 0; k < 3; k++) ok = ok && std::isfinite(l[k]) && std::isfinite(a[k]);
        }
        if (!ok) return (int)i;
    }
    return GS_BODY_NONE;
}

int gs_world_contacts(const gs_world *w, int body, double tolerance, int *others, int max) {
    if (!valid_body(w, body) || !w->bodies[(size_t)body].rb) return 0;
    const btCollisionObject *self = w->bodies[(size_t)body].rb;
    int *found = w->scratch.data();
    int n = 0;
    int nm = w->dispatcher->getNumManifolds();
    for (int m = 0; m < nm; m++) {
        const btPersistentManifold *pm = w->dispatcher->getManifoldByIndexInternal(m);
        const btCollisionObject *other;
        if (pm->getBody0() == self)
            other = pm->getBody1();
        else if (pm->getBody1() == self)
            other = pm->getBody0();
        else
            continue;
        bool close = false;
        for (int k = 0; k < pm->getNumContacts() && !close; k++)
            close = pm->getContactPoint(k).getDistance() < tolerance;
        if (!close) continue;
        int id = body_id(other);
        bool seen = false;
        for (int k = 0; k < n && !seen; k++) seen = found[k] == id;
        if (!seen) found[n++] = id; /* n <= bodies + table = scratch size */
    }
    /* Manifold order follows heap history; the caller sees body order. */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && found[j - 1] > found[j]; j--) {
            int t = found[j];
            found[j] = found[j - 1];
            found[j - 1] = t;
        }
    for (int i = 0; others && i < n && i < max; i++) others[i] = found[i];
    return n;
}

double gs_world_nearest_contact(const gs_world *w, int body, int exclude, int *other) {
    double best = GS_FAR;
    int best_id = GS_BODY_NONE;
    if (valid_body(w, body) && w->bodies[(size_t)body].rb) {
        const btCollisionObject *self = w->bodies[(size_t)body].rb;
        int nm = w->dispatcher->getNumManifolds();
        for (int m = 0; m < nm; m++) {
            const btPersistentManifold *pm = w->dispatcher->getManifoldByIndexInternal(m);
            const btCollisionObject *o;
            if (pm->getBody0() == self)
                o = pm->getBody1();
            else if (pm->getBody1() == self)
                o = pm->getBody0();
            else
                continue;
            int id = body_id(o);
            if (id == exclude) continue;
            for (int k = 0; k < pm->getNumContacts(); k++) {
                double d = pm->getContactPoint(k).getDistance();
                if (d < best || (d == best && id < best_id)) best = d, best_id = id;
            }
        }
    }
    if (other) *other = best_id;
    return best;
}

double gs_world_max_penetration(gs_world *w, int *a, int *b) {
    double best = 0;
    int best_a = GS_BODY_NONE, best_b = GS_BODY_NONE;
    if (w) {
        /* It refreshes the pair cache and manifolds a step starts from. */
        if (w->trace) fputs("collide\n", w->trace);
        w->world->performDiscreteCollisionDetection();
        int nm = w->dispatcher->getNumManifolds();
        for (int m = 0; m < nm; m++) {
            const btPersistentManifold *pm = w->dispatcher->getManifoldByIndexInternal(m);
            const btCollisionObject *o0 = pm->getBody0(), *o1 = pm->getBody1();
            if (!o0->checkCollideWith(o1)) continue; /* welded pairs */
            int i0 = body_id(o0), i1 = body_id(o1);
            int lo = i0 < i1 ? i0 : i1, hi = i0 < i1 ? i1 : i0;
            for (int k = 0; k < pm->getNumContacts(); k++) {
                double depth = -pm->getContactPoint(k).getDistance();
                if (depth > best ||
                    (depth == best && depth > 0 && (lo < best_a || (lo == best_a && hi < best_b))))
                    best = depth, best_a = lo, best_b = hi;
            }
        }
        /* Bullet never pairs two static objects, so fixed bodies lying in
         * each other are tested here one pair at a time. Not against the
         * table: the contact test of a thin box resting exactly on it gave
         * 2-3 mm of depth, depending on where it stood; the scene's
         * workspace check bounds how far a fixed body reaches below z = 0
         * from its size and rotation instead. */
        std::vector<btCollisionObject *> fixed;
        for (gs_body &body : w->bodies)
            if (body.kind == KIND_FIXED) fixed.push_back(body.rb);
        for (size_t i = 0; i < fixed.size(); i++)
            for (size_t j = i + 1; j < fixed.size(); j++) {
                double depth = static_pair_depth(w, fixed[i], fixed[j]);
                int i0 = body_id(fixed[i]), i1 = body_id(fixed[j]);
                int lo = i0 < i1 ? i0 : i1, hi = i0 < i1 ? i1 : i0;
                if (depth > best ||
                    (depth == best && depth > 0 && (lo < best_a || (lo == best_a && hi < best_b))))
                    best = depth, best_a = lo, best_b = hi;
            }
    }
    if (a) *a = best_a;
    if (b) *b = best_b;
    return best;
}

int gs_world_attach(gs_world *w, int a, int b) {
    if (!valid_body(w, a) || !valid_body(w, b) || a == b) return -1;
    gs_body &ba = w->bodies[(size_t)a], &bb = w->bodies[(size_t)b];
    if (!ba.rb || !bb.rb) return -1;
    if (ba.kind != KIND_DYNAMIC && bb.kind != KIND_DYNAMIC) return -1;
    btTransform in_a = ba.rb->getWorldTransform().inverse() * bb.rb->getWorldTransform();
    btTransform in_b;
    in_b.setIdentity();
    btTypedConstraint *c;
    try {
        c = new btFixedConstraint(*ba.rb, *bb.rb, in_a, in_b);
    } catch (const std::bad_alloc &) {
        return -1;
    }
    int handle = add_weld(w, a, b, c);
    if (handle >= 0 && w->trace) fprintf(w->trace, "attach %d %d %d\n", a, b, handle);
    return handle;
}

int gs_world_grip(gs_world *w, int a, int b, const double point[3]) {
    if (!valid_body(w, a) || !valid_body(w, b) || a == b || !point) return -1;
    gs_body &ba = w->bodies[(size_t)a], &bb = w->bodies[(size_t)b];
    if (!ba.rb || !bb.rb || ba.kind != KIND_KINEMATIC || bb.kind != KIND_DYNAMIC) return -1;
    for (int i = 0; i < 3; i++)
        if (!std::isfinite(point[i]) || std::fabs(point[i]) > POSE_LIMIT) return -1;
    btVector3 p((btScalar)point[0], (btScalar)point[1], (btScalar)point[2]);
    btTypedConstraint *c;
    try {
        c = new btPoint2PointConstraint(*ba.rb, *bb.rb, ba.rb->getWorldTransform().inverse() * p,
                                        bb.rb->getWorldTransform().inverse() * p);
    } catch (const std::bad_alloc &) {
        return -1;
    }
    int handle = add_weld(w, a, b, c);
    if (handle >= 0 && w->trace)
        fprintf(w->trace, "grip %d %d %a %a %a %d\n", a, b, point[0], point[1], point[2], handle);
    return handle;
}

int gs_world_link(gs_world *w, int a, int b, const double pivot_a[3], const double pivot_b[3]) {
    if (!valid_body(w, a) || !valid_body(w, b) || a == b) return -1;
    gs_body &ba = w->bodies[(size_t)a], &bb = w->bodies[(size_t)b];
    if (!ba.rb || !bb.rb || ba.kind != KIND_DYNAMIC || bb.kind != KIND_DYNAMIC) return -1;
    for (int i = 0; i < 3; i++)
        if (!std::isfinite(pivot_a[i]) || !std::isfinite(pivot_b[i])) return -1;
    btPoint2PointConstraint *c;
    try {
        c = new btPoint2PointConstraint(
            *ba.rb, *bb.rb,
            btVector3((btScalar)pivot_a[0], (btScalar)pivot_a[1], (btScalar)pivot_a[2]),
            btVector3((btScalar)pivot_b[0], (btScalar)pivot_b[1], (btScalar)pivot_b[2]));
        w->links.push_back(c);
    } catch (const std::bad_alloc &) {
        return -1;
    }
    w->world->addConstraint(c, true);
    if (w->trace)
        fprintf(w->trace, "link %d %d %a %a %a %a %a %a\n", a, b, pivot_a[0], pivot_a[1],
                pivot_a[2], pivot_b[0], pivot_b[1], pivot_b[2]);
    return 0;
}

void gs_world_detach(gs_world *w, int handle) {
    if (!w || handle < 0 || (size_t)handle >= w->welds.size() || !w->welds[(size_t)handle]) return;
    if (w->trace) fprintf(w->trace, "detach %d\n", handle);
    btTypedConstraint *c = w->welds[(size_t)handle];
    w->world->removeConstraint(c);
    for (btRigidBody *rb : {&c->getRigidBodyA(), &c->getRigidBodyB()}) {
        gs_body &x = w->bodies[(size_t)rb->getUserIndex()];
        if (x.kind != KIND_DYNAMIC) continue;
        if (--x.welds == 0) x.rb->forceActivationState(ACTIVE_TAG);
        x.rb->activate(true);
    }
    delete c;
    w->welds[(size_t)handle] = NULL;
}

int gs_world_add_joint(gs_world *w, const gs_joint_desc *d, char *err, size_t errlen) {
    const char *bad = !w || !d ? "add_joint: no world or no description" : check_joint(w, d);
    if (bad) {
        fail(err, errlen, bad, -1);
        return -1;
    }
    gs_body &pa = w->bodies[(size_t)d->parent], &ch = w->bodies[(size_t)d->child];
    btVector3 axis((btScalar)d->axis[0], (btScalar)d->axis[1], (btScalar)d->axis[2]);
    axis.normalize();
    btVector3 anchor((btScalar)d->anchor[0], (btScalar)d->anchor[1], (btScalar)d->anchor[2]);
    /* the joint frame in the parent's centre of mass frame: the axis is a
     * hinge's z and a slider's x */
    btTransform to_com = pa.shifted ? pa.com.inverse() : btTransform::getIdentity();
    btVector3 ax = to_com.getBasis() * axis, u, v;
    btPlaneSpace1(ax, u, v);
    bool slider = d->type == GS_JOINT_PRISMATIC;
    btMatrix3x3 basis = slider ? btMatrix3x3(ax.x(), u.x(), v.x(), ax.y(), u.y(), v.y(), ax.z(), u.z(), v.z())
                               : btMatrix3x3(u.x(), v.x(), ax.x(), u.y(), v.y(), ax.y(), u.z(), v.z(), ax.z());
    btTransform frame_a(basis, to_com * anchor);
    /* the child's frame: where the parent's is now, moved back by the
     * position, so that Bullet reads the position the bodies are in */
    gs_joint j;
    memset(&j, 0, sizeof j);
    j.type = d->type, j.parent = d->parent, j.child = d->child;
    j.axis = ax;
    j.mid = d->type == GS_JOINT_REVOLUTE ? (d->lower + d->upper) / 2 : 0;
    j.friction = d->friction, j.damping = d->damping;
    btTransform offset = btTransform::getIdentity();
    if (slider)
        offset.setOrigin(btVector3((btScalar)d->position, 0, 0));
    else
        offset.setRotation(btQuaternion(btVector3(0, 0, 1), (btScalar)(d->position - j.mid)));
    btTransform rel = pa.rb->getWorldTransform().inverse() * ch.rb->getWorldTransform();
    btTransform frame_b = rel.inverse() * frame_a * offset;
    try {
        if (slider) {
            btSliderConstraint *c = new btSliderConstraint(*pa.rb, *ch.rb, frame_a, frame_b, true);
            c->setLowerLinLimit((btScalar)d->lower);
            c->setUpperLinLimit((btScalar)d->upper);
            c->setLowerAngLimit(0);
            c->setUpperAngLimit(0);
            j.c = c;
        } else {
            btHingeConstraint *c = new btHingeConstraint(*pa.rb, *ch.rb, frame_a, frame_b, true);
            if (d->type == GS_JOINT_REVOLUTE)
                c->setLimit((btScalar)(d->lower - j.mid), (btScalar)(d->upper - j.mid));
            j.c = c;
        }
        w->joints.push_back(j);
    } catch (const std::bad_alloc &) {
        delete j.c;
        fail(err, errlen, "out of memory adding a joint", -1);
        return -1;
    }
    w->world->addConstraint(j.c, true);
    gs_joint &added = w->joints.back();
    joint_update(w, added, true);
    if (ch.kind == KIND_DYNAMIC) ch.rb->activate(true);
    int id = (int)w->joints.size() - 1;
    if (w->trace) trace_joint(w, id, d);
    return id;
}

int gs_world_joint_count(const gs_world *w) { return w ? (int)w->joints.size() : 0; }

int gs_world_body_joint(const gs_world *w, int body) {
    if (!w) return -1;
    for (size_t i = 0; i < w->joints.size(); i++)
        if (w->joints[i].child == body) return (int)i;
    return -1;
}

void gs_world_joint_state(const gs_world *w, int joint, double *position, double *velocity) {
    bool ok = w && joint >= 0 && (size_t)joint < w->joints.size();
    if (position) *position = ok ? w->joints[(size_t)joint].position : 0;
    if (velocity) *velocity = ok ? w->joints[(size_t)joint].velocity : 0;
}

void gs_world_set_trace(gs_world *w, FILE *f) {
    if (!w) return;
    w->trace = f;
    if (f) trace_world(w);
}

void gs_world_trace_all(FILE *f) { trace_default = f; }

} /* extern "C" */

static void fail(char *err, size_t errlen, const char *msg, int index) {
    if (!err || errlen == 0) return;
    if (index >= 0)
        snprintf(err, errlen, "shape %d: %s", index, msg);
    else
        snprintf(err, errlen, "%s", msg);
}

static const char *check_options(const gs_world_options *o) {
    if (!(std::isfinite(o->timestep) && o->timestep > 0 && o->timestep <= 0.1))
        return "world options: timestep must be in (0, 0.1] seconds";
    if (!(std::isfinite(o->gravity) && std::fabs(o->gravity) <= 1000))
        return "world options: gravity must be finite and at most 1000 m/s^2";
    if (o->solver_iterations < 1 || o->solver_iterations > 1000)
        return "world options: solver_iterations must be in 1..1000";
    if (o->max_bodies < 1 || o->max_bodies > 100000)
        return "world options: max_bodies must be in 1..100000";
    return NULL;
}

static const char *check_desc(const gs_world *w, const gs_body_desc *d, int *bad_shape) {
    if ((int)w->bodies.size() >= w->opt.max_bodies) return "the world is full (max_bodies reached)";
    if (d->nshapes < 1 || !d->shapes) return "a body needs at least one shape";
    if (d->nshapes > MAX_SHAPES) return "a body may have at most 256 shapes";
    if (!(std::isfinite(d->mass) && d->mass >= 0 && d->mass <= 1e6))
        return "mass must be finite, >= 0 and <= 1e6 kg";
    if (!(std::isfinite(d->friction) && d->friction >= 0 && d->friction <= 10))
        return "friction must be finite and in [0, 10]";
    if (!(std::isfinite(d->restitution) && d->restitution >= 0 && d->restitution <= 1))
        return "restitution must be finite and in [0, 1]";
    if (!gsu_pose_is_sane(&d->pose, POSE_LIMIT))
        return "pose must be finite, within 100 m, with a unit quaternion";
    for (int i = 0; i < d->nshapes; i++) {
        const gs_shape *s = &d->shapes[i];
        *bad_shape = i;
        /* Read as an int: in C++ loading an enum outside its enumerators'
         * range is itself undefined, and C callers can pass anything. */
        int type = 0;
        memcpy(&type, &s->type, sizeof s->type < sizeof type ? sizeof s->type : sizeof type);
        if (type != GS_SHAPE_BOX && type != GS_SHAPE_CYLINDER && type != GS_SHAPE_SPHERE &&
            type != GS_SHAPE_MESH)
            return "unknown shape type";
        if (type == GS_SHAPE_MESH) {
            const char *bad = d->meshes ? check_mesh(d->meshes[i]) : "a mesh part needs its mesh";
            if (bad) return bad;
        }
        for (int k = 0; k < 3; k++)
            if (!(std::isfinite(s->size[k]) && s->size[k] > 0 && s->size[k] <= SIZE_LIMIT))
                return "size must be finite, > 0 and <= 10 m on every axis";
        if (!gsu_pose_is_sane(&s->local, SIZE_LIMIT))
            return "local pose must be finite, within 10 m, with a unit quaternion";
    }
    *bad_shape = -1;
    if (d->inertial) {
        const gs_inertial *in = d->inertial;
        if (!gsu_pose_is_sane(&in->frame, SIZE_LIMIT))
            return "inertial: the centre of mass frame must be finite, within 10 m, with a unit quaternion";
        for (int k = 0; k < 3; k++)
            if (!(std::isfinite(in->moments[k]) && in->moments[k] > 0 && in->moments[k] <= 1e6))
                return "inertial: moments must be finite and in (0, 1e6] kg m^2";
    }
    return NULL;
}

static const char *check_mesh(const gs_mesh *m) {
    if (!m || !m->vertices) return "a mesh part needs its mesh";
    if (m->nvertices < 4 || m->nvertices > GS_MESH_MAX_VERTICES)
        return "a mesh needs 4 to 4096 vertices";
    for (int i = 0; i < 3 * m->nvertices; i++)
        if (!(std::isfinite(m->vertices[i]) && std::fabs(m->vertices[i]) <= SIZE_LIMIT))
            return "mesh vertices must be finite and within 10 m";
    if (m->ntriangles < 0 || (m->ntriangles > 0 && !m->triangles)) return "bad mesh triangles";
    for (int i = 0; i < 3 * m->ntriangles; i++)
        if (m->triangles[i] < 0 || m->triangles[i] >= m->nvertices)
            return "a mesh triangle names a vertex it does not have";
    return NULL;
}

static btCollisionShape *make_part(const gs_shape *s, const gs_mesh *mesh) {
    btCollisionShape *shape;
    double smallest;
    if (s->type == GS_SHAPE_MESH) {
        /* The hull of the points: Bullet keeps them as given (the margin
         * grows outwards, so it stays small), and collides with the hull. */
        btConvexHullShape *hull = new btConvexHullShape();
        for (int i = 0; i < mesh->nvertices; i++) {
            const float *v = mesh->vertices + 3 * i;
            hull->addPoint(btVector3(v[0], v[1], v[2]), false);
        }
        hull->recalcLocalAabb();
        hull->setMargin((btScalar)MARGIN);
        return hull;
    } else if (s->type == GS_SHAPE_SPHERE) {
        /* A sphere is all margin: its radius is the whole shape. */
        return new btSphereShape((btScalar)(s->size[0] / 2));
    } else if (s->type == GS_SHAPE_CYLINDER) {
        double r = (s->size[0] > s->size[1] ? s->size[0] : s->size[1]) / 2;
        shape =
            new btCylinderShapeZ(btVector3((btScalar)r, (btScalar)r, (btScalar)(s->size[2] / 2)));
        smallest = r < s->size[2] / 2 ? r : s->size[2] / 2;
    } else {
        shape = new btBoxShape(btVector3((btScalar)(s->size[0] / 2), (btScalar)(s->size[1] / 2),
                                         (btScalar)(s->size[2] / 2)));
        smallest = s->size[0];
        for (int k = 1; k < 3; k++)
            if (s->size[k] < smallest) smallest = s->size[k];
        smallest /= 2;
    }
    /* Boxes and cylinders keep their outer size when the margin changes
     * (the margin is carved out of the extents), so any margin is safe;
     * it only has to stay below half the thinnest side. */
    double margin = MARGIN < smallest / 2 ? MARGIN : smallest / 2;
    shape->setMargin((btScalar)margin);
    return shape;
}

static btTransform to_bt(const gs_pose *p) {
    btQuaternion q((btScalar)p->rot[0], (btScalar)p->rot[1], (btScalar)p->rot[2],
                   (btScalar)p->rot[3]);
    return btTransform(q, btVector3((btScalar)p->pos[0], (btScalar)p->pos[1], (btScalar)p->pos[2]));
}

static void from_bt(const btTransform &t, gs_pose *out) {
    const btVector3 &o = t.getOrigin();
    btQuaternion q = t.getRotation();
    out->pos[0] = o.x(), out->pos[1] = o.y(), out->pos[2] = o.z();
    out->rot[0] = q.x(), out->rot[1] = q.y(), out->rot[2] = q.z(), out->rot[3] = q.w();
}

/* Adds weld c between a and b under the lowest free handle: the pair stops
 * colliding, and a dynamic body in it stays awake. Returns the handle, or
 * -1 (c freed) when out of memory. */
static int add_weld(gs_world *w, int a, int b, btTypedConstraint *c) {
    gs_body &ba = w->bodies[(size_t)a], &bb = w->bodies[(size_t)b];
    size_t handle = 0;
    while (handle < w->welds.size() && w->welds[handle]) handle++;
    try {
        if (handle == w->welds.size()) w->welds.push_back(NULL);
    } catch (const std::bad_alloc &) {
        delete c;
        return -1;
    }
    w->welds[handle] = c;
    w->world->addConstraint(c, true);
    /* The disabled pair keeps its old manifold, whose points the solver
     * would go on pushing apart; dropping the pair's algorithm frees it. */
    btBroadphasePair *pair = w->world->getPairCache()->findPair(ba.rb->getBroadphaseHandle(),
                                                                bb.rb->getBroadphaseHandle());
    if (pair) w->world->getPairCache()->cleanOverlappingPair(*pair, w->dispatcher);
    /* A welded body must not fall asleep while its partner carries it. */
    for (gs_body *x : {&ba, &bb}) {
        if (x->kind != KIND_DYNAMIC) continue;
        if (x->welds++ == 0) x->rb->forceActivationState(DISABLE_DEACTIVATION);
        x->rb->activate(true);
    }
    return (int)handle;
}

static const char *check_joint(const gs_world *w, const gs_joint_desc *d) {
    int type = 0;
    memcpy(&type, &d->type, sizeof d->type < sizeof type ? sizeof d->type : sizeof type);
    if (type != GS_JOINT_REVOLUTE && type != GS_JOINT_CONTINUOUS && type != GS_JOINT_PRISMATIC)
        return "joint: unknown type";
    if (!valid_body(w, d->parent) || !valid_body(w, d->child) || d->parent == d->child)
        return "joint: parent and child must be two bodies of the world";
    const gs_body &pa = w->bodies[(size_t)d->parent], &ch = w->bodies[(size_t)d->child];
    if (ch.kind != KIND_DYNAMIC) return "joint: the child must be a dynamic body";
    if (pa.kind != KIND_DYNAMIC && pa.kind != KIND_FIXED)
        return "joint: the parent must be a fixed or dynamic body";
    double len = 0;
    for (int i = 0; i < 3; i++) {
        if (!std::isfinite(d->anchor[i]) || std::fabs(d->anchor[i]) > SIZE_LIMIT)
            return "joint: the anchor must be finite and within 10 m";
        if (!std::isfinite(d->axis[i])) return "joint: the axis must be finite";
        len += d->axis[i] * d->axis[i];
    }
    if (!(len > 1e-12)) return "joint: the axis must not be zero";
    if (!std::isfinite(d->position) || std::fabs(d->position) > 1e3)
        return "joint: the position must be finite";
    if (type != GS_JOINT_CONTINUOUS) {
        if (!(std::isfinite(d->lower) && std::isfinite(d->upper) && d->lower <= d->upper))
            return "joint: limits must be finite with lower <= upper";
        if (type == GS_JOINT_REVOLUTE && !(d->upper - d->lower < 2 * GS_PI))
            return "joint: a revolute range must be under 2 pi (a continuous joint has none)";
        if (type == GS_JOINT_PRISMATIC && !(d->upper - d->lower <= SIZE_LIMIT))
            return "joint: a prismatic range must be at most 10 m";
    }
    if (!(std::isfinite(d->friction) && d->friction >= 0 && d->friction <= 1e3))
        return "joint: friction must be finite and in [0, 1000]";
    if (!(std::isfinite(d->damping) && d->damping >= 0 && d->damping <= 1e3))
        return "joint: damping must be finite and in [0, 1000]";
    return NULL;
}

/* Joint friction and damping as a motor holding the joint still with a
 * bounded effort: friction, plus damping times the speed of the last step
 * (held for the step, so it cannot reverse the motion). */
static void joints_before_step(gs_world *w) {
    double dt = w->opt.timestep;
    for (gs_joint &j : w->joints) {
        double effort = j.friction + j.damping * std::fabs(j.velocity);
        if (!(effort > 0)) continue;
        if (j.type == GS_JOINT_PRISMATIC) {
            btSliderConstraint *c = static_cast<btSliderConstraint *>(j.c);
            c->setPoweredLinMotor(true);
            c->setTargetLinMotorVelocity(0);
            c->setMaxLinMotorForce((btScalar)effort);
        } else {
            static_cast<btHingeConstraint *>(j.c)->enableAngularMotor(true, 0, (btScalar)(effort * dt));
        }
    }
}

/* Reads a joint's position and velocity from its bodies. A continuous
 * joint counts whole turns by following the angle from step to step;
 * resync starts the count afresh (after a pose was set). */
static void joint_update(gs_world *w, gs_joint &j, bool resync) {
    const btRigidBody &pa = *w->bodies[(size_t)j.parent].rb, &ch = *w->bodies[(size_t)j.child].rb;
    btVector3 axis = pa.getWorldTransform().getBasis() * j.axis;
    if (j.type == GS_JOINT_PRISMATIC) {
        btSliderConstraint *c = static_cast<btSliderConstraint *>(j.c);
        btTransform a = pa.getWorldTransform() * c->getFrameOffsetA();
        btTransform b = ch.getWorldTransform() * c->getFrameOffsetB();
        j.position = (b.getOrigin() - a.getOrigin()).dot(a.getBasis().getColumn(0));
        j.velocity = (ch.getLinearVelocity() - pa.getLinearVelocity()).dot(axis);
        return;
    }
    double raw = static_cast<btHingeConstraint *>(j.c)->getHingeAngle();
    if (resync || j.type == GS_JOINT_REVOLUTE)
        j.position = raw + j.mid;
    else
        j.position += gsu_wrap_angle(raw - j.raw, 2 * GS_PI);
    j.raw = raw;
    j.velocity = (ch.getAngularVelocity() - pa.getAngularVelocity()).dot(axis);
}

/* A body's collision shape: its one part, or a compound of its parts.
 * Bullet turns a body about its frame's origin, so a body with its own
 * centre of mass has its parts placed about that centre. May throw
 * std::bad_alloc, leaving what it made in b to free. */
static void make_shape(gs_body *b, const gs_body_desc *d) {
    if (d->nshapes == 1 && is_identity(&d->shapes[0].local) && !b->shifted) {
        b->shape = make_part(&d->shapes[0], d->meshes ? d->meshes[0] : NULL);
        return;
    }
    /* No child tree: a handful of parts is faster to scan. */
    b->children.reserve((size_t)d->nshapes);
    btCompoundShape *compound = new btCompoundShape(false, d->nshapes);
    b->shape = compound;
    btTransform to_com = b->com.inverse();
    for (int i = 0; i < d->nshapes; i++) {
        btCollisionShape *part = make_part(&d->shapes[i], d->meshes ? d->meshes[i] : NULL);
        b->children.push_back(part);
        gs_pose local = d->shapes[i].local;
        gsu_quat_normalize(local.rot);
        compound->addChildShape(b->shifted ? to_com * to_bt(&local) : to_bt(&local), part);
    }
}

/* A body's frame in the world, as the caller knows it. */
static btTransform body_frame(const gs_body &b) {
    if (!b.rb) return b.marker_pose;
    if (!b.shifted) return b.rb->getWorldTransform();
    return b.rb->getWorldTransform() * b.com.inverse();
}

static bool is_identity(const gs_pose *p) {
    return p->pos[0] == 0 && p->pos[1] == 0 && p->pos[2] == 0 && p->rot[0] == 0 && p->rot[1] == 0 &&
           p->rot[2] == 0 && std::fabs(p->rot[3]) == 1;
}

static int body_id(const btCollisionObject *o) { return o->getUserIndex(); }

static bool valid_body(const gs_world *w, int body) {
    return w && body >= 0 && (size_t)body < w->bodies.size();
}

static void wake_touching(gs_world *w, const btCollisionObject *o) {
    int nm = w->dispatcher->getNumManifolds();
    for (int m = 0; m < nm; m++) {
        btPersistentManifold *pm = w->dispatcher->getManifoldByIndexInternal(m);
        const btCollisionObject *other;
        if (pm->getBody0() == o)
            other = pm->getBody1();
        else if (pm->getBody1() == o)
            other = pm->getBody0();
        else
            continue;
        if (!other->isStaticOrKinematicObject())
            const_cast<btCollisionObject *>(other)->activate(true);
    }
}

static void free_body(gs_world *w, gs_body *b) {
    if (b->rb) {
        if (b->rb->getBroadphaseHandle()) w->world->removeRigidBody(b->rb);
        delete b->rb;
        b->rb = NULL;
    }
    delete b->motion;
    b->motion = NULL;
    for (btCollisionShape *c : b->children) delete c;
    b->children.clear();
    delete b->shape;
    b->shape = NULL;
}

namespace {
/* The deepest overlap contactPairTest reports. */
struct depth_callback : public btCollisionWorld::ContactResultCallback {
    double depth = 0;
    btScalar addSingleResult(btManifoldPoint &cp, const btCollisionObjectWrapper *, int, int,
                             const btCollisionObjectWrapper *, int, int) override {
        if (-cp.getDistance() > depth) depth = -cp.getDistance();
        return 0;
    }
};
} // namespace

/* A dynamic body that fell past the table (off its edge, or pressed
 * through it by the cup) stops where it is, GS_FALLEN_Z below it, rather
 * than falling for ever: its pose stays a place a task can still read and
 * compute with. Bodies that never fall are untouched. */
static void stop_fallen(gs_world *w) {
    for (gs_body &b : w->bodies) {
        if (b.kind != KIND_DYNAMIC || !b.rb || !b.rb->isActive()) continue;
        if (b.rb->getCenterOfMassPosition().z() >= (btScalar)GS_FALLEN_Z) continue;
        b.rb->setLinearVelocity(btVector3(0, 0, 0));
        b.rb->setAngularVelocity(btVector3(0, 0, 0));
        b.rb->forceActivationState(DISABLE_SIMULATION);
    }
}

static double static_pair_depth(gs_world *w, btCollisionObject *a, btCollisionObject *b) {
    btVector3 amin, amax, bmin, bmax;
    a->getCollisionShape()->getAabb(a->getWorldTransform(), amin, amax);
    b->getCollisionShape()->getAabb(b->getWorldTransform(), bmin, bmax);
    if (!TestAabbAgainstAabb2(amin, amax, bmin, bmax)) return 0;
    depth_callback cb;
    w->world->contactPairTest(a, b, cb);
    return cb.depth;
}

int gs_world_pool_size(int max_bodies) {
    long n = 32 + 2L * max_bodies;
    return n > 4096 ? 4096 : (int)n;
}

static void trace_world(const gs_world *w) {
    fprintf(w->trace, "world %a %a %d %d %d %ld\n", w->opt.timestep, w->opt.gravity,
            w->opt.solver_iterations, w->opt.max_bodies, (int)w->bodies.size(), w->steps);
}

static void trace_body(const gs_world *w, int id, const gs_body_desc *d) {
    FILE *f = w->trace;
    fprintf(f, "body %d %a %a %a %d %d", id, d->mass, d->friction, d->restitution, d->kinematic,
            d->collides);
    put_pose(f, &d->pose);
    fprintf(f, " %d", d->nshapes);
    for (int i = 0; i < d->nshapes; i++) {
        const gs_shape *s = &d->shapes[i];
        fprintf(f, " %d %a %a %a", (int)s->type, s->size[0], s->size[1], s->size[2]);
        put_pose(f, &s->local);
        if (s->type == GS_SHAPE_MESH) {
            const gs_mesh *m = d->meshes[i];
            fprintf(f, " %d", m->nvertices);
            for (int k = 0; k < 3 * m->nvertices; k++) fprintf(f, " %a", (double)m->vertices[k]);
        }
    }
    const gs_body &b = w->bodies[(size_t)id];
    if (b.shifted) {
        fputs(" 1", f);
        put_pose(f, &d->inertial->frame);
        fprintf(f, " %a %a %a", d->inertial->moments[0], d->inertial->moments[1],
                d->inertial->moments[2]);
    } else {
        fputs(" 0", f);
    }
    fputc('\n', f);
}

static void trace_joint(const gs_world *w, int id, const gs_joint_desc *d) {
    fprintf(w->trace, "joint %d %d %d %d %a %a %a %a %a %a %a %a %a %a %a\n", id, (int)d->type,
            d->parent, d->child, d->anchor[0], d->anchor[1], d->anchor[2], d->axis[0], d->axis[1],
            d->axis[2], d->position, d->lower, d->upper, d->friction, d->damping);
}

/* Poses as queries see them, so a replay can tell whether it got there. */
static void trace_final(const gs_world *w) {
    for (size_t i = 0; i < w->bodies.size(); i++) {
        const gs_body &b = w->bodies[i];
        gs_pose p;
        from_bt(body_frame(b), &p);
        fprintf(w->trace, "final %d", (int)i);
        put_pose(w->trace, &p);
        fputc('\n', w->trace);
    }
    fputs("free\n", w->trace);
}

static void put_pose(FILE *f, const gs_pose *p) {
    fprintf(f, " %a %a %a %a %a %a %a", p->pos[0], p->pos[1], p->pos[2], p->rot[0], p->rot[1],
            p->rot[2], p->rot[3]);
}

/* ---- cylinder pairs (cylinder_pairs.h) ---- */

namespace {

/* Points sampled on each cap's rim; the four that span the overlap best
 * are kept. */
const int RIM_POINTS = 8;
/* Axes within acos(0.98), about 11 degrees, count as parallel: a cylinder
 * tipping further is falling, and the general algorithm follows it. */
const btScalar AXES_PARALLEL = 0.98f;

/* A cylinder in world coordinates. */
struct cylinder_geom {
    btVector3 centre, axis, u, v; /* u, v: radial axes */
    btScalar radius, half_height;
};

/* One contact of two caps: where it lies on b, and the distance along the
 * caps' normal (negative: overlapping). */
struct cap_point {
    btVector3 on_b;
    btScalar distance;
};

cylinder_geom cylinder_of(const btCollisionObjectWrapper *w) {
    const btCylinderShape *c = static_cast<const btCylinderShape *>(w->getCollisionShape());
    int up = c->getUpAxis();
    const btMatrix3x3 &basis = w->getWorldTransform().getBasis();
    btVector3 half = c->getHalfExtentsWithMargin();
    cylinder_geom g;
    g.centre = w->getWorldTransform().getOrigin();
    g.axis = basis.getColumn(up);
    g.u = basis.getColumn((up + 1) % 3);
    g.v = basis.getColumn((up + 2) % 3);
    g.radius = half[(up + 1) % 3];
    g.half_height = half[up];
    return g;
}

/* Up to four of the n points, indices into pick: the deepest (the first of
 * those within 10 um of it, so a flat rest does not hop between equals), the
 * farthest from it, and the farthest on either side of the line through
 * the two. */
int spread_points(const cap_point *p, int n, const btVector3 &normal, int pick[4]) {
    if (n <= 4) {
        for (int i = 0; i < n; i++) pick[i] = i;
        return n;
    }
    int first = 0;
    for (int i = 1; i < n; i++)
        if (p[i].distance < p[first].distance - btScalar(1e-5)) first = i;
    int second = first;
    btScalar far = 0;
    for (int i = 0; i < n; i++) {
        btScalar d = (p[i].on_b - p[first].on_b).length2();
        if (d > far * btScalar(1.0001)) far = d, second = i;
    }
    int k = 0;
    pick[k++] = first;
    if (second == first) return k;
    pick[k++] = second;
    btVector3 line = p[second].on_b - p[first].on_b;
    int left = -1, right = -1;
    btScalar most = 0, least = 0;
    for (int i = 0; i < n; i++) {
        btScalar side = line.cross(p[i].on_b - p[first].on_b).dot(normal);
        if (side > 0 && side > most * btScalar(1.0001)) most = side, left = i;
        if (side < 0 && side < least * btScalar(1.0001)) least = side, right = i;
    }
    if (left >= 0) pick[k++] = left;
    if (right >= 0) pick[k++] = right;
    return k;
}

/* a's cap on b's cap, b's cap facing along up (b's axis, towards a): the
 * rim points of each cap that lie over the other, nearer than threshold,
 * spread over the overlap. */
void cap_contacts(const cylinder_geom &a, const cylinder_geom &b, const btVector3 &up,
                  btScalar threshold, btManifoldResult *out) {
    btVector3 b_cap = b.centre + up * b.half_height;
    btVector3 a_out = a.axis.dot(up) > 0 ? -a.axis : a.axis; /* a's cap facing b */
    btVector3 a_cap = a.centre + a_out * a.half_height;
    btScalar slant = up.dot(a_out); /* about -1 */
    cap_point p[2 * RIM_POINTS];
    int n = 0;
    for (int k = 0; k < RIM_POINTS; k++) {
        btScalar angle = SIMD_2_PI * (btScalar)k / (btScalar)RIM_POINTS;
        btScalar c = btCos(angle), s = btSin(angle);
        /* a's rim over b's cap: its height above b's cap plane */
        btVector3 rim = a_cap + (a.u * c + a.v * s) * a.radius;
        btScalar d = (rim - b_cap).dot(up);
        btVector3 below = rim - up * d;
        if (d < threshold && (below - b_cap).length2() <= b.radius * b.radius)
            p[n].on_b = below, p[n].distance = d, n++;
        /* b's rim under a's cap: along up to a's cap plane */
        rim = b_cap + (b.u * c + b.v * s) * b.radius;
        d = (a_cap - rim).dot(a_out) / slant;
        btVector3 above = rim + up * d;
        if (d < threshold && (above - a_cap).length2() <= a.radius * a.radius)
            p[n].on_b = rim, p[n].distance = d, n++;
    }
    int pick[4];
    int kept = spread_points(p, n, up, pick);
    for (int i = 0; i < kept; i++) out->addContactPoint(up, p[pick[i]].on_b, p[pick[i]].distance);
}

/* a's side on b's side: two points, at the ends of the stretch of b's axis
 * (relative to b's centre along up, lo..hi) both sides share, each where
 * the axes are nearest at that height. */
void side_contacts(const cylinder_geom &a, const cylinder_geom &b, const btVector3 &up, btScalar lo,
                   btScalar hi, btScalar threshold, btManifoldResult *out) {
    btScalar along = (a.centre - b.centre).dot(up), slant = a.axis.dot(up);
    btScalar ends[2] = {lo, hi};
    int n = hi - lo > btScalar(1e-4) ? 2 : 1;
    if (n == 1) ends[0] = (lo + hi) / 2;
    for (int k = 0; k < n; k++) {
        btVector3 on_b_axis = b.centre + up * ends[k];
        btScalar s = btMax(-a.half_height, btMin(a.half_height, (ends[k] - along) / slant));
        btVector3 apart = a.centre + a.axis * s - on_b_axis;
        apart -= up * apart.dot(up);
        btScalar len = apart.length();
        if (len < SIMD_EPSILON) continue;
        btVector3 normal = apart / len;
        btScalar d = len - a.radius - b.radius;
        if (d < threshold) out->addContactPoint(normal, on_b_axis + normal * b.radius, d);
    }
}

/* The contacts of two cylinders whose axes are parallel: cap on cap, side
 * on side, or rim on rim, whichever way they overlap least (or are
 * nearest), kept when nearer than threshold. false, adding nothing, when
 * the axes are not parallel or one lies deep inside the other; the general
 * algorithm handles those. */
bool parallel_contacts(const btCollisionObjectWrapper *wa, const btCollisionObjectWrapper *wb,
                       btScalar threshold, btManifoldResult *out) {
    cylinder_geom a = cylinder_of(wa), b = cylinder_of(wb);
    btScalar cos_ab = btFabs(a.axis.dot(b.axis));
    if (cos_ab < AXES_PARALLEL) return false;
    btVector3 rel = a.centre - b.centre;
    btVector3 up = rel.dot(b.axis) >= 0 ? b.axis : -b.axis; /* b's axis, towards a */
    btScalar along = rel.dot(up);
    btScalar reach =
        a.half_height * cos_ab + a.radius * btSqrt(btMax(btScalar(0), 1 - cos_ab * cos_ab));
    btScalar axial_gap = along - reach - b.half_height;
    btVector3 lateral = rel - up * along;
    btScalar apart = lateral.length();
    btScalar side_gap = apart - a.radius - b.radius;
    if (axial_gap >= 0 && side_gap >= 0) {
        /* rim to rim: b's rim point nearest a, and a's nearest it */
        btVector3 dir = lateral / apart;
        btVector3 on_b = b.centre + up * b.half_height + dir * b.radius;
        btVector3 a_out = a.axis.dot(up) > 0 ? -a.axis : a.axis;
        btVector3 radial = dir - a.axis * dir.dot(a.axis);
        btVector3 on_a = a.centre + a_out * a.half_height - radial.normalized() * a.radius;
        btVector3 gap = on_a - on_b;
        btScalar d = gap.length();
        if (d < threshold && d > SIMD_EPSILON) out->addContactPoint(gap / d, on_b, d);
        return true;
    }
    if (side_gap < 0 && axial_gap > side_gap) {
        cap_contacts(a, b, up, threshold, out);
        return true;
    }
    if (apart < SIMD_EPSILON) return false;
    btScalar lo = btMax(-b.half_height, along - reach), hi = btMin(b.half_height, along + reach);
    side_contacts(a, b, up, lo, hi, threshold, out);
    return true;
}

/* A contact found as on the box (normal from the box towards the
 * cylinder, the point on the box), added the way round the pair came:
 * Bullet wants the normal on the second body, towards the first. */
void add_box_point(btManifoldResult *out, bool box_second, const btVector3 &normal,
                   const btVector3 &on_box, btScalar d) {
    if (box_second)
        out->addContactPoint(normal, on_box, d);
    else
        out->addContactPoint(-normal, on_box + normal * d, d);
}

/* A box's face in world coordinates: centre, outward normal, and its two
 * in-plane axes with their half sizes. */
struct box_face {
    btVector3 centre, normal, axis[2];
    btScalar half[2];
};

/* The face of w's box whose outward normal is nearest dir. */
box_face face_towards(const btCollisionObjectWrapper *w, const btVector3 &dir) {
    const btBoxShape *b = static_cast<const btBoxShape *>(w->getCollisionShape());
    const btMatrix3x3 &basis = w->getWorldTransform().getBasis();
    btVector3 half = b->getHalfExtentsWithMargin();
    int k = 0;
    for (int i = 1; i < 3; i++)
        if (btFabs(basis.getColumn(i).dot(dir)) > btFabs(basis.getColumn(k).dot(dir))) k = i;
    box_face f;
    f.normal = basis.getColumn(k) * (basis.getColumn(k).dot(dir) >= 0 ? 1 : -1);
    f.centre = w->getWorldTransform().getOrigin() + f.normal * half[k];
    for (int j = 0; j < 2; j++) {
        f.axis[j] = basis.getColumn((k + 1 + j) % 3);
        f.half[j] = half[(k + 1 + j) % 3];
    }
    return f;
}

bool on_face(const box_face &f, const btVector3 &p) {
    btVector3 rel = p - f.centre;
    return btFabs(rel.dot(f.axis[0])) <= f.half[0] && btFabs(rel.dot(f.axis[1])) <= f.half[1];
}

/* A cylinder's cap flat on a box's face: rim points over the face and face
 * corners under the cap, nearer than threshold, spread over the overlap. */
void cap_on_face(const cylinder_geom &c, const box_face &f, bool box_second, btScalar threshold,
                 btManifoldResult *out) {
    btVector3 c_out = c.axis.dot(f.normal) > 0 ? -c.axis : c.axis; /* the cap facing the box */
    btVector3 cap = c.centre + c_out * c.half_height;
    cap_point p[RIM_POINTS + 4];
    int n = 0;
    for (int k = 0; k < RIM_POINTS; k++) {
        btScalar angle = SIMD_2_PI * (btScalar)k / (btScalar)RIM_POINTS;
        btVector3 rim = cap + (c.u * btCos(angle) + c.v * btSin(angle)) * c.radius;
        btScalar d = (rim - f.centre).dot(f.normal);
        btVector3 below = rim - f.normal * d;
        if (d < threshold && on_face(f, below)) p[n].on_b = below, p[n].distance = d, n++;
    }
    for (int k = 0; k < 4; k++) {
        btVector3 corner = f.centre + f.axis[0] * (f.half[0] * ((k & 1) ? 1 : -1)) +
                           f.axis[1] * (f.half[1] * ((k & 2) ? 1 : -1));
        btScalar d = (cap - corner).dot(c_out) / f.normal.dot(c_out);
        btVector3 above = corner + f.normal * d;
        if (d < threshold && (above - cap).length2() <= c.radius * c.radius)
            p[n].on_b = corner, p[n].distance = d, n++;
    }
    int pick[4];
    int kept = spread_points(p, n, f.normal, pick);
    for (int i = 0; i < kept; i++)
        add_box_point(out, box_second, f.normal, p[pick[i]].on_b, p[pick[i]].distance);
}

/* A circle of radius r centred at (u, v) against the rectangle of half
 * sizes (hu, hv) about the origin: the point of the rectangle's outline
 * nearest the centre (q), the unit normal from it towards the centre (n),
 * and their distance (negative: overlapping). */
btScalar circle_rect(btScalar u, btScalar v, btScalar hu, btScalar hv, btScalar r, btScalar q[2],
                     btScalar n[2]) {
    btScalar su = u < 0 ? -1 : 1, sv = v < 0 ? -1 : 1;
    if (btFabs(u) <= hu && btFabs(v) <= hv) { /* the centre is inside: the nearer side */
        btScalar du = hu - btFabs(u), dv = hv - btFabs(v);
        bool side_u = du < dv;
        q[0] = side_u ? su * hu : u, q[1] = side_u ? v : sv * hv;
        n[0] = side_u ? su : 0, n[1] = side_u ? 0 : sv;
        return -(side_u ? du : dv) - r;
    }
    q[0] = btMax(-hu, btMin(hu, u)), q[1] = btMax(-hv, btMin(hv, v));
    btScalar du = u - q[0], dv = v - q[1], len = btSqrt(du * du + dv * dv);
    n[0] = du / len, n[1] = dv / len;
    return len - r;
}

/* A box as a frame: centre, axes and half sizes. */
struct box_geom {
    btVector3 centre, axis[3];
    btScalar half[3];
};

box_geom box_of(const btCollisionObjectWrapper *w) {
    const btMatrix3x3 &basis = w->getWorldTransform().getBasis();
    btVector3 half =
        static_cast<const btBoxShape *>(w->getCollisionShape())->getHalfExtentsWithMargin();
    box_geom b;
    b.centre = w->getWorldTransform().getOrigin();
    for (int k = 0; k < 3; k++) b.axis[k] = basis.getColumn(k), b.half[k] = half[k];
    return b;
}

/* A cylinder's side along a box, its axis along the box's axis m: at each
 * end of the stretch along m that both share, the cylinder's cross-section
 * (a circle) against the box's (a rectangle), whether a face or an edge of
 * the box is nearest. */
void side_on_box(const cylinder_geom &c, const box_geom &b, int m, bool box_second,
                 btScalar threshold, btManifoldResult *out) {
    int i = (m + 1) % 3, j = (m + 2) % 3;
    btVector3 rel = c.centre - b.centre;
    btScalar slant = c.axis.dot(b.axis[m]), along = rel.dot(b.axis[m]);
    btScalar reach =
        c.half_height * btFabs(slant) + c.radius * btSqrt(btMax(btScalar(0), 1 - slant * slant));
    btScalar lo = btMax(-b.half[m], along - reach), hi = btMin(b.half[m], along + reach);
    if (lo > hi) return;
    btScalar ends[2] = {lo, hi};
    for (int k = 0; k < (hi - lo > btScalar(1e-4) ? 2 : 1); k++) {
        btScalar t = hi - lo > btScalar(1e-4) ? ends[k] : (lo + hi) / 2;
        btScalar s = btMax(-c.half_height, btMin(c.half_height, (t - along) / slant));
        btVector3 at = rel + c.axis * s; /* the cylinder's axis at that height */
        btScalar q[2], n[2];
        btScalar d =
            circle_rect(at.dot(b.axis[i]), at.dot(b.axis[j]), b.half[i], b.half[j], c.radius, q, n);
        if (d >= threshold) continue;
        btVector3 normal = b.axis[i] * n[0] + b.axis[j] * n[1];
        btVector3 on_box = b.centre + b.axis[m] * t + b.axis[i] * q[0] + b.axis[j] * q[1];
        add_box_point(out, box_second, normal, on_box, d);
    }
}

/* The contacts of a cylinder and a box. With the cylinder's axis along an
 * axis m of the box (within about 11 degrees): its cap on the face across
 * m, its side along the box, or its rim on a rim of the box, whichever way
 * they overlap least (or are nearest). Otherwise the one point GJK finds,
 * unperturbed. */
void cylinder_box_contacts(const btCollisionObjectWrapper *wc, const btCollisionObjectWrapper *wb,
                           bool box_second, btScalar threshold,
                           btConvexPenetrationDepthSolver *depth, btManifoldResult *out) {
    cylinder_geom c = cylinder_of(wc);
    box_geom b = box_of(wb);
    int m = 0;
    for (int k = 1; k < 3; k++)
        if (btFabs(c.axis.dot(b.axis[k])) > btFabs(c.axis.dot(b.axis[m]))) m = k;
    btScalar slant = btFabs(c.axis.dot(b.axis[m]));
    if (slant >= AXES_PARALLEL) {
        int i = (m + 1) % 3, j = (m + 2) % 3;
        btVector3 rel = c.centre - b.centre;
        btScalar reach = c.half_height * slant + c.radius * btSqrt(1 - slant * slant);
        btScalar axial_gap = btFabs(rel.dot(b.axis[m])) - b.half[m] - reach;
        btScalar q[2], n[2];
        btScalar side_gap = circle_rect(rel.dot(b.axis[i]), rel.dot(b.axis[j]), b.half[i],
                                        b.half[j], c.radius, q, n);
        if (axial_gap >= 0 && side_gap >= 0) {
            /* rim on rim: the box's edge point nearest, the cylinder's rim above it */
            btScalar sign = rel.dot(b.axis[m]) >= 0 ? 1 : -1;
            btVector3 on_box =
                b.centre + b.axis[m] * (sign * b.half[m]) + b.axis[i] * q[0] + b.axis[j] * q[1];
            btVector3 gap =
                b.axis[m] * (sign * axial_gap) + (b.axis[i] * n[0] + b.axis[j] * n[1]) * side_gap;
            btScalar d = gap.length();
            if (d < threshold && d > SIMD_EPSILON)
                add_box_point(out, box_second, gap / d, on_box, d);
        } else if (axial_gap > side_gap) {
            btVector3 dir = b.axis[m] * (rel.dot(b.axis[m]) >= 0 ? 1 : -1);
            cap_on_face(c, face_towards(wb, dir), box_second, threshold, out);
        } else {
            side_on_box(c, b, m, box_second, threshold, out);
        }
        return;
    }
    const btConvexShape *cs = static_cast<const btConvexShape *>(wc->getCollisionShape());
    const btConvexShape *bs = static_cast<const btConvexShape *>(wb->getCollisionShape());
    btVoronoiSimplexSolver simplex;
    btGjkPairDetector gjk(cs, bs, &simplex, depth);
    btGjkPairDetector::ClosestPointInput in;
    in.m_transformA = wc->getWorldTransform();
    in.m_transformB = wb->getWorldTransform();
    btScalar reach = cs->getMargin() + bs->getMargin() + threshold;
    in.m_maximumDistanceSquared = reach * reach;
    btPointCollector found;
    gjk.getClosestPoints(in, found, NULL);
    if (found.m_hasResult && found.m_distance < threshold)
        add_box_point(out, box_second, found.m_normalOnBInWorld, found.m_pointInWorld,
                      found.m_distance);
}

/* How a pair's contacts are found. */
enum pair_kind { TWO_CYLINDERS, CYLINDER_BOX, BOX_CYLINDER };

/* The algorithm for a pair with a cylinder: its geometry here, falling
 * back for two cylinders on Bullet's general convex algorithm without its
 * perturbed queries, into one manifold so its points persist when the case
 * changes. */
class cylinder_pair : public btActivatingCollisionAlgorithm {
  public:
    cylinder_pair(const btCollisionAlgorithmConstructionInfo &ci, const btCollisionObjectWrapper *a,
                  const btCollisionObjectWrapper *b, pair_kind kind,
                  btConvexPenetrationDepthSolver *depth)
        : btActivatingCollisionAlgorithm(ci, a, b), manifold_(ci.m_manifold), own_(false),
          kind_(kind), depth_(depth), general_(NULL) {
        /* A compound's children may share the compound's manifold; a pair
         * of its own makes one, as the general algorithm would. */
        if (!manifold_) {
            manifold_ =
                m_dispatcher->getNewManifold(a->getCollisionObject(), b->getCollisionObject());
            own_ = true;
        }
        if (kind == TWO_CYLINDERS) {
            void *mem = m_dispatcher->allocateCollisionAlgorithm(sizeof(btConvexConvexAlgorithm));
            general_ = new (mem) btConvexConvexAlgorithm(manifold_, ci, a, b, depth, 0, 0);
        }
    }

    ~cylinder_pair() override {
        if (general_) {
            general_->~btConvexConvexAlgorithm();
            m_dispatcher->freeCollisionAlgorithm(general_);
        }
        if (own_) m_dispatcher->releaseManifold(manifold_);
    }

    void processCollision(const btCollisionObjectWrapper *a, const btCollisionObjectWrapper *b,
                          const btDispatcherInfo &info, btManifoldResult *out) override {
        out->setPersistentManifold(manifold_);
        btScalar threshold =
            manifold_->getContactBreakingThreshold() + out->m_closestPointDistanceThreshold;
        if (kind_ == CYLINDER_BOX)
            cylinder_box_contacts(a, b, true, threshold, depth_, out);
        else if (kind_ == BOX_CYLINDER)
            cylinder_box_contacts(b, a, false, threshold, depth_, out);
        else if (!parallel_contacts(a, b, threshold, out))
            general_->processCollision(a, b, info, out);
        if (own_) out->refreshContactPoints();
    }

    btScalar calculateTimeOfImpact(btCollisionObject *, btCollisionObject *,
                                   const btDispatcherInfo &, btManifoldResult *) override {
        return 1; /* no continuous collision in these worlds */
    }

    void getAllContactManifolds(btManifoldArray &list) override {
        if (own_) list.push_back(manifold_);
    }

  private:
    btPersistentManifold *manifold_;
    bool own_;
    pair_kind kind_;
    btConvexPenetrationDepthSolver *depth_;
    btConvexConvexAlgorithm *general_; /* shares manifold_, never owns it */
};

bool dynamic_cylinder(const btCollisionObjectWrapper *w) {
    return w->getCollisionShape()->getShapeType() == CYLINDER_SHAPE_PROXYTYPE &&
           !w->getCollisionObject()->isStaticOrKinematicObject();
}

/* Makes the algorithm for one kind of pair. Contacts of a pair with no
 * movable cylinder stay with the configuration's own algorithm (general):
 * a fixed cylinder (a bowl's floor) or a driven one (the suction cup) never
 * has to stand, and the scenes without a movable cylinder step exactly as
 * they did. Queries (pair tests of fixed bodies) always use the geometry. */
struct cylinder_pair_create : public btCollisionAlgorithmCreateFunc {
    pair_kind kind;
    bool query;
    btCollisionAlgorithmCreateFunc *general;
    btConvexPenetrationDepthSolver *depth;
    btCollisionAlgorithm *CreateCollisionAlgorithm(btCollisionAlgorithmConstructionInfo &ci,
                                                   const btCollisionObjectWrapper *a,
                                                   const btCollisionObjectWrapper *b) override {
        if (!query && !dynamic_cylinder(a) && !dynamic_cylinder(b))
            return general->CreateCollisionAlgorithm(ci, a, b);
        void *mem = ci.m_dispatcher1->allocateCollisionAlgorithm(sizeof(cylinder_pair));
        return new (mem) cylinder_pair(ci, a, b, kind, depth);
    }
};

} // namespace

/* What gs_cylinder_pairs_install registered, to free with the dispatcher. */
struct gs_cylinder_pairs {
    btGjkEpaPenetrationDepthSolver depth;
    cylinder_pair_create create[2][3]; /* [contacts, queries][kind] */
};

gs_cylinder_pairs *gs_cylinder_pairs_install(btCollisionDispatcher *d,
                                             btCollisionConfiguration *c) {
    gs_cylinder_pairs *p = new (std::nothrow) gs_cylinder_pairs();
    if (!p) return NULL;
    const int types[3][2] = {{CYLINDER_SHAPE_PROXYTYPE, CYLINDER_SHAPE_PROXYTYPE},
                             {CYLINDER_SHAPE_PROXYTYPE, BOX_SHAPE_PROXYTYPE},
                             {BOX_SHAPE_PROXYTYPE, CYLINDER_SHAPE_PROXYTYPE}};
    for (int q = 0; q < 2; q++)
        for (int k = 0; k < 3; k++) {
            cylinder_pair_create &f = p->create[q][k];
            f.kind = (pair_kind)k;
            f.query = q == 1;
            f.depth = &p->depth;
            int a = types[k][0], b = types[k][1];
            if (q == 0) {
                f.general = c->getCollisionAlgorithmCreateFunc(a, b);
                d->registerCollisionCreateFunc(a, b, &f);
            } else {
                f.general = c->getClosestPointsAlgorithmCreateFunc(a, b);
                d->registerClosestPointsCreateFunc(a, b, &f);
            }
        }
    return p;
}

void gs_cylinder_pairs_free(gs_cylinder_pairs *p) {
    delete p;
}
