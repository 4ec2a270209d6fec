-- expect-ok: a name changed to a path after the check never reaches a file name
-- args: --render @OUT@/pics
local t = task {
  name = "checked-name-traversal",
  description = "a name changed after task{} checked it",
  assets = {"block"},
  max_steps = 2,
  reset = function(env)
    local b = env:add("block", gs.pose(0.4, 0, 0.02))
    env:goal{objects = {b}, targets = {gs.pose(0.6, 0.1, 0.02)}, rotations = false}
  end,
}
t.name = "../../../../../../tmp/gensim-escape"
return t
