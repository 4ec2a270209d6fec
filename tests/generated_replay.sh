#!/bin/sh
# The shipped generated library (tasks/generated/), made again offline from
# its transcripts: each part of the exploratory campaign and each
# goal-directed run is replayed from the model's recorded answers with the
# flags it was made with (tasks/generated/transcripts/runs.txt), the parts
# are merged as they were, and every task must come out with the shipped
# code, byte for byte, and no task more or less.
# Usage: tests/generated_replay.sh BUILD_DIR [OUT]
set -u
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
lib=$root/tasks/generated
runs=$lib/transcripts/runs.txt
out=${2:-}
if [ -z "$out" ]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi
gensim="$build/gensim"
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# runs.txt: one run per line, "LIBRARY FLAGS...": its transcript is
# transcripts/LIBRARY.jsonl and it writes OUT/LIBRARY; lines starting with
# "merge" join folders into OUT/merged in the order given.
[ -f "$runs" ] || { echo "FAIL no $runs"; exit 1; }
while read -r name rest; do
    case "$name" in ''|'#'*) continue ;; esac
    if [ "$name" = merge ]; then
        parts=
        for p in $rest; do parts="$parts $out/$p"; done
        # shellcheck disable=SC2086 # the parts are words
        "$gensim" library merge $parts --out "$out/merged" --json >"$out/merge.json" 2>"$out/merge.err" && pass ||
            fail "merge $rest: $(tail -n 3 "$out/merge.err")"
        continue
    fi
    # shellcheck disable=SC2086 # the flags are words; the target's quotes are kept by eval
    eval "set -- $rest"
    (cd "$root" && "$gensim" generate "$@" --replay "$lib/transcripts/$name.jsonl" --compare "$root/tasks/seed" \
        --library "$out/$name" --json --quiet) >"$out/$name.json" 2>"$out/$name.err" && pass ||
        fail "replay $name: $(tail -n 3 "$out/$name.err")"
done <"$runs"

# the merged library holds exactly the shipped tasks, code byte for byte
want=$(cd "$lib" && ls ./*.lua 2>/dev/null | sort)
have=$(cd "$out/merged" 2>/dev/null && ls ./*.lua 2>/dev/null | sort)
[ -n "$want" ] && [ "$want" = "$have" ] && pass || fail "the replayed library's tasks differ: $(printf '%s\n' "$want" "$have" | sort | uniq -u | head -n 5 | tr '\n' ' ')"
for f in $want; do
    cmp -s "$lib/$f" "$out/merged/$f" || fail "$f differs from its replay"
done
echo "generated_replay: $passed passed, $failed failed"
[ "$failed" = 0 ]
