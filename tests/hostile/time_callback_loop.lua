-- expect: time limit exceeded
-- args: --max-instructions 100000000000
return task {
  name = "time-callback-loop",
  description = "a reward function that never returns",
  assets = {"block"},
  max_steps = 2,
  reset = function(env)
    local b = env:add("block", gs.pose(0.4, 0, 0.02))
    env:goal{objects = {b}, targets = {gs.pose(0.6, 0.1, 0.02)}, rotations = false}
  end,
  reward = function(env) while true do end end,
}
