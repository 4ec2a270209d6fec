-- shut-cabinet-door: a cupboard stands on the table with its door swung
-- open part or all of the way; the door is hinged on the left or the right
-- edge, drawn per episode. The robot grips the handle near the door's free
-- edge and swings the door shut.
--
-- The door swings out of the +x face; opened a quarter turn it stands out
-- by its own width, so the room kept clear in front of the cupboard is as
-- deep as the cupboard is wide, plus a margin.
local function split_colors(env)
  local src = env.split == "test" and gs.TEST_COLORS or gs.TRAIN_COLORS
  local names = {}
  for i, c in ipairs(src) do names[i] = c end
  return env.rng:shuffle(names)
end

return task {
  name = "shut-cabinet-door",
  description = "Swing the cabinet's open door shut, whichever side it is hinged on.",
  assets = {"cabinet"},
  max_steps = 3,
  reset = function(env)
    local colors = split_colors(env)
    local depth = env.rng:uniform(0.14, 0.18)
    local width = env.rng:uniform(0.16, 0.22)
    local height = env.rng:uniform(0.16, 0.2)
    local side = env.rng:choice({"left", "right"})

    local room = env:random_pose({depth + width + 0.04, width + 0.04, 0})
    if room == nil then error("no room for the cabinet") end
    local pose = gs.multiply(gs.pose(room.pos[1], room.pos[2], 0, gs.yaw(room)),
                             gs.pose(-(width + 0.04) / 2, 0, 0, 0))
    local cabinet = env:add("cabinet", pose, {size = {depth, width, height}, side = side, color = colors[1],
                                              fixed = true})
    env:set_joint(cabinet, "door", env.rng:uniform(0.6, 1))

    env:goal{objects = {cabinet}, metric = "joint", joint = "door", target = 0, reward = 1,
             lang = "close the cabinet door"}
  end,
}
