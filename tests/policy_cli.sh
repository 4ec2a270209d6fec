#!/bin/sh
# gensim train, gensim eval and gensim-run --policy end to end: statuses and
# messages on bad inputs (missing files, a truncated checkpoint, a dataset
# of another pixel size, a dataset missing a field), then a tiny real run:
# train a few steps, resume, interrupt, evaluate, act in gensim-run.
# Nothing here is timed. Usage: policy_cli.sh BUILD_DIR
set -u
gensim="$1/gensim"
run="$1/gensim-run"
task=tasks/seed/block-insertion.lua
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0 failed=0

fail() { failed=$((failed + 1)); echo "FAIL $*"; }
pass() { passed=$((passed + 1)); }
# status_of PROGRAM ARGS...: runs it with a 120 s guard
status_of() { timeout 120 "$@" >"$tmp/out" 2>"$tmp/err"; echo $?; }
train() { status_of "$gensim" train "$@"; }
evaluate() { status_of "$gensim" eval "$@"; }
# interrupted ARGS...: gensim train ARGS (with --log-every 1) in the
# background, SIGINT once its first loss line is out (the handler is in place
# by then, however busy the machine); its status in s. Not in a subshell,
# so the exit trap sees pid.
interrupted() {
    timeout 120 "$gensim" train "$@" --log-every 1 >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    i=0
    while [ $i -lt 600 ] && ! grep -q "^step" "$tmp/out"; do sleep 0.1; i=$((i + 1)); done
    kill -INT $pid
    wait $pid
    s=$?
    pid=""
}

# data: two tasks, a few episodes each
"$gensim" demos $task tasks/seed/place-red-in-green.lua --episodes 3 --out "$tmp/d.h5" --quiet >/dev/null 2>&1 &&
    pass || fail "gensim demos could not record the data"
# the same file claiming another pixel size, and one without place_pixel
python3 - "$tmp" <<'EOF'
import struct, sys
d = sys.argv[1]
b = open(d + "/d.h5", "rb").read()
open(d + "/pixel.h5", "wb").write(b.replace(struct.pack("<d", 0.003125), struct.pack("<d", 0.00625), 1))
open(d + "/field.h5", "wb").write(b.replace(b"place_pixel", b"place_pixxl"))
EOF

# usage
s=$(train --help); [ "$s" = 0 ] && grep -q "usage: gensim train" "$tmp/out" && pass || fail "train --help: status $s"
s=$(evaluate --help); [ "$s" = 0 ] && grep -q "usage: gensim eval" "$tmp/out" && pass || fail "eval --help: status $s"
s=$(status_of "$run" --help); [ "$s" = 0 ] && grep -q -- "--policy MODEL" "$tmp/out" && pass || fail "gensim-run --help: status $s"
s=$(train "$tmp/d.h5" --steps 2); [ "$s" = 2 ] && grep -q -- "--out" "$tmp/err" && pass || fail "train without --out: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/m"); [ "$s" = 2 ] && grep -q -- "--steps" "$tmp/err" && pass || fail "train without --steps: status $s"
s=$(train --out "$tmp/m" --steps 2); [ "$s" = 2 ] && grep -q "no data file" "$tmp/err" && pass || fail "train without data: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/m" --steps 2 --val-fraction 2); [ "$s" = 2 ] && pass || fail "--val-fraction 2: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/m" --steps 2 --batch 0); [ "$s" = 2 ] && pass || fail "--batch 0: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/m" --steps 2 --lr x); [ "$s" = 2 ] && pass || fail "--lr x: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/m" --steps 2 --schedule linear); [ "$s" = 2 ] && grep -q "cosine or constant" "$tmp/err" && pass || fail "--schedule linear: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/m" --steps 2 --channels 6); [ "$s" = 2 ] && grep -q "multiple of 4" "$tmp/err" && pass || fail "--channels 6: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/m" --steps 2 --bogus); [ "$s" = 2 ] && pass || fail "train --bogus: status $s"
s=$(evaluate $task); [ "$s" = 2 ] && grep -q -- "--policy" "$tmp/err" && pass || fail "eval without --policy: status $s"

# bad data: clear errors, status 2, no checkpoint written
s=$(train "$tmp/nope.h5" --out "$tmp/m" --steps 2); [ "$s" = 2 ] && grep -q "nope.h5" "$tmp/err" && pass || fail "missing data: status $s"
s=$(train "$tmp/pixel.h5" --out "$tmp/m" --steps 2); [ "$s" = 2 ] && grep -q "pixel" "$tmp/err" && pass || fail "another pixel size: status $s: $(cat "$tmp/err")"
s=$(train "$tmp/field.h5" --out "$tmp/m" --steps 2); [ "$s" = 2 ] && grep -q "missing dataset 'place_pixel'" "$tmp/err" && pass || fail "missing field: status $s: $(cat "$tmp/err")"
printf 'not hdf5' >"$tmp/junk.h5"
s=$(train "$tmp/junk.h5" --out "$tmp/m" --steps 2); [ "$s" = 2 ] && grep -q "junk.h5" "$tmp/err" && pass || fail "junk data: status $s"
[ ! -e "$tmp/m" ] && pass || fail "a refused run wrote a checkpoint"

# a tiny real run: 2 steps, then resumed to 3
s=$(train "$tmp/d.h5" --out "$tmp/m" --steps 2 --batch 1 --log-every 1 --val-fraction 0.34 --schedule constant --json)
if [ "$s" = 0 ]; then
    for key in out steps train_loss val_loss samples_per_s parameters tasks log interrupted; do
        grep -q "\"$key\":" "$tmp/out" && pass || fail "train --json lacks $key"
    done
    grep -q '"steps":2,' "$tmp/out" && grep -q '"tasks":\["block-insertion","place-red-in-green"\]' "$tmp/out" &&
        pass || fail "train --json: $(cat "$tmp/out")"
else
    fail "tiny train: status $s: $(cat "$tmp/err")"
fi
[ -s "$tmp/m" ] && pass || fail "no checkpoint after training"
# the curves beside it, named in the JSON
head -n 1 "$tmp/m.csv" 2>/dev/null | grep -qx "step,samples,lr,train_loss,val_loss,samples_per_s" && [ -s "$tmp/m.png" ] &&
    grep -q "\"csv\":\"$tmp/m.csv\"" "$tmp/out" && pass || fail "train wrote no curves beside $tmp/m"
s=$(train "$tmp/d.h5" --out "$tmp/e" --steps 2 --eval-every 1); [ "$s" = 2 ] && grep -q -- "--eval-tasks" "$tmp/err" && pass || fail "--eval-every without tasks: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/e" --steps 2 --eval-every 1 --eval-tasks $task,); [ "$s" = 2 ] && pass || fail "--eval-tasks with an empty name: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/e" --steps 2 --eval-every 1 --eval-tasks $task --eval-split odd); [ "$s" = 2 ] && pass || fail "--eval-split odd: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/e" --steps 1 --batch 1 --eval-every 1 --eval-tasks tests/fixtures/bad/does-not-exist.lua); [ "$s" = 2 ] && [ ! -e "$tmp/e" ] && pass || fail "--eval-tasks missing file: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/e" --steps 1 --batch 1 --eval-every 1 --eval-tasks $task --eval-episodes 1 --eval-split test)
[ "$s" = 0 ] && grep -q "block-insertion [0-9]*%" "$tmp/out" && head -n 1 "$tmp/e.csv" | grep -q ",success_block-insertion$" && pass ||
    fail "train with evaluation: status $s: $(cat "$tmp/out" "$tmp/err")"
s=$(train "$tmp/d.h5" --out "$tmp/m" --steps 3 --batch 1); [ "$s" = 2 ] && grep -q -- "--resume" "$tmp/err" && pass || fail "existing --out without --resume: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/m" --steps 3 --batch 1 --val-fraction 0.34 --schedule constant --resume --json)
[ "$s" = 0 ] && grep -q '"first_step":2,' "$tmp/out" && grep -q '"steps":3,' "$tmp/out" && pass ||
    fail "resume: status $s: $(cat "$tmp/out" "$tmp/err")"
cp "$tmp/m" "$tmp/m.keep"
# the resumed run is the uninterrupted one, byte for byte (weights, Adam, batches)
s=$(train "$tmp/d.h5" --out "$tmp/straight" --steps 3 --batch 1 --val-fraction 0.34 --schedule constant --quiet)
[ "$s" = 0 ] && cmp -s "$tmp/m" "$tmp/straight" && pass || fail "2 steps + 1 resumed differ from 3 steps (status $s)"

# the workers split each batch without changing a bit: one worker, two, and
# two again give the same checkpoint
for w in 1 2 2; do
    rm -f "$tmp/w$w"
    s=$(train "$tmp/d.h5" --out "$tmp/w$w" --steps 2 --batch 3 --workers $w --quiet)
    [ "$s" = 0 ] || fail "--workers $w: status $s: $(cat "$tmp/err")"
    [ -e "$tmp/w$w.first" ] || mv "$tmp/w$w" "$tmp/w$w.first"
done
cmp -s "$tmp/w1.first" "$tmp/w2.first" && pass || fail "--workers 1 and 2 trained different checkpoints"
cmp -s "$tmp/w2.first" "$tmp/w2" && pass || fail "two runs with --workers 2 trained different checkpoints"

# interrupted: the checkpoint holds the steps taken, status 130
interrupted "$tmp/d.h5" --out "$tmp/m" --steps 100000 --batch 1 --resume
[ "$s" = 130 ] && grep -q "interrupted by signal 2" "$tmp/err" && pass || fail "SIGINT: status $s: $(cat "$tmp/err")"
s=$(train "$tmp/d.h5" --out "$tmp/m" --steps 3 --resume --json)
[ "$s" = 0 ] && grep -q '"first_step":' "$tmp/out" && ! grep -q '"first_step":3,' "$tmp/out" && pass ||
    fail "after SIGINT the checkpoint did not move on: $(cat "$tmp/out" "$tmp/err")"

# the cosine schedule is a function of the step and N: a run stopped part way
# and resumed with the same N is the uninterrupted one, byte for byte
interrupted "$tmp/d.h5" --out "$tmp/cos" --steps 20 --batch 1
[ "$s" = 130 ] && pass || fail "cosine run: SIGINT status $s"
s=$(train "$tmp/d.h5" --out "$tmp/cos" --steps 20 --batch 1 --resume --json)
first=$(grep -o '"first_step":[0-9]*' "$tmp/out" | cut -d: -f2)
[ "$s" = 0 ] && [ "${first:-0}" -gt 0 ] && [ "$first" -lt 20 ] && grep -q '"schedule":"cosine"' "$tmp/out" && pass ||
    fail "cosine resume: status $s, first step ${first:-none}: $(cat "$tmp/err")"
s=$(train "$tmp/d.h5" --out "$tmp/cos-straight" --steps 20 --batch 1 --quiet)
[ "$s" = 0 ] && cmp -s "$tmp/cos" "$tmp/cos-straight" && pass || fail "cosine: stopped at $first and resumed differs from 20 steps (status $s)"

# --channels sizes a new policy, which keeps it: eval reads it back, a resume
# asking for another size is refused
s=$(train "$tmp/d.h5" --out "$tmp/wide" --steps 1 --batch 1 --channels 8 --quiet)
[ "$s" = 0 ] && pass || fail "--channels 8: status $s: $(cat "$tmp/err")"
s=$(evaluate --policy "$tmp/wide" $task --episodes 1 --json)
[ "$s" = 0 ] && grep -q '"policy_steps":1,' "$tmp/out" && pass || fail "eval of an 8-channel policy: status $s: $(cat "$tmp/err")"
s=$(train "$tmp/d.h5" --out "$tmp/wide" --steps 2 --batch 1 --channels 12 --resume)
[ "$s" = 2 ] && grep -q "has 8 channels, not the 12" "$tmp/err" && pass || fail "resume with other --channels: status $s"

# --rotate-features 1 is another architecture, kept in the checkpoint: eval
# reads it back, a resume asking for the other one is refused, and it too
# trains the same checkpoint with one worker and with two
for w in 1 2; do
    s=$(train "$tmp/d.h5" --out "$tmp/rf$w" --steps 2 --batch 3 --workers $w --rotate-features 1 --json)
    [ "$s" = 0 ] && grep -q '"rotate_features":1,' "$tmp/out" && pass || fail "--rotate-features 1 --workers $w: status $s: $(cat "$tmp/err")"
done
cmp -s "$tmp/rf1" "$tmp/rf2" && pass || fail "--rotate-features 1: --workers 1 and 2 trained different checkpoints"
s=$(evaluate --policy "$tmp/rf1" $task --episodes 1 --json)
[ "$s" = 0 ] && grep -q '"policy_steps":2,' "$tmp/out" && pass || fail "eval of a --rotate-features 1 policy: status $s: $(cat "$tmp/err")"
s=$(train "$tmp/d.h5" --out "$tmp/rf1" --steps 3 --batch 3 --rotate-features 0 --resume)
[ "$s" = 2 ] && grep -q -- "--rotate-features 1, not the options given" "$tmp/err" && pass ||
    fail "resume with the other --rotate-features: status $s: $(cat "$tmp/err")"
s=$(train "$tmp/d.h5" --out "$tmp/rf3" --steps 1 --rotate-features 2); [ "$s" = 2 ] && pass || fail "--rotate-features 2: status $s"

# --color-jitter 1 leaves alone every sample whose goal names a colour, and
# both tasks here name theirs: the same checkpoint as without it
s=$(train "$tmp/d.h5" --out "$tmp/cj" --steps 2 --batch 3 --workers 1 --rotate-features 1 --color-jitter 1 --json)
[ "$s" = 0 ] && grep -q '"color_jitter":true,' "$tmp/out" && pass || fail "--color-jitter 1: status $s: $(cat "$tmp/err")"
cmp -s "$tmp/cj" "$tmp/rf1" && pass || fail "--color-jitter 1 changed a run whose goals all name colours"
s=$(train "$tmp/d.h5" --out "$tmp/cj2" --steps 1 --color-jitter 2); [ "$s" = 2 ] && pass || fail "--color-jitter 2: status $s"
# the Lua host's gensim.train takes the same options and reports them
cat >"$tmp/train.lua" <<LUA
local gensim = require("gensim")
local r = gensim.train{data = {"$tmp/d.h5"}, out = "$tmp/cj-lua", steps = 2, batch = 3, workers = 1,
                       rotate_features = true, color_jitter = true}
assert(r.color_jitter == true and r.rotate_features == 1 and r.steps == 2, "gensim.train's result")
local ok, err = pcall(gensim.train, {data = {"$tmp/d.h5"}, out = "$tmp/x", steps = 1, colour_jitter = true})
assert(not ok and err:find("colour_jitter"), "an unknown field")
print("host ok")
LUA
s=$(status_of "$gensim" lua "$tmp/train.lua")
[ "$s" = 0 ] && grep -q "host ok" "$tmp/out" && cmp -s "$tmp/cj-lua" "$tmp/rf1" && pass ||
    fail "gensim.train{color_jitter = true}: status $s: $(cat "$tmp/err")"

# checkpoints that cannot be read
head -c 100 "$tmp/m.keep" >"$tmp/trunc"
s=$(evaluate --policy "$tmp/trunc" $task --episodes 1); [ "$s" = 2 ] && grep -q "trunc" "$tmp/err" && pass || fail "eval truncated checkpoint: status $s"
s=$(train "$tmp/d.h5" --out "$tmp/trunc" --steps 5 --resume); [ "$s" = 2 ] && pass || fail "resume truncated checkpoint: status $s"
s=$(status_of "$run" $task --policy "$tmp/trunc"); [ "$s" = 2 ] && grep -q "trunc" "$tmp/err" && pass || fail "gensim-run truncated checkpoint: status $s"
s=$(evaluate --policy "$tmp/none" $task); [ "$s" = 2 ] && grep -q "none" "$tmp/err" && pass || fail "eval missing checkpoint: status $s"
s=$(evaluate --policy "$tmp/m.keep" tests/fixtures/bad/does-not-exist.lua); [ "$s" = 2 ] && pass || fail "eval missing task: status $s"

# closed loop: eval's JSON, and gensim-run with the policy and pictures
s=$(evaluate --policy "$tmp/m.keep" $task --episodes 1 --seed 100 --json --quiet)
if [ "$s" = 0 ]; then
    for key in task episodes successes success_rate mean_reward policy_steps; do
        grep -q "\"$key\":" "$tmp/out" && pass || fail "eval --json lacks $key"
    done
    grep -q '"task":"block-insertion"' "$tmp/out" && grep -q '"policy_steps":3,' "$tmp/out" && pass || fail "eval --json: $(cat "$tmp/out")"
else
    fail "eval: status $s: $(cat "$tmp/err")"
fi
# eval --render makes its folder, as gensim-run's does
s=$(evaluate --policy "$tmp/m.keep" $task --episodes 1 --seed 100 --quiet --render "$tmp/eval-pics/a")
[ "$s" = 0 ] && [ -s "$tmp/eval-pics/a/block-insertion-100-last.png" ] && pass ||
    fail "eval --render into a new folder: status $s: $(cat "$tmp/err")"
s=$(status_of "$run" $task --policy "$tmp/m.keep" --seed 100 --render "$tmp/pics" --json)
[ "$s" = 0 ] && grep -q '"success_rate":' "$tmp/out" && [ -s "$tmp/pics/block-insertion-100-last.png" ] && pass ||
    fail "gensim-run --policy: status $s: $(cat "$tmp/err")"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
