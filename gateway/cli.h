// The carelog command line (API.md "Command line"). Each subcommand is one
// entry of the table in cli.cpp: `serve`, `token add`; `demo`, `verify`,
// `backup`, `restore`, `rebuild` are added there by the engineers who build
// them.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace carelog::gateway {

// Runs `carelog ARGS...` (args without the program name); returns the exit
// code. Errors are one line on `err`.
int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err);

}  // namespace carelog::gateway
