-- A box of random size goes into the corner an L-shaped marker draws.
local colors = require "ravens.colors"

return task {
  name = "align-box-corner",
  description = "Pick up the box and align one of its corners with the L-shaped corner marker.",
  assets = {"box", "corner"},
  max_steps = 3,
  reset = function(env)
    local size = env:random_size({0.05, 0.05, 0.03}, {0.12, 0.12, 0.05})
    local corner_size = {0.16, 0.16, 0.001}
    local corner = env:add("corner", env:random_pose({0.16, 0.16, 0}), {size = corner_size, color = "green"})
    -- the box's colour: seen colours when training, unseen when testing
    local box = env:add("box", env:random_pose(size), {size = size, color = env.rng:choice(colors.palette(env))})
    -- the L's vertex is at (-x/2, -y/2) of the marker; the box may lie
    -- either way round in it
    local cp = env:pose(corner)
    local vx, vy = -corner_size[1] / 2, -corner_size[2] / 2
    local targets = {
      gs.multiply(cp, gs.pose(vx + size[1] / 2, vy + size[2] / 2, size[3] / 2, 0)),
      gs.multiply(cp, gs.pose(vx + size[2] / 2, vy + size[1] / 2, size[3] / 2, math.pi / 2)),
    }
    env:goal{objects = {box}, targets = targets, matches = "any", replace = false,
             rotations = true, tolerance = 0.015, reward = 1,
             lang = "align the box with the corner"}
  end,
}
