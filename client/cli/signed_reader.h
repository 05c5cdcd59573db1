#pragma once
// A person reading through the API: each request carries a freshly signed access.query
// (docs/api-auth.md) for the chain named by the genesis file the person holds — never by what
// a node says.
#include <chrono>
#include <string>

#include <CLI/CLI.hpp>

#include "checkpoint_keeper.h"
#include "http_get.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/genesis.h"
#include "node_url.h"

namespace medtrail::cli {

struct ReaderOptions {
  std::string node = "https://127.0.0.1:8080";
  std::string genesis;
  std::string key_file;
  std::string signer;  // "<org>/<name>"
  std::string purpose;
  std::string state_dir;  // where the last verified checkpoint is kept (checkpoint_keeper.h)
  int timeout_s = 15;
};

// --node, --genesis, --key, --as, --purpose, --state-dir, --timeout.
void add_reader_options(CLI::App* cmd, ReaderOptions& options, const std::string& default_purpose);

// A refused read in one line, from the node's JSON error: "HTTP 403 query_not_permitted: ...".
std::string refusal_line(const HttpReply& reply);

class SignedReader {
 public:
  // Asks the node its id (queries name the node they are sent to). Errors: a bad URL, an
  // unreadable genesis or key file, a key of another suite, a node that does not answer.
  static ledger::Result<SignedReader> open(const ReaderOptions& options);

  // GET `target` with a new signed query. Errors: `unreachable`, or signing failed.
  ledger::Result<HttpReply> get(const std::string& target, size_t max_body_bytes = 8 << 20) const;
  // POST `body` (JSON) to `target`, the signed query binding the body's hash.
  ledger::Result<HttpReply> post(const std::string& target, const std::string& body,
                                 size_t max_body_bytes = 1 << 20) const;

  const ledger::LoadedGenesis& genesis() const { return genesis_; }
  // The node's newest checkpoint judged by the genesis and against the one this client verified
  // before (verify_newest_checkpoint).
  ledger::Result<CheckpointVerdict> verify_chain() const;
  // The same judgement of a checkpoint an answer's proof is against (judge_checkpoint).
  ledger::Result<CheckpointVerdict> judge(const ledger::SignedCheckpoint& served) const;

 private:
  NodeUrl node_;
  ledger::LoadedGenesis genesis_;
  ledger::KeyPair key_;
  std::string signer_;
  std::string purpose_;
  std::string state_dir_;
  std::string node_id_;  // whom the queries are addressed to (GET /v1/status)
  std::chrono::milliseconds timeout_{0};
};

}  // namespace medtrail::cli
