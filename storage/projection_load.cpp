// EventLog::LoadProjection's default: the rows go out through
// WriteProjections, in writes of kBulkRowsPerWrite rows.
#include <memory>
#include <string>
#include <utility>

#include "storage/event_log.h"
#include "storage/keys.h"

namespace carelog::storage {
namespace {

class WrittenLoad final : public ProjectionLoad {
 public:
  WrittenLoad(EventLog& log, std::string projection)
      : log_(log), projection_(std::move(projection)) {}

  Status Add(std::string_view key, std::string_view value) override {
    if (finished_) return FinishedError(projection_);
    if (added_ && key <= last_) return OutOfOrderError(projection_);
    added_ = true;
    last_.assign(key);
    write_.rows.push_back({projection_, std::string(key), std::string(value)});
    if (write_.rows.size() < kBulkRowsPerWrite) return Status::Ok();
    return Write();
  }

  Status Finish() override {
    if (finished_) return FinishedError(projection_);
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

Status ProjectionLoad::FinishedError(const std::string& projection) {
  return Status(Code::kInternal, "the load of projection " + projection +
                                     " is already finished");
}

Status ProjectionLoad::OutOfOrderError(const std::string& projection) {
  return Status(Code::kInvalidArgument, "a row of projection " + projection +
                                            " loaded out of key order");
}

Result<std::unique_ptr<ProjectionLoad>> EventLog::LoadProjection(
    std::string_view projection) {
  CARELOG_RETURN_IF_ERROR(keys::CheckName("projection", projection));
  return std::unique_ptr<ProjectionLoad>(
      std::make_unique<WrittenLoad>(*this, std::string(projection)));
}

}  // namespace carelog::storage
