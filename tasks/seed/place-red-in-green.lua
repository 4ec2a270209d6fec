-- Red blocks go into green bowls; blocks and bowls of other colours distract.
local colors = require "ravens.colors"
local scatter = require "ravens.scatter"

return task {
  name = "place-red-in-green",
  description = "Put every red block into a green bowl, ignoring the other blocks and bowls.",
  assets = {"block", "bowl"},
  max_steps = 10,
  reset = function(env)
    local bowl_size = {0.14, 0.14, 0}
    local block_size = {0.04, 0.04, 0.04}
    local bowls = scatter.some(env, "bowl", env.rng:int(1, 2), bowl_size, {color = "green"})
    local blocks = scatter.some(env, "block", env.rng:int(1, #bowls), block_size, {color = "red"})
    -- distractors: any colour of the episode's split (seen colours when
    -- training, unseen when testing) but red and green, where there is room
    local others = colors.without(colors.palette(env), "red", "green")
    scatter.distractors(env, env.rng:int(1, 4), {"block", "bowl"}, {block = block_size, bowl = bowl_size}, others)
    env:goal{objects = blocks, targets = env:poses(bowls), matches = "any", replace = false,
             rotations = false, tolerance = 0.03, metric = "pose", reward = 1,
             lang = "put the red blocks in a green bowl"}
  end,
}
