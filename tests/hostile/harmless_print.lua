-- expect-ok: a task that prints a little and works
return task {
  name = "harmless-print",
  description = "a normal task that prints a line",
  assets = {"block"},
  max_steps = 2,
  reset = function(env)
    print("hello from the task", 1, nil, true)
    local b = env:add("block", gs.pose(0.4, 0, 0.02))
    env:goal{objects = {b}, targets = {gs.pose(0.6, 0.1, 0.02)}, rotations = false}
  end,
}
