// access.query: a reader's own signed record of one API query (docs/api-auth.md). The node
// commits it before it answers, so the chain holds every read — and every refused attempt —
// under the reader's signature. The policy of who may ask what is here, run by every node
// alike; the node serves data only for an accepted query.
#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "medtrail/contracts/access.h"
#include "medtrail/contracts/consent.h"
#include "medtrail/contracts/directory.h"
#include "medtrail/contracts/registry.h"
#include "medtrail/contracts/rx.h"
#include "medtrail/ledger/pseudonym.h"
#include "medtrail/ledger/signed_query.h"
#include "medtrail/ledger/tlog_tiles.h"
#include "pseudonym_query.h"
#include "rx_common.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;

std::vector<std::string_view> path_segments(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string_view> segments;
  size_t start = 1;  // the target starts with '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// The characters of every index subject part (ids, hex refs, codes): RFC 3986 unreserved, so
// the target's bytes are the subject's, with nothing to decode.
bool is_subject_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '.' || c == '_';
}

// The subject families a trail may be asked of (docs/contracts.md, "Index subjects"), and how
// many parts follow the family.
size_t subject_parts(std::string_view family) {
  static const std::pair<std::string_view, size_t> families[] = {
      {"rx", 1},   {"patient", 1}, {"org", 1},  {"identity", 2}, {"gov", 1},   {"vlot", 2},
      {"vcode", 1}, {"vship", 1},  {"tw", 1},   {"access", 1},   {"actor", 2}, {"rx-reads", 1},
      {"pseudonym", 1}, {"claim", 1}};
  for (const auto& [name, parts] : families) {
    if (name == family) return parts;
  }
  return 0;
}

// What a query target asks for. Only what the API serves under authentication is known; any
// other target is refused (a node never submits one; a lying node's would be refused here).
enum class Query {
  kRecord, kBlock, kPrescription, kTrail, kSearch, kEntryBundle, kPseudonym, kPatientShares, kUnknown
};

Query classify(const ledger::SignedQuery& q) {
  if (q.method == "POST" && ledger::pseudonym_target_count(q.target)) return Query::kPseudonym;
  if (q.method == "POST" && ledger::parse_patient_share_target(q.target)) return Query::kPatientShares;
  if (q.method != "GET") return Query::kUnknown;
  const std::vector<std::string_view> s = path_segments(q.target);
  if (s.size() == 3 && s[0] == "v1" && s[1] == "records" && ledger::is_hash_hex(s[2])) {
    return Query::kRecord;
  }
  if (s.size() == 3 && s[0] == "v1" && s[1] == "blocks" && s[2].size() <= 20 && all_of(s[2], is_digit)) {
    return Query::kBlock;
  }
  if (s.size() == 3 && s[0] == "v1" && s[1] == "prescriptions" && ledger::is_hash_hex(s[2])) {
    return Query::kPrescription;
  }
  if (s.size() >= 5 && s[0] == "v1" && s[1] == "audit" && s[2] == "trails" &&
      s.size() == 4 + subject_parts(s[3]) &&
      std::all_of(s.begin() + 4, s.end(), [](std::string_view part) { return all_of(part, is_subject_char); })) {
    return Query::kTrail;
  }
  if (s.size() == 3 && s[0] == "v1" && s[1] == "audit" && s[2] == "search") return Query::kSearch;
  // "/tile/entries/<N>[.p/<W>]": the C2SP tlog-tiles entry bundle, 256 whole records.
  if (s.size() >= 3 && s[0] == "tile" && s[1] == "entries" && q.target.find('?') == std::string::npos) {
    auto tile = ledger::parse_tile_path(std::string_view(q.target).substr(std::string_view("/tile/").size()));
    if (tile.ok() && tile->entries) return Query::kEntryBundle;
  }
  return Query::kUnknown;
}

// A regulator organisation's inspectors and auditors read every record for supervision.
bool is_regulator_reader(const Call& call) {
  return call.org.has_type("regulator") && (call.signer.role == "inspector" || call.signer.role == "auditor");
}

// "/v1/prescriptions/<id>": the prescription's id, the last segment of the path.
std::string prescription_id(const ledger::SignedQuery& q) {
  return std::string(path_segments(q.target).back());
}

// Who reads a prescription (处方管理办法: the pharmacy that reviews and dispenses it; the
// issuing hospital's doctors; the regulator supervising both). A pharmacist of a hospital reads
// what the rx contracts let it serve (rx::may_serve: its own hospital's, or any under genesis'
// prescription_flow "any_institution"). The read lands on the
// prescription's read log (`rx-reads/<id>`) and on its patient's trail: the patient can see who
// looked. Not on the prescription's own trail: that holds its steps, which every pharmacist
// verifying it is shown, and who else read it is none of a pharmacist's business — nor may
// the reads, however many, push a later dispense out of the steps a verification lists.
ExecutionResult prescription_query(Call& call, const std::string& id) {
  std::optional<rx::Prescription> rx = call.txn.read<rx::Prescription>(rx_key(id));
  if (rx) {
    call.txn.index(rx_reads_subject(id));
    call.txn.index("patient/" + rx->patient_ref);
  }
  if (is_regulator_reader(call)) return ExecutionResult::accept();
  const bool own_hospital = rx && rx->org == call.org.id;
  if (call.signer.role == "pharmacist" && (!rx || rx::may_serve(call, *rx))) {
    return ExecutionResult::accept();
  }
  if (call.signer.role == "doctor" && (!rx || own_hospital)) return ExecutionResult::accept();
  return ExecutionResult::reject("query_not_permitted",
                                 "a prescription is read by pharmacists, the issuing hospital's doctors "
                                 "and a regulator's inspectors and auditors");
}

// "/v1/audit/trails/<family>/<id>[/<id>]": the subject "<family>/<id>[/<id>]".
std::string trail_subject(const ledger::SignedQuery& q) {
  // A view of the target itself: a view of substr()'s temporary would dangle (found by TSan).
  const std::string_view target = q.target;
  std::string_view path = target.substr(0, target.find('?'));
  return std::string(path.substr(std::string_view("/v1/audit/trails/").size()));
}

// Whose trail a reader may follow: a regulator's inspectors and auditors, anyone's; an
// organisation's auditor, the organisation's own (its records, its access log, its people); a
// doctor, a patient's: for treatment under the patient's consent (consent.h), in an emergency
// without; everyone, their own. A patient's trail read joins the patient's trail itself: the
// patient can see who looked, and who was refused.
ExecutionResult trail_query(Call& call, const std::string& subject, const std::string& purpose) {
  const std::string family = subject.substr(0, subject.find('/'));
  const std::string rest = subject.substr(family.size() + 1);
  if (family == "patient") call.txn.index(subject);
  if (is_regulator_reader(call)) return ExecutionResult::accept();
  const std::string own = call.org.id;
  if (call.signer.role == "auditor" &&
      (((family == "org" || family == "access" || family == "pseudonym") && rest == own) ||
       ((family == "actor" || family == "identity") && rest.starts_with(own + "/")))) {
    return ExecutionResult::accept();
  }
  if (call.signer.role == "doctor" && family == "patient" && purpose == "emergency") {
    return ExecutionResult::accept();  // break-glass: flagged for justification, not consent-checked
  }
  if (call.signer.role == "doctor" && family == "patient" && purpose == "treatment") {
    if (consent_covers(call.txn, rest, call.org.id, call.signer.role, purpose, call.today())) {
      return ExecutionResult::accept();
    }
    // The message never names the patient_ref: it is the patient's trail the refusal joins.
    return ExecutionResult::reject("no_consent", "the patient has given " + call.org.id +
                                                     " no consent in force today to read their records for " +
                                                     purpose);
  }
  if (family == "actor" && rest == call.signer.id) return ExecutionResult::accept();
  return ExecutionResult::reject("query_not_permitted",
                                 "a trail is followed by a regulator, by an organisation's auditor for its own, "
                                 "by a doctor for a patient's care, or by a person for their own");
}

// The value of the one `org` parameter of the target's query string, as sent; nullopt when there
// is none or more than one. The node refuses a search that names a parameter twice or escapes
// `org`, so what it serves is what this reads.
std::optional<std::string_view> search_org(const ledger::SignedQuery& q) {
  const std::string_view target = q.target;
  const size_t mark = target.find('?');
  if (mark == std::string_view::npos) return std::nullopt;
  const std::string_view query = target.substr(mark + 1);
  std::optional<std::string_view> org;
  int count = 0;
  for (size_t start = 0; start <= query.size();) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    if (pair.starts_with("org=")) {
      org = pair.substr(4);
      ++count;
    }
    start = end + 1;
  }
  if (count != 1) return std::nullopt;
  return org;
}

// Who searches across the chain: a regulator's inspectors and auditors, with any filters; an
// organisation's auditor, only within its own organisation's records (`org=<own>`), what its
// trails already show it.
ExecutionResult search_query(Call& call, const ledger::SignedQuery& q) {
  if (is_regulator_reader(call)) return ExecutionResult::accept();
  if (call.signer.role == "auditor" && search_org(q) == std::optional<std::string_view>(call.org.id)) {
    return ExecutionResult::accept();
  }
  return ExecutionResult::reject("query_not_permitted",
                                 "the chain is searched by a regulator's inspectors and auditors, or by an "
                                 "organisation's auditor within its own organisation (org=<own>)");
}

ExecutionResult query(Call& call) {
  auto q = ledger::read_signed_query(call.body);
  if (!q.ok()) return ExecutionResult::reject(q.status().code(), q.status().message());
  // On the reader's and the organisation's trails whatever the verdict: refused snooping is
  // evidence too.
  call.txn.index("actor/" + call.signer.id);
  call.txn.index("access/" + call.org.id);
  if (q->chain != call.chain.chain_id) {
    return ExecutionResult::reject("wrong_chain", "the query was signed for another chain");
  }
  switch (classify(*q)) {
    case Query::kRecord:
    case Query::kEntryBundle:
      // A record may hold anything a patient's care produced; who else reads it goes through
      // the purpose-bound views (a prescription, a trail), which know the patient. An entry
      // bundle is 256 records: the same rule.
      if (!is_regulator_reader(call)) {
        return ExecutionResult::reject("query_not_permitted",
                                       "whole records are read by a regulator's inspectors and auditors");
      }
      return ExecutionResult::accept();
    case Query::kBlock:
      return ExecutionResult::accept();  // record ids only; every member may list them
    case Query::kPrescription:
      return prescription_query(call, prescription_id(*q));
    case Query::kTrail:
      return trail_query(call, trail_subject(*q), q->purpose);
    case Query::kSearch:
      return search_query(call, *q);
    case Query::kPseudonym:
      return pseudonym_query(call, q->purpose, *ledger::pseudonym_target_count(q->target));
    case Query::kPatientShares:
      return patient_share_query(call, q->purpose, *ledger::parse_patient_share_target(q->target));
    case Query::kUnknown:
      break;
  }
  return ExecutionResult::reject("unknown_query", "the API serves no such signed query");
}

}  // namespace

std::vector<KindRule> access_query_rules() {
  // People only: a read is answered to a person, and only the person's own key makes the
  // record non-repudiable (a node or an organisation's admin key reads nothing through the API).
  return {{ledger::kAccessQueryKind,
           {"doctor", "pharmacist", "vaccinator", "inspector", "operator", "auditor"},
           {},
           query},
          // A node vouches for an identity check it made; no person signs for a citizen.
          // (Genesis makes the service's organisation a regulator; the handler checks it is it.)
          {ledger::kCitizenPseudonymKind, {kNodeRole}, {}, citizen_pseudonym}};
}

}  // namespace medtrail::contracts
