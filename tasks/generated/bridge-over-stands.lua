-- bridge-over-stands: two small stands of the same height stand a gap apart
-- on the table; a long flat box and a block lie elsewhere. The robot must lay
-- the box across the two stands, turned along the line between them so that
-- each end rests on a stand, and then put the block on the middle of this
-- bridge, over the gap.
--
-- The stands' centres are D apart (a stand's width plus the gap); the box is
-- D + 4 cm long, so each of its ends rests 5 cm deep on a 6 cm stand. The box
-- must lie along the stands' line (yaw within 15 degrees, modulo a half turn).

local STAND_W = 0.06
local BAR_W, BAR_H = 0.04, 0.025
local BLOCK = {0.04, 0.04, 0.04}

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "bridge-over-stands",
  description = "Lay the long box across the two stands so that it bridges the gap between them, "
    .. "then put the block on the middle of the bridge.",
  assets = {"stand", "box", "block"},
  max_steps = 6,
  reset = function(env)
    local names = palette(env)

    local gap = env.rng:uniform(0.05, 0.08)
    local d = STAND_W + gap
    local h = env.rng:uniform(0.03, 0.05)

    -- the pair of stands, first on the empty table: one footprint covering
    -- both at any heading, whose yaw gives the line between them
    local span = d + STAND_W + 0.02
    local spot = env:random_pose({span, span, 0})
    assert(spot, "no room for the stands")
    local yaw = gs.yaw(spot)
    local ux, uy = math.cos(yaw), math.sin(yaw)
    local cx, cy = spot.pos[1], spot.pos[2]
    for s = -1, 1, 2 do
      env:add("stand", gs.pose(cx + s * d / 2 * ux, cy + s * d / 2 * uy, 0, yaw),
              {size = {STAND_W, STAND_W, h}, color = names[1]})
    end

    -- the box and the block, clear of the stands
    local bar_size = {d + 0.04, BAR_W, BAR_H}
    local bp = env:random_pose(bar_size)
    assert(bp, "no room for the box")
    local bar = env:add("box", bp, {size = bar_size, color = names[2]})
    local kp = env:random_pose(BLOCK)
    assert(kp, "no room for the block")
    local block = env:add("block", kp, {color = names[3]})

    -- stage 1: the box lies across both stands, along the line between them
    local bar_target = gs.pose(cx, cy, h + BAR_H / 2, yaw)
    env:goal{objects = {bar}, targets = {bar_target}, matches = "pairs", rotations = true,
             symmetry = math.pi, tolerance = 0.015, metric = "pose", reward = 0.6,
             lang = ("lay the %s box across the two %s stands"):format(names[2], names[1])}

    -- stage 2: the block on the middle of the bridge
    local block_target = gs.pose(cx, cy, h + BAR_H + BLOCK[3] / 2, yaw)
    env:goal{objects = {block}, targets = {block_target}, matches = "pairs", rotations = false,
             tolerance = 0.015, metric = "pose", reward = 0.4,
             lang = ("put the %s block on the middle of the bridge"):format(names[3])}
  end,
}
