-- Writes the LuaJIT binding from the public API: the C preprocessor's
-- output of gensim.h (with GS_CDEF, so no attributes) filtered to the
-- declarations of core/include/gensim/*.h, put into gensim_ffi.lua.in.
-- Usage: lua5.4 cdef.lua PREPROCESSED TEMPLATE OUT LIBPATH
local pre, template, out, libpath = arg[1], arg[2], arg[3], arg[4]
assert(pre and template and out and libpath, "usage: cdef.lua PREPROCESSED TEMPLATE OUT LIBPATH")

local keep, lines = false, {}
for line in io.lines(pre) do
  local file = line:match('^# %d+ "([^"]+)"')
  if file then
    keep = file:match("/gensim/[%w_]+%.h$") ~= nil
  elseif keep and line:find("%S") then
    lines[#lines + 1] = line
  end
end
local cdef = table.concat(lines, "\n")
assert(cdef:find("gs_episode_run", 1, true), "the API has no gs_episode_run: wrong input?")

local f = assert(io.open(template))
local text = f:read("a")
f:close()
text = text:gsub("@LIBPATH@", function() return libpath end):gsub("@CDEF@", function() return cdef end)
local tmp = out .. ".tmp"
f = assert(io.open(tmp, "w"))
f:write(text)
f:close()
assert(os.rename(tmp, out))
