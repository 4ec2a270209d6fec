-- peg-board-front-row: a square peg board with a 3 x 3 grid of holes stands
-- on the table, turned to one of four headings (with a little jitter), and
-- three round pegs stand upright elsewhere. Each peg must be seated in a
-- hole of the row nearest the robot (smallest x), one peg per hole.
--
-- The grid is 3 x 3 so that, whichever way the board is turned, the row
-- nearest the robot has three holes: the three holes of smallest world x.
-- A seated peg hangs on its cap, which rests on the board's top; its shaft
-- is shorter than the board is thick, so it does not reach the table.

local CELLS = 3
local CELL = 0.07
local BOARD_H = 0.02
local HOLE = 0.04
local BOARD = {CELLS * CELL, CELLS * CELL, BOARD_H}

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "peg-board-front-row",
  description = "Seat each of the three pegs in a hole of the peg board's row nearest the robot, "
    .. "one peg per hole, leaving the other rows empty.",
  assets = {"peg-board", "peg"},
  max_steps = 6,
  reset = function(env)
    local names = palette(env)

    -- the board first, on the empty table: a footprint as wide as its
    -- diagonal keeps it inside the workspace at any heading
    local spot = env:random_pose({0.3, 0.3, 0})
    assert(spot, "no room for the peg board")
    local yaw = env.rng:int(0, 3) * math.pi / 2 + env.rng:uniform(-0.2, 0.2)
    local board_pose = gs.pose(spot.pos[1], spot.pos[2], 0, yaw)
    env:add("peg-board", board_pose, {size = BOARD, columns = CELLS, rows = CELLS, hole = HOLE,
                                      color = names[1], fixed = true})

    -- the pegs: a cap a little narrower than a cell, a shaft that fits the
    -- hole with a few millimetres to spare and is shorter than the board
    local cap_w = env.rng:uniform(0.045, 0.055)
    local cap = 0.01
    local shaft = env.rng:uniform(0.012, 0.015)
    local peg_h = env.rng:uniform(0.024, 0.028)
    local peg_size = {cap_w, cap_w, peg_h}
    local peg_color = names[2]
    local pegs = {}
    for i = 1, 3 do
      local p = env:random_pose(peg_size)
      assert(p, "no room for a peg")
      pegs[i] = env:add("peg", p, {size = peg_size, cap = cap, shaft = shaft, color = peg_color})
    end

    -- every hole's centre in the world, then the three nearest the robot
    local holes = {}
    for i = 1, CELLS do
      for j = 1, CELLS do
        local lx = (i - (CELLS + 1) / 2) * CELL
        local ly = (j - (CELLS + 1) / 2) * CELL
        holes[#holes + 1] = gs.apply(board_pose, {lx, ly, 0})
      end
    end
    table.sort(holes, function(a, b) return a[1] < b[1] end)

    -- a seated peg's cap lies on the board's top: its centre is the top
    -- plus the cap's thickness less half the peg's height
    local z = BOARD_H + cap - peg_h / 2
    local targets = {}
    for k = 1, 3 do
      targets[k] = gs.pose(holes[k][1], holes[k][2], z, 0)
    end

    env:goal{objects = pegs, targets = targets, matches = "any", replace = false,
             rotations = false, tolerance = 0.01, metric = "pose", reward = 1,
             lang = ("put the %s pegs in the front row of holes of the %s peg board"):format(peg_color, names[1])}
  end,
}
