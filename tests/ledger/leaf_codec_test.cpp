// Leaves as stored and as carried by ledger images from peers: decode_leaf on damaged bytes.
#include <gtest/gtest.h>

#include "medtrail/ledger/block.h"
#include "support/chain_fixture.h"

namespace medtrail::ledger {
namespace {

// The accepted flag is one byte: anything but 0 or 1 is refused. Before, any byte was copied
// into the bool, which is undefined behaviour to read (found by tests/fuzz/block_fuzz).
TEST(LeafCodecTest, AnAcceptedFlagThatIsNeitherZeroNorOneIsRefused) {
  const CryptoSuite& suite = ed25519_sha256();
  testing::TestConsortium consortium(suite);
  LeafRecord leaf;
  leaf.envelope = testing::make_envelope(consortium.author, "hosp-a", "dr-li", 1);
  leaf.signer_public_key = consortium.author.public_key;
  leaf.result = ExecutionResult::reject("already_dispensed", "no");
  leaf.height = 3;
  leaf.timestamp_ms = 1'790'000'000'123;
  Bytes bytes = encode_leaf(leaf);
  // The flag's byte: where the encodings of the same leaf accepted and refused differ.
  LeafRecord accepted_leaf = leaf;
  accepted_leaf.result = {true, "already_dispensed", "no"};
  const Bytes other = encode_leaf(accepted_leaf);
  ASSERT_EQ(other.size(), bytes.size());
  size_t flag = 0;
  while (flag < bytes.size() && bytes[flag] == other[flag]) ++flag;
  ASSERT_LT(flag, bytes.size());
  ASSERT_EQ(bytes[flag], 0);
  ASSERT_EQ(other[flag], 1);
  ASSERT_TRUE(decode_leaf(bytes).ok());
  bytes[flag] = 1;
  auto accepted = decode_leaf(bytes);
  ASSERT_TRUE(accepted.ok());
  EXPECT_TRUE(accepted->result.accepted);
  for (uint8_t bad : {2, 163, 255}) {
    bytes[flag] = bad;
    EXPECT_FALSE(decode_leaf(bytes).ok()) << int(bad);
  }
}

}  // namespace
}  // namespace medtrail::ledger
