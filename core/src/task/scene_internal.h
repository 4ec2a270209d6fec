/* scene_internal.h: what scene.c lends the oracle and the bindings. */
#ifndef GS_SCENE_INTERNAL_H
#define GS_SCENE_INTERNAL_H

#include "gensim/task.h"

/* Which target each object of g is matched to now (-1: none), as the
 * reward counts it; returns the number matched. obj_target is (nobjects). */
int gs__scene_matching(const gs_scene *s, const gs_goal *g, int *obj_target);
/* The fraction of object obj inside g's zone. */
double gs__zone_fraction(const gs_scene *s, const gs_goal *g, int obj);
/* The yaw period that applies to object obj in g. */
double gs__goal_symmetry(const gs_scene *s, const gs_goal *g, int obj);

#endif
