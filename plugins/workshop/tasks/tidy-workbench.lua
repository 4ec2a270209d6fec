-- Tidying a workbench: pegs and blocks lie about the table beside a peg
-- board and a tray of three compartments. The pegs go into the board's
-- holes (any hole), then the blocks into the tray, one block per
-- compartment.
--
-- Scoring: two goals in order, each worth its objects' share: the pegs
-- (each seated, within 1 cm of a hole's middle), then the blocks (each
-- within 2 cm of a compartment's middle, no two in one). The blocks count
-- only while the pegs stay seated.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing; the board and
-- the tray take colours of their own, and no peg or block shares them.
local colors = require "ravens.colors"
local bench = require "workshop.bench"

return task {
  name = "tidy-workbench",
  description = "Tidy the workbench: seat every peg in a hole of the peg board, then put every block into the "
    .. "divided tray, one block per compartment.",
  assets = {"block", "peg", "peg-board", "divided-tray"},
  max_steps = 10,
  reset = function(env)
    local names = colors.shuffled(env)
    local board_color, tray_color = names[#names], names[#names - 1]
    local loose = {table.unpack(names, 1, #names - 2)}

    local _, seats = bench.add_board(env, board_color)
    local tray_pose = assert(env:random_pose({bench.TRAY[1], bench.TRAY[2], 0}), "no room for the tray")
    local tray = env:add("divided-tray", tray_pose, {color = tray_color})
    local spots = {}
    for i, c in ipairs(bench.compartments(env:pose(tray), bench.TRAY, 3, 1)) do
      spots[i] = bench.in_compartment(c, 0, 0, bench.BLOCK[3] / 2)
    end

    local pegs = bench.add_pegs(env, env.rng:int(2, 3), loose)
    local blocks = {}
    for _ = 1, env.rng:int(2, 3) do
      local pose = env:random_pose(bench.BLOCK)
      if pose then blocks[#blocks + 1] = env:add("block", pose, {color = env.rng:choice(loose)}) end
    end

    local total = #pegs + #blocks
    env:goal{objects = pegs, targets = seats, matches = "any", replace = false, rotations = false,
             tolerance = 0.01, metric = "pose", reward = #pegs / total,
             lang = ("tidy the bench: first put the pegs in the %s peg board"):format(board_color)}
    env:goal{objects = blocks, targets = spots, matches = "any", replace = false, rotations = false,
             tolerance = 0.02, metric = "pose", reward = #blocks / total,
             lang = ("then put the blocks in the %s tray, one in each compartment"):format(tray_color)}
  end,
}
