// `medtrail seal`: moves a payload's confidential fields into its body's sealed part, readable
// by the author's organisation, every regulator and the readers named; the data key can go on
// the patient's slip. `medtrail open`: a reader's side, with the organisation's keyring or the
// slip's key. Both run on the client: no node sees a confidential field or a private key. With
// --key-service, both are erasable (sealed version 2, docs/privacy.md "Erasure"): the record's
// share comes from the key service under the person's signed, recorded query.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "http_get.h"
#include "io.h"
#include "medtrail/ledger/confidential_fields.h"
#include "medtrail/ledger/encryption_key_file.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/patient_shares.h"
#include "medtrail/ledger/sealed_fields.h"
#include "node_url.h"
#include "signed_reader.h"
#include "slip_key.h"

namespace medtrail::cli {
namespace {

using nlohmann::json;

// An organisation as a sealing client sees it.
struct Member {
  std::string org;
  bool regulator = false;
  ledger::Bytes public_key;  // empty: no key yet
};

ledger::Result<std::vector<Member>> members_from_genesis(const ledger::Genesis& genesis) {
  std::vector<Member> out;
  for (const ledger::GenesisOrg& o : genesis.organisations) {
    const bool regulator = std::find(o.roles.begin(), o.roles.end(), "regulator") != o.roles.end();
    out.push_back({o.id, regulator, o.encryption_public_key});
  }
  return out;
}

// GET /v1/encryption-keys: the keys as the chain's state holds them now (rotations included).
// Over https the node's TLS key is checked against `genesis`' pins, when given.
ledger::Result<std::vector<Member>> members_from_node(const std::string& url, const std::string& genesis_path) {
  auto node = parse_node_url(url);
  if (!node.ok()) return node.status();
  if (!genesis_path.empty()) {
    auto genesis = ledger::load_genesis_file(genesis_path);
    if (!genesis.ok()) return genesis.status();
    trust_genesis_pins(*node, genesis->genesis);
  }
  auto reply = http_get(*node, "/v1/encryption-keys");
  if (!reply.ok()) return reply.status();
  json doc = json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
  if (reply->status != 200 || !doc.is_object() || !doc.contains("organisations") || !doc["organisations"].is_array()) {
    return ledger::Status::error("bad_answer", url + " answered /v1/encryption-keys with HTTP " +
                                                   std::to_string(reply->status) + " and no key directory");
  }
  std::vector<Member> out;
  for (const json& entry : doc["organisations"]) {
    if (!entry.is_object() || !entry.contains("org") || !entry["org"].is_string()) {
      return ledger::Status::error("bad_answer", "an entry of the key directory names no organisation");
    }
    Member m{entry["org"].get<std::string>(), entry.value("regulator", false), {}};
    if (entry.contains("public_key") && entry["public_key"].is_string()) {
      auto key = ledger::from_hex(entry["public_key"].get<std::string>());
      if (!key.ok()) return ledger::Status::error("bad_answer", "the key of " + m.org + " is not hex");
      m.public_key = std::move(*key);
    }
    out.push_back(std::move(m));
  }
  return out;
}

// The author's organisation, every regulator with a key, and the extra readers asked for.
ledger::Result<std::vector<ledger::SealRecipient>> readers(const std::vector<Member>& members, const std::string& author,
                                                           const std::vector<std::string>& extra) {
  std::vector<ledger::SealRecipient> out;
  std::set<std::string> chosen;
  auto add = [&](const Member& m) -> ledger::Status {
    if (m.public_key.empty()) {
      return ledger::Status::error("no_encryption_key", m.org + " has registered no encryption key yet");
    }
    if (chosen.insert(m.org).second) out.push_back({m.org, m.public_key});
    return ledger::Status();
  };
  std::set<std::string> wanted(extra.begin(), extra.end());
  wanted.insert(author);
  for (const Member& m : members) {
    if (wanted.erase(m.org) > 0) {
      MEDTRAIL_RETURN_IF_ERROR(add(m));
    } else if (m.regulator && !m.public_key.empty()) {
      MEDTRAIL_RETURN_IF_ERROR(add(m));
    }
  }
  if (!wanted.empty()) {
    return ledger::Status::error("unknown_org", *wanted.begin() + " is not a member organisation");
  }
  return out;
}

// Who asks the key service for shares, and where: --key-service, --genesis, --key, --as,
// --purpose. Empty `url`: not erasable.
struct KeyServiceOptions {
  std::string url;
  std::string key_file;
  std::string signer;
  std::string purpose = "treatment";
};

void add_key_service_options(CLI::App* cmd, KeyServiceOptions& o) {
  cmd->add_option("--key-service", o.url,
                  "Erasable fields: the node of the key service (the pseudonym service's), asked for the record's share");
  cmd->add_option("--key", o.key_file, "With --key-service: your signing key file (the share query is signed and recorded)");
  cmd->add_option("--as", o.signer, "With --key-service: who you are, <org>/<name>");
  cmd->add_option("--purpose", o.purpose, "With --key-service: why you ask (treatment, dispensing, audit, ...)")
      ->capture_default_str();
}

// The share of one record of `patient_ref`, from the key service, under a signed query.
ledger::Result<ledger::SecureBytes> ask_share(const KeyServiceOptions& o, const std::string& genesis,
                                              const std::string& patient_ref, const ledger::Bytes& nonce,
                                              ledger::ShareUse use) {
  if (genesis.empty() || o.key_file.empty() || o.signer.empty()) {
    return ledger::Status::error("usage", "--key-service needs --genesis, --key and --as: the share query is signed");
  }
  ReaderOptions r;
  r.node = o.url;
  r.genesis = genesis;
  r.key_file = o.key_file;
  r.signer = o.signer;
  r.purpose = o.purpose;
  auto reader = SignedReader::open(r);
  if (!reader.ok()) return reader.status();
  const std::vector<ledger::Bytes> nonces = {nonce};
  auto reply = reader->post(ledger::patient_share_target(patient_ref, 1, use), ledger::patient_share_request_json(nonces));
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) return ledger::Status::error("share_refused", "the key service: " + refusal_line(*reply));
  auto shares = ledger::read_patient_share_response(reply->body, 1);
  if (!shares.ok()) return shares.status();
  return std::move(shares->front());
}

struct SealOptions {
  std::string payload = "-";
  std::string node;
  std::string genesis;
  std::vector<std::string> readers;
  std::string slip_key_out;
  std::string patient;  // erasable: the record's patient when its body names none
  KeyServiceOptions key_service;
};

int run_seal(const SealOptions& o) {
  const std::string name = "seal";
  auto text = read_input(o.payload, ledger::kMaxPayloadBytes);
  if (!text.ok()) return fail(name, text.status(), kExitUsage);
  json payload = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object() || !payload.contains("kind") || !payload["kind"].is_string() || !payload.contains("actor") ||
      !payload["actor"].is_string() || !payload.contains("org") || !payload["org"].is_string() ||
      !payload.contains("body") || !payload["body"].is_object()) {
    return fail(name, ledger::Status::error("bad_payload", "need a payload JSON with kind, org, actor and a body object"),
                kExitUsage);
  }
  const std::string kind = payload["kind"], actor = payload["actor"], org = payload["org"];
  json& body = payload["body"];
  if (body.contains(ledger::kSealedField)) {
    return fail(name, ledger::Status::error("already_sealed", "the body has a sealed part already"), kExitUsage);
  }
  if (ledger::confidential_fields(kind).empty()) {
    return fail(name, ledger::Status::error("nothing_confidential", kind + " has no confidential fields"), kExitUsage);
  }
  ledger::Result<std::vector<Member>> members = ledger::Status::error("usage", "give --node or --genesis");
  if (!o.node.empty()) {
    members = members_from_node(o.node, o.genesis);
  } else if (!o.genesis.empty()) {
    auto genesis = ledger::load_genesis_file(o.genesis);
    if (!genesis.ok()) return fail(name, genesis.status(), kExitUsage);
    members = members_from_genesis(genesis->genesis);
  }
  if (!members.ok()) return fail(name, members.status(), kExitUsage);
  auto chosen = readers(*members, org, o.readers);
  if (!chosen.ok()) return fail(name, chosen.status(), kExitInvalid);
  json taken = ledger::take_confidential(kind, body);
  if (taken.empty()) {
    std::cerr << "nothing confidential in this " << kind << " body: the payload is unchanged\n";
    std::cout << payload.dump() << "\n";
    return 0;
  }
  std::optional<ledger::PatientShare> erasable;
  if (!o.key_service.url.empty()) {
    std::string patient = o.patient;
    const bool named = body.contains("patient_ref") && body["patient_ref"].is_string();
    if (named && !patient.empty() && patient != body["patient_ref"].get<std::string>()) {
      return fail(name, ledger::Status::error("usage", "--patient is not the body's patient_ref"), kExitUsage);
    }
    if (patient.empty() && named) patient = body["patient_ref"];
    if (!patient.empty() && !ledger::is_hash_hex(patient)) {
      return fail(name, ledger::Status::error("usage", "a patient_ref is 64 lowercase hex digits"), kExitUsage);
    }
    if (patient.empty()) {
      return fail(name, ledger::Status::error("usage", kind + " names no patient_ref in its body: give --patient, the "
                                                       "prescription's (or the event's) patient_ref"),
                  kExitUsage);
    }
    erasable.emplace();
    erasable->patient_ref = patient;
    erasable->nonce = ledger::new_sealed_nonce();
    auto share = ask_share(o.key_service, o.genesis, patient, erasable->nonce, ledger::ShareUse::kSeal);
    if (!share.ok()) return fail(name, share.status(), kExitInvalid);
    erasable->share = std::move(*share);
  }
  auto sealed = ledger::seal(taken.dump(), {kind, actor}, *chosen, erasable ? &*erasable : nullptr);
  if (!sealed.ok()) return fail(name, sealed.status(), kExitInvalid);
  body[std::string(ledger::kSealedField)] = ledger::sealed_to_json(sealed->sealed);
  if (!o.slip_key_out.empty()) {
    std::string slip = ledger::slip_key_to_text(sealed->data_key.view()) + "\n";
    ledger::Status written = write_new_text_file(o.slip_key_out, slip, 0600);
    wipe(slip);
    if (!written.ok()) return fail(name, written, kExitUsage);
  }
  std::string readable;
  for (const ledger::SealRecipient& r : *chosen) readable += (readable.empty() ? "" : ", ") + r.org;
  std::cerr << "sealed " << taken.size() << " confidential field(s) of " << kind << " for " << readable
            << (erasable ? " (erasable: the patient's share from the key service)" : "") << "\n";
  std::cout << payload.dump() << "\n";
  return 0;
}

struct OpenOptions {
  std::string record = "-";
  std::string org;
  std::string keyring;
  std::string slip_key;
  std::string genesis;  // with --key-service
  KeyServiceOptions key_service;
};

// A record as `medtrail get /v1/records/<id>` prints it, or a bare envelope: its payload's
// fields and body.
ledger::Result<std::pair<ledger::PayloadFields, json>> payload_of(const std::string& text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object() && doc.contains("envelope")) doc = doc["envelope"];
  if (!doc.is_object()) return ledger::Status::error("bad_record", "need a record or an envelope as JSON");
  auto envelope = ledger::envelope_from_wire(doc.dump());
  if (!envelope.ok()) return envelope.status();
  json body;
  auto fields = ledger::parse_payload(*envelope, &body);
  if (!fields.ok()) return fields.status();
  return std::pair{std::move(*fields), std::move(body)};
}

int run_open(const OpenOptions& o) {
  const std::string name = "open";
  auto text = read_input(o.record, ledger::kMaxEnvelopeWireBytes * 2);
  if (!text.ok()) return fail(name, text.status(), kExitUsage);
  auto record = payload_of(*text);
  if (!record.ok()) return fail(name, record.status(), kExitUsage);
  auto& [fields, body] = *record;
  auto it = body.find(ledger::kSealedField);
  if (it == body.end()) {
    std::cerr << "the record has no sealed part: every field is in clear\n";
    std::cout << body.dump(2) << "\n";
    return 0;
  }
  auto sealed = ledger::sealed_from_json(*it);
  if (!sealed.ok()) return fail(name, sealed.status(), kExitInvalid);
  ledger::Result<ledger::SecureBytes> data_key = ledger::Status::error("usage", "give --slip-key, or --keyring and --org");
  if (!o.slip_key.empty()) {
    data_key = read_slip_key(o.slip_key);
  } else if (!o.keyring.empty() && !o.org.empty()) {
    auto keyring = ledger::load_encryption_keyring(o.keyring);
    if (!keyring.ok()) return fail(name, keyring.status(), kExitUsage);
    data_key = ledger::unwrap_data_key(*sealed, o.org, *keyring);
  }
  if (!data_key.ok()) return fail(name, data_key.status(), kExitInvalid);
  std::optional<ledger::SecureBytes> share;
  if (sealed->version == ledger::kErasableSealedVersion) {
    if (o.key_service.url.empty()) {
      return fail(name, ledger::Status::error("share_needed", "these fields are erasable: give --key-service, --genesis, "
                                                              "--key and --as to ask for the patient's share"),
                  kExitUsage);
    }
    auto asked = ask_share(o.key_service, o.genesis, sealed->subject, sealed->nonce, ledger::ShareUse::kOpen);
    if (!asked.ok()) return fail(name, asked.status(), kExitInvalid);
    share = std::move(*asked);
  }
  auto opened = ledger::open_sealed(*sealed, data_key->view(), {fields.kind, fields.actor}, share ? &*share : nullptr);
  if (!opened.ok()) return fail(name, opened.status(), kExitInvalid);
  json restored = json::parse(*opened, nullptr, /*allow_exceptions=*/false);
  body.erase(std::string(ledger::kSealedField));
  ledger::Status merged = restored.is_object() ? ledger::restore_confidential(fields.kind, body, restored)
                                               : ledger::Status::error("bad_sealed", "the opened fields are not an object");
  if (!merged.ok()) return fail(name, merged, kExitInvalid);
  std::cout << body.dump(2) << "\n";
  return 0;
}

}  // namespace

void add_seal(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "seal", "Seal a payload's confidential fields for the author's organisation, the regulators and named readers; "
              "prints the payload to sign");
  auto o = std::make_shared<SealOptions>();
  cmd->add_option("--payload", o->payload, "Payload JSON file ('-' for stdin)")->capture_default_str();
  cmd->add_option("--node", o->node, "A node whose /v1/encryption-keys lists the members' current keys");
  cmd->add_option("--genesis", o->genesis, "Without --node: the keys genesis names (no rotation seen)");
  cmd->add_option("--reader", o->readers, "Another organisation that may read (repeatable)");
  cmd->add_option("--slip-key-out", o->slip_key_out,
                  "Write the data key for the patient's slip to this new file (whoever holds it can read)");
  cmd->add_option("--patient", o->patient, "With --key-service: the record's patient_ref when its body names none");
  add_key_service_options(cmd, o->key_service);
  cmd->callback([&exit_code, o] { exit_code = run_seal(*o); });
}

void add_open(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "open", "Open a record's sealed fields with your organisation's keyring or a slip key; prints the whole body");
  auto o = std::make_shared<OpenOptions>();
  cmd->add_option("--record", o->record, "The record (as `medtrail get` prints it) or its envelope ('-' for stdin)")
      ->capture_default_str();
  cmd->add_option("--org", o->org, "Your organisation (with --keyring)");
  cmd->add_option("--keyring", o->keyring, "Your organisation's encryption keyring");
  cmd->add_option("--slip-key", o->slip_key,
                  "A file holding the key from the patient's slip: the key, or the slip's URL (its #k= part)");
  cmd->add_option("--genesis", o->genesis, "With --key-service: your genesis file (the share query names its chain)");
  add_key_service_options(cmd, o->key_service);
  cmd->callback([&exit_code, o] { exit_code = run_open(*o); });
}

}  // namespace medtrail::cli
