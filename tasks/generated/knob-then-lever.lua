-- knob-then-lever: a control panel of two parts stands on the table: a
-- knob on its plate at its lowest setting and, beside it, a lever on a
-- pedestal standing down. The robot first turns the knob to the setting
-- asked for (arming the machine), then pulls the lever all the way up
-- (firing it). Two stages, scored in order: the lever counts only while the
-- knob stays at its setting.
local split_colors = require "ravens.colors"

local SETTINGS = {{0.25, "a quarter of the way"}, {0.5, "halfway"}, {0.75, "three quarters of the way"},
                  {1, "all the way"}}
local BLOCK = {0.04, 0.04, 0.04}
local LEVER = {0.06, 0.06, 0.08}

return task {
  name = "knob-then-lever",
  description = "Turn the knob to the setting asked for and then pull the lever beside it all the way up, "
    .. "as if arming and firing a machine.",
  assets = {"knob", "lever", "block"},
  max_steps = 4,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local side = env.rng:uniform(0.07, 0.09)
    -- the lever's arm reaches 12 cm out along +x from the pedestal; the knob
    -- stands beside the lever, 4 cm clear of its pedestal
    local width = 0.08 + 0.03 + side
    local room = assert(env:random_pose({0.2, width, 0}), "no room for the panel")
    local lever = env:add("lever", gs.multiply(room, gs.pose(-0.06, -width / 2 + 0.04, 0)),
                          {size = LEVER, color = colors[1], fixed = true})
    local knob = env:add("knob", gs.multiply(room, gs.pose(-0.04, width / 2 - side / 2, 0, env.rng:uniform(-0.5, 0.5))),
                         {size = {side, side, 0.02}, color = colors[2], fixed = true})
    for i = 1, env.rng:int(0, 3) do
      local pose = env:random_pose(BLOCK)
      if pose then env:add("block", pose, {color = colors[2 + i]}) end
    end

    local setting = env.rng:choice(SETTINGS)
    env:goal{objects = {knob}, metric = "joint", joint = "knob", target = setting[1], reward = 0.5,
             lang = "turn the knob " .. setting[2]}
    env:goal{objects = {lever}, metric = "joint", joint = "lever", target = 1, reward = 0.5,
             lang = "then pull the lever up"}
  end,
}
