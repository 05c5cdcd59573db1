#include "witness.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "io.h"
#include "medtrail/ledger/checkpoint_note.h"
#include "medtrail/ledger/cosignature.h"
#include "medtrail/ledger/decimal.h"
#include "medtrail/ledger/merkle.h"

namespace medtrail::cli {

namespace {

using ledger::Status;
using nlohmann::json;

// The protocol's bound on consistency proof lines.
constexpr size_t kMaxProofLines = 63;
constexpr size_t kMaxStateBytes = 128 * 1024;

WitnessReply reply(int status, std::string body) {
  WitnessReply r;
  r.status = status;
  r.body = std::move(body);
  if (!r.body.empty() && r.body.back() != '\n') r.body += '\n';
  return r;
}

// The request: "old <size>\n", up to 63 base64 hashes a line, "\n", then the checkpoint note.
struct Request {
  uint64_t old_size = 0;
  std::vector<ledger::Hash> proof;
  std::string_view note;
};

std::optional<Request> parse_request(std::string_view body) {
  Request r;
  size_t end = body.find('\n');
  if (end == std::string_view::npos || !body.starts_with("old ")) return std::nullopt;
  const std::optional<uint64_t> old_size = ledger::parse_decimal(body.substr(4, end - 4));
  if (!old_size) return std::nullopt;
  r.old_size = *old_size;
  size_t at = end + 1;
  while (true) {
    end = body.find('\n', at);
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view line = body.substr(at, end - at);
    at = end + 1;
    if (line.empty()) break;
    auto hash = ledger::from_base64(line);
    if (!hash.ok() || hash->size() != ledger::kHashSize || r.proof.size() == kMaxProofLines) {
      return std::nullopt;
    }
    ledger::Hash h;
    std::copy(hash->begin(), hash->end(), h.begin());
    r.proof.push_back(h);
  }
  r.note = body.substr(at);
  return r;
}

}  // namespace

Witness::~Witness() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

ledger::Result<std::unique_ptr<Witness>> Witness::open(ledger::LoadedGenesis genesis,
                                                       std::string name, ledger::KeyPair key,
                                                       std::string state_path, bool create) {
  // A cosignature of nothing tells whether the key and the name can sign at all.
  if (auto probe = ledger::cosign(name, key, "probe\n", 1); !probe.ok()) return probe.status();
  std::unique_ptr<Witness> w(
      new Witness(std::move(genesis), std::move(name), std::move(key), std::move(state_path)));
  // One process per state, for its whole life: two witnesses judging against one file, each
  // with its own idea of the last tree, could cosign two histories between them.
  const std::string lock_path = w->state_path_ + ".lock";
  w->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (w->lock_fd_ < 0) {
    return Status::error("io_error", lock_path + ": " + std::strerror(errno));
  }
  if (::flock(w->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status::error("state_in_use", w->state_path_ + " is held by another witness process");
  }
  std::error_code ec;
  if (create) {
    // Never over a state that exists, even one that appears meanwhile.
    if (Status s = write_new_file_atomically(w->state_path_, w->state_text(0, {}, "", 0));
        !s.ok()) {
      return s.code() == "file_exists"
                 ? Status::error("state_exists", w->state_path_ + " exists already")
                 : s;
    }
    return w;
  }
  if (!std::filesystem::exists(w->state_path_, ec)) {
    return Status::error("no_state",
                         w->state_path_ +
                             " does not exist: start a new witness with `witness init` (a witness "
                             "whose state is lost must not start afresh: it would cosign what it "
                             "refused before)");
  }
  if (Status s = w->load_state(); !s.ok()) return s;
  return w;
}

std::string Witness::state_text(uint64_t size, const ledger::Hash& root, std::string_view note,
                                uint64_t time) const {
  const json state = {{"origin", ledger::checkpoint_origin(genesis_.chain_id)},
                      {"tree_size", size},
                      {"tree_root", ledger::to_hex(root)},
                      {"checkpoint", note},
                      {"last_cosigned_at", time}};
  return state.dump(2) + "\n";
}

Status Witness::load_state() {
  auto text = read_input(state_path_, kMaxStateBytes);
  if (!text.ok()) return text.status();
  const json state = json::parse(*text, nullptr, false);
  const auto bad = [&](const std::string& why) {
    return Status::error("bad_state", state_path_ + ": " + why);
  };
  const auto has = [&](const char* field, json::value_t type) {
    return state.is_object() && state.contains(field) && state[field].type() == type;
  };
  if (!has("origin", json::value_t::string) || !has("tree_size", json::value_t::number_unsigned) ||
      !has("tree_root", json::value_t::string) || !has("checkpoint", json::value_t::string) ||
      !(has("last_cosigned_at", json::value_t::number_unsigned) ||
        (state.contains("last_cosigned_at") && state["last_cosigned_at"] == 0))) {
    return bad("not a witness state");
  }
  if (state["origin"] != ledger::checkpoint_origin(genesis_.chain_id)) {
    return bad("the state of another chain's witness");
  }
  auto root = ledger::hash_from_hex(state["tree_root"].get<std::string>());
  if (!root.ok()) return bad("the root does not read");
  const uint64_t size = state["tree_size"].get<uint64_t>();
  // The tree it stands on must be one a quorum signed, the one the state names (a state edited by
  // hand, or another file put in its place, is not what this witness cosigned).
  const std::string note = state["checkpoint"].get<std::string>();
  if (size != 0 || !note.empty()) {
    auto cp = ledger::checkpoint_from_note(*genesis_.suite, note, genesis_.chain_id,
                                           ledger::genesis_checkpoint_trust(genesis_.genesis));
    if (!cp.ok() || !ledger::verify_checkpoint_for_genesis(genesis_, *cp).ok() ||
        cp->checkpoint.tree_size != size || cp->checkpoint.tree_root != *root) {
      return bad("its checkpoint is not a quorum's of the tree it names");
    }
  }
  size_ = size;
  root_ = *root;
  last_time_ = state["last_cosigned_at"].get<uint64_t>();
  return Status();
}

uint64_t Witness::tree_size() const {
  std::lock_guard lock(mu_);
  return size_;
}

WitnessReply Witness::add_checkpoint(std::string_view request, uint64_t now_s) {
  std::lock_guard lock(mu_);
  try {
    return judge(request, now_s);
  } catch (const std::exception& e) {
    // Nothing was kept (judge changes its members only after the state is replaced): the next
    // request is judged as this one was.
    return reply(500, std::string("the witness failed: ") + e.what());
  }
}

WitnessReply Witness::judge(std::string_view body, uint64_t now_s) {
  const ledger::CryptoSuite& suite = *genesis_.suite;
  if (body.size() > kMaxAddCheckpointBytes) return reply(400, "the request is too large");
  std::optional<Request> request = parse_request(body);
  if (!request) {
    return reply(400,
                 "not an add-checkpoint request: \"old <size>\", up to 63 base64 hashes, an "
                 "empty line, then the checkpoint");
  }
  auto signed_cp = ledger::checkpoint_from_note(suite, request->note, genesis_.chain_id,
                                                ledger::genesis_checkpoint_trust(genesis_.genesis));
  if (!signed_cp.ok()) {
    // Another log's origin is not ours to judge; a note of ours that does not read is bad.
    if (signed_cp.status().code() == "wrong_chain" ||
        !request->note.starts_with(ledger::checkpoint_origin(genesis_.chain_id) + "\n")) {
      return reply(404, "this witness knows no log of that origin");
    }
    return reply(400, signed_cp.status().message());
  }
  if (Status s = ledger::verify_checkpoint_for_genesis(genesis_, *signed_cp); !s.ok()) {
    return reply(403, s.message());
  }
  const ledger::Checkpoint& cp = signed_cp->checkpoint;
  if (request->old_size > cp.tree_size) {
    return reply(400, "the old size is larger than the checkpoint's");
  }
  if (request->old_size != size_) {
    WitnessReply conflict = reply(409, std::to_string(size_));
    conflict.content_type = "text/x.tlog.size";
    return conflict;
  }
  if (cp.tree_size == 0 && cp.tree_root != ledger::merkle_empty_root(suite)) {
    return reply(422, "a checkpoint of no leaves has the empty tree's root");
  }
  if (size_ == 0 || size_ == cp.tree_size) {
    if (!request->proof.empty()) return reply(422, "no proof is owed from this size");
    if (size_ != 0 && cp.tree_root != root_) {
      return reply(422,
                   "the checkpoint's root is not the root cosigned before at this size: a "
                   "second history");
    }
  } else {
    ledger::ConsistencyProof proof{size_, cp.tree_size, request->proof};
    if (Status s = ledger::verify_consistency(suite, proof, root_, cp.tree_root); !s.ok()) {
      return reply(422, "the checkpoint does not extend the one cosigned before: " + s.message());
    }
  }
  // Never a time before one given already (a clock stepped back), never 0 (the protocol's).
  const uint64_t time = std::max({now_s, last_time_, uint64_t{1}});
  auto line = ledger::cosign(name_, key_, ledger::checkpoint_note_text(cp), time);
  if (!line.ok()) return reply(500, line.status().message());
  // Kept before the cosignature leaves: the next request is judged against this tree. The note
  // kept is the checkpoint with its trusted signatures only, as this witness read it.
  const std::string state =
      state_text(cp.tree_size, cp.tree_root, ledger::checkpoint_note(suite, *signed_cp), time);
  if (Status s = replace_file_durably(state_path_, state); !s.ok()) {
    return reply(500, "the witness could not keep its state: " + s.message());
  }
  size_ = cp.tree_size;
  root_ = cp.tree_root;
  last_time_ = time;
  return reply(200, *line);
}

}  // namespace medtrail::cli
