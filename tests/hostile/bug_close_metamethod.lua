-- expect: __close
return task {
  name = "bug-close-metamethod",
  description = "a __close metamethod set through setmetatable",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local t = setmetatable({}, {__close = function() end})
    return t
  end,
}
