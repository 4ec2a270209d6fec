-- CLIPort's separating-piles: a pile of small cubes lies on the table with
-- two square zones of different colours drawn on it; the spatula must push
-- the whole pile into the zone of the named colour. The other zone is a
-- distractor: cubes in it earn nothing (nor are they penalised).
--
-- Scoring: one zone goal over every cube and the named zone only, so the
-- reward is the fraction of the pile inside it (each cube credited by the
-- fraction of it inside), as CLIPort scores it; the episode succeeds when
-- every cube is wholly inside.
--
-- The oracle is the task's own (the built-in one only picks and places), the
-- same as sweeping-piles' (ravens.piles' next_push): it takes the cube outside
-- the target zone that lies farthest from the zone's centre, sets the blade
-- down a little behind it, on the side away from the zone, and sweeps it
-- along the line through the zone's centre to just short of the centre, so
-- everything in the blade's path is carried in and cubes already inside stay
-- inside.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing.
local colors = require "ravens.colors"
local piles = require "ravens.piles"

-- the state the oracle needs, set by reset
local cubes, zone_pose

return task {
  name = "separating-piles",
  description = "Push the pile of small cubes into the zone of the named colour with the spatula, not the "
    .. "zone of the other colour; the reward is the fraction of the pile inside the named zone.",
  assets = {"pile", "zone"},
  max_steps = 20,
  reset = function(env)
    local names = colors.shuffled(env)
    -- the target zone and the distractor, in colours of their own
    zone_pose = piles.add_zone(env, names[1])
    piles.add_zone(env, names[3])
    cubes = piles.add_pile(env, names[2])
    local lang = ("push the pile of %s cubes into the %s zone, not the %s one"):format(names[2], names[1], names[3])
    piles.goal(env, cubes, zone_pose, lang)
  end,
  oracle = function(env)
    return piles.next_push(env, cubes, zone_pose)
  end,
}
