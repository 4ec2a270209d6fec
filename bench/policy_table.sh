#!/bin/sh
# The Transporter table (Zeng et al. 2020, Table 1) reproduced side by side:
# one policy per task, trained on gensim demos of the task and evaluated in
# closed loop on unseen seeds with the test split's colours. Builds nothing.
#
# Usage: bench/policy_table.sh BUILD_DIR [TASK:DEMOS[:SAMPLES]...]
#   With no cells: the ten tasks of the table at 100 demonstrations, then
#   block-insertion, towers-of-hanoi and stack-block-pyramid at 1, 10 and
#   1000. A cell names a task, its demonstrations and optionally its own
#   training samples (e.g. towers-of-hanoi:10:20000). The task is a seed
#   task (tasks/seed/TASK.lua) or one of the bench's own (bench/tasks/TASK.lua,
#   e.g. manipulating-rope-dropped: Ravens' rope, its start and its score),
#   which is trained and evaluated the same way, beside the paper's figure
#   for the task it varies.
#
#   TABLE_DIR      where everything goes (default out/policy-table); a run
#                  that is interrupted (Ctrl-C, a reboot) continues where it
#                  stopped when started again with the same TABLE_DIR: demos
#                  already recorded are kept, training resumes from its
#                  checkpoint, finished evaluations are not redone
#   TABLE_SAMPLES  training samples per policy (40000, the paper's budget:
#                  40K iterations of batch 1); steps = samples / batch
#   TABLE_BATCH    samples per step (4)
#   TABLE_EVAL     evaluation episodes per policy (100) with the test split's
#                  colours (four of its seven never seen in training, as
#                  CLIPort's unseen split), seeds from TABLE_EVAL_SEED
#                  (100000; demos are recorded from seed 0)
#   TABLE_EVAL_TRAIN  episodes with the training colours (50): unseen seeds
#                  only, as the Transporter paper evaluates
#   TABLE_JOBS     policies trained side by side (2): each takes the next
#                  cell not yet taken, in the order given
#   TABLE_WORKERS  threads each policy trains on (1; gensim train --workers:
#                  the checkpoint is the same bit for bit for every count).
#                  Give the machine's cores as TABLE_JOBS x TABLE_WORKERS:
#                  TABLE_JOBS=1 TABLE_WORKERS=2 trains one policy at a time
#                  on two cores, in about half the wall
#   TABLE_TRAIN    more gensim train flags for every policy (e.g. "--dilated 1",
#                  "--rotate-features 1", "--color-jitter 1")
#
# Prints, and writes to TABLE_DIR/table.md, one row per cell: in each split
# the success rate (episodes with total reward 1) and the score, the mean
# total reward over the episodes x 100, which is what the paper reports
# (Ravens' plot.py averages each test episode's total reward; partial credit
# counts, e.g. 3 of 5 kit pieces in place scores 60), beside the paper's
# figure for the same number of demonstrations, and the budget, width and
# wall time of the training run. Where our task is scored otherwise than
# Ravens' (palletizing-boxes: each box in its cell of the grid, against
# Ravens' every box inside a zone round the pallet; manipulating-rope: the
# whole rope one way round within 2.5 cm, against each bead either way
# within 2 cm), the same policy is evaluated on a bench task scored Ravens'
# way too (bench/tasks/TASK-ravens.lua), and gets a row of its own.
set -u
if [ $# -lt 1 ]; then
    echo "usage: bench/policy_table.sh BUILD_DIR [TASK[:DEMOS]...]" >&2
    exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: no build folder '$1'" >&2; exit 2; }
shift
root=$(cd "$(dirname "$0")/.." && pwd)
gensim="$build/gensim"
[ -x "$gensim" ] || { echo "bench: $gensim is missing: build first" >&2; exit 2; }
cd "$root" || exit 2
dir=${TABLE_DIR:-out/policy-table}
samples=${TABLE_SAMPLES:-40000}
batch=${TABLE_BATCH:-4}
episodes=${TABLE_EVAL:-100}
episodes_train=${TABLE_EVAL_TRAIN:-50}
eval_seed=${TABLE_EVAL_SEED:-100000}
jobs=${TABLE_JOBS:-2}
workers=${TABLE_WORKERS:-1}
extra=${TABLE_TRAIN:-}
mkdir -p "$dir" || exit 2
export OPENBLAS_NUM_THREADS=1

# paper TASK DEMOS: the paper's Table 1, success (%) at 1, 10, 100 and 1000
# demonstrations ("-" for other counts and tasks)
paper() {
    demos_given=$2
    case $1 in
    block-insertion) set -- 100.0 100.0 100.0 100.0 ;;
    place-red-in-green) set -- 84.5 100.0 100.0 100.0 ;;
    towers-of-hanoi | towers-of-hanoi-per-move) set -- 73.1 83.9 97.3 98.1 ;;
    align-box-corner) set -- 35.0 85.0 97.0 98.3 ;;
    stack-block-pyramid) set -- 13.3 42.2 56.2 78.5 ;;
    palletizing-boxes) set -- 63.2 77.4 91.7 97.9 ;;
    assembling-kits) set -- 28.4 78.6 90.4 94.6 ;;
    packing-boxes) set -- 56.8 58.3 72.1 81.3 ;;
    manipulating-rope | manipulating-rope-dropped) set -- 21.9 73.2 85.4 92.1 ;;
    sweeping-piles) set -- 52.4 74.4 71.5 96.1 ;;
    *) set -- - - - - ;;
    esac
    case $demos_given in 1) echo "$1" ;; 10) echo "$2" ;; 100) echo "$3" ;; 1000) echo "$4" ;; *) echo - ;; esac
}

TEN="block-insertion place-red-in-green align-box-corner towers-of-hanoi stack-block-pyramid
    palletizing-boxes assembling-kits packing-boxes manipulating-rope sweeping-piles"
if [ $# -gt 0 ]; then
    cells=$*
else
    cells=""
    for t in $TEN; do cells="$cells $t:100"; done
    for n in 1 10 1000; do
        for t in block-insertion towers-of-hanoi stack-block-pyramid; do cells="$cells $t:$n"; done
    done
fi

json_field() { grep -o "\"$2\":[-0-9.e+]*" "$1" | head -n 1 | cut -d: -f2; }

# cell_fields TASK:DEMOS[:SAMPLES]: "TASK DEMOS SAMPLES"
cell_fields() {
    echo "$1" | awk -F: -v s="$samples" '{ print $1, $2, ($3 == "" ? s : $3) }'
}

# task_file TASK: the seed task's file, else the bench's own task's
task_file() {
    if [ -f "tasks/seed/$1.lua" ]; then echo "tasks/seed/$1.lua"; else echo "bench/tasks/$1.lua"; fi
}

# record TASK N: $dir/TASK-N.h5, N demos from seed 0 (kept once complete)
record() {
    out="$dir/$1-$2.h5"
    [ -s "$out.done" ] && return 0
    "$gensim" demos "$(task_file "$1")" --episodes "$2" --seed 0 --out "$out" --force --quiet --json \
        >"$out.json" || return 1
    echo ok >"$out.done"
}

# cell TASK N SAMPLES: record, train (resuming), evaluate; every step skipped once done
cell() {
    t=$1 n=$2 steps=$(($3 / batch)) name="$dir/$1-$2"
    record "$t" "$n" || { echo "bench: recording $t ($n demos) failed" >&2; return 1; }
    if ! grep -q '"interrupted":false' "$name.train.json" 2>/dev/null; then
        # shellcheck disable=SC2086
        "$gensim" train "$dir/$t-$n.h5" --out "$name.st" --steps "$steps" --batch "$batch" --workers "$workers" \
            --log-every 250 --resume --json $extra >"$name.train.part" 2>"$name.train.log"
        s=$?
        # each run's wall time, an interrupted one's too: the cell's is their sum
        json_field "$name.train.part" wall_s >>"$name.walls"
        [ "$s" = 0 ] || { echo "bench: training $t ($n demos) stopped with status $s" >&2; return 1; }
        mv "$name.train.part" "$name.train.json"
    fi
    evaluate "$name" "$(task_file "$t")" "" || return 1
    # the task's scene and sentence scored as Ravens scores it, where ours
    # scores otherwise: the same policy, its own row
    ravens="bench/tasks/$t-ravens.lua"
    [ ! -f "$ravens" ] || evaluate "$name" "$ravens" .ravens || return 1
}

# evaluate NAME TASK_FILE TAG: NAME.st on unseen seeds of both splits, into
# NAME[TAG].eval-SPLIT.json (each kept once done)
evaluate() {
    for split in test train; do
        out="$1$3.eval-$split.json"
        [ -s "$out" ] && continue
        k=$episodes
        [ $split = train ] && k=$episodes_train
        "$gensim" eval --policy "$1.st" "$2" --episodes "$k" --seed "$eval_seed" \
            --split $split --json --quiet >"$1.eval.part" || { echo "bench: evaluating $2 failed" >&2; return 1; }
        mv "$1.eval.part" "$out"
    done
}

# result FILE: "success% (k/n) | score" of an eval's first task (score: the
# mean total reward x 100, the paper's measure)
result() {
    grep -o '{"task":"[^"]*"[^}]*}' "$1" | head -n 1 >"$1.obj"
    awk "BEGIN { printf \"%.0f%% (%d/%d) | %.1f\", $(json_field "$1.obj" success_rate) * 100, \
        $(json_field "$1.obj" successes), $(json_field "$1.obj" episodes), $(json_field "$1.obj" mean_reward) * 100 }"
}

# lane: takes the next cell nobody has taken (an atomic mkdir claims it),
# in the order given, until none is left
lane() {
    ok=0
    for c in $cells; do
        # shellcheck disable=SC2046 # a cell's fields are words
        set -- $(cell_fields "$c")
        mkdir "$dir/claims/$1-$2" 2>/dev/null || continue
        cell "$@" || ok=1
    done
    return $ok
}

status=0
pids=""
rm -rf "$dir/claims"
mkdir -p "$dir/claims" || exit 2
k=0
while [ $k -lt "$jobs" ]; do
    lane &
    pids="$pids $!"
    k=$((k + 1))
done
for p in $pids; do wait "$p" || status=1; done
rm -rf "$dir/claims"

# the table
{
    printf '| task | demos | success, test split | score, test split | success, train colours | score, train colours |'
    printf ' Transporter (paper) | samples | channels | train wall |\n'
    printf '|---|---|---|---|---|---|---|---|---|---|\n'
    for c in $cells; do
        # shellcheck disable=SC2046 # a cell's fields are words
        set -- $(cell_fields "$c")
        t=$1 n=$2 name="$dir/$1-$2"
        if [ -s "$name.eval-test.json" ] && [ -s "$name.eval-train.json" ]; then
            done_steps=$(json_field "$name.train.json" steps)
            wall=$(awk '{ s += $1 } END { printf "%.0f s", s }' "$name.walls" 2>/dev/null)
            w=$(json_field "$name.train.json" workers)
            [ "${w:-1}" -gt 1 ] && wall="$wall, $w workers"
            width=$(json_field "$name.train.json" channels)
            [ "$(json_field "$name.train.json" dilated)" = 1 ] && width="$width, dilated"
            [ "$(json_field "$name.train.json" rotate_features)" = 1 ] && width="$width, turned features"
            [ "$(json_field "$name.train.json" color_words)" = 1 ] && width="$width, colour words"
            grep -q '"color_jitter":true' "$name.train.json" && width="$width, colour jitter"
            printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$t" "$n" "$(result "$name.eval-test.json")" \
                "$(result "$name.eval-train.json")" "$(paper "$t" "$n")" \
                "$((done_steps * batch))" "$width" "$wall"
            [ -s "$name.ravens.eval-train.json" ] &&
                printf '| %s, scored as Ravens | %s | %s | %s | %s | (the same policy) | | |\n' "$t" "$n" \
                    "$(result "$name.ravens.eval-test.json")" "$(result "$name.ravens.eval-train.json")" "$(paper "$t" "$n")"
        else
            printf '| %s | %s | not run (see %s.train.log) | | | | %s | | | |\n' "$t" "$n" "$name" "$(paper "$t" "$n")"
        fi
    done
} >"$dir/table.md"
cat "$dir/table.md"
exit $status
