-- Putting the workshop's kinds on the table and finding where things go in
-- them, in the world's frame: require "workshop.bench".
local geometry = require "workshop.geometry"

local M = {}

-- the kinds' default sizes (kinds/*.lua)
M.BOARD = {0.2, 0.14, 0.02}
M.PEG = {0.05, 0.05, 0.03}
M.CAP = 0.01
M.TRAY = {0.24, 0.12, 0.04}
M.BLOCK = {0.04, 0.04, 0.04}

-- Where a peg of the default size seats in each hole of a peg board of
-- size {x, y, z} with columns x rows holes posed at board_pose: the pose of
-- the peg's centre, one per hole, in the order of geometry.holes.
function M.seats(board_pose, size, columns, rows)
  local z = geometry.seated_z(M.PEG[3], M.CAP, size[3])
  local out = {}
  for i, h in ipairs(geometry.holes(size, columns, rows)) do
    out[i] = gs.multiply(board_pose, gs.pose(h[1], h[2], z, 0))
  end
  return out
end

-- A peg board of the default size (3 x 2 holes) in colour color where the
-- table has room; returns the board and its seats.
function M.add_board(env, color)
  local board = env:add("peg-board", assert(env:random_pose({M.BOARD[1], M.BOARD[2], 0}), "no room for the board"),
                        {color = color})
  return board, M.seats(env:pose(board), M.BOARD, 3, 2)
end

-- Up to n pegs standing on their shafts where the table has room, each of
-- a colour drawn from palette; returns them.
function M.add_pegs(env, n, palette)
  local pegs = {}
  for _ = 1, n do
    local pose = env:random_pose(M.PEG)
    if pose then pegs[#pegs + 1] = env:add("peg", pose, {color = env.rng:choice(palette)}) end
  end
  return pegs
end

-- The compartments of a divided tray of size {x, y, z}, columns x rows,
-- posed at tray_pose: a list of {pose, w, h}, pose the middle of the
-- compartment's floor (turned with the tray), w and h its inside along the
-- tray's x and y; in the order of geometry.compartments.
function M.compartments(tray_pose, size, columns, rows)
  local out = {}
  for i, c in ipairs(geometry.compartments(size, columns, rows)) do
    out[i] = {pose = gs.multiply(tray_pose, gs.pose(c[1], c[2], geometry.WALL, 0)), w = c[3], h = c[4]}
  end
  return out
end

-- The same list ordered from the robot's left (+y) to its right (-y).
function M.left_to_right(compartments)
  local out = {table.unpack(compartments)}
  table.sort(out, function(a, b) return a.pose.pos[2] > b.pose.pos[2] end)
  return out
end

-- A point in compartment c, (u, v) from its middle along the tray's x and
-- y, at height z above its floor.
function M.in_compartment(c, u, v, z)
  return gs.multiply(c.pose, gs.pose(u, v, z, 0))
end

return M
