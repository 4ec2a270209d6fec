-- A chest of two drawers stands on the table with its bottom drawer pulled
-- out and its top drawer shut; the robot pushes the bottom drawer home,
-- then pulls the top drawer all the way open.
return task {
  name = "swap-chest-drawers",
  description = "The chest's bottom drawer is open and its top drawer shut: push the bottom drawer shut, then pull the top drawer open.",
  assets = {"urdf"},
  max_steps = 4,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    -- the chest is the only object: pose it directly, in the middle band of
    -- the workspace so its drawers have room to slide out and stay in
    -- reach, turned a little at random (a footprint big enough for the
    -- drawers' sweep at any yaw does not always fit the workspace)
    local pose = gs.pose(env.rng:uniform(0.45, 0.52), env.rng:uniform(-0.25, 0.25), 0,
                         env.rng:uniform(-0.3, 0.3))
    local chest = env:add("urdf", pose, {file = "scenes/chest.urdf", fixed = true, friction = 0.2,
                                         color = env.rng:choice(palette)})
    env:set_joint(chest, "bottom_drawer", env.rng:uniform(0.6, 1.0))

    env:goal{objects = {chest}, metric = "joint", joint = "bottom_drawer", target = 0, tolerance = 0.05,
             reward = 0.5, lang = "close the bottom drawer"}
    env:goal{objects = {chest}, metric = "joint", joint = "top_drawer", target = 1, tolerance = 0.1,
             reward = 0.5, lang = "open the top drawer"}
  end,
}
