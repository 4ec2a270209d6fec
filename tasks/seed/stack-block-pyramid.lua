-- Six blocks become a 3-2-1 pyramid on a thin stand.
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
    -- One goal over every block and every place, lowest places first for
    -- the oracle: any block may take any place. The blocks' colours are
    -- drawn at random and no goal names them, so a goal asking for three
    -- particular blocks in the bottom row would ask for something neither
    -- the scene nor the words tell (Ravens' pyramid gets away with it by
    -- giving each row fixed colours). Each block placed counts 1/6.
    local targets = {at(-0.045, 0), at(0, 0), at(0.045, 0), at(-0.0225, 1), at(0.0225, 1), at(0, 2)}
    env:goal{objects = blocks, targets = targets, matches = "any", replace = false,
             rotations = true, tolerance = 0.015, reward = 1,
             lang = "build a pyramid of the six blocks on the stand: "
               .. "three at the bottom, two in the middle, one on top"}
  end,
}
