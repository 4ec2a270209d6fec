-- Packing boxes into a container, as Ravens' packing-boxes and CLIPort's
-- packing-boxes-pairs do: require "ravens.packing".
--
-- The inside of a brown container is cut into rectangles (a random k-d
-- split), each rectangle becomes a box a little smaller than it, and the
-- boxes are scattered on the table: packing them all fills the container.
-- The built-in oracle fills a zone on a lattice of equal cells, which cannot
-- pack boxes of different sizes tightly, so next_move is an oracle of its
-- own: each box goes to the rectangle it was cut from, turned to fit.
local M = {}

M.WALL = 0.006      -- the container's wall and floor thickness (assets.c)
M.HEIGHT = 0.06     -- the container's height
M.GAP = 0.01        -- a box is this much smaller than its rectangle
M.MIN_CELL = 0.055  -- no rectangle is narrower

-- Cuts the rectangle of size w x h centred on the origin into n pieces or
-- fewer, each {x, y, w, h} (centre and size): repeatedly the largest piece
-- that can be cut is cut across its longer side, at a random place that
-- leaves both halves min_cell (default MIN_CELL) wide or more. The pieces
-- cover the rectangle exactly, without overlap. One rng:uniform per cut.
function M.split(rng, w, h, n, min_cell)
  local min = min_cell or M.MIN_CELL
  local cells = {{0, 0, w, h}}
  while #cells < n do
    local best, best_area = nil, 0
    for i, c in ipairs(cells) do
      if (c[3] >= 2 * min or c[4] >= 2 * min) and c[3] * c[4] > best_area then
        best, best_area = i, c[3] * c[4]
      end
    end
    if not best then break end
    local c = table.remove(cells, best)
    local along_x = c[3] >= 2 * min and (c[4] < 2 * min or c[3] >= c[4])
    local len = along_x and c[3] or c[4]
    local cut = rng:uniform(min, len - min)
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

-- a wrapped into [-period/2, period/2)
function M.wrap(a, period)
  return a - period * math.floor(a / period + 0.5)
end

-- The brown container, fixed, with an inside of 16 to 24 cm a side (two
-- rng:uniform draws), put on the table first. Returns its pose and the
-- inside's size {x, y}.
function M.container(env)
  local inner = {env.rng:uniform(0.16, 0.24), env.rng:uniform(0.16, 0.24)}
  local outer = {inner[1] + 2 * M.WALL, inner[2] + 2 * M.WALL, M.HEIGHT}
  local container = env:add("container", env:random_pose({outer[1], outer[2], 0}),
                            {size = outer, color = "brown", fixed = true})
  return env:pose(container), inner
end

-- A box for each cell (of split), 2.5 to 4.5 cm high, where the table has
-- room; color_of(i) names the colour of the i-th box added. A box with no
-- room is left out: its space stays empty. Returns the boxes and, for each,
-- its slot: where it rests in the container cp, in its own cell.
function M.add_boxes(env, cp, cells, color_of)
  local boxes, slots = {}, {}
  for _, c in ipairs(cells) do
    local size = {c[3] - M.GAP, c[4] - M.GAP, env.rng:uniform(0.025, 0.045)}
    local pose = env:random_pose(size)
    if pose then
      boxes[#boxes + 1] = env:add("box", pose, {size = size, color = color_of(#boxes + 1)})
      slots[#slots + 1] = gs.multiply(cp, gs.pose(c[1], c[2], M.WALL + size[3], 0))
    end
  end
  return boxes, slots
end

-- The zone goal's zone: the container's inside, floor to rim.
function M.zone(cp, inner)
  return {pose = gs.multiply(cp, gs.pose(0, 0, (M.WALL + M.HEIGHT) / 2, 0)),
          size = {inner[1], inner[2], M.HEIGHT - M.WALL}}
end

-- The oracle: the largest box not yet in its slot goes there, turned to fit
-- (a box looks the same a half turn round); nil when every box is in place.
-- The cup holds the box by the centre of its top and lets go when the box
-- touches the container's floor.
function M.next_move(env, boxes, slots)
  local best, best_area
  for i, b in ipairs(boxes) do
    local p, s = env:pose(b), slots[i]
    local dx, dy = p.pos[1] - s.pos[1], p.pos[2] - s.pos[2]
    local placed = dx * dx + dy * dy < 0.004 ^ 2 and math.abs(M.wrap(gs.yaw(p) - gs.yaw(s), math.pi)) < 0.1
    local size = env:size(b)
    if not placed and (not best or size[1] * size[2] > best_area) then
      best, best_area = i, size[1] * size[2]
    end
  end
  if not best then return nil end
  local p, s, size = env:pose(boxes[best]), slots[best], env:size(boxes[best])
  local yaw = gs.yaw(p)
  local turn = M.wrap(gs.yaw(s) - yaw, math.pi)
  return {pick = gs.pose(p.pos[1], p.pos[2], p.pos[3] + size[3] / 2, yaw),
          place = gs.pose(s.pos[1], s.pos[2], s.pos[3], yaw + turn)}
end

return M
