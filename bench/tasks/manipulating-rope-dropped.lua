-- manipulating-rope as Ravens sets it up and scores it (manipulating_rope.py):
-- the rope starts crumpled, dropped on the table (ravens.rope's drop), where
-- the seed task lays it straight; each bead counts at its own point of the
-- open side or at the mirrored one, bead by bead, within 2 cm (as
-- manipulating-rope-ravens). A straight start gives demonstrations that
-- never show a bent rope, and a policy that bends it has nothing to imitate;
-- Ravens' demonstrations start bent. A bench task (bench/tasks/, not on the
-- plugin path): bench/policy_table.sh trains and evaluates a policy on it as
-- on a seed task, beside the paper's manipulating-rope figure.
local colors = require "ravens.colors"
local rope = require "ravens.rope"

-- the state the oracle needs, set by reset
local beads, targets

return task {
  name = "manipulating-rope-dropped",
  description = "Rearrange the crumpled rope so that it lies along the open side of the three-sided square "
    .. "drawn on the table, connecting the square's two open endpoints.",
  assets = {"line", "rope"},
  max_steps = 20,
  reset = function(env)
    local names = colors.shuffled(env)
    local _, pts = assert(rope.square(env, names[1]))
    beads = assert(rope.drop(env, names[2]), "no room for the rope")
    -- the oracle's places: the direction nearer the rope as dropped
    targets = rope.targets(env, beads, pts)
    rope.ravens_goal(env, beads, pts, "close the open side of the square with the " .. names[2] .. " rope")
  end,
  oracle = function(env)
    return rope.next_move(env, beads, targets)
  end,
}
