-- CLIPort's put-block-in-bowl: one to three bowls of one colour, as many or
-- fewer blocks of another colour, and blocks and bowls of the remaining
-- colours as distractors. Every block of the named colour must end up in a
-- bowl of the named colour, one block per bowl.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing.
local colors = require "ravens.colors"
local scatter = require "ravens.scatter"

local BOWL = {0.14, 0.14, 0}
local BLOCK = {0.04, 0.04, 0.04}

return task {
  name = "put-block-in-bowl",
  description = "Put the blocks of the named colour into bowls of the named colour, one block per bowl, "
    .. "ignoring blocks and bowls of other colours.",
  assets = {"block", "bowl"},
  max_steps = 6,
  reset = function(env)
    local picked = colors.shuffled(env)
    local block_color, bowl_color = picked[1], picked[2]

    -- the bowls and blocks the goal names; the bowls come first, while the
    -- table is empty, so there is always room for at least one of each
    local bowls = scatter.some(env, "bowl", env.rng:int(1, 3), BOWL, {color = bowl_color})
    local blocks = scatter.some(env, "block", env.rng:int(1, #bowls), BLOCK, {color = block_color})

    -- distractors in the other colours, only where there is room: a distractor
    -- block is never of the named block colour, a distractor bowl never of the
    -- named bowl colour
    local others = {table.unpack(picked, 3)}
    scatter.distractors(env, env.rng:int(1, 5), {"block", "bowl"}, {block = BLOCK, bowl = BOWL}, others)

    -- a block is in a bowl when its centre is within the bowl's floor (radius
    -- 7 cm less the 6 mm wall) less half a block: 4.4 cm of the bowl's centre;
    -- blocks do slide about on a bowl's floor after they are dropped there
    local lang = ("put the %s blocks in a %s bowl"):format(block_color, bowl_color)
    env:goal{objects = blocks, targets = env:poses(bowls), matches = "any", replace = false,
             rotations = false, tolerance = 0.044, metric = "pose", reward = 1, lang = lang}
  end,
}
