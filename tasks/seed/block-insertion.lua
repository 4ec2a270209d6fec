-- Ravens' block-insertion: an L-shaped block lies somewhere on the table and
-- must be inserted into the fixed L-shaped socket (the `fixture` made for an
-- ell of its footprint). The ell has no symmetry, so the insertion must get
-- the yaw right as well as the position.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing.
local colors = require "ravens.colors"

-- what build_fixture adds around the ell's footprint: a 6 mm gap and a 2 cm
-- rim on every side
local FIXTURE_MARGIN = 2 * (0.006 + 0.02)

return task {
  name = "block-insertion",
  description = "Pick up the L-shaped block and insert it into the L-shaped fixture, turned to fit the socket.",
  assets = {"ell", "fixture"},
  max_steps = 3,
  reset = function(env)
    local size = env:random_size({0.07, 0.07, 0.035}, {0.10, 0.10, 0.05})
    local names = colors.shuffled(env)
    local ell_color, fixture_color = names[1], names[2]

    -- the socket is a little lower than the block, so an inserted block shows
    local fixture_size = {size[1], size[2], size[3] * 0.75}
    local fixture = env:add("fixture",
      env:random_pose({size[1] + FIXTURE_MARGIN, size[2] + FIXTURE_MARGIN, 0}),
      {size = fixture_size, color = fixture_color, fixed = true})
    local ell = env:add("ell", env:random_pose(size), {size = size, color = ell_color})

    -- the ell fits the cavity when it sits at the fixture's pose, on the table
    local target = gs.multiply(env:pose(fixture), gs.pose(0, 0, size[3] / 2, 0))
    env:goal{objects = {ell}, targets = {target}, matches = "pairs", rotations = true,
             tolerance = 0.01, metric = "pose", reward = 1,
             lang = ("insert the %s L-shaped block into the %s fixture"):format(ell_color, fixture_color)}
  end,
}
