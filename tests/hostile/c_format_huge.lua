-- expect: limit exceeded
return task {
  name = "c-format-huge",
  description = "string.format copying a long string over and over",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local s = string.rep("q", 1 << 23)
    while true do local _ = string.format("%s%s%s%s", s, s, s, s) end
  end,
}
