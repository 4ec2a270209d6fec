-- Two small zones drawn side by side a short gap apart; two blocks and a
-- long flat box lie around them. The robot stands a block on each zone as
-- a pier, then lays the box across the two piers' tops as a bridge.
local BLOCK = 0.04
local PAD = 0.05

return task {
  name = "build-block-bridge",
  description = "Stand a block on each of the two small zones drawn on the table, then lay the long flat box across their tops as a bridge.",
  assets = {"zone", "block", "box"},
  max_steps = 8,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local colors = env.rng:shuffle({table.unpack(palette)})

    -- the piers' middles are d apart; the deck is long enough to cover
    -- both piers' tops with a little to spare
    local d = env.rng:uniform(0.09, 0.12)
    local deck = {d + 0.05, env.rng:uniform(0.035, 0.045), env.rng:uniform(0.015, 0.02)}

    -- the site: room for both zones and the deck over them
    local site = env:random_pose({d + 0.1, 0.1, 0.001})
    if site == nil then return nil end
    site.pos[3] = 0
    local yaw = gs.yaw(site)
    local piers = {}
    for _, s in ipairs({-d / 2, d / 2}) do
      local w = gs.apply(site, {s, 0, 0})
      env:add("zone", gs.pose(w[1], w[2], 0, yaw), {size = {PAD, PAD, 0.001}, color = colors[1]})
      piers[#piers + 1] = gs.pose(w[1], w[2], BLOCK / 2, yaw)
    end

    local blocks = {}
    for i = 1, 2 do
      local p = env:random_pose({BLOCK, BLOCK, BLOCK})
      if p == nil then return nil end
      blocks[i] = env:add("block", p, {color = colors[2]})
    end
    local bp = env:random_pose(deck)
    if bp == nil then return nil end
    local box = env:add("box", bp, {size = deck, color = colors[3]})

    env:goal{objects = blocks, targets = piers, matches = "any", rotations = false, reward = 0.5,
             lang = "put a block on each of the two zones"}
    env:goal{objects = {box}, targets = {gs.pose(site.pos[1], site.pos[2], BLOCK + deck[3] / 2, yaw)},
             matches = "pairs", rotations = true, symmetry = math.pi, reward = 0.5,
             lang = "lay the box across the two blocks"}
  end,
}
