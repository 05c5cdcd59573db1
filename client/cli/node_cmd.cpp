// `medtrail node init`: the identity and configuration of a node added after genesis (its
// signing key, TLS identity, node.toml with [cluster] join, and the member record a regulator
// submits). `medtrail node membership`: a regulator's signed membership request for
// POST /v1/admin/membership.
#include <filesystem>
#include <iostream>
#include <random>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "io.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/key_file.h"
#include "medtrail/ledger/tls_identity.h"
#include "node_toml.h"

namespace medtrail::cli {
namespace {

namespace fs = std::filesystem;
using ledger::Status;

struct NodeInitOptions {
  std::string genesis;
  std::string id;
  std::string org;
  std::string out;
  std::string peer;
  std::string api;
};

int run_node_init(const NodeInitOptions& opt) {
  const std::string what = "node init";
  auto loaded = ledger::load_genesis_file(opt.genesis);
  if (!loaded.ok()) return fail(what, loaded.status(), kExitUsage);
  if (loaded->genesis.find_node(opt.id) != nullptr) {
    return fail(what, Status::error("already_member", "genesis already names node " + opt.id),
                kExitInvalid);
  }
  auto key = loaded->suite->generate_keypair();
  if (!key.ok()) return fail(what, key.status(), kExitUsage);
  auto tls = ledger::generate_tls_identity(opt.id);
  if (!tls.ok()) return fail(what, tls.status(), kExitUsage);
  ledger::GenesisNode node{opt.id, opt.org, key->public_key, tls->spki_sha256, opt.peer, opt.api};
  // The same rules a founding node's entry meets (id, org of the consortium, addresses).
  std::string record = ledger::genesis_node_to_json(node);
  auto checked = ledger::parse_genesis_node(record, loaded->genesis, *loaded->suite);
  if (!checked.ok()) return fail(what, checked.status(), kExitInvalid);

  const fs::path dir(opt.out);
  for (const char* name : {"node.key", "tls.crt", "tls.key", "node.toml", "member.json"}) {
    if (fs::exists(dir / name)) {
      return fail(what, Status::error("file_exists", (dir / name).string() + " already exists"),
                  kExitInvalid);
    }
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(what, Status::error("io_error", dir.string() + ": " + ec.message()), kExitUsage);
  const std::string genesis_path = fs::absolute(opt.genesis).lexically_normal().string();
  Status s = ledger::save_key_file((dir / "node.key").string(), *key);
  if (s.ok()) s = ledger::save_tls_identity(dir.string(), "tls", *tls);
  if (s.ok()) s = write_new_text_file((dir / "node.toml").string(), node_toml(node, genesis_path, true));
  if (s.ok()) s = write_new_text_file((dir / "member.json").string(), record + "\n");
  if (!s.ok()) return fail(what, s, kExitUsage);
  std::cout << "node " << opt.id << " (" << opt.org << "): " << (dir / "node.toml").string() << "\n"
            << "member record: " << (dir / "member.json").string() << "\n"
            << "next: a regulator signs `medtrail node membership --action add_learner --member "
            << (dir / "member.json").string()
            << "` and POSTs it to the leader's /v1/admin/membership; then start the node.\n";
  return 0;
}

struct MembershipOptions {
  std::string key;
  std::string org;
  std::string action;
  std::string member;
  std::string node_id;
};

int run_membership(const MembershipOptions& opt) {
  const std::string what = "node membership";
  nlohmann::json body = {{"action", opt.action}};
  if (opt.action == "add_learner") {
    if (opt.member.empty()) {
      return fail(what, Status::error("usage", "add_learner needs --member FILE"), kExitUsage);
    }
    auto text = read_input(opt.member, ledger::kMaxGenesisNodeBytes);
    if (!text.ok()) return fail(what, text.status(), kExitUsage);
    nlohmann::json record = nlohmann::json::parse(*text, nullptr, false);
    if (!record.is_object()) {
      return fail(what, Status::error("bad_member", opt.member + " is not a JSON object"), kExitInvalid);
    }
    body["node"] = std::move(record);
  } else {
    if (opt.node_id.empty()) {
      return fail(what, Status::error("usage", opt.action + " needs --node-id"), kExitUsage);
    }
    body["node_id"] = opt.node_id;
  }
  auto key = ledger::load_key_file(opt.key);
  if (!key.ok()) return fail(what, key.status(), kExitUsage);
  std::random_device random;
  const std::string nonce = utc_now_rfc3339() + "-" + std::to_string(random()) + std::to_string(random());
  nlohmann::json payload = {{"v", 1},
                            {"kind", "node.membership"},
                            {"org", opt.org},
                            {"actor", opt.org + "/admin"},
                            {"ts", utc_now_rfc3339()},
                            {"nonce", nonce},
                            {"body", std::move(body)}};
  auto envelope = ledger::sign_envelope(ledger::to_bytes(payload.dump()), *key);
  if (!envelope.ok()) return fail(what, envelope.status(), kExitInvalid);
  std::cout << ledger::envelope_to_wire(*envelope) << "\n";
  return 0;
}

}  // namespace

void add_node(CLI::App& app, int& exit_code) {
  auto* node = app.add_subcommand("node", "Nodes added after genesis");
  node->require_subcommand(1);

  auto* init = node->add_subcommand("init", "Create a new node's keys, TLS identity, node.toml "
                                            "([cluster] join) and member record");
  auto io = std::make_shared<NodeInitOptions>();
  init->add_option("--genesis", io->genesis, "The consortium's genesis.json")->required();
  init->add_option("--id", io->id, "Node id ([a-z0-9-], unique in the consortium)")->required();
  init->add_option("--org", io->org, "Organisation running the node (in genesis)")->required();
  init->add_option("--out", io->out, "Directory for the node's files")->required();
  init->add_option("--peer", io->peer, "Peer address host:port")->required();
  init->add_option("--api", io->api, "API address host:port")->required();
  init->callback([&exit_code, io] { exit_code = run_node_init(*io); });

  auto* membership = node->add_subcommand(
      "membership", "Sign a membership change with a regulator's admin key; prints the envelope");
  auto mo = std::make_shared<MembershipOptions>();
  membership->add_option("--key", mo->key, "The regulator organisation's admin key file")->required();
  membership->add_option("--org", mo->org, "The regulator organisation's id")->required();
  membership->add_option("--action", mo->action, "add_learner | promote | remove")
      ->required()
      ->check(CLI::IsMember({"add_learner", "promote", "remove"}));
  membership->add_option("--member", mo->member, "add_learner: the member.json of `node init`");
  membership->add_option("--node-id", mo->node_id, "promote / remove: the node's id");
  membership->callback([&exit_code, mo] { exit_code = run_membership(*mo); });
}

}  // namespace medtrail::cli
