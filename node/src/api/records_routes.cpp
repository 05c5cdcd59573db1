// POST /v1/records (submit envelopes) and GET /v1/records/{id} (read one back).
#include <algorithm>
#include <memory>

#include "api/json_reply.h"
#include "api/record_json.h"
#include "api/route_groups.h"
#include "api/submission_request.h"
#include "medtrail/ledger/bytes.h"

namespace medtrail::node::api {

namespace {

using Clock = std::chrono::steady_clock;

// How long a client should wait before retrying a refused submission.
constexpr const char* kOverloadedRetryAfter = "1";
constexpr const char* kUnavailableRetryAfter = "5";

bool is_final(RecordState state) {
  return state != RecordState::kPending && state != RecordState::kOverloaded;
}

int single_status(const RecordStatus& s) {
  switch (s.state) {
    case RecordState::kInvalid:
      return s.code == "unknown_signer" ? 403 : 400;
    case RecordState::kOverloaded:
      return 429;
    case RecordState::kPending:
      return 202;
    case RecordState::kCommitted:
    case RecordState::kRejected:
    case RecordState::kDuplicate:
      return 200;
  }
  return 500;
}

int batch_status(const std::vector<RecordStatus>& statuses) {
  auto has = [&](auto pred) { return std::any_of(statuses.begin(), statuses.end(), pred); };
  if (has([](const RecordStatus& s) { return s.state == RecordState::kOverloaded; })) return 429;
  if (has([](const RecordStatus& s) { return !is_final(s.state); })) return 202;
  return 200;
}

http::Response submission_reply(const std::vector<RecordStatus>& statuses, bool single) {
  http::Response response;
  if (single && statuses.size() == 1) {
    response = json_reply(single_status(statuses[0]), record_status_json(statuses[0]));
  } else {
    nlohmann::json records = nlohmann::json::array();
    for (const RecordStatus& s : statuses) records.push_back(record_status_json(s));
    response = json_reply(batch_status(statuses), {{"records", std::move(records)}});
  }
  if (response.status == 429) response.headers.emplace_back("Retry-After", kOverloadedRetryAfter);
  return response;
}

int error_status(const std::string& code) {
  if (code == "unsupported_media_type") return 415;
  if (code == "too_many_records") return 413;
  return 400;
}

void submit(const ApiContext& ctx, const http::Request& request, http::Responder respond) {
  if (!is_accepting(ctx) || ctx.driver->failed()) {
    http::Response response =
        http::Response::error(503, "unavailable", "the node is not accepting records");
    response.headers.emplace_back("Retry-After", kUnavailableRetryAfter);
    return respond(std::move(response));
  }
  auto submission = read_submission(request, ctx.config->limits);
  if (!submission.ok()) {
    const Status& s = submission.status();
    return respond(http::Response::error(error_status(s.code()), s.code(), s.message()));
  }
  const bool single = submission->single;
  ctx.admission->submit(std::move(submission->items), submission->wait_for_commit,
                        Clock::now() + submission->wait,
                        [respond = std::move(respond), single](std::vector<RecordStatus> statuses) {
                          respond(submission_reply(statuses, single));
                        });
}

http::Response read_record(const ApiContext& ctx, const ledger::Hash& hash, const std::string& id) {
  auto leaf_index = ctx.store->find_record(hash);
  if (!leaf_index.ok()) {
    if (leaf_index.status().code() == "not_found") {
      return http::Response::error(404, "not_found", "no such record");
    }
    return http::Response::error(500, "internal", "the record index could not be read");
  }
  auto leaf = ctx.store->leaf_at(*leaf_index);
  if (!leaf.ok()) return http::Response::error(500, "internal", "the record could not be read");
  return json_reply(200, leaf_json(id, *leaf_index, *leaf));
}

// A record may hold anything about a patient: it is served only to a reader whose signed query
// the chain accepted (docs/api-auth.md); the shape of the id is checked first, so a malformed
// request commits nothing.
void serve_record(const ApiContext& ctx, RecordedReads& reads, const http::Request& request,
                  http::Responder respond) {
  if (ctx.config->record_reads == RecordReads::kOff) {
    return respond(http::Response::error(403, "reads_disabled", "this node does not serve record reads"));
  }
  auto it = request.params.find("id");
  std::string id = it == request.params.end() ? std::string() : it->second;
  if (!ledger::is_hash_hex(id)) {
    return respond(http::Response::error(400, "bad_record_id", "a record id is 64 lowercase hex digits"));
  }
  auto hash = ledger::hash_from_hex(id);
  if (!hash.ok()) return respond(http::Response::error(400, "bad_record_id", hash.status().message()));
  const ApiContext* c = &ctx;
  reads.serve(request, std::move(respond), [c, hash = *hash, id = std::move(id)](const Reader&) {
    return read_record(*c, hash, id);
  });
}

}  // namespace

void register_record_routes(http::Server& server, const ApiContext& ctx,
                            std::shared_ptr<RecordedReads> reads) {
  const ApiContext* c = &ctx;
  server.route("POST", "/v1/records", [c](const http::Request& request, http::Responder respond) {
    submit(*c, request, std::move(respond));
  });
  server.route("GET", "/v1/records/{id}",
               [c, reads](const http::Request& request, http::Responder respond) {
                 serve_record(*c, *reads, request, std::move(respond));
               });
}

}  // namespace medtrail::node::api
