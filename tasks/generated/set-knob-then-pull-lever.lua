-- A knob at its lowest setting and a lever with its arm down stand on the
-- table; the robot first turns the knob to the setting named, then pulls
-- the lever all the way up.
local KNOB = {0.08, 0.08, 0.02}
local LEVER = {0.06, 0.06, 0.08}
local SETTINGS = {
  {name = "a quarter turn", fraction = 0.25},
  {name = "half way", fraction = 0.5},
  {name = "three quarters", fraction = 0.75},
  {name = "its highest setting", fraction = 1.0},
}

return task {
  name = "set-knob-then-pull-lever",
  description = "Turn the knob to the named setting first, then pull the lever beside it all the way up.",
  assets = {"knob", "lever"},
  max_steps = 4,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local colors = env.rng:shuffle({table.unpack(palette)})

    -- the lever, with room kept along +x for its 10 cm arm
    local site = env:random_pose({0.2, 0.1, LEVER[3]})
    if site == nil then return nil end
    local lp = gs.apply(site, {-0.05, 0, 0})
    local lever = env:add("lever", gs.pose(lp[1], lp[2], 0, gs.yaw(site)),
                          {size = LEVER, color = colors[1], fixed = true})

    local kp = env:random_pose(KNOB)
    if kp == nil then return nil end
    kp.pos[3] = 0
    local knob = env:add("knob", kp, {size = KNOB, color = colors[2], fixed = true})

    local setting = env.rng:choice(SETTINGS)
    env:goal{objects = {knob}, metric = "joint", joint = "knob", target = setting.fraction, tolerance = 0.05,
             reward = 0.5, lang = "turn the knob to " .. setting.name}
    env:goal{objects = {lever}, metric = "joint", joint = "lever", target = 1, tolerance = 0.1,
             reward = 0.5, lang = "pull the lever all the way up"}
  end,
}
