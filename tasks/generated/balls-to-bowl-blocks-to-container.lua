-- balls-to-bowl-blocks-to-container: a bowl and an open container stand on
-- the table, and a few balls and blocks lie scattered about, in colours that
-- say nothing of where they go. Every ball must go into the bowl and every
-- block into the container.
--
-- Several objects share one receptacle (replace = true), so each goal's
-- tolerance is the room on that receptacle's floor: in the bowl, its inner
-- radius (7 cm less the 6 mm wall) less a ball's radius; in the container,
-- its inner half width (9 cm less the 6 mm wall) less half a block. A ball
-- may roll to the bowl's wall and still count.

local BOWL = {0.16, 0.16, 0.05}
local CONTAINER = {0.18, 0.18, 0.06}
local FLOOR = 0.006
local R = 0.02
local BLOCK = {0.04, 0.04, 0.04}

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

local function flat(p) return gs.pose(p.pos[1], p.pos[2], 0, gs.yaw(p)) end

return task {
  name = "balls-to-bowl-blocks-to-container",
  description = "Sort the toys by shape: put every ball into the bowl and every block into the open container.",
  assets = {"ball", "block", "bowl", "container"},
  max_steps = 14,
  reset = function(env)
    local names = palette(env)

    -- the receptacles first, while there is room
    local bp = env:random_pose(BOWL)
    assert(bp, "no room for the bowl")
    bp = flat(bp)
    env:add("bowl", bp, {size = BOWL, color = names[1]})
    local cp = env:random_pose(CONTAINER)
    assert(cp, "no room for the container")
    cp = flat(cp)
    env:add("container", cp, {size = CONTAINER, color = names[2]})

    -- the toys, in a random order, coloured from the remaining colours
    local kinds = {}
    for _ = 1, env.rng:int(1, 3) do kinds[#kinds + 1] = "ball" end
    for _ = 1, env.rng:int(1, 3) do kinds[#kinds + 1] = "block" end
    env.rng:shuffle(kinds)
    local balls, blocks = {}, {}
    for _, kind in ipairs(kinds) do
      local color = names[env.rng:int(3, #names)]
      if kind == "ball" then
        local p = env:random_pose({2 * R, 2 * R, 2 * R})
        if p then balls[#balls + 1] = env:add("ball", p, {radius = R, color = color}) end
      else
        local p = env:random_pose(BLOCK)
        if p then blocks[#blocks + 1] = env:add("block", p, {color = color}) end
      end
    end
    assert(#balls >= 1 and #blocks >= 1, "no room for the toys")

    env:goal{objects = balls, targets = {gs.pose(bp.pos[1], bp.pos[2], FLOOR + R, 0)},
             matches = "any", replace = true, rotations = false, tolerance = 0.054,
             metric = "pose", reward = 0.5, lang = ("put the balls in the %s bowl"):format(names[1])}
    env:goal{objects = blocks, targets = {gs.pose(cp.pos[1], cp.pos[2], FLOOR + BLOCK[3] / 2, 0)},
             matches = "any", replace = true, rotations = false, tolerance = 0.06,
             metric = "pose", reward = 0.5, lang = ("put the blocks in the %s container"):format(names[2])}
  end,
}
