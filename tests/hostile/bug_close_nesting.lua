-- expect: to-be-closed
-- Lua 5.4.4: C-stack overflow with deep nesting of coroutine.close (__close)
return task {
  name = "bug-close-nesting",
  description = "coroutine.close nested through __close",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local function loop()
      local co = coroutine.create(function()
        local x <close> = setmetatable({}, {__close = function() loop() end})
        coroutine.yield()
      end)
      coroutine.resume(co)
      coroutine.close(co)
    end
    loop()
  end,
}
