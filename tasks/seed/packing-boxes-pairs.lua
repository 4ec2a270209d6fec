-- CLIPort's packing-boxes-pairs: the inside of a brown container is cut into
-- rectangles (a random k-d split) and each becomes a box a little smaller
-- than it, coloured one of two named colours; boxes of other colours lie
-- about as distractors. Every box of the two colours must go into the
-- container, which they then fill; the distractors stay out. Scored by the
-- zone metric over the container's inside, over the named boxes only.
--
-- The built-in oracle fills a zone on a lattice of equal cells, which cannot
-- pack boxes of different sizes tightly, so the task brings its own: each
-- named box goes to the rectangle it was cut from, turned to fit.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing. The container is
-- brown in both, and brown is never a box's colour.
local function palette(env)
  return env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
end

local WALL = 0.006       -- the container's wall and floor thickness (assets.c)
local HEIGHT = 0.06      -- the container's height
local GAP = 0.01         -- a box is this much smaller than its rectangle
local MIN_CELL = 0.055   -- no rectangle is narrower

local boxes, slots       -- set by reset, read by the oracle

-- Cuts the rectangle {x, y, w, h} (centre and size) into n pieces or fewer:
-- repeatedly the largest piece that can be cut is cut across its longer side.
local function split(rng, w, h, n)
  local cells = {{0, 0, w, h}}
  while #cells < n do
    local best, best_area = nil, 0
    for i, c in ipairs(cells) do
      if (c[3] >= 2 * MIN_CELL or c[4] >= 2 * MIN_CELL) and c[3] * c[4] > best_area then
        best, best_area = i, c[3] * c[4]
      end
    end
    if not best then break end
    local c = table.remove(cells, best)
    local along_x = c[3] >= 2 * MIN_CELL and (c[4] < 2 * MIN_CELL or c[3] >= c[4])
    local len = along_x and c[3] or c[4]
    local cut = rng:uniform(MIN_CELL, len - MIN_CELL)
    if along_x then
      cells[#cells + 1] = {c[1] - len / 2 + cut / 2, c[2], cut, c[4]}
      cells[#cells + 1] = {c[1] + cut / 2, c[2], len - cut, c[4]}
    else
      cells[#cells + 1] = {c[1], c[2] - len / 2 + cut / 2, c[3], cut}
      cells[#cells + 1] = {c[1], c[2] + cut / 2, c[3], len - cut}
    end
  end
  return cells
end

local function wrap(a, period)
  return a - period * math.floor(a / period + 0.5)
end

return task {
  name = "packing-boxes-pairs",
  description = "Pack all the boxes of the two named colours into the brown container, leaving the boxes of "
    .. "other colours out: together the named boxes fill it, so each must go into the space left for it.",
  assets = {"box", "container"},
  max_steps = 12,
  reset = function(env)
    local inner = {env.rng:uniform(0.16, 0.24), env.rng:uniform(0.16, 0.24)}
    local outer = {inner[1] + 2 * WALL, inner[2] + 2 * WALL, HEIGHT}
    local container = env:add("container", env:random_pose({outer[1], outer[2], 0}),
                              {size = outer, color = "brown", fixed = true})
    local cp = env:pose(container)

    local box_colors = {}
    for _, c in ipairs(palette(env)) do
      if c ~= "brown" then box_colors[#box_colors + 1] = c end
    end
    env.rng:shuffle(box_colors)
    local pair = {box_colors[1], box_colors[2]}
    local others = {table.unpack(box_colors, 3)}

    -- the named boxes: the first of each colour, the rest of either
    boxes, slots = {}, {}
    for _, c in ipairs(env.rng:shuffle(split(env.rng, inner[1], inner[2], env.rng:int(3, 7)))) do
      local size = {c[3] - GAP, c[4] - GAP, env.rng:uniform(0.025, 0.045)}
      local pose = env:random_pose(size)
      -- a box with no room on the table is left out: its space stays empty
      if pose then
        local color = pair[#boxes + 1] or env.rng:choice(pair)
        boxes[#boxes + 1] = env:add("box", pose, {size = size, color = color})
        slots[#slots + 1] = gs.multiply(cp, gs.pose(c[1], c[2], WALL + size[3], 0))
      end
    end

    -- distractors of the other colours, only where there is room
    for _ = 1, env.rng:int(2, 4) do
      local size = env:random_size({0.05, 0.05, 0.025}, {0.10, 0.10, 0.045})
      local pose = env:random_pose(size)
      if pose then env:add("box", pose, {size = size, color = env.rng:choice(others)}) end
    end

    local zone = {pose = gs.multiply(cp, gs.pose(0, 0, (WALL + HEIGHT) / 2, 0)),
                  size = {inner[1], inner[2], HEIGHT - WALL}}
    env:goal{objects = boxes, metric = "zone", zone = zone, tolerance = 0.005, reward = 1,
             lang = ("pack all the %s and %s boxes into the brown box"):format(pair[1], pair[2])}
  end,
  -- each named box not yet in its space goes there, the largest first
  oracle = function(env)
    local best, best_area
    for i, b in ipairs(boxes) do
      local p, s = env:pose(b), slots[i]
      local dx, dy = p.pos[1] - s.pos[1], p.pos[2] - s.pos[2]
      local placed = dx * dx + dy * dy < 0.004 ^ 2 and math.abs(wrap(gs.yaw(p) - gs.yaw(s), math.pi)) < 0.1
      local size = env:size(b)
      if not placed and (not best or size[1] * size[2] > best_area) then
        best, best_area = i, size[1] * size[2]
      end
    end
    if not best then return nil end
    local p, s, size = env:pose(boxes[best]), slots[best], env:size(boxes[best])
    local yaw = gs.yaw(p)
    local turn = wrap(gs.yaw(s) - yaw, math.pi)
    -- the cup holds the box by the centre of its top; it lets go when the
    -- box touches the container's floor
    return {pick = gs.pose(p.pos[1], p.pos[2], p.pos[3] + size[3] / 2, yaw),
            place = gs.pose(s.pos[1], s.pos[2], s.pos[3], yaw + turn)}
  end,
}
