-- pegs-in-named-row: a square peg board with two rows of two holes stands
-- on the table, its heading kept within 22.5 degrees of the workspace axes so
-- that its front row (towards the robot, smaller x) and back row have clear
-- names. One or two pegs stand elsewhere on the table; each must be seated in
-- a hole of the named row, leaving the other row empty.
--
-- The board is 18 cm square and 2.5 cm thick; its 4 cm holes sit in the
-- middle of its four 9 cm cells, 4.5 cm from its centre along both axes (a
-- 2 x 2 grid, so this holds whichever axis its rows run along). A peg is
-- 3 cm tall overall: a 2 cm shaft of radius 1.4 cm under a 5 cm cap 1 cm
-- thick. Seated, its cap rests on the board's top, so its top is 3.5 cm up
-- and its centre 2 cm up, and its shaft stops short of the table. A seated
-- peg's shaft can sit up to 6 mm off the hole's centre, inside the 1.2 cm
-- tolerance.
local colors = require "ravens.colors"

local BOARD = {0.18, 0.18, 0.025}
local HOLE = 0.04
local PEG = {0.05, 0.05, 0.03}
local CAP = 0.01
local SHAFT = 0.014
local OFFSET = BOARD[1] / 4

return task {
  name = "pegs-in-named-row",
  description = "Seat every peg in a hole of the named row (front or back, as the robot sees it) of the two-row "
    .. "peg board, leaving the other row empty.",
  assets = {"peg-board", "peg"},
  max_steps = 4,
  reset = function(env)
    local names = colors.shuffled(env)

    -- the board first, on the empty table: room for it at any heading, then
    -- a heading near the workspace axes
    local room = env:random_pose({0.26, 0.26, 0})
    if room == nil then error("no room for the peg board") end
    local yaw = env.rng:uniform(-math.pi / 8, math.pi / 8)
    local board_pose = gs.pose(room.pos[1], room.pos[2], 0, yaw)
    env:add("peg-board", board_pose, {size = BOARD, columns = 2, rows = 2, hole = HOLE, color = names[1]})

    -- the pegs, standing on the table clear of the board
    local pegs = {}
    for _ = 1, env.rng:int(1, 2) do
      local p = env:random_pose(PEG)
      if p then pegs[#pegs + 1] = env:add("peg", p, {size = PEG, cap = CAP, shaft = SHAFT, color = names[2]}) end
    end
    if #pegs == 0 then error("no room for a peg") end

    -- the holes of the named row: front is the board's -x side, back its +x
    -- side (its heading is near the workspace's)
    local front = env.rng:int(0, 1) == 1
    local sx = front and -1 or 1
    local seated_z = BOARD[3] + CAP - PEG[3] / 2
    local targets = {}
    for _, sy in ipairs({-1, 1}) do
      local p = gs.apply(board_pose, {sx * OFFSET, sy * OFFSET, 0})
      targets[#targets + 1] = gs.pose(p[1], p[2], seated_z, yaw)
    end

    env:goal{objects = pegs, targets = targets, matches = "any", replace = false, rotations = false,
             metric = "pose", tolerance = 0.012, reward = 1,
             lang = ("put the %s pegs in the %s row of holes"):format(names[2], front and "front" or "back")}
  end,
}
