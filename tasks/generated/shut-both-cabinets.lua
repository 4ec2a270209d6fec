-- shut-both-cabinets: two cupboards stand side by side facing the robot,
-- each with its door swung part way or all the way open: the left one's
-- door hinged on its outer (left) edge, the right one's on its outer (right)
-- edge, so the open doors stand clear of each other. The robot must swing
-- both doors shut, in the order the instructions give.
--
-- A cabinet's open face is its +x face; both are turned a half turn (give
-- or take a little), so their doors open towards the robot (smaller x), and
-- the pair stands far enough back to leave room for a door swung fully open
-- in front of it. The cabinets are the only things on the table, so their
-- places are drawn directly.
--
-- Left and right are as the robot sees the workspace: left is +y. With the
-- half turn, a cabinet's local +y is the robot's right.

local CAB = {0.16, 0.2, 0.2}

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "shut-both-cabinets",
  description = "Swing shut the open doors of the two cabinets standing side by side, one hinged on its left edge "
    .. "and one on its right.",
  assets = {"cabinet"},
  max_steps = 6,
  reset = function(env)
    local names = palette(env)

    local yaw = math.pi + env.rng:uniform(-0.1, 0.1)
    local gap = env.rng:uniform(0.04, 0.08)
    local d = CAB[2] / 2 + gap / 2
    -- the back at x + 8 cm, the open door's reach at x - 8 cm - 20 cm - handle
    local centre = gs.pose(env.rng:uniform(0.56, 0.64), env.rng:uniform(-0.2, 0.2), 0, yaw)

    local cabs = {}
    -- local +y: the robot's right; local -y: the robot's left
    for _, s in ipairs({{d, "right"}, {-d, "left"}}) do
      local c = gs.apply(centre, {0, s[1], 0})
      local cab = env:add("cabinet", gs.pose(c[1], c[2], 0, yaw),
                          {size = CAB, side = s[2], fixed = true, color = names[s[2] == "right" and 1 or 2]})
      env:set_joint(cab, "door", env.rng:uniform(0.4, 1.0))
      cabs[#cabs + 1] = {cab, s[2]}
    end

    env.rng:shuffle(cabs)
    for _, c in ipairs(cabs) do
      env:goal{objects = {c[1]}, metric = "joint", joint = "door", target = 0.0, tolerance = 0.05,
               reward = 0.5, lang = ("close the door of the %s cabinet"):format(c[2])}
    end
  end,
}
