-- expect: time limit exceeded
-- args: --max-instructions 100000000000
-- string.lower over a long string, many times on one line: the deadline
-- holds with no line event between the calls (the instruction budget is
-- lifted, as the calls' charges would reach it first on a fast machine)
return task {
  name = "c-lower-one-line",
  description = "long string functions packed on one line",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local s = string.rep("Ab", 1 << 22)
    local f = load("local s = ... " .. string.rep("s:lower() s:upper() s:reverse() utf8.len(s) ", 300))
    while true do f(s) end
  end,
}
