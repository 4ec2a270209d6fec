-- Two cylinders of different colours lie on the table; the named one goes
-- upright onto the stand first, then the other one upright on top of it.
return task {
  name = "stack-two-cylinders",
  description = "Stand one cylinder upright on the stand and then stack the second cylinder upright on top of it.",
  assets = {"cylinder", "stand"},
  max_steps = 5,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local names = {}
    for i, c in ipairs(palette) do names[i] = c end
    env.rng:shuffle(names)
    local bottom_color, top_color, stand_color = names[1], names[2], names[3]

    -- the stand: a low platform, posed at the centre of its base on the table
    local stand_h = env.rng:uniform(0.02, 0.035)
    local stand_w = env.rng:uniform(0.09, 0.12)
    local stand_pose = env:random_pose({stand_w, stand_w, 0})
    assert(stand_pose, "no room for the stand")
    local stand = env:add("stand", stand_pose,
      {size = {stand_w, stand_w, stand_h}, color = stand_color, fixed = true})

    -- two squat cylinders of one radius, so the stack stands steadily
    local radius = env.rng:uniform(0.02, 0.026)
    local heights = {env.rng:uniform(0.04, 0.06), env.rng:uniform(0.04, 0.06)}
    local colors_ = {bottom_color, top_color}
    local cyls = {}
    for i = 1, 2 do
      local p = env:random_pose({2 * radius, 2 * radius, heights[i]})
      assert(p, "no room for a cylinder")
      cyls[i] = env:add("cylinder", p, {radius = radius, height = heights[i], color = colors_[i]})
    end

    local sp = env:pose(stand)
    local x, y, z0 = sp.pos[1], sp.pos[2], sp.pos[3] + stand_h
    local bottom_target = gs.pose(x, y, z0 + heights[1] / 2, 0)
    local top_target = gs.pose(x, y, z0 + heights[1] + heights[2] / 2, 0)

    env:goal{objects = {cyls[1]}, targets = {bottom_target}, matches = "pairs", rotations = false,
             tolerance = 0.02, metric = "pose", reward = 0.5,
             lang = ("put the %s cylinder on the %s stand"):format(bottom_color, stand_color)}
    env:goal{objects = {cyls[2]}, targets = {top_target}, matches = "pairs", rotations = false,
             tolerance = 0.02, metric = "pose", reward = 0.5,
             lang = ("stack the %s cylinder on the %s cylinder"):format(top_color, bottom_color)}
  end,
}
