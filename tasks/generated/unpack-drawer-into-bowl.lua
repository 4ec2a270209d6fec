-- unpack-drawer-into-bowl: a chest stands with its drawer pulled out and one
-- or two blocks on the drawer's floor; a bowl stands elsewhere on the table.
-- The robot lifts every block out of the drawer into the bowl, then pushes
-- the empty drawer shut by its handle.
--
-- The blocks stand near the drawer's front, on the part of its floor that
-- sticks out of the chest, so they can be picked from above. The bowl's
-- floor is 6 mm up; both blocks share the bowl, so their goal takes a
-- tolerance near the bowl's inner radius.
local PANEL, GAP = 0.008, 0.003 -- the drawer kind's walls and clearance
local BLOCK = 0.04
local BOWL = {0.14, 0.14, 0.05}

local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "unpack-drawer-into-bowl",
  description = "Take every block out of the open drawer and put it in the bowl, then push the empty drawer shut.",
  assets = {"drawer", "block", "bowl"},
  max_steps = 5,
  reset = function(env)
    local colors = split_colors(env)
    local depth = env.rng:uniform(0.15, 0.18)
    local travel = 0.85 * (depth - PANEL - GAP)

    -- the chest, with room in front of it (+x) for the drawer pulled out
    local room = env:random_pose({depth + travel + 0.03, 0.26, 0})
    if room == nil then error("no room for the chest") end
    local chest = env:add("drawer", gs.multiply(room, gs.pose(-(travel + 0.03) / 2, 0, 0)),
                          {size = {depth, env.rng:uniform(0.2, 0.24), 0.11}, color = colors[1], fixed = true})
    env:set_joint(chest, "drawer", env.rng:uniform(0.85, 1))

    -- the blocks, side by side on the drawer's floor near its front
    local floor = env:link_pose(chest, "drawer")
    local n = env.rng:int(1, 2)
    local across = env.rng:uniform(0.025, 0.035)
    local blocks = {}
    for i = 1, n do
      local y = n == 1 and env.rng:uniform(-0.03, 0.03) or (i == 1 and -across or across)
      local spot = gs.pose(0.03, y, BLOCK / 2, env.rng:uniform(-0.3, 0.3))
      blocks[i] = env:add("block", gs.multiply(floor, spot), {color = colors[1 + i]})
    end

    -- the bowl, clear of the chest and its open drawer
    local bp = env:random_pose({BOWL[1], BOWL[2], 0})
    if bp == nil then error("no room for the bowl") end
    local bowl_pose = gs.pose(bp.pos[1], bp.pos[2], 0, gs.yaw(bp))
    env:add("bowl", bowl_pose, {size = BOWL, color = colors[4]})
    local inside = gs.pose(bowl_pose.pos[1], bowl_pose.pos[2], 0.006 + BLOCK / 2, 0)

    env:goal{objects = blocks, targets = {inside}, replace = true, rotations = false, tolerance = 0.04,
             reward = 0.6,
             lang = ("take the blocks out of the drawer and put them in the %s bowl"):format(colors[4])}
    env:goal{objects = {chest}, metric = "joint", joint = "drawer", target = 0, reward = 0.4,
             lang = "close the drawer"}
  end,
}
