#!/bin/sh
# Rewrites the seeds of the fuzz corpora (tests/fuzz/corpus/NAME/) from a
# build: valid files from gensim itself and from fuzz_make_seeds, and a few
# broken ones cut from them. Findings (crash-*, timeout-*, oom-*, leak-*)
# are never touched. usage: sh tests/fuzz/make_corpus.sh BUILD
set -eu
build=${1:?usage: make_corpus.sh BUILD}
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/corpus
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$corpus/dataset" "$corpus/policy" "$corpus/replay" "$corpus/task" "$corpus/pattern" \
    "$corpus/unpack" "$corpus/plugins"

"$build/fuzz/fuzz_make_seeds" "$corpus"

# A real recording and a real checkpoint: 1 episode, deflate 9 (30 KB); a
# 1-step training of 4 channels.
"$build/gensim" demos "$root/tasks/seed/place-red-in-green.lua" --episodes 1 --compression 9 \
    --out "$corpus/dataset/valid-demos.h5" --force --quiet
"$build/gensim" train "$corpus/dataset/valid-demos.h5" --out "$tmp/model.safetensors" --steps 1 \
    --channels 4 --quiet
cp "$tmp/model.safetensors" "$corpus/policy/valid-train1.safetensors"

# The tiny checkpoint's header alone: fuzz_policy gives it data.
len=$(od -An -t u8 -N 8 "$corpus/policy/valid-tiny.safetensors" | tr -d ' ')
tail -c +9 "$corpus/policy/valid-tiny.safetensors" | head -c "$len" | sed 's/ *$//' \
    > "$corpus/policy/valid-tiny-header.json"

# The plugin set a worker sends: the test plugins, good, refused and hostile.
fx=$root/tests/fixtures/plugins
GENSIM_PATH="$fx/good:$fx/future:$fx/bad-kind:$fx/hostile" "$build/gensim" plugin list --json \
    > "$corpus/plugins/valid-fixtures.json"

# Broken: cut short, and not the format at all.
head -c 2048 "$corpus/dataset/valid-tiny.h5" > "$corpus/dataset/truncated-tiny.h5"
printf 'not an HDF5 file\n' > "$corpus/dataset/text.h5"
: > "$corpus/dataset/empty.h5"
head -c 600 "$corpus/policy/valid-tiny.safetensors" > "$corpus/policy/truncated-header.safetensors"
printf '\377\377\377\377\377\377\377\177{}' > "$corpus/policy/huge-header.safetensors"
printf '\002\000\000\000\000\000\000\000{}' > "$corpus/policy/empty-header.safetensors"

# Transcripts: two lines by hand (an answer by order and embeddings), and
# damaged ones.
cat > "$corpus/replay/valid-two-lines.jsonl" <<'EOF'
{"kind":"chat","stage":"propose","hash":"0000000000000000","response":"Stack three blocks."}
{"kind":"embed","stage":"embed","hash":"0000000000000000","embeddings":[[0.25,-1,3]]}
EOF
cat > "$corpus/replay/damaged.jsonl" <<'EOF'
{"kind":"chat","stage":"code","hash":"1","response":"a"}
{"kind":"chat","stage":"code","hash":
{"kind":"chat","stage":"code","hash":"2","response":"b"}
EOF
cat > "$corpus/replay/valid-cut-last-line.jsonl" <<'EOF'
{"kind":"chat","stage":"repair","hash":"1","response":"fixed"}
{"kind":"chat","stage":"reflect","hash":"2","error":"http 500"}
{"kind":"chat","stage":"code","hash":"3","resp
EOF
printf '{"stage":"embed","hash":"x","embeddings":[[1,2],[3]]}\n' > "$corpus/replay/ragged.jsonl"
printf '{"hash":"x","response":"no stage"}\n' > "$corpus/replay/no-stage.jsonl"

# Task and pattern inputs are choices, not text (see their targets): their
# seeds are byte strings kept as they are (corpus/task/valid-plausible, 64
# zero bytes, writes a task that runs).
ls "$corpus"/*
