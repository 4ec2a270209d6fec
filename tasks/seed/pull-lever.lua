-- pull-lever: a lever on a pedestal stands down; the robot pulls it up by
-- the cube on its tip.
local split_colors = require "ravens.colors"

local BLOCK = {0.04, 0.04, 0.04}

return task {
  name = "pull-lever",
  description = "Pull the lever all the way up.",
  assets = {"lever", "block"},
  max_steps = 3,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    -- the arm's tip reaches 12 cm out along +x
    local room = env:random_pose({0.2, 0.08, 0})
    local lever = env:add("lever", gs.multiply(room, gs.pose(-0.06, 0, 0)), {color = colors[1], fixed = true})
    for i = 1, env.rng:int(0, 3) do
      local pose = env:random_pose(BLOCK)
      if pose then env:add("block", pose, {color = colors[1 + i]}) end
    end
    env:goal{objects = {lever}, metric = "joint", joint = "lever", target = 1, reward = 1,
             lang = "pull the lever up"}
  end,
}
