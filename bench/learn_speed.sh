#!/bin/sh
# gensim learn's PPO against the same update in PyTorch, on one continuous
# seed task (LS_TASK, default slide-block-to-line), one run, one table.
# Builds nothing. Usage: bench/learn_speed.sh BUILD_DIR
#
#   env steps/s    PPO's collection as gensim learn runs it (sandboxed tasks,
#                  one per thread, the policy acting each step), LS_ITERS
#                  (default 10) iterations of 2048 steps, on 1 and 2 threads
#                  (build/bench/ppo_speed), and on each of LS_THREADS
#                  (default 1,2; e.g. 1,2,4,8 on a larger machine, which
#                  then pins nothing) for the scaling line. PyTorch:
#                  projected, the same
#                  environment with PyTorch's forward pass instead of C's:
#                  1 / (1 / C's steps/s - C's forward + PyTorch's forward)
#   forward        microseconds of the policy's forward pass per step (both
#                  networks on one observation; PyTorch without autograd)
#   update         samples/s of PPO's update (10 epochs of shuffled
#                  minibatches of 256: forward, backward, clip, Adam) on
#                  one batch that gensim learn collected, recorded by
#                  ppo_speed; bench/ppo_torch.py runs it in PyTorch (the same
#                  network, loss, clipping and Adam) after checking the first
#                  minibatch's loss, gradient norm and loss after one step
#                  against C's. C's "2 threads" is two GEMM threads (gensim
#                  learn updates on one; its 2-thread figures use that)
#   update CPU     the process's CPU time per update sample, all threads
#                  together: the steadier figure when other work shares
#                  the cores (a thread that waits for a core costs no CPU)
#   iteration      seconds to collect 2048 steps and update on them
#   to threshold   wall seconds until an iteration's episodes first succeed
#                  LS_TARGET (default 0.5) of the time: gensim learn --target,
#                  measured; PyTorch projected from that run: its wall, less
#                  its update time, plus its update samples at PyTorch's
#                  rate, plus PyTorch's extra forward time for its steps
#
# One-thread runs are pinned to core 0, two-thread ones to cores 0 and 1.
# The machine should be otherwise idle (uptime is printed first and last).
# PyTorch is Debian's python3-torch (/usr/bin/python3). Exits 0 unless
# something failed to run.
set -u
if [ $# -ne 1 ]; then
    echo "usage: bench/learn_speed.sh BUILD_DIR" >&2
    exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: no build folder '$1'" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
task=${LS_TASK:-slide-block-to-line}
target=${LS_TARGET:-0.5}
iters=${LS_ITERS:-10}
threads=${LS_THREADS:-1,2}
case ",$threads," in
*,1,2,* | *,1,*,2,*) ;;
*) echo "bench: LS_THREADS must hold 1 and then 2" >&2; exit 2 ;;
esac
all=0,1
[ "$threads" = 1,2 ] || all=0-$(($(nproc) - 1))
reps=${LS_REPS:-5}
for bin in "$build/gensim" "$build/bench/ppo_speed"; do
    [ -x "$bin" ] || { echo "bench: $bin is missing: build first" >&2; exit 2; }
done
command -v taskset >/dev/null 2>&1 || { echo "bench: taskset is missing" >&2; exit 2; }
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
status=0
echo "before: $(uptime)"
taskset -c $all "$build/bench/ppo_speed" --task "$task" --dir "$tmp" --iters "$iters" --reps "$reps" \
    --threads "$threads" >"$tmp/c.json" ||
    status=1
for t in 1 2; do
    cores=$([ $t = 1 ] && echo 0 || echo 0,1)
    taskset -c $cores /usr/bin/python3 bench/ppo_torch.py "$tmp" --threads $t --reps "$reps" >"$tmp/py$t.json" || status=1
    taskset -c $cores "$build/gensim" learn "$task" --algo ppo --threads $t --target "$target" --eval-episodes 0 \
        --out "$tmp/learn$t.safetensors" --json --quiet >"$tmp/learn$t.json" || status=1
done
echo "after:  $(uptime)"
[ $status = 0 ] || exit 1
/usr/bin/python3 - "$tmp" "$target" <<'PY'
import json, sys
tmp, target = sys.argv[1], float(sys.argv[2])
c = json.load(open(f"{tmp}/c.json"))
py = {t: json.load(open(f"{tmp}/py{t}.json")) for t in (1, 2)}
run = {t: json.load(open(f"{tmp}/learn{t}.json")) for t in (1, 2)}
batch, epochs = 2048, c["epochs"]
counts = dict(zip(c["collect_threads"], c["env_steps_per_s"]))
sps = {t: counts[t] for t in (1, 2)}
sps_py = {t: 1 / (1 / sps[t] - c["act_us"] * 1e-6 + py[t]["act_us"] * 1e-6) for t in (1, 2)}
ups = {t: c[f"update_samples_per_s_{t}"] for t in (1, 2)}
ups_py = {t: py[t]["update_samples_per_s"] for t in (1, 2)}
# an iteration: gensim learn updates on one GEMM thread whatever --threads
it_c = {t: batch / sps[t] + epochs * batch / ups[1] for t in (1, 2)}
it_py = {t: batch / sps_py[t] + epochs * batch / ups_py[t] for t in (1, 2)}

def wall(t):
    r = run[t]
    if r["threshold_s"] is None:
        return None, None
    samples = r["update_s"] * r["update_samples_per_s"]
    extra = (py[t]["act_us"] - c["act_us"]) * 1e-6 * r["threshold_steps"] / t
    return r["threshold_s"], r["threshold_s"] - r["update_s"] + samples / ups_py[t] + extra

w = {t: wall(t) for t in (1, 2)}
f0 = lambda v: "not reached" if v is None else f"{v:,.0f}"
f1 = lambda v: "not reached" if v is None else f"{v:,.1f}"
print(f"\n{c['task']}: observation {c['obs']} floats, hidden {c['hidden']} x 2 layers (tanh), policy 5 outputs + 4 "
      f"log-stds, value 1; {c['parameters']:,} parameters; batch {c['batch']:,} steps recorded, minibatch "
      f"{c['minibatch']}, {epochs} epochs, Adam lr {c['lr']:g}, clip {c['clip']:g}, vf {c['vf_coef']:g}, "
      f"entropy {c['ent_coef']:g}, grad norm {c['max_grad_norm']:g}, gamma {c['gamma']:g}, lambda {c['lambda']:g}")
print(f"check, first minibatch of {c['minibatch']} (PyTorch vs C, relative): loss {py[1]['check_rel_loss']:.1e}, "
      f"gradient norm {py[1]['check_rel_grad_norm']:.1e}, loss after one Adam step {py[1]['check_rel_loss_after']:.1e} "
      f"(C loss {c['check_loss']:.6f}, PyTorch {py[1]['check_loss']:.6f})")
print(f"PyTorch {py[1]['torch']}\n")
print("| | C, 1 thread | C, 2 threads | PyTorch, 1 thread | PyTorch, 2 threads |")
print("|---|---|---|---|---|")
print(f"| env steps/s, collection | {sps[1]:,.0f} | {sps[2]:,.0f} | {sps_py[1]:,.0f} (projected) | {sps_py[2]:,.0f} (projected) |")
print(f"| policy forward per step, µs | {c['act_us']:.1f} | {c['act_us']:.1f} | {py[1]['act_us']:.1f} | {py[2]['act_us']:.1f} |")
print(f"| update samples/s | {ups[1]:,.0f} | {ups[2]:,.0f} (2 GEMM threads) | {ups_py[1]:,.0f} | {ups_py[2]:,.0f} |")
print(f"| update, CPU µs per sample (all threads) | {c['update_cpu_us_per_sample_1']:.2f} | {c['update_cpu_us_per_sample_2']:.2f} | "
      f"{py[1]['update_cpu_us_per_sample']:.2f} | {py[2]['update_cpu_us_per_sample']:.2f} |")
print(f"| collection + update of 2048 steps, s | {it_c[1]:.2f} | {it_c[2]:.2f} | {it_py[1]:.2f} (projected) | {it_py[2]:.2f} (projected) |")
print(f"| gensim learn to success {target:g}: env steps | {f0(run[1]['threshold_steps'] if w[1][0] else None)} | "
      f"{f0(run[2]['threshold_steps'] if w[2][0] else None)} | same | same |")
print(f"| wall to success {target:g}, s | {f1(w[1][0])} | {f1(w[2][0])} | {f1(w[1][1])} (projected) | {f1(w[2][1])} (projected) |")
print(f"| gensim learn over that run: env steps/s, update samples/s | {run[1]['steps_per_s']:,.0f}, "
      f"{run[1]['update_samples_per_s']:,.0f} | {run[2]['steps_per_s']:,.0f}, {run[2]['update_samples_per_s']:,.0f} | - | - |")
print("\ncollection's scaling (ppo_speed): " + ", ".join(
    f"{t} thread{'s' if t > 1 else ''} {v:,.0f} steps/s ({v / counts[1]:.2f}x)" for t, v in counts.items()))
print(f"C update / PyTorch update, 1 thread: {ups[1] / ups_py[1]:.2f}x by the clock, "
      f"{py[1]['update_cpu_us_per_sample'] / c['update_cpu_us_per_sample_1']:.2f}x by CPU time")
ok = all(it_c[t] <= it_py[t] for t in (1, 2))
print(f"C collection + update at least as fast as PyTorch at 1 and 2 threads: {'yes' if ok else 'no'} "
      f"({it_py[1] / it_c[1]:.2f}x and {it_py[2] / it_c[2]:.2f}x)")
PY
