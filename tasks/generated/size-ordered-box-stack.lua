-- size-ordered-box-stack: a stand and three flat, square boxes of clearly
-- different sizes, scattered on the table. The robot must stack the boxes on
-- the stand, largest at the bottom, then the middle one, smallest on top,
-- each centred on the one below.
--
-- The boxes are square in plan, so their heading does not matter. Each
-- level is its own stage, bottom first: a level counts only while the ones
-- under it hold. A box's target height is the stand's top plus the heights
-- of the boxes under it plus half its own.

local STAND_W = 0.14

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "size-ordered-box-stack",
  description = "Stack the three flat boxes of different sizes on the stand, the largest at the bottom and the "
    .. "smallest on top, each centred on the one below.",
  assets = {"box", "stand"},
  max_steps = 8,
  reset = function(env)
    local names = palette(env)

    local h = env.rng:uniform(0.02, 0.03)
    local sp = env:random_pose({STAND_W, STAND_W, h})
    assert(sp, "no room for the stand")
    sp = gs.pose(sp.pos[1], sp.pos[2], 0, gs.yaw(sp))
    env:add("stand", sp, {size = {STAND_W, STAND_W, h}, color = names[1]})

    -- widths at least 2.5 cm apart, largest first
    local widths = {env.rng:uniform(0.11, 0.12), env.rng:uniform(0.08, 0.09), env.rng:uniform(0.05, 0.06)}
    local heights = {}
    local boxes = {}
    local order = env.rng:shuffle({1, 2, 3})
    local same = env.rng:int(0, 1) == 1
    for _, k in ipairs(order) do
      heights[k] = env.rng:uniform(0.025, 0.035)
      local size = {widths[k], widths[k], heights[k]}
      local p = env:random_pose(size)
      assert(p, "no room for a box")
      boxes[k] = env:add("box", p, {size = size, color = same and names[2] or names[1 + k]})
    end

    local level_names = {"largest", "middle-sized", "smallest"}
    local where = {"on the %s stand", "on the largest box", "on the middle-sized box"}
    local z = h
    for k = 1, 3 do
      local target = gs.pose(sp.pos[1], sp.pos[2], z + heights[k] / 2, gs.yaw(sp))
      z = z + heights[k]
      env:goal{objects = {boxes[k]}, targets = {target}, matches = "pairs", rotations = false,
               tolerance = 0.015, metric = "pose", reward = k == 3 and 1 - 2 * 0.33 or 0.33,
               lang = ("put the %s box " .. where[k]):format(level_names[k], names[1])}
    end
  end,
}
