-- The workshop plugin: its kinds are built where its geometry module says
-- (a peg seats in every hole, a block fits every compartment, and neither
-- fits where the board or a wall is), their options are checked, and the
-- oracle solves each task on at least 18 of seeds 0..19 in both splits.
-- `gensim plugin check workshop` runs this file.
local gensim = require("gensim")

local EPS = 1e-6 -- poses come back in single precision
local SETTLE = 1e-3 -- and after reset lets the scene settle: resting bodies sink a little into what holds them

-- A task that runs body in reset with the workshop's modules in scope and
-- a goal on a gray block out of the way.
local function probe(body, opts)
  local src = ([[
local bench = require "workshop.bench"
local geometry = require "workshop.geometry"
return task {
  name = "workshop-probe", description = "checks the workshop's kinds and modules",
  assets = {"block", "peg", "peg-board", "divided-tray"}, max_steps = 1,
  reset = function(env)
    local b = env:add("block", gs.pose(0.27, 0.47, 0.02), {color = "gray"})
%s
    env:goal{objects = {b}, targets = {gs.pose(0.7, 0.45, 0.02)}, rotations = false}
  end,
}
]]):format(body)
  return gensim.load_task_string(src, "workshop-probe.lua", opts)
end

local function of_kind(t, kind)
  local out = {}
  for _, o in ipairs(t:objects()) do
    if o.kind == kind then out[#out + 1] = o end
  end
  return out
end

-- p in the frame of a pose {pos, rot} turned by yaw about z only
local function local_xy(pose, p)
  local q = pose.rot
  local yaw = math.atan(2 * (q[4] * q[3] + q[1] * q[2]), 1 - 2 * (q[2] * q[2] + q[3] * q[3]))
  local dx, dy = p[1] - pose.pos[1], p[2] - pose.pos[2]
  return math.cos(yaw) * dx + math.sin(yaw) * dy, -math.sin(yaw) * dx + math.cos(yaw) * dy
end

describe("peg-board and peg", function()
  for _, grid in ipairs({{3, 2}, {1, 1}, {4, 3}, {2, 3}}) do
    local columns, rows = grid[1], grid[2]
    it(("seat a peg in each of %d x %d holes, where the holes are"):format(columns, rows), function()
      local size = {0.06 * columns, 0.06 * rows, 0.02}
      local t = assert(probe(([[
    local size = {%g, %g, 0.02}
    local at = gs.pose(0.5, 0, 0, 0.3)
    env:add("peg-board", at, {size = size, columns = %d, rows = %d, hole = 0.04, color = "brown"})
    for _, seat in ipairs(bench.seats(at, size, %d, %d)) do env:add("peg", seat, {color = "red"}) end
]]):format(size[1], size[2], columns, rows, columns, rows)))
      -- reset refuses bodies that interpenetrate: every peg is in a hole
      assert(t:reset(0))
      local board = of_kind(t, "peg-board")[1]
      local pegs = of_kind(t, "peg")
      assert.equals(columns * rows, #pegs)
      -- each peg in the middle of a cell of an even grid, at its half height
      local seen = {}
      for _, peg in ipairs(pegs) do
        assert.same({0.05, 0.05, 0.03}, {peg.size[1], peg.size[2], peg.size[3]})
        local x, y = local_xy(board.pose, peg.pose.pos)
        local i = (x + size[1] / 2) / (size[1] / columns) + 0.5
        local j = (y + size[2] / 2) / (size[2] / rows) + 0.5
        assert.near(math.floor(i + 0.5), i, 1e-4)
        assert.near(math.floor(j + 0.5), j, 1e-4)
        seen[math.floor(i + 0.5) .. "," .. math.floor(j + 0.5)] = true
        assert.near(0.015, peg.pose.pos[3], SETTLE)
      end
      local n = 0
      for _ in pairs(seen) do n = n + 1 end
      assert.equals(columns * rows, n)
    end)
  end

  it("refuse a peg where the board is solid", function()
    local t = assert(probe([[
    local at = gs.pose(0.5, 0, 0, 0)
    env:add("peg-board", at, {color = "brown"})
    -- between two holes along x: 3 columns over 20 cm
    env:add("peg", gs.pose(0.5 + 0.1 / 3, -0.035, 0.015, 0), {color = "red"})
]]))
    local ok, err = t:reset(0)
    assert.is_nil(ok)
    assert.matches("interpenetrate", err)
  end)

  it("check their own options", function()
    local t = assert(probe([[env:add("peg-board", gs.pose(0.5, 0, 0, 0), {hole = 0.07})]]))
    local ok, err = t:reset(0)
    assert.is_nil(ok)
    assert.matches("peg%-board: holes of 0.07 m leave under 2 mm", err)
    t = assert(probe([[env:add("peg", gs.pose(0.5, 0, 0.015, 0), {shaft = 0.03})]]))
    ok, err = t:reset(0)
    assert.is_nil(ok)
    assert.matches("peg: a shaft of radius 0.03", err)
    t = assert(probe([[env:add("peg-board", gs.pose(0.5, 0, 0, 0), {columns = 5})]]))
    ok, err = t:reset(0)
    assert.is_nil(ok)
    assert.matches("columns", err)
  end)
end)

describe("divided-tray", function()
  for _, grid in ipairs({{3, 1}, {2, 2}, {4, 3}, {1, 1}}) do
    local columns, rows = grid[1], grid[2]
    it(("holds a block in each of %d x %d compartments, named left to right"):format(columns, rows), function()
      local size = {0.06 * columns + 0.006, 0.06 * rows + 0.006, 0.04}
      local t = assert(probe(([[
    local size = {%g, %g, 0.04}
    local at = gs.pose(0.5, -0.1, 0, math.pi / 2 + 0.2)
    env:add("divided-tray", at, {size = size, columns = %d, rows = %d, color = "brown"})
    local cells = bench.compartments(at, size, %d, %d)
    assert(#cells == %d)
    for _, c in ipairs(bench.left_to_right(cells)) do
      assert(c.w > 0.045 and c.h > 0.045)
      env:add("block", bench.in_compartment(c, 0, 0, 0.02), {color = "red"})
    end
]]):format(size[1], size[2], columns, rows, columns, rows, columns * rows)))
      assert(t:reset(0))
      local tray = of_kind(t, "divided-tray")[1]
      local blocks = {}
      for _, b in ipairs(of_kind(t, "block")) do
        if b.color == "red" then blocks[#blocks + 1] = b end
      end
      assert.equals(columns * rows, #blocks)
      local pitch = {(size[1] - 0.006) / columns, (size[2] - 0.006) / rows}
      for k, b in ipairs(blocks) do
        -- in the middle of a compartment, on the floor
        local x, y = local_xy(tray.pose, b.pose.pos)
        local i = (x + size[1] / 2 - 0.003) / pitch[1] + 0.5
        local j = (y + size[2] / 2 - 0.003) / pitch[2] + 0.5
        assert.near(math.floor(i + 0.5), i, 1e-4)
        assert.near(math.floor(j + 0.5), j, 1e-4)
        assert.near(0.026, b.pose.pos[3], SETTLE)
        -- listed from the robot's left (+y) to its right
        if k > 1 then assert.is_true(b.pose.pos[2] <= blocks[k - 1].pose.pos[2] + EPS) end
      end
    end)
  end

  it("refuses a block on a divider", function()
    local t = assert(probe([[
    env:add("divided-tray", gs.pose(0.5, 0, 0, 0), {color = "brown"})
    -- the divider between the first two of three compartments
    env:add("block", gs.pose(0.5 - 0.12 + 0.006 + 0.072 + 0.003, 0, 0.026, 0), {color = "red"})
]]))
    local ok, err = t:reset(0)
    assert.is_nil(ok)
    assert.matches("interpenetrate", err)
  end)
end)

describe("workshop tasks", function()
  for _, name in ipairs({"insert-pegs", "sort-blocks-into-tray", "tidy-workbench"}) do
    for _, split in ipairs({"train", "test"}) do
      it(("%s: the oracle solves at least 18 of seeds 0..19 (%s)"):format(name, split), function()
        local r = assert(gensim.run{task = name, episodes = 20, split = split})
        assert.is_true(r.successes >= 18, ("%d of 20"):format(r.successes))
      end)
    end

    it(name .. ": is not solved at reset", function()
      local t = assert(gensim.load_task(name))
      for seed = 0, 9 do
        assert(t:reset(seed))
        local r, done = t:reward()
        assert.is_true(r < 1)
        assert.is_false(done)
      end
    end)
  end
end)
