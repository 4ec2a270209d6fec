-- Three squat cylinders of clearly different widths stand about the table
-- with a stand; the robot stacks them into one column on the stand, widest
-- at the bottom, narrowest on top.
local STAND = {0.1, 0.1, 0.03}

return task {
  name = "stack-cylinders-by-width",
  description = "Stack the three cylinders into one column on the stand, the widest at the bottom and the narrowest on top.",
  assets = {"cylinder", "stand"},
  max_steps = 8,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local colors = env.rng:shuffle({table.unpack(palette)})

    local sp = env:random_pose(STAND)
    if sp == nil then return nil end
    sp.pos[3] = 0
    env:add("stand", sp, {size = STAND, color = colors[1]})

    -- widest first
    local specs = {
      {radius = env.rng:uniform(0.033, 0.038), height = env.rng:uniform(0.03, 0.04)},
      {radius = env.rng:uniform(0.026, 0.029), height = env.rng:uniform(0.03, 0.04)},
      {radius = env.rng:uniform(0.019, 0.022), height = env.rng:uniform(0.03, 0.04)},
    }
    -- added in a random order, so the order of addition gives nothing away
    local order = env.rng:shuffle({1, 2, 3})
    local cyl = {}
    for k, i in ipairs(order) do
      local s = specs[i]
      local p = env:random_pose({2 * s.radius, 2 * s.radius, s.height})
      if p == nil then return nil end
      cyl[i] = env:add("cylinder", p, {radius = s.radius, height = s.height, color = colors[1 + k]})
    end

    local names = {"the widest cylinder on the stand", "the middle cylinder on the widest one",
                   "the narrowest cylinder on top"}
    local z = STAND[3]
    local given = 0
    for i = 1, 3 do
      local h = specs[i].height
      local r = i < 3 and 1 / 3 or 1 - given
      given = given + r
      env:goal{objects = {cyl[i]}, targets = {gs.pose(sp.pos[1], sp.pos[2], z + h / 2, 0)}, matches = "pairs",
               rotations = false, reward = r, lang = "put " .. names[i]}
      z = z + h
    end
  end,
}
