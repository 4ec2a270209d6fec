-- The generation pipeline: a language model proposes tasks, writes them, and
-- repairs them until they climb the validation ladder; accepted tasks join
-- the library. Trusted Lua over the host API (gensim.llm, gensim.library).
--
-- Every exchange with the model goes through one client, so the transcript
-- holds the whole run and --replay reproduces it without a model.
local gensim = require("gensim")
local cjson = require("cjson.safe")
local task_api = require("task_api")
local reward_search = require("reward_search")

local M = {}

M.RUNGS = {"syntax", "shape", "runtime", "nontrivial", "solvable", "learnable", "novel"}
-- min_solved is left to the ladder: 7 in 8 of the seeds (gs_ladder_min_solved)
M.DEFAULTS = {seeds = 8, repairs = 2, reflections = 2, examples = 2,
              curriculum_steps = 4, embed_threshold = 0.95, max_model_failures = 3,
              rewards = reward_search.DEFAULTS.rewards, reward_rounds = reward_search.DEFAULTS.reward_rounds}

-- ---- text helpers ----

local function read_file(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local text = f:read("a")
  f:close()
  return text
end
M.read_file = read_file

-- 64-bit FNV-1a of a string as 16 hex digits (integer arithmetic wraps).
function M.hash(s)
  local h = -3750763034362895579 -- 0xcbf29ce484222325
  for i = 1, #s do
    h = h ~ s:byte(i)
    h = h * 1099511628211
  end
  return string.format("%016x", h)
end

-- The hash of a conversation, the same in every process: its messages as
-- JSON with their keys in one order (cjson.encode follows the table's,
-- which Lua's string hashing seeds differently per process).
function M.messages_hash(messages)
  local parts = {}
  for i, m in ipairs(messages) do
    parts[i] = '{"role":' .. cjson.encode(m.role) .. ',"content":' .. cjson.encode(m.content) .. '}'
  end
  return M.hash("[" .. table.concat(parts, ",") .. "]")
end

-- Fills {{key}} from vars; an unknown key is an error, not a silent blank.
function M.template(text, vars)
  return (text:gsub("{{([%w_]+)}}", function(key)
    local v = vars[key]
    if v == nil then error("prompt template: no value for {{" .. key .. "}}", 2) end
    return tostring(v)
  end))
end

-- The Lua of an answer: the first ```lua fenced block (a bare ``` block when
-- there is no lua one). nil and the reason when there is none.
function M.extract_code(answer)
  if type(answer) ~= "string" then return nil, "the answer is not text" end
  local code = answer:match("```[Ll]ua[ \t]*\r?\n(.-)\r?\n?```")
  if not code then code = answer:match("```[ \t]*\r?\n(.-)\r?\n?```") end
  if not code then
    return nil, "the answer has no fenced ```lua code block; reply with the whole file in one"
  end
  if not code:find("%S") then return nil, "the ```lua block is empty" end
  return code .. "\n"
end

-- The JSON value of an answer, fenced or bare: the first object or array.
function M.extract_json(answer)
  if type(answer) ~= "string" then return nil, "the answer is not text" end
  local body = answer:match("```[%w]*%s*\n(.-)\n?```") or answer
  local start = body:find("[%[{]")
  if not start then return nil, "the answer holds no JSON object" end
  local closer = body:sub(start, start) == "{" and "}" or "]"
  local stop = #body
  while stop > start and body:sub(stop, stop) ~= closer do stop = stop - 1 end
  local value, err = cjson.decode(body:sub(start, stop))
  if value == nil then return nil, "the answer's JSON does not parse: " .. tostring(err) end
  return value
end

-- ---- proposals ----

-- Checks one proposal; nil and a problem the model can act on.
function M.check_proposal(p, known_names, kinds)
  if type(p) ~= "table" then return nil, "a proposal must be a JSON object" end
  local name_ok, why = gensim.task_name_valid(p.name)
  if not name_ok then return nil, "'name': " .. why end
  if known_names[p.name] then
    return nil, "a task named '" .. p.name .. "' is already in the library; choose another task and name"
  end
  if type(p.description) ~= "string" or #p.description < 10 then
    return nil, "'description' must be a sentence saying what the robot must do"
  end
  if type(p.assets) ~= "table" or #p.assets == 0 then
    return nil, "'assets' must be a non-empty list of asset kinds"
  end
  for _, kind in ipairs(p.assets) do
    if not kinds[kind] then
      return nil, "unknown asset kind " .. cjson.encode(kind) .. "; the kinds are listed above"
    end
  end
  return p
end

-- ---- the library as the prompts see it ----

-- Whether a ladder result or library record shows a task solved on enough
-- seeds to teach by (7 in 8, the ladder's default rule); a task without a
-- record (hand-written, measured in the README) counts as proven.
function M.proven(seeds, solved)
  if seeds == nil or solved == nil then return true end
  return solved >= gensim.library.min_solved(seeds)
end

-- What the folder's records say of each task's oracle success, by name.
local function records_of(dir)
  local out = {}
  for _, e in ipairs(gensim.library.list(dir) or {}) do
    local rec = cjson.decode(e.record or "") or {}
    out[e.name] = {seeds = rec.seeds, solved = rec.solved, oracle_success = e.oracle_success}
  end
  return out
end

-- Every task in dirs: {name, description, assets, src, path, oracle_success,
-- example}. example marks the tasks of example_dirs (nullable: all of them)
-- proven on enough seeds to be shown to the model. A file that does not
-- load is skipped with a warning: the library is the user's.
function M.load_library(dirs, warn, example_dirs)
  local tasks, by_name, teach = {}, {}, nil
  if example_dirs then
    teach = {}
    for _, d in ipairs(example_dirs) do teach[d] = true end
  end
  for _, dir in ipairs(dirs) do
    local records = records_of(dir)
    for _, path in ipairs(gensim.list_files(dir, ".lua") or {}) do
      local t, err = gensim.load_task(path)
      if t then
        local info = t:info()
        t:close()
        if not by_name[info.name] then
          local rec = records[info.name] or {}
          local entry = {name = info.name, description = info.description, assets = info.assets,
                         src = read_file(path), path = path, oracle_success = rec.oracle_success,
                         example = (not teach or teach[dir] or false) and M.proven(rec.seeds, rec.solved)}
          tasks[#tasks + 1] = entry
          by_name[info.name] = entry
        end
      elseif warn then
        warn("skipping " .. path .. ": " .. tostring(err))
      end
    end
  end
  return tasks, by_name
end

-- The folders examples come from: the data folder's library (seed and
-- generated tasks) and the run's own, so the prompt is the same from any
-- working directory; with --compare, those folders.
function M.example_dirs(o)
  local dirs = {}
  if #o.compare > 0 then
    for _, d in ipairs(o.compare) do dirs[#dirs + 1] = d end
  else
    local data = gensim.data_dir()
    if data then
      dirs[1] = data .. "/tasks/seed"
      dirs[2] = data .. "/tasks/generated"
    end
  end
  dirs[#dirs + 1] = o.library
  return dirs
end

-- The k library tasks fit to teach by (M.proven, from example folders)
-- closest to a proposal by its description and assets, scored by the
-- ladder's own description similarity (words, stop words out); between
-- equals the one the oracle solves more often, then the first listed.
function M.choose_examples(proposal, library, k)
  local want = proposal.description .. " " .. table.concat(proposal.assets, " ")
  local scored = {}
  for i, t in ipairs(library) do
    if t.example ~= false then
      local have = t.description .. " " .. table.concat(t.assets or {}, " ")
      local _, _, score = gensim.library.similarity("", want, "", have)
      scored[#scored + 1] = {task = t, score = score, success = t.oracle_success or 1, order = i}
    end
  end
  table.sort(scored, function(a, b)
    if a.score ~= b.score then return a.score > b.score end
    if a.success ~= b.success then return a.success > b.success end
    return a.order < b.order
  end)
  local out = {}
  for i = 1, math.min(k, #scored) do out[i] = scored[i].task end
  return out
end

local function library_text(library)
  local lines = {}
  for _, t in ipairs(library) do
    lines[#lines + 1] = string.format("- %s: %s", t.name, t.description)
  end
  return #lines > 0 and table.concat(lines, "\n") or "(empty)"
end

-- ---- the run ----

local Run = {}
Run.__index = Run

-- opts: client (gensim.llm client), prompts (folder), library_dir (where
-- accepted tasks go), dirs (the library to compare with), example_dirs
-- (those of dirs examples may come from; nil: all), seeds, min_solved (nil:
-- the ladder's 7 in 8), repairs, seed, model, embed (bool), render (a
-- folder for the ladder's pictures, nullable), transcript_name (the
-- transcript the run writes or replays, for the records), log (fn).
function M.new(opts)
  local self = setmetatable({}, Run)
  for k, v in pairs(M.DEFAULTS) do self[k] = v end
  for k, v in pairs(opts) do self[k] = v end
  self.log = self.log or function() end
  self.counts = {proposed = 0, accepted = 0, attempts = 0, repairs = 0, reward_candidates = 0}
  for _, r in ipairs(M.RUNGS) do self.counts[r] = 0 end
  self.results = {}
  local kinds = {}
  for _, kind in ipairs(gensim.assets()) do kinds[kind.name] = true end
  self.kinds = kinds
  self.library, self.by_name = M.load_library(self.dirs, function(msg) self.log("warning: " .. msg) end,
    self.example_dirs)
  self.prompt_cache = {}
  return self
end

function Run:prompt(name, vars)
  local text = self.prompt_cache[name]
  if not text then
    local err
    text, err = read_file(self.prompts .. "/" .. name .. ".md")
    if not text then error("cannot read prompt template " .. name .. ".md: " .. tostring(err), 0) end
    self.prompt_cache[name] = text
  end
  return M.template(text, vars or {})
end

function Run:chat(stage, messages)
  local answer, err = self.client:chat(stage, messages)
  if not answer then error({llm = true, message = err}, 0) end
  return answer
end

-- Asks for proposals until they check out or reflections run out. kind is
-- "propose" (one object) or "curriculum" (a list).
function Run:proposals(target, index)
  local messages = {{role = "system", content = self:prompt("system")}}
  if target then
    messages[2] = {role = "user", content = self:prompt("curriculum", {
      library = library_text(self.library), target = target, steps = self.curriculum_steps,
      assets = task_api.proposal_assets()})}
  else
    messages[2] = {role = "user", content = self:prompt("propose", {
      library = library_text(self.library), assets = task_api.proposal_assets()})}
  end
  if self.campaign then
    -- every proposal of a campaign sees the same library: its number keeps
    -- the requests (and so the answers) of its proposals apart
    messages[2].content = messages[2].content .. string.format(
      "\n\nThis is proposal %d of %d of a campaign whose proposals are made in parallel: "
      .. "choose a task that others are unlikely to choose.", index, self.campaign.count)
  end
  local stage = "propose"
  for round = 0, self.reflections do
    local answer = self:chat(stage, messages)
    local value, problem = M.extract_json(answer)
    local list
    if value then
      list = target and value or {value}
      if target and (type(value) ~= "table" or #value == 0) then
        problem = "the curriculum must be a non-empty JSON array of proposals"
      else
        local seen = {}
        for _, p in ipairs(list) do
          local ok, why = M.check_proposal(p, self.by_name, self.kinds)
          if ok and seen[p.name] then ok, why = nil, "two proposals are named '" .. p.name .. "'" end
          if not ok then
            problem = why
            break
          end
          seen[p.name] = true
        end
      end
    end
    if not problem then return list, messages, answer end
    self.log(string.format("  proposal refused (%s)%s", problem, round < self.reflections and "; reflecting" or ""))
    messages[#messages + 1] = {role = "assistant", content = answer}
    messages[#messages + 1] = {role = "user", content = self:prompt("reflect", {problem = problem})}
    stage = "reflect"
  end
  return nil
end

local function cosine(a, b)
  local dot, na, nb = 0, 0, 0
  for i = 1, math.min(#a, #b) do
    dot = dot + a[i] * b[i]
    na = na + a[i] * a[i]
    nb = nb + b[i] * b[i]
  end
  if na == 0 or nb == 0 then return 0 end
  return dot / math.sqrt(na * nb)
end

local function embed_text(name, description, src)
  return name .. "\n" .. description .. "\n" .. src
end

-- The embeddings rung beside the local one: the nearest library task by
-- cosine of the model's embeddings. Library vectors are computed once.
function Run:embedding_duplicate(proposal, src)
  if not self.embed then return nil end
  if not self.library_vectors then
    local texts = {}
    for i, t in ipairs(self.library) do texts[i] = embed_text(t.name, t.description, t.src or "") end
    local vectors, err = self.client:embed(texts)
    if not vectors then error({llm = true, message = err}, 0) end
    self.library_vectors = vectors
  end
  local mine, err = self.client:embed({embed_text(proposal.name, proposal.description, src)})
  if not mine then error({llm = true, message = err}, 0) end
  local best, best_name = -1, nil
  for i, v in ipairs(self.library_vectors) do
    local c = cosine(mine[1], v)
    if c > best then best, best_name = c, self.library[i].name end
  end
  if best >= self.embed_threshold then return best_name, best end
  return nil, best
end

-- Writes, validates and repairs one proposal; returns its result record.
function Run:build(proposal, parents, origin, index)
  local examples = M.choose_examples(proposal, self.library, self.examples)
  local shown = {}
  for _, t in ipairs(examples) do
    shown[#shown + 1] = "```lua\n" .. (t.src or "") .. "```\n"
  end
  local example_names = {}
  for i, t in ipairs(examples) do example_names[i] = t.name end
  local messages = {
    {role = "system", content = self:prompt("system")},
    {role = "user", content = self:prompt("code", {
      name = proposal.name, description = proposal.description,
      task_assets = table.concat(proposal.assets, ", "), api = gensim.api_reference(),
      assets = task_api.prompt_assets(proposal.assets), examples = table.concat(shown, "\n")})},
  }
  local result = {name = proposal.name, description = proposal.description, accepted = false,
                  repairs = 0, origin = origin, index = index}
  local stage = "code"
  for round = 0, self.repairs do
    local answer = self:chat(stage, messages)
    self.counts.attempts = self.counts.attempts + 1
    local src, problem = M.extract_code(answer)
    local verdict
    if not src then
      verdict = {passed = false, failed = "syntax", message = problem, rungs = {}}
    else
      verdict = self:validate(src, proposal.name)
      if self:wants_reward_search(verdict) then
        src, verdict, result.reward_search = self:search_reward(proposal, src, verdict)
      end
      if verdict.passed and verdict.name ~= proposal.name then
        verdict.passed, verdict.failed = false, "shape"
        verdict.message = string.format("%s.lua: the task's name must be \"%s\", not \"%s\"", proposal.name,
          proposal.name, tostring(verdict.name))
      end
      if verdict.passed then
        local dup, score = self:embedding_duplicate(proposal, src)
        result.embedding_similarity = score
        if dup then
          verdict.passed, verdict.failed = false, "novel"
          verdict.message = string.format("the task duplicates the library task '%s' (embedding cosine %.3f)",
            dup, score)
          verdict.duplicate_of = dup
        end
      end
    end
    result.verdict, result.src = verdict, src
    result.prompt_hash = M.messages_hash(messages)
    result.response_hash = M.hash(answer)
    if verdict.passed then
      result.accepted = true
      break
    end
    self.log(string.format("  %s failed %s: %s", proposal.name, verdict.failed, verdict.message or "?"))
    if round == self.repairs then break end
    result.repairs = result.repairs + 1
    self.counts.repairs = self.counts.repairs + 1
    messages[#messages + 1] = {role = "assistant", content = answer}
    messages[#messages + 1] = {role = "user", content = self:prompt("repair", {
      rung = verdict.failed, message = verdict.message or "(no message)"})}
    stage = "repair"
  end
  -- the final attempt decides which rungs the task passed
  local failed_at = result.accepted and #M.RUNGS + 1 or nil
  for i, r in ipairs(M.RUNGS) do
    if not failed_at and r == result.verdict.failed then failed_at = i end
  end
  for i, r in ipairs(M.RUNGS) do
    if i < (failed_at or 1) then self.counts[r] = self.counts[r] + 1 end
  end
  result.parents = parents
  result.examples = example_names
  if result.accepted then self:accept(result) end
  return result
end

function Run:validate(src, name)
  return gensim.library.validate(src, name .. ".lua", {
    seeds = self.seeds, min_solved = self.min_solved, seed = self.seed, dirs = self.dirs, jobs = self.jobs,
    render = self.render, learn_steps = self.learn_steps, learn_seeds = self.learn_seeds})
end

-- The reward stage applies to a task of continuous control with one reward
-- (no subtasks) whose verdict reached the learnable rung.
function Run:wants_reward_search(verdict)
  return self.rewards > 0 and self.reward_rounds > 0 and verdict.continuous and verdict.subtasks == 0
    and (verdict.passed or verdict.failed == "learnable")
end

-- The reward stage (reward_search.lua): the kept source and verdict, and
-- what the record keeps of the search. When no reward led to success the
-- verdict fails the learnable rung with the search's statistics, which go
-- back to the model like any ladder failure.
function Run:search_reward(proposal, src, verdict)
  local ctx = {k = self.rewards, rounds = self.reward_rounds, name = proposal.name,
               description = proposal.description, log = self.log,
               chat = function(stage, messages) return self:chat(stage, messages) end,
               prompt = function(name, vars) return self:prompt(name, vars) end,
               validate = function(s) return self:validate(s, proposal.name) end}
  local best, tried = reward_search.search(ctx, src, verdict)
  self.counts.reward_candidates = self.counts.reward_candidates + #tried - 1
  local record = reward_search.record(best, tried)
  if best.solved >= 0 and best.solved >= best.needed then return best.src, best.verdict, record end
  local v = {}
  for k, x in pairs(best.verdict) do v[k] = x end
  v.passed, v.failed = false, "learnable"
  v.message = reward_search.rejection(best, tried, {rounds = self.reward_rounds, seeds = verdict.learn_seeds,
    steps = verdict.learn_budget, needed = verdict.learn_needed})
  return best.src, v, record
end

function Run:accept(result)
  local v = result.verdict
  local record = {
    name = result.name, description = result.description, model = self.model,
    origin = result.origin, target = self.target, parents = result.parents, examples = result.examples,
    prompt_hash = result.prompt_hash, response_hash = result.response_hash, repairs = result.repairs,
    seeds = v.seeds, solved = v.solved, oracle_success = v.seeds and v.seeds > 0 and v.solved / v.seeds or nil,
    nearest = v.nearest, similarity = v.similarity, embedding_similarity = result.embedding_similarity,
    time = os.date("!%Y-%m-%dT%H:%M:%SZ"),
    ladder = v.json and cjson.decode(v.json) or nil,
    campaign = result.index and {index = result.index, count = self.campaign.count} or nil,
    transcript = self.transcript_name and self.transcript_name:match("([^/]+)$") or nil,
    reward_search = result.reward_search,
  }
  local ok, err = gensim.library.add(self.library_dir, result.name, result.src, cjson.encode(record))
  if not ok then
    result.accepted = false
    result.verdict = {passed = false, failed = "store", message = err}
    self.log("  " .. result.name .. " could not be stored: " .. tostring(err))
    return
  end
  self.counts.accepted = self.counts.accepted + 1
  if self.campaign then return end -- a campaign's proposals all see the library as it began
  local entry = {name = result.name, description = result.description, assets = {}, src = result.src,
                 path = self.library_dir .. "/" .. result.name .. ".lua", oracle_success = record.oracle_success,
                 example = M.proven(v.seeds, v.solved)}
  self.library[#self.library + 1] = entry
  self.by_name[result.name] = entry
  self.library_vectors = nil -- recomputed with the new task
end

-- Runs one task's work; a model error fails that task only, unless the
-- model has failed max_model_failures requests in a row, which ends the run.
function Run:guarded(fn)
  local ok, err = pcall(fn)
  if ok then
    self.model_failures = 0
    return err
  end
  if type(err) ~= "table" or not err.llm then error(err, 0) end
  self.model_failures = (self.model_failures or 0) + 1
  self.log("  model error: " .. tostring(err.message))
  if self.model_failures >= self.max_model_failures then
    error({llm = true, message = string.format("%d requests in a row failed; last: %s",
      self.model_failures, tostring(err.message))}, 0)
  end
  return {accepted = false, verdict = {failed = "model", message = err.message}}
end

-- A campaign's state: DIR/campaign.json, its plan, its shard, the
-- proposals done; written whole (a temporary file renamed) after each one.
function Run:save_campaign(finished)
  local c = self.campaign
  local text = cjson.encode({plan = c.plan, shard = c.index .. "/" .. c.shards, done = c.done_list,
                             finished = finished})
  local path = self.library_dir .. "/campaign.json"
  local f = assert(io.open(path .. ".tmp", "wb"))
  f:write(text, "\n")
  f:close()
  assert(os.rename(path .. ".tmp", path))
end

-- A campaign's shard: its proposals of 1..n (gensim.shard_plan, the one rule
-- of every command), each built against the library as it began; done ones
-- (from a run of the same shard that stopped) are skipped. The shards'
-- library folders join with gensim library merge, which runs the novelty
-- check across them in proposal order.
function Run:explore_campaign(n)
  local c = self.campaign
  local mine = {}
  for _, r in ipairs(gensim.shard_plan(c.index, c.shards, n, 1)) do
    if r.first < r.stop then mine[#mine + 1] = r.task end
  end
  for k, i in ipairs(mine) do
    if c.done[i] then
      self.log(string.format("[%d/%d] proposal %d of %d: done before", k, #mine, i, n))
    else
      self.log(string.format("[%d/%d] proposal %d of %d", k, #mine, i, n))
      self.counts.proposed = self.counts.proposed + 1
      local r = self:guarded(function()
        local list = self:proposals(nil, i)
        if not list then return {accepted = false, verdict = {failed = "proposal"}} end
        return self:build(list[1], {}, "exploratory", i)
      end)
      r.index = i
      self.log(string.format("[%d/%d] %s: %s", k, #mine, r.name or "(no proposal)",
        r.accepted and "accepted" or "rejected at " .. r.verdict.failed))
      self.results[#self.results + 1] = r
      c.done[i] = true
      c.done_list[#c.done_list + 1] = i
      self:save_campaign(false)
    end
  end
  self:save_campaign(true)
end

-- Exploratory: n proposals, each new beside the library as it grows.
function Run:explore(n)
  if self.campaign then return self:explore_campaign(n) end
  for i = 1, n do
    self.log(string.format("[%d/%d] proposing", i, n))
    self.counts.proposed = self.counts.proposed + 1
    local r = self:guarded(function()
      local list = self:proposals(nil)
      if not list then return {accepted = false, verdict = {failed = "proposal"}} end
      return self:build(list[1], {}, "exploratory")
    end)
    self.log(string.format("[%d/%d] %s: %s", i, n, r.name or "(no proposal)",
      r.accepted and "accepted" or "rejected at " .. r.verdict.failed))
    self.results[#self.results + 1] = r
  end
end

-- Goal-directed: a curriculum toward target, each step's parents the steps
-- accepted before it.
function Run:curriculum(target)
  self.target = target
  self.log("proposing a curriculum toward: " .. target)
  local list
  local r = self:guarded(function() list = self:proposals(target) end)
  if not list then
    self.counts.proposed = self.counts.proposed + 1
    self.results[#self.results + 1] = r or {accepted = false, verdict = {failed = "proposal"}}
    return
  end
  local parents = {}
  for i, p in ipairs(list) do
    self.counts.proposed = self.counts.proposed + 1
    local origin = i == #list and "target" or "curriculum"
    local step = self:guarded(function() return self:build(p, {table.unpack(parents)}, origin) end)
    step.name = step.name or p.name
    self.log(string.format("[%d/%d] %s: %s", i, #list, step.name,
      step.accepted and "accepted" or "rejected at " .. step.verdict.failed))
    self.results[#self.results + 1] = step
    if step.accepted then parents[#parents + 1] = step.name end
  end
end

-- The summary --json prints: counts per rung and rates over proposals.
function Run:summary()
  local c = self.counts
  local out = {proposed = c.proposed, attempts = c.attempts, repairs = c.repairs, accepted = c.accepted,
               reward_candidates = c.reward_candidates, rates = {}, tasks = {}}
  for _, r in ipairs(M.RUNGS) do out[r] = c[r] end
  local keys = {table.unpack(M.RUNGS)}
  keys[#keys + 1] = "accepted"
  for _, r in ipairs(keys) do
    out.rates[r] = c.proposed > 0 and c[r] / c.proposed or 0
  end
  for _, r in ipairs(self.results) do
    out.tasks[#out.tasks + 1] = {name = r.name, accepted = r.accepted, repairs = r.repairs,
      failed = r.verdict and r.verdict.failed or nil, message = r.verdict and r.verdict.message or nil,
      origin = r.origin, reward_search = r.reward_search}
  end
  out.llm = self.client:stats()
  return out
end

-- ---- the whole generation, as gensim generate and gensim.generate run it ----

local function is_dir(path)
  local f = io.open(path .. "/.", "r")
  if f then f:close() return true end
  return false
end

-- Checks a generation's options and fills in the defaults; nil and a
-- message for bad ones.
local function generation_options(o)
  o.url = o.url or os.getenv("GENSIM_LLM_URL")
  o.model = o.model or os.getenv("GENSIM_LLM_MODEL")
  o.compare = o.compare or {}
  local sources = (o.url and 1 or 0) + (o.cmd and 1 or 0) + (o.replay and 1 or 0)
  if sources == 0 then return nil, "no model: give --llm-url (or set GENSIM_LLM_URL), --llm-cmd or --replay" end
  if o.target and o.n then return nil, "-n and --target do not go together" end
  if o.target and not o.target:find("%S") then return nil, "--target needs a description" end
  if o.n == 0 then return nil, "-n must be at least 1" end
  if o.min_solved and o.seeds and o.min_solved > o.seeds then return nil, "--min-solved cannot exceed --seeds" end
  if o.seeds == 0 then return nil, "--seeds must be at least 1" end
  if o.jobs and o.jobs > 1024 then return nil, "--jobs must be 0 (one per core) .. 1024" end
  if o.rewards and o.rewards > 16 then return nil, "--rewards must be 0 (no reward search) .. 16" end
  if o.reward_rounds and o.reward_rounds > 10 then return nil, "--reward-rounds must be 0 .. 10" end
  if o.learn_seeds and (o.learn_seeds < 1 or o.learn_seeds > 64) then return nil, "--learn-seeds must be 1 .. 64" end
  if o.learn_steps == 0 then return nil, "--learn-steps must be at least 1" end
  if o.render then
    local ok, err = gensim.make_dirs(o.render)
    if not ok then return nil, "cannot create the picture folder '" .. o.render .. "': " .. tostring(err) end
  end
  if o.replay then
    local f = io.open(o.replay, "r")
    if not f then return nil, "cannot read the transcript '" .. o.replay .. "'" end
    f:close()
  end
  local data = gensim.data_dir()
  if not data and not (o.library and o.prompts) then
    return nil, "cannot find gensim's data folder: set GENSIM_DATA_DIR, or give --library and --prompts"
  end
  o.library = o.library or (data .. "/tasks/generated")
  o.prompts = o.prompts or (data .. "/scripts/prompts")
  if not is_dir(o.prompts) then return nil, "no prompt folder '" .. o.prompts .. "'" end
  local ok, err = gensim.make_dirs(o.library)
  if not ok then return nil, "cannot create the library folder '" .. o.library .. "': " .. tostring(err) end
  if not o.transcript and not o.replay then
    gensim.make_dirs(o.library .. "/transcripts")
    o.transcript = o.library .. "/transcripts/" .. os.date("!%Y%m%dT%H%M%SZ") .. ".jsonl"
  end
  local dirs = #o.compare > 0 and o.compare or gensim.task_folders()
  local index, count = gensim.shard(o.shard)
  if not index then return nil, count end
  if o.shard or count > 1 then
    -- a campaign: the shard's proposals, each against the library as it began
    if o.target then
      return nil, "--shard splits an exploratory campaign (-n N); a curriculum (--target) is built in order"
    end
    o.campaign = {index = index, shards = count}
    local kept = {}
    for _, d in ipairs(dirs) do if d ~= o.library then kept[#kept + 1] = d end end
    dirs = kept
  else
    local seen_library = false
    for _, d in ipairs(dirs) do seen_library = seen_library or d == o.library end
    if not seen_library then dirs[#dirs + 1] = o.library end
  end
  o.dirs = dirs
  o.example_dirs = M.example_dirs(o)
  return o
end

-- A campaign's plan (what its shards must share) and what its shard's
-- folder says was done; nil and a message when the folder is another
-- campaign's.
local function campaign_state(o)
  local plan = {count = o.n or 1, seed = o.seed or 0, seeds = o.seeds or M.DEFAULTS.seeds,
                min_solved = o.min_solved or M.DEFAULTS.min_solved, repairs = o.repairs or M.DEFAULTS.repairs,
                model = o.model or "default", compare = o.dirs, rewards = o.rewards, reward_rounds = o.reward_rounds,
                learn_steps = o.learn_steps, learn_seeds = o.learn_seeds}
  local c = {plan = plan, index = o.campaign.index, shards = o.campaign.shards, count = plan.count, done = {},
             done_list = {}}
  local text = read_file(o.library .. "/campaign.json")
  if text then
    local old = cjson.decode(text)
    if type(old) ~= "table" or cjson.encode(old.plan) ~= cjson.encode(plan)
        or old.shard ~= c.index .. "/" .. c.shards then
      return nil, o.library .. " holds another campaign's part (campaign.json differs): give the command that "
        .. "started it, or another --library"
    end
    for _, i in ipairs(old.done or {}) do
      c.done[i] = true
      c.done_list[#c.done_list + 1] = i
    end
  end
  return c
end

-- Generates tasks: o holds the command's flags (n or target; url, model,
-- embed_model, cmd, replay, transcript, timeout_s, retries; seeds,
-- min_solved, repairs, seed, library, compare, prompts; rewards,
-- reward_rounds, learn_steps, learn_seeds; jobs, shard; log). Returns the
-- summary (the --json object), the exit status (0, or 3 when the model
-- failed) and a message; nil, message, 2 for bad options.
function M.generate(o)
  local opts, err = generation_options(o)
  if not opts then return nil, 2, err end
  local client, cerr = gensim.llm.client{
    url = not o.cmd and not o.replay and o.url or nil, model = o.model or "default",
    embed_model = o.embed_model, cmd = o.cmd, replay = o.replay, transcript = o.transcript,
    timeout_s = o.timeout_s, retries = o.retries}
  if not client then return nil, 2, tostring(cerr) end
  local campaign
  if o.campaign then
    campaign, cerr = campaign_state(o)
    if not campaign then return nil, 2, cerr end
  end
  local run = M.new{client = client, prompts = o.prompts, library_dir = o.library, dirs = o.dirs,
    example_dirs = o.example_dirs, render = o.render, transcript_name = o.transcript or o.replay,
    seeds = o.seeds, min_solved = o.min_solved, repairs = o.repairs, seed = o.seed,
    model = o.model or "default", embed = o.embed_model ~= nil, log = o.log, jobs = o.jobs,
    campaign = campaign, rewards = o.rewards, reward_rounds = o.reward_rounds, learn_steps = o.learn_steps,
    learn_seeds = o.learn_seeds}
  local ok, perr = pcall(function()
    if o.target then run:curriculum(o.target) else run:explore(o.n or 1) end
  end)
  local summary = run:summary()
  summary.transcript = o.transcript
  if campaign then summary.shard = campaign.index .. "/" .. campaign.shards end
  if ok then return summary, 0 end
  local msg = type(perr) == "table" and perr.message or tostring(perr)
  return summary, 3, (type(perr) == "table" and perr.llm and "model error: " or "") .. tostring(msg)
end

return M
