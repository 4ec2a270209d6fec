-- tray-diagonal-blocks: a 3x3 divided tray stands on the table, its heading
-- kept within 22.5 degrees of the workspace axes so that each of its corners
-- has one clear name as the robot sees it (front = smaller x, left = +y).
-- Three blocks lie elsewhere on the table; one must go into each compartment
-- on the diagonal through the named corner, and no other compartment.
--
-- The tray is 24 cm square, so its compartments are about 8 cm wide and
-- their centres lie 8 cm apart in the tray's frame; a 4 cm block sits on the
-- tray floor (6 mm up) with its centre 2.6 cm above the table. A block
-- counts within 1.5 cm of its compartment's centre, which keeps it well
-- inside that compartment and far from the neighbouring ones.

local TRAY = {0.24, 0.24, 0.04}
local BLOCK = {0.04, 0.04, 0.04}
local FLOOR = 0.006
local CELL = TRAY[1] / 3

-- corner signs in the tray's frame: {x sign (front -1, back +1), y sign (right -1, left +1), name}
local CORNERS = {
  {-1, 1, "front left"},
  {-1, -1, "front right"},
  {1, 1, "back left"},
  {1, -1, "back right"},
}

return task {
  name = "tray-diagonal-blocks",
  description = "Put one block into each compartment on the diagonal of the 3x3 divided tray that starts at "
    .. "the named corner (front-left or front-right as the robot sees it), leaving the other compartments empty.",
  assets = {"divided-tray", "block"},
  max_steps = 6,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local names = {}
    for i, c in ipairs(palette) do names[i] = c end
    env.rng:shuffle(names)
    local tray_color, block_color = names[1], names[2]

    -- the tray first, on the empty table: room is asked for a square that
    -- holds the tray at any heading, then the heading is kept near the axes
    local room = env:random_pose({0.35, 0.35, 0})
    local x, y
    if room then
      x, y = room.pos[1], room.pos[2]
    else
      x, y = 0.5, env.rng:uniform(-0.25, 0.25)
    end
    local yaw = env.rng:uniform(-math.pi / 8, math.pi / 8)
    local tray_pose = gs.pose(x, y, 0, yaw)
    env:add("divided-tray", tray_pose, {size = TRAY, columns = 3, rows = 3, color = tray_color})

    -- the three blocks, on the table clear of the tray
    local blocks = {}
    for i = 1, 3 do
      local p = env:random_pose(BLOCK)
      if p == nil then error("no room for a block") end
      blocks[i] = env:add("block", p, {color = block_color})
    end

    -- the diagonal through the named corner: that corner's compartment, the
    -- middle one and the opposite corner's
    local k = env.rng:int(1, 4)
    local sx, sy = CORNERS[k][1], CORNERS[k][2]
    local cells = {{sx, sy}, {0, 0}, {-sx, -sy}}
    local targets = {}
    for i, c in ipairs(cells) do
      local p = gs.apply(tray_pose, {c[1] * CELL, c[2] * CELL, 0})
      targets[i] = gs.pose(p[1], p[2], FLOOR + BLOCK[3] / 2, yaw)
    end

    local lang = ("put a %s block in each compartment on the tray's diagonal from its %s corner")
      :format(block_color, CORNERS[k][3])
    env:goal{objects = blocks, targets = targets, matches = "any", replace = false,
             rotations = false, metric = "pose", tolerance = 0.015, reward = 1, lang = lang}
  end,
}
