-- A laptop stands open on the table at a random angle; the robot takes the
-- top edge of its screen and folds the lid down until it is shut.
return task {
  name = "close-laptop",
  description = "Fold the open laptop's screen down until the lid is shut.",
  assets = {"urdf"},
  max_steps = 4,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local scale = env.rng:uniform(0.85, 1.0)
    -- room for the laptop and for its screen swinging down
    local pose = env:random_pose({0.34 * scale, 0.34 * scale, 0.1})
    if pose == nil then return nil end
    pose.pos[3] = 0
    local laptop = env:add("urdf", pose, {file = "scenes/laptop.urdf", scale = scale, fixed = true,
                                          friction = 0.3, color = env.rng:choice(palette)})
    -- the lid starts open somewhere between half and most of its range;
    -- friction keeps it there until the robot moves it
    env:set_joint(laptop, "lid", env.rng:uniform(0.5, 0.85))

    env:goal{objects = {laptop}, metric = "joint", joint = "lid", target = 0, tolerance = 0.05, reward = 1,
             lang = "close the laptop"}
  end,
}
