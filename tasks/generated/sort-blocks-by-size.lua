-- sort-blocks-by-size: 4 cm blocks and 2.5 cm cubes of mixed colours lie
-- about the table beside a bowl and a container. Size, not colour, decides
-- where each goes: every small cube into the bowl, every 4 cm block into
-- the container.
--
-- Several objects share one receptacle, so each goal uses replace = true
-- with a tolerance that keeps an object's centre inside the receptacle's
-- floor: the bowl (16 cm, 6 mm walls) has a floor of radius 7.4 cm, and a
-- small cube's half diagonal is 1.8 cm, so 5 cm; the container (18 cm, 6 mm
-- walls) has a floor 16.8 cm square, and a block's half diagonal is 2.8 cm,
-- so 5.5 cm.
local colors = require "ravens.colors"

local BOWL = {0.16, 0.16, 0.05}
local CONTAINER = {0.18, 0.18, 0.06}
local BLOCK = {0.04, 0.04, 0.04}
local SMALL = {0.025, 0.025, 0.025}
local FLOOR = 0.006

return task {
  name = "sort-blocks-by-size",
  description = "Sort the mixed blocks by size: put every small 2.5 cm cube into the bowl and every 4 cm block "
    .. "into the container.",
  assets = {"block", "small-block", "bowl", "container"},
  max_steps = 10,
  reset = function(env)
    local picked = colors.shuffled(env)
    local bowl_color, container_color = picked[1], picked[2]
    local block_colors = {table.unpack(picked, 3)}

    -- the receptacles first, while the table is empty
    local cpose = env:random_pose({CONTAINER[1], CONTAINER[2], 0})
    if cpose == nil then error("no room for the container") end
    local container = env:add("container", cpose, {size = CONTAINER, color = container_color})
    local bpose = env:random_pose({BOWL[1], BOWL[2], 0})
    if bpose == nil then error("no room for the bowl") end
    local bowl = env:add("bowl", bpose, {size = BOWL, color = bowl_color})

    -- the blocks, big and small, in colours shared by both sizes
    local function scatter(kind, size, n)
      local list = {}
      for _ = 1, n do
        local p = env:random_pose(size)
        if p then list[#list + 1] = env:add(kind, p, {color = env.rng:choice(block_colors)}) end
      end
      if #list == 0 then error("no room for a " .. kind) end
      return list
    end
    local smalls = scatter("small-block", SMALL, env.rng:int(2, 3))
    local bigs = scatter("block", BLOCK, env.rng:int(2, 3))

    local bowl_target = env:pose(bowl)
    bowl_target = gs.pose(bowl_target.pos[1], bowl_target.pos[2], FLOOR + SMALL[3] / 2, gs.yaw(bowl_target))
    local box_target = env:pose(container)
    box_target = gs.pose(box_target.pos[1], box_target.pos[2], FLOOR + BLOCK[3] / 2, gs.yaw(box_target))

    env:goal{objects = smalls, targets = {bowl_target}, matches = "any", replace = true, rotations = false,
             metric = "pose", tolerance = 0.05, reward = 0.5,
             lang = ("put all the small cubes in the %s bowl"):format(bowl_color)}
    env:goal{objects = bigs, targets = {box_target}, matches = "any", replace = true, rotations = false,
             metric = "pose", tolerance = 0.055, reward = 0.5,
             lang = ("put all the big blocks in the %s container"):format(container_color)}
  end,
}
