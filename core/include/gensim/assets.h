/* assets.h: procedural asset kinds, built from options.
 *
 * One static table describes every kind: its role, default size, options,
 * yaw symmetry and how to build its convex parts. `gensim assets` and the API
 * reference given to the model are generated from this table, so the
 * documentation cannot drift from the code. */
#ifndef GENSIM_ASSETS_H
#define GENSIM_ASSETS_H

#include "gensim/physics.h"
#include "gensim/export.h"

GS_BEGIN_DECLS

#define GS_ASSET_MAX_SHAPES 24
#define GS_ASSET_MAX_CUSTOM 8 /* options of its own a plugin kind may declare */

/* Where a kind's pose sits, and whether it collides. */
typedef enum gs_asset_role {
    GS_ROLE_MOVABLE,    /* pose at the centre of the bounding box */
    GS_ROLE_RECEPTACLE, /* pose at the centre of the base, on the table */
    GS_ROLE_MARKER      /* like a receptacle, but drawn only: nothing touches it */
} gs_asset_role;

/* The options a kind accepts beyond color and fixed. */
typedef enum gs_asset_option {
    GS_OPT_SIZE = 1 << 0,   /* size = {x, y, z} */
    GS_OPT_RADIUS = 1 << 1, /* radius = r */
    GS_OPT_HEIGHT = 1 << 2, /* height = h */
    GS_OPT_LENGTH = 1 << 3, /* length = l */
    GS_OPT_MASS = 1 << 4,   /* mass = kg */
    GS_OPT_COUNT = 1 << 5   /* count = n, for kinds that add a group */
} gs_asset_option;

/* A numeric option a plugin kind declares for itself (dividers = 3). */
typedef struct gs_asset_custom {
    const char *name;
    double def, min, max;
    int integer;     /* 1: whole numbers only */
    const char *doc; /* nullable: one line */
} gs_asset_custom;

/* The resolved parameters of one object. */
typedef struct gs_asset_params {
    double size[3]; /* bounding box, x y z, metres */
    double mass;    /* kg, ignored when fixed */
    int fixed;      /* 1: never moves */
    int count;      /* group kinds: how many members */
    double span;    /* group kinds: a rope's length, a pile's footprint side, m */
    double custom[GS_ASSET_MAX_CUSTOM]; /* the kind's own options, in its order */
} gs_asset_params;

typedef struct gs_asset_kind {
    const char *name;
    const char *doc;           /* one line for the API reference */
    gs_asset_role role;
    unsigned options;          /* gs_asset_option bits */
    double default_size[3];
    double default_mass;
    int default_fixed;
    double symmetry;           /* yaw period, radians; 0: any yaw matches */
    /* Writes the parts (at most GS_ASSET_MAX_SHAPES) for params p into
     * shapes, in the object's frame; returns how many. NULL for a plugin
     * kind: its build function is Lua, run in the task's sandbox. */
    int (*build)(const gs_asset_params *p, gs_shape *shapes);
    const gs_asset_custom *custom; /* (ncustom) a plugin kind's own options */
    int ncustom;
    const char *origin;            /* NULL for a built-in kind; else the file it came from */
} gs_asset_kind;

/* How a group kind (rope, pile) makes its members: env:add adds count
 * objects of the kind and returns their list. */
typedef struct gs_asset_group {
    int count;      /* members by default */
    int linked;     /* 1: consecutive members are joined (a rope) */
    double span;    /* the default span: a rope's length, a pile's side */
} gs_asset_group;

/* The options a task gave env:add, before defaults: each has_* says
 * whether the option was given. */
typedef struct gs_asset_request {
    const char *color;        /* a colour name; NULL: gray */
    int has_fixed, fixed;
    int has_size;
    double size[3];
    int has_radius;
    double radius;
    int has_height;
    double height;
    int has_length;
    double length;
    int has_mass;
    double mass;
    int has_count, count;
    /* a plugin kind's own options, by name (ncustom) */
    int ncustom;
    const char *custom_name[GS_ASSET_MAX_CUSTOM];
    double custom_value[GS_ASSET_MAX_CUSTOM];
} gs_asset_request;

/* Limits on what a request may ask for. */
#define GS_ASSET_SIZE_MAX 1.0       /* metres, any side */
#define GS_ASSET_RADIUS_MIN 0.005
#define GS_ASSET_COUNT_MAX 200

/* The one rule from a request to an object's parameters: the kind's
 * defaults, then the options it takes (an option it does not take is an
 * error listing those it does), each range-checked; a radius sets x and y
 * (and z for kinds without a height); a flat marker given height 0 keeps
 * its default thickness. *color gets the colour's canonical name. */
GS_API gs_status gs_asset_resolve(const gs_asset_kind *kind, const gs_asset_request *req,
                           gs_asset_params *out, const char **color, char *err, size_t errlen);
/* Where things rest on or in an object made of parts (n, in the object's
 * frame): *floor gets the top of the highest part under the frame's origin
 * (0 when no part is there: what is put in rests on the table), *wall the
 * thinnest horizontal side of the box parts standing on that floor or the
 * table and rising above it (0 when there are none). The one rule behind
 * the receptacle figures of the API reference and of the scene's messages. */
GS_API void gs_asset_rest_geometry(const gs_shape *parts, int n, double *floor, double *wall);
/* The options kind takes, as "color, fixed, size, mass", into buf (n). */
GS_API void gs_asset_options_text(const gs_asset_kind *kind, char *buf, size_t n);

/* The group description of kind, or NULL for a kind of single objects. */
GS_API const gs_asset_group *gs_asset_group_of(const gs_asset_kind *kind);
/* The option names in bit order (n): name i is the option of bit 1 << i. */
GS_API const char *const *gs_asset_option_names(int *n);
/* Adds kinds (n, copied; the strings they point at must live as long as
 * the process) after the built-in ones: the kinds of the plugins on the
 * plugin path. Once per process, before any scene uses a kind; a name
 * already taken is an error naming both origins. */
GS_API gs_status gs_asset_add_kinds(const gs_asset_kind *kinds, int n, char *err, size_t errlen);
/* The kind named name, or NULL. */
GS_API const gs_asset_kind *gs_asset_find(const char *name);
/* All kinds (n), in documentation order. */
GS_API const gs_asset_kind *gs_asset_kinds(int *n);
/* The names of all kinds (n), for suggestions. */
GS_API const char *const *gs_asset_names(int *n);

/* A named colour: linear RGB in [0, 1] is returned through rgb (3). */
typedef struct gs_color {
    const char *name;
    unsigned char srgb[3];
} gs_color;

/* The colour named name, or NULL. */
GS_API const gs_color *gs_color_find(const char *name);
/* All colours (n). */
GS_API const gs_color *gs_colors(int *n);
/* The names of all colours (n), for suggestions. */
GS_API const char *const *gs_color_names(int *n);
/* The colour split for training and for testing (n each). */
GS_API const char *const *gs_train_colors(int *n);
GS_API const char *const *gs_test_colors(int *n);
/* sRGB byte to linear [0, 1]. */
GS_API float gs_srgb_to_linear(unsigned char c);

GS_END_DECLS

#endif
