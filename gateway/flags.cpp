#include "gateway/flags.h"

namespace carelog::gateway {

Result<Flags> Flags::Parse(const std::vector<std::string>& args,
                           const std::set<std::string>& known,
                           const std::set<std::string>& repeatable) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      return Status(Code::kInvalidArgument,
                    "unexpected argument '" + arg + "'");
    }
    std::string name = arg.substr(2);
    std::string value;
    const size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (!known.count(name))
        return Status(Code::kInvalidArgument, "unknown flag --" + name);
      if (i + 1 >= args.size()) {
        return Status(Code::kInvalidArgument, "--" + name + " needs a value");
      }
      value = args[++i];
    }
    if (!known.count(name))
      return Status(Code::kInvalidArgument, "unknown flag --" + name);
    if (flags.values_.count(name) && !repeatable.count(name)) {
      return Status(Code::kInvalidArgument, "--" + name + " is given twice");
    }
    flags.values_[name].push_back(value);
  }
  return flags;
}

std::string Flags::Get(const std::string& name,
                       const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Flags::All(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>() : it->second;
}

}  // namespace carelog::gateway
