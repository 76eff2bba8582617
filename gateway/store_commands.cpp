#include "gateway/store_commands.h"

#include <unistd.h>

#include <filesystem>
#include <functional>

#include "gateway/admin_socket.h"
#include "gateway/flags.h"
#include "services/projection_check.h"
#include "storage/backup.h"
#include "storage/event_log.h"

namespace carelog::gateway {

namespace fs = std::filesystem;

namespace {

constexpr const char* kStoreDir = "store";
constexpr const char* kTokensFile = "tokens.json";
constexpr const char* kAdminSocket = "admin.sock";

std::string Absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

bool EmptyOrMissing(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  return fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
}

// Prints the verifier's findings; true when there are none.
bool Report(const storage::StoreReport& report, const std::string& what,
            std::ostream& out) {
  for (const auto& problem : report.problems) {
    out << "problem: " << problem << "\n";
  }
  if (!report.problems.empty()) return false;
  out << what << ": ok, " << report.last_position << " events, "
      << report.audit_entries << " audit entries";
  if (report.audit_entries > 0) {
    out << ", audit chain head " << report.audit_entries << ":"
        << report.audit_head_hash;
  }
  out << "\n";
  return true;
}

Status CopyTokens(const std::string& from_dir, const std::string& to_dir) {
  const fs::path from = fs::path(from_dir) / kTokensFile;
  std::error_code ec;
  if (!fs::exists(from, ec)) return Status::Ok();
  fs::copy_file(from, fs::path(to_dir) / kTokensFile,
                fs::copy_options::overwrite_existing, ec);
  if (ec) {
    return {Code::kIOError,
            "cannot copy " + from.string() + ": " + ec.message()};
  }
  return Status::Ok();
}

// Checkpoints the store under `data` into `target`: through the running
// server if one answers on its socket, else by opening the store here.
Status Checkpoint(const std::string& data, const std::string& target) {
  const std::string socket = (fs::path(data) / kAdminSocket).string();
  std::error_code ec;
  if (fs::exists(socket, ec)) {
    auto remote = RequestBackup(socket, target);
    if (remote.ok()) return Status::Ok();
    if (remote.status().code() != Code::kUnavailable) return remote.status();
    // A stale socket of a server that is gone: fall through.
  }
  const std::string store = (fs::path(data) / kStoreDir).string();
  if (!storage::IsStore(store)) {
    return {Code::kNotFound, "no Carelog store in " + data};
  }
  storage::OpenOptions options;
  options.path = store;
  auto log = storage::OpenRocksDbEventLog(options);
  if (!log.ok()) {
    return {log.status().code(),
            "the store is in use and no server answers on " + socket + " (" +
                log.status().message() + ")"};
  }
  return storage::CheckpointEventLog(**log, target);
}

}  // namespace

int CmdBackup(const std::vector<std::string>& args, std::ostream& out,
              std::ostream& err) {
  auto fail = [&err](const std::string& line, int code = 1) {
    err << "carelog backup: " << line << std::endl;
    return code;
  };
  auto flags = Flags::Parse(args, {"data", "to"});
  if (!flags.ok()) return fail(flags.status().message(), 2);
  if (!flags->Has("to")) return fail("--to is required", 2);
  const std::string data = Absolute(flags->Get("data", "carelog-data"));
  const std::string to = Absolute(flags->Get("to"));
  if (!EmptyOrMissing(to)) return fail(to + " exists and is not empty", 2);
  std::error_code ec;
  const bool created = !fs::exists(to, ec);
  fs::create_directories(to, ec);
  if (ec) return fail("cannot create " + to + ": " + ec.message());
  const std::string target = (fs::path(to) / kStoreDir).string();
  Status s = Checkpoint(data, target);
  if (s.ok()) s = CopyTokens(data, to);
  if (!s.ok()) {
    fs::remove_all(created ? fs::path(to) : fs::path(target), ec);
    return fail(s.message());
  }
  auto report = storage::VerifyStoreAt(target);
  if (!report.ok()) return fail(report.status().message());
  if (!Report(*report, "backup " + to, out)) {
    return fail("the backup in " + to + " does not verify");
  }
  return 0;
}

int CmdRestore(const std::vector<std::string>& args, std::ostream& out,
               std::ostream& err) {
  auto fail = [&err](const std::string& line, int code = 1) {
    err << "carelog restore: " << line << std::endl;
    return code;
  };
  // --force is a switch; Flags knows only flags with values.
  std::vector<std::string> rest;
  bool force = false;
  for (const auto& arg : args) {
    if (arg == "--force") {
      force = true;
    } else {
      rest.push_back(arg);
    }
  }
  auto flags = Flags::Parse(rest, {"from", "data"});
  if (!flags.ok()) return fail(flags.status().message(), 2);
  if (!flags->Has("from")) return fail("--from is required", 2);
  const std::string from = Absolute(flags->Get("from"));
  const std::string data = Absolute(flags->Get("data", "carelog-data"));
  const std::string source = (fs::path(from) / kStoreDir).string();
  if (!storage::IsStore(source)) return fail("no backup in " + from);
  if (!EmptyOrMissing(data) && !force) {
    return fail(data + " is not empty; add --force to replace its store", 2);
  }
  // Never under a running server: its socket answers, or the store is locked.
  std::error_code ec;
  const std::string socket = (fs::path(data) / kAdminSocket).string();
  if (fs::exists(socket, ec) &&
      RequestBackup(socket, "").status().code() != Code::kUnavailable) {
    return fail("a server is running on " + data + "; stop it first");
  }
  auto report = storage::VerifyStoreAt(source);
  if (!report.ok()) return fail(report.status().message());
  if (!Report(*report, "backup " + from, out)) {
    return fail("the backup in " + from + " does not verify; nothing restored");
  }
  // Copy beside the target, then swap, so a failed copy leaves the old store.
  fs::create_directories(data, ec);
  const fs::path target = fs::path(data) / kStoreDir;
  const fs::path staging = fs::path(data) / ".store.restoring";
  fs::remove_all(staging, ec);
  fs::copy(source, staging, fs::copy_options::recursive, ec);
  if (ec) return fail("cannot copy the backup: " + ec.message());
  const fs::path old = fs::path(data) / ".store.replaced";
  fs::remove_all(old, ec);
  if (fs::exists(target)) {
    auto in_use = storage::VerifyStoreAt(target.string());
    if (!in_use.ok() && in_use.status().code() == Code::kIOError) {
      fs::remove_all(staging, ec);
      return fail("the store in " + data +
                  " is in use: " + in_use.status().message());
    }
    fs::rename(target, old, ec);
    if (ec) return fail("cannot move the old store aside: " + ec.message());
  }
  fs::rename(staging, target, ec);
  if (ec) return fail("cannot move the restored store in: " + ec.message());
  fs::remove_all(old, ec);
  Status tokens = CopyTokens(from, data);
  if (!tokens.ok()) return fail(tokens.message());
  out << "restored " << report->last_position << " events into " << data
      << "\n";
  return 0;
}

int CmdVerify(const std::vector<std::string>& args, std::ostream& out,
              std::ostream& err) {
  auto fail = [&err](const std::string& line, int code = 1) {
    err << "carelog verify: " << line << std::endl;
    return code;
  };
  auto flags = Flags::Parse(args, {"data", "audit-head"});
  if (!flags.ok()) return fail(flags.status().message(), 2);
  std::optional<storage::AuditAnchor> anchor;
  if (flags->Has("audit-head")) {
    const std::string text = flags->Get("audit-head");
    const size_t colon = text.find(':');
    char* end = nullptr;
    const uint64_t id = std::strtoull(text.c_str(), &end, 10);
    if (colon == std::string::npos || end != text.c_str() + colon || id == 0 ||
        text.size() - colon - 1 != 64) {
      return fail("--audit-head wants ID:SHA256 as verify printed it", 2);
    }
    anchor = storage::AuditAnchor{id, text.substr(colon + 1)};
  }
  const std::string data = Absolute(flags->Get("data", "carelog-data"));
  const std::string store = (fs::path(data) / kStoreDir).string();
  auto report = storage::VerifyStoreAt(store, anchor);
  if (!report.ok()) {
    if (report.status().code() == Code::kIOError) {
      return fail(report.status().message() +
                  " (is a server running? verify a backup of it instead)");
    }
    return fail(report.status().message());
  }
  bool sound = report->problems.empty();
  if (sound) {
    // The read side: projections as kept versus rebuilt from the log.
    const std::string scratch =
        (fs::path(data) / (".verify-" + std::to_string(::getpid()))).string();
    auto projections = CheckProjectionsAgainstRebuild(store, scratch);
    if (!projections.ok()) {
      report->problems.push_back("the projections could not be compared: " +
                                 projections.status().message());
    } else {
      for (auto& line : *projections) report->problems.push_back(line);
    }
  }
  return Report(*report, "store " + store, out) ? 0 : 1;
}

}  // namespace carelog::gateway
