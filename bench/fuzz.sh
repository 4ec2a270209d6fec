#!/bin/sh
# Runs every fuzz target of a build for longer than CTest does and reports
# executions per second and what was found.
#
#   sh bench/fuzz.sh BUILD [SECONDS] [TARGET...]
#
# SECONDS per target (default 60); TARGET among dataset policy replay task
# pattern urdf obj (default all). A build configured with -DGS_LIBFUZZER=ON
# runs libFuzzer, any other the project's own driver (tests/fuzz/driver.c);
# the flags are the same. A finding ends a run; the next one starts with the
# next seed until the time is spent. Findings stay in BUILD/fuzz-bench/NAME/
# (crash-*, timeout-*, oom-*, leak-*; upstream-* are failures of libhdf5
# that the library contained), new inputs in BUILD/fuzz-bench/NAME/corpus.
# Exit status: 0 nothing of ours found, 1 a finding, 2 bad usage.
set -u
build=${1:?usage: sh bench/fuzz.sh BUILD [SECONDS] [TARGET...]}
seconds=${2:-60}
[ $# -ge 2 ] && shift 2 || shift $#
targets=${*:-dataset policy replay task pattern urdf obj}
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd) || exit 2
engine=driver
grep -q '^GS_LIBFUZZER:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null && engine=libfuzzer
found=0

printf '%-8s %-9s %8s %10s %9s  %s\n' target engine seconds runs exec/s findings
for name in $targets; do
    bin=$build/fuzz/fuzz_$name
    [ -x "$bin" ] || { echo "fuzz.sh: no $bin (build the fuzz targets first)" >&2; exit 2; }
    out=$build/fuzz-bench/$name
    mkdir -p "$out/corpus"
    rm -f "$out"/crash-* "$out"/timeout-* "$out"/oom-* "$out"/leak-* "$out"/upstream-* "$out"/slow-unit-*
    log=$out/log.txt
    : > "$log"
    start=$(date +%s)
    runs=0
    seed=1
    while :; do
        left=$((seconds - ($(date +%s) - start)))
        [ "$left" -gt 0 ] || break
        # libFuzzer adds what it finds to its first folder: a scratch one,
        # never the committed corpus
        if [ "$engine" = libfuzzer ]; then
            extra="-print_final_stats=1 $out/corpus"
        else
            extra="-keep=$out/corpus"
        fi
        nice -n 10 "$bin" -seed=$seed -max_total_time="$left" -timeout=30 -rss_limit_mb=2560 \
            -dict="$here/tests/fuzz/$name.dict" -artifact_prefix="$out/" $extra \
            "$here/tests/fuzz/corpus/$name" >> "$log" 2>&1
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        runs=$((runs + ${n:-0}))
        sed -i 's/^stat::number_of_executed_units:/(counted) units:/' "$log"
        seed=$((seed + 1))
    done
    secs=$(($(date +%s) - start))
    ours=$(cd "$out" && ls -d crash-* timeout-* oom-* leak-* 2>/dev/null | wc -l)
    upstream=$(cd "$out" && ls -d upstream-* 2>/dev/null | wc -l)
    [ "$ours" -gt 0 ] && found=1
    printf '%-8s %-9s %8d %10d %9d  %d of ours, %d contained (libhdf5)\n' "$name" "$engine" "$secs" "$runs" \
        $((runs / (secs > 0 ? secs : 1))) "$ours" "$upstream"
done
exit $found
