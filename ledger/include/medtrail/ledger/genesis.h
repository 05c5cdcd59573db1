#pragma once
// Genesis: the consortium's founding document, shared byte for byte by every member. The chain
// id is H(the genesis file's exact bytes) under the chain's suite; nobody re-serialises it.
//
// JSON, strict (unknown or duplicate keys, wrong types, out-of-range values are errors):
// {
//   "format": 1,
//   "chain_name": "medtrail-demo",                 1..64 chars [A-Za-z0-9._-]
//   "suite": "ed25519-sha256" | "sm2-sm3",
//   "created": "2026-11-23T00:00:00Z",             RFC 3339, informational
//   "time_zone": "+08:00",                         fixed UTC offset for calendar-day rules
//   "organisations": [ {"id", "name", "roles": [...], "admin_public_key": hex,      1..256
//                       "encryption_public_key": hex} ],   optional: X25519, sealed_fields.h
//   "nodes": [ {"id", "org", "public_key": hex, "tls_spki_sha256": hex,
//               "peer_address": "host:port", "api_address": "host:port"} ],      1..64
//   "raft": {"tick_ms": 100, "election_ticks": 10, "heartbeat_ticks": 1},
//   "checkpoint_quorum": 2,                        distinct organisations, 1..#orgs with nodes
//   "gov_approvals": 1,                            optional (default 1): regulator organisations
//                                                  whose approval enacts a governance proposal
//   "pseudonym": {"org": "nhc", "public_key": hex,  optional: the patient pseudonym service
//                 "org_daily_limit": 20000,          (pseudonym.h, docs/privacy.md), run by a
//                 "person_daily_limit": 500,         regulator organisation's node
//                 "citizen_daily_limit": 5}
//   "confidential_fields": "sealed"                 optional (default "clear_allowed"): whether
//                                                  a body may hold confidential fields in clear;
//                                                  "erasable" also requires sealed version 2
//                                                  (needs "pseudonym": its node keeps patient keys)
//   "prescription_flow": "any_institution"          optional (default "issuing_hospital"): which
//                                                  pharmacies serve a prescription, below
// }
// Organisation and node ids: 1..64 chars [a-z0-9-], unique. Roles among kOrgRoles, no repeats.
// Every node's org exists; public keys have the suite's size; tls_spki_sha256 is the SHA-256 of
// the DER SubjectPublicKeyInfo of the node's TLS certificate (32 bytes, lowercase hex).

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

inline constexpr std::array<std::string_view, 11> kOrgRoles = {
    "hospital", "pharmacy",    "regulator", "manufacturer", "cdc",       "clinic",
    "disinfector", "inspector", "logistics", "restaurant",   "insurer"};

struct GenesisOrg {
  std::string id;
  std::string name;
  std::vector<std::string> roles;
  Bytes admin_public_key;
  Bytes encryption_public_key{};  // empty: none yet (an org.enc_key record can register one)
  bool operator==(const GenesisOrg&) const = default;
};

struct GenesisNode {
  std::string id;
  std::string org;
  Bytes public_key;     // the node's signing key (checkpoints), suite-sized
  Hash tls_spki_sha256{};  // pin of the node's TLS certificate key
  std::string peer_address;  // host:port
  std::string api_address;   // host:port
  bool operator==(const GenesisNode&) const = default;
};

struct GenesisRaft {
  uint32_t tick_ms = 100;        // 10..10000
  uint32_t election_ticks = 10;  // 3..1000, > heartbeat_ticks
  uint32_t heartbeat_ticks = 1;  // 1..100
  bool operator==(const GenesisRaft&) const = default;
};

// The pseudonym service (pseudonym.h): whose node evaluates, under which key, and how many
// evaluations the chain grants each organisation and each person per calendar day (so that
// re-identifying patients in bulk is slow, and visible on the chain long before it is done).
struct GenesisPseudonym {
  std::string org;          // a regulator organisation
  Bytes public_key;         // the service's VOPRF key, a ristretto255 element (32 bytes)
  uint32_t org_daily_limit = 20000;   // 1..10^7
  uint32_t person_daily_limit = 500;  // 1..org_daily_limit
  uint32_t citizen_daily_limit = 5;   // per verified citizen (their own ref); 1..1000
  bool operator==(const GenesisPseudonym&) const = default;
};

// Whether a record body may carry confidential fields (confidential_fields.h) in clear. A chain
// founded with "sealed" refuses them (`confidential_in_clear`); older chains allowed them. One
// founded with "erasable" refuses them too, and every sealed part must be erasable (sealed
// version 2, bound to the patient's key at the key service: `not_erasable`).
inline constexpr std::string_view kConfidentialSealed = "sealed";
inline constexpr std::string_view kConfidentialErasable = "erasable";
inline constexpr std::string_view kConfidentialClearAllowed = "clear_allowed";

// Which pharmacies may review and dispense a prescription (docs/contracts.md, "E-prescriptions").
// "issuing_hospital": a retail pharmacy serves any prescription, a hospital's pharmacy only its
// own hospital's; "any_institution": a hospital's pharmacy serves another institution's too
// (处方流转, the Fujian plan's item 11).
inline constexpr std::string_view kPrescriptionFlowIssuingHospital = "issuing_hospital";
inline constexpr std::string_view kPrescriptionFlowAnyInstitution = "any_institution";

struct Genesis {
  uint32_t format = 1;
  std::string chain_name;
  std::string suite = std::string(kSuiteEd25519Sha256);
  std::string created;
  std::string time_zone = "+08:00";
  std::vector<GenesisOrg> organisations;
  std::vector<GenesisNode> nodes;
  GenesisRaft raft;
  uint32_t checkpoint_quorum = 1;
  uint32_t gov_approvals = 1;
  std::optional<GenesisPseudonym> pseudonym;  // none: members supply patient_refs themselves
  std::string confidential_fields = std::string(kConfidentialClearAllowed);
  std::string prescription_flow = std::string(kPrescriptionFlowIssuingHospital);
  bool operator==(const Genesis&) const = default;

  const GenesisOrg* find_org(std::string_view id) const;
  const GenesisNode* find_node(std::string_view id) const;
  // Identity id a node signs checkpoints as: "<org>/<node id>".
  static std::string node_signer(const GenesisNode& node) { return node.org + "/" + node.id; }
};

// Errors: `bad_genesis` with the offending field named in the message.
Result<Genesis> parse_genesis(std::string_view json);
// Deterministic pretty JSON (2-space indent, fields in the order above, trailing newline);
// parse_genesis(genesis_to_json(g)) == g.
std::string genesis_to_json(const Genesis& genesis);
// The chain id: H(file bytes) under the genesis' own suite (the caller has parsed it first).
Hash genesis_chain_id(const CryptoSuite& suite, std::string_view genesis_file_bytes);
// Trust for verify_checkpoint_quorum: every node key, with its org, and the quorum.
CheckpointTrust genesis_checkpoint_trust(const Genesis& genesis);

// One node entry on its own, in genesis' form: how a node added after genesis is described
// (membership changes carry it). Same strict rules as inside genesis; the org must be one of
// `genesis`' organisations (unchecked when `genesis` has none). Errors: `bad_genesis`.
inline constexpr size_t kMaxGenesisNodeBytes = 4096;
Result<GenesisNode> parse_genesis_node(std::string_view json, const Genesis& genesis,
                                       const CryptoSuite& suite);
std::string genesis_node_to_json(const GenesisNode& node);

// Reads and parses a genesis file, returning the parsed form, the suite and the chain id.
struct LoadedGenesis {
  Genesis genesis;
  const CryptoSuite* suite = nullptr;
  Hash chain_id{};
  std::string bytes;  // the exact file bytes
};
// Errors: `io_error`, `bad_genesis`, `unknown_suite`.
Result<LoadedGenesis> load_genesis_file(const std::string& path);

// The genesis `time_zone` in minutes east of UTC (calendar-day rules); nullopt unless "+HH:MM" or
// "-HH:MM" within ±14:00, as parse_genesis requires.
std::optional<int32_t> utc_offset_minutes(std::string_view time_zone);

// A checkpoint a node served, judged by the genesis a client holds (never by what the node says):
// this chain's (`wrong_chain`), and signed by a quorum of its organisations
// (verify_checkpoint_quorum's codes).
Status verify_checkpoint_for_genesis(const LoadedGenesis& genesis, const SignedCheckpoint& checkpoint);

// The organisations among `trust`'s signers whose signature, with the pinned key, a checkpoint
// carries (not verified here: count what verify_checkpoint_quorum accepted).
std::set<std::string> signing_organisations(const CheckpointTrust& trust, const SignedCheckpoint& checkpoint);

}  // namespace medtrail::ledger
