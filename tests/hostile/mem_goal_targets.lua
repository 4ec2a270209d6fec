-- expect: memory limit exceeded
-- args: --max-memory-mb 16 --timeout-s 10
-- goals whose targets and matrices the host holds outside the Lua heap
return task {
  name = "mem-goal-targets",
  description = "many goals of many targets each",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local objs = {}
    for i = 1, 40 do objs[i] = env:add("block", gs.pose(0.3 + (i % 8) * 0.05, -0.4 + (i // 8) * 0.06, 0.02)) end
    local targets = {}
    for j = 1, 4096 do targets[j] = gs.pose(0.5, 0, 0.02) end
    for k = 1, 64 do
      env:goal{objects = objs, targets = targets, reward = 1 / 64, lang = string.rep("g", 1000)}
    end
  end,
}
