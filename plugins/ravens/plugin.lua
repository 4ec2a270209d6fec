return plugin {
  name = "ravens",
  version = "0.1.0",
  api = 1,
  description = "Helpers the Ravens/CLIPort seed tasks share: the split's colours, scattering objects, "
    .. "the k-d split of a container and the packing oracle, pile sweeping, rope laying.",
  license = "MIT",
}
