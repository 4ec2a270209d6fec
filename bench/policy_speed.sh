#!/bin/sh
# The policy's speed, C against the same network in PyTorch, on one core and
# on two. Builds nothing. Usage: bench/policy_speed.sh BUILD_DIR
#
#   act      ms per pick-and-place decision (attention, 36 rotated crops,
#            correlation, both arg-maxes), one thread
#   train    samples/s at batch POLICY_BATCH (default 4): forward, backward,
#            Adam. "network" is build/bench/policy_speed (the network
#            alone); "gensim train" a short run of the command (data
#            loading and augmentation included). One core: pinned to core
#            POLICY_CORE (default 0), one worker, one thread. Two cores:
#            gensim train's default (one worker per core, each batch split
#            over them), and for comparison --workers 1 --threads 2
#            (OpenBLAS splitting each matrix product); PyTorch with
#            torch.set_num_threads(2).
#   today    with POLICY_BASELINE=DIR, DIR/gensim (an earlier build, e.g.
#            the one before a change) trains on one pinned core in the same
#            rounds, and the two-core figure is also given as a multiple of it;
#            it records its own dataset, from POLICY_BASELINE_TASK (default
#            the repository's place-red-in-green, which an old build may not
#            load: give the old checkout's copy)
#   rotate   the same gensim train and PyTorch figures with
#            --rotate-features 1 (the query stream run once, its features
#            turned), and two cores against today's one core with it
#   RSS      peak resident memory of gensim eval acting in closed loop for
#            one episode (physics and task included)     target <= 200 MB
#
# Every figure is the median of POLICY_ROUNDS (default 3) rounds, each round
# measuring everything once, one after another, so a load that comes and
# goes touches every column alike. The machine should be otherwise idle
# (uptime is printed first and last). PyTorch is Debian's python3-torch
# (/usr/bin/python3). Exits 0 unless something failed to run.
set -u
if [ $# -ne 1 ]; then
    echo "usage: bench/policy_speed.sh BUILD_DIR" >&2
    exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: no build folder '$1'" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
gensim="$build/gensim"
speed="$build/bench/policy_speed"
batch=${POLICY_BATCH:-4}
reps=${POLICY_REPS:-5}
rounds=${POLICY_ROUNDS:-3}
core=${POLICY_CORE:-0}
baseline=${POLICY_BASELINE:-}
[ -x "$gensim" ] || { echo "bench: $gensim is missing: build first" >&2; exit 2; }
[ -x "$speed" ] || { echo "bench: $speed is missing: build first" >&2; exit 2; }
[ -z "$baseline" ] || [ -x "$baseline/gensim" ] || { echo "bench: no $baseline/gensim" >&2; exit 2; }
for tool in taskset /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing" >&2; exit 2; }
done
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
pin="taskset -c $core"
both="taskset -c 0,1"
json_field() { grep -o "\"$2\": *[-0-9.e+]*" "$1" | head -n 1 | sed 's/.*: *//'; }
status=0
echo "before: $(uptime)"

# gensim train end to end: 2 warm-up steps, then 30 timed ones; prints samples/s.
# Every observation of the small dataset is drawn, and so read and cached,
# in the first few steps, as in any long run.
# e2e LABEL GENSIM PREFIX ARGS...
e2e() {
    label=$1 bin=$2 prefix=$3
    shift 3
    rm -f "$tmp/m-$label"*
    $prefix "$bin" train "$data" --out "$tmp/m-$label" --steps 2 --batch "$batch" --quiet "$@" >/dev/null ||
        { status=1; return; }
    $prefix "$bin" train "$data" --out "$tmp/m-$label" --steps 32 --batch "$batch" --resume --json --quiet "$@" \
        >"$tmp/t.json" || { status=1; return; }
    v=$(json_field "$tmp/t.json" samples_per_s)
    [ -n "$v" ] && echo "$v" >>"$tmp/$label"
}

# net LABEL PREFIX ARGS...: the network alone; samples/s (and act ms)
net() {
    label=$1 prefix=$2
    shift 2
    $prefix "$speed" --reps "$reps" --batch "$batch" "$@" >"$tmp/c.json" || { status=1; return; }
    ms=$(json_field "$tmp/c.json" train_ms_per_sample)
    [ -n "$ms" ] && awk "BEGIN { print 1000 / $ms }" >>"$tmp/$label"
    [ "$label" = net1 ] && json_field "$tmp/c.json" act_ms >>"$tmp/act_c"
    json_field "$tmp/c.json" parameters >"$tmp/params_c"
}

# torch LABEL PREFIX THREADS
torch() {
    label=$1 prefix=$2 threads=$3
    shift 3
    $prefix /usr/bin/python3 bench/policy_torch.py --batch "$batch" --reps "$reps" --threads "$threads" "$@" >"$tmp/py.json" ||
        { status=1; return; }
    json_field "$tmp/py.json" train_samples_per_s >>"$tmp/$label"
    [ "$label" = py1 ] && json_field "$tmp/py.json" act_ms >>"$tmp/act_py"
    json_field "$tmp/py.json" parameters >"$tmp/params_py"
}

"$gensim" demos tasks/seed/place-red-in-green.lua --episodes 10 --out "$tmp/d.h5" --quiet >/dev/null || status=1
# the baseline trains on a dataset its own gensim recorded (the format may differ)
[ -z "$baseline" ] || "$baseline/gensim" demos "${POLICY_BASELINE_TASK:-tasks/seed/place-red-in-green.lua}" --episodes 10 \
    --out "$tmp/d-base.h5" --quiet >/dev/null || status=1
data="$tmp/d.h5"
r=0
while [ $r -lt "$rounds" ]; do
    net net1 "$pin" --threads 1 --workers 1
    net net2 "$both" --threads 1 --workers 2
    e2e e2e1 "$gensim" "$pin" --workers 1 --threads 1
    e2e e2e2 "$gensim" "$both"
    e2e e2eblas "$gensim" "$both" --workers 1 --threads 2
    if [ -n "$baseline" ]; then
        data="$tmp/d-base.h5"
        e2e today "$baseline/gensim" "$pin" --threads 1
        data="$tmp/d.h5"
    fi
    torch py1 "$pin" 1
    torch py2 "$both" 2
    e2e rf1 "$gensim" "$pin" --workers 1 --threads 1 --rotate-features 1
    e2e rf2 "$gensim" "$both" --rotate-features 1
    torch pyrf1 "$pin" 1 --rotate-features 1
    torch pyrf2 "$both" 2 --rotate-features 1
    r=$((r + 1))
done

# C: peak RSS of closed-loop inference
/usr/bin/time -v $pin "$gensim" eval --policy "$tmp/m-e2e1" tasks/seed/place-red-in-green.lua --episodes 1 --quiet \
    >/dev/null 2>"$tmp/rss" || status=1
rss_kb=$(grep "Maximum resident set size" "$tmp/rss" | awk '{print $NF}')
rss_mb=$(awk "BEGIN { printf \"%.1f\", ${rss_kb:-0} / 1024 }")

# median FILE: the middle value of the file's lines, "-" when there are none
median() {
    [ -s "$tmp/$1" ] || { echo "-"; return; }
    sort -g "$tmp/$1" | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m }'
}
ratio() {
    case "$1$2" in *-*|'') echo "-"; return ;; esac
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'
}

echo "after:  $(uptime)"
printf '\nbatch %s, median of %s rounds        %14s %14s\n' "$batch" "$rounds" "one core" "two cores"
printf '%-38s %14s %14s\n' "parameters (C / PyTorch)" "$(cat "$tmp/params_c" 2>/dev/null)" "$(cat "$tmp/params_py" 2>/dev/null)"
printf '%-38s %14s %14s\n' "act, ms per decision, C" "$(median act_c)" "-"
printf '%-38s %14s %14s\n' "act, ms per decision, PyTorch" "$(median act_py)" "-"
printf '%-38s %14s %14s\n' "train samples/s, C network" "$(median net1)" "$(median net2)"
printf '%-38s %14s %14s\n' "train samples/s, C gensim train" "$(median e2e1)" "$(median e2e2)"
printf '%-38s %14s %14s\n' "  the same, --workers 1 --threads 2" "-" "$(median e2eblas)"
printf '%-38s %14s %14s\n' "train samples/s, PyTorch" "$(median py1)" "$(median py2)"
printf '%-38s %14s %14s\n' "--rotate-features 1: gensim train" "$(median rf1)" "$(median rf2)"
printf '%-38s %14s %14s\n' "--rotate-features 1: PyTorch" "$(median pyrf1)" "$(median pyrf2)"
[ -n "$baseline" ] && printf '%-38s %14s %14s\n' "train samples/s, today's gensim train" "$(median today)" "-"
printf '\n%-52s %s\n' "C gensim train, two cores / one core:" "$(ratio "$(median e2e2)" "$(median e2e1)")"
[ -n "$baseline" ] && printf '%-52s %s\n' "C gensim train, two cores / today's one core:" "$(ratio "$(median e2e2)" "$(median today)")"
printf '%-52s %s\n' "C gensim train, two cores / PyTorch two threads:" "$(ratio "$(median e2e2)" "$(median py2)")"
printf '%-52s %s\n' "C network, two cores / PyTorch two threads:" "$(ratio "$(median net2)" "$(median py2)")"
[ -n "$baseline" ] && printf '%-52s %s\n' "--rotate-features 1, two cores / today's one core:" "$(ratio "$(median rf2)" "$(median today)")"
printf '%-52s %s\n' "--rotate-features 1, two cores / one core:" "$(ratio "$(median rf2)" "$(median rf1)")"
printf '%-52s %s\n' "--rotate-features 1, two cores / PyTorch's, two:" "$(ratio "$(median rf2)" "$(median pyrf2)")"
verdict=$(awk "BEGIN { print ($rss_mb <= 200) ? \"PASS\" : \"MISS\" }")
printf '%-52s %s MB %s (target <= 200 MB)\n' "peak RSS, gensim eval:" "$rss_mb" "$verdict"
exit $status
