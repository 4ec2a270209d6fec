#!/bin/sh
# Every seed task's oracle, measured the way the README's table reports it:
# success over N seeds in each colour split, simulated steps per episode,
# episodes per second on one core. Prints a Markdown table.
# Usage: bench/tasks.sh BUILD_DIR [EPISODES]   (default 100)
#        TASKS="open-drawer turn-knob" bench/tasks.sh ...   (those only)
#        DIR=tasks/generated SEED=1000 bench/tasks.sh ...  (another folder, from seed 1000:
#        seeds the ladder never saw)
set -u
if [ $# -lt 1 ]; then
    echo "usage: bench/tasks.sh BUILD_DIR [EPISODES]" >&2
    exit 2
fi
run="$1/gensim-run"
episodes=${2:-100}
[ -x "$run" ] || { echo "bench: $run is missing: build first" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

# field JSON NAME: one number out of gensim-run's flat JSON object
field() { printf '%s\n' "$1" | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p"; }

echo "| task | oracle success, train | oracle success, test | simulated steps / episode | episodes/s |"
echo "|---|---|---|---|---|"
dir=$root/${DIR:-tasks/seed}
seed=${SEED:-0}
files="$dir/*.lua"
if [ -n "${TASKS:-}" ]; then
    files=""
    for t in $TASKS; do files="$files $dir/$t.lua"; done
fi
for f in $files; do
    name=$(basename "$f" .lua)
    train=$($pin "$run" "$f" --episodes "$episodes" --seed "$seed" --json 2>/dev/null | tail -n 1)
    test=$($pin "$run" "$f" --episodes "$episodes" --seed "$seed" --split test --json 2>/dev/null | tail -n 1)
    if [ -z "$(field "$train" successes)" ] || [ -z "$(field "$test" successes)" ]; then
        echo "| $name | failed to run | | | |"
        continue
    fi
    steps=$(awk "BEGIN { printf \"%.0f\", $(field "$train" sim_steps) / $episodes }")
    eps=$(awk "BEGIN { v = $(field "$train" episodes_per_s); printf (v >= 100 ? \"%.0f\" : \"%.1f\"), v }")
    echo "| $name | $(field "$train" successes)/$episodes | $(field "$test" successes)/$episodes | $steps | $eps |"
done
