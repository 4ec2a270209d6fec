-- expect: time limit exceeded
-- a flood of printed lines: the log keeps a bounded part
return task {
  name = "mem-print-flood",
  description = "printing without end",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local s = string.rep("p", 4096)
    while true do print(s) end
  end,
}
