-- Continuous control: a wall stands between a block and its zone; the cup
-- pushes the block around the wall's end and into the zone.
local function inside(p, z)
  return math.abs(p[1] - z[1]) < 0.04 and math.abs(p[2] - z[2]) < 0.04
end

return task {
  name = "push-block-around-obstacle",
  description = "Push the block around the wall into the yellow zone on its other side.",
  assets = {"block", "box", "zone"},
  control = "continuous",
  max_steps = 60,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local x, y = env.rng:uniform(0.45, 0.55), env.rng:uniform(-0.05, 0.05)
    local side = env.rng:int(0, 1) == 0 and -1 or 1
    local zone = env:add("zone", gs.pose(x, y + side * 0.18, 0, 0), {size = {0.1, 0.1, 0}, color = "yellow"})
    env:add("box", gs.pose(x + env.rng:uniform(-0.03, 0.03), y + side * 0.09, 0.025, 0),
            {size = {0.08, 0.02, 0.05}, color = "gray", fixed = true})
    local block = env:add("block", gs.pose(x, y, 0.02, 0), {color = env.rng:choice(palette)})
    env:goal{objects = {block}, targets = {env:pose(zone)}, metric = "zone",
             zone = {pose = env:pose(zone), size = {0.08, 0.08, 0.05}}, lang = "push the block around the wall"}
  end,
  -- dense: the block's path length to the zone around the wall's nearer
  -- end, and the cup's distance to the spot behind the block from which a
  -- push sends it towards the next point of that path
  reward = function(env)
    local objects = env:objects()
    local zone, wall, block = env:pose(objects[1]).pos, env:pose(objects[2]).pos, env:pose(objects[3]).pos
    local cup = env:gripper_pose().pos
    local function dist(a, b) return math.sqrt((a[1] - b[1]) ^ 2 + (a[2] - b[2]) ^ 2) end
    local ends = {{wall[1] - 0.075, wall[2]}, {wall[1] + 0.075, wall[2]}}
    local crossed = (block[2] - wall[2]) * (zone[2] - wall[2]) > 0
    local path, via = dist(block, zone), zone
    if not crossed then
      local a = dist(block, ends[1]) + dist(ends[1], zone)
      local b = dist(block, ends[2]) + dist(ends[2], zone)
      path, via = math.min(a, b), a < b and ends[1] or ends[2]
    end
    local d = math.max(dist(block, via), 1e-6)
    local behind = {block[1] - 0.045 * (via[1] - block[1]) / d, block[2] - 0.045 * (via[2] - block[2]) / d}
    local reach = math.sqrt(dist(cup, behind) ^ 2 + (cup[3] - 0.01) ^ 2)
    local ok = inside(block, zone)
    return -(2 * path + 0.5 * reach) + (ok and 10 or 0), ok, {path = path, reach = reach}
  end,
  success = function(env)
    local objects = env:objects()
    return inside(env:pose(objects[3]).pos, env:pose(objects[1]).pos)
  end,
}
