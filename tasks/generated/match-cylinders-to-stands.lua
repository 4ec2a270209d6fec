-- match-cylinders-to-stands: two to four low stands of different colours
-- stand on the table, and as many upright cylinders, one of each stand's
-- colour, lie scattered among them. The robot stands each cylinder upright
-- on the top of the stand of its own colour, one cylinder per stand.
local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "match-cylinders-to-stands",
  description = "Stand each upright cylinder on the stand of its own colour, one cylinder per stand.",
  assets = {"cylinder", "stand"},
  max_steps = 8,
  reset = function(env)
    local colors = split_colors(env)
    local n = env.rng:int(2, 4)
    local side = env.rng:uniform(0.08, 0.1)
    local sh = env.rng:uniform(0.02, 0.03)
    local radius = env.rng:uniform(0.018, 0.022)
    local height = env.rng:uniform(0.05, 0.07)

    -- the stands first, each in its own colour; a cylinder's place is the
    -- middle of its stand's top
    local targets = {}
    for i = 1, n do
      local room = env:random_pose({side, side, 0})
      if room == nil then error("no room for the stands") end
      local pose = gs.pose(room.pos[1], room.pos[2], 0, gs.yaw(room))
      env:add("stand", pose, {size = {side, side, sh}, color = colors[i], fixed = true})
      targets[i] = gs.pose(pose.pos[1], pose.pos[2], sh + height / 2, 0)
    end

    -- the cylinders, upright on the table, one per stand colour
    local cylinders = {}
    for i = 1, n do
      local p = env:random_pose({2 * radius, 2 * radius, height})
      if p == nil then error("no room for the cylinders") end
      cylinders[i] = env:add("cylinder", p, {radius = radius, height = height, color = colors[i]})
    end

    env:goal{objects = cylinders, targets = targets, matches = "pairs", rotations = false,
             tolerance = 0.02, reward = 1,
             lang = "put each cylinder on the stand of the same colour"}
  end,
}
