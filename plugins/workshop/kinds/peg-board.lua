-- A board with a grid of square holes: the sockets pegs seat in.
local geometry = require "workshop.geometry"

return kind {
  name = "peg-board",
  class = "receptacle",
  doc = "a board of size {x, y, z} with columns x rows square holes of side hole, one in the middle of each "
    .. "cell of an even grid, through to the table; a peg seats in a hole",
  size = {0.2, 0.14, 0.02},
  options = {
    "size",
    columns = {default = 3, min = 1, max = 4, integer = true, doc = "holes along x"},
    rows = {default = 2, min = 1, max = 3, integer = true, doc = "holes along y"},
    hole = {default = 0.04, min = 0.01, max = 0.1, doc = "the side of each square hole, in m"},
  },
  build = function(b, o)
    local x, y, z = o.size[1], o.size[2], o.size[3]
    local px, py, hole = x / o.columns, y / o.rows, o.hole
    if hole > px - 0.004 or hole > py - 0.004 then
      error(("peg-board: holes of %g m leave under 2 mm of board between them at a pitch of %g x %g m")
        :format(hole, px, py))
    end
    local gx, gy = px - hole, py - hole  -- board between two holes
    -- strips across the whole board between the rows of holes, and at its edges
    for j = 0, o.rows do
      local w = (j == 0 or j == o.rows) and gy / 2 or gy
      local at = -y / 2 + j * py + (j == 0 and gy / 4 or j == o.rows and -gy / 4 or 0)
      b:box{size = {x, w, z}, pose = gs.pose(0, at, z / 2, 0)}
    end
    -- in each row of holes, the pieces between the holes and at the ends
    for _, h in ipairs(geometry.holes(o.size, o.columns, o.rows)) do
      if h[1] < -x / 2 + px then
        b:box{size = {gx / 2, hole, z}, pose = gs.pose(-x / 2 + gx / 4, h[2], z / 2, 0)}
      end
      local right = h[1] + px / 2
      local w = right > x / 2 - 1e-9 and gx / 2 or gx
      b:box{size = {w, hole, z}, pose = gs.pose(h[1] + hole / 2 + w / 2, h[2], z / 2, 0)}
    end
  end,
}
