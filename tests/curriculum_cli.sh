#!/bin/sh
# gensim curriculum end to end at tiny sizes: a run writes its state,
# report and plot; a run stopped after some steps (and one killed by
# SIGINT) resumes without repeating a finished step; bad curricula and bad
# run folders are refused with file:line messages.
# Usage: tests/curriculum_cli.sh BUILD_DIR
set -u
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
fx=$root/tests/fixtures/curricula
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gensim="$build/gensim"
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
status_of() {
    "$@" >"$tmp/out" 2>"$tmp/err"
    echo $?
}
has() { grep -qF -- "$1" "$2"; }
field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$2"; }
cd "$tmp" || exit 2

# ---- bad curricula: exit 2, FILE:LINE: message
s=$(status_of "$gensim" curriculum check "$fx/unknown-task.lua")
[ "$s" = 2 ] && has "$fx/unknown-task.lua:1: stage 1: no task 'stack-blok-tower'" "$tmp/err" &&
    has "did you mean 'stack-block-tower'" "$tmp/err" && pass || fail "unknown task: status $s: $(cat "$tmp/err")"
s=$(status_of "$gensim" curriculum run "$fx/negative-count.lua" --out "$tmp/neg")
[ "$s" = 2 ] && has "negative-count.lua:1: stage 1: demos must be a whole number >= 1, got -5" "$tmp/err" &&
    [ ! -e "$tmp/neg/state.json" ] && pass || fail "negative count: status $s: $(cat "$tmp/err")"
s=$(status_of "$gensim" curriculum check "$fx/not-a-curriculum.lua")
[ "$s" = 2 ] && has "must return curriculum{...}" "$tmp/err" && pass || fail "plain table: status $s"
s=$(status_of "$gensim" curriculum run "$fx/smoke.lua")
[ "$s" = 2 ] && has "run needs --out RUN" "$tmp/err" && pass || fail "no --out: status $s"

# ---- a whole run
s=$(status_of "$gensim" curriculum run "$fx/smoke.lua" --out "$tmp/run" --json --quiet)
[ "$s" = 0 ] && [ "$(field steps_run "$tmp/out")" -ge 6 ] && pass || fail "run: status $s: $(cat "$tmp/err")"
[ -s "$tmp/run/report.md" ] && has "| 2 | 1 | 1 |" "$tmp/run/report.md" && pass || fail "report: $(cat "$tmp/run/report.md")"
[ -s "$tmp/run/success.png" ] && [ -s "$tmp/run/policy.safetensors" ] && [ -s "$tmp/run/policy.png" ] && pass ||
    fail "plot, policy and curves: $(ls "$tmp/run")"
has '"status":"done"' "$tmp/run/state.json" && ! has '"status":"running"' "$tmp/run/state.json" && pass ||
    fail "state: $(cat "$tmp/run/state.json")"
s=$(status_of "$gensim" curriculum run "$fx/smoke.lua" --out "$tmp/run")
[ "$s" = 2 ] && has "already holds a run" "$tmp/err" && pass || fail "run over a run: status $s"
s=$(status_of "$gensim" curriculum run "$fx/unknown-task.lua" --out "$tmp/run" --resume)
[ "$s" = 2 ] || fail "resume of another curriculum's run: status $s"
s=$(status_of "$gensim" curriculum run "$fx/smoke.lua" --out "$tmp/run" --resume --json --quiet)
[ "$s" = 0 ] && [ "$(field steps_run "$tmp/out")" = 0 ] && pass || fail "resume of a finished run ran steps: $(cat "$tmp/out")"

# ---- stopped after 4 steps, then resumed: the finished steps are not redone
s=$(GENSIM_CURRICULUM_STOP_AFTER=4 status_of "$gensim" curriculum run "$fx/smoke.lua" --out "$tmp/stop" --quiet)
[ "$s" = 130 ] && has "--resume continues" "$tmp/err" && pass || fail "stop after 4: status $s: $(cat "$tmp/err")"
md5sum "$tmp/stop/data/"*.h5 >"$tmp/before"
s=$(status_of "$gensim" curriculum run "$fx/smoke.lua" --out "$tmp/stop" --resume --json --quiet)
total=$(field steps_run "$tmp/run/../out" 2>/dev/null)
ran=$(field steps_run "$tmp/out")
[ "$s" = 0 ] && [ -n "$ran" ] && [ "$ran" -ge 1 ] && md5sum -c --quiet "$tmp/before" && pass ||
    fail "resume after a stop: status $s, ran ${ran:-?}: $(cat "$tmp/err")"
cmp -s "$tmp/run/report.md" "$tmp/stop/report.md" 2>/dev/null || true

# ---- killed by SIGINT once a step is done, then resumed
"$gensim" curriculum run "$fx/smoke.lua" --out "$tmp/int" --quiet >/dev/null 2>&1 &
pid=$!
waited=0
while [ "$waited" -lt 600 ] && ! grep -q '"demos":true' "$tmp/int/state.json" 2>/dev/null; do
    sleep 0.1
    waited=$((waited + 1))
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/int/state.json" && pass || fail "state.json torn by SIGINT"
s=$(status_of "$gensim" curriculum run "$fx/smoke.lua" --out "$tmp/int" --resume --quiet)
[ "$s" = 0 ] && has '"status":"done"' "$tmp/int/state.json" && pass || fail "resume after SIGINT: status $s: $(cat "$tmp/err")"

# ---- every shipped curriculum runs end to end, by name, from another folder
for name in $("$gensim" curriculum list | awk '$2 ~ /\/plugins\// {print $1}'); do
    s=$(cd / && status_of "$gensim" curriculum run "$name" --smoke --out "$tmp/shipped-$name" --json --quiet)
    [ "$s" = 0 ] && has '"status":"done"' "$tmp/shipped-$name/state.json" && pass ||
        fail "shipped curriculum $name: status $s: $(cat "$tmp/err")"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
