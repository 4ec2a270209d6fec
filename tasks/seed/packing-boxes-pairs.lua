-- CLIPort's packing-boxes-pairs: the inside of a brown container is cut into
-- rectangles (a random k-d split) and each becomes a box a little smaller
-- than it, coloured one of two named colours; boxes of other colours lie
-- about as distractors. Every box of the two colours must go into the
-- container, which they then fill; the distractors stay out. Scored by the
-- zone metric over the container's inside, over the named boxes only.
--
-- The built-in oracle fills a zone on a lattice of equal cells, which cannot
-- pack boxes of different sizes tightly, so the task brings its own
-- (ravens.packing's next_move): each named box goes to the rectangle it was
-- cut from, turned to fit.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing. The container is
-- brown in both, and brown is never a box's colour.
local colors = require "ravens.colors"
local packing = require "ravens.packing"

local boxes, slots       -- set by reset, read by the oracle

return task {
  name = "packing-boxes-pairs",
  description = "Pack all the boxes of the two named colours into the brown container, leaving the boxes of "
    .. "other colours out: together the named boxes fill it, so each must go into the space left for it.",
  assets = {"box", "container"},
  max_steps = 12,
  reset = function(env)
    local cp, inner = packing.container(env)
    local box_colors = env.rng:shuffle(colors.without(colors.palette(env), "brown"))
    local pair = {box_colors[1], box_colors[2]}
    local others = {table.unpack(box_colors, 3)}

    -- the named boxes: the first of each colour, the rest of either
    local cells = env.rng:shuffle(packing.split(env.rng, inner[1], inner[2], env.rng:int(3, 7)))
    boxes, slots = packing.add_boxes(env, cp, cells, function(i) return pair[i] or env.rng:choice(pair) end)

    -- distractors of the other colours, only where there is room
    for _ = 1, env.rng:int(2, 4) do
      local size = env:random_size({0.05, 0.05, 0.025}, {0.10, 0.10, 0.045})
      local pose = env:random_pose(size)
      if pose then env:add("box", pose, {size = size, color = env.rng:choice(others)}) end
    end

    env:goal{objects = boxes, metric = "zone", zone = packing.zone(cp, inner), tolerance = 0.005, reward = 1,
             lang = ("pack all the %s and %s boxes into the brown box"):format(pair[1], pair[2])}
  end,
  -- each named box not yet in its space goes there, the largest first
  oracle = function(env)
    return packing.next_move(env, boxes, slots)
  end,
}
