-- Continuous control: a puck rests near the middle of the table and a zone
-- lies 12 to 18 cm from it; the cup pushes the puck into the zone. No
-- primitive does this: the puck slides, and the push must follow it.
local function inside(p, z)
  return math.abs(p[1] - z[1]) < 0.04 and math.abs(p[2] - z[2]) < 0.04
end

return task {
  name = "push-puck-to-zone",
  description = "Push the puck across the table until it rests inside the green zone.",
  assets = {"cylinder", "zone"},
  control = "continuous",
  max_steps = 40,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local px, py = env.rng:uniform(0.42, 0.58), env.rng:uniform(-0.1, 0.1)
    local angle, r = env.rng:uniform(-math.pi, math.pi), env.rng:uniform(0.12, 0.18)
    local zx, zy = px + r * math.cos(angle), py + r * math.sin(angle)
    if zx < 0.3 or zx > 0.7 then zx = px - r * math.cos(angle) end
    local zone = env:add("zone", gs.pose(zx, zy, 0, 0), {size = {0.1, 0.1, 0}, color = "green"})
    local puck = env:add("cylinder", gs.pose(px, py, 0.01, 0),
                         {radius = 0.025, height = 0.02, color = env.rng:choice(palette)})
    env:goal{objects = {puck}, targets = {env:pose(zone)}, metric = "zone",
             zone = {pose = env:pose(zone), size = {0.08, 0.08, 0.05}},
             lang = "push the puck into the green zone"}
  end,
  -- dense: the puck's distance to the zone, and the cup's to the spot
  -- behind the puck from which a push sends it there
  reward = function(env)
    local objects = env:objects()
    local zone, puck = env:pose(objects[1]).pos, env:pose(objects[2]).pos
    local cup = env:gripper_pose().pos
    local dx, dy = zone[1] - puck[1], zone[2] - puck[2]
    local d = math.sqrt(dx * dx + dy * dy)
    local bx, by = puck[1] - 0.04 * dx / math.max(d, 1e-6), puck[2] - 0.04 * dy / math.max(d, 1e-6)
    local reach = math.sqrt((cup[1] - bx) ^ 2 + (cup[2] - by) ^ 2 + (cup[3] - 0.005) ^ 2)
    local ok = inside(puck, zone)
    return -(2 * d + 0.5 * reach) + (ok and 10 or 0), ok, {goal = d, reach = reach}
  end,
  success = function(env)
    local objects = env:objects()
    return inside(env:pose(objects[2]).pos, env:pose(objects[1]).pos)
  end,
}
