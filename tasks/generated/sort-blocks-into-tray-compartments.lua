-- A divided tray with three compartments running left to right across the
-- robot's view; blocks of three named colours (one or two of each) and a
-- few blocks of another colour lie on the table. Each named colour goes
-- into its own compartment: left, middle or right.
local TRAY = {0.3, 0.14, 0.04}
local FLOOR = 0.006
local BLOCK = 0.04
local SIDES = {"left", "middle", "right"}

return task {
  name = "sort-blocks-into-tray-compartments",
  description = "Sort the blocks by colour into the three-compartment divided tray, putting every block of each named colour into the compartment named for that colour (left, middle or right).",
  assets = {"divided-tray", "block"},
  max_steps = 12,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local colors = env.rng:shuffle({table.unpack(palette)})

    -- the tray first, its compartments in a row along the table's y axis
    -- (the robot's left to right), turned a little at random
    local yaw = math.pi / 2 + env.rng:uniform(-0.15, 0.15)
    if env.rng:uniform(0, 1) < 0.5 then yaw = yaw + math.pi end
    local tpose = gs.pose(env.rng:uniform(0.42, 0.58), env.rng:uniform(-0.15, 0.15), 0, yaw)
    env:add("divided-tray", tpose, {size = TRAY, columns = 3, rows = 1, color = colors[5]})

    -- two spots in each compartment, side by side across the tray
    local cw = TRAY[1] / 3
    local comps = {}
    for c = 1, 3 do
      local lx = -TRAY[1] / 2 + (c - 0.5) * cw
      local spots = {}
      for _, ly in ipairs({-0.03, 0.03}) do
        local w = gs.apply(tpose, {lx, ly, 0})
        spots[#spots + 1] = gs.pose(w[1], w[2], FLOOR + BLOCK / 2, yaw)
      end
      local mid = gs.apply(tpose, {lx, 0, 0})
      comps[c] = {y = mid[2], spots = spots}
    end
    -- left as the robot sees it is +y
    table.sort(comps, function(a, b) return a.y > b.y end)

    -- one or two blocks of each named colour
    local groups, total = {}, 0
    for c = 1, 3 do
      local n = env.rng:int(1, 2)
      local blocks = {}
      for i = 1, n do
        local p = env:random_pose({BLOCK, BLOCK, BLOCK})
        if p == nil then return nil end
        blocks[i] = env:add("block", p, {color = colors[c]})
      end
      groups[c] = blocks
      total = total + n
    end
    -- distractors of a fourth colour stay on the table
    for i = 1, env.rng:int(0, 2) do
      local p = env:random_pose({BLOCK, BLOCK, BLOCK})
      if p == nil then return nil end
      env:add("block", p, {color = colors[4]})
    end

    local given = 0
    for c = 1, 3 do
      local r = #groups[c] / total
      if c == 3 then r = 1 - given end
      given = given + r
      env:goal{objects = groups[c], targets = comps[c].spots, matches = "any", rotations = false, reward = r,
               lang = "put the " .. colors[c] .. " blocks in the " .. SIDES[c] .. " compartment of the tray"}
    end
  end,
}
