-- pack-ball-in-lidded-box: a box with its lid shut stands on the table, a
-- ball and a few blocks lying about. The robot lifts the lid open by the tab
-- on its front edge, puts the ball in the box, and shuts the lid over it:
-- three stages, the first two latched (met for good once met), since
-- shutting the lid undoes the first and hides the second.
--
-- The ball is in the box while it lies within the box's inside (less its
-- 8 mm walls, from its floor 8 mm up); the box is low enough to shut over
-- the ball.
local split_colors = require "ravens.colors"

local BLOCK = {0.04, 0.04, 0.04}
local FLOOR, WALL = 0.008, 0.008

return task {
  name = "pack-ball-in-lidded-box",
  description = "Lift the box's lid open, drop the ball into the box, and shut the lid over it again.",
  assets = {"lidded-box", "ball", "block"},
  max_steps = 6,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local size = {env.rng:uniform(0.12, 0.16), env.rng:uniform(0.12, 0.18), env.rng:uniform(0.07, 0.09)}
    local radius = env.rng:uniform(0.018, 0.022)

    -- the tab stands 3 cm out in front; the open lid leans back over the hinge
    local room_size = {size[1] + 0.1, size[2] + 0.02, 0}
    local room = assert(env:random_pose(room_size), "no room for the box")
    local box_pose = gs.multiply(room, gs.pose(0.01, 0, 0))
    local box = env:add("lidded-box", box_pose, {size = size, color = colors[1], fixed = true})

    -- the ball and the blocks, clear of the room the lid needs
    local to_room = gs.invert(room)
    local function clear_pose(s)
      for _ = 1, 30 do
        local p = env:random_pose(s)
        if not p then return nil end
        local q = gs.multiply(to_room, p).pos
        local r = math.max(s[1], s[2]) / 2
        if math.abs(q[1]) > room_size[1] / 2 + r or math.abs(q[2]) > room_size[2] / 2 + r then
          return p
        end
      end
      return nil
    end
    local ball = env:add("ball", assert(clear_pose({2 * radius, 2 * radius, 2 * radius}), "no room for the ball"),
                         {radius = radius, color = colors[2]})
    for i = 1, env.rng:int(0, 2) do
      local pose = clear_pose(BLOCK)
      if pose then env:add("block", pose, {color = colors[2 + i]}) end
    end

    local inside = {size[1] - 2 * WALL, size[2] - 2 * WALL, size[3] - FLOOR}
    local zone = gs.multiply(box_pose, gs.pose(0, 0, FLOOR + inside[3] / 2, 0))
    local spot = gs.multiply(box_pose, gs.pose(0, 0, FLOOR + radius, 0))

    env:goal{objects = {box}, metric = "joint", joint = "lid", target = 0.8, latch = true, reward = 0.3,
             lang = "open the lid of the box"}
    env:goal{objects = {ball}, metric = "zone", zone = {pose = zone, size = inside}, targets = {spot},
             latch = true, reward = 0.4, lang = ("put the %s ball in the box"):format(colors[2])}
    env:goal{objects = {box}, metric = "joint", joint = "lid", target = 0, reward = 0.3,
             lang = "close the lid"}
  end,
}
