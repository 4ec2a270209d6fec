-- One upright cylinder lies somewhere on the table; it must be picked up and
-- stood upright on top of the low stand.
return task {
  name = "place-cylinder-on-stand",
  description = "Pick up the cylinder and stand it upright on the stand.",
  assets = {"cylinder", "stand"},
  max_steps = 3,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local names = {}
    for i, c in ipairs(palette) do names[i] = c end
    env.rng:shuffle(names)
    local cyl_color, stand_color = names[1], names[2]

    -- the stand: a low platform, posed at the centre of its base on the table
    local stand_h = env.rng:uniform(0.02, 0.04)
    local stand_w = env.rng:uniform(0.09, 0.12)
    local stand_size = {stand_w, stand_w, stand_h}
    local stand_pose = env:random_pose({stand_w, stand_w, 0})
    assert(stand_pose, "no room for the stand")
    local stand = env:add("stand", stand_pose, {size = stand_size, color = stand_color, fixed = true})

    -- the cylinder: upright on the table, clear of the stand
    local radius = env.rng:uniform(0.018, 0.025)
    local height = env.rng:uniform(0.05, 0.08)
    local cyl_pose = env:random_pose({2 * radius, 2 * radius, height})
    assert(cyl_pose, "no room for the cylinder")
    local cyl = env:add("cylinder", cyl_pose, {radius = radius, height = height, color = cyl_color})

    -- it rests on the stand's top: stand z (0) + stand height + half its own height
    local sp = env:pose(stand)
    local target = gs.pose(sp.pos[1], sp.pos[2], sp.pos[3] + stand_h + height / 2, 0)
    env:goal{objects = {cyl}, targets = {target}, matches = "pairs", rotations = false,
             tolerance = 0.02, metric = "pose", reward = 1,
             lang = ("put the %s cylinder on the %s stand"):format(cyl_color, stand_color)}
  end,
}
