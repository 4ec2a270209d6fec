-- one-block-per-compartment: a divided tray with an n x n grid of
-- compartments (n = 2 or 3) and a few blocks scattered on the table. Every
-- block must end up in a compartment of its own: no compartment may hold
-- two blocks.
--
-- The grid is square (columns = rows) on a square tray, so each compartment
-- is a square cell of CELL metres whatever the tray's heading. A block rests
-- on the tray's floor, 6 mm up; it is in its compartment when its centre is
-- within 2 cm of the compartment's centre (the cell's inner half width less
-- half a block, with room for the walls).

local CELL = 0.1
local TRAY_H = 0.04
local FLOOR = 0.006
local BLOCK = {0.04, 0.04, 0.04}

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "one-block-per-compartment",
  description = "Put each of the scattered blocks into its own compartment of the divided tray, "
    .. "so that no compartment holds more than one block.",
  assets = {"divided-tray", "block"},
  max_steps = 14,
  reset = function(env)
    local names = palette(env)

    -- the tray first, while the table is empty
    local n = env.rng:int(2, 3)
    local tray_size = {n * CELL, n * CELL, TRAY_H}
    local tray_pose = env:random_pose(tray_size)
    assert(tray_pose, "no room for the tray")
    tray_pose = gs.pose(tray_pose.pos[1], tray_pose.pos[2], 0, gs.yaw(tray_pose))
    env:add("divided-tray", tray_pose, {size = tray_size, columns = n, rows = n,
                                        color = names[1], fixed = true})

    -- the blocks: at least two, at most one per compartment, in the other
    -- colours (several blocks may share a colour)
    local count = env.rng:int(2, math.min(n * n, 5))
    local blocks = {}
    for i = 1, count do
      local p = env:random_pose(BLOCK)
      if p == nil then break end
      blocks[#blocks + 1] = env:add("block", p, {color = names[2 + (i - 1) % (#names - 1)]})
    end
    assert(#blocks >= 2, "no room for the blocks")

    -- the compartments' centres, on the tray's floor
    local targets = {}
    for i = 1, n do
      for j = 1, n do
        local lx = (i - (n + 1) / 2) * CELL
        local ly = (j - (n + 1) / 2) * CELL
        local c = gs.apply(tray_pose, {lx, ly, 0})
        targets[#targets + 1] = gs.pose(c[1], c[2], FLOOR + BLOCK[3] / 2, gs.yaw(tray_pose))
      end
    end

    env:goal{objects = blocks, targets = targets, matches = "any", replace = false,
             rotations = false, tolerance = 0.02, metric = "pose", reward = 1,
             lang = ("put each block in its own compartment of the %s tray"):format(names[1])}
  end,
}
