-- sort-cubes-by-size: two open containers of different colours stand on the
-- table among large (4 cm) and small (2.5 cm) cubes of mixed colours. The
-- cube's colour says nothing: every large block goes into the container of
-- the first named colour, every small block into the container of the
-- other. Two stages, scored in order: the large blocks, then the small ones.
--
-- Each stage is a zone goal over the container's inside (less its 6 mm
-- walls, from its floor 6 mm up), so the blocks share the container, each
-- credited by the fraction of it inside.
local colors = require "ravens.colors"

local BLOCK = {0.04, 0.04, 0.04}
local SMALL = {0.025, 0.025, 0.025}
local FLOOR, WALL = 0.006, 0.006

return task {
  name = "sort-cubes-by-size",
  description = "Sort the mixed cubes by size: put every large block in the container of one named colour "
    .. "and every small block in the container of the other.",
  assets = {"block", "small-block", "container"},
  max_steps = 10,
  reset = function(env)
    local names = colors.shuffled(env)
    local big_color, small_color = names[1], names[2]
    local cube_colors = {table.unpack(names, 3)}

    -- the containers first, while the table is empty
    local containers, sizes = {}, {}
    for i, color in ipairs({big_color, small_color}) do
      local side = env.rng:uniform(0.13, 0.16)
      sizes[i] = {side, side, env.rng:uniform(0.045, 0.06)}
      local pose = assert(env:random_pose({side, side, 0}), "no room for a container")
      containers[i] = env:add("container", pose, {size = sizes[i], color = color, fixed = true})
    end

    local function scatter(kind, size, n)
      local list = {}
      for i = 1, n do
        local pose = assert(env:random_pose(size), "no room for a cube")
        list[i] = env:add(kind, pose, {color = env.rng:choice(cube_colors)})
      end
      return list
    end
    local big = scatter("block", BLOCK, env.rng:int(2, 3))
    local small = scatter("small-block", SMALL, env.rng:int(2, 3))

    local function goal(i, cubes, cube, color, what)
      local base = env:pose(containers[i])
      local inside = {sizes[i][1] - 2 * WALL, sizes[i][2] - 2 * WALL, sizes[i][3] - FLOOR}
      local zone = gs.multiply(base, gs.pose(0, 0, FLOOR + inside[3] / 2, 0))
      local spot = gs.multiply(base, gs.pose(0, 0, FLOOR + cube[3] / 2, 0))
      env:goal{objects = cubes, metric = "zone", zone = {pose = zone, size = inside}, targets = {spot},
               replace = true, rotations = false, reward = 0.5,
               lang = ("put the %s blocks in the %s container"):format(what, color)}
    end
    goal(1, big, BLOCK, big_color, "large")
    goal(2, small, SMALL, small_color, "small")
  end,
}
