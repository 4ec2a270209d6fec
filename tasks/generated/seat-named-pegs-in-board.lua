-- seat-named-pegs-in-board: a peg board with a grid of square holes lies on
-- the table among round pegs of several colours. Every peg of the named
-- colour must be seated in a hole of the board, one peg per hole, its shaft
-- down the hole and its cap resting on the board's top; pegs of the other
-- colours stay on the table.
local colors = require "ravens.colors"

return task {
  name = "seat-named-pegs-in-board",
  description = "Seat every peg of the named colour in a hole of the peg board, one peg per hole, "
    .. "leaving the pegs of other colours on the table.",
  assets = {"peg-board", "peg"},
  max_steps = 8,
  reset = function(env)
    local picked = colors.shuffled(env)
    local peg_color, board_color = picked[1], picked[#picked]

    -- the board: an even grid of cells, each wider than a peg's cap
    local columns = env.rng:int(2, 4)
    local rows = env.rng:int(1, 2)
    local cell = env.rng:uniform(0.065, 0.075)
    local board_size = {columns * cell, rows * cell, env.rng:uniform(0.02, 0.03)}
    local hole = env.rng:uniform(0.036, 0.04)
    local board_pose = assert(env:random_pose({board_size[1], board_size[2], 0}), "no room for the board")
    env:add("peg-board", board_pose, {size = board_size, columns = columns, rows = rows, hole = hole,
                                      color = board_color, fixed = true})

    -- the pegs: the cap wider than a hole, the shaft narrower, and no longer
    -- than the board is thick so that a seated peg rests on its cap
    local cap_width = env.rng:uniform(0.047, 0.05)
    local cap = env.rng:uniform(0.008, 0.01)
    local shaft = env.rng:uniform(0.012, 0.014)
    local peg_size = {cap_width, cap_width, cap + board_size[3] - 0.002}
    local function add_peg(color)
      local pose = env:random_pose(peg_size)
      if not pose then return nil end
      return env:add("peg", pose, {size = peg_size, cap = cap, shaft = shaft, color = color})
    end

    local n = env.rng:int(1, math.min(3, columns * rows))
    local pegs = {}
    for i = 1, n do
      pegs[i] = assert(add_peg(peg_color), "no room for a peg")
    end
    -- distractor pegs in the other colours, where there is room
    for i = 1, env.rng:int(1, 3) do
      add_peg(picked[1 + i])
    end

    -- a seated peg's cap rests on the board's top: its centre is the cap's
    -- thickness less half the peg's height above the board's top
    local holes = {}
    for c = 1, columns do
      for r = 1, rows do
        local hx = -board_size[1] / 2 + (c - 0.5) * cell
        local hy = -board_size[2] / 2 + (r - 0.5) * cell
        holes[#holes + 1] = gs.multiply(board_pose,
          gs.pose(hx, hy, board_size[3] + cap - peg_size[3] / 2, 0))
      end
    end

    env:goal{objects = pegs, targets = holes, matches = "any", replace = false, rotations = false,
             tolerance = 0.012, metric = "pose", reward = 1,
             lang = ("put every %s peg in a hole of the peg board"):format(peg_color)}
  end,
}
