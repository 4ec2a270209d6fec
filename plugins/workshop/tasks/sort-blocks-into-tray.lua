-- Sorting by colour into a divided tray: a tray split into two or three
-- compartments lies across the robot's view (its long side from the robot's
-- left to its right, give or take 22.5 degrees), so its compartments have
-- clear names: left, middle, right. Each compartment is given a colour, and
-- one or two blocks of that colour lie on the table; every block must go
-- into the compartment of its colour.
--
-- Scoring: one zone goal per colour, over the inside of its compartment
-- (floor to well above the rim), scored in the order the language names
-- them; each block is worth the same share. The targets, two spots side by
-- side in each compartment, are where the built-in oracle puts the blocks.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing.
local colors = require "ravens.colors"
local bench = require "workshop.bench"
local geometry = require "workshop.geometry"

local NAMES = {[2] = {"left", "right"}, [3] = {"left", "middle", "right"}}

return task {
  name = "sort-blocks-into-tray",
  description = "Sort the blocks by colour into the divided tray: each compartment (left, middle, right as the "
    .. "robot sees it) takes the blocks of the colour named for it.",
  assets = {"block", "divided-tray"},
  max_steps = 8,
  reset = function(env)
    local names = colors.shuffled(env)
    local columns = env.rng:int(2, 3)
    local size = {0.08 * columns + 0.006, bench.TRAY[2], bench.TRAY[3]}
    -- the tray first, on the empty table, across the robot's view
    local yaw = geometry.across_yaw(env.rng, math.pi / 8)
    local tray_pose = geometry.pose_inside(env.rng, size, yaw, 0.01)
    env:add("divided-tray", tray_pose, {size = size, columns = columns, rows = 1, color = names[#names]})
    local cells = bench.left_to_right(bench.compartments(tray_pose, size, columns, 1))

    -- one or two blocks of each compartment's colour
    local groups, total = {}, 0
    for c = 1, columns do
      local blocks = {}
      for _ = 1, env.rng:int(1, 2) do
        local pose = env:random_pose(bench.BLOCK)
        if pose then blocks[#blocks + 1] = env:add("block", pose, {color = names[c]}) end
      end
      groups[c] = blocks
      total = total + #blocks
    end

    for c = 1, columns do
      local cell, blocks = cells[c], groups[c]
      if #blocks > 0 then
        local half = bench.BLOCK[3] / 2
        local targets = {bench.in_compartment(cell, 0, -cell.h / 4, half),
                         bench.in_compartment(cell, 0, cell.h / 4, half)}
        local zone = {pose = bench.in_compartment(cell, 0, 0, 0.035), size = {cell.w, cell.h, 0.09}}
        env:goal{objects = blocks, targets = targets, metric = "zone", zone = zone,
                 reward = #blocks / total,
                 lang = ("put the %s blocks in the %s compartment of the tray"):format(names[c], NAMES[columns][c])}
      end
    end
  end,
}
