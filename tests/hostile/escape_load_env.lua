-- expect: undefined global 'io'
return task {
  name = "escape-load-env",
  description = "load looking for the host's globals",
  assets = {"block"},
  max_steps = 1,
  reset = function(env)
    local f = load("return io")
    return f().open("/tmp/gensim-escape", "w")
  end,
}
