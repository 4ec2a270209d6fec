#!/bin/sh
# The performance targets, measured in one go on one core. Builds nothing.
# Usage: bench/run.sh BUILD_DIR   (from anywhere; task paths are the repo's)
#
#   (a) place-red-in-green oracle episodes per second     target >= 20
#   (b) one simulated step of gensim-run against a bare Bullet program
#       stepping the same bodies (bench/bare_bullet replaying a trace of
#       the same episodes)                                 target <= 1.3x
#   (c) peak memory of a 100-episode run                   target < 100 MB
#   (d) episodes per second of the other seed tasks       no target
#   (e) the sandbox's cost per call into a task (a reward) beside one
#       simulated step (bench/sandbox_cost)                target: a small
#       fraction of a step; a call is made once per action, of hundreds
#   (f) articulated: put-block-in-drawer's step against bare Bullet
#       replaying the same bodies and joints (hinges and sliders with
#       their friction motors), and its episodes per second; then
#       bench/joints_compare, constraints against Bullet's multibodies,
#       the physics layer's choice                         target <= 1.3x
#
# (a) and (b) alternate gensim-run and bare_bullet BENCH_REPEAT times
# (default 3) and keep each one's best, so a busy machine hurts both alike.
# The traced run is separate from the timed ones, and must end with the same
# digest, so tracing neither slows nor changes what is timed. Prints PASS or
# MISS per target; exits 0 unless something failed to run.
set -u
if [ $# -ne 1 ]; then
    echo "usage: bench/run.sh BUILD_DIR" >&2
    exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: no build folder '$1'" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
run="$build/gensim-run"
bare="$build/bench/bare_bullet"
episodes=${BENCH_EPISODES:-200}
repeat=${BENCH_REPEAT:-3}
for exe in "$run" "$bare"; do
    [ -x "$exe" ] || { echo "bench: $exe is missing: build first (cmake --build $1)" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

die() { echo "bench: $*" >&2; exit 1; }
# field JSON NAME: a number or string field of gensim-run's flat JSON line
field() { printf '%s\n' "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p"; }
# value FILE NAME: the first word after NAME in bare_bullet's report
value() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# least SO_FAR X: the smaller, SO_FAR empty at first
least() { if [ -z "$1" ]; then echo "$2"; else awk -v a="$1" -v b="$2" 'BEGIN { print ((b + 0 < a + 0) ? b : a) }'; fi; }
verdict() { awk "BEGIN { print ($1) ? \"PASS\" : \"MISS\" }"; }
# gensim TASK N [FLAGS]: one pinned run, its JSON on stdout
gensim() {
    task=$1 n=$2
    shift 2
    (cd "$root" && $pin "$run" "tasks/seed/$task.lua" --episodes "$n" --json "$@") 2>"$tmp/err" ||
        die "gensim-run $task failed: $(head -n 3 "$tmp/err")"
}

pin=""
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
    pin="taskset -c 0"
    where="pinned to CPU 0 (taskset)"
else
    where="NOT pinned: taskset is missing or refused"
fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "gensim benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "build     $build"
echo "cpu       ${cpu:-unknown}, $where"
echo "runs      $episodes episodes, seeds 0..$((episodes - 1)); (a)/(b) best of $repeat"
echo

# ---- the trace: a separate run, so its writing costs the timed runs nothing
trace="$tmp/place-red-in-green.trace"
traced=$(gensim place-red-in-green "$episodes" --trace "$trace") || exit 1

# ---- (a) and (b), alternating
best_wall="" best_step="" best_replay=""
echo "(a, b) place-red-in-green, $episodes episodes"
printf '  %-4s %12s %12s %15s %18s\n' run "gensim wall" "episodes/s" "bare stepping" "bare whole replay"
i=1
while [ "$i" -le "$repeat" ]; do
    out=$(gensim place-red-in-green "$episodes") || exit 1
    wall=$(field "$out" wall_s)
    $pin "$bare" "$trace" >"$tmp/bare" 2>"$tmp/err" ||
        die "bare_bullet failed: $(head -n 3 "$tmp/err")"
    step_s=$(value "$tmp/bare" step_s)
    replay_s=$(value "$tmp/bare" replay_s)
    printf '  %-4s %10.3f s %12.1f %13.3f s %16.3f s\n' "$i" "$wall" \
        "$(calc %.3f "$episodes / $wall")" "$step_s" "$replay_s"
    best_wall=$(least "$best_wall" "$wall")
    best_step=$(least "$best_step" "$step_s")
    best_replay=$(least "$best_replay" "$replay_s")
    i=$((i + 1))
done
digest=$(field "$out" digest)
sim_steps=$(field "$out" sim_steps)
successes=$(field "$out" successes)
steps=$(value "$tmp/bare" steps)
if [ -z "$steps" ] || [ "$steps" -le 0 ]; then die "bare_bullet replayed no steps"; fi
eps=$(calc %.1f "$episodes / $best_wall")
gensim_us=$(calc %.3f "1e6 * $best_wall / $steps")
bare_us=$(calc %.3f "1e6 * $best_step / $steps")
replay_us=$(calc %.3f "1e6 * $best_replay / $steps")
ratio=$(calc %.2f "$best_wall / $best_step")
echo
echo "(a) oracle episodes per second, one core"
printf '  %-44s %10s   %-10s %s\n' "place-red-in-green ($successes/$episodes solved)" "$eps" ">= 20" \
    "$(verdict "$eps >= 20")"
echo
echo "(b) cost of one simulated step, $steps steps both sides"
printf '  %-44s %10s\n' "" "us/step"
printf '  %-44s %10s\n' "gensim-run, whole run (Lua, oracle, scoring," "$gensim_us"
echo "    scene setup, task load: wall_s / steps)"
printf '  %-44s %10s\n' "bare Bullet, stepSimulation only" "$bare_us"
printf '  %-44s %10s   %-10s %s\n' "ratio" "${ratio}x" "<= 1.30x" "$(verdict "$ratio <= 1.3")"
printf '  %-44s %10s\n' "bare Bullet, whole replay (worlds, bodies," "$replay_us"
echo "    poses, welds, steps, teardown)"
echo "  steps: gensim-run reports sim_steps $sim_steps; the trace holds $steps, the"
echo "  difference being the settling inside each reset, which both sides pay"
echo
echo "  replay fidelity (final poses the replay reaches vs those gensim-run traced)"
awk '$1 ~ /^(worlds|bodies|calls|identical|max_pos_diff|max_rot_diff)$/ {
    k = $1; sub(/^[a-z_]+ +/, ""); printf "    %-13s %s\n", k, $0 }' "$tmp/bare"
traced_digest=$(field "$traced" digest)
if [ "$traced_digest" = "$digest" ]; then
    echo "    traced run digest $traced_digest = timed runs' digest: tracing changed nothing"
else
    echo "    WARNING: traced run digest $traced_digest != timed runs' digest $digest"
fi
echo

# ---- (c)
echo "(c) peak memory, place-red-in-green, 100 episodes"
if [ -x /usr/bin/time ]; then
    (cd "$root" && /usr/bin/time -v "$run" tasks/seed/place-red-in-green.lua --episodes 100 --quiet) \
        >/dev/null 2>"$tmp/time" || die "gensim-run under /usr/bin/time failed: $(head -n 3 "$tmp/time")"
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$tmp/time")
    [ -n "$kb" ] || die "/usr/bin/time -v printed no maximum resident set size"
    mb=$(calc %.1f "$kb / 1024")
    printf '  %-44s %7s MB   %-10s %s\n' "max RSS (/usr/bin/time -v)" "$mb" "< 100 MB" \
        "$(verdict "$mb < 100")"
else
    echo "  SKIPPED: /usr/bin/time is missing (Debian package 'time'; scripts/setup-debian.sh)"
fi
echo

# ---- (d)
echo "(d) oracle episodes per second, other seed tasks, one run each"
for task in stack-block-pyramid align-box-corner; do
    out=$(gensim "$task" "$episodes") || exit 1
    printf '  %-44s %10.1f   (%s/%s solved, %s sim steps, %.2f s)\n' "$task" \
        "$(field "$out" episodes_per_s)" "$(field "$out" successes)" "$episodes" \
        "$(field "$out" sim_steps)" "$(field "$out" wall_s)"
done
echo

# ---- (e)
echo "(e) the sandbox per call into a task (best of $repeat)"
if [ -x "$build/bench/sandbox_cost" ]; then
    best_empty="" best_reward="" best_step_us=""
    i=1
    while [ "$i" -le "$repeat" ]; do
        out=$($pin "$build/bench/sandbox_cost" --json) || die "sandbox_cost failed"
        best_empty=$(least "$best_empty" "$(field "$out" empty_reward_us)")
        best_reward=$(least "$best_reward" "$(field "$out" reward_us)")
        best_step_us=$(least "$best_step_us" "$(field "$out" step_us)")
        i=$((i + 1))
    done
    share=$(calc %.1f "100 * $best_empty / $best_step_us")
    printf '  %-44s %8s us   %s%% of a step   %s\n' "entering the sandbox (an empty reward)" "$best_empty" "$share" \
        "$(verdict "$share < 10")"
    printf '  %-44s %8s us\n' "a reward reading four poses" "$best_reward"
    printf '  %-44s %8s us   (steps per action: %s)\n' "a physics step" "$best_step_us" \
        "$(field "$out" steps_per_action)"
    printf '  %-44s %8s ms   (system-call filter: %s)\n' "a supervised worker, once per task" \
        "$(field "$out" worker_ms)" "$(field "$out" filtered)"
else
    echo "  SKIPPED: $build/bench/sandbox_cost is missing"
fi
echo

# ---- (f)
art_episodes=${BENCH_ARTICULATED_EPISODES:-100}
echo "(f) articulated: put-block-in-drawer, $art_episodes episodes (best of $repeat)"
art_trace="$tmp/put-block-in-drawer.trace"
art_traced=$(gensim put-block-in-drawer "$art_episodes" --trace "$art_trace") || exit 1
best_wall="" best_step=""
i=1
while [ "$i" -le "$repeat" ]; do
    out=$(gensim put-block-in-drawer "$art_episodes") || exit 1
    $pin "$bare" "$art_trace" >"$tmp/bare" 2>"$tmp/err" || die "bare_bullet failed: $(head -n 3 "$tmp/err")"
    best_wall=$(least "$best_wall" "$(field "$out" wall_s)")
    best_step=$(least "$best_step" "$(value "$tmp/bare" step_s)")
    i=$((i + 1))
done
steps=$(value "$tmp/bare" steps)
if [ -z "$steps" ] || [ "$steps" -le 0 ]; then die "bare_bullet replayed no steps of the articulated trace"; fi
ratio=$(calc %.2f "$best_wall / $best_step")
printf '  %-44s %10s\n' "" "us/step"
printf '  %-44s %10s\n' "gensim-run, whole run (wall_s / steps)" "$(calc %.3f "1e6 * $best_wall / $steps")"
printf '  %-44s %10s\n' "bare Bullet, stepSimulation only" "$(calc %.3f "1e6 * $best_step / $steps")"
printf '  %-44s %10s   %-10s %s\n' "ratio" "${ratio}x" "<= 1.30x" "$(verdict "$ratio <= 1.3")"
printf '  %-44s %10.1f   (%s/%s solved)\n' "put-block-in-drawer episodes per second" \
    "$(calc %.1f "$art_episodes / $best_wall")" "$(field "$out" successes)" "$art_episodes"
awk '$1 ~ /^(identical|max_pos_diff)$/ { k = $1; sub(/^[a-z_]+ +/, ""); printf "    %-13s %s\n", k, $0 }' "$tmp/bare"
if [ "$(field "$art_traced" digest)" != "$(field "$out" digest)" ]; then
    echo "    WARNING: the traced run's digest differs from the timed runs'"
fi
if [ -x "$build/bench/joints_compare" ]; then
    echo "  constraints against multibodies (bench/joints_compare):"
    $pin "$build/bench/joints_compare" | sed 's/^/    /'
fi
exit 0
