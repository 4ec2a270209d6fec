-- find-matching-socket: one kit piece (a T, a Z or a U) lies on the table
-- among three or four sockets of one colour, each of a different shape and
-- only one of them the piece's. The robot must find that socket and fit the
-- piece into it, turned to match (the T and U have no symmetry, the Z a half
-- turn). Pieces and sockets are of their kinds' default sizes, so each piece
-- fits its socket when posed at the socket's pose, on the table.
local colors = require "ravens.colors"

local PIECES = {tee = "T-shaped", zed = "Z-shaped", u = "U-shaped"}
local PIECE_SHAPES = {"tee", "zed", "u"}
local SOCKET_SHAPES = {"tee", "zed", "u", "plus", "square"}
local PIECE_HEIGHT = 0.02
-- a square that covers the widest socket (the plus's 8.4 cm) with some room
local SOCKET_ROOM = {0.09, 0.09, 0}

return task {
  name = "find-matching-socket",
  description = "Pick up the single kit piece and fit it, turned to match, into the one socket of its shape "
    .. "among several sockets of other shapes.",
  assets = {"kit-tee", "kit-zed", "kit-u", "kit-socket-tee", "kit-socket-zed", "kit-socket-u",
            "kit-socket-plus", "kit-socket-square"},
  max_steps = 3,
  reset = function(env)
    local names = colors.shuffled(env)
    local piece_color, socket_color = names[1], names[2]
    local shape = env.rng:choice(PIECE_SHAPES)

    -- the matching socket first, on the empty table, then two or three
    -- others of different shapes where there is room
    local pose = assert(env:random_pose(SOCKET_ROOM), "no room for the socket")
    env:add("kit-socket-" .. shape, pose, {color = socket_color, fixed = true})
    local target = gs.multiply(pose, gs.pose(0, 0, PIECE_HEIGHT / 2, 0))

    local others = {}
    for _, s in ipairs(SOCKET_SHAPES) do
      if s ~= shape then others[#others + 1] = s end
    end
    env.rng:shuffle(others)
    for i = 1, env.rng:int(2, 3) do
      local p = env:random_pose(SOCKET_ROOM)
      if p then env:add("kit-socket-" .. others[i], p, {color = socket_color, fixed = true}) end
    end

    -- the piece, with a footprint that covers it at any yaw
    local piece = env:add("kit-" .. shape, assert(env:random_pose({0.056, 0.056, PIECE_HEIGHT}), "no room for the piece"),
                          {color = piece_color})

    env:goal{objects = {piece}, targets = {target}, matches = "pairs", rotations = true,
             tolerance = 0.012, metric = "pose", reward = 1,
             lang = ("put the %s %s piece into the socket of its shape"):format(piece_color, PIECES[shape])}
  end,
}
