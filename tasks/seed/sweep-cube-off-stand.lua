-- Continuous control: a small cube rests on a raised stand; the cup sweeps
-- it off, onto the table.
local function off_stand(cube, stand)
  local d = math.sqrt((cube[1] - stand[1]) ^ 2 + (cube[2] - stand[2]) ^ 2)
  return cube[3] < 0.03 and d > 0.08
end

return task {
  name = "sweep-cube-off-stand",
  description = "Sweep the small cube off the stand so that it lands on the table.",
  assets = {"stand", "small-block"},
  control = "continuous",
  max_steps = 30,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local sx, sy = env.rng:uniform(0.42, 0.58), env.rng:uniform(-0.12, 0.12)
    local stand = env:add("stand", gs.pose(sx, sy, 0, env.rng:uniform(0, math.pi / 2)),
                          {size = {0.1, 0.1, 0.04}, color = "gray"})
    local cube = env:add("small-block", gs.pose(sx + env.rng:uniform(-0.02, 0.02), sy + env.rng:uniform(-0.02, 0.02),
                                                0.04 + 0.0125, env.rng:uniform(0, math.pi / 2)),
                         {color = env.rng:choice(palette)})
    local table_spot = gs.pose(sx, sy, 0.0125, 0)
    env:goal{objects = {cube}, targets = {table_spot}, metric = "zone",
             zone = {pose = table_spot, size = {0.6, 0.6, 0.03}}, lang = "sweep the cube off the stand"}
    local _ = stand
  end,
  reward = function(env)
    local objects = env:objects()
    local stand, cube = env:pose(objects[1]).pos, env:pose(objects[2]).pos
    local cup = env:gripper_pose().pos
    local d = math.sqrt((cube[1] - stand[1]) ^ 2 + (cube[2] - stand[2]) ^ 2)
    -- the cup at the cube's height, on the side nearer the stand's centre
    local ux, uy = (cube[1] - stand[1]) / math.max(d, 1e-3), (cube[2] - stand[2]) / math.max(d, 1e-3)
    if d < 1e-3 then ux, uy = 1, 0 end
    local bx, by = cube[1] - 0.025 * ux, cube[2] - 0.025 * uy
    local reach = math.sqrt((cup[1] - bx) ^ 2 + (cup[2] - by) ^ 2 + (cup[3] - cube[3]) ^ 2)
    local ok = off_stand(cube, stand)
    local on_stand = math.max(0, 0.1 - d)
    return -(2 * on_stand + 0.5 * reach) + (ok and 10 or 0), ok, {on_stand = on_stand, reach = reach}
  end,
  success = function(env)
    local objects = env:objects()
    return off_stand(env:pose(objects[2]).pos, env:pose(objects[1]).pos)
  end,
}
