/* cylinder_pairs.h: contacts between two cylinders.
 *
 * Part of the Bullet bridge, in C++, and included only by the bridge and by
 * bench/bare_bullet.cpp, which must build its worlds exactly as the bridge
 * does. Only forward declarations of Bullet types appear here.
 *
 * Why: Bullet's general convex algorithm fails two cylinders in two ways.
 * Where flat faces meet it finds one arbitrary point, often the centre of
 * a cap, and its perturbed extra queries add rim points only while the
 * manifold holds fewer than three: a disc on a disc rests on its centre and
 * a few rim points on one side, and tips towards the other. And those
 * perturbed queries turn a body by gContactBreakingThreshold over its
 * radius, clamped to 22.5 degrees: a scale for bodies a metre across, so a
 * centimetre cylinder turned that far reaches into a neighbour it does not
 * touch and reports a contact millimetres deep (one in nine side-by-side
 * placements 1 to 12 mm apart). Boxes against boxes have their own
 * algorithm; cylinder pairs are the case left broken. */
#ifndef GS_CYLINDER_PAIRS_H
#define GS_CYLINDER_PAIRS_H

class btCollisionDispatcher;
struct btCollisionAlgorithmCreateFunc;

/* Makes dispatcher d give every pair of cylinders whose axes are parallel
 * (within about 11 degrees) the contacts of their geometry: up to four
 * spread over the overlap where caps meet, two along the shared stretch
 * where sides meet, one where rims meet; any other cylinder pair gets
 * Bullet's general convex algorithm without its perturbed queries. Returns
 * the function registered, which the caller deletes after d; NULL when out
 * of memory (d is then unchanged). */
btCollisionAlgorithmCreateFunc *gs_cylinder_pairs_install(btCollisionDispatcher *d);

#endif
