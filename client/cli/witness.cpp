#include "witness.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "io.h"
#include "medtrail/ledger/checkpoint_note.h"
#include "medtrail/ledger/cosignature.h"
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

// A decimal without leading zeros ("0" alone is zero), as the protocol writes sizes.
bool parse_size(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
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
  if (end == std::string_view::npos || !body.starts_with("old ") ||
      !parse_size(body.substr(4, end - 4), r.old_size)) {
    return std::nullopt;
  }
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

ledger::Result<std::unique_ptr<Witness>> Witness::open(ledger::LoadedGenesis genesis,
                                                       std::string name, ledger::KeyPair key,
                                                       std::string state_path, bool create) {
  // A cosignature of nothing tells whether the key and the name can sign at all.
  if (auto probe = ledger::cosign(name, key, "probe\n", 0); !probe.ok()) return probe.status();
  std::unique_ptr<Witness> w(
      new Witness(std::move(genesis), std::move(name), std::move(key), std::move(state_path)));
  std::error_code ec;
  if (!std::filesystem::exists(w->state_path_, ec)) {
    if (!create) {
      return Status::error("no_state",
                           w->state_path_ +
                               " does not exist: start a new witness with --init (a witness "
                               "whose state is lost must not start afresh: it would cosign "
                               "what it refused before)");
    }
    if (Status s = w->save_state(""); !s.ok()) return s;
    return w;
  }
  if (create) return Status::error("state_exists", w->state_path_ + " exists already");
  if (Status s = w->load_state(); !s.ok()) return s;
  return w;
}

Status Witness::load_state() {
  auto text = read_input(state_path_, kMaxStateBytes);
  if (!text.ok()) return text.status();
  const json state = json::parse(*text, nullptr, false);
  const auto bad = [&](const std::string& why) {
    return Status::error("bad_state", state_path_ + ": " + why);
  };
  if (!state.is_object() || !state.contains("origin") || !state.contains("tree_size") ||
      !state.contains("tree_root") || !state["tree_size"].is_number_unsigned() ||
      !state["origin"].is_string() || !state["tree_root"].is_string()) {
    return bad("not a witness state");
  }
  if (state["origin"] != ledger::checkpoint_origin(genesis_.chain_id)) {
    return bad("the state of another chain's witness");
  }
  auto root = ledger::hash_from_hex(state["tree_root"].get<std::string>());
  if (!root.ok()) return bad("the root does not read");
  size_ = state["tree_size"].get<uint64_t>();
  root_ = *root;
  return Status();
}

Status Witness::save_state(std::string_view note) const {
  const json state = {{"origin", ledger::checkpoint_origin(genesis_.chain_id)},
                      {"tree_size", size_},
                      {"tree_root", ledger::to_hex(root_)},
                      {"checkpoint", note}};
  return replace_file_durably(state_path_, state.dump(2) + "\n");
}

uint64_t Witness::tree_size() const {
  std::lock_guard lock(mu_);
  return size_;
}

WitnessReply Witness::add_checkpoint(std::string_view request, uint64_t now_s) {
  std::lock_guard lock(mu_);
  return judge(request, now_s);
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
  if (size_ == 0) {
    if (!request->proof.empty()) return reply(422, "from size 0 the proof is empty");
  } else if (size_ == cp.tree_size) {
    if (cp.tree_root != root_) {
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
  const std::string text = ledger::checkpoint_note_text(cp);
  auto line = ledger::cosign(name_, key_, text, now_s);
  if (!line.ok()) return reply(500, line.status().message());
  // Kept before the cosignature leaves: the next request is judged against this tree.
  const uint64_t old_size = size_;
  const ledger::Hash old_root = root_;
  size_ = cp.tree_size;
  root_ = cp.tree_root;
  if (Status s = save_state(request->note); !s.ok()) {
    size_ = old_size;
    root_ = old_root;
    return reply(500, "the witness could not keep its state: " + s.message());
  }
  WitnessReply ok = reply(200, *line);
  return ok;
}

}  // namespace medtrail::cli
