/* llm_lua.c: gensim.llm for trusted Lua.
 *
 *   local c, err = gensim.llm.client{url=, model=, embed_model=, cmd=, replay=,
 *                                    transcript=, timeout_s=, retries=,
 *                                    backoff_s=, retry_after_cap_s=, temperature=}
 *   local text, err = c:chat("code", {{role="system", content=...}, ...})
 *   local vectors, err = c:embed({"text", ...})   -- {{x, y, ...}, ...}
 *   local s = c:stats()
 *
 * url and model default to GENSIM_LLM_URL and GENSIM_LLM_MODEL; the API key
 * comes from GENSIM_API_KEY only, never from Lua. Failures come back as
 * nil, message, status name. A client is a userdata whose __gc and __close
 * free it; a result in flight sits in a "box" userdata, so a Lua error
 * while it is pushed cannot leak it. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim/llm.h"
#include "host/host_modules.h"

#define CLIENT_MT "gensim.llm.client"
#define BOX_MT "gensim.llm.box"

typedef struct lua_client {
    gsh_llm *llm;
} lua_client;

/* malloc'd memory owned by Lua until freed by hand or collected. */
typedef struct box {
    void *p;
} box;

#define check_client(L, i) ((lua_client *)luaL_checkudata((L), (i), CLIENT_MT))

static int fail(lua_State *L, gs_status st, const char *msg) {
    lua_pushnil(L);
    lua_pushstring(L, msg);
    lua_pushstring(L, gs_status_name(st));
    return 3;
}

static box *push_box(lua_State *L) {
    box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->p = NULL;
    luaL_setmetatable(L, BOX_MT);
    return b;
}

static int box_gc(lua_State *L) {
    box *b = luaL_checkudata(L, 1, BOX_MT);
    free(b->p);
    b->p = NULL;
    return 0;
}

/* The known option keys, so a typo is an error rather than a silent default. */
static const char *const OPTION_KEYS[] = {
    "url", "model", "embed_model", "cmd", "replay", "transcript", "timeout_s",
    "retries", "backoff_s", "retry_after_cap_s", "temperature", NULL};

static int opt_string(lua_State *L, const char *key, const char **out, char *msg, size_t len) {
    int t = lua_getfield(L, 1, key); /* opts value */
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 1;
    }
    if (t != LUA_TSTRING) {
        snprintf(msg, len, "llm.client: %s must be a string, got %s", key, lua_typename(L, t));
        lua_pop(L, 1);
        return 0;
    }
    *out = lua_tostring(L, -1); /* stays referenced by the options table */
    lua_pop(L, 1);
    return 1;
}

static int opt_number(lua_State *L, const char *key, double *out, char *msg, size_t len) {
    int t = lua_getfield(L, 1, key); /* opts value */
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 1;
    }
    if (t != LUA_TNUMBER) {
        snprintf(msg, len, "llm.client: %s must be a number, got %s", key, lua_typename(L, t));
        lua_pop(L, 1);
        return 0;
    }
    *out = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return 1;
}

static int l_client(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    char msg[512];
    lua_pushnil(L); /* opts nil */
    while (lua_next(L, 1)) { /* opts key value */
        int known = 0;
        if (lua_type(L, -2) == LUA_TSTRING)
            for (int i = 0; OPTION_KEYS[i]; i++)
                if (strcmp(lua_tostring(L, -2), OPTION_KEYS[i]) == 0) known = 1;
        if (!known) {
            snprintf(msg, sizeof msg, "llm.client: unknown option %s",
                     lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "(not a string)");
            lua_pop(L, 2); /* opts */
            return fail(L, GS_ERR_USAGE, msg);
        }
        lua_pop(L, 1); /* opts key */
    }
    gsh_llm_options o = gsh_llm_options_default();
    double retries = o.retries;
    if (!opt_string(L, "url", &o.url, msg, sizeof msg) ||
        !opt_string(L, "model", &o.model, msg, sizeof msg) ||
        !opt_string(L, "embed_model", &o.embed_model, msg, sizeof msg) ||
        !opt_string(L, "cmd", &o.cmd, msg, sizeof msg) ||
        !opt_string(L, "replay", &o.replay, msg, sizeof msg) ||
        !opt_string(L, "transcript", &o.transcript, msg, sizeof msg) ||
        !opt_number(L, "timeout_s", &o.timeout_s, msg, sizeof msg) ||
        !opt_number(L, "retries", &retries, msg, sizeof msg) ||
        !opt_number(L, "backoff_s", &o.backoff_s, msg, sizeof msg) ||
        !opt_number(L, "retry_after_cap_s", &o.retry_after_cap_s, msg, sizeof msg) ||
        !opt_number(L, "temperature", &o.temperature, msg, sizeof msg))
        return fail(L, GS_ERR_USAGE, msg);
    if (!(retries >= 0 && retries <= 100 && retries == (int)retries))
        return fail(L, GS_ERR_USAGE, "llm.client: retries must be a whole number in [0, 100]");
    o.retries = (int)retries;
    gsh_llm_options_from_env(&o);
    lua_client *u = lua_newuserdatauv(L, sizeof *u, 0); /* opts client */
    u->llm = NULL;
    luaL_setmetatable(L, CLIENT_MT);
    gs_status st = gsh_llm_new(&o, &u->llm, msg, sizeof msg);
    if (st != GS_OK) return fail(L, st, msg);
    return 1;
}

static int l_chat(lua_State *L) {
    lua_client *u = check_client(L, 1);
    const char *stage = luaL_checkstring(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    if (!u->llm) return fail(L, GS_ERR_USAGE, "llm: client is closed");
    lua_Integer n = luaL_len(L, 3);
    if (n <= 0) return fail(L, GS_ERR_USAGE, "llm: chat needs at least one message");
    if (n > 100000) return fail(L, GS_ERR_USAGE, "llm: too many messages");
    /* The message array lives in a box so a Lua error cannot leak it. */
    box *mb = push_box(L); /* client stage messages box */
    gsh_llm_message *msgs = calloc((size_t)n, sizeof *msgs);
    if (!msgs) return fail(L, GS_ERR_NOMEM, "llm: out of memory");
    mb->p = msgs;
    char msg[512];
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_geti(L, 3, i) != LUA_TTABLE) { /* ... box m */
            snprintf(msg, sizeof msg, "llm: message %lld is not a table {role=, content=}",
                     (long long)i);
            return fail(L, GS_ERR_USAGE, msg);
        }
        int tr = lua_getfield(L, -1, "role");    /* ... box m role */
        int tc = lua_getfield(L, -2, "content"); /* ... box m role content */
        if (tr != LUA_TSTRING || tc != LUA_TSTRING) {
            snprintf(msg, sizeof msg, "llm: message %lld needs string role and content",
                     (long long)i);
            return fail(L, GS_ERR_USAGE, msg);
        }
        /* Both strings stay referenced by the messages table (argument 3). */
        msgs[i - 1].role = lua_tostring(L, -2);
        msgs[i - 1].content = lua_tostring(L, -1);
        lua_pop(L, 3); /* ... box */
    }
    box *tb = push_box(L); /* ... box textbox */
    char *text = NULL;
    gs_status st = gsh_llm_chat(u->llm, stage, msgs, (size_t)n, &text, msg, sizeof msg);
    tb->p = text;
    if (st != GS_OK) return fail(L, st, msg);
    lua_pushstring(L, text); /* ... box textbox text */
    free(tb->p);
    tb->p = NULL;
    free(mb->p);
    mb->p = NULL;
    return 1;
}

static int l_embed(lua_State *L) {
    lua_client *u = check_client(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    if (!u->llm) return fail(L, GS_ERR_USAGE, "llm: client is closed");
    lua_Integer n = luaL_len(L, 2);
    if (n <= 0) return fail(L, GS_ERR_USAGE, "llm: embed needs at least one text");
    if (n > 1000000) return fail(L, GS_ERR_USAGE, "llm: too many texts");
    box *ib = push_box(L); /* client texts box */
    const char **texts = calloc((size_t)n, sizeof *texts);
    if (!texts) return fail(L, GS_ERR_NOMEM, "llm: out of memory");
    ib->p = (void *)texts;
    char msg[512];
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_geti(L, 2, i) != LUA_TSTRING) { /* ... box text */
            snprintf(msg, sizeof msg, "llm: embed text %lld is not a string", (long long)i);
            return fail(L, GS_ERR_USAGE, msg);
        }
        texts[i - 1] = lua_tostring(L, -1); /* referenced by the texts table */
        lua_pop(L, 1);
    }
    box *vb = push_box(L); /* ... box vbox */
    float *vectors = NULL;
    int dim = 0;
    gs_status st = gsh_llm_embed(u->llm, texts, (size_t)n, &vectors, &dim, msg, sizeof msg);
    vb->p = vectors;
    if (st != GS_OK) return fail(L, st, msg);
    lua_createtable(L, (int)n, 0); /* ... box vbox rows */
    for (lua_Integer i = 0; i < n; i++) {
        lua_createtable(L, dim, 0); /* ... rows row */
        for (int k = 0; k < dim; k++) {
            lua_pushnumber(L, vectors[(size_t)i * (size_t)dim + (size_t)k]);
            lua_rawseti(L, -2, k + 1);
        }
        lua_rawseti(L, -2, i + 1); /* ... rows */
    }
    free(vb->p);
    vb->p = NULL;
    free(ib->p);
    ib->p = NULL;
    return 1;
}

static int l_stats(lua_State *L) {
    lua_client *u = check_client(L, 1);
    gsh_llm_stats s = gsh_llm_stats_get(u->llm);
    lua_createtable(L, 0, 11); /* stats */
    lua_pushinteger(L, s.requests);
    lua_setfield(L, -2, "requests");
    lua_pushinteger(L, s.attempts);
    lua_setfield(L, -2, "attempts");
    lua_pushinteger(L, s.retries);
    lua_setfield(L, -2, "retries");
    lua_pushinteger(L, s.failures);
    lua_setfield(L, -2, "failures");
    lua_pushinteger(L, s.replayed);
    lua_setfield(L, -2, "replayed");
    lua_pushinteger(L, (lua_Integer)s.prompt_bytes);
    lua_setfield(L, -2, "prompt_bytes");
    lua_pushinteger(L, (lua_Integer)s.response_bytes);
    lua_setfield(L, -2, "response_bytes");
    if (s.last_retry_after_s >= 0) {
        lua_pushnumber(L, s.last_retry_after_s);
        lua_setfield(L, -2, "last_retry_after_s");
    }
    lua_pushnumber(L, s.backoff_total_s);
    lua_setfield(L, -2, "backoff_total_s");
    lua_pushstring(L, gsh_llm_provider(u->llm));
    lua_setfield(L, -2, "provider");
    return 1;
}

static int l_close(lua_State *L) {
    lua_client *u = check_client(L, 1);
    gsh_llm_free(u->llm);
    u->llm = NULL;
    return 0;
}

static int l_tostring(lua_State *L) {
    lua_client *u = check_client(L, 1);
    lua_pushfstring(L, "gensim.llm.client(%s)", u->llm ? gsh_llm_provider(u->llm) : "closed");
    return 1;
}

int gsl_open_llm(lua_State *L) {
    static const luaL_Reg methods[] = {{"chat", l_chat},   {"embed", l_embed},
                                       {"stats", l_stats}, {"close", l_close},
                                       {NULL, NULL}};
    if (luaL_newmetatable(L, CLIENT_MT)) { /* mt */
        luaL_newlib(L, methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, l_close);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, l_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, BOX_MT)) { /* mt */
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    static const luaL_Reg funcs[] = {{"client", l_client}, {NULL, NULL}};
    luaL_newlib(L, funcs); /* llm */
    return 1;
}
