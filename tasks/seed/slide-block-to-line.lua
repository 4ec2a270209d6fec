-- Continuous control: a block and a line 10 to 15 cm away, square to the
-- way from one to the other; the cup slides the block until it sits on
-- the line.
local HALF_LENGTH = 0.1

-- The block's offset across the line (its distance from the line's axis)
-- and along it.
local function offsets(block, line)
  local yaw = gs.yaw(line)
  local dx, dy = block[1] - line.pos[1], block[2] - line.pos[2]
  local along = dx * math.cos(yaw) + dy * math.sin(yaw)
  local across = -dx * math.sin(yaw) + dy * math.cos(yaw)
  return across, along
end

local function on_line(block, line)
  local across, along = offsets(block, line)
  return math.abs(across) < 0.015 and math.abs(along) < HALF_LENGTH
end

return task {
  name = "slide-block-to-line",
  description = "Slide the block along the table until it sits on the blue line.",
  assets = {"block", "line"},
  control = "continuous",
  max_steps = 40,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    -- the block near the middle, the line 10 to 15 cm away in any
    -- direction the workspace leaves room for
    local bx, by = env.rng:uniform(0.42, 0.58), env.rng:uniform(-0.1, 0.1)
    local angle, lx, ly
    repeat
      angle = env.rng:uniform(-math.pi, math.pi)
      local r = env.rng:uniform(0.1, 0.15)
      lx, ly = bx + r * math.cos(angle), by + r * math.sin(angle)
    until lx > 0.37 and lx < 0.63
    env:add("line", gs.pose(lx, ly, 0, angle + math.pi / 2), {length = 2 * HALF_LENGTH, color = "blue"})
    local block = env:add("block", gs.pose(bx, by, 0.02, env.rng:uniform(0, math.pi / 2)),
                          {color = env.rng:choice(palette)})
    local lp = gs.pose(lx, ly, 0.02, angle + math.pi / 2)
    env:goal{objects = {block}, metric = "zone", zone = {pose = lp, size = {2 * HALF_LENGTH, 0.03, 0.05}},
             lang = "slide the block onto the blue line"}
  end,
  reward = function(env)
    local objects = env:objects()
    local line, block = env:pose(objects[1]), env:pose(objects[2]).pos
    local cup = env:gripper_pose().pos
    local across = offsets(block, line)
    -- the spot behind the block, across the line from it
    local yaw = gs.yaw(line)
    local side = across > 0 and 1 or -1
    local nx, ny = -math.sin(yaw) * side, math.cos(yaw) * side
    local bx, by = block[1] + 0.035 * nx, block[2] + 0.035 * ny
    local reach = math.sqrt((cup[1] - bx) ^ 2 + (cup[2] - by) ^ 2 + (cup[3] - 0.01) ^ 2)
    local ok = on_line(block, line)
    return -(2 * math.abs(across) + 0.5 * reach) + (ok and 10 or 0), ok, {across = math.abs(across), reach = reach}
  end,
  success = function(env)
    local objects = env:objects()
    return on_line(env:pose(objects[2]).pos, env:pose(objects[1]))
  end,
}
