-- expect: must end with 'return task{...}'
local t = task {
  name = "checked-other-table",
  description = "a table that task{} never saw",
  assets = {"block"},
  max_steps = 2,
  reset = function(env) end,
}
local copy = {}
for k, v in pairs(t) do copy[k] = v end
return copy
