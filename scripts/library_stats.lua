-- gensim library stats: what a library holds and how varied it is.
--
-- For each set of task folders (by default the seed tasks, the generated
-- library, and both together; or the --dir folders given): the task count;
-- from the library records (where there are any) the mean oracle success,
-- the rungs passed and the models; from the code itself the asset kinds
-- used and the goal metrics; Self-BLEU of the descriptions (n = 4: each
-- description's BLEU against all the others as references, averaged; lower
-- is more varied) and the mean pairwise code similarity (the novelty
-- rung's token 4-gram Jaccard similarity); and for a folder with
-- transcripts/ (a generated library), each run's cost: requests, prompt
-- and answer bytes (tokens where the server reported usage), and per task
-- of the folder that the run made.
local gensim = require("gensim")
local cjson = require("cjson")

local USAGE = [[
usage: gensim library stats [--dir DIR]... [--json]

Counts, oracle success, rungs passed and models from the records of a library
folder, and how varied its tasks are: the asset kinds and goal metrics their
code uses, Self-BLEU of their descriptions (n = 4) and their mean pairwise code
similarity. Without --dir: the seed tasks, the generated library and both
together; each --dir is one set, and with several --dir a last set joins them.

  --dir DIR    a folder of task files (repeatable)
  --json       print one JSON object instead of text
  -h, --help   this text

Exit status: 0 done, 2 bad usage or a folder that could not be read.
]]

local RUNGS = {"syntax", "shape", "runtime", "nontrivial", "solvable", "learnable", "novel"}

-- The tasks of a folder: {name, path, source, description, record}.
local function read_tasks(dir)
  local files, err = gensim.list_files(dir, ".lua")
  if not files then return nil, err end
  local tasks = {}
  for _, path in ipairs(files) do
    local f = io.open(path, "rb")
    local src = f and f:read("a")
    if f then f:close() end
    if src then
      local name = path:match("([^/]+)%.lua$")
      local t = {name = name, path = path, source = src,
                 description = src:match('description%s*=%s*"(.-)"') or src:match("description%s*=%s*'(.-)'") or ""}
      local rf = io.open(dir .. "/" .. name .. ".json", "rb")
      if rf then
        local ok, rec = pcall(cjson.decode, rf:read("a"))
        rf:close()
        if ok and type(rec) == "table" then t.record = rec end
      end
      tasks[#tasks + 1] = t
    end
  end
  return tasks
end

-- Asset kinds listed in a task's assets = {...}, and its goal metrics
-- (a goal with no metric is "pose").
local function kinds_and_metrics(src)
  local kinds, metrics = {}, {}
  local list = src:match("assets%s*=%s*(%b{})")
  for kind in (list or ""):gmatch("[\"']([%w%-_]+)[\"']") do kinds[kind] = true end
  local goals, named = 0, 0
  for _ in src:gmatch("env:goal%s*[{(]") do goals = goals + 1 end
  for m in src:gmatch("metric%s*=%s*[\"'](%w+)[\"']") do
    metrics[m] = true
    named = named + 1
  end
  if goals > named then metrics.pose = true end
  return kinds, metrics
end

local function ngram_counts(w, n)
  local c = {}
  for i = 1, #w - n + 1 do
    local g = table.concat(w, " ", i, i + n - 1)
    c[g] = (c[g] or 0) + 1
  end
  return c
end

-- Each description's words and its n-gram counts (n = 1..4), made once.
local function grams_of(text)
  local w = {}
  for word in text:lower():gmatch("[%w%-']+") do w[#w + 1] = word end
  local g = {words = w}
  for n = 1, 4 do g[n] = ngram_counts(w, n) end
  return g
end

-- BLEU-4 of description i against all the others: clipped n-gram
-- precisions (a zero count taken as 0.1, as the usual first smoothing
-- does), their geometric mean, and the brevity penalty against the
-- closest reference.
local function bleu(all, i)
  local hyp = all[i]
  local len = #hyp.words
  if len == 0 then return 0 end
  local logsum = 0
  for n = 1, 4 do
    local most = {}
    for j, r in ipairs(all) do
      if j ~= i then
        for g, k in pairs(r[n]) do most[g] = math.max(most[g] or 0, k) end
      end
    end
    local match, total = 0, math.max(len - n + 1, 0)
    for g, k in pairs(hyp[n]) do match = match + math.min(k, most[g] or 0) end
    if total == 0 then return 0 end
    logsum = logsum + math.log((match > 0 and match or 0.1) / total) / 4
  end
  local closest
  for j, r in ipairs(all) do
    if j ~= i and (not closest or math.abs(#r.words - len) < math.abs(closest - len)) then closest = #r.words end
  end
  local bp = len >= closest and 1 or math.exp(1 - closest / len)
  return bp * math.exp(logsum)
end

local function self_bleu(tasks)
  if #tasks < 2 then return nil end
  local all, sum = {}, 0
  for i, t in ipairs(tasks) do all[i] = grams_of(t.description) end
  for i = 1, #all do sum = sum + bleu(all, i) end
  return sum / #all
end

local function mean_code_similarity(tasks)
  if #tasks < 2 then return nil end
  local sum, pairs_ = 0, 0
  for i = 1, #tasks do
    for j = i + 1, #tasks do
      local _, code = gensim.library.similarity(tasks[i].source, tasks[i].description, tasks[j].source,
        tasks[j].description)
      sum, pairs_ = sum + code, pairs_ + 1
    end
  end
  return sum / pairs_
end

-- Each transcript of DIR/transcripts/: its requests, bytes (and tokens
-- where the server reported usage), and the tasks of tasks whose record
-- names it.
local read_transcript -- one transcript's totals, read once per process
do
  local seen = {}
  read_transcript = function(path)
    if seen[path] then return seen[path] end
    local r = {requests = 0, prompt_bytes = 0, response_bytes = 0, tokens = 0}
    for line in io.lines(path) do
      local ok, x = pcall(cjson.decode, line)
      if ok and type(x) == "table" and x.kind ~= "embed" then
        r.requests = r.requests + 1
        for _, m in ipairs(type(x.messages) == "table" and x.messages or {}) do
          r.prompt_bytes = r.prompt_bytes + #(type(m.content) == "string" and m.content or "")
        end
        r.response_bytes = r.response_bytes + #(type(x.response) == "string" and x.response or "")
        if type(x.usage) == "table" and type(x.usage.total_tokens) == "number" then
          r.tokens = r.tokens + x.usage.total_tokens
        end
      end
    end
    seen[path] = r
    return r
  end
end

local function run_costs(dir, tasks)
  local files = gensim.list_files(dir .. "/transcripts", ".jsonl") or {}
  local runs = {}
  for _, path in ipairs(files) do
    local name = path:match("([^/]+)$")
    local totals = read_transcript(path)
    local r = {transcript = name, requests = totals.requests, prompt_bytes = totals.prompt_bytes,
               response_bytes = totals.response_bytes, tokens = totals.tokens, accepted = 0}
    for _, t in ipairs(tasks) do
      if t.record and t.record.transcript == name then r.accepted = r.accepted + 1 end
    end
    if r.accepted > 0 then
      r.per_accepted = {requests = r.requests / r.accepted, prompt_bytes = r.prompt_bytes / r.accepted,
                        response_bytes = r.response_bytes / r.accepted}
    end
    runs[#runs + 1] = r
  end
  return runs
end

-- The figures of one set of tasks.
local function stats(label, dirs, tasks)
  local s = {set = label, dirs = dirs, tasks = #tasks, kinds = {}, metrics = {}, models = {},
             rungs_passed = {}, with_record = 0}
  local rate, rated = 0, 0
  for _, r in ipairs(RUNGS) do s.rungs_passed[r] = 0 end
  for _, t in ipairs(tasks) do
    local kinds, metrics = kinds_and_metrics(t.source)
    for k in pairs(kinds) do s.kinds[k] = (s.kinds[k] or 0) + 1 end
    for m in pairs(metrics) do s.metrics[m] = (s.metrics[m] or 0) + 1 end
    local rec = t.record
    if rec then
      s.with_record = s.with_record + 1
      if type(rec.oracle_success) == "number" then rate, rated = rate + rec.oracle_success, rated + 1 end
      if type(rec.model) == "string" then s.models[rec.model] = (s.models[rec.model] or 0) + 1 end
      for _, g in ipairs(type(rec.ladder) == "table" and rec.ladder.rungs or {}) do
        if g.status == "pass" and s.rungs_passed[g.name] then s.rungs_passed[g.name] = s.rungs_passed[g.name] + 1 end
      end
    end
  end
  s.mean_oracle_success = rated > 0 and rate / rated or cjson.null
  local n = 0
  for _ in pairs(s.kinds) do n = n + 1 end
  s.distinct_kinds = n
  s.self_bleu4 = self_bleu(tasks) or cjson.null
  s.mean_code_similarity = mean_code_similarity(tasks) or cjson.null
  local runs = {}
  for _, d in ipairs(dirs) do
    for _, r in ipairs(run_costs(d, tasks)) do runs[#runs + 1] = r end
  end
  if #runs > 0 then s.runs = runs end
  return s
end

local function sorted_counts(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if t[a] ~= t[b] then return t[a] > t[b] end
    return a < b
  end)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. " " .. t[k] end
  return table.concat(parts, ", ")
end

local function num(v) return v == cjson.null and "-" or string.format("%.3f", v) end

local function print_text(sets)
  for _, s in ipairs(sets) do
    io.write(string.format("%s: %d tasks (%s)\n", s.set, s.tasks, table.concat(s.dirs, ", ")))
    io.write(string.format("  Self-BLEU-4 of descriptions %s, mean pairwise code similarity %s\n",
      num(s.self_bleu4), num(s.mean_code_similarity)))
    io.write(string.format("  %d asset kinds: %s\n", s.distinct_kinds, sorted_counts(s.kinds)))
    io.write(string.format("  goal metrics (tasks using each): %s\n", sorted_counts(s.metrics)))
    for _, r in ipairs(s.runs or {}) do
      io.write(string.format("  run %s: %d requests, %d prompt and %d answer bytes%s; %d tasks kept%s\n", r.transcript,
        r.requests, r.prompt_bytes, r.response_bytes, r.tokens > 0 and (", " .. r.tokens .. " tokens") or "",
        r.accepted, r.per_accepted and string.format(" (%.1f requests, %.0f + %.0f bytes each)",
          r.per_accepted.requests, r.per_accepted.prompt_bytes, r.per_accepted.response_bytes) or ""))
    end
    if s.with_record > 0 then
      io.write(string.format("  records %d, mean oracle success %s, models: %s\n", s.with_record,
        num(s.mean_oracle_success), sorted_counts(s.models)))
    end
  end
end

local function main(args)
  local dirs, json = {}, false
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "-h" or a == "--help" then
      io.stdout:write(USAGE)
      return 0
    elseif a == "--json" then json = true
    elseif a == "--dir" and args[i + 1] then
      dirs[#dirs + 1] = args[i + 1]
      i = i + 1
    else
      io.stderr:write("gensim library stats: ", a == "--dir" and "--dir needs a folder" or
        ("unexpected argument '" .. a .. "'"), " (see gensim library stats --help)\n")
      return 2
    end
    i = i + 1
  end
  local sets = {}
  if #dirs == 0 then
    local data = gensim.data_dir()
    sets = {{"seed", {data .. "/tasks/seed"}}, {"generated", {data .. "/tasks/generated"}}}
    sets[3] = {"both", {sets[1][2][1], sets[2][2][1]}}
  else
    for _, d in ipairs(dirs) do sets[#sets + 1] = {d, {d}} end
    if #dirs > 1 then sets[#sets + 1] = {"all", dirs} end
  end
  local cache, out = {}, {}
  for _, set in ipairs(sets) do
    local tasks = {}
    for _, d in ipairs(set[2]) do
      if not cache[d] then
        local t, err = read_tasks(d)
        if not t and #dirs > 0 then
          io.stderr:write("gensim library stats: ", tostring(err), "\n")
          return 2
        end
        cache[d] = t or {}
      end
      for _, t in ipairs(cache[d]) do tasks[#tasks + 1] = t end
    end
    out[#out + 1] = stats(set[1], set[2], tasks)
  end
  if json then
    io.write(cjson.encode(#out == 1 and out[1] or {sets = out}), "\n")
  else
    print_text(out)
  end
  return 0
end

return main({...})
