-- space-cans-along-line: a straight line is drawn on the table, one end of
-- it marked by a small fixed cube just beyond it. Three or four cans of
-- clearly different heights stand about the table. The robot stands them on
-- the line, evenly spaced from the marked end to the other one, the
-- shortest at the marked end and each next one taller.
local colors = require "ravens.colors"

local SMALL = {0.025, 0.025, 0.025}
local RADIUS = 0.022 -- the largest can radius

return task {
  name = "space-cans-along-line",
  description = "Stand the cans on the drawn line, evenly spaced from one end of it to the other, in the order "
    .. "of their height from the shortest at the line's marked end.",
  assets = {"line", "cylinder", "small-block"},
  max_steps = 7,
  reset = function(env)
    local names = colors.shuffled(env)
    local n = env.rng:int(3, 4)
    local length = env.rng:uniform(0.3, 0.36)

    -- the line and its end marker, first on the empty table
    local room_size = {length + 0.1, 0.06, 0}
    local line_pose = assert(env:random_pose(room_size), "no room for the line")
    env:add("line", line_pose, {length = length, color = names[1]})
    env:add("small-block", gs.multiply(line_pose, gs.pose(-length / 2 - 0.03, 0, SMALL[3] / 2, 0)),
            {color = names[2], fixed = true})

    -- heights at least 1.2 cm apart, shortest first
    local heights = {}
    for i = 1, n do
      heights[i] = 0.04 + 0.015 * (i - 1) + env.rng:uniform(-0.003, 0.003)
    end

    -- the cans, kept well away from the line so that none stands in the
    -- way of the places on it; added in a shuffled order
    local to_line = gs.invert(line_pose)
    local order = {}
    for i = 1, n do order[i] = i end
    env.rng:shuffle(order)
    local cans = {}
    for _, i in ipairs(order) do
      local radius = env.rng:uniform(0.018, RADIUS)
      local size = {2 * radius, 2 * radius, heights[i]}
      local pose
      for _ = 1, 30 do
        local p = env:random_pose(size)
        if not p then break end
        local q = gs.multiply(to_line, p).pos
        if math.abs(q[1]) > length / 2 + 0.06 or math.abs(q[2]) > 0.07 then
          pose = p
          break
        end
      end
      assert(pose, "no room for a can")
      cans[i] = env:add("cylinder", pose, {radius = radius, height = heights[i], color = names[2 + i]})
    end

    -- evenly spaced places on the line, the first at the marked end
    local targets = {}
    for i = 1, n do
      local x = -length / 2 + RADIUS + (i - 1) * (length - 2 * RADIUS) / (n - 1)
      targets[i] = gs.multiply(line_pose, gs.pose(x, 0, heights[i] / 2, 0))
    end

    env:goal{objects = cans, targets = targets, matches = "pairs", rotations = false, tolerance = 0.015,
             metric = "pose", reward = 1,
             lang = ("stand the cans on the %s line from the shortest to the tallest, evenly spaced, "
               .. "the shortest at the end with the %s cube"):format(names[1], names[2])}
  end,
}
