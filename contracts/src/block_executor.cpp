#include "medtrail/contracts/block_executor.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <variant>

#include "medtrail/contracts/body_reader.h"
#include "medtrail/ledger/trail_head.h"

namespace medtrail::contracts {
namespace {

using ledger::ExecutionResult;

bool allowed(const std::vector<std::string_view>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool within_bounds(const ledger::StateWrites& writes) {
  return std::all_of(writes.begin(), writes.end(), [](const auto& w) {
    return w.first.size() <= ledger::kMaxStateKeyBytes &&
           (!w.second || w.second->size() <= ledger::kMaxStateValueBytes);
  });
}

std::string join(const std::vector<std::string_view>& list) {
  std::string out;
  for (std::string_view s : list) out += (out.empty() ? "" : ", ") + std::string(s);
  return out;
}

}  // namespace

BlockExecutor::BlockExecutor(const Registry& registry, const StateView& committed,
                             const ChainParams& chain, BlockContext block)
    : registry_(&registry),
      chain_(&chain),
      block_(block),
      committed_(&committed),
      state_(committed) {}

std::optional<ledger::Bytes> BlockExecutor::signer_key(std::string_view signer_id) const {
  std::optional<Signer> s = find_signer(state_, *chain_, signer_id);
  if (!s || s->public_key.empty()) return std::nullopt;
  return s->public_key;
}

std::optional<BlockExecutor::KnownSigner> BlockExecutor::look_up_signer(
    const StateView& state, std::string_view signer_id) const {
  std::optional<Signer> signer = find_signer(state, *chain_, signer_id);
  if (!signer) return std::nullopt;
  std::optional<Organisation> org = find_org(state, *chain_, signer->org);
  return KnownSigner{std::move(*signer), std::move(org)};
}

const BlockExecutor::KnownSigner* BlockExecutor::known_signer(std::string_view signer_id) {
  auto it = signers_.find(signer_id);
  if (it != signers_.end()) return &it->second;
  std::optional<KnownSigner> known = look_up_signer(state_, signer_id);
  if (!known) return nullptr;
  return &signers_.emplace(std::string(signer_id), std::move(*known)).first->second;
}

void BlockExecutor::forget_signers_if_changed(const ledger::StateWrites& writes) {
  for (const auto& [key, unused] : writes) {
    if (key.starts_with("id/")) {
      // That person only (heterogeneous erase is C++23; find is not).
      if (auto it = signers_.find(std::string_view(key).substr(3)); it != signers_.end())
        signers_.erase(it);
    } else if (key.starts_with("org/") || key.starts_with("node/")) {
      signers_.clear();  // governance: rare, and it may touch anyone
      return;
    }
  }
}

BlockExecutor::Outcome BlockExecutor::run(const StateView& state, const KnownSigner* known,
                                          const ledger::Envelope& envelope,
                                          const ledger::PayloadFields& fields,
                                          std::string_view record_id,
                                          const nlohmann::json* body) const {
  Outcome out;
  const KindRule* rule = registry_->find(fields.kind);
  if (rule == nullptr) {
    out.result = ExecutionResult::reject("unknown_kind",
                                         "no contract handles kind " + fields.kind.substr(0, 64));
    return out;
  }
  if (known == nullptr) {
    out.result = ExecutionResult::reject("unknown_signer", "signer is not known to the chain");
    return out;
  }
  const Signer* signer = &known->signer;
  if (ExecutionResult v = signer_validity(known->org, *chain_, *signer, block_.timestamp_ms);
      !v.accepted) {
    out.result = std::move(v);
    return out;
  }
  if (!allowed(rule->roles, signer->role)) {
    out.result = ExecutionResult::reject("role_not_permitted",
                                         fields.kind + " may be signed by: " + join(rule->roles));
    return out;
  }
  const std::optional<Organisation>& org = known->org;
  if (!rule->org_types.empty() &&
      std::none_of(rule->org_types.begin(), rule->org_types.end(),
                   [&](std::string_view t) { return org->has_type(t); })) {
    out.result = ExecutionResult::reject(
        "org_not_permitted",
        fields.kind + " needs an organisation of type: " + join(rule->org_types));
    return out;
  }

  nlohmann::json payload;
  if (body == nullptr) {
    // The payload parsed strictly before (no duplicate keys at any depth), so this parse agrees.
    payload = nlohmann::json::parse(ledger::as_chars(envelope.payload), nullptr,
                                    /*allow_exceptions=*/false);
    auto it = payload.is_object() ? payload.find("body") : payload.end();
    body = it != payload.end() ? &*it : nullptr;
  }
  if (body == nullptr || !body->is_object()) {
    out.result = ExecutionResult::reject("wrong_type", "body must be an object");
    return out;
  }

  RecordTxn txn(state);
  Call call{block_, *chain_, *signer, *org, fields, *body, record_id, txn};
  // A refused record stays on the trails of the subjects it named before it failed.
  auto refuse = [&](const char* code, const char* message) {
    out.result = ExecutionResult::reject(code, message);
    out.subjects = txn.take_subjects();
  };
  try {
    out.result = rule->handler(call);
  } catch (const nlohmann::json::exception&) {
    // Handlers check types before reading values; this is a last line, and deterministic (a
    // JSON type error happens on every node alike). Anything else — out of memory — is not
    // deterministic and must stop the node rather than become a verdict.
    refuse("bad_body", "the body could not be read");
    return out;
  } catch (const CorruptState&) {
    // Bytes the contracts did not write (a damaged store): the same verdict for the same bytes;
    // a node whose store differs then differs in its state root and is found out.
    refuse("corrupt_state", "a stored value the record needs does not decode");
    return out;
  } catch (const std::logic_error&) {
    // A contract's bug (an index or an optional it did not check) reached by this record's
    // bytes. Deterministic like the JSON case: every node refuses the record alike and the
    // chain goes on, where letting it escape would stop every node on the same committed entry.
    refuse("contract_fault", "the contract failed on this record");
    return out;
  } catch (const std::bad_optional_access&) {
    refuse("contract_fault", "the contract failed on this record");
    return out;
  } catch (const std::bad_variant_access&) {
    refuse("contract_fault", "the contract failed on this record");
    return out;
  }
  bool keep_writes = out.result.accepted || txn.keeps_writes_on_reject();
  if (keep_writes && !within_bounds(txn.writes())) {
    // The store refuses a block with an oversized value, and every node would refuse the same
    // block again after a restart: refuse the record instead, which is deterministic.
    out.result = ExecutionResult::reject("state_too_large",
                                         "the record would grow a state value past its bound");
    keep_writes = false;
  }
  if (keep_writes) out.writes = txn.take_writes();
  out.subjects = txn.take_subjects();
  return out;
}

ExecutionResult BlockExecutor::commit(Outcome&& outcome, uint64_t leaf_index) {
  if (!outcome.writes.empty()) {
    forget_signers_if_changed(outcome.writes);
    state_.apply(std::move(outcome.writes));
  }
  // Each subject's trail extended by this leaf (ledger/trail_head.h): its entry holds the new
  // head, as does the subject's head key. A subject named twice by one record is on its trail
  // once; a subject whose entry would not fit a key has neither.
  ledger::StateWrites index;
  for (const std::string& subject : outcome.subjects) {
    std::string key = index_key(subject, leaf_index);
    if (key.size() > ledger::kMaxStateKeyBytes || index.contains(key)) continue;
    std::string head_key = ledger::trail_head_key(subject);
    // A head that does not decode is bytes the contracts did not write (a damaged store): the
    // trail starts again here, alike on every node holding the same bytes, and a node whose
    // bytes differ has another state root and is found out.
    ledger::TrailHead head;
    if (std::optional<std::string> stored = state_.get(head_key)) {
      if (auto decoded = ledger::decode_trail_head(*stored); decoded.ok()) head = *decoded;
    }
    std::string next =
        ledger::encode_trail_head(ledger::next_trail_head(*chain_->suite, head, leaf_index));
    index.emplace(std::move(key), next);
    index.insert_or_assign(std::move(head_key), std::move(next));
  }
  state_.apply(std::move(index));
  return std::move(outcome.result);
}

void BlockExecutor::speculate(std::span<const PendingRecord> records,
                              ledger::ParallelRunner& runner) {
  if (!state_.writes().empty() || records.empty()) return;  // only from the block's starting state
  std::vector<std::optional<Speculation>> done(records.size());
  runner.parallel_for(records.size(), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const PendingRecord& r = records[i];
      ReadRecorder view(*committed_);
      try {
        std::optional<KnownSigner> known = look_up_signer(view, r.envelope->signer);
        Outcome outcome =
            run(view, known ? &*known : nullptr, *r.envelope, *r.fields, r.record_id, r.body);
        done[i] = Speculation{std::move(outcome), view.take_reads()};
      } catch (...) {
        // Left to execute(), which meets the same failure on the thread that must handle it.
      }
    }
  });
  for (size_t i = 0; i < records.size(); ++i) {
    if (done[i]) speculations_.emplace(std::string(records[i].record_id), std::move(*done[i]));
  }
}

ExecutionResult BlockExecutor::execute(const ledger::Envelope& envelope,
                                       const ledger::PayloadFields& fields,
                                       std::string_view record_id, uint64_t leaf_index,
                                       const nlohmann::json* body) {
  if (auto it = speculations_.find(record_id); it != speculations_.end()) {
    Speculation speculation = std::move(it->second);
    speculations_.erase(it);
    // Nothing it read has changed since the block began: running it now would read the same
    // values and so reach the same verdict and writes.
    const bool unchanged =
        std::none_of(speculation.reads.begin(), speculation.reads.end(),
                     [&](const std::string& key) { return state_.writes().contains(key); });
    if (unchanged) {
      ++speculations_kept_;
      return commit(std::move(speculation.outcome), leaf_index);
    }
  }
  return commit(run(state_, known_signer(envelope.signer), envelope, fields, record_id, body),
                leaf_index);
}

}  // namespace medtrail::contracts
