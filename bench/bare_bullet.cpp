/* bare_bullet: replays a gensim-run --trace with bare Bullet objects.
 *
 * The yardstick for the physics layer's overhead: the same bodies, stepped
 * through the same motion, by a program that is nothing but Bullet. It never
 * calls gs_world_*; it builds its worlds the way core/src/physics/
 * bullet_bridge.cpp does (same broadphase, solver, configuration, margins,
 * deterministic pairs, sleeping thresholds, table slab, kinematic motion
 * states, collision groups, fixed constraints and pair cleaning, mesh
 * hulls, centres of mass, the joints' hinges and sliders with their
 * friction and damping motors, the drag's point grips; movable
 * cylinders get the bridge's own contact algorithm, cylinder_pairs.h, which
 * is physics, not overhead), and every
 * constant below is a copy of the bridge's. If the two ever drift apart the
 * fidelity line says so: each world's final poses are compared with the ones
 * the trace recorded as gensim-run freed it.
 *
 * usage: bare_bullet TRACE
 *
 * The trace is read into memory first; then the replay is timed twice over:
 * the sum of the stepSimulation calls alone, and the whole replay (worlds,
 * bodies, poses, welds, steps, teardown). Exit status: 0 replayed (whatever
 * the fidelity), 1 unreadable or malformed trace, or a replay that disagrees
 * with the record on body numbers or weld handles. */
extern "C" {
#include "gensim/math.h"
#include "gensim/physics.h"
}

#include "../core/src/physics/cylinder_pairs.h"

#include <BulletCollision/CollisionShapes/btConvexHullShape.h>
#include <btBulletDynamicsCommon.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

/* Copies of bullet_bridge.cpp's constants; see the reasons there. */
const btScalar TABLE_HALF_XY = 1.5f;
const btScalar TABLE_HALF_Z = 0.05f;
const btScalar TABLE_CENTRE_X = 0.5f;
const double MARGIN = 0.001;
const btScalar SLEEP_LINEAR = 0.005f;
const btScalar SLEEP_ANGULAR = 0.02f;
const int KINEMATIC_GROUP = btBroadphaseProxy::KinematicFilter;
const int KINEMATIC_MASK = btBroadphaseProxy::AllFilter ^ btBroadphaseProxy::KinematicFilter;

enum op { OP_WORLD, OP_BODY, OP_POSE, OP_ATTACH, OP_DETACH, OP_LINK, OP_STEP, OP_COLLIDE, OP_FINAL, OP_FREE,
          OP_JOINT, OP_GRIP };

/* A body line of the trace. */
struct body_rec {
    double mass, friction, restitution;
    int kinematic, collides;
    gs_pose pose;
    std::vector<gs_shape> shapes;
    std::vector<std::vector<float> > meshes; /* each shape's hull points (empty but for meshes) */
    int has_inertial;
    gs_inertial inertial;
};

/* One trace line. arg: world: solver iterations; body, pose, final: body;
 * attach: a, b, handle; detach: handle; step: n. */
struct record {
    op kind;
    int arg[3];
    double num[2]; /* world: timestep, gravity */
    double pivot[6]; /* link: the point in a's frame, then in b's; grip: the point */
    gs_joint_desc joint; /* joint */
    gs_pose pose;  /* pose, final */
    size_t body;   /* body: index into the body records */
    long line;
};

enum body_kind { KIND_DYNAMIC, KIND_FIXED, KIND_KINEMATIC, KIND_MARKER };

struct bare_body {
    body_kind kind;
    btRigidBody *rb;
    btCollisionShape *shape;
    std::vector<btCollisionShape *> children;
    btDefaultMotionState *motion;
    btTransform marker_pose;
    int welds;
    bool shifted;
    btTransform com;
};

/* A joint, with what the bridge keeps of it between steps. */
struct bare_joint {
    gs_joint_type type;
    int parent, child;
    btTypedConstraint *c;
    btVector3 axis;
    double friction, damping, velocity;
};

struct bare_world {
    btScalar dt;
    double timestep; /* dt as the trace gives it: the motors' impulses are taken from it */
    btDefaultCollisionConfiguration *config;
    btCollisionDispatcher *dispatcher;
    gs_cylinder_pairs *cylinder_pairs;
    btDbvtBroadphase *broadphase;
    btSequentialImpulseConstraintSolver *solver;
    btDiscreteDynamicsWorld *world;
    btBoxShape *table_shape;
    btRigidBody *table;
    std::vector<bare_body> bodies;
    std::vector<btTypedConstraint *> welds;
    std::vector<btTypedConstraint *> links;
    std::vector<bare_joint> joints;
};

/* What a replay measured and found. */
struct tally {
    long worlds, bodies, steps, poses, attaches, detaches, collides;
    double step_s, replay_s;
    long identical_worlds, compared_bodies, differing_bodies;
    double max_pos_diff, max_rot_diff;
};

} // namespace

static bool read_trace(const char *path, std::vector<record> &recs, std::vector<body_rec> &bodies);
static bool replay(const std::vector<record> &recs, const std::vector<body_rec> &bodies,
                   tally *t);
static bare_world *world_create(const record &r);
static void world_free(bare_world *w);
static int add_body(bare_world *w, const body_rec &d);
static void set_pose(bare_world *w, int body, const gs_pose *pose);
static int attach(bare_world *w, int a, int b);
static int grip(bare_world *w, int a, int b, const double point[3]);
static int add_weld(bare_world *w, int a, int b, btTypedConstraint *c);
static void add_joint(bare_world *w, const gs_joint_desc *d);
static void joint_velocity(bare_world *w, bare_joint &j);
static void step(bare_world *w);
static void detach(bare_world *w, int handle);
static btCollisionShape *make_part(const gs_shape *s, const std::vector<float> &mesh);
static btTransform to_bt(const gs_pose *p);
static void from_bt(const btTransform &t, gs_pose *out);
static bool is_identity(const gs_pose *p);
static double now(void);

int main(int argc, char **argv) {
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: bare_bullet TRACE   (a file from gensim-run --trace)\n");
        return argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) ? 0 : 1;
    }
    std::vector<record> recs;
    std::vector<body_rec> bodies;
    double t0 = now();
    if (!read_trace(argv[1], recs, bodies)) return 1;
    double parse_s = now() - t0;

    tally t;
    memset(&t, 0, sizeof t);
    if (!replay(recs, bodies, &t)) return 1;

    printf("trace          %s (%zu lines, read in %.3f s)\n", argv[1], recs.size(), parse_s);
    printf("worlds         %ld\n", t.worlds);
    printf("bodies         %ld\n", t.bodies);
    printf("calls          %ld set_pose, %ld attach, %ld detach, %ld collide\n", t.poses,
           t.attaches, t.detaches, t.collides);
    printf("steps          %ld\n", t.steps);
    printf("step_s         %.6f\n", t.step_s);
    printf("replay_s       %.6f\n", t.replay_s);
    printf("step_us        %.3f   (stepSimulation only, per step)\n",
           t.steps ? 1e6 * t.step_s / (double)t.steps : 0.0);
    printf("replay_us      %.3f   (whole replay, per step)\n",
           t.steps ? 1e6 * t.replay_s / (double)t.steps : 0.0);
    printf("identical      %ld/%ld worlds end bit for bit where the trace says\n",
           t.identical_worlds, t.worlds);
    printf("max_pos_diff   %.3g m over %ld bodies (%ld differ)\n", t.max_pos_diff,
           t.compared_bodies, t.differing_bodies);
    printf("max_rot_diff   %.3g (quaternion component)\n", t.max_rot_diff);
    return 0;
}

/* Reads every line into records; false (with a message) on any bad line. */
static bool read_trace(const char *path, std::vector<record> &recs, std::vector<body_rec> &bodies) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bare_bullet: cannot open '%s': %s\n", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    bool ok = true;
    while (ok && getline(&line, &cap, f) >= 0) {
        lineno++;
        char *p = line, *end;
        /* Numbers one at a time; any that fails to parse marks the line bad. */
        auto num = [&](void) {
            double v = strtod(p, &end);
            if (end == p) ok = false;
            p = end;
            return v;
        };
        auto integer = [&](void) {
            long v = strtol(p, &end, 10);
            if (end == p) ok = false;
            p = end;
            return (int)v;
        };
        auto pose = [&](gs_pose *out) {
            for (int k = 0; k < 3; k++) out->pos[k] = num();
            for (int k = 0; k < 4; k++) out->rot[k] = num();
        };
        size_t wordlen = strcspn(p, " \n");
        std::string word(p, wordlen);
        p += wordlen;
        record r;
        memset(&r, 0, sizeof r);
        r.line = lineno;
        if (word == "world") {
            r.kind = OP_WORLD;
            r.num[0] = num(), r.num[1] = num();
            r.arg[0] = integer();
            r.arg[1] = integer(); /* max_bodies: sizes the pools as the bridge does */
            int nbodies = integer();
            long steps = strtol(p, &end, 10);
            ok = ok && end != p;
            if (ok && (nbodies != 0 || steps != 0)) {
                fprintf(stderr, "bare_bullet: %s:%ld: tracing began after the world was built\n",
                        path, lineno);
                ok = false;
            }
        } else if (word == "body") {
            body_rec b;
            r.kind = OP_BODY;
            r.arg[0] = integer();
            b.mass = num(), b.friction = num(), b.restitution = num();
            b.kinematic = integer(), b.collides = integer();
            pose(&b.pose);
            int n = integer();
            if (n < 1 || n > 100000) ok = false;
            for (int i = 0; ok && i < n; i++) {
                gs_shape s;
                int type = integer();
                s.type = type == GS_SHAPE_CYLINDER ? GS_SHAPE_CYLINDER
                         : type == GS_SHAPE_SPHERE ? GS_SHAPE_SPHERE
                         : type == GS_SHAPE_MESH   ? GS_SHAPE_MESH
                                                   : GS_SHAPE_BOX;
                if (type != (int)s.type) ok = false;
                for (int k = 0; k < 3; k++) s.size[k] = num();
                pose(&s.local);
                b.shapes.push_back(s);
                b.meshes.push_back(std::vector<float>());
                if (ok && s.type == GS_SHAPE_MESH) {
                    int nv = integer();
                    if (nv < 4 || nv > GS_MESH_MAX_VERTICES) ok = false;
                    for (int k = 0; ok && k < 3 * nv; k++) b.meshes.back().push_back((float)num());
                }
            }
            b.has_inertial = integer();
            if (ok && b.has_inertial) {
                pose(&b.inertial.frame);
                for (int k = 0; k < 3; k++) b.inertial.moments[k] = num();
            }
            r.body = bodies.size();
            bodies.push_back(b);
        } else if (word == "pose" || word == "final") {
            r.kind = word == "pose" ? OP_POSE : OP_FINAL;
            r.arg[0] = integer();
            pose(&r.pose);
        } else if (word == "attach") {
            r.kind = OP_ATTACH;
            for (int k = 0; k < 3; k++) r.arg[k] = integer();
        } else if (word == "link") {
            r.kind = OP_LINK;
            r.arg[0] = integer(), r.arg[1] = integer();
            for (int k = 0; k < 6; k++) r.pivot[k] = num();
        } else if (word == "joint") {
            r.kind = OP_JOINT;
            r.arg[0] = integer();
            gs_joint_desc &j = r.joint;
            int type = integer();
            j.type = type == GS_JOINT_PRISMATIC ? GS_JOINT_PRISMATIC
                     : type == GS_JOINT_CONTINUOUS ? GS_JOINT_CONTINUOUS : GS_JOINT_REVOLUTE;
            j.parent = integer(), j.child = integer();
            for (int k = 0; k < 3; k++) j.anchor[k] = num();
            for (int k = 0; k < 3; k++) j.axis[k] = num();
            j.position = num(), j.lower = num(), j.upper = num(), j.friction = num(), j.damping = num();
        } else if (word == "grip") {
            r.kind = OP_GRIP;
            r.arg[0] = integer(), r.arg[1] = integer();
            for (int k = 0; k < 3; k++) r.pivot[k] = num();
            r.arg[2] = integer();
        } else if (word == "detach" || word == "step") {
            r.kind = word == "step" ? OP_STEP : OP_DETACH;
            r.arg[0] = integer();
        } else if (word == "collide" || word == "free") {
            r.kind = word == "free" ? OP_FREE : OP_COLLIDE;
        } else {
            ok = false;
        }
        if (!ok) {
            fprintf(stderr, "bare_bullet: %s:%ld: not a trace line: %.60s\n", path, lineno, line);
            break;
        }
        recs.push_back(r);
    }
    free(line);
    if (ok && ferror(f)) {
        fprintf(stderr, "bare_bullet: reading '%s' failed\n", path);
        ok = false;
    }
    fclose(f);
    if (ok && recs.empty()) {
        fprintf(stderr, "bare_bullet: '%s' is empty: was it written by gensim-run --trace?\n", path);
        ok = false;
    }
    return ok;
}

/* Runs the records in order, timing the steps and the whole, and compares
 * each world's end with the trace's final records. */
static bool replay(const std::vector<record> &recs, const std::vector<body_rec> &bodies,
                   tally *t) {
    bare_world *w = NULL;
    bool same = true; /* this world's finals all match bit for bit */
    double t0 = now();
    for (const record &r : recs) {
        if (r.kind != OP_WORLD && !w) {
            fprintf(stderr, "bare_bullet: line %ld: no world line before it\n", r.line);
            return false;
        }
        switch (r.kind) {
        case OP_WORLD:
            if (w) world_free(w); /* a world gensim-run never freed */
            w = world_create(r);
            same = true;
            t->worlds++;
            break;
        case OP_BODY:
            if (add_body(w, bodies[r.body]) != r.arg[0]) {
                fprintf(stderr, "bare_bullet: line %ld: body numbers disagree\n", r.line);
                return false;
            }
            t->bodies++;
            break;
        case OP_POSE:
            if (r.arg[0] < 0 || (size_t)r.arg[0] >= w->bodies.size()) {
                fprintf(stderr, "bare_bullet: line %ld: no body %d\n", r.line, r.arg[0]);
                return false;
            }
            set_pose(w, r.arg[0], &r.pose);
            t->poses++;
            break;
        case OP_ATTACH:
        case OP_GRIP:
            if ((r.kind == OP_ATTACH ? attach(w, r.arg[0], r.arg[1]) : grip(w, r.arg[0], r.arg[1], r.pivot)) !=
                r.arg[2]) {
                fprintf(stderr, "bare_bullet: line %ld: weld handles disagree\n", r.line);
                return false;
            }
            t->attaches++;
            break;
        case OP_JOINT:
            if (r.arg[0] != (int)w->joints.size()) {
                fprintf(stderr, "bare_bullet: line %ld: joint numbers disagree\n", r.line);
                return false;
            }
            add_joint(w, &r.joint);
            break;
        case OP_LINK: {
            /* as gs_world_link */
            btRigidBody *a = w->bodies[(size_t)r.arg[0]].rb, *b = w->bodies[(size_t)r.arg[1]].rb;
            btPoint2PointConstraint *c = new btPoint2PointConstraint(
                *a, *b, btVector3((btScalar)r.pivot[0], (btScalar)r.pivot[1], (btScalar)r.pivot[2]),
                btVector3((btScalar)r.pivot[3], (btScalar)r.pivot[4], (btScalar)r.pivot[5]));
            w->links.push_back(c);
            w->world->addConstraint(c, true);
            break;
        }
        case OP_DETACH:
            detach(w, r.arg[0]);
            t->detaches++;
            break;
        case OP_STEP: {
            double s0 = now();
            for (int i = 0; i < r.arg[0]; i++) step(w);
            t->step_s += now() - s0;
            t->steps += r.arg[0];
            break;
        }
        case OP_COLLIDE:
            w->world->performDiscreteCollisionDetection();
            t->collides++;
            break;
        case OP_FINAL: {
            if (r.arg[0] < 0 || (size_t)r.arg[0] >= w->bodies.size()) {
                fprintf(stderr, "bare_bullet: line %ld: no body %d\n", r.line, r.arg[0]);
                return false;
            }
            const bare_body &b = w->bodies[(size_t)r.arg[0]];
            gs_pose p;
            btTransform frame = !b.rb ? b.marker_pose : b.shifted ? b.rb->getWorldTransform() * b.com.inverse()
                                                                  : b.rb->getWorldTransform();
            from_bt(frame, &p);
            bool differs = false;
            for (int k = 0; k < 3; k++) {
                double d = fabs(p.pos[k] - r.pose.pos[k]);
                if (!(d <= t->max_pos_diff)) t->max_pos_diff = d;
                differs = differs || p.pos[k] != r.pose.pos[k];
            }
            for (int k = 0; k < 4; k++) {
                double d = fabs(p.rot[k] - r.pose.rot[k]);
                if (!(d <= t->max_rot_diff)) t->max_rot_diff = d;
                differs = differs || p.rot[k] != r.pose.rot[k];
            }
            t->compared_bodies++;
            t->differing_bodies += differs;
            same = same && !differs;
            break;
        }
        case OP_FREE:
            world_free(w);
            w = NULL;
            t->identical_worlds += same;
            break;
        }
    }
    if (w) world_free(w);
    t->replay_s = now() - t0;
    return true;
}

/* As gs_world_create. */
static bare_world *world_create(const record &r) {
    bare_world *w = new bare_world();
    w->dt = (btScalar)r.num[0];
    w->timestep = r.num[0];
    btDefaultCollisionConstructionInfo pools;
    pools.m_defaultMaxPersistentManifoldPoolSize = gs_world_pool_size(r.arg[1]);
    pools.m_defaultMaxCollisionAlgorithmPoolSize = gs_world_pool_size(r.arg[1]);
    w->config = new btDefaultCollisionConfiguration(pools);
    w->config->setConvexConvexMultipointIterations(4, 3);
    w->dispatcher = new btCollisionDispatcher(w->config);
    w->cylinder_pairs = gs_cylinder_pairs_install(w->dispatcher, w->config);
    w->broadphase = new btDbvtBroadphase();
    w->solver = new btSequentialImpulseConstraintSolver();
    w->world = new btDiscreteDynamicsWorld(w->dispatcher, w->broadphase, w->solver, w->config);
    w->world->setGravity(btVector3(0, 0, (btScalar)-r.num[1]));
    w->world->getSolverInfo().m_numIterations = r.arg[0];
    w->world->getDispatchInfo().m_deterministicOverlappingPairs = true;
    w->world->setForceUpdateAllAabbs(false);
    w->table_shape = new btBoxShape(btVector3(TABLE_HALF_XY, TABLE_HALF_XY, TABLE_HALF_Z));
    w->table_shape->setMargin((btScalar)MARGIN);
    btRigidBody::btRigidBodyConstructionInfo info(0, NULL, w->table_shape);
    info.m_startWorldTransform.setIdentity();
    info.m_startWorldTransform.setOrigin(btVector3(TABLE_CENTRE_X, 0, -TABLE_HALF_Z));
    info.m_friction = 1;
    info.m_restitution = 0;
    w->table = new btRigidBody(info);
    w->world->addRigidBody(w->table);
    return w;
}

/* As gs_world_free: welds, links and joints, then bodies in order, then the table. */
static void world_free(bare_world *w) {
    for (std::vector<btTypedConstraint *> *list : {&w->welds, &w->links})
        for (btTypedConstraint *c : *list)
            if (c) {
                w->world->removeConstraint(c);
                delete c;
            }
    for (bare_joint &j : w->joints) {
        w->world->removeConstraint(j.c);
        delete j.c;
    }
    for (bare_body &b : w->bodies) {
        if (b.rb) {
            w->world->removeRigidBody(b.rb);
            delete b.rb;
        }
        delete b.motion;
        for (btCollisionShape *c : b.children) delete c;
        delete b.shape;
    }
    w->world->removeRigidBody(w->table);
    delete w->table;
    delete w->table_shape;
    delete w->world;
    delete w->solver;
    delete w->broadphase;
    delete w->dispatcher;
    gs_cylinder_pairs_free(w->cylinder_pairs);
    delete w->config;
    delete w;
}

/* As gs_world_add_body, less the checks (the trace only holds bodies the
 * bridge accepted). */
static int add_body(bare_world *w, const body_rec &d) {
    int id = (int)w->bodies.size();
    bare_body b;
    b.kind = !d.collides   ? KIND_MARKER
             : d.kinematic ? KIND_KINEMATIC
             : d.mass > 0  ? KIND_DYNAMIC
                           : KIND_FIXED;
    b.rb = NULL;
    b.shape = NULL;
    b.motion = NULL;
    b.welds = 0;
    b.shifted = b.kind == KIND_DYNAMIC && d.has_inertial;
    b.com.setIdentity();
    if (b.shifted) {
        gs_pose com = d.inertial.frame;
        gsu_quat_normalize(com.rot);
        b.com = to_bt(&com);
    }
    gs_pose start = d.pose;
    gsu_quat_normalize(start.rot);
    b.marker_pose = to_bt(&start);
    if (b.kind == KIND_MARKER) {
        w->bodies.push_back(b);
        return id;
    }
    int n = (int)d.shapes.size();
    if (n == 1 && is_identity(&d.shapes[0].local) && !b.shifted) {
        b.shape = make_part(&d.shapes[0], d.meshes[0]);
    } else {
        btCompoundShape *compound = new btCompoundShape(false, n);
        b.shape = compound;
        btTransform to_com = b.com.inverse();
        for (int i = 0; i < n; i++) {
            btCollisionShape *part = make_part(&d.shapes[(size_t)i], d.meshes[(size_t)i]);
            b.children.push_back(part);
            gs_pose local = d.shapes[(size_t)i].local;
            gsu_quat_normalize(local.rot);
            compound->addChildShape(b.shifted ? to_com * to_bt(&local) : to_bt(&local), part);
        }
    }
    btScalar mass = b.kind == KIND_DYNAMIC ? (btScalar)d.mass : 0;
    btVector3 inertia(0, 0, 0);
    if (mass > 0 && b.shifted)
        inertia = btVector3((btScalar)d.inertial.moments[0], (btScalar)d.inertial.moments[1],
                            (btScalar)d.inertial.moments[2]);
    else if (mass > 0)
        b.shape->calculateLocalInertia(mass, inertia);
    if (b.kind == KIND_KINEMATIC) b.motion = new btDefaultMotionState(b.marker_pose);
    btRigidBody::btRigidBodyConstructionInfo info(mass, b.motion, b.shape, inertia);
    info.m_startWorldTransform = b.shifted ? b.marker_pose * b.com : b.marker_pose;
    info.m_friction = (btScalar)d.friction;
    info.m_restitution = (btScalar)d.restitution;
    info.m_linearSleepingThreshold = SLEEP_LINEAR;
    info.m_angularSleepingThreshold = SLEEP_ANGULAR;
    b.rb = new btRigidBody(info);
    b.rb->setUserIndex(id);
    if (b.kind == KIND_KINEMATIC) {
        b.rb->setCollisionFlags(b.rb->getCollisionFlags() | btCollisionObject::CF_KINEMATIC_OBJECT);
        b.rb->setActivationState(DISABLE_DEACTIVATION);
        w->world->addRigidBody(b.rb, KINEMATIC_GROUP, KINEMATIC_MASK);
    } else {
        w->world->addRigidBody(b.rb);
    }
    w->bodies.push_back(b);
    return id;
}

/* As gs_world_set_pose, waking what touched a moved body included. */
static void set_pose(bare_world *w, int body, const gs_pose *pose) {
    gs_pose p = *pose;
    gsu_quat_normalize(p.rot);
    btTransform t = to_bt(&p);
    bare_body &b = w->bodies[(size_t)body];
    if (b.kind == KIND_MARKER) {
        b.marker_pose = t;
        return;
    }
    if (b.kind == KIND_KINEMATIC) {
        b.motion->setWorldTransform(t);
        b.rb->setWorldTransform(t);
        return;
    }
    int nm = w->dispatcher->getNumManifolds();
    for (int m = 0; m < nm; m++) {
        btPersistentManifold *pm = w->dispatcher->getManifoldByIndexInternal(m);
        const btCollisionObject *other;
        if (pm->getBody0() == b.rb)
            other = pm->getBody1();
        else if (pm->getBody1() == b.rb)
            other = pm->getBody0();
        else
            continue;
        if (!other->isStaticOrKinematicObject())
            const_cast<btCollisionObject *>(other)->activate(true);
    }
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
    for (bare_joint &j : w->joints)
        if (j.parent == body || j.child == body) joint_velocity(w, j);
}

/* As gs_world_attach: a fixed constraint in b's frame, collisions between
 * the pair off, their cached pair cleaned, both kept awake. */
static int attach(bare_world *w, int a, int b) {
    if (a < 0 || b < 0 || (size_t)a >= w->bodies.size() || (size_t)b >= w->bodies.size())
        return -1;
    bare_body &ba = w->bodies[(size_t)a], &bb = w->bodies[(size_t)b];
    if (!ba.rb || !bb.rb) return -1;
    btTransform in_a = ba.rb->getWorldTransform().inverse() * bb.rb->getWorldTransform();
    btTransform in_b;
    in_b.setIdentity();
    return add_weld(w, a, b, new btFixedConstraint(*ba.rb, *bb.rb, in_a, in_b));
}

/* As gs_world_grip: a point constraint where the cup holds. */
static int grip(bare_world *w, int a, int b, const double point[3]) {
    if (a < 0 || b < 0 || (size_t)a >= w->bodies.size() || (size_t)b >= w->bodies.size()) return -1;
    bare_body &ba = w->bodies[(size_t)a], &bb = w->bodies[(size_t)b];
    if (!ba.rb || !bb.rb) return -1;
    btVector3 p((btScalar)point[0], (btScalar)point[1], (btScalar)point[2]);
    return add_weld(w, a, b,
                    new btPoint2PointConstraint(*ba.rb, *bb.rb, ba.rb->getWorldTransform().inverse() * p,
                                                bb.rb->getWorldTransform().inverse() * p));
}

/* As the bridge's add_weld. */
static int add_weld(bare_world *w, int a, int b, btTypedConstraint *c) {
    bare_body &ba = w->bodies[(size_t)a], &bb = w->bodies[(size_t)b];
    size_t handle = 0;
    while (handle < w->welds.size() && w->welds[handle]) handle++;
    if (handle == w->welds.size()) w->welds.push_back(NULL);
    w->welds[handle] = c;
    w->world->addConstraint(c, true);
    btBroadphasePair *pair = w->world->getPairCache()->findPair(ba.rb->getBroadphaseHandle(),
                                                                bb.rb->getBroadphaseHandle());
    if (pair) w->world->getPairCache()->cleanOverlappingPair(*pair, w->dispatcher);
    for (bare_body *x : {&ba, &bb}) {
        if (x->kind != KIND_DYNAMIC) continue;
        if (x->welds++ == 0) x->rb->forceActivationState(DISABLE_DEACTIVATION);
        x->rb->activate(true);
    }
    return (int)handle;
}

/* As gs_world_detach. */
static void detach(bare_world *w, int handle) {
    if (handle < 0 || (size_t)handle >= w->welds.size() || !w->welds[(size_t)handle]) return;
    btTypedConstraint *c = w->welds[(size_t)handle];
    w->world->removeConstraint(c);
    for (btRigidBody *rb : {&c->getRigidBodyA(), &c->getRigidBodyB()}) {
        bare_body &x = w->bodies[(size_t)rb->getUserIndex()];
        if (x.kind != KIND_DYNAMIC) continue;
        if (--x.welds == 0) x.rb->forceActivationState(ACTIVE_TAG);
        x.rb->activate(true);
    }
    delete c;
    w->welds[(size_t)handle] = NULL;
}

/* As gs_world_add_joint: the frames, limits and motor the bridge makes. */
static void add_joint(bare_world *w, const gs_joint_desc *d) {
    bare_body &pa = w->bodies[(size_t)d->parent], &ch = w->bodies[(size_t)d->child];
    btVector3 axis((btScalar)d->axis[0], (btScalar)d->axis[1], (btScalar)d->axis[2]);
    axis.normalize();
    btVector3 anchor((btScalar)d->anchor[0], (btScalar)d->anchor[1], (btScalar)d->anchor[2]);
    btTransform to_com = pa.shifted ? pa.com.inverse() : btTransform::getIdentity();
    btVector3 ax = to_com.getBasis() * axis, u, v;
    btPlaneSpace1(ax, u, v);
    bool slider = d->type == GS_JOINT_PRISMATIC;
    btMatrix3x3 basis = slider ? btMatrix3x3(ax.x(), u.x(), v.x(), ax.y(), u.y(), v.y(), ax.z(), u.z(), v.z())
                               : btMatrix3x3(u.x(), v.x(), ax.x(), u.y(), v.y(), ax.y(), u.z(), v.z(), ax.z());
    btTransform frame_a(basis, to_com * anchor);
    double mid = d->type == GS_JOINT_REVOLUTE ? (d->lower + d->upper) / 2 : 0;
    btTransform offset = btTransform::getIdentity();
    if (slider)
        offset.setOrigin(btVector3((btScalar)d->position, 0, 0));
    else
        offset.setRotation(btQuaternion(btVector3(0, 0, 1), (btScalar)(d->position - mid)));
    btTransform rel = pa.rb->getWorldTransform().inverse() * ch.rb->getWorldTransform();
    btTransform frame_b = rel.inverse() * frame_a * offset;
    bare_joint j;
    j.type = d->type, j.parent = d->parent, j.child = d->child;
    j.axis = ax, j.friction = d->friction, j.damping = d->damping, j.velocity = 0;
    if (slider) {
        btSliderConstraint *c = new btSliderConstraint(*pa.rb, *ch.rb, frame_a, frame_b, true);
        c->setLowerLinLimit((btScalar)d->lower);
        c->setUpperLinLimit((btScalar)d->upper);
        c->setLowerAngLimit(0);
        c->setUpperAngLimit(0);
        j.c = c;
    } else {
        btHingeConstraint *c = new btHingeConstraint(*pa.rb, *ch.rb, frame_a, frame_b, true);
        if (d->type == GS_JOINT_REVOLUTE) c->setLimit((btScalar)(d->lower - mid), (btScalar)(d->upper - mid));
        j.c = c;
    }
    w->joints.push_back(j);
    w->world->addConstraint(j.c, true);
    joint_velocity(w, w->joints.back());
    ch.rb->activate(true);
}

/* As the bridge's joint_update, the velocity the damping needs. */
static void joint_velocity(bare_world *w, bare_joint &j) {
    const btRigidBody &pa = *w->bodies[(size_t)j.parent].rb, &ch = *w->bodies[(size_t)j.child].rb;
    btVector3 axis = pa.getWorldTransform().getBasis() * j.axis;
    if (j.type == GS_JOINT_PRISMATIC) j.velocity = (ch.getLinearVelocity() - pa.getLinearVelocity()).dot(axis);
    else j.velocity = (ch.getAngularVelocity() - pa.getAngularVelocity()).dot(axis);
}

/* As gs_world_step's one step: the joints' motors, the step, their state. */
static void step(bare_world *w) {
    for (bare_joint &j : w->joints) {
        double effort = j.friction + j.damping * std::fabs(j.velocity);
        if (!(effort > 0)) continue;
        if (j.type == GS_JOINT_PRISMATIC) {
            btSliderConstraint *c = static_cast<btSliderConstraint *>(j.c);
            c->setPoweredLinMotor(true);
            c->setTargetLinMotorVelocity(0);
            c->setMaxLinMotorForce((btScalar)effort);
        } else {
            static_cast<btHingeConstraint *>(j.c)->enableAngularMotor(true, 0, (btScalar)(effort * w->timestep));
        }
    }
    w->world->stepSimulation(w->dt, 0, w->dt);
    for (bare_joint &j : w->joints) joint_velocity(w, j);
}

/* As the bridge's make_part: full sizes halved, margins under 1 mm kept
 * below half the thinnest side; a mesh the hull of its points. */
static btCollisionShape *make_part(const gs_shape *s, const std::vector<float> &mesh) {
    btCollisionShape *shape;
    double smallest;
    if (s->type == GS_SHAPE_MESH) {
        btConvexHullShape *hull = new btConvexHullShape();
        for (size_t i = 0; i + 2 < mesh.size(); i += 3) hull->addPoint(btVector3(mesh[i], mesh[i + 1], mesh[i + 2]), false);
        hull->recalcLocalAabb();
        hull->setMargin((btScalar)MARGIN);
        return hull;
    }
    if (s->type == GS_SHAPE_SPHERE) return new btSphereShape((btScalar)(s->size[0] / 2));
    if (s->type == GS_SHAPE_CYLINDER) {
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

static bool is_identity(const gs_pose *p) {
    return p->pos[0] == 0 && p->pos[1] == 0 && p->pos[2] == 0 && p->rot[0] == 0 && p->rot[1] == 0 &&
           p->rot[2] == 0 && std::fabs(p->rot[3]) == 1;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
