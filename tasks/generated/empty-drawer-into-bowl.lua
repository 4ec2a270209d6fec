-- A chest stands with its drawer pulled most of the way out and one or two
-- blocks lying in the open part of the drawer; a bowl stands beside it. The
-- robot lifts the blocks out into the bowl, then pushes the drawer shut.
local CHEST = {0.16, 0.2, 0.1}
local BOWL = {0.14, 0.14, 0.05}
local BLOCK = 0.04

return task {
  name = "empty-drawer-into-bowl",
  description = "Take the blocks out of the half-open drawer, put them in the bowl beside the chest, and push the drawer shut.",
  assets = {"drawer", "block", "bowl"},
  max_steps = 8,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local colors = env.rng:shuffle({table.unpack(palette)})

    -- the chest, with the room its drawer slides out into kept free: the
    -- site covers the chest and the drawer pulled out along its +x
    local site = env:random_pose({0.32, 0.22, CHEST[3]})
    if site == nil then return nil end
    site.pos[3] = 0
    local cp = gs.apply(site, {-0.08, 0, 0})
    local chest = env:add("drawer", gs.pose(cp[1], cp[2], 0, gs.yaw(site)),
                          {size = CHEST, color = colors[1], fixed = true})
    env:set_joint(chest, "drawer", env.rng:uniform(0.75, 0.85))

    -- the blocks lie in the part of the drawer that is out of the chest
    local floor = env:link_pose(chest, "drawer")
    local n = env.rng:int(1, 2)
    local ys = n == 1 and {env.rng:uniform(-0.05, 0.05)} or {-0.045, 0.045}
    local blocks = {}
    for i = 1, n do
      local lx = 0.035 + env.rng:uniform(-0.005, 0.005)
      local p = gs.multiply(floor, gs.pose(lx, ys[i], BLOCK / 2, env.rng:uniform(-0.3, 0.3)))
      blocks[i] = env:add("block", p, {color = colors[1 + i]})
    end

    local bp = env:random_pose(BOWL)
    if bp == nil then return nil end
    bp.pos[3] = 0
    local bowl = env:add("bowl", bp, {size = BOWL, color = colors[4]})
    local target = gs.pose(bp.pos[1], bp.pos[2], 0.006 + BLOCK / 2, 0)

    env:goal{objects = blocks, targets = {target}, matches = "any", replace = true, rotations = false,
             tolerance = 0.035, reward = 0.6,
             lang = "take the blocks out of the drawer and put them in the bowl"}
    env:goal{objects = {chest}, metric = "joint", joint = "drawer", target = 0, tolerance = 0.05, reward = 0.4,
             lang = "close the drawer"}
  end,
}
