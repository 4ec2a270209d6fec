-- chest-drawer-swap: the two-drawer chest (scenes/chest.urdf, joints
-- top_drawer and bottom_drawer) stands on the table with one drawer open.
-- The robot first pushes that drawer shut, then pulls the other, named
-- drawer all the way out.
--
-- The handles stand out of the chest's front one above the other, and the
-- suction cup reaches a handle from above, so a handle is only reachable
-- when nothing stands out over it:
-- - named top: the top drawer starts shut and the bottom one open; the
--   bottom handle, out beyond the top one, is pushed shut first (the cup
--   passes under nothing), then the top drawer, now clear, is pulled out;
-- - named bottom: the top drawer starts open and the bottom one ajar, far
--   enough that its handle is not under the top handle once the top drawer
--   is shut; the top drawer is pushed shut first (its handle is the higher
--   one), then the bottom drawer is pulled out by its exposed handle.
-- Closing the first drawer does not move the second, and pulling the second
-- does not move the first, so the first stage keeps holding.
--
-- The chest is placed by the room its drawers need: a footprint deeper than
-- the chest, the chest at its back end, so the pulled drawer stays in the
-- workspace.
local split_colors = require "ravens.colors"

local DRAWERS = {{"top_drawer", "top"}, {"bottom_drawer", "bottom"}}

return task {
  name = "chest-drawer-swap",
  description = "One drawer of the two-drawer chest stands open: push it shut, then pull the other, named "
    .. "drawer (top or bottom) all the way out.",
  assets = {"urdf"},
  max_steps = 4,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local room = env:random_pose({0.36, 0.3, 0})
    if room == nil then error("no room for the chest") end
    local chest = env:add("urdf", gs.multiply(room, gs.pose(-0.08, 0, 0)),
                          {file = "scenes/chest.urdf", color = colors[1], fixed = true})

    local k = env.rng:int(1, 2)
    local named, other = DRAWERS[k], DRAWERS[3 - k]
    -- the other drawer stands well open
    env:set_joint(chest, other[1], env.rng:uniform(0.5, 0.8))
    -- a named bottom drawer stands ajar, its handle clear of the top one's;
    -- a named top drawer stays shut, clear of the bottom handle's way
    if named[2] == "bottom" then
      env:set_joint(chest, named[1], env.rng:uniform(0.3, 0.4))
    end

    env:goal{objects = {chest}, metric = "joint", joint = other[1], target = 0, reward = 0.5,
             lang = ("push the %s drawer shut"):format(other[2])}
    env:goal{objects = {chest}, metric = "joint", joint = named[1], target = 0.9, reward = 0.5,
             lang = ("pull the %s drawer all the way out"):format(named[2])}
  end,
}
