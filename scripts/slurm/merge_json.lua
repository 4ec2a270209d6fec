-- Sums the JSON parts of a sharded gensim validate or gensim eval run into
-- one object of the same fields (tasks in shard order, counts added, rates
-- from the sums). Run as:
--   gensim lua scripts/slurm/merge_json.lua validate|eval OUT.json PART.json...
local cjson = require("cjson")
local kind, out = ...
local parts = {select(3, ...)}
assert(kind == "validate" or kind == "eval", "usage: merge_json.lua validate|eval OUT.json PART.json...")
assert(out and #parts > 0, "usage: merge_json.lua validate|eval OUT.json PART.json...")

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return assert(cjson.decode(s), path .. " is not JSON")
end

-- the parts in shard order, each shard once
local by_shard, count = {}, nil
for _, path in ipairs(parts) do
  local p = read(path)
  local i, n = (p.shard or "0/1"):match("^(%d+)/(%d+)$")
  i, n = tonumber(i), tonumber(n)
  assert(not count or n == count, path .. ": a part of another split")
  assert(not by_shard[i], path .. ": shard " .. p.shard .. " twice")
  count, by_shard[i] = n, p
end
for i = 0, count - 1 do assert(by_shard[i], "shard " .. i .. "/" .. count .. " is missing") end

local merged = {tasks = {}}
local wall = 0
for i = 0, count - 1 do
  local p = by_shard[i]
  for _, t in ipairs(p.tasks) do
    local last = merged.tasks[#merged.tasks]
    if kind == "eval" and last and last.path == t.path then
      -- a task split between shards: one entry, its episodes summed
      local n = last.episodes + t.episodes
      last.mean_reward = n > 0 and (last.mean_reward * last.episodes + t.mean_reward * t.episodes) / n or 0
      last.episodes, last.successes = n, last.successes + t.successes
      last.success_rate = n > 0 and last.successes / n or 0
      last.wall_s = (last.wall_s or 0) + (t.wall_s or 0)
    else
      t.first_seed = nil
      merged.tasks[#merged.tasks + 1] = t
    end
  end
  wall = math.max(wall, p.wall_s or 0)
  if kind == "validate" then
    merged.total = (merged.total or 0) + p.total
    merged.passed = merged.passed or {}
    for rung, n in pairs(p.passed) do merged.passed[rung] = (merged.passed[rung] or 0) + n end
    merged.seeds, merged.min_solved = p.seeds, p.min_solved
  else
    merged.episodes = (merged.episodes or 0) + p.episodes
    merged.successes = (merged.successes or 0) + p.successes
    merged.reward_sum = (merged.reward_sum or 0) + p.mean_reward * p.episodes
    merged.policy, merged.policy_steps = p.policy, p.policy_steps
    merged.split = p.split
    if i == 0 then merged.first_seed = p.first_seed end -- the run's, not a later part's
  end
end
if kind == "validate" then
  merged.rates = {}
  for rung, n in pairs(merged.passed) do merged.rates[rung] = merged.total > 0 and n / merged.total or 0 end
else
  merged.success_rate = merged.episodes > 0 and merged.successes / merged.episodes or 0
  merged.mean_reward = merged.episodes > 0 and merged.reward_sum / merged.episodes or 0
  merged.reward_sum = nil
end
merged.wall_s = wall -- the slowest part's
merged.parts = count
local f = assert(io.open(out .. ".tmp", "wb"))
f:write(cjson.encode(merged), "\n")
f:close()
assert(os.rename(out .. ".tmp", out))
