-- fill-peg-board-row: a peg board with two rows of square holes stands on
-- the table, turned so that one row is nearer the robot (front, smaller x)
-- and the other farther away (back, larger x). As many pegs as a row has
-- holes lie scattered on the table; the robot seats one peg in every hole of
-- the named row, leaving the other row empty.
--
-- The board's columns run along its local x axis and its two rows along its
-- local y axis; turning it by about +-90 degrees puts the rows front and
-- back. A seated peg hangs by its cap on the board's top: its shaft (shorter
-- than the board is thick) stands in the hole clear of the table, so its
-- bounding box's centre is at board top + cap - half the peg's height.
local BOARD_Z = 0.02
local PEG = {0.05, 0.05, 0.028}
local CAP, SHAFT, HOLE = 0.01, 0.014, 0.04

local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "fill-peg-board-row",
  description = "Seat a peg in every hole of the named row (front or back, as the robot sees the workspace) "
    .. "of the two-row peg board, leaving the holes of the other row empty.",
  assets = {"peg", "peg-board"},
  max_steps = 8,
  reset = function(env)
    local colors = split_colors(env)
    local cols = env.rng:int(2, 4)
    local bx, by = cols * 0.07, 0.15

    -- the board, first on the table, turned so its rows lie front and back
    local d = math.sqrt(bx * bx + by * by) + 0.01
    local room = env:random_pose({d, d, 0})
    if room == nil then error("no room for the peg board") end
    local yaw = env.rng:choice({math.pi / 2, -math.pi / 2}) + env.rng:uniform(-0.2, 0.2)
    local board = gs.pose(room.pos[1], room.pos[2], 0, yaw)
    env:add("peg-board", board, {size = {bx, by, BOARD_Z}, columns = cols, rows = 2, hole = HOLE,
                                 color = colors[1], fixed = true})

    -- the holes of each row, where a seated peg's pose is
    local seated_z = BOARD_Z + CAP - PEG[3] / 2
    local rows = {}
    for j = 1, 2 do
      local ly = (j == 1 and -1 or 1) * by / 4
      local holes, mean_x = {}, 0
      for i = 1, cols do
        local lx = -bx / 2 + (i - 0.5) * bx / cols
        local p = gs.apply(board, {lx, ly, 0})
        holes[i] = gs.pose(p[1], p[2], seated_z, 0)
        mean_x = mean_x + p[1] / cols
      end
      rows[j] = {holes = holes, x = mean_x}
    end
    local front, back = rows[1], rows[2]
    if back.x < front.x then front, back = back, front end
    local named, row_name = front, "front"
    if env.rng:int(0, 1) == 1 then named, row_name = back, "back" end

    -- one peg per hole of the named row, upright on the table
    local pegs = {}
    for i = 1, cols do
      local p = env:random_pose(PEG)
      if p == nil then error("no room for the pegs") end
      pegs[i] = env:add("peg", p, {size = PEG, cap = CAP, shaft = SHAFT, color = colors[2]})
    end

    env:goal{objects = pegs, targets = named.holes, matches = "any", rotations = false,
             reward = 1,
             lang = ("put a %s peg in every hole of the %s row of the board"):format(colors[2], row_name)}
  end,
}
