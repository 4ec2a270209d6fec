-- gensim generate: the command line of the generation pipeline (pipeline.lua).
-- Run by the `gensim generate` command, which passes its arguments as `...`
-- and exits with the status this chunk returns.
local cjson = require("cjson.safe")
local pipeline = require("pipeline")

local USAGE = [[
usage: gensim generate [-n N | --target TEXT] [model flags] [ladder flags] [--json] [--quiet]

Has a language model propose tasks, write them in Lua and repair them until
they climb the validation ladder (syntax, shape, runtime, nontrivial,
solvable or, for continuous control, learnable, novel); accepted tasks go
to the library folder as NAME.lua with a NAME.json record beside it.

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
  --min-solved M       oracle successes needed out of K (default 7 of 8: 7/8 of K,
                       rounded up); a task solved on fewer is refused, with the
                       failing seed's diagnosis sent back for repair
  --render DIR         picture the ladder's oracle episodes in DIR; a failed
                       solvable rung's message names its example seed's last frame
  --repairs R          repair rounds after a failed rung (default 2)
  --learn-steps N      learnable (continuous tasks): CEM's environment steps for each
                       reward tried, all its seeds together (default 40000)
  --learn-seeds N      learnable: the seeds CEM plans (default 4); success on half of them
                       (rounded up) is needed
  --seed S             first seed (default 0)
  --library DIR        where accepted tasks go (default: the data folder's
                       tasks/generated)
  --compare DIR        a library folder to draw examples from and check novelty
                       against (repeatable; default the plugin path, the library's
                       tasks/seed and tasks/generated, and --library)
  --prompts DIR        prompt templates (default: the data folder's scripts/prompts)
rewards (continuous tasks; Eureka's loop):
  --rewards K          a continuous task whose own reward does not lead CEM to success on
                       every seed gets K candidate reward functions a round from the model,
                       each trained briefly (the learnable rung); their success and the
                       statistics of their terms go back to the model, and the best is kept
                       (default 3; 0: the task's own reward only)
  --reward-rounds R    rounds of candidates, each after the last one's statistics (default 2);
                       when none leads to success the task goes back for repair with which
                       terms moved and which stayed flat
scale:
  --jobs N             validate each candidate with its seeds over N workers (0: one per core)
  --shard I/N          a campaign's part: proposals of -n split into N parts, this run making
                       part I into --library (one folder per part), each proposal against the
                       library as it began; gensim library merge joins the parts, running the
                       novelty check across them. Default: SLURM_ARRAY_TASK_ID of
                       SLURM_ARRAY_TASK_COUNT in a Slurm job array. A part's run stopped
                       halfway goes on from its campaign.json when run again.
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
                      ["--retries"] = "retries", ["--jobs"] = "jobs", ["--rewards"] = "rewards",
                      ["--reward-rounds"] = "reward_rounds", ["--learn-steps"] = "learn_steps",
                      ["--learn-seeds"] = "learn_seeds"}
local STRING_FLAGS = {["--target"] = "target", ["--llm-url"] = "url", ["--model"] = "model",
                      ["--embed-model"] = "embed_model", ["--llm-cmd"] = "cmd", ["--replay"] = "replay",
                      ["--transcript"] = "transcript", ["--library"] = "library",
                      ["--prompts"] = "prompts", ["--shard"] = "shard", ["--render"] = "render"}

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

local function main(...)
  local o, err = parse({...})
  if not o then return fail_usage(err) end
  if o.help then
    io.stdout:write(USAGE)
    return 0
  end
  o.log = o.quiet and function() end or function(msg) io.stderr:write(msg, "\n") end
  local summary, status, msg = pipeline.generate(o)
  if not summary then
    if status == 2 then return fail_usage(msg) end
    io.stderr:write("gensim generate: ", tostring(msg), "\n")
    return status
  end
  if msg then io.stderr:write("gensim generate: ", msg, "\n") end
  if o.json then
    io.stdout:write(cjson.encode(summary), "\n")
  elseif not o.quiet then
    local parts = {"proposed " .. summary.proposed}
    for _, r in ipairs(pipeline.RUNGS) do parts[#parts + 1] = r .. " " .. summary[r] end
    parts[#parts + 1] = "accepted " .. summary.accepted
    io.stderr:write(table.concat(parts, ", "), "\n")
    if summary.transcript then io.stderr:write("transcript: ", summary.transcript, "\n") end
  end
  return status
end

return main(...)
