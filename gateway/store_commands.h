// The store commands of the command line (docs/RELIABILITY.md):
//   carelog backup --data DIR --to DIR    online, consistent checkpoint
//   carelog restore --from DIR --data DIR [--force]
//   carelog verify --data DIR [--audit-head ID:SHA256]
// Each returns the process exit code and writes one line per error on `err`.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace carelog::gateway {

// Backs up DATA_DIR (its store and tokens file) into a new directory. While a
// server runs on DATA_DIR it asks that server through DATA_DIR/admin.sock;
// otherwise it opens the store itself. The copy is verified before success.
int CmdBackup(const std::vector<std::string>& args, std::ostream& out,
              std::ostream& err);

// Restores a backup into DATA_DIR, which must be empty or missing unless
// --force (never while a server has the store open). The backup is verified
// first and copied beside the target before it takes its place.
int CmdRestore(const std::vector<std::string>& args, std::ostream& out,
               std::ostream& err);

// Checks every invariant of the stopped store under DATA_DIR and that each
// projection agrees with a rebuild from the log; prints each problem on its
// own line ("problem: ...") and exits 1 if there is any, else prints a summary
// and the audit chain head (to record outside, and check later with
// --audit-head).
int CmdVerify(const std::vector<std::string>& args, std::ostream& out,
              std::ostream& err);

}  // namespace carelog::gateway
