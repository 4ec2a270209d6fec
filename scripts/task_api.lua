-- The task API as a task writer reads it, for the model's prompt and for
-- docs/task-api.md alike: the bindings' reference with its conventions
-- (gensim.api_reference(), generated from the tables the sandbox checks)
-- and the asset kinds (gensim.assets(), the kind table `gensim assets`
-- prints, plugin kinds included). Nothing here is written by hand but the
-- words around the tables' figures.
local gensim = require("gensim")

local M = {}

local CLASSES = {
  {role = "movable", title = "movable kinds", pose = "posed at the centre of their bounding box"},
  {role = "receptacle", title = "receptacles", pose = "posed at the centre of their base, on the table"},
  {role = "marker", title = "markers",
   pose = "posed at the centre of their base, on the table; drawn only, nothing touches them"},
}
M.CLASSES = CLASSES

local function mm(m) return string.format("%.0f mm", m * 1000) end

-- Where things rest on a receptacle, from the kind table's figures.
function M.rest_text(kind)
  if kind.floor == nil then return nil end
  local floor
  if kind.floor_is_top then
    floor = "things rest on its top (z + its height)"
  elseif kind.floor > 0 then
    floor = "things rest on its floor, " .. mm(kind.floor) .. " up (z + " .. string.format("%g", kind.floor)
      .. " + half their height)"
  else
    floor = "things rest on the table inside it (z = half their height)"
  end
  if kind.wall and kind.wall > 0 then floor = floor .. "; walls " .. mm(kind.wall) .. " thick" end
  return floor
end

-- One kind in full: what it is, its default size, where things rest on
-- it, its options.
function M.kind_line(kind)
  local parts = {string.format("`%s` (%s): %s; default size %.3g x %.3g x %.3g m", kind.name, kind.role, kind.doc,
    kind.size[1], kind.size[2], kind.size[3])}
  local rest = M.rest_text(kind)
  if rest then parts[#parts + 1] = rest end
  parts[#parts + 1] = "options: " .. (kind.options_text or "")
  if kind.plugin then parts[#parts + 1] = "from plugin " .. kind.plugin end
  return "- " .. table.concat(parts, "; ")
end

-- The kinds of the table; filter (nullable) keeps those it returns true for.
function M.kinds(filter)
  local out = {}
  for _, kind in ipairs(gensim.assets()) do
    if not filter or filter(kind) then out[#out + 1] = kind end
  end
  return out
end

function M.colors_text()
  local colors = gensim.colors()
  return "Colours (gs.COLORS): train split " .. table.concat(colors.train, ", ") .. "; test split "
    .. table.concat(colors.test, ", ")
end

-- The URDF files kind `urdf` loads (file = ...), with their joints; "" when
-- there are none.
function M.scenes_text()
  local files = {}
  for _, scene in ipairs(gensim.scenes()) do
    if scene.joints then
      files[#files + 1] = string.format("- `%s`: joints %s", scene.file,
        #scene.joints > 0 and table.concat(scene.joints, ", ") or "(none)")
    end
  end
  if #files == 0 then return "" end
  return "\nURDF files for kind `urdf` (file = ...):\n" .. table.concat(files, "\n") .. "\n"
end

-- The asset section of the code prompt: the task's own kinds in full,
-- every other kind by name under its class (with where its pose is).
function M.prompt_assets(wanted)
  local want = {}
  for _, name in ipairs(wanted or {}) do want[name] = true end
  local full, others = {}, {}
  for _, kind in ipairs(M.kinds()) do
    if want[kind.name] then
      full[#full + 1] = M.kind_line(kind)
    else
      others[kind.role] = others[kind.role] or {}
      table.insert(others[kind.role], kind.name)
    end
  end
  local lines = {}
  for _, c in ipairs(CLASSES) do lines[#lines + 1] = "- " .. c.title .. " are " .. c.pose end
  lines[#lines + 1] = ""
  for _, l in ipairs(full) do lines[#lines + 1] = l end
  local rest = {}
  for _, c in ipairs(CLASSES) do
    if others[c.role] then rest[#rest + 1] = c.title .. ": " .. table.concat(others[c.role], ", ") end
  end
  if #rest > 0 then lines[#lines + 1] = "- other kinds (add one to assets to use it): " .. table.concat(rest, "; ") end
  lines[#lines + 1] = M.scenes_text() .. "\n" .. M.colors_text()
  return table.concat(lines, "\n") .. "\n"
end

-- The asset list of the proposal prompts: every kind, one short line.
function M.proposal_assets()
  local lines = {}
  for _, kind in ipairs(M.kinds()) do
    lines[#lines + 1] = string.format("- `%s` (%s): %s", kind.name, kind.role, kind.doc)
  end
  return table.concat(lines, "\n") .. "\n" .. M.scenes_text() .. "\n" .. M.colors_text() .. "\n"
end

return M
