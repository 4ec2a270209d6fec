-- CLIPort's align-rope: three sides of a square are drawn on the table; a
-- rope of beads lies elsewhere, and must be laid straight from one named
-- corner of the square to another, along one of the drawn sides.
--
-- Corner names are relative to the workspace as the robot sees it: front is
-- towards the robot (smaller x), back away from it, left is +y and right -y.
-- The square's heading is kept within 22.5 degrees of the workspace axes so
-- that every corner has one clear name.
--
-- The rope: COUNT cubic beads of BEAD m, LENGTH m end to end, so the beads'
-- centres are LENGTH / (COUNT - 1) apart when the rope is straight. The
-- square's side is LENGTH too, and the targets are COUNT evenly spaced points
-- along the named side, corner to corner: the targets' spacing equals the
-- beads', and a straight rope laid along the side meets every target at once.
-- A rope has no head or tail, so the goal pairs bead i with point i, or with
-- point COUNT + 1 - i: reset chooses the direction with the smaller total
-- distance (matches = "pairs" over the targets in that order).
--
-- Tolerance: TOL (2.5 cm) in x-y for every bead. Ravens scores rope tasks
-- with a loose threshold too, since a rope pulled by one bead never lies
-- exactly straight; 2.5 cm is under two beads' width (1.5 cm each) and
-- about one and a half bead spacings (1.6 cm), so a rope that meets it lies
-- along the drawn side, with no bead more than a place or so out of line.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing.
local function palette(env)
  return env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
end

local COUNT, LENGTH, BEAD = 20, 0.3, 0.015
local TOL = 0.025
-- the oracle: the cup's clearance above the bead while dragging it, how far
-- short of its corner it lays an end bead, and (as a fraction of TOL) how
-- close every bead must be before it stops
local LIFT, SHORT, DONE = 0.005, 0.01, 0.6

-- the state the oracle needs, set by reset
local beads, targets

-- The task's own oracle (the built-in one moves the object nearest its
-- target first, which does little for a rope). While either end bead is out
-- of tolerance it drags that end to its target (the end nearer its own target
-- first), laying it SHORT of its corner so the rope is never pulled taut
-- between the ends; then, as Ravens' rope oracle does, it drags the bead
-- farthest from its target there. Each move grasps a bead on its top face
-- and keeps the cup only LIFT above the table, so the bead is dragged with
-- the rest of the rope lying flat behind it rather than hanging below.
local function oracle(env)
  local errs, worst, worst_i = {}, -1, nil
  for i, b in ipairs(beads) do
    local p, t = env:pose(b).pos, targets[i].pos
    errs[i] = math.sqrt((p[1] - t[1]) ^ 2 + (p[2] - t[2]) ^ 2)
    if errs[i] > worst then worst, worst_i = errs[i], i end
  end
  if worst < DONE * TOL then return nil end
  local n = #beads
  local i = worst_i
  if errs[1] > TOL and errs[n] > TOL then i = errs[1] < errs[n] and 1 or n
  elseif errs[1] > TOL then i = 1
  elseif errs[n] > TOL then i = n end
  local p = env:pose(beads[i])
  local t = targets[i].pos
  if i == 1 or i == n then
    local o = targets[i == 1 and 2 or n - 1].pos
    local f = SHORT / math.sqrt((o[1] - t[1]) ^ 2 + (o[2] - t[2]) ^ 2)
    t = {t[1] + f * (o[1] - t[1]), t[2] + f * (o[2] - t[2])}
  end
  local yaw = gs.yaw(p)
  return {pick = gs.pose(p.pos[1], p.pos[2], BEAD, yaw), place = gs.pose(t[1], t[2], BEAD, yaw), lift = LIFT}
end

local CORNERS = {{-1, 1, "front left"}, {1, 1, "back left"}, {1, -1, "back right"}, {-1, -1, "front right"}}

return task {
  name = "align-rope",
  description = "Lay the rope straight along the drawn square's side from one named corner to the other "
    .. "(front/back/left/right as the robot sees the workspace).",
  assets = {"line", "rope"},
  max_steps = 20,
  reset = function(env)
    local colors = env.rng:shuffle({table.unpack(palette(env))})
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
                {length = side + 0.01, color = colors[1]})
      end
    end
    -- the rope, straight, somewhere clear of the square
    local at = env:random_pose({LENGTH + BEAD + 0.01, BEAD + 0.01, BEAD})
    if not at then at = gs.pose(sq.pos[1], sq.pos[2], 0, sq.pos[2] > 0 and 0.3 or -0.3) end
    at.pos[3] = BEAD / 2
    beads = env:add("rope", at, {color = colors[2], count = COUNT, length = LENGTH,
                                 size = {BEAD, BEAD, BEAD}})
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
    -- bead i to point i, or to point COUNT + 1 - i: whichever is nearer overall
    local fwd, rev = 0, 0
    for i, bd in ipairs(beads) do
      local p = env:pose(bd).pos
      local u, v = pts[i].pos, pts[COUNT + 1 - i].pos
      fwd = fwd + math.sqrt((p[1] - u[1]) ^ 2 + (p[2] - u[2]) ^ 2)
      rev = rev + math.sqrt((p[1] - v[1]) ^ 2 + (p[2] - v[2]) ^ 2)
    end
    targets = {}
    for i = 1, COUNT do targets[i] = rev < fwd and pts[COUNT + 1 - i] or pts[i] end
    env:goal{objects = beads, targets = targets, matches = "pairs", rotations = false,
             tolerance = TOL, metric = "pose", reward = 1,
             lang = ("align the %s rope from the %s corner to the %s corner of the square")
               :format(colors[2], CORNERS[ka][3], CORNERS[kb][3])}
  end,
  oracle = oracle,
}
