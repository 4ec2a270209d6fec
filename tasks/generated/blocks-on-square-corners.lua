-- A square outline drawn on the table and four blocks scattered around it;
-- the robot puts one block on each corner of the square.
local BLOCK = 0.04

return task {
  name = "blocks-on-square-corners",
  description = "Place one block on each of the four corners of the square outline drawn on the table.",
  assets = {"square", "block"},
  max_steps = 8,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local colors = env.rng:shuffle({table.unpack(palette)})

    -- the square, 15 to 24 cm a side; ask for room for the blocks that
    -- will stand over its corners too
    local side = env.rng:uniform(0.15, 0.24)
    local spose = env:random_pose({side + BLOCK + 0.01, side + BLOCK + 0.01, 0.001})
    if spose == nil then return nil end
    spose.pos[3] = 0
    env:add("square", spose, {size = {side, side, 0.001}, color = colors[1]})

    -- four blocks around it, each of a colour drawn at random
    local blocks = {}
    for i = 1, 4 do
      local p = env:random_pose({BLOCK, BLOCK, BLOCK})
      if p == nil then return nil end
      blocks[i] = env:add("block", p, {color = env.rng:choice({colors[2], colors[3], colors[4]})})
    end

    -- the corners; the square is only drawn, so a block there rests on the table
    local h = side / 2
    local yaw = gs.yaw(spose)
    local targets = {}
    for _, c in ipairs({{-h, -h}, {h, -h}, {h, h}, {-h, h}}) do
      local w = gs.apply(spose, {c[1], c[2], 0})
      targets[#targets + 1] = gs.pose(w[1], w[2], BLOCK / 2, yaw)
    end

    env:goal{objects = blocks, targets = targets, matches = "any", rotations = false, reward = 1,
             lang = "put a block on each corner of the square"}
  end,
}
