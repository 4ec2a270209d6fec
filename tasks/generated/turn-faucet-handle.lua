-- turn-faucet-handle: a faucet (scenes/faucet.urdf, joint "handle") stands
-- on the table, turned off (fraction 0 of the handle's range). The
-- instruction names a setting, half on or fully on, and the robot must turn
-- the handle there.
--
-- Half on is the middle of the handle's range, within a tenth of it; fully
-- on is anywhere in the top fifth of its range, since a turn against the
-- joint's end stop may leave it a little short of it.

local SETTINGS = {
  {name = "half on", target = 0.5, tolerance = 0.1},
  {name = "fully on", target = 0.9, tolerance = 0.1},
}

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "turn-faucet-handle",
  description = "Turn the faucet's handle from the off position to the setting the instruction names: "
    .. "half on or fully on.",
  assets = {"urdf"},
  max_steps = 3,
  reset = function(env)
    local names = palette(env)
    local spot = env:random_pose({0.22, 0.22, 0})
    assert(spot, "no room for the faucet")
    local pose = gs.pose(spot.pos[1], spot.pos[2], 0, gs.yaw(spot))
    local faucet = env:add("urdf", pose, {file = "scenes/faucet.urdf", fixed = true, color = names[1],
                                          scale = env.rng:uniform(0.9, 1.1)})

    local s = env.rng:choice(SETTINGS)
    env:goal{objects = {faucet}, metric = "joint", joint = "handle", target = s.target,
             tolerance = s.tolerance, reward = 1, lang = ("turn the faucet %s"):format(s.name)}
  end,
}
