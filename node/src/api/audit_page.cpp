// The page shared by trails and searches (audit_page.h). The scan budget and the body budget
// bound every page, so a rare filter answers promptly and no reader holds an io thread for long.
#include "api/audit_page.h"

#include <algorithm>

#include "api/checkpoint_lookup.h"
#include "medtrail/ledger/decimal.h"
#include "api/json_reply.h"
#include "core/store_state_view.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/ledger/block.h"
#include "medtrail/ledger/checkpoint_json.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/payload_body.h"
#include "medtrail/ledger/rfc3339.h"
#include "medtrail/ledger/served_state_proof.h"

namespace medtrail::node::api {

namespace {

using nlohmann::json;

constexpr size_t kMaxJsonLimit = 1000;
constexpr size_t kMaxCsvLimit = 100000;
// Index entries one page may look at: a filter that matches rarely still answers promptly, with
// `next` to go on from, and no reader holds an io thread for long.
constexpr size_t kMaxScanned = 20000;
// Index entries one read of the index returns at most.
constexpr size_t kMaxBatch = 1024;
// Record bodies one JSON page carries at most (each up to 64 KiB): the page ends early, with
// `next`, rather than grow without bound.
constexpr size_t kMaxPageBodyBytes = 8 << 20;

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Whose bodies a reader sees: a regulator's inspectors and auditors (the trail's whole records);
// everyone else the rows without bodies.
bool sees_bodies(const ApiContext& ctx, const Reader& reader) {
  if (reader.role != "inspector" && reader.role != "auditor") return false;
  // Founding or added by governance alike, as the contract judges it.
  StoreStateView view(*ctx.store);
  std::optional<contracts::Organisation> org =
      contracts::find_org(view, ctx.signers->chain_params(), reader.org);
  return org && !org->removed && org->has_type("regulator");
}

// The filters a row must pass beyond its index; `kind`, `org` and `actor` as the payload says.
bool passes(const AuditQuery& q, const ledger::LeafRecord& leaf, const std::string& kind,
            const std::string& org) {
  const int64_t at = static_cast<int64_t>(leaf.timestamp_ms);
  return (q.kind.empty() || kind == q.kind) && (q.org.empty() || org == q.org) &&
         (q.actor.empty() || leaf.envelope.signer == q.actor) &&
         (q.result != "accepted" || leaf.result.accepted) &&
         (q.result != "rejected" || !leaf.result.accepted) && (!q.from_ms || at >= *q.from_ms) &&
         (!q.to_ms || at < *q.to_ms);
}

}  // namespace

std::optional<http::Response> parse_audit_query(const http::Request& request,
                                                bool with_signer_filters, AuditQuery& q) {
  auto bad = [](const std::string& code, const std::string& message) {
    return std::optional<http::Response>(http::Response::error(400, code, message));
  };
  for (const auto& [key, value] : request.query) {
    if (key == "after") {
      auto n = ledger::parse_decimal(value);
      if (!n)
        return bad("bad_cursor", "after is a leaf index (decimal), from the previous page's next");
      q.after = *n;
    } else if (key == "limit") {
      auto n = ledger::parse_decimal(value);
      if (!n || *n == 0) return bad("bad_limit", "limit is a number from 1");
      q.limit = static_cast<size_t>(*n);
    } else if (key == "kind") {
      if (!ledger::is_kind(value))
        return bad("bad_kind", "kind is a record kind, e.g. rx.dispense");
      q.kind = value;
    } else if (key == "result") {
      if (value != "accepted" && value != "rejected")
        return bad("bad_result", "result is accepted or rejected");
      q.result = value;
    } else if (key == "from" || key == "to") {
      auto ms = ledger::rfc3339_to_unix_ms(value);
      if (!ms) return bad("bad_time", key + " is an RFC 3339 time, e.g. 2026-12-03T00:00:00+08:00");
      (key == "from" ? q.from_ms : q.to_ms) = *ms;
    } else if (key == "proofs") {
      if (value != "1" && value != "0") return bad("bad_proofs", "proofs is 1 or 0");
      q.proofs = value == "1";
    } else if (key == "format") {
      if (value != "csv" && value != "json") return bad("bad_format", "format is json or csv");
      q.csv = value == "csv";
    } else if (key == "org" && with_signer_filters) {
      if (!ledger::is_org_id(value))
        return bad("bad_org", "org is an organisation id, e.g. pharm-b");
      q.org = value;
    } else if (key == "actor" && with_signer_filters) {
      if (!ledger::is_identity_id(value))
        return bad("bad_actor", "actor is an identity id <org>/<name>");
      q.actor = value;
    } else {
      return bad("unknown_parameter", "unknown parameter " + key.substr(0, 32));
    }
  }
  if (q.csv && q.proofs) return bad("bad_format", "proofs come with JSON pages, not CSV");
  const size_t max = q.csv ? kMaxCsvLimit : kMaxJsonLimit;
  if (q.limit > max) return bad("bad_limit", "limit is at most " + std::to_string(max));
  return std::nullopt;
}

http::Response audit_page(const ApiContext& ctx, const AuditQuery& q, const Reader& reader,
                          const LeafSource& source, json head,
                          std::optional<std::string_view> trail_subject) {
  const bool bodies = sees_bodies(ctx, reader) && !q.csv;
  std::optional<ledger::SignedCheckpoint> checkpoint;
  if (q.proofs) {
    checkpoint = newest_quorum_checkpoint(ctx);
    if (!checkpoint)
      return http::Response::error(503, "no_checkpoint",
                                   "no quorum checkpoint yet to prove rows against");
  }
  std::string rows;  // the rows' JSON, comma-separated
  std::string csv =
      q.csv ? "leaf_index,record_id,time,kind,organisation,actor,result,reason_code\n" : "";
  size_t matched = 0;
  size_t scanned = 0;
  size_t body_bytes = 0;
  std::optional<uint64_t> cursor = q.after;
  std::optional<uint64_t> first_proven, last_proven;  // rows below the checkpoint's tree size
  bool more = false;
  // Index entries read per batch: first what the page could use (one more tells whether a next
  // page exists), then doubling, so a page that matches everything reads no entry it does not
  // show and a rare filter still reads in large steps.
  size_t want = std::min<size_t>(kMaxBatch, q.limit + 1);
  for (;;) {
    const size_t batch = std::min(want, kMaxScanned - scanned);
    want = std::min(kMaxBatch, 2 * want);
    if (batch == 0) {
      more = true;  // the scan budget ends the page; the cursor goes on from here
      break;
    }
    auto trail = source(cursor, batch);
    if (!trail.ok()) return http::Response::error(500, "internal", "the index could not be read");
    for (uint64_t leaf_index : trail->leaves) {
      if (matched == q.limit || body_bytes > kMaxPageBodyBytes) {
        more = true;
        break;
      }
      cursor = leaf_index;
      ++scanned;
      auto leaf = ctx.store->leaf_at(leaf_index);
      if (!leaf.ok()) return http::Response::error(500, "internal", "a record could not be read");
      // An accepted record's payload parsed strictly when it was executed: its members are read
      // as written. A refused one may not parse at all: the parser decides.
      const std::string_view payload = ledger::as_chars(leaf->envelope.payload);
      std::optional<std::string_view> plain_kind, plain_org;
      if (leaf->result.accepted) {
        plain_kind = ledger::payload_plain_string(payload, "kind");
        plain_org = ledger::payload_plain_string(payload, "org");
      }
      std::string kind, org;
      bool parsed = plain_kind && plain_org;
      if (parsed) {
        kind = *plain_kind;
        org = *plain_org;
      } else if (auto fields = ledger::parse_payload(leaf->envelope); fields.ok()) {
        kind = std::move(fields->kind);
        org = std::move(fields->org);
        parsed = true;
      }
      if (!passes(q, *leaf, kind, org)) continue;
      ++matched;
      const std::string id = ledger::record_id(ctx.store->suite(), leaf->envelope);
      const int64_t at = static_cast<int64_t>(leaf->timestamp_ms);
      if (q.csv) {
        csv += std::to_string(leaf_index) + "," + id + "," + ledger::unix_ms_to_rfc3339(at) + "," +
               csv_field(kind) + "," + csv_field(org) + "," + csv_field(leaf->envelope.signer) +
               "," + (leaf->result.accepted ? "accepted" : "rejected") + "," +
               csv_field(leaf->result.reason_code) + "\n";
        continue;
      }
      json row = {{"leaf_index", leaf_index},
                  {"record_id", id},
                  {"height", leaf->height},
                  {"at_ms", at},
                  {"kind", kind},
                  {"organisation", org},
                  {"actor", leaf->envelope.signer},
                  {"accepted", leaf->result.accepted}};
      if (!leaf->result.accepted) {
        row["reason_code"] = leaf->result.reason_code;
        row["reason"] = leaf->result.reason;
      }
      if (checkpoint) row["proof"] = leaf_proof_json(*ctx.store, *leaf, leaf_index, *checkpoint);
      if (checkpoint && leaf_index < checkpoint->checkpoint.tree_size) {
        if (!first_proven) first_proven = leaf_index;
        last_proven = leaf_index;
      }
      if (!rows.empty()) rows += ',';
      rows += json_text(row);
      if (bodies && parsed) {
        // The body as signed, spliced into the row: parsing it into a tree and printing the tree
        // again was most of a page's cost. The payload parsed strictly, so its text is JSON.
        body_bytes += leaf->envelope.payload.size();
        std::optional<std::string_view> text = ledger::payload_body_text(payload);
        std::string printed;
        if (!text) {
          json body;
          (void)ledger::parse_payload(leaf->envelope, &body);
          printed = json_text(body);
          text = printed;
        }
        rows.pop_back();  // the row's closing brace
        rows += ",\"body\":";
        rows += *text;
        rows += '}';
      }
    }
    if (more || !trail->truncated) break;  // the page is full, or the trail has ended
    if (matched == q.limit) {
      more = true;  // full exactly at a batch's end, with entries beyond it
      break;
    }
  }
  // More exists when the page stopped early; a page that ended the trail has no next.
  std::optional<uint64_t> next;
  if (more && cursor) next = cursor;
  if (q.csv) {
    http::Response r;
    r.status = 200;
    r.content_type = "text/csv; charset=utf-8";
    r.body = std::move(csv);
    if (next) r.headers.emplace_back("Medtrail-Next-Cursor", std::to_string(*next));
    return r;
  }
  json out = std::move(head);
  out["limit"] = q.limit;
  out["next"] = next ? json(std::to_string(*next)) : json(nullptr);
  out["receipt"] = {{"record_id", reader.receipt}, {"leaf_index", reader.receipt_leaf}};
  if (checkpoint) out["checkpoint"] = ledger::checkpoint_to_json(*checkpoint);
  const bool whole_trail = q.kind.empty() && q.result.empty() && !q.from_ms && !q.to_ms;
  if (checkpoint && trail_subject && whole_trail) {
    auto proofs = ledger::served_trail_proofs(*ctx.store, *checkpoint, *trail_subject, first_proven,
                                              last_proven);
    out["trail"] = proofs ? std::move(*proofs) : json(nullptr);
  }
  std::string text = json_text(out);
  text.pop_back();  // the document's closing brace: the rows go last
  text += ",\"rows\":[";
  text += rows;
  text += "]}";
  return http::Response::json(200, std::move(text));
}

}  // namespace medtrail::node::api
