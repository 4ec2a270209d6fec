-- Ravens' sweeping-piles: a pile of small cubes lies on the table beside a
-- square zone drawn on it; the spatula must push the whole pile into the zone.
--
-- Scoring: one zone goal over every cube, so the reward is the fraction of
-- the pile inside the zone (each cube credited by the fraction of it inside),
-- as Ravens scores it.
--
-- The oracle is the task's own (the built-in one only picks and places),
-- ravens.piles' next_push: it takes the cube outside the zone that lies
-- farthest from the zone's centre, sets the blade down a little behind it, on
-- the side away from the zone, and sweeps it along the line through the
-- zone's centre to just short of the centre, so everything in the blade's
-- path is carried in and cubes already inside stay inside.
--
-- Colours come from the episode's split (env.split): gs.TRAIN_COLORS when
-- training, gs.TEST_COLORS, unseen in training, when testing.
local colors = require "ravens.colors"
local piles = require "ravens.piles"

-- the state the oracle needs, set by reset
local cubes, zone_pose

return task {
  name = "sweeping-piles",
  description = "Push the pile of small cubes into the target zone with the spatula; the reward is the "
    .. "fraction of the pile inside the zone.",
  assets = {"pile", "zone"},
  max_steps = 20,
  reset = function(env)
    local names = colors.shuffled(env)
    zone_pose = piles.add_zone(env, names[1])
    cubes = piles.add_pile(env, names[2])
    piles.goal(env, cubes, zone_pose, ("push the pile of %s cubes into the %s zone"):format(names[2], names[1]))
  end,
  oracle = function(env)
    return piles.next_push(env, cubes, zone_pose)
  end,
}
