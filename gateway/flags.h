// Command-line flags of the carelog subcommands: "--name value" or
// "--name=value", some flags repeatable; anything else is an error that names
// the flag.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "storage/status.h"

namespace carelog::gateway {

class Flags {
 public:
  // Parses `args` against the flags the command knows (names without "--");
  // `repeatable` flags may be given more than once. kInvalidArgument for an
  // unknown flag, a missing value, a repeated single flag or a stray argument.
  static Result<Flags> Parse(const std::vector<std::string>& args,
                             const std::set<std::string>& known,
                             const std::set<std::string>& repeatable = {});

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The value of a flag, or `fallback` when absent.
  std::string Get(const std::string& name,
                  const std::string& fallback = "") const;
  std::vector<std::string> All(const std::string& name) const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace carelog::gateway
