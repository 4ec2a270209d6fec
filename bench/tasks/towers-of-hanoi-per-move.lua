-- towers-of-hanoi, staged per move: the seed task's scene, oracle and
-- success, but one latched goal per move of the seven-move solution, each
-- with its own sentence ("move the smallest red disc to the blue spot"),
-- as Ravens scores the task and CLIPort words it. A bench task
-- (bench/tasks/, not on the plugin path): it measures whether per-move
-- language and reward help the policy (README, the multi-step tasks).
--
-- Each goal is latched (DESIGN: a stage counts as met from the first time it
-- is met), since later moves undo earlier ones; the last three goals that
-- build the tower on the target spot (moves 4, 6 and 7) are met only when
-- the tower stands there, so success is still the rebuilt tower.

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
  name = "towers-of-hanoi-per-move",
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

    -- the seven moves from the start, simulated on the spots' stacks
    local on = {from, from, from}
    local count = {0, 0, 0}
    count[from] = 3
    local sizes = {"largest", "middle", "smallest"}
    local moves = 0
    while true do
      local move = next_move(on, 1, goal_spot)
      if not move then break end
      count[on[move.disc]] = count[on[move.disc]] - 1
      on[move.disc] = move.to
      count[move.to] = count[move.to] + 1
      local target = gs.multiply(bp, gs.pose((move.to - 2) * pitch, 0, disc_h * (count[move.to] - 0.5), 0))
      moves = moves + 1
      local lang = ("move the %s %s disc to the %s spot"):format(sizes[move.disc], disc_names[move.disc],
        spot_colors[move.to])
      env:goal{objects = {discs[move.disc]}, targets = {target}, matches = "pairs", rotations = false,
               tolerance = 0.015, metric = "pose", reward = 1 / 7, latch = true, lang = lang}
    end
    assert(moves == 7, "the solution from a full tower takes seven moves")
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
