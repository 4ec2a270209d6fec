-- The articulated seed tasks: each loads, is not solved at reset, uses
-- exactly the kinds it declares, the oracle solves at least 90% of seeds
-- 0..19 in both colour splits, and a second run of the same seeds ends
-- in the same scenes. Also the articulated API as a task sees it.
local gensim = require("gensim")

local TASKS = {"open-drawer", "close-drawer", "open-cabinet-door", "open-lid", "put-block-in-drawer",
               "turn-knob", "pull-lever", "open-microwave"}
local SEEDS = 20
local SOLVE_RATE = 0.9

describe("articulated seed tasks", function()
  for _, name in ipairs(TASKS) do
    describe(name, function()
      for _, split in ipairs({"train", "test"}) do
        it(("solves at least 90%% of seeds 0..19 (%s), the same way twice"):format(split), function()
          local t = assert(gensim.load_task("tasks/seed/" .. name .. ".lua", {split = split}))
          local used, successes, digests = {}, 0, {}
          for seed = 0, SEEDS - 1 do
            assert(t:reset(seed))
            local r = t:reward()
            assert.is_true(r < 1, ("seed %d: reward %.3f at reset"):format(seed, r))
            for _, o in ipairs(t:objects()) do used[o.kind] = true end
            local ep = assert(t:run_episode(seed))
            if ep.success then successes = successes + 1 end
            digests[seed] = ep.digest
          end
          local kinds = {}
          for _, kind in ipairs(t:info().assets) do kinds[kind] = true end
          assert.same(kinds, used)
          assert.is_true(successes >= math.ceil(SOLVE_RATE * SEEDS), ("%s: %d of %d"):format(name, successes, SEEDS))
          for seed = 0, SEEDS - 1, 5 do
            local again = assert(t:run_episode(seed))
            assert.equals(digests[seed], again.digest)
          end
          t:close()
        end)
      end
    end)
  end
end)

describe("the articulated task API", function()
  local function run(body)
    local src = ([[
return task {
  name = "probe", description = "a probe of the articulated API", assets = {"drawer", "cabinet", "block"},
  max_steps = 2,
  reset = function(env)
%s
  end,
}]]):format(body)
    local t = assert(gensim.load_task_string(src, "probe.lua"))
    local ok, err = t:reset(0)
    t:close()
    return ok, err
  end

  it("reads and sets joints at reset", function()
    assert(run([[
    local d = env:add("drawer", gs.pose(0.4, 0, 0), {fixed = true})
    local q, f = env:joint_state(d, "drawer")
    assert(q == 0 and f == 0, "shut when added")
    local lo, hi = env:joint_limits(d, "drawer")
    assert(lo == 0 and hi > 0.1)
    local shut = env:link_pose(d, "drawer")
    env:set_joint(d, "drawer", 0.5)
    q, f = env:joint_state(d, "drawer")
    assert(math.abs(f - 0.5) < 1e-3 and math.abs(q - hi / 2) < 1e-3)
    local out = env:link_pose(d, "drawer")
    assert(math.abs(out.pos[1] - shut.pos[1] - hi / 2) < 1e-3)
    env:goal{objects = {d}, metric = "joint", joint = "drawer", target = 1, latch = true}
    ]]))
  end)

  it("says what is wrong", function()
    local cases = {
      {[[local b = env:add("block", gs.pose(0.5, 0, 0.02)); env:joint_state(b, "drawer")]], "has no joints"},
      {[[local c = env:add("cabinet", gs.pose(0.5, 0, 0)); env:joint_state(c, "drawer")]], "its joints: 'door'"},
      {[[local c = env:add("cabinet", gs.pose(0.5, 0, 0)); env:set_joint(c, "door", 2)]], "outside 0..1"},
      {[[local c = env:add("cabinet", gs.pose(0.5, 0, 0)); env:set_joint(c, "door")]], "must be a number"},
      {[[local c = env:add("cabinet", gs.pose(0.5, 0, 0)); env:link_pose(c, 3)]], "named by a string"},
      {[[local c = env:add("cabinet", gs.pose(0.5, 0, 0), {side = "up"})]], "\"left\" or \"right\""},
      {[[local c = env:add("drawer", gs.pose(0.5, 0, 0), {range = 0.5})]], "more than a drawer allows"},
      {[[local c = env:add("cabinet", gs.pose(0.5, 0, 0))
         env:goal{objects = {c}, metric = "joint", joint = "door", target = 0.5, targets = {gs.pose(0.5, 0, 0)}}]],
       "takes no 'targets'"},
    }
    for _, case in ipairs(cases) do
      local ok, err = run(case[1])
      assert.is_nil(ok)
      assert.is_truthy(err:find(case[2], 1, true), err)
      assert.is_truthy(err:find("^probe.lua:%d+: "), err)
    end
  end)

  it("lists the URDF files a task may load, with their joints", function()
    local files = {}
    for _, scene in ipairs(gensim.scenes()) do files[scene.file] = scene.joints end
    assert.same({"door"}, files["scenes/microwave.urdf"])
    assert.same({"handle"}, files["scenes/faucet.urdf"])
    assert.same({"lid"}, files["scenes/laptop.urdf"])
    assert.same({"bottom_drawer", "top_drawer"}, files["scenes/chest.urdf"])
  end)
end)
