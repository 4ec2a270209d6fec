-- stack-boxes-by-size: a pallet and three boxes of clearly different sizes
-- (large, medium, small) lie on the table, in random colours and at random
-- headings. The robot stacks them into one tower in the middle of the
-- pallet: the largest box flat on the pallet, the medium one centred on it,
-- the smallest on top.
--
-- Each box's size is drawn from its own band; the bands do not overlap, so
-- every box is smaller than the one below it in both footprint and height,
-- and the tower stands steady. The stages go from the bottom up.
local PALLET = {0.24, 0.24, 0.02}

local BANDS = {
  {name = "large",  lo = {0.11, 0.09, 0.04},    hi = {0.13, 0.11, 0.045}},
  {name = "medium", lo = {0.08, 0.065, 0.033},  hi = {0.095, 0.08, 0.038}},
  {name = "small",  lo = {0.05, 0.04, 0.025},   hi = {0.065, 0.055, 0.03}},
}

local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "stack-boxes-by-size",
  description = "Stack the three boxes of different sizes into one tower in the middle of the pallet, the "
    .. "largest at the bottom and the smallest on top.",
  assets = {"box", "pallet"},
  max_steps = 6,
  reset = function(env)
    local colors = split_colors(env)

    -- the pallet, first on the table
    local room = env:random_pose({PALLET[1], PALLET[2], 0})
    if room == nil then error("no room for the pallet") end
    local pallet = gs.pose(room.pos[1], room.pos[2], 0, gs.yaw(room))
    env:add("pallet", pallet, {size = PALLET, color = colors[1], fixed = true})

    -- the three boxes, scattered on the table
    local boxes, sizes = {}, {}
    for i, band in ipairs(BANDS) do
      sizes[i] = env:random_size(band.lo, band.hi)
      local p = env:random_pose(sizes[i])
      if p == nil then error("no room for the boxes") end
      boxes[i] = env:add("box", p, {size = sizes[i], color = colors[i + 1]})
    end

    -- the tower in the middle of the pallet, bottom up
    local z = PALLET[3]
    for i, band in ipairs(BANDS) do
      local h = sizes[i][3]
      local target = gs.multiply(pallet, gs.pose(0, 0, z + h / 2, 0))
      z = z + h
      local where = i == 1 and "in the middle of the pallet" or ("on the " .. colors[i] .. " box")
      env:goal{objects = {boxes[i]}, targets = {target}, rotations = false, tolerance = 0.015,
               reward = 1 / 3,
               lang = ("put the %s %s box %s"):format(band.name, colors[i + 1], where)}
    end
  end,
}
