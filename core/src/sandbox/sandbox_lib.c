/* sandbox_lib.c: the library functions a task gets in place of Lua's own
 * (sandbox.h): print to the log, load of text only, setmetatable without
 * __gc, a guarded xpcall and coroutine bodies, math.random on the episode's
 * generator, string.rep within the memory cap, and the table functions and
 * pairs whose loops run in C, charged to the budget. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lualib.h>

#include "sandbox/sandbox_internal.h"

/* print: the arguments joined by tabs, one log line per text line. */
static int sandbox_print(lua_State *L) {
    gsl_sandbox *s = gsl__sandbox_of(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL); /* __tostring is task code, but under the hook */
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    if (!s->log) return 0;
    size_t len;
    const char *text = lua_tolstring(L, -1, &len);
    gsl__charge(L, 1 + len / GSL_CHARGE_BYTES);
    /* a flood of output would be the host's to store: a period's log keeps
     * its first GSL_LOG_MAX bytes */
    if (s->logged >= GSL_LOG_MAX) return 0;
    if (len > GSL_LOG_MAX - s->logged) {
        len = GSL_LOG_MAX - s->logged;
        s->logged = GSL_LOG_MAX;
        lua_pushlstring(L, text, len);
        text = lua_tolstring(L, -1, &len);
        gsl__emit_line(s, "(the task printed more; its output is cut here)");
    } else {
        s->logged += len;
    }
    for (;;) {
        const char *end = memchr(text, '\n', len);
        size_t piece = end ? (size_t)(end - text) : len;
        lua_pushlstring(L, text, piece); /* a terminated copy */
        gsl__emit_line(s, lua_tostring(L, -1));
        lua_pop(L, 1);
        if (!end) break;
        text += piece + 1;
        len -= piece + 1;
    }
    return 0;
}

/* load: text only, and the sandbox's globals unless the task passes its
 * own env; a reader function could feed bytes in any mode. */
static int sandbox_load(lua_State *L) {
    size_t len;
    luaL_checktype(L, 1, LUA_TSTRING);
    const char *chunk = lua_tolstring(L, 1, &len);
    const char *chunkname = luaL_optstring(L, 2, chunk);
    int env = !lua_isnone(L, 4) ? 4 : 0;
    char why[256];
    if (gsl__check_source("load", chunk, len, why, sizeof why) != GS_OK) {
        luaL_pushfail(L);
        lua_pushstring(L, why);
        return 2; /* fail message */
    }
    if (luaL_loadbufferx(L, chunk, len, chunkname, "t") != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2; /* fail message */
    }
    if (env) {
        lua_pushvalue(L, env);
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1); /* _ENV */
    }
    return 1;
}

/* setmetatable without finalizers or closers: hooks do not run inside
 * __gc, so a looping one would hang the host at the next collection or at
 * close; __close is where Lua 5.4.4's tbc bugs live (lexcheck.c).
 * Lua marks an object for finalization only when its metatable has __gc
 * at this call, so adding __gc later does nothing and checking here is
 * enough. */
static int sandbox_setmetatable(lua_State *L) {
    int type = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table");
    if (type == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed in tasks");
        lua_pushliteral(L, "__close");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__close metamethods are not allowed in tasks (nor <close> variables)");
        lua_pop(L, 2);
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* xpcall whose message handler is a C guard around the task's. Lua calls a
 * message handler from inside lua_error, and when that error comes from the
 * hook, hooks are still disabled (allowhook is restored only when the error
 * lands in a pcall): a task handler called there would run unhooked, and a
 * looping one would hang the host. After a trip the guard answers with the
 * trip message and never calls the task's handler. */
static int guarded_handler(lua_State *L) {
    gsl_sandbox *s = gsl__sandbox_of(L);
    if (s->tripped) {
        lua_pushstring(L, s->trip_message);
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1)); /* the task's handler */
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int finish_xpcall(lua_State *L, int status, lua_KContext below_results) {
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2); /* false message */
        return 2;
    }
    return lua_gettop(L) - (int)below_results; /* true results... */
}

static int sandbox_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_handler, 1);
    lua_replace(L, 2);     /* f guard args... */
    lua_pushboolean(L, 1); /* the first result on success */
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2); /* f guard true f args... */
    /* with a continuation, so a coroutine may yield across it */
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_xpcall);
    return finish_xpcall(L, status, 2);
}

/* Coroutine bodies run inside a pcall of their own. An error raised by the
 * hook leaves the thread's hooks disabled until a protected call in that
 * thread catches it; a coroutine killed by such an error would keep them
 * disabled, and coroutine.wrap (or close) then runs its pending __close
 * handlers unhooked, where a loop would hang the host. Caught here, the
 * error restores the hooks and closes the handlers under them, and is then
 * raised again from C, which leaves the hooks on. */
static int coroutine_body_done(lua_State *L, int status, lua_KContext unused) {
    (void)unused;
    if (status != LUA_OK && status != LUA_YIELD) return lua_error(L); /* error object on top */
    return lua_gettop(L);
}

static int coroutine_body(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1)); /* the task's function */
    lua_insert(L, 1);
    /* with a continuation, so the body may yield across this pcall */
    int status = lua_pcallk(L, lua_gettop(L) - 1, LUA_MULTRET, 0, 0, coroutine_body_done);
    return coroutine_body_done(L, status, 0);
}

/* coroutine.create and coroutine.wrap: the library's, given the guarded body. */
static int sandbox_coroutine_new(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_pushvalue(L, lua_upvalueindex(1)); /* the library's create or wrap */
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, coroutine_body, 1);
    lua_call(L, 1, 1);
    return 1;
}

/* math.random from the episode's generator, with Lua 5.4's arguments. */
static int sandbox_random(lua_State *L) {
    gsu_rng *rng = &gsl__sandbox_of(L)->rng;
    lua_Integer low, up;
    switch (lua_gettop(L)) {
    case 0: lua_pushnumber(L, (lua_Number)gsu_rng_unit(rng)); return 1;
    case 1:
        low = 1;
        up = luaL_checkinteger(L, 1);
        if (up == 0) { /* 5.4: math.random(0) is a whole random integer */
            lua_pushinteger(L, (lua_Integer)gsu_rng_next(rng));
            return 1;
        }
        break;
    case 2:
        low = luaL_checkinteger(L, 1);
        up = luaL_checkinteger(L, 2);
        break;
    default: return luaL_error(L, "wrong number of arguments");
    }
    luaL_argcheck(L, low <= up, 1, "interval is empty");
    lua_pushinteger(L, (lua_Integer)gsu_rng_int(rng, low, up));
    return 1;
}

/* math.randomseed is refused: the host seeds every episode, and a task
 * that seeded itself would make every episode the same one, which would
 * pass "runs on many seeds" while testing a single scene. */
static int sandbox_randomseed(lua_State *L) {
    return luaL_error(L, "math.randomseed: tasks do not seed themselves; the host seeds each "
                         "episode (use env.rng or math.random)");
}

/* string.rep with nothing to repeat loops n times in C, unbounded by
 * memory; any other string.rep is bounded by the allocator. */
static int sandbox_rep(lua_State *L) {
    size_t len, seplen = 0;
    luaL_checklstring(L, 1, &len);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &seplen);
    if (n <= 0 || len + seplen == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    lua_pushvalue(L, lua_upvalueindex(1)); /* the library's rep */
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* table.insert, remove and move loop in C over a range that __len or the
 * arguments choose, touching absent keys for free; they are rewritten here
 * to charge the range first. Only real tables are accepted. */
static int sandbox_insert(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer first_empty = luaL_len(L, 1);
    luaL_argcheck(L, first_empty < LUA_MAXINTEGER, 1, "table too large");
    first_empty++;
    lua_Integer pos;
    switch (lua_gettop(L)) {
    case 2: pos = first_empty; break;
    case 3:
        pos = luaL_checkinteger(L, 2);
        luaL_argcheck(L, pos >= 1 && pos <= first_empty, 2, "position out of bounds");
        gsl__charge(L, (uint64_t)(first_empty - pos));
        for (lua_Integer i = first_empty; i > pos; i--) {
            lua_geti(L, 1, i - 1);
            lua_seti(L, 1, i); /* t[i] = t[i - 1] */
        }
        break;
    default: return luaL_error(L, "wrong number of arguments to 'insert'");
    }
    lua_seti(L, 1, pos); /* t[pos] = value */
    return 0;
}

static int sandbox_remove(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer size = luaL_len(L, 1);
    lua_Integer pos = luaL_optinteger(L, 2, size);
    if (pos != size)
        luaL_argcheck(L, size < LUA_MAXINTEGER && pos >= 1 && pos <= size + 1, 2,
                      "position out of bounds");
    if (pos < size) gsl__charge(L, (uint64_t)(size - pos));
    lua_geti(L, 1, pos); /* result */
    for (; pos < size; pos++) {
        lua_geti(L, 1, pos + 1);
        lua_seti(L, 1, pos); /* t[pos] = t[pos + 1] */
    }
    lua_pushnil(L);
    lua_seti(L, 1, pos);
    return 1;
}

static int sandbox_move(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer from = luaL_checkinteger(L, 2);
    lua_Integer to_end = luaL_checkinteger(L, 3);
    lua_Integer dest = luaL_checkinteger(L, 4);
    int target = lua_isnoneornil(L, 5) ? 1 : 5;
    luaL_checktype(L, target, LUA_TTABLE);
    if (to_end >= from) {
        luaL_argcheck(L, from > 0 || to_end < LUA_MAXINTEGER + from, 3,
                      "too many elements to move");
        lua_Integer n = to_end - from + 1; /* fits: checked above */
        luaL_argcheck(L, dest <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
        gsl__charge(L, (uint64_t)n);
        if (dest > to_end || dest <= from || (target != 1 && !lua_rawequal(L, 1, target))) {
            for (lua_Integer i = 0; i < n; i++) {
                lua_geti(L, 1, from + i);
                lua_seti(L, target, dest + i);
            }
        } else { /* overlapping, moving up: copy from the end */
            for (lua_Integer i = n - 1; i >= 0; i--) {
                lua_geti(L, 1, from + i);
                lua_seti(L, target, dest + i);
            }
        }
    }
    lua_pushvalue(L, target);
    return 1;
}

/* The default order of table.sort, with each comparison charged: two long
 * strings cost their common length, in C, out of the hook's sight. */
static int charged_less(lua_State *L) {
    size_t la = 0, lb = 0;
    if (lua_type(L, 1) == LUA_TSTRING && lua_type(L, 2) == LUA_TSTRING) {
        lua_tolstring(L, 1, &la);
        lua_tolstring(L, 2, &lb);
    }
    gsl__charge(L, 1 + (la < lb ? la : lb) / GSL_CHARGE_BYTES);
    lua_pushboolean(L, lua_compare(L, 1, 2, LUA_OPLT));
    return 1;
}

/* table.sort on a length that __len invents would sort forever in C, with
 * the elements served by a C __index; a real table's length is bounded by
 * memory, so only __len is refused and the sort is charged n log n. */
static int sandbox_sort(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (luaL_getmetafield(L, 1, "__len") != LUA_TNIL)
        return luaL_error(L, "table.sort does not accept a table with __len in tasks");
    uint64_t n = (uint64_t)lua_rawlen(L, 1), work = n;
    for (uint64_t k = n; k > 1; k >>= 1)
        work += n;
    gsl__charge(L, work);
    lua_settop(L, 2);
    if (lua_isnil(L, 2)) {
        lua_pushcfunction(L, charged_less);
        lua_replace(L, 2);
    }
    lua_pushvalue(L, lua_upvalueindex(1)); /* the library's sort */
    lua_insert(L, 1);
    lua_call(L, 2, 0);
    return 0;
}

/* table.concat, charged by element and by byte: Lua's loops in C over a
 * range the caller chooses, reading each element through __index. */
static int sandbox_concat(lua_State *L) {
    size_t lsep;
    const char *sep = luaL_optlstring(L, 2, "", &lsep);
    lua_Integer i = luaL_optinteger(L, 3, 1);
    lua_Integer last = lua_isnoneornil(L, 4) ? luaL_len(L, 1) : luaL_checkinteger(L, 4);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (; i <= last; i++) {
        lua_geti(L, 1, i);
        if (!lua_isstring(L, -1))
            return luaL_error(L, "invalid value (at index %I) in table for 'concat'", (LUAI_UACINT)i);
        size_t len;
        lua_tolstring(L, -1, &len);
        gsl__charge(L, 1 + (len + lsep) / GSL_CHARGE_BYTES);
        luaL_addvalue(&b);
        if (i != last) luaL_addlstring(&b, sep, lsep);
        if (i == LUA_MAXINTEGER) break;
    }
    luaL_pushresult(&b);
    return 1;
}

/* table.unpack pushes the whole range from C: charged by its length. */
static int sandbox_unpack(lua_State *L) {
    lua_Integer i = luaL_optinteger(L, 2, 1);
    lua_Integer e = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);
    if (e >= i) gsl__charge(L, (uint64_t)e - (uint64_t)i + 1);
    lua_pushvalue(L, lua_upvalueindex(1)); /* the library's unpack */
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* A string or utf8 function whose work in C grows with its string
 * arguments: charged by their total length, then the library's own. */
static int charged_by_length(lua_State *L) {
    uint64_t bytes = 0;
    for (int i = 1, n = lua_gettop(L); i <= n; i++) {
        size_t len = 0;
        if (lua_type(L, i) == LUA_TSTRING) lua_tolstring(L, i, &len);
        bytes += len;
    }
    gsl__charge(L, 1 + bytes / GSL_CHARGE_BYTES);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* pairs in an order fixed by the keys alone. Lua 5.4 seeds its string hash
 * from the clock and from addresses, so next() visits string keys in a
 * different order in every run, and a task that spawns objects or draws
 * random numbers inside a pairs loop would make a different episode from
 * the same seed. Keys are snapshotted and sorted: numbers by value, then
 * strings bytewise, then false, true, then everything else in next()
 * order (those have no stable identity). __pairs is honoured; next itself
 * stays as it is. */
static int key_rank(lua_State *L, int idx) {
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER: return 0;
    case LUA_TSTRING: return 1;
    case LUA_TBOOLEAN: return lua_toboolean(L, idx) ? 3 : 2;
    default: return 4;
    }
}

static int key_less(lua_State *L) {
    int ra = key_rank(L, 1), rb = key_rank(L, 2);
    if (ra != rb) {
        lua_pushboolean(L, ra < rb);
    } else if (ra == 0) {
        lua_pushboolean(L, lua_compare(L, 1, 2, LUA_OPLT)); /* numbers: no metamethods */
    } else if (ra == 1) {
        /* bytewise, not lua_compare, which follows the C locale (strcoll) */
        size_t la, lb;
        const char *a = lua_tolstring(L, 1, &la), *b = lua_tolstring(L, 2, &lb);
        int c = memcmp(a, b, la < lb ? la : lb);
        lua_pushboolean(L, c < 0 || (c == 0 && la < lb));
    } else {
        lua_pushboolean(L, 0);
    }
    return 1;
}

/* The iterator: upvalue 1 the sorted keys, upvalue 2 how many were handed
 * out; keys cleared during the loop are skipped, as next() would. */
static int ordered_next(lua_State *L) {
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
    for (;;) {
        i++;
        if (lua_rawgeti(L, lua_upvalueindex(1), i) == LUA_TNIL) { /* key */
            lua_pushinteger(L, i - 1);
            lua_replace(L, lua_upvalueindex(2));
            return 1; /* nil: done */
        }
        lua_pushvalue(L, -1);
        if (lua_rawget(L, 1) != LUA_TNIL) { /* key value */
            lua_pushinteger(L, i);
            lua_replace(L, lua_upvalueindex(2));
            return 2;
        }
        lua_pop(L, 2);
    }
}

static int sandbox_pairs(lua_State *L) {
    luaL_checkany(L, 1);
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_newtable(L); /* t keys */
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, 2, ++n);
    }
    gsl__charge(L, (uint64_t)n);
    if (n > 1) {
        lua_pushvalue(L, lua_upvalueindex(1)); /* the library's sort */
        lua_pushvalue(L, 2);
        lua_pushcfunction(L, key_less);
        lua_call(L, 2, 0);
    }
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, ordered_next, 2); /* t iterator */
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3; /* iterator t nil */
}

void gsl__install_library(lua_State *L) {
    gsl__set_field(L, "print", sandbox_print);
    gsl__set_field(L, "load", sandbox_load);
    gsl__set_field(L, "setmetatable", sandbox_setmetatable);
    gsl__set_field(L, "xpcall", sandbox_xpcall);

    lua_getfield(L, -1, LUA_MATHLIBNAME); /* G math */
    gsl__set_field(L, "random", sandbox_random);
    gsl__set_field(L, "randomseed", sandbox_randomseed);
    lua_pop(L, 1);

    static const char *const by_length[] = {"byte", "char", "format", "lower", "upper", "reverse",
                                            "sub", "pack", "unpack", "len"};
    lua_getfield(L, -1, LUA_STRLIBNAME); /* G string */
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    gsl__wrap_field(L, "rep", sandbox_rep);
    for (size_t i = 0; i < sizeof by_length / sizeof by_length[0]; i++)
        gsl__wrap_field(L, by_length[i], charged_by_length);
    lua_pop(L, 1);

    static const char *const utf8_by_length[] = {"len", "codepoint", "char", "offset"};
    lua_getfield(L, -1, LUA_UTF8LIBNAME); /* G utf8 */
    for (size_t i = 0; i < sizeof utf8_by_length / sizeof utf8_by_length[0]; i++)
        gsl__wrap_field(L, utf8_by_length[i], charged_by_length);
    lua_pop(L, 1);

    lua_getfield(L, -1, LUA_COLIBNAME); /* G coroutine */
    gsl__wrap_field(L, "create", sandbox_coroutine_new);
    gsl__wrap_field(L, "wrap", sandbox_coroutine_new);
    lua_pop(L, 1);

    lua_getfield(L, -1, LUA_TABLIBNAME); /* G table */
    lua_getfield(L, -1, "sort");
    lua_pushcclosure(L, sandbox_pairs, 1);
    lua_setfield(L, -3, "pairs");
    gsl__set_field(L, "insert", sandbox_insert);
    gsl__set_field(L, "remove", sandbox_remove);
    gsl__set_field(L, "move", sandbox_move);
    gsl__set_field(L, "concat", sandbox_concat);
    gsl__wrap_field(L, "unpack", sandbox_unpack);
    gsl__wrap_field(L, "sort", sandbox_sort);
    lua_pop(L, 1);
}
