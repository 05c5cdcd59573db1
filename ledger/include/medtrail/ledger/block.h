#pragma once
// Leaves, block headers and blocks, and their canonical encodings (cereal portable binary).
//
// A leaf is one envelope as executed: the envelope, the public key the applying nodes
// verified it with, the contract's result, and the block's height and timestamp.
// leaf hash = H(0x00 || encode_leaf(leaf)); block hash = H(encode_header(header)).
// Every decoder is bounded and returns `corruption` for bytes it cannot read.

#include <cstdint>
#include <string>
#include <vector>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/checkpoint.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/envelope.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

struct ExecutionResult {
  bool accepted = true;
  std::string reason_code;  // stable snake_case; empty when accepted
  std::string reason;       // human-readable; empty when accepted
  bool operator==(const ExecutionResult&) const = default;

  static ExecutionResult accept() { return {}; }
  static ExecutionResult reject(std::string code, std::string message) {
    return {false, std::move(code), std::move(message)};
  }
};

struct LeafRecord {
  Envelope envelope;
  // The signer's key as resolved by the applying nodes: it makes every stored signature
  // checkable offline, as Fabric carries the creator's certificate in each transaction.
  Bytes signer_public_key;
  ExecutionResult result;
  uint64_t height = 0;
  uint64_t timestamp_ms = 0;  // the block's timestamp, milliseconds since the Unix epoch (UTC)
  bool operator==(const LeafRecord&) const = default;
};

struct BlockHeader {
  Hash chain_id{};         // hash of the genesis document
  uint64_t height = 0;     // the first block is height 1
  Hash prev_block_hash{};  // for height 1: the chain id
  uint64_t timestamp_ms = 0;
  uint64_t first_leaf = 0;  // index of this block's first leaf in the log
  uint64_t leaf_count = 0;
  uint64_t tree_size = 0;  // first_leaf + leaf_count
  Hash tree_root{};        // Merkle root of the log at tree_size
  Hash state_root{};       // the state map's root after this block (state_map.h)
  // H(encode_checkpoints(block.checkpoints)): commits the header to the checkpoint
  // signatures this block carries, so none can be removed or swapped unseen.
  Hash checkpoints_digest{};
  uint64_t raft_term = 0;
  uint64_t raft_index = 0;
  bool operator==(const BlockHeader&) const = default;
};

struct Block {
  BlockHeader header;
  // Signatures gathered for earlier blocks' checkpoints.
  std::vector<SignedCheckpoint> checkpoints;
  bool operator==(const Block&) const = default;
};

Bytes encode_leaf(const LeafRecord& leaf);
Result<LeafRecord> decode_leaf(ByteView data);
Hash leaf_hash(const CryptoSuite& suite, const LeafRecord& leaf);

Bytes encode_header(const BlockHeader& header);
Result<BlockHeader> decode_header(ByteView data);
Hash block_hash(const CryptoSuite& suite, const BlockHeader& header);

Bytes encode_block(const Block& block);
Result<Block> decode_block(ByteView data);

Bytes encode_checkpoints(const std::vector<SignedCheckpoint>& checkpoints);
Hash checkpoints_digest(const CryptoSuite& suite, const std::vector<SignedCheckpoint>& checkpoints);

}  // namespace medtrail::ledger
