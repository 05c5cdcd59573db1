// The public lookups (docs/trace.md): GET /v1/trace/{vaccine,tableware,rx}/{code} (JSON) and
// GET /trace/{vaccine,tableware,rx}/{code} (the citizen's page). Anonymous and unrecorded — they
// carry no personal data — but one code at a time: no listing, prefix or range of any kind; a
// per-address rate limit (429, Retry-After); and every answer waits out a floor, so that a known
// and an unknown code take the same time.
#include <chrono>
#include <memory>
#include <mutex>
#include <set>

#include "api/answer_floor.h"
#include "api/checkpoint_lookup.h"
#include "api/json_reply.h"
#include "api/route_groups.h"
#include "api/trace_lookup.h"
#include "api/trace_page.h"
#include "api/trace_proof.h"
#include "api/wall_clock.h"
#include "http/rate_limiter.h"
#include "medtrail/ledger/genesis.h"

namespace medtrail::node::api {

namespace {

using Clock = std::chrono::steady_clock;

// The newest quorum checkpoint, which answers' proofs are against, and its organisations.
struct TraceCheckpoint {
  std::optional<ledger::SignedCheckpoint> checkpoint;
  TraceVouch vouch;
};

// At most kCheckpointMaxAge old: a lookup must not scan back through blocks for every citizen.
TraceCheckpoint compute_checkpoint(const ApiContext& ctx) {
  const ledger::CheckpointTrust trust = ledger::genesis_checkpoint_trust(*ctx.genesis);
  TraceCheckpoint c;
  std::set<std::string> all;
  for (const ledger::TrustedSigner& s : trust.signers) all.insert(s.org);
  c.vouch.of = all.size();
  c.checkpoint = newest_quorum_checkpoint(ctx);
  if (c.checkpoint) {
    c.vouch.checkpoint_height = c.checkpoint->checkpoint.height;
    c.vouch.organisations = ledger::signing_organisations(trust, *c.checkpoint).size();
  }
  return c;
}

struct TraceShared {
  TraceShared(const NodeLimits& limits, AnswerFloor::After after)
      : limiter(http::RateLimit{limits.public_lookups_per_minute / 60.0,
                                static_cast<double>(limits.public_lookup_burst), 100000}),
        floor(std::make_shared<AnswerFloor>(
            std::chrono::microseconds(limits.public_lookup_floor_us), std::move(after))) {}
  http::RateLimiter limiter;
  std::shared_ptr<AnswerFloor> floor;
  RecentValue<TraceCheckpoint> checkpoint{kCheckpointMaxAge};
};

http::Response html_reply(int status, std::string page) {
  http::Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(page);
  // The page stands alone: no script, no frame, no outside asset.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                         "frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

http::Response answer(const ApiContext& ctx, TraceShared& shared, TraceKind kind,
                      const http::Request& request, bool page) {
  auto it = request.params.find("code");
  const std::string code = it == request.params.end() ? std::string() : it->second;
  auto found = trace_lookup(*ctx.store, ctx.signers->chain_params(), kind, code, wall_clock_ms());
  if (!found.ok()) {
    if (found.status().code() == "bad_code") {
      return page ? html_reply(400, render_bad_code_page(kind))
                  : http::Response::error(400, "bad_code", found.status().message());
    }
    return http::Response::error(500, "internal", "the lookup could not be answered");
  }
  const int status = found->found ? 200 : 404;
  const TraceCheckpoint c = shared.checkpoint.get([&] { return compute_checkpoint(ctx); });
  const TraceVouch& vouch = c.vouch;
  if (page) {
    return html_reply(status, render_trace_page(kind, *found, vouch,
                                                ctx.signers->chain_params().utc_offset_minutes));
  }
  found->body["verified"] = {{"checkpoint_height", vouch.checkpoint_height},
                             {"organisations", vouch.organisations},
                             {"of", vouch.of}};
  std::optional<nlohmann::json> proof;
  if (c.checkpoint)
    proof = trace_proof_json(*ctx.store, *c.checkpoint, kind, found->body.value("code", ""));
  found->body["proof"] = proof ? std::move(*proof) : nlohmann::json(nullptr);
  http::Response r = json_reply(status, found->body);
  return r;
}

// Caches in front (docs/deploy.md) may keep an answer a few seconds, not longer: a recall or an
// administration must reach the citizen quickly. A refusal is not an answer to keep.
constexpr const char* kLookupCaching = "public, max-age=5";
constexpr const char* kRefusalCaching = "no-store";

void serve(const ApiContext& ctx, const std::shared_ptr<TraceShared>& shared, TraceKind kind,
           const http::Request& request, http::Responder respond, bool page) {
  const auto started = Clock::now();
  if (uint32_t wait = shared->limiter.take(request.client_address, started); wait > 0) {
    http::Response r = http::Response::error(429, "rate_limited",
                                             "too many lookups from this address; retry later");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    r.headers.emplace_back("Cache-Control", kRefusalCaching);
    return respond(std::move(r));
  }
  http::Response r = answer(ctx, *shared, kind, request, page);
  r.headers.emplace_back("Cache-Control",
                         r.status == 200 || r.status == 404 ? kLookupCaching : kRefusalCaching);
  shared->floor->hold(started, [respond = std::move(respond), r = std::move(r)]() mutable {
    respond(std::move(r));
  });
}

}  // namespace

void register_trace_routes(http::Server& server, const ApiContext& ctx) {
  auto shared = std::make_shared<TraceShared>(ctx.config->limits, ctx.after);
  const ApiContext* c = &ctx;
  for (TraceKind kind : {TraceKind::kVaccine, TraceKind::kTableware, TraceKind::kRx}) {
    const std::string name = trace_kind_name(kind);
    for (bool page : {false, true}) {
      server.route("GET", (page ? "/trace/" : "/v1/trace/") + name + "/{code}",
                   [c, shared, kind, page](const http::Request& request, http::Responder respond) {
                     serve(*c, shared, kind, request, std::move(respond), page);
                   });
    }
  }
}

}  // namespace medtrail::node::api
