-- level-the-lever: a lever stands on the table, its 10 cm arm pointing down
-- at its lowest position, 30 degrees below level. The robot raises it by the
-- handle on the arm's tip, but only until the arm points straight out,
-- level with the table top, not all the way up.
--
-- The joint's fraction 0 is 30 degrees below level and fraction 1 is range
-- radians above that; the range is drawn per episode, so the level fraction,
-- (pi / 6) / range, differs from episode to episode and must be judged by
-- looking at the arm, not learnt as one fixed amount.
local ARM = 0.1

local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "level-the-lever",
  description = "Raise the lever from its lowest position only until its arm points straight out, level with "
    .. "the table top, not all the way up.",
  assets = {"lever"},
  max_steps = 3,
  reset = function(env)
    local colors = split_colors(env)
    local range = env.rng:uniform(1.3, 1.9)
    local height = env.rng:uniform(0.08, 0.1)

    -- a room long enough along the arm's heading (+x) for the pedestal and
    -- the arm with its handle; the pedestal at the room's -x end
    local room = env:random_pose({0.2, 0.08, 0})
    if room == nil then error("no room for the lever") end
    local pose = gs.multiply(gs.pose(room.pos[1], room.pos[2], 0, gs.yaw(room)), gs.pose(-0.07, 0, 0, 0))
    local lever = env:add("lever", pose, {size = {0.06, 0.06, height}, range = range, color = colors[1],
                                          fixed = true})

    local level = (math.pi / 6) / range
    env:goal{objects = {lever}, metric = "joint", joint = "lever", target = level, tolerance = 0.04,
             reward = 1, lang = "raise the lever until its arm is level"}
  end,
}
