-- The pushing tasks built on the `pile` asset (Ravens' sweeping-piles and
-- CLIPort's separating-piles): each loads, is not solved at reset, uses
-- exactly the asset kinds it declares, and its own spatula oracle solves at
-- least 90 of 100 distinct seeds (every cube wholly inside the zone). The
-- file takes about 50 s of CPU (100 episodes a task, about 4 episodes/s).
local gensim = require("gensim")

local TASKS = {"sweeping-piles", "separating-piles"}
local SEEDS = 100
local SOLVE_RATE = 0.9
local RESET_SEEDS = 20

local function path_of(name)
  return "tasks/seed/" .. name .. ".lua"
end

-- The task table as the file returns it, read outside the sandbox with a
-- stand-in for task{...} and gs, to see its declared fields.
local function declared(name)
  local gs = setmetatable({TRAIN_COLORS = {}, TEST_COLORS = {}, COLORS = {}}, {__index = function() return {} end})
  local env = {task = function(t) return t end, gs = gs, math = math, table = table, string = string,
               ipairs = ipairs, pairs = pairs, assert = assert, setmetatable = setmetatable}
  local chunk = assert(loadfile(path_of(name), "t", env))
  return chunk()
end

describe("pile-pushing tasks", function()
  for _, name in ipairs(TASKS) do
    local needed = math.ceil(SOLVE_RATE * SEEDS)
    describe(name, function()
      local t

      setup(function()
        t = assert(gensim.load_task(path_of(name)))
      end)

      teardown(function()
        if t then t:close() end
      end)

      it("loads under its file's name", function()
        local info = t:info()
        assert.equals(name, info.name)
        assert.is_true(#info.description > 20)
        assert.is_true(info.max_steps >= 1)
      end)

      it("is not solved at reset and uses exactly the kinds it declares", function()
        local used = {}
        for seed = 0, RESET_SEEDS - 1 do
          assert(t:reset(seed))
          local r, done = t:reward()
          assert.is_true(r < 1, ("seed %d: reward %.3f at reset"):format(seed, r))
          assert.is_false(done)
          for _, o in ipairs(t:objects()) do used[o.kind] = true end
        end
        local kinds = {}
        for _, kind in ipairs(declared(name).assets) do kinds[kind] = true end
        assert.same(kinds, used)
      end)

      it(("solves at least %d of %d distinct seeds"):format(needed, SEEDS), function()
        local successes, digests = 0, {}
        local max_steps = t:info().max_steps
        for seed = 0, SEEDS - 1 do
          local ep = assert(t:run_episode(seed))
          if ep.success then successes = successes + 1 end
          assert.is_true(ep.steps <= max_steps)
          assert.is_nil(digests[ep.digest], "two seeds gave the same final scene")
          digests[ep.digest] = seed
        end
        assert.is_true(successes >= needed, ("%s: %d of %d"):format(name, successes, SEEDS))
      end)
    end)
  end
end)
