#!/bin/sh
# A curriculum against training on the target alone, with the same
# demonstrations and optimiser steps in all: plugins/ravens/curricula/
# blocks-to-pyramid.lua (towers, then the pyramid) against
# stack-block-pyramid alone. Both policies are then evaluated on the same
# 50 unseen seeds of stack-block-pyramid. Resumable: rerun with the same OUT.
# Usage: bench/curriculum_pyramid.sh BUILD [OUT]   (CURRICULUM=FILE overrides)
set -eu
build=$(cd "${1:?usage: bench/curriculum_pyramid.sh BUILD [OUT]}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$root/out/curriculum-pyramid}
curriculum=${CURRICULUM:-$root/plugins/ravens/curricula/blocks-to-pyramid.lua}
gensim="$build/gensim"
episodes=${EVAL_EPISODES:-50}
mkdir -p "$out/alone"
# the curriculum's totals, from its own file
totals=$("$gensim" lua /dev/stdin "$curriculum" <<'LUA'
local path = ...
local env = setmetatable({curriculum = function(t) return t end}, {__index = _G})
local c = assert(loadfile(path, "t", env))()
local demos, steps = 0, 0
for _, s in ipairs(c.stages) do
  demos = demos + s.demos * #(s.tasks or {}) * (s.max_rounds or 1)
  steps = steps + (s.train_steps or 1000) * (s.max_rounds or 1)
end
print(demos, steps)
LUA
)
demos=${totals%%	*} steps=${totals##*	}
echo "curriculum $curriculum: at most $demos demonstrations and $steps steps in all"
t0=$(date +%s)
if [ -e "$out/curriculum/state.json" ]; then resume=--resume; else resume=; fi
nice "$gensim" curriculum run "$curriculum" --out "$out/curriculum" $resume --quiet
t1=$(date +%s)
# what the curriculum really used (a stage may advance early)
used=$(python3 -c "
import json; s = json.load(open('$out/curriculum/state.json'))
print(s['total_steps'])")
[ -e "$out/alone/demos.h5" ] || nice "$gensim" demos stack-block-pyramid --episodes "$demos" --seed 0 \
    --out "$out/alone/demos.h5" --quiet
[ -e "$out/alone/policy.safetensors" ] && resume=--resume || resume=
nice "$gensim" train "$out/alone/demos.h5" --out "$out/alone/policy.safetensors" --steps "$used" --workers 1 \
    $resume --quiet
t2=$(date +%s)
for who in curriculum alone; do
    nice "$gensim" eval --policy "$out/$who/policy.safetensors" stack-block-pyramid --episodes "$episodes" \
        --json >"$out/$who/eval.json"
done
python3 - "$out" "$demos" "$used" "$episodes" "$((t1 - t0))" "$((t2 - t1))" <<'PY'
import json, sys
out, demos, steps, episodes, tc, ta = sys.argv[1:]
print(f"stack-block-pyramid, {episodes} unseen seeds; {demos} demonstrations and {steps} steps in all, each way")
print("| training | success | mean reward | wall |")
print("|---|---|---|---|")
for who, wall in (("curriculum (towers, then the pyramid)", tc), ("the pyramid alone", ta)):
    key = "curriculum" if who.startswith("curriculum") else "alone"
    e = json.load(open(f"{out}/{key}/eval.json"))
    print(f"| {who} | {100 * e['success_rate']:.0f}% ({e['successes']}/{e['episodes']}) | {e['mean_reward']:.2f} | {wall} s |")
PY
