-- Two or three boxes stand stacked in a column on a pallet; the robot
-- unloads them, top box first (a lower one is covered until the ones above
-- are gone), setting each down flat inside the zone drawn on the table.
local PALLET = {0.16, 0.16, 0.02}
local ZONE = {0.3, 0.18, 0.001}

return task {
  name = "unstack-pallet-to-zone",
  description = "Take the stacked boxes off the pallet one at a time, top first, and set each down flat inside the zone drawn on the table.",
  assets = {"pallet", "box", "zone"},
  max_steps = 8,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local colors = env.rng:shuffle({table.unpack(palette)})

    local zp = env:random_pose(ZONE)
    if zp == nil then return nil end
    zp.pos[3] = 0
    env:add("zone", zp, {size = ZONE, color = colors[1]})

    local pp = env:random_pose(PALLET)
    if pp == nil then return nil end
    pp.pos[3] = 0
    env:add("pallet", pp, {size = PALLET, color = colors[2]})

    -- the stack, each box square on the one below, give or take a little turn
    local boxes = {}
    local z = PALLET[3]
    local maxh = 0
    for i = 1, env.rng:int(2, 3) do
      local size = env:random_size({0.05, 0.05, 0.03}, {0.07, 0.07, 0.04})
      local yaw = gs.yaw(pp) + env.rng:uniform(-0.15, 0.15)
      boxes[i] = env:add("box", gs.pose(pp.pos[1], pp.pos[2], z + size[3] / 2, yaw),
                         {size = size, color = colors[2 + i]})
      z = z + size[3]
      maxh = math.max(maxh, size[3])
    end

    -- the zone's box reaches well above the tallest box resting on the table
    env:goal{objects = boxes, metric = "zone", zone = {pose = zp, size = {ZONE[1], ZONE[2], 2 * maxh + 0.02}},
             reward = 1, lang = "move the boxes from the pallet into the zone"}
  end,
}
