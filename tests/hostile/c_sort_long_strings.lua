-- expect: limit exceeded
-- every comparison of two long equal-prefix strings costs their length, in C
return task {
  name = "c-sort-long-strings",
  description = "sorting long strings, each comparison a long memcmp",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local base = string.rep("x", 1 << 20)
    local t = {}
    for i = 1, 40 do t[i] = base .. string.char(64 + (i * 7) % 50) end
    while true do table.sort(t, nil) table.sort(t, function(a, b) return a > b end) end
  end,
}
