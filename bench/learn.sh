#!/bin/sh
# Learned skills on the six continuous-control seed tasks: CEM (open-loop
# plans, one per seed, on 10 seeds) and PPO (a closed-loop policy, scored on
# 50 unseen seeds), each at gensim learn's default budget and one thread
# unless CEM_STEPS, PPO_STEPS or THREADS say otherwise.
# Prints a Markdown table; the checkpoints and curves stay in OUT.
# Usage: bench/learn.sh BUILD [OUT]   (TASKS="a b" and ALGOS="cem" narrow it)
set -eu
build=$(cd "${1:?usage: bench/learn.sh BUILD [OUT]}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$root/out/learn}
tasks=${TASKS:-"topple-box lift-block push-puck-to-zone slide-block-to-line sweep-cube-off-stand push-block-around-obstacle"}
algos=${ALGOS:-"cem ppo"}
mkdir -p "$out"
for algo in $algos; do
    for t in $tasks; do
        [ -s "$out/$t-$algo.json" ] && continue # resumable: a finished run is kept
        case $algo in cem) steps=${CEM_STEPS:-} ;; *) steps=${PPO_STEPS:-} ;; esac
        nice "$build/gensim" learn "$t" --algo "$algo" --out "$out/$t-$algo.safetensors" --json --quiet \
            --threads "${THREADS:-1}" ${steps:+--steps "$steps"} >"$out/$t-$algo.json.tmp"
        mv "$out/$t-$algo.json.tmp" "$out/$t-$algo.json"
    done
done
python3 - "$out" "$tasks" "$algos" <<'PY'
import json, sys
out, tasks, algos = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
print("| task | " + " | ".join(f"{a}: success (seeds) | {a}: env steps | {a}: wall" for a in algos) + " |")
print("|---|" + "---|---|---|" * len(algos))
for t in tasks:
    cells = []
    for a in algos:
        r = json.load(open(f"{out}/{t}-{a}.json"))
        cells += [f"{100 * r['success_rate']:.0f}% ({r['eval_successes']}/{r['eval_episodes']})",
                  f"{r['env_steps']}", f"{r['wall_s']:.0f} s"]
    print(f"| {t} | " + " | ".join(cells) + " |")
PY
