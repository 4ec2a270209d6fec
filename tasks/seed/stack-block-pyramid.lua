-- Six blocks become a 3-2-1 pyramid on a thin stand, one layer per stage.
local colors = require "ravens.colors"

return task {
  name = "stack-block-pyramid",
  description = "Build a pyramid of six blocks on the stand: three at the bottom, two in the middle, one on top.",
  assets = {"block", "stand"},
  max_steps = 12,
  reset = function(env)
    local base_size = {0.05, 0.15, 0.005}
    local base = env:add("stand", env:random_pose({0.05, 0.15, 0}), {size = base_size, color = "gray"})
    -- seen colours when training, unseen when testing
    local names = colors.shuffled(env)
    local blocks = {}
    for i = 1, 6 do
      blocks[i] = env:add("block", env:random_pose({0.04, 0.04, 0.04}), {color = names[i]})
    end
    local base_pose = env:pose(base)
    local function at(y, layer)
      return gs.multiply(base_pose, gs.pose(0, y, base_size[3] + 0.02 + 0.04 * layer, 0))
    end
    local layers = {
      {objects = {1, 2, 3}, targets = {at(-0.045, 0), at(0, 0), at(0.045, 0)}, reward = 1 / 2,
       lang = "make the bottom row of the pyramid"},
      {objects = {4, 5}, targets = {at(-0.0225, 1), at(0.0225, 1)}, reward = 1 / 3,
       lang = "make the middle row of the pyramid"},
      {objects = {6}, targets = {at(0, 2)}, reward = 1 / 6,
       lang = "put the last block on top of the pyramid"},
    }
    for _, layer in ipairs(layers) do
      local objs = {}
      for k, i in ipairs(layer.objects) do objs[k] = blocks[i] end
      env:goal{objects = objs, targets = layer.targets, matches = "any", replace = false,
               rotations = true, tolerance = 0.015, reward = layer.reward, lang = layer.lang}
    end
  end,
}
