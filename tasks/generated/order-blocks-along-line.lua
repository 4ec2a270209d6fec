-- order-blocks-along-line: a line is drawn on the table running from left to
-- right as the robot sees the workspace (left is +y, right is -y), a little
-- askew. Three blocks of different colours lie scattered around it; the robot
-- places them on the line, evenly spaced, in the named colour order from the
-- line's left end to its right end.
--
-- The line is cut into three equal parts and each block's target is the
-- middle of its part, so neighbours stand a third of the line apart.
local BLOCK = 0.04

local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "order-blocks-along-line",
  description = "Place the three coloured blocks on the drawn line, evenly spaced along it, in the named colour "
    .. "order from its left end to its right end (left/right as the robot sees the workspace).",
  assets = {"block", "line"},
  max_steps = 6,
  reset = function(env)
    local colors = split_colors(env)
    local length = env.rng:uniform(0.24, 0.3)

    -- the line, first on the table: a square room keeps it inside the
    -- workspace at any heading; its heading runs roughly along y
    local room = env:random_pose({length + 0.04, length + 0.04, 0})
    if room == nil then error("no room for the line") end
    local yaw = env.rng:choice({math.pi / 2, -math.pi / 2}) + env.rng:uniform(-0.3, 0.3)
    local line = gs.pose(room.pos[1], room.pos[2], 0, yaw)
    env:add("line", line, {length = length, color = colors[4]})

    -- its ends; the left one is at larger y
    local a = gs.apply(line, {-length / 2, 0, 0})
    local b = gs.apply(line, {length / 2, 0, 0})
    local left, right = a, b
    if b[2] > a[2] then left, right = b, a end

    -- the three blocks, scattered, and their targets from left to right
    local blocks, targets = {}, {}
    for i = 1, 3 do
      local p = env:random_pose({BLOCK, BLOCK, BLOCK})
      if p == nil then error("no room for the blocks") end
      blocks[i] = env:add("block", p, {color = colors[i]})
      local f = (i - 0.5) / 3
      targets[i] = gs.pose(left[1] + f * (right[1] - left[1]), left[2] + f * (right[2] - left[2]),
                           BLOCK / 2, yaw)
    end

    env:goal{objects = blocks, targets = targets, matches = "pairs", rotations = false,
             tolerance = 0.015, reward = 1,
             lang = ("put the %s, %s and %s blocks on the line, evenly spaced, in that order from left to right")
               :format(colors[1], colors[2], colors[3])}
  end,
}
