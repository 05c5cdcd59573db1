#include "medtrail/ledger/block.h"

#include "medtrail/ledger/merkle.h"
#include "serialization.h"

namespace medtrail::ledger {

Bytes encode_leaf(const LeafRecord& leaf) { return encode_value(leaf); }
Result<LeafRecord> decode_leaf(ByteView data) { return decode_value<LeafRecord>(data, "leaf"); }

Hash leaf_hash(const CryptoSuite& suite, const LeafRecord& leaf) {
  return merkle_leaf_hash(suite, encode_leaf(leaf));
}

Bytes encode_header(const BlockHeader& header) { return encode_value(header); }
Result<BlockHeader> decode_header(ByteView data) {
  return decode_value<BlockHeader>(data, "block header");
}

Hash block_hash(const CryptoSuite& suite, const BlockHeader& header) {
  return suite.hash(encode_header(header));
}

Bytes encode_block(const Block& block) { return encode_value(block); }
Result<Block> decode_block(ByteView data) { return decode_value<Block>(data, "block"); }

Bytes encode_checkpoints(const std::vector<SignedCheckpoint>& checkpoints) {
  return encode_value(CheckpointList{const_cast<std::vector<SignedCheckpoint>&>(checkpoints)});
}

Hash checkpoints_digest(const CryptoSuite& suite,
                        const std::vector<SignedCheckpoint>& checkpoints) {
  return suite.hash(encode_checkpoints(checkpoints));
}

}  // namespace medtrail::ledger
