-- Pegs into a peg board: two to four mushroom pegs stand on the table on
-- their shafts; each must be seated in a hole of the board (any hole), its
-- shaft down the hole and its cap resting on the board. The holes are 4 cm
-- square and the shafts 2.8 cm across, so a peg must come within 6 mm of a
-- hole's middle to drop in; one seated is within 1 cm of the middle.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing.
local colors = require "ravens.colors"
local bench = require "workshop.bench"

return task {
  name = "insert-pegs",
  description = "Seat every peg in a hole of the peg board: lift each mushroom peg by its cap and lower its "
    .. "shaft into a free hole until the cap rests on the board.",
  assets = {"peg", "peg-board"},
  max_steps = 8,
  reset = function(env)
    local names = colors.shuffled(env)
    local board_color = names[#names]
    local _, seats = bench.add_board(env, board_color)
    local pegs = bench.add_pegs(env, env.rng:int(2, 4), {names[1], names[2], names[3]})
    env:goal{objects = pegs, targets = seats, matches = "any", replace = false, rotations = false,
             tolerance = 0.01, metric = "pose", reward = 1,
             lang = ("put every peg in a hole of the %s peg board"):format(board_color)}
  end,
}
