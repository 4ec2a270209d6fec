-- palletizing-boxes, scored as Ravens scores its palletizing: the seed
-- task's scene, sentence and colours draw for draw (so a seed gives the
-- same episode in both), but success is every box inside a zone around the
-- pallet, in any place and at any yaw, not each box in a cell of the grid
-- at its layer's height within 2 cm. Ravens' zone (0.30 x 0.25 m around a
-- 0.19 m stack) reaches 3 to 5.5 cm past its stack on each side and up to
-- the top of the view; here it reaches 3 cm past the pallet's edges and
-- 30 cm above it. A bench task (bench/tasks/, not on the plugin path): it
-- scores a policy trained on the seed task's demonstrations by the paper's
-- rule (README, the Transporter table). The scene is a copy of the seed
-- task's, not shared with it: the seed task's text is part of the
-- generator's prompts and of the library's recorded transcripts.
local colors = require "ravens.colors"
local scatter = require "ravens.scatter"

local GAP = 0.006 -- between neighbouring boxes, and between the grid and the pallet's edge
local ZONE_MARGIN = 0.03 -- the zone past the pallet's edges, each side
local ZONE_HEIGHT = 0.30 -- the zone above the pallet's floor

-- (columns, rows, layers): at most a dozen boxes
local LAYOUTS = {{2, 2, 2}, {2, 2, 3}, {2, 3, 2}, {3, 2, 2}}

return task {
  name = "palletizing-boxes-ravens",
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
    local boxes = scatter.some(env, "box", nx * ny * layers, box_size, {size = box_size, color = box_color})

    -- the oracle's places: the grid's cells, lowest layer first
    local base = env:pose(pallet)
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
    -- the zone: centred on the pallet's floor, so twice the height above it
    local zone = {pose = base, size = {pallet_size[1] + 2 * ZONE_MARGIN, pallet_size[2] + 2 * ZONE_MARGIN,
                                       2 * ZONE_HEIGHT}}
    env:goal{objects = boxes, targets = targets, matches = "any", replace = false, metric = "zone",
             zone = zone, reward = 1,
             lang = ("stack the %s boxes on the %s pallet in neat layers, the bottom one first"):format(
               box_color, pallet_color)}
  end,
}
