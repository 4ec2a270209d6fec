-- expect: 'lang' is
return task {
  name = "mem-lang-huge",
  description = "a goal whose language the host would copy",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local b = env:add("block", gs.pose(0.4, 0, 0.02))
    env:goal{objects = {b}, targets = {gs.pose(0.6, 0.1, 0.02)}, lang = string.rep("go ", 1 << 22)}
  end,
}
