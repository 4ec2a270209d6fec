-- open-cabinet-door: a cupboard with a door hinged on its left or right
-- edge stands on the table, shut; the robot swings the door open by its
-- handle. The cupboard is placed by the room its door sweeps.
local split_colors = require "ravens.colors"

local BLOCK = {0.04, 0.04, 0.04}

return task {
  name = "open-cabinet-door",
  description = "Swing the cabinet's door open.",
  assets = {"cabinet", "block"},
  max_steps = 3,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local size = {env.rng:uniform(0.12, 0.16), env.rng:uniform(0.16, 0.2), env.rng:uniform(0.14, 0.22)}
    local side = env.rng:choice({"left", "right"})
    -- the open door stands out in front by its width, its handle a little more
    local reach = size[2] + 0.05
    local room = env:random_pose({size[1] + reach, size[2] + 0.04, 0})
    local cabinet = env:add("cabinet", gs.multiply(room, gs.pose(-reach / 2, 0, 0)),
                            {size = size, side = side, color = colors[1], fixed = true})
    for i = 1, env.rng:int(0, 2) do
      local pose = env:random_pose(BLOCK)
      if pose then env:add("block", pose, {color = colors[1 + i]}) end
    end
    env:goal{objects = {cabinet}, metric = "joint", joint = "door", target = 0.9, reward = 1,
             lang = "open the cabinet door"}
  end,
}
