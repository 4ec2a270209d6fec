-- expect-ok: metamethods set on the task table after the check never run
local t = task {
  name = "checked-metatable",
  description = "a task table given looping metamethods after the check",
  assets = {"block"},
  max_steps = 2,
  reset = function(env)
    local b = env:add("block", gs.pose(0.4, 0, 0.02))
    env:goal{objects = {b}, targets = {gs.pose(0.6, 0.1, 0.02)}, rotations = false}
  end,
}
for k in pairs(t) do rawset(t, k, nil) end
return setmetatable(t, {__index = function() while true do end end,
                        __newindex = function() while true do end end,
                        __len = function() while true do end end})
