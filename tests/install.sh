#!/bin/sh
# An installed gensim, used as a user would: installed into a temporary
# prefix, run from / (so nothing comes from the working directory), moved
# elsewhere as a whole, embedded in a C program through pkg-config, loaded
# by LuaJIT's FFI, and installed by `luarocks make` for a plain lua5.4.
# Usage: tests/install.sh BUILD_DIR   (GS_INSTALL_NO_ROCKS=1 skips LuaRocks)
set -u
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
mock_pid=
trap '[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
skip() { echo "skip $*"; }
# field JSON NAME: one value of a flat JSON object
field() { printf '%s\n' "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p"; }

P=$tmp/prefix
cmake --install "$build" --prefix "$P" >"$tmp/install.log" 2>&1 && pass || fail "cmake --install: $(tail -n 3 "$tmp/install.log")"
for f in bin/gensim bin/gensim-run lib/libgensim.so lib/libgensim.a lib/pkgconfig/gensim.pc \
         include/gensim/gensim.h share/gensim/tasks/seed/place-red-in-green.lua \
         share/gensim/scripts/generate.lua share/gensim/scripts/prompts/system.md \
         lib/lua/5.4/gensim.so share/lua/5.1/gensim_ffi.lua; do
    [ -e "$P/$f" ] && pass || fail "not installed: $f"
done

# A task by name, from /, with the installed data.
out=$(cd / && "$P/bin/gensim-run" place-red-in-green --episodes 5 --json 2>"$tmp/err")
[ "$(field "$out" successes)" = 5 ] && pass || fail "gensim-run from /: $out $(cat "$tmp/err")"
data=$(cd / && "$P/bin/gensim" lua /dev/stdin <<'EOF'
print(require("gensim").data_dir())
EOF
)
[ "$data" = "$P/share/gensim" ] && pass || fail "the data folder is '$data', not the prefix's"

# The whole prefix moved: it finds its own data where it now is.
mv "$P" "$tmp/moved" && P=$tmp/moved
data=$(cd / && "$P/bin/gensim" lua /dev/stdin <<'EOF'
print(require("gensim").data_dir())
EOF
)
[ "$data" = "$P/share/gensim" ] && pass || fail "moved prefix: the data folder is '$data'"
out=$(cd / && "$P/bin/gensim-run" place-red-in-green --episodes 5 --json 2>"$tmp/err")
[ "$(field "$out" successes)" = 5 ] && pass || fail "moved prefix: gensim-run: $out $(cat "$tmp/err")"
(cd / && "$P/bin/gensim" list --json) >"$tmp/list" 2>&1 && grep -q '"name":"towers-of-hanoi"' "$tmp/list" &&
    pass || fail "gensim list from /: $(head -c 300 "$tmp/list")"

# The shipped plugins and curricula, from the installed prefix: listed,
# checked, and a curriculum run by name at its smallest sizes.
(cd / && "$P/bin/gensim" plugin list --json) >"$tmp/plugins" 2>&1 &&
    grep -q '"name":"ravens"' "$tmp/plugins" && grep -q '"name":"workshop"' "$tmp/plugins" &&
    pass || fail "gensim plugin list from /: $(head -c 300 "$tmp/plugins")"
(cd / && "$P/bin/gensim" plugin check ravens) >"$tmp/check" 2>&1 && pass ||
    fail "gensim plugin check ravens from /: $(tail -n 3 "$tmp/check")"
(cd / && "$P/bin/gensim" curriculum run blocks-to-pyramid --smoke --out "$tmp/cur" --quiet) >"$tmp/cur.log" 2>&1 &&
    grep -q '"status":"done"' "$tmp/cur/state.json" && pass ||
    fail "gensim curriculum run from /: $(tail -n 3 "$tmp/cur.log")"

# gensim generate from /, through the mock server: the library it sends
# the model is the installed one (examples and the list of tasks).
cat >"$tmp/script.json" <<'EOF'
[{"content": "{\"name\": \"tall-tower-of-blocks\", \"description\": \"Stack three blocks into one tower.\", \"assets\": [\"block\"]}"},
 {"content": "```lua\nreturn task{name = \"tall-tower-of-blocks\"}\n```"},
 {"content": "```lua\nreturn task{name = \"tall-tower-of-blocks\"}\n```"}]
EOF
"$build/tests/mock_openai" --script "$tmp/script.json" --port-file "$tmp/port" --log "$tmp/requests.jsonl" \
    --idle-timeout 60 >/dev/null 2>&1 &
mock_pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -s "$tmp/port" ] && break; sleep 0.2; done
port=$(cat "$tmp/port" 2>/dev/null)
out=$(cd / && "$P/bin/gensim" generate -n 1 --llm-url "http://127.0.0.1:$port/v1" --model mock --repairs 1 \
      --seeds 2 --min-solved 1 --library "$tmp/lib" --json 2>"$tmp/err")
[ "$(field "$out" proposed)" = 1 ] && pass || fail "gensim generate from /: $out $(tail -n 3 "$tmp/err")"
grep -q "place-red-in-green" "$tmp/requests.jsonl" && pass || fail "the model was not shown the installed library"
kill "$mock_pid" 2>/dev/null
mock_pid=

# Embedding in C with pkg-config alone; its flags reach no Lua or Bullet header.
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
cflags=$(pkg-config --cflags gensim)
case "$cflags" in *lua*|*bullet*) fail "pkg-config --cflags reaches $cflags" ;; *) pass ;; esac
# A sanitizer build's library needs its runtime loaded first: a plain C
# program or LuaJIT cannot load it (GS_INSTALL_SANITIZED, set by CTest there).
if [ -n "${GS_INSTALL_SANITIZED:-}" ]; then
    skip "embed.c: the library is built with the sanitizers"
elif cc "$root/examples/embed.c" $(pkg-config --cflags --libs gensim) -Wl,-rpath,"$P/lib" -o "$tmp/embed" 2>"$tmp/cc.log"; then
    pass
    out=$(cd / && "$tmp/embed")
    [ "$out" = "place-red-in-green success 1.000 $(printf '%s' "$out" | awk '{print $4}')" ] &&
        [ -n "$(printf '%s' "$out" | awk '{print $4}')" ] && pass || fail "embed: '$out'"
else
    fail "cc embed.c: $(head -n 5 "$tmp/cc.log")"
fi
# Only the documented API leaves the shared library.
stray=$(nm -D --defined-only "$P/lib/libgensim.so" | awk '$2 == "T" {print $3}' | grep -v '^gs[a-z]*_\|^luaopen_gensim$' | head -n 5)
[ -z "$stray" ] && pass || fail "libgensim.so exports $stray"

# LuaJIT: the FFI binding, generated from the public header, runs episodes.
if [ -n "${GS_INSTALL_SANITIZED:-}" ]; then
    skip "LuaJIT FFI: the library is built with the sanitizers"
elif command -v luajit >/dev/null 2>&1; then
    out=$(cd / && GENSIM_LIB="$P/lib/libgensim.so" LUA_PATH="$P/share/lua/5.1/?.lua;;" luajit - <<'EOF' 2>&1
local ffi = require("ffi")
local gs = require("gensim_ffi").load()
local err = ffi.new("char[1024]")
local t = ffi.new("gs_task *[1]")
local o = gs.gs_task_options_default()
assert(gs.gs_task_load("stack-block-tower", o, t, err, 1024) == 0, ffi.string(err))
local r, wins = ffi.new("gs_episode_result"), 0
for seed = 0, 2 do
  assert(gs.gs_episode_run(t[0], seed, gs.gs_actor_oracle(), nil, 0, r, err, 1024) == 0, ffi.string(err))
  wins = wins + r.success
end
gs.gs_task_free(t[0])
io.write("luajit ", wins, "\n")
EOF
)
    [ "$out" = "luajit 3" ] && pass || fail "luajit: $out"
else
    skip "LuaJIT FFI: luajit is not installed"
fi

# LuaRocks: `luarocks make` from a copy of the checkout, then a plain lua5.4.
if [ -n "${GS_INSTALL_NO_ROCKS:-}" ]; then
    skip "luarocks make: GS_INSTALL_NO_ROCKS is set"
elif command -v luarocks >/dev/null 2>&1; then
    src=$tmp/src
    mkdir -p "$src" && (cd "$root" && tar cf - --exclude='./build*' --exclude=./.git --exclude=./out .) |
        (cd "$src" && tar xf -)
    if (cd "$src" && luarocks --lua-version 5.4 make --tree "$tmp/rocks" gensim-scm-1.rockspec) >"$tmp/rocks.log" 2>&1; then
        pass
        rm -rf "$src" # the checkout is gone: the rock must stand on its own
        out=$(cd / && LUA_CPATH="$tmp/rocks/lib/lua/5.4/?.so" lua5.4 - <<'EOF' 2>&1
local gensim = require("gensim")
local r = assert(gensim.run{task = "place-red-in-green", episodes = 3})
io.write("lua5.4 ", r.successes, "\n")
EOF
)
        [ "$out" = "lua5.4 3" ] && pass || fail "lua5.4 require gensim: $out"
        [ -x "$tmp/rocks/bin/gensim-run" ] && pass || fail "luarocks did not install gensim-run"
    else
        fail "luarocks make: $(tail -n 5 "$tmp/rocks.log")"
    fi
else
    skip "luarocks make: luarocks is not installed"
fi

echo "install: $passed passed, $failed failed"
[ "$failed" = 0 ]
