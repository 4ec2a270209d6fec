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
# Each setting runs BENCH_REPEAT times (default 3) and keeps the best;
# BENCH_EPISODES (default 60) episodes each. The files of --jobs N must be
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
episodes=${BENCH_EPISODES:-60}
repeat=${BENCH_REPEAT:-3}
[ -x "$gensim" ] || { echo "bench: $gensim is missing: build first (cmake --build $1)" >&2; exit 2; }
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cores=$(nproc)

# best JOBS: the best episodes/s of BENCH_REPEAT runs at --jobs JOBS
best() {
    b=0 i=0
    while [ "$i" -lt "$repeat" ]; do
        rm -f "$tmp/j$1.h5"
        out=$("$gensim" demos "$task" --episodes "$episodes" --out "$tmp/j$1.h5" --jobs "$1" --quiet --json) ||
            { echo "bench: gensim demos --jobs $1 failed" >&2; exit 1; }
        eps=$(echo "$out" | sed -n 's/.*"episodes_per_s":\([0-9.eE+-]*\).*/\1/p')
        b=$(awk -v a="$b" -v e="${eps:-0}" 'BEGIN { print (e > a ? e : a) }')
        i=$((i + 1))
    done
    echo "$b"
}

# (a) episodes/s against jobs
one=$(best 1) || exit 1
printf "(a) --jobs 1: %.1f episodes/s\n" "$one"
jobs=2 last_eff=1 last_jobs=1
while [ "$jobs" -le "$cores" ] || [ "$jobs" = 2 ]; do
    e=$(best "$jobs") || exit 1
    cmp -s "$tmp/j1.h5" "$tmp/j$jobs.h5" || { echo "bench: the --jobs $jobs file is not the --jobs 1 file" >&2; exit 1; }
    target=""
    [ "$jobs" = 2 ] && target=$(awk -v a="$one" -v e="$e" -v c="$cores" 'BEGIN {
        v = (a > 0 && e / a >= 1.8) ? "PASS" : "MISS"
        if (c < 2) v = v " (one core here)"
        print ", target >= 1.80x: " v }')
    awk -v a="$one" -v e="$e" -v j="$jobs" -v t="$target" 'BEGIN {
        s = a > 0 ? e / a : 0
        printf "    --jobs %d: %.1f episodes/s, %.2fx, efficiency %.0f%%%s\n", j, e, s, 100 * s / j, t }'
    last_eff=$(awk -v a="$one" -v e="$e" -v j="$jobs" 'BEGIN { print (a > 0 ? e / a / j : 0) }')
    last_jobs=$jobs
    jobs=$((jobs * 2))
done

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
