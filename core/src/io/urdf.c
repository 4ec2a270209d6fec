/* urdf.c: URDF objects, read with expat into an articulated model.
 *
 * What is read: <robot> with <link>s (their <collision> parts: <box>,
 * <cylinder>, <sphere>, <mesh> (OBJ, one convex part per group); their
 * <inertial>: <origin>, <mass>, <inertia>; a <visual>'s <material> colour)
 * and <joint>s (revolute, continuous, prismatic, fixed: <parent>, <child>,
 * <origin>, <axis>, <limit>, <dynamics>). Other elements (<gazebo>,
 * <transmission>, a <visual>'s geometry, ...) are skipped with what they
 * hold. A document type declaration is refused (no entities, nothing
 * fetched). Everything is checked, and every problem is
 * "name:line: message" naming the element's line. */
#include <expat.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/io.h"

#define MAX_RAW 64          /* links and joints in a file, before fixed joints merge */
#define MAX_DEPTH 32        /* element nesting */
#define NAME_MAX_LEN (GS_MODEL_NAME_MAX - 1)
#define LENGTH_LIMIT 10.0   /* metres */
#define DEFAULT_DENSITY 500.0 /* kg/m^3, for a link without <inertial> */

enum urdf_joint_type { J_FIXED, J_REVOLUTE, J_CONTINUOUS, J_PRISMATIC };

typedef struct urdf_part {
    gs_shape shape;           /* local = its <origin> */
    int is_handle;            /* its name starts with "handle": a drag grips there */
    char mesh[256];           /* a mesh part's filename, as written */
    double mesh_scale[3];
    int line;
} urdf_part;

typedef struct urdf_link {
    char name[GS_MODEL_NAME_MAX];
    int line;
    urdf_part parts[GS_LINK_MAX_SHAPES];
    int nparts;
    int has_inertial, has_mass, has_inertia, inertial_line;
    double mass;
    gs_pose inertial_origin;
    double inertia[3][3];
    int has_color;
    float rgb[3];
} urdf_link;

typedef struct urdf_joint {
    char name[GS_MODEL_NAME_MAX], parent[GS_MODEL_NAME_MAX], child[GS_MODEL_NAME_MAX];
    int line, type, has_limit;
    gs_pose origin;
    double axis[3];
    double lower, upper, damping, friction;
} urdf_joint;

/* The reader's state while expat walks the file. */
typedef struct urdf_reader {
    XML_Parser parser;
    const char *name;
    char message[512];        /* the first problem, "name:line: ..." */
    const char *stack[MAX_DEPTH];
    int depth, skip;          /* skip > 0: inside an element skipped whole */
    urdf_link *links;         /* (MAX_RAW) */
    int nlinks;
    urdf_joint *joints;       /* (MAX_RAW) */
    int njoints;
    urdf_link *link;          /* the <link> being read, or NULL */
    urdf_joint *joint;        /* the <joint> being read, or NULL */
    urdf_part *part;          /* the <collision> being read, or NULL */
    int in_visual, robots;
} urdf_reader;

static void XMLCALL on_start(void *ud, const XML_Char *el, const XML_Char **attr);
static void XMLCALL on_end(void *ud, const XML_Char *el);
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sys,
                               const XML_Char *pub, int internal);
static gs_status build_model(urdf_reader *r, const char *dir, const char *root, double scale,
                             gs_model *m, char *err, size_t errlen);

gs_status gs_urdf_parse(const char *name, const char *text, size_t len, const char *dir,
                        const char *root, double scale, gs_model *m, char *err, size_t errlen) {
    gs_model_init(m);
    if (!(scale > 0) || !isfinite(scale))
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s:1: scale must be positive", name);
    if (len > GS_URDF_MAX_BYTES)
        return gs_fail(err, errlen, GS_ERR_IO, "%s:1: %zu bytes is over the limit of %d", name, len,
                       GS_URDF_MAX_BYTES);
    urdf_reader r;
    memset(&r, 0, sizeof r);
    r.name = name;
    r.links = calloc(MAX_RAW, sizeof *r.links);
    r.joints = calloc(MAX_RAW, sizeof *r.joints);
    r.parser = XML_ParserCreate("UTF-8");
    gs_status st = GS_OK;
    if (!r.links || !r.joints || !r.parser) {
        st = gs_fail(err, errlen, GS_ERR_NOMEM, "%s:1: out of memory", name);
        goto done;
    }
    XML_SetUserData(r.parser, &r);
    XML_SetElementHandler(r.parser, on_start, on_end);
    XML_SetStartDoctypeDeclHandler(r.parser, on_doctype);
    if (XML_Parse(r.parser, text, (int)len, 1) == XML_STATUS_ERROR || r.message[0]) {
        if (!r.message[0])
            snprintf(r.message, sizeof r.message, "%s:%lu: malformed XML: %s", name,
                     (unsigned long)XML_GetCurrentLineNumber(r.parser),
                     XML_ErrorString(XML_GetErrorCode(r.parser)));
        st = gs_fail(err, errlen, GS_ERR_IO, "%s", r.message);
        goto done;
    }
    if (r.robots != 1) {
        st = gs_fail(err, errlen, GS_ERR_IO, "%s:1: the document must be one <robot>", name);
        goto done;
    }
    st = build_model(&r, dir, root, scale, m, err, errlen);
    if (st != GS_OK) gs_model_free(m);
done:
    if (r.parser) XML_ParserFree(r.parser);
    free(r.links);
    free(r.joints);
    return st;
}

gs_status gs_urdf_load(const char *rel, double scale, gs_model *m, char *err, size_t errlen) {
    char path[4096], root[4096];
    gs_model_init(m);
    gs_status st = gs_scene_file_resolve(rel, path, root, sizeof path, err, errlen);
    if (st != GS_OK) return st;
    char *text, why[512];
    size_t len;
    st = gs_read_file(path, GS_URDF_MAX_BYTES, &text, &len, why, sizeof why);
    if (st != GS_OK) return gs_fail(err, errlen, st, "%s:1: %s", rel, why);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0; /* path is root/rel: it has a slash */
    st = gs_urdf_parse(rel, text, len, dir, root, scale, m, err, errlen);
    free(text);
    return st;
}

/* ---- reading elements ---- */

/* Records the first problem, at the current line, and stops expat. */
static void problem(urdf_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(urdf_reader *r, const char *fmt, ...) {
    if (r->message[0]) return;
    int n = snprintf(r->message, sizeof r->message, "%s:%lu: ", r->name,
                     (unsigned long)XML_GetCurrentLineNumber(r->parser));
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof r->message) vsnprintf(r->message + n, sizeof r->message - (size_t)n, fmt, ap);
    va_end(ap);
    XML_StopParser(r->parser, XML_FALSE);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sys,
                               const XML_Char *pub, int internal) {
    (void)name, (void)sys, (void)pub, (void)internal;
    problem(ud, "a document type declaration is not allowed in a URDF file");
}

static const char *attribute(const XML_Char **attr, const char *key) {
    for (int i = 0; attr[i]; i += 2)
        if (strcmp(attr[i], key) == 0) return attr[i + 1];
    return NULL;
}

/* n finite numbers of attribute key (required: missing is a problem;
 * else out keeps its value); 0 after a problem. */
static int numbers(urdf_reader *r, const XML_Char **attr, const char *el, const char *key, int n,
                   double *out, int required) {
    const char *s = attribute(attr, key);
    if (!s) {
        if (required) problem(r, "<%s> needs the attribute %s", el, key);
        return !required;
    }
    const char *p = s;
    for (int i = 0; i < n; i++) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v)) {
            problem(r, "<%s %s=\"%.60s\">: %d finite numbers expected", el, key, s, n);
            return 0;
        }
        out[i] = v;
        p = end;
    }
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (*p) {
        problem(r, "<%s %s=\"%.60s\">: %d numbers expected, more given", el, key, s, n);
        return 0;
    }
    return 1;
}

/* A name attribute, copied; 0 (a problem) when missing or too long. */
static int name_of(urdf_reader *r, const XML_Char **attr, const char *el, const char *key, char *out) {
    const char *s = attribute(attr, key);
    if (!s || !*s) {
        problem(r, "<%s> needs a non-empty %s", el, key);
        return 0;
    }
    if (strlen(s) > NAME_MAX_LEN) {
        problem(r, "<%s %s=\"%.40s...\">: names are at most %d bytes", el, key, s, NAME_MAX_LEN);
        return 0;
    }
    strcpy(out, s);
    return 1;
}

/* <origin xyz rpy>, both optional. */
static void read_origin(urdf_reader *r, const XML_Char **attr, gs_pose *out) {
    double xyz[3] = {0, 0, 0}, rpy[3] = {0, 0, 0};
    if (!numbers(r, attr, "origin", "xyz", 3, xyz, 0) || !numbers(r, attr, "origin", "rpy", 3, rpy, 0)) return;
    for (int k = 0; k < 3; k++)
        if (fabs(xyz[k]) > LENGTH_LIMIT || fabs(rpy[k]) > 100) {
            problem(r, "<origin>: a coordinate is beyond 10 m, or an angle beyond 100 rad");
            return;
        }
    *out = gsu_pose_identity();
    memcpy(out->pos, xyz, sizeof xyz);
    gsu_quat_from_euler(rpy[0], rpy[1], rpy[2], out->rot);
}

static void read_geometry(urdf_reader *r, const char *el, const XML_Char **attr) {
    urdf_part *p = r->part;
    gs_shape *s = &p->shape;
    double v[3];
    if (strcmp(el, "box") == 0) {
        if (!numbers(r, attr, el, "size", 3, v, 1)) return;
        s->type = GS_SHAPE_BOX;
        memcpy(s->size, v, sizeof v);
    } else if (strcmp(el, "cylinder") == 0) {
        if (!numbers(r, attr, el, "radius", 1, &v[0], 1) || !numbers(r, attr, el, "length", 1, &v[1], 1)) return;
        s->type = GS_SHAPE_CYLINDER;
        s->size[0] = s->size[1] = 2 * v[0], s->size[2] = v[1];
    } else if (strcmp(el, "sphere") == 0) {
        if (!numbers(r, attr, el, "radius", 1, &v[0], 1)) return;
        s->type = GS_SHAPE_SPHERE;
        s->size[0] = s->size[1] = s->size[2] = 2 * v[0];
    } else { /* mesh */
        const char *file = attribute(attr, "filename");
        if (!file || !*file || strlen(file) >= sizeof p->mesh) {
            problem(r, "<mesh> needs a filename of at most 255 bytes");
            return;
        }
        strcpy(p->mesh, file);
        p->mesh_scale[0] = p->mesh_scale[1] = p->mesh_scale[2] = 1;
        if (!numbers(r, attr, el, "scale", 3, p->mesh_scale, 0)) return;
        s->type = GS_SHAPE_MESH;
        s->size[0] = s->size[1] = s->size[2] = 1; /* the mesh's, once read */
        for (int k = 0; k < 3; k++)
            if (!(p->mesh_scale[k] > 0 && p->mesh_scale[k] <= 100)) {
                problem(r, "<mesh scale>: factors must be in (0, 100]");
                return;
            }
        return;
    }
    for (int k = 0; k < 3; k++)
        if (!(s->size[k] > 0 && s->size[k] <= 2 * LENGTH_LIMIT)) {
            problem(r, "<%s>: sizes must be positive and at most 10 m", el);
            return;
        }
}

static void read_inertial(urdf_reader *r, const char *el, const XML_Char **attr) {
    urdf_link *l = r->link;
    if (strcmp(el, "mass") == 0) {
        if (!numbers(r, attr, el, "value", 1, &l->mass, 1)) return;
        if (!(l->mass > 0 && l->mass <= 1000)) problem(r, "<mass value=\"%g\">: a mass is in (0, 1000] kg", l->mass);
        l->has_mass = 1;
    } else if (strcmp(el, "inertia") == 0) {
        static const char *const keys[6] = {"ixx", "ixy", "ixz", "iyy", "iyz", "izz"};
        static const int at[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}};
        for (int k = 0; k < 6; k++) {
            double v;
            if (!numbers(r, attr, el, keys[k], 1, &v, 1)) return;
            l->inertia[at[k][0]][at[k][1]] = l->inertia[at[k][1]][at[k][0]] = v;
        }
        l->has_inertia = 1;
    } else if (strcmp(el, "origin") == 0) {
        read_origin(r, attr, &l->inertial_origin);
    }
}

static void start_link(urdf_reader *r, const XML_Char **attr) {
    if (r->nlinks == MAX_RAW) {
        problem(r, "too many links: a file may have %d", MAX_RAW);
        return;
    }
    urdf_link *l = r->link = &r->links[r->nlinks++];
    l->line = (int)XML_GetCurrentLineNumber(r->parser);
    l->inertial_origin = gsu_pose_identity();
    name_of(r, attr, "link", "name", l->name);
}

static void start_joint(urdf_reader *r, const XML_Char **attr) {
    if (r->njoints == MAX_RAW) {
        problem(r, "too many joints: a file may have %d", MAX_RAW);
        return;
    }
    urdf_joint *j = r->joint = &r->joints[r->njoints++];
    j->line = (int)XML_GetCurrentLineNumber(r->parser);
    j->origin = gsu_pose_identity();
    j->axis[0] = 1;
    if (!name_of(r, attr, "joint", "name", j->name)) return;
    const char *type = attribute(attr, "type");
    static const char *const types[] = {"fixed", "revolute", "continuous", "prismatic"};
    j->type = -1;
    for (int k = 0; k < 4 && type; k++)
        if (strcmp(type, types[k]) == 0) j->type = k;
    if (j->type < 0)
        problem(r, "joint '%s': type \"%.40s\" is not one of fixed, revolute, continuous, prismatic", j->name,
                type ? type : "");
}

static void read_joint_child(urdf_reader *r, const char *el, const XML_Char **attr) {
    urdf_joint *j = r->joint;
    if (strcmp(el, "parent") == 0) name_of(r, attr, el, "link", j->parent);
    else if (strcmp(el, "child") == 0) name_of(r, attr, el, "link", j->child);
    else if (strcmp(el, "origin") == 0) read_origin(r, attr, &j->origin);
    else if (strcmp(el, "axis") == 0) {
        if (!numbers(r, attr, el, "xyz", 3, j->axis, 1)) return;
        double n = sqrt(j->axis[0] * j->axis[0] + j->axis[1] * j->axis[1] + j->axis[2] * j->axis[2]);
        if (!(n > 1e-9)) problem(r, "joint '%s': the axis is zero", j->name);
        else for (int k = 0; k < 3; k++) j->axis[k] /= n;
    } else if (strcmp(el, "limit") == 0) {
        j->has_limit = 1;
        if (!numbers(r, attr, el, "lower", 1, &j->lower, 0) || !numbers(r, attr, el, "upper", 1, &j->upper, 0)) return;
    } else if (strcmp(el, "dynamics") == 0) {
        if (!numbers(r, attr, el, "damping", 1, &j->damping, 0) || !numbers(r, attr, el, "friction", 1, &j->friction, 0)) return;
        if (!(j->damping >= 0 && j->damping <= 100 && j->friction >= 0 && j->friction <= 100))
            problem(r, "joint '%s': damping and friction must be in [0, 100]", j->name);
    }
}

/* An element inside a <link>: collision parts, inertials, a visual's colour. */
static void read_link_child(urdf_reader *r, const char *el, const char *parent, const XML_Char **attr) {
    urdf_link *l = r->link;
    if (strcmp(el, "collision") == 0) {
        if (l->nparts == GS_LINK_MAX_SHAPES) {
            problem(r, "link '%s': at most %d collision parts", l->name, GS_LINK_MAX_SHAPES);
            return;
        }
        r->part = &l->parts[l->nparts++];
        r->part->line = (int)XML_GetCurrentLineNumber(r->parser);
        const char *part_name = attribute(attr, "name");
        r->part->is_handle = part_name && strncmp(part_name, "handle", 6) == 0;
        r->part->shape.local = gsu_pose_identity();
        r->part->shape.type = (gs_shape_type)-1;
    } else if (strcmp(el, "visual") == 0) {
        r->in_visual = 1;
    } else if (strcmp(el, "inertial") == 0) {
        l->has_inertial = 1;
        l->inertial_line = (int)XML_GetCurrentLineNumber(r->parser);
    } else if (strcmp(parent, "inertial") == 0) {
        read_inertial(r, el, attr);
    } else if (r->part && strcmp(parent, "collision") == 0 && strcmp(el, "origin") == 0) {
        read_origin(r, attr, &r->part->shape.local);
    } else if (r->part && strcmp(parent, "geometry") == 0 &&
               (!strcmp(el, "box") || !strcmp(el, "cylinder") || !strcmp(el, "sphere") || !strcmp(el, "mesh"))) {
        if ((int)r->part->shape.type != -1) problem(r, "a <geometry> holds one shape");
        else read_geometry(r, el, attr);
    } else if (r->in_visual && strcmp(el, "color") == 0) {
        double rgba[4];
        if (!numbers(r, attr, el, "rgba", 4, rgba, 1)) return;
        for (int k = 0; k < 3; k++) l->rgb[k] = (float)fmin(1, fmax(0, rgba[k]));
        l->has_color = 1;
    } else if (r->part && strcmp(el, "geometry") == 0) {
        /* its shape comes next */
    } else if (!r->in_visual && strcmp(el, "material") != 0 && strcmp(el, "geometry") != 0) {
        r->skip = 1; /* something this reader does not use, with what it holds */
    } else if (r->in_visual && strcmp(el, "material") != 0) {
        r->skip = 1;
    }
}

static void XMLCALL on_start(void *ud, const XML_Char *el, const XML_Char **attr) {
    urdf_reader *r = ud;
    if (r->message[0]) return;
    if (r->depth == MAX_DEPTH) {
        problem(r, "elements nest deeper than %d", MAX_DEPTH);
        return;
    }
    const char *parent = r->depth ? r->stack[r->depth - 1] : "";
    r->stack[r->depth++] = el;
    if (r->skip) {
        r->skip++;
        return;
    }
    if (r->depth == 1) {
        if (strcmp(el, "robot") != 0) problem(r, "the document is <%.40s>, not <robot>", el);
        r->robots++;
    } else if (r->depth == 2) {
        if (strcmp(el, "link") == 0) start_link(r, attr);
        else if (strcmp(el, "joint") == 0) start_joint(r, attr);
        else r->skip = 1; /* materials, gazebo, transmission: not needed */
    } else if (r->link) {
        read_link_child(r, el, parent, attr);
    } else if (r->joint) {
        if (r->depth == 3) read_joint_child(r, el, attr);
        else r->skip = 1;
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *el) {
    urdf_reader *r = ud;
    if (r->depth > 0) r->depth--;
    if (r->skip) {
        r->skip--;
        return;
    }
    if (strcmp(el, "link") == 0 && r->depth == 1) r->link = NULL;
    else if (strcmp(el, "joint") == 0 && r->depth == 1) r->joint = NULL;
    else if (strcmp(el, "collision") == 0 && r->part) {
        if ((int)r->part->shape.type == -1) problem(r, "a <collision> needs a <geometry> with a shape");
        r->part = NULL;
    } else if (strcmp(el, "visual") == 0) r->in_visual = 0;
}

/* ---- from what was read to a model ---- */

/* The structure of the links: one root, every other link the child of
 * exactly one joint, all reached from the root. order (nlinks) lists the
 * links root first, parents before children; via (nlinks) each link's
 * joint (-1 for the root). */
static gs_status link_tree(urdf_reader *r, int *order, int *via, char *err, size_t errlen) {
    for (int i = 0; i < r->nlinks; i++) {
        via[i] = -1;
        for (int k = 0; k < i; k++)
            if (strcmp(r->links[k].name, r->links[i].name) == 0)
                return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: a second link named '%s'", r->name, r->links[i].line,
                               r->links[i].name);
    }
    if (r->nlinks == 0) return gs_fail(err, errlen, GS_ERR_IO, "%s:1: the robot has no link", r->name);
    for (int j = 0; j < r->njoints; j++) {
        urdf_joint *jt = &r->joints[j];
        int parent = -1, child = -1;
        for (int k = 0; k < r->nlinks; k++) {
            if (strcmp(r->links[k].name, jt->parent) == 0) parent = k;
            if (strcmp(r->links[k].name, jt->child) == 0) child = k;
        }
        for (int k = 0; k < j; k++)
            if (strcmp(r->joints[k].name, jt->name) == 0)
                return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: a second joint named '%s'", r->name, jt->line, jt->name);
        if (parent < 0 || child < 0)
            return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: joint '%s': its %s link '%s' is not in the file", r->name,
                           jt->line, jt->name, parent < 0 ? "parent" : "child", parent < 0 ? jt->parent : jt->child);
        if (via[child] >= 0)
            return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: joint '%s': link '%s' already hangs from joint '%s'", r->name,
                           jt->line, jt->name, jt->child, r->joints[via[child]].name);
        via[child] = j;
    }
    int root = -1;
    for (int i = 0; i < r->nlinks; i++)
        if (via[i] < 0) {
            if (root >= 0)
                return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: links '%s' and '%s' both have no parent: one object "
                               "has one root", r->name, r->links[i].line, r->links[root].name, r->links[i].name);
            root = i;
        }
    if (root < 0) return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: the joints make a cycle: no link is the root", r->name, r->joints[0].line);
    int n = 0;
    order[n++] = root;
    for (int k = 0; k < n; k++) /* breadth first from the root */
        for (int i = 0; i < r->nlinks; i++)
            if (via[i] >= 0 && strcmp(r->joints[via[i]].parent, r->links[order[k]].name) == 0) order[n++] = i;
    if (n < r->nlinks) {
        for (int i = 0; i < r->nlinks; i++) {
            int seen = 0;
            for (int k = 0; k < n; k++) seen |= order[k] == i;
            if (!seen)
                return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: joint '%s': the joints make a cycle through link '%s'",
                               r->name, r->joints[via[i]].line, r->joints[via[i]].name, r->links[i].name);
        }
    }
    return GS_OK;
}

/* A moving joint's limits, dynamics and axis into model link l. */
static gs_status set_joint(urdf_reader *r, const urdf_joint *j, gs_model_link *l, char *err, size_t errlen) {
    snprintf(l->joint, sizeof l->joint, "%s", j->name);
    memcpy(l->axis, j->axis, sizeof l->axis);
    l->friction = j->friction, l->damping = j->damping;
    if (j->type == J_CONTINUOUS) {
        l->type = GS_JOINT_CONTINUOUS, l->lower = 0, l->upper = 2 * GS_PI;
        return GS_OK;
    }
    l->type = j->type == J_REVOLUTE ? GS_JOINT_REVOLUTE : GS_JOINT_PRISMATIC;
    if (!j->has_limit)
        return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: joint '%s': a %s joint needs <limit lower upper>", r->name, j->line,
                       j->name, j->type == J_REVOLUTE ? "revolute" : "prismatic");
    if (!(j->lower < j->upper))
        return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: joint '%s': limits need lower < upper (%g, %g)", r->name, j->line,
                       j->name, j->lower, j->upper);
    if (j->type == J_REVOLUTE && !(j->upper - j->lower < 2 * GS_PI && fabs(j->lower) <= 4 * GS_PI && fabs(j->upper) <= 4 * GS_PI))
        return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: joint '%s': a revolute range is under 2 pi; a joint that turns "
                       "for ever is continuous", r->name, j->line, j->name);
    if (j->type == J_PRISMATIC && !(fabs(j->lower) <= 2 && fabs(j->upper) <= 2))
        return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: joint '%s': a prismatic joint moves at most 2 m", r->name, j->line, j->name);
    l->lower = j->lower, l->upper = j->upper;
    return GS_OK;
}

/* The mesh file a <mesh filename> names: relative to the URDF's folder,
 * or package://PATH relative to the root it was found under. */
static gs_status mesh_path(urdf_reader *r, const urdf_part *p, const char *dir, const char *root, char *path,
                           size_t n, char *err, size_t errlen) {
    const char *name = p->mesh, *base = dir;
    if (strncmp(name, "package://", 10) == 0) name += 10, base = root;
    char why[400];
    int ok = strncmp(p->mesh, "package://", 10) == 0 ? gs_scene_file_valid(name, why, sizeof why) : 1;
    if (ok && name[0] == '/') ok = 0, snprintf(why, sizeof why, "a mesh is named relative to its URDF file");
    for (const char *c = name; ok && *c; c++) /* the same plain parts as a scene file */
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("._-/", *c)))
            ok = 0, snprintf(why, sizeof why, "'%.80s': only letters, digits, '.', '_', '-' and '/'", name);
    if (ok && (strstr(name, "..") || strstr(name, "//") || strstr(name, "/./") || strncmp(name, "./", 2) == 0))
        ok = 0, snprintf(why, sizeof why, "'%.80s': no \"..\", \".\" or empty parts", name);
    if (ok && (!base || !*base)) ok = 0, snprintf(why, sizeof why, "meshes cannot be read here (no folder)");
    size_t len = strlen(name);
    if (ok && (len < 5 || strcmp(name + len - 4, ".obj") != 0))
        ok = 0, snprintf(why, sizeof why, "'%.80s': only OBJ meshes (.obj) are read", name);
    if (!ok) return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: <mesh filename>: %s", r->name, p->line, why);
    if (snprintf(path, n, "%s/%s", base, name) >= (int)n)
        return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: <mesh filename>: the path is too long", r->name, p->line);
    return GS_OK;
}

/* Raw link i's collision parts into model link body, placed by offset
 * (the raw link's frame in the body's); the first part named handle marks
 * where a drag grips (*handle: its index among the body's parts, when not
 * set yet). */
static gs_status add_parts(urdf_reader *r, int i, gs_model *m, int body, const gs_pose *offset, const char *dir,
                           const char *root, int *handle, char *err, size_t errlen) {
    const urdf_link *l = &r->links[i];
    for (int k = 0; k < l->nparts; k++) {
        const urdf_part *p = &l->parts[k];
        gs_pose local = gsu_pose_multiply(offset, &p->shape.local);
        gs_model_link *ml = &m->links[body];
        if (p->is_handle && *handle < 0) *handle = ml->nshapes;
        if (p->shape.type == GS_SHAPE_MESH) {
            char path[4096], name[600];
            if (p->mesh_scale[0] != p->mesh_scale[1] || p->mesh_scale[0] != p->mesh_scale[2])
                return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: <mesh scale>: the factors must be equal", r->name, p->line);
            gs_status st = mesh_path(r, p, dir, root, path, sizeof path, err, errlen);
            snprintf(name, sizeof name, "%s", p->mesh);
            if (st == GS_OK) st = gs_obj_load(path, name, p->mesh_scale[0], &local, m, body, err, errlen);
            if (st != GS_OK) return st;
        } else if (ml->nshapes == GS_LINK_MAX_SHAPES || !gs_model_add_shape(m, body, &p->shape, NULL)) {
            return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: link '%s': more than %d parts once fixed joints merge",
                           r->name, p->line, l->name, GS_LINK_MAX_SHAPES);
        } else {
            ml->shapes[ml->nshapes - 1].local = local;
        }
    }
    return GS_OK;
}

/* What raw link i weighs and where, in the frame of its body: its
 * <inertial> (placed by offset, the link's frame in the body's), or its
 * parts (shapes, meshes: n, already in the body's frame) at
 * DEFAULT_DENSITY, or nothing (mass 0) for a link with neither. */
static gs_status raw_inertial(urdf_reader *r, int i, const gs_pose *offset, const gs_shape *shapes,
                              const gs_mesh *const *meshes, int n, double *mass, gs_inertial *out, char *err,
                              size_t errlen) {
    const urdf_link *l = &r->links[i];
    *mass = 0;
    if (l->has_inertial && !l->has_mass)
        return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: link '%s': <inertial> needs a <mass>", r->name, l->inertial_line,
                       l->name);
    if (l->has_inertial && l->has_inertia) {
        double values[3], axes[3][3];
        gsu_sym3_eigen(l->inertia, values, axes);
        if (!(values[0] > 0) || values[2] > 1e6)
            return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: link '%s': the inertia is not positive definite", r->name,
                           l->inertial_line, l->name);
        gs_pose principal = gsu_pose_identity();
        gsu_quat_from_matrix(axes, principal.rot);
        gs_pose in_link = gsu_pose_multiply(&l->inertial_origin, &principal);
        out->frame = gsu_pose_multiply(offset, &in_link);
        memcpy(out->moments, values, sizeof values);
        *mass = l->mass;
        return GS_OK;
    }
    if (n == 0) { /* a point mass, or nothing */
        *mass = l->has_inertial ? l->mass : 0;
        out->frame = gsu_pose_multiply(offset, &l->inertial_origin);
        out->moments[0] = out->moments[1] = out->moments[2] = 0;
        return GS_OK;
    }
    double volume = 0;
    for (int k = 0; k < n; k++) {
        const double *sz = shapes[k].size;
        volume += shapes[k].type == GS_SHAPE_SPHERE ? GS_PI / 6 * sz[0] * sz[0] * sz[0]
                  : shapes[k].type == GS_SHAPE_CYLINDER ? GS_PI / 4 * sz[0] * sz[0] * sz[2]
                                                        : sz[0] * sz[1] * sz[2];
    }
    *mass = l->has_inertial ? l->mass : DEFAULT_DENSITY * volume;
    if (!(*mass > 0) || gs_shapes_inertial(shapes, meshes, n, *mass, out) != GS_OK)
        return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: link '%s': its parts have no volume", r->name, l->line, l->name);
    return GS_OK;
}

/* Several masses (n) with their inertials, all in one frame, as one. */
static void combine(const double *mass, const gs_inertial *in, int n, double *total, gs_inertial *out) {
    double com[3] = {0, 0, 0}, tensor[3][3] = {{0}};
    *total = 0;
    for (int i = 0; i < n; i++) *total += mass[i];
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) com[k] += mass[i] * in[i].frame.pos[k] / *total;
    for (int i = 0; i < n; i++) {
        double r[3][3], d[3];
        gsu_quat_to_matrix(in[i].frame.rot, r);
        for (int k = 0; k < 3; k++) d[k] = in[i].frame.pos[k] - com[k];
        double d2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                double rotated = 0;
                for (int k = 0; k < 3; k++) rotated += r[a][k] * in[i].moments[k] * r[b][k];
                tensor[a][b] += rotated + mass[i] * ((a == b ? d2 : 0) - d[a] * d[b]);
            }
    }
    double axes[3][3];
    gsu_sym3_eigen(tensor, out->moments, axes);
    for (int k = 0; k < 3; k++) {
        out->frame.pos[k] = com[k];
        if (!(out->moments[k] > 1e-9)) out->moments[k] = 1e-9;
    }
    gsu_quat_from_matrix(axes, out->frame.rot);
}

/* The top middle of part k of link l, in the link's frame. */
static void part_top(const gs_model_link *l, int k, double top[3]) {
    const gs_shape *s = &l->shapes[k];
    double half[3] = {s->size[0] / 2, s->size[1] / 2, s->size[2] / 2}, ext[3];
    gsu_rotated_half_extents(s->local.rot, half, ext);
    for (int i = 0; i < 3; i++) top[i] = s->local.pos[i];
    top[2] += ext[2];
}

/* Where a drag grips a moving link: the top of its part marked handle,
 * else the part whose top lies farthest from the axis (revolute) or
 * farthest along it (prismatic). */
static void choose_handle(gs_model_link *l, int marked) {
    int best = marked;
    double best_score = -INFINITY;
    for (int k = 0; best < 0 && k < l->nshapes; k++) {
        double t[3], score;
        part_top(l, k, t);
        if (l->type == GS_JOINT_PRISMATIC) {
            score = t[0] * l->axis[0] + t[1] * l->axis[1] + t[2] * l->axis[2];
        } else {
            double along = t[0] * l->axis[0] + t[1] * l->axis[1] + t[2] * l->axis[2];
            score = t[0] * t[0] + t[1] * t[1] + t[2] * t[2] - along * along;
        }
        if (score > best_score + 1e-9) best_score = score, l->handle[0] = t[0], l->handle[1] = t[1], l->handle[2] = t[2];
    }
    if (marked >= 0) part_top(l, marked, l->handle);
    l->has_handle = 1;
}

/* Every length times s (masses by its cube, inertia by its fifth power). */
static void scale_model(gs_model *m, double s) {
    for (int i = 0; i < m->nlinks; i++) {
        gs_model_link *l = &m->links[i];
        for (int k = 0; k < 3; k++) l->origin.pos[k] *= s, l->pivot[k] *= s, l->handle[k] *= s, l->inertial.frame.pos[k] *= s;
        for (int k = 0; k < 3; k++) l->inertial.moments[k] *= s * s * s * s * s;
        l->mass *= s * s * s;
        if (l->type == GS_JOINT_PRISMATIC && i > 0) l->lower *= s, l->upper *= s;
        for (int p = 0; p < l->nshapes; p++)
            for (int k = 0; k < 3; k++) l->shapes[p].size[k] *= s, l->shapes[p].local.pos[k] *= s;
    }
    for (int i = 0; i < m->nmeshes; i++)
        for (int k = 0; k < 3 * m->meshes[i]->nvertices; k++) ((float *)m->meshes[i]->vertices)[k] *= (float)s;
}

/* Moves the base's frame to the middle of the bottom of the object as it
 * stands with every joint at its lower limit. */
static void stand_on_table(gs_model *m) {
    gs_pose at[GS_MODEL_MAX_LINKS];
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (int i = 0; i < m->nlinks; i++) {
        const gs_model_link *l = &m->links[i];
        at[i] = i == 0 ? gsu_pose_identity() : gs_model_link_pose(l, &at[l->parent], l->lower);
        for (int k = 0; k < l->nshapes; k++) {
            gs_pose p = gsu_pose_multiply(&at[i], &l->shapes[k].local);
            double half[3] = {l->shapes[k].size[0] / 2, l->shapes[k].size[1] / 2, l->shapes[k].size[2] / 2}, ext[3];
            gsu_rotated_half_extents(p.rot, half, ext);
            for (int d = 0; d < 3; d++) lo[d] = fmin(lo[d], p.pos[d] - ext[d]), hi[d] = fmax(hi[d], p.pos[d] + ext[d]);
        }
    }
    gs_pose shift = gsu_pose_identity();
    shift.pos[0] = -(lo[0] + hi[0]) / 2, shift.pos[1] = -(lo[1] + hi[1]) / 2, shift.pos[2] = -lo[2];
    gs_model_link *base = &m->links[0];
    for (int k = 0; k < base->nshapes; k++) base->shapes[k].local = gsu_pose_multiply(&shift, &base->shapes[k].local);
    base->inertial.frame = gsu_pose_multiply(&shift, &base->inertial.frame);
    for (int i = 1; i < m->nlinks; i++)
        if (m->links[i].parent == 0) m->links[i].origin = gsu_pose_multiply(&shift, &m->links[i].origin);
}

/* Each body's mass and inertial from the raw links merged into it. */
static gs_status body_inertials(urdf_reader *r, gs_model *m, const int *body, const gs_pose *offset,
                                const int *first, const int *count, char *err, size_t errlen) {
    for (int b = 0; b < m->nlinks; b++) {
        gs_model_link *ml = &m->links[b];
        double mass[MAX_RAW];
        gs_inertial in[MAX_RAW];
        int n = 0, given = 0;
        for (int i = 0; i < r->nlinks; i++) {
            if (body[i] != b) continue;
            gs_status st = raw_inertial(r, i, &offset[i], ml->shapes + first[i], ml->meshes + first[i], count[i],
                                        &mass[n], &in[n], err, errlen);
            if (st != GS_OK) return st;
            given |= r->links[i].has_inertial;
            if (mass[n] > 0) n++;
        }
        if (n == 0)
            return gs_fail(err, errlen, GS_ERR_IO, "%s:1: link '%s' weighs nothing: give it an <inertial> or "
                           "<collision> parts", r->name, ml->name);
        if (given) {
            combine(mass, in, n, &ml->mass, &ml->inertial);
            ml->has_inertial = 1;
        } else {
            ml->mass = 0;
            for (int k = 0; k < n; k++) ml->mass += mass[k];
        }
    }
    return GS_OK;
}

static gs_status build_model(urdf_reader *r, const char *dir, const char *root, double scale, gs_model *m,
                             char *err, size_t errlen) {
    int order[MAX_RAW], via[MAX_RAW], body[MAX_RAW], first[MAX_RAW], count[MAX_RAW], handle[GS_MODEL_MAX_LINKS];
    gs_pose offset[MAX_RAW];
    gs_status st = link_tree(r, order, via, err, errlen);
    for (int b = 0; b < GS_MODEL_MAX_LINKS; b++) handle[b] = -1;
    for (int k = 0; st == GS_OK && k < r->nlinks; k++) {
        int i = order[k], p = -1;
        const urdf_joint *j = via[i] >= 0 ? &r->joints[via[i]] : NULL;
        for (int q = 0; j && q < r->nlinks; q++)
            if (strcmp(r->links[q].name, j->parent) == 0) p = q;
        if (j && j->type == J_FIXED) {
            body[i] = body[p], offset[i] = gsu_pose_multiply(&offset[p], &j->origin);
        } else {
            body[i] = gs_model_add_link(m, r->links[i].name, j ? body[p] : -1);
            if (body[i] < 0)
                return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: more than %d links move apart: at most %d", r->name,
                               r->links[i].line, GS_MODEL_MAX_LINKS, GS_MODEL_MAX_LINKS);
            offset[i] = gsu_pose_identity();
            if (j) {
                m->links[body[i]].origin = gsu_pose_multiply(&offset[p], &j->origin);
                st = set_joint(r, j, &m->links[body[i]], err, errlen);
            }
        }
        gs_model_link *ml = &m->links[body[i]];
        first[i] = ml->nshapes;
        if (st == GS_OK) st = add_parts(r, i, m, body[i], &offset[i], dir, root, &handle[body[i]], err, errlen);
        count[i] = ml->nshapes - first[i];
        if (r->links[i].has_color && !ml->has_color) ml->has_color = 1, memcpy(ml->rgb, r->links[i].rgb, sizeof ml->rgb);
    }
    if (st == GS_OK) st = body_inertials(r, m, body, offset, first, count, err, errlen);
    if (st != GS_OK) return st;
    if (m->links[0].nshapes == 0)
        return gs_fail(err, errlen, GS_ERR_IO, "%s:%d: the root link '%s' has no <collision> parts", r->name,
                       r->links[order[0]].line, r->links[order[0]].name);
    for (int b = 1; b < m->nlinks; b++) choose_handle(&m->links[b], handle[b]);
    scale_model(m, scale);
    stand_on_table(m);
    char why[400];
    if (gs_model_check(m, why, sizeof why) != GS_OK)
        return gs_fail(err, errlen, GS_ERR_IO, "%s:1: %s", r->name, why);
    return GS_OK;
}
