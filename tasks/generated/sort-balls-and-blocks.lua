-- Balls and blocks of mixed colours lie on the table beside a bowl and a
-- container; the robot sorts them by shape, not colour: balls into the
-- bowl, blocks into the container.
local BOWL = {0.14, 0.14, 0.05}
local BOX = {0.18, 0.18, 0.06}
local FLOOR = 0.006
local SIZE = 0.04

return task {
  name = "sort-balls-and-blocks",
  description = "Sort the objects by shape: put every ball into the bowl and every block into the container.",
  assets = {"ball", "block", "bowl", "container"},
  max_steps = 10,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local colors = env.rng:shuffle({table.unpack(palette)})
    -- the pieces share three colours, so colour says nothing of where they go
    local mixed = {colors[3], colors[4], colors[5]}

    local bp = env:random_pose(BOWL)
    if bp == nil then return nil end
    bp.pos[3] = 0
    env:add("bowl", bp, {size = BOWL, color = colors[1]})
    local cp = env:random_pose(BOX)
    if cp == nil then return nil end
    cp.pos[3] = 0
    env:add("container", cp, {size = BOX, color = colors[2]})

    local balls, blocks = {}, {}
    for i = 1, env.rng:int(1, 3) do
      local p = env:random_pose({SIZE, SIZE, SIZE})
      if p == nil then return nil end
      balls[i] = env:add("ball", p, {radius = SIZE / 2, color = env.rng:choice(mixed)})
    end
    for i = 1, env.rng:int(1, 3) do
      local p = env:random_pose({SIZE, SIZE, SIZE})
      if p == nil then return nil end
      blocks[i] = env:add("block", p, {color = env.rng:choice(mixed)})
    end

    local total = #balls + #blocks
    local r1 = #balls / total
    env:goal{objects = balls, targets = {gs.pose(bp.pos[1], bp.pos[2], FLOOR + SIZE / 2, 0)}, matches = "any",
             replace = true, rotations = false, tolerance = 0.05, reward = r1,
             lang = "put the balls in the bowl"}
    env:goal{objects = blocks, targets = {gs.pose(cp.pos[1], cp.pos[2], FLOOR + SIZE / 2, gs.yaw(cp))},
             matches = "any", replace = true, rotations = false, tolerance = 0.06, reward = 1 - r1,
             lang = "put the blocks in the container"}
  end,
}
