-- Red blocks go into green bowls; blocks and bowls of other colours distract.
return task {
  name = "place-red-in-green",
  description = "Put every red block into a green bowl, ignoring the other blocks and bowls.",
  assets = {"block", "bowl"},
  max_steps = 10,
  reset = function(env)
    local bowl_size = {0.14, 0.14, 0}
    local bowls = {}
    for _ = 1, env.rng:int(1, 2) do
      bowls[#bowls + 1] = env:add("bowl", env:random_pose(bowl_size), {color = "green"})
    end
    local blocks = {}
    for _ = 1, env.rng:int(1, #bowls) do
      blocks[#blocks + 1] = env:add("block", env:random_pose({0.04, 0.04, 0.04}), {color = "red"})
    end
    -- distractors: any colour of the episode's split (seen colours when
    -- training, unseen when testing) but red and green, where there is room
    local others = {}
    for _, name in ipairs(env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS) do
      if name ~= "red" and name ~= "green" then others[#others + 1] = name end
    end
    for _ = 1, env.rng:int(1, 4) do
      local kind = env.rng:choice({"block", "bowl"})
      local size = kind == "bowl" and bowl_size or {0.04, 0.04, 0.04}
      local pose = env:random_pose(size)
      if pose then env:add(kind, pose, {color = env.rng:choice(others)}) end
    end
    env:goal{objects = blocks, targets = env:poses(bowls), matches = "any", replace = false,
             rotations = false, tolerance = 0.03, metric = "pose", reward = 1,
             lang = "put the red blocks in a green bowl"}
  end,
}
