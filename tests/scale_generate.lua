-- A generation campaign split over shards and merged equals the campaign
-- run whole: the same library, task for task and record for record (apart
-- from their times), with the near duplicates two shards accepted without
-- seeing each other left out by the merge. The whole campaign runs first
-- through --llm-cmd (answers in order) and writes a transcript; the shards
-- replay it, each finding its proposals' answers by their requests. Then
-- the merge's refusals: a part twice, a part missing, an unfinished part.
-- Run as: gensim lua tests/scale_generate.lua BUILD_DIR
local cjson = require("cjson")
local util = dofile("tests/e2e_util.lua")

local build = assert((...), "usage: gensim lua tests/scale_generate.lua BUILD_DIR")
local GENSIM = build .. "/gensim"
local FIX = "tests/fixtures/generate/"

local check = util.check

local read, write, quote = util.read, util.write, util.quote

-- runs a gensim command; its exit status and its stdout decoded as JSON
local function gensim(args)
  local out = os.tmpname()
  local _, _, status = os.execute(GENSIM .. " " .. args .. " > " .. out .. " 2> " .. out .. ".err")
  local ok, value = pcall(cjson.decode, read(out) or "")
  if os.getenv("GS_E2E_VERBOSE") then io.write(read(out .. ".err") or "", "\n") end
  os.remove(out)
  os.remove(out .. ".err")
  return status, ok and value or nil
end

local tmp = os.tmpname()
os.remove(tmp)
assert(os.execute("mkdir -p " .. quote(tmp .. "/empty") .. " " .. quote(tmp .. "/cmd")))

local function proposal(name, description, assets)
  return cjson.encode({name = name, description = description, assets = assets})
end
-- a task's code under another name, in the fenced block a model answers with
local function renamed(path, from, to)
  local src = assert(read(path))
  if from then src = src:gsub('name = "' .. from:gsub("%-", "%%-") .. '"', 'name = "' .. to .. '"') end
  return "```lua\n" .. src .. "```\n"
end

-- Six proposals, two answers each (repairs 0). Against an empty library
-- every copy is new to its shard; across the campaign, the third repeats
-- the first and the sixth the fourth, and the second is trivial.
local balls, red = FIX .. "balls-into-container.lua", "tasks/seed/place-red-in-green.lua"
local answers = {
  proposal("balls-into-container", "Gather every ball into the open container.", {"ball", "container", "block"}),
  renamed(balls),
  proposal("stack-on-itself", "Leave each cylinder where it stands.", {"cylinder"}),
  renamed(FIX .. "stack-on-itself.lua"),
  proposal("balls-in-a-box", "Put all the balls in the box.", {"ball", "container", "block"}),
  renamed(balls, "balls-into-container", "balls-in-a-box"),
  proposal("red-into-green-bowls", "Move the red blocks into the green bowls.", {"block", "bowl"}),
  renamed(red, "place-red-in-green", "red-into-green-bowls"),
  proposal("block-into-fixture", "Insert the block into its fixture.", {"ell", "fixture"}),
  renamed("tasks/seed/block-insertion.lua", "block-insertion", "block-into-fixture"),
  proposal("reds-to-greens", "Red blocks go to green bowls.", {"block", "bowl"}),
  renamed(red, "place-red-in-green", "reds-to-greens"),
}
write(tmp .. "/cmd/answers.json", cjson.encode(answers))
local provider = string.format("%s lua %sprovider.lua %s %s", GENSIM, FIX, tmp .. "/cmd", tmp .. "/cmd/answers.json")
local COMMON = "-n 6 --repairs 0 --seeds 2 --min-solved 1 --model campaign-model --compare " .. quote(tmp .. "/empty")
  .. " --json --quiet"

-- the whole campaign, then its merge
local transcript = tmp .. "/transcript.jsonl"
local status, summary = gensim(string.format("generate %s --llm-cmd %s --transcript %s --shard 0/1 --library %s",
  COMMON, quote(provider), quote(transcript), quote(tmp .. "/whole-part")))
check(status == 0 and summary and summary.proposed == 6 and summary.accepted == 5,
      "the whole campaign: 6 proposals, 5 accepted against the library it began with (" ..
      tostring(summary and summary.accepted) .. ")")
status = gensim("library merge " .. quote(tmp .. "/whole-part") .. " --out " .. quote(tmp .. "/whole") .. " --json")
check(status == 0, "the whole campaign's part merges")

-- three shards replaying the transcript, with two workers per candidate's seeds
for i = 0, 2 do
  status, summary = gensim(string.format("generate %s --replay %s --shard %d/3 --jobs 2 --library %s", COMMON,
    quote(transcript), i, quote(tmp .. "/part-" .. i)))
  check(status == 0 and summary and summary.proposed == 2 and summary.shard == i .. "/3",
        "shard " .. i .. "/3 replays its two proposals (status " .. tostring(status) .. ")")
end
local parts = quote(tmp .. "/part-0") .. " " .. quote(tmp .. "/part-1") .. " " .. quote(tmp .. "/part-2")
local merged
status, merged = gensim("library merge " .. parts .. " --out " .. quote(tmp .. "/merged") .. " --json")
check(status == 0 and merged and #merged.kept == 3 and #merged.dropped == 2, "the merge keeps 3 tasks and leaves out 2")
local dropped = {}
for _, d in ipairs(merged and merged.dropped or {}) do dropped[d.name] = d.duplicate_of end
check(dropped["balls-in-a-box"] == "balls-into-container",
      "a near duplicate accepted by shard 1 of shard 0's task is left out")
check(dropped["reds-to-greens"] == "red-into-green-bowls", "so is one accepted within shard 2 of shard 1's")

-- the same library: code, records without their times, index without times
local function listing(dir)
  local p = io.popen("ls -1 " .. quote(dir))
  local names = {}
  for n in p:lines() do names[#names + 1] = n end
  p:close()
  return table.concat(names, " ")
end
local function timeless(path)
  local v = cjson.decode(read(path) or "null")
  local function strip(t)
    if type(t) ~= "table" then return end
    t.time = nil
    for _, x in pairs(t) do strip(x) end
  end
  strip(v)
  return v
end
local function same(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
local whole, parted = tmp .. "/whole", tmp .. "/merged"
check(listing(whole) == listing(parted), "the same files: " .. listing(parted))
local all_same = true
for name in listing(whole):gmatch("%S+") do
  if name:match("%.lua$") then
    all_same = all_same and read(whole .. "/" .. name) == read(parted .. "/" .. name)
  elseif name:match("%.json$") then
    local a, b = timeless(whole .. "/" .. name), timeless(parted .. "/" .. name)
    if not same(a, b) and os.getenv("GS_E2E_VERBOSE") then
      for k, v in pairs(a) do
        if not same(v, b[k]) and type(v) == "table" then
          for k2, v2 in pairs(v) do
            if not same(v2, b[k][k2]) then
              io.write(name, " ", k, ".", k2, ": ", cjson.encode(v2), " vs ", cjson.encode(b[k][k2]), "\n")
            end
          end
        end
      end
    end
    all_same = all_same and same(a, b)
  end
end
check(all_same, "every task's code and record (times aside) and the index are the whole campaign's")

-- a merge run again finishes what it started and changes nothing
status, merged = gensim("library merge " .. parts .. " --out " .. quote(parted) .. " --json")
check(status == 0 and merged and #merged.kept == 3, "merging again into the same folder keeps what it holds")

-- refusals: status 2, nothing written
local function refused(args, what)
  local st = gensim("library merge " .. args .. " --out " .. quote(tmp .. "/refused"))
  check(st == 2 and not read(tmp .. "/refused/index.json"), what .. " is refused with status 2")
end
refused(quote(tmp .. "/part-0") .. " " .. quote(tmp .. "/part-0") .. " " .. quote(tmp .. "/part-2"), "a shard twice")
refused(quote(tmp .. "/part-0") .. " " .. quote(tmp .. "/part-1"), "a missing shard")
refused(quote(tmp .. "/part-0") .. " " .. quote(tmp .. "/whole-part"), "parts of two campaigns")
local c = cjson.decode(read(tmp .. "/part-1/campaign.json"))
c.finished = false
write(tmp .. "/part-1/campaign.json", cjson.encode(c))
refused(parts, "an unfinished part")
status = gensim("generate -n 2 --replay " .. quote(transcript) .. " --shard 2/2x --library " .. quote(tmp .. "/x"))
check(status == 2, "--shard 2/2x is refused with status 2")

if os.getenv("GS_E2E_KEEP") then io.write("kept ", tmp, "\n") else os.execute("rm -rf " .. quote(tmp)) end
if util.failures > 0 then
  io.write(util.failures, " check(s) failed\n")
  os.exit(1)
end
io.write("all checks passed\n")
