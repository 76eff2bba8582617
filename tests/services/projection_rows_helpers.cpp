#include <gtest/gtest.h>

#include <algorithm>

#include "tests/services/projection_rows.h"

namespace carelog::testing {

ProjectionRows RowsOf(storage::EventLog& log,
                      std::initializer_list<const char*> projections) {
  ProjectionRows rows;
  for (const char* p : projections) {
    const std::string name(p);
    EXPECT_TRUE(log.ScanProjection(name, "",
                                   [&](std::string_view k, std::string_view v) {
                                     rows.emplace_back(
                                         name + "/" + std::string(k),
                                         std::string(v));
                                     return true;
                                   })
                    .ok());
    auto checkpoint = log.ProjectionCheckpoint(name);
    EXPECT_TRUE(checkpoint.ok());
    rows.emplace_back(name + "~checkpoint",
                      std::to_string(checkpoint.ok() ? *checkpoint : 0));
  }
  return rows;
}

std::string FirstDifference(const ProjectionRows& got,
                            const ProjectionRows& want) {
  const size_t n = std::min(got.size(), want.size());
  for (size_t i = 0; i < n; ++i) {
    if (got[i] != want[i]) {
      return "row " + std::to_string(i) + ": got key " + got[i].first +
             ", want key " + want[i].first +
             (got[i].first == want[i].first ? " (values differ)" : "");
    }
  }
  if (got.size() != want.size()) {
    return "got " + std::to_string(got.size()) + " rows, want " +
           std::to_string(want.size());
  }
  return "";
}

}  // namespace carelog::testing
