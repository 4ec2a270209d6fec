#!/bin/sh
# The policy's speed, C against the same network in PyTorch, on one core.
# Builds nothing. Usage: bench/policy_speed.sh BUILD_DIR
#
#   act      ms per pick-and-place decision (attention, 36 rotated crops,
#            correlation, both arg-maxes)
#   train    samples/s at batch POLICY_BATCH (default 8): forward, backward,
#            Adam; the C figure from build/bench/policy_speed (the network
#            alone) and from a short gensim train run (with data loading
#            and augmentation)
#   RSS      peak resident memory of gensim eval acting in closed loop for
#            one episode (physics and task included)     target <= 200 MB
#
# Everything runs pinned to core POLICY_CORE (default 0) with one OpenBLAS
# and one torch thread. PyTorch is Debian's python3-torch (/usr/bin/python3).
# Exits 0 unless something failed to run.
set -u
if [ $# -ne 1 ]; then
    echo "usage: bench/policy_speed.sh BUILD_DIR" >&2
    exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: no build folder '$1'" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
gensim="$build/gensim"
speed="$build/bench/policy_speed"
batch=${POLICY_BATCH:-8}
reps=${POLICY_REPS:-5}
core=${POLICY_CORE:-0}
[ -x "$gensim" ] || { echo "bench: $gensim is missing: build first" >&2; exit 2; }
for tool in taskset /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing" >&2; exit 2; }
done
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
pin="taskset -c $core"
json_field() { grep -o "\"$2\": *[-0-9.e+]*" "$1" | head -n 1 | sed 's/.*: *//'; }
status=0

# C: the network alone
c_act="-" c_train="-"
if [ -x "$speed" ]; then
    $pin "$speed" --threads 1 --reps "$reps" --batch "$batch" >"$tmp/c.json" || status=1
    c_act=$(json_field "$tmp/c.json" act_ms)
    ms=$(json_field "$tmp/c.json" train_ms_per_sample)
    [ -n "$ms" ] && c_train=$(awk "BEGIN { printf \"%.2f\", 1000 / $ms }")
    c_params=$(json_field "$tmp/c.json" parameters)
else
    echo "bench: $speed is missing; the C network-only figures are left out" >&2
fi

# C: gensim train end to end on a few demos (20 steps after 2 warm-up steps)
"$gensim" demos tasks/seed/place-red-in-green.lua --episodes 10 --out "$tmp/d.h5" --quiet >/dev/null || status=1
$pin "$gensim" train "$tmp/d.h5" --out "$tmp/m" --steps 2 --batch "$batch" --quiet >/dev/null || status=1
$pin "$gensim" train "$tmp/d.h5" --out "$tmp/m" --steps 22 --batch "$batch" --resume --json --quiet >"$tmp/t.json" || status=1
c_e2e=$(json_field "$tmp/t.json" samples_per_s)
[ -n "$c_e2e" ] && c_e2e=$(awk "BEGIN { printf \"%.2f\", $c_e2e }")

# C: peak RSS of closed-loop inference
/usr/bin/time -v $pin "$gensim" eval --policy "$tmp/m" tasks/seed/place-red-in-green.lua --episodes 1 --quiet \
    >/dev/null 2>"$tmp/rss" || status=1
rss_kb=$(grep "Maximum resident set size" "$tmp/rss" | awk '{print $NF}')
rss_mb=$(awk "BEGIN { printf \"%.1f\", ${rss_kb:-0} / 1024 }")

# PyTorch
$pin /usr/bin/python3 bench/policy_torch.py --batch "$batch" --reps "$reps" >"$tmp/py.json" || status=1
py_act=$(json_field "$tmp/py.json" act_ms)
py_train=$(json_field "$tmp/py.json" train_samples_per_s)
py_params=$(json_field "$tmp/py.json" parameters)

printf '%-34s %12s %12s\n' "one core, batch $batch" "C" "PyTorch"
printf '%-34s %12s %12s\n' "parameters" "${c_params:--}" "${py_params:--}"
printf '%-34s %12s %12s\n' "act, ms per decision" "${c_act:--}" "${py_act:--}"
printf '%-34s %12s %12s\n' "train, samples/s (network)" "${c_train:--}" "${py_train:--}"
printf '%-34s %12s %12s\n' "train, samples/s (gensim train)" "${c_e2e:--}" "-"
verdict=$(awk "BEGIN { print ($rss_mb <= 200) ? \"PASS\" : \"MISS\" }")
printf '%-34s %12s %12s  %s (target <= 200 MB)\n' "peak RSS, gensim eval, MB" "$rss_mb" "-" "$verdict"
exit $status
