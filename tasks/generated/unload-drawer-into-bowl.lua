-- unload-drawer-into-bowl: a chest stands on the table with its drawer
-- pulled open towards the robot and a block lying on the drawer's floor; a
-- bowl stands elsewhere. The robot must lift the block out of the drawer,
-- put it in the bowl, and then push the drawer shut.
--
-- The chest faces the robot (its +x face, where the drawer slides out, turned
-- towards smaller world x, give or take a little). Its place is drawn as one
-- footprint covering the chest and the room the open drawer and its handle
-- take, so the drawer never runs off the workspace. The drawer is opened far
-- enough that the block on its floor lies wholly outside the chest's body,
-- open from above.

local CHEST = {0.16, 0.2, 0.1}
local RANGE = 0.85 * CHEST[1]
local HANDLE = 0.03
local BLOCK = {0.04, 0.04, 0.04}
local BOWL = {0.14, 0.14, 0.05}

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "unload-drawer-into-bowl",
  description = "Take the block out of the open drawer, put it into the bowl beside the chest, "
    .. "and then push the drawer shut.",
  assets = {"drawer", "block", "bowl"},
  max_steps = 6,
  reset = function(env)
    local names = palette(env)

    -- the chest and its drawer's sweep: LEN long along the chest's x axis
    -- (the chest is the first thing on the empty table, so its footprint's
    -- centre is drawn directly: a random_pose footprint turns by a random
    -- yaw, and one this long at 45 degrees does not fit the workspace)
    local len = CHEST[1] + RANGE + HANDLE
    local jitter = env.rng:uniform(-0.25, 0.25)
    local yaw = math.pi + jitter
    local c, s = math.cos(jitter), math.abs(math.sin(jitter))
    local hx = len / 2 * c + CHEST[2] / 2 * s + 0.01
    local hy = len / 2 * s + CHEST[2] / 2 * c + 0.01
    local cx = env.rng:uniform(0.25 + hx, 0.75 - hx)
    local cy = env.rng:uniform(-0.5 + hy, 0.5 - hy)
    local ax, ay = math.cos(yaw), math.sin(yaw)
    -- the chest's body sits at the far end of the footprint from the drawer
    local back = len / 2 - CHEST[1] / 2
    local chest_pose = gs.pose(cx - back * ax, cy - back * ay, 0, yaw)
    local chest = env:add("drawer", chest_pose, {size = CHEST, range = RANGE, fixed = true,
                                                 color = names[1]})
    env:set_joint(chest, "drawer", env.rng:uniform(0.9, 1.0))

    -- the block on the open drawer's floor
    local floor = env:link_pose(chest, "drawer")
    local block_pose = gs.pose(floor.pos[1], floor.pos[2], floor.pos[3] + BLOCK[3] / 2,
                               yaw + env.rng:uniform(-0.3, 0.3))
    local block = env:add("block", block_pose, {color = names[2]})

    -- the bowl, clear of the chest and of the open drawer's sweep
    local to_chest = gs.invert(chest_pose)
    local bowl_pose
    for _ = 1, 30 do
      local p = env:random_pose(BOWL)
      if p == nil then break end
      local l = gs.apply(to_chest, {p.pos[1], p.pos[2], 0})
      local r = BOWL[1] / 2 + 0.01
      local in_sweep = l[1] > -CHEST[1] / 2 - r and l[1] < CHEST[1] / 2 + RANGE + HANDLE + r
        and math.abs(l[2]) < CHEST[2] / 2 + r
      if not in_sweep then
        bowl_pose = p
        break
      end
    end
    assert(bowl_pose, "no room for the bowl")
    bowl_pose = gs.pose(bowl_pose.pos[1], bowl_pose.pos[2], 0, gs.yaw(bowl_pose))
    local bowl = env:add("bowl", bowl_pose, {size = BOWL, color = names[3]})

    -- stage 1: the block in the bowl, on its floor 6 mm up; it may rest
    -- anywhere on the floor (inner radius 6.4 cm less half a block)
    local target = gs.pose(bowl_pose.pos[1], bowl_pose.pos[2], 0.006 + BLOCK[3] / 2, 0)
    env:goal{objects = {block}, targets = {target}, matches = "pairs", rotations = false,
             tolerance = 0.044, metric = "pose", reward = 0.5,
             lang = ("take the %s block out of the drawer and put it in the %s bowl"):format(names[2], names[3])}

    -- stage 2: the drawer shut
    env:goal{objects = {chest}, metric = "joint", joint = "drawer", target = 0.0, tolerance = 0.05,
             reward = 0.5, lang = "push the drawer shut"}
  end,
}
