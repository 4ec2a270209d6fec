-- gensim curriculum: runs a declarative curriculum{} (DESIGN.md, Curricula)
-- in the host: each stage records demonstrations of its tasks, continues
-- training the one policy and evaluates it, round after round, until its
-- advance_when holds or max_rounds runs out. A generation stage first has
-- the model write its tasks. Every step is recorded in RUN/state.json,
-- written atomically, so --resume after a crash or Ctrl-C goes on from the
-- first step not done and never repeats a finished one.
local gensim = require("gensim")
local cjson = require("cjson.safe")

local USAGE = [==[
usage: gensim curriculum run FILE.lua|NAME --out RUN [--resume] [--smoke] [--json]
                              [--replay FILE | --llm-cmd CMD | --llm-url URL [--model M]]
                              [--llm-timeout-s S]
       gensim curriculum check FILE.lua|NAME
       gensim curriculum list

run     runs the curriculum into the folder RUN: RUN/data/*.h5 (demonstrations),
        RUN/policy.safetensors (the one policy, with its curves), RUN/state.json
        (every step, written after each), RUN/report.md and RUN/success.png
        (success per task per round)
        --resume   continue RUN where it stopped; finished steps are not repeated
        --smoke    every count cut to the least that runs every step (for tests)
        --json     print a summary object on stdout at the end
        model flags answer generation stages whose curriculum gives no replay;
        --llm-timeout-s S waits up to S seconds for each answer (default 120)
check   loads and checks the curriculum (tasks resolve, counts in range)
list    the curricula of the plugins on the plugin path

A curriculum file returns
  curriculum{name = "...", seed = 0, stages = {
    {tasks = {"place-red-in-green", ...}, demos = 100, train_steps = 2000,
     eval_episodes = 10, advance_when = {success = 0.9}, max_rounds = 3},
    {generate = {target = "a pyramid of blocks", replay = "FILE.jsonl"}, demos = 50},
  }}
demos are per task per round; train_steps are added to the policy per round;
advance_when.success is the mean success over the stage's tasks (unseen seeds).

Exit status: 0 done, 2 bad usage or a bad curriculum, 3 a step failed,
130 stopped (GENSIM_CURRICULUM_STOP_AFTER=N stops after N steps, for tests).
]==]

local STAGE_FIELDS = {tasks = true, generate = true, demos = true, train_steps = true, eval_episodes = true,
                      advance_when = true, max_rounds = true, eval_split = true}
local TOP_FIELDS = {name = true, description = true, seed = true, stages = true, channels = true,
                    batch = true}

local function fail_usage(msg)
  io.stderr:write("gensim curriculum: ", msg, "\n")
  return 2
end

-- ---- loading and checking ----

local function whole(v, lo) return math.type(v) == "integer" and v >= lo end

-- The stage's problems, each "stage N: ..."; the tasks resolve.
local function check_stage(i, s, problems)
  local function bad(fmt, ...) problems[#problems + 1] = ("stage %d: " .. fmt):format(i, ...) end
  if type(s) ~= "table" then return bad("must be a table") end
  for k in pairs(s) do
    if not STAGE_FIELDS[k] then bad("unknown field '%s'", tostring(k)) end
  end
  if (s.tasks == nil) == (s.generate == nil) then bad("needs tasks = {...} or generate = {...}, one of them") end
  if s.tasks ~= nil then
    if type(s.tasks) ~= "table" or #s.tasks == 0 then bad("tasks must be a non-empty list") else
      for _, t in ipairs(s.tasks) do
        local path, err = gensim.resolve_task(tostring(t))
        if not path then bad("%s", err) end
      end
    end
  end
  if s.generate ~= nil and (type(s.generate) ~= "table" or type(s.generate.target) ~= "string") then
    bad("generate must be {target = \"...\", replay = FILE (optional), n = tasks (optional)}")
  end
  if not whole(s.demos, 1) then bad("demos must be a whole number >= 1, got %s", tostring(s.demos)) end
  if s.train_steps ~= nil and not whole(s.train_steps, 0) then
    bad("train_steps must be a whole number >= 0, got %s", tostring(s.train_steps))
  end
  if s.eval_episodes ~= nil and not whole(s.eval_episodes, 1) then
    bad("eval_episodes must be a whole number >= 1, got %s", tostring(s.eval_episodes))
  end
  if s.max_rounds ~= nil and not whole(s.max_rounds, 1) then
    bad("max_rounds must be a whole number >= 1, got %s", tostring(s.max_rounds))
  end
  if s.advance_when ~= nil then
    local a = s.advance_when
    if type(a) ~= "table" or type(a.success) ~= "number" or a.success < 0 or a.success > 1 then
      bad("advance_when must be {success = 0..1}")
    end
  end
  if s.eval_split ~= nil and s.eval_split ~= "train" and s.eval_split ~= "test" then
    bad("eval_split must be \"train\" or \"test\"")
  end
end

-- Loads FILE (or a plugin curriculum by NAME) and checks it; the
-- curriculum table, or nil and "FILE:LINE: message".
local function load(what)
  local path = what
  if not what:find("/") and not what:find("%.lua$") then
    for _, it in ipairs(gensim.plugins().items) do
      if it.type == "curriculum" and it.name == what and not it.refused then path = it.path break end
    end
  end
  local called
  local env = setmetatable({}, {__index = _G})
  env.curriculum = function(t)
    called = true
    return t
  end
  local chunk, err = loadfile(path, "t", env)
  if not chunk then return nil, err end
  local ok, c = pcall(chunk)
  if not ok then return nil, tostring(c) end
  -- `return curriculum{...}` is a tail call, so the line is found in the text
  local line, n = 1, 0
  for text in io.lines(path) do
    n = n + 1
    if text:find("curriculum%s*[{(]") then line = n break end
  end
  local where = path .. ":" .. line .. ": "
  if type(c) ~= "table" or not called then return nil, where .. "the file must return curriculum{...}" end
  local problems = {}
  for k in pairs(c) do
    if not TOP_FIELDS[k] then problems[#problems + 1] = "unknown field '" .. tostring(k) .. "'" end
  end
  if type(c.name) ~= "string" or not gensim.task_name_valid(c.name) then
    problems[#problems + 1] = "name must be kebab-case (a-z, 0-9, dashes)"
  end
  if type(c.stages) ~= "table" or #c.stages == 0 then
    problems[#problems + 1] = "stages must be a non-empty list"
  else
    for i, s in ipairs(c.stages) do check_stage(i, s, problems) end
  end
  if c.seed ~= nil and not whole(c.seed, 0) then problems[#problems + 1] = "seed must be a whole number >= 0" end
  if #problems > 0 then return nil, where .. table.concat(problems, "; ") end
  c.file = path
  c.dir = path:match("^(.*)/[^/]*$") or "."
  return c
end

-- ---- the run's state ----

local function exists(path)
  local f = io.open(path, "r")
  if f then f:close() end
  return f ~= nil
end

-- Writes text to path through a temporary file and a rename: a reader sees
-- the old state or the new one, never a part.
local function write_atomic(path, text)
  local tmp = path .. ".tmp"
  local f = assert(io.open(tmp, "w"))
  f:write(text)
  f:close()
  assert(os.rename(tmp, path))
end

local function read_json(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return cjson.decode(text)
end

local function fresh_state(c)
  local st = {name = c.name, file = c.file, version = 1, total_steps = 0, data = {}, stages = {}}
  for i = 1, #c.stages do st.stages[i] = {status = "pending", rounds = {}} end
  return st
end

-- ---- running ----

local Run = {}
Run.__index = Run

function Run:save() write_atomic(self.out .. "/state.json", cjson.encode(self.state) .. "\n") end

function Run:log(fmt, ...)
  if not self.quiet then io.stderr:write(("[%s] " .. fmt):format(self.state.name, ...), "\n") end
end

-- One step: skipped when done; else run, counted, and maybe the last one
-- this process may take (GENSIM_CURRICULUM_STOP_AFTER).
function Run:step(done, what, fn)
  if done then
    self:log("%s: done before, skipped", what)
    self.skipped = self.skipped + 1
    return
  end
  local t0 = gensim.clock()
  fn()
  self.ran = self.ran + 1
  self:save()
  self:log("%s: done (%.1f s)", what, gensim.clock() - t0)
  if self.stop_after and self.ran >= self.stop_after then
    error({stopped = true, message = ("stopped after %d steps (GENSIM_CURRICULUM_STOP_AFTER)"):format(self.ran)})
  end
end

local function check(result, err)
  if not result then error({message = tostring(err)}) end
  return result
end

function Run:generate(si, stage, st)
  local g = stage.generate
  local replay = g.replay and (g.replay:sub(1, 1) == "/" and g.replay or self.c.dir .. "/" .. g.replay)
  local library = ("%s/generated/stage%d"):format(self.out, si)
  local summary, status, msg = gensim.generate{target = g.target, n = g.n, replay = replay or self.model.replay,
    cmd = not replay and self.model.cmd or nil, url = not replay and self.model.url or nil,
    model = self.model.model, timeout_s = tonumber(self.model.timeout_s), library = library, compare = {library},
    seed = self.state.seed, log = function() end}
  if not summary or status ~= 0 then error({message = "generation: " .. tostring(msg)}) end
  st.tasks = {}
  for _, t in ipairs(summary.tasks) do
    if t.accepted then st.tasks[#st.tasks + 1] = library .. "/" .. t.name .. ".lua" end
  end
  if #st.tasks == 0 then error({message = "generation accepted no task for '" .. g.target .. "'"}) end
end

function Run:round(si, stage, st, r)
  local n = #st.rounds
  local tasks = stage.tasks or st.tasks
  local label = ("stage %d/%d round %d"):format(si, #self.c.stages, n)
  local demos, steps = stage.demos, stage.train_steps or 1000
  local episodes = stage.eval_episodes or 10
  if self.smoke then demos, steps, episodes = 1, math.min(steps, 2), 1 end
  local seed = (self.state.seed or 0) + si * 1000000 + n * 10000
  self:step(r.demos, label .. ": demos of " .. #tasks .. " tasks", function()
    r.data = ("data/stage%d-round%d.h5"):format(si, n)
    check(gensim.demos{tasks = tasks, out = self.out .. "/" .. r.data, episodes = demos, seed = seed, force = true})
    self.state.data[#self.state.data + 1] = r.data
    r.demos = true
  end)
  self:step(r.train or steps == 0, label .. ": train to " .. (self.state.total_steps + steps) .. " steps", function()
    local data = {}
    for i, d in ipairs(self.state.data) do data[i] = self.out .. "/" .. d end
    local policy = self.out .. "/policy.safetensors"
    local target = self.state.total_steps + steps
    check(gensim.train{data = data, out = policy, steps = target, resume = exists(policy), seed = self.state.seed,
      channels = self.c.channels or (self.smoke and 4 or nil), batch = self.c.batch,
      log_every = math.max(1, math.min(100, steps)), workers = 1})
    self.state.total_steps = target
    r.steps = target
    r.train = true
  end)
  self:step(r.eval, label .. ": evaluate", function()
    local e = check(gensim.eval{policy = self.out .. "/policy.safetensors", tasks = tasks, episodes = episodes,
      split = stage.eval_split})
    r.success, r.mean = {}, e.success_rate
    for _, t in ipairs(e.tasks) do r.success[t.task] = t.success_rate end
    r.eval = true
  end)
end

function Run:stage(si)
  local stage, st = self.c.stages[si], self.state.stages[si]
  if st.status == "done" then
    self:log("stage %d: done before, skipped", si)
    return
  end
  st.status = "running"
  self:save()
  if stage.generate then
    self:step(st.generated, ("stage %d: generate '%s'"):format(si, stage.generate.target), function()
      self:generate(si, stage, st)
      st.generated = true
    end)
  end
  local max_rounds = self.smoke and 1 or (stage.max_rounds or 1)
  while true do
    local r = st.rounds[#st.rounds]
    if not r or r.eval then
      r = {}
      st.rounds[#st.rounds + 1] = r
    end
    self:round(si, stage, st, r)
    local goal = stage.advance_when and stage.advance_when.success
    st.advanced = goal ~= nil and r.mean >= goal
    if st.advanced or #st.rounds >= max_rounds then break end
  end
  st.status = "done"
  self:save()
end

-- ---- the report ----

local function percent(x) return x and ("%.0f%%"):format(100 * x) or "" end

function Run:report()
  local lines = {("# Curriculum %s"):format(self.state.name), "",
    ("From `%s`; the policy took %d steps in all. Success is over unseen seeds."):format(self.c.file,
      self.state.total_steps), "", "| stage | round | tasks | policy steps | success per task | mean |",
    "|---|---|---|---|---|---|"}
  local series, by_task, x = {}, {}, 0
  for si, st in ipairs(self.state.stages) do
    for ri, r in ipairs(st.rounds) do
      if r.eval then
        x = x + 1
        local parts, names = {}, {}
        for task in pairs(r.success) do names[#names + 1] = task end
        table.sort(names)
        for _, task in ipairs(names) do
          parts[#parts + 1] = task .. " " .. percent(r.success[task])
          if not by_task[task] then
            by_task[task] = {name = task, x = {}, y = {}}
            series[#series + 1] = by_task[task]
          end
          local sr = by_task[task]
          sr.x[#sr.x + 1], sr.y[#sr.y + 1] = x, r.success[task]
        end
        lines[#lines + 1] = ("| %d | %d | %d | %d | %s | %s |"):format(si, ri, #names,
          r.steps or self.state.total_steps,
          table.concat(parts, ", "), percent(r.mean))
      end
    end
  end
  lines[#lines + 1] = ""
  if #series > 0 then
    local ok = gensim.plot{out = self.out .. "/success.png", series = series, title = "success per task per round",
      x_label = "round (over all stages)", y_label = "success", y_min = 0, y_max = 1}
    if ok then lines[#lines + 1] = "![success per task per round](success.png)" end
  end
  write_atomic(self.out .. "/report.md", table.concat(lines, "\n") .. "\n")
end

-- ---- the command line ----

local function run(o)
  local c, err = load(o.file)
  if not c then return fail_usage(err) end
  if not o.out then return fail_usage("run needs --out RUN") end
  local state_path = o.out .. "/state.json"
  local state
  if o.resume then
    state = read_json(state_path)
    if not state then return fail_usage(o.out .. " holds no run to resume (no readable state.json)") end
    if state.name ~= c.name or #state.stages ~= #c.stages then
      return fail_usage(("%s holds curriculum '%s' (%d stages), not '%s' (%d stages)"):format(o.out,
        tostring(state.name), #(state.stages or {}), c.name, #c.stages))
    end
  else
    if exists(state_path) then
      return fail_usage(o.out .. " already holds a run: --resume it or choose another folder")
    end
    state = fresh_state(c)
    state.seed = c.seed or 0
  end
  local made, merr = gensim.make_dirs(o.out .. "/data")
  if not made then return fail_usage(tostring(merr)) end
  local self = setmetatable({c = c, out = o.out, state = state, smoke = o.smoke, quiet = o.quiet or false,
    ran = 0, skipped = 0, model = o, stop_after = tonumber(os.getenv("GENSIM_CURRICULUM_STOP_AFTER") or "")}, Run)
  self:save()
  local ok, e = pcall(function()
    for si = 1, #c.stages do self:stage(si) end
  end)
  self:report()
  local status = ok and 0 or (type(e) == "table" and e.stopped and 130 or 3)
  if not ok then
    io.stderr:write("gensim curriculum: ", type(e) == "table" and e.message or tostring(e), "\n")
    if status == 130 then io.stderr:write("gensim curriculum: --resume continues\n") end
  end
  if o.json then
    io.stdout:write(cjson.encode({name = c.name, out = o.out, status = status, steps_run = self.ran,
      steps_skipped = self.skipped, total_steps = state.total_steps, stages = state.stages,
      report = o.out .. "/report.md"}), "\n")
  end
  return status
end

local function list()
  for _, it in ipairs(gensim.plugins().items) do
    if it.type == "curriculum" then
      print(("%-28s %s%s"):format(it.name, it.path, it.refused and ("  REFUSED: " .. it.refused) or ""))
    end
  end
  return 0
end

local function main(args)
  local sub = args[1]
  if not sub or sub == "-h" or sub == "--help" or sub == "help" then
    io.stdout:write(USAGE)
    return sub and 0 or 2
  end
  local o, i = {}, 2
  local VALUE = {["--out"] = "out", ["--replay"] = "replay", ["--llm-cmd"] = "cmd", ["--llm-url"] = "url",
                 ["--model"] = "model", ["--llm-timeout-s"] = "timeout_s"}
  while i <= #args do
    local a = args[i]
    if VALUE[a] then
      if not args[i + 1] then return fail_usage(a .. " needs a value") end
      o[VALUE[a]] = args[i + 1]
      i = i + 1
    elseif a == "--resume" then o.resume = true
    elseif a == "--smoke" then o.smoke = true
    elseif a == "--json" then o.json = true
    elseif a == "--quiet" then o.quiet = true
    elseif a == "-h" or a == "--help" then io.stdout:write(USAGE) return 0
    elseif a:sub(1, 1) == "-" then return fail_usage("unknown flag '" .. a .. "' (see gensim curriculum --help)")
    elseif o.file then return fail_usage("one curriculum at a time ('" .. a .. "')")
    else o.file = a end
    i = i + 1
  end
  if sub == "list" then return list() end
  if not o.file then return fail_usage(sub .. " needs a curriculum FILE.lua or NAME") end
  if sub == "check" then
    local c, err = load(o.file)
    if not c then return fail_usage(err) end
    print(("%s: curriculum '%s', %d stages: ok"):format(c.file, c.name, #c.stages))
    return 0
  elseif sub == "run" then
    return run(o)
  end
  return fail_usage("unknown subcommand '" .. sub .. "' (run, check, list)")
end

return main({...})
