-- pack-and-shut-lidded-box: a box stands on the table with its lid swung
-- open, standing about upright over its hinge at the back (-x) edge; two or
-- three small cubes lie elsewhere. The robot puts the cubes into the box,
-- then swings the lid shut over them by the tab on its front edge.
--
-- The cubes share the box's inside, so their stage is a zone over the box's
-- floor, less its 8 mm walls, tall enough for a 2.5 cm cube standing on the
-- floor 8 mm up; the oracle gives each cube a spot of its own there. The box
-- is at least 6 cm tall, so the shut lid clears the cubes (3.3 cm to their
-- tops). The first stage is latched, since the shut lid hides the cubes.
local split_colors = require "ravens.colors"

local CUBE = {0.025, 0.025, 0.025}
local WALL, FLOOR = 0.008, 0.008

return task {
  name = "pack-and-shut-lidded-box",
  description = "The lidded box stands open: put the small cubes into it, then swing its lid shut over them.",
  assets = {"lidded-box", "small-block"},
  max_steps = 6,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local size = {env.rng:uniform(0.12, 0.16), env.rng:uniform(0.12, 0.18), env.rng:uniform(0.06, 0.1)}
    -- the tab stands 3 cm out in front; the open lid stands over the hinge
    local room = env:random_pose({size[1] + 0.1, size[2] + 0.02, 0})
    if room == nil then error("no room for the box") end
    local box = env:add("lidded-box", gs.multiply(room, gs.pose(0.01, 0, 0)),
                        {size = size, color = colors[1], fixed = true})
    env:set_joint(box, "lid", env.rng:uniform(0.7, 0.85))

    local cubes = {}
    for i = 1, env.rng:int(2, 3) do
      local p = env:random_pose(CUBE)
      if p then cubes[#cubes + 1] = env:add("small-block", p, {color = colors[1 + i]}) end
    end
    if #cubes == 0 then error("no room for a cube") end

    -- the box's inside: its floor less the walls, 5 cm tall from the floor
    local base = env:pose(box)
    local inside = {size[1] - 2 * WALL, size[2] - 2 * WALL, 0.05}
    local zone = gs.multiply(base, gs.pose(0, 0, FLOOR + inside[3] / 2, 0))
    local spot = gs.multiply(base, gs.pose(0, 0, FLOOR + CUBE[3] / 2, 0))

    env:goal{objects = cubes, metric = "zone", zone = {pose = zone, size = inside}, targets = {spot},
             latch = true, reward = 0.6, lang = "put the small cubes in the box"}
    env:goal{objects = {box}, metric = "joint", joint = "lid", target = 0, reward = 0.4,
             lang = "shut the lid of the box"}
  end,
}
