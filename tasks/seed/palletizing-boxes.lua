-- Ravens' palletizing-boxes: identical boxes scattered on the table are
-- stacked onto a pallet in layers, each layer a full grid (only the top one
-- may be short, when the table had no room for every box). One goal per
-- layer, scored in order, so a layer counts only once the ones below it are
-- complete; each box is worth the same share of the reward.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing. The boxes take one
-- colour and the pallet another.
local colors = require "ravens.colors"
local scatter = require "ravens.scatter"

local GAP = 0.006 -- between neighbouring boxes, and between the grid and the pallet's edge

-- (columns, rows, layers): at most a dozen boxes
local LAYOUTS = {{2, 2, 2}, {2, 2, 3}, {2, 3, 2}, {3, 2, 2}}

return task {
  name = "palletizing-boxes",
  description = "Stack all the boxes onto the pallet in neat layers: fill the bottom layer's grid first, "
    .. "then build each next layer on top of it.",
  assets = {"box", "pallet"},
  max_steps = 16,
  reset = function(env)
    local names = colors.shuffled(env)
    local box_color, pallet_color = names[1], names[2]
    local layout = env.rng:choice(LAYOUTS)
    local nx, ny, layers = layout[1], layout[2], layout[3]

    local pallet_size = {env.rng:uniform(0.18, 0.22), env.rng:uniform(0.18, 0.22), 0.02}
    local pallet = env:add("pallet", env:random_pose({pallet_size[1], pallet_size[2], 0}),
                           {size = pallet_size, color = pallet_color, fixed = true})
    local cell = {(pallet_size[1] - GAP) / nx, (pallet_size[2] - GAP) / ny}
    local box_size = {cell[1] - GAP, cell[2] - GAP, env.rng:uniform(0.03, 0.05)}

    -- as many boxes as fit on the table, up to a full stack; a short stack
    -- leaves its top layer partly empty, never an upper layer floating
    local boxes = scatter.some(env, "box", nx * ny * layers, box_size, {size = box_size, color = box_color})

    local base = env:pose(pallet)
    -- a square footprint looks the same a quarter turn round
    local symmetry = math.abs(box_size[1] - box_size[2]) < 0.005 and math.pi / 2 or math.pi
    local next_box = 1
    for layer = 1, layers do
      if next_box > #boxes then break end
      local z = pallet_size[3] + box_size[3] * (layer - 0.5)
      local targets = {}
      for i = 1, nx do
        for j = 1, ny do
          targets[#targets + 1] = gs.multiply(base,
            gs.pose((i - (nx + 1) / 2) * cell[1], (j - (ny + 1) / 2) * cell[2], z, 0))
        end
      end
      local objects = {}
      for k = next_box, math.min(next_box + nx * ny - 1, #boxes) do objects[#objects + 1] = boxes[k] end
      next_box = next_box + #objects
      local lang = layer == 1
        and ("stack the %s boxes on the %s pallet: first fill the bottom layer"):format(box_color, pallet_color)
        or ("then fill layer %d of %s boxes on top"):format(layer, box_color)
      env:goal{objects = objects, targets = targets, matches = "any", replace = false, rotations = true,
               symmetry = symmetry, tolerance = 0.02, metric = "pose", reward = #objects / #boxes, lang = lang}
    end
  end,
}
