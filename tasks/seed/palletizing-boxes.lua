-- Ravens' palletizing-boxes: identical boxes scattered on the table are
-- stacked onto a pallet in layers, each layer a full grid (only the top one
-- may be short, when the table had no room for every box). Each box is
-- worth the same share of the reward.
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
    -- One goal over every box and every cell of the layers they fill, so
    -- any box may go to any cell: the boxes look alike, and a goal per layer
    -- naming particular boxes would ask for something the scene cannot show
    -- (Ravens scores the same way: all boxes on the pallet, in any order).
    -- A box counts only at its cell's height, so the layers still rise from
    -- the bottom, and the oracle fills the lowest cells first.
    local targets = {}
    for layer = 1, math.ceil(#boxes / (nx * ny)) do
      local z = pallet_size[3] + box_size[3] * (layer - 0.5)
      for i = 1, nx do
        for j = 1, ny do
          targets[#targets + 1] = gs.multiply(base,
            gs.pose((i - (nx + 1) / 2) * cell[1], (j - (ny + 1) / 2) * cell[2], z, 0))
        end
      end
    end
    env:goal{objects = boxes, targets = targets, matches = "any", replace = false, rotations = true,
             symmetry = symmetry, tolerance = 0.02, metric = "pose", reward = 1,
             lang = ("stack the %s boxes on the %s pallet in neat layers, the bottom one first"):format(
               box_color, pallet_color)}
  end,
}
