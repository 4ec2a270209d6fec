-- expect-ok: the callbacks are the functions task{} saw
local t = task {
  name = "checked-reset-swapped",
  description = "callbacks swapped after task{} checked them",
  assets = {"block"},
  max_steps = 2,
  reset = function(env)
    local b = env:add("block", gs.pose(0.4, 0, 0.02))
    env:goal{objects = {b}, targets = {gs.pose(0.6, 0.1, 0.02)}, rotations = false}
  end,
}
t.reset = nil
t.oracle = "not a function"
t.reward = function() return 2, "yes" end
return t
