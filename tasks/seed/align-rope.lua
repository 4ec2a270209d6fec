-- CLIPort's align-rope: three sides of a square are drawn on the table; a
-- rope of beads lies elsewhere, and must be laid straight from one named
-- corner of the square to another, along one of the drawn sides.
--
-- Corner names are relative to the workspace as the robot sees it: front is
-- towards the robot (smaller x), back away from it, left is +y and right -y.
-- The square's heading is kept within 22.5 degrees of the workspace axes so
-- that every corner has one clear name.
--
-- The rope (ravens.rope): COUNT cubic beads of BEAD m, LENGTH m end to
-- end. The square's side is LENGTH too, and the targets are COUNT evenly
-- spaced points along the named side, corner to corner: a straight rope laid
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

local CORNERS = {{-1, 1, "front left"}, {1, 1, "back left"}, {1, -1, "back right"}, {-1, -1, "front right"}}

return task {
  name = "align-rope",
  description = "Lay the rope straight along the drawn square's side from one named corner to the other "
    .. "(front/back/left/right as the robot sees the workspace).",
  assets = {"line", "rope"},
  max_steps = 20,
  reset = function(env)
    local names = colors.shuffled(env)
    local side = LENGTH
    -- the square, first on the empty table: a heading near the workspace
    -- axes, and a centre that keeps it inside the workspace (x 0.25..0.75,
    -- y -0.5..0.5) at that heading; one of its four sides is left open
    local yaw = env.rng:uniform(-math.pi / 8, math.pi / 8)
    local h = side / 2 * (math.cos(yaw) + math.abs(math.sin(yaw))) + 0.01
    local sq = gs.pose(env.rng:uniform(0.25 + h, 0.75 - h), env.rng:uniform(-0.5 + h, 0.5 - h), 0, yaw)
    local open = env.rng:int(1, 4)
    local function corner(k) return gs.apply(sq, {CORNERS[k][1] * side / 2, CORNERS[k][2] * side / 2, 0}) end
    for k = 1, 4 do
      if k ~= open then
        local a, b = corner(k), corner(k % 4 + 1)
        local dir = math.atan(b[2] - a[2], b[1] - a[1])
        env:add("line", gs.pose((a[1] + b[1]) / 2, (a[2] + b[2]) / 2, 0, dir),
                {length = side + 0.01, color = names[1]})
      end
    end
    -- the rope, straight, somewhere clear of the square (else across it)
    beads = rope.add(env, names[2], function()
      return gs.pose(sq.pos[1], sq.pos[2], 0, sq.pos[2] > 0 and 0.3 or -0.3)
    end)
    -- one of the three drawn sides, from corner A to corner B (either way)
    local k
    repeat k = env.rng:int(1, 4) until k ~= open
    local ka, kb = k, k % 4 + 1
    if env.rng:int(0, 1) == 1 then ka, kb = kb, ka end
    local a, b = corner(ka), corner(kb)
    local pts = {}
    for i = 1, COUNT do
      local f = (i - 1) / (COUNT - 1)
      pts[i] = gs.pose(a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2]), BEAD / 2, 0)
    end
    targets = rope.targets(env, beads, pts)
    rope.goal(env, beads, targets, ("align the %s rope from the %s corner to the %s corner of the square")
      :format(names[2], CORNERS[ka][3], CORNERS[kb][3]))
  end,
  oracle = function(env)
    return rope.next_move(env, beads, targets)
  end,
}
