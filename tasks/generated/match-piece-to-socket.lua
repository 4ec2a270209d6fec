-- match-piece-to-socket: three kit sockets of different shapes (drawn from
-- tee, zed, u and ell) stand on the table at random headings, and one kit
-- piece lies elsewhere, its shape matching exactly one of them. The robot
-- puts the piece into the matching socket, turned to fit; the other two
-- sockets are distractors.
--
-- All four shapes share one footprint (3 by 2 cells), so only the shape
-- tells the sockets apart. A socket's footprint is the piece's plus 3 cm
-- (5 mm clearance and a 1 cm rim on each side); a piece sits in its socket
-- at the socket's pose, turned alike, at z = its half height.
local SHAPES = {"tee", "zed", "u", "ell"}

local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "match-piece-to-socket",
  description = "Three sockets of different shapes stand on the table; put the lone kit piece into the one "
    .. "socket whose shape matches it, turned to fit.",
  assets = {"kit-tee", "kit-zed", "kit-u", "kit-ell",
            "kit-socket-tee", "kit-socket-zed", "kit-socket-u", "kit-socket-ell"},
  max_steps = 4,
  reset = function(env)
    local colors = split_colors(env)
    local cell = env.rng:uniform(0.021, 0.025)
    local piece_size = {3 * cell, 2 * cell, 0.02}
    local socket_size = {3 * cell, 2 * cell, 0.012}
    local footprint = {3 * cell + 0.03, 2 * cell + 0.03, 0}

    -- three different shapes for the sockets; the piece takes one of them
    local shapes = {}
    for i, s in ipairs(SHAPES) do shapes[i] = s end
    env.rng:shuffle(shapes)
    local pick = env.rng:int(1, 3)

    local target
    for i = 1, 3 do
      local room = env:random_pose(footprint)
      if room == nil then error("no room for the sockets") end
      local pose = gs.pose(room.pos[1], room.pos[2], 0, gs.yaw(room))
      env:add("kit-socket-" .. shapes[i], pose, {size = socket_size, color = colors[1], fixed = true})
      if i == pick then
        target = gs.pose(pose.pos[1], pose.pos[2], piece_size[3] / 2, gs.yaw(pose))
      end
    end

    -- the lone piece, flat on the table at a random heading
    local p = env:random_pose(piece_size)
    if p == nil then error("no room for the piece") end
    local piece = env:add("kit-" .. shapes[pick], p, {size = piece_size, color = colors[2]})

    env:goal{objects = {piece}, targets = {target}, rotations = true, reward = 1,
             lang = ("put the %s piece into the socket of its shape"):format(colors[2])}
  end,
}
