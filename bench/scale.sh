#!/bin/sh
# gensim demos over workers. Builds nothing.
# Usage: bench/scale.sh BUILD_DIR   (from anywhere; task paths are the repo's)
#
#   (a) place-red-in-green demonstrations with observations written to HDF5
#       at --jobs 1 and --jobs 2 (and 4, 8, ... up to the cores there are):
#       episodes/s, the speed-up over --jobs 1 and the efficiency
#       (speed-up / jobs); target >= 1.8x at --jobs 2 on 2 free cores
#   (b) a projection from the measured cost of one episode at --jobs 1: the
#       wall time of a 100-task x 1000-demonstration dataset on 1, 16 and
#       256 cores, at the efficiency measured at the most jobs here
#
# The settings take turns for BENCH_REPEAT rounds (default 3), each keeping
# its best; BENCH_EPISODES (default 300) episodes each, timed by the wall
# clock from the command's start. A reference line gives what two
# independent one-worker runs of half the episodes each reach together: the
# most two processes can get from this machine's two cores. The files of --jobs N must be
# the --jobs 1 file byte for byte (checked). Prints PASS or MISS; exits 0
# unless something failed to run.
set -u
if [ $# -ne 1 ]; then
    echo "usage: bench/scale.sh BUILD_DIR" >&2
    exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: no build folder '$1'" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
gensim="$build/gensim"
task=tasks/seed/place-red-in-green.lua
episodes=${BENCH_EPISODES:-300}
repeat=${BENCH_REPEAT:-3}
[ -x "$gensim" ] || { echo "bench: $gensim is missing: build first (cmake --build $1)" >&2; exit 2; }
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cores=$(nproc)

# wall_rate N CMD...: episodes/s of N episodes made by CMD, by the wall clock
wall_rate() {
    n=$1; shift
    t0=$(date +%s.%N)
    "$@" || return 1
    t1=$(date +%s.%N)
    awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { print n / (b - a) }'
}
demos() { # demos JOBS OUT EPISODES SEED
    rm -f "$2"
    "$gensim" demos "$task" --episodes "$3" --seed "$4" --out "$2" --jobs "$1" --quiet >/dev/null
}
# the reference: two independent one-worker runs of half the episodes each,
# started together: what two processes that share nothing get on this machine
pair() {
    half=$((episodes / 2))
    demos 1 "$tmp/pa.h5" "$half" 0 & a=$!
    demos 1 "$tmp/pb.h5" "$half" 100000 & b=$!
    wait "$a" && wait "$b"
}
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > a ? b : a) }'; }

# (a) episodes/s against jobs; the settings take turns, BENCH_REPEAT rounds,
# so a slow moment of a shared machine does not fall on one setting only
settings="1"
j=2
while [ "$j" -le "$cores" ] || [ "$j" = 2 ]; do settings="$settings $j"; j=$((j * 2)); done
r=0
while [ "$r" -lt "$repeat" ]; do
    for j in $settings; do
        e=$(wall_rate "$episodes" demos "$j" "$tmp/j$j.h5" "$episodes" 0) ||
            { echo "bench: gensim demos --jobs $j failed" >&2; exit 1; }
        eval "best_$j=\$(max \"\${best_$j:-0}\" \"\$e\")"
        [ "$j" = 1 ] || cmp -s "$tmp/j1.h5" "$tmp/j$j.h5" ||
            { echo "bench: the --jobs $j file is not the --jobs 1 file" >&2; exit 1; }
    done
    e=$(wall_rate "$episodes" pair) || { echo "bench: the independent pair failed" >&2; exit 1; }
    best_pair=$(max "${best_pair:-0}" "$e")
    r=$((r + 1))
done
one=$best_1
printf "(a) %d episodes of %s, best of %d rounds:\n" "$episodes" "$(basename "$task" .lua)" "$repeat"
printf "    --jobs 1: %.1f episodes/s\n" "$one"
last_eff=1 last_jobs=1
for j in $settings; do
    [ "$j" = 1 ] && continue
    eval "e=\$best_$j"
    target=""
    [ "$j" = 2 ] && target=$(awk -v a="$one" -v e="$e" -v c="$cores" 'BEGIN {
        v = (a > 0 && e / a >= 1.8) ? "PASS" : "MISS"
        if (c < 2) v = v " (one core here)"
        print ", target >= 1.80x: " v }')
    awk -v a="$one" -v e="$e" -v j="$j" -v t="$target" 'BEGIN {
        s = a > 0 ? e / a : 0
        printf "    --jobs %d: %.1f episodes/s, %.2fx, efficiency %.0f%%%s\n", j, e, s, 100 * s / j, t }'
    last_eff=$(awk -v a="$one" -v e="$e" -v j="$j" 'BEGIN { print (a > 0 ? e / a / j : 0) }')
    last_jobs=$j
done
awk -v a="$one" -v e="$best_pair" -v j2="$best_2" 'BEGIN {
    s = a > 0 ? e / a : 0
    printf "    reference, two independent --jobs 1 runs at once: %.1f episodes/s, %.2fx", e, s
    printf " (this machine'"'"'s ceiling for two processes; --jobs 2 reaches %.0f%% of it)\n", 100 * j2 / e }'

# (b) the projection
awk -v a="$one" -v f="$last_eff" -v j="$last_jobs" 'BEGIN {
    n = 100 * 1000
    printf "(b) 100 tasks x 1000 demonstrations (%d episodes) at %.3f s/episode on one core,", n, 1 / a
    printf " efficiency %.0f%% (measured at --jobs %d):\n", 100 * f, j
    split("1 16 256", c, " ")
    for (i = 1; i <= 3; i++) {
        k = c[i]; eff = k == 1 ? 1 : f
        s = n / (a * k * eff)
        printf "    %3d cores: %.1f h\n", k, s / 3600
    }
    print "    (place-red-in-green stands for every task; longer tasks scale the hours, not the efficiency)" }'
