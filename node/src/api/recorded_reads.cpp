#include "api/recorded_reads.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "api/json_reply.h"
#include "api/wall_clock.h"
#include "core/envelope_screen.h"
#include "core/store_state_view.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/ledger/rfc3339.h"
#include "medtrail/ledger/signed_query.h"

namespace medtrail::node::api {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kRetryAfter = "1";

http::Response unauthorized(std::string_view code, std::string_view message) {
  http::Response r = http::Response::error(401, code, message);
  r.headers.emplace_back("WWW-Authenticate", std::string(ledger::kAuthScheme));
  return r;
}

}  // namespace

http::Response refused_on_chain(const RecordStatus& s) {
  http::Response r = json_reply(403, {{"error",
                                       {{"code", s.result.reason_code},
                                        {"message", s.result.reason},
                                        {"receipt", s.id},
                                        {"receipt_leaf_index", s.leaf_index}}}});
  r.headers.emplace_back("Medtrail-Receipt", s.id);
  return r;
}

struct RecordedReads::Checked {
  ledger::Envelope envelope;
  ScreenedEnvelope screened;  // the door's screening, which admission takes instead of its own
  ledger::Hash hash{};
  std::string id;
  Reader reader;
  int64_t ts_ms = 0;
};

bool RecordedReads::check(const http::Request& request, Checked& out, http::Response& refusal) const {
  auto refuse = [&](http::Response r) {
    refusal = std::move(r);
    return false;
  };
  const std::string_view authorization = request.header("authorization");
  if (authorization.empty()) {
    return refuse(unauthorized("auth_required",
                               "this read needs a signed query in the Authorization header (docs/api-auth.md)"));
  }
  auto envelope = ledger::envelope_from_authorization(authorization);
  if (!envelope.ok()) return refuse(unauthorized(envelope.status().code(), envelope.status().message()));
  ScreenedEnvelope screened = screen_envelope(*ctx_.store, *ctx_.signers, *envelope);
  if (!screened.ok) return refuse(unauthorized(screened.code, screened.message));
  nlohmann::json body;
  auto fields = ledger::parse_payload(*envelope, &body);
  if (!fields.ok()) return refuse(unauthorized(fields.status().code(), fields.status().message()));
  if (fields->kind != ledger::kAccessQueryKind) {
    return refuse(unauthorized("wrong_kind", "the signed query must be of kind access.query"));
  }
  auto query = ledger::read_signed_query(body);
  if (!query.ok()) return refuse(unauthorized(query.status().code(), query.status().message()));
  if (query->chain != ctx_.store->chain_id()) {
    return refuse(unauthorized("wrong_chain", "the query was signed for another chain"));
  }
  if (query->node != ctx_.node_id) {
    return refuse(unauthorized("wrong_node", "the query was signed for another node; sign one for this node"));
  }
  if (query->method != request.method || query->target != request.target) {
    return refuse(unauthorized("wrong_request", "the query was signed for another method or target"));
  }
  if (query->body_hash != ctx_.store->suite().hash(ledger::to_bytes(request.body))) {
    return refuse(unauthorized("wrong_body", "the query was signed for another request body"));
  }
  const int64_t now = wall_clock_ms();
  const int64_t skew = std::chrono::duration_cast<std::chrono::milliseconds>(kMaxClockSkew).count();
  const auto ts = ledger::rfc3339_to_unix_ms(fields->ts);
  if (!ts || *ts < now - skew || *ts > now + skew) {
    return refuse(unauthorized("stale_request", "ts must be within 5 minutes of the node's clock"));
  }
  // A query already on the chain was answered once; the in-flight claim covers the window
  // before it lands.
  if (ctx_.store->find_record(screened.hash).ok()) {
    return refuse(unauthorized("replayed_request", "this signed query was used before; sign a new one"));
  }
  // The person's standing now (revoked, expired, organisation removed): refused at the door
  // rather than committed, since such a key's signature speaks for nobody today.
  StoreStateView view(*ctx_.store);
  const contracts::ChainParams& params = ctx_.signers->chain_params();
  std::optional<contracts::Signer> signer = contracts::find_signer(view, params, envelope->signer);
  if (!signer) return refuse(unauthorized("unknown_signer", "the chain does not know the signer"));
  ledger::ExecutionResult standing = contracts::signer_validity(view, params, *signer, now);
  if (view.failed()) return refuse(http::Response::error(503, "unavailable", "the state could not be read"));
  if (!standing.accepted) return refuse(http::Response::error(403, standing.reason_code, standing.reason));

  out.envelope = std::move(*envelope);
  out.hash = screened.hash;
  out.id = screened.id;
  out.screened = std::move(screened);
  out.ts_ms = *ts;
  out.reader.signer = out.envelope.signer;
  out.reader.org = signer->org;
  out.reader.role = signer->role;
  out.reader.purpose = query->purpose;
  return true;
}

RecordedReads::Claim RecordedReads::claim(const ledger::Hash& id, int64_t expires_ms) {
  std::lock_guard lock(mu_);
  if (in_flight_.count(id)) return Claim::kReplayed;
  if (in_flight_.size() >= kMaxInFlight) {
    const int64_t now = wall_clock_ms();
    std::erase_if(in_flight_, [now](const auto& entry) { return entry.second < now; });
    if (in_flight_.size() >= kMaxInFlight) return Claim::kFull;
  }
  in_flight_.emplace(id, expires_ms);
  return Claim::kClaimed;
}

void RecordedReads::release(const ledger::Hash& id) {
  std::lock_guard lock(mu_);
  in_flight_.erase(id);
}

void RecordedReads::serve(const http::Request& request, http::Responder respond, ReadHandler serve) {
  Checked checked;
  http::Response refusal;
  if (!check(request, checked, refusal)) return respond(std::move(refusal));
  const int64_t expires = checked.ts_ms + std::chrono::duration_cast<std::chrono::milliseconds>(kMaxClockSkew).count();
  switch (claim(checked.hash, expires)) {
    case Claim::kClaimed:
      break;
    case Claim::kReplayed:
      return respond(unauthorized("replayed_request", "this signed query is being answered already"));
    case Claim::kFull: {
      http::Response busy = http::Response::error(503, "busy", "too many reads in flight; retry");
      busy.headers.emplace_back("Retry-After", kRetryAfter);
      return respond(std::move(busy));
    }
  }
  std::vector<ledger::Envelope> items;
  items.push_back(std::move(checked.envelope));
  std::vector<ScreenedEnvelope> screened;
  screened.push_back(std::move(checked.screened));
  auto done = [self = shared_from_this(), defer = ctx_.defer, hash = checked.hash, reader = std::move(checked.reader), respond = std::move(respond),
               serve = std::move(serve)](std::vector<RecordStatus> statuses) mutable {
    const RecordStatus s = statuses.empty() ? RecordStatus{} : std::move(statuses[0]);
    // A query that may still commit keeps its claim until its time runs out.
    if (s.state != RecordState::kPending) self->release(hash);
    switch (s.state) {
      case RecordState::kCommitted: {
        reader.receipt = s.id;
        reader.receipt_leaf = s.leaf_index;
        auto answer = [reader = std::move(reader), respond = std::move(respond), serve = std::move(serve)] {
          http::Response r;
          try {
            r = serve(reader);
          } catch (const std::exception&) {
            // Served on an io thread after the commit, outside the server's own guard: a failure
            // (memory, a value that does not read) is this read's 500, never the node's end.
            r = http::Response::error(500, "internal", "the read is recorded but could not be answered");
          }
          r.headers.emplace_back("Medtrail-Receipt", reader.receipt);
          respond(std::move(r));
        };
        if (defer) return defer(std::move(answer));
        return answer();
      }
      case RecordState::kRejected:
        return respond(refused_on_chain(s));
      case RecordState::kDuplicate:
        return respond(unauthorized("replayed_request", "this signed query was used before; sign a new one"));
      case RecordState::kInvalid:
        return respond(unauthorized(s.code, s.message));
      case RecordState::kOverloaded: {
        http::Response r = http::Response::error(429, "overloaded", "the node cannot record the read now; retry");
        r.headers.emplace_back("Retry-After", kRetryAfter);
        return respond(std::move(r));
      }
      case RecordState::kPending:
        break;
    }
    http::Response r = http::Response::error(503, "not_recorded",
                                             "the read could not be recorded on the chain in time; no data "
                                             "is served without its record");
    r.headers.emplace_back("Retry-After", kRetryAfter);
    respond(std::move(r));
  };
  ctx_.admission->submit_screened(std::move(items), std::move(screened), /*wait_for_commit=*/true,
                                 Clock::now() + kCommitWait, std::move(done));
}

}  // namespace medtrail::node::api
