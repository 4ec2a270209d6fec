#!/bin/sh
# gensim demos on one core. Builds nothing.
# Usage: bench/demos.sh BUILD_DIR   (from anywhere; task paths are the repo's)
#
#   (a) place-red-in-green demonstrations with observations written to HDF5,
#       episodes per second on one core (taskset)             target >= 10
#   (b) peak RSS of 20, 100 and 500 episodes: flat, because each episode is
#       written as it finishes                                 target: 500 within
#                                                              8 MB of 20
#
# (a) runs BENCH_REPEAT times (default 3) and keeps the best, so a busy
# machine hurts less; BENCH_EPISODES (default 50) episodes each, on core
# BENCH_CORE (default 0). Prints PASS or MISS per target; exits 0 unless
# something failed to run.
set -u
if [ $# -ne 1 ]; then
    echo "usage: bench/demos.sh BUILD_DIR" >&2
    exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: no build folder '$1'" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
gensim="$build/gensim"
task=tasks/seed/place-red-in-green.lua
episodes=${BENCH_EPISODES:-50}
repeat=${BENCH_REPEAT:-3}
core=${BENCH_CORE:-0}
[ -x "$gensim" ] || { echo "bench: $gensim is missing: build first (cmake --build $1)" >&2; exit 2; }
for tool in taskset /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (scripts/setup-debian.sh)" >&2; exit 2; }
done
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pin="taskset -c $core"

# (a) episodes per second
best=0 bytes=0
i=0
while [ "$i" -lt "$repeat" ]; do
    rm -f "$tmp/a.h5"
    out=$($pin "$gensim" demos "$task" --episodes "$episodes" --out "$tmp/a.h5" --quiet --json) ||
        { echo "bench: gensim demos failed" >&2; exit 1; }
    eps=$(echo "$out" | sed -n 's/.*"episodes_per_s":\([0-9.eE+-]*\).*/\1/p')
    bytes=$(echo "$out" | sed -n 's/.*"bytes":\([0-9.eE+]*\).*/\1/p')
    best=$(awk -v a="$best" -v b="$eps" 'BEGIN { print (b > a ? b : a) }')
    i=$((i + 1))
done
verdict=$(awk -v e="$best" 'BEGIN { print (e >= 10 ? "PASS" : "MISS") }')
awk -v e="$best" -v n="$episodes" -v b="$bytes" -v v="$verdict" -v c="$core" 'BEGIN {
    printf "(a) %s: %.1f episodes/s on core %d (%d episodes with observations, %.1f MB, %.0f KB/episode), target >= 10\n",
           v, e, c, n, b / 1e6, b / n / 1e3 }'

# (b) peak memory against episode count
rss() {
    rm -f "$tmp/m.h5"
    /usr/bin/time -f "%M" -o "$tmp/time" $pin "$gensim" demos "$task" --episodes "$1" --out "$tmp/m.h5" --quiet >/dev/null ||
        { echo "bench: gensim demos --episodes $1 failed" >&2; exit 1; }
    tail -n 1 "$tmp/time"
}
r20=$(rss 20) r100=$(rss 100) r500=$(rss 500)
verdict=$(awk -v a="$r20" -v b="$r500" 'BEGIN { print (b - a <= 8192 ? "PASS" : "MISS") }')
awk -v a="$r20" -v b="$r100" -v c="$r500" -v v="$verdict" 'BEGIN {
    printf "(b) %s: peak RSS %.1f MB for 20 episodes, %.1f MB for 100, %.1f MB for 500 (target: 500 within 8 MB of 20)\n",
           v, a / 1024, b / 1024, c / 1024 }'
