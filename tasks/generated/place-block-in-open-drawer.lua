-- place-block-in-open-drawer: the chest's drawer already stands open; the
-- robot picks the block up off the table and puts it down on the drawer's
-- floor.
--
-- The chest is placed by the room its drawer needs (chest depth plus the
-- drawer's travel and its handle), so the open drawer stays clear of the
-- block. The place for the block is the drawer floor's middle, taken with
-- env:link_pose after the drawer is opened, so it lies in the open part.
local BLOCK = {0.04, 0.04, 0.04}
local PANEL = 0.008 -- the drawer kind's walls
local GAP = 0.003   -- and its clearance in the chest

return task {
  name = "place-block-in-open-drawer",
  description = "Put the block on the table into the drawer that already stands open.",
  assets = {"block", "drawer"},
  max_steps = 3,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local colors = {}
    for i, c in ipairs(palette) do colors[i] = c end
    env.rng:shuffle(colors)

    local size = {env.rng:uniform(0.15, 0.18), env.rng:uniform(0.18, 0.24), env.rng:uniform(0.1, 0.12)}
    local depth = size[1] - PANEL - GAP
    local reach = 0.85 * depth + 0.03
    local room = env:random_pose({size[1] + reach, size[2] + 0.02, 0})
    assert(room, "no room for the chest")
    local chest = env:add("drawer", gs.multiply(room, gs.pose(-reach / 2, 0, 0)),
                          {size = size, color = colors[1], fixed = true})
    -- the drawer stands open (nearly all the way), before anything goes in it
    env:set_joint(chest, "drawer", env.rng:uniform(0.9, 1.0))

    local bpose = env:random_pose(BLOCK)
    assert(bpose, "no room for the block")
    local block = env:add("block", bpose, {color = colors[2]})

    -- the drawer's inside: its floor's middle, less the walls
    local floor = env:link_pose(chest, "drawer")
    local inside = {depth - 2 * PANEL, size[2] - 2 * PANEL - 2 * GAP - 2 * PANEL, 0.05}
    local zone = gs.multiply(floor, gs.pose(0, 0, inside[3] / 2))
    local spot = gs.multiply(floor, gs.pose(0, 0, BLOCK[3] / 2))

    env:goal{objects = {block}, metric = "zone", zone = {pose = zone, size = inside}, targets = {spot},
             reward = 1, lang = ("put the %s block in the open drawer"):format(colors[2])}
  end,
}
