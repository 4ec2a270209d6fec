-- manipulating-rope, scored as Ravens scores it (manipulating_rope.py): the
-- seed task's scene, sentence, colours and oracle draw for draw (so a seed
-- gives the same episode in both), but each bead counts at its own point of
-- the open side or at the mirrored one, bead by bead, within 2 cm, where
-- the seed task pairs the whole rope with the one direction nearer at
-- reset, within 2.5 cm. (Ravens also starts the rope in a heap; here it
-- starts straight, as in the seed task; manipulating-rope-dropped starts it
-- crumpled.) A bench task (bench/tasks/, not on the plugin path): it scores
-- a policy trained on the seed task's demonstrations by the paper's rule
-- (README, the Transporter table). The square is ravens.rope's, built as
-- the seed task builds its own (the seed task keeps its copy: its text is
-- part of the generator's prompts and of the library's recorded
-- transcripts); tests/bench_tasks.sh checks the two scenes are the same.
local colors = require "ravens.colors"
local rope = require "ravens.rope"

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
    local sq, pts = assert(rope.square(env, names[1]))
    beads = rope.add(env, names[2], function() return gs.multiply(sq, gs.pose(0, -rope.LENGTH / 4, 0, 0)) end)
    -- the oracle's places, as the seed task's
    targets = rope.targets(env, beads, pts)
    rope.ravens_goal(env, beads, pts, "close the open side of the square with the " .. names[2] .. " rope")
  end,
  oracle = function(env)
    return rope.next_move(env, beads, targets)
  end,
}
