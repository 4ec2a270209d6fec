-- open-drawer: a chest with one drawer stands on the table, shut or nearly
-- so, among a few blocks; the robot pulls the drawer out by its handle.
--
-- The chest is placed by the room its drawer needs: a footprint as deep as
-- the chest and the drawer's travel together, the chest at its back end,
-- so the open drawer stays in the workspace and clear of the blocks.
local split_colors = require "ravens.colors"

local BLOCK = {0.04, 0.04, 0.04}

return task {
  name = "open-drawer",
  description = "Pull the drawer of the chest all the way open.",
  assets = {"drawer", "block"},
  max_steps = 3,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local size = {env.rng:uniform(0.14, 0.18), env.rng:uniform(0.18, 0.24), env.rng:uniform(0.09, 0.12)}
    -- the drawer slides out by 0.85 of its depth (the chest's less 11 mm); its handle stands 3 cm out
    local reach = 0.85 * (size[1] - 0.011) + 0.03
    local room = env:random_pose({size[1] + reach, size[2] + 0.02, 0})
    local chest = env:add("drawer", gs.multiply(room, gs.pose(-reach / 2, 0, 0)),
                          {size = size, color = colors[1], fixed = true})
    env:set_joint(chest, "drawer", env.rng:uniform(0, 0.2))
    for i = 1, env.rng:int(0, 3) do
      local pose = env:random_pose(BLOCK)
      if pose then env:add("block", pose, {color = colors[1 + i]}) end
    end
    env:goal{objects = {chest}, metric = "joint", joint = "drawer", target = 0.9, reward = 1,
             lang = "open the drawer"}
  end,
}
