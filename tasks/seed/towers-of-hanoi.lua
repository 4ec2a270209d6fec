-- Ravens' towers-of-hanoi: three discs of three sizes stand as a tower on one
-- of three spots drawn in a row on the table; the tower must be rebuilt on
-- another spot, moving one disc at a time and never putting a disc on a
-- smaller one.
--
-- Scoring: one goal per disc of the rebuilt tower, largest first, scored in
-- order, so the reward grows as the tower rises on the target spot. Goals
-- score the scene as it is, so they check the finished tower, not the rule
-- along the way (a disc on a smaller one mid-way is not penalised). The
-- classic seven-move solution cannot be written as seven staged goals here:
-- stages are scored from the current state, so the first move's goal (small
-- disc to the target) is undone by the third move, and the built-in oracle
-- would chase it back. The task's own oracle therefore reads the discs'
-- spots from the scene and makes the next move of the optimal solution from
-- wherever they are, which is the seven-move sequence from the start.
--
-- The discs are round, as Ravens' are: cylinders 4.4 to 9.6 cm across and
-- 1.5 to 2.5 cm high, stacked cap on cap.

-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing.
local colors = require "ravens.colors"

-- the state the oracle needs, set by reset
local discs, spots, heights

-- which spot each disc is on (the nearest), and the discs on each spot
local function read_state(env)
  local on, stacks = {}, {{}, {}, {}}
  for d = 1, 3 do
    local p = env:pose(discs[d]).pos
    local best, best_d = 1, math.huge
    for s = 1, 3 do
      local dx, dy = p[1] - spots[s][1], p[2] - spots[s][2]
      if dx * dx + dy * dy < best_d then best, best_d = s, dx * dx + dy * dy end
    end
    on[d] = best
    table.insert(stacks[best], d)
  end
  return on, stacks
end

-- The first move of the optimal way to bring discs first..3 (1 is the
-- largest) onto spot `to`; nil when they are already there.
local function next_move(on, first, to)
  if first > 3 then return nil end
  if on[first] == to then return next_move(on, first + 1, to) end
  local other = 6 - on[first] - to
  local move = next_move(on, first + 1, other)
  if move then return move end
  return {disc = first, to = to}
end

local goal_spot

return task {
  name = "towers-of-hanoi",
  description = "Move the tower of three discs from its spot to the named spot, one disc at a time, "
    .. "never putting a larger disc on a smaller one.",
  assets = {"cylinder", "zone"},
  max_steps = 10,
  reset = function(env)
    local names = colors.shuffled(env)
    -- radii, largest first, 6 mm apart at least
    local radii = {env.rng:uniform(0.042, 0.048), env.rng:uniform(0.032, 0.036), env.rng:uniform(0.022, 0.026)}
    local pitch = 2 * radii[1] + 0.02
    -- the three spots are drawn on the table in a row, at a random place and
    -- heading; the table is empty, so there is always room
    local bp = assert(env:random_pose({3 * pitch, pitch, 0}))

    spots = {}
    local spot_colors = {names[4], names[5], names[6]}
    for s = 1, 3 do
      local at = gs.multiply(bp, gs.pose((s - 2) * pitch, 0, 0, 0))
      env:add("zone", at, {size = {pitch - 0.01, pitch - 0.01, 0.001}, color = spot_colors[s]})
      spots[s] = at.pos
    end

    local from = env.rng:int(1, 3)
    goal_spot = env.rng:choice({from % 3 + 1, (from + 1) % 3 + 1})
    local disc_h = env.rng:uniform(0.015, 0.025)
    discs, heights = {}, {}
    local disc_names = {}
    for d = 1, 3 do
      local at = gs.multiply(bp, gs.pose((from - 2) * pitch, 0, disc_h * (d - 0.5), 0))
      discs[d] = env:add("cylinder", at, {radius = radii[d], height = disc_h, color = names[d]})
      heights[d] = disc_h
      disc_names[d] = names[d]
    end

    local whole = ("move the tower of %s discs from the %s spot to the %s spot, one disc at a time, never a "
      .. "larger disc on a smaller one"):format(colors.list(disc_names), spot_colors[from], spot_colors[goal_spot])
    local sizes = {"largest", "middle", "smallest"}
    for d = 1, 3 do
      local target = gs.multiply(bp, gs.pose((goal_spot - 2) * pitch, 0, disc_h * (d - 0.5), 0))
      local lang = d == 1 and whole .. ": the largest, " .. disc_names[1] .. ", goes at the bottom"
        or ("then the %s %s disc goes on the %s disc"):format(sizes[d], disc_names[d], disc_names[d - 1])
      env:goal{objects = {discs[d]}, targets = {target}, matches = "pairs", rotations = false,
               tolerance = 0.015, metric = "pose", reward = 1 / 3, lang = lang}
    end
  end,
  oracle = function(env)
    local on, stacks = read_state(env)
    local move = next_move(on, 1, goal_spot)
    if not move then return nil end
    local p = env:pose(discs[move.disc])
    local yaw = gs.yaw(p)
    local pick = gs.pose(p.pos[1], p.pos[2], p.pos[3] + heights[move.disc] / 2, yaw)
    -- the disc's top once it rests on whatever the target spot holds
    local top = heights[move.disc]
    for _, d in ipairs(stacks[move.to]) do top = top + heights[d] end
    local s = spots[move.to]
    return {pick = pick, place = gs.pose(s[1], s[2], top, yaw)}
  end,
}
