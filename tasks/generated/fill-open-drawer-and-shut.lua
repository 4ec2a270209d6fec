-- fill-open-drawer-and-shut: the chest's drawer stands open and two or three
-- blocks lie on the table; the robot puts every block into the drawer, then
-- pushes the drawer shut by its handle with the blocks riding in.
--
-- The chest is placed by the room its drawer needs, so the open drawer stays
-- clear of the blocks. The blocks' places are taken on the drawer's floor
-- after it is opened, only in the part that stands out of the chest (the
-- chest's top covers the rest), in a row across the drawer; they lie on the
-- moving link, so they ride in with it when the drawer shuts. The first
-- stage is latched: shutting the drawer hides the blocks.
local BLOCK = {0.04, 0.04, 0.04}
local PANEL = 0.008 -- the drawer kind's walls
local GAP = 0.003   -- and its clearance in the chest
local MARGIN = 0.015 -- kept clear of the chest's front edge

return task {
  name = "fill-open-drawer-and-shut",
  description = "Put every block on the table into the open drawer, then push the drawer shut.",
  assets = {"block", "drawer"},
  max_steps = 8,
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
    -- the drawer stands open (nearly all the way), before anything goes in it
    env:set_joint(chest, "drawer", env.rng:uniform(0.9, 1.0))
    local travel = env:joint_state(chest, "drawer")

    local n = env.rng:int(2, 3)
    local blocks, names = {}, {}
    for i = 1, n do
      local p = env:random_pose(BLOCK)
      assert(p, "no room for a block")
      names[i] = colors[1 + i]
      blocks[i] = env:add("block", p, {color = names[i]})
    end

    -- the open part of the drawer, in the floor's frame: from just outside
    -- the chest's front to the drawer's front wall
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

    env:goal{objects = blocks, metric = "zone", zone = {pose = zone, size = open}, targets = spots,
             matches = "any", replace = false, latch = true, reward = 0.7,
             lang = "put every block in the open drawer"}
    env:goal{objects = {chest}, metric = "joint", joint = "drawer", target = 0, reward = 0.3,
             lang = "push the drawer shut"}
  end,
}
