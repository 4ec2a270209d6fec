-- expect: C stack overflow
return task {
  name = "bug-coroutine-depth",
  description = "coroutines resumed inside coroutines, deeply",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local function nest(n)
      return coroutine.wrap(function() return nest(n + 1)() end)
    end
    nest(0)()
  end,
}
