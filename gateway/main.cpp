// carelog: the single executable. It only hands the arguments to the command
// line (gateway/cli.h).
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "gateway/cli.h"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  return carelog::gateway::RunCli(args, std::cout, std::cerr);
}
