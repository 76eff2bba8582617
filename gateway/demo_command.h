// `carelog demo [--data DIR] [--listen HOST:PORT] [--tokens FILE] [--seed N]
// [--scale X]`: loads a synthetic borough (services/synthetic_area.h) and a
// smaller neighbour through the same services as the API, prints an admin, a
// commissioner and a discharge-coordinator token and the dashboard URL, then
// serves. Run again on the same data directory it loads nothing twice.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace carelog::gateway {

int RunDemo(const std::vector<std::string>& args, std::ostream& out,
            std::ostream& err);

}  // namespace carelog::gateway
