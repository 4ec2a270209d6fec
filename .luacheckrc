-- Task files run in the sandbox; specs and scripts in the trusted host.
std = "lua54"
files["spec/"] = {std = "+busted"}
files["tasks/"] = {read_globals = {"task", "gs"}}
files["plugins/"] = {read_globals = {"task", "gs", "plugin", "kind", "curriculum"}}
files["plugins/*/spec/"] = {std = "+busted"}
files["tests/fixtures/"] = {only = {}} -- deliberately broken inputs
max_line_length = 120
