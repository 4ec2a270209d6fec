-- Ravens' assembling-kits: five differently shaped pieces lie scattered on the
-- table, and a kit of five shaped sockets waits for them; each piece must be
-- put into the socket of its own shape, turned to fit. The kit is a 3 + 2
-- grid of `kit-socket-<shape>` receptacles sharing one yaw, each turned by a
-- random quarter turn; the pieces are `kit-<shape>` kinds, whose yaw symmetry
-- (a quarter turn for the square and the plus, a half turn for the bar and the
-- zed, a full turn for the ell, tee and u, any for the disc) is what the goal
-- checks.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing.
local colors = require "ravens.colors"

local SHAPES = {"square", "disc", "bar", "ell", "tee", "zed", "u", "plus"}
local PIECE_HEIGHT = 0.02 -- the kit pieces' default height
local CELL = 0.09         -- one socket's square in the kit: the widest socket is 8.4 cm
-- the five socket spots in the kit's frame: three at +y, two at -y
local SPOTS = {{-CELL, CELL / 2}, {0, CELL / 2}, {CELL, CELL / 2}, {-CELL / 2, -CELL / 2}, {CELL / 2, -CELL / 2}}

local function assets()
  local list = {}
  for _, shape in ipairs(SHAPES) do
    list[#list + 1] = "kit-" .. shape
    list[#list + 1] = "kit-socket-" .. shape
  end
  return list
end

return task {
  name = "assembling-kits",
  description = "Put each of five differently shaped pieces into the socket of its shape on the kit, turned to fit.",
  assets = assets(),
  max_steps = 8,
  reset = function(env)
    local shapes = env.rng:shuffle({table.unpack(SHAPES)})
    local names = colors.shuffled(env)
    local kit_color = names[#names]

    -- the kit goes first, on an empty table, so there is always room for it
    local kit = assert(env:random_pose({3 * CELL, 2 * CELL, 0}), "no room for the kit")
    local targets = {}
    for i, spot in ipairs(SPOTS) do
      local turn = env.rng:int(0, 3) * math.pi / 2
      local pose = gs.multiply(kit, gs.pose(spot[1], spot[2], 0, turn))
      env:add("kit-socket-" .. shapes[i], pose, {color = kit_color, fixed = true})
      -- a piece fits its socket when posed at the socket's pose, on the table
      targets[i] = gs.multiply(pose, gs.pose(0, 0, PIECE_HEIGHT / 2, 0))
    end

    -- a piece that finds no room is left out, and so is its socket's target
    local pieces, goal_targets = {}, {}
    for i = 1, #SPOTS do
      -- a footprint that covers the piece at any yaw (the plus is 5.4 cm)
      local pose = env:random_pose({0.056, 0.056, PIECE_HEIGHT})
      if pose then
        pieces[#pieces + 1] = env:add("kit-" .. shapes[i], pose, {color = names[i]})
        goal_targets[#goal_targets + 1] = targets[i]
      end
    end

    env:goal{objects = pieces, targets = goal_targets, matches = "pairs", rotations = true,
             tolerance = 0.012, metric = "pose", reward = 1,
             lang = "put all the pieces in their slots on the kit"}
  end,
}
