-- Ravens' sweeping-piles: a pile of small cubes lies on the table beside a
-- square zone drawn on it; the spatula must push the whole pile into the zone.
--
-- Scoring: one zone goal over every cube, so the reward is the fraction of
-- the pile inside the zone (each cube credited by the fraction of it inside),
-- as Ravens scores it.
--
-- The oracle is the task's own (the built-in one only picks and places): it
-- takes the cube outside the zone that lies farthest from the zone's centre,
-- sets the blade down a little behind it, on the side away from the zone, and
-- sweeps it along the line through the zone's centre to just past the centre,
-- so everything in the blade's path is carried in and cubes already inside
-- are pushed deeper rather than out the far side.

-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing.
local function palette(env)
  return env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
end

local CUBE = 0.015         -- cube side
local ZONE = 0.15          -- zone side
local PILE = 0.10          -- the pile's scatter square
local COUNT = 30
local BEHIND = 0.025       -- how far behind a cube's centre the blade comes down
local PAST = -0.01         -- how far past the zone centre a sweep ends (negative: short of it)
local BLADE_Z = 0.008      -- the blade's bottom edge above the table

-- the state the oracle needs, set by reset
local cubes, zone_pose

-- a point in the zone's frame
local function in_zone(p)
  return gs.apply(gs.invert(zone_pose), p)
end

-- whether a cube at p lies wholly inside the zone (with a small margin)
local function inside(p)
  local q = in_zone(p)
  local half = ZONE / 2 - CUBE * 0.75
  return math.abs(q[1]) <= half and math.abs(q[2]) <= half
end

return task {
  name = "sweeping-piles",
  description = "Push the pile of small cubes into the target zone with the spatula; the reward is the "
    .. "fraction of the pile inside the zone.",
  assets = {"pile", "zone"},
  max_steps = 20,
  reset = function(env)
    local colors = env.rng:shuffle({table.unpack(palette(env))})
    zone_pose = assert(env:random_pose({ZONE, ZONE, 0}))
    env:add("zone", zone_pose, {size = {ZONE, ZONE, 0.001}, color = colors[1]})
    -- the pile, with room around it for the blade to come down behind it
    local margin = 0.06
    local at = assert(env:random_pose({PILE + margin, PILE + margin, 0}))
    at.pos[3] = CUBE / 2
    cubes = env:add("pile", at, {color = colors[2], count = COUNT, length = PILE, size = {CUBE, CUBE, CUBE}})
    env:goal{objects = cubes, metric = "zone",
             zone = {pose = zone_pose, size = {ZONE, ZONE, 0.08}}, reward = 1,
             lang = ("push the pile of %s cubes into the %s zone"):format(colors[2], colors[1])}
  end,
  oracle = function(env)
    local c = zone_pose.pos
    local best, best_d
    for _, cube in ipairs(cubes) do
      local p = env:pose(cube).pos
      if not inside(p) then
        local dx, dy = p[1] - c[1], p[2] - c[2]
        local d = dx * dx + dy * dy
        if not best_d or d > best_d then best, best_d = p, d end
      end
    end
    if not best then return nil end
    local dist = math.sqrt(best_d)
    local ux, uy = (c[1] - best[1]) / dist, (c[2] - best[2]) / dist
    return {push = {
      from = {best[1] - BEHIND * ux, best[2] - BEHIND * uy, BLADE_Z},
      to = {c[1] + PAST * ux, c[2] + PAST * uy, BLADE_Z},
    }}
  end,
}
