-- The layers of the core, lowest first: a file may include headers of its
-- own module and of modules before it, never after it. Public headers
-- (core/include/gensim/*.h) belong to the module named beside them here.
-- Run as `lua5.4 tests/include_order.lua ROOT`; prints every violation and
-- exits 1 when there is one.
local MODULES = {"math", "physics", "assets", "robot", "render", "io", "sandbox", "task",
                 "policy", "skill", "llm", "library", "host"}
local PUBLIC = {
  status = "math", math = "math", physics = "physics", assets = "assets", robot = "robot",
  render = "render", io = "io", dataset = "io", sandbox = "sandbox", task = "task",
  episode = "task", workflow = "task", policy = "policy", policy_data = "policy", train = "policy",
  skill = "skill", llm = "llm", library = "library", host = "host", gensim = "host",
  export = "math", plugin = "task",
}
-- Headers of other projects that must not reach the public headers.
local FOREIGN_IN_PUBLIC = {"^lua", "^lauxlib", "^lualib", "^bt", "^Bullet", "^hdf5", "^cjson",
                           "^curl", "^png", "^gif_lib", "^cblas"}

local root = arg[1] or "."
local rank = {}
for i, m in ipairs(MODULES) do rank[m] = i end
local problems = {}
local function problem(fmt, ...) problems[#problems + 1] = string.format(fmt, ...) end

local function lines(cmd)
  local p = assert(io.popen(cmd))
  local out = {}
  for l in p:lines() do out[#out + 1] = l end
  p:close()
  return out
end

local function module_of_header(h)
  local dir, base = h:match("^([%w_]+)/([%w_]+)%.h$")
  if not dir then return nil end
  if dir == "gensim" then return PUBLIC[base], true end
  return dir, false
end

local function check(path, own, public)
  local f = assert(io.open(path))
  local n = 0
  for line in f:lines() do
    n = n + 1
    local quoted = line:match('^%s*#%s*include%s+"([^"]+)"')
    local angled = line:match('^%s*#%s*include%s+<([^>]+)>')
    if quoted then
      local m, is_public = module_of_header(quoted)
      if not m then
        problem("%s:%d: \"%s\" is not module/name.h", path, n, quoted)
      elseif not rank[m] then
        problem("%s:%d: \"%s\" names no module of the core", path, n, quoted)
      elseif rank[m] > rank[own] then
        problem("%s:%d: %s (%s) includes %s from %s, a higher layer", path, n, own,
                public and "public" or "core", quoted, m)
      elseif public and not is_public then
        problem("%s:%d: a public header includes the internal %s", path, n, quoted)
      end
    elseif angled and public then
      for _, pat in ipairs(FOREIGN_IN_PUBLIC) do
        if angled:match(pat) then problem("%s:%d: a public header includes <%s>", path, n, angled) end
      end
    end
  end
  f:close()
end

for _, path in ipairs(lines("find '" .. root .. "/core/src' -name '*.[ch]' -o -name '*.cpp' | sort")) do
  local m = path:match("/core/src/([%w_]+)/[^/]+$")
  if not rank[m] then problem("%s: folder %s is not a module of the core", path, tostring(m))
  else check(path, m, false) end
end
for _, path in ipairs(lines("find '" .. root .. "/core/include/gensim' -name '*.h' | sort")) do
  local base = path:match("([%w_]+)%.h$")
  local m = PUBLIC[base]
  if not m then problem("%s: public header without a module (add it to PUBLIC)", path)
  else check(path, m, true) end
end
-- The command line is a front end: it sees the public API only.
for _, path in ipairs(lines("find '" .. root .. "/core/cli' -name '*.[ch]' | sort")) do
  local f = assert(io.open(path))
  local n = 0
  for line in f:lines() do
    n = n + 1
    local quoted = line:match('^%s*#%s*include%s+"([^"]+)"')
    if quoted and quoted ~= "cli.h" and quoted ~= "flags.h" and not quoted:match("^gensim/[%w_]+%.h$") then
      problem("%s:%d: the command line includes the internal \"%s\"", path, n, quoted)
    end
  end
  f:close()
end
-- Bullet stays behind its bridge.
for _, path in ipairs(lines("grep -rlE '#include *<(btBulletDynamicsCommon|BulletCollision|BulletDynamics|LinearMath)' '"
                            .. root .. "/core' || true")) do
  if not path:match("physics/bullet_bridge%.cpp$") then problem("%s: includes Bullet outside the bridge", path) end
end

for _, p in ipairs(problems) do io.stderr:write(p, "\n") end
print(string.format("include order: %d problem%s", #problems, #problems == 1 and "" or "s"))
os.exit(#problems == 0 and 0 or 1)
