#!/bin/sh
# Plugins end to end, from a fresh folder with GENSIM_PATH pointing at a
# copied plugin: list, check, run, record and the asset table see it; a
# plugin for another API major, clashing names, a broken manifest and a
# hostile plugin are refused or contained with messages naming the cause;
# gensim plugin new writes a plugin that passes its own check.
# Usage: tests/plugin_cli.sh BUILD_DIR
set -u
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
fixtures=$root/tests/fixtures/plugins
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gensim="$build/gensim"
run="$build/gensim-run"
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
# status_of CMD...: runs it with stdout in $tmp/out, stderr in $tmp/err
status_of() {
    "$@" >"$tmp/out" 2>"$tmp/err"
    echo $?
}
has() { grep -qF -- "$1" "$2"; }

mkdir -p "$tmp/path" "$tmp/work"
cp -r "$fixtures/good/kitchen" "$tmp/path/"
cd "$tmp/work" || exit 2
export GENSIM_PATH="$tmp/path"

# ---- a plugin on the path is seen by every command
s=$(status_of "$gensim" plugin list)
[ "$s" = 0 ] && has "kitchen          0.2.0" "$tmp/out" && has "1 task, 1 kind, 1 module, 1 spec" "$tmp/out" && pass ||
    fail "plugin list: status $s: $(cat "$tmp/out" "$tmp/err")"
s=$(status_of "$gensim" plugin list --json)
[ "$s" = 0 ] && has '"name":"kitchen"' "$tmp/out" && has '"type":"kind","name":"tray"' "$tmp/out" && pass ||
    fail "plugin list --json: status $s"
s=$(status_of "$gensim" plugin check kitchen)
[ "$s" = 0 ] && has "3 checks, 0 failed" "$tmp/out" && pass || fail "plugin check: status $s: $(cat "$tmp/out")"
s=$(status_of "$run" block-in-tray --episodes 2 --json)
[ "$s" = 0 ] && has '"successes":2' "$tmp/out" && pass || fail "gensim-run by name: status $s: $(cat "$tmp/err")"
s=$(status_of "$gensim" demos block-in-tray --episodes 1 --out "$tmp/k.h5")
[ "$s" = 0 ] && [ -s "$tmp/k.h5" ] && pass || fail "demos by name: status $s: $(cat "$tmp/err")"
s=$(status_of "$gensim" assets)
[ "$s" = 0 ] && has "dividers (0..4 whole, default 1)" "$tmp/out" && has "(plugin kitchen)" "$tmp/out" && pass ||
    fail "assets: status $s"
cat >"$tmp/assets.lua" <<'EOF'
for _, k in ipairs(require("gensim").assets()) do
  if k.name == "tray" then print(k.plugin, k.custom[1].name) end
end
EOF
s=$(status_of "$gensim" lua "$tmp/assets.lua")
[ "$s" = 0 ] && has "kitchen	dividers" "$tmp/out" && pass || fail "gensim.assets(): status $s: $(cat "$tmp/out" "$tmp/err")"
# a kind's own options are checked like any other
cat >"$tmp/work/too-many.lua" <<'EOF'
return task{name = "too-many", description = "a tray with too many dividers", assets = {"tray"}, max_steps = 1,
  reset = function(env) env:add("tray", env:random_pose({0.2, 0.12, 0}), {dividers = 9}) end}
EOF
s=$(status_of "$run" ./too-many.lua)
[ "$s" = 3 ] && has "option 'dividers' = 9 must be a whole number from 0 to 4" "$tmp/err" && pass ||
    fail "custom option range: status $s: $(cat "$tmp/err")"

# ---- provenance: episodes and library records name the plugin files they
# ran; validate warns once a plugin file changed since acceptance
h5dump -a /episodes/000000/provenance "$tmp/k.h5" >"$tmp/prov" 2>&1
has '"file":"kitchen/kinds/tray.lua"' "$tmp/prov" && has '"plugin":"kitchen","version":"0.2.0"' "$tmp/prov" && pass ||
    fail "provenance in the dataset: $(cat "$tmp/prov")"
cat >"$tmp/accept.lua" <<EOF
local gensim = require("gensim")
local f = assert(io.open("$tmp/path/kitchen/tasks/block-in-tray.lua"))
local src = f:read("a")
f:close()
local r = assert(gensim.library.validate(src, "block-in-tray.lua", {dirs = {}}))
assert(r.passed, r.message)
assert(gensim.library.add("$tmp/lib", "block-in-tray", src, '{"ladder":' .. r.json .. '}'))
EOF
s=$(status_of "$gensim" lua "$tmp/accept.lua")
[ "$s" = 0 ] && has 'kitchen/lib/util.lua' "$tmp/lib/block-in-tray.json" && pass ||
    fail "provenance in the record: status $s: $(cat "$tmp/err")"
s=$(status_of "$gensim" validate "$tmp/lib/block-in-tray.lua" --no-novelty)
[ "$s" = 0 ] && ! has "warning" "$tmp/out" && pass || fail "unchanged plugin: status $s: $(cat "$tmp/out")"
echo "-- changed" >>"$tmp/path/kitchen/kinds/tray.lua"
s=$(status_of "$gensim" validate "$tmp/lib/block-in-tray.lua" --no-novelty)
[ "$s" = 0 ] && has "warning: plugin code changed since the task was accepted: kitchen/kinds/tray.lua" "$tmp/out" && pass ||
    fail "changed plugin: status $s: $(cat "$tmp/out")"

# ---- module names too long to hold are left out, never listed cut short
# (lib/A/B/C.lua with 200-letter names: "longlib.A.B.C" is over 512 bytes)
a=$(printf '%0200d' 0 | tr 0 a) b=$(printf '%0200d' 0 | tr 0 b) c=$(printf '%0200d' 0 | tr 0 c)
mkdir -p "$tmp/long/longlib/lib/$a/$b"
echo 'return plugin{name = "longlib", version = "0.1.0", api = 1, description = "long names"}' \
    >"$tmp/long/longlib/plugin.lua"
echo 'return {}' >"$tmp/long/longlib/lib/ok.lua"
echo 'return {}' >"$tmp/long/longlib/lib/$a/$b/$c.lua"
s=$(GENSIM_PATH="$tmp/long" status_of "$gensim" plugin list --json)
[ "$s" = 0 ] && has '"name":"longlib.ok"' "$tmp/out" && ! has '"name":"longlib.aaaa' "$tmp/out" && pass ||
    fail "long module names: status $s: $(cut -c1-300 "$tmp/out")"

# ---- a kind's own options are listed by name, the same in every run
mkdir -p "$tmp/knobs/knobs/kinds"
echo 'return plugin{name = "knobs", version = "0.1.0", api = 1, description = "options"}' >"$tmp/knobs/knobs/plugin.lua"
cat >"$tmp/knobs/knobs/kinds/knobbed.lua" <<'EOF'
return kind{name = "knobbed", class = "movable", doc = "three options", size = {0.04, 0.04, 0.04},
  options = {zeta = {default = 1, min = 0, max = 2}, alpha = {default = 1, min = 0, max = 2},
             mid = {default = 1, min = 0, max = 2}},
  build = function(b, o) b:box{size = o.size} end}
EOF
for k in 1 2 3; do
    s=$(GENSIM_PATH="$tmp/knobs" status_of "$gensim" assets)
    [ "$s" = 0 ] && has "options: color, fixed, alpha (0..2, default 1), mid (0..2, default 1), zeta (0..2, default 1)" \
        "$tmp/out" && pass || fail "own options by name: status $s: $(grep -A1 knobbed "$tmp/out")"
done

# ---- another API major is refused, naming both versions
export GENSIM_PATH="$tmp/path:$fixtures/future"
s=$(status_of "$run" from-the-future)
[ "$s" = 2 ] && has "plugin 'future' was written for task API 99; this gensim speaks 1" "$tmp/err" && pass ||
    fail "api 99: status $s: $(cat "$tmp/err")"
s=$(status_of "$gensim" plugin list)
[ "$s" = 0 ] && has "REFUSED" "$tmp/out" && pass || fail "plugin list shows the refusal"

# ---- a kind name is global: a second tray and a plugin 'block' are refused
export GENSIM_PATH="$tmp/path:$fixtures/bad-kind"
s=$(status_of "$run" block-in-tray)
[ "$s" = 3 ] && has "kind 'tray' is defined twice: $tmp/path/kitchen/kinds/tray.lua and $fixtures/bad-kind/dup/kinds/tray.lua" "$tmp/err" &&
    pass || fail "duplicate kind: status $s: $(cat "$tmp/err")"
s=$(status_of "$gensim" plugin list)
has "kind 'block' is a built-in kind's name" "$tmp/out" && pass || fail "built-in kind name: $(cat "$tmp/out")"

# ---- two tasks of one name in one folder; a task that shadows a seed task
mkdir -p "$tmp/clash/p/tasks"
sed 's/block-in-tray/clash-task/' "$tmp/path/kitchen/tasks/block-in-tray.lua" >"$tmp/clash/clash-task.lua"
cp "$tmp/clash/clash-task.lua" "$tmp/clash/p/tasks/clash-task.lua"
echo 'return plugin{name = "p", version = "1.0.0", api = 1, description = "clashes"}' >"$tmp/clash/p/plugin.lua"
sed 's/"place the red blocks/"(shadowed) place the red blocks/' "$root/tasks/seed/place-red-in-green.lua" \
    >"$tmp/clash/place-red-in-green.lua"
export GENSIM_PATH="$tmp/clash:$tmp/path"
s=$(status_of "$run" clash-task)
[ "$s" = 2 ] && has "two tasks named 'clash-task' in $tmp/clash" "$tmp/err" && pass || fail "clash: status $s: $(cat "$tmp/err")"
s=$(status_of "$gensim" plugin list)
has "task place-red-in-green: $root/tasks/seed/place-red-in-green.lua is shadowed by $tmp/clash/place-red-in-green.lua" \
    "$tmp/out" && pass || fail "shadowing listed: $(cat "$tmp/out")"

# ---- a manifest that is not plugin{...}; a missing requirement
mkdir -p "$tmp/broken/notable" "$tmp/broken/needy"
echo 'return 42' >"$tmp/broken/notable/plugin.lua"
echo 'return plugin{name = "needy", version = "0.1.0", api = 1, description = "needs", requires = {absent = ">=1"}}' \
    >"$tmp/broken/needy/plugin.lua"
export GENSIM_PATH="$tmp/broken"
s=$(status_of "$gensim" plugin list)
has "notable/plugin.lua: a manifest must return plugin{" "$tmp/out" &&
    has "plugin 'needy' requires plugin 'absent' >=1, which is not usable" "$tmp/out" && pass ||
    fail "broken manifests: $(cat "$tmp/out")"
s=$(status_of "$gensim" plugin check nothing-here)
[ "$s" = 2 ] && has "no plugin 'nothing-here'" "$tmp/err" && pass || fail "check unknown: status $s"

# ---- a hostile plugin is contained like a hostile task
export GENSIM_PATH="$fixtures/hostile"
for probe in "evil-spin:time limit exceeded (1 s)" "evil-sneaky:require reaches only a plugin's helper modules" \
             "evil-hollow:build added no part (an empty body)" "evil-cycle:requires itself through the modules"; do
    task=${probe%%:*} want=${probe#*:}
    s=$(status_of timeout -s KILL 30 "$run" "$task" --timeout-s 1)
    [ "$s" = 3 ] && has "$want" "$tmp/err" && pass || fail "$task: status $s: $(cat "$tmp/err")"
done
# a module one task changes is fresh for the next, in one process
s=$(GENSIM_IN_PROCESS=1 status_of "$gensim" demos evil-mutate evil-pristine --episodes 1 --out "$tmp/e.h5")
[ "$s" = 0 ] && pass || fail "module shared between tasks: status $s: $(cat "$tmp/err")"

# ---- gensim plugin new writes a plugin that passes its own check
mkdir -p "$tmp/fresh" && cd "$tmp/fresh" || exit 2
unset GENSIM_PATH
s=$(status_of "$gensim" plugin new demo-kit)
[ "$s" = 0 ] && [ -f plugins/demo-kit/plugin.lua ] && pass || fail "plugin new: status $s: $(cat "$tmp/err")"
s=$(status_of "$gensim" plugin check demo-kit)
[ "$s" = 0 ] && has "0 failed" "$tmp/out" && pass || fail "new plugin's check: status $s: $(cat "$tmp/out" "$tmp/err")"
s=$(status_of "$gensim" plugin new demo-kit)
[ "$s" = 2 ] && has "already holds a plugin" "$tmp/err" && pass || fail "plugin new twice: status $s"
s=$(status_of "$gensim" plugin new Bad_Name)
[ "$s" = 2 ] && pass || fail "plugin new bad name: status $s"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
