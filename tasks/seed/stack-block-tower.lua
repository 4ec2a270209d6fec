-- CLIPort-style stack-block-tower: three to five blocks of named colours are
-- stacked on a stand in a stated order, the first named at the bottom;
-- blocks of other colours lie about as distractors. One goal per level,
-- scored in order, so a block counts only once the ones below it are right.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing.
local colors = require "ravens.colors"

local BLOCK = {0.04, 0.04, 0.04}
local STAND = {0.08, 0.08, 0.01}

return task {
  name = "stack-block-tower",
  description = "Stack the blocks of the named colours into a tower on the stand, in the stated order "
    .. "from the bottom up, leaving the other blocks where they are.",
  assets = {"block", "stand"},
  max_steps = 8,
  reset = function(env)
    local picked = colors.shuffled(env)
    local n = env.rng:int(3, 5)
    local stand_color = picked[#picked]

    local stand = env:add("stand", env:random_pose(STAND), {size = STAND, color = stand_color, fixed = true})
    local blocks, names = {}, {}
    for i = 1, n do
      blocks[i] = env:add("block", assert(env:random_pose(BLOCK)), {color = picked[i]})
      names[i] = picked[i]
    end
    -- distractors: blocks of the colours left over (never the stand's), where there is room
    for k = n + 1, math.min(n + env.rng:int(1, 2), #picked - 1) do
      local pose = env:random_pose(BLOCK)
      if pose then env:add("block", pose, {color = picked[k]}) end
    end

    local base = env:pose(stand)
    local order = ("stack the %s blocks on the stand in that order, %s at the bottom")
      :format(colors.list(names), names[1])
    for i = 1, n do
      local target = gs.multiply(base, gs.pose(0, 0, STAND[3] + BLOCK[3] * (i - 0.5), 0))
      local lang = i == 1 and order .. ": first put the " .. names[1] .. " block on the stand"
        or ("%s, put the %s block on the %s block"):format(i == n and "finally" or "then", names[i], names[i - 1])
      env:goal{objects = {blocks[i]}, targets = {target}, matches = "pairs", rotations = true,
               tolerance = 0.015, metric = "pose", reward = 1 / n, lang = lang}
    end
  end,
}
