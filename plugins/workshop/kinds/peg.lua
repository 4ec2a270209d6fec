-- A mushroom peg: a round shaft under a wider cap. Stood on its shaft, it
-- seats in a peg-board hole wider than the shaft and narrower than the cap.
return kind {
  name = "peg",
  class = "movable",
  doc = "a round peg: a shaft of radius shaft under a cap as wide as size x and cap thick, size {x, y, z} "
    .. "overall; seats in a peg-board hole wider than the shaft, resting on its cap",
  size = {0.05, 0.05, 0.03},
  mass = 0.05,
  symmetry = 0,
  options = {
    "size", "mass",
    shaft = {default = 0.014, min = 0.004, max = 0.05, doc = "the shaft's radius, in m"},
    cap = {default = 0.01, min = 0.003, max = 0.05, doc = "the cap's thickness, in m"},
  },
  build = function(b, o)
    local d, h = o.size[1], o.size[3]
    if o.shaft * 2 > d or o.cap >= h then
      error(("peg: a shaft of radius %g and a cap %g thick do not fit a peg %g wide and %g high")
        :format(o.shaft, o.cap, d, h))
    end
    -- the origin is the middle of the bounding box
    b:cylinder{radius = d / 2, height = o.cap, pose = gs.pose(0, 0, h / 2 - o.cap / 2, 0)}
    b:cylinder{radius = o.shaft, height = h - o.cap, pose = gs.pose(0, 0, -o.cap / 2, 0)}
  end,
}
