-- expect: to-be-closed
return task {
  name = "bug-close-attrib",
  description = "a to-be-closed variable",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local x <close> = nil
    return x
  end,
}
