-- Ravens' packing-boxes: the inside of a container is cut into rectangles
-- (a random k-d split), each rectangle becomes a box a little smaller than
-- it, and the boxes are scattered on the table; packing them all fills the
-- container. Scored by the zone metric over the container's inside: the
-- reward is the mean fraction of each box inside it.
--
-- The built-in oracle fills a zone on a lattice of equal cells, which cannot
-- pack boxes of different sizes tightly, so the task brings its own
-- (ravens.packing's next_move): each box goes to the rectangle it was cut
-- from, turned to fit.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing. The container is
-- brown in both.
local colors = require "ravens.colors"
local packing = require "ravens.packing"

local boxes, slots       -- set by reset, read by the oracle

return task {
  name = "packing-boxes",
  description = "Pack all the boxes into the container: together they fill it, so each must go into "
    .. "the space left for it, turned to fit.",
  assets = {"box", "container"},
  max_steps = 12,
  reset = function(env)
    local cp, inner = packing.container(env)
    local box_colors = colors.without(colors.palette(env), "brown")
    local cells = packing.split(env.rng, inner[1], inner[2], env.rng:int(3, 7))
    boxes, slots = packing.add_boxes(env, cp, cells, function() return env.rng:choice(box_colors) end)
    env:goal{objects = boxes, metric = "zone", zone = packing.zone(cp, inner), tolerance = 0.005, reward = 1,
             lang = "pack all the boxes into the brown container"}
  end,
  -- each box not yet in its space goes there, the largest first
  oracle = function(env)
    return packing.next_move(env, boxes, slots)
  end,
}
