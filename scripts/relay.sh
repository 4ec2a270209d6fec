#!/bin/sh
# A --llm-cmd relay to a model that answers by hand (a person, or an agent
# working from files): each request goes to DIR/request-N.json (its stage,
# model and messages), and the answer is whatever appears in
# DIR/answer-N.txt. Use it with a long --llm-timeout-s:
#
#   gensim generate -n 5 --llm-cmd "sh scripts/relay.sh /tmp/relay" --llm-timeout-s 7200
#
# The reader of DIR/request-N.json answers from its messages alone, writes
# DIR/answer-N.txt.tmp and renames it to DIR/answer-N.txt (so a half-
# written answer is never read). Exit status 3 when no answer came within
# RELAY_TIMEOUT_S seconds (default 7200).
set -eu
dir=${1:?usage: relay.sh DIR}
mkdir -p "$dir"
# the next free number, claimed atomically by mkdir
n=1
while ! mkdir "$dir/claim-$n" 2>/dev/null; do n=$((n + 1)); done
cat >"$dir/request-$n.json.tmp"
mv "$dir/request-$n.json.tmp" "$dir/request-$n.json"
waited=0
limit=${RELAY_TIMEOUT_S:-7200}
while [ ! -f "$dir/answer-$n.txt" ]; do
    sleep 1
    waited=$((waited + 1))
    if [ "$waited" -ge "$limit" ]; then
        echo "relay: no answer to $dir/request-$n.json in $limit s" >&2
        exit 3
    fi
done
cat "$dir/answer-$n.txt"
