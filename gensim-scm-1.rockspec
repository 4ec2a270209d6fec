-- gensim for LuaRocks: `luarocks make` in a checkout builds the C core with
-- CMake and installs the programs (gensim, gensim-run), the gensim Lua
-- module (require "gensim" from a plain lua5.4) and the data they use.
rockspec_format = "3.0"
package = "gensim"
version = "scm-1"
source = {
   url = "git+file://.",
}
description = {
   summary = "Robot-learning simulation tasks written by language models and proven in physics",
   detailed = [[
A C11 core with Lua 5.4 task plugins: a language model writes a task as a Lua
script, gensim runs it in a sandbox, builds the scene in Bullet, validates it
(compiles, runs on many seeds, not trivial, solvable, novel), records
demonstrations and trains a Transporter-style policy on the library.
]],
   license = "MIT",
}
dependencies = {
   "lua >= 5.4, < 5.5",
}
external_dependencies = {
   BULLET = { header = "bullet/btBulletDynamicsCommon.h" },
   CJSON = { header = "cjson/cJSON.h", library = "cjson" },
   CURL = { library = "curl" },
   HDF5 = { header = "hdf5/serial/hdf5.h", library = "hdf5_serial" },
   PNG = { header = "png.h", library = "png" },
   ZLIB = { header = "zlib.h", library = "z" },
   GIF = { header = "gif_lib.h", library = "gif" },
   OPENBLAS = { library = "openblas" },
   EXPAT = { header = "expat.h", library = "expat" },
}
build = {
   type = "cmake",
   variables = {
      CMAKE_BUILD_TYPE = "Release",
      CMAKE_INSTALL_PREFIX = "$(PREFIX)",
      CMAKE_INSTALL_BINDIR = "bin",
      GS_LUA_CMODDIR = "$(LIBDIR)",
      GS_LUAROCKS = "ON",
   },
}
