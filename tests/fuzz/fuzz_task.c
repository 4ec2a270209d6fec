/* fuzz_task.c: the task-table checker (task{...}, gs_task_load_string) and
 * the API a task's reset calls, on generated task files.
 *
 * The input is not Lua: it is a stream of choices from which a task file is
 * written, so that almost every input compiles and reaches the checker. A
 * zero byte always makes the plausible choice, so an input of zeros is a
 * task that runs (block, bowl, goal) and a mutation turns a few choices
 * hostile:
 *
 *   local t
 *   t = task {name = ..., description = ..., assets = {...}, max_steps = ...,
 *             reset = function(env) <random env: and gs. calls> end,
 *             [oracle, reward, success, misspelt or unknown fields]}
 *   <random statements that change t after task{} has checked it>
 *   return t
 *
 * Values come from a pool of the plausible and the hostile (NaN, huge
 * numbers, wrong types, tables with metatables, functions that raise). A
 * task that loads must keep the promises of task.h (a valid name, a
 * description, max_steps in 1..1000, its assets as strings); then one or two
 * episodes run with the oracle under small limits, and their results must
 * be in range. The generated file is printed with -DFUZZ_TASK_PRINT (or
 * GENSIM_FUZZ_PRINT=1 in the environment) to turn a finding into a task. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "gensim/episode.h"
#include "gensim/task.h"

#define MAX_SOURCE (16 << 10)
#define MAX_ACTIONS 12 /* actions per episode the target lets the oracle take */

typedef struct source {
    char *text;
    size_t len, cap;
    int nobjects; /* locals o1..oN declared so far in reset */
    int depth;    /* nesting of generated values */
} source;

static void emit(source *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gen_task(fuzz_bytes *b, source *s);
static gs_status run_task(const char *src, size_t len, char *err, size_t errlen);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_bytes b = {data, size, 0};
    source s = {0};
    gen_task(&b, &s);
    if (!s.text) fuzz_fail("out of memory");
    static int print = -1;
    if (print < 0) print = getenv("GENSIM_FUZZ_PRINT") != NULL;
    if (print) fprintf(stderr, "---- task ----\n%s---- end ----\n", s.text);
    char err[1024] = "";
    gs_status st = run_task(s.text, s.len, err, sizeof err);
    /* lua_pushfstring knows %d, %I, %f, %s, %c, %p, %U: any other
     * conversion in a binding's luaL_error replaces its message */
    if (strstr(err, "to 'lua_pushfstring'")) fuzz_fail("a message with a bad format: %s", err);
    /* the first problem of a report is outcome enough: their combinations
     * would flood the corpus */
    err[strcspn(err, ";")] = '\0';
    fuzz_outcome(st, err);
    free(s.text);
    return 0;
}

/* ---- running ---- */

typedef struct capped_oracle {
    int actions;
} capped_oracle;

/* The oracle, stopping after MAX_ACTIONS actions: an actor may give up. */
static gs_status capped_act(void *ud, gs_task *t, gs_action *a, int *have, char *err, size_t errlen) {
    capped_oracle *c = ud;
    if (c->actions++ >= MAX_ACTIONS) {
        *have = 0;
        return GS_OK;
    }
    return gs_task_oracle(t, a, have, err, errlen);
}

static gs_status run_task(const char *src, size_t len, char *err, size_t errlen) {
    gs_task_options opt = gs_task_options_default();
    opt.limits.max_instructions = 1000000;
    opt.limits.timeout_s = 1.0;
    opt.limits.max_memory = (size_t)32 << 20;
    opt.scene.max_objects = 24;
    gs_task *t = NULL;
    gs_status st = gs_task_load_string("fuzz.lua", src, len, &opt, &t, err, errlen);
    if (st != GS_OK) {
        if (t) fuzz_fail("a failed load returned a task");
        return st;
    }
    /* What the host trusts from here on. */
    const char *name = gs_task_name(t), *description = gs_task_description(t);
    if (!gs_task_name_valid(name, NULL, 0)) fuzz_fail("loaded a task named \"%s\"", name ? name : "(null)");
    if (!description || !*description) fuzz_fail("loaded a task without a description");
    int max_steps = gs_task_max_steps(t);
    if (max_steps < 1 || max_steps > 1000) fuzz_fail("loaded a task with max_steps %d", max_steps);
    int nassets = 0;
    const char *const *assets = gs_task_assets(t, &nassets);
    for (int i = 0; i < nassets; i++)
        if (!assets[i]) fuzz_fail("loaded a task whose asset %d is not a string", i + 1);
    gs_actor actor = gs_actor_oracle();
    capped_oracle cap = {0};
    actor.ud = &cap;
    gs_actor capped = actor;
    capped.act = capped_act;
    for (uint64_t seed = 0; seed < 2 && st == GS_OK; seed++) {
        cap.actions = 0;
        gs_episode_result r;
        st = gs_episode_run(t, seed, capped, NULL, 0, &r, err, errlen);
        if (st == GS_OK && (r.steps < 0 || r.steps > max_steps || !(r.reward >= 0 && r.reward <= 1 + GS_SUCCESS_EPS) ||
                            r.seed != seed))
            fuzz_fail("an episode ended with %d steps of %d, reward %g", r.steps, max_steps, r.reward);
        if (st == GS_OK && !err[0]) snprintf(err, errlen, "ran: %s", r.success ? "success" : "no success");
    }
    gs_task_free(t);
    return st;
}

/* ---- writing the task ---- */

static void emit(source *s, const char *fmt, ...) {
    if (!s->text && s->cap) return; /* out of memory earlier */
    va_list ap;
    va_start(ap, fmt);
    char buf[1024];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
    if (s->len + (size_t)n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        while (cap < s->len + (size_t)n + 1) cap *= 2;
        char *more = realloc(s->text, cap);
        if (!more) {
            free(s->text);
            s->text = NULL;
            s->cap = 1;
            return;
        }
        s->text = more;
        s->cap = cap;
    }
    memcpy(s->text + s->len, buf, (size_t)n + 1);
    s->len += (size_t)n;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const KINDS[] = {"block", "bowl", "box", "cylinder", "ball", "ell", "zone", "pallet",
                                    "container", "rope", "pile", "line", "corner", "square", "stand",
                                    "fixture", "kit-square", "kit-socket-square", "small-block", "drawer",
                                    "urdf", "blok", ""};
static const char *const COLORS[] = {"red", "green", "blue", "yellow", "gray", "purple", "reed", ""};
static const char *const NUMBERS[] = {"0", "1", "-1", "0.5", "2", "10", "1000", "1001", "0.04", "0.12", "0.3",
                                      "-0.02", "1e308", "-1e308", "0/0", "math.huge", "-math.huge",
                                      "math.maxinteger", "math.mininteger", "2^53", "1e-300", "3.5", "64", "65"};
static const char *const STRINGS[] = {"\"\"", "\"fuzz-task\"", "\"place-red-in-green\"", "\"index\"",
                                      "\"../../etc\"", "\"Fuzz Task\"", "\"a-\"", "\"a--b\"", "\"block\"",
                                      "\"any\"", "\"pairs\"", "\"pose\"", "\"zone\"", "\"joint\"",
                                      "string.rep(\"x\", 70)", "string.rep(\"put it there \", 200)",
                                      "\"\\0nul\"", "\"\\255\\254\""};
static const char *const FIELDS[] = {"name", "description", "assets", "max_steps", "reset", "oracle", "reward",
                                     "success", "nmae", "resett", "control", "api", "[1]", "[true]", "lang"};
static const char *const GOAL_FIELDS[] = {"objects", "targets", "matches", "replace", "rotations", "symmetry",
                                          "metric", "zone", "tolerance", "reward", "lang", "latch", "joint",
                                          "target", "objectz"};
static const char *const ADD_OPTIONS[] = {"color", "fixed", "size", "radius", "height", "length", "mass", "count",
                                          "scale", "file"};

static const char *pick(fuzz_bytes *b, const char *const *list, size_t n) {
    return list[fuzz_pick(b, (unsigned)n)];
}

/* The unusual choice: one time in n, never for a zero byte. */
static int odd(fuzz_bytes *b, unsigned n) {
    return fuzz_pick(b, n) == n - 1;
}

static void gen_value(fuzz_bytes *b, source *s);
static void gen_pose(fuzz_bytes *b, source *s);

static void gen_number(fuzz_bytes *b, source *s) {
    unsigned how = fuzz_pick(b, 4);
    if (how == 0) emit(s, "%d", (int)fuzz_byte(b) - 64);
    else if (how == 1) emit(s, "%g", ((int)fuzz_byte(b) - 128) / 256.0);
    else emit(s, "%s", pick(b, NUMBERS, COUNT(NUMBERS)));
}

static void gen_vec3(fuzz_bytes *b, source *s) {
    emit(s, "{");
    unsigned n = !odd(b, 8) ? 3 : fuzz_pick(b, 5);
    for (unsigned i = 0; i < n; i++) {
        if (i) emit(s, ", ");
        if (!odd(b, 8)) emit(s, "%g", (fuzz_byte(b) % 30) / 100.0 + 0.02);
        else gen_value(b, s);
    }
    emit(s, "}");
}

static void gen_object(fuzz_bytes *b, source *s) {
    if (s->nobjects && !odd(b, 6)) emit(s, "o%u", 1 + fuzz_pick(b, (unsigned)s->nobjects));
    else gen_value(b, s);
}

static void gen_object_list(fuzz_bytes *b, source *s) {
    if (!fuzz_pick(b, 8)) {
        emit(s, "env:objects()");
        return;
    }
    emit(s, "{");
    unsigned n = fuzz_pick(b, 4);
    for (unsigned i = 0; i < n; i++) {
        if (i) emit(s, ", ");
        gen_object(b, s);
    }
    emit(s, "}");
}

static void gen_pose(fuzz_bytes *b, source *s) {
    switch (fuzz_pick(b, 6)) {
    case 0:
    case 1:
        emit(s, "env:random_pose(");
        gen_vec3(b, s);
        emit(s, ")");
        break;
    case 2:
        emit(s, "gs.pose(%g, %g, %g, %g)", 0.25 + (fuzz_byte(b) % 60) / 100.0, (fuzz_byte(b) % 100) / 100.0 - 0.5,
             (fuzz_byte(b) % 10) / 100.0, (fuzz_byte(b) % 64) / 10.0);
        break;
    case 3:
        emit(s, "{pos = ");
        gen_vec3(b, s);
        emit(s, ", rot = {0, 0, 0, 1}}");
        break;
    case 4:
        emit(s, "env:pose(");
        gen_object(b, s);
        emit(s, ")");
        break;
    default: gen_value(b, s);
    }
}

/* A value of any type, plausible or hostile. */
static void gen_value(fuzz_bytes *b, source *s) {
    if (s->depth > 3) {
        emit(s, "nil");
        return;
    }
    s->depth++;
    switch (fuzz_pick(b, 16)) {
    case 0: emit(s, "nil"); break;
    case 1: emit(s, fuzz_pick(b, 2) ? "true" : "false"); break;
    case 2:
    case 3: gen_number(b, s); break;
    case 4:
    case 5: emit(s, "%s", pick(b, STRINGS, COUNT(STRINGS))); break;
    case 6: emit(s, "\"%s\"", pick(b, KINDS, COUNT(KINDS))); break;
    case 7: gen_vec3(b, s); break;
    case 8: emit(s, "{}"); break;
    case 9: emit(s, "function() error(\"raised\") end"); break;
    case 10: emit(s, "function(...) return ... end"); break;
    case 11: /* a table that answers every read */
        emit(s, "setmetatable({}, {__index = function(_, k) return ");
        gen_value(b, s);
        emit(s, " end, __len = function() return 1e9 end})");
        break;
    case 12: gen_pose(b, s); break;
    case 13: emit(s, "{"), gen_value(b, s), emit(s, ", "), gen_value(b, s), emit(s, "}"); break;
    case 14: emit(s, "setmetatable({}, {__tostring = function() error(\"no\") end})"); break;
    default: emit(s, "coroutine.create(function() end)"); break;
    }
    s->depth--;
}

static void gen_add(fuzz_bytes *b, source *s) {
    s->nobjects++;
    emit(s, "    local o%d = env:add(\"%s\", ", s->nobjects, pick(b, KINDS, 6 + fuzz_pick(b, COUNT(KINDS) - 6)));
    gen_pose(b, s);
    emit(s, ", {");
    unsigned n = fuzz_pick(b, 4);
    for (unsigned i = 0; i < n; i++) {
        const char *key = pick(b, ADD_OPTIONS, COUNT(ADD_OPTIONS));
        emit(s, "%s = ", key);
        if (!strcmp(key, "color") && !odd(b, 4)) emit(s, "\"%s\"", pick(b, COLORS, COUNT(COLORS)));
        else if (!strcmp(key, "size") && !odd(b, 4)) gen_vec3(b, s);
        else gen_value(b, s);
        emit(s, ", ");
    }
    emit(s, "})\n");
}

static void gen_goal(fuzz_bytes *b, source *s) {
    emit(s, "    env:goal{");
    unsigned n = 1 + fuzz_pick(b, 6);
    for (unsigned i = 0; i < n; i++) {
        const char *key = i == 0 ? "objects" : pick(b, GOAL_FIELDS, COUNT(GOAL_FIELDS));
        emit(s, "%s = ", key);
        if (!strcmp(key, "objects") && !odd(b, 6)) gen_object_list(b, s);
        else if (!strcmp(key, "targets") && !odd(b, 4)) {
            emit(s, "{");
            for (unsigned k = fuzz_pick(b, 4); k > 0; k--) gen_pose(b, s), emit(s, ", ");
            emit(s, "}");
        } else if (!strcmp(key, "zone") && !odd(b, 3)) {
            emit(s, "{pose = ");
            gen_pose(b, s);
            emit(s, ", size = ");
            gen_vec3(b, s);
            emit(s, "}");
        } else if (!strcmp(key, "matches") && !odd(b, 3)) {
            emit(s, "%s", !odd(b, 3) ? "\"any\"" : !odd(b, 2) ? "\"pairs\"" : "{{true, false}, {false, true}}");
        } else if (!strcmp(key, "metric") && !odd(b, 3)) {
            emit(s, "%s", !odd(b, 2) ? "\"pose\"" : "\"zone\"");
        } else {
            gen_value(b, s);
        }
        emit(s, ", ");
    }
    emit(s, "}\n");
}

/* One statement of reset(env). */
static void gen_statement(fuzz_bytes *b, source *s) {
    switch (fuzz_pick(b, 16)) {
    case 0:
    case 1:
    case 2:
    case 3: gen_add(b, s); break;
    case 4:
    case 5:
    case 6: gen_goal(b, s); break;
    case 7: emit(s, "    local _ = env.rng:int("), gen_number(b, s), emit(s, ", "), gen_number(b, s), emit(s, ")\n"); break;
    case 8: emit(s, "    local _ = env:random_size("), gen_vec3(b, s), emit(s, ", "), gen_vec3(b, s), emit(s, ")\n"); break;
    case 9: emit(s, "    local _ = env.rng:choice("), gen_object_list(b, s), emit(s, ")\n"); break;
    case 10: emit(s, "    local _ = env:size("), gen_object(b, s), emit(s, "), env:color("), gen_object(b, s), emit(s, ")\n"); break;
    case 11: emit(s, "    local _ = gs.multiply("), gen_pose(b, s), emit(s, ", gs.invert("), gen_pose(b, s), emit(s, "))\n"); break;
    case 12: /* the API from inside pcall and a coroutine */
        emit(s, "    pcall(function() ");
        gen_add(b, s);
        emit(s, "    end)\n");
        break;
    case 13:
        emit(s, "    coroutine.wrap(function() env:add(\"block\", ");
        gen_pose(b, s);
        emit(s, ") end)()\n");
        break;
    case 14: /* the table changed while an episode runs */
        emit(s, "    t.%s = ", pick(b, FIELDS, 8));
        gen_value(b, s);
        emit(s, "\n");
        break;
    default:
        emit(s, "    local _ = env:poses("), gen_object_list(b, s), emit(s, "), gs.yaw("), gen_pose(b, s), emit(s, ")\n");
        break;
    }
}

/* reset(env): a block, a bowl and a goal to put one in the other, each
 * replaced by a random statement when its byte is not zero, then random
 * statements. */
static void gen_reset(fuzz_bytes *b, source *s) {
    static const char *const plausible[] = {
        "    local o1 = env:add(\"block\", env:random_pose({0.04, 0.04, 0.04}), {color = \"red\"})\n",
        "    local o2 = env:add(\"bowl\", env:random_pose({0.14, 0.14, 0}), {color = \"green\"})\n",
        ("    env:goal{objects = {o1}, targets = env:poses({o2}), matches = \"any\", rotations = false,\n"
         "             tolerance = 0.03, lang = \"put the red block in the green bowl\"}\n")};
    emit(s, "function(env)\n");
    s->nobjects = 0;
    for (int i = 0; i < 3; i++) {
        if (fuzz_byte(b) == 0) {
            emit(s, "%s", plausible[i]);
            if (i < 2) s->nobjects++;
        } else {
            gen_statement(b, s);
        }
    }
    for (unsigned n = fuzz_pick(b, 8); n > 0 && !fuzz_done(b); n--) gen_statement(b, s);
    emit(s, "  end");
}

static void gen_field(fuzz_bytes *b, source *s, const char *field) {
    emit(s, "  %s = ", field);
    if (odd(b, 8)) {
        gen_value(b, s);
    } else if (!strcmp(field, "name")) {
        emit(s, "\"fuzz-task\"");
    } else if (!strcmp(field, "description")) {
        emit(s, "\"a task written by the fuzzer\"");
    } else if (!strcmp(field, "assets")) {
        emit(s, "{\"block\", \"bowl\", \"box\", \"zone\", \"ball\", \"cylinder\"");
        for (unsigned n = fuzz_pick(b, 3); n > 0; n--) emit(s, ", \"%s\"", pick(b, KINDS, COUNT(KINDS)));
        emit(s, "}");
    } else if (!strcmp(field, "max_steps")) {
        static const unsigned steps[] = {10, 1, 2, 3, 5, 20, 100, 1000};
        emit(s, "%u", steps[fuzz_pick(b, 8)]);
    } else if (!strcmp(field, "reset")) {
        gen_reset(b, s);
    } else if (!strcmp(field, "oracle")) {
        emit(s, "function(env, obs) return ");
        if (!odd(b, 2)) emit(s, "{pick = "), gen_pose(b, s), emit(s, ", place = "), gen_pose(b, s), emit(s, "}");
        else gen_value(b, s);
        emit(s, " end");
    } else if (!strcmp(field, "reward")) {
        emit(s, "function(env) return ");
        gen_value(b, s);
        emit(s, ", ");
        gen_value(b, s);
        emit(s, " end");
    } else if (!strcmp(field, "success")) {
        emit(s, "function(env) return ");
        gen_value(b, s);
        emit(s, " end");
    } else {
        gen_value(b, s);
    }
    emit(s, ",\n");
}

static void gen_task(fuzz_bytes *b, source *s) {
    emit(s, "local t\nt = task {\n");
    /* the required fields, each usually present and plausible */
    static const char *const required[] = {"name", "description", "assets", "max_steps", "reset"};
    for (size_t i = 0; i < COUNT(required); i++)
        if (!odd(b, 16)) gen_field(b, s, required[i]);
    for (unsigned n = fuzz_pick(b, 4); n > 0; n--) gen_field(b, s, pick(b, FIELDS + 5, COUNT(FIELDS) - 5));
    emit(s, "}\n");
    /* after the check */
    for (unsigned n = fuzz_pick(b, 4); n > 0; n--) {
        switch (fuzz_pick(b, 4)) {
        case 0: emit(s, "setmetatable(t, {__index = function() return \"x\" end})\n"); break;
        case 1: emit(s, "t.assets[#t.assets + 1] = "), gen_value(b, s), emit(s, "\n"); break;
        default: { /* t.name, or t[1] for the keys that are not names */
            const char *field = pick(b, FIELDS, COUNT(FIELDS));
            emit(s, "t%s%s = ", field[0] == '[' ? "" : ".", field);
            gen_value(b, s);
            emit(s, "\n");
            break;
        }
        }
    }
    emit(s, "return t\n");
    if (s->text && s->len > MAX_SOURCE) s->text[MAX_SOURCE] = 0, s->len = MAX_SOURCE;
}
