// EventLog::LoadProjection's default: the rows go out through
// WriteProjections, in writes of kRowsPerWrite rows.
#include <memory>
#include <string>
#include <utility>

#include "storage/event_log.h"
#include "storage/keys.h"

namespace carelog::storage {
namespace {

constexpr size_t kRowsPerWrite = 32768;

class WrittenLoad final : public ProjectionLoad {
 public:
  WrittenLoad(EventLog& log, std::string projection)
      : log_(log), projection_(std::move(projection)) {}

  Status Add(std::string_view key, std::string_view value) override {
    if (finished_) {
      return Status(Code::kInternal,
                    "the load of projection " + projection_ + " is finished");
    }
    if (added_ && key <= last_) {
      return Status(
          Code::kInvalidArgument,
          "a row of projection " + projection_ + " loaded out of key order");
    }
    added_ = true;
    last_.assign(key);
    write_.rows.push_back({projection_, std::string(key), std::string(value)});
    if (write_.rows.size() < kRowsPerWrite) return Status::Ok();
    return Write();
  }

  Status Finish() override {
    if (finished_) {
      return Status(Code::kInternal,
                    "the load of projection " + projection_ + " is finished");
    }
    finished_ = true;
    return write_.rows.empty() ? Status::Ok() : Write();
  }

 private:
  Status Write() {
    Status s = log_.WriteProjections(write_);
    write_.rows.clear();
    return s;
  }

  EventLog& log_;
  const std::string projection_;
  ProjectionWrite write_;
  std::string last_;
  bool added_ = false;
  bool finished_ = false;
};

}  // namespace

Result<std::unique_ptr<ProjectionLoad>> EventLog::LoadProjection(
    std::string_view projection) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("projection", projection));
  return std::unique_ptr<ProjectionLoad>(
      std::make_unique<WrittenLoad>(*this, std::string(projection)));
}

}  // namespace carelog::storage
