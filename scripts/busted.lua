-- Runs the Busted specs inside the gensim host binary, so the specs see the
-- real embedded environment: `gensim lua scripts/busted.lua [busted args]`.
-- Options (spec folder, timeouts, output) come from .busted.
require("busted.runner")({standalone = false})
