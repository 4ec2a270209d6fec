-- gensim generate: the command line of the generation pipeline (pipeline.lua).
-- Run by the `gensim generate` command, which passes its arguments as `...`
-- and exits with the status this chunk returns.
local gensim = require("gensim")
local cjson = require("cjson.safe")
local pipeline = require("pipeline")

local USAGE = [[
usage: gensim generate [-n N | --target TEXT] [model flags] [ladder flags] [--json] [--quiet]

Has a language model propose tasks, write them in Lua and repair them until
they climb the validation ladder (syntax, shape, runtime, nontrivial,
solvable, novel); accepted tasks go to the library folder as NAME.lua with a
NAME.json record beside it.

  -n N                 exploratory: propose N tasks new beside the library (default 1)
  --target TEXT        goal-directed: a short curriculum of simpler tasks leading to
                       the target, then the target
model (one of --llm-url, --llm-cmd, --replay):
  --llm-url URL        an OpenAI-compatible endpoint, e.g. http://localhost:8000/v1
                       (default $GENSIM_LLM_URL); the key comes from $GENSIM_API_KEY
  --model NAME         the model to ask (default $GENSIM_LLM_MODEL)
  --embed-model NAME   also reject near-duplicates by the endpoint's embeddings
  --llm-cmd "PROG ARGS"  run PROG per request: the request as JSON
                       {stage, model, messages} on its stdin, the answer on its stdout
  --replay FILE        answer from a transcript instead of a model (offline)
  --transcript FILE    append every exchange to FILE (default LIBRARY/transcripts/TIME.jsonl)
  --llm-timeout-s S    per request (default 120); --retries N (default 4)
ladder:
  --seeds K            distinct seeds for runtime, nontrivial and solvable (default 8)
  --min-solved M       oracle successes needed out of K (default 4)
  --repairs R          repair rounds after a failed rung (default 2)
  --seed S             first seed (default 0)
  --library DIR        where accepted tasks go (default tasks/generated)
  --compare DIR        a library folder to draw examples from and check novelty
                       against (repeatable; default tasks/seed, the library, plugins)
  --prompts DIR        prompt templates (default: the scripts' prompts/)
output:
  --json               print one JSON object: per-rung counts and rates, each task
  --quiet              no progress on stderr

Exit status: 0 the run completed (rejections are results, see the counts),
2 bad usage, 3 the model could not be reached or answered nothing usable.
]]

local function fail_usage(msg)
  io.stderr:write("gensim generate: ", msg, " (see gensim generate --help)\n")
  return 2
end

local NUMBER_FLAGS = {["-n"] = "n", ["--seeds"] = "seeds", ["--min-solved"] = "min_solved",
                      ["--repairs"] = "repairs", ["--seed"] = "seed", ["--llm-timeout-s"] = "timeout_s",
                      ["--retries"] = "retries"}
local STRING_FLAGS = {["--target"] = "target", ["--llm-url"] = "url", ["--model"] = "model",
                      ["--embed-model"] = "embed_model", ["--llm-cmd"] = "cmd", ["--replay"] = "replay",
                      ["--transcript"] = "transcript", ["--library"] = "library",
                      ["--prompts"] = "prompts"}

local function parse(args)
  local o = {compare = {}}
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "-h" or a == "--help" then
      o.help = true
    elseif a == "--json" then
      o.json = true
    elseif a == "--quiet" then
      o.quiet = true
    elseif NUMBER_FLAGS[a] or STRING_FLAGS[a] or a == "--compare" then
      local v = args[i + 1]
      if v == nil then return nil, a .. " needs a value" end
      if NUMBER_FLAGS[a] then
        local n = math.tointeger(tonumber(v))
        if not n or n < 0 then return nil, a .. " needs a whole number, got '" .. v .. "'" end
        o[NUMBER_FLAGS[a]] = n
      elseif a == "--compare" then
        o.compare[#o.compare + 1] = v
      else
        o[STRING_FLAGS[a]] = v
      end
      i = i + 1
    else
      return nil, "unknown argument '" .. a .. "'"
    end
    i = i + 1
  end
  return o
end

local function is_dir(path)
  local f = io.open(path .. "/.", "r")
  if f then f:close() return true end
  return false
end

local function main(...)
  local o, err = parse({...})
  if not o then return fail_usage(err) end
  if o.help then
    io.stdout:write(USAGE)
    return 0
  end
  o.url = o.url or os.getenv("GENSIM_LLM_URL")
  o.model = o.model or os.getenv("GENSIM_LLM_MODEL")
  local sources = (o.url and 1 or 0) + (o.cmd and 1 or 0) + (o.replay and 1 or 0)
  if sources == 0 then
    return fail_usage("no model: give --llm-url (or set GENSIM_LLM_URL), --llm-cmd or --replay")
  end
  if o.target and o.n then return fail_usage("-n and --target do not go together") end
  if o.target and not o.target:find("%S") then return fail_usage("--target needs a description") end
  if o.n == 0 then return fail_usage("-n must be at least 1") end
  if o.min_solved and o.seeds and o.min_solved > o.seeds then
    return fail_usage("--min-solved cannot exceed --seeds")
  end
  if o.seeds == 0 then return fail_usage("--seeds must be at least 1") end
  if o.replay then
    local f = io.open(o.replay, "r")
    if not f then return fail_usage("cannot read the transcript '" .. o.replay .. "'") end
    f:close()
  end
  o.library = o.library or "tasks/generated"
  o.prompts = o.prompts or (gensim.data_dir() .. "/scripts/prompts")
  if not is_dir(o.prompts) then return fail_usage("no prompt folder '" .. o.prompts .. "'") end
  if not is_dir(o.library) then
    local ok = os.execute("mkdir -p '" .. o.library:gsub("'", "'\\''") .. "'")
    if not ok then return fail_usage("cannot create the library folder '" .. o.library .. "'") end
  end
  if not o.transcript and not o.replay then
    os.execute("mkdir -p '" .. (o.library .. "/transcripts"):gsub("'", "'\\''") .. "'")
    o.transcript = o.library .. "/transcripts/" .. os.date("!%Y%m%dT%H%M%SZ") .. ".jsonl"
  end
  local dirs = #o.compare > 0 and o.compare or {"tasks/seed", o.library, "plugins"}
  local seen_library = false
  for _, d in ipairs(dirs) do seen_library = seen_library or d == o.library end
  if not seen_library then dirs[#dirs + 1] = o.library end

  local client, cerr = gensim.llm.client{
    url = not o.cmd and not o.replay and o.url or nil, model = o.model or "default",
    embed_model = o.embed_model, cmd = o.cmd, replay = o.replay, transcript = o.transcript,
    timeout_s = o.timeout_s, retries = o.retries}
  if not client then return fail_usage(tostring(cerr)) end

  local log = o.quiet and function() end or function(msg) io.stderr:write(msg, "\n") end
  local run = pipeline.new{client = client, prompts = o.prompts, library_dir = o.library, dirs = dirs,
    seeds = o.seeds, min_solved = o.min_solved, repairs = o.repairs, seed = o.seed,
    model = o.model or "default", embed = o.embed_model ~= nil, log = log}
  local ok, perr = pcall(function()
    if o.target then run:curriculum(o.target) else run:explore(o.n or 1) end
  end)
  local status = 0
  if not ok then
    local msg = type(perr) == "table" and perr.message or tostring(perr)
    io.stderr:write("gensim generate: ", type(perr) == "table" and perr.llm and "model error: " or "",
      tostring(msg), "\n")
    status = 3
  end
  local summary = run:summary()
  if o.json then
    io.stdout:write(cjson.encode(summary), "\n")
  elseif not o.quiet then
    local parts = {"proposed " .. summary.proposed}
    for _, r in ipairs(pipeline.RUNGS) do parts[#parts + 1] = r .. " " .. summary[r] end
    parts[#parts + 1] = "accepted " .. summary.accepted
    io.stderr:write(table.concat(parts, ", "), "\n")
    if o.transcript then io.stderr:write("transcript: ", o.transcript, "\n") end
  end
  return status
end

return main(...)
