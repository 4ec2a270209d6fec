-- put-away-blocks-in-drawer: a chest stands shut on the table among two to
-- four blocks; the robot pulls the drawer open by its handle, puts every
-- block away in it, and pushes the drawer shut again.
--
-- The chest is placed by the room its drawer needs, so the open drawer stays
-- clear of the blocks. The blocks' places lie on the drawer's floor, taken
-- with env:link_pose at reset (a place on the moving link rides with it), in
-- the part that stands out of the chest once the drawer is open (counted for
-- the least opening the first stage accepts), in a row across the drawer.
-- The first two stages are latched: shutting the drawer undoes the opening
-- and hides the blocks.
local BLOCK = {0.04, 0.04, 0.04}
local PANEL = 0.008  -- the drawer kind's walls
local GAP = 0.003    -- and its clearance in the chest
local MARGIN = 0.015 -- kept clear of the chest's front edge
local OPEN = 0.9     -- the opening asked for
local OPEN_TOL = 0.05

return task {
  name = "put-away-blocks-in-drawer",
  description = "Open the shut drawer, put every block on the table away in it, and shut the drawer again.",
  assets = {"block", "drawer"},
  max_steps = 10,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local colors = {}
    for i, c in ipairs(palette) do colors[i] = c end
    env.rng:shuffle(colors)

    local size = {env.rng:uniform(0.15, 0.18), env.rng:uniform(0.22, 0.25), env.rng:uniform(0.1, 0.12)}
    local depth = size[1] - PANEL - GAP
    local reach = 0.85 * depth + 0.03
    local room = env:random_pose({size[1] + reach, size[2] + 0.02, 0})
    assert(room, "no room for the chest")
    local chest = env:add("drawer", gs.multiply(room, gs.pose(-reach / 2, 0, 0)),
                          {size = size, color = colors[1], fixed = true})
    -- the drawer comes shut

    local n = env.rng:int(2, 3)
    local blocks = {}
    for i = 1, n do
      local p = env:random_pose(BLOCK)
      assert(p, "no room for a block")
      blocks[i] = env:add("block", p, {color = colors[1 + i]})
    end

    -- the part of the drawer that stands out of the chest at the least
    -- opening the first stage accepts, in the floor's frame: from just
    -- outside the chest's front to the drawer's front wall
    local lower, upper = env:joint_limits(chest, "drawer")
    local travel = lower + (OPEN - OPEN_TOL) * (upper - lower)
    local floor = env:link_pose(chest, "drawer")
    local x_lo = depth / 2 - travel + MARGIN
    local x_hi = depth / 2 - PANEL
    local width = size[2] - 2 * PANEL - 2 * GAP - 2 * PANEL
    local open = {x_hi - x_lo, width, 0.05}
    local cx = (x_lo + x_hi) / 2
    local zone = gs.multiply(floor, gs.pose(cx, 0, open[3] / 2, 0))

    -- one spot per block, in a row across the drawer
    local spots = {}
    local step = 0.055
    for i = 1, n do
      spots[i] = gs.multiply(floor, gs.pose(cx, (i - (n + 1) / 2) * step, BLOCK[3] / 2, 0))
    end

    env:goal{objects = {chest}, metric = "joint", joint = "drawer", target = OPEN, tolerance = OPEN_TOL,
             latch = true, reward = 0.2, lang = "open the drawer"}
    env:goal{objects = blocks, metric = "zone", zone = {pose = zone, size = open}, targets = spots,
             latch = true, reward = 0.5, lang = "put every block away in the drawer"}
    env:goal{objects = {chest}, metric = "joint", joint = "drawer", target = 0, reward = 0.3,
             lang = "shut the drawer"}
  end,
}
