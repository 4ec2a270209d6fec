-- expect: time limit exceeded
-- a thousand long comparisons on one line: no line event between them
return task {
  name = "c-compare-one-line",
  description = "long string comparisons packed on one line",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local a = string.rep("y", 1 << 24)
    local b = a .. "z"
    local c = a .. "y"
    local f = load("local a, b = ... return " .. string.rep("(a < b) and ", 2000) .. "true")
    while true do f(a, b) f(b, c) end
  end,
}
