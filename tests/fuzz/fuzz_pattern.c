/* fuzz_pattern.c: the sandbox's Lua pattern matcher (sandbox/pattern.h) on
 * random patterns and subjects, checked two ways.
 *
 * 1. Directly: gsp_match from every start position, as find does, under a
 *    step budget with no refill; every match must end inside the subject
 *    and every capture lie inside it, and a budget that runs out must stop
 *    the match (the target's own timeout catches one that does not).
 * 2. Against Lua itself: when the matcher needed few enough steps that the
 *    stock library is sure to finish too, the same string.find, match,
 *    gmatch or gsub call runs in a sandbox (on the project's matcher) and in
 *    a plain lua_State (on Lua 5.4's own lstrlib), and the results and
 *    error messages must be equal: pattern.c promises "the same results and
 *    the same errors as with the stock library".
 *
 * Input: a byte choosing the function and its options, init, gsub's count,
 * the pattern and the replacement (each a length byte and bytes), then the
 * subject (the rest). */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sandbox/pattern.h"
#include "sandbox/sandbox.h"

#define DIRECT_BUDGET 2000000 /* steps of the direct scan */
#define COMPARE_BUDGET 200000 /* compare with stock Lua under this many steps */
#define MAX_SUBJECT 512

/* The same harness in both states: one string-library call, its results
 * (or its error) as one string. */
static const char HARNESS[] =
    "return function(op, s, p, init, plain, rk, r, maxn)\n"
    "  local repl = r\n"
    "  if rk == 1 then repl = {[r] = 'T', a = 'A', [1] = 'one', [2] = false, ['%'] = '%%'}\n"
    "  elseif rk == 2 then\n"
    "    repl = function(...)\n"
    "      local n, a = select('#', ...), ...\n"
    "      if a == 'x' then return false end\n"
    "      if n == 2 then return nil end\n"
    "      return n .. ':' .. tostring(a)\n"
    "    end\n"
    "  elseif rk == 3 then repl = #r end\n"
    "  local function ser(ok, ...)\n"
    "    local out = {tostring(ok)}\n"
    "    for i = 1, select('#', ...) do\n"
    "      local v = select(i, ...)\n"
    "      out[#out + 1] = type(v) .. ':' .. tostring(v)\n"
    "    end\n"
    "    return table.concat(out, '|')\n"
    "  end\n"
    "  if op == 0 then return ser(pcall(string.find, s, p, init, plain))\n"
    "  elseif op == 1 then return ser(pcall(string.match, s, p, init))\n"
    "  elseif op == 2 then\n"
    "    return ser(pcall(function()\n"
    "      local out = {}\n"
    "      for a, b, c in string.gmatch(s, p, init) do\n"
    "        out[#out + 1] = type(a) .. ':' .. tostring(a) .. ',' .. tostring(b) .. ',' .. tostring(c)\n"
    "        if #out >= 50 then break end\n"
    "      end\n"
    "      return table.concat(out, ';')\n"
    "    end))\n"
    "  end\n"
    "  return ser(pcall(string.gsub, s, p, repl, maxn))\n"
    "end\n";

typedef struct call {
    int op;                  /* 0 find, 1 match, 2 gmatch, 3 gsub */
    int plain;               /* find's fourth argument */
    int repl_kind;           /* gsub: 0 string, 1 table, 2 function, 3 number */
    int has_init, has_max;
    long init, max;
    const char *pattern, *repl, *subject;
    size_t plen, rlen, slen;
} call;

static void direct_scan(const call *c, uint64_t *steps);
static void compare_with_lua(const call *c);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_bytes b = {data, size, 0};
    call c;
    unsigned how = fuzz_byte(&b);
    c.op = (int)(how & 3);
    c.plain = (int)(how >> 2 & 1);
    c.repl_kind = (int)(how >> 3 & 3);
    unsigned init = fuzz_byte(&b), max = fuzz_byte(&b);
    c.has_init = init >= 32;
    c.init = (long)(init % 32) - 8; /* -8 .. 23 */
    c.has_max = max >= 128;
    c.max = (long)(max % 8) - 1;
    c.pattern = (const char *)fuzz_take(&b, 255, &c.plen);
    c.repl = (const char *)fuzz_take(&b, 255, &c.rlen);
    c.subject = (const char *)b.data + b.at;
    c.slen = b.size - b.at > MAX_SUBJECT ? MAX_SUBJECT : b.size - b.at;

    uint64_t steps = 0;
    direct_scan(&c, &steps);
    if (steps < COMPARE_BUDGET) compare_with_lua(&c);
    return 0;
}

/* ---- 1: the matcher directly ---- */

static void check_match(const gsp_state *ms, const char *from, const char *e) {
    if (e && (e < from || e > ms->src_end)) fuzz_fail("a match ends outside the subject");
    if (ms->level < 0 || ms->level > GSP_MAXCAPTURES) fuzz_fail("%d captures", ms->level);
    for (int i = 0; e && i < ms->level; i++) {
        const gsp_capture *cap = &ms->capture[i];
        if (cap->init < ms->src_init || cap->init > ms->src_end)
            fuzz_fail("capture %d starts outside the subject", i + 1);
        if (cap->len >= 0 && cap->len > ms->src_end - cap->init) fuzz_fail("capture %d runs past the subject", i + 1);
        if (cap->len < 0 && cap->len != GSP_CAP_POSITION && cap->len != GSP_CAP_UNFINISHED)
            fuzz_fail("capture %d has length %td", i + 1, cap->len);
    }
}

/* Every start position, as find and gsub try them, on one budget. */
static void direct_scan(const call *c, uint64_t *steps) {
    gsp_state ms;
    /* the subject and pattern as the input holds them: reads past their
     * ends are sanitizer reports */
    char *subject = malloc(c->slen ? c->slen : 1), *pattern = malloc(c->plen ? c->plen : 1);
    if (!subject || !pattern) fuzz_fail("out of memory");
    memcpy(subject, c->subject, c->slen);
    memcpy(pattern, c->pattern, c->plen);
    gsp_init(&ms, subject, c->slen, pattern + c->plen, DIRECT_BUDGET, NULL, NULL);
    int anchor = c->plen > 0 && pattern[0] == '^';
    const char *outcome = "no match";
    int captures = 0;
    for (const char *from = subject; from <= subject + c->slen; from++) {
        const char *e = gsp_match(&ms, from, pattern + anchor);
        if (ms.status != GSP_OK) {
            if (e) fuzz_fail("a match returned with status %d", ms.status);
            if (ms.status == GSP_ERROR && !ms.error[0]) fuzz_fail("an error without a message");
            outcome = ms.status == GSP_ERROR ? ms.error : "budget";
            break;
        }
        check_match(&ms, from, e);
        if (e) outcome = "match", captures = ms.level;
        if (anchor) break;
    }
    /* the last charge may overshoot by one scan of a set or of the subject */
    if (ms.steps_used > DIRECT_BUDGET + c->slen + c->plen + 1)
        fuzz_fail("%llu steps on a budget of %d", (unsigned long long)ms.steps_used, DIRECT_BUDGET);
    *steps = ms.steps_used;
    /* the function and the captures' count (as a letter: the driver
     * blanks digits) make outcomes apart */
    static const char *const ops[] = {"find", "match", "gmatch", "gsub"};
    char what[128];
    snprintf(what, sizeof what, "%s: %s, %c captures", ops[c->op], outcome, 'a' + captures);
    fuzz_outcome(ms.status, what);
    free(subject);
    free(pattern);
}

/* ---- 2: the sandbox against stock Lua ---- */

/* Calls the harness (registry ref) in L with c's arguments and returns
 * its string in out; 0 when the sandbox's limits stopped it. */
static void push_args(lua_State *L, const call *c) {
    lua_pushinteger(L, c->op);
    lua_pushlstring(L, c->subject, c->slen);
    lua_pushlstring(L, c->pattern, c->plen);
    if (c->has_init) lua_pushinteger(L, c->init);
    else lua_pushnil(L);
    lua_pushboolean(L, c->plain);
    lua_pushinteger(L, c->repl_kind);
    lua_pushlstring(L, c->repl, c->rlen);
    if (c->has_max) lua_pushinteger(L, c->max);
    else lua_pushnil(L);
}

static lua_State *stock_state(int *harness) {
    static lua_State *L;
    static int ref;
    if (!L) {
        L = luaL_newstate();
        if (!L) fuzz_fail("cannot make a Lua state");
        luaL_openlibs(L);
        if (luaL_loadbufferx(L, HARNESS, sizeof HARNESS - 1, "@harness", "t") != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK)
            fuzz_fail("harness: %s", lua_tostring(L, -1));
        ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    *harness = ref;
    return L;
}

static gsl_sandbox *sandbox_state(int *harness) {
    static gsl_sandbox *sb;
    static int ref;
    if (!sb) {
        gsl_limits lim = gsl_limits_default();
        lim.max_instructions = 20 * COMPARE_BUDGET;
        lim.max_memory = (size_t)64 << 20;
        lim.timeout_s = 10;
        char err[512];
        if (!(sb = gsl_sandbox_new(&lim, NULL, NULL, err, sizeof err))) fuzz_fail("sandbox: %s", err);
        if (gsl_sandbox_load(sb, "harness", HARNESS, sizeof HARNESS - 1, err, sizeof err) != GS_OK ||
            gsl_sandbox_call(sb, 0, 1, err, sizeof err) != GS_OK)
            fuzz_fail("harness: %s", err);
        ref = luaL_ref(gsl_sandbox_state(sb), LUA_REGISTRYINDEX);
    }
    *harness = ref;
    return sb;
}

static void compare_with_lua(const call *c) {
    int ref;
    gsl_sandbox *sb = sandbox_state(&ref);
    lua_State *S = gsl_sandbox_state(sb);
    gsl_sandbox_arm(sb);
    lua_rawgeti(S, LUA_REGISTRYINDEX, ref);
    push_args(S, c);
    char err[512];
    gs_status st = gsl_sandbox_call(sb, 8, 1, err, sizeof err);
    if (st == GS_ERR_LIMIT) return; /* charged past the limit: nothing to compare */
    if (st != GS_OK) fuzz_fail("the sandbox's harness failed: %s", err);
    size_t mine_len;
    const char *mine = lua_tolstring(S, -1, &mine_len);

    lua_State *L = stock_state(&ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    push_args(L, c);
    if (lua_pcall(L, 8, 1, 0) != LUA_OK) fuzz_fail("the stock harness failed: %s", lua_tostring(L, -1));
    size_t lua_len;
    const char *stock = lua_tolstring(L, -1, &lua_len);
    if (mine_len != lua_len || memcmp(mine, stock, lua_len) != 0) {
        static const char *const ops[] = {"find", "match", "gmatch", "gsub"};
        fuzz_fail("string.%s(%.*s, %.*s) differs from Lua's:\n  sandbox: %.300s\n  lua:     %.300s", ops[c->op],
                  (int)c->slen, c->subject, (int)c->plen, c->pattern, mine, stock);
    }
    lua_pop(L, 1);
    lua_pop(S, 1);
}
