-- surround-bowl-with-blocks: a bowl stands on the table with four blocks of
-- different colours lying about (and sometimes one more, a distractor). The
-- robot sets one named block just outside the bowl on each of its four
-- sides, the sides named as the robot sees the workspace: front is towards
-- the robot (smaller x), back away from it, left is +y and right -y.
--
-- The bowl's site is a square wide enough to hold the bowl and the four
-- blocks around it at any heading, so every target lies in the workspace,
-- and the scattered blocks keep clear of it.
local colors = require "ravens.colors"

local BLOCK = {0.04, 0.04, 0.04}
local GAP = 0.01 -- between the bowl's rim and a block
local SIDES = {{-1, 0, "in front of"}, {1, 0, "behind"}, {0, 1, "to the left of"}, {0, -1, "to the right of"}}

return task {
  name = "surround-bowl-with-blocks",
  description = "Set one block on the table just outside the bowl on each of its four sides, front, back, left "
    .. "and right as the robot sees the workspace.",
  assets = {"bowl", "block"},
  max_steps = 7,
  reset = function(env)
    local names = colors.shuffled(env)
    local diameter = env.rng:uniform(0.12, 0.14)
    local ring = diameter / 2 + GAP + BLOCK[1] / 2 -- a target block's centre from the bowl's
    local reach = ring + BLOCK[1] * math.sqrt(2) / 2 + 0.01

    local site = assert(env:random_pose({2 * reach, 2 * reach, 0}), "no room for the bowl")
    local c = site.pos
    env:add("bowl", gs.pose(c[1], c[2], 0, gs.yaw(site)),
            {size = {diameter, diameter, 0.05}, color = names[5], fixed = true})

    local function clear_pose()
      for _ = 1, 30 do
        local p = env:random_pose(BLOCK)
        if not p then return nil end
        local dx, dy = p.pos[1] - c[1], p.pos[2] - c[2]
        if math.sqrt(dx * dx + dy * dy) > reach + 0.03 then return p end
      end
      return nil
    end
    local blocks, targets, parts = {}, {}, {}
    for i, side in ipairs(SIDES) do
      blocks[i] = env:add("block", assert(clear_pose(), "no room for a block"), {color = names[i]})
      targets[i] = gs.pose(c[1] + side[1] * ring, c[2] + side[2] * ring, BLOCK[3] / 2, 0)
      parts[i] = ("the %s block %s it"):format(names[i], side[3])
    end
    if env.rng:int(0, 1) == 1 then
      local pose = clear_pose()
      if pose then env:add("block", pose, {color = names[6]}) end
    end

    env:goal{objects = blocks, targets = targets, matches = "pairs", rotations = false, tolerance = 0.015,
             metric = "pose", reward = 1,
             lang = ("around the %s bowl, put %s, %s, %s and %s"):format(names[5], parts[1], parts[2], parts[3],
                                                                        parts[4])}
  end,
}
