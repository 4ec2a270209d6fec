-- expect: undefined global 'debug'
return task {
  name = "escape-rawget-registry",
  description = "reaching the registry",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    return debug.getregistry()
  end,
}
