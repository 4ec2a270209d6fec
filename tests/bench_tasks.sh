#!/bin/sh
# The bench's own tasks (bench/tasks/, off the plugin path): each loads and
# its oracle solves unseen seeds in both colour splits, and a task that
# re-scores a seed task as Ravens does (TASK-ravens.lua) builds the seed
# task's scene, draw for draw (the first frames of a seed are the same
# picture). Usage: bench_tasks.sh BUILD_DIR
set -u
run="$1/gensim-run"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
pass() { passed=$((passed + 1)); }

# solves FILE SPLIT: the oracle succeeds on 2 of 2 seeds from 500
for f in bench/tasks/*.lua; do
    for split in train test; do
        if timeout 300 "$run" "$f" --episodes 2 --seed 500 --split "$split" --json >"$tmp/out" 2>"$tmp/err" &&
            grep -q '"successes":2' "$tmp/out"; then
            pass
        else
            fail "$f ($split): $(head -c 300 "$tmp/out" "$tmp/err")"
        fi
    done
done

# a task scored as Ravens scores it (TASK-ravens) is the seed task's scene
for f in bench/tasks/*-ravens.lua; do
    t=$(basename "$f" -ravens.lua)
    for seed in 7 8; do
        "$run" "tasks/seed/$t.lua" --seed "$seed" --split test --render "$tmp/p" --quiet >/dev/null 2>&1 &&
            "$run" "$f" --seed "$seed" --split test --render "$tmp/p" --quiet >/dev/null 2>&1 &&
            cmp -s "$tmp/p/$t-$seed-first.png" "$tmp/p/$t-ravens-$seed-first.png" &&
            pass || fail "$t-ravens, seed $seed: not the seed task's scene"
    done
done

echo "bench_tasks: $passed passed, $failed failed"
[ "$failed" = 0 ]
