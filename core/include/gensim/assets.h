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
    GS_OPT_COUNT = 1 << 5,  /* count = n, for kinds that add a group */
    GS_OPT_RANGE = 1 << 6,  /* range = m or rad, an articulated kind's joint travel */
    GS_OPT_SIDE = 1 << 7,   /* side = "left" | "right", where a door hinges */
    GS_OPT_FRICTION = 1 << 8, /* friction = N or N m a joint needs to move */
    GS_OPT_DAMPING = 1 << 9,  /* damping = N s/m or N m s/rad */
    GS_OPT_CONTINUOUS = 1 << 10, /* continuous = true: a knob without limits */
    GS_OPT_FILE = 1 << 11,  /* file = "scenes/NAME.urdf" */
    GS_OPT_SCALE = 1 << 12  /* scale = factor */
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
    /* articulated kinds: < 0 where the kind's default applies */
    double range;   /* joint travel, m or rad */
    double friction, damping;
    int side;       /* 0: hinged on the left seen from +x (at -y); 1: on the right */
    int continuous; /* 1: a knob turns without limits */
    /* urdf */
    char file[256]; /* the file as the task named it */
    double scale;   /* 1 */
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
    int has_range;
    double range;
    const char *side;         /* "left" or "right"; NULL: not given */
    int has_friction;
    double friction;
    int has_damping;
    double damping;
    int has_continuous, continuous;
    const char *file;         /* urdf: the file; NULL: not given */
    int has_scale;
    double scale;
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

/* ---- articulated objects: links joined by joints ---- */

#define GS_MODEL_MAX_LINKS 16
#define GS_LINK_MAX_SHAPES 32
#define GS_MODEL_NAME_MAX 48

/* One rigid link of an articulated object and the joint to its parent. */
typedef struct gs_model_link {
    char name[GS_MODEL_NAME_MAX];
    int parent;               /* the link it hangs from, before it; -1 for the base (link 0) */
    /* the joint to the parent (every link but the base) */
    char joint[GS_MODEL_NAME_MAX];
    gs_joint_type type;
    gs_pose origin;           /* this link's frame in its parent's at joint position 0 */
    double axis[3];           /* unit, in this link's frame */
    double pivot[3];          /* a point of the axis, in this link's frame */
    double lower, upper;      /* limits, m or rad; a continuous joint's are 0 and 2 pi.
                               * Fraction 0 is lower (shut), 1 is upper (open) */
    double friction, damping; /* N or N m; N s/m or N m s/rad */
    /* what it is made of, in its own frame */
    gs_shape shapes[GS_LINK_MAX_SHAPES];
    const gs_mesh *meshes[GS_LINK_MAX_SHAPES]; /* each mesh part's mesh (the model's) */
    int nshapes;
    double mass;              /* kg; the base's counts only when the object is not fixed */
    int has_inertial;         /* 1: inertial given (a file's); else from the parts */
    gs_inertial inertial;
    int has_handle;           /* 1: a drag grips this link at handle */
    double handle[3];         /* the top of the handle, in this link's frame */
    int has_color;            /* 1: drawn in rgb, not the object's colour */
    float rgb[3];             /* linear RGB */
} gs_model_link;

/* An articulated object: a tree of links, the base first, each frame in
 * its parent's. The base link's frame is the object's pose. */
typedef struct gs_model {
    gs_model_link links[GS_MODEL_MAX_LINKS];
    int nlinks;
    gs_mesh **meshes;         /* (nmeshes) the mesh parts' geometry, owned */
    int nmeshes;
    size_t bytes;             /* heap bytes the meshes hold */
} gs_model;

/* An empty model. */
GS_API void gs_model_init(gs_model *m);
/* Frees what m holds (its meshes) and empties it. */
GS_API void gs_model_free(gs_model *m);
/* Adds a link named name hanging from parent (-1 for the base); returns
 * its index, or -1 when the model is full. The joint fields are for the
 * caller to fill. */
GS_API int gs_model_add_link(gs_model *m, const char *name, int parent);
/* Adds part s (and mesh, for a GS_SHAPE_MESH part; nullable otherwise) to
 * link; 0 when the link is full. */
GS_API int gs_model_add_shape(gs_model *m, int link, const gs_shape *s, const gs_mesh *mesh);
/* Takes a mesh's arrays into the model (they are freed with it): vertices
 * (n x 3), triangles (t x 3), both malloc'd. Returns the model's copy of
 * the mesh, or NULL when out of memory (the arrays are freed). */
GS_API const gs_mesh *gs_model_take_mesh(gs_model *m, float *vertices, int n, int *triangles, int t);
/* The one rule for a model: 1 to 16 links, names unique and non-empty,
 * parents before children, every link with parts, masses, limits, frames
 * and handles finite and in range. GS_ERR_USAGE names what is wrong. */
GS_API gs_status gs_model_check(const gs_model *m, char *err, size_t errlen);
/* The link named name, or the link moved by the joint named name (links
 * and joints are looked up alike when joint is 1); -1 when none. */
GS_API int gs_model_find(const gs_model *m, const char *name, int joint);
/* Link's frame at joint position q given its parent's frame. */
GS_API gs_pose gs_model_link_pose(const gs_model_link *l, const gs_pose *parent, double q);
/* A joint's position (m or rad) at fraction f, and the fraction (0..1;
 * cyclic for a continuous joint) at position q. */
GS_API double gs_model_position(const gs_model_link *l, double f);
GS_API double gs_model_fraction(const gs_model_link *l, double q);

/* How an articulated kind is made: the model for params p (a urdf object's
 * comes from its file, which the task layer reads: build is NULL). */
typedef struct gs_asset_articulated {
    gs_status (*build)(const gs_asset_params *p, gs_model *m, char *err, size_t errlen);
} gs_asset_articulated;

/* The articulated description of kind, or NULL for a kind of one body. */
GS_API const gs_asset_articulated *gs_asset_articulated_of(const gs_asset_kind *kind);

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
