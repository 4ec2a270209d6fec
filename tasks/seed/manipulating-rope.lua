-- Ravens' manipulating-rope: three sides of a square are drawn on the table
-- at a random place and heading; a rope of beads lies elsewhere on the table,
-- and must be laid along the open fourth side so that it connects the two
-- open endpoints of the square.
--
-- The rope (ravens.rope): COUNT cubic beads of BEAD m, LENGTH m end to
-- end. The square's side is LENGTH too, and the targets are COUNT evenly
-- spaced points along the open side, corner to corner: a straight rope laid
-- along the side meets every target at once, bead i at point i or at point
-- COUNT + 1 - i, whichever direction is nearer overall. Each bead must come
-- within 2.5 cm of its target in x-y; the oracle is ravens.rope's
-- next_move, which drags the ends into place, then the bead farthest from
-- its target.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing.
local colors = require "ravens.colors"
local rope = require "ravens.rope"

local COUNT, LENGTH, BEAD = rope.COUNT, rope.LENGTH, rope.BEAD

-- the state the oracle needs, set by reset
local beads, targets

return task {
  name = "manipulating-rope",
  description = "Rearrange the rope so that it lies along the open side of the three-sided square drawn "
    .. "on the table, connecting the square's two open endpoints.",
  assets = {"line", "rope"},
  max_steps = 20,
  reset = function(env)
    local names = colors.shuffled(env)
    local side = LENGTH
    -- the square: three lines at a random place and heading, open at local +y
    local sq = assert(env:random_pose({side + 0.03, side + 0.03, 0}))
    local bar = side + 0.01
    local sides = {gs.pose(0, -side / 2, 0, 0), gs.pose(-side / 2, 0, 0, math.pi / 2),
                   gs.pose(side / 2, 0, 0, math.pi / 2)}
    for _, s in ipairs(sides) do
      env:add("line", gs.multiply(sq, s), {length = bar, color = names[1]})
    end
    -- the rope, straight, somewhere clear of the square; where there is no
    -- room beside the square (rare), across its closed half, parallel to the
    -- open side
    beads = rope.add(env, names[2], function() return gs.multiply(sq, gs.pose(0, -side / 4, 0, 0)) end)
    -- the targets along the open side, corner to corner
    local pts = {}
    for i = 1, COUNT do
      local x = -side / 2 + (i - 1) * side / (COUNT - 1)
      pts[i] = gs.multiply(sq, gs.pose(x, side / 2, BEAD / 2, 0))
    end
    targets = rope.targets(env, beads, pts)
    rope.goal(env, beads, targets, "close the open side of the square with the " .. names[2] .. " rope")
  end,
  oracle = function(env)
    return rope.next_move(env, beads, targets)
  end,
}
