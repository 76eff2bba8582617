#include "gateway/cli.h"

#include <chrono>
#include <cmath>
#include <functional>

#include "gateway/demo_command.h"
#include "gateway/flags.h"
#include "gateway/serve.h"
#include "gateway/store_commands.h"
#include "gateway/token_store.h"
#include "services/clock.h"
#include "services/read_side.h"

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

// Drops every projection and rebuilds it from the log (for upgrades), printing
// progress.
int CmdRebuild(const std::vector<std::string>& args, std::ostream& out,
               std::ostream& err) {
  auto flags = Flags::Parse(args, {"data"});
  if (!flags.ok()) {
    err << "carelog rebuild: " << flags.status().message() << std::endl;
    return 2;
  }
  storage::OpenOptions open_options;
  open_options.path = flags->Get("data", "carelog-data") + "/store";
  auto log = storage::OpenRocksDbEventLog(open_options);
  if (!log.ok()) {
    err << "carelog rebuild: cannot open the store in " << open_options.path
        << ": " << log.status().message() << std::endl;
    return 1;
  }
  SystemClock clock;
  ProjectorOptions options;
  options.batch_events = 5000;
  options.spill_directory = flags->Get("data", "carelog-data");
  ReadSide read_side(**log, clock, options);
  Status opened = read_side.Open();
  if (!opened.ok()) {
    err << "carelog rebuild: " << opened.message() << std::endl;
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  auto last_print = start;
  auto seconds = [&start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };
  Status rebuilt =
      read_side.runner().Rebuild([&](uint64_t applied, uint64_t last) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_print < std::chrono::seconds(1) && applied < last)
          return;
        last_print = now;
        const double s = seconds();
        out << "rebuilding projections: " << applied << " of " << last
            << " events (" << (last ? applied * 100 / last : 100) << "%), "
            << static_cast<uint64_t>(s > 0 ? applied / s : 0) << " events/s"
            << std::endl;
      });
  if (!rebuilt.ok()) {
    err << "carelog rebuild: " << rebuilt.message() << std::endl;
    return 1;
  }
  out << "rebuilt projections from " << read_side.runner().AppliedPosition()
      << " events in " << seconds() << " s" << std::endl;
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
      {{"rebuild"}, "carelog rebuild [--data DIR]", CmdRebuild},
      {{"demo"}, "carelog demo [--data DIR] [--listen HOST:PORT]", RunDemo},
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
  // A command group (`carelog token`) without one of its commands: list them.
  std::string group_usage;
  for (const auto& command : Commands()) {
    if (command.words.size() > 1 && command.words[0] == args[0])
      group_usage += (group_usage.empty() ? "" : " | ") + command.usage;
  }
  if (!group_usage.empty()) {
    err << "carelog " << args[0] << ": "
        << (args.size() > 1 ? "'" + args[1] + "' is not one of its commands"
                            : std::string("which command?"))
        << " (usage: " << group_usage << ")" << std::endl;
    return 2;
  }
  std::string typed;
  for (size_t i = 0; i < args.size() && i < 2; ++i)
    typed += (i ? " " : "") + args[i];
  err << "carelog: unknown command '" << typed << "' (try carelog help)"
      << std::endl;
  return 2;
}

}  // namespace carelog::gateway
