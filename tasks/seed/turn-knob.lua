-- turn-knob: a knob on a plate stands at its lowest setting; the robot
-- turns it by the mark on its top to a setting the goal names: a quarter,
-- half, three quarters or all of its range.
local split_colors = require "ravens.colors"

local SETTINGS = {{0.25, "a quarter of the way"}, {0.5, "halfway"}, {0.75, "three quarters of the way"},
                  {1, "all the way"}}
local BLOCK = {0.04, 0.04, 0.04}

return task {
  name = "turn-knob",
  description = "Turn the knob from its lowest setting to the one asked for.",
  assets = {"knob", "block"},
  max_steps = 3,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local side = env.rng:uniform(0.07, 0.1)
    local knob = env:add("knob", env:random_pose({side, side, 0}),
                         {size = {side, side, 0.02}, color = colors[1], fixed = true})
    for i = 1, env.rng:int(0, 3) do
      local pose = env:random_pose(BLOCK)
      if pose then env:add("block", pose, {color = colors[1 + i]}) end
    end
    local setting = env.rng:choice(SETTINGS)
    env:goal{objects = {knob}, metric = "joint", joint = "knob", target = setting[1], reward = 1,
             lang = "turn the knob " .. setting[2]}
  end,
}
