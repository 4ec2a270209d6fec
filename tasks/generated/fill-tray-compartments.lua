-- fill-tray-compartments: a divided tray of two to six compartments lies on
-- the table with exactly as many small blocks scattered about it, in mixed
-- colours. The robot puts one block into each compartment, so that in the
-- end every compartment holds exactly one.
local colors = require "ravens.colors"

local SMALL = {0.025, 0.025, 0.025}
local FLOOR = 0.006 -- the tray's floor

return task {
  name = "fill-tray-compartments",
  description = "Put one small block into each compartment of the divided tray until every compartment "
    .. "holds exactly one.",
  assets = {"divided-tray", "small-block"},
  max_steps = 9,
  reset = function(env)
    local picked = colors.shuffled(env)
    local tray_color = picked[#picked]

    local columns = env.rng:int(2, 3)
    local rows = env.rng:int(1, 2)
    local cell = env.rng:uniform(0.06, 0.07)
    local size = {columns * cell, rows * cell, env.rng:uniform(0.035, 0.045)}
    local tray_pose = assert(env:random_pose({size[1], size[2], 0}), "no room for the tray")
    env:add("divided-tray", tray_pose, {size = size, columns = columns, rows = rows,
                                        color = tray_color, fixed = true})

    -- the compartments' middles, on the tray's floor
    local spots = {}
    for c = 1, columns do
      for r = 1, rows do
        local x = -size[1] / 2 + (c - 0.5) * cell
        local y = -size[2] / 2 + (r - 0.5) * cell
        spots[#spots + 1] = gs.multiply(tray_pose, gs.pose(x, y, FLOOR + SMALL[3] / 2, 0))
      end
    end

    -- one block per compartment, in colours other than the tray's
    local blocks = {}
    for i = 1, #spots do
      local pose = assert(env:random_pose(SMALL), "no room for a block")
      blocks[i] = env:add("small-block", pose, {color = picked[env.rng:int(1, #picked - 1)]})
    end

    -- a block counts in its compartment while its centre is within the
    -- compartment (less its walls) minus half a block of the middle
    local tolerance = (cell - SMALL[1]) / 2 - 0.006
    env:goal{objects = blocks, targets = spots, matches = "any", replace = false, rotations = false,
             tolerance = tolerance, metric = "pose", reward = 1,
             lang = "put one block in each compartment of the tray"}
  end,
}
