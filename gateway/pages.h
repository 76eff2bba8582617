// The pages Carelog serves itself (GET / and GET /worklist, API.md): HTML,
// JavaScript and CSS from gateway/pages/, compiled into the binary by
// gateway/pages/embed.cmake.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace carelog::gateway {

struct EmbeddedPage {
  std::string_view
      name;  // file name under gateway/pages/, e.g. "dashboard.html"
  std::string_view content_type;  // with its charset
  std::string_view body;
};

// Every embedded file, sorted by name.
std::span<const EmbeddedPage> EmbeddedPages();

// The embedded file of that name, or nullopt.
std::optional<EmbeddedPage> FindPage(std::string_view name);

}  // namespace carelog::gateway
