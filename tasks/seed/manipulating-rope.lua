-- Ravens' manipulating-rope: three sides of a square are drawn on the table
-- at a random place and heading; a rope of beads lies elsewhere on the table,
-- and must be laid along the open fourth side so that it connects the two
-- open endpoints of the square.
--
-- The rope: COUNT cubic beads of BEAD m, LENGTH m end to end, so the beads'
-- centres are LENGTH / (COUNT - 1) apart when the rope is straight. The
-- square's side is LENGTH too, and the targets are COUNT evenly spaced points
-- along the open side, corner to corner: the targets' spacing equals the
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

return task {
  name = "manipulating-rope",
  description = "Rearrange the rope so that it lies along the open side of the three-sided square drawn "
    .. "on the table, connecting the square's two open endpoints.",
  assets = {"line", "rope"},
  max_steps = 20,
  reset = function(env)
    local colors = env.rng:shuffle({table.unpack(palette(env))})
    local side = LENGTH
    -- the square: three lines at a random place and heading, open at local +y
    local sq = assert(env:random_pose({side + 0.03, side + 0.03, 0}))
    local bar = side + 0.01
    local sides = {gs.pose(0, -side / 2, 0, 0), gs.pose(-side / 2, 0, 0, math.pi / 2),
                   gs.pose(side / 2, 0, 0, math.pi / 2)}
    for _, s in ipairs(sides) do
      env:add("line", gs.multiply(sq, s), {length = bar, color = colors[1]})
    end
    -- the rope, straight, somewhere clear of the square
    local at = env:random_pose({LENGTH + BEAD + 0.01, BEAD + 0.01, BEAD})
    if not at then
      -- no room for a straight rope beside the square (rare): lay it across
      -- the square's closed half, parallel to the open side
      at = gs.multiply(sq, gs.pose(0, -side / 4, 0, 0))
    end
    at.pos[3] = BEAD / 2
    beads = env:add("rope", at, {color = colors[2], count = COUNT, length = LENGTH,
                                 size = {BEAD, BEAD, BEAD}})
    -- the targets along the open side, corner to corner
    local pts = {}
    for i = 1, COUNT do
      local x = -side / 2 + (i - 1) * side / (COUNT - 1)
      pts[i] = gs.multiply(sq, gs.pose(x, side / 2, BEAD / 2, 0))
    end
    -- bead i to point i, or to point COUNT + 1 - i: whichever is nearer overall
    local fwd, rev = 0, 0
    for i, b in ipairs(beads) do
      local p = env:pose(b).pos
      local a, c = pts[i].pos, pts[COUNT + 1 - i].pos
      fwd = fwd + math.sqrt((p[1] - a[1]) ^ 2 + (p[2] - a[2]) ^ 2)
      rev = rev + math.sqrt((p[1] - c[1]) ^ 2 + (p[2] - c[2]) ^ 2)
    end
    targets = {}
    for i = 1, COUNT do targets[i] = rev < fwd and pts[COUNT + 1 - i] or pts[i] end
    env:goal{objects = beads, targets = targets, matches = "pairs", rotations = false,
             tolerance = TOL, metric = "pose", reward = 1,
             lang = "close the open side of the square with the " .. colors[2] .. " rope"}
  end,
  oracle = oracle,
}
