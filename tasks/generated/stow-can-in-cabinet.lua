-- stow-can-in-cabinet: a shut cupboard stands on the table with a can
-- standing right in front of its door, in the way of the door's swing. A
-- suction cup working from above cannot reach into the cupboard, so the
-- robot stows the can up on the cupboard's top, out of the door's way, and
-- then swings the door open by its handle. A few other cans stand elsewhere,
-- clear of the door's sweep, as distractors.
local split_colors = require "ravens.colors"

return task {
  name = "stow-can-in-cabinet",
  description = "Lift the can standing in front of the cabinet's door up onto the cabinet's top, out of the door's way, then swing the door open.",
  assets = {"cabinet", "cylinder"},
  max_steps = 5,
  reset = function(env)
    local colors = split_colors.shuffled(env)
    local size = {env.rng:uniform(0.12, 0.16), env.rng:uniform(0.16, 0.2), env.rng:uniform(0.12, 0.17)}
    local side = env.rng:choice({"left", "right"})
    -- the open door stands out in front by its width, its handle a little more
    local reach = size[2] + 0.05
    local room_size = {size[1] + reach, size[2] + 0.04, 0}
    local room = env:random_pose(room_size)
    assert(room, "no room for the cabinet and its door")
    local cab_pose = gs.multiply(room, gs.pose(-reach / 2, 0, 0))
    local cabinet = env:add("cabinet", cab_pose,
                            {size = size, side = side, color = colors[1], fixed = true})

    -- the can stands in front of the door, inside the door's sweep
    local radius = env.rng:uniform(0.018, 0.024)
    local height = env.rng:uniform(0.05, 0.07)
    local dy = env.rng:uniform(-1, 1) * (size[2] / 2 - 0.04)
    local can_pose = gs.multiply(cab_pose, gs.pose(size[1] / 2 + 0.05 + radius, dy, height / 2,
                                                   env.rng:uniform(0, 2 * math.pi)))
    local can = env:add("cylinder", can_pose, {radius = radius, height = height, color = colors[2]})

    -- distractor cans, kept out of the cabinet's room so the door can swing
    local to_room = gs.invert(room)
    for i = 1, env.rng:int(0, 2) do
      local r = env.rng:uniform(0.018, 0.024)
      local h = env.rng:uniform(0.05, 0.08)
      for _ = 1, 10 do
        local pose = env:random_pose({2 * r, 2 * r, h})
        if not pose then break end
        local p = gs.multiply(to_room, pose).pos
        local inside = math.abs(p[1]) <= room_size[1] / 2 + r + 0.01
                   and math.abs(p[2]) <= room_size[2] / 2 + r + 0.01
        if not inside then
          env:add("cylinder", pose, {radius = r, height = h, color = colors[2 + i]})
          break
        end
      end
    end

    local top = gs.multiply(cab_pose, gs.pose(0, 0, size[3] + height / 2, 0))
    env:goal{objects = {can}, targets = {top}, rotations = false, tolerance = 0.02, reward = 0.5,
             lang = "put the " .. colors[2] .. " can on top of the cabinet"}
    env:goal{objects = {cabinet}, metric = "joint", joint = "door", target = 0.9, reward = 0.5,
             lang = "open the cabinet door"}
  end,
}
