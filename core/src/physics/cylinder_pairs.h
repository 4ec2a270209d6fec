/* cylinder_pairs.h: contacts of movable cylinders, with cylinders and boxes.
 *
 * Part of the Bullet bridge, in C++, and included only by the bridge and by
 * bench/bare_bullet.cpp, which must build its worlds exactly as the bridge
 * does. Only forward declarations of Bullet types appear here.
 *
 * Why: Bullet's general convex algorithm, which is all it has for a
 * cylinder against a cylinder or a box, fails cylinders in two ways. Where
 * flat faces meet it finds one arbitrary point, often the centre of a cap,
 * and its perturbed extra queries add rim points only while the manifold
 * holds fewer than three: a disc on a disc rests on its centre and a few
 * rim points on one side, and tips towards the other. And those perturbed
 * queries turn a body by gContactBreakingThreshold over its radius,
 * clamped to 22.5 degrees: a scale for bodies a metre across, so a
 * centimetre cylinder turned that far reaches into a neighbour it does not
 * touch and reports a contact millimetres deep (measured: one placement in
 * ten of a can beside a can 1 to 12 mm away, one in thirty-five of a can
 * near a box), which kicks cans over beside each other or a wall. GJK
 * alone, unperturbed, is no cure: between a cylinder's side and a box's
 * face (a line on a plane) it stops up to 2 mm off. Two boxes have their
 * own algorithm and are not affected. */
#ifndef GS_CYLINDER_PAIRS_H
#define GS_CYLINDER_PAIRS_H

class btCollisionDispatcher;
class btCollisionConfiguration;
struct gs_cylinder_pairs;

/* Makes dispatcher d, built on configuration c, find the contacts of a
 * movable (dynamic) cylinder with another cylinder or a box from their
 * geometry: for two cylinders with parallel axes (within about 11 degrees)
 * up to four spread over the overlap where caps meet, two along the shared
 * stretch where sides meet, one where rims meet, and otherwise Bullet's
 * general algorithm without its perturbed queries; against a box, the same
 * for a cap or a side lying on a face, and otherwise the one point GJK
 * finds. Pairs without a movable cylinder keep c's algorithms, so scenes
 * without one step as they did; pair tests (contactPairTest) of any
 * cylinder use the geometry. Returns what to free with
 * gs_cylinder_pairs_free after d; NULL when out of memory (d unchanged). */
gs_cylinder_pairs *gs_cylinder_pairs_install(btCollisionDispatcher *d,
                                             btCollisionConfiguration *c);
/* Frees what gs_cylinder_pairs_install returned; p may be NULL. */
void gs_cylinder_pairs_free(gs_cylinder_pairs *p);

#endif
