-- What the end-to-end Lua tests share: file reads and writes, shell
-- quoting, and the check that counts failures.
-- Use: local util = dofile("tests/e2e_util.lua") (tests run from the repository)
local M = {failures = 0}

function M.check(cond, what)
  io.write(cond and "ok    " or "FAIL  ", what, "\n")
  if not cond then M.failures = M.failures + 1 end
end

function M.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

function M.write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

function M.quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

return M
