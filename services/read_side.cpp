#include "services/read_side.h"

namespace carelog {

ReadSide::ReadSide(storage::EventLog& log, const Clock& clock,
                   ProjectorOptions options)
    : log_(log),
      worklists_(clock),
      runner_(log, {&cells_, &plans_, &worklists_}, options),
      service_(log, cells_, plans_, clock) {}

ReadSide::~ReadSide() { runner_.Stop(); }

}  // namespace carelog
