/* joints_compare: the two ways Bullet joins bodies, measured side by side
 * for the physics layer's choice (README, "Articulated objects").
 *
 *   constraints  rigid bodies in a btDiscreteDynamicsWorld joined by
 *                btHingeConstraint and btSliderConstraint, friction as a
 *                bounded motor: what core/src/physics does
 *   multibody    btMultiBody links (reduced coordinates) in a
 *                btMultiBodyDynamicsWorld, limits as
 *                btMultiBodyJointLimitConstraint, friction as a
 *                btMultiBodyJointMotor
 *
 * The scene: CABINETS fixed cabinets, each with a door on a revolute joint
 * and a drawer on a prismatic one, driven by torques and forces that swing
 * them into their limits and back, and a block resting on each cabinet.
 * For each way: the cost of a step, whether two runs end bit for bit alike,
 * how far the joints stray from their axes (a hinge's two pivots apart, a
 * drawer off its line) and past their limits. Then the question the
 * project's determinism asks of a switch: do scenes with no joint at all
 * step alike in both worlds?
 *
 * usage: joints_compare [STEPS] */
#include <BulletDynamics/Featherstone/btMultiBody.h>
#include <BulletDynamics/Featherstone/btMultiBodyConstraintSolver.h>
#include <BulletDynamics/Featherstone/btMultiBodyDynamicsWorld.h>
#include <BulletDynamics/Featherstone/btMultiBodyJointLimitConstraint.h>
#include <BulletDynamics/Featherstone/btMultiBodyJointMotor.h>
#include <BulletDynamics/Featherstone/btMultiBodyLinkCollider.h>
#include <btBulletDynamicsCommon.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

namespace {

const int CABINETS = 8;
const btScalar DT = btScalar(1.0 / 240.0);
const btScalar DOOR_MASS = 0.3, DRAWER_MASS = 0.3, FRICTION = 0.2, DRAWER_FRICTION = 1.0;
const btScalar DOOR_RANGE = 1.5, DRAWER_RANGE = 0.12;
const btVector3 DOOR_HALF(0.005f, 0.09f, 0.08f), DRAWER_HALF(0.07f, 0.08f, 0.03f), BODY_HALF(0.08f, 0.1f, 0.1f);

double now() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The drives: a torque on door i and a force on drawer i at step k. */
btScalar door_torque(int i, int k) { return btScalar(0.8 * std::sin(0.01 * k + i)); }
btScalar drawer_force(int i, int k) { return btScalar(6.0 * std::sin(0.013 * k + 2 * i)); }

/* A world's common parts. */
struct world {
    btDefaultCollisionConfiguration config;
    btCollisionDispatcher dispatcher;
    btDbvtBroadphase broadphase;
    btBoxShape table_shape, body_shape, door_shape, drawer_shape, block_shape;
    std::vector<btCollisionObject *> objects;
    std::vector<btTypedConstraint *> constraints;
    world()
        : dispatcher(&config), table_shape(btVector3(1.5f, 1.5f, 0.05f)), body_shape(BODY_HALF),
          door_shape(DOOR_HALF), drawer_shape(DRAWER_HALF), block_shape(btVector3(0.02f, 0.02f, 0.02f)) {
        for (btBoxShape *s : {&table_shape, &body_shape, &door_shape, &drawer_shape, &block_shape})
            s->setMargin(0.001f);
    }
};

btVector3 cabinet_at(int i) { return btVector3(0.3f + 0.3f * (btScalar)(i % 2), -0.45f + 0.25f * (btScalar)(i / 2), 0.1f); }

btRigidBody *rigid(btDiscreteDynamicsWorld *dw, world &w, btCollisionShape *shape, btScalar mass,
                   const btVector3 &at) {
    btVector3 inertia(0, 0, 0);
    if (mass > 0) shape->calculateLocalInertia(mass, inertia);
    btRigidBody::btRigidBodyConstructionInfo info(mass, NULL, shape, inertia);
    info.m_startWorldTransform.setIdentity();
    info.m_startWorldTransform.setOrigin(at);
    info.m_friction = 0.6f;
    btRigidBody *rb = new btRigidBody(info);
    rb->setActivationState(DISABLE_DEACTIVATION);
    dw->addRigidBody(rb);
    w.objects.push_back(rb);
    return rb;
}

/* What one run measured. */
struct result {
    double step_us;
    std::vector<btScalar> final; /* every moving body's pose, for bitwise comparison */
    double drift;                /* metres a joint strayed from its axis */
    double overshoot;            /* how far past a limit (rad or m) */
};

/* ---- constraints: the project's way ---- */

result run_constraints(int steps, bool joints) {
    world w;
    btSequentialImpulseConstraintSolver solver;
    btDiscreteDynamicsWorld dw(&w.dispatcher, &w.broadphase, &solver, &w.config);
    dw.setGravity(btVector3(0, 0, -9.8f));
    dw.getDispatchInfo().m_deterministicOverlappingPairs = true;
    rigid(&dw, w, &w.table_shape, 0, btVector3(0.5f, 0, -0.05f));
    std::vector<btRigidBody *> doors, drawers, blocks;
    std::vector<btHingeConstraint *> hinges;
    std::vector<btSliderConstraint *> sliders;
    for (int i = 0; i < CABINETS; i++) {
        btVector3 c = cabinet_at(i);
        btRigidBody *body = rigid(&dw, w, &w.body_shape, 0, c);
        blocks.push_back(rigid(&dw, w, &w.block_shape, 0.1f, c + btVector3(0, 0, 0.121f)));
        if (!joints) continue;
        btVector3 door_at = c + btVector3(0.085f + 0.005f, 0.0f, 0.0f);
        btRigidBody *door = rigid(&dw, w, &w.door_shape, DOOR_MASS, door_at);
        btTransform fa, fb;
        fa.setIdentity(), fb.setIdentity();
        fa.setOrigin(btVector3(0.09f, -0.09f, 0)), fb.setOrigin(btVector3(0, -0.09f, 0));
        btHingeConstraint *h = new btHingeConstraint(*body, *door, fa, fb, true);
        h->setLimit(-DOOR_RANGE / 2, DOOR_RANGE / 2);
        h->enableAngularMotor(true, 0, FRICTION * DT);
        dw.addConstraint(h, true);
        w.constraints.push_back(h);
        doors.push_back(door), hinges.push_back(h);
        btVector3 drawer_at = c + btVector3(0, 0, -0.06f);
        btRigidBody *drawer = rigid(&dw, w, &w.drawer_shape, DRAWER_MASS, drawer_at);
        fa.setIdentity(), fb.setIdentity();
        fa.setOrigin(btVector3(0, 0, -0.06f));
        btSliderConstraint *s = new btSliderConstraint(*body, *drawer, fa, fb, true);
        s->setLowerLinLimit(0), s->setUpperLinLimit(DRAWER_RANGE);
        s->setLowerAngLimit(0), s->setUpperAngLimit(0);
        s->setPoweredLinMotor(true), s->setTargetLinMotorVelocity(0), s->setMaxLinMotorForce(DRAWER_FRICTION);
        dw.addConstraint(s, true);
        w.constraints.push_back(s);
        drawers.push_back(drawer), sliders.push_back(s);
    }
    result r;
    r.drift = r.overshoot = 0;
    double t0 = now();
    for (int k = 0; k < steps; k++) {
        for (size_t i = 0; i < doors.size(); i++) {
            doors[i]->applyTorque(btVector3(0, 0, door_torque((int)i, k)));
            drawers[i]->applyCentralForce(btVector3(drawer_force((int)i, k), 0, 0));
        }
        dw.stepSimulation(DT, 0, DT);
        for (size_t i = 0; i < doors.size(); i++) {
            btVector3 pa = hinges[i]->getRigidBodyA().getWorldTransform() * hinges[i]->getAFrame().getOrigin();
            btVector3 pb = hinges[i]->getRigidBodyB().getWorldTransform() * hinges[i]->getBFrame().getOrigin();
            r.drift = std::fmax(r.drift, (pa - pb).length());
            double angle = std::fabs(hinges[i]->getHingeAngle());
            r.overshoot = std::fmax(r.overshoot, angle - DOOR_RANGE / 2);
            btVector3 d = drawers[i]->getWorldTransform().getOrigin() - (cabinet_at((int)i) + btVector3(0, 0, -0.06f));
            r.drift = std::fmax(r.drift, std::sqrt(d.y() * d.y() + d.z() * d.z()));
            r.overshoot = std::fmax(r.overshoot, std::fmax(-d.x(), d.x() - DRAWER_RANGE));
        }
    }
    r.step_us = 1e6 * (now() - t0) / steps;
    for (std::vector<btRigidBody *> *list : {&doors, &drawers, &blocks})
        for (btRigidBody *b : *list) {
            const btTransform &t = b->getWorldTransform();
            for (int k = 0; k < 3; k++) r.final.push_back(t.getOrigin()[k]);
            btQuaternion q = t.getRotation();
            for (int k = 0; k < 4; k++) r.final.push_back(q[k]);
        }
    for (btTypedConstraint *c : w.constraints) dw.removeConstraint(c), delete c;
    for (btCollisionObject *o : w.objects) dw.removeRigidBody(static_cast<btRigidBody *>(o)), delete o;
    return r;
}

/* ---- multibody: reduced coordinates ---- */

btMultiBodyLinkCollider *collider(btMultiBodyDynamicsWorld &dw, world &w, btMultiBody *mb, int link,
                                  btCollisionShape *shape) {
    btMultiBodyLinkCollider *c = new btMultiBodyLinkCollider(mb, link);
    c->setCollisionShape(shape);
    c->setFriction(0.6f);
    btTransform t;
    t.setIdentity();
    t.setOrigin(link < 0 ? mb->getBasePos() : mb->localPosToWorld(link, btVector3(0, 0, 0)));
    c->setWorldTransform(t);
    dw.addCollisionObject(c, btBroadphaseProxy::DefaultFilter, btBroadphaseProxy::AllFilter);
    if (link < 0) mb->setBaseCollider(c);
    else mb->getLink(link).m_collider = c;
    w.objects.push_back(c);
    return c;
}

/* A cabinet as one multibody: a fixed base, a door and a drawer, their
 * limits and friction motors. */
btMultiBody *multibody_cabinet(btMultiBodyDynamicsWorld &dw, world &w, const btVector3 &c,
                               std::vector<btMultiBodyConstraint *> &constraints) {
    btMultiBody *mb = new btMultiBody(2, 0, btVector3(0, 0, 0), true, false);
    mb->setBasePos(c);
    mb->setWorldToBaseRot(btQuaternion::getIdentity());
    btVector3 door_inertia, drawer_inertia;
    w.door_shape.calculateLocalInertia(DOOR_MASS, door_inertia);
    w.drawer_shape.calculateLocalInertia(DRAWER_MASS, drawer_inertia);
    mb->setupRevolute(0, DOOR_MASS, door_inertia, -1, btQuaternion::getIdentity(), btVector3(0, 0, 1),
                      btVector3(0.09f, -0.09f, 0), btVector3(0, 0.09f, 0), true);
    mb->setupPrismatic(1, DRAWER_MASS, drawer_inertia, -1, btQuaternion::getIdentity(), btVector3(1, 0, 0),
                       btVector3(0, 0, -0.06f), btVector3(0, 0, 0), true);
    mb->finalizeMultiDof();
    dw.addMultiBody(mb);
    collider(dw, w, mb, -1, &w.body_shape);
    collider(dw, w, mb, 0, &w.door_shape);
    collider(dw, w, mb, 1, &w.drawer_shape);
    btMultiBodyConstraint *cs[4] = {new btMultiBodyJointLimitConstraint(mb, 0, -DOOR_RANGE / 2, DOOR_RANGE / 2),
                                    new btMultiBodyJointLimitConstraint(mb, 1, 0, DRAWER_RANGE),
                                    new btMultiBodyJointMotor(mb, 0, 0, FRICTION * DT),
                                    new btMultiBodyJointMotor(mb, 1, 0, DRAWER_FRICTION * DT)};
    for (btMultiBodyConstraint *x : cs) dw.addMultiBodyConstraint(x), constraints.push_back(x);
    return mb;
}

result run_multibody(int steps, bool joints) {
    world w;
    btMultiBodyConstraintSolver solver;
    btMultiBodyDynamicsWorld dw(&w.dispatcher, &w.broadphase, &solver, &w.config);
    dw.setGravity(btVector3(0, 0, -9.8f));
    dw.getDispatchInfo().m_deterministicOverlappingPairs = true;
    std::vector<btRigidBody *> blocks;
    std::vector<btMultiBody *> bodies;
    std::vector<btMultiBodyConstraint *> constraints;
    rigid(&dw, w, &w.table_shape, 0, btVector3(0.5f, 0, -0.05f));
    for (int i = 0; i < CABINETS; i++) {
        btVector3 c = cabinet_at(i);
        /* without joints, the very scene of the other world: static boxes */
        if (joints) bodies.push_back(multibody_cabinet(dw, w, c, constraints));
        else rigid(&dw, w, &w.body_shape, 0, c);
        blocks.push_back(rigid(&dw, w, &w.block_shape, 0.1f, c + btVector3(0, 0, 0.121f)));
    }
    result r;
    r.drift = r.overshoot = 0;
    btAlignedObjectArray<btQuaternion> scratch_q;
    btAlignedObjectArray<btVector3> scratch_m;
    double t0 = now();
    for (int k = 0; k < steps; k++) {
        for (size_t i = 0; joints && i < bodies.size(); i++) {
            bodies[i]->addJointTorque(0, door_torque((int)i, k));
            bodies[i]->addJointTorque(1, drawer_force((int)i, k));
        }
        dw.stepSimulation(DT, 0, DT);
        for (size_t i = 0; joints && i < bodies.size(); i++) {
            r.overshoot = std::fmax(r.overshoot, std::fabs(bodies[i]->getJointPos(0)) - DOOR_RANGE / 2);
            double q = bodies[i]->getJointPos(1);
            r.overshoot = std::fmax(r.overshoot, std::fmax(-q, q - DRAWER_RANGE));
        }
    }
    r.step_us = 1e6 * (now() - t0) / steps;
    for (size_t i = 0; joints && i < bodies.size(); i++) {
        bodies[i]->updateCollisionObjectWorldTransforms(scratch_q, scratch_m);
        for (int l = 0; l < 2; l++) {
            const btTransform &t = bodies[i]->getLink(l).m_collider->getWorldTransform();
            for (int k = 0; k < 3; k++) r.final.push_back(t.getOrigin()[k]);
            btQuaternion q = t.getRotation();
            for (int k = 0; k < 4; k++) r.final.push_back(q[k]);
        }
    }
    for (btRigidBody *b : blocks) {
        const btTransform &t = b->getWorldTransform();
        for (int k = 0; k < 3; k++) r.final.push_back(t.getOrigin()[k]);
        btQuaternion q = t.getRotation();
        for (int k = 0; k < 4; k++) r.final.push_back(q[k]);
    }
    for (btMultiBodyConstraint *c : constraints) dw.removeMultiBodyConstraint(c), delete c;
    for (btMultiBody *mb : bodies) dw.removeMultiBody(mb);
    for (btCollisionObject *o : w.objects) {
        btRigidBody *rb = btRigidBody::upcast(o);
        if (rb) dw.removeRigidBody(rb);
        else dw.removeCollisionObject(o);
        delete o;
    }
    for (btMultiBody *mb : bodies) delete mb;
    return r;
}

bool same(const result &a, const result &b) {
    return a.final.size() == b.final.size() &&
           std::memcmp(a.final.data(), b.final.data(), a.final.size() * sizeof(btScalar)) == 0;
}

} // namespace

int main(int argc, char **argv) {
    int steps = argc > 1 ? std::atoi(argv[1]) : 4000;
    if (steps < 1) {
        std::fprintf(stderr, "usage: joints_compare [STEPS]\n");
        return 2;
    }
    /* best of three for the cost; the first two for determinism */
    result c[3], m[3];
    for (int i = 0; i < 3; i++) c[i] = run_constraints(steps, true), m[i] = run_multibody(steps, true);
    double cb = std::fmin(c[0].step_us, std::fmin(c[1].step_us, c[2].step_us));
    double mb = std::fmin(m[0].step_us, std::fmin(m[1].step_us, m[2].step_us));
    std::printf("%d cabinets, each a door and a drawer driven into their limits, a block on top; %d steps\n",
                CABINETS, steps);
    std::printf("%-12s %10s %14s %14s %14s\n", "", "us/step", "bit for bit", "drift (m)", "overshoot");
    std::printf("%-12s %10.2f %14s %14.2g %14.3g\n", "constraints", cb, same(c[0], c[1]) ? "yes" : "NO", c[0].drift,
                c[0].overshoot);
    std::printf("%-12s %10.2f %14s %14s %14.3g\n", "multibody", mb, same(m[0], m[1]) ? "yes" : "NO", "0 (reduced)",
                m[0].overshoot);
    std::printf("multibody / constraints  %.2fx\n", mb / cb);
    /* the blocks alone, no joint anywhere: does the world type change them? */
    result fc = run_constraints(steps, false), fm = run_multibody(steps, false);
    bool alike = fc.final.size() == fm.final.size() &&
                 std::memcmp(fc.final.data(), fm.final.data(), fc.final.size() * sizeof(btScalar)) == 0;
    std::printf("without joints, the two worlds step the blocks bit for bit alike: %s (%.2f vs %.2f us/step)\n",
                alike ? "yes" : "NO", fc.step_us, fm.step_us);
    return 0;
}
