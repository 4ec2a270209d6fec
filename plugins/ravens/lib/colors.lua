-- Colours by the episode's split, as every seed task draws them:
-- require "ravens.colors".
--
-- env.split is "train" or "test"; training draws from gs.TRAIN_COLORS and
-- testing from gs.TEST_COLORS, which holds colours unseen in training.
local M = {}

-- The split's colour names (the shared list itself: copy it before changing it).
function M.palette(env)
  return env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
end

-- A copy of the split's colours in a random order (one env.rng:shuffle).
function M.shuffled(env)
  return env.rng:shuffle({table.unpack(M.palette(env))})
end

-- A new list of the names in list, in order, less the ones given.
function M.without(list, ...)
  local drop, out = {}, {}
  for _, name in ipairs({...}) do drop[name] = true end
  for _, name in ipairs(list) do
    if not drop[name] then out[#out + 1] = name end
  end
  return out
end

-- Names as a phrase: "red", "red and blue", "red, green and blue".
function M.list(names)
  if #names == 1 then return names[1] end
  return table.concat(names, ", ", 1, #names - 1) .. " and " .. names[#names]
end

return M
