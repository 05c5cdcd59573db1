#include "medtrail/ledger/state_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "medtrail/ledger/state_map_memory.h"
#include "medtrail/ledger/state_proof.h"
#include "ledger/state_map_testing.h"
#include "support/chain_fixture.h"

namespace medtrail::ledger {
namespace {

using namespace state_map_testing;

TEST_F(StateMapTest, TheEmptyMapHasTheZeroRootAndProvesEveryKeyAbsent) {
  commit(std::nullopt, 1, {});
  EXPECT_EQ(must(map_.root(1)), state_map_empty_root());
  const StateProof proof = must(map_.prove(1, state_key_hash(suite(), as_bytes("any"))));
  EXPECT_FALSE(proof.leaf.has_value());
  EXPECT_TRUE(proof.siblings.empty());
  EXPECT_TRUE(
      verify_state_proof(suite(), state_map_empty_root(), as_bytes("any"), std::nullopt, proof)
          .ok());
}

TEST_F(StateMapTest, KeysAndValuesAreProvenByTheirBytes) {
  const Hash k1 = state_key_hash(suite(), as_bytes("rx/1"));
  const Hash k2 = state_key_hash(suite(), as_bytes("rx/2"));
  commit(std::nullopt, 1,
         {{k1, state_value_hash(suite(), as_bytes("issued"))},
          {k2, state_value_hash(suite(), as_bytes("dispensed"))}});
  const Hash root = must(map_.root(1));
  const StateProof p1 = must(map_.prove(1, k1));
  EXPECT_TRUE(verify_state_proof(suite(), root, as_bytes("rx/1"), as_bytes("issued"), p1).ok());
  const auto wrong = verify_state_proof(suite(), root, as_bytes("rx/1"), as_bytes("dispensed"), p1);
  EXPECT_EQ(wrong.code(), "proof_invalid");
  const auto absent = verify_state_proof(suite(), root, as_bytes("rx/1"), std::nullopt, p1);
  EXPECT_EQ(absent.code(), "proof_invalid");
  // rx/1's entry lies off rx/3's path: it proves nothing about rx/3.
  const auto other = verify_state_proof(suite(), root, as_bytes("rx/3"), as_bytes("issued"), p1);
  EXPECT_EQ(other.code(), "proof_malformed");
}

// The worked example of docs/proofs.md ("State proof"), its hashes computed from the definition
// by an independent script (Python's hashlib), not by this code.
TEST_F(StateMapTest, TheWorkedExampleGivesThePublishedRootAndProofs) {
  std::vector<StateMapChange> changes;
  for (const auto& [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"rx/1", "issued"},
                                                        {"rx/2", "dispensed"},
                                                        {"dose/7", "administered"},
                                                        {"lot/9", "recalled"}}) {
    changes.push_back(
        {state_key_hash(suite(), as_bytes(k)), state_value_hash(suite(), as_bytes(v))});
  }
  commit(std::nullopt, 1, changes);
  const Hash root = must(map_.root(1));
  EXPECT_EQ(to_hex(root), "eab01de3b8f3c9a9c972569bddbe75bbc617fd989d0cd855c0344b3fee145545");
  for (const char* key : {"rx/2", "rx/3"}) {
    const StateProof proof = must(map_.prove(1, state_key_hash(suite(), as_bytes(key))));
    ASSERT_TRUE(proof.leaf.has_value()) << key;
    EXPECT_EQ(to_hex(proof.leaf->key_hash),
              "156b475391ffea338fd47e0aa3404e14238e0a1f8fcc83fa756b98ef29ab5321");
    EXPECT_EQ(to_hex(proof.leaf->value_hash),
              "0ce01d5fd2d3771acb32613589e522f8d74d4cbda18883de5dfbe15c2a7a6f08");
    ASSERT_EQ(proof.siblings.size(), 1u) << key;
    EXPECT_EQ(to_hex(proof.siblings[0]),
              "76b8ec95c28cdf35284495418d33ea5a856b34b6c0dcbbcadd699df06b436b5f");
  }
  const StateProof rx2 = must(map_.prove(1, state_key_hash(suite(), as_bytes("rx/2"))));
  EXPECT_TRUE(verify_state_proof(suite(), root, as_bytes("rx/2"), as_bytes("dispensed"), rx2).ok());
  // rx/3 is absent: rx/2's entry ends its path too (both begin with bit 0).
  EXPECT_TRUE(verify_state_proof(suite(), root, as_bytes("rx/3"), std::nullopt, rx2).ok());
}

// Keys that part only at the last bits: the deepest node (nibble 63) and 256-sibling proofs.
TEST_F(StateMapTest, KeysThatPartAtTheLastBitsAreProvenAtFullDepth) {
  Hash a{};
  a.fill(0xc3);
  Hash b = a, c = a;
  b[31] ^= 0x01;  // bit 255
  c[31] ^= 0x08;  // bit 252: the last nibble's first bit
  Entries entries{{a, state_value_hash(suite(), as_bytes("a"))},
                  {b, state_value_hash(suite(), as_bytes("b"))},
                  {c, state_value_hash(suite(), as_bytes("c"))}};
  std::vector<StateMapChange> changes;
  for (const auto& [k, v] : entries) changes.push_back({k, v});
  commit(std::nullopt, 1, changes);
  EXPECT_EQ(must(map_.root(1)), reference_root(entries));
  EXPECT_EQ(must(map_.prove(1, a)).siblings.size(), kStateMapDepth);
  EXPECT_EQ(must(map_.prove(1, c)).siblings.size(), 253u);
  for (const auto& [k, v] : entries) expect_proves(1, entries, k);
  Hash d = a;
  d[31] ^= 0x02;  // bit 254: absent, inside the deepest node
  expect_proves(1, entries, d);
  // Removing b leaves a alone below bit 252: it rises to share c's node.
  entries.erase(b);
  const StateMapWrite removed = commit(1, 2, {{b, std::nullopt}});
  EXPECT_EQ(removed.root, reference_root(entries));
  for (const auto& [k, v] : entries) expect_proves(2, entries, k);
}

TEST_F(StateMapTest, OneEntryIsTheRootItself) {
  std::mt19937_64 rng(1);
  const Hash k = random_hash(rng);
  const Hash v = state_value_hash(suite(), as_bytes("v"));
  commit(std::nullopt, 1, {{k, v}});
  EXPECT_EQ(must(map_.root(1)), state_leaf_hash(suite(), {k, v}));
  EXPECT_TRUE(must(map_.prove(1, k)).siblings.empty());
}

// Every version's root matches the definition, and every key, present or absent, is proven
// in every version kept, through inserts, overwrites and removals that split and merge nodes.
TEST_F(StateMapTest, RandomChangesMatchTheDefinitionInEveryVersion) {
  std::mt19937_64 rng(0x7374617465);  // fixed: the test is deterministic
  std::vector<Hash> seeds;
  for (int i = 0; i < 4; ++i) seeds.push_back(random_hash(rng));
  std::vector<Entries> versions(1);
  std::vector<Hash> keys;
  for (uint64_t v = 1; v <= 40; ++v) {
    Changes changes;
    const size_t n = rng() % 25;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t pick = rng() % 10;
      const bool fresh = pick < 4 || keys.empty();
      Hash key = fresh ? clustered_key(rng, seeds) : keys[rng() % keys.size()];
      if (fresh) keys.push_back(key);
      const bool removed = pick >= 7 || (pick >= 4 && rng() % 2 == 0);
      changes[key] = removed ? std::nullopt : std::optional<Hash>(random_hash(rng));
    }
    Entries next = versions.back();
    const std::vector<StateMapChange> list = apply_changes(changes, next);
    commit(v == 1 ? std::nullopt : std::optional<uint64_t>(v - 1), v, list);
    versions.push_back(next);
    ASSERT_EQ(must(map_.root(v)), reference_root(next)) << "version " << v;
  }
  for (uint64_t v = 1; v < versions.size(); ++v) {
    for (const Hash& key : keys) expect_proves(v, versions[v], key);
    for (int i = 0; i < 10; ++i) expect_proves(v, versions[v], clustered_key(rng, seeds));
  }
}

TEST_F(StateMapTest, AnUnchangedVersionKeepsTheRootAndWritesOnlyTheRootNode) {
  std::mt19937_64 rng(3);
  std::vector<StateMapChange> changes;
  for (int i = 0; i < 100; ++i) changes.push_back({random_hash(rng), random_hash(rng)});
  commit(std::nullopt, 1, changes);
  const StateMapWrite same = commit(1, 2, {});
  EXPECT_EQ(same.root, must(map_.root(1)));
  EXPECT_EQ(same.nodes.size(), 1u);
  // Writing a value a key already holds changes nothing below the root either.
  const StateMapWrite rewritten = commit(2, 3, {changes[7]});
  EXPECT_EQ(rewritten.root, same.root);
  EXPECT_EQ(rewritten.nodes.size(), 1u);
  // Removing a key that is not there neither.
  EXPECT_EQ(commit(3, 4, {{random_hash(rng), std::nullopt}}).nodes.size(), 1u);
}

// Chain format 11: a node is its two masks and its slots, exactly; the hashes of its inner parts
// are computed by whoever reads it. A map that kept nothing in memory reads every node it
// replaces back from the store, and must still give the definition's root.
TEST_F(StateMapTest, AStoredNodeHoldsItsSlotsAndNoHashesOfItsOwn) {
  std::mt19937_64 rng(29);
  std::vector<StateMapChange> changes;
  for (int i = 0; i < 300; ++i) changes.push_back({random_hash(rng), random_hash(rng)});
  const StateMapWrite first = commit(std::nullopt, 1, changes);
  ASSERT_GT(first.nodes.size(), 16u);
  for (const auto& [key, node] : first.nodes) {
    ASSERT_GE(node.size(), 4u);
    const int present = std::popcount(static_cast<unsigned>((node[0] << 8) | node[1]));
    const int entries = std::popcount(static_cast<unsigned>((node[2] << 8) | node[3]));
    EXPECT_EQ(node.size(), 4u + entries * 2 * kHashSize + (present - entries) * (8 + kHashSize));
  }
  const Bytes root = *must(nodes_.read_node(state_map_root_key(1)));
  EXPECT_EQ(root.size(), 4u + 16 * (8 + kHashSize));  // sixteen subtrees

  std::vector<StateMapChange> next;
  for (int i = 0; i < 40; ++i) next.push_back({changes[i * 7].key_hash, random_hash(rng)});
  Entries entries;
  for (const StateMapChange& c : changes) entries[c.key_hash] = *c.value_hash;
  for (const StateMapChange& c : next) entries[c.key_hash] = *c.value_hash;
  StateMap cold(suite(), nodes_);
  const StateMapWrite second = must(cold.update(1, 2, next));
  nodes_.apply(second);
  EXPECT_EQ(second.root, reference_root(entries));
  EXPECT_EQ(must(cold.root(1)), first.root);
  EXPECT_EQ(must(cold.root(2)), second.root);
  EXPECT_EQ(must(cold.audit(2)).root, second.root);
  for (int i = 0; i < 300; i += 13) expect_proves(2, entries, changes[i].key_hash);
}

TEST_F(StateMapTest, OneChangeWritesAboutLog16Nodes) {
  std::mt19937_64 rng(4);
  std::vector<StateMapChange> changes;
  for (int i = 0; i < 5000; ++i) changes.push_back({random_hash(rng), random_hash(rng)});
  commit(std::nullopt, 1, changes);
  const StateMapWrite one = commit(1, 2, {{changes[42].key_hash, random_hash(rng)}});
  // 5,000 random keys: the root, a full second level, the third at places, a leaf inline.
  EXPECT_GE(one.nodes.size(), 2u);
  EXPECT_LE(one.nodes.size(), 4u);
  EXPECT_EQ(one.stale.size(), one.nodes.size());
}

// Two keys that share 100 bits sit deep below the root; removing one leaves the other alone, and
// its entry moves up into the root node instead of staying at the end of a chain of nodes.
TEST_F(StateMapTest, RemovingAKeyLetsItsNeighbourRiseIntoTheRootNode) {
  Hash a{}, b{};
  a.fill(0x5a);
  b = a;
  b[13] ^= 0x08;  // bit 108 differs
  const Hash va = state_value_hash(suite(), as_bytes("a"));
  const StateMapWrite both = commit(std::nullopt, 1, {{a, va}, {b, va}});
  EXPECT_EQ(both.nodes.size(), 28u);  // the root and a node for each nibble of the shared 108 bits
  const StateMapWrite one = commit(1, 2, {{b, std::nullopt}});
  EXPECT_EQ(one.nodes.size(), 1u);
  EXPECT_EQ(one.stale.size(), 28u);
  EXPECT_EQ(one.root, state_leaf_hash(suite(), {a, va}));
  expect_proves(2, {{a, va}}, a);
  expect_proves(2, {{a, va}}, b);
}

// Through inserts, overwrites and removals (nodes split, merge and stay), pruning keeps exactly
// what the versions kept read: after pruning to the newest, the store holds as many nodes as the
// same entries written afresh (a node stands at a path iff two entries or more lie below it).
TEST_F(StateMapTest, PruningKeepsEveryVersionFromTheGivenOneProvable) {
  std::mt19937_64 rng(5);
  std::vector<Hash> seeds{random_hash(rng), random_hash(rng)};
  std::vector<Entries> versions(1);
  for (uint64_t v = 1; v <= 12; ++v) {
    Entries next = versions.back();
    Changes changes;
    for (int i = 0; i < 40; ++i) {
      if (!next.empty() && rng() % 3 == 0) {
        auto victim = std::next(next.begin(), static_cast<long>(rng() % next.size()));
        changes[victim->first] = rng() % 2 == 0 ? std::nullopt : std::optional(random_hash(rng));
      } else {
        changes[clustered_key(rng, seeds)] = random_hash(rng);
      }
    }
    const std::vector<StateMapChange> list = apply_changes(changes, next);
    commit(v == 1 ? std::nullopt : std::optional<uint64_t>(v - 1), v, list);
    versions.push_back(next);
  }
  const size_t before = nodes_.node_count();
  const size_t pruned = nodes_.prune(8);
  EXPECT_GT(pruned, 0u);
  EXPECT_EQ(nodes_.node_count(), before - pruned);
  for (uint64_t v = 1; v < 8; ++v) EXPECT_EQ(map_.root(v).status().code(), "not_found");
  for (uint64_t v = 8; v <= 12; ++v) {
    EXPECT_EQ(must(map_.root(v)), reference_root(versions[v]));
    for (const auto& [k, val] : versions[v]) expect_proves(v, versions[v], k);
  }
  // Pruning again to the same version finds nothing more.
  EXPECT_EQ(nodes_.prune(8), 0u);
  nodes_.prune(12);
  EXPECT_EQ(must(map_.root(12)), reference_root(versions[12]));
  StateMapMemoryNodes fresh_nodes;
  StateMap fresh(suite(), fresh_nodes);
  std::vector<StateMapChange> all;
  for (const auto& [k, val] : versions[12]) all.push_back({k, val});
  fresh_nodes.apply(must(fresh.update(std::nullopt, 1, all)));
  EXPECT_EQ(nodes_.node_count(), fresh_nodes.node_count());
}

// Entries of clustered random keys, as changes and as the reference's map.
std::pair<std::vector<StateMapChange>, Entries> clustered_entries(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Hash> seeds;
  for (int i = 0; i < 8; ++i) seeds.push_back(random_hash(rng));
  Entries entries;
  while (entries.size() < n) entries[clustered_key(rng, seeds)] = random_hash(rng);
  std::vector<StateMapChange> changes;
  for (const auto& [k, v] : entries) changes.push_back({k, v});
  std::shuffle(changes.begin(), changes.end(), rng);
  return {changes, entries};
}

TEST_F(StateMapTest, AVersionBuiltInPartsEqualsOneBuiltAtOnce) {
  auto [changes, entries] = clustered_entries(600, 11);
  commit(std::nullopt, 7, changes);

  StateMapMemoryNodes parts_nodes;
  StateMap parts_map(suite(), parts_nodes);
  const std::vector<StateMapChange> first(changes.begin(), changes.begin() + 250);
  parts_nodes.apply(must(parts_map.update(std::nullopt, 7, first)));
  for (size_t from : {250, 251, 500}) {
    const size_t to = from == 250 ? 251 : from == 251 ? 500 : changes.size();
    const std::vector<StateMapChange> part(changes.begin() + from, changes.begin() + to);
    const StateMapWrite write = must(parts_map.extend(7, part));
    EXPECT_TRUE(write.stale.empty());
    parts_nodes.apply(write);
  }
  EXPECT_EQ(must(parts_map.root(7)), reference_root(entries));
  // Nodes rewritten in place leave nothing behind: the same nodes as the build at once.
  EXPECT_EQ(parts_nodes.node_count(), nodes_.node_count());
  EXPECT_EQ(parts_nodes.stale_count(), 0u);
  for (const auto& [k, v] : entries) {
    const StateProof proof = must(parts_map.prove(7, k));
    EXPECT_TRUE(verify_state_proof_hashed(suite(), reference_root(entries), k, v, proof).ok());
  }
  // And the next version builds on it as on any other.
  const Hash gone = entries.begin()->first;
  entries.erase(gone);
  parts_nodes.apply(must(parts_map.update(7, 8, {{gone, std::nullopt}})));
  EXPECT_EQ(must(parts_map.root(8)), reference_root(entries));
}

TEST_F(StateMapTest, ExtendingTakesOnlyNewKeysOfAnUnwrittenVersion) {
  const Hash a = state_key_hash(suite(), as_bytes("a"));
  const Hash b = state_key_hash(suite(), as_bytes("b"));
  const Hash v = state_value_hash(suite(), as_bytes("v"));
  commit(std::nullopt, 1, {{a, v}});
  EXPECT_EQ(map_.extend(1, {{a, v}}).status().code(), "invalid_argument");
  EXPECT_EQ(map_.extend(1, {{b, v}, {a, v}}).status().code(), "invalid_argument");
  EXPECT_EQ(map_.extend(1, {{b, std::nullopt}}).status().code(), "invalid_argument");
  EXPECT_EQ(map_.extend(1, {{b, v}, {b, v}}).status().code(), "invalid_argument");
  EXPECT_EQ(map_.extend(2, {{b, v}}).status().code(), "not_found");
  EXPECT_TRUE(map_.extend(1, {{b, v}}).ok());
}

TEST_F(StateMapTest, ExtendingRefusesAVersionThatHoldsAnEarlierOnesNodes) {
  // Version 2 made by an update shares version 1's nodes below its root: rewritten in place,
  // they would change version 1 and never be pruned.
  auto [changes, entries] = clustered_entries(100, 14);
  commit(std::nullopt, 1, changes);
  commit(1, 2, {{changes.front().key_hash, Hash{9}}});
  std::mt19937_64 rng(15);
  std::vector<StateMapChange> more;
  for (int i = 0; i < 50; ++i) more.push_back({random_hash(rng), random_hash(rng)});
  EXPECT_EQ(map_.extend(2, more).status().code(), "invalid_argument");
}

TEST_F(StateMapTest, AnAuditRecomputesEveryVersionsRootAndCountsItsEntries) {
  auto [changes, entries] = clustered_entries(400, 12);
  commit(std::nullopt, 1, changes);
  std::vector<StateMapChange> next;
  size_t i = 0;
  for (auto it = entries.begin(); it != entries.end(); ++i) {
    if (i % 3 == 0) {
      next.push_back({it->first, std::nullopt});
      it = entries.erase(it);
    } else {
      ++it;
    }
  }
  commit(1, 2, next);
  commit(2, 3, {});
  for (uint64_t version : {1, 2, 3}) {
    const StateMap::Audit audit = must(map_.audit(version));
    EXPECT_EQ(audit.root, must(map_.root(version)));
    EXPECT_EQ(audit.entries, version == 1 ? 400u : entries.size());
  }
  EXPECT_EQ(must(map_.audit(2)).root, reference_root(entries));
  EXPECT_EQ(map_.audit(4).status().code(), "not_found");
}

// Serves `base`'s nodes and counts the reads of the top levels' nodes other than roots.
class CountingNodes : public StateMapNodeSource {
 public:
  explicit CountingNodes(const StateMapNodeSource& base) : base_(base) {}
  Result<std::optional<Bytes>> read_node(ByteView key) const override {
    const size_t depth = key.size() > 9 ? key[9] : 0;
    if (depth >= 1 && depth < kStateMapTopLevels) ++below_the_root;
    return base_.read_node(key);
  }
  mutable size_t below_the_root = 0;

 private:
  const StateMapNodeSource& base_;
};

TEST_F(StateMapTest, UpdatesFromTheKeptTopLevelsWriteWhatUpdatesFromTheSourceWrite) {
  std::mt19937_64 rng(0x6b657074);
  std::vector<Hash> seeds;
  for (int i = 0; i < 4; ++i) seeds.push_back(random_hash(rng));
  CountingNodes counted_kept(nodes_);
  CountingNodes counted_plain(nodes_);
  StateMap kept(suite(), counted_kept);
  StateMap plain(suite(), counted_plain);
  Entries entries;
  std::vector<Hash> keys;
  std::vector<StateMapChange> first;
  for (int i = 0; i < 3000; ++i) {
    keys.push_back(i % 2 == 0 ? random_hash(rng) : clustered_key(rng, seeds));
    entries[keys.back()] = random_hash(rng);
  }
  for (const auto& [k, v] : entries) first.push_back({k, v});
  StateMapWrite write = must(kept.update(std::nullopt, 1, first));
  nodes_.apply(write);
  for (uint64_t v = 2; v <= 31; ++v) {
    if (v == 20) kept.forget_top_levels();  // from the source again, then kept again
    Changes changes;
    for (int i = 0; i < 200; ++i) {
      const uint64_t pick = rng() % 10;
      const Hash key = pick < 3 ? clustered_key(rng, seeds) : keys[rng() % keys.size()];
      if (pick < 3) keys.push_back(key);
      changes[key] = pick >= 8 ? std::nullopt : std::optional<Hash>(random_hash(rng));
    }
    const std::vector<StateMapChange> list = apply_changes(changes, entries);
    const size_t kept_reads = counted_kept.below_the_root;
    const size_t plain_reads = counted_plain.below_the_root;
    write = must(kept.update(v - 1, v, list));
    if (v > 20 && v % 5 == 0) {
      // Another write of the version, computed after the one stored and never stored itself
      // (its batch discarded): what it kept must not be read back.
      std::vector<StateMapChange> discarded;
      for (const auto& [k, val] : entries) discarded.push_back({k, random_hash(rng)});
      must(kept.update(v - 1, v, discarded));
    }
    plain.forget_top_levels();
    const StateMapWrite from_source = must(plain.update(v - 1, v, list));
    ASSERT_EQ(write.root, reference_root(entries)) << "version " << v;
    EXPECT_EQ(write.root, from_source.root);
    EXPECT_EQ(write.nodes, from_source.nodes);
    EXPECT_EQ(write.stale, from_source.stale);
    EXPECT_GT(counted_plain.below_the_root, plain_reads);
    if (v < 20) {
      // Version 1 wrote every node, so all of the top levels were kept.
      EXPECT_EQ(counted_kept.below_the_root, kept_reads) << "version " << v;
    } else if (v == 20) {
      EXPECT_GT(counted_kept.below_the_root, kept_reads) << "forgotten, so read";
    }
    nodes_.apply(write);
  }
}

// A version computed from nothing and again from its predecessor, to the same entries: the
// nodes of equal hash differ in their children's versions. Whichever is stored, the next
// update must name the nodes that one wrote.
TEST_F(StateMapTest, AVersionComputedFromAnotherBaseKeepsNothingOfIt) {
  std::mt19937_64 rng(0x62617365);
  Entries entries;
  for (int i = 0; i < 500; ++i) entries[random_hash(rng)] = random_hash(rng);
  std::vector<StateMapChange> all;
  for (const auto& [k, v] : entries) all.push_back({k, v});
  commit(std::nullopt, 1, all);
  std::vector<StateMapChange> some;
  for (auto it = entries.begin(); some.size() < 20; std::advance(it, 20)) {
    it->second = random_hash(rng);
    some.push_back({it->first, it->second});
  }
  all.clear();
  for (const auto& [k, v] : entries) all.push_back({k, v});
  const StateMapWrite from_nothing = must(map_.update(std::nullopt, 2, all));
  const StateMapWrite from_one = must(map_.update(1, 2, some));
  ASSERT_EQ(from_nothing.root, from_one.root);
  nodes_.apply(from_nothing);

  std::vector<StateMapChange> next;
  for (auto it = entries.begin(); next.size() < 20; std::advance(it, 23)) {
    next.push_back({it->first, random_hash(rng)});
  }
  StateMap fresh(suite(), nodes_);
  const StateMapWrite expected = must(fresh.update(2, 3, next));
  const StateMapWrite write = must(map_.update(2, 3, next));
  EXPECT_EQ(write.root, expected.root);
  EXPECT_EQ(write.nodes, expected.nodes);
  nodes_.apply(write);
  EXPECT_EQ(must(map_.audit(3)).entries, entries.size());
}

TEST(StateMapSuites, SmTwoSmThreeMapsProveWithSm3) {
  const CryptoSuite& sm = sm2_sm3();
  StateMapMemoryNodes nodes;
  StateMap map(sm, nodes);
  std::vector<StateMapChange> changes;
  for (int i = 0; i < 40; ++i) {
    const std::string key = "k" + std::to_string(i);
    changes.push_back({state_key_hash(sm, as_bytes(key)), state_value_hash(sm, as_bytes(key))});
  }
  nodes.apply(must(map.update(std::nullopt, 1, changes)));
  const Hash root = must(map.root(1));
  const StateProof proof = must(map.prove(1, state_key_hash(sm, as_bytes("k7"))));
  EXPECT_TRUE(verify_state_proof(sm, root, as_bytes("k7"), as_bytes("k7"), proof).ok());
  // The same proof under SHA-256 leads elsewhere.
  EXPECT_FALSE(verify_state_proof(suite(), root, as_bytes("k7"), as_bytes("k7"), proof).ok());
}

}  // namespace
}  // namespace medtrail::ledger
