-- The reward stage of the generation pipeline (Eureka's loop): for a task of
-- continuous control, the model writes candidate reward functions; each is
-- spliced into the task, which climbs the ladder again (its learnable rung
-- trains CEM briefly on it); the success and the statistics of each
-- candidate's terms go back to the model for the next round, and the best
-- is kept. The task's own success(env) stays the judge throughout.
--
-- Trusted Lua; it asks the model and the ladder through the context it is
-- given (chat, prompt, validate, log), so it depends on no other script.
local cjson = require("cjson.safe")

local M = {}

-- --rewards K (candidates a round; 0: no reward stage) and --reward-rounds R
M.DEFAULTS = {rewards = 3, reward_rounds = 2}

-- The first line of a spliced task: the candidate follows on line 2, so a
-- candidate's line L is the file's line L + 1. The candidate runs in a
-- function of its own, before the task and apart from it: the task's
-- locals are out of its sight, task_of is const, and math, string, table
-- and gs are its own views of them (what it writes there stays there),
-- getmetatable, setmetatable, rawset, rawget and _G nil, so that it cannot
-- change what the task's success(env), the judge, sees.
M.HEAD = "local task_of <const> = task local task = (function(reward) if type(reward) ~= \"function\" then "
  .. "error(\"the candidate must define reward = function(env) ... end\", 0) end return function(def) "
  .. "if type(def) == \"table\" then def.reward = reward end return task_of(def) end end)((function(math, string, "
  .. "table, gs, getmetatable, setmetatable, rawset, rawget, _G) local reward -- a candidate of gensim generate's "
  .. "reward search\n"
M.TAIL = "\nreturn reward\nend)(setmetatable({}, {__index = math}), setmetatable({}, {__index = string}), "
  .. "setmetatable({}, {__index = table}), setmetatable({}, {__index = gs})))\n"

-- The task's source with its reward replaced by the candidate's (task{}
-- receives it in place of the task's own).
function M.splice(src, code)
  return M.HEAD .. code .. M.TAIL .. src
end

-- The candidates of an answer: each fenced ```lua block (bare ``` blocks
-- when there is no lua one), at most k. nil and a reason when none.
function M.extract_candidates(answer, k)
  if type(answer) ~= "string" then return nil, "the answer is not text" end
  local out = {}
  for _, pattern in ipairs({"```[Ll]ua[ \t]*\r?\n(.-)\r?\n?```", "```[ \t]*\r?\n(.-)\r?\n?```"}) do
    for code in answer:gmatch(pattern) do
      if #out < k and code:find("%S") then out[#out + 1] = code .. "\n" end
    end
    if #out > 0 then return out end
  end
  return nil, "the answer has no fenced ```lua block; reply with each reward function in its own block"
end

-- A spliced task's message in the model's terms: a line of the candidate
-- as "candidate line N", a line of the task's own code as its line there.
function M.remap(message, code)
  local _, ncode = code:gsub("\n", "")
  local _, ntail = M.TAIL:gsub("\n", "")
  return (message:gsub("([%w_%-]+%.lua):(%d+):", function(file, line)
    local n = tonumber(line)
    if n >= 2 and n <= ncode + 1 then return "candidate line " .. (n - 1) .. ":" end
    if n > ncode + ntail + 1 then return file .. ":" .. (n - ncode - ntail - 1) .. ":" end
    return nil
  end))
end

-- ---- one candidate's statistics ----

local function num(x)
  return string.format("%.3g", x)
end

-- Whether a term stayed flat: its range is nothing beside its size.
local function flat(t)
  local scale = math.max(1, math.abs(t.min), math.abs(t.max))
  return t.max - t.min <= 1e-6 * scale
end

-- A candidate from its ladder verdict: {label, round, index, code, src,
-- verdict, solved (-1 when it stopped before the learnable rung), seeds,
-- needed, steps, terms = {{name, min, mean, max, first, last}...}, ret =
-- {episodes, min, mean, max} or nil}.
function M.candidate(src, verdict, where)
  if where.code and verdict.message then verdict.message = M.remap(verdict.message, where.code) end
  local j = verdict.json and cjson.decode(verdict.json) or {}
  local c = {label = where.label, round = where.round, index = where.index, code = where.code, src = src,
             verdict = verdict, solved = verdict.learn_solved or -1, seeds = verdict.learn_seeds,
             needed = verdict.learn_needed, steps = verdict.learn_steps, terms = {}, ret = j["return"]}
  for _, t in ipairs(type(j.terms) == "table" and j.terms or {}) do
    c.terms[#c.terms + 1] = {name = t.name, min = t.min, mean = t.mean, max = t.max, first = t.first, last = t.last}
  end
  return c
end

-- Its terms as text: "reach 0.01 .. 0.3, mean 0.12 (first step 0.3, last
-- 0.05); bonus always 0 (flat)".
local function terms_text(c)
  local parts = {}
  for _, t in ipairs(c.terms) do
    if flat(t) then
      parts[#parts + 1] = string.format("%s always %s (flat)", t.name, num(t.mean))
    else
      parts[#parts + 1] = string.format("%s %s .. %s, mean %s (first step %s, last %s)", t.name, num(t.min),
        num(t.max), num(t.mean), num(t.first), num(t.last))
    end
  end
  if #parts == 0 then return "none named (return them as reward's third value, {name = value, ...})" end
  return table.concat(parts, "; ")
end

local function return_text(c)
  if not c.ret then return "unknown" end
  local text = string.format("%s .. %s, mean %s over the best plans of %d seeds", num(c.ret.min), num(c.ret.max),
    num(c.ret.mean), c.ret.episodes)
  if c.ret.max - c.ret.min <= 1e-6 * math.max(1, math.abs(c.ret.max)) and #c.terms > 0 and c.solved == 0 then
    text = text .. " (the same on every seed)"
  end
  return text
end

-- The statistics the model reads for one candidate.
function M.describe(c)
  if c.solved < 0 then
    return string.format("stopped at the %s check before training: %s", tostring(c.verdict.failed),
      tostring(c.verdict.message))
  end
  return string.format("CEM reached success(env) on %d of %d seeds (%d needed) in %.0f steps; return %s; terms: %s",
    c.solved, c.seeds, c.needed, c.steps, return_text(c), terms_text(c))
end

-- Whether a beats b: more seeds solved, then a whole ladder passed; between
-- equals the one tried first (b) stays.
local function better(a, b)
  if a.solved ~= b.solved then return a.solved > b.solved end
  return a.verdict.passed and not b.verdict.passed
end

local function full(c)
  return c.solved >= 0 and c.solved == c.seeds
end

-- A candidate's terms as "moved: a (lo .. hi); flat: b (always v)".
local function moved_flat(c)
  local moved, still = {}, {}
  for _, t in ipairs(c.terms) do
    if flat(t) then
      still[#still + 1] = string.format("%s (always %s)", t.name, num(t.mean))
    else
      moved[#moved + 1] = string.format("%s (%s .. %s)", t.name, num(t.min), num(t.max))
    end
  end
  if #c.terms == 0 then return "no terms named" end
  return "moved: " .. (#moved > 0 and table.concat(moved, ", ") or "none") .. "; flat: "
    .. (#still > 0 and table.concat(still, ", ") or "none")
end

-- The message a task whose rewards never led to success goes back with:
-- the budget, then each reward tried, best first.
function M.rejection(best, tried, budget)
  local lines = {string.format("none of the %d reward functions tried (the task's own and %d candidates over %d "
    .. "round(s)) led the learner to success(env): CEM plans %d seeds within %.0f environment steps and needs "
    .. "success on %d of them. The best was %s.", #tried, #tried - 1, budget.rounds, budget.seeds, budget.steps,
    budget.needed, best.label)}
  for _, c in ipairs(tried) do
    if c.solved < 0 then
      lines[#lines + 1] = string.format("- %s: %s", c.label, M.describe(c))
    else
      lines[#lines + 1] = string.format("- %s: success on %d of %d seeds; return %s .. %s; %s", c.label, c.solved,
        c.seeds, c.ret and num(c.ret.min) or "?", c.ret and num(c.ret.max) or "?", moved_flat(c))
    end
  end
  lines[#lines + 1] = "Make reward(env) grow steadily as the task nears what success(env) tests (the cup brought "
    .. "to the object it must move, the distance still to go, a bonus when success holds), with terms that change "
    .. "as the cup and the objects move; check that success(env) can hold within max_steps moves of at most "
    .. "0.04 m, and fix success(env) if it tests what the task cannot reach."
  return table.concat(lines, "\n")
end

-- ---- the loop ----

-- One round: the answer's candidates, each spliced and climbed; returns
-- the feedback lines.
local function try_round(ctx, state, round, answer)
  local codes, problem = M.extract_candidates(answer, ctx.k)
  if not codes then return {"(no candidate: " .. problem .. ")"} end
  local lines = {}
  for i, code in ipairs(codes) do
    local src = M.splice(state.src, code)
    local c = M.candidate(src, ctx.validate(src), {label = string.format("candidate %d of round %d", i, round),
                                                    round = round, index = i, code = code})
    state.tried[#state.tried + 1] = c
    if better(c, state.best) then state.best = c end
    ctx.log(string.format("  reward search: round %d, candidate %d: %s", round, i,
      c.solved >= 0 and string.format("%d of %d seeds", c.solved, c.seeds) or "failed " .. tostring(c.verdict.failed)))
    lines[#lines + 1] = string.format("Candidate %d: %s", i, M.describe(c))
  end
  return lines
end

-- Searches rewards for a task whose first verdict reached the learnable
-- rung. ctx: chat(stage, messages), prompt(name, vars), validate(src) ->
-- verdict, log(msg), k, rounds, name, description. Returns the best
-- candidate (the task's own reward when nothing beats it) and every
-- candidate tried, in order.
function M.search(ctx, src, verdict)
  local own = M.candidate(src, verdict, {label = "the task's own reward", round = 0, index = 0})
  local state = {src = src, best = own, tried = {own}}
  if full(own) then return state.best, state.tried end
  local messages = {
    {role = "system", content = ctx.prompt("system")},
    {role = "user", content = ctx.prompt("reward", {
      name = ctx.name, description = ctx.description, code = src, k = ctx.k, own = M.describe(own),
      learn_seeds = own.seeds, learn_steps = string.format("%.0f", verdict.learn_budget), needed = own.needed})},
  }
  for round = 1, ctx.rounds do
    local answer = ctx.chat("reward", messages)
    local lines = try_round(ctx, state, round, answer)
    if full(state.best) or round == ctx.rounds then break end
    messages[#messages + 1] = {role = "assistant", content = answer}
    messages[#messages + 1] = {role = "user", content = ctx.prompt("reward_feedback", {
      results = table.concat(lines, "\n"), best = state.best.label .. ": " .. M.describe(state.best), k = ctx.k})}
  end
  return state.best, state.tried
end

-- What the record keeps of a search: the kept candidate and each tried.
function M.record(best, tried)
  local list = {}
  for i, c in ipairs(tried) do
    list[i] = {round = c.round, index = c.index, solved = c.solved >= 0 and c.solved or cjson.null,
               failed = c.verdict.failed}
  end
  return {kept = {round = best.round, index = best.index, label = best.label}, candidates = list}
end

return M
