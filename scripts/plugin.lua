-- gensim plugin: list what the plugin path holds, scaffold a plugin, check
-- one. Run by `gensim plugin` in the host (trusted Lua with the gensim
-- module); the plugin path itself is read by the core (gensim.plugins()),
-- in a sandboxed worker, so nothing here runs a plugin's code.
local gensim = require("gensim")
local cjson = require("cjson.safe")

local USAGE = [[
usage: gensim plugin list [--json]
       gensim plugin new NAME [--dir DIR]
       gensim plugin check NAME [--seeds K] [--min-solved M] [--json]

list    the plugin path (GENSIM_PATH, else ./plugins and the user's data folder;
        the shipped plugins always last), each plugin with what it provides,
        what shadows what, and what is refused and why
new     writes a plugin that passes its own check into DIR/NAME (default
        ./plugins): a manifest, a helper module, a kind, a task and a spec
check   runs each task of the plugin up the validation ladder, reports each of
        its kinds, and runs its Busted specs (spec/*_spec.lua)

Exit status: 0 done (check: everything passed), 2 bad usage or an unknown
plugin, 3 a check failed.
]]

local function fail_usage(msg)
  io.stderr:write("gensim plugin: ", msg, " (see gensim plugin --help)\n")
  return 2
end

local function short(path)
  local cwd = os.getenv("PWD")
  if cwd and path:sub(1, #cwd + 1) == cwd .. "/" then return path:sub(#cwd + 2) end
  return path
end

-- ---- list ----

local function list(json)
  if json then
    io.stdout:write(gensim.plugins("json"), "\n")
    return 0
  end
  local p = gensim.plugins()
  print("plugin path (first wins):")
  for i = 1, p.npath do print(string.format("  %d. %s", i, short(p.folders[i]))) end
  local lib = {}
  for i = p.npath + 1, #p.folders do lib[#lib + 1] = short(p.folders[i]) end
  print("library: " .. (#lib > 0 and table.concat(lib, ", ") or "(no data folder)"))
  print("\nplugins:")
  if #p.plugins == 0 then print("  (none)") end
  for i, pl in ipairs(p.plugins) do
    local counts = {}
    for _, it in ipairs(p.items) do
      if it.plugin == i - 1 then counts[it.type] = (counts[it.type] or 0) + 1 end
    end
    local provides = {}
    for _, t in ipairs({"task", "kind", "module", "curriculum", "spec"}) do
      if counts[t] then provides[#provides + 1] = counts[t] .. " " .. t .. (counts[t] > 1 and "s" or "") end
    end
    print(string.format("  %-16s %-8s %s  %s", pl.name or "?", pl.version or "?", short(pl.dir),
      pl.refused and ("REFUSED: " .. pl.refused) or table.concat(provides, ", ")))
  end
  local loose, shadowed, refused = {}, {}, {}
  for _, it in ipairs(p.items) do
    if it.type == "task" and it.plugin < 0 and it.folder < p.npath then loose[#loose + 1] = it end
    if it.shadowed_by >= 0 then shadowed[#shadowed + 1] = it end
    if it.refused and (it.plugin < 0 or not p.plugins[it.plugin + 1].refused) then refused[#refused + 1] = it end
  end
  if #loose > 0 then
    print("\nloose tasks:")
    for _, it in ipairs(loose) do print("  " .. it.name .. "  " .. short(it.path)) end
  end
  if #shadowed > 0 then
    print("\nshadowed (the first on the path wins):")
    for _, it in ipairs(shadowed) do
      print(string.format("  %s %s: %s is shadowed by %s", it.type, it.name, short(it.path),
        short(p.items[it.shadowed_by + 1].path)))
    end
  end
  if #refused > 0 then
    print("\nrefused:")
    for _, it in ipairs(refused) do print(string.format("  %s %s: %s", it.type, it.name, it.refused)) end
  end
  return 0
end

-- ---- new ----

local TEMPLATE = {
  ["plugin.lua"] = [[
return plugin {
  name = "@NAME@",
  version = "0.1.0",
  api = @API@,
  description = "Describe what @NAME@ adds: its kinds, its tasks.",
  license = "MIT",
}
]],
  ["lib/util.lua"] = [[
-- Helpers @NAME@'s tasks share: require "@NAME@.util".
local M = {}

-- The colours of the episode's split: seen ones for training, unseen for testing.
function M.palette(env)
  return env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
end

return M
]],
  ["kinds/@NAME@-pad.lua"] = [[
-- A flat square pad things are put on: a kind of this plugin.
return kind {
  name = "@NAME@-pad",
  class = "marker",
  doc = "a flat square pad to put things on; size {x, y, z}",
  size = {0.1, 0.1, 0.002},
  options = {"size"},
  build = function(b, o)
    b:box{size = o.size, pose = gs.pose(0, 0, o.size[3] / 2, 0)}
  end,
}
]],
  ["tasks/@NAME@-block-on-pad.lua"] = [[
local util = require "@NAME@.util"

return task {
  name = "@NAME@-block-on-pad",
  description = "Put the block on the pad.",
  assets = {"block", "@NAME@-pad"},
  max_steps = 3,
  reset = function(env)
    local pad = env:add("@NAME@-pad", env:random_pose({0.1, 0.1, 0}), {color = "gray"})
    local colors = env.rng:shuffle({table.unpack(util.palette(env))})
    local block = env:add("block", env:random_pose({0.04, 0.04, 0.04}), {color = colors[1]})
    env:goal{objects = {block}, targets = {gs.multiply(env:pose(pad), gs.pose(0, 0, 0.02, 0))},
             rotations = false, tolerance = 0.02, lang = "put the block on the pad"}
  end,
}
]],
  ["spec/@NAME@_spec.lua"] = [[
local gensim = require("gensim")

describe("@NAME@", function()
  it("solves its task with the oracle", function()
    local r = gensim.run{task = "@NAME@-block-on-pad", episodes = 3}
    assert.are.equal(3, r.successes)
  end)
end)
]],
}

local function write(path, text)
  local f, err = io.open(path, "w")
  if not f then return nil, err end
  f:write(text)
  f:close()
  return true
end

local function new(name, dir)
  local ok, why = gensim.task_name_valid(name)
  if not ok then return fail_usage("plugin name: " .. why:gsub("a task name", "a plugin name")) end
  dir = dir or "plugins"
  local root = dir .. "/" .. name
  if io.open(root .. "/plugin.lua", "r") then return fail_usage(root .. " already holds a plugin") end
  for _, sub in ipairs({"", "/lib", "/kinds", "/tasks", "/spec", "/curricula"}) do
    local made, err = gensim.make_dirs(root .. sub)
    if not made then return fail_usage(err) end
  end
  for rel, text in pairs(TEMPLATE) do
    local path = root .. "/" .. rel:gsub("@NAME@", name)
    local body = text:gsub("@NAME@", name):gsub("@API@", tostring(gensim.TASK_API))
    local done, err = write(path, body)
    if not done then return fail_usage(err) end
  end
  print("wrote " .. root .. ": plugin.lua, lib/util.lua, kinds/" .. name .. "-pad.lua, tasks/" .. name ..
        "-block-on-pad.lua, spec/" .. name .. "_spec.lua")
  print("check it with: gensim plugin check " .. name ..
        (dir ~= "plugins" and ("   (with GENSIM_PATH=" .. dir .. ")") or ""))
  return 0
end

-- ---- check ----

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- Runs the plugin's Busted specs in a gensim of their own (busted exits
-- the process it runs in); true when they pass.
local function run_specs(dir, quiet)
  local busted = gensim.data_dir() .. "/scripts/busted.lua"
  -- busted runs in the plugin's folder: the path it was found on, made
  -- absolute, goes with it
  local cwd, path = os.getenv("PWD") or ".", {}
  local p = gensim.plugins()
  for i = 1, p.npath do
    local f = p.folders[i]
    path[#path + 1] = f:sub(1, 1) == "/" and f or (cwd .. "/" .. f:gsub("^%./", ""))
  end
  local cmd = table.concat({"GENSIM_PATH=" .. shell_quote(table.concat(path, ":")),
    shell_quote(gensim.executable()), "lua", shell_quote(busted),
    shell_quote("--directory=" .. dir), "--pattern=_spec", "--output=plainTerminal", "spec"}, " ")
  if quiet then cmd = cmd .. " >/dev/null 2>&1" end
  local ok = os.execute(cmd)
  return ok == true
end

local function check(name, opts)
  local p = gensim.plugins()
  local index
  for i, pl in ipairs(p.plugins) do
    if pl.name == name and (not index or (p.plugins[index].refused and not pl.refused)) then index = i end
  end
  if not index then return fail_usage("no plugin '" .. name .. "' on the plugin path (see gensim plugin list)") end
  local pl = p.plugins[index]
  local results, failed = {}, 0
  local function add(kind, what, ok, detail)
    results[#results + 1] = {type = kind, name = what, ok = ok, detail = detail}
    if not ok then failed = failed + 1 end
  end
  if pl.refused then add("plugin", name, false, pl.refused) end
  local tasks, specs = {}, 0
  for _, it in ipairs(p.items) do
    if it.plugin == index - 1 then
      if it.type == "task" then
        if it.refused then add("task", it.name, false, it.refused) else tasks[#tasks + 1] = it.path end
      elseif it.type == "kind" then
        add("kind", it.name, not it.refused, it.refused)
      elseif it.type == "spec" then
        specs = specs + 1
      end
    end
  end
  if #tasks > 0 and not pl.refused then
    local v = gensim.validate{files = tasks, seeds = opts.seeds, min_solved = opts.min_solved}
    for _, r in ipairs(v.tasks) do
      local message
      for _, rung in ipairs(r.rungs or {}) do
        if rung.name == r.failed then message = rung.message end
      end
      add("task", r.name or r.file or "?", r.passed,
        r.passed and string.format("oracle %d/%d", r.solved or 0, r.seeds or 0)
          or string.format("%s: %s", tostring(r.failed), message or r.message or ""))
    end
  end
  if specs > 0 and not pl.refused then
    local ok = run_specs(pl.dir, opts.json)
    add("specs", specs .. " file" .. (specs > 1 and "s" or ""), ok, ok and "passed" or "failed (output above)")
  end
  if opts.json then
    io.stdout:write(cjson.encode({plugin = name, version = pl.version, dir = pl.dir, checks = results,
      failed = failed, passed = failed == 0}), "\n")
  else
    print(string.format("plugin %s %s (%s)", name, pl.version or "?", short(pl.dir)))
    for _, r in ipairs(results) do
      print(string.format("  %-7s %-32s %-4s %s", r.type, r.name, r.ok and "PASS" or "FAIL", r.detail or ""))
    end
    print(string.format("%d checks, %d failed", #results, failed))
  end
  return failed == 0 and 0 or 3
end

-- ---- the command line ----

local function main(args)
  local sub = args[1]
  if not sub or sub == "-h" or sub == "--help" or sub == "help" then
    io.stdout:write(USAGE)
    return sub and 0 or 2
  end
  local opts, positional = {}, {}
  local i = 2
  while i <= #args do
    local a = args[i]
    if a == "--json" then opts.json = true
    elseif a == "--dir" or a == "--seeds" or a == "--min-solved" then
      if not args[i + 1] then return fail_usage(a .. " needs a value") end
      local key = a:sub(3):gsub("-", "_")
      opts[key] = args[i + 1]
      i = i + 1
    elseif a == "-h" or a == "--help" then
      io.stdout:write(USAGE)
      return 0
    elseif a:sub(1, 2) == "--" then return fail_usage("unknown flag '" .. a .. "'")
    else positional[#positional + 1] = a end
    i = i + 1
  end
  for _, k in ipairs({"seeds", "min_solved"}) do
    if opts[k] then
      local n = tonumber(opts[k])
      if not n or n < 1 or n > 64 or n ~= math.floor(n) then
        return fail_usage("--" .. k:gsub("_", "-") .. " takes 1..64")
      end
      opts[k] = n
    end
  end
  if sub == "list" then
    if #positional > 0 then return fail_usage("list takes no arguments") end
    return list(opts.json)
  elseif sub == "new" then
    if #positional ~= 1 then return fail_usage("new takes one NAME") end
    return new(positional[1], opts.dir)
  elseif sub == "check" then
    if #positional ~= 1 then return fail_usage("check takes one NAME") end
    return check(positional[1], opts)
  end
  return fail_usage("unknown subcommand '" .. sub .. "' (list, new, check)")
end

return main({...})
