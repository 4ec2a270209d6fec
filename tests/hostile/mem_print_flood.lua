-- expect: instruction limit exceeded
-- args: --max-instructions 20000000 --timeout-s 10
-- a flood of printed lines: the log keeps a bounded part, and each line is
-- charged to the instruction budget by its length, so the flood ends on that
-- budget (a tenth of the default, met in well under a second, and in a few
-- seconds under the sanitizers) long before the time limit, on any machine
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
