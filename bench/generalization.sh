#!/bin/sh
# GenSim's experiment: does the generated task library help a policy on seed
# tasks it never saw? Five seed tasks are held out. Policy A trains on the
# other ten seed tasks, policy B on the same ten plus every usable task of the
# generated library, with the same total samples (same steps, same batch).
# Both are evaluated in closed loop on the test split's seeds and colours:
# zero-shot on the five held-out tasks, in domain on the ten. Builds nothing.
#
# Usage: bench/generalization.sh BUILD_DIR [OUT]   (OUT: out/generalization)
#
#   GEN_DEMOS     demonstrations per task, seed tasks and generated alike,
#                 recorded from seed 0 (100)
#   GEN_SAMPLES   training samples of each policy (40000); steps are
#                 GEN_SAMPLES / GEN_BATCH for both
#   GEN_BATCH     samples per step (4)
#   GEN_EVAL      evaluation episodes per policy and task (50), test split,
#                 seeds from GEN_EVAL_SEED (100000)
#   GEN_JOBS      processes side by side (2): A and B train one core each,
#                 the evaluations run in as many lanes, recording uses
#                 gensim demos --jobs GEN_JOBS
#   GEN_HELD_OUT  the five held-out seed tasks (put-block-in-bowl
#                 block-insertion stack-block-pyramid towers-of-hanoi
#                 palletizing-boxes: three multi-step)
#   GEN_IN_DOMAIN the ten training seed tasks (see SEEN below)
#   GEN_LIBRARY   the generated library's folder (tasks/generated)
#   GEN_TRAIN     more gensim train flags for both policies
#
# README.md's figures are the defaults (25 minutes on a two-core machine
# of its own, 19 of them training A and B side by side at 35 to 39
# samples/s each), with
#   GEN_TRAIN="--rotate-features 1 --color-words 1 --color-jitter 1"
# A small setting (about 45 minutes on two cores shared with other work):
#   GEN_DEMOS=20 GEN_SAMPLES=12000 GEN_EVAL=50 sh bench/generalization.sh build
#
# A generated task is used when one probe episode of its oracle has only
# pick-and-place and push steps (no drags of articulated objects: the
# policy cannot act them) and gensim train accepts that episode; one whose
# name is a seed task's is never used. OUT/library.md lists each task and why
# it was left out. Resumable: OUT keeps recorded demos, training continues
# from its checkpoint (same steps), finished evaluations are kept; delete a
# file to redo its piece. Prints, and writes to OUT/table.md, the table;
# OUT/bars.png is the chart (build/bench/plot_bars).
set -u
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: bench/generalization.sh BUILD_DIR [OUT]" >&2
    exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: no build folder '$1'" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
gensim="$build/gensim"
plot="$build/bench/plot_bars"
[ -x "$gensim" ] || { echo "bench: $gensim is missing: build first" >&2; exit 2; }
command -v h5dump >/dev/null || { echo "bench: h5dump (HDF5 tools) is needed" >&2; exit 2; }
if [ $# -eq 2 ]; then
    mkdir -p "$2" && dir=$(cd "$2" && pwd) || { echo "bench: cannot make '$2'" >&2; exit 2; }
else
    dir="$root/out/generalization"
fi
cd "$root" || exit 2
demos=${GEN_DEMOS:-100}
samples=${GEN_SAMPLES:-40000}
batch=${GEN_BATCH:-4}
episodes=${GEN_EVAL:-50}
eval_seed=${GEN_EVAL_SEED:-100000}
jobs=${GEN_JOBS:-2}
extra=${GEN_TRAIN:-}
library=${GEN_LIBRARY:-tasks/generated}
HELD=${GEN_HELD_OUT:-"put-block-in-bowl block-insertion stack-block-pyramid towers-of-hanoi palletizing-boxes"}
SEEN=${GEN_IN_DOMAIN:-"place-red-in-green align-box-corner stack-block-tower packing-boxes packing-boxes-pairs
    assembling-kits align-rope manipulating-rope separating-piles sweeping-piles"}
steps=$((samples / batch))
workers=1
[ "$jobs" = 1 ] && workers=2
mkdir -p "$dir/demos" "$dir/probe" "$dir/eval" || exit 2
export OPENBLAS_NUM_THREADS=1
started=$(date +%s)
# the wall time of every run of this folder, interrupted ones too
trap 'echo $(($(date +%s) - started)) >>"$dir/walls"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

json_field() { grep -o "\"$2\":[-0-9.e+]*" "$1" | head -n 1 | cut -d: -f2; }
say() { echo "bench: $*" >&2; }

# primitives FILE: every step's primitive of every episode, one per line
primitives() {
    n=$(json_field "$1.info" episodes)
    args=""
    e=0
    while [ "$e" -lt "${n:-0}" ]; do
        args="$args -d /episodes/$(printf %06d "$e")/primitive"
        e=$((e + 1))
    done
    # shellcheck disable=SC2086
    h5dump -y $args "$1" | sed -n '/DATA {/,/}/p' | grep -v '[{}]' | tr ', ' '\n\n' | grep .
}

# probe NAME PATH: "yes" or "no: why" in $dir/probe/NAME.usable (kept)
probe() {
    pu="$dir/probe/$1.usable" ph="$dir/probe/$1.h5"
    [ -s "$pu" ] && return 0
    if ! "$gensim" demos "$2" --episodes 1 --max-attempts 5 --seed 0 --out "$ph" --force --quiet \
        >/dev/null 2>"$ph.log"; then
        echo "no: the oracle solved none of 5 attempts ($(head -c 160 "$ph.log" | tr '\n' ' '))" >"$pu"
        return 0
    fi
    "$gensim" demos --info "$ph" --json >"$ph.info" 2>/dev/null
    if primitives "$ph" | grep -qv '^[01]$'; then
        echo "no: drags an articulated object" >"$pu"
    elif ! "$gensim" train "$ph" --out "$dir/probe/$1.st" --steps 1 --batch 1 --val-fraction 0 --workers 1 \
        --quiet --json >/dev/null 2>"$ph.log"; then
        echo "no: gensim train refuses it ($(head -c 160 "$ph.log" | tr '\n' ' '))" >"$pu"
    else
        echo yes >"$pu"
    fi
    rm -f "$dir/probe/$1.st" "$dir/probe/$1.csv" "$dir/probe/$1.png"
}

# record NAME PATH: $dir/demos/NAME.h5, $demos episodes from seed 0; a task
# whose oracle fails too often keeps what it recorded (status 3)
record() {
    out="$dir/demos/$1.h5"
    [ -s "$out.done" ] && return 0
    how=--force
    [ -e "$out.state.json" ] && how=--resume
    "$gensim" demos "$2" --episodes "$demos" --seed 0 --out "$out" $how --jobs "$jobs" --quiet --json \
        >"$out.json" 2>"$out.log"
    s=$?
    case $s in
    0) echo ok >"$out.done" ;;
    3) [ -s "$out" ] && echo short >"$out.done" || { echo failed >"$out.done"; return 1; } ;;
    *) say "recording $1 stopped with status $s (see $out.log)"; exit 1 ;;
    esac
}

# the library: $dir/library.txt, the generated tasks used; library.md, all
library() {
    : >"$dir/library.txt"
    printf '| generated task | used |\n|---|---|\n' >"$dir/library.md"
    for f in "$library"/*.lua; do
        name=$(basename "$f" .lua)
        case " $HELD $SEEN " in *" $name "*) echo "| $name | no: a seed task's name |" >>"$dir/library.md"; continue ;; esac
        if grep -q 'control *= *"continuous"' "$f"; then
            echo "| $name | no: continuous control |" >>"$dir/library.md"
            continue
        fi
        probe "$name" "$f"
        if [ "$(cat "$dir/probe/$name.usable")" = yes ] && record "$name" "$f" &&
            [ "$(json_field "$dir/demos/$name.h5.json" episodes)" != 0 ]; then
            echo "$name" >>"$dir/library.txt"
            echo "| $name | yes ($(json_field "$dir/demos/$name.h5.json" episodes) demos) |" >>"$dir/library.md"
        else
            why=$(cat "$dir/probe/$name.usable")
            [ "$why" = yes ] && why="no: no episode recorded"
            echo "| $name | $why |" >>"$dir/library.md"
        fi
    done
}

# train NAME FILES...: $dir/NAME.st, its summary in $dir/NAME.train.json
train() {
    name=$1
    shift
    grep -q '"interrupted":false' "$dir/$name.train.json" 2>/dev/null && return 0
    # shellcheck disable=SC2086
    "$gensim" train "$@" --out "$dir/$name.st" --steps "$steps" --batch "$batch" --workers "$workers" \
        --log-every 100 --resume --json $extra >"$dir/$name.train.part" 2>"$dir/$name.train.log"
    s=$?
    json_field "$dir/$name.train.part" wall_s >>"$dir/$name.walls"
    [ "$s" = 0 ] || { say "training $name stopped with status $s (see $dir/$name.train.log)"; return 1; }
    mv "$dir/$name.train.part" "$dir/$name.train.json"
}

# lane: evaluates the (policy, task) pairs nobody has claimed yet
lane() {
    ok=0
    for p in A B; do
        for t in $HELD $SEEN; do
            out="$dir/eval/$p-$t.json"
            [ -s "$out" ] && continue
            mkdir "$dir/claims/$p-$t" 2>/dev/null || continue
            "$gensim" eval --policy "$dir/$p.st" "tasks/seed/$t.lua" --episodes "$episodes" --seed "$eval_seed" \
                --split test --json --quiet >"$out.part" 2>"$out.log" && mv "$out.part" "$out" ||
                { say "evaluating $p on $t failed (see $out.log)"; ok=1; }
        done
    done
    return $ok
}

# parallel FUNCTION: $jobs copies side by side; fails when one does
parallel() {
    pids="" st=0 k=0
    rm -rf "$dir/claims" && mkdir -p "$dir/claims" || exit 2
    while [ $k -lt "$jobs" ]; do
        "$1" &
        pids="$pids $!"
        k=$((k + 1))
    done
    for p in $pids; do wait "$p" || st=1; done
    rm -rf "$dir/claims"
    return $st
}

# 1. demonstrations: the fifteen seed tasks, then the library
seed_files=""
for t in $SEEN; do
    record "$t" "tasks/seed/$t.lua" || { say "no demonstrations of $t"; exit 1; }
    seed_files="$seed_files $dir/demos/$t.h5"
done
library
lib_files=""
for t in $(cat "$dir/library.txt"); do lib_files="$lib_files $dir/demos/$t.h5"; done
used=$(wc -l <"$dir/library.txt" | tr -d ' ')
say "$used generated tasks used of $(ls "$library"/*.lua | wc -l | tr -d ' ') (see $dir/library.md)"

# 2. the two policies, side by side
# shellcheck disable=SC2086
if [ "$jobs" = 1 ]; then
    train A $seed_files && train B $seed_files $lib_files || exit 1
else
    train A $seed_files &
    apid=$!
    train B $seed_files $lib_files || { wait $apid; exit 1; }
    wait $apid || exit 1
fi

# 3. evaluation: every policy on every task
parallel lane || exit 1

# 4. the table, its means and the chart
# cell FILE: "success%|mean reward" of an eval's first task, as numbers
cell() {
    grep -o '{"task":"[^"]*"[^}]*}' "$1" | head -n 1 >"$1.obj"
    echo "$(json_field "$1.obj" successes) $(json_field "$1.obj" episodes) $(json_field "$1.obj" mean_reward)"
}
rows() {
    for t in $HELD; do echo "$t held-out $(cell "$dir/eval/A-$t.json") $(cell "$dir/eval/B-$t.json")"; done
    for t in $SEEN; do echo "$t in-domain $(cell "$dir/eval/A-$t.json") $(cell "$dir/eval/B-$t.json")"; done
}
rows >"$dir/rows.txt"
wall=$(($(awk '{ s += $1 } END { printf "%d", s }' "$dir/walls" 2>/dev/null || echo 0) + $(date +%s) - started))
{
    echo "Held out: $HELD. Policy A: the other $(echo $SEEN | wc -w | tr -d ' ') seed tasks; B: those and $used generated tasks."
    echo "$demos demos per task; $((steps * batch)) samples each ($steps steps of $batch); $episodes test-split episodes per task from seed $eval_seed; $wall s in all."
    echo
    echo '| task | set | A success | A mean reward | B success | B mean reward |'
    echo '|---|---|---|---|---|---|'
    awk '{ printf "| %s | %s | %.0f%% (%d/%d) | %.3f | %.0f%% (%d/%d) | %.3f |\n",
               $1, $2, 100 * $3 / $4, $3, $4, $5, 100 * $6 / $7, $6, $7, $8 }' "$dir/rows.txt"
    for set in held-out in-domain; do
        awk -v s=$set '$2 == s { n++; a += $3 / $4; ra += $5; b += $6 / $7; rb += $8 }
            END { printf "| **mean, %s** | | **%.1f%%** | %.3f | **%.1f%%** | %.3f |\n",
                  s, 100 * a / n, ra / n, 100 * b / n, rb / n }' "$dir/rows.txt"
    done
} >"$dir/table.md"
{
    echo "label,A: 10 seed tasks,B: + $used generated"
    echo "#held out (zero-shot)"
    awk '$2 == "held-out" { printf "%s,%g,%g\n", $1, $3 / $4, $6 / $7 }' "$dir/rows.txt"
    awk '$2 == "held-out" { n++; a += $3 / $4; b += $6 / $7 } END { printf "mean held out,%g,%g\n", a / n, b / n }' \
        "$dir/rows.txt"
    echo "#in domain"
    awk '$2 == "in-domain" { printf "%s,%g,%g\n", $1, $3 / $4, $6 / $7 }' "$dir/rows.txt"
    awk '$2 == "in-domain" { n++; a += $3 / $4; b += $6 / $7 } END { printf "mean in domain,%g,%g\n", a / n, b / n }' \
        "$dir/rows.txt"
} >"$dir/bars.csv"
cat "$dir/table.md"
if [ -x "$plot" ]; then
    "$plot" "$dir/bars.png" "Success, test split ($episodes episodes per task)" "$dir/bars.csv" &&
        echo "chart: $dir/bars.png"
else
    say "$plot is missing: no chart (build the bench programs)"
fi
