-- open-lid: a box with its lid shut stands on the table; the robot lifts
-- the lid by the tab on its front edge until it stands open.
local split_colors = require "ravens.colors"

local BLOCK = {0.04, 0.04, 0.04}

return task {
  name = "open-lid",
  description = "Lift the lid of the box until it stands open.",
  assets = {"lidded-box", "block"},
  max_steps = 3,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local size = {env.rng:uniform(0.12, 0.16), env.rng:uniform(0.12, 0.18), env.rng:uniform(0.06, 0.1)}
    -- the tab stands 3 cm out in front; the open lid leans back over the hinge
    local room = env:random_pose({size[1] + 0.1, size[2] + 0.02, 0})
    local box = env:add("lidded-box", gs.multiply(room, gs.pose(0.01, 0, 0)),
                        {size = size, color = colors[1], fixed = true})
    for i = 1, env.rng:int(0, 3) do
      local pose = env:random_pose(BLOCK)
      if pose then env:add("block", pose, {color = colors[1 + i]}) end
    end
    env:goal{objects = {box}, metric = "joint", joint = "lid", target = 0.8, reward = 1,
             lang = "open the lid of the box"}
  end,
}
