-- gensim generate end to end, with no network: through the loopback mock of
-- an OpenAI-compatible server (faults included), then offline from the
-- transcript that run wrote, then through --llm-cmd toward a target.
-- Run as: gensim lua tests/generate_e2e.lua BUILD_DIR
-- (GS_E2E_VERBOSE=1 shows each run's stderr; GS_E2E_KEEP=1 keeps its folder,
-- the mock's own output included.)
local cjson = require("cjson")
local util = dofile("tests/e2e_util.lua")

local build = assert((...), "usage: gensim lua tests/generate_e2e.lua BUILD_DIR")
local GENSIM = build .. "/gensim"
local MOCK = build .. "/tests/mock_openai"
local FIX = "tests/fixtures/generate/"

local check = util.check

local function sh(cmd)
  local ok = os.execute(cmd)
  return ok
end

local read, write, quote = util.read, util.write, util.quote

local function lines(path)
  local out = {}
  for line in (read(path) or ""):gmatch("[^\n]+") do out[#out + 1] = line end
  return out
end

local function files_in(dir)
  local out = {}
  local p = io.popen("ls -1 " .. quote(dir) .. " 2>/dev/null")
  for name in p:lines() do out[#out + 1] = name end
  p:close()
  table.sort(out)
  return out
end

-- runs gensim generate, returns its status and decoded JSON summary
local function generate(args, quiet)
  local out = os.tmpname()
  local _, _, status = os.execute(GENSIM .. " generate " .. args .. " --json > " .. out .. " 2> " .. out .. ".err")
  local text = read(out)
  if os.getenv("GS_E2E_VERBOSE") then io.write(read(out .. ".err") or "", "\n") end
  local ok, summary = pcall(cjson.decode, text or "")
  if not ok and not quiet then
    io.write("  gensim generate printed: ", tostring(text), "\n  stderr: ", tostring(read(out .. ".err")), "\n")
    summary = nil
  end
  os.remove(out)
  os.remove(out .. ".err")
  return status, summary
end

local tmp = os.tmpname()
os.remove(tmp)
assert(sh("mkdir -p " .. quote(tmp)))

local function fenced(path, before)
  return (before or "Here is the task.\n") .. "```lua\n" .. assert(read(FIX .. path)) .. "```\n"
end
local function proposal(name, description, assets)
  return cjson.encode({name = name, description = description, assets = assets})
end

local GOOD = proposal("balls-into-container", "Gather every ball into the open container.", {"ball", "container", "block"})
local TRIVIAL = proposal("stack-on-itself", "Leave each cylinder where it stands.", {"cylinder"})
local DUPLICATE = proposal("red-blocks-to-green-bowls", "Put the red blocks into green bowls.", {"block", "bowl"})

-- The model's answers, request by request (the mock serves them in order):
-- task 1 needs a reflection (its first name is taken), then climbs after two
-- repairs (no code block, then a syntax error); task 2's goals hold at
-- reset; task 3 is a seed task in disguise; task 4's answers are broken.
local script = {
  {status = 500},
  {status = 429, retry_after = 1},
  {content = proposal("place-red-in-green", "Put the red blocks in the green bowls.", {"block", "bowl"})},
  {content = GOOD},                                                   -- reflect
  {content = "return task { name = 'balls-into-container' }"},       -- code: no block
  {hang = 3},
  {content = fenced("balls-into-container-syntax.lua")},             -- repair 1
  {content = fenced("balls-into-container.lua")},                    -- repair 2: accepted
  {content = TRIVIAL},
  {content = fenced("stack-on-itself.lua")},
  {content = fenced("stack-on-itself.lua")},
  {content = fenced("stack-on-itself.lua")},
  {content = DUPLICATE},
  {content = fenced("red-blocks-to-green-bowls.lua")},
  {content = fenced("red-blocks-to-green-bowls.lua")},
  {content = fenced("red-blocks-to-green-bowls.lua")},
  {truncate = true},
  {raw = "this is not JSON"},
}
write(tmp .. "/script.json", cjson.encode(script))

local LADDER = "--seeds 4 --min-solved 2 --repairs 2 --compare tasks/seed"

local function expect_counts(summary, label)
  local want = {proposed = 4, syntax = 3, shape = 3, runtime = 3, nontrivial = 2, solvable = 2, novel = 1,
                accepted = 1}
  for k, v in pairs(want) do
    check(summary and summary[k] == v, string.format("%s: %s = %d (got %s)", label, k, v,
      tostring(summary and summary[k])))
  end
  check(summary and math.abs(summary.rates.accepted - 0.25) < 1e-9, label .. ": acceptance rate 0.25")
  local by_name = {}
  for _, t in ipairs(summary and summary.tasks or {}) do by_name[t.name or "?"] = t end
  check(by_name["balls-into-container"] and by_name["balls-into-container"].repairs == 2,
        label .. ": the accepted task took two repairs")
  check(by_name["stack-on-itself"] and by_name["stack-on-itself"].failed == "nontrivial",
        label .. ": goals met at reset fail the nontrivial rung")
  local dup = by_name["red-blocks-to-green-bowls"]
  check(dup and dup.failed == "novel" and dup.message:find("place-red-in-green", 1, true),
        label .. ": the disguised seed task is named as a duplicate of place-red-in-green")
  local broken = summary and summary.tasks[4]
  check(broken and broken.failed == "model", label .. ": a truncated body and non-JSON fail that task only")
end

local function expect_library(lib, label)
  local names = files_in(lib)
  local lua_files = {}
  for _, n in ipairs(names) do
    if n:match("%.lua$") then lua_files[#lua_files + 1] = n end
  end
  check(#lua_files == 1 and lua_files[1] == "balls-into-container.lua",
        label .. ": the library holds just the accepted task (" .. table.concat(lua_files, ", ") .. ")")
  check(read(lib .. "/balls-into-container.lua") == read(FIX .. "balls-into-container.lua"),
        label .. ": the stored code is the model's final answer")
  local record = read(lib .. "/balls-into-container.json")
  local ok, rec = pcall(cjson.decode, record or "")
  check(ok and rec.name == "balls-into-container" and rec.model == "mock-model", label .. ": record names task and model")
  check(ok and rec.origin == "exploratory" and rec.repairs == 2, label .. ": record has origin and repairs")
  check(ok and type(rec.prompt_hash) == "string" and #rec.prompt_hash == 16
        and type(rec.response_hash) == "string", label .. ": record has prompt and response hashes")
  check(ok and rec.solved and rec.seeds == 4 and rec.solved >= 2 and rec.oracle_success == rec.solved / 4,
        label .. ": record has oracle success")
  check(ok and type(rec.ladder) == "table" and rec.ladder.passed == true, label .. ": record holds the ladder's result")
  local run_ok = sh(GENSIM .. "-run " .. quote(lib .. "/balls-into-container.lua") .. " --episodes 2 --quiet > /dev/null")
  check(run_ok, label .. ": the accepted task runs with gensim-run")
end

-- 1. through the mock server
local port_file = tmp .. "/port"
sh(MOCK .. " --script " .. quote(tmp .. "/script.json") .. " --port-file " .. quote(port_file)
   .. " --log " .. quote(tmp .. "/requests.jsonl") .. " > " .. quote(tmp .. "/mock.out") .. " 2>&1 &")
local port
for _ = 1, 100 do
  port = read(port_file)
  if port and port:match("%d+") then break end
  sh("sleep 0.05")
end
port = assert(port and port:match("%d+"), "the mock server did not start")
local lib = tmp .. "/lib"
local transcript = tmp .. "/transcript.jsonl"
local status, summary = generate(string.format(
  "-n 4 --llm-url http://127.0.0.1:%s/v1 --model mock-model --llm-timeout-s 1 --retries 3 %s --library %s --transcript %s",
  port, LADDER, quote(lib), quote(transcript)))
sh("pkill -f " .. quote(tmp .. "/script.json") .. " 2>/dev/null")
check(status == 0, "mock: gensim generate completes (status " .. tostring(status) .. ")")
expect_counts(summary, "mock")
expect_library(lib, "mock")
check(summary and summary.llm and summary.llm.retries >= 3, "mock: 500, 429 and the hang were retried")
local exchanges = lines(transcript)
local parsed = 0
for _, l in ipairs(exchanges) do
  if pcall(cjson.decode, l) then parsed = parsed + 1 end
end
check(#exchanges >= 13 and parsed == #exchanges, "mock: one JSON line per exchange in the transcript ("
      .. #exchanges .. ")")
local stages = {}
for _, l in ipairs(exchanges) do
  local ok, e = pcall(cjson.decode, l)
  if ok and e.stage then stages[e.stage] = true end
end
check(stages.propose and stages.reflect and stages.code and stages.repair,
      "mock: the transcript names the propose, reflect, code and repair stages")

-- 2. the same run offline, from its transcript
local lib2 = tmp .. "/lib-replay"
status, summary = generate(string.format("-n 4 --replay %s --model mock-model %s --library %s", quote(transcript),
  LADDER, quote(lib2)))
check(status == 0, "replay: completes with no server")
expect_counts(summary, "replay")
expect_library(lib2, "replay")

-- 3. through --llm-cmd, toward a target
local state = tmp .. "/cmd"
sh("mkdir -p " .. quote(state))
local answers = {
  "[" .. TRIVIAL .. ", " .. GOOD .. "]",
  fenced("stack-on-itself.lua"), fenced("stack-on-itself.lua"),
  fenced("balls-into-container.lua"),
}
write(state .. "/answers.json", cjson.encode(answers))
local lib3 = tmp .. "/lib-cmd"
local cmd = string.format("%s lua %sprovider.lua %s %s", GENSIM, FIX, state, state .. "/answers.json")
status, summary = generate(string.format(
  "--target %s --llm-cmd %s --model cmd-model --seeds 4 --min-solved 2 --repairs 1 --compare tasks/seed --library %s",
  quote("gather balls into a container"), quote(cmd), quote(lib3)))
check(status == 0, "llm-cmd: completes")
check(summary and summary.proposed == 2 and summary.accepted == 1 and summary.nontrivial == 1,
      "llm-cmd: a curriculum of two, the target accepted")
local requests = lines(state .. "/requests.jsonl")
local req_ok, first = pcall(cjson.decode, requests[1] or "")
check(#requests == 4 and req_ok and first.stage == "propose" and first.model == "cmd-model"
      and type(first.messages) == "table" and first.messages[1].role == "system",
      "llm-cmd: each request arrives as {stage, model, messages} on stdin")
local last_ok, last = pcall(cjson.decode, requests[3] or "")
check(last_ok and last.stage == "repair" and last.messages[#last.messages].content:find("nontrivial", 1, true),
      "llm-cmd: the repair request quotes the failing rung")
local rec_ok, rec = pcall(cjson.decode, read(lib3 .. "/balls-into-container.json") or "")
check(rec_ok and rec.origin == "target" and rec.target == "gather balls into a container",
      "llm-cmd: the target's record names its origin and target")

-- 4. the embeddings rung: the first candidate's vector is a library task's,
-- the second points elsewhere (the mock adds i to every entry of row i)
local function start_mock(entries, name)
  local dir = tmp .. "/" .. name
  sh("mkdir -p " .. quote(dir))
  write(dir .. "/script.json", cjson.encode(entries))
  sh(MOCK .. " --script " .. quote(dir .. "/script.json") .. " --port-file " .. quote(dir .. "/port")
     .. " > " .. quote(dir .. "/mock.out") .. " 2>&1 &")
  for _ = 1, 100 do
    local p = read(dir .. "/port")
    if p and p:match("%d+") then return p:match("%d+"), dir end
    sh("sleep 0.05")
  end
  error("the mock server did not start")
end
local eport, edir = start_mock({
  {content = GOOD}, {content = fenced("balls-into-container.lua")},
  {embedding = {1, 0, 0}}, -- the library, row i = {1 + i, i, i}: align-box-corner is {1, 0, 0}
  {embedding = {1, 0, 0}},
  {content = GOOD}, {content = fenced("balls-into-container.lua")},
  {embedding = {0, 0, -1}},
}, "embed")
local lib4 = tmp .. "/lib-embed"
status, summary = generate(string.format(
  "-n 2 --llm-url http://127.0.0.1:%s --model mock-model --embed-model mock-embed --repairs 0 " ..
  "--seeds 4 --min-solved 2 --compare tasks/seed --library %s", eport, quote(lib4)))
sh("pkill -f " .. quote(edir .. "/script.json") .. " 2>/dev/null")
local first, second = summary and summary.tasks[1], summary and summary.tasks[2]
check(status == 0 and first and first.failed == "novel" and first.message:find("embedding cosine", 1, true)
      and first.message:find("align-box-corner", 1, true),
      "embeddings: a candidate whose vector is a library task's is rejected, naming the task")
check(second and second.accepted and summary.accepted == 1 and summary.novel == 1,
      "embeddings: a candidate pointing elsewhere is accepted")

-- 5. kill -9 in the middle of a run: what was accepted stays, whole
local kstate = tmp .. "/kill"
sh("mkdir -p " .. quote(kstate))
local lib5 = tmp .. "/lib-killed-run"
write(kstate .. "/answers.json", cjson.encode({GOOD, fenced("balls-into-container.lua"),
                                               "kill -9 generate.*lib-killed-run"}))
local kcmd = string.format("%s lua %sprovider.lua %s %s", GENSIM, FIX, kstate, kstate .. "/answers.json")
status = generate(string.format("-n 2 --llm-cmd %s --seeds 4 --min-solved 2 --compare tasks/seed --library %s",
  quote(kcmd), quote(lib5)), true)
check(status ~= 0, "kill -9: the run was killed (status " .. tostring(status) .. ")")
local list_out = os.tmpname()
local listed = sh(GENSIM .. " library list --dir " .. quote(lib5) .. " --json > " .. list_out)
local lok, listing = pcall(cjson.decode, read(list_out) or "")
os.remove(list_out)
check(listed and lok and listing.count == 1 and listing.tasks[1].name == "balls-into-container",
      "kill -9: the library lists the task accepted before the kill")
local iok, index = pcall(cjson.decode, read(lib5 .. "/index.json") or "")
check(iok and #index.tasks == 1 and index.tasks[1].name == "balls-into-container",
      "kill -9: the index is whole and agrees")

-- 6. code whose task name is not the proposal's fails the shape rung
local nstate = tmp .. "/renamed"
sh("mkdir -p " .. quote(nstate))
write(nstate .. "/answers.json", cjson.encode({
  proposal("balls-in-box", "Gather every ball into the open container.", {"ball", "container"}),
  fenced("balls-into-container.lua")}))
local ncmd = string.format("%s lua %sprovider.lua %s %s", GENSIM, FIX, nstate, nstate .. "/answers.json")
status, summary = generate(string.format("-n 1 --llm-cmd %s --repairs 0 --seeds 4 --min-solved 2 " ..
  "--compare tasks/seed --library %s", quote(ncmd), quote(tmp .. "/lib-renamed")))
local renamed = summary and summary.tasks[1]
check(status == 0 and renamed and renamed.failed == "shape" and summary.accepted == 0
      and renamed.message:find('not "balls-into-container"', 1, true),
      "renamed: code naming another task than proposed fails the shape rung")

-- 8. messages that lead to the fix: the mock serves four answers that fail
-- for a reason of their own, and each message names the task line, the
-- object and the cause
local MSG = "tests/fixtures/messages/"
local function fixture_answer(name, description, assets)
  return {content = proposal(name, description, assets)},
         {content = "```lua\n" .. assert(read(MSG .. name .. ".lua")) .. "```\n"}
end
local mentries = {}
for _, t in ipairs({
  {"block-sunk-in-bowl", "Move the red block from the green bowl to the blue bowl.", {"block", "bowl"}},
  {"tower-on-the-edge", "Stand the red can on the edge of the gray stand.", {"cylinder", "stand"}},
  {"swept-off", "Put the red block on the green zone, then the blue block beside it.", {"block", "zone"}},
  {"floating-target", "Put the red block on the left, then hold the blue block in the air.", {"block"}},
}) do
  local a, b = fixture_answer(t[1], t[2], t[3])
  mentries[#mentries + 1] = a
  mentries[#mentries + 1] = b
end
local mport, mdir = start_mock(mentries, "messages")
status, summary = generate(string.format(
  "-n 4 --llm-url http://127.0.0.1:%s --model mock-model --repairs 0 --seeds 4 --min-solved 3 " ..
  "--compare tasks/seed --library %s", mport, quote(tmp .. "/lib-messages")))
sh("pkill -f " .. quote(mdir .. "/script.json") .. " 2>/dev/null")
check(status == 0 and summary and summary.proposed == 4 and summary.accepted == 0,
      "messages: four answers, none accepted")
local by = {}
for _, t in ipairs(summary and summary.tasks or {}) do by[t.name or "?"] = t end
local function says(name, rung, needles)
  local t = by[name]
  local msg = t and t.message or ""
  local missing = {}
  for _, n in ipairs(needles) do
    if not msg:find(n, 1, true) then missing[#missing + 1] = n end
  end
  check(t and t.failed == rung and #missing == 0, string.format("messages: %s fails %s naming %s%s", name, rung,
    table.concat(needles, " / "), #missing > 0 and ("; missing " .. table.concat(missing, ", ") .. " in: " .. msg)
    or ""))
end
says("block-sunk-in-bowl", "runtime", {"block (red) from line 12", "overlaps bowl (green) from line 9",
                                       "move it up", "its floor, 6 mm up"})
says("tower-on-the-edge", "solvable", {"env:goal of line 12", "cylinder (red) from line 10", "tipped over"})
says("swept-off", "solvable", {"env:goal of line 15", "block (red) from line 12", "slid out"})
says("floating-target", "solvable", {"stage 2 of 2", "env:goal of line 13", "block (blue) from line 10",
                                     "mm below it"})

-- 9. a goal-directed generation of an articulated task, through --llm-cmd,
-- then the same run offline from its transcript: the code request shows
-- the articulated API and articulated seed tasks as examples, and the task
-- is accepted both times
local astate = tmp .. "/articulated"
sh("mkdir -p " .. quote(astate))
local HIDE = proposal("hide-block-in-box", "Lift the lid of the box, drop the block inside and shut the lid over it.",
                      {"lidded-box", "block"})
write(astate .. "/answers.json", cjson.encode({"[" .. HIDE .. "]", fenced("hide-block-in-box.lua")}))
local acmd = string.format("%s lua %sprovider.lua %s %s", GENSIM, FIX, astate, astate .. "/answers.json")
local alib, atranscript = tmp .. "/lib-articulated", tmp .. "/articulated.jsonl"
status, summary = generate(string.format(
  "--target %s --llm-cmd %s --model cmd-model --seeds 4 --min-solved 2 --repairs 0 --compare tasks/seed " ..
  "--library %s --transcript %s", quote("hide a block in a box with a lid"), quote(acmd), quote(alib),
  quote(atranscript)))
check(status == 0 and summary and summary.accepted == 1 and summary.tasks[1].name == "hide-block-in-box",
      "articulated: a goal-directed run accepts a task with joint goals and latches")
local areqs = lines(astate .. "/requests.jsonl")
local code_ok, code_req = pcall(cjson.decode, areqs[2] or "")
local prompt = code_ok and code_req.messages[#code_req.messages].content or ""
check(code_ok and code_req.stage == "code" and prompt:find("env:set_joint(obj, joint, fraction)", 1, true)
      and prompt:find('metric = "pose" | "zone" | "joint"', 1, true) and prompt:find("latch = true", 1, true)
      and prompt:find("scenes/microwave.urdf", 1, true),
      "articulated: the code prompt shows the articulated API and the URDF files")
check(prompt:find('name = "open-lid"', 1, true) or prompt:find('name = "put-block-in-drawer"', 1, true),
      "articulated: the examples include an articulated seed task")
status, summary = generate(string.format("--target %s --replay %s --seeds 4 --min-solved 2 --repairs 0 " ..
  "--compare tasks/seed --library %s", quote("hide a block in a box with a lid"), quote(atranscript),
  quote(tmp .. "/lib-articulated-replay")))
check(status == 0 and summary and summary.accepted == 1, "articulated: the replayed run accepts it again")

-- 7. refusals
status = select(1, generate("-n 1 --replay " .. quote(transcript) .. " --seeds 2 --min-solved 3", true))
check(status == 2, "bad usage: --min-solved above --seeds is refused with status 2")

if os.getenv("GS_E2E_KEEP") then io.write("kept ", tmp, "\n") else sh("rm -rf " .. quote(tmp)) end
if util.failures > 0 then
  io.write(util.failures, " check(s) failed\n")
  os.exit(1)
end
io.write("all checks passed\n")
