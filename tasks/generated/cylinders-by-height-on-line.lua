-- cylinders-by-height-on-line: a line is drawn on the table across the
-- workspace, running left to right as the robot sees it (along world y, give
-- or take a little), and three cylinders of one colour but clearly different
-- heights stand elsewhere. The robot must stand them on the line at three
-- evenly spaced points, the shortest at the left end (+y), the tallest at the
-- right end (-y), the middle one between.
--
-- The line is the first thing on the empty table, so its centre is drawn
-- directly within the room its length needs; the cylinders then take clear
-- spots from env:random_pose, off the line.

local LENGTH = 0.3
local SPACING = 0.1
local RADIUS = 0.022

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "cylinders-by-height-on-line",
  description = "Stand the three cylinders of different heights on the drawn line, evenly spaced, in order "
    .. "from the shortest at its left end to the tallest at its right end.",
  assets = {"cylinder", "line"},
  max_steps = 8,
  reset = function(env)
    local names = palette(env)

    -- the line: its local +x points to the robot's left (world +y)
    local jitter = env.rng:uniform(-0.2, 0.2)
    local yaw = math.pi / 2 + jitter
    local hx = LENGTH / 2 * math.abs(math.sin(jitter)) + 0.03
    local hy = LENGTH / 2 * math.cos(jitter) + 0.03
    local line_pose = gs.pose(env.rng:uniform(0.25 + hx, 0.75 - hx), env.rng:uniform(-0.5 + hy, 0.5 - hy), 0, yaw)
    env:add("line", line_pose, {length = LENGTH, color = names[1]})

    -- three heights, at least 2.5 cm apart, shortest first
    local heights = {env.rng:uniform(0.035, 0.045), env.rng:uniform(0.065, 0.075), env.rng:uniform(0.095, 0.105)}
    local order = env.rng:shuffle({1, 2, 3})
    local cyl = {}
    for _, k in ipairs(order) do
      local h = heights[k]
      local p = env:random_pose({2 * RADIUS, 2 * RADIUS, h})
      assert(p, "no room for a cylinder")
      cyl[k] = env:add("cylinder", p, {radius = RADIUS, height = h, color = names[2]})
    end

    -- targets: shortest at the left point (local +x), tallest at the right
    local targets = {}
    for k = 1, 3 do
      local c = gs.apply(line_pose, {(2 - k) * SPACING, 0, 0})
      targets[k] = gs.pose(c[1], c[2], heights[k] / 2, 0)
    end

    env:goal{objects = {cyl[1], cyl[2], cyl[3]}, targets = targets, matches = "pairs", rotations = false,
             tolerance = 0.015, metric = "pose", reward = 1,
             lang = ("stand the %s cylinders on the %s line from shortest on the left to tallest on the right")
               :format(names[2], names[1])}
  end,
}
