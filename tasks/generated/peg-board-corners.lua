-- A 3x3 peg board and four loose pegs standing on the table; the robot
-- seats one peg in each of the board's four corner holes, leaving the
-- edge and middle holes empty.
local COLS, ROWS = 3, 3
local HOLE = 0.04
local PEG = {0.05, 0.05, 0.035}
local CAP = 0.01
local SHAFT = 0.014

return task {
  name = "peg-board-corners",
  description = "Seat the four pegs lying on the table into the four corner holes of the 3x3 peg board, leaving the middle and edge holes empty.",
  assets = {"peg-board", "peg"},
  max_steps = 8,
  reset = function(env)
    local palette = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
    local colors = env.rng:shuffle({table.unpack(palette)})

    -- a square board 18 to 20 cm wide, 3 cm thick (thicker than the
    -- pegs' shafts are long, so a seated peg hangs on its cap)
    local side = env.rng:uniform(0.18, 0.2)
    local bsize = {side, side, 0.03}
    local bpose = env:random_pose(bsize)
    if bpose == nil then return nil end
    bpose.pos[3] = 0
    local board = env:add("peg-board", bpose, {size = bsize, columns = COLS, rows = ROWS, hole = HOLE,
                                               color = colors[1]})

    -- the four pegs, each standing on its shaft somewhere on the table
    local pegs = {}
    for i = 1, 4 do
      local p = env:random_pose(PEG)
      if p == nil then return nil end
      pegs[i] = env:add("peg", p, {size = PEG, cap = CAP, shaft = SHAFT, color = colors[2 + (i - 1) % (#colors - 1)]})
    end

    -- the corner holes: the middles of the corner cells of the even grid
    local cw, ch = bsize[1] / COLS, bsize[2] / ROWS
    local dx, dy = bsize[1] / 2 - cw / 2, bsize[2] / 2 - ch / 2
    -- a seated peg rests its cap on the board's top
    local z = bsize[3] + CAP - PEG[3] / 2
    local yaw = gs.yaw(bpose)
    local targets = {}
    for _, c in ipairs({{-dx, -dy}, {dx, -dy}, {-dx, dy}, {dx, dy}}) do
      local w = gs.apply(bpose, {c[1], c[2], 0})
      targets[#targets + 1] = gs.pose(w[1], w[2], z, yaw)
    end

    env:goal{objects = pegs, targets = targets, matches = "any", rotations = false, reward = 1,
             lang = "put the pegs into the four corner holes of the peg board"}
  end,
}
