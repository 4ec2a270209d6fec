#!/bin/sh
# Turned crops against turned features: for each task, one policy with
# gensim train's default query (the crop turned to each of 36 yaws, each run
# through the query stream) and one with --rotate-features 1 (the stream run
# once, its features turned), trained side by side on the same
# demonstrations, one core each, and evaluated on the same unseen seeds.
# Builds nothing.
#
# Usage: bench/policy_rotate.sh BUILD_DIR [TASK...]
#   TASKs are seed task names (default: block-insertion align-box-corner
#   put-block-in-bowl place-red-in-green towers-of-hanoi stack-block-tower).
#
#   ROTATE_DIR    where everything goes (default out/policy-rotate); demos,
#                 checkpoints and evaluations already there are kept, so an
#                 interrupted run continues
#   ROTATE_DEMOS  demonstrations per task, seeds from 0 (100)
#   ROTATE_STEPS  training steps of batch 4 (1400: 5,600 samples, the
#                 README's single-task recipe)
#   ROTATE_EVAL   evaluation episodes from seed 100000 (50)
#
# Prints, and writes to ROTATE_DIR/table.md, one row per task: the success of
# each policy and the samples/s of each training run (the two share the
# machine, so compare them with each other, not with bench/policy_speed.sh).
set -u
if [ $# -lt 1 ]; then
    echo "usage: bench/policy_rotate.sh BUILD_DIR [TASK...]" >&2
    exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: no build folder '$1'" >&2; exit 2; }
shift
root=$(cd "$(dirname "$0")/.." && pwd)
gensim="$build/gensim"
[ -x "$gensim" ] || { echo "bench: $gensim is missing: build first" >&2; exit 2; }
tasks=${*:-block-insertion align-box-corner put-block-in-bowl place-red-in-green towers-of-hanoi stack-block-tower}
dir=${ROTATE_DIR:-out/policy-rotate}
demos=${ROTATE_DEMOS:-100}
steps=${ROTATE_STEPS:-1400}
episodes=${ROTATE_EVAL:-50}
cd "$root" || exit 2
mkdir -p "$dir" || exit 2
export OPENBLAS_NUM_THREADS=1

json_field() { grep -o "\"$2\":[-0-9.e+]*" "$1" | head -n 1 | cut -d: -f2; }

# variant TASK RF: train (resuming) and evaluate one policy, each step skipped once done
variant() {
    name="$dir/$1-rf$2"
    if ! grep -q '"interrupted":false' "$name.train.json" 2>/dev/null; then
        "$gensim" train "$dir/$1.h5" --out "$name.st" --steps "$steps" --batch 4 --workers 1 \
            --rotate-features "$2" --resume --json --quiet >"$name.train.part" || return 1
        mv "$name.train.part" "$name.train.json"
    fi
    [ -s "$name.eval.json" ] && return 0
    "$gensim" eval --policy "$name.st" "tasks/seed/$1.lua" --episodes "$episodes" --seed 100000 \
        --json --quiet >"$name.eval.part" || return 1
    mv "$name.eval.part" "$name.eval.json"
}

# cell TASK RF: "k/n (p%) | samples/s"
cell() {
    name="$dir/$1-rf$2"
    k=$(json_field "$name.eval.json" successes)
    rate=$(json_field "$name.train.json" samples_per_s)
    awk -v k="${k:-0}" -v n="$episodes" -v r="${rate:-0}" 'BEGIN { printf "%.0f%% (%d/%d) | %.1f", 100 * k / n, k, n, r }'
}

status=0
for t in $tasks; do
    [ -f "tasks/seed/$t.lua" ] || { echo "bench: no seed task '$t'" >&2; status=1; continue; }
    if [ ! -s "$dir/$t.h5.done" ]; then
        echo "recording $demos demos of $t ..." >&2
        "$gensim" demos "tasks/seed/$t.lua" --episodes "$demos" --seed 0 --out "$dir/$t.h5" --force --quiet \
            >/dev/null || { echo "bench: gensim demos $t failed" >&2; status=1; continue; }
        echo ok >"$dir/$t.h5.done"
    fi
    echo "training and evaluating $t, both ways side by side ..." >&2
    variant "$t" 0 &
    p0=$!
    variant "$t" 1 || { echo "bench: $t with --rotate-features 1 failed" >&2; status=1; }
    wait $p0 || { echo "bench: $t with --rotate-features 0 failed" >&2; status=1; }
done

{
    printf '| task | turned crops: success | samples/s | turned features: success | samples/s |\n'
    printf '|---|---|---|---|---|\n'
    for t in $tasks; do
        if [ -s "$dir/$t-rf0.eval.json" ] && [ -s "$dir/$t-rf1.eval.json" ]; then
            printf '| %s | %s | %s |\n' "$t" "$(cell "$t" 0)" "$(cell "$t" 1)"
        else
            printf '| %s | not run | | | |\n' "$t"
        fi
    done
} >"$dir/table.md"
cat "$dir/table.md"
exit $status
