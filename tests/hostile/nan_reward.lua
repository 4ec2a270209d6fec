-- expect: reward(env) must return
return task {
  name = "nan-reward",
  description = "a reward that is not a number",
  assets = {"block"},
  max_steps = 2,
  reset = function(env)
    local b = env:add("block", gs.pose(0.4, 0, 0.02))
    env:goal{objects = {b}, targets = {gs.pose(0.6, 0.1, 0.02)}, rotations = false}
  end,
  reward = function(env) return 0 / 0, false end,
}
