-- expect-ok: max_steps raised past its range after the check is not seen
local t = task {
  name = "checked-max-steps",
  description = "max_steps raised after task{} checked it",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local b = env:add("block", gs.pose(0.4, 0, 0.02))
    env:goal{objects = {b}, targets = {gs.pose(0.6, 0.1, 0.02)}, rotations = false}
  end,
  oracle = function(env, obs)
    return {pick = gs.pose(0.4, 0.3, 0.02), place = gs.pose(0.4, 0.35, 0.02)}
  end,
}
t.max_steps = 1e15
return t
