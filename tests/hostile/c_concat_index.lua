-- expect: limit exceeded
-- table.concat calls __index (a C function here) once per element, in C
return task {
  name = "c-concat-index",
  description = "table.concat over a table whose every element is made by a C function",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local t = setmetatable({}, {__index = rawlen})
    while true do local _ = table.concat(t, "", 1, 1 << 40) end
  end,
}
