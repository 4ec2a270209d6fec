-- Where things go on the workshop's kinds: require "workshop.geometry".
--
-- The kinds build themselves from these functions and the tasks put their
-- targets by them, so a hole or a compartment is where both say it is.
-- Everything is in the object's frame: a receptacle's origin is the centre
-- of its base, on the table.
local M = {}

M.WALL = 0.006  -- the divided tray's floor, rim and divider thickness

-- The holes of a peg board of size {x, y, z} with columns x rows square
-- holes, one in the middle of each cell of an even grid: a list of {x, y},
-- along x first, then along y (front to back when the board is not turned).
function M.holes(size, columns, rows)
  local out = {}
  local px, py = size[1] / columns, size[2] / rows
  for j = 1, rows do
    for i = 1, columns do
      out[#out + 1] = {-size[1] / 2 + (i - 0.5) * px, -size[2] / 2 + (j - 0.5) * py}
    end
  end
  return out
end

-- The inside of each compartment of a divided tray of size {x, y, z} split
-- into columns x rows by walls WALL thick: a list of {x, y, w, h} (centre
-- and size), along x first, then along y.
function M.compartments(size, columns, rows)
  local t = M.WALL
  local w = (size[1] - (columns + 1) * t) / columns
  local h = (size[2] - (rows + 1) * t) / rows
  local out = {}
  for j = 1, rows do
    for i = 1, columns do
      out[#out + 1] = {-size[1] / 2 + t + (i - 1) * (w + t) + w / 2, -size[2] / 2 + t + (j - 1) * (h + t) + h / 2, w, h}
    end
  end
  return out
end

-- The height of a seated peg's centre: its cap rests on a board board_z
-- thick unless its shaft (height - cap) is longer, when the shaft stands on
-- the table.
function M.seated_z(height, cap, board_z)
  return math.max(height / 2, board_z + cap - height / 2)
end

-- A heading that lays an object's x axis along the world's y axis (left to
-- right as the robot sees the workspace, either way round), give or take
-- max_tilt: draws one rng:uniform and one rng:int.
function M.across_yaw(rng, max_tilt)
  local tilt = rng:uniform(-max_tilt, max_tilt)
  return (rng:int(0, 1) == 0 and 1 or -1) * math.pi / 2 + tilt
end

-- A pose for a rectangle of footprint {x, y} at heading yaw whose turned
-- footprint lies inside the workspace (x 0.25..0.75, y -0.5..0.5) with
-- margin to spare: for the first object on an empty table. Draws two
-- rng:uniform.
function M.pose_inside(rng, footprint, yaw, margin)
  local c, s = math.abs(math.cos(yaw)), math.abs(math.sin(yaw))
  local hx = footprint[1] / 2 * c + footprint[2] / 2 * s + margin
  local hy = footprint[1] / 2 * s + footprint[2] / 2 * c + margin
  return gs.pose(rng:uniform(0.25 + hx, 0.75 - hx), rng:uniform(-0.5 + hy, 0.5 - hy), 0, yaw)
end

return M
