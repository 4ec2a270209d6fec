-- set-control-panel: a knob and a lever stand side by side on the table like
-- the controls of a machine, the knob at its lowest setting and the lever
-- down. The robot turns the knob by its raised mark to the named setting (a
-- quarter, half or three quarters of its travel), then pulls the lever all
-- the way up by its handle.
--
-- Both sit in one room: the knob's plate on the room's -y side, the lever's
-- pedestal on its +y side at the -x end, its arm pointing along +x, so the
-- arm's swing stays clear of the knob.
local SETTINGS = {
  {0.25, "a quarter of the way"},
  {0.5, "halfway"},
  {0.75, "three quarters of the way"},
}

local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "set-control-panel",
  description = "Turn the knob to the named setting (a quarter, half or three quarters of its travel) and then "
    .. "pull the lever beside it all the way up.",
  assets = {"knob", "lever"},
  max_steps = 4,
  reset = function(env)
    local colors = split_colors(env)

    local room = env:random_pose({0.2, 0.22, 0})
    if room == nil then error("no room for the controls") end
    local panel = gs.pose(room.pos[1], room.pos[2], 0, gs.yaw(room))

    local knob = env:add("knob", gs.multiply(panel, gs.pose(0, -0.06, 0, env.rng:uniform(-math.pi, math.pi))),
                         {size = {0.08, 0.08, 0.02}, color = colors[1], fixed = true})
    local lever = env:add("lever", gs.multiply(panel, gs.pose(-0.07, 0.06, 0, 0)),
                          {size = {0.06, 0.06, env.rng:uniform(0.08, 0.1)}, color = colors[2], fixed = true})

    local setting = env.rng:choice(SETTINGS)
    env:goal{objects = {knob}, metric = "joint", joint = "knob", target = setting[1], reward = 0.5,
             lang = ("turn the knob %s"):format(setting[2])}
    env:goal{objects = {lever}, metric = "joint", joint = "lever", target = 1, reward = 0.5,
             lang = "pull the lever all the way up"}
  end,
}
