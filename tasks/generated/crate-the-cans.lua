-- crate-the-cans: an open crate (a thin-walled container) stands on the
-- table, just big enough for a grid of cans (upright cylinders) standing
-- side by side; that many cans lie scattered around it. The robot stands
-- every can in the crate, one per slot of the grid, so that they all fit: a
-- can dropped in the middle would leave no room for the rest.
--
-- The grid is cols x 2 slots of pitch 2 r + 12 mm; the crate's inside is the
-- grid plus 1 cm, its walls 6 mm thick, its floor 6 mm up. The cans stand a
-- little taller than the crate's rim.
local WALL, FLOOR = 0.006, 0.006

local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "crate-the-cans",
  description = "Stand every upright cylinder (can) in the open crate, packed side by side in a neat grid so "
    .. "that they all fit.",
  assets = {"cylinder", "container"},
  max_steps = 10,
  reset = function(env)
    local colors = split_colors(env)
    local cols, rows = env.rng:int(2, 3), 2
    local r = env.rng:uniform(0.018, 0.022)
    local h = env.rng:uniform(0.06, 0.07)
    local pitch = 2 * r + 0.012
    local size = {cols * pitch + 0.01 + 2 * WALL, rows * pitch + 0.01 + 2 * WALL, 0.05}

    -- the crate, first on the table
    local room = env:random_pose({size[1], size[2], 0})
    if room == nil then error("no room for the crate") end
    local crate = gs.pose(room.pos[1], room.pos[2], 0, gs.yaw(room))
    env:add("container", crate, {size = size, color = colors[1]})

    -- its slots, on the floor inside
    local slots = {}
    for i = 1, cols do
      for j = 1, rows do
        local x = (i - (cols + 1) / 2) * pitch
        local y = (j - (rows + 1) / 2) * pitch
        slots[#slots + 1] = gs.multiply(crate, gs.pose(x, y, FLOOR + h / 2, 0))
      end
    end

    -- one can per slot, upright on the table around the crate
    local cans = {}
    for k = 1, #slots do
      local p = env:random_pose({2 * r, 2 * r, h})
      if p == nil then error("no room for the cans") end
      cans[k] = env:add("cylinder", p, {radius = r, height = h, color = env.rng:choice({colors[2], colors[3], colors[4]})})
    end

    env:goal{objects = cans, targets = slots, matches = "any", rotations = false, reward = 1,
             lang = ("pack all the cans upright into the %s crate"):format(colors[1])}
  end,
}
