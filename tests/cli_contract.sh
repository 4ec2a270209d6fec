#!/bin/sh
# The command-line contract of gensim-run: every bad input ends in time with
# the documented status and a "file:line: message" on stderr, and nothing
# outside the sandbox is touched. Usage: cli_contract.sh BUILD_DIR
set -u
run="$1/gensim-run"
limits="--max-instructions 20000000 --max-memory-mb 64 --timeout-s 5"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

fail() { failed=$((failed + 1)); echo "FAIL $*"; }
pass() { passed=$((passed + 1)); }

# status STATUS FILE ARGS...: runs gensim-run with a 60 s guard
status_of() { timeout 60 "$run" "$@" >"$tmp/out" 2>"$tmp/err"; echo $?; }

# unreadable inputs: status 2
s=$(status_of tests/fixtures/bad/does-not-exist.lua); [ "$s" = 2 ] && pass || fail "missing file: status $s"
s=$(status_of tests/fixtures/bad); [ "$s" = 2 ] && pass || fail "a folder: status $s"
s=$(status_of); [ "$s" = 2 ] && pass || fail "no arguments: status $s"
s=$(status_of tasks/seed/place-red-in-green.lua --episodes zero); [ "$s" = 2 ] && pass || fail "bad --episodes: status $s"
s=$(status_of tasks/seed/place-red-in-green.lua --bogus); [ "$s" = 2 ] && pass || fail "unknown flag: status $s"
s=$(status_of tasks/seed/place-red-in-green.lua --max-memory-mb -1); [ "$s" = 2 ] && pass || fail "bad limit: status $s"
s=$(status_of --help); [ "$s" = 0 ] && grep -q "usage: gensim-run" "$tmp/out" && pass || fail "--help: status $s"

# every bad task: status 3, file:line: message, the expected words
for f in tests/fixtures/bad/*.lua; do
    rm -f /tmp/gensim-escape
    s=$(status_of "$f" $limits)
    first=$(head -n 1 "$tmp/err")
    expect=$(sed -n '1s/^-- expect: //p' "$f")
    if [ "$s" != 3 ]; then fail "$f: status $s, stderr: $first"; continue; fi
    case "$first" in
        "$f":[0-9]*:\ *) ;;
        *) fail "$f: stderr is not 'file:line: message': $first"; continue ;;
    esac
    if [ -n "$expect" ] && ! grep -qF "$expect" "$tmp/err"; then
        fail "$f: expected \"$expect\" in: $first"; continue
    fi
    if [ -e /tmp/gensim-escape ]; then fail "$f: touched the file system"; continue; fi
    pass
done

# a good run: status 0 and the JSON fields of the contract
s=$(status_of tasks/seed/place-red-in-green.lua --episodes 2 --seed 7 --json)
if [ "$s" = 0 ]; then
    for key in task episodes successes success_rate mean_reward sim_steps wall_s episodes_per_s digest; do
        grep -q "\"$key\":" "$tmp/out" && pass || fail "--json lacks $key"
    done
else
    fail "good run: status $s: $(head -n 1 "$tmp/err")"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
