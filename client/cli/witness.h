#pragma once
// A witness of one medtrail chain (c2sp.org/tlog-witness, `medtrail witness`): an organisation
// outside the consortium — a court, an auditor, another province's health authority — that
// cosigns the chain's checkpoints (ledger/cosignature.h) only if each is signed by a quorum of
// the genesis' organisations and extends, by an RFC 6962 consistency proof, the last one it
// cosigned. It never cosigns two checkpoints of one history that disagree, nor a smaller tree
// after a larger one, across restarts: the state it checks against is replaced on disk (fsync,
// rename, fsync of the directory) before any cosignature leaves, under one lock with the check.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/status.h"

namespace medtrail::cli {

// An answer to POST /add-checkpoint, as the protocol gives it: 200 and the cosignature line; 400
// a request that does not read; 403 no quorum of valid signatures; 404 another chain's origin;
// 409 an old size that is not the witness's (the body says its size, "text/x.tlog.size"); 422
// a checkpoint that does not extend the one cosigned before; 500 the state could not be kept.
struct WitnessReply {
  int status = 500;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// The largest request: the checkpoint note, 63 proof lines and the old size line.
inline constexpr size_t kMaxAddCheckpointBytes = 72 * 1024;

class Witness {
 public:
  // The witness `name` (a signed-note key name, e.g. "court.example.cn/medtrail-witness") with
  // its Ed25519 `key`, of the chain `genesis` names, its state kept at `state_path`, which it
  // holds locked (flock of "<state_path>.lock") while it lives. `create`: a new witness, whose
  // state file must not exist yet (it is written, at size 0); else the file must exist — a
  // witness whose state is lost must not start afresh silently, for it would then cosign a
  // history it refused before. Errors: `bad_key`, `bad_name`, `no_state`, `state_exists`,
  // `state_in_use` (another process holds it), `bad_state` (a state file that is not this
  // chain's, does not read, or whose checkpoint is not a quorum's of the tree it names),
  // `io_error`.
  static ledger::Result<std::unique_ptr<Witness>> open(ledger::LoadedGenesis genesis,
                                                       std::string name, ledger::KeyPair key,
                                                       std::string state_path, bool create);

  // One add-checkpoint request body, judged at `now_s` (the cosignature's time).
  WitnessReply add_checkpoint(std::string_view request, uint64_t now_s);

  // The tree size of the last checkpoint cosigned (0 before the first).
  uint64_t tree_size() const;
  const std::string& name() const { return name_; }
  const ledger::Hash& chain_id() const { return genesis_.chain_id; }
  ~Witness();
  Witness(const Witness&) = delete;
  Witness& operator=(const Witness&) = delete;
  const ledger::KeyPair& key() const { return key_; }

 private:
  Witness(ledger::LoadedGenesis genesis, std::string name, ledger::KeyPair key,
          std::string state_path)
      : genesis_(std::move(genesis)),
        name_(std::move(name)),
        key_(std::move(key)),
        state_path_(std::move(state_path)) {}
  ledger::Status load_state();
  std::string state_text(uint64_t size, const ledger::Hash& root, std::string_view note,
                         uint64_t time) const;
  WitnessReply judge(std::string_view request, uint64_t now_s);

  ledger::LoadedGenesis genesis_;
  std::string name_;
  ledger::KeyPair key_;
  std::string state_path_;
  mutable std::mutex mu_;  // the check and the state's replacement are one step
  uint64_t size_ = 0;
  ledger::Hash root_{};
  uint64_t last_time_ = 0;  // of the last cosignature: the next is never earlier
  int lock_fd_ = -1;
};

}  // namespace medtrail::cli
