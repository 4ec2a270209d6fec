-- close-laptop-lid: a laptop (scenes/laptop.urdf) stands on the table with
-- its screen folded open part of the way or all the way; the robot must fold
-- the screen down until the laptop is shut.
--
-- The laptop comes shut (fraction 0 of its "lid" joint) and is opened in
-- reset to a random fraction of the joint's range, so no goal holds at the
-- start. Its size is scaled a little at random, its heading is random, and
-- its place is drawn with a footprint wide enough for the open screen.

local FOOTPRINT = {0.3, 0.3, 0}

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "close-laptop-lid",
  description = "Fold the screen of the open laptop down until the laptop is shut.",
  assets = {"urdf"},
  max_steps = 3,
  reset = function(env)
    local names = palette(env)
    local spot = env:random_pose(FOOTPRINT)
    assert(spot, "no room for the laptop")
    local pose = gs.pose(spot.pos[1], spot.pos[2], 0, gs.yaw(spot))
    local laptop = env:add("urdf", pose, {file = "scenes/laptop.urdf", scale = env.rng:uniform(0.85, 1.0),
                                          fixed = true, color = names[1]})
    env:set_joint(laptop, "lid", env.rng:uniform(0.5, 1.0))

    env:goal{objects = {laptop}, metric = "joint", joint = "lid", target = 0.0, tolerance = 0.05,
             reward = 1, lang = "close the laptop"}
  end,
}
