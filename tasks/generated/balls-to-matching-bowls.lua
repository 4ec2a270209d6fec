-- balls-to-matching-bowls: two to four bowls of different colours stand on
-- the table, and as many balls, one of each bowl's colour, lie elsewhere;
-- sometimes one more bowl of a colour no ball has stands among them as a
-- decoy. Each ball must go into the bowl of its own colour (pairs), one ball
-- per bowl.
--
-- A ball is in its bowl when its centre is within the bowl's floor (radius
-- 7 cm less the 6 mm wall) less the ball's radius: 4.4 cm of the bowl's
-- centre for a 2 cm ball; a ball may roll about the floor after it is
-- dropped there, so that whole circle counts. It rests 6 mm up on the floor.
local colors = require "ravens.colors"

local BOWL = {0.14, 0.14, 0.05}
local FLOOR = 0.006

return task {
  name = "balls-to-matching-bowls",
  description = "Put each ball into the bowl of its own colour, one ball per bowl, so that every ball ends up "
    .. "matched to its colour.",
  assets = {"ball", "bowl"},
  max_steps = 8,
  reset = function(env)
    local names = colors.shuffled(env)
    local n = env.rng:int(2, 4)
    local radius = env.rng:uniform(0.018, 0.022)

    -- the bowls first, while the table is emptiest
    local bowl_poses = {}
    for i = 1, n do
      local p = env:random_pose({BOWL[1], BOWL[2], 0})
      if p then
        env:add("bowl", p, {size = BOWL, color = names[i]})
        bowl_poses[#bowl_poses + 1] = {pose = p, color = names[i]}
      end
    end
    if #bowl_poses < 2 then error("no room for the bowls") end

    -- a decoy bowl of a colour no ball has, where there is room
    if env.rng:int(0, 1) == 1 then
      local p = env:random_pose({BOWL[1], BOWL[2], 0})
      if p then env:add("bowl", p, {size = BOWL, color = names[n + 1]}) end
    end

    -- one ball per bowl, of its colour; a ball with no room leaves its bowl
    -- out of the goal (it stays as a decoy)
    local balls, targets = {}, {}
    for _, b in ipairs(bowl_poses) do
      local p = env:random_pose({2 * radius, 2 * radius, 2 * radius})
      if p then
        balls[#balls + 1] = env:add("ball", p, {radius = radius, color = b.color})
        targets[#targets + 1] = gs.pose(b.pose.pos[1], b.pose.pos[2], FLOOR + radius, 0)
      end
    end
    if #balls == 0 then error("no room for a ball") end

    env:goal{objects = balls, targets = targets, matches = "pairs", replace = false, rotations = false,
             metric = "pose", tolerance = 0.064 - radius, reward = 1,
             lang = "put each ball in the bowl of its own colour"}
  end,
}
