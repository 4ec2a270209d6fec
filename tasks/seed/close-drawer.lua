-- close-drawer: a chest stands with its drawer pulled out and a block or
-- two left on the drawer's floor; the robot pushes the drawer shut by its
-- handle, the blocks riding in.
local split_colors = require "ravens.colors"

local PANEL, GAP = 0.008, 0.003 -- the drawer kind's walls and clearance

return task {
  name = "close-drawer",
  description = "Push the open drawer shut with the blocks left in it.",
  assets = {"drawer", "block"},
  max_steps = 3,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local depth = env.rng:uniform(0.15, 0.18)
    local travel = 0.85 * (depth - PANEL - GAP)
    local room = env:random_pose({depth + travel + 0.03, 0.26, 0})
    local chest = env:add("drawer", gs.multiply(room, gs.pose(-(travel + 0.03) / 2, 0, 0)),
                          {size = {depth, env.rng:uniform(0.2, 0.24), 0.11}, color = colors[1], fixed = true})
    env:set_joint(chest, "drawer", env.rng:uniform(0.8, 1))
    -- the blocks stand side by side on the floor, near its front
    local floor = env:link_pose(chest, "drawer")
    local across = env.rng:uniform(0.025, 0.035)
    for i = 1, env.rng:int(1, 2) do
      local spot = gs.pose(0.02, i == 1 and -across or across, 0.02, env.rng:uniform(-0.3, 0.3))
      env:add("block", gs.multiply(floor, spot), {color = colors[1 + i]})
    end
    env:goal{objects = {chest}, metric = "joint", joint = "drawer", target = 0, reward = 1,
             lang = "close the drawer"}
  end,
}
