-- mark-square-corners: a square outline is drawn on the table and four
-- small blocks lie scattered elsewhere. The robot must put one block on each
-- of the square's four corners, any block on any corner.
--
-- The square's side and heading vary; its place is drawn with a footprint a
-- little larger than the square, so blocks centred on its corners stay in
-- the workspace and clear of the blocks scattered about.

local BLOCK = {0.025, 0.025, 0.025}

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "mark-square-corners",
  description = "Put one small block on each of the four corners of the square outline drawn on the table.",
  assets = {"square", "small-block"},
  max_steps = 10,
  reset = function(env)
    local names = palette(env)

    local side = env.rng:uniform(0.14, 0.2)
    local spot = env:random_pose({side + 0.04, side + 0.04, 0})
    assert(spot, "no room for the square")
    local sq = gs.pose(spot.pos[1], spot.pos[2], 0, gs.yaw(spot))
    env:add("square", sq, {size = {side, side, 0.001}, color = names[1]})

    -- the blocks: one colour, or each its own, drawn at random
    local same = env.rng:int(0, 1) == 1
    local blocks = {}
    for i = 1, 4 do
      local p = env:random_pose(BLOCK)
      assert(p, "no room for a block")
      blocks[i] = env:add("small-block", p, {color = same and names[2] or names[1 + i]})
    end

    local targets = {}
    for _, c in ipairs({{-1, -1}, {1, -1}, {1, 1}, {-1, 1}}) do
      local q = gs.apply(sq, {c[1] * side / 2, c[2] * side / 2, 0})
      targets[#targets + 1] = gs.pose(q[1], q[2], BLOCK[3] / 2, gs.yaw(sq))
    end

    env:goal{objects = blocks, targets = targets, matches = "any", replace = false, rotations = false,
             tolerance = 0.015, metric = "pose", reward = 1,
             lang = ("put a block on each corner of the %s square"):format(names[1])}
  end,
}
