-- manipulating-rope, scored as Ravens scores it (manipulating_rope.py): the
-- seed task's scene, sentence, colours and oracle draw for draw (so a seed
-- gives the same episode in both), but each bead counts at its own point of
-- the open side or at the mirrored one, bead by bead, within 2 cm, where
-- the seed task pairs the whole rope with the one direction nearer at
-- reset, within 2.5 cm. (Ravens also starts the rope in a heap; here it
-- starts straight, as in the seed task.) A bench task (bench/tasks/, not on
-- the plugin path): it scores a policy trained on the seed task's
-- demonstrations by the paper's rule (README, the Transporter table). The
-- scene is a copy of the seed task's, not shared with it: the seed task's
-- text is part of the generator's prompts and of the library's recorded
-- transcripts.
local colors = require "ravens.colors"
local rope = require "ravens.rope"

local COUNT, LENGTH, BEAD = rope.COUNT, rope.LENGTH, rope.BEAD
local TOL = 0.02 -- Ravens' pos_eps for its rope

-- the state the oracle needs, set by reset
local beads, targets

return task {
  name = "manipulating-rope-ravens",
  description = "Rearrange the rope so that it lies along the open side of the three-sided square drawn "
    .. "on the table, connecting the square's two open endpoints.",
  assets = {"line", "rope"},
  max_steps = 20,
  reset = function(env)
    local names = colors.shuffled(env)
    local side = LENGTH
    local sq = assert(env:random_pose({side + 0.03, side + 0.03, 0}))
    local bar = side + 0.01
    local sides = {gs.pose(0, -side / 2, 0, 0), gs.pose(-side / 2, 0, 0, math.pi / 2),
                   gs.pose(side / 2, 0, 0, math.pi / 2)}
    for _, s in ipairs(sides) do
      env:add("line", gs.multiply(sq, s), {length = bar, color = names[1]})
    end
    beads = rope.add(env, names[2], function() return gs.multiply(sq, gs.pose(0, -side / 4, 0, 0)) end)
    local pts = {}
    for i = 1, COUNT do
      local x = -side / 2 + (i - 1) * side / (COUNT - 1)
      pts[i] = gs.multiply(sq, gs.pose(x, side / 2, BEAD / 2, 0))
    end
    -- the oracle's places, as the seed task's
    targets = rope.targets(env, beads, pts)
    -- bead i to point i or point COUNT + 1 - i, each bead on its own
    local either = {}
    for i = 1, COUNT do
      either[i] = {}
      for j = 1, COUNT do either[i][j] = j == i or j == COUNT + 1 - i end
    end
    env:goal{objects = beads, targets = pts, matches = either, rotations = false, tolerance = TOL,
             metric = "pose", reward = 1,
             lang = "close the open side of the square with the " .. names[2] .. " rope"}
  end,
  oracle = function(env)
    return rope.next_move(env, beads, targets)
  end,
}
