-- cylinders-along-line: a straight line is drawn on the table and three or
-- four upright cylinders stand elsewhere. The robot stands them on the line,
-- evenly spaced: one on each end of the line, the rest between, all the gaps
-- equal.
--
-- The line is L (20..30 cm) long; with N cylinders the targets lie L / (N - 1)
-- apart along it, at least 6.6 cm, so cylinders up to 4 cm wide never touch.
-- Any cylinder may take any spot; each counts within 1.5 cm of its spot.
local colors = require "ravens.colors"

return task {
  name = "cylinders-along-line",
  description = "Stand the cylinders upright on the drawn line, evenly spaced from one end of it to the other, "
    .. "one on each end and the rest between.",
  assets = {"cylinder", "line"},
  max_steps = 8,
  reset = function(env)
    local names = colors.shuffled(env)
    local length = env.rng:uniform(0.2, 0.3)
    local n = env.rng:int(3, 4)
    local radius = env.rng:uniform(0.015, 0.02)
    local height = env.rng:uniform(0.05, 0.07)

    -- the line first, on the empty table, with room at its ends for the
    -- cylinders that will stand there
    local room = env:random_pose({length + 0.06, 0.06, 0})
    if room == nil then error("no room for the line") end
    local line_pose = gs.pose(room.pos[1], room.pos[2], 0, gs.yaw(room))
    env:add("line", line_pose, {length = length, color = names[1]})

    -- the cylinders, upright on the table clear of the line
    local size = {2 * radius, 2 * radius, height}
    local cylinders = {}
    for i = 1, n do
      local p = env:random_pose(size)
      if p == nil then error("no room for a cylinder") end
      cylinders[i] = env:add("cylinder", p, {radius = radius, height = height, color = names[2]})
    end

    -- evenly spaced spots from one end of the line to the other
    local targets = {}
    for i = 1, n do
      local f = (i - 1) / (n - 1)
      local p = gs.apply(line_pose, {(f - 0.5) * length, 0, 0})
      targets[i] = gs.pose(p[1], p[2], height / 2, 0)
    end

    env:goal{objects = cylinders, targets = targets, matches = "any", replace = false, rotations = false,
             metric = "pose", tolerance = 0.015, reward = 1,
             lang = ("stand the %s cylinders on the %s line, evenly spaced from end to end")
               :format(names[2], names[1])}
  end,
}
