-- open-microwave: a microwave oven (scenes/microwave.urdf, a box whose door
-- hinges on its left edge) stands on the table among a few blocks; the
-- robot swings its door open by the handle.
local split_colors = require "ravens.colors"

local BLOCK = {0.04, 0.04, 0.04}

return task {
  name = "open-microwave",
  description = "Open the door of the microwave oven.",
  assets = {"urdf", "block"},
  max_steps = 3,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local scale = env.rng:uniform(0.6, 0.75)
    -- 24 x 28 cm at scale 1 with its handle, its pose in the middle of that; the
    -- open door sweeps 36 cm out in front of the pose
    local room = env:random_pose({0.48 * scale, 0.3 * scale, 0})
    local oven = env:add("urdf", gs.multiply(room, gs.pose(-0.12 * scale, 0, 0)),
                         {file = "scenes/microwave.urdf", scale = scale, fixed = true})
    for i = 1, env.rng:int(0, 3) do
      local pose = env:random_pose(BLOCK)
      if pose then env:add("block", pose, {color = colors[i]}) end
    end
    env:goal{objects = {oven}, metric = "joint", joint = "door", target = 0.8, reward = 1,
             lang = "open the microwave"}
  end,
}
