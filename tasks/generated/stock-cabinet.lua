-- stock-cabinet: a cupboard stands on the table with its door swung part
-- open, and one or two cylinders stand elsewhere. The suction cup only ever
-- reaches down from above, so it cannot set anything inside the cupboard,
-- under its roof; the cupboard's flat top is the shelf it stocks instead.
-- The robot first swings the door shut by its handle, then stands the
-- cylinders upright on the cupboard's top, side by side across its middle.
--
-- Neither stage moves what the other did: the door turns on its hinge below
-- the top, and the cylinders stand on the top, clear of the door's edge. The
-- cupboard is placed by the room its open door sweeps in front of it, and is
-- opened before the cylinders are placed, so they keep clear of the door.
local split_colors = require "ravens.colors"

return task {
  name = "stock-cabinet",
  description = "Swing the cabinet's open door shut, then stand the cylinders upright on the cabinet's top, side "
    .. "by side.",
  assets = {"cabinet", "cylinder"},
  max_steps = 5,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local size = {env.rng:uniform(0.12, 0.16), env.rng:uniform(0.16, 0.2), env.rng:uniform(0.12, 0.18)}
    local side = env.rng:choice({"left", "right"})
    -- the open door stands out in front by its width, its handle a little more
    local reach = size[2] + 0.05
    local room = env:random_pose({size[1] + reach, size[2] + 0.04, 0})
    if room == nil then error("no room for the cabinet") end
    local cabinet = env:add("cabinet", gs.multiply(room, gs.pose(-reach / 2, 0, 0)),
                            {size = size, side = side, color = colors[1], fixed = true})
    env:set_joint(cabinet, "door", env.rng:uniform(0.5, 0.9))

    local radius = env.rng:uniform(0.015, 0.02)
    local height = env.rng:uniform(0.05, 0.06)
    local n = env.rng:int(1, 2)
    local cylinders = {}
    for i = 1, n do
      local p = env:random_pose({2 * radius, 2 * radius, height})
      if p == nil then error("no room for a cylinder") end
      cylinders[i] = env:add("cylinder", p, {radius = radius, height = height, color = colors[2]})
    end

    -- spots on the top, across the cupboard's middle, 9 cm apart for two
    local base = env:pose(cabinet)
    local ys = n == 1 and {0} or {-0.045, 0.045}
    local targets = {}
    for i, y in ipairs(ys) do
      targets[i] = gs.multiply(base, gs.pose(0, y, size[3] + height / 2, 0))
    end

    env:goal{objects = {cabinet}, metric = "joint", joint = "door", target = 0, reward = 0.4,
             lang = "swing the cabinet door shut"}
    env:goal{objects = cylinders, targets = targets, matches = "any", replace = false, rotations = false,
             metric = "pose", tolerance = 0.015, reward = 0.6,
             lang = ("stand the %s cylinders on top of the cabinet"):format(colors[2])}
  end,
}
