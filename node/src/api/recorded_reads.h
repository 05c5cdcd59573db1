#pragma once
// No read without a trace (docs/api-auth.md). A read of member data carries the reader's signed
// query (an access.query record) in its Authorization header. The node checks that the query
// describes this very request, is fresh, unreplayed and signed by a person the chain knows and
// has not revoked; then commits the record and answers only once it is on the chain — with the
// data when the contract accepted the query, with 403 and its reason when it refused (the
// refusal is on the chain too). No record, no data.
//
// Refusals before the chain, 401: auth_required, auth_scheme, bad_auth, wrong_suite,
// unknown_signer, signature_mismatch (and the envelope's other codes), wrong_kind, wrong_chain, wrong_node,
// wrong_request, wrong_body, stale_request, replayed_request. 403: signer_revoked,
// signer_expired, signer_not_yet_valid. After the chain, 403 with the contract's code.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "api/api_context.h"
#include "http/http_server.h"
#include "medtrail/ledger/bytes.h"

namespace medtrail::node::api {

// 403 for a record the contract refused: the refusal is on the chain, so the answer names its
// record (the receipt) beside the code and message.
http::Response refused_on_chain(const RecordStatus& status);

// Who asked, once their query is committed.
struct Reader {
  std::string signer;   // "<org>/<name>"
  std::string org;
  std::string role;
  std::string purpose;
  std::string receipt;  // the access.query record id
  uint64_t receipt_leaf = 0;
};

using ReadHandler = std::function<http::Response(const Reader&)>;

class RecordedReads : public std::enable_shared_from_this<RecordedReads> {
 public:
  // A signed query's `ts` must be this close to the node's clock.
  static constexpr std::chrono::minutes kMaxClockSkew{5};
  // Queries between admission and their final status; beyond: 503 busy.
  static constexpr size_t kMaxInFlight = 65536;
  // How long a read waits for its record to commit before answering 503 not_recorded.
  static constexpr std::chrono::seconds kCommitWait{10};

  // Owned by a shared_ptr: a query's completion may outlive the routes that started it.
  explicit RecordedReads(const ApiContext& ctx) : ctx_(ctx) {}

  // Answers `respond` with serve(reader) once the request's query is committed and accepted
  // (the Medtrail-Receipt header names its record), or with the refusal. `serve` runs on an io
  // thread (ctx.defer), never on the Raft driver's.
  void serve(const http::Request& request, http::Responder respond, ReadHandler serve);

  static bool has_credentials(const http::Request& request) {
    return !request.header("authorization").empty();
  }

 private:
  struct Checked;
  // The signed query of `request`, checked up to (not including) the chain; or the refusal.
  bool check(const http::Request& request, Checked& out, http::Response& refusal) const;
  // Replay protection between admission and the chain's own record index.
  enum class Claim { kClaimed, kReplayed, kFull };
  Claim claim(const ledger::Hash& id, int64_t expires_ms);
  void release(const ledger::Hash& id);

  const ApiContext& ctx_;
  std::mutex mu_;
  std::map<ledger::Hash, int64_t> in_flight_;  // record hash -> ts + skew (ms)
};

}  // namespace medtrail::node::api
