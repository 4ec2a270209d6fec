-- sort-blocks-by-size-into-tray: a two-compartment divided tray stands on the
-- table, turned so that its compartments lie side by side from left to right
-- as the robot sees the workspace (left is +y, right is -y). A few large
-- blocks (4 cm) and a few small blocks (2.5 cm) lie scattered around it, in
-- colours drawn at random so that size, not colour, tells them apart. Every
-- large block goes into the left compartment, every small block into the
-- right one.
local FLOOR = 0.006 -- the divided tray's floor

local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "sort-blocks-by-size-into-tray",
  description = "Sort the scattered cubes by size into a two-compartment divided tray: every large block into "
    .. "the compartment on the left and every small block into the compartment on the right (left/right as "
    .. "the robot sees the workspace).",
  assets = {"block", "small-block", "divided-tray"},
  max_steps = 12,
  reset = function(env)
    local colors = split_colors(env)

    -- the tray: two columns along its local x axis, turned so that local x
    -- runs along the workspace's y axis (either way round, a little askew)
    local tx, ty, tz = env.rng:uniform(0.28, 0.32), env.rng:uniform(0.13, 0.15), 0.05
    local d = math.sqrt(tx * tx + ty * ty) + 0.01
    local room = env:random_pose({d, d, 0})
    if room == nil then error("no room for the tray") end
    local yaw = env.rng:choice({math.pi / 2, -math.pi / 2}) + env.rng:uniform(-0.25, 0.25)
    local tray_pose = gs.pose(room.pos[1], room.pos[2], 0, yaw)
    env:add("divided-tray", tray_pose,
            {size = {tx, ty, tz}, columns = 2, rows = 1, color = colors[1], fixed = true})

    -- the two compartments' middles on the floor; left is the one at larger y
    local a = gs.multiply(tray_pose, gs.pose(-tx / 4, 0, FLOOR, 0))
    local b = gs.multiply(tray_pose, gs.pose(tx / 4, 0, FLOOR, 0))
    local left, right = a, b
    if b.pos[2] > a.pos[2] then left, right = b, a end
    local zone_size = {tx / 2 - 0.012, ty - 0.012, 0.1}

    -- the blocks, in colours other than the tray's, drawn at random
    local palette = {}
    for i = 2, #colors do palette[#palette + 1] = colors[i] end
    local large, small = {}, {}
    for i = 1, env.rng:int(1, 3) do
      local p = env:random_pose({0.04, 0.04, 0.04})
      if p == nil then break end
      large[#large + 1] = env:add("block", p, {color = env.rng:choice(palette)})
    end
    for i = 1, env.rng:int(1, 3) do
      local p = env:random_pose({0.025, 0.025, 0.025})
      if p == nil then break end
      small[#small + 1] = env:add("small-block", p, {color = env.rng:choice(palette)})
    end
    if #large == 0 or #small == 0 then error("no room for the blocks") end

    local total = #large + #small
    env:goal{objects = large, targets = {left}, replace = true, rotations = false,
             metric = "zone", zone = {pose = left, size = zone_size},
             reward = #large / total,
             lang = "put the large blocks in the left compartment of the tray"}
    env:goal{objects = small, targets = {right}, replace = true, rotations = false,
             metric = "zone", zone = {pose = right, size = zone_size},
             reward = #small / total,
             lang = "put the small blocks in the right compartment of the tray"}
  end,
}
