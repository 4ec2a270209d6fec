-- The kit kinds (a `kit-<shape>` piece and the `kit-socket-<shape>` it fits,
-- per shape) and the assembling-kits seed task: every kind is listed with its
-- yaw symmetry and builds, every piece drops into its own socket, and the
-- oracle solves the task on at least 90 of 100 seeds.
local gensim = require("gensim")

local PI = math.pi
-- each shape's yaw period: a turn by it maps the piece onto itself (0: any)
local SYMMETRY = {square = PI / 2, disc = 0, bar = PI, ell = 2 * PI, tee = 2 * PI, zed = PI, u = 2 * PI,
                  plus = PI / 2}
-- a socket's footprint is its piece's grown by 5 mm of clearance and a 1 cm rim on each side
local SOCKET_MARGIN = 0.03

local function kinds_by_name()
  local kinds = {}
  for _, k in ipairs(gensim.assets()) do kinds[k.name] = k end
  return kinds
end

-- A task with one socket of shape at a fixed pose, turned by yaw, and its
-- piece somewhere on the table: the piece must go into the socket.
local function insertion_task(shape, yaw)
  return ([[
return task {
  name = "kit-insertion",
  description = "Put the kit piece into the socket of its shape, turned to fit.",
  assets = {"kit-%s", "kit-socket-%s"},
  max_steps = 2,
  reset = function(env)
    local socket = env:add("kit-socket-%s", gs.pose(0.5, 0, 0, %.17g), {color = "gray"})
    local piece = env:add("kit-%s", assert(env:random_pose({0.056, 0.056, 0.02})), {color = "red"})
    env:goal{objects = {piece}, targets = {gs.multiply(env:pose(socket), gs.pose(0, 0, 0.01, 0))},
             rotations = true, tolerance = 0.01}
  end,
}
]]):format(shape, shape, shape, yaw, shape)
end

describe("kit kinds", function()
  local kinds = kinds_by_name()

  for shape, symmetry in pairs(SYMMETRY) do
    describe(shape, function()
      local piece, socket = kinds["kit-" .. shape], kinds["kit-socket-" .. shape]

      it("is listed as a movable piece and a fixed socket, with the shape's symmetry", function()
        assert.is_table(piece)
        assert.is_table(socket)
        assert.equals("movable", piece.role)
        assert.equals("receptacle", socket.role)
        assert.is_false(piece.fixed)
        assert.is_true(socket.fixed)
        assert.near(symmetry, piece.symmetry, 1e-12)
        assert.near(symmetry, socket.symmetry, 1e-12)
        assert.is_true(#piece.doc > 20 and #socket.doc > 20)
        -- about 4 to 5.5 cm across, 2 cm tall
        local size = piece.size
        local across = math.max(size[1], size[2])
        assert.is_true(across > 0.04 - 1e-9 and across < 0.056, ("%g across"):format(across))
        assert.near(0.02, size[3], 1e-12)
      end)

      it("builds, and the oracle puts the piece into its socket at any socket yaw", function()
        for k, yaw in ipairs({0, 0.7, 2.5, -1.9}) do
          local t = assert(gensim.load_task_string(insertion_task(shape, yaw), "kit-" .. shape .. ".lua"))
          assert(t:reset(k))
          local objects = t:objects()
          assert.equals("kit-socket-" .. shape, objects[1].kind)
          assert.equals("kit-" .. shape, objects[2].kind)
          for d = 1, 2 do
            assert.near(piece.size[d], objects[2].size[d], 1e-9)
            -- the disc's ring of staves pokes out a little at its corners
            assert.near(piece.size[d] + SOCKET_MARGIN, objects[1].size[d], shape == "disc" and 1e-3 or 1e-9)
          end
          local r = t:reward()
          assert.is_true(r < 1)
          local ep = assert(t:run_episode(k))
          assert.is_true(ep.success, ("kit-%s into its socket at yaw %g, seed %d"):format(shape, yaw, k))
          t:close()
        end
      end)
    end)
  end
end)

describe("assembling-kits", function()
  local t

  setup(function()
    t = assert(gensim.load_task("tasks/seed/assembling-kits.lua"))
  end)

  teardown(function()
    if t then t:close() end
  end)

  it("loads with five pieces and five sockets, not solved at reset", function()
    assert.equals("assembling-kits", t:info().name)
    for seed = 0, 19 do
      assert(t:reset(seed))
      local r, done = t:reward()
      assert.is_true(r < 1, ("seed %d: reward %.3f at reset"):format(seed, r))
      assert.is_false(done)
      local pieces, sockets = {}, {}
      for _, o in ipairs(t:objects()) do
        local socket = o.kind:match("^kit%-socket%-(.+)$")
        if socket then
          sockets[socket] = true
        else
          pieces[assert(o.kind:match("^kit%-(.+)$"))] = true
        end
      end
      assert.same(sockets, pieces)
      local n = 0
      for _ in pairs(pieces) do n = n + 1 end
      assert.equals(5, n)
    end
  end)

  it("is solved by the oracle on at least 90 of 100 seeds", function()
    local successes = 0
    for seed = 0, 99 do
      local ep = assert(t:run_episode(seed))
      if ep.success then successes = successes + 1 end
    end
    assert.is_true(successes >= 90, ("%d of 100"):format(successes))
  end)
end)
