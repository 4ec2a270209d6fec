-- A rope of beads laid along a straight line, as Ravens' manipulating-rope
-- and CLIPort's align-rope do: require "ravens.rope".
--
-- The rope: COUNT cubic beads of BEAD m, LENGTH m end to end, so the beads'
-- centres are LENGTH / (COUNT - 1) apart when the rope is straight. Targets
-- are COUNT evenly spaced points along a line LENGTH long: their spacing
-- equals the beads', and a straight rope laid along the line meets every
-- target at once. A rope has no head or tail, so the goal pairs bead i with
-- point i, or with point COUNT + 1 - i: targets() chooses the direction with
-- the smaller total distance (matches = "pairs" over the targets in that
-- order).
--
-- Tolerance: TOL (2.5 cm) in x-y for every bead. Ravens scores rope tasks
-- with a loose threshold too, since a rope pulled by one bead never lies
-- exactly straight; 2.5 cm is under two beads' width (1.5 cm each) and
-- about one and a half bead spacings (1.6 cm), so a rope that meets it lies
-- along the line, with no bead more than a place or so out of line.
local M = {}

M.COUNT, M.LENGTH, M.BEAD = 20, 0.3, 0.015
M.TOL = 0.025
-- the oracle: the cup's clearance above the bead while dragging it, how far
-- short of its corner it lays an end bead, and (as a fraction of TOL) how
-- close every bead must be before it stops
M.LIFT, M.SHORT, M.DONE = 0.005, 0.01, 0.6

-- The rope's asset options: COUNT beads of BEAD, LENGTH end to end.
local function rope_options(color)
  return {color = color, count = M.COUNT, length = M.LENGTH, size = {M.BEAD, M.BEAD, M.BEAD}}
end

-- The rope, straight, of colour color, somewhere clear of what the table
-- holds; where there is no room, at the pose fallback() returns. Returns the
-- beads.
function M.add(env, color, fallback)
  local at = env:random_pose({M.LENGTH + M.BEAD + 0.01, M.BEAD + 0.01, M.BEAD})
  if not at then at = fallback() end
  at.pos[3] = M.BEAD / 2
  return env:add("rope", at, rope_options(color))
end

-- Ravens' manipulating-rope's square: three lines of colour color, each
-- LENGTH long, at a random place and heading, open at local +y. Returns the
-- square's pose and the COUNT points along its open side, corner to corner,
-- a bead's half height above the table; nil when there is no room.
function M.square(env, color)
  local side = M.LENGTH
  local sq = env:random_pose({side + 0.03, side + 0.03, 0})
  if not sq then return nil end
  for _, s in ipairs({gs.pose(0, -side / 2, 0, 0), gs.pose(-side / 2, 0, 0, math.pi / 2),
                      gs.pose(side / 2, 0, 0, math.pi / 2)}) do
    env:add("line", gs.multiply(sq, s), {length = side + 0.01, color = color})
  end
  local pts = {}
  for i = 1, M.COUNT do
    local x = -side / 2 + (i - 1) * side / (M.COUNT - 1)
    pts[i] = gs.multiply(sq, gs.pose(x, side / 2, M.BEAD / 2, 0))
  end
  return sq, pts
end

-- Ravens' manipulating-rope's start: the rope is dropped, tilted up steeply
-- from one end, at a random place and heading, so that it lands in a
-- crumpled curve instead of lying straight. Ravens stands its beads in an
-- upright column; here the top of a rope 30 cm long would leave the
-- workspace, so it leans at DROP_TILT (65 degrees) from the table, over a
-- footprint that holds it at any heading. Returns the beads, or nil when
-- there is no room.
M.DROP_TILT = 1.13
function M.drop(env, color)
  local reach = 2 * (math.cos(M.DROP_TILT) * M.LENGTH / 2 + M.BEAD)
  local at = env:random_pose({reach, reach, M.BEAD})
  if not at then return nil end
  -- the pose is the rope's middle: its lower end rests a bead above the table
  local z = M.BEAD + math.sin(M.DROP_TILT) * M.LENGTH / 2
  local heading = gs.pose(at.pos[1], at.pos[2], z, env.rng:uniform(0, 2 * math.pi))
  local tilted = gs.multiply(heading, {pos = {0, 0, 0}, rot = gs.quat_from_euler(0, -M.DROP_TILT, 0)})
  return env:add("rope", tilted, rope_options(color))
end

-- Ravens' rope matches: bead i counts at point i or at point COUNT + 1 - i,
-- each bead on its own (the goal's matches table, for metric "pose").
function M.either_way()
  local m = {}
  for i = 1, M.COUNT do
    m[i] = {}
    for j = 1, M.COUNT do m[i][j] = j == i or j == M.COUNT + 1 - i end
  end
  return m
end

-- Ravens' rope goal: every bead at its own point of pts or at the mirrored
-- one (either_way), each bead on its own, within RAVENS_TOL (its pos_eps for
-- the rope) in x-y; each bead that is counts 1 / COUNT.
M.RAVENS_TOL = 0.02
function M.ravens_goal(env, beads, pts, lang)
  env:goal{objects = beads, targets = pts, matches = M.either_way(), rotations = false,
           tolerance = M.RAVENS_TOL, metric = "pose", reward = 1, lang = lang}
end

-- The targets of the beads: bead i to point i of pts, or to point COUNT + 1 - i,
-- whichever is nearer overall.
function M.targets(env, beads, pts)
  local fwd, rev = 0, 0
  for i, b in ipairs(beads) do
    local p = env:pose(b).pos
    local u, v = pts[i].pos, pts[M.COUNT + 1 - i].pos
    fwd = fwd + math.sqrt((p[1] - u[1]) ^ 2 + (p[2] - u[2]) ^ 2)
    rev = rev + math.sqrt((p[1] - v[1]) ^ 2 + (p[2] - v[2]) ^ 2)
  end
  local targets = {}
  for i = 1, M.COUNT do targets[i] = rev < fwd and pts[M.COUNT + 1 - i] or pts[i] end
  return targets
end

-- The goal: every bead at its target, within TOL in x-y.
function M.goal(env, beads, targets, lang)
  env:goal{objects = beads, targets = targets, matches = "pairs", rotations = false,
           tolerance = M.TOL, metric = "pose", reward = 1, lang = lang}
end

-- The oracle (the built-in one moves the object nearest its target first,
-- which does little for a rope). While either end bead is out of tolerance
-- it drags that end to its target (the end nearer its own target first),
-- laying it SHORT of its corner so the rope is never pulled taut between the
-- ends; then, as Ravens' rope oracle does, it drags the bead farthest from
-- its target there. Each move grasps a bead on its top face and keeps the
-- cup only LIFT above the table, so the bead is dragged with the rest of the
-- rope lying flat behind it rather than hanging below. nil when every bead
-- is within DONE * TOL of its target.
function M.next_move(env, beads, targets)
  local errs, worst, worst_i = {}, -1, nil
  for i, b in ipairs(beads) do
    local p, t = env:pose(b).pos, targets[i].pos
    errs[i] = math.sqrt((p[1] - t[1]) ^ 2 + (p[2] - t[2]) ^ 2)
    if errs[i] > worst then worst, worst_i = errs[i], i end
  end
  if worst < M.DONE * M.TOL then return nil end
  local n = #beads
  local i = worst_i
  if errs[1] > M.TOL and errs[n] > M.TOL then i = errs[1] < errs[n] and 1 or n
  elseif errs[1] > M.TOL then i = 1
  elseif errs[n] > M.TOL then i = n end
  local p = env:pose(beads[i])
  local t = targets[i].pos
  if i == 1 or i == n then
    local o = targets[i == 1 and 2 or n - 1].pos
    local f = M.SHORT / math.sqrt((o[1] - t[1]) ^ 2 + (o[2] - t[2]) ^ 2)
    t = {t[1] + f * (o[1] - t[1]), t[2] + f * (o[2] - t[2])}
  end
  local yaw = gs.yaw(p)
  return {pick = gs.pose(p.pos[1], p.pos[2], M.BEAD, yaw), place = gs.pose(t[1], t[2], M.BEAD, yaw), lift = M.LIFT}
end

return M
