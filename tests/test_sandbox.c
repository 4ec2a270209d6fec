/* test_sandbox.c: what an untrusted task can reach, and how every way of
 * running away ends. Limits are small (1e6 instructions, 16 MiB, 2 s) so the
 * runaway cases finish quickly; each must end with the right status and a
 * "file:line:" message. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "check.h"
#include "sandbox/sandbox.h"
#include "sandbox/pattern.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif

#define ERRLEN 512

/* Time bounds stretch under valgrind, which runs Lua some 50 times slower,
 * and under AddressSanitizer. */
static double slow = 1;

/* A runaway script the sandbox failed to stop would hang the test; the
 * watchdog turns that into a failure naming the section. */
static const char *section = "";

static void on_watchdog(int sig) {
    (void)sig;
    static const char msg[] = "test_sandbox: watchdog fired: a script was not stopped in ";
    if (write(2, msg, sizeof msg - 1) < 0 || write(2, section, strlen(section)) < 0 ||
        write(2, "\n", 1) < 0) {
    }
    _exit(1);
}

typedef struct log_capture {
    char lines[32][256];
    int n;
} log_capture;

static void capture_line(void *ud, const char *line) {
    log_capture *c = ud;
    if (c->n < 32) snprintf(c->lines[c->n++], sizeof c->lines[0], "%s", line);
}

static gsl_limits small_limits(void) {
    gsl_limits l = {1000000u, (size_t)16 << 20, 2.0 * slow};
    return l;
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static gsl_sandbox *new_sandbox(const gsl_limits *limits, log_capture *log) {
    char err[ERRLEN] = "";
    gsl_sandbox *s = gsl_sandbox_new(limits, log ? capture_line : NULL, log, err, sizeof err);
    if (!s) fprintf(stderr, "gsl_sandbox_new: %s\n", err);
    return s;
}

/* Arms, loads src as task.lua and calls it; checks the stack is balanced. */
static gs_status run(gsl_sandbox *s, const char *src, char *err) {
    lua_State *L = gsl_sandbox_state(s);
    int top = lua_gettop(L);
    err[0] = '\0';
    gsl_sandbox_arm(s);
    gs_status st = gsl_sandbox_load(s, "task.lua", src, strlen(src), err, ERRLEN);
    if (st == GS_OK) st = gsl_sandbox_call(s, 0, 0, err, ERRLEN);
    CHECK(lua_gettop(L) == top);
    return st;
}

/* Runs src in a fresh sandbox with small limits. */
static gs_status run_fresh(const char *src, char *err) {
    gsl_limits limits = small_limits();
    gsl_sandbox *s = new_sandbox(&limits, NULL);
    if (!s) return GS_ERR_USAGE;
    gs_status st = run(s, src, err);
    gsl_sandbox_free(s);
    return st;
}

/* Expects src, run with limits, to end with status and a message containing
 * needle, in less than max_seconds. */
static void expect_with(const gsl_limits *limits, const char *src, gs_status status,
                        const char *needle, double max_seconds) {
    char err[ERRLEN] = "";
    double t0 = now_seconds();
    gs_status st = GS_ERR_USAGE;
    gsl_sandbox *s = new_sandbox(limits, NULL);
    if (s) st = run(s, src, err);
    gsl_sandbox_free(s);
    double elapsed = now_seconds() - t0;
    if (st != status)
        fprintf(stderr, "  status %s, expected %s, for:\n%s\n  message: %s\n", gs_status_name(st),
                gs_status_name(status), src, err);
    CHECK(st == status);
    CHECK_STR_CONTAINS(err, needle);
    CHECK(elapsed < max_seconds * slow);
}

static void expect(const char *src, gs_status status, const char *needle, double max_seconds) {
    gsl_limits limits = small_limits();
    expect_with(&limits, src, status, needle, max_seconds);
}

static void expect_ok(const char *src) {
    char err[ERRLEN];
    gs_status st = run_fresh(src, err);
    if (st != GS_OK) fprintf(stderr, "  unexpected failure: %s\n  for:\n%s\n", err, src);
    CHECK(st == GS_OK);
}

static void test_escapes(void) {
    static const char *const hidden[] = {"io",     "os",         "bit32",    "package",
                                         "debug",  "dofile",     "loadfile", "collectgarbage",
                                         "module", "loadstring", "setfenv",  "newproxy"};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++) {
        char src[128], needle[64];
        snprintf(src, sizeof src, "local x = %s", hidden[i]);
        snprintf(needle, sizeof needle, "task.lua:1: undefined global '%s'", hidden[i]);
        expect(src, GS_ERR_RUNTIME, needle, 1);
        snprintf(src, sizeof src, "assert(rawget(_G, '%s') == nil)", hidden[i]);
        expect_ok(src);
    }
    /* nothing outside the allow-list survives */
    expect_ok("local allowed = {_G=1,_VERSION=1,assert=1,error=1,getmetatable=1,ipairs=1,load=1,\n"
              "  next=1,pairs=1,pcall=1,print=1,rawequal=1,rawget=1,rawlen=1,rawset=1,select=1,\n"
              "  setmetatable=1,tonumber=1,tostring=1,type=1,warn=1,xpcall=1,coroutine=1,math=1,\n"
              "  string=1,table=1,utf8=1,require=1}\n"
              "for k in pairs(_G) do assert(allowed[k], k) end");
    expect_ok("assert(string.dump == nil)");
    expect_ok("local mt = getmetatable('')\nassert(type(mt) ~= 'table')\n"
              "assert(('x'):rep(3) == 'xxx' and ('abc'):upper() == 'ABC')");
    expect_ok("assert(getmetatable(_G) == false)\n"
              "local ok, e = pcall(setmetatable, _G, {})\n"
              "assert(not ok and e:find('protected metatable'), e)");
    expect("_G = {}\nlocal x = io", GS_ERR_RUNTIME, "task.lua:2: undefined global 'io'", 1);
    expect("local f = assert(load('return io'))\nf()", GS_ERR_RUNTIME, "undefined global 'io'", 1);
    /* a custom env sees nothing host-side either */
    expect_ok("local f = assert(load('return io, os, debug, require, package, _G, string', 'c', "
              "'t', {}))\n"
              "assert(select('#', f()) == 7)\n"
              "for i = 1, 7 do assert(select(i, f()) == nil) end\n"
              "local g = assert(load('return x', 'c', 't', nil))\n"
              "assert(not pcall(g))");
    /* bytecode: through load (any mode asked for) and through the host */
    expect_ok("local f, e = load('\\27LuaT\\0\\25\\147\\r\\n\\26\\n\\4\\8\\8')\n"
              "assert(f == nil and e:find(\"binary chunk %(mode is 't'%)\"), e)\n"
              "f, e = load('\\27LuaT\\0\\25\\147\\r\\n\\26\\n', 'b', 'b')\n"
              "assert(f == nil and e:find(\"binary chunk %(mode is 't'%)\"), e)");
    expect_ok("local ok, e = pcall(load, function() return nil end)\n"
              "assert(not ok and e:find('string expected'), e)");
    {
        gsl_limits limits = small_limits();
        gsl_sandbox *s = new_sandbox(&limits, NULL);
        char err[ERRLEN];
        static const char bytecode[] = "\x1bLuaT\x00\x19\x93\r\n\x1a\n";
        CHECK(gsl_sandbox_load(s, "evil.luac", bytecode, sizeof bytecode - 1, err, sizeof err) ==
              GS_ERR_SYNTAX);
        CHECK_STR_CONTAINS(err, "evil.luac: precompiled (binary) chunks are not accepted");
        CHECK(lua_gettop(gsl_sandbox_state(s)) == 0);
        gsl_sandbox_free(s);
    }
}

static void test_runaway_loops(void) {
    expect("local x = 0\nwhile true do x = x + 1 end", GS_ERR_LIMIT,
           "task.lua:2: instruction limit exceeded (1000000)", 1.5);
    expect("while true do pcall(function() while true do end end) end", GS_ERR_LIMIT,
           "instruction limit exceeded", 1.5);
    expect("xpcall(function() error('x') end, function(m) while true do end end)", GS_ERR_LIMIT,
           "instruction limit exceeded", 1.5);
    /* the handler Lua calls from inside a hook's error runs with hooks off;
     * a handler that loops must still end */
    expect("xpcall(function() while true do end end, function(m) while true do end end)",
           GS_ERR_LIMIT, "instruction limit exceeded", 1.5);
    expect("xpcall(function() while true do end end, function(m)\n"
           "  for i = 1, 1e12 do local k = i end return m end)",
           GS_ERR_LIMIT, "instruction limit exceeded", 1.5);
    expect_ok("local ok, a, b = xpcall(function(x, y) return x + y, x * y end, print, 3, 4)\n"
              "assert(ok == true and a == 7 and b == 12)\n"
              "local ok2, m = xpcall(error, function(e) return 'handled ' .. e end, 'it', 0)\n"
              "assert(ok2 == false and m == 'handled it', m)\n"
              "local co = coroutine.wrap(function() return xpcall(function()\n"
              "  local v = coroutine.yield(1) return v * 2 end, print) end)\n"
              "assert(co() == 1)\n"
              "local ok3, v = co(21)\nassert(ok3 and v == 42)\n"
              "assert(not pcall(xpcall, print))");
    expect("while true do\n"
           "  xpcall(function() while true do end end, function() while true do end end)\n"
           "end",
           GS_ERR_LIMIT, "instruction limit exceeded", 1.5);
    expect("local co = coroutine.wrap(function() while true do end end)\nco()", GS_ERR_LIMIT,
           "instruction limit exceeded", 1.5);
    expect("local co = coroutine.create(function()\n"
           "  while true do pcall(function() while true do end end) end\n"
           "end)\n"
           "while true do coroutine.resume(co) end",
           GS_ERR_LIMIT, "instruction limit exceeded", 1.5);
    /* coroutines made before the trip, each swallowing errors */
    expect("local a = coroutine.wrap(function()\n"
           "  while true do pcall(coroutine.yield) end\n"
           "end)\n"
           "local b = coroutine.create(function()\n"
           "  while true do pcall(function() while true do pcall(a) end end) end\n"
           "end)\n"
           "a()\n"
           "while true do pcall(coroutine.resume, b) pcall(a) end",
           GS_ERR_LIMIT, "instruction limit exceeded", 1.5);
    /* to-be-closed variables and _ENV, where Lua 5.4.4's known bugs are
     * (a trip in a __close handler, tbc stack pointers, nested
     * coroutine.close, a <const> _ENV), are refused before anything runs;
     * the words inside strings and comments are not code */
    expect("local co = coroutine.wrap(function()\n"
           "  local x <close> = setmetatable({}, {})\n"
           "end)\nco()",
           GS_ERR_SYNTAX, "task.lua:2: to-be-closed variables (<close>) are not allowed", 1.5);
    expect("local x\nlocal y < \n close >= 2", GS_ERR_SYNTAX, "task.lua:2: to-be-closed", 1.5);
    expect("local _ENV <const> = {}", GS_ERR_SYNTAX, "task.lua:1: '_ENV' is not allowed", 1.5);
    expect("local f = function(...) return _ENV end", GS_ERR_SYNTAX, "'_ENV' is not allowed", 1.5);
    expect("local t = setmetatable({}, {__close = function() end})", GS_ERR_RUNTIME,
           "__close metamethods are not allowed", 1.5);
    expect("local f, e = load('local y <close> = nil') assert(f, e)", GS_ERR_RUNTIME,
           "load:1: to-be-closed variables", 1.5);
    expect_ok("local s = 'x <close> _ENV' .. \"_ENV\" -- _ENV <close>\n"
              "local t = [==[ <close> ]] _ENV ]==] --[[ _ENV\n<close> ]]\n"
              "local close, _ENVY, a = 1, 2, 3\nassert(a < close + 9 and #s > 0 and #t > 0 and _ENVY)");
    /* and coroutines still behave as Lua's */
    expect_ok(
        "local co = coroutine.wrap(function(a, b)\n"
        "  assert(coroutine.isyieldable())\n"
        "  local c = coroutine.yield(a + b)\n"
        "  local ok, d = pcall(coroutine.yield, c * 2)\n"
        "  return d, 'done'\n"
        "end)\n"
        "assert(co(1, 2) == 3)\nassert(co(5) == 10)\n"
        "local r1, r2 = co(7)\nassert(r1 == 7 and r2 == 'done')\n"
        "local ok, e = pcall(co)\nassert(not ok and e:find('dead coroutine'), e)\n"
        "local bad = coroutine.wrap(function() error('inner') end)\n"
        "local ok2, e2 = pcall(bad)\nassert(not ok2 and e2:find('task.lua:13: inner'), e2)\n"
        "local t = coroutine.create(function() error({code = 7}) end)\n"
        "local ok3, e3 = coroutine.resume(t)\n"
        "assert(not ok3 and e3.code == 7 and coroutine.status(t) == 'dead')\n"
        "local u = coroutine.create(function() coroutine.yield() end)\n"
        "coroutine.resume(u)\nassert(coroutine.close(u) and coroutine.status(u) == 'dead')\n"
        "assert(not pcall(coroutine.create, 1))\n"
        "assert(select(2, coroutine.running()) == true)");
    /* an infinite tail call never overflows anything */
    expect("local function f() return f() end\nf()", GS_ERR_LIMIT, "instruction limit exceeded",
           1.5);
    /* loops in C that the hook cannot see */
    expect_ok("assert(string.rep('', 1e18) == '' and ('x'):rep(0) == '')\n"
              "assert(string.rep('', 1e18, '') == '' and ('ab'):rep(3, ',') == 'ab,ab,ab')");
    expect("table.move({}, 1, 1e15, 2)", GS_ERR_LIMIT, "task.lua:1: instruction limit exceeded", 1);
    expect("local t = setmetatable({}, {__len = function() return 1e15 end})\n"
           "table.insert(t, 1, 'x')",
           GS_ERR_LIMIT, "task.lua:2: instruction limit exceeded", 1);
    expect("local t = setmetatable({}, {__len = function() return 1e15 end})\n"
           "pcall(table.remove, t, 1)\nlocal y = 1",
           GS_ERR_LIMIT, "task.lua:2: instruction limit exceeded", 1);
    expect("local t = setmetatable({}, {__len = function() return 2^31 - 2 end,\n"
           "  __index = tostring, __newindex = type})\n"
           "table.sort(t)",
           GS_ERR_RUNTIME, "task.lua:3: table.sort does not accept a table with __len", 1);
    expect_ok("local t = {5, 3, 1, 4, 2}\ntable.sort(t)\nassert(table.concat(t) == '12345')\n"
              "table.sort(t, function(a, b) return a > b end)\nassert(table.concat(t) == '54321')\n"
              "table.insert(t, 6)\ntable.insert(t, 1, 0)\nassert(table.concat(t) == '0543216')\n"
              "assert(table.remove(t) == 6 and table.remove(t, 1) == 0)\n"
              "assert(table.concat(t) == '54321' and table.remove({}) == nil)\n"
              "local m = table.move({1, 2, 3}, 1, 3, 2)\nassert(table.concat(m) == '1123')\n"
              "m = table.move({1, 2, 3}, 2, 3, 1)\nassert(table.concat(m) == '233')\n"
              "local d = table.move({1, 2, 3}, 1, 3, 1, {})\nassert(table.concat(d) == '123')\n"
              "assert(not pcall(table.insert, {}, 5, 1))\n"
              "assert(not pcall(table.insert, {}, 1, 2, 3))");
}

static void test_time_limit(void) {
    gsl_limits limits = {UINT64_MAX / 2, (size_t)16 << 20, 0.5};
    gsl_sandbox *s = new_sandbox(&limits, NULL);
    char err[ERRLEN];
    double t0 = now_seconds();
    CHECK(run(s, "while true do end", err) == GS_ERR_LIMIT);
    double elapsed = now_seconds() - t0;
    CHECK_STR_CONTAINS(err, "task.lua:1: time limit exceeded (0.5 s)");
    CHECK(elapsed >= 0.45 && elapsed < 1.5 * slow);
    /* O(n^2) copying: few instructions, each one slow */
    t0 = now_seconds();
    CHECK(run(s, "local s = ''\nfor i = 1, 1e9 do s = s .. 'xxxxxxxxxx' end", err) == GS_ERR_LIMIT);
    elapsed = now_seconds() - t0;
    CHECK(elapsed < 1.5 * slow);
    /* armed again, the same sandbox runs normally */
    CHECK(run(s, "local x = 0 for i = 1, 1000 do x = x + i end assert(x == 500500)", err) == GS_OK);
    gsl_sandbox_free(s);
}

static void test_memory_limit(void) {
    /* enough instructions that memory is what runs out */
    gsl_limits big = {100000000u, (size_t)16 << 20, 5.0 * slow};
    expect_with(&big, "local a = 1\nlocal s = string.rep('x', 1e9)\nprint(#s)", GS_ERR_LIMIT,
                "task.lua:2: memory limit exceeded (16 MiB)", 2);
    expect_with(&big, "local a = 1\nlocal ok = pcall(string.rep, 'x', 1e9)\nreturn ok",
                GS_ERR_LIMIT, "task.lua:2: memory limit exceeded (16 MiB)", 2);
    expect_with(&big, "local t = {}\nlocal i = 0\nwhile true do i = i + 1; t[i] = i end",
                GS_ERR_LIMIT, "task.lua:3: memory limit exceeded (16 MiB)", 2);
    expect_with(&big,
                "while true do pcall(function()\n"
                "  local t = {} for i = 1, 1e9 do t[i] = {} end\n"
                "end) end",
                GS_ERR_LIMIT, "task.lua:2: memory limit exceeded", 2);
    expect_with(&big, "local s = 'x'\nwhile true do s = s .. s end", GS_ERR_LIMIT,
                "task.lua:2: memory limit exceeded", 2);
    expect_with(
        &big,
        "local keep = {}\nwhile true do\n"
        "  pcall(function() local s = 'x' while true do s = s .. s; keep[#keep + 1] = s end end)\n"
        "end",
        GS_ERR_LIMIT, "memory limit exceeded", 2);
    expect_with(
        &big,
        "local co = coroutine.wrap(function() local t = {} while true do t[#t + 1] = {} end end)\n"
        "while true do pcall(co) end",
        GS_ERR_LIMIT, "memory limit exceeded", 2);

    /* accounting: garbage comes back, the peak remembers */
    gsl_limits limits = small_limits();
    gsl_sandbox *s = new_sandbox(&limits, NULL);
    lua_State *L = gsl_sandbox_state(s);
    char err[ERRLEN];
    lua_gc(L, LUA_GCCOLLECT);
    size_t baseline = gsl_sandbox_memory(s);
    CHECK(baseline > 0 && baseline < 64 * 1024);
    CHECK(run(s, "local t = {} for i = 1, 100000 do t[i] = i * 0.5 end", err) == GS_OK);
    CHECK(gsl_sandbox_peak_memory(s) > baseline + 1000000);
    lua_gc(L, LUA_GCCOLLECT);
    CHECK(gsl_sandbox_memory(s) < baseline + 4096);
    /* a trip frees its garbage too, and the state stays usable */
    CHECK(run(s, "local s = string.rep('x', 1e9)", err) == GS_ERR_LIMIT);
    CHECK(gsl_sandbox_peak_memory(s) <= limits.max_memory);
    lua_gc(L, LUA_GCCOLLECT);
    CHECK(gsl_sandbox_memory(s) < baseline + 4096);
    CHECK(run(s, "local t = {} for i = 1, 1000 do t[i] = tostring(i) end", err) == GS_OK);
    gsl_sandbox_free(s);

    /* the cap binds task code only: the host's own pushes between calls
     * are unprotected, and a refusal there would abort the process */
    s = new_sandbox(&limits, NULL);
    L = gsl_sandbox_state(s);
    CHECK(run(s, "keep = {} for i = 1, 14 do keep[i] = string.rep('k', 1024 * 1024 - i) end",
              err) == GS_OK);
    lua_createtable(L, 300000, 0); /* about 4.6 MiB past what is left */
    CHECK(gsl_sandbox_memory(s) > limits.max_memory);
    lua_setfield(L, LUA_REGISTRYINDEX, "host_table");
    CHECK(run(s, "local t = {}", err) == GS_ERR_LIMIT);
    CHECK_STR_CONTAINS(err, "memory limit exceeded");
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "host_table");
    CHECK(run(s, "keep = nil", err) == GS_OK);
    lua_gc(L, LUA_GCCOLLECT);
    CHECK(run(s, "local t = {} for i = 1, 1000 do t[i] = i end", err) == GS_OK);
    gsl_sandbox_free(s);

    /* garbage the emergency collection can free is no trip: with the
     * collector stopped, every allocation past the cap is first refused,
     * then fits after the emergency collection Lua runs before retrying */
    gsl_limits patient = {100000000u, (size_t)16 << 20, 60.0 * slow};
    s = new_sandbox(&patient, NULL);
    L = gsl_sandbox_state(s);
    lua_gc(L, LUA_GCSTOP);
    CHECK(run(s, "for i = 1, 64 do local s = string.rep('y', 1024 * 1024 - i) end", err) == GS_OK);
    CHECK(gsl_sandbox_peak_memory(s) <= limits.max_memory);
    gsl_sandbox_free(s);
}

static void test_errors(void) {
    expect("local x = 1\n\nerror('boom')", GS_ERR_RUNTIME, "task.lua:3: boom", 1);
    expect("local x = 1\nerror('boom', 0)", GS_ERR_RUNTIME, "task.lua:2: boom", 1);
    expect("local x = 1\nerror({})", GS_ERR_RUNTIME, "task.lua:2: (error object is a table value)",
           1);
    /* the position is the raising frame's, not the last line run */
    expect("local function f()\n  return 1\nend\nlocal r = f() + error({})", GS_ERR_RUNTIME,
           "task.lua:4: (error object is a table value)", 1);
    expect("error(nil)", GS_ERR_RUNTIME, "task.lua:1: (error object is a nil value)", 1);
    expect("error(42)", GS_ERR_RUNTIME, "task.lua:1: 42", 1);
    expect("local t = nil\nlocal y = t.x", GS_ERR_RUNTIME, "task.lua:2: attempt to index", 1);
    expect("local x = 1\nlocal y = ('x'):rep({})", GS_ERR_RUNTIME,
           "task.lua:2: bad argument #1 to 'rep'", 1);
    /* the host must not run __tostring, which here never returns */
    expect("error(setmetatable({}, {__tostring = function() while true do end end}))",
           GS_ERR_RUNTIME, "task.lua:1: (error object is a table value)", 0.5);
    expect("error(setmetatable({}, {__tostring = function() return 'task.lua:99: lie' end,\n"
           "  __name = 'x'}))",
           GS_ERR_RUNTIME, "(error object is a table value)", 0.5);
    expect("x = = 1", GS_ERR_SYNTAX, "task.lua:1:", 1);
    expect("local a = 1\nlocal b = (", GS_ERR_SYNTAX, "task.lua:2:", 1);
    /* finalizers */
    expect("local t = setmetatable({}, {__gc = function() while true do end end})", GS_ERR_RUNTIME,
           "task.lua:1: __gc metamethods are not allowed in tasks", 1);
    expect("local t = setmetatable({}, {__gc = false})", GS_ERR_RUNTIME, "__gc metamethods", 1);
    {
        /* __gc added afterwards, or served through __index, marks nothing */
        gsl_limits limits = small_limits();
        gsl_sandbox *s = new_sandbox(&limits, NULL);
        lua_State *L = gsl_sandbox_state(s);
        char err[ERRLEN];
        CHECK(run(s,
                  "finalized = false\n"
                  "local mt = {}\n"
                  "local t = setmetatable({}, mt)\n"
                  "mt.__gc = function() finalized = true end\n"
                  "local u = setmetatable({}, setmetatable({}, {__index = {__gc = mt.__gc}}))\n"
                  "t, u = nil, nil",
                  err) == GS_OK);
        lua_gc(L, LUA_GCCOLLECT);
        lua_gc(L, LUA_GCCOLLECT);
        CHECK(run(s, "assert(finalized == false)", err) == GS_OK);
        gsl_sandbox_free(s);
    }
    /* recursion */
    {
        gsl_limits limits = {UINT64_MAX / 2, (size_t)256 << 20, 5.0 * slow};
        gsl_sandbox *s = new_sandbox(&limits, NULL);
        char err[ERRLEN];
        CHECK(run(s, "local function f() return f() + 1 end\nf()", err) == GS_ERR_RUNTIME);
        CHECK_STR_CONTAINS(err, "task.lua:1: stack overflow");
        CHECK(run(s,
                  "local t = setmetatable({}, {__index = function(t, k) return t[k] end})\n"
                  "local x = t.x",
                  err) == GS_ERR_RUNTIME);
        CHECK_STR_CONTAINS(err, "task.lua:1:");
        CHECK_STR_CONTAINS(err, "stack overflow");
        CHECK(run(s,
                  "local ok, e = xpcall(error, function(m) error(m) end)\nassert(not ok)\n"
                  "local function deep() return pcall(deep) end\nassert(deep())",
                  err) == GS_OK);
        gsl_sandbox_free(s);
    }
    expect("local function f() return f() + 1 end\nf()", GS_ERR_LIMIT, "memory limit exceeded", 2);
}

static void test_arm_again(void) {
    gsl_limits limits = small_limits();
    gsl_sandbox *s = new_sandbox(&limits, NULL);
    char err[ERRLEN];
    CHECK(run(s, "co = coroutine.wrap(function() while true do coroutine.yield(1) end end)\nco()",
              err) == GS_OK);
    CHECK(run(s, "while true do end", err) == GS_ERR_LIMIT);
    /* without arming, the trip stands */
    lua_State *L = gsl_sandbox_state(s);
    CHECK(gsl_sandbox_load(s, "again.lua", "return 1", 8, err, sizeof err) == GS_OK);
    CHECK(gsl_sandbox_call(s, 0, 1, err, sizeof err) == GS_ERR_LIMIT);
    CHECK(lua_gettop(L) == 0);
    /* armed, everything runs again, the old coroutine included */
    CHECK(run(s, "local x = 0 for i = 1, 100000 do x = x + co() end assert(x == 100000)", err) ==
          GS_OK);
    CHECK(run(s, "local s = string.rep('x', 1e9)", err) == GS_ERR_LIMIT);
    CHECK(run(s, "local s = string.rep('x', 1e6) assert(#s == 1e6)", err) == GS_OK);
    /* arguments and results */
    gsl_sandbox_arm(s);
    const char *add = "local a, b = ...\nreturn a + b, a * b";
    CHECK(gsl_sandbox_load(s, "add.lua", add, strlen(add), err, sizeof err) == GS_OK);
    lua_pushinteger(L, 6);
    lua_pushinteger(L, 7);
    CHECK(gsl_sandbox_call(s, 2, 2, err, sizeof err) == GS_OK);
    CHECK(lua_gettop(L) == 2 && lua_tointeger(L, 1) == 13 && lua_tointeger(L, 2) == 42);
    lua_settop(L, 0);
    add = "local a, b = ...\nreturn a + b";
    CHECK(gsl_sandbox_load(s, "add.lua", add, strlen(add), err, sizeof err) == GS_OK);
    lua_pushinteger(L, 6);
    lua_pushnil(L);
    CHECK(gsl_sandbox_call(s, 2, 1, err, sizeof err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "add.lua:2: attempt to perform arithmetic");
    CHECK(lua_gettop(L) == 0);
    gsl_sandbox_free(s);
}

static void test_names(void) {
    expect("pirnt('x')", GS_ERR_RUNTIME,
           "task.lua:1: undefined global 'pirnt' (did you mean 'print'?)", 1);
    expect("local t = tabel.concat({})", GS_ERR_RUNTIME, "(did you mean 'table'?)", 1);
    expect("function helper() end\nhelpr()", GS_ERR_RUNTIME,
           "task.lua:2: undefined global 'helpr' (did you mean 'helper'?)", 1);
    expect("local v = completely_unknown_name", GS_ERR_RUNTIME,
           "undefined global 'completely_unknown_name'", 1);
    expect_ok("x = 1\nassert(x == 1)\n_G.y = 2\nassert(y == 2)\nassert(_G[1] == nil)");

    gsl_limits limits = small_limits();
    gsl_sandbox *s = new_sandbox(&limits, NULL);
    lua_State *L = gsl_sandbox_state(s);
    static const char *const api[] = {"spawn_box", "set_goal", "place_on"};
    gsl_sandbox_add_names(s, api, 3);
    char name[16];
    snprintf(name, sizeof name, "robot");
    lua_pushinteger(L, 7);
    gsl_sandbox_set_global(s, name);
    memset(name, 0, sizeof name); /* the sandbox kept its own copy */
    CHECK(lua_gettop(L) == 0);
    CHECK(gsl_sandbox_nearest(s, "spwan_box") &&
          strcmp(gsl_sandbox_nearest(s, "spwan_box"), "spawn_box") == 0);
    CHECK(gsl_sandbox_nearest(s, "robto") && strcmp(gsl_sandbox_nearest(s, "robto"), "robot") == 0);
    CHECK(gsl_sandbox_nearest(s, "pairz") && strcmp(gsl_sandbox_nearest(s, "pairz"), "pairs") == 0);
    CHECK(gsl_sandbox_nearest(s, "zzzzzzzzzz") == NULL);
    char err[ERRLEN];
    CHECK(run(s, "assert(robot == 7)\nspwan_box()", err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "task.lua:2: undefined global 'spwan_box' (did you mean 'spawn_box'?)");
    CHECK(run(s, "local r = robto", err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "(did you mean 'robot'?)");
    gsl_sandbox_free(s);
}

/* Draws n values of math.random(...) with args after seeding with seed. */
static void draw(gsl_sandbox *s, uint64_t seed, const char *args, double *out, int n) {
    lua_State *L = gsl_sandbox_state(s);
    char src[128], err[ERRLEN];
    snprintf(src, sizeof src,
             "local n = ... local t = {} for i = 1, n do t[i] = math.random(%s) end return t",
             args);
    gsu_rng_seed(gsl_sandbox_rng(s), seed);
    gsl_sandbox_arm(s);
    CHECK(gsl_sandbox_load(s, "draw.lua", src, strlen(src), err, sizeof err) == GS_OK);
    lua_pushinteger(L, n);
    CHECK(gsl_sandbox_call(s, 1, 1, err, sizeof err) == GS_OK);
    for (int i = 0; i < n; i++) {
        lua_geti(L, -1, i + 1);
        out[i] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static void test_random(void) {
    gsl_limits limits = small_limits();
    gsl_sandbox *s = new_sandbox(&limits, NULL);
    enum { N = 200 };
    double a[N], b[N], c[N];
    draw(s, 42, "", a, N);
    draw(s, 42, "", b, N);
    draw(s, 43, "", c, N);
    int same_ab = 1, same_ac = 1, in_range = 1;
    for (int i = 0; i < N; i++) {
        same_ab &= a[i] == b[i];
        same_ac &= a[i] == c[i];
        in_range &= a[i] >= 0 && a[i] < 1;
    }
    CHECK(same_ab);
    CHECK(!same_ac);
    CHECK(in_range);
    /* the same stream the host's generator gives */
    gsu_rng reference;
    gsu_rng_seed(&reference, 42);
    CHECK(a[0] == gsu_rng_unit(&reference));

    int seen[4] = {0}, ok = 1;
    draw(s, 7, "3", a, N);
    for (int i = 0; i < N; i++) {
        ok &= a[i] == (int)a[i] && a[i] >= 1 && a[i] <= 3;
        if (ok) seen[(int)a[i]]++;
    }
    CHECK(ok && seen[1] > 0 && seen[2] > 0 && seen[3] > 0);
    draw(s, 7, "-2, 2", a, N);
    int seen2[5] = {0};
    ok = 1;
    for (int i = 0; i < N; i++) {
        ok &= a[i] == (int)a[i] && a[i] >= -2 && a[i] <= 2;
        if (ok) seen2[(int)a[i] + 2]++;
    }
    CHECK(ok && seen2[0] > 0 && seen2[4] > 0);
    char err[ERRLEN];
    CHECK(run(s, "local x = math.random(2, 1)", err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "task.lua:1: bad argument #1 to 'random' (interval is empty)");
    CHECK(run(s,
              "local x = math.random(0)\nassert(math.type(x) == 'integer')\n"
              "assert(math.random(5, 5) == 5)\n"
              "assert(not pcall(math.random, 1, 2, 3))\n"
              "assert(math.random(math.mininteger, math.maxinteger))",
              err) == GS_OK);
    /* randomseed is refused: the host seeds each episode */
    CHECK(run(s, "local x = 1\nmath.randomseed(7)", err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "task.lua:2: math.randomseed: tasks do not seed themselves");
    gsl_sandbox_free(s);
}

static void test_print(void) {
    log_capture log = {0};
    gsl_limits limits = small_limits();
    gsl_sandbox *s = new_sandbox(&limits, &log);
    char err[ERRLEN];
    CHECK(run(s,
              "print('a', 1, nil, true, 2.5)\n"
              "print('two\\nlines')\n"
              "print()\n"
              "print(setmetatable({}, {__tostring = function() return 'custom' end}))\n"
              "warn('careful', ' now')\n"
              "warn('@on')",
              err) == GS_OK);
    CHECK(log.n == 6);
    CHECK(strcmp(log.lines[0], "a\t1\tnil\ttrue\t2.5") == 0);
    CHECK(strcmp(log.lines[1], "two") == 0);
    CHECK(strcmp(log.lines[2], "lines") == 0);
    CHECK(strcmp(log.lines[3], "") == 0);
    CHECK(strcmp(log.lines[4], "custom") == 0);
    CHECK(strcmp(log.lines[5], "warning: careful now") == 0);
    gsl_sandbox_free(s);

    /* without a log, print still works and goes nowhere */
    expect_ok("print('nobody listens')");
}

/* Prints the pairs order of a table filled in a scrambled order. */
static void pairs_order(char *out, size_t n) {
    log_capture log = {0};
    gsl_limits limits = small_limits();
    gsl_sandbox *s = new_sandbox(&limits, &log);
    char err[ERRLEN];
    CHECK(run(s,
              "local t = {}\n"
              "for _, k in ipairs({'red', 'green', 'blue', 'cube', 'sphere', 'goal', 'robot',\n"
              "  'Zeta', 'a', 'ab', 'b'}) do t[k] = k end\n"
              "t[10] = 1 t[2] = 1 t[-1.5] = 1 t[true] = 1 t[false] = 1\n"
              "local o = {}\nfor k in pairs(t) do o[#o + 1] = tostring(k) end\n"
              "print(table.concat(o, ' '))",
              err) == GS_OK);
    snprintf(out, n, "%s", log.n == 1 ? log.lines[0] : "");
    gsl_sandbox_free(s);
}

static void test_pairs(void) {
    /* every state hashes strings with a fresh seed; the order must not care */
    char first[256], again[256];
    pairs_order(first, sizeof first);
    CHECK(strcmp(first, "-1.5 2 10 Zeta a ab b blue cube goal green red robot sphere false true") ==
          0);
    for (int i = 0; i < 20; i++) {
        pairs_order(again, sizeof again);
        CHECK(strcmp(first, again) == 0);
    }
    expect_ok("local t = {a = 1, b = 2, c = 3, d = 4}\nlocal seen = {}\n"
              "for k, v in pairs(t) do\n"
              "  seen[#seen + 1] = k .. v\n"
              "  if k == 'a' then t.c = nil; t.b = 20 end\n"
              "end\n"
              "assert(table.concat(seen, ',') == 'a1,b20,d4', table.concat(seen, ','))\n"
              "local p = setmetatable({}, {__pairs = function(t)\n"
              "  return function(_, k) if not k then return 1, 'one' end end, t, nil end})\n"
              "for k, v in pairs(p) do assert(k == 1 and v == 'one') end\n"
              "for k in pairs({}) do error('empty') end\n"
              "local f, s, c = pairs({x = 1})\nassert(f(s, c) == 'x')\n"
              "assert(not pcall(pairs, nil))\n"
              "local n = 0 for k, v in pairs({10, 20, 30, x = 1, [{}] = 2}) do n = n + 1 end\n"
              "assert(n == 5)");
}

static void test_new_and_limits(void) {
    gsl_limits d = gsl_limits_default();
    CHECK(d.max_instructions == 200000000u);
    CHECK(d.max_memory == (size_t)256 << 20);
    CHECK_NEAR(d.timeout_s, 10.0, 0);
    /* too little memory to even open the libraries fails cleanly */
    gsl_limits tiny = {1000, 4096, 1};
    char err[ERRLEN] = "";
    CHECK(gsl_sandbox_new(&tiny, NULL, NULL, err, sizeof err) == NULL);
    CHECK(err[0] != '\0');
    gsl_sandbox_free(NULL);
    /* NULL limits means the defaults */
    gsl_sandbox *s = gsl_sandbox_new(NULL, NULL, NULL, err, sizeof err);
    CHECK(s != NULL);
    char e2[ERRLEN];
    CHECK(run(s, "local x = 0 for i = 1, 10 do x = x + i end", e2) == GS_OK);
    gsl_sandbox_free(s);
}

/* ---- patterns ---- */

/* Runs the same script in the sandbox and in a stock Lua state: cases of
 * (subject, pattern, init), hand-picked and generated from a fixed seed,
 * each through find, match, gmatch, gsub (string, table and function
 * replacements, max n) and plain find, every call in pcall, so errors are
 * compared as well as results. Returns one line per case. */
static const char pattern_probe_src[] =
    "local seed = 20261121\n"
    "local function rand(n)\n"
    "  seed = (seed * 1103515245 + 12345) % 2147483648\n"
    "  return (seed // 65536) % n + 1\n"
    "end\n"
    "local function show(ok, ...)\n"
    "  local out = {ok and 'ok' or 'err'}\n"
    "  for i = 1, select('#', ...) do\n"
    "    local v = select(i, ...)\n"
    "    out[#out + 1] = type(v) == 'string' and string.format('%q', v) or tostring(v)\n"
    "  end\n"
    "  return table.concat(out, ',')\n"
    "end\n"
    "local function all(s, p, init)\n"
    "  local out = {}\n"
    "  for a, b, c in string.gmatch(s, p, init) do\n"
    "    out[#out + 1] = show(true, a, b, c)\n"
    "    if #out > 40 then break end\n"
    "  end\n"
    "  return table.concat(out, ';')\n"
    "end\n"
    "local function gmatch_twice(s, p)\n"
    "  local it = s:gmatch(p)\n"
    "  return it(), it(), it()\n"
    "end\n"
    "local repl = {a = 'A', b = false, ab = 'X', [''] = '_', aa = {}, [1] = 'one', [2] = 2}\n"
    "local function fn(x, ...)\n"
    "  if x == 'b' then return nil end\n"
    "  if x == 'a' then return 7 end\n"
    "  if x == 'c' then return false end\n"
    "  return '<' .. tostring(x) .. select('#', ...) .. '>'\n"
    "end\n"
    "local function probe(s, p, init)\n"
    "  return table.concat({\n"
    "    show(pcall(string.find, s, p, init)),\n"
    "    show(pcall(string.match, s, p, init)),\n"
    "    show(pcall(all, s, p, init)),\n"
    "    show(pcall(gmatch_twice, s, p)),\n"
    "    show(pcall(string.gsub, s, p, '<%0>')),\n"
    "    show(pcall(string.gsub, s, p, '%1-%%', init)),\n"
    "    show(pcall(string.gsub, s, p, '[%2]')),\n"
    "    show(pcall(string.gsub, s, p, 'x%')),\n"
    "    show(pcall(string.gsub, s, p, '%a')),\n"
    "    show(pcall(string.gsub, s, p, 5)),\n"
    "    show(pcall(string.gsub, s, p, repl)),\n"
    "    show(pcall(string.gsub, s, p, fn, 3)),\n"
    "    show(pcall(string.find, s, p, init, true)),\n"
    "    show(pcall(function() return s:find(p, init) end)),\n"
    "    show(pcall(function() return s:match(p, init) end)),\n"
    "  }, ' | ')\n"
    "end\n"
    "local cases = {\n"
    "  {'hello world', 'o'}, {'hello world', 'o', 6}, {'hello', 'l+', -3}, {'hello', '', 10},\n"
    "  {'hello', '', 6}, {'hello', '', 7}, {'', ''}, {'', '^$'}, {'abc', '^'}, {'abc', '$'},\n"
    "  {'aaa', 'a-'}, {'aaa', 'a-$'}, {'aaab', 'a*b'}, {'key = value', '(%w+)%s*=%s*(%w+)'},\n"
    "  {'THE (quick) fox', '%f[%a]%a+'}, {'THE (quick) fox', '%b()'}, {'x = (a(b)c)', '%b()'},\n"
    "  {'hello', '()ll()'}, {'abcabc', '(abc)%1'}, {'abab', '(a)(b)%2'}, {'a.b', '%.'},\n"
    "  {'a.b', '.', 2}, {'a+b', '+'}, {'a+b', 'a+b'}, {'[x]', '[]]'}, {'[x]', '[^]]'},\n"
    "  {'a-b', '[a-]'}, {'a-b', '[%a-]+'}, {'abc', '%'}, {'abc', '[a'}, {'abc', '(a'},\n"
    "  {'abc', 'a)'}, {'abc', '%1'}, {'abc', '(a)%2'}, {'abc', '%b'}, {'abc', '%ba'},\n"
    "  {'abc', '%f'}, {'abc', '%fa'}, {'abc', '[%'}, {'abc', '%0'}, {'abc', '(()'}, {'x', 'x%'},\n"
    "  {'abc', ('('):rep(33) .. (')'):rep(33)}, {'abc', ('('):rep(32) .. (')'):rep(32)},\n"
    "  {'aaa', ('a?'):rep(250)}, {'aaa', ('a?'):rep(100)}, {'a\\0b', '\\0'}, {'a\\0b', '[\\0]'},\n"
    "  {'a\\0b', '.%z'}, {'a\\0b', '%f[%z]'}, {'  trim  ', '^%s*(.-)%s*$'},\n"
    "  {'one two  three', '%S+'}, {'2024-01-05', '(%d+)-(%d+)-(%d+)'}, {'aaa', 'a', -1},\n"
    "  {'aaa', 'a', -10}, {'aaa', 'a', 0}, {'aaa', 'a', 4}, {'aaa', 'a', 5}, {'hello', 'l', 3.0},\n"
    "  {'hello', 'l', 3.5}, {'abc', '((a)(b))'}, {'abc', '()'}, {'abc', '%w-()'},\n"
    "  {'THE END', '%f[%w]%w+%f[%W]'}, {'hello.world', '[%.]'}, {'x^y', 'x^y'}, {'x^y', '^x%^'},\n"
    "  {'a$b', 'a$b'}, {'ab$', 'b$$'}, {'[]', '[[]'}, {'a]', '[]a]+'}, {'-', '[a-]'},\n"
    "  {'z', '[a-z]'}, {'Z', '[^%l]'}, {'\\200\\255', '[\\128-\\255]+'}, {'tab\\there', '%c'},\n"
    "  {'f(a,b)', '%((.-)%)'}, {'((x)', '%b()'}, {'abc', '.-', 2}, {'abc', '.*', 4},\n"
    "  {'abc', 'x*', 5}, {'abc', '%d*'}, {'abc', '[b-a]'}, {'abc', '[%w-%w]+'},\n"
    "  {'ab', '(a)(b)()%3'},\n"
    "  {'aa', '(a*(.)%w(%s*))'}, {'x = 1, y = 2', '(%w+) = (%w+)'}, {'hello', 'h(e)(l)(l)(o)'},\n"
    "}\n"
    "local items = {'a', 'b', '.', '%a', '%d', '%s', '%W', '[ab]', '[^a]', '[a-c]', '[%d(]',\n"
    "  '%%', '%(', '%b()', '%f[%w]', '%f[^a]', '()', '%1', 'x', ' '}\n"
    "local quantifiers = {'', '', '', '*', '+', '-', '?'}\n"
    "local letters = {'a', 'a', 'b', 'c', '(', ')', '1', ' ', 'x'}\n"
    "local inits = {false, false, false, 1, 2, 0, -1, -3, 5, 12}\n"
    "for _ = 1, 320 do\n"
    "  local parts = {}\n"
    "  for i = 1, rand(3) do\n"
    "    parts[i] = items[rand(#items)] .. quantifiers[rand(#quantifiers)]\n"
    "  end\n"
    "  if rand(2) == 1 then\n"
    "    local from = rand(#parts)\n"
    "    local to = from + rand(#parts - from + 1) - 1\n"
    "    parts[from] = '(' .. parts[from]\n"
    "    parts[to] = parts[to] .. ')'\n"
    "  end\n"
    "  local p = table.concat(parts)\n"
    "  if rand(6) == 1 then p = '^' .. p end\n"
    "  if rand(6) == 1 then p = p .. '$' end\n"
    "  local r = rand(20)\n"
    "  if r == 1 then p = p .. '%' elseif r == 2 then p = '(' .. p\n"
    "  elseif r == 3 then p = p .. ')' end\n"
    "  local s = {}\n"
    "  for i = 1, rand(13) - 1 do s[i] = letters[rand(#letters)] end\n"
    "  cases[#cases + 1] = {table.concat(s), p, inits[rand(#inits)] or nil}\n"
    "end\n"
    "local out = {}\n"
    "for i, c in ipairs(cases) do\n"
    "  out[i] = string.format('%d %q %q %s: ', i, c[1], c[2], tostring(c[3]))\n"
    "    .. probe(c[1], c[2], c[3])\n"
    "end\n"
    "return #cases, table.concat(out, '\\n')\n";

/* The first line where a and b differ, to stderr. */
static void report_first_difference(const char *a, const char *b) {
    for (;;) {
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
        if (la != lb || memcmp(a, b, la) != 0) {
            fprintf(stderr, "  sandbox: %.*s\n  stock:   %.*s\n", (int)la, a, (int)lb, b);
            return;
        }
        if (!ea || !eb) return;
        a = ea + 1;
        b = eb + 1;
    }
}

static void test_pattern_differential(void) {
    /* the sandbox's functions */
    gsl_limits limits = {200000000u, (size_t)64 << 20, 60.0 * slow};
    gsl_sandbox *s = new_sandbox(&limits, NULL);
    CHECK(s != NULL);
    if (!s) return;
    lua_State *L = gsl_sandbox_state(s);
    char err[ERRLEN] = "";
    gsl_sandbox_arm(s);
    gs_status st = gsl_sandbox_load(s, "task.lua", pattern_probe_src,
                                    sizeof pattern_probe_src - 1, err, sizeof err);
    if (st == GS_OK) st = gsl_sandbox_call(s, 0, 2, err, sizeof err);
    if (st != GS_OK) fprintf(stderr, "  sandbox probe failed: %s\n", err);
    CHECK(st == GS_OK);
    /* the stock library */
    lua_State *stock = luaL_newstate();
    CHECK(stock != NULL);
    if (!stock) {
        gsl_sandbox_free(s);
        return;
    }
    luaL_openlibs(stock);
    int rc = luaL_loadbuffer(stock, pattern_probe_src, sizeof pattern_probe_src - 1, "@task.lua");
    if (rc == LUA_OK) rc = lua_pcall(stock, 0, 2, 0);
    if (rc != LUA_OK) fprintf(stderr, "  stock probe failed: %s\n", lua_tostring(stock, -1));
    CHECK(rc == LUA_OK);
    if (st == GS_OK && rc == LUA_OK) {
        /* several hundred cases, so a silently shortened list fails */
        CHECK(lua_tointeger(L, -2) >= 400);
        CHECK(lua_tointeger(L, -2) == lua_tointeger(stock, -2));
        size_t mine_len = 0, theirs_len = 0;
        const char *mine = lua_tolstring(L, -1, &mine_len);
        const char *theirs = lua_tolstring(stock, -1, &theirs_len);
        CHECK(mine && theirs);
        if (mine && theirs) {
            /* %q keeps the text free of NULs, which would cut strcmp short */
            CHECK(strlen(mine) == mine_len && strlen(theirs) == theirs_len);
            if (strcmp(mine, theirs) != 0) report_first_difference(mine, theirs);
            CHECK(strcmp(mine, theirs) == 0);
            /* the probe saw errors and matches alike */
            CHECK(strstr(theirs, "malformed pattern") != NULL);
            CHECK(strstr(theirs, "ok,\"hello\"") != NULL || strstr(theirs, "ok,1") != NULL);
        }
        lua_pop(L, 2);
    }
    lua_close(stock);
    gsl_sandbox_free(s);
}

/* Expects src, run with limits, to end with status and a message containing
 * needle; no time bound, the watchdog catches a hang. */
static void expect_status(const gsl_limits *limits, const char *src, gs_status status,
                          const char *needle) {
    char err[ERRLEN] = "";
    gs_status st = GS_ERR_USAGE;
    gsl_sandbox *s = new_sandbox(limits, NULL);
    if (s) st = run(s, src, err);
    gsl_sandbox_free(s);
    if (st != status)
        fprintf(stderr, "  status %s, expected %s, for:\n%s\n  message: %s\n", gs_status_name(st),
                gs_status_name(status), src, err);
    CHECK(st == status);
    CHECK_STR_CONTAINS(err, needle);
}

static void test_pattern_budget(void) {
    /* a limit of 1e6 instructions: the time limit (2 s) would also end a
     * runaway, but with a different message, which fails the check */
    gsl_limits limits = small_limits();
    expect_status(&limits, "local s = ('a'):rep(2000)\nlocal i = s:find('.-.-b')", GS_ERR_LIMIT,
                  "task.lua:2: instruction limit exceeded (1000000)");
    expect_status(&limits, "local s = (' '):rep(30000) .. 'x'\nlocal r = s:gsub('%s+$', '')",
                  GS_ERR_LIMIT, "task.lua:2: instruction limit exceeded");
    expect_status(&limits, "local s = ('a'):rep(2000)\nlocal m = string.match(s, '(.-)(.-)b')",
                  GS_ERR_LIMIT, "instruction limit exceeded");
    expect_status(&limits, "for w in (('a'):rep(2000)):gmatch('.-.-b') do end", GS_ERR_LIMIT,
                  "instruction limit exceeded");
    /* pcall cannot swallow it, however often it tries */
    expect_status(&limits,
                  "local s = ('a'):rep(2000)\n"
                  "for i = 1, 5 do pcall(string.find, s, '.-.-b') end\n"
                  "local ok = pcall(string.gsub, (' '):rep(30000) .. 'x', '%s+$', '')\n"
                  "done = true",
                  GS_ERR_LIMIT, "task.lua:2: instruction limit exceeded");
    expect_status(&limits,
                  "local ok, e = pcall(function() return (('a'):rep(2000)):find('.-.-b') end)\n"
                  "if not ok then error('caught: ' .. tostring(e)) end",
                  GS_ERR_LIMIT, "instruction limit exceeded");
    /* a gsub whose function replacement matches again */
    expect_status(&limits,
                  "local s = ('a'):rep(2000)\n"
                  "local r = ('xyz'):gsub('.', function(c) return s:match('.-.-b') end)",
                  GS_ERR_LIMIT, "task.lua:2: instruction limit exceeded");
    /* ordinary work fits, and plain find of a long needle is linear */
    expect_status(&limits,
                  "local s = ('word '):rep(2000)\n"
                  "local up, n = s:gsub('%a+', string.upper)\n"
                  "assert(n == 2000 and up:sub(1, 10) == 'WORD WORD ')\n"
                  "local h = ('a'):rep(100000)\n"
                  "assert(h:find(('a'):rep(1000) .. 'b', 1, true) == nil)\n"
                  "assert(h:find(('a'):rep(1000), 99001, true) == 99001)\n"
                  "assert(h:find(('a'):rep(10) .. 'b', 1, true) == nil)\n"
                  "assert(('x'):rep(70) .. 'ab' .. ('x'):rep(70) ~= nil)\n"
                  "local n2 = ('ab'):rep(40)\n"
                  "assert((('a'):rep(50) .. n2 .. 'c'):find(n2 .. 'c', 1, true) == 51)\n"
                  "assert((('a'):rep(50) .. n2 .. 'c'):find(n2 .. 'c') == 51)",
                  GS_OK, "");
}

/* The matcher on its own: a budget that runs out is a result, not a hang. */
static void test_pattern_matcher(void) {
    static char subject[2000];
    memset(subject, 'a', sizeof subject);
    const char *pattern = ".-.-b";
    gsp_state ms;
    gsp_init(&ms, subject, sizeof subject, pattern + strlen(pattern), 100000, NULL, NULL);
    CHECK(gsp_match(&ms, subject, pattern) == NULL);
    CHECK(ms.status == GSP_BUDGET);
    CHECK(ms.steps_used >= 100000);
    /* and once spent, it stays spent */
    CHECK(gsp_match(&ms, subject + 1, pattern) == NULL);
    CHECK(ms.status == GSP_BUDGET);

    const char *ok = "(a+)()";
    gsp_init(&ms, subject, 10, ok + strlen(ok), 1000, NULL, NULL);
    CHECK(gsp_match(&ms, subject, ok) == subject + 10);
    CHECK(ms.status == GSP_OK && ms.level == 2);
    CHECK(ms.capture[0].len == 10 && ms.capture[1].len == GSP_CAP_POSITION);

    const char *bad = "a[b";
    gsp_init(&ms, subject, 10, bad + strlen(bad), 1000, NULL, NULL);
    CHECK(gsp_match(&ms, subject, bad) == NULL);
    CHECK(ms.status == GSP_ERROR);
    CHECK(strcmp(ms.error, "malformed pattern (missing ']')") == 0);
}

#define RUN_SECTION(test) (section = #test, alarm((unsigned)(60 * slow)), test())

/* The modules test_require's finder serves, by name. */
static const char *const MODULES[][2] = {
    {"kit.colors", "local M = {count = 0}\nfunction M.pick(i) M.count = M.count + 1 return ({'red', 'blue'})[i] end\nreturn M"},
    {"kit.uses", "local c = require 'kit.colors'\nreturn {first = c.pick(1)}"},
    {"kit.cycle-a", "return require 'kit.cycle-b'"},
    {"kit.cycle-b", "return require 'kit.cycle-a'"},
    {"kit.broken", "local x = 1\nerror('broken on purpose')"},
    {"kit.spin", "while true do end"},
    {"kit.closes", "local x <close> = nil\nreturn 1"},
    {"kit.deep", "return require 'kit.deep'"}, /* caught as a cycle */
};

static gs_status find_module(void *ud, const char *name, char *path, size_t pathlen, char **src, size_t *len,
                             char *err, size_t errlen) {
    (void)ud;
    int level;
    if (sscanf(name, "kit.level%d", &level) == 1) { /* a chain without end, each module new */
        snprintf(path, pathlen, "lib/level%d.lua", level);
        *src = malloc(64);
        *len = (size_t)snprintf(*src, 64, "return require 'kit.level%d'", level + 1);
        return GS_OK;
    }
    for (size_t i = 0; i < sizeof MODULES / sizeof MODULES[0]; i++)
        if (strcmp(MODULES[i][0], name) == 0) {
            snprintf(path, pathlen, "lib/%s.lua", name + 4);
            *len = strlen(MODULES[i][1]);
            *src = malloc(*len + 1);
            memcpy(*src, MODULES[i][1], *len + 1);
            return GS_OK;
        }
    return gs_fail(err, errlen, GS_ERR_IO, "no module '%s'", name);
}

/* Runs src with the module finder; returns its status, err its message. */
static gs_status run_with_modules(const char *src, char *err) {
    gsl_limits limits = small_limits();
    gsl_sandbox *s = new_sandbox(&limits, NULL);
    if (!s) return GS_ERR_USAGE;
    gsl_sandbox_set_require(s, find_module, NULL);
    gs_status st = run(s, src, err);
    gsl_sandbox_free(s);
    return st;
}

static void test_require(void) {
    char err[ERRLEN];
    /* one value per state, shared by whoever requires it */
    CHECK(run_with_modules("local a = require 'kit.colors'\nlocal u = require 'kit.uses'\n"
                           "assert(rawequal(a, require 'kit.colors'))\n"
                           "assert(u.first == 'red' and a.count == 1)", err) == GS_OK);
    CHECK(run_with_modules("local ok, e = pcall(require, 'kit.cycle-a')\nerror(e)", err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "'kit.cycle-a' requires itself");
    CHECK(run_with_modules("require 'kit.level0'", err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "modules nest more than 16 deep");
    CHECK(run_with_modules("require 'kit.deep'", err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "requires itself");
    /* a module's error is positioned in its file; caught, it is no cycle later */
    CHECK(run_with_modules("local ok = pcall(require, 'kit.broken')\nassert(not ok)\nrequire 'kit.broken'", err) ==
          GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "lib/broken.lua:2: broken on purpose");
    /* the module runs under the task's limits */
    CHECK(run_with_modules("require 'kit.spin'", err) == GS_ERR_LIMIT);
    CHECK_STR_CONTAINS(err, "lib/spin.lua:1:");
    CHECK(run_with_modules("require 'kit.closes'", err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "lib/closes.lua:1:");
    CHECK(run_with_modules("require 'kit.none'", err) == GS_ERR_RUNTIME);
    CHECK_STR_CONTAINS(err, "task.lua:1: require: no module 'kit.none'");
    static const char *const refused[] = {"os", "io", "../../etc/passwd", "kit..x", "Kit.x", ".x"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char src[128];
        snprintf(src, sizeof src, "require '%s'", refused[i]);
        CHECK(run_with_modules(src, err) == GS_ERR_RUNTIME);
        CHECK_STR_CONTAINS(err, "require reaches only a plugin's helper modules");
    }
    /* without a finder, nothing */
    expect("require 'kit.colors'", GS_ERR_RUNTIME, "no plugin modules are available here", 1);
}

int main(void) {
    if (UNDER_VALGRIND()) slow = 20;
#ifdef __SANITIZE_ADDRESS__
    slow = 5; /* AddressSanitizer's checks slow Lua some threefold */
#endif
    signal(SIGALRM, on_watchdog);
    RUN_SECTION(test_new_and_limits);
    RUN_SECTION(test_escapes);
    RUN_SECTION(test_require);
    RUN_SECTION(test_runaway_loops);
    RUN_SECTION(test_time_limit);
    RUN_SECTION(test_memory_limit);
    RUN_SECTION(test_errors);
    RUN_SECTION(test_arm_again);
    RUN_SECTION(test_names);
    RUN_SECTION(test_random);
    RUN_SECTION(test_print);
    RUN_SECTION(test_pairs);
    RUN_SECTION(test_pattern_matcher);
    RUN_SECTION(test_pattern_differential);
    RUN_SECTION(test_pattern_budget);
    alarm(0);
    return CHECK_DONE();
}
