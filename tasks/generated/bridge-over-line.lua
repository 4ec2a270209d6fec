-- bridge-over-line: a short line is drawn on the table; two blocks and a
-- long flat box lie scattered around it. The robot first stands the two
-- blocks as pillars, one on each side of the line and square across from
-- each other, then lays the box across their tops so that it spans the line
-- at right angles, like a bridge over a stream.
--
-- In the line's frame (the line along local x) the pillars stand at local
-- y = -gap and +gap, clear of the line, and the box, as long as the pillars'
-- outer faces are apart plus a little overhang, lies along local y on top of
-- them (z = block height + half the box's thickness).
local BLOCK = 0.04

local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "bridge-over-line",
  description = "Stand the two blocks as pillars on either side of the drawn line, then lay the long flat box "
    .. "across their tops so that it bridges the line.",
  assets = {"block", "box", "line"},
  max_steps = 6,
  reset = function(env)
    local colors = split_colors(env)
    local length = env.rng:uniform(0.12, 0.16)
    local gap = env.rng:uniform(0.045, 0.055)
    local box_size = {2 * gap + BLOCK + 0.02, 0.04, 0.02}

    -- the line, first on the table, in a square room that also holds the
    -- bridge at any heading
    local span = math.max(length, box_size[1]) + 0.04
    local room = env:random_pose({span, span, 0})
    if room == nil then error("no room for the line") end
    local line = gs.pose(room.pos[1], room.pos[2], 0, gs.yaw(room))
    env:add("line", line, {length = length, color = colors[1]})

    -- keep the loose objects away from the bridge's site
    local function clear_pose(size)
      for _ = 1, 50 do
        local p = env:random_pose(size)
        if p == nil then return nil end
        local dx, dy = p.pos[1] - line.pos[1], p.pos[2] - line.pos[2]
        if math.sqrt(dx * dx + dy * dy) > span / 2 + 0.05 then return p end
      end
      return nil
    end

    local blocks = {}
    for i = 1, 2 do
      local p = clear_pose({BLOCK, BLOCK, BLOCK})
      if p == nil then error("no room for the blocks") end
      blocks[i] = env:add("block", p, {color = colors[1 + i]})
    end
    local p = clear_pose(box_size)
    if p == nil then error("no room for the box") end
    local box = env:add("box", p, {size = box_size, color = colors[4]})

    -- the pillars' places and the deck's place, in the line's frame
    local pillars = {
      gs.multiply(line, gs.pose(0, -gap, BLOCK / 2, 0)),
      gs.multiply(line, gs.pose(0, gap, BLOCK / 2, 0)),
    }
    local deck = gs.multiply(line, gs.pose(0, 0, BLOCK + box_size[3] / 2, math.pi / 2))

    env:goal{objects = blocks, targets = pillars, matches = "any", rotations = false, tolerance = 0.015,
             reward = 0.5,
             lang = "stand the two blocks on either side of the line, facing each other across it"}
    env:goal{objects = {box}, targets = {deck}, rotations = true, symmetry = math.pi, tolerance = 0.015,
             reward = 0.5,
             lang = ("lay the %s box across the two blocks so that it bridges the line"):format(colors[4])}
  end,
}
