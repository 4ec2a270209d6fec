/* kind.c: asset kinds written in Lua by plugins (plugin_internal.h).
 *
 * A kind's file returns kind{...}. The constructor checks the table and
 * copies what the host needs into a snapshot held by a userdata whose user
 * value is the build function. The snapshot taken when the plugin path was
 * read is what the asset table, the API reference and the scene use; when a
 * task adds the kind, the file runs again in the task's own sandbox and
 * only its build function is taken from there. build(b, o) runs under the
 * task's limits: b:box, b:cylinder and b:sphere add parts of one rigid body
 * to a builder that refuses them once build has returned. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "task/api_internal.h"
#include "task/plugin_internal.h"

#define KIND_MT "gensim.kind"
#define BUILDER_MT "gensim.kind.builder"
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const KIND_FIELDS[] = {"name", "class", "doc", "size", "mass",
                                          "fixed", "symmetry", "options", "build"};
static const char *const CLASSES[] = {"movable", "receptacle", "marker"};
static const char *const CUSTOM_FIELDS[] = {"default", "min", "max", "integer", "doc"};
/* The options every kind has, and those it may take from the standard set. */
static const char *const RESERVED[] = {"color", "fixed", "count"};

/* ---- kind{...} ---- */

static void check_string(lua_State *L, int t, const char *key, char *out, size_t n, int required) {
    int ty = gsl_api_raw_field(L, t, key);
    if (ty == LUA_TNIL && !required) {
        lua_pop(L, 1);
        return;
    }
    size_t len;
    const char *s = ty == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
    if (!s || len == 0) luaL_error(L, "kind: '%s' must be a non-empty string, got %s", key, lua_typename(L, ty));
    if (strlen(s) != len) luaL_error(L, "kind: '%s' must not hold NUL bytes", key);
    if (len >= n) luaL_error(L, "kind: '%s' is %d bytes; at most %d", key, (int)len, (int)n - 1);
    memcpy(out, s, len + 1);
    lua_pop(L, 1);
}

static double opt_number(lua_State *L, int t, const char *key, double def, double lo, double hi, const char *fn) {
    int ty = gsl_api_raw_field(L, t, key);
    double v = def;
    if (ty == LUA_TNUMBER) v = lua_tonumber(L, -1);
    else if (ty != LUA_TNIL) luaL_error(L, "%s: '%s' must be a number, got %s", fn, key, lua_typename(L, ty));
    if (!(v >= lo && v <= hi)) luaL_error(L, "%s: '%s' = %f must be from %f to %f", fn, key, v, lo, hi);
    lua_pop(L, 1);
    return v;
}

static int is_standard_option(const char *name) {
    int n;
    const char *const *names = gs_asset_option_names(&n);
    for (int b = 0; b < n; b++)
        if (strcmp(names[b], name) == 0) return b;
    return -1;
}

/* One of the kind's own options: name = {default, min, max, integer, doc}. */
static void check_custom(lua_State *L, int t, const char *name, gsl_kind_meta *m) {
    size_t len = strlen(name);
    int ok = len > 0 && len <= GSL_KIND_OPTION_NAME_MAX && name[0] >= 'a' && name[0] <= 'z';
    for (size_t i = 0; ok && i < len; i++) ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '_';
    if (!ok) luaL_error(L, "kind: option name '%s' must be 1 to %d characters a-z, 0-9 and _", name, GSL_KIND_OPTION_NAME_MAX);
    for (size_t r = 0; r < COUNT(RESERVED); r++)
        if (strcmp(name, RESERVED[r]) == 0) luaL_error(L, "kind: option '%s' is every kind's; it cannot be declared", name);
    if (m->ncustom == GS_ASSET_MAX_CUSTOM) luaL_error(L, "kind: at most %d options of its own", GS_ASSET_MAX_CUSTOM);
    if (!lua_istable(L, t)) luaL_error(L, "kind: option '%s' must be {default = n, min = n, max = n}", name);
    gsl_api_check_no_unknown(L, t, "kind: option", CUSTOM_FIELDS, COUNT(CUSTOM_FIELDS));
    gs_asset_custom *c = &m->custom[m->ncustom];
    memcpy(m->custom_name[m->ncustom], name, len + 1);
    c->min = opt_number(L, t, "min", NAN, -1e6, 1e6, "kind: option");
    c->max = opt_number(L, t, "max", NAN, -1e6, 1e6, "kind: option");
    c->def = opt_number(L, t, "default", NAN, c->min, c->max, "kind: option");
    int ty = gsl_api_raw_field(L, t, "integer");
    if (ty != LUA_TNIL && ty != LUA_TBOOLEAN) luaL_error(L, "kind: option '%s': 'integer' must be a boolean", name);
    c->integer = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (c->integer && (c->def != floor(c->def)))
        luaL_error(L, "kind: option '%s': an integer option's default must be a whole number", name);
    check_string(L, t, "doc", m->custom_doc[m->ncustom], sizeof m->custom_doc[0], 0);
    m->ncustom++;
}

/* Puts the kind's own options in the order of their names: a table's
 * keys come out of lua_next in the order of their hashes, which Lua seeds
 * anew in every state, and the asset table, the API reference and gensim
 * assets must not change from one run to the next. */
static void sort_custom(gsl_kind_meta *m) {
    for (int i = 1; i < m->ncustom; i++)
        for (int j = i; j > 0 && strcmp(m->custom_name[j - 1], m->custom_name[j]) > 0; j--) {
            gs_asset_custom c = m->custom[j];
            m->custom[j] = m->custom[j - 1], m->custom[j - 1] = c;
            char name[sizeof m->custom_name[0]], doc[sizeof m->custom_doc[0]];
            memcpy(name, m->custom_name[j], sizeof name);
            memcpy(m->custom_name[j], m->custom_name[j - 1], sizeof name);
            memcpy(m->custom_name[j - 1], name, sizeof name);
            memcpy(doc, m->custom_doc[j], sizeof doc);
            memcpy(m->custom_doc[j], m->custom_doc[j - 1], sizeof doc);
            memcpy(m->custom_doc[j - 1], doc, sizeof doc);
        }
}

/* options = {"size", "mass", dividers = {default = 2, min = 0, max = 5}} */
static void check_options(lua_State *L, int t, gsl_kind_meta *m) {
    t = lua_absindex(L, t);
    lua_pushnil(L);
    while (lua_next(L, t)) { /* key value */
        if (lua_type(L, -2) == LUA_TNUMBER) {
            const char *std = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
            int b = std ? is_standard_option(std) : -1;
            if (b < 0 || (1u << b) == GS_OPT_COUNT)
                luaL_error(L, "kind: 'options' lists standard options by name (size, radius, height, length, mass), "
                              "got %s", std ? std : luaL_typename(L, -1));
            m->options |= 1u << b;
        } else if (lua_type(L, -2) == LUA_TSTRING) {
            const char *name = lua_tostring(L, -2);
            if (is_standard_option(name) >= 0)
                luaL_error(L, "kind: '%s' is a standard option: list it by name, as \"%s\"", name, name);
            check_custom(L, lua_gettop(L), name, m);
        } else {
            luaL_error(L, "kind: 'options' keys must be names or list positions");
        }
        lua_pop(L, 1);
    }
    sort_custom(m);
}

static void check_class(lua_State *L, int t, gsl_kind_meta *m) {
    char class[16] = "";
    check_string(L, t, "class", class, sizeof class, 1);
    size_t c = 0;
    while (c < COUNT(CLASSES) && strcmp(class, CLASSES[c]) != 0) c++;
    if (c == COUNT(CLASSES)) luaL_error(L, "kind: 'class' must be \"movable\", \"receptacle\" or \"marker\", not \"%s\"", class);
    m->role = (gs_asset_role)c;
}

static int l_kind(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    gsl_api_check_no_unknown(L, 1, "kind", KIND_FIELDS, COUNT(KIND_FIELDS));
    gsl_kind_meta *m = lua_newuserdatauv(L, sizeof *m, 1); /* meta */
    memset(m, 0, sizeof *m);
    check_string(L, 1, "name", m->name, sizeof m->name, 1);
    if (!gs_task_name_valid(m->name, NULL, 0))
        luaL_error(L, "kind: 'name' must be kebab-case (a-z, 0-9, single dashes inside), 1 to %d characters, "
                      "got \"%s\"", GS_TASK_NAME_MAX, m->name);
    check_class(L, 1, m);
    check_string(L, 1, "doc", m->doc, sizeof m->doc, 1);
    if (gsl_api_raw_field(L, 1, "size") == LUA_TNIL) luaL_error(L, "kind: 'size' = {x, y, z} is required: the default size");
    gsl_api_check_size(L, lua_gettop(L), "kind", "'size'", m->size);
    lua_pop(L, 1);
    if (!(m->size[0] > 0 && m->size[1] > 0) || (m->role != GS_ROLE_MARKER && !(m->size[2] > 0)))
        luaL_error(L, "kind: 'size' must be positive (a marker may be flat: z = 0)");
    m->mass = opt_number(L, 1, "mass", m->role == GS_ROLE_MOVABLE ? 0.1 : 1, 0.001, 100, "kind");
    int ty = gsl_api_raw_field(L, 1, "fixed");
    if (ty != LUA_TNIL && ty != LUA_TBOOLEAN) luaL_error(L, "kind: 'fixed' must be a boolean");
    m->fixed = ty == LUA_TNIL ? m->role != GS_ROLE_MOVABLE : lua_toboolean(L, -1);
    lua_pop(L, 1);
    m->symmetry = opt_number(L, 1, "symmetry", 2 * GS_PI, 0, 2 * GS_PI, "kind");
    ty = gsl_api_raw_field(L, 1, "options");
    if (ty == LUA_TTABLE) check_options(L, lua_gettop(L), m);
    else if (ty != LUA_TNIL) luaL_error(L, "kind: 'options' must be a table");
    lua_pop(L, 1);
    if (gsl_api_raw_field(L, 1, "build") != LUA_TFUNCTION)
        luaL_error(L, "kind: 'build' must be a function build(b, o) that adds the parts");
    lua_setiuservalue(L, -2, 1);
    luaL_setmetatable(L, KIND_MT);
    return 1;
}

void gsl_kind_install(gsl_sandbox *sb) {
    lua_State *L = gsl_sandbox_state(sb);
    if (luaL_newmetatable(L, KIND_MT)) {
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, l_kind);
    gsl_sandbox_set_global(sb, "kind");
}

const gsl_kind_meta *gsl_kind_meta_at(lua_State *L, int idx) { return luaL_testudata(L, idx, KIND_MT); }

gs_asset_kind gsl_kind_entry(gsl_kind_meta *m, const char *origin) {
    for (int i = 0; i < m->ncustom; i++) {
        m->custom[i].name = m->custom_name[i];
        m->custom[i].doc = m->custom_doc[i][0] ? m->custom_doc[i] : NULL;
    }
    gs_asset_kind k;
    memset(&k, 0, sizeof k);
    k.name = m->name, k.doc = m->doc, k.role = m->role, k.options = m->options;
    memcpy(k.default_size, m->size, sizeof k.default_size);
    k.default_mass = m->mass, k.default_fixed = m->fixed, k.symmetry = m->symmetry;
    k.build = NULL, k.custom = m->custom, k.ncustom = m->ncustom, k.origin = origin;
    return k;
}

/* ---- building an object of a plugin kind ---- */

typedef struct builder {
    const char *kind;
    gs_shape parts[GS_ASSET_MAX_SHAPES];
    double mass[GS_ASSET_MAX_SHAPES]; /* 0: not given */
    int n;
    int open;                         /* 0 once build returned */
} builder;

static const char *const PART_FIELDS[] = {"size", "radius", "height", "pose", "mass"};

/* b:box{size, pose, mass}, b:cylinder{radius, height, pose, mass},
 * b:sphere{radius, pose, mass}: one part in the object's frame. */
static int add_part(lua_State *L, gs_shape_type type, const char *what) {
    builder *b = luaL_checkudata(L, 1, BUILDER_MT);
    if (!b->open) return luaL_error(L, "b:%s: the builder of '%s' is used after build returned", what, b->kind);
    if (b->n == GS_ASSET_MAX_SHAPES) return luaL_error(L, "b:%s: a kind has at most %d parts", what, GS_ASSET_MAX_SHAPES);
    luaL_checktype(L, 2, LUA_TTABLE);
    char fn[32];
    snprintf(fn, sizeof fn, "b:%s", what);
    gsl_api_check_no_unknown(L, 2, fn, PART_FIELDS, COUNT(PART_FIELDS));
    gs_shape *sh = &b->parts[b->n];
    sh->type = type;
    if (type == GS_SHAPE_BOX) {
        if (gsl_api_raw_field(L, 2, "size") == LUA_TNIL) return luaL_error(L, "%s: 'size' = {x, y, z} is required", fn);
        gsl_api_check_size(L, lua_gettop(L), fn, "'size'", sh->size);
        lua_pop(L, 1);
    } else {
        double r = opt_number(L, 2, "radius", NAN, GS_ASSET_RADIUS_MIN / 5, GS_ASSET_SIZE_MAX / 2, fn);
        double h = type == GS_SHAPE_SPHERE ? 2 * r : opt_number(L, 2, "height", NAN, 0.001, GS_ASSET_SIZE_MAX, fn);
        sh->size[0] = sh->size[1] = 2 * r, sh->size[2] = h;
    }
    for (int d = 0; d < 3; d++)
        if (!(sh->size[d] > 0)) return luaL_error(L, "%s: every side of a part must be positive", fn);
    sh->local = gsu_pose_identity();
    if (gsl_api_raw_field(L, 2, "pose") != LUA_TNIL) sh->local = gsl_api_check_pose(L, lua_gettop(L), fn, "'pose'");
    lua_pop(L, 1);
    for (int d = 0; d < 3; d++)
        if (!(fabs(sh->local.pos[d]) <= GS_ASSET_SIZE_MAX))
            return luaL_error(L, "%s: a part's pose must be within 1 m of the object's origin", fn);
    b->mass[b->n] = opt_number(L, 2, "mass", 0, 0, 100, fn);
    b->n++;
    return 0;
}

static int l_box(lua_State *L) { return add_part(L, GS_SHAPE_BOX, "box"); }
static int l_cylinder(lua_State *L) { return add_part(L, GS_SHAPE_CYLINDER, "cylinder"); }
static int l_sphere(lua_State *L) { return add_part(L, GS_SHAPE_SPHERE, "sphere"); }

static builder *push_builder(lua_State *L, const char *kind) {
    builder *b = lua_newuserdatauv(L, sizeof *b, 0);
    memset(b, 0, sizeof *b);
    b->kind = kind, b->open = 1;
    if (luaL_newmetatable(L, BUILDER_MT)) {
        static const luaL_Reg methods[] = {{"box", l_box}, {"cylinder", l_cylinder}, {"sphere", l_sphere}, {NULL, NULL}};
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
    return b;
}

/* o: the options resolved for this object, as build sees them. */
static void push_options(lua_State *L, const gs_asset_kind *k, const gs_asset_params *p, const char *color) {
    lua_createtable(L, 0, 8);
    lua_createtable(L, 3, 0);
    for (int d = 0; d < 3; d++) {
        lua_pushnumber(L, p->size[d]);
        lua_rawseti(L, -2, d + 1);
    }
    lua_setfield(L, -2, "size");
    if (k->options & GS_OPT_RADIUS) lua_pushnumber(L, p->size[0] / 2), lua_setfield(L, -2, "radius");
    if (k->options & GS_OPT_HEIGHT) lua_pushnumber(L, p->size[2]), lua_setfield(L, -2, "height");
    if (k->options & GS_OPT_LENGTH) lua_pushnumber(L, p->size[0]), lua_setfield(L, -2, "length");
    lua_pushnumber(L, p->mass);
    lua_setfield(L, -2, "mass");
    lua_pushboolean(L, p->fixed);
    lua_setfield(L, -2, "fixed");
    lua_pushstring(L, color);
    lua_setfield(L, -2, "color");
    for (int c = 0; c < k->ncustom; c++) {
        if (k->custom[c].integer) lua_pushinteger(L, (lua_Integer)p->custom[c]);
        else lua_pushnumber(L, p->custom[c]);
        lua_setfield(L, -2, k->custom[c].name);
    }
}

/* Pushes the build function of kind k, running its file in L the first
 * time (the file's text read into the state, never a malloc a longjmp
 * could skip). */
static const char BUILDS_KEY = 0; /* registry: kind name -> its build function */

static void push_build(lua_State *L, const gs_asset_kind *k, gs_provenance *prov) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &BUILDS_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &BUILDS_KEY);
    }                                                   /* builds */
    if (lua_getfield(L, -1, k->name) == LUA_TFUNCTION) { /* builds build */
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 2);
    char key[GS_TASK_NAME_MAX + 8];
    snprintf(key, sizeof key, "kind:%s", k->name);
    struct stat st;
    if (!k->origin || stat(k->origin, &st) != 0 || !S_ISREG(st.st_mode))
        luaL_error(L, "env:add: the file of kind '%s' (%s) cannot be read", k->name, k->origin ? k->origin : "?");
    if (st.st_size > GSL_KIND_FILE_MAX)
        luaL_error(L, "env:add: the file of kind '%s' is over %d bytes", k->name, GSL_KIND_FILE_MAX);
    size_t len = (size_t)st.st_size;
    char *text = lua_newuserdatauv(L, len + 1, 0); /* text */
    FILE *f = fopen(k->origin, "rb");
    size_t got = f ? fread(text, 1, len, f) : 0;
    if (f) fclose(f);
    if (got != len) luaL_error(L, "env:add: the file of kind '%s' (%s) cannot be read", k->name, k->origin);
    text[len] = 0;
    gs__provenance_add(prov, k->origin, text, len);
    gsl_sandbox_require_text(L, key, k->origin, text, len); /* text kind */
    const gsl_kind_meta *m = gsl_kind_meta_at(L, -1);
    if (!m || strcmp(m->name, k->name) != 0 || m->role != k->role)
        luaL_error(L, "%s: this file no longer returns the kind{...} '%s' it did when the plugin path was read",
                   k->origin, k->name);
    lua_getiuservalue(L, -1, 1); /* text kind build */
    lua_replace(L, -3);
    lua_pop(L, 1);               /* build */
    lua_rawgetp(L, LUA_REGISTRYINDEX, &BUILDS_KEY);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, k->name);
    lua_pop(L, 1);
}

int gsl_kind_build(lua_State *L, gs_scene *s, const gs_asset_kind *k, const gs_asset_params *p, const char *color,
                   const gs_pose *pose, gs_provenance *prov) {
    push_build(L, k, prov);                   /* build */
    builder *b = push_builder(L, k->name);    /* build b */
    lua_pushvalue(L, -1);
    lua_insert(L, -3);                        /* b build b */
    push_options(L, k, p, color);             /* b build b o */
    lua_call(L, 2, 0);                        /* b */
    b->open = 0;
    if (b->n == 0) luaL_error(L, "env:add: kind '%s': build added no part (an empty body)", k->name);
    gs_asset_params q = *p;
    double total = 0;
    int all_given = 1;
    for (int i = 0; i < b->n; i++) total += b->mass[i], all_given &= b->mass[i] > 0;
    if (all_given) q.mass = total;
    char err[512];
    int index = gs_scene_add_parts(s, k, &q, color, b->parts, b->n, pose, err, sizeof err);
    lua_pop(L, 1);
    if (index < 0) luaL_error(L, "env:add: %s", err);
    return index;
}
