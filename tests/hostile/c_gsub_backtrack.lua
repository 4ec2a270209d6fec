-- expect: limit exceeded
return task {
  name = "c-gsub-backtrack",
  description = "a pattern that backtracks without end",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local s = string.rep("a", 1 << 16)
    return s:gsub("a*a*a*a*a*a*b", "")
  end,
}
