#include "signed_reader.h"

#include <random>

#include <nlohmann/json.hpp>

#include "io.h"
#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/key_file.h"
#include "medtrail/ledger/signed_query.h"

namespace medtrail::cli {

namespace {

// 128 random bits in hex: a query is never signed twice alike.
std::string fresh_nonce() {
  std::random_device random;  // the kernel's generator
  ledger::Bytes bytes(16);
  for (auto& b : bytes) b = static_cast<uint8_t>(random());
  return ledger::to_hex(bytes);
}

}  // namespace

std::string refusal_line(const HttpReply& reply) {
  nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, false);
  const nlohmann::json* e = body.is_object() && body.contains("error") ? &body["error"] : nullptr;
  if (e == nullptr || !e->is_object()) return "HTTP " + std::to_string(reply.status);
  auto text = [&](const char* field) {
    auto it = e->find(field);
    return it != e->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  return "HTTP " + std::to_string(reply.status) + " " + text("code") + ": " + text("message");
}

void add_reader_options(CLI::App* cmd, ReaderOptions& o, const std::string& default_purpose) {
  o.purpose = default_purpose;
  cmd->add_option("--node", o.node, "The node's API, https://host:port (or http:// where it is set to plain_http)")->capture_default_str();
  cmd->add_option("--genesis", o.genesis, "The genesis file you trust (names the chain)")->required();
  cmd->add_option("--key", o.key_file, "Your key file")->required();
  cmd->add_option("--as", o.signer, "Your identity id, <org>/<name>")->required();
  cmd->add_option("--purpose", o.purpose,
                  "Why you read: treatment, dispensing, payment, public_health, research, audit, emergency")
      ->capture_default_str();
  o.state_dir = default_state_dir();
  cmd->add_option("--state-dir", o.state_dir, "Where the last checkpoint you verified is kept, per chain")
      ->capture_default_str();
  cmd->add_option("--timeout", o.timeout_s, "Seconds the node has to record the read and answer")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
}

ledger::Result<SignedReader> SignedReader::open(const ReaderOptions& o) {
  SignedReader r;
  auto node = parse_node_url(o.node);
  if (!node.ok()) return node.status();
  r.node_ = std::move(*node);
  auto genesis = ledger::load_genesis_file(o.genesis);
  if (!genesis.ok()) return genesis.status();
  r.genesis_ = std::move(*genesis);
  trust_genesis_pins(r.node_, r.genesis_.genesis);
  auto key = ledger::load_key_file(o.key_file);
  if (!key.ok()) return key.status();
  if (key->suite != r.genesis_.suite->name()) {
    return ledger::Status::error("wrong_suite", "the key is " + key->suite + ", the chain " +
                                                    std::string(r.genesis_.suite->name()));
  }
  r.key_ = std::move(*key);
  if (!ledger::is_access_purpose(o.purpose)) {
    return ledger::Status::error("bad_purpose", "--purpose " + o.purpose + " is not a purpose of use");
  }
  r.signer_ = o.signer;
  r.purpose_ = o.purpose;
  r.timeout_ = std::chrono::seconds(o.timeout_s);
  r.state_dir_ = o.state_dir;
  auto status = http_get(r.node_, "/v1/status", r.timeout_);
  if (!status.ok()) return status.status();
  nlohmann::json body = nlohmann::json::parse(status->body, nullptr, false);
  auto id = body.is_object() ? body.find("node_id") : body.end();
  if (status->status != 200 || id == body.end() || !id->is_string() || !ledger::is_node_id(id->get<std::string>())) {
    return ledger::Status::error("unreachable", o.node + "/v1/status does not name the node");
  }
  r.node_id_ = id->get<std::string>();
  return r;
}

ledger::Result<HttpReply> SignedReader::get(const std::string& target, size_t max_body_bytes) const {
  ledger::QueryToSign query{"GET", target, "", purpose_, node_id_};
  auto authorization = ledger::sign_query(*genesis_.suite, genesis_.chain_id, key_, signer_, query,
                                          unix_now_ms(), fresh_nonce());
  if (!authorization.ok()) return authorization.status();
  return http_get(node_, target, timeout_, max_body_bytes, {{"Authorization", *authorization}});
}

ledger::Result<HttpReply> SignedReader::post(const std::string& target, const std::string& body,
                                             size_t max_body_bytes) const {
  ledger::QueryToSign query{"POST", target, body, purpose_, node_id_};
  auto authorization = ledger::sign_query(*genesis_.suite, genesis_.chain_id, key_, signer_, query,
                                          unix_now_ms(), fresh_nonce());
  if (!authorization.ok()) return authorization.status();
  return http_exchange(node_, "POST", target, body, timeout_, max_body_bytes, {{"Authorization", *authorization}});
}

ledger::Result<CheckpointVerdict> SignedReader::verify_chain() const {
  return verify_newest_checkpoint(node_, timeout_, genesis_, state_dir_);
}

ledger::Result<CheckpointVerdict> SignedReader::judge(
    const ledger::SignedCheckpoint& served) const {
  return judge_checkpoint(node_, timeout_, genesis_, state_dir_, served);
}

}  // namespace medtrail::cli
