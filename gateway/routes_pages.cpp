// The pages of the server itself (API.md): GET / (the commissioners'
// dashboard), GET /worklist (the discharge coordinators' worklist) and their
// scripts and style under /pages/. Public: the pages hold no data; every figure
// they show comes from the API with the user's token.
#include "gateway/pages.h"
#include "gateway/problem.h"
#include "gateway/routes.h"

namespace carelog::gateway {
namespace {

Response Page(std::string_view name) {
  auto page = FindPage(name);
  if (!page) {
    return ProblemResponse(
        Status(Code::kNotFound, "no page " + std::string(name)));
  }
  Response r;
  r.content_type = std::string(page->content_type);
  r.body = std::string(page->body);
  r.headers.emplace_back("Cache-Control", "no-cache");
  // Nothing but our own scripts, styles and API: no external asset can load.
  r.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
      "base-uri 'none'; frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace

void AddPageRoutes(Router& router, const ApiContext&) {
  router.Add({"GET", "/", false, {}, "", [](const RouteContext&) {
                return Page("dashboard.html");
              }});
  router.Add({"GET", "/worklist", false, {}, "", [](const RouteContext&) {
                return Page("worklist.html");
              }});
  router.Add(
      {"GET", "/pages/{name}", false, {}, "", [](const RouteContext& ctx) {
         return Page(ctx.Param("name"));
       }});
}

}  // namespace carelog::gateway
