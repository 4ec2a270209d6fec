-- Task files run in the sandbox; specs and scripts in the trusted host.
std = "lua54"
files["spec/"] = {std = "+busted"}
files["tasks/"] = {read_globals = {"task", "gs"}}
files["bench/tasks/"] = {read_globals = {"task", "gs"}}
-- what a model wrote is kept as it wrote it (the transcripts replay it byte for
-- byte): held to the globals only, not to this project's style
files["tasks/generated/"] = {read_globals = {"task", "gs"}, max_line_length = false, unused = false,
                             redefined = false, unused_secondaries = false}
files["plugins/"] = {read_globals = {"task", "gs", "plugin", "kind", "curriculum"}}
files["plugins/*/spec/"] = {std = "+busted"}
files["plugins/*/curricula/"] = {read_globals = {"curriculum"}}
files["tests/fixtures/"] = {only = {}} -- deliberately broken inputs
max_line_length = 120
