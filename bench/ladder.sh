#!/bin/sh
# The validation ladder's speed: every seed task validated with K seeds
# (default 8, M = 4) against the whole seed library, one process per task,
# pinned to one core where taskset exists. Prints each task's wall time and
# the median, and checks the median against the 1 s target (exit 1 when over).
# Usage: bench/ladder.sh BUILD_DIR [K] [REPEATS]   (default 8, 3: a task's
# time is the best of REPEATS runs, so a busy moment on a shared machine does
# not count against it)
set -u
if [ $# -lt 1 ]; then
    echo "usage: bench/ladder.sh BUILD_DIR [K] [REPEATS]" >&2
    exit 2
fi
gensim="$1/gensim"
seeds=${2:-8}
repeats=${3:-3}
[ -x "$gensim" ] || { echo "bench: $gensim is missing: build first" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
target=1.0

times=""
printf '%-24s %8s  %s\n' task seconds result
for f in tasks/seed/*.lua; do
    name=$(basename "$f" .lua)
    best=""
    r=0
    while [ "$r" -lt "$repeats" ]; do
        t0=$(date +%s.%N)
        $pin "$gensim" validate "$f" --seeds "$seeds" --min-solved $(( (seeds + 1) / 2 )) --dir tasks/seed --quiet >/dev/null 2>&1
        status=$?
        t1=$(date +%s.%N)
        t=$(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }")
        best=$(awk "BEGIN { b = \"$best\"; print (b == \"\" || $t < b + 0) ? $t : b }")
        r=$((r + 1))
    done
    result=$([ "$status" = 0 ] && echo pass || echo "FAIL (status $status)")
    printf '%-24s %8s  %s\n' "$name" "$best" "$result"
    times="$times $best"
done
median=$(printf '%s\n' $times | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "median ${median} s per task (K=$seeds, ${pin:-unpinned}), target < ${target} s"
awk "BEGIN { exit !($median < $target) }" && echo "within the target" || { echo "OVER the target"; exit 1; }
