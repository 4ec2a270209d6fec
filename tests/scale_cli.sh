#!/bin/sh
# Scale-out end to end: --jobs gives the outputs of one process (gensim-run's
# lines and JSON, gensim demos' file byte for byte, gensim eval, gensim
# validate and the gallery); --shard parts merge into the serial dataset
# (h5dump, and the merge's JSON is the serial run's); a worker killed once is
# run again, killed again the run fails naming task and seed and --resume
# makes only what is missing; an interrupted run resumes likewise; every bad
# input is status 2 with a message and leaves what was written as it was.
# Nothing here is timed. Usage: scale_cli.sh BUILD_DIR
set -u
gensim="$1/gensim"
run="$1/gensim-run"
mixed=tests/fixtures/scale/mixed-outcomes.lua
red=place-red-in-green
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
pass() { passed=$((passed + 1)); }
section() { [ -n "${SCALE_TIMING:-}" ] && echo "$(date +%s) $*"; }
# st CMD...: runs a command with a guard; its status, stdout in $tmp/out, stderr in $tmp/err
st() { timeout 300 "$@" >"$tmp/out" 2>"$tmp/err"; echo $?; }
# the JSON without what differs between runs of the same work: times, rates, paths, sizes
norm() { sed -e 's/"\(wall_s\|episodes_per_s\|seconds\)":[0-9.e+-]*,\{0,1\}//g' -e 's/"path":"[^"]*\.h5","bytes":[0-9]*,//' "$@"; }
# pulls the child processes of pid (the workers)
children() { cat /proc/"$1"/task/*/children 2>/dev/null; }
# written FILE: the episodes a run's state file says are in its dataset
written() { sed -n 's/.*"written":\([0-9]*\).*/\1/p' "$1" 2>/dev/null; }

# ---- bad input: status 2, a message, nothing written ----
section "bad input: status 2, a message, nothing "
bad() { # bad WHAT PATTERN CMD...
    what=$1 pattern=$2
    shift 2
    s=$(st "$@")
    [ "$s" = 2 ] && grep -q -- "$pattern" "$tmp/err" && pass || fail "$what: status $s: $(head -c 300 "$tmp/err")"
}
bad "--jobs -1" "whole number from 0 to 1024" "$run" $red --jobs -1
bad "--jobs x" "whole number" "$gensim" demos $red --episodes 1 --out "$tmp/x.h5" --jobs x
bad "--jobs 5000" "0 to 1024" "$gensim" validate $mixed --jobs 5000
bad "--shard 3/3" "shard 3/3 does not exist" "$gensim" demos $red --episodes 1 --out "$tmp/x.h5" --shard 3/3
bad "--shard x" "a shard is I/N" "$run" $red --shard x
bad "--shard 1/0" "a shard is I/N" "$gensim" eval --policy none $red --shard 1/0
bad "a stepped Slurm array" "SLURM_ARRAY_TASK_ID" env SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_COUNT=3 "$run" $red
bad "--resume with --force" "do not go together" "$gensim" demos $red --episodes 1 --out "$tmp/x.h5" --resume --force
[ ! -e "$tmp/x.h5" ] && pass || fail "a refused run wrote its file"
bad "--trace with --jobs" "no --jobs" "$run" $red --trace "$tmp/t" --jobs 2

# ---- gensim-run: the lines and totals of one process ----
section "gensim-run: the lines and totals of one "
s=$(st "$run" $red --episodes 9 --seed 3 --json); norm "$tmp/out" >"$tmp/r1"
s2=$(st "$run" $red --episodes 9 --seed 3 --json --jobs 3); norm "$tmp/out" >"$tmp/r3"
[ "$s$s2" = 00 ] && cmp -s "$tmp/r1" "$tmp/r3" && grep -q '"episodes":9' "$tmp/r1" && pass || fail "gensim-run --jobs 3 JSON: $(cat "$tmp/r1" "$tmp/r3")"
"$run" $red --episodes 9 --seed 3 | sed 's/ [0-9.]* s$//; s/[0-9.]* s, [0-9.]* episodes\/s, //' >"$tmp/l1"
"$run" $red --episodes 9 --seed 3 --jobs 2 | sed 's/ [0-9.]* s$//; s/[0-9.]* s, [0-9.]* episodes\/s, //' >"$tmp/l2"
cmp -s "$tmp/l1" "$tmp/l2" && [ "$(wc -l <"$tmp/l1")" = 10 ] && pass || fail "gensim-run --jobs 2 lines: $(diff "$tmp/l1" "$tmp/l2" | head -5)"
total=0
for i in 0 1 2; do
    "$run" $red --episodes 9 --seed 3 --shard $i/3 --json >"$tmp/part$i"
    n=$(sed -n 's/.*"episodes":\([0-9]*\),.*/\1/p' "$tmp/part$i")
    total=$((total + ${n:-0}))
done
grep -q '"shard":"1/3","first_seed":6' "$tmp/part1" && [ "$total" = 9 ] && pass || fail "gensim-run shards: $total episodes: $(cat "$tmp/part1")"

# ---- gensim demos: --jobs 2 is the serial file, byte for byte ----
section "gensim demos: --jobs 2 is the serial fil"
demos="$gensim demos $mixed $red --episodes 6 --seed 1 --quiet --json"
s=$(st $demos --out "$tmp/serial.h5"); norm "$tmp/out" >"$tmp/serial.json"
[ "$s" = 0 ] && grep -q '"errors":[1-9]' "$tmp/serial.json" && pass || fail "serial demos: status $s: $(cat "$tmp/err")"
h5dump "$tmp/serial.h5" | sed "s|$tmp/serial.h5|FILE|" >"$tmp/serial.dump"
for j in 2 3; do
    s=$(st $demos --out "$tmp/j$j.h5" --jobs $j); norm "$tmp/out" >"$tmp/j$j.json"
    [ "$s" = 0 ] && cmp -s "$tmp/serial.h5" "$tmp/j$j.h5" && pass || fail "demos --jobs $j: status $s, the file differs"
    cmp -s "$tmp/serial.json" "$tmp/j$j.json" && pass || fail "demos --jobs $j JSON: $(diff "$tmp/serial.json" "$tmp/j$j.json")"
done
[ ! -e "$tmp/serial.h5.state.json" ] && pass || fail "a complete run left its state file"

# ---- shards then merge: the serial file (more shards than tasks, and fewer) ----
section "shards then merge: the serial file (more"
for n in 3 2; do
    parts=""
    for i in $(seq 0 $((n - 1))); do
        s=$(st $demos --out "$tmp/p$n-$i.h5" --shard $i/$n --jobs 2)
        [ "$s" = 0 ] && pass || fail "shard $i/$n: status $s: $(cat "$tmp/err")"
        parts="$parts $tmp/p$n-$i.h5"
    done
    s=$(st "$gensim" demos merge $parts --out "$tmp/m$n.h5" --json)
    norm "$tmp/out" >"$tmp/m$n.json"
    h5dump "$tmp/m$n.h5" | sed "s|$tmp/m$n.h5|FILE|" >"$tmp/m$n.dump"
    [ "$s" = 0 ] && cmp -s "$tmp/serial.dump" "$tmp/m$n.dump" && pass || fail "$n shards merged: status $s: $(diff "$tmp/serial.dump" "$tmp/m$n.dump" | head -5) $(cat "$tmp/err")"
    cmp -s "$tmp/serial.json" "$tmp/m$n.json" && pass || fail "$n shards merged, JSON: $(diff "$tmp/serial.json" "$tmp/m$n.json")"
done
h5dump -a /shard "$tmp/p3-0.h5" >/dev/null 2>&1 && ! h5dump -a /shard "$tmp/m3.h5" >/dev/null 2>&1 && pass || fail "the parts hold their record and the merged file none"

# merge refusals: status 2, the existing file unchanged
cp "$tmp/m3.h5" "$tmp/keep.h5"
bad "merge: a shard twice" "given twice" "$gensim" demos merge "$tmp/p3-0.h5" "$tmp/p3-0.h5" "$tmp/p3-2.h5" --out "$tmp/keep.h5" --force
bad "merge: a shard missing" "shard 2/3 is missing" "$gensim" demos merge "$tmp/p3-0.h5" "$tmp/p3-1.h5" --out "$tmp/new.h5"
bad "merge: parts of two runs" "different runs" "$gensim" demos merge "$tmp/p3-0.h5" "$tmp/p2-1.h5" --out "$tmp/new.h5"
bad "merge: not a part" "no shard record" "$gensim" demos merge "$tmp/serial.h5" --out "$tmp/new.h5"
echo "not a file" >"$tmp/text.h5"
bad "merge: not HDF5" "not a readable HDF5 file" "$gensim" demos merge "$tmp/text.h5" --out "$tmp/new.h5"
bad "merge: an existing file" "already exists" "$gensim" demos merge "$tmp/p3-0.h5" "$tmp/p3-1.h5" "$tmp/p3-2.h5" --out "$tmp/keep.h5"
s=$(st "$gensim" demos $mixed $red --episodes 6 --seed 1 --split test --out "$tmp/test0.h5" --shard 0/2 --quiet)
bad "merge: another split" "different runs" "$gensim" demos merge "$tmp/test0.h5" "$tmp/p2-1.h5" --out "$tmp/new.h5"
cmp -s "$tmp/m3.h5" "$tmp/keep.h5" && [ ! -e "$tmp/new.h5" ] && ! ls "$tmp"/*.merging-* >/dev/null 2>&1 && pass ||
    fail "a refused merge changed or left files"

# ---- a worker killed: run again once; killed again: the run fails, --resume finishes ----
section "a worker killed: run again once; killed "
big="$gensim demos $mixed $red --episodes 15 --seed 1 --quiet --json"
s=$(st $big --out "$tmp/big.h5"); norm "$tmp/out" >"$tmp/big.json"
h5dump "$tmp/big.h5" | sed "s|$tmp/big.h5|FILE|" >"$tmp/big.dump"
# wait_written FILE N: until the state of FILE says N episodes are in (or the run ends)
wait_written() {
    w=0
    while [ "$w" -lt 300 ] && kill -0 "$pid" 2>/dev/null && [ "$(written "$1.state.json")" -lt "$2" ] 2>/dev/null; do
        sleep 0.05
        w=$((w + 1))
    done
}
section once
# one worker killed, the first seen at work (a child that already ended is
# a zombie until reaped, and a kill does nothing to it); should a worker
# end between the look and the kill, the run is made again, up to three
# times
for try in 1 2 3; do
    rm -f "$tmp/once.h5" "$tmp/once.h5.state.json"
    $big --out "$tmp/once.h5" --jobs 2 >"$tmp/once.json" 2>"$tmp/once.err" &
    pid=$!
    sleep 0.2; wait_written "$tmp/once.h5" 3
    w=0
    while [ "$w" -lt 500 ] && kill -0 "$pid" 2>/dev/null; do
        killed=""
        for kid in $(children $pid); do
            [ "$(awk '{print $3}' /proc/"$kid"/stat 2>/dev/null)" = Z ] && continue
            kill -KILL "$kid" 2>/dev/null && killed=$kid && break
        done
        [ -n "$killed" ] && break
        sleep 0.01
        w=$((w + 1))
    done
    wait "$pid"; s=$?; pid=""
    grep -q "worker lost: .*signal 9.*running them again" "$tmp/once.err" && break
done
h5dump "$tmp/once.h5" | sed "s|$tmp/once.h5|FILE|" >"$tmp/once.dump"
[ "$s" = 0 ] && grep -q "worker lost: .*signal 9.*running them again" "$tmp/once.err" && cmp -s "$tmp/big.dump" "$tmp/once.dump" && pass ||
    fail "a worker killed once: status $s: $(cat "$tmp/once.err" | head -3)"
section twice
$big --out "$tmp/twice.h5" --jobs 2 >"$tmp/twice.json" 2>"$tmp/twice.err" &
pid=$!
sleep 0.2; wait_written "$tmp/twice.h5" 3
while kill -0 "$pid" 2>/dev/null; do # every worker, and every worker run again, killed
    kids=$(children $pid)
    [ -n "$kids" ] && kill -KILL $kids 2>/dev/null
    sleep 0.02
done
wait "$pid"; s=$?; pid=""
before=$(written "$tmp/twice.h5.state.json")
[ "$s" = 3 ] && grep -q "seed [0-9]*: the worker was killed (signal 9, Killed), and again when run once more" "$tmp/twice.err" &&
    grep -q -- "--resume" "$tmp/twice.err" && [ "${before:-0}" -ge 3 ] && pass ||
    fail "workers killed twice: status $s, ${before:-no} episodes kept: $(cat "$tmp/twice.err" | head -4)"
section resume
s=$(st $big --out "$tmp/twice.h5" --jobs 2 --resume); norm "$tmp/out" | sed 's/,"resumed":{[^}]*}//' >"$tmp/resumed.json"
h5dump "$tmp/twice.h5" | sed "s|$tmp/twice.h5|FILE|" >"$tmp/twice.dump"
grep -q "\"resumed\":{\"episodes\":$before," "$tmp/out" && pass || fail "--resume did not start from the $before episodes kept: $(cat "$tmp/out")"
[ "$s" = 0 ] && cmp -s "$tmp/big.dump" "$tmp/twice.dump" && cmp -s "$tmp/big.json" "$tmp/resumed.json" &&
    [ ! -e "$tmp/twice.h5.state.json" ] && pass || fail "resumed after the kills: status $s: $(diff "$tmp/big.json" "$tmp/resumed.json") $(head -3 "$tmp/err")"

# interrupted with Ctrl-C, then resumed
section interrupted
$big --out "$tmp/int.h5" --jobs 2 >/dev/null 2>"$tmp/int.err" &
pid=$!
sleep 0.2; wait_written "$tmp/int.h5" 2
kill -INT "$pid"
wait "$pid"; s=$?; pid=""
s2=$(st $big --out "$tmp/int.h5" --jobs 2 --resume)
h5dump "$tmp/int.h5" | sed "s|$tmp/int.h5|FILE|" >"$tmp/int.dump"
[ "$s" = 130 ] && [ "$s2" = 0 ] && cmp -s "$tmp/big.dump" "$tmp/int.dump" && pass || fail "interrupted ($s) and resumed ($s2)"
s=$(st $big --out "$tmp/int.h5" --resume); [ "$s" = 0 ] && grep -q '"resumed":{"episodes":30,' "$tmp/out" && pass || fail "resuming a finished file: status $s: $(cat "$tmp/out" "$tmp/err")"
bad "--resume of another command's part" "another command" $demos --out "$tmp/p2-0.h5" --shard 0/2 --resume --seed 2

# ---- gensim validate, gallery and eval: the output of one ----
section "gensim validate, gallery and eval: the o"
vnorm() { sed 's/"\(seconds\|wall_s\)":[0-9.e+-]*//g'; }
files="tests/fixtures/ladder/runtime-third-seed.lua tests/fixtures/ladder/met-at-reset.lua $mixed tasks/seed/$red.lua"
"$gensim" validate $files --seeds 3 --min-solved 1 --json | vnorm >"$tmp/v1"
"$gensim" validate $files --seeds 3 --min-solved 1 --json --jobs 3 | vnorm >"$tmp/v3"
cmp -s "$tmp/v1" "$tmp/v3" && grep -q '"total":4' "$tmp/v1" && pass || fail "validate --jobs 3: $(diff "$tmp/v1" "$tmp/v3" | head -3)"
a=$("$gensim" validate $files --seeds 3 --min-solved 1 --json --shard 0/2 | grep -o '"total":[0-9]*')
b=$("$gensim" validate $files --seeds 3 --min-solved 1 --json --shard 1/2 | grep -o '"total":[0-9]*')
[ "$a$b" = '"total":2"total":2' ] && pass || fail "validate shards: $a $b"
mkdir -p "$tmp/lib"
cp tasks/seed/$red.lua tasks/seed/align-box-corner.lua $mixed "$tmp/lib/"
"$gensim" library gallery "$tmp/lib" --out "$tmp/g1" --episodes 2 --json 2>/dev/null | sed "s|$tmp/g1|G|g" >"$tmp/g1.json"
"$gensim" library gallery "$tmp/lib" --out "$tmp/g2" --episodes 2 --json --jobs 3 2>/dev/null | sed "s|$tmp/g2|G|g" >"$tmp/g2.json"
sed "s|$tmp/g1|G|g" "$tmp/g1/index.html" >"$tmp/g1.html"; sed "s|$tmp/g2|G|g" "$tmp/g2/index.html" >"$tmp/g2.html"
cmp -s "$tmp/g1.json" "$tmp/g2.json" && cmp -s "$tmp/g1.html" "$tmp/g2.html" && cmp -s "$tmp/g1/$red-0-last.png" "$tmp/g2/$red-0-last.png" &&
    pass || fail "gallery --jobs 3: the page differs"
"$gensim" demos block-insertion --episodes 2 --out "$tmp/pd.h5" --quiet >/dev/null
"$gensim" train "$tmp/pd.h5" --out "$tmp/policy" --steps 1 --batch 1 --channels 8 --quiet >/dev/null 2>&1
"$gensim" eval --policy "$tmp/policy" block-insertion $red --episodes 3 --json --quiet | vnorm >"$tmp/e1"
"$gensim" eval --policy "$tmp/policy" block-insertion $red --episodes 3 --json --quiet --jobs 2 | vnorm >"$tmp/e2"
cmp -s "$tmp/e1" "$tmp/e2" && grep -q '"episodes":6' "$tmp/e1" && pass || fail "eval --jobs 2: $(cat "$tmp/e1" "$tmp/e2")"

# ---- the Lua host: jobs and shard fields, gensim.demos_merge ----
section "the Lua host: jobs and shard fields, gen"
cat >"$tmp/host.lua" <<LUA
local gensim = require("gensim")
local a = gensim.run{task = "$red", episodes = 5, jobs = 1}
local b = gensim.run{task = "$red", episodes = 5, jobs = 2}
assert(a.digest == b.digest, "gensim.run jobs")
for i = 0, 1 do
  assert(gensim.demos{tasks = {"$mixed"}, episodes = 3, out = "$tmp/h" .. i .. ".h5", shard = i .. "/2", jobs = 2})
end
local m = assert(gensim.demos_merge{parts = {"$tmp/h0.h5", "$tmp/h1.h5"}, out = "$tmp/hm.h5"})
assert(m.episodes == 3, "merged episodes")
local ok, err = pcall(gensim.run, {task = "$red", shard = "2/2"})
assert(not ok and err:find("does not exist"), "a bad shard field")
print("host ok")
LUA
s=$(st "$gensim" lua "$tmp/host.lua"); [ "$s" = 0 ] && grep -q "host ok" "$tmp/out" && pass || fail "the Lua host: status $s: $(cat "$tmp/err")"

section end
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
