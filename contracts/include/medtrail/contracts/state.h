#pragma once
// Contract state as contracts see it: read through layers, written into buffers that the
// caller commits only when the whole record (then the whole block) is accepted.
//
//   committed state (the store, at the previous block)
//     <- BlockState: writes of the block's earlier accepted records
//       <- RecordTxn: this record's own writes, dropped when it is rejected
//
// Keys are "<family>/<id>" (see docs/contracts.md); values are stored structs in the binary
// encoding of state_codec.h (one value, one encoding). Index entries live in the same column
// family, so the state root covers them too, with each subject's trail head
// (ledger/trail_head.h):
//   "ix/<subject>\0<leaf index, 8 bytes big-endian>" -> the subject's head after that record
//   "ixh/<subject>"                                 -> its newest head
// A record's index entries are written even when it is rejected: a refused dispense belongs to
// the prescription's trail.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/contracts/state_codec.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/public_facts.h"

namespace medtrail::contracts {

// A stored struct with public facts (ledger/public_facts.h): `public_view(value)`, declared
// beside the struct, found by argument-dependent lookup.
template <class T>
concept HasPublicView = requires(const T& value) {
  { public_view(value) } -> std::same_as<ledger::PublicFacts>;
};

// The encoding of public facts a contract derived. Throws CorruptState for facts beyond the
// bounds of public_facts.h (a value the contracts let grow past them): the record is refused,
// never written without the facts it must carry.
std::string encode_public(const ledger::PublicFacts& facts);

class StateView {
 public:
  virtual ~StateView() = default;
  virtual std::optional<std::string> get(std::string_view key) const = 0;
};

// The value at `key` decoded as T; nullopt when absent. Throws CorruptState when the bytes are
// not a T: inside a handler that is the verdict `corrupt_state`.
template <StoredStruct T>
std::optional<T> read_value(const StateView& state, std::string_view key) {
  std::optional<std::string> raw = state.get(key);
  if (!raw) return std::nullopt;
  std::optional<T> value = decode_value<T>(*raw);
  if (!value) throw CorruptState("a stored value does not decode");
  return value;
}

// The block so far.
class BlockState final : public StateView {
 public:
  explicit BlockState(const StateView& committed) : committed_(&committed) {}
  std::optional<std::string> get(std::string_view key) const override;
  void apply(ledger::StateWrites&& writes);
  const ledger::StateWrites& writes() const { return writes_; }
  ledger::StateWrites take_writes() { return std::move(writes_); }

 private:
  const StateView* committed_;
  ledger::StateWrites writes_;
};

// One record's reads and writes.
class RecordTxn final : public StateView {
 public:
  explicit RecordTxn(const StateView& below) : below_(&below) {}
  std::optional<std::string> get(std::string_view key) const override;
  void put(std::string key, std::string value) { writes_[std::move(key)] = std::move(value); }
  // Typed values (state_codec.h); read throws CorruptState for bytes that are not a T.
  template <StoredStruct T>
  std::optional<T> read(std::string_view key) const {
    return read_value<T>(*this, key);
  }
  // A value with a public view is written with its public facts at "pub/<key>", in the same
  // record: the facts a node proves are never older or newer than the value they come from.
  template <StoredStruct T>
  void write(std::string key, const T& value) {
    if constexpr (HasPublicView<T>)
      put(ledger::public_facts_key(key), encode_public(public_view(value)));
    put(std::move(key), encode_value(value));
  }
  void erase(std::string key) { writes_[std::move(key)] = std::nullopt; }
  // Lists this record under `subject` ("rx/<id>", "patient/<ref>", ...); kept on rejection.
  void index(std::string subject) { subjects_.push_back(std::move(subject)); }
  // The record is refused but its writes stand: a receiver refusing doses without a compliant
  // cold-chain record puts them in quarantine (the refusal and its consequence are one fact).
  void keep_writes_on_reject() { keep_on_reject_ = true; }
  bool keeps_writes_on_reject() const { return keep_on_reject_; }

  const ledger::StateWrites& writes() const { return writes_; }
  ledger::StateWrites take_writes() { return std::move(writes_); }
  std::vector<std::string> take_subjects() { return std::move(subjects_); }

 private:
  const StateView* below_;
  ledger::StateWrites writes_;
  std::vector<std::string> subjects_;
  bool keep_on_reject_ = false;
};

// A view that notes every key read through it (BlockExecutor::speculate: a speculative result
// stands only if none of these keys changed before it joins the block). One thread only.
class ReadRecorder final : public StateView {
 public:
  explicit ReadRecorder(const StateView& below) : below_(&below) {}
  std::optional<std::string> get(std::string_view key) const override {
    reads_.emplace_back(key);
    return below_->get(key);
  }
  std::vector<std::string> take_reads() { return std::move(reads_); }

 private:
  const StateView* below_;
  mutable std::vector<std::string> reads_;
};

// "ix/<subject>\0<be64 leaf>" and the prefix that lists one subject's records in leaf order.
std::string index_key(std::string_view subject, uint64_t leaf_index);
std::string index_prefix(std::string_view subject);

// An empty view (a fresh chain), for tests and tools.
class EmptyState final : public StateView {
 public:
  std::optional<std::string> get(std::string_view) const override { return std::nullopt; }
};

}  // namespace medtrail::contracts
