// GET /v1/audit/trails/{family}/{id}[/{id}]: every record about one subject, in chain order,
// refused attempts included — a signed, recorded read (docs/audit.md). The subject's index
// entries drive the page (audit_page.h): the cost follows the trail, never the chain.
#include <algorithm>

#include "api/audit_page.h"
#include "api/route_groups.h"
#include "api/subject_trail.h"

namespace medtrail::node::api {

namespace {

bool is_subject_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

// The subject, or the 400 refusing it. Checked before the read is recorded.
std::optional<http::Response> parse_subject(const http::Request& request, std::string& subject) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  subject = path.substr(std::string_view("/v1/audit/trails/").size());
  if (subject.empty() || subject.size() > 200 ||
      !std::all_of(subject.begin(), subject.end(),
                   [](char c) { return is_subject_char(c) || c == '/'; })) {
    return http::Response::error(
        400, "bad_subject",
        "a subject is <family>/<id>[/<id>] of [A-Za-z0-9._-] (docs/contracts.md)");
  }
  return std::nullopt;
}

}  // namespace

void register_audit_routes(http::Server& server, const ApiContext& ctx,
                           std::shared_ptr<RecordedReads> reads) {
  const ApiContext* c = &ctx;
  auto handler = [c, reads](const http::Request& request, http::Responder respond) {
    std::string subject;
    AuditQuery q;
    if (auto refusal = parse_subject(request, subject)) return respond(std::move(*refusal));
    if (auto refusal = parse_audit_query(request, /*with_signer_filters=*/false, q)) {
      return respond(std::move(*refusal));
    }
    reads->serve(request, std::move(respond),
                 [c, q = std::move(q), subject = std::move(subject)](const Reader& reader) {
                   LeafSource trail = [c, &subject](std::optional<uint64_t> after, size_t max) {
                     return subject_trail(*c->store, subject, max, after);
                   };
                   return audit_page(*c, q, reader, trail, {{"subject", subject}}, subject);
                 });
  };
  server.route("GET", "/v1/audit/trails/{family}/{id}", handler);
  server.route("GET", "/v1/audit/trails/{family}/{id}/{part}", handler);
}

}  // namespace medtrail::node::api
