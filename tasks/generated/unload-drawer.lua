-- unload-drawer: a chest stands with its drawer pulled out and one or two
-- blocks on the drawer's floor, near its front; a bowl stands elsewhere. The
-- robot lifts the blocks out of the drawer into the bowl, then pushes the
-- empty drawer shut by its handle.
--
-- Taking the blocks out does not move the drawer, and closing the drawer does
-- not move the bowl, so no stage undoes an earlier one. The drawer is opened
-- (env:set_joint) and loaded before the bowl is placed, so the bowl's place
-- is kept clear of the open drawer and its blocks.
--
-- Both blocks share the bowl (replace = true): the bowl is 16 cm across with
-- 6 mm walls, so its floor has a radius of 7.4 cm, and a block's half
-- diagonal is 2.8 cm: a block whose centre is within 4 cm of the bowl's
-- centre lies on its floor.
local split_colors = require "ravens.colors"

local PANEL, GAP = 0.008, 0.003 -- the drawer kind's walls and clearance
local BLOCK = {0.04, 0.04, 0.04}
local BOWL = {0.16, 0.16, 0.05}

return task {
  name = "unload-drawer",
  description = "Take the blocks out of the open drawer and put them in the bowl, then push the emptied drawer shut.",
  assets = {"drawer", "block", "bowl"},
  max_steps = 6,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local depth = env.rng:uniform(0.15, 0.18)
    local travel = 0.85 * (depth - PANEL - GAP)
    local room = env:random_pose({depth + travel + 0.03, 0.26, 0})
    if room == nil then error("no room for the chest") end
    local chest = env:add("drawer", gs.multiply(room, gs.pose(-(travel + 0.03) / 2, 0, 0)),
                          {size = {depth, env.rng:uniform(0.2, 0.24), 0.11}, color = colors[1], fixed = true})
    env:set_joint(chest, "drawer", env.rng:uniform(0.9, 1))

    -- the blocks stand side by side on the drawer's floor, near its front,
    -- out of the chest where the cup can reach them
    local floor = env:link_pose(chest, "drawer")
    local across = env.rng:uniform(0.025, 0.035)
    local blocks = {}
    local n = env.rng:int(1, 2)
    for i = 1, n do
      local y = n == 1 and env.rng:uniform(-0.01, 0.01) or (i == 1 and -across or across)
      local spot = gs.pose(0.02, y, BLOCK[3] / 2, env.rng:uniform(-0.3, 0.3))
      blocks[i] = env:add("block", gs.multiply(floor, spot), {color = colors[1 + i]})
    end

    -- the bowl, on the table clear of the chest and its open drawer
    local bp = env:random_pose({BOWL[1], BOWL[2], 0})
    if bp == nil then error("no room for the bowl") end
    local bowl = env:add("bowl", bp, {size = BOWL, color = colors[4]})
    local target = gs.pose(bp.pos[1], bp.pos[2], 0.006 + BLOCK[3] / 2, 0)

    env:goal{objects = blocks, targets = {target}, matches = "any", replace = true, rotations = false,
             metric = "pose", tolerance = 0.04, reward = 0.6,
             lang = ("take the blocks out of the drawer and put them in the %s bowl"):format(colors[4])}
    env:goal{objects = {chest}, metric = "joint", joint = "drawer", target = 0, reward = 0.4,
             lang = "push the drawer shut"}
    local _ = bowl
  end,
}
