#!/bin/sh
# The Transporter policy learning tasks: record demonstrations, train, then
# evaluate in closed loop on unseen seeds. Builds nothing.
# Usage: bench/policy_train.sh BUILD_DIR [single|multi|both]   (default single)
#
#   single: POLICY_DEMOS (100) demos each of block-insertion and
#           place-red-in-green (seeds 0..), one policy per task trained for
#           POLICY_STEPS (1400) steps of POLICY_BATCH (4), evaluated on
#           POLICY_EVAL (50) episodes from seed 100000 (never recorded)
#   multi:  one policy on the 8 pick-and-place seed tasks below, the same
#           demos per task, POLICY_MULTI_STEPS (8 x POLICY_STEPS: the same
#           samples per task as a single-task policy), evaluated per task
#   both:   a single-task policy for each of the 8 tasks, then the multitask
#           one, and each task's multitask success as a share of its
#           single-task success (the target: at least 0.8)
#
# Every run uses gensim train's default schedule (the rate falls along half a
# cosine from POLICY_LR, 1e-3, to 0 at the last step). Each training run is
# capped at POLICY_MAX_MIN (35) minutes of wall time (SIGTERM: the checkpoint
# is written and evaluated anyway) and runs under nice -n 5 with
# POLICY_THREADS (1) OpenBLAS threads and POLICY_WORKERS workers (2, for two
# cores, or 1 with POLICY_JOBS=2; the results do not depend on either).
# POLICY_JOBS=2 runs the single-task policies and the multitask one side by
# side (two cores, same results). POLICY_TRAIN: more gensim train flags
# for every policy (e.g. "--rotate-features 1"). Files go to
# POLICY_DIR (default a temporary folder, removed at the end); demos are
# reused when POLICY_DIR already holds them. Prints one line per task:
# success rate, mean reward, training time and samples/s.
set -u
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: bench/policy_train.sh BUILD_DIR [single|multi|both]" >&2
    exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: no build folder '$1'" >&2; exit 2; }
mode=${2:-single}
case $mode in single|multi|both) ;; *) echo "bench: mode is single, multi or both" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
gensim="$build/gensim"
[ -x "$gensim" ] || { echo "bench: $gensim is missing: build first" >&2; exit 2; }
demos=${POLICY_DEMOS:-100}
steps=${POLICY_STEPS:-1400}
multi_steps=${POLICY_MULTI_STEPS:-$((8 * steps))}
batch=${POLICY_BATCH:-4}
eval_episodes=${POLICY_EVAL:-50}
eval_seed=100000
max_min=${POLICY_MAX_MIN:-35}
threads=${POLICY_THREADS:-1}
lr=${POLICY_LR:-1e-3}
jobs=${POLICY_JOBS:-1}
extra=${POLICY_TRAIN:-}
case $jobs in 1|2) ;; *) echo "bench: POLICY_JOBS is 1 or 2" >&2; exit 2 ;; esac
workers=${POLICY_WORKERS:-$((3 - jobs))}
cd "$root" || exit 2
if [ -n "${POLICY_DIR:-}" ]; then
    dir=$POLICY_DIR
    mkdir -p "$dir" || exit 2
else
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
fi
export OPENBLAS_NUM_THREADS=$threads

# json_field FILE KEY: the first number KEY has in FILE's JSON
json_field() { grep -o "\"$2\":[-0-9.e+]*" "$1" | head -n 1 | cut -d: -f2; }

# record TASK: $dir/TASK.h5 with $demos episodes (kept when present)
record() {
    [ -s "$dir/$1.h5" ] && return 0
    echo "recording $demos demos of $1 ..." >&2
    "$gensim" demos "tasks/seed/$1.lua" --episodes "$demos" --seed 0 --out "$dir/$1.h5" --quiet >/dev/null ||
        { echo "bench: gensim demos $1 failed" >&2; return 1; }
}

# train NAME STEPS FILES...: $dir/NAME.st, the summary in $dir/NAME.train.json
train() {
    name=$1 n=$2
    shift 2
    echo "training $name: $n steps of $batch ($*) ..." >&2
    # shellcheck disable=SC2086
    nice -n 5 timeout -s TERM "${max_min}m" "$gensim" train "$@" $extra --out "$dir/$name.st" --steps "$n" \
        --batch "$batch" --lr "$lr" --threads "$threads" --workers "$workers" --log-every 100 --resume --json >"$dir/$name.train.json"
    s=$?
    # 143: stopped by the time cap; the checkpoint holds what was learned
    [ "$s" = 0 ] || [ "$s" = 143 ] || { echo "bench: training $name failed ($s)" >&2; return 1; }
    [ "$s" = 143 ] && echo "  $name: stopped by the ${max_min}-minute cap" >&2
    return 0
}

# evaluate NAME TASKS...: one line per task
evaluate() {
    name=$1
    shift
    paths=""
    for t in "$@"; do paths="$paths tasks/seed/$t.lua"; done
    # shellcheck disable=SC2086
    nice -n 5 "$gensim" eval --policy "$dir/$name.st" $paths --episodes "$eval_episodes" --seed "$eval_seed" \
        --json --quiet >"$dir/$name.eval.json" || { echo "bench: eval $name failed" >&2; return 1; }
    wall=$(json_field "$dir/$name.train.json" wall_s)
    rate=$(json_field "$dir/$name.train.json" samples_per_s)
    done_steps=$(json_field "$dir/$name.train.json" steps)
    # one task object per line: {"task":..,"successes":..,"success_rate":..,"mean_reward":..}
    grep -o '{"task":"[^"]*"[^}]*}' "$dir/$name.eval.json" | while read -r obj; do
        task=$(echo "$obj" | grep -o '"task":"[^"]*"' | cut -d'"' -f4)
        echo "$obj" >"$dir/$name.obj.json"
        printf '%-8s %-24s success %5.1f%% (%s/%s)  mean reward %.3f  steps %s  train %.0f s  %.1f samples/s\n' \
            "$name" "$task" "$(awk "BEGIN { print $(json_field "$dir/$name.obj.json" success_rate) * 100 }")" \
            "$(json_field "$dir/$name.obj.json" successes)" "$(json_field "$dir/$name.obj.json" episodes)" \
            "$(json_field "$dir/$name.obj.json" mean_reward)" "$done_steps" "$wall" "$rate"
    done
}

MULTI_TASKS="block-insertion place-red-in-green put-block-in-bowl stack-block-pyramid
    stack-block-tower towers-of-hanoi align-box-corner palletizing-boxes"
# singles: one policy per task in $singles; status in $dir/singles.status
singles() {
    ok=0
    for t in $singles; do
        train "$t" "$steps" "$dir/$t.h5" && evaluate "$t" "$t" || ok=1
    done
    echo $ok >"$dir/singles.status"
}

# multi: the one policy for MULTI_TASKS; status in $dir/multi.status
multi() {
    ok=0
    # shellcheck disable=SC2086
    set -- $MULTI_TASKS
    files=""
    for t in "$@"; do files="$files $dir/$t.h5"; done
    # shellcheck disable=SC2086
    train multi "$multi_steps" $files && evaluate multi "$@" || ok=1
    echo $ok >"$dir/multi.status"
}

singles=""
[ "$mode" = single ] && singles="block-insertion place-red-in-green"
[ "$mode" = both ] && singles=$MULTI_TASKS
needed=$singles
[ "$mode" != single ] && needed=$MULTI_TASKS
status=0
# demos first, one task at a time: both kinds of run read them
for t in $needed; do record "$t" || status=1; done
[ "$status" = 0 ] || exit 1
rm -f "$dir/singles.status" "$dir/multi.status"
if [ "$jobs" = 2 ] && [ -n "$singles" ] && [ "$mode" != single ]; then
    # side by side; each run's lines are printed when it ends
    singles >"$dir/singles.out" &
    spid=$!
    multi
    wait $spid
    cat "$dir/singles.out"
else
    [ -n "$singles" ] && singles
    [ "$mode" != single ] && multi
fi
for f in "$dir/singles.status" "$dir/multi.status"; do
    [ -e "$f" ] && [ "$(cat "$f")" != 0 ] && status=1
done
if [ "$mode" = both ] && [ "$status" = 0 ]; then
    # successes of task $2 in the eval file $1
    task_successes() { grep -o "{\"task\":\"$2\"[^}]*}" "$1" | grep -o '"successes":[0-9]*' | cut -d: -f2; }
    printf '\n%-24s %8s %8s %8s\n' task single multi ratio
    for t in $MULTI_TASKS; do
        one=$(task_successes "$dir/$t.eval.json" "$t")
        many=$(task_successes "$dir/multi.eval.json" "$t")
        printf '%-24s %8s %8s %8s\n' "$t" "$one" "$many" \
            "$(awk "BEGIN { if ($one > 0) printf \"%.2f\", $many / $one; else print \"-\" }")"
    done
fi
exit $status
