-- A pile of small cubes pushed into a square zone with the spatula, as
-- Ravens' sweeping-piles and CLIPort's separating-piles do:
-- require "ravens.piles".
--
-- Scoring: one zone goal over every cube, so the reward is the fraction of
-- the pile inside the zone (each cube credited by the fraction of it
-- inside), as Ravens scores it.
--
-- The oracle (next_push; the built-in one only picks and places) takes the
-- cube outside the zone that lies farthest from the zone's centre, sets the
-- blade down a little behind it, on the side away from the zone, and sweeps
-- it along the line through the zone's centre to PAST beyond the centre
-- (negative: just short of it), so everything in the blade's path is carried
-- in and cubes already inside stay inside.
local M = {}

M.CUBE = 0.015      -- cube side
M.ZONE = 0.15       -- zone side
M.PILE = 0.10       -- the pile's scatter square
M.COUNT = 30
M.BEHIND = 0.025    -- how far behind a cube's centre the blade comes down
M.PAST = -0.01      -- how far past the zone centre a sweep ends (negative: short of it)
M.BLADE_Z = 0.008   -- the blade's bottom edge above the table
M.MARGIN = 0.06     -- room around the pile for the blade to come down behind it

-- A square zone of colour color where the table has room; returns its pose.
function M.add_zone(env, color)
  local pose = assert(env:random_pose({M.ZONE, M.ZONE, 0}))
  env:add("zone", pose, {size = {M.ZONE, M.ZONE, 0.001}, color = color})
  return pose
end

-- The pile of COUNT cubes of colour color, with MARGIN of room around it;
-- returns the cubes.
function M.add_pile(env, color)
  local at = assert(env:random_pose({M.PILE + M.MARGIN, M.PILE + M.MARGIN, 0}))
  at.pos[3] = M.CUBE / 2
  return env:add("pile", at, {color = color, count = M.COUNT, length = M.PILE, size = {M.CUBE, M.CUBE, M.CUBE}})
end

-- The goal: every cube into the zone at zone_pose.
function M.goal(env, cubes, zone_pose, lang)
  env:goal{objects = cubes, metric = "zone", zone = {pose = zone_pose, size = {M.ZONE, M.ZONE, 0.08}}, reward = 1,
           lang = lang}
end

-- Whether a cube at p lies wholly inside the zone at zone_pose (with a small margin).
function M.inside(zone_pose, p)
  local q = gs.apply(gs.invert(zone_pose), p)
  local half = M.ZONE / 2 - M.CUBE * 0.75
  return math.abs(q[1]) <= half and math.abs(q[2]) <= half
end

-- The oracle's next push of cubes into the zone at zone_pose; nil when every
-- cube is inside.
function M.next_push(env, cubes, zone_pose)
  local c = zone_pose.pos
  local best, best_d
  for _, cube in ipairs(cubes) do
    local p = env:pose(cube).pos
    if not M.inside(zone_pose, p) then
      local dx, dy = p[1] - c[1], p[2] - c[2]
      local d = dx * dx + dy * dy
      if not best_d or d > best_d then best, best_d = p, d end
    end
  end
  if not best then return nil end
  local dist = math.sqrt(best_d)
  local ux, uy = (c[1] - best[1]) / dist, (c[2] - best[2]) / dist
  return {push = {
    from = {best[1] - M.BEHIND * ux, best[2] - M.BEHIND * uy, M.BLADE_Z},
    to = {c[1] + M.PAST * ux, c[2] + M.PAST * uy, M.BLADE_Z},
  }}
end

return M
