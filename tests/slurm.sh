#!/bin/sh
# The Slurm recipes (scripts/slurm/) end to end: submit.sh sends a job
# array and its afterok merge through sbatch; by default the sbatch here is
# tests/slurm/sbatch, which runs each array index as a local process with
# Slurm's variables, and the merged outputs must equal a run on one
# machine. With GS_REAL_SLURM=1 the sbatch on the PATH is used instead (a
# real Slurm: see README.md, "Run on a cluster"; the jobs' folder must be
# shared with the nodes) and the test waits for the queue to drain.
# Usage: slurm.sh BUILD_DIR
set -u
build=$(cd "$1" && pwd)
export GENSIM="$build/gensim"
mixed=tests/fixtures/scale/mixed-outcomes.lua
red=place-red-in-green
tmp=$(mktemp -d "${GS_SLURM_TMP:-/tmp}/gensim-slurm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
pass() { passed=$((passed + 1)); }
if [ "${GS_REAL_SLURM:-0}" = 1 ]; then
    echo "using the real sbatch: $(command -v sbatch)"
else
    PATH="$(pwd)/tests/slurm:$PATH"
    export FAKE_SLURM_DIR="$tmp/queue"
fi
# waits until the jobs submitted (the ids in $1) have left a real queue
drain() {
    [ "${GS_REAL_SLURM:-0}" = 1 ] || return 0
    w=0
    while [ "$w" -lt 600 ] && [ -n "$(squeue -h -j "$1" 2>/dev/null)" ]; do sleep 1; w=$((w + 1)); done
}
submit() { sh scripts/slurm/submit.sh "$@" 2>"$tmp/submit.err"; }
jobs_of() { sed -n 's/^array \([0-9]*\) merge \([0-9]*\)$/\1,\2/p'; }

# demos: 3 shards of 2 tasks (a task split between shards) and the merge
"$GENSIM" demos $mixed $red --episodes 5 --seed 2 --out "$tmp/serial.h5" --quiet >/dev/null 2>&1
h5dump "$tmp/serial.h5" | sed "s|$tmp/serial.h5|FILE|" >"$tmp/serial.dump"
ids=$(submit demos 3 "$tmp/demos" $mixed $red --episodes 5 --seed 2 | jobs_of)
drain "$ids"
h5dump "$tmp/demos/demos.h5" 2>/dev/null | sed "s|$tmp/demos/demos.h5|FILE|" >"$tmp/merged.dump"
[ -n "$ids" ] && cmp -s "$tmp/serial.dump" "$tmp/merged.dump" && pass ||
    fail "demos array and merge: ids '$ids': $(cat "$tmp/submit.err") $(head -c 300 "$tmp/merged.dump")"
ls "$tmp/demos"/part-0.h5 "$tmp/demos"/part-2.h5 >/dev/null 2>&1 && [ ! -e "$tmp/demos/part-0.h5.state.json" ] && pass ||
    fail "demos array: the parts: $(ls "$tmp/demos")"
# a task of the array run again (a requeue) finds its part complete
if [ "${GS_REAL_SLURM:-0}" != 1 ]; then
    before=$(cksum <"$tmp/demos/part-1.h5")
    SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=3 SLURM_CPUS_PER_TASK=1 \
        sh scripts/slurm/demos.sbatch "$tmp/demos" $mixed $red --episodes 5 --seed 2 >/dev/null 2>&1
    [ $? = 0 ] && [ "$(cksum <"$tmp/demos/part-1.h5")" = "$before" ] && pass || fail "a requeued demos shard changed its part"
fi

# validate: 2 shards of 4 files and the JSON merge
files="tests/fixtures/ladder/met-at-reset.lua tests/fixtures/ladder/unsolvable.lua $mixed tasks/seed/$red.lua"
"$GENSIM" validate $files --seeds 3 --min-solved 1 --json >"$tmp/validate-serial.json"
ids=$(submit validate 2 "$tmp/validate" $files --seeds 3 --min-solved 1 | jobs_of)
drain "$ids"
# compare.lua SERIAL MERGED: the merged JSON has the serial run's counts
cat >"$tmp/compare.lua" <<'LUA'
local cjson = require("cjson")
local function read(p) local f = assert(io.open(p)); local s = f:read("a"); f:close(); return cjson.decode(s) end
local a, b = read(select(1, ...)), read(select(2, ...))
local same = #a.tasks == #b.tasks
-- the tasks by file name: a run elsewhere names them by absolute path
local function base(t) return t and t.path and t.path:match("[^/]*$") end
if a.total then
  same = same and a.total == b.total
  for k, v in pairs(a.passed) do same = same and b.passed[k] == v end
  for i, t in ipairs(a.tasks) do same = same and base(t) == base(b.tasks[i]) and t.passed == b.tasks[i].passed end
else
  same = same and a.episodes == b.episodes and a.successes == b.successes and math.abs(a.mean_reward - b.mean_reward) < 1e-9
  for i, t in ipairs(a.tasks) do same = same and base(t) == base(b.tasks[i]) and t.episodes == b.tasks[i].episodes end
end
os.exit(same and 0 or 1)
LUA
"$GENSIM" lua "$tmp/compare.lua" "$tmp/validate-serial.json" "$tmp/validate/validate.json" && pass ||
    fail "validate array and merge: $(cat "$tmp/submit.err" "$tmp/validate/validate.json" 2>&1 | head -c 400)"

# eval: a tiny policy, 3 shards of 2 tasks x 3 episodes
"$GENSIM" demos block-insertion --episodes 2 --out "$tmp/pd.h5" --quiet >/dev/null 2>&1
"$GENSIM" train "$tmp/pd.h5" --out "$tmp/policy" --steps 1 --batch 1 --channels 8 --quiet >/dev/null 2>&1
"$GENSIM" eval --policy "$tmp/policy" block-insertion $red --episodes 3 --json --quiet >"$tmp/eval-serial.json"
ids=$(submit eval 3 "$tmp/eval" --policy "$tmp/policy" block-insertion $red --episodes 3 | jobs_of)
drain "$ids"
"$GENSIM" lua "$tmp/compare.lua" "$tmp/eval-serial.json" "$tmp/eval/eval.json" && pass ||
    fail "eval array and merge: $(cat "$tmp/submit.err" "$tmp/eval/eval.json" 2>&1 | head -c 400)"
grep -q '"parts":3' "$tmp/eval/eval.json" 2>/dev/null && pass || fail "eval merge: not 3 parts"

# a failed shard: no merge, and submit says so
if [ "${GS_REAL_SLURM:-0}" != 1 ]; then
    submit demos 2 "$tmp/broken" tests/fixtures/bad/does-not-exist.lua --episodes 1 >/dev/null
    s=$?
    [ "$s" != 0 ] && [ ! -e "$tmp/broken/demos.h5" ] && grep -q "never runs" "$tmp/submit.err" && pass ||
        fail "a failed shard: submit status $s: $(cat "$tmp/submit.err")"
fi
# from an installed prefix and another folder: no GENSIM, no gensim on the
# PATH, a relative OUT; submit.sh finds the prefix's gensim
if [ "${GS_REAL_SLURM:-0}" != 1 ]; then
    src=$(pwd)
    cmake --install "$build" --prefix "$tmp/prefix" >/dev/null 2>&1
    mkdir -p "$tmp/elsewhere"
    abs=""
    for f in $files; do abs="$abs $src/$f"; done
    out=$(cd "$tmp/elsewhere" && env -u GENSIM sh "$tmp/prefix/share/gensim/scripts/slurm/submit.sh" validate 2 vout $abs \
        --seeds 3 --min-solved 1 2>"$tmp/submit.err")
    [ -x "$tmp/prefix/share/gensim/scripts/slurm/submit.sh" ] && [ -n "$(echo "$out" | jobs_of)" ] &&
        "$GENSIM" lua "$tmp/compare.lua" "$tmp/validate-serial.json" "$tmp/elsewhere/vout/validate.json" && pass ||
        fail "submit.sh installed, run elsewhere: '$out' $(cat "$tmp/submit.err") $(cat "$FAKE_SLURM_DIR"/*.out 2>/dev/null | tail -5)"
fi
s=$(sh scripts/slurm/submit.sh demos x "$tmp/x" $red --episodes 1 >/dev/null 2>&1; echo $?)
[ "$s" = 2 ] && pass || fail "submit.sh with a bad shard count: status $s"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
