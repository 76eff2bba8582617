// Every row and checkpoint of some projections, for tests that compare what two
// ways of applying the log wrote, byte for byte.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "storage/event_log.h"

namespace carelog::testing {

// (key, value) pairs: each projection's rows as "<name>/<key>", in key order,
// then its checkpoint as "<name>~checkpoint".
using ProjectionRows = std::vector<std::pair<std::string, std::string>>;

ProjectionRows RowsOf(storage::EventLog& log,
                      std::initializer_list<const char*> projections);

// The first row where the two differ, or "" when they are equal.
std::string FirstDifference(const ProjectionRows& got,
                            const ProjectionRows& want);

}  // namespace carelog::testing
