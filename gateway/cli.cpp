#include "gateway/cli.h"

#include <chrono>
#include <cmath>
#include <functional>

#include "gateway/flags.h"
#include "gateway/serve.h"
#include "gateway/store_commands.h"
#include "gateway/token_store.h"
#include "services/clock.h"

namespace carelog::gateway {

namespace {

using CommandFn = std::function<int(const std::vector<std::string>& args,
                                    std::ostream& out, std::ostream& err)>;

struct Command {
  std::vector<std::string> words;  // e.g. {"token", "add"}
  std::string usage;
  CommandFn run;
};

int CmdServe(const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err) {
  auto flags = Flags::Parse(
      args, {"data", "listen", "tokens", "idle-timeout", "io-threads",
             "max-connections", "max-requests-per-connection", "rate-limit",
             "rate-burst", "tls-cert", "tls-key"});
  if (!flags.ok()) {
    err << "carelog serve: " << flags.status().message() << std::endl;
    return 2;
  }
  ServeOptions options;
  options.data_dir = flags->Get("data", options.data_dir);
  options.listen = flags->Get("listen", options.listen);
  options.tokens_file = flags->Get("tokens", "");
  if (flags->Has("idle-timeout")) {
    // Seconds, fractions allowed; for tests and unusual networks.
    char* end = nullptr;
    const std::string text = flags->Get("idle-timeout");
    const double seconds = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(seconds > 0) || seconds > 3600) {
      err << "carelog serve: --idle-timeout wants seconds between 0 and 3600"
          << std::endl;
      return 2;
    }
    options.idle_timeout =
        std::chrono::milliseconds(std::lround(seconds * 1000));
  }
  if (flags->Has("io-threads")) {
    const int n = std::atoi(flags->Get("io-threads").c_str());
    if (n < 1 || n > 64) {
      err << "carelog serve: --io-threads wants 1 to 64" << std::endl;
      return 2;
    }
    options.io_threads = n;
  }
  options.tls_cert_file = flags->Get("tls-cert");
  options.tls_key_file = flags->Get("tls-key");
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    err << "carelog serve: --tls-cert and --tls-key go together" << std::endl;
    return 2;
  }
  // Resource limits (docs/RELIABILITY.md): whole numbers within bounds.
  struct Limit {
    const char* flag;
    double low, high;
    std::function<void(double)> set;
  };
  const Limit limits[] = {
      {"max-connections", 1, 1e6,
       [&](double v) { options.max_connections = static_cast<size_t>(v); }},
      {"max-requests-per-connection", 1, 1e9,
       [&](double v) {
         options.max_requests_per_connection = static_cast<size_t>(v);
       }},
      {"rate-limit", 0, 1e9, [&](double v) { options.rate_limit = v; }},
      {"rate-burst", 1, 1e9, [&](double v) { options.rate_burst = v; }},
  };
  for (const Limit& limit : limits) {
    if (!flags->Has(limit.flag)) continue;
    const std::string text = flags->Get(limit.flag);
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(value >= limit.low) ||
        value > limit.high) {
      err << "carelog serve: --" << limit.flag << " wants a number from "
          << limit.low << " to " << limit.high << std::endl;
      return 2;
    }
    limit.set(value);
  }
  return Serve(options, out, err);
}

int CmdTokenAdd(const std::vector<std::string>& args, std::ostream& out,
                std::ostream& err) {
  auto flags = Flags::Parse(args, {"tokens", "name", "role", "area"}, {"area"});
  if (!flags.ok()) {
    err << "carelog token add: " << flags.status().message() << std::endl;
    return 2;
  }
  for (const char* required : {"tokens", "name", "role"}) {
    if (!flags->Has(required)) {
      err << "carelog token add: --" << required << " is required" << std::endl;
      return 2;
    }
  }
  TokenRequest request{flags->Get("name"), flags->Get("role"),
                       flags->All("area")};
  SystemClock clock;
  auto token = AddToken(flags->Get("tokens"), request, clock.NowMicros());
  if (!token.ok()) {
    err << "carelog token add: " << token.status().message() << std::endl;
    return token.status().code() == Code::kInvalidArgument ? 2 : 1;
  }
  out << *token << std::endl;
  return 0;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {{"serve"},
       "carelog serve [--data DIR] [--listen HOST:PORT] [--tokens FILE] "
       "[--tls-cert FILE --tls-key FILE] [--idle-timeout S] "
       "[--max-connections N] [--max-requests-per-connection N] "
       "[--rate-limit PER_SECOND] [--rate-burst N]",
       CmdServe},
      {{"token", "add"},
       "carelog token add --tokens FILE --name NAME --role ROLE [--area "
       "CODE]...",
       CmdTokenAdd},
      {{"backup"}, "carelog backup --data DIR --to DIR", CmdBackup},
      {{"restore"},
       "carelog restore --from DIR --data DIR [--force]",
       CmdRestore},
      {{"verify"},
       "carelog verify --data DIR [--audit-head ID:SHA256]",
       CmdVerify},
      // demo, rebuild: add their entries here.
  };
  return kCommands;
}

void PrintUsage(std::ostream& out) {
  out << "usage:\n";
  for (const auto& command : Commands()) out << "  " << command.usage << "\n";
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "help") {
    PrintUsage(args.empty() ? err : out);
    return args.empty() ? 2 : 0;
  }
  for (const auto& command : Commands()) {
    if (args.size() < command.words.size()) continue;
    bool match = true;
    for (size_t i = 0; i < command.words.size(); ++i)
      match = match && args[i] == command.words[i];
    if (!match) continue;
    const std::vector<std::string> rest(args.begin() + command.words.size(),
                                        args.end());
    return command.run(rest, out, err);
  }
  std::string typed;
  for (size_t i = 0; i < args.size() && i < 2; ++i)
    typed += (i ? " " : "") + args[i];
  err << "carelog: unknown command '" << typed << "' (try carelog help)"
      << std::endl;
  return 2;
}

}  // namespace carelog::gateway
