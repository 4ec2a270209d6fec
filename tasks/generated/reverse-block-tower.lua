-- reverse-block-tower: two stands on the table; on one of them stands a tower
-- of three blocks of different colours. The robot takes the tower apart
-- from the top and rebuilds it on the other stand in reverse order: the old
-- top block goes to the bottom of the new tower, the old bottom block ends on
-- its top.
--
-- The stages follow the only order that works: each block taken from the
-- top of the old tower goes onto the top of the new one, so the block each
-- stage moves is always uncovered when its turn comes.
local BLOCK = 0.04

local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

local LEVEL = {"bottom", "middle", "top"}

return task {
  name = "reverse-block-tower",
  description = "Take apart the three-block tower standing on one stand and rebuild it on the other stand in "
    .. "reverse order, so that the block that was on top ends at the bottom.",
  assets = {"block", "stand"},
  max_steps = 6,
  reset = function(env)
    local colors = split_colors(env)
    local side = env.rng:uniform(0.08, 0.11)
    local height = env.rng:uniform(0.02, 0.035)
    local size = {side, side, height}

    -- the first stand and its tower, bottom block first
    local room_a = env:random_pose({side, side, 0})
    if room_a == nil then error("no room for the first stand") end
    local stand_a = gs.pose(room_a.pos[1], room_a.pos[2], 0, gs.yaw(room_a))
    env:add("stand", stand_a, {size = size, color = colors[1], fixed = true})
    local tower = {}
    for k = 1, 3 do
      local spot = gs.pose(0, 0, height + BLOCK / 2 + (k - 1) * BLOCK, env.rng:uniform(-0.2, 0.2))
      tower[k] = env:add("block", gs.multiply(stand_a, spot), {color = colors[k + 2]})
    end

    -- the second stand, empty, clear of the first and its tower
    local room_b = env:random_pose({side, side, 0})
    if room_b == nil then error("no room for the second stand") end
    local stand_b = gs.pose(room_b.pos[1], room_b.pos[2], 0, gs.yaw(room_b))
    env:add("stand", stand_b, {size = size, color = colors[2], fixed = true})

    -- stage k: the block that was k-th from the top goes k-th from the bottom
    for k = 1, 3 do
      local block = tower[4 - k]
      local target = gs.multiply(stand_b, gs.pose(0, 0, height + BLOCK / 2 + (k - 1) * BLOCK, 0))
      env:goal{objects = {block}, targets = {target}, rotations = false, tolerance = 0.015,
               reward = 1 / 3,
               lang = ("put the %s block at the %s of the new tower on the %s stand")
                 :format(colors[(4 - k) + 2], LEVEL[k], colors[2])}
    end
  end,
}
