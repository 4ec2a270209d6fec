-- expect: limit exceeded
return task {
  name = "c-unpack-huge",
  description = "unpacking a range far larger than the stack",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    return table.unpack({}, 1, 1 << 40)
  end,
}
