#include "gateway/pages.h"

namespace carelog::gateway {

std::optional<EmbeddedPage> FindPage(std::string_view name) {
  for (const EmbeddedPage& page : EmbeddedPages()) {
    if (page.name == name) return page;
  }
  return std::nullopt;
}

}  // namespace carelog::gateway
