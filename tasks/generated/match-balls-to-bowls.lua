-- match-balls-to-bowls: two or three bowls of different colours stand on the
-- table, with a ball of each bowl's colour lying about, and sometimes one
-- more bowl of a colour no ball has. Every ball goes into the bowl of its own
-- colour, one ball per bowl.
--
-- A ball is in its bowl when its centre is within the bowl's floor (radius
-- less the 6 mm wall) less the ball's radius of the bowl's centre.
local colors = require "ravens.colors"

local FLOOR, WALL = 0.006, 0.006

return task {
  name = "match-balls-to-bowls",
  description = "Put every ball into the bowl of the same colour as the ball, one ball per bowl.",
  assets = {"ball", "bowl"},
  max_steps = 6,
  reset = function(env)
    local names = colors.shuffled(env)
    local n = env.rng:int(2, 3)
    local diameter = env.rng:uniform(0.12, 0.14)
    local bowl_size = {diameter, diameter, 0.05}
    local radius = env.rng:uniform(0.018, 0.022)

    -- the bowls first, while the table is empty
    local bowls = {}
    for i = 1, n do
      local pose = assert(env:random_pose({diameter, diameter, 0}), "no room for a bowl")
      bowls[i] = env:add("bowl", pose, {size = bowl_size, color = names[i], fixed = true})
    end
    -- a spare bowl of a colour no ball has, where there is room
    if env.rng:int(0, 1) == 1 then
      local pose = env:random_pose({diameter, diameter, 0})
      if pose then env:add("bowl", pose, {size = bowl_size, color = names[n + 1]}) end
    end

    local balls, targets = {}, {}
    for i = 1, n do
      local pose = assert(env:random_pose({2 * radius, 2 * radius, 2 * radius}), "no room for a ball")
      balls[i] = env:add("ball", pose, {radius = radius, color = names[i]})
      targets[i] = gs.multiply(env:pose(bowls[i]), gs.pose(0, 0, FLOOR + radius, 0))
    end

    local tolerance = diameter / 2 - WALL - radius
    env:goal{objects = balls, targets = targets, matches = "pairs", rotations = false,
             tolerance = tolerance, metric = "pose", reward = 1,
             lang = "put each ball in the bowl of its colour"}
  end,
}
