#!/bin/sh
# gensim demos end to end: statuses, the JSON summary, the file as the
# project's reader (gensim demos --info) and h5dump see it, test seeds kept
# apart from train seeds, and an interrupted recording leaving a readable
# file. Nothing here is timed. Usage: demos_cli.sh BUILD_DIR
set -u
gensim="$1/gensim"
task=tasks/seed/place-red-in-green.lua
tmp=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0 failed=0

fail() { failed=$((failed + 1)); echo "FAIL $*"; }
pass() { passed=$((passed + 1)); }
# status_of ARGS...: runs gensim demos with a 120 s guard
status_of() { timeout 120 "$gensim" demos "$@" >"$tmp/out" 2>"$tmp/err"; echo $?; }

# usage
s=$(status_of --help); [ "$s" = 0 ] && grep -q "usage: gensim demos" "$tmp/out" && pass || fail "--help: status $s"
"$gensim" --help | grep -q "demos" && pass || fail "gensim --help does not list demos"
s=$(status_of --episodes 2 --out "$tmp/a.h5"); [ "$s" = 2 ] && grep -q "no task file" "$tmp/err" && pass || fail "no task: status $s"
s=$(status_of $task --episodes 2); [ "$s" = 2 ] && grep -q -- "--out" "$tmp/err" && pass || fail "no --out: status $s"
s=$(status_of $task --out "$tmp/a.h5"); [ "$s" = 2 ] && pass || fail "no --episodes: status $s"
s=$(status_of $task --episodes 0 --out "$tmp/a.h5"); [ "$s" = 2 ] && pass || fail "--episodes 0: status $s"
s=$(status_of $task --episodes 2 --out "$tmp/a.h5" --split dev); [ "$s" = 2 ] && grep -q "train or test" "$tmp/err" && pass || fail "--split dev: status $s"
s=$(status_of $task --episodes 2 --out "$tmp/a.h5" --seed 2147483640); [ "$s" = 2 ] && grep -q "2^31" "$tmp/err" && pass || fail "seed range: status $s"
s=$(status_of $task --episodes 2 --out "$tmp/a.h5" --bogus); [ "$s" = 2 ] && pass || fail "unknown flag: status $s"
s=$(status_of tests/fixtures/bad/does-not-exist.lua --episodes 2 --out "$tmp/a.h5"); [ "$s" = 2 ] && pass || fail "missing task: status $s"
[ ! -e "$tmp/a.h5" ] && pass || fail "a refused run created its file"

# a good run: status 0, the JSON summary, the file read back
s=$(status_of $task --episodes 3 --seed 5 --out "$tmp/a.h5" --json)
if [ "$s" = 0 ]; then
    for key in tasks episodes attempts successes wall_s episodes_per_s path bytes split interrupted; do
        grep -q "\"$key\":" "$tmp/out" && pass || fail "--json lacks $key"
    done
    grep -q '"episodes":3,' "$tmp/out" && pass || fail "--json: not 3 episodes: $(cat "$tmp/out")"
else
    fail "good run: status $s: $(head -n 3 "$tmp/err")"
fi
s=$(status_of --info "$tmp/a.h5" --full --json)
[ "$s" = 0 ] && grep -q '"episodes":3,' "$tmp/out" && grep -q '"format":"gensim-demos"' "$tmp/out" &&
    grep -q '"seed_min":5,' "$tmp/out" && pass || fail "--info: status $s: $(cat "$tmp/out" "$tmp/err")"
s=$(status_of --info "$tmp/a.h5"); [ "$s" = 0 ] && grep -q "3 episodes" "$tmp/out" && pass || fail "--info text: status $s"

if command -v h5dump >/dev/null 2>&1; then
    h5dump -H "$tmp/a.h5" >"$tmp/dump" 2>&1 && pass || fail "h5dump -H failed"
    for word in 'GROUP "episodes"' 'GROUP "000002"' 'DATASET "heightmap"' 'DATASET "color"' \
                'DATASET "segmentation"' 'DATASET "pick_pose"' 'DATASET "place_pixel"' \
                'DATASET "reward"' 'DATASET "lang"' 'ATTRIBUTE "pixel_size"' 'ATTRIBUTE "bounds"' \
                'ATTRIBUTE "gensim_version"' 'ATTRIBUTE "seed"' '320, 160 )'; do
        grep -qF "$word" "$tmp/dump" && pass || fail "h5dump -H lacks $word"
    done
    h5dump -a /episodes/000000/task "$tmp/a.h5" | grep -q '"place-red-in-green"' && pass || fail "h5dump: task attribute"
else
    echo "SKIP h5dump checks: h5dump is not installed (scripts/setup-debian.sh installs hdf5-tools)"
fi

# an existing file is kept unless --force
s=$(status_of $task --episodes 1 --out "$tmp/a.h5"); [ "$s" = 2 ] && grep -q "already exists" "$tmp/err" && pass || fail "existing file: status $s"
s=$(status_of --info "$tmp/a.h5" --json); grep -q '"episodes":3,' "$tmp/out" && pass || fail "the refused run changed the file"
s=$(status_of $task --episodes 1 --out "$tmp/a.h5" --force --quiet); [ "$s" = 0 ] && pass || fail "--force: status $s"
s=$(status_of --info "$tmp/a.h5" --json); grep -q '"episodes":1,' "$tmp/out" && pass || fail "--force did not replace the file"

# test seeds start at 2^31; train seeds stay below
s=$(status_of $task --episodes 2 --seed 5 --split test --out "$tmp/test.h5" --quiet); [ "$s" = 0 ] && pass || fail "--split test: status $s"
s=$(status_of --info "$tmp/test.h5" --json)
grep -q '"split":"test"' "$tmp/out" && grep -q '"seed_min":2147483653,' "$tmp/out" && pass || fail "test seeds: $(cat "$tmp/out")"

# not a dataset: status 2 and the reader's message
echo "hello" >"$tmp/text.h5"
s=$(status_of --info "$tmp/text.h5"); [ "$s" = 2 ] && grep -q "not a readable HDF5 file" "$tmp/err" && pass || fail "--info on text: status $s"

# interrupted: SIGINT once the file holds an episode; status 130, every
# finished episode readable
"$gensim" demos $task --episodes 100000 --out "$tmp/int.h5" >"$tmp/int.out" 2>"$tmp/int.err" &
pid=$!
size=0 waited=0
while [ "$waited" -lt 600 ] && kill -0 "$pid" 2>/dev/null; do
    size=$(stat -c %s "$tmp/int.h5" 2>/dev/null || echo 0)
    [ "$size" -gt 200000 ] && break
    sleep 0.1
    waited=$((waited + 1))
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
s=$?
pid=""
[ "$s" = 130 ] && grep -q "interrupted" "$tmp/int.err" && pass || fail "SIGINT: status $s (file $size bytes): $(tail -n 2 "$tmp/int.err")"
s=$(status_of --info "$tmp/int.h5" --full --json)
n=$(sed -n 's/.*"episodes":\([0-9]*\),.*/\1/p' "$tmp/out")
[ "$s" = 0 ] && [ "${n:-0}" -ge 1 ] && pass || fail "interrupted file: status $s, episodes '${n:-}': $(cat "$tmp/err")"
grep -q "wrote ${n:-x} episodes" "$tmp/int.out" && pass || fail "interrupted run's summary: $(cat "$tmp/int.out")"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
