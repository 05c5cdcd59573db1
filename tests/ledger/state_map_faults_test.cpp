// The state map against what it must refuse or catch: nodes forged or unreadable, audits of
// stores that do not hash as their parents name, tampered proofs, updates that cannot be made.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ledger/state_map_testing.h"
#include "medtrail/ledger/state_map.h"
#include "medtrail/ledger/state_proof.h"

namespace medtrail::ledger {
namespace {

using namespace state_map_testing;

// Serves `base`'s nodes but for the ones replaced.
class OverlayNodes : public StateMapNodeSource {
 public:
  explicit OverlayNodes(const StateMapNodeSource& base) : base_(base) {}
  Result<std::optional<Bytes>> read_node(ByteView key) const override {
    auto it = replaced.find(Bytes(key.begin(), key.end()));
    if (it != replaced.end()) return std::optional<Bytes>(it->second);
    return base_.read_node(key);
  }
  std::map<Bytes, Bytes> replaced;

 private:
  const StateMapNodeSource& base_;
};

TEST_F(StateMapTest, AnAuditFindsAChildThatDoesNotHashAsItsParentNamesIt) {
  std::mt19937_64 rng(13);
  std::vector<StateMapChange> changes;
  for (int i = 0; i < 300; ++i) changes.push_back({random_hash(rng), random_hash(rng)});
  commit(std::nullopt, 1, changes);
  const Bytes root_key = state_map_root_key(1);
  const Bytes root = *must(nodes_.read_node(root_key));
  ASSERT_EQ(root[0], 0xff);      // all sixteen slots present
  ASSERT_EQ(root[2] & 0x80, 0);  // slot 0 a subtree: be64 version, then its hash
  ASSERT_EQ(root[3] & 0x01, 0);  // and slot 15, the last bytes
  // The first slot's child hash and the last's.
  for (const size_t byte : {size_t{4 + 8}, root.size() - 1}) {
    OverlayNodes forged(nodes_);
    forged.replaced[root_key] = root;
    forged.replaced[root_key][byte] ^= 0x01;
    const auto audit = StateMap(suite(), forged).audit(1);
    EXPECT_EQ(audit.status().code(), "corruption");
    EXPECT_NE(audit.status().message().find("names a child by another hash"), std::string::npos)
        << audit.status().message();
  }
}

TEST_F(StateMapTest, AnAuditFindsAnEntryOffItsKeysPath) {
  // Two keys in slots 1 and 2 of the root; the forged root holds the second in slot 3, where
  // the shape (and so the encoding's length) is the same but no proof of it would verify.
  Hash a{}, b{};
  a[0] = 0x10;
  b[0] = 0x20;
  commit(std::nullopt, 1, {{a, Hash{1}}, {b, Hash{2}}});
  Bytes root = *must(nodes_.read_node(state_map_root_key(1)));
  ASSERT_EQ(root[0], 0x60);
  ASSERT_EQ(root[2], 0x60);
  root[0] = root[2] = 0x50;
  OverlayNodes forged(nodes_);
  forged.replaced[state_map_root_key(1)] = root;
  const auto audit = StateMap(suite(), forged).audit(1);
  EXPECT_EQ(audit.status().code(), "corruption");
  EXPECT_NE(audit.status().message().find("off its key's path"), std::string::npos)
      << audit.status().message();
}

class TamperedProofTest : public StateMapTest {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(6);
    std::vector<StateMapChange> changes;
    for (int i = 0; i < 300; ++i) {
      changes.push_back({random_hash(rng), random_hash(rng)});
      entries_[changes.back().key_hash] = *changes.back().value_hash;
    }
    commit(std::nullopt, 1, changes);
    root_ = must(map_.root(1));
    present_ = changes[0].key_hash;
    absent_ = random_hash(rng);
  }
  Entries entries_;
  Hash root_{}, present_{}, absent_{};
};

TEST_F(TamperedProofTest, AChangedSiblingOrADroppedOneDoesNotLeadToTheRoot) {
  StateProof proof = must(map_.prove(1, present_));
  ASSERT_GE(proof.siblings.size(), 2u);
  const Hash value = entries_.at(present_);
  StateProof flipped = proof;
  flipped.siblings[1][0] ^= 1;
  EXPECT_EQ(verify_state_proof_hashed(suite(), root_, present_, value, flipped).code(),
            "proof_invalid");
  StateProof shorter = proof;
  shorter.siblings.pop_back();
  EXPECT_EQ(verify_state_proof_hashed(suite(), root_, present_, value, shorter).code(),
            "proof_invalid");
  StateProof longer = proof;
  longer.siblings.push_back(state_map_empty_root());
  EXPECT_EQ(verify_state_proof_hashed(suite(), root_, present_, value, longer).code(),
            "proof_invalid");
}

TEST_F(TamperedProofTest, APresentKeyCannotBeShownAbsent) {
  StateProof proof = must(map_.prove(1, present_));
  ASSERT_TRUE(proof.leaf.has_value());
  // Hiding the entry: an empty subtree where it stands leads elsewhere.
  StateProof hidden = proof;
  hidden.leaf.reset();
  EXPECT_EQ(verify_state_proof_hashed(suite(), root_, present_, std::nullopt, hidden).code(),
            "proof_invalid");
  // Another key's proof of presence does not show this key absent.
  auto it = std::next(entries_.begin(), 17);
  const StateProof others = must(map_.prove(1, it->first));
  const auto status = verify_state_proof_hashed(suite(), root_, present_, std::nullopt, others);
  EXPECT_FALSE(status.ok());
}

TEST_F(TamperedProofTest, AnAbsenceShownByAnEntryOffThePathIsMalformed) {
  StateProof proof = must(map_.prove(1, absent_));
  EXPECT_TRUE(verify_state_proof_hashed(suite(), root_, absent_, std::nullopt, proof).ok());
  StateProof off = proof;
  Hash elsewhere = absent_;
  elsewhere[0] ^= 0x80;
  off.leaf = StateMapLeaf{elsewhere, Hash{}};
  EXPECT_EQ(verify_state_proof_hashed(suite(), root_, absent_, std::nullopt, off).code(),
            "proof_malformed");
  StateProof deep = proof;
  deep.siblings.assign(kStateMapDepth + 1, Hash{});
  EXPECT_EQ(verify_state_proof_hashed(suite(), root_, absent_, std::nullopt, deep).code(),
            "proof_malformed");
}

TEST_F(StateMapTest, UpdatesThatCannotBeMadeAreRefused) {
  commit(std::nullopt, 5, {});
  EXPECT_EQ(map_.update(5, 5, {}).status().code(), "invalid_argument");
  EXPECT_EQ(map_.update(5, 4, {}).status().code(), "invalid_argument");
  // Versions form one line: no skipping ahead, no second write of a version, whatever its base.
  EXPECT_EQ(map_.update(5, 7, {}).status().code(), "invalid_argument");
  EXPECT_EQ(map_.update(std::nullopt, 5, {}).status().code(), "invalid_argument");
  commit(5, 6, {});
  EXPECT_EQ(map_.update(5, 6, {}).status().code(), "invalid_argument");
  EXPECT_EQ(map_.update(7, 8, {}).status().code(), "not_found");
  const Hash k{};
  EXPECT_EQ(map_.update(6, 7, {{k, Hash{}}, {k, std::nullopt}}).status().code(),
            "invalid_argument");
}

// A node source that answers every key with bytes of its own (but for version 2's root, so
// that an update to it is tried): reads fail with `corruption`, never crash.
class ForgedNodes : public StateMapNodeSource {
 public:
  explicit ForgedNodes(Bytes bytes) : bytes_(std::move(bytes)) {}
  Result<std::optional<Bytes>> read_node(ByteView key) const override {
    if (Bytes(key.begin(), key.end()) == state_map_root_key(2)) return std::optional<Bytes>();
    return std::optional<Bytes>(bytes_);
  }

 private:
  Bytes bytes_;
};

TEST(StateMapCorruption, NodesThatCannotBeReadAreCorruption) {
  const Hash key{};
  // Slot 0 a subtree (be64 version and hash), then the byte too many that a node of chain
  // format 10 would have read as the first of its inner hashes.
  Bytes extra{0x80, 0x00, 0x00, 0x00};
  extra.resize(4 + 40 + 1, 0);
  for (const Bytes& bytes : {Bytes{}, Bytes{0x80, 0x00}, Bytes{0x00, 0x01, 0x00, 0x00},
                             Bytes{0x00, 0x00, 0x80, 0x00},  // an entry in an absent slot
                             Bytes{0x80, 0x00, 0x00, 0x00}, Bytes(4 + 40 + 1, 0), extra}) {
    ForgedNodes forged(bytes);
    StateMap map(suite(), forged);
    EXPECT_EQ(map.root(1).status().code(), "corruption");
    EXPECT_EQ(map.get(1, key).status().code(), "corruption");
    EXPECT_EQ(map.prove(1, key).status().code(), "corruption");
  }
}

TEST(StateMapCorruption, ANodeThatNamesItselfBelowItselfEndsAtTheDepthLimit) {
  // Slot 0 is a subtree in every node read, so a walk along a zero path never meets an entry:
  // it must stop at 64 nibbles instead of looping.
  Bytes node{0x80, 0x00, 0x00, 0x00};
  node.resize(4 + 8 + kHashSize, 0);
  node[4 + 7] = 1;
  ForgedNodes forged(node);
  StateMap map(suite(), forged);
  EXPECT_EQ(map.get(1, Hash{}).status().code(), "corruption");
  EXPECT_EQ(map.prove(1, Hash{}).status().code(), "corruption");
  EXPECT_EQ(map.update(1, 2, {{Hash{}, Hash{}}, {Hash{1}, Hash{}}}).status().code(), "corruption");
}
}  // namespace
}  // namespace medtrail::ledger
