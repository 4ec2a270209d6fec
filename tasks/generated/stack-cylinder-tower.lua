-- Three cylinders of different colours lie on the table; they must be stacked
-- upright into a tower on the stand, in the named colour order from the
-- bottom up. Each level is its own stage, so the tower grows from the bottom.
return task {
  name = "stack-cylinder-tower",
  description = "Stack three cylinders into an upright tower on the stand, in the stated colour order from the bottom up.",
  assets = {"cylinder", "stand"},
  max_steps = 8,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local names = {}
    for i, c in ipairs(palette) do names[i] = c end
    env.rng:shuffle(names)
    local stand_color = names[4]

    -- the stand: a low platform, posed at the centre of its base on the table
    local stand_h = env.rng:uniform(0.02, 0.03)
    local stand_w = env.rng:uniform(0.09, 0.12)
    local stand_pose = env:random_pose({stand_w, stand_w, 0})
    assert(stand_pose, "no room for the stand")
    local stand = env:add("stand", stand_pose,
      {size = {stand_w, stand_w, stand_h}, color = stand_color, fixed = true})

    -- three squat cylinders of one radius, so the tower stands steadily
    local radius = env.rng:uniform(0.022, 0.027)
    local cyls, heights = {}, {}
    for i = 1, 3 do
      heights[i] = env.rng:uniform(0.035, 0.05)
      local p = env:random_pose({2 * radius, 2 * radius, heights[i]})
      assert(p, "no room for a cylinder")
      cyls[i] = env:add("cylinder", p, {radius = radius, height = heights[i], color = names[i]})
    end

    local sp = env:pose(stand)
    local x, y = sp.pos[1], sp.pos[2]
    local z = sp.pos[3] + stand_h
    local order = ("%s, %s, %s"):format(names[1], names[2], names[3])
    for i = 1, 3 do
      local target = gs.pose(x, y, z + heights[i] / 2, 0)
      z = z + heights[i]
      local lang
      if i == 1 then
        lang = ("put the %s cylinder on the %s stand"):format(names[1], stand_color)
      else
        lang = ("stack the %s cylinder on the %s cylinder"):format(names[i], names[i - 1])
      end
      env:goal{objects = {cyls[i]}, targets = {target}, matches = "pairs", rotations = false,
               tolerance = 0.02, metric = "pose", reward = 1 / 3,
               lang = lang .. " (tower from the bottom up: " .. order .. ")"}
    end
  end,
}
