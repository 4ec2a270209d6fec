-- Continuous control with the suction: the cup comes down onto a block,
-- turns the suction on, and lifts the block 8 cm off the table.
local HEIGHT = 0.1

return task {
  name = "lift-block",
  description = "Grip the block with the suction cup and lift it well clear of the table.",
  assets = {"block"},
  control = "continuous",
  max_steps = 30,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local block = env:add("block", gs.pose(env.rng:uniform(0.4, 0.6), env.rng:uniform(-0.15, 0.15), 0.02,
                                           env.rng:uniform(0, math.pi / 2)), {color = env.rng:choice(palette)})
    local above = env:pose(block)
    above.pos[3] = HEIGHT + 0.02
    env:goal{objects = {block}, metric = "zone", zone = {pose = above, size = {0.3, 0.3, 0.04}},
             lang = "lift the block"}
  end,
  reward = function(env)
    local block = env:pose(env:objects()[1]).pos
    local cup = env:gripper_pose().pos
    local reach = math.sqrt((cup[1] - block[1]) ^ 2 + (cup[2] - block[2]) ^ 2 + (cup[3] - block[3] - 0.02) ^ 2)
    local lift = math.min(block[3] - 0.02, HEIGHT)
    local ok = block[3] > HEIGHT
    -- every step short of success costs (the height still to go, the reach):
    -- a reward that paid for height each step made hovering just below the
    -- line worth more than crossing it, which ends the episode
    return 4 * (lift - HEIGHT) - 0.5 * reach + (ok and 10 or 0), ok, {lift = lift, reach = reach}
  end,
  success = function(env)
    return env:pose(env:objects()[1]).pos[3] > HEIGHT
  end,
}
