-- expect: error
-- Lua 5.4.4: Lua-stack overflow when C stack overflows while handling an error
return task {
  name = "bug-error-handling",
  description = "errors raised while handling errors, deeply",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local function loop(x) return 1 + loop(x) end
    local ok, msg = xpcall(loop, loop)
    error(msg)
  end,
}
