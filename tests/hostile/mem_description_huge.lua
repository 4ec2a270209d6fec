-- expect: 'description'
return task {
  name = "mem-description-huge",
  description = string.rep("a task described at great length ", 1 << 16),
  assets = {"block"},
  max_steps = 1,
  reset = function(env) end,
}
