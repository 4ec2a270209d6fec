-- hide-ball-in-lidded-box: a box stands on the table under a lid hinged
-- along its top -x edge, the lid resting slightly ajar. Two balls of
-- different colours lie on the table. The robot opens the lid, puts the ball
-- of the named colour inside the box, leaves the other ball where it is, and
-- shuts the lid over it.
--
-- The lid's range is 2.8 rad: opened all the way it flips back past upright
-- and rests against its stop, leaning down behind the box's -x side, so it
-- stays open and nothing carried over the box can strike it. The room kept
-- clear around the box holds that flipped lid on the -x side and the lid's
-- tab on the +x side.
local FLOOR = 0.008 -- the lidded box's floor
local RANGE = 2.8

local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "hide-ball-in-lidded-box",
  description = "Open the lid of the box, put the ball of the named colour inside it, leaving the other ball "
    .. "on the table, and shut the lid again.",
  assets = {"lidded-box", "ball"},
  max_steps = 6,
  reset = function(env)
    local colors = split_colors(env)
    local bx, by, bz = env.rng:uniform(0.12, 0.14), env.rng:uniform(0.14, 0.16), 0.08

    -- the box, first on the table, at the +x end of a room that also holds
    -- its flipped-open lid (-x side) and its tab (+x side)
    local room = env:random_pose({2 * bx + 0.04, by + 0.02, 0})
    if room == nil then error("no room for the box") end
    local box_pose = gs.multiply(gs.pose(room.pos[1], room.pos[2], 0, gs.yaw(room)),
                                 gs.pose(bx / 2 - 0.01, 0, 0, 0))
    local box = env:add("lidded-box", box_pose, {size = {bx, by, bz}, range = RANGE, color = colors[1],
                                                 fixed = true})
    env:set_joint(box, "lid", env.rng:uniform(0.08, 0.15))

    -- two balls of one size, different colours, on the table
    local r = env.rng:uniform(0.02, 0.025)
    local balls = {}
    for i = 1, 2 do
      local p = env:random_pose({2 * r, 2 * r, 2 * r})
      if p == nil then error("no room for the balls") end
      balls[i] = env:add("ball", p, {radius = r, color = colors[i + 1]})
    end
    local ball, name = balls[1], colors[2]

    -- the ball's place: the middle of the box's floor
    local inside = gs.multiply(box_pose, gs.pose(0, 0, FLOOR + r, 0))

    env:goal{objects = {box}, metric = "joint", joint = "lid", target = 1, reward = 0.2, latch = true,
             lang = "open the lid of the box"}
    env:goal{objects = {ball}, targets = {inside}, rotations = false, tolerance = 0.03, reward = 0.5,
             lang = ("put the %s ball in the box"):format(name)}
    env:goal{objects = {box}, metric = "joint", joint = "lid", target = 0, reward = 0.3,
             lang = "close the lid of the box"}
  end,
}
