-- expect: limit exceeded
-- env.rng:shuffle loops in C over the whole list
return task {
  name = "c-shuffle-huge",
  description = "shuffling a long list over and over",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local t = {}
    for i = 1, 1 << 21 do t[i] = i end
    while true do env.rng:shuffle(t) end
  end,
}
