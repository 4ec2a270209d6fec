/* obj.c: Wavefront OBJ meshes as convex parts of a model link.
 *
 * A file is one convex part, or one per `o`/`g` group that has faces: a
 * mesh author splits a concave object into convex pieces that way, which
 * keeps contacts exact and cheap and needs no decomposition at load time.
 * Each part collides as the hull of the vertices its faces use and is
 * drawn and weighed by its faces. What is read: `v` (x y z [w]), `f`
 * (polygons of v, v/vt, v//vn or v/vt/vn indices, negative ones counting
 * back), `o` and `g`; `vt`, `vn`, `vp`, `s`, `l`, `p`, `usemtl` and
 * `mtllib` are skipped. Anything else, a bad number, an index out of range
 * or a part too large is "name:line: message". */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/io.h"

#define MAX_VERTICES 65536    /* in a file */
#define MAX_FACE_CORNERS 64
#define MAX_PARTS GS_LINK_MAX_SHAPES
#define COORD_LIMIT 100.0     /* metres, before scaling */
#define PART_LIMIT 10.0       /* metres, a part's size and place, once scaled */

/* What has been read so far. */
typedef struct obj_reader {
    const char *name;
    float *v;                /* (nv x 3) every vertex of the file */
    int nv, cap_v;
    int *tri;                /* (ntri x 3) the current part's triangles, file indices */
    int ntri, cap_tri;
    int parts;               /* parts added so far */
    double scale;
    const gs_pose *origin;
    gs_model *model;
    int link;
    char *err;
    size_t errlen;
} obj_reader;

static gs_status read_line(obj_reader *r, char *line, int lineno);
static gs_status end_part(obj_reader *r, int lineno);

gs_status gs_obj_parse(const char *name, const char *text, size_t len, double scale,
                       const gs_pose *origin, gs_model *m, int link, char *err, size_t errlen) {
    if (!(scale > 0) || !isfinite(scale) || link < 0 || link >= m->nlinks)
        return gs_fail(err, errlen, GS_ERR_USAGE, "%s: bad scale or link", name);
    obj_reader r;
    memset(&r, 0, sizeof r);
    r.name = name, r.scale = scale, r.origin = origin, r.model = m, r.link = link;
    r.err = err, r.errlen = errlen;
    gs_status st = GS_OK;
    int lineno = 0;
    char line[1024];
    size_t at = 0;
    while (st == GS_OK && at < len) {
        size_t end = at;
        while (end < len && text[end] != '\n') end++;
        lineno++;
        size_t n = end - at;
        if (memchr(text + at, 0, n)) st = gs_fail(err, errlen, GS_ERR_IO, "%s:%d: a NUL byte in the text", name, lineno);
        else if (n >= sizeof line) st = gs_fail(err, errlen, GS_ERR_IO, "%s:%d: the line is over %zu bytes", name, lineno, sizeof line - 1);
        else {
            memcpy(line, text + at, n);
            line[n] = 0;
            st = read_line(&r, line, lineno);
        }
        at = end + 1;
    }
    if (st == GS_OK) st = end_part(&r, lineno);
    if (st == GS_OK && r.parts == 0)
        st = gs_fail(err, errlen, GS_ERR_IO, "%s:%d: no faces: a mesh needs at least one solid part", name, lineno);
    free(r.v);
    free(r.tri);
    return st;
}

gs_status gs_obj_load(const char *path, const char *name, double scale, const gs_pose *origin,
                      gs_model *m, int link, char *err, size_t errlen) {
    char *text;
    size_t len;
    char why[512];
    gs_status st = gs_read_file(path, GS_OBJ_MAX_BYTES, &text, &len, why, sizeof why);
    if (st != GS_OK) return gs_fail(err, errlen, st, "%s:1: cannot read the mesh: %s", name, why);
    st = gs_obj_parse(name, text, len, scale, origin, m, link, err, errlen);
    free(text);
    return st;
}

/* ---- helpers ---- */

static gs_status bad(obj_reader *r, int lineno, const char *what) {
    return gs_fail(r->err, r->errlen, GS_ERR_IO, "%s:%d: %s", r->name, lineno, what);
}

static int next_word(char **p, char **word) {
    while (**p && isspace((unsigned char)**p)) (*p)++;
    if (!**p) return 0;
    *word = *p;
    while (**p && !isspace((unsigned char)**p)) (*p)++;
    if (**p) *(*p)++ = 0;
    return 1;
}

static int read_number(const char *word, double *out) {
    char *end;
    errno = 0;
    *out = strtod(word, &end);
    return end != word && *end == 0 && errno != ERANGE && isfinite(*out) && fabs(*out) <= COORD_LIMIT;
}

/* A face corner "v", "v/vt", "v//vn" or "v/vt/vn": its vertex, 0-based. */
static int read_corner(obj_reader *r, const char *word, int *out) {
    char *end;
    errno = 0;
    long i = strtol(word, &end, 10);
    if (end == word || (*end && *end != '/') || errno == ERANGE) return 0;
    long v = i > 0 ? i - 1 : r->nv + i;
    if (i == 0 || v < 0 || v >= r->nv) return 0;
    *out = (int)v;
    return 1;
}

static gs_status read_vertex(obj_reader *r, char *rest, int lineno) {
    char *word;
    double c[3];
    for (int k = 0; k < 3; k++)
        if (!next_word(&rest, &word) || !read_number(word, &c[k]))
            return bad(r, lineno, "a vertex needs three finite coordinates within 100 m");
    if (r->nv >= MAX_VERTICES) return bad(r, lineno, "too many vertices: a file may hold 65536");
    if (r->nv == r->cap_v) {
        int cap = r->cap_v ? 2 * r->cap_v : 256;
        float *grown = realloc(r->v, sizeof *grown * 3 * (size_t)cap);
        if (!grown) return gs_fail(r->err, r->errlen, GS_ERR_NOMEM, "%s:%d: out of memory", r->name, lineno);
        r->v = grown, r->cap_v = cap;
    }
    for (int k = 0; k < 3; k++) r->v[3 * r->nv + k] = (float)(c[k] * r->scale);
    r->nv++;
    return GS_OK;
}

static gs_status read_face(obj_reader *r, char *rest, int lineno) {
    int corner[MAX_FACE_CORNERS], n = 0;
    char *word;
    while (next_word(&rest, &word)) {
        if (n == MAX_FACE_CORNERS) return bad(r, lineno, "a face may have at most 64 corners");
        if (!read_corner(r, word, &corner[n++]))
            return bad(r, lineno, "a face corner must name a vertex read before it");
    }
    if (n < 3) return bad(r, lineno, "a face needs at least three corners");
    for (int k = 1; k + 1 < n; k++) { /* a fan */
        if (r->ntri == r->cap_tri) {
            int cap = r->cap_tri ? 2 * r->cap_tri : 256;
            if (cap > 4 * MAX_VERTICES) return bad(r, lineno, "too many faces");
            int *grown = realloc(r->tri, sizeof *grown * 3 * (size_t)cap);
            if (!grown) return gs_fail(r->err, r->errlen, GS_ERR_NOMEM, "%s:%d: out of memory", r->name, lineno);
            r->tri = grown, r->cap_tri = cap;
        }
        int *t = &r->tri[3 * r->ntri++];
        t[0] = corner[0], t[1] = corner[k], t[2] = corner[k + 1];
    }
    return GS_OK;
}

static gs_status read_line(obj_reader *r, char *line, int lineno) {
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char *rest = line, *word;
    if (!next_word(&rest, &word)) return GS_OK;
    if (strcmp(word, "v") == 0) return read_vertex(r, rest, lineno);
    if (strcmp(word, "f") == 0) return read_face(r, rest, lineno);
    if (strcmp(word, "o") == 0 || strcmp(word, "g") == 0) return end_part(r, lineno);
    static const char *const skipped[] = {"vt", "vn", "vp", "s", "l", "p", "usemtl", "mtllib"};
    for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++)
        if (strcmp(word, skipped[i]) == 0) return GS_OK;
    char msg[96];
    snprintf(msg, sizeof msg, "unknown statement '%.40s'", word);
    return bad(r, lineno, msg);
}

/* The faces read since the last part become a part of the link: its own
 * vertices, centred in their bounding box, the part placed there. */
static gs_status end_part(obj_reader *r, int lineno) {
    if (r->ntri == 0) return GS_OK;
    int *map = malloc(sizeof *map * (size_t)r->nv);
    if (!map) return gs_fail(r->err, r->errlen, GS_ERR_NOMEM, "%s:%d: out of memory", r->name, lineno);
    for (int i = 0; i < r->nv; i++) map[i] = -1;
    int used = 0;
    for (int i = 0; i < 3 * r->ntri; i++)
        if (map[r->tri[i]] < 0) map[r->tri[i]] = used++;
    gs_status st = GS_OK;
    if (used < 4) st = bad(r, lineno, "a part needs faces over at least 4 vertices (a solid)");
    else if (used > GS_MESH_MAX_VERTICES) st = bad(r, lineno, "a part may use at most 4096 vertices: split it into groups");
    else if (r->parts >= MAX_PARTS || r->model->links[r->link].nshapes >= GS_LINK_MAX_SHAPES)
        st = bad(r, lineno, "too many parts for one link (at most 32)");
    float *vert = st == GS_OK ? malloc(sizeof *vert * 3 * (size_t)used) : NULL;
    int *tri = st == GS_OK ? malloc(sizeof *tri * 3 * (size_t)r->ntri) : NULL;
    if (st == GS_OK && (!vert || !tri)) st = gs_fail(r->err, r->errlen, GS_ERR_NOMEM, "%s:%d: out of memory", r->name, lineno);
    if (st != GS_OK) {
        free(map), free(vert), free(tri);
        return st;
    }
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (int i = 0; i < r->nv; i++) {
        if (map[i] < 0) continue;
        for (int k = 0; k < 3; k++) {
            vert[3 * map[i] + k] = r->v[3 * i + k];
            lo[k] = fmin(lo[k], r->v[3 * i + k]), hi[k] = fmax(hi[k], r->v[3 * i + k]);
        }
    }
    for (int i = 0; i < 3 * r->ntri; i++) tri[i] = map[r->tri[i]];
    free(map);
    gs_shape s;
    memset(&s, 0, sizeof s);
    s.type = GS_SHAPE_MESH;
    double centre[3];
    for (int k = 0; k < 3; k++) {
        s.size[k] = hi[k] - lo[k];
        centre[k] = (hi[k] + lo[k]) / 2;
        if (!(s.size[k] > 1e-5)) st = bad(r, lineno, "a part is flat: its faces span no volume");
        else if (!(s.size[k] <= PART_LIMIT && fabs(centre[k]) <= PART_LIMIT))
            st = bad(r, lineno, "a part reaches beyond 10 m once scaled");
    }
    if (st != GS_OK) {
        free(vert), free(tri);
        return st;
    }
    for (int i = 0; i < used; i++)
        for (int k = 0; k < 3; k++) vert[3 * i + k] = (float)(vert[3 * i + k] - centre[k]);
    gs_pose at = gsu_pose_identity();
    memcpy(at.pos, centre, sizeof at.pos);
    s.local = r->origin ? gsu_pose_multiply(r->origin, &at) : at;
    const gs_mesh *mesh = gs_model_take_mesh(r->model, vert, used, tri, r->ntri);
    if (!mesh) return gs_fail(r->err, r->errlen, GS_ERR_NOMEM, "%s:%d: out of memory", r->name, lineno);
    gs_model_add_shape(r->model, r->link, &s, mesh);
    r->parts++;
    r->ntri = 0;
    return GS_OK;
}
