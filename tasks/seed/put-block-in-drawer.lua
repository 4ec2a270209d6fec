-- put-block-in-drawer: open the chest's drawer, put the block in it, close
-- the drawer again: three stages, the first two latched (met for good once
-- met), since closing the drawer undoes the first and hides the second.
--
-- The place for the block is the drawer's floor as env:link_pose gives it
-- at reset, while the drawer is shut inside the chest: a place that lies
-- on a moving link rides with it, so it is in the drawer wherever the
-- drawer is.
local split_colors = require "ravens.colors"

local BLOCK = {0.04, 0.04, 0.04}
local PANEL = 0.008 -- the drawer kind's walls
local GAP = 0.003   -- and its clearance in the chest

return task {
  name = "put-block-in-drawer",
  description = "Open the drawer, put the block in it, and close the drawer again.",
  assets = {"drawer", "block"},
  max_steps = 6,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local size = {env.rng:uniform(0.15, 0.18), env.rng:uniform(0.18, 0.24), env.rng:uniform(0.1, 0.12)}
    local depth = size[1] - PANEL - GAP
    local reach = 0.85 * depth + 0.03
    local room = env:random_pose({size[1] + reach, size[2] + 0.02, 0})
    local chest = env:add("drawer", gs.multiply(room, gs.pose(-reach / 2, 0, 0)),
                          {size = size, color = colors[1], fixed = true})
    local block = env:add("block", env:random_pose(BLOCK), {color = colors[2]})

    -- the drawer's inside: its floor's middle, less the walls
    local floor = env:link_pose(chest, "drawer")
    local inside = {depth - 2 * PANEL, size[2] - 2 * PANEL - 2 * GAP - 2 * PANEL, 0.05}
    local zone = gs.multiply(floor, gs.pose(0, 0, inside[3] / 2))
    local spot = gs.multiply(floor, gs.pose(0, 0, BLOCK[3] / 2))

    env:goal{objects = {chest}, metric = "joint", joint = "drawer", target = 0.9, latch = true, reward = 0.3,
             lang = "open the drawer"}
    env:goal{objects = {block}, metric = "zone", zone = {pose = zone, size = inside}, targets = {spot},
             latch = true, reward = 0.4, lang = ("put the %s block in the drawer"):format(colors[2])}
    env:goal{objects = {chest}, metric = "joint", joint = "drawer", target = 0, reward = 0.3,
             lang = "close the drawer"}
  end,
}
