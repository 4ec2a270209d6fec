-- The ravens plugin's helper modules, checked directly: each case loads a
-- small task that calls a module in the sandbox and lays out what it
-- returned as objects (or raises when a value is wrong), and the host reads
-- the scene back. `gensim plugin check ravens` runs this file.
local gensim = require("gensim")

local EPS = 1e-6

-- A task whose reset runs body (with env in scope) after requiring the
-- ravens modules and adding a gray block out of the way, with a goal for it
-- unless body sets goal = false and sets its own; extra
-- goes into the task's table (an oracle). The host reads poses and sizes
-- back in single precision: they compare within a micrometre.
local function task_source(body, extra)
  return ([[
local colors = require "ravens.colors"
local packing = require "ravens.packing"
local piles = require "ravens.piles"
local rope = require "ravens.rope"
local scatter = require "ravens.scatter"
return task {
  name = "ravens-probe", description = "checks the ravens helper modules",
  assets = {"block", "box", "container", "zone", "pile", "rope"}, max_steps = 5,
  reset = function(env)
    local goal = true
    local b = env:add("block", gs.pose(0.3, 0.45, 0.02), {color = "gray"})
%s
    if goal then env:goal{objects = {b}, targets = {gs.pose(0.7, 0.45, 0.02)}, rotations = false} end
  end,
  %s
}
]]):format(body, extra or "")
end

local function load(body, opts, extra)
  return assert(gensim.load_task_string(task_source(body, extra), "ravens-probe.lua", opts))
end

local function of_kind(t, kind)
  local out = {}
  for _, o in ipairs(t:objects()) do
    if o.kind == kind then out[#out + 1] = o end
  end
  return out
end

describe("ravens.colors", function()
  local all = gensim.colors()

  for _, split in ipairs({"train", "test"}) do
    it("draws from the " .. split .. " split's colours and leaves the list itself alone", function()
      -- a row of blocks in the shuffled order, then one in the palette's own
      local t = load([[
    local mixed = colors.shuffled(env)
    local own = colors.palette(env)
    for i, name in ipairs(mixed) do env:add("block", gs.pose(0.5, -0.45 + 0.06 * i, 0.02), {color = name}) end
    for i, name in ipairs(own) do env:add("block", gs.pose(0.6, -0.45 + 0.06 * i, 0.02), {color = name}) end
    for i, name in ipairs(colors.without(own, own[1], own[3])) do
      env:add("block", gs.pose(0.7, -0.45 + 0.06 * i, 0.02), {color = name})
    end
]], {split = split})
      local orders = {}
      for seed = 0, 7 do
        assert(t:reset(seed))
        local rows = {[0.5] = {}, [0.6] = {}, [0.7] = {}}
        for _, o in ipairs(of_kind(t, "block")) do
          for x, row in pairs(rows) do
            if math.abs(o.pose.pos[1] - x) < 1e-6 then row[#row + 1] = o.color end
          end
        end
        local mixed, own, without = rows[0.5], rows[0.6], rows[0.7]
        -- the palette is the split's list, in its order, after a shuffle
        assert.same(all[split], own)
        -- the shuffle is a permutation of it
        local sorted_mixed, sorted_own = {table.unpack(mixed)}, {table.unpack(own)}
        table.sort(sorted_mixed)
        table.sort(sorted_own)
        assert.same(sorted_own, sorted_mixed)
        orders[table.concat(mixed, ",")] = true
        -- without drops the names given and keeps the order of the rest
        local want = {}
        for i, name in ipairs(all[split]) do
          if i ~= 1 and i ~= 3 then want[#want + 1] = name end
        end
        assert.same(want, without)
      end
      local distinct = 0
      for _ in pairs(orders) do distinct = distinct + 1 end
      assert.is_true(distinct > 1, "the shuffle gave one order on 8 seeds")
    end)
  end

  it("names colours as a phrase", function()
    local t = load([[
    assert(colors.list({"red"}) == "red", colors.list({"red"}))
    assert(colors.list({"red", "blue"}) == "red and blue", colors.list({"red", "blue"}))
    local three = colors.list({"red", "green", "blue"})
    assert(three == "red, green and blue", three)
]])
    assert(t:reset(0))
  end)
end)

describe("ravens.packing", function()
  local MIN = 0.055
  -- {w, h, n}: the rectangle and how many pieces are asked for
  local cases = {{0.2, 0.2, 3}, {0.24, 0.16, 7}, {0.16, 0.16, 9}, {0.3, 0.12, 5}, {0.11, 0.3, 6}, {0.1, 0.1, 4}}
  for _, c in ipairs(cases) do
    local w, h, n = c[1], c[2], c[3]
    it(("cuts %g x %g into at most %d pieces that cover it exactly"):format(w, h, n), function()
      -- each piece becomes a flat zone at its place, the rectangle centred on (0.5, 0)
      local t = load(([[
    for _, c in ipairs(packing.split(env.rng, %.17g, %.17g, %d)) do
      env:add("zone", gs.pose(0.5 + c[1], c[2], 0, 0), {size = {c[3], c[4], 0.001}})
    end
]]):format(w, h, n))
      for seed = 0, 9 do
        assert(t:reset(seed))
        local cells, area = {}, 0
        for _, o in ipairs(of_kind(t, "zone")) do
          local x, y, cw, ch = o.pose.pos[1] - 0.5, o.pose.pos[2], o.size[1], o.size[2]
          cells[#cells + 1] = {x, y, cw, ch}
          area = area + cw * ch
          -- inside the rectangle, and no narrower than the minimum
          assert.is_true(math.abs(x) + cw / 2 <= w / 2 + EPS and math.abs(y) + ch / 2 <= h / 2 + EPS)
          assert.is_true(cw >= MIN - EPS and ch >= MIN - EPS, ("a piece %g x %g"):format(cw, ch))
        end
        assert.is_true(#cells >= 1 and #cells <= n)
        -- fewer pieces than asked only when none could be cut again
        if #cells < n then
          for _, p in ipairs(cells) do assert.is_true(p[3] < 2 * MIN and p[4] < 2 * MIN) end
        end
        -- no two overlap, and together they have the rectangle's area: an exact cover
        for i = 1, #cells do
          for j = i + 1, #cells do
            local a, b = cells[i], cells[j]
            local ox = math.min(a[1] + a[3] / 2, b[1] + b[3] / 2) - math.max(a[1] - a[3] / 2, b[1] - b[3] / 2)
            local oy = math.min(a[2] + a[4] / 2, b[2] + b[4] / 2) - math.max(a[2] - a[4] / 2, b[2] - b[4] / 2)
            assert.is_true(ox <= EPS or oy <= EPS, ("pieces %d and %d overlap"):format(i, j))
          end
        end
        assert.near(w * h, area, EPS)
      end
    end)
  end

  it("wraps angles into a half-open period", function()
    local t = load([[
    local h = math.pi / 2
    local cases = {{0, 0}, {h, -h}, {-h, -h}, {3 * h, -h}, {math.pi, 0}, {h - 0.1, h - 0.1}, {-7.5, -7.5 + 2 * math.pi}}
    for _, c in ipairs(cases) do
      local got = packing.wrap(c[1], math.pi)
      assert(math.abs(got - c[2]) < 1e-12, ("wrap(%g) = %g, not %g"):format(c[1], got, c[2]))
    end
]])
    assert(t:reset(0))
  end)

  it("packs every box into its slot with its own oracle", function()
    local t = load([[
    local cp, inner = packing.container(env)
    local cells = packing.split(env.rng, inner[1], inner[2], env.rng:int(3, 5))
    BOXES, SLOTS = packing.add_boxes(env, cp, cells, function() return "red" end)
    env:goal{objects = BOXES, metric = "zone", zone = packing.zone(cp, inner), tolerance = 0.005}
    goal = false
]], nil, [[oracle = function(env) return packing.next_move(env, BOXES, SLOTS) end,]])
    for seed = 0, 2 do
      local ep = assert(t:run_episode(seed))
      assert.is_true(ep.success, "seed " .. seed)
    end
  end)
end)

describe("ravens.piles", function()
  it("pushes the farthest cube outside the zone towards the zone's centre", function()
    local t = load([[
    local z = piles.add_zone(env, "green")
    piles.add_pile(env, "red")
    ZONE = z
]], nil, [[oracle = function(env)
    local cubes = {}
    for _, o in ipairs(env:objects()) do if env:size(o)[1] < 0.02 then cubes[#cubes + 1] = o end end
    return piles.next_push(env, cubes, ZONE)
  end,]])
    for seed = 0, 4 do
      assert(t:reset(seed))
      local zone = of_kind(t, "zone")[1]
      local c = zone.pose.pos
      local cubes = of_kind(t, "pile")
      assert.equals(30, #cubes)
      -- the farthest cube from the zone's centre (none is inside at reset)
      local far, far_d = nil, -1
      for _, cube in ipairs(cubes) do
        local p = cube.pose.pos
        local d = math.sqrt((p[1] - c[1]) ^ 2 + (p[2] - c[2]) ^ 2)
        if d > far_d then far, far_d = p, d end
      end
      local a = assert(t:oracle_action()).push
      -- the blade comes down 2.5 cm behind that cube, on the line through the centre
      local ux, uy = (c[1] - far[1]) / far_d, (c[2] - far[2]) / far_d
      assert.near(far[1] - 0.025 * ux, a.from[1], EPS)
      assert.near(far[2] - 0.025 * uy, a.from[2], EPS)
      -- and stops 1 cm short of the centre, 8 mm above the table
      assert.near(c[1] - 0.01 * ux, a.to[1], EPS)
      assert.near(c[2] - 0.01 * uy, a.to[2], EPS)
      assert.near(0.008, a.from[3], 1e-12)
    end
  end)
end)

describe("ravens.rope", function()
  -- targets on the beads themselves, listed from the far end: pairing them
  -- the nearer way round meets the goal at reset, the other way does not
  local body = [[
    local beads = rope.add(env, "red", function() error("no room on an empty table") end)
    local pts = {}
    for i = rope.COUNT, 1, -1 do
      local p = env:pose(beads[i]).pos
      pts[#pts + 1] = gs.pose(p[1], p[2], p[3], 0)
    end
    BEADS, TARGETS = beads, rope.targets(env, beads, pts)
    rope.goal(env, BEADS, TARGETS, "lay the rope where it lies")
    goal = false
]]
  it("pairs the beads with the targets the nearer way round", function()
    local t = load(body, nil, [[oracle = function(env) return rope.next_move(env, BEADS, TARGETS) end,]])
    for seed = 0, 4 do
      assert(t:reset(seed))
      assert.equals(20, #of_kind(t, "rope"))
      local r, done = t:reward()
      assert.equals(1, r)
      assert.is_true(done)
      -- nothing to do: the oracle stops
      assert.is_nil(t:oracle_action())
    end
  end)

  it("counts each bead at its own point or the mirrored one, and no other", function()
    -- targets on the beads' own spots, listed backwards: every bead is at its
    -- mirrored point. With the list's first half put back in order
    -- (own_first_half), those beads are at their own points, and the second
    -- half's beads at neither of theirs (both hold a first-half bead's spot)
    local function reward(own_first_half)
      local t = load(([[
    local beads = rope.add(env, "red", function() error("no room on an empty table") end)
    local m = rope.either_way()
    for i = 1, rope.COUNT do
      for j = 1, rope.COUNT do assert(m[i][j] == (j == i or j == rope.COUNT + 1 - i), i .. "," .. j) end
    end
    local pts, targets = {}, {}
    for i = 1, rope.COUNT do
      local p = env:pose(beads[i]).pos
      pts[i] = gs.pose(p[1], p[2], p[3], 0)
    end
    for j = 1, rope.COUNT do targets[j] = pts[rope.COUNT + 1 - j] end
    if %s then
      for j = 1, rope.COUNT / 2 do targets[j] = pts[j] end
    end
    env:goal{objects = beads, targets = targets, matches = m, rotations = false, tolerance = 0.005,
             metric = "pose", reward = 1}
    goal = false
]]):format(own_first_half))
      assert(t:reset(3))
      return (t:reward())
    end
    assert.near(1, reward("false"), 1e-9)
    assert.near(0.5, reward("true"), 1e-9)
  end)

  it("drops the rope crumpled, on the table, inside the workspace", function()
    local t = load([[
    assert(rope.drop(env, "red"))
]])
    local bent = 0
    for seed = 0, 9 do
      assert(t:reset(seed))
      local beads = of_kind(t, "rope")
      assert.equals(20, #beads)
      local a, b = beads[1].pose.pos, beads[#beads].pose.pos
      local ux, uy = b[1] - a[1], b[2] - a[2]
      local len = math.sqrt(ux * ux + uy * uy)
      local off = 0
      for _, o in ipairs(beads) do
        local p = o.pose.pos
        assert.is_true(p[3] < 0.04, "a bead still in the air at z " .. p[3])
        off = math.max(off, math.abs((p[1] - a[1]) * uy - (p[2] - a[2]) * ux) / len)
      end
      -- straight, the ends lie a rope's length apart and every bead on their line
      if off > 0.02 or len < 0.25 then bent = bent + 1 end
    end
    assert.is_true(bent >= 8, bent .. " of 10 drops landed bent")
  end)
end)

describe("ravens.scatter", function()
  it("adds only the objects that find room", function()
    local t = load([[
    local added = scatter.some(env, "box", 12, {0.3, 0.3, 0.05}, {size = {0.3, 0.3, 0.05}, color = "blue"})
    assert(#added >= 1 and #added < 12, #added .. " boxes of 30 cm on a 50 x 100 cm table")
    scatter.distractors(env, 6, {"block"}, {block = {0.04, 0.04, 0.04}}, {"yellow", "cyan"})
]])
    for seed = 0, 4 do
      assert(t:reset(seed))
      for _, o in ipairs(of_kind(t, "box")) do assert.equals("blue", o.color) end
      local n = 0
      for _, o in ipairs(of_kind(t, "block")) do
        if o.color ~= "gray" then
          n = n + 1
          assert.is_true(o.color == "yellow" or o.color == "cyan")
        end
      end
      assert.is_true(n <= 6)
    end
  end)
end)
