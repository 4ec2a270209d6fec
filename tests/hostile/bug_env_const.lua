-- expect: _ENV
-- Lua 5.4.4: wrong code when _ENV is <const>
return task {
  name = "bug-env-const",
  description = "a constant _ENV",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local _ENV <const> = {x = 1}
    return x
  end,
}
