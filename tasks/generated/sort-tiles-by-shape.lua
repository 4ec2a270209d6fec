-- sort-tiles-by-shape: two zones of different colours are drawn on the
-- table, and flat tiles of one colour lie scattered about: some square, some
-- round, of nearly the same footprint, so only their shape tells them apart.
-- The instruction names which zone takes the square tiles and which the round
-- ones; every square tile must go into its zone, every round one into the
-- other.
--
-- Each kind's stage is a zone goal: the score is the fraction of each tile
-- inside the zone's box, which is given a height of 5 cm so that a 2 cm tile
-- resting on the table inside the drawn square counts wholly.

local ZONE = {0.15, 0.15, 0}
local ZONE_BOX_H = 0.05
local SQUARE = {0.04, 0.04, 0.02}
local DISC_R = 0.022
local TILE_H = 0.02

local function palette(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "sort-tiles-by-shape",
  description = "Sort the flat tiles by shape: put every square tile into one drawn zone and every round tile "
    .. "into the other zone, as the instruction names them by colour.",
  assets = {"kit-square", "kit-disc", "zone"},
  max_steps = 10,
  reset = function(env)
    local names = palette(env)
    local square_zone_color, disc_zone_color, tile_color = names[1], names[2], names[3]

    -- the zones first, while the table is empty
    local zone_poses = {}
    for i = 1, 2 do
      local p = env:random_pose(ZONE)
      assert(p, "no room for a zone")
      zone_poses[i] = gs.pose(p.pos[1], p.pos[2], 0, gs.yaw(p))
      env:add("zone", zone_poses[i], {size = {ZONE[1], ZONE[2], 0.001}, color = names[i]})
    end

    -- the tiles, in a random order of adding, all of one colour
    local n_sq, n_disc = env.rng:int(1, 3), env.rng:int(1, 3)
    local kinds = {}
    for _ = 1, n_sq do kinds[#kinds + 1] = "kit-square" end
    for _ = 1, n_disc do kinds[#kinds + 1] = "kit-disc" end
    env.rng:shuffle(kinds)
    local squares, discs = {}, {}
    for _, kind in ipairs(kinds) do
      if kind == "kit-square" then
        local p = env:random_pose(SQUARE)
        assert(p, "no room for a square tile")
        squares[#squares + 1] = env:add("kit-square", p, {size = SQUARE, color = tile_color})
      else
        local p = env:random_pose({2 * DISC_R, 2 * DISC_R, TILE_H})
        assert(p, "no room for a round tile")
        discs[#discs + 1] = env:add("kit-disc", p, {radius = DISC_R, height = TILE_H, color = tile_color})
      end
    end

    local function zone_goal(objs, zp, lang)
      env:goal{objects = objs, targets = {zp}, matches = "any", replace = true, rotations = false,
               metric = "zone", zone = {pose = zp, size = {ZONE[1], ZONE[2], ZONE_BOX_H}},
               reward = 0.5, lang = lang}
    end
    zone_goal(squares, zone_poses[1], ("put the square tiles in the %s zone"):format(square_zone_color))
    zone_goal(discs, zone_poses[2], ("put the round tiles in the %s zone"):format(disc_zone_color))
  end,
}
