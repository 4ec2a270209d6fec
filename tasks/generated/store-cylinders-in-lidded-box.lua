-- A lidded box with its lid left just ajar and two cylinders standing on
-- the table: open the lid fully, stand both cylinders inside, and shut the
-- lid over them.
local BOX = {0.14, 0.16, 0.08}
local FLOOR = 0.008
local RADIUS, HEIGHT = 0.02, 0.05

return task {
  name = "store-cylinders-in-lidded-box",
  description = "Lift the lid of the box, stand the two cylinders upright inside it, and shut the lid over them.",
  assets = {"lidded-box", "cylinder"},
  max_steps = 8,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local colors = env.rng:shuffle({table.unpack(palette)})

    -- the box, with room kept around it for the lid to swing back
    local bpose = env:random_pose({0.22, 0.22, BOX[3]})
    if bpose == nil then return nil end
    bpose.pos[3] = 0
    local box = env:add("lidded-box", bpose, {size = BOX, color = colors[1], fixed = true, friction = 0.1})
    -- the lid rests a little ajar: too little to put anything in
    env:set_joint(box, "lid", env.rng:uniform(0.1, 0.15))

    local cylinders = {}
    for i = 1, 2 do
      local p = env:random_pose({2 * RADIUS, 2 * RADIUS, HEIGHT})
      if p == nil then return nil end
      cylinders[i] = env:add("cylinder", p, {radius = RADIUS, height = HEIGHT, color = colors[1 + i]})
    end

    -- two spots side by side on the box's floor
    local yaw = gs.yaw(bpose)
    local targets = {}
    for _, ly in ipairs({-0.035, 0.035}) do
      local w = gs.apply(bpose, {0, ly, 0})
      targets[#targets + 1] = gs.pose(w[1], w[2], FLOOR + HEIGHT / 2, yaw)
    end

    env:goal{objects = {box}, metric = "joint", joint = "lid", target = 1, tolerance = 0.1, reward = 0.2,
             latch = true, lang = "open the lid of the box"}
    env:goal{objects = cylinders, targets = targets, matches = "any", rotations = false, reward = 0.5,
             lang = "put the two cylinders in the box"}
    env:goal{objects = {box}, metric = "joint", joint = "lid", target = 0, tolerance = 0.05, reward = 0.3,
             lang = "close the lid of the box"}
  end,
}
