-- expect: limit exceeded
return task {
  name = "time-oracle-loop",
  description = "an oracle that never returns",
  assets = {"block"},
  max_steps = 2,
  reset = function(env)
    local b = env:add("block", gs.pose(0.4, 0, 0.02))
    env:goal{objects = {b}, targets = {gs.pose(0.6, 0.1, 0.02)}, rotations = false}
  end,
  oracle = function(env, obs) local t = {} while true do t[#t % 1000 + 1] = obs end end,
}
