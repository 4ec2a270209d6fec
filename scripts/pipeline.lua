-- The generation pipeline: a language model proposes tasks, writes them, and
-- repairs them until they climb the validation ladder; accepted tasks join
-- the library. Trusted Lua over the host API (gensim.llm, gensim.library).
--
-- Every exchange with the model goes through one client, so the transcript
-- holds the whole run and --replay reproduces it without a model.
local gensim = require("gensim")
local cjson = require("cjson.safe")

local M = {}

M.RUNGS = {"syntax", "shape", "runtime", "nontrivial", "solvable", "novel"}
M.DEFAULTS = {seeds = 8, min_solved = 4, repairs = 2, reflections = 2, examples = 2,
              curriculum_steps = 4, embed_threshold = 0.95, max_model_failures = 3}

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

-- Every task in dirs: {name, description, assets, src, path}. A file that
-- does not load is skipped with a warning: the library is the user's.
function M.load_library(dirs, warn)
  local tasks, by_name = {}, {}
  for _, dir in ipairs(dirs) do
    for _, path in ipairs(gensim.list_files(dir, ".lua") or {}) do
      local t, err = gensim.load_task(path)
      if t then
        local info = t:info()
        t:close()
        if not by_name[info.name] then
          local entry = {name = info.name, description = info.description, assets = info.assets,
                         src = read_file(path), path = path}
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

-- The k library tasks closest to a proposal by its description and assets,
-- scored by the ladder's own description similarity (words, stop words out).
function M.choose_examples(proposal, library, k)
  local want = proposal.description .. " " .. table.concat(proposal.assets, " ")
  local scored = {}
  for i, t in ipairs(library) do
    local have = t.description .. " " .. table.concat(t.assets or {}, " ")
    local _, _, score = gensim.library.similarity("", want, "", have)
    scored[#scored + 1] = {task = t, score = score, order = i}
  end
  table.sort(scored, function(a, b)
    if a.score ~= b.score then return a.score > b.score end
    return a.order < b.order
  end)
  local out = {}
  for i = 1, math.min(k, #scored) do out[i] = scored[i].task end
  return out
end

local function asset_text()
  local lines = {}
  for _, kind in ipairs(gensim.assets()) do
    local opts = kind.options_text or ""
    lines[#lines + 1] = string.format("- `%s` (%s): %s; default size %.3g x %.3g x %.3g m; options: %s",
      kind.name, kind.role, kind.doc, kind.size[1], kind.size[2], kind.size[3], opts)
  end
  local files = {}
  for _, scene in ipairs(gensim.scenes()) do
    if scene.joints then
      files[#files + 1] = string.format("- `%s`: joints %s", scene.file,
        #scene.joints > 0 and table.concat(scene.joints, ", ") or "(none)")
    end
  end
  if #files > 0 then
    lines[#lines + 1] = "\nURDF files for kind `urdf` (file = ...):\n" .. table.concat(files, "\n")
  end
  local colors = gensim.colors()
  lines[#lines + 1] = "\nColours (gs.COLORS): train split " .. table.concat(colors.train, ", ")
    .. "; test split " .. table.concat(colors.test, ", ")
  return table.concat(lines, "\n") .. "\n"
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
-- accepted tasks go), dirs (the library to compare with and draw examples
-- from), seeds, min_solved, repairs, seed, model, embed (bool), log (fn).
function M.new(opts)
  local self = setmetatable({}, Run)
  for k, v in pairs(M.DEFAULTS) do self[k] = v end
  for k, v in pairs(opts) do self[k] = v end
  self.log = self.log or function() end
  self.counts = {proposed = 0, accepted = 0, attempts = 0, repairs = 0}
  for _, r in ipairs(M.RUNGS) do self.counts[r] = 0 end
  self.results = {}
  local kinds = {}
  for _, kind in ipairs(gensim.assets()) do kinds[kind.name] = true end
  self.kinds = kinds
  self.library, self.by_name = M.load_library(self.dirs, function(msg) self.log("warning: " .. msg) end)
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
function Run:proposals(target)
  local messages = {{role = "system", content = self:prompt("system")}}
  if target then
    messages[2] = {role = "user", content = self:prompt("curriculum", {
      library = library_text(self.library), target = target, steps = self.curriculum_steps,
      assets = asset_text()})}
  else
    messages[2] = {role = "user", content = self:prompt("propose", {
      library = library_text(self.library), assets = asset_text()})}
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
function Run:build(proposal, parents, origin)
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
      assets = asset_text(), examples = table.concat(shown, "\n")})},
  }
  local result = {name = proposal.name, description = proposal.description, accepted = false,
                  repairs = 0, origin = origin}
  local stage = "code"
  for round = 0, self.repairs do
    local answer = self:chat(stage, messages)
    self.counts.attempts = self.counts.attempts + 1
    local src, problem = M.extract_code(answer)
    local verdict
    if not src then
      verdict = {passed = false, failed = "syntax", message = problem, rungs = {}}
    else
      verdict = gensim.library.validate(src, proposal.name .. ".lua", {
        seeds = self.seeds, min_solved = self.min_solved, seed = self.seed, dirs = self.dirs})
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
    result.prompt_hash = M.hash(cjson.encode(messages))
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
  }
  local ok, err = gensim.library.add(self.library_dir, result.name, result.src, cjson.encode(record))
  if not ok then
    result.accepted = false
    result.verdict = {passed = false, failed = "store", message = err}
    self.log("  " .. result.name .. " could not be stored: " .. tostring(err))
    return
  end
  self.counts.accepted = self.counts.accepted + 1
  local entry = {name = result.name, description = result.description, assets = {}, src = result.src,
                 path = self.library_dir .. "/" .. result.name .. ".lua"}
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

-- Exploratory: n proposals, each new beside the library as it grows.
function Run:explore(n)
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
               rates = {}, tasks = {}}
  for _, r in ipairs(M.RUNGS) do out[r] = c[r] end
  local keys = {table.unpack(M.RUNGS)}
  keys[#keys + 1] = "accepted"
  for _, r in ipairs(keys) do
    out.rates[r] = c.proposed > 0 and c[r] / c.proposed or 0
  end
  for _, r in ipairs(self.results) do
    out.tasks[#out.tasks + 1] = {name = r.name, accepted = r.accepted, repairs = r.repairs,
      failed = r.verdict and r.verdict.failed or nil, message = r.verdict and r.verdict.message or nil,
      origin = r.origin}
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
  local seen_library = false
  for _, d in ipairs(dirs) do seen_library = seen_library or d == o.library end
  if not seen_library then dirs[#dirs + 1] = o.library end
  o.dirs = dirs
  return o
end

-- Generates tasks: o holds the command's flags (n or target; url, model,
-- embed_model, cmd, replay, transcript, timeout_s, retries; seeds,
-- min_solved, repairs, seed, library, compare, prompts; log). Returns the
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
  local run = M.new{client = client, prompts = o.prompts, library_dir = o.library, dirs = o.dirs,
    seeds = o.seeds, min_solved = o.min_solved, repairs = o.repairs, seed = o.seed,
    model = o.model or "default", embed = o.embed_model ~= nil, log = o.log}
  local ok, perr = pcall(function()
    if o.target then run:curriculum(o.target) else run:explore(o.n or 1) end
  end)
  local summary = run:summary()
  summary.transcript = o.transcript
  if ok then return summary, 0 end
  local msg = type(perr) == "table" and perr.message or tostring(perr)
  return summary, 3, (type(perr) == "table" and perr.llm and "model error: " or "") .. tostring(msg)
end

return M
