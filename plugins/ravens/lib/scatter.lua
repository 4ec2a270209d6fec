-- Objects scattered on the table where there is room: require "ravens.scatter".
--
-- Each object takes one env:random_pose; an object with no room left is
-- left out rather than forced in, so a crowded table yields fewer objects.
local M = {}

-- Up to n objects of kind, each with footprint size and options opts; returns
-- the handles of those that found room.
function M.some(env, kind, n, size, opts)
  local added = {}
  for _ = 1, n do
    local pose = env:random_pose(size)
    if pose then added[#added + 1] = env:add(kind, pose, opts) end
  end
  return added
end

-- n distractors: each of a kind drawn from kinds, with the footprint
-- sizes[kind] and a colour drawn from colors (draws the kind, then the pose,
-- then the colour).
function M.distractors(env, n, kinds, sizes, colors)
  for _ = 1, n do
    local kind = env.rng:choice(kinds)
    local pose = env:random_pose(sizes[kind])
    if pose then env:add(kind, pose, {color = env.rng:choice(colors)}) end
  end
end

return M
