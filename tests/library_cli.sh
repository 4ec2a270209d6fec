#!/bin/sh
# gensim validate and gensim library's store subcommands end to end:
# statuses, JSON fields, help, and a library folder built through
# gensim.library and read back by list/show/stats/export-finetune/remove.
# Nothing here is timed. Usage: library_cli.sh BUILD_DIR
set -u
gensim="$1/gensim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
pass() { passed=$((passed + 1)); }
# v ARGS...: runs gensim validate with a 300 s guard, prints its status
v() { timeout 300 "$gensim" validate "$@" >"$tmp/out" 2>"$tmp/err"; echo $?; }
# l ARGS...: the same for gensim library
l() { timeout 120 "$gensim" library "$@" >"$tmp/out" 2>"$tmp/err"; echo $?; }
fx=tests/fixtures/ladder

# validate: usage
s=$(v --help); [ "$s" = 0 ] && grep -q "usage: gensim validate" "$tmp/out" && grep -q -- "--max-instructions" "$tmp/out" && pass || fail "validate --help: $s"
s=$(v); [ "$s" = 2 ] && grep -q "no task file" "$tmp/err" && pass || fail "validate without files: $s"
s=$(v $fx/does-not-exist.lua); [ "$s" = 2 ] && pass || fail "validate a missing file: $s"
s=$(v tasks/seed/place-red-in-green.lua --bogus); [ "$s" = 2 ] && grep -q "unknown option" "$tmp/err" && pass || fail "unknown flag: $s"
s=$(v tasks/seed/place-red-in-green.lua --seeds 0); [ "$s" = 2 ] && pass || fail "--seeds 0: $s"
s=$(v tasks/seed/place-red-in-green.lua --seeds 2 --min-solved 3); [ "$s" = 2 ] && grep -q "more than" "$tmp/err" && pass || fail "M > K: $s"
s=$(v tasks/seed/place-red-in-green.lua --threshold 2); [ "$s" = 2 ] && pass || fail "--threshold 2: $s"
s=$(v tasks/seed/place-red-in-green.lua --max-instructions x); [ "$s" = 2 ] && pass || fail "bad limit flag: $s"

# validate: a passing seed task, human and JSON
s=$(v tasks/seed/place-red-in-green.lua); [ "$s" = 0 ] && grep -q "^+++++-+ PASS" "$tmp/out" && grep -q "oracle 8/8" "$tmp/out" && pass || fail "seed task: $s: $(cat "$tmp/out" "$tmp/err")"
grep -q "not compared with .*/tasks/seed/place-red-in-green.lua" "$tmp/out" && pass || fail "the same-name note is missing"
s=$(v tasks/seed/place-red-in-green.lua --json --seeds 3 --min-solved 2)
if [ "$s" = 0 ]; then
    for key in tasks passed rates total seeds min_solved syntax shape runtime nontrivial solvable novel accepted nearest similarity per_seed same_name; do
        grep -q "\"$key\":" "$tmp/out" && pass || fail "--json lacks $key"
    done
    grep -q '"seeds":3,' "$tmp/out" && grep -q '"accepted":1' "$tmp/out" && pass || fail "--json counts: $(cat "$tmp/out")"
else
    fail "--json run: $s"
fi

# validate: every fixture fails its rung; status 3, the rung named
for pair in syntax.lua:syntax shape.lua:shape unknown-method.lua:shape runtime-third-seed.lua:runtime met-at-reset.lua:nontrivial \
            unsolvable.lua:solvable disguised-copy.lua:novel; do
    file=${pair%%:*} rung=${pair##*:}
    s=$(v $fx/$file); [ "$s" = 3 ] && grep -q "^  $rung: " "$tmp/out" && pass || fail "$file: status $s, $(cat "$tmp/out")"
done
# a joint goal left unmet: where the joint stands against the goal
s=$(v $fx/joint-left-shut.lua --no-novelty); [ "$s" = 3 ] &&
    grep -q "drawer (brown) from line 9, now at .*has the goal's joint at 0.00 of its range, the goal 0.90 within 0.05" \
        "$tmp/out" && pass || fail "joint-left-shut: status $s, $(cat "$tmp/out")"
s=$(v $fx/disguised-copy.lua --no-novelty); [ "$s" = 0 ] && pass || fail "--no-novelty: $s"
s=$(v $fx/disguised-copy.lua --dir "$tmp/empty"); [ "$s" = 0 ] && pass || fail "--dir of an empty folder: $s"
s=$(v $fx/syntax.lua $fx/shape.lua tasks/seed/block-insertion.lua --json)
[ "$s" = 3 ] && grep -q '"syntax":2,"shape":1,"runtime":1' "$tmp/out" && grep -q '"accepted":1' "$tmp/out" && grep -q '"total":3' "$tmp/out" &&
    pass || fail "mixed --json: $s: $(cat "$tmp/out")"
s=$(v $fx/syntax.lua tasks/seed/block-insertion.lua --quiet); [ "$s" = 3 ] && ! grep -q "block-insertion" "$tmp/out" && grep -q "syntax.lua" "$tmp/out" && pass || fail "--quiet: $s"

# library: usage
s=$(l --help); [ "$s" = 0 ] && grep -q "export-finetune" "$tmp/out" && pass || fail "library --help: $s"
s=$(l list --help); [ "$s" = 0 ] && grep -q "usage: gensim library list" "$tmp/out" && pass || fail "library list --help: $s"
s=$(l lsit); [ "$s" = 2 ] && grep -q "did you mean 'list'" "$tmp/err" && pass || fail "misspelt subcommand: $s"
s=$(l show); [ "$s" = 2 ] && grep -q "NAME is required" "$tmp/err" && pass || fail "show without a name: $s"
s=$(l export-finetune); [ "$s" = 2 ] && pass || fail "export-finetune without OUT: $s"
s=$(l list --dir); [ "$s" = 2 ] && pass || fail "--dir without a folder: $s"
s=$(l list extra --dir "$tmp/lib"); [ "$s" = 2 ] && pass || fail "list with an argument: $s"
s=$(l list --dir "$tmp/lib" --json); [ "$s" = 0 ] && grep -q '"count":0' "$tmp/out" && pass || fail "an empty library: $s"

# a library built through gensim.library
cat >"$tmp/build.lua" <<LUA
local lib = require("gensim").library
for _, n in ipairs({"place-red-in-green", "block-insertion"}) do
  local f = assert(io.open("tasks/seed/" .. n .. ".lua")); local src = f:read("a"); f:close()
  local r = assert(lib.validate(src, n .. ".lua", {seeds = 2, min_solved = 1, dirs = {}}))
  assert(r.passed and r.rungs[7].name == "novel" and r.rungs[7].status == "pass" and r.rungs[6].status == "n/a", r.message)
  -- oracle_success is left to the store, which takes it from the ladder's JSON
  assert(lib.add("$tmp/lib", "gen-" .. n, src, ('{"description": "%s", "model": "model-%s", "ladder": %s}')
    :format(r.description, n, r.json)))
end
local ok, err = lib.add("$tmp/lib", "gen-block-insertion", "x", "{}")
assert(ok == nil and err:find("already"), "an existing name was overwritten")
assert(lib.add("$tmp/lib", "Bad Name", "x", "{}") == nil)
local bad = assert(lib.validate("return task{", "x.lua", {seeds = 2, min_solved = 1}))
assert(not bad.passed and bad.failed == "syntax" and bad.rungs[2].status == "skip")
assert(#lib.list("$tmp/lib") == 2)
local s = lib.similarity("local a = 1", "x", "local b = 2", "x")
assert(s > 0.99, s)
print("built")
LUA
timeout 300 "$gensim" lua "$tmp/build.lua" >"$tmp/out" 2>"$tmp/err" && grep -q built "$tmp/out" && pass || fail "gensim.library: $(cat "$tmp/err")"
s=$(l list --dir "$tmp/lib"); [ "$s" = 0 ] && grep -q "gen-block-insertion" "$tmp/out" && grep -q "2 tasks" "$tmp/out" && pass || fail "list: $s"
s=$(l list --dir "$tmp/lib" --json)
[ "$s" = 0 ] && grep -q '"count":2' "$tmp/out" && grep -q '"oracle_success":' "$tmp/out" && grep -q '"time":' "$tmp/out" && pass || fail "list --json: $s"
s=$(l show gen-block-insertion --dir "$tmp/lib" --json)
[ "$s" = 0 ] && grep -q '"path":"[^"]*gen-block-insertion.lua"' "$tmp/out" && grep -q '"file_hash":' "$tmp/out" && pass || fail "show --json: $s"
s=$(l show gen-nothing --dir "$tmp/lib"); [ "$s" = 2 ] && grep -q "no task 'gen-nothing'" "$tmp/err" && pass || fail "show a missing task: $s"
s=$(l stats --dir "$tmp/lib" --json)
[ "$s" = 0 ] && grep -q '"tasks":2' "$tmp/out" && grep -q '"mean_oracle_success":1' "$tmp/out" && grep -q '"novel":2' "$tmp/out" &&
    grep -q '"model-block-insertion":1' "$tmp/out" && pass || fail "stats --json: $s: $(cat "$tmp/out")"
grep -q '"self_bleu4":' "$tmp/out" && grep -q '"mean_code_similarity":' "$tmp/out" && grep -q '"block":' "$tmp/out" &&
    grep -q '"metrics":{' "$tmp/out" && pass || fail "stats --json lacks the diversity figures: $(cat "$tmp/out")"
s=$(l stats); [ "$s" = 0 ] && grep -q "^seed: [0-9]* tasks" "$tmp/out" && grep -q "^both: " "$tmp/out" &&
    grep -q "Self-BLEU-4" "$tmp/out" && pass || fail "stats of seed, generated and both: $s: $(cat "$tmp/out")"
s=$(l stats --dir "$tmp/nowhere"); [ "$s" = 2 ] && pass || fail "stats of a missing folder: $s"
mkdir -p "$tmp/lib/transcripts"
printf '%s\n' '{"kind":"chat","stage":"code","messages":[{"role":"user","content":"12345"}],"response":"abc"}' \
    >"$tmp/lib/transcripts/run.jsonl"
s=$(l stats --dir "$tmp/lib" --json)
[ "$s" = 0 ] && grep -q '"transcript":"run.jsonl"' "$tmp/out" && grep -q '"requests":1' "$tmp/out" &&
    grep -q '"prompt_bytes":5' "$tmp/out" && grep -q '"response_bytes":3' "$tmp/out" && pass ||
    fail "stats of a run's cost: $s: $(cat "$tmp/out")"
s=$(l export-finetune "$tmp/ft.jsonl" --dir "$tmp/lib" --json)
[ "$s" = 0 ] && grep -q '"examples":2' "$tmp/out" && [ "$(wc -l <"$tmp/ft.jsonl")" = 2 ] && pass || fail "export-finetune: $s"
grep -q '"role":"assistant","content":"```lua' "$tmp/ft.jsonl" && grep -q 'Use the assets: block' "$tmp/ft.jsonl" && pass || fail "export-finetune content"
s=$(l export-finetune "$tmp/no/such/dir/ft.jsonl" --dir "$tmp/lib"); [ "$s" = 2 ] && pass || fail "export to an unwritable path: $s"
rm "$tmp/lib/index.json"
s=$(l list --dir "$tmp/lib"); [ "$s" = 0 ] && [ -f "$tmp/lib/index.json" ] && pass || fail "index not rebuilt: $s"
s=$(l remove gen-block-insertion --dir "$tmp/lib"); [ "$s" = 0 ] && [ ! -e "$tmp/lib/gen-block-insertion.lua" ] && [ ! -e "$tmp/lib/gen-block-insertion.json" ] && pass || fail "remove: $s"
! grep -q "gen-block-insertion" "$tmp/lib/index.json" && pass || fail "remove left an index entry"
s=$(l remove gen-block-insertion --dir "$tmp/lib"); [ "$s" = 2 ] && pass || fail "remove twice: $s"
s=$(l remove ../etc --dir "$tmp/lib"); [ "$s" = 2 ] && grep -q "not a valid task name" "$tmp/err" && pass || fail "remove a bad name: $s"

echo "library_cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
