-- stow-ball-in-lidded-box: a box with a hinged lid stands on the table, its
-- lid left slightly ajar, and a ball lies on the table beside it. The robot
-- must lift the lid open, put the ball in the box, and close the lid over it.
--
-- The lid starts ajar (a small fraction of its range), so that neither the
-- "open" stage nor the "closed" stage holds at the start. The open stage is
-- latched, since the last stage closes the lid again. The box's place is
-- drawn with a footprint that leaves room on every side for the lid, which
-- leans a little past the hinge edge when fully open.
--
-- The ball (5 cm across) rests on the box's floor, 8 mm up; it may roll
-- about the floor, so it counts as inside while its centre is within 6 cm of
-- the box's centre, which covers the whole floor inside the 8 mm walls.

local BOX = {0.14, 0.16, 0.08}
local WALL = 0.008
local RADIUS = 0.025

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "stow-ball-in-lidded-box",
  description = "Lift the lid of the box, put the ball inside it, and close the lid over the ball.",
  assets = {"lidded-box", "ball"},
  max_steps = 6,
  reset = function(env)
    local names = palette(env)

    local spot = env:random_pose({0.28, 0.28, 0})
    assert(spot, "no room for the box")
    local box_pose = gs.pose(spot.pos[1], spot.pos[2], 0, gs.yaw(spot))
    local box = env:add("lidded-box", box_pose, {size = BOX, fixed = true, color = names[1]})
    env:set_joint(box, "lid", env.rng:uniform(0.12, 0.25))

    local bp = env:random_pose({2 * RADIUS, 2 * RADIUS, 2 * RADIUS})
    assert(bp, "no room for the ball")
    local ball = env:add("ball", bp, {radius = RADIUS, color = names[2]})

    env:goal{objects = {box}, metric = "joint", joint = "lid", target = 0.9, tolerance = 0.1,
             latch = true, reward = 0.3, lang = "open the lid of the box"}

    local inside = gs.pose(box_pose.pos[1], box_pose.pos[2], WALL + RADIUS, 0)
    env:goal{objects = {ball}, targets = {inside}, matches = "pairs", rotations = false,
             tolerance = 0.06, metric = "pose", reward = 0.4,
             lang = ("put the %s ball in the %s box"):format(names[2], names[1])}

    env:goal{objects = {box}, metric = "joint", joint = "lid", target = 0.0, tolerance = 0.05,
             reward = 0.3, lang = "close the lid"}
  end,
}
