-- expect-ok: task{} took a snapshot; changing the table afterwards changes nothing
local t = task {
  name = "checked-name-nil",
  description = "a table changed after task{} checked it",
  assets = {"block"},
  max_steps = 2,
  reset = function(env)
    local b = env:add("block", gs.pose(0.4, 0, 0.02))
    env:goal{objects = {b}, targets = {gs.pose(0.6, 0.1, 0.02)}, rotations = false}
  end,
}
t.name = nil
t.description = {}
t.assets = 42
return t
