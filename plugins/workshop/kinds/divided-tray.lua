-- An open tray split into compartments by thin walls.
local geometry = require "workshop.geometry"

return kind {
  name = "divided-tray",
  class = "receptacle",
  doc = "an open tray of size {x, y, z} split into columns x rows compartments by walls as high as its rim; "
    .. "things rest on its floor, 6 mm up",
  size = {0.24, 0.12, 0.04},
  options = {
    "size",
    columns = {default = 3, min = 1, max = 4, integer = true, doc = "compartments along x"},
    rows = {default = 1, min = 1, max = 3, integer = true, doc = "compartments along y"},
  },
  build = function(b, o)
    local x, y, z = o.size[1], o.size[2], o.size[3]
    local t = geometry.WALL
    local cells = geometry.compartments(o.size, o.columns, o.rows)
    if cells[1][3] < 0.01 or cells[1][4] < 0.01 then
      error(("divided-tray: %d x %d compartments leave under 1 cm each in a tray %g x %g")
        :format(o.columns, o.rows, x, y))
    end
    b:box{size = {x, y, t}, pose = gs.pose(0, 0, t / 2, 0)}
    -- the walls across x (the rim's two ends among them), then across y
    local w, h = cells[1][3], cells[1][4]
    for i = 0, o.columns do
      b:box{size = {t, y, z}, pose = gs.pose(-x / 2 + t / 2 + i * (w + t), 0, z / 2, 0)}
    end
    for j = 0, o.rows do
      b:box{size = {x, t, z}, pose = gs.pose(0, -y / 2 + t / 2 + j * (h + t), z / 2, 0)}
    end
  end,
}
