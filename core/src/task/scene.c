/* scene.c: objects, placement, goals and their scoring.
 *
 * Scoring is a pure function of the current poses: the reward is recomputed
 * from the state after every action, never accumulated, so it cannot drift
 * from what the scene shows. */
#include "task/scene_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLEARANCE 0.005       /* gap random_pose keeps between footprints, m */
#define PLACEMENT_TRIES 200

static void object_bbox(gs_object *o);
static void footprint(const gs_scene *s, int obj, double c[2], double half[2], double *yaw);
static int rects_overlap(const double ca[2], const double ha[2], double ya, const double cb[2],
                         const double hb[2], double yb, double margin);
static int pose_match(const gs_scene *s, const gs_goal *g, int i, int j);
static double zone_fraction(const gs_scene *s, const gs_goal *g, int obj);
static int max_matching(const gs_scene *s, const gs_goal *g, int *obj_target);
static double goal_symmetry(const gs_scene *s, const gs_goal *g, int obj);
static gs_status wait_at_rest(gs_scene *s, double seconds, gs_action_result *res, char *err,
                              size_t errlen);
static int articulated(const gs_scene *s);
static gs_status add_goal_articulated(const gs_scene *s, const gs_goal_spec *spec, gs_goal *g);

gs_scene_options gs_scene_options_default(void) {
    gs_scene_options o;
    o.max_objects = 128;
    o.world = gs_world_options_default();
    o.robot = gs_robot_options_default();
    return o;
}

gs_status gs_scene_init(gs_scene *s, const gs_scene_options *opt, gsu_rng *rng, char *err,
                        size_t errlen) {
    memset(s, 0, sizeof *s);
    s->opt = *opt;
    s->rng = rng;
    /* the end effector's bodies come on top of the objects */
    s->opt.world.max_bodies = opt->max_objects + 8;
    s->world = gs_world_create(&s->opt.world, err, errlen);
    if (!s->world) return GS_ERR_PHYSICS;
    gs_status st = gs_robot_init(&s->robot, s->world, &s->opt.robot, err, errlen);
    if (st != GS_OK) {
        gs_world_free(s->world);
        s->world = NULL;
    }
    return st;
}

/* Charges bytes held for the task to its budget; 0 when they do not fit. */
static int charge(gs_scene *s, size_t bytes) {
    if (!s->charge) return 1;
    if (!s->charge(s->charge_ud, (ptrdiff_t)bytes)) return 0;
    s->charged += bytes;
    return 1;
}

void gs_scene_free(gs_scene *s) {
    if (s->charge && s->charged) s->charge(s->charge_ud, -(ptrdiff_t)s->charged);
    for (int i = 0; i < s->ngoals; i++) gs_goal_free(&s->goals[i]);
    free(s->goals);
    free(s->scratch);
    for (int i = 0; i < s->nobjects; i++) gs__articulation_free(s->objects[i].art);
    free(s->objects);
    gs_world_free(s->world);
    memset(s, 0, sizeof *s);
}

void gs_goal_free(gs_goal *g) {
    free(g->objects);
    free(g->targets);
    free(g->allowed);
    free(g->lang);
    free(g->links);
    free(g->anchors);
    memset(g, 0, sizeof *g);
}

int gs__scene_new_object(gs_scene *s, const gs_asset_kind *kind, const gs_asset_params *params,
                         const char *color, size_t extra, char *err, size_t errlen) {
    if (s->nobjects >= s->opt.max_objects) {
        gs_fail(err, errlen, GS_ERR_LIMIT, "too many objects: the scene limit is %d",
                s->opt.max_objects);
        return -1;
    }
    const gs_color *c = gs_color_find(color);
    if (!c) {
        gs_fail(err, errlen, GS_ERR_USAGE, "unknown colour '%s'", color);
        return -1;
    }
    if (!charge(s, sizeof(gs_object) + GS_OBJECT_HOST_BYTES + extra)) {
        gs_fail(err, errlen, GS_ERR_LIMIT, "memory limit exceeded adding an object");
        return -1;
    }
    if (s->nobjects == s->cap_objects) {
        int cap = s->cap_objects ? 2 * s->cap_objects : 16;
        gs_object *grown = realloc(s->objects, (size_t)cap * sizeof *grown);
        if (!grown) {
            gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory adding an object");
            return -1;
        }
        s->objects = grown, s->cap_objects = cap;
    }
    gs_object *o = &s->objects[s->nobjects];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->params = *params;
    snprintf(o->color, sizeof o->color, "%s", c->name);
    for (int k = 0; k < 3; k++) o->rgb[k] = gs_srgb_to_linear(c->srgb[k]);
    o->body = GS_BODY_NONE;
    return s->nobjects;
}

int gs_scene_add(gs_scene *s, const gs_asset_kind *kind, const gs_asset_params *params,
                 const char *color, const gs_pose *pose, char *err, size_t errlen) {
    if (!kind->build) {
        gs_fail(err, errlen, GS_ERR_USAGE, "kind '%s' is built by its plugin's Lua (%s): add it from a task",
                kind->name, kind->origin ? kind->origin : "?");
        return -1;
    }
    gs_shape parts[GS_ASSET_MAX_SHAPES];
    int nparts = kind->build(params, parts);
    return gs_scene_add_parts(s, kind, params, color, parts, nparts, pose, err, errlen);
}

int gs_scene_add_parts(gs_scene *s, const gs_asset_kind *kind, const gs_asset_params *params, const char *color,
                       const gs_shape *parts, int nparts, const gs_pose *pose, char *err, size_t errlen) {
    if (nparts < 1 || nparts > GS_ASSET_MAX_SHAPES) {
        gs_fail(err, errlen, GS_ERR_USAGE, "kind '%s' made %d parts; a body has 1 to %d", kind->name, nparts,
                GS_ASSET_MAX_SHAPES);
        return -1;
    }
    if (gs__scene_new_object(s, kind, params, color, 0, err, errlen) < 0) return -1;
    gs_object *o = &s->objects[s->nobjects];
    memcpy(o->shapes, parts, sizeof *parts * (size_t)nparts);
    o->nshapes = nparts;
    object_bbox(o);

    gs_body_desc d = {0};
    d.shapes = o->shapes;
    d.nshapes = o->nshapes;
    d.mass = params->fixed ? 0 : params->mass;
    d.friction = 0.6;
    d.restitution = 0;
    d.pose = *pose;
    d.collides = kind->role != GS_ROLE_MARKER;
    o->body = gs_world_add_body(s->world, &d, err, errlen);
    if (o->body < 0) return -1;
    return s->nobjects++;
}

int gs_scene_add_group(gs_scene *s, const gs_asset_kind *kind, const gs_asset_params *params,
                       const char *color, const gs_pose *pose, int *first, char *err,
                       size_t errlen) {
    const gs_asset_group *group = gs_asset_group_of(kind);
    int n = params->count;
    if (!group || n < 1 || !(params->span > 0)) {
        gs_fail(err, errlen, GS_ERR_USAGE, "'%s' needs count >= 1 and a positive length", kind->name);
        return -1;
    }
    if (s->nobjects + n > s->opt.max_objects) {
        gs_fail(err, errlen, GS_ERR_LIMIT, "too many objects: %d %s members would pass the scene limit of %d",
                n, kind->name, s->opt.max_objects);
        return -1;
    }
    *first = s->nobjects;
    double size = params->size[0];
    if (group->linked) {
        double spacing = n > 1 ? params->span / (n - 1) : 0;
        if (n > 1 && spacing < size) {
            gs_fail(err, errlen, GS_ERR_USAGE, "a %s of %d beads of %.3f m cannot be %.3f m long: "
                    "make it longer, or the beads fewer or smaller", kind->name, n, size, params->span);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            gs_pose local = gsu_pose_xyz_yaw(-params->span / 2 + i * spacing, 0, 0, 0);
            gs_pose at = gsu_pose_multiply(pose, &local);
            if (gs_scene_add(s, kind, params, color, &at, err, errlen) < 0) return -1;
            if (i == 0 || params->fixed) continue; /* fixed beads hold their places unjoined */
            double pa[3] = {spacing / 2, 0, 0}, pb[3] = {-spacing / 2, 0, 0};
            if (gs_world_link(s->world, s->objects[*first + i - 1].body, s->objects[*first + i].body,
                              pa, pb) < 0) {
                gs_fail(err, errlen, GS_ERR_PHYSICS, "could not join the beads of the %s", kind->name);
                return -1;
            }
        }
        return n;
    }
    /* a pile: a shuffled lattice of cells with a little play, in layers */
    double cell = size * 1.4;
    int side = (int)floor(params->span / cell);
    if (side < 1) side = 1;
    int cells = side * side;
    int order[1024];
    if (cells > 1024) cells = 1024;
    for (int i = 0; i < cells; i++) order[i] = i;
    for (int i = cells - 1; i > 0; i--) {
        int j = (int)gsu_rng_int(s->rng, 0, i), t = order[i];
        order[i] = order[j], order[j] = t;
    }
    for (int i = 0; i < n; i++) {
        int c = order[i % cells], layer = i / cells;
        double play = (cell - size) / 2 * 0.8;
        double x = (c % side - (side - 1) / 2.0) * cell + gsu_rng_uniform(s->rng, -play, play);
        double y = (c / side - (side - 1) / 2.0) * cell + gsu_rng_uniform(s->rng, -play, play);
        gs_pose local = gsu_pose_xyz_yaw(x, y, layer * size * 1.05, gsu_rng_uniform(s->rng, -0.3, 0.3));
        gs_pose at = gsu_pose_multiply(pose, &local);
        if (gs_scene_add(s, kind, params, color, &at, err, errlen) < 0) return -1;
    }
    return n;
}

int gs_scene_add_object(gs_scene *s, const char *kind_name, const gs_asset_request *req,
                        const gs_pose *pose, int *first, char *err, size_t errlen) {
    const gs_asset_kind *kind = gs_asset_find(kind_name);
    if (!kind) {
        int n;
        const char *const *names = gs_asset_names(&n);
        char hint[512];
        gs_fail(err, errlen, GS_ERR_USAGE, "unknown asset kind '%s'%s", kind_name,
                gsu_suggest(kind_name, names, (size_t)n, hint, sizeof hint));
        return -1;
    }
    gs_asset_params p;
    const char *color;
    if (gs_asset_resolve(kind, req, &p, &color, err, errlen) != GS_OK) return -1;
    if (gs_asset_group_of(kind)) return gs_scene_add_group(s, kind, &p, color, pose, first, err, errlen);
    if (gs_asset_articulated_of(kind))
        *first = gs__scene_add_articulated(s, kind, &p, color, pose, err, errlen);
    else
        *first = gs_scene_add(s, kind, &p, color, pose, err, errlen);
    return *first < 0 ? -1 : 1;
}

void gs_scene_pose(const gs_scene *s, int obj, gs_pose *out) {
    gs_world_get_pose(s->world, s->objects[obj].body, out);
}

int gs_scene_random_pose(gs_scene *s, const double size[3], gs_pose *out) {
    double half[2] = {size[0] / 2, size[1] / 2};
    for (int attempt = 0; attempt < PLACEMENT_TRIES; attempt++) {
        double yaw = gsu_rng_uniform(s->rng, -GS_PI, GS_PI);
        gs_pose p = gsu_pose_xyz_yaw(0, 0, size[2] / 2, yaw);
        double ext[3], h3[3] = {half[0], half[1], 0};
        gsu_rotated_half_extents(p.rot, h3, ext);
        double xlo = GS_WS_X0 + ext[0], xhi = GS_WS_X1 - ext[0];
        double ylo = GS_WS_Y0 + ext[1], yhi = GS_WS_Y1 - ext[1];
        if (xlo > xhi || ylo > yhi) return 0; /* larger than the workspace */
        double c[2] = {gsu_rng_uniform(s->rng, xlo, xhi), gsu_rng_uniform(s->rng, ylo, yhi)};
        int clear = 1;
        for (int i = 0; i < s->nobjects && clear; i++) {
            double oc[2], oh[2], oyaw;
            footprint(s, i, oc, oh, &oyaw);
            clear = !rects_overlap(c, half, yaw, oc, oh, oyaw, CLEARANCE);
        }
        if (clear) {
            p.pos[0] = c[0], p.pos[1] = c[1];
            *out = p;
            return 1;
        }
    }
    return 0;
}

gs_goal_spec gs_goal_spec_default(void) {
    gs_goal_spec g;
    memset(&g, 0, sizeof g);
    g.matches = GS_MATCH_ANY;
    g.rotations = 1;
    g.symmetry = -1;
    g.metric = GS_METRIC_POSE;
    g.zone_pose = gsu_pose_identity();
    g.tolerance = -1;
    g.target = -1;
    g.reward = 1;
    return g;
}

/* The objects of a goal: listed once each, in the scene, movable. */
static gs_status check_goal_objects(const gs_scene *s, const gs_goal_spec *g, char *err,
                                    size_t errlen) {
    if (g->nobjects < 1 || !g->objects)
        return gs_fail(err, errlen, GS_ERR_USAGE, "'objects' must be a non-empty list of objects");
    if (g->nobjects > s->nobjects)
        return gs_fail(err, errlen, GS_ERR_USAGE, "'objects' lists %d objects but the scene has %d",
                       g->nobjects, s->nobjects);
    for (int i = 0; i < g->nobjects; i++) {
        int o = g->objects[i];
        if (o < 0 || o >= s->nobjects)
            return gs_fail(err, errlen, GS_ERR_USAGE, "'objects'[%d] = %d is not an object of the scene",
                           i + 1, o + 1);
        char label[96];
        for (int k = 0; k < i; k++)
            if (g->objects[k] == o)
                return gs_fail(err, errlen, GS_ERR_USAGE, "'objects' lists %s twice",
                               gs__object_label(s, o, label, sizeof label));
        if (g->metric == GS_METRIC_JOINT) {
            char why[320];
            if (gs_scene_joint_state(s, o, g->joint, NULL, NULL, why, sizeof why) != GS_OK)
                return gs_fail(err, errlen, GS_ERR_USAGE, "'objects'[%d]: %s", i + 1, why);
        } else if (s->objects[o].params.fixed || s->objects[o].kind->role == GS_ROLE_MARKER)
            return gs_fail(err, errlen, GS_ERR_USAGE,
                           "'objects'[%d], %s, is fixed: only movable objects can reach targets (a receptacle or "
                           "marker is where things go: use env:pose of it as a target)", i + 1,
                           gs__object_label(s, o, label, sizeof label));
    }
    return GS_OK;
}

/* A joint goal's joint and target, which only it has. */
static gs_status check_goal_joint(const gs_goal_spec *g, char *err, size_t errlen) {
    if (g->metric != GS_METRIC_JOINT) {
        if (g->joint || g->target != -1)
            return gs_fail(err, errlen, GS_ERR_USAGE, "'joint' and 'target' are for metric \"joint\" only");
        return GS_OK;
    }
    if (!g->joint || !g->joint[0]) return gs_fail(err, errlen, GS_ERR_USAGE, "metric \"joint\" needs joint = \"NAME\"");
    if (!(g->target >= 0 && g->target <= 1))
        return gs_fail(err, errlen, GS_ERR_USAGE, "'target' = %g must be a fraction of the joint's range from 0 "
                       "(shut) to 1 (open)", g->target);
    if (g->ntargets > 0 || g->matches != GS_MATCH_ANY || g->replace)
        return gs_fail(err, errlen, GS_ERR_USAGE, "metric \"joint\" takes no 'targets', 'matches' or 'replace'");
    return GS_OK;
}

/* The objects' matching to the targets: enough targets, pairs one to one,
 * a matrix that lets every object go somewhere. */
static gs_status check_matches(const gs_goal_spec *g, char *err, size_t errlen) {
    int nobj = g->nobjects, ntgt = g->ntargets;
    /* a zone's oracle spreads objects over free spots about its targets */
    if (g->metric == GS_METRIC_POSE && g->matches == GS_MATCH_ANY && !g->replace && ntgt < nobj)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "%d objects but only %d targets and replace = false: the goal can never be met", nobj, ntgt);
    if (g->matches == GS_MATCH_PAIRS && ntgt != nobj)
        return gs_fail(err, errlen, GS_ERR_USAGE,
                       "matches = \"pairs\" needs as many targets as objects (%d objects, %d targets)", nobj, ntgt);
    if (g->matches == GS_MATCH_MATRIX) {
        if (!g->allowed) return gs_fail(err, errlen, GS_ERR_USAGE, "'matches' needs its matrix");
        for (int i = 0; i < nobj; i++) {
            int any = 0;
            for (int j = 0; j < ntgt; j++) any |= g->allowed[i * ntgt + j] != 0;
            if (!any)
                return gs_fail(err, errlen, GS_ERR_USAGE,
                               "'matches'[%d] allows no target: object %d could never be placed", i + 1, i + 1);
        }
    }
    return GS_OK;
}

/* Targets, zone and matches, as the metric needs them. */
static gs_status check_goal_targets(const gs_goal_spec *g, char *err, size_t errlen) {
    int ntgt = g->ntargets;
    if (g->metric == GS_METRIC_JOINT) return GS_OK; /* check_goal_joint has */
    gs_status st = check_goal_joint(g, err, errlen);
    if (st != GS_OK) return st;
    if (ntgt < 0 || ntgt > GS_MAX_TARGETS || (ntgt > 0 && !g->targets))
        return gs_fail(err, errlen, GS_ERR_USAGE, "too many targets (%d)", ntgt);
    for (int j = 0; j < ntgt; j++)
        if (!gsu_pose_is_sane(&g->targets[j], 10))
            return gs_fail(err, errlen, GS_ERR_USAGE, "'targets'[%d] is not a place in the scene", j + 1);
    if (g->metric == GS_METRIC_ZONE) {
        /* targets, if any, are where the oracle puts things (matched to the
         * objects as a pose goal's are); the zone is scored */
        if (g->matches != GS_MATCH_ANY && ntgt == 0)
            return gs_fail(err, errlen, GS_ERR_USAGE, "metric \"zone\" takes 'matches' only with 'targets'");
        if (ntgt > 0) {
            gs_status mt = check_matches(g, err, errlen);
            if (mt != GS_OK) return mt;
        }
        for (int i = 0; i < 3; i++)
            if (!(g->zone_size[i] >= 0 && g->zone_size[i] <= GS_ASSET_SIZE_MAX))
                return gs_fail(err, errlen, GS_ERR_USAGE, "'zone'.size[%d] = %g must be from 0 to %g m",
                               i + 1, g->zone_size[i], GS_ASSET_SIZE_MAX);
        if (!gsu_pose_is_sane(&g->zone_pose, 10))
            return gs_fail(err, errlen, GS_ERR_USAGE, "'zone'.pose is not a place in the scene");
        return GS_OK;
    }
    if (g->metric != GS_METRIC_POSE) return gs_fail(err, errlen, GS_ERR_USAGE, "unknown metric");
    if (ntgt == 0)
        return gs_fail(err, errlen, GS_ERR_USAGE, "'targets' must be a non-empty list of poses for metric \"pose\"");
    return check_matches(g, err, errlen);
}

/* The ranges of the numbers and the language. */
static gs_status check_goal_values(const gs_goal_spec *g, char *err, size_t errlen) {
    if (!(g->symmetry == -1 || (g->symmetry >= 0 && g->symmetry <= 2 * GS_PI + 1e-9)))
        return gs_fail(err, errlen, GS_ERR_USAGE, "option 'symmetry' = %g is outside 0..%g", g->symmetry, 2 * GS_PI);
    if (!(g->tolerance == -1 || (g->tolerance >= 0 && g->tolerance <= 0.5)))
        return gs_fail(err, errlen, GS_ERR_USAGE, "option 'tolerance' = %g is outside 0..0.5", g->tolerance);
    if (!(g->reward >= 0 && g->reward <= 1))
        return gs_fail(err, errlen, GS_ERR_USAGE, "option 'reward' = %g is outside 0..1", g->reward);
    if (g->lang && strlen(g->lang) > GS_GOAL_LANG_MAX)
        return gs_fail(err, errlen, GS_ERR_USAGE, "'lang' is %zu bytes; at most %d", strlen(g->lang),
                       GS_GOAL_LANG_MAX);
    return GS_OK;
}

/* Room in the scorer's scratch for a goal of nobjects and ntargets. */
static int reserve_scratch(gs_scene *s, int nobjects, int ntargets) {
    size_t need = (size_t)nobjects + 2 * (size_t)ntargets;
    if (need <= s->cap_scratch) return 1;
    int *grown = realloc(s->scratch, need * sizeof *grown);
    if (!grown) return 0;
    s->scratch = grown, s->cap_scratch = need;
    return 1;
}

gs_status gs_scene_add_goal(gs_scene *s, const gs_goal_spec *spec, char *err, size_t errlen) {
    if (s->ngoals >= GS_MAX_GOALS)
        return gs_fail(err, errlen, GS_ERR_USAGE, "too many goals (%d at most)", GS_MAX_GOALS);
    gs_status st = spec->metric == GS_METRIC_JOINT ? check_goal_joint(spec, err, errlen) : GS_OK;
    if (st == GS_OK) st = check_goal_objects(s, spec, err, errlen);
    if (st == GS_OK) st = check_goal_targets(spec, err, errlen);
    if (st == GS_OK) st = check_goal_values(spec, err, errlen);
    if (st != GS_OK) return st;
    if (s->ngoals == s->cap_goals) {
        int cap = s->cap_goals ? 2 * s->cap_goals : 4;
        gs_goal *grown = realloc(s->goals, (size_t)cap * sizeof *grown);
        if (!grown) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory adding a goal");
        s->goals = grown, s->cap_goals = cap;
    }
    int nobj = spec->nobjects, ntgt = spec->ntargets;
    size_t bytes = sizeof(gs_goal) + sizeof(int) * (size_t)nobj + (sizeof(gs_pose) + (size_t)nobj) * (size_t)ntgt +
                   (spec->lang ? strlen(spec->lang) + 1 : 0) + sizeof(int) * ((size_t)nobj + 2 * (size_t)ntgt) +
                   (spec->metric == GS_METRIC_JOINT ? sizeof(int) * (size_t)nobj : 0) +
                   (articulated(s) ? sizeof(gs_anchor) * (size_t)ntgt : 0);
    if (!charge(s, bytes)) return gs_fail(err, errlen, GS_ERR_LIMIT, "memory limit exceeded adding a goal");
    gs_goal g;
    memset(&g, 0, sizeof g);
    g.nobjects = nobj, g.ntargets = ntgt;
    g.objects = malloc(sizeof(int) * (size_t)nobj);
    g.targets = ntgt ? malloc(sizeof(gs_pose) * (size_t)ntgt) : NULL;
    g.allowed = ntgt ? malloc((size_t)nobj * (size_t)ntgt) : NULL;
    g.lang = spec->lang ? strdup(spec->lang) : NULL;
    if (!g.objects || (ntgt && (!g.targets || !g.allowed)) || (spec->lang && !g.lang) ||
        !reserve_scratch(s, nobj, ntgt)) {
        gs_goal_free(&g);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory adding a goal");
    }
    memcpy(g.objects, spec->objects, sizeof(int) * (size_t)nobj);
    if (ntgt) memcpy(g.targets, spec->targets, sizeof(gs_pose) * (size_t)ntgt);
    for (int i = 0; i < nobj; i++)
        for (int j = 0; j < ntgt; j++)
            g.allowed[i * ntgt + j] = spec->matches == GS_MATCH_ANY     ? 1
                                      : spec->matches == GS_MATCH_PAIRS ? i == j
                                                                        : spec->allowed[i * ntgt + j] != 0;
    g.replace = spec->replace != 0;
    g.rotations = spec->rotations != 0;
    g.symmetry = spec->symmetry < 0 ? -1 : spec->symmetry;
    g.metric = spec->metric;
    g.zone_pose = spec->zone_pose;
    memcpy(g.zone_size, spec->zone_size, sizeof g.zone_size);
    g.tolerance = spec->tolerance >= 0 ? spec->tolerance
                  : spec->metric == GS_METRIC_JOINT ? GS_JOINT_TOLERANCE : GS_POSE_TOLERANCE;
    g.reward = spec->reward;
    g.latch = spec->latch != 0;
    if (add_goal_articulated(s, spec, &g) != GS_OK) {
        gs_goal_free(&g);
        return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory adding a goal");
    }
    s->goals[s->ngoals++] = g;
    return GS_OK;
}

/* 1 when the scene has an articulated object. */
static int articulated(const gs_scene *s) {
    for (int i = 0; i < s->nobjects; i++)
        if (s->objects[i].art) return 1;
    return 0;
}

/* What a goal needs in a scene with articulated objects: a joint goal's
 * links and target, and the link each place rides on (a target or zone
 * inside a drawer moves with the drawer). A scene without one has none. */
static gs_status add_goal_articulated(const gs_scene *s, const gs_goal_spec *spec, gs_goal *g) {
    g->zone_anchor.obj = -1;
    if (spec->metric == GS_METRIC_JOINT) {
        if (!(g->links = malloc(sizeof(int) * (size_t)g->nobjects))) return GS_ERR_NOMEM;
        for (int i = 0; i < g->nobjects; i++)
            g->links[i] = gs_model_find(&s->objects[g->objects[i]].art->model, spec->joint, 1);
        g->target = spec->target;
        return GS_OK;
    }
    if (!articulated(s)) return GS_OK;
    if (g->ntargets && !(g->anchors = malloc(sizeof *g->anchors * (size_t)g->ntargets))) return GS_ERR_NOMEM;
    for (int j = 0; j < g->ntargets; j++) g->anchors[j] = gs__anchor_find(s, &g->targets[j]);
    if (g->metric == GS_METRIC_ZONE) g->zone_anchor = gs__anchor_find(s, &g->zone_pose);
    return GS_OK;
}

int gs_scene_goal_count(const gs_scene *s) { return s->ngoals; }

int gs_scene_object_count(const gs_scene *s) { return s->nobjects; }

int gs_scene_steps(const gs_scene *s) { return s->steps; }

gs_status gs_scene_object_info(const gs_scene *s, int i, gs_object_info *out) {
    if (i < 0 || i >= s->nobjects)
        return gs_fail(NULL, 0, GS_ERR_USAGE, "no object %d", i);
    const gs_object *o = &s->objects[i];
    out->kind = o->kind->name;
    out->color = o->color;
    out->fixed = o->params.fixed;
    memcpy(out->size, o->size, sizeof out->size);
    gs_scene_pose(s, i, &out->pose);
    return GS_OK;
}

const char *gs_scene_goal_lang(const gs_scene *s, int i) {
    return i >= 0 && i < s->ngoals ? s->goals[i].lang : NULL;
}

double gs_goal_credit(const gs_scene *s, const gs_goal *g) {
    if (g->nobjects == 0) return 1;
    if (g->metric == GS_METRIC_JOINT) {
        int met = 0;
        for (int i = 0; i < g->nobjects; i++) {
            const gs_model_link *l = &s->objects[g->objects[i]].art->model.links[g->links[i]];
            double d = fabs(gs__link_fraction(s, g->objects[i], g->links[i]) - g->target);
            if (l->type == GS_JOINT_CONTINUOUS) d = fmin(d, 1 - d); /* a turn's share wraps */
            met += d <= g->tolerance + 1e-12;
        }
        return (double)met / g->nobjects;
    }
    if (g->metric == GS_METRIC_ZONE) {
        double sum = 0;
        for (int i = 0; i < g->nobjects; i++) sum += zone_fraction(s, g, g->objects[i]);
        return sum / g->nobjects;
    }
    int matched = 0;
    if (g->replace) {
        for (int i = 0; i < g->nobjects; i++)
            for (int j = 0; j < g->ntargets; j++)
                if (g->allowed[i * g->ntargets + j] && pose_match(s, g, i, j)) {
                    matched++;
                    break;
                }
    } else {
        matched = max_matching(s, g, s->scratch); /* assign: the scratch's first nobjects */
    }
    return (double)matched / g->nobjects;
}

double gs_scene_reward(const gs_scene *s, int *stage) {
    double total = 0;
    int k = 0;
    for (; k < s->ngoals; k++) {
        double credit = s->goals[k].latched ? 1 : gs_goal_credit(s, &s->goals[k]);
        if (credit < 1 - GS_SUCCESS_EPS) {
            total += s->goals[k].reward * credit;
            break;
        }
        total += s->goals[k].reward;
    }
    if (stage) *stage = k;
    return total;
}

gs_status gs_scene_check(gs_scene *s, char *err, size_t errlen) { return gs__scene_check(s, NULL, err, errlen); }

gs_status gs__scene_check(gs_scene *s, int *line, char *err, size_t errlen) {
    int culprit = 0;
    if (!line) line = &culprit;
    *line = 0;
    if (s->ngoals == 0 && s->moves != 1) /* a continuous task's success(env) judges it */
        return gs_fail(err, errlen, GS_ERR_RUNTIME, "made no goal: call env:goal{...} in reset");
    double sum = 0;
    for (int k = 0; k < s->ngoals; k++) sum += s->goals[k].reward;
    if (s->ngoals > 0 && fabs(sum - 1) > GS_SUCCESS_EPS) {
        *line = s->goals[s->ngoals - 1].line;
        return gs_fail(err, errlen, GS_ERR_RUNTIME,
                       "the goals' rewards sum to %.6g, not 1: success would be %s", sum,
                       sum < 1 ? "unreachable" : "reached early");
    }
    for (int i = 0; i < s->nobjects; i++) {
        gs_pose p;
        gs_scene_pose(s, i, &p);
        double c[3], ext[3], h[3];
        const gs_object *o = &s->objects[i];
        /* an articulated object's base: its handles and doors may stand out */
        const double *size = o->art ? o->art->base_size : o->size, *center = o->art ? o->art->base_center : o->center;
        for (int k = 0; k < 3; k++) h[k] = size[k] / 2;
        gsu_pose_apply(&p, center, c);
        gsu_rotated_half_extents(p.rot, h, ext);
        double lo[3], hi[3];
        int outside = 0;
        for (int k = 0; k < 3; k++) {
            lo[k] = c[k] - ext[k], hi[k] = c[k] + ext[k];
            outside |= gs__ws_outside(k, lo[k], hi[k]);
        }
        if (outside) return gs__explain_outside(s, i, lo, hi, line, err, errlen);
    }
    int a, b;
    double depth = gs_world_max_penetration(s->world, &a, &b);
    if (depth > GS_PENETRATION_TOL) return gs__explain_overlap(s, a, b, depth, line, err, errlen);
    return GS_OK;
}

int gs_scene_render_items(const gs_scene *s, gsr_item *items, int max) {
    int k = 0;
    for (int i = 0; i < s->nobjects; i++) {
        const gs_object *o = &s->objects[i];
        if (o->art) {
            k = gs__articulated_items(s, i, items, k, max);
            continue;
        }
        gs_pose p;
        gs_scene_pose(s, i, &p);
        for (int j = 0; j < o->nshapes; j++, k++) {
            if (k >= max) continue;
            items[k].shape = o->shapes[j];
            items[k].pose = gsu_pose_multiply(&p, &o->shapes[j].local);
            memcpy(items[k].color, o->rgb, sizeof o->rgb);
            items[k].id = i + 1;
        }
    }
    return k;
}

gs_status gs_scene_observe(const gs_scene *s, const gsr_view *v, float *heights, uint8_t *rgb,
                           int32_t *seg, char *err, size_t errlen) {
    int n = gs_scene_render_items(s, NULL, 0);
    gsr_item *items = malloc((size_t)(n ? n : 1) * sizeof *items);
    if (!items) return gs_fail(err, errlen, GS_ERR_NOMEM, "out of memory observing the scene");
    gs_scene_render_items(s, items, n);
    gsr_heightmap(items, n, v, heights, rgb, seg);
    free(items);
    return GS_OK;
}

uint64_t gs_scene_digest(const gs_scene *s, uint64_t h) {
    for (int i = 0; i < s->nobjects; i++) {
        gs_pose p;
        gs_scene_pose(s, i, &p);
        h = gsu_fnv1a(h, &p, sizeof p);
        for (int k = 1; s->objects[i].art && k < s->objects[i].art->model.nlinks; k++) {
            gs__link_pose(s, &s->objects[i], k, &p);
            h = gsu_fnv1a(h, &p, sizeof p);
        }
    }
    return h;
}

gs_status gs_scene_act(gs_scene *s, const gs_action *a, gs_action_result *res, char *err,
                       size_t errlen) {
    gs_status st;
    if (a->kind == GS_ACTION_MOVE && s->moves == 0)
        return gs_fail(err, errlen, GS_ERR_USAGE, "a move is a continuous-control step: only a task with "
                       "control = \"continuous\" (or a learned subtask) takes one");
    if ((a->kind == GS_ACTION_PICK_PLACE || a->kind == GS_ACTION_PUSH) && s->moves == 1)
        return gs_fail(err, errlen, GS_ERR_USAGE, "a continuous-control task takes only "
                       "{move = {dx, dy, dz, dyaw}, suction = bool} steps, not %s",
                       a->kind == GS_ACTION_PUSH ? "a push" : "a pick and place");
    if (a->kind == GS_ACTION_MOVE) {
        st = gs_robot_move(&s->robot, a->move, a->suction, res, err, errlen);
        if (st != GS_OK) return st;
        s->steps++;
        if (gs_world_first_invalid(s->world) != GS_BODY_NONE)
            st = gs_fail(err, errlen, GS_ERR_PHYSICS, "the simulation became invalid (NaN state)");
        return st;
    }
    /* a low lift drags what hangs from the cup (a rope) instead of raising it */
    double hover = s->robot.opt.hover;
    if (a->lift > 0) s->robot.opt.hover = a->lift;
    if (a->kind == GS_ACTION_WAIT)
        st = wait_at_rest(s, a->wait_s, res, err, errlen);
    else if (a->kind == GS_ACTION_PUSH)
        st = gs_robot_push(&s->robot, a->from, a->to, res, err, errlen);
    else if (a->kind == GS_ACTION_DRAG)
        st = gs__scene_drag(s, a, res, err, errlen);
    else
        st = gs_robot_pick_place(&s->robot, &a->pick, &a->place, res, err, errlen);
    s->robot.opt.hover = hover;
    s->steps++;
    if (st == GS_OK && gs_world_first_invalid(s->world) != GS_BODY_NONE)
        st = gs_fail(err, errlen, GS_ERR_PHYSICS, "the simulation became invalid (NaN state)");
    if (st == GS_OK) gs__scene_refresh(s);
    return st;
}

/* ---- helpers ---- */

/* Steps the world for up to seconds with no action, in chunks, stopping
 * once everything is slower than the robot's own settle speed: a scene at
 * rest stays as it is. */
static gs_status wait_at_rest(gs_scene *s, double seconds, gs_action_result *res, char *err,
                              size_t errlen) {
    memset(res, 0, sizeof *res);
    res->held_body = GS_BODY_NONE;
    if (!(seconds >= 0 && seconds <= 60))
        return gs_fail(err, errlen, GS_ERR_USAGE, "a wait of %g s is not 0..60 s", seconds);
    const int chunk = 24;
    const double rest = 0.005;
    long steps = (long)(seconds / gs_world_timestep(s->world) + 0.5);
    for (long done = 0; done < steps; done += chunk) {
        if (gs_world_max_speed(s->world) < rest) break;
        gs_world_step(s->world, chunk);
        res->steps += chunk;
        if (gs_world_first_invalid(s->world) != GS_BODY_NONE)
            return gs_fail(err, errlen, GS_ERR_PHYSICS, "the scene blew up while left alone");
    }
    return GS_OK;
}

static void object_bbox(gs_object *o) {
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (int k = 0; k < o->nshapes; k++) {
        const gs_shape *sh = &o->shapes[k];
        double half[3] = {sh->size[0] / 2, sh->size[1] / 2, sh->size[2] / 2}, ext[3];
        gsu_rotated_half_extents(sh->local.rot, half, ext);
        for (int d = 0; d < 3; d++) {
            lo[d] = fmin(lo[d], sh->local.pos[d] - ext[d]);
            hi[d] = fmax(hi[d], sh->local.pos[d] + ext[d]);
        }
    }
    for (int d = 0; d < 3; d++) {
        o->size[d] = hi[d] - lo[d];
        o->center[d] = (hi[d] + lo[d]) / 2;
    }
}

/* The object's footprint on the table: centre, half extents, yaw. An
 * articulated object's is all its joints sweep, so nothing is put where
 * a door swings or a drawer slides. */
static void footprint(const gs_scene *s, int obj, double c[2], double half[2], double *yaw) {
    const gs_object *o = &s->objects[obj];
    gs_pose p;
    gs_scene_pose(s, obj, &p);
    double w[3], centre[3] = {o->center[0], o->center[1], o->center[2]};
    half[0] = o->size[0] / 2, half[1] = o->size[1] / 2;
    if (o->art)
        for (int k = 0; k < 2; k++) {
            centre[k] = (o->art->reach_lo[k] + o->art->reach_hi[k]) / 2;
            half[k] = (o->art->reach_hi[k] - o->art->reach_lo[k]) / 2;
        }
    gsu_pose_apply(&p, centre, w);
    c[0] = w[0], c[1] = w[1];
    *yaw = gsu_pose_yaw(&p);
}

/* Separating-axis test of two rectangles grown by margin. */
static int rects_overlap(const double ca[2], const double ha[2], double ya, const double cb[2],
                         const double hb[2], double yb, double margin) {
    double axes[4][2] = {{cos(ya), sin(ya)}, {-sin(ya), cos(ya)}, {cos(yb), sin(yb)},
                         {-sin(yb), cos(yb)}};
    double d[2] = {cb[0] - ca[0], cb[1] - ca[1]};
    for (int k = 0; k < 4; k++) {
        const double *n = axes[k];
        double ra = ha[0] * fabs(n[0] * axes[0][0] + n[1] * axes[0][1]) +
                    ha[1] * fabs(n[0] * axes[1][0] + n[1] * axes[1][1]);
        double rb = hb[0] * fabs(n[0] * axes[2][0] + n[1] * axes[2][1]) +
                    hb[1] * fabs(n[0] * axes[3][0] + n[1] * axes[3][1]);
        if (fabs(d[0] * n[0] + d[1] * n[1]) > ra + rb + margin) return 0;
    }
    return 1;
}

static double goal_symmetry(const gs_scene *s, const gs_goal *g, int obj) {
    return g->symmetry >= 0 ? g->symmetry : s->objects[obj].kind->symmetry;
}

/* Object i of goal g at target j: x-y within tolerance, z within half the
 * object's height plus tolerance, yaw within 15 degrees modulo symmetry. */
static int pose_match(const gs_scene *s, const gs_goal *g, int i, int j) {
    int obj = g->objects[i];
    const gs_object *o = &s->objects[obj];
    const gs_pose *t = &g->targets[j];
    gs_pose p;
    gs_scene_pose(s, obj, &p);
    double dx = p.pos[0] - t->pos[0], dy = p.pos[1] - t->pos[1], dz = p.pos[2] - t->pos[2];
    if (dx * dx + dy * dy > g->tolerance * g->tolerance) return 0;
    double half[3] = {o->size[0] / 2, o->size[1] / 2, o->size[2] / 2}, ext[3];
    gsu_rotated_half_extents(p.rot, half, ext);
    if (fabs(dz) > ext[2] + g->tolerance) return 0;
    if (g->rotations) {
        double sym = goal_symmetry(s, g, obj);
        if (sym > 0 && fabs(gsu_wrap_angle(gsu_pose_yaw(&p) - gsu_pose_yaw(t), sym)) > GS_YAW_TOLERANCE)
            return 0;
    }
    return 1;
}

/* The fraction of a 4 x 4 x 2 lattice of points through the object's box
 * that lies inside the zone: exactly 1 when the whole box is inside. */
static double zone_fraction(const gs_scene *s, const gs_goal *g, int obj) {
    const gs_object *o = &s->objects[obj];
    gs_pose p;
    gs_scene_pose(s, obj, &p);
    gs_pose inv = gsu_pose_invert(&g->zone_pose);
    int inside = 0, total = 0;
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++)
            for (int c = 0; c < 2; c++) {
                double local[3] = {o->center[0] + o->size[0] * ((a + 0.5) / 4 - 0.5),
                                   o->center[1] + o->size[1] * ((b + 0.5) / 4 - 0.5),
                                   o->center[2] + o->size[2] * ((c + 0.5) / 2 - 0.5)};
                double w[3], z[3];
                gsu_pose_apply(&p, local, w);
                gsu_pose_apply(&inv, w, z);
                total++;
                inside += fabs(z[0]) <= g->zone_size[0] / 2 + g->tolerance &&
                          fabs(z[1]) <= g->zone_size[1] / 2 + g->tolerance &&
                          fabs(z[2]) <= g->zone_size[2] / 2 + g->tolerance;
            }
    return (double)inside / total;
}

/* Kuhn's augmenting paths over allowed, currently satisfied pairs. */
static int augment(const gs_scene *s, const gs_goal *g, int i, int *target_obj,
                   unsigned char *seen) {
    for (int j = 0; j < g->ntargets; j++) {
        if (seen[j] || !g->allowed[i * g->ntargets + j] || !pose_match(s, g, i, j)) continue;
        seen[j] = 1;
        if (target_obj[j] < 0 || augment(s, g, target_obj[j], target_obj, seen)) {
            target_obj[j] = i;
            return 1;
        }
    }
    return 0;
}

/* obj_target (nobjects) may be the scratch's first nobjects ints; the
 * matching works in the scratch after them. */
static int max_matching(const gs_scene *s, const gs_goal *g, int *obj_target) {
    int *target_obj = s->scratch + g->nobjects;
    unsigned char *seen = (unsigned char *)(target_obj + g->ntargets);
    int matched = 0;
    for (int j = 0; j < g->ntargets; j++) target_obj[j] = -1;
    for (int i = 0; i < g->nobjects; i++) {
        memset(seen, 0, (size_t)g->ntargets);
        matched += augment(s, g, i, target_obj, seen);
    }
    for (int i = 0; i < g->nobjects; i++) obj_target[i] = -1;
    for (int j = 0; j < g->ntargets; j++)
        if (target_obj[j] >= 0) obj_target[target_obj[j]] = j;
    return matched;
}

/* Exposed to oracle.c through scene_internal.h. */
int gs__scene_matching(const gs_scene *s, const gs_goal *g, int *obj_target) {
    if (g->replace) {
        int matched = 0;
        for (int i = 0; i < g->nobjects; i++) {
            obj_target[i] = -1;
            for (int j = 0; j < g->ntargets; j++)
                if (g->allowed[i * g->ntargets + j] && pose_match(s, g, i, j)) {
                    obj_target[i] = j;
                    matched++;
                    break;
                }
        }
        return matched;
    }
    return max_matching(s, g, obj_target);
}

double gs__zone_fraction(const gs_scene *s, const gs_goal *g, int obj) {
    return zone_fraction(s, g, obj);
}

double gs__goal_symmetry(const gs_scene *s, const gs_goal *g, int obj) {
    return goal_symmetry(s, g, obj);
}
