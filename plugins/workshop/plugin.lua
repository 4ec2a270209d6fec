return plugin {
  name = "workshop",
  version = "0.1.0",
  api = 1,
  description = "A workbench to tidy: a peg board with square holes, mushroom pegs that seat in them, and a "
    .. "tray split into compartments; three tasks: insert the pegs, sort blocks into the tray by colour, "
    .. "tidy the bench.",
  license = "MIT",
  requires = {ravens = ">=0.1 <1"},
}
