// WorklistProjection's stream build (services/stream_build.h): each person's
// stream folded as log-order Apply folds it -- a person not held is taken up
// when an event that may open an item gives them one (or leaves an event of
// theirs standing on nothing), a held person is dropped when neither is left
// -- so the rows are those of log order: one per person held after their last
// event, judging what has occurred by the clock when the build began (Load,
// after it, judges again).

#include <algorithm>
#include <limits>

#include "carelog/worklists.pb.h"
#include "services/recorder.h"
#include "services/stream_build.h"
#include "services/worklist_facts.h"
#include "services/worklists.h"

namespace carelog {
namespace {

class WorklistSink final : public StreamBuildSink {
 public:
  WorklistSink(storage::EventLog& log, Instant now) : log_(log), now_(now) {}

  Status Stream(const BuildStream& s) override {
    const std::string nhs(NhsNumberOfStream(s.stream));
    std::vector<worklist_facts::Fact> facts;  // of every version so far
    Instant latest = std::numeric_limits<Instant>::min();  // of `facts`
    bool held = false;
    for (size_t k = 0; k < s.care.size(); ++k) {
      const schema::CareEvent& event = s.care[k]->event;
      auto fact = worklist_facts::ToFact(*s.care[k], k + 1);
      if (!fact) continue;
      latest = std::max(latest, fact->at);
      facts.push_back(std::move(*fact));
      // Held: the facts gained one and the items are derived again; not held:
      // only an event that may open an item takes the person up. Either way
      // a fact that has not occurred keeps them.
      if (held || worklist_facts::MayOpenItem(event)) {
        held = worklist_facts::WorthHolding(worklist_facts::Derive(nhs, facts),
                                            latest, now_);
      }
    }
    if (held) {
      write_.rows.push_back({std::string(WorklistProjection::kName), nhs,
                             worklist_facts::ToRow(facts).SerializeAsString()});
    }
    return Status::Ok();
  }

  Status ChunkDone() override {
    return write_.rows.size() >= storage::kBulkRowsPerWrite ? Flush()
                                                            : Status::Ok();
  }

  Status Flush() override { return WriteSortedRows(log_, write_); }

 private:
  storage::EventLog& log_;
  const Instant now_;
  storage::ProjectionWrite write_;  // rows not yet written
};

}  // namespace

class WorklistProjection::Build final : public StreamBuild {
 public:
  explicit Build(WorklistProjection& p) : p_(p) {}
  bool WantsPersonStreams() const override { return true; }
  bool WantsOtherStreams() const override { return false; }
  std::unique_ptr<StreamBuildSink> NewSink(storage::EventLog& log) override {
    return std::make_unique<WorklistSink>(log, p_.Now());
  }
  // The checkpoint, then the people held read back from the rows (as Load).
  Status Finish(storage::EventLog& log, uint64_t last) override {
    storage::ProjectionWrite write;
    write.checkpoints.emplace_back(std::string(kName), last);
    CARELOG_RETURN_IF_ERROR(log.WriteProjections(write));
    return p_.Load(log);
  }

 private:
  WorklistProjection& p_;
};

StreamBuild* WorklistProjection::stream_build() {
  if (!build_) build_ = std::make_unique<Build>(*this);
  return build_.get();
}

}  // namespace carelog
