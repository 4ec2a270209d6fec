-- expect: too large
return task {
  name = "c-rep-huge",
  description = "a string far larger than the memory cap",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local s = string.rep("x", 1 << 40)
    return #s
  end,
}
