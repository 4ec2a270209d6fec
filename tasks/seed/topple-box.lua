-- Continuous control: a tall box stands on its end; the cup pushes it over
-- (it must come to lie tilted more than 60 degrees from upright).
local function up_z(pose)
  local q = pose.rot
  return 1 - 2 * (q[1] * q[1] + q[2] * q[2])
end

return task {
  name = "topple-box",
  description = "Push the tall box over so that it lies on its side.",
  assets = {"box"},
  control = "continuous",
  max_steps = 30,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local x, y = env.rng:uniform(0.4, 0.6), env.rng:uniform(-0.15, 0.15)
    local box = env:add("box", gs.pose(x, y, 0.06, env.rng:uniform(0, math.pi / 2)),
                        {size = {0.04, 0.04, 0.12}, color = env.rng:choice(palette)})
    local lying = gs.pose(x, y, 0.02, 0)
    env:goal{objects = {box}, metric = "zone", zone = {pose = lying, size = {0.5, 0.5, 0.09}},
             lang = "push the tall box over"}
  end,
  reward = function(env)
    local box = env:pose(env:objects()[1])
    local cup = env:gripper_pose().pos
    local tilt = 1 - up_z(box)
    -- near the top of the box, where a push tips it
    local reach = math.sqrt((cup[1] - box.pos[1]) ^ 2 + (cup[2] - box.pos[2]) ^ 2 + (cup[3] - 0.09) ^ 2)
    local ok = up_z(box) < 0.5
    return 2 * tilt - 0.5 * reach - 1 + (ok and 10 or 0), ok, {tilt = tilt, reach = reach}
  end,
  success = function(env)
    return up_z(env:pose(env:objects()[1])) < 0.5
  end,
}
