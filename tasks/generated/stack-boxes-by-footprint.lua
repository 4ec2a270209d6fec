-- stack-boxes-by-footprint: three or four flat boxes with square footprints
-- of clearly different widths lie scattered on the table beside a pallet.
-- The robot stacks them into one tower on the pallet's middle, the widest
-- at the bottom and each next one narrower, centred on the one below, like
-- a stepped pyramid. One goal per level, scored in order, so a box counts
-- only once the ones below it are right.
local colors = require "ravens.colors"

return task {
  name = "stack-boxes-by-footprint",
  description = "Stack the flat boxes into one tower on the pallet, the widest at the bottom and each next one "
    .. "narrower, centred on the one below.",
  assets = {"box", "pallet"},
  max_steps = 7,
  reset = function(env)
    local names = colors.shuffled(env)
    local pallet_color = names[#names]
    local n = env.rng:int(3, 4)

    local side = env.rng:uniform(0.16, 0.2)
    local pallet_size = {side, side, 0.02}
    local pallet = env:add("pallet", assert(env:random_pose({side, side, 0}), "no room for the pallet"),
                           {size = pallet_size, color = pallet_color, fixed = true})

    -- square footprints 2.5 cm apart in width, the widest first
    local sizes = {}
    for i = 1, n do
      local w = 0.12 - 0.025 * (i - 1) + env.rng:uniform(-0.003, 0.003)
      sizes[i] = {w, w, env.rng:uniform(0.02, 0.03)}
    end

    -- added in a shuffled order, so that the order of addition says nothing
    local order = {}
    for i = 1, n do order[i] = i end
    env.rng:shuffle(order)
    local boxes = {}
    for _, i in ipairs(order) do
      boxes[i] = env:add("box", assert(env:random_pose(sizes[i]), "no room for a box"),
                         {size = sizes[i], color = names[i]})
    end

    local base = env:pose(pallet)
    local z = pallet_size[3]
    for i = 1, n do
      local target = gs.multiply(base, gs.pose(0, 0, z + sizes[i][3] / 2, 0))
      z = z + sizes[i][3]
      local lang = i == 1 and ("put the widest box, the %s one, on the middle of the pallet"):format(names[1])
        or ("%s, put the %s box on the %s box"):format(i == n and "finally" or "then", names[i], names[i - 1])
      env:goal{objects = {boxes[i]}, targets = {target}, matches = "pairs", rotations = false,
               tolerance = 0.015, metric = "pose", reward = 1 / n, lang = lang}
    end
  end,
}
