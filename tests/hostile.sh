#!/bin/sh
# The hostile-task corpus: every file of tests/hostile/ is an attack on the
# host, run through gensim-run and gensim validate. Each must end (a kill
# guard far past its time limit catches a hang), stay within its memory cap
# plus a fixed overhead (peak RSS), write nothing outside the folder it was
# given, and come out as its first lines say:
#   -- expect: WORDS      exit 3, "file:line: message" on stderr holding WORDS
#   -- expect-ok: WHY     exit 0: the attack runs harmlessly
#   -- args: FLAGS        more gensim-run flags (@OUT@ is a scratch folder)
# Usage: tests/hostile.sh BUILD_DIR [PROBE...]
set -u
build=$(cd "$1" && pwd)
shift
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run="$build/gensim-run"
gensim="$build/gensim"
# Limits every probe runs under, the kill guard, and the memory the host
# may use beyond the task's cap (the process, Bullet, the renderer).
# HOSTILE_TIMEOUT_S stretches the time limit for slow builds (sanitizers),
# where filling 64 MB takes longer than a second.
TIMEOUT=${HOSTILE_TIMEOUT_S:-1}
LIMITS="--episodes 1 --timeout-s $TIMEOUT --max-memory-mb 64"
GUARD=${HOSTILE_GUARD_S:-30}
OVERHEAD_MB=${HOSTILE_OVERHEAD_MB:-160}
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

probes=${*:-tests/hostile/*.lua}
for f in $probes; do
    out=$tmp/out && rm -rf "$out" && mkdir -p "$out"
    rm -f /tmp/gensim-escape
    expect=$(sed -n 's/^-- expect: //p' "$f" | head -n 1)
    ok=$(sed -n 's/^-- expect-ok: //p' "$f" | head -n 1)
    args=$(sed -n 's/^-- args: //p' "$f" | head -n 1 | sed "s|@OUT@|$out|g")
    cap=$(printf '%s\n' "$LIMITS $args" | sed -n 's/.*--max-memory-mb \([0-9]*\).*/\1/p' | tail -n 1)
    # shellcheck disable=SC2086 # the flags are words
    timeout -s KILL "$GUARD" /usr/bin/time -f '%M' -o "$tmp/rss" "$run" "$f" $LIMITS $args \
        >"$tmp/stdout" 2>"$tmp/err"
    s=$?
    first=$(grep -v '^\[task\]' "$tmp/err" | head -n 1)
    rss_kb=$(tail -n 1 "$tmp/rss" 2>/dev/null)
    case "$rss_kb" in ''|*[!0-9]*) rss_kb=0 ;; esac
    if [ "$s" = 137 ] || [ "$s" = 124 ]; then fail "$f: still running after ${GUARD}s (killed)"; continue; fi
    if [ -n "$ok" ]; then
        [ "$s" = 0 ] || { fail "$f: status $s, expected a harmless run: $first"; continue; }
    else
        [ "$s" = 3 ] || { fail "$f: status $s, expected 3: $first"; continue; }
        case "$first" in
            "$f":[0-9]*:\ *) ;;
            *) fail "$f: stderr is not 'file:line: message': $first"; continue ;;
        esac
        if [ -n "$expect" ] && ! grep -qF -- "$expect" "$tmp/err"; then
            fail "$f: expected \"$expect\" in: $first"; continue
        fi
    fi
    if [ "$rss_kb" -gt $(((cap + OVERHEAD_MB) * 1024)) ]; then
        fail "$f: peak RSS $((rss_kb / 1024)) MB, over the cap of $cap MB + $OVERHEAD_MB MB"; continue
    fi
    if [ -e /tmp/gensim-escape ] || [ -n "$(find "$out" -mindepth 1 -not -path "$out/pics*" | head -n 1)" ]; then
        fail "$f: wrote outside the folder it was given"; continue
    fi
    # the ladder meets the same task and must end the same way: a verdict
    timeout -s KILL "$GUARD" "$gensim" validate "$f" --seeds 2 --min-solved 1 --no-novelty \
        --timeout-s "$TIMEOUT" --max-memory-mb "$cap" >"$tmp/vout" 2>"$tmp/verr"
    s=$?
    case "$s" in
        0|3) ;;
        *) fail "$f: gensim validate ended with status $s: $(head -n 1 "$tmp/verr")"; continue ;;
    esac
    pass
done
echo "hostile: $passed passed, $failed failed"
[ "$failed" = 0 ]
