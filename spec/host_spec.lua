-- The trusted host's view of the task runtime: loading, shape errors,
-- episodes, determinism and the asset table.
local gensim = require("gensim")

local SEEDS = {"place-red-in-green", "stack-block-pyramid", "align-box-corner"}

local function task_source(reset_body, extra)
  return ([[
return task {
  name = "spec-task",
  description = "a task written by the spec",
  assets = {"block", "bowl", "zone"},
  max_steps = 4,
  reset = function(env)
%s
  end,
  %s
}]]):format(reset_body, extra or "")
end

describe("gensim host", function()
  it("knows its version", function()
    assert.is_string(gensim.version)
    assert.matches("^%d+%.%d+%.%d+$", gensim.version)
  end)

  it("lists every asset kind with its options", function()
    local kinds = {}
    for _, k in ipairs(gensim.assets()) do kinds[k.name] = k end
    for _, name in ipairs({"block", "small-block", "box", "cylinder", "ball", "bowl", "container",
                           "pallet", "zone", "line", "corner", "square", "stand", "ell", "fixture"}) do
      assert.is_table(kinds[name], name)
    end
    assert.equals("movable", kinds.block.role)
    assert.equals("receptacle", kinds.bowl.role)
    assert.equals("marker", kinds.zone.role)
    assert.same({"color", "fixed", "radius", "height", "mass"}, kinds.cylinder.options)
  end)

  for _, name in ipairs(SEEDS) do
    it("loads and solves the seed task " .. name, function()
      local t = assert(gensim.load_task("tasks/seed/" .. name .. ".lua"))
      assert.equals(name, t:info().name)
      local ep = assert(t:run_episode(3))
      assert.is_true(ep.success)
      assert.near(1, ep.reward, 1e-6)
      assert.is_true(ep.steps >= 1 and ep.steps <= t:info().max_steps)
      t:close()
    end)
  end

  for _, name in ipairs(SEEDS) do
    it("solves at least 95 of 100 distinct seeds of " .. name, function()
      local t = assert(gensim.load_task("tasks/seed/" .. name .. ".lua"))
      local successes, digests = 0, {}
      for seed = 1000, 1099 do
        local ep = assert(t:run_episode(seed))
        if ep.success then successes = successes + 1 end
        assert.is_nil(digests[ep.digest], "two seeds gave the same final scene")
        digests[ep.digest] = seed
      end
      assert.is_true(successes >= 95, name .. ": " .. successes .. " of 100")
    end)
  end

  it("gives the same digest for the same seed and another for another seed", function()
    local a = assert(gensim.load_task("tasks/seed/place-red-in-green.lua"))
    local b = assert(gensim.load_task("tasks/seed/place-red-in-green.lua"))
    local d1 = assert(a:run_episode(11)).digest
    assert.equals(d1, assert(b:run_episode(11)).digest)
    assert.equals(d1, assert(a:run_episode(11)).digest)
    assert.not_equals(d1, assert(a:run_episode(12)).digest)
  end)

  it("reports every shape problem at once", function()
    local t, err, status = gensim.load_task_string([[
return task { name = "Bad Name", description = "", assets = {"blok"}, max_steps = 0, resett = 1 }
]], "bad.lua")
    assert.is_nil(t)
    assert.equals("shape", status)
    assert.matches("^bad.lua:1: task: 6 problems", err)
    assert.matches("kebab%-case", err)
    assert.matches("'description' must be a non%-empty string", err)
    assert.matches("did you mean 'block'", err)
    assert.matches("'max_steps' must be an integer", err)
    assert.matches("'reset' must be a function", err)
    assert.matches("unknown field 'resett' %(did you mean 'reset'%?%)", err)
  end)

  it("scores a pose goal from the state, not from history", function()
    local t = assert(gensim.load_task_string(task_source([[
    local b = env:add("block", gs.pose(0.4, 0.2, 0.02), {color = "red"})
    env:goal{objects = {b}, targets = {gs.pose(0.6, -0.2, 0.02)}, rotations = false}
]])))
    assert(t:reset(0))
    local r, done = t:reward()
    assert.equals(0, r)
    assert.is_false(done)
    local action = assert(t:oracle_action())
    -- the oracle grasps at a heightmap pixel: within one 3.125 mm pixel of the centre
    assert.near(0.4, action.pick.pos[1], 0.0032)
    assert.near(0.2, action.pick.pos[2], 0.0032)
    assert.near(0.04, action.pick.pos[3], 1e-6)
    assert.near(0.6, action.place.pos[1], 0.0032)
    assert(t:act(action))
    r, done = t:reward()
    assert.equals(1, r)
    assert.is_true(done)
    assert.is_nil(t:oracle_action())
  end)

  it("scores zone goals by the fraction inside", function()
    local t = assert(gensim.load_task_string(task_source([[
    local z = env:add("zone", gs.pose(0.6, 0, 0), {size = {0.12, 0.12, 0.001}})
    local a = env:add("block", gs.pose(0.6, 0.06, 0.02))
    local b = env:add("block", gs.pose(0.4, -0.3, 0.02))
    env:goal{objects = {a, b}, metric = "zone", zone = {pose = env:pose(z), size = {0.12, 0.12, 0.1}},
             tolerance = 0, reward = 1}
]])))
    assert(t:reset(0))
    -- a straddles the zone's edge: half of it is inside; b is out
    local r = t:reward()
    assert.near(0.25, r, 1e-9)
  end)

  it("stages goals in order", function()
    local t = assert(gensim.load_task_string(task_source([[
    local a = env:add("block", gs.pose(0.4, 0.2, 0.02))
    local b = env:add("block", gs.pose(0.6, -0.2, 0.02))
    env:goal{objects = {a}, targets = {gs.pose(0.5, 0.3, 0.02)}, reward = 0.5}
    env:goal{objects = {b}, targets = {gs.pose(0.6, -0.2, 0.02)}, reward = 0.5}
]])))
    assert(t:reset(0))
    -- b already meets its target, but stage 2 counts only after stage 1
    assert.equals(0, (t:reward()))
  end)

  it("uses a task's own oracle and reward", function()
    local t = assert(gensim.load_task_string(task_source([[
    local b = env:add("block", gs.pose(0.4, 0.0, 0.02))
    env:goal{objects = {b}, targets = {gs.pose(0.6, 0.0, 0.02)}}
]], [[
  oracle = function(env, obs)
    local b = env:objects()[1]
    local p = env:pose(b)
    return {pick = gs.pose(p.pos[1], p.pos[2], 0.04), place = gs.pose(0.6, 0.0, 0.04)}
  end,
  reward = function(env)
    local x = env:pose(env:objects()[1]).pos[1]
    return x > 0.55 and 1 or 0, x > 0.55
  end,
]])))
    local ep = assert(t:run_episode(0))
    assert.is_true(ep.success)
    assert.equals(1, ep.steps)
  end)

  it("refuses objects of an earlier episode", function()
    local t = assert(gensim.load_task_string(task_source([[
    if not rawget(_G, "STASH") then
      STASH = env:add("block", gs.pose(0.4, 0.0, 0.02))
      env:goal{objects = {STASH}, targets = {gs.pose(0.6, 0.0, 0.02)}}
    else
      env:pose(STASH)
    end
]])))
    assert(t:reset(0))
    local ok, err = t:reset(1)
    assert.is_nil(ok)
    assert.matches("belongs to an earlier episode", err)
  end)

  it("draws colours from the episode's split", function()
    local seen, unseen = {}, {}
    local test = assert(gensim.load_task("tasks/seed/stack-block-pyramid.lua", {split = "test"}))
    local train = assert(gensim.load_task("tasks/seed/stack-block-pyramid.lua"))
    for seed = 0, 9 do
      assert(test:reset(seed))
      for _, o in ipairs(test:objects()) do
        if o.kind == "block" then unseen[o.color] = true end
      end
      assert(train:reset(seed))
      for _, o in ipairs(train:objects()) do
        if o.kind == "block" then seen[o.color] = true end
      end
    end
    local test_names, train_names = {}, {}
    local env_test = assert(gensim.load_task_string([[
return task { name = "palettes", description = "reads the palettes", assets = {"block"}, max_steps = 1,
  reset = function(env) error(table.concat(gs.TEST_COLORS, ",") .. "|" .. table.concat(gs.TRAIN_COLORS, ",")) end }
]], "palettes.lua"))
    local _, err = env_test:reset(0)
    local test_list, train_list = err:match(": ([%w,]+)|([%w,]+)$")
    for c in test_list:gmatch("%w+") do test_names[c] = true end
    for c in train_list:gmatch("%w+") do train_names[c] = true end
    for c in pairs(unseen) do assert.is_true(test_names[c], c .. " is not a test colour") end
    for c in pairs(seen) do assert.is_true(train_names[c], c .. " is not a training colour") end
    assert.is_truthy(unseen.orange or unseen.purple or unseen.pink or unseen.white)
  end)

  it("makes the same scene from the same seed", function()
    local t = assert(gensim.load_task("tasks/seed/stack-block-pyramid.lua"))
    assert(t:reset(5))
    local first = t:objects()
    assert(t:reset(5))
    assert.same(first, t:objects())
    assert(t:reset(6))
    assert.are_not.same(first, t:objects())
  end)
end)
