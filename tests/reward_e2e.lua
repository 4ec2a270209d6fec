-- The reward search of gensim generate (Eureka's loop) end to end, with no
-- network: through the loopback mock server, then offline from the
-- committed transcript tests/fixtures/reward/transcript.jsonl.
--   task 1 (nudge-block-onto-line): its own reward is a constant; of round
--     1's candidates the flat one fails and the shaped one leads CEM to
--     success; round 2's candidate reads a field the task API lacks (refused
--     by the shape check, before training); the shaped one is kept.
--   task 2 (lift-block-high): no reward tried leads to success; the task is
--     refused with the statistics of each, which terms moved and which
--     stayed flat.
-- Run as: gensim lua tests/reward_e2e.lua BUILD_DIR
-- (GS_E2E_VERBOSE=1 shows each run's stderr; GS_E2E_KEEP=1 keeps its folder;
-- GS_REWARD_RECORD=1 writes the mock run's transcript over the committed one,
-- after a deliberate change to the prompts or the ladder.)
local cjson = require("cjson")
local util = dofile("tests/e2e_util.lua")

local build = assert((...), "usage: gensim lua tests/reward_e2e.lua BUILD_DIR")
local GENSIM = build .. "/gensim"
local MOCK = build .. "/tests/mock_openai"
local FIX = "tests/fixtures/reward/"
local COMMITTED = FIX .. "transcript.jsonl"
local check, read, write, quote = util.check, util.read, util.write, util.quote

local tmp = os.tmpname()
os.remove(tmp)
assert(os.execute("mkdir -p " .. quote(tmp .. "/compare")))

local function generate(args)
  local out = tmp .. "/out.json"
  local _, _, status = os.execute(GENSIM .. " generate " .. args .. " --json > " .. quote(out) .. " 2> "
    .. quote(out .. ".err"))
  if os.getenv("GS_E2E_VERBOSE") then io.write(read(out .. ".err") or "", "\n") end
  local ok, summary = pcall(cjson.decode, read(out) or "")
  if not ok then
    io.write("  gensim generate printed: ", tostring(read(out)), "\n  stderr: ", tostring(read(out .. ".err")), "\n")
    summary = nil
  end
  return status, summary
end

local function block(path) return "```lua\n" .. assert(read(FIX .. path)) .. "```\n" end
local function proposal(name, description, assets)
  return cjson.encode({name = name, description = description, assets = assets})
end

local script = {
  {content = proposal("nudge-block-onto-line", "Nudge the block across the table until it rests on the blue line.",
                      {"block", "line"})},
  {content = "The task:\n" .. block("nudge-block-onto-line.lua")},
  {content = "Two rewards.\n" .. block("flat-reward.lua") .. "\nand\n" .. block("line-reward.lua")},
  {content = "```lua\nreward = function(env)\n  return env.no_such_field.x, false, {}\nend\n```\n"},
  {content = proposal("lift-block-high", "Grip the block with the suction cup and raise it high above the table.",
                      {"block"})},
  {content = block("lift-block-high.lua")},
  {content = block("height-reward.lua") .. block("flat-reward.lua")},
  {content = block("lift-reward.lua")},
}
write(tmp .. "/script.json", cjson.encode(script))

local FLAGS = "-n 2 --model mock-model --seeds 4 --min-solved 2 --repairs 0 --rewards 2 --reward-rounds 2 "
  .. "--learn-steps 3000 --learn-seeds 2 --compare " .. quote(tmp .. "/compare")

local function by_name(summary)
  local out = {}
  for _, t in ipairs(summary and summary.tasks or {}) do out[t.name or "?"] = t end
  return out
end

local function expect(summary, lib, label)
  check(summary and summary.proposed == 2 and summary.accepted == 1, label .. ": two proposed, one accepted")
  check(summary and summary.reward_candidates == 6, label .. ": six candidate rewards trained (got "
    .. tostring(summary and summary.reward_candidates) .. ")")
  check(summary and summary.learnable == 1 and summary.nontrivial == 2, label .. ": both reach learnable, one passes")
  local tasks = by_name(summary)
  local a, b = tasks["nudge-block-onto-line"], tasks["lift-block-high"]
  -- (a) accepted through the loop, the best candidate kept
  local search = a and a.reward_search or {}
  check(a and a.accepted, label .. ": the task whose candidate reward leads to success is accepted")
  check(search.kept and search.kept.round == 1 and search.kept.index == 2,
        label .. ": the kept reward is round 1's second candidate")
  local c = search.candidates or {}
  check(#c == 4 and c[1].solved == 0 and c[2].solved == 0 and c[3].solved >= 1 and c[4].failed == "shape",
        label .. ": own 0, flat 0, shaped solved, the one outside the API stopped at shape")
  local stored = read(lib .. "/nudge-block-onto-line.lua") or ""
  check(stored:find("across = math.abs(across), reach = reach", 1, true) and stored:find("candidate of gensim", 1, true)
        and stored:find("return task {", 1, true), label .. ": the library holds the task with the kept reward")
  local rec = cjson.decode(read(lib .. "/nudge-block-onto-line.json") or "null")
  check(rec and rec.reward_search and rec.reward_search.kept.index == 2 and rec.ladder.learn_solved >= 1,
        label .. ": the record keeps the search and the learnable rung's result")
  check(rec and rec.ladder and rec.ladder["return"] and #rec.ladder.terms == 2 and rec.ladder.terms[1].max
        and rec.ladder.terms[1].min, label .. ": the record has the terms' min and max and the return")
  -- (b) refused with a message the model can act on
  local msg = b and b.message or ""
  check(b and not b.accepted and b.failed == "learnable", label .. ": the task no reward leads to success is refused")
  for _, want in ipairs({"none of the 4 reward functions tried", "CEM plans 2 seeds within 3000 environment steps",
                         "needs success on 1 of them", "the task's own reward: success on 0 of 2 seeds",
                         "flat: nothing (always 0)", "flat: alive (always 1)", "moved: height (",
                         "candidate 1 of round 2: success on 0 of 2 seeds", "moved: lift (",
                         "grow steadily"}) do
    check(msg:find(want, 1, true), label .. ": the refusal says " .. want)
  end
  check(not read(lib .. "/lift-block-high.lua"), label .. ": the refused task is not in the library")
end

local function stages_and_hashes(path)
  local out = {}
  for line in (read(path) or ""):gmatch("[^\n]+") do
    local e = cjson.decode(line)
    out[#out + 1] = tostring(e.stage) .. " " .. tostring(e.hash)
  end
  return out
end

-- 1. through the mock server
local port_file = tmp .. "/port"
os.execute(MOCK .. " --script " .. quote(tmp .. "/script.json") .. " --port-file " .. quote(port_file)
  .. " --log " .. quote(tmp .. "/requests.jsonl") .. " > " .. quote(tmp .. "/mock.out") .. " 2>&1 & echo $! > "
  .. quote(tmp .. "/mock.pid"))
local port
for _ = 1, 100 do
  port = read(port_file)
  if port and port:match("%d+") then break end
  os.execute("sleep 0.05")
end
port = assert(port and port:match("%d+"), "the mock server did not start")
local transcript = tmp .. "/transcript.jsonl"
local status, summary = generate(string.format("--llm-url http://127.0.0.1:%s/v1 --library %s --transcript %s %s",
  port, quote(tmp .. "/lib"), quote(transcript), FLAGS))
local pid = (read(tmp .. "/mock.pid") or ""):match("%d+")
if pid then os.execute("kill " .. pid .. " 2>/dev/null") end
check(status == 0, "mock: gensim generate completes (status " .. tostring(status) .. ")")
expect(summary, tmp .. "/lib", "mock")
local requests = {}
for line in (read(tmp .. "/requests.jsonl") or ""):gmatch("[^\n]+") do requests[#requests + 1] = cjson.decode(line) end
check(#requests == #script, "mock: every scripted answer was asked for (" .. #requests .. " requests)")
local function last_user(r)
  local body = r and r.body or {}
  if type(body) == "string" then body = cjson.decode(body) end
  local m = body.messages or {}
  return m[#m] and m[#m].content or ""
end
local feedback = last_user(requests[4])
check(feedback:find("Candidate 1: CEM reached success(env) on 0 of 2 seeds", 1, true)
      and feedback:find("alive always 1 (flat)", 1, true) and feedback:find("across ", 1, true),
      "mock: round 2's prompt carries round 1's success and term statistics")
check(last_user(requests[3]):find("Write 2 different reward functions", 1, true),
      "mock: round 1's prompt asks for K rewards")
if os.getenv("GS_REWARD_RECORD") then
  write(COMMITTED, assert(read(transcript)))
  io.write("recorded ", COMMITTED, "\n")
end

-- 2. offline, from the committed transcript: the same run byte for byte
local lib2 = tmp .. "/lib-replay"
status, summary = generate(string.format("--replay %s --library %s %s", quote(COMMITTED), quote(lib2), FLAGS))
check(status == 0, "replay: completes with no server")
expect(summary, lib2, "replay")
check(summary and summary.llm and summary.llm.replayed == #script, "replay: every answer came from the transcript")
check(read(lib2 .. "/nudge-block-onto-line.lua") == read(tmp .. "/lib/nudge-block-onto-line.lua"),
      "replay: the stored task is the mock run's, byte for byte")
check(table.concat(stages_and_hashes(COMMITTED), "\n") == table.concat(stages_and_hashes(transcript), "\n"),
      "the committed transcript's requests are the mock run's (GS_REWARD_RECORD=1 records them again)")

-- 3. bad flags: a clear message and status 2
local _, _, code = os.execute(GENSIM .. " generate --replay " .. quote(COMMITTED) .. " --rewards 99 > /dev/null 2> "
  .. quote(tmp .. "/bad.err"))
check(code == 2 and (read(tmp .. "/bad.err") or ""):find("--rewards must be", 1, true), "--rewards 99: status 2")
_, _, code = os.execute(GENSIM .. " generate --replay " .. quote(COMMITTED) .. " --learn-seeds 0 > /dev/null 2> "
  .. quote(tmp .. "/bad.err"))
check(code == 2 and (read(tmp .. "/bad.err") or ""):find("--learn-seeds must be", 1, true), "--learn-seeds 0: status 2")

-- 4. a candidate cannot change the judge: what it writes into math stays in
-- its own view (success(env) still uses the real math.abs), and task_of is
-- const
package.path = "scripts/?.lua;" .. package.path
local gensim = require("gensim")
local reward_search = require("reward_search")
local nudge = assert(read(FIX .. "nudge-block-onto-line.lua"))
local tiny = {seeds = 2, min_solved = 1, learn_steps = 500, learn_seeds = 1, dirs = {}}
local cheat = "reward = function(env)\n  math.abs = function() return 0 end\n  return 0, false, {}\nend\n"
local v = gensim.library.validate(reward_search.splice(nudge, cheat), "nudge-block-onto-line.lua", tiny)
check(v.failed == "learnable" and v.learn_solved == 0,
      "a candidate replacing math.abs does not make success(env) hold (" .. tostring(v.failed) .. ")")
v = gensim.library.validate(reward_search.splice(nudge, "task_of = nil\nreward = function(env) return 0 end\n"),
  "nudge-block-onto-line.lua", tiny)
check(v.failed == "syntax" and v.message:find("const", 1, true), "a candidate cannot replace task_of")

if os.getenv("GS_E2E_KEEP") then io.write("kept ", tmp, "\n") else os.execute("rm -rf " .. quote(tmp)) end
if util.failures > 0 then
  io.write(util.failures, " check(s) failed\n")
  os.exit(1)
end
