// Checkpoints: every node signs what it applied, signatures reach every peer, a quorum of
// organisations makes a checkpoint trusted, and the leader records it in a later block.

#include <gtest/gtest.h>

#include <atomic>

#include "core/block_applier.h"
#include "core/checkpoint_pool.h"
#include "medtrail/ledger/chain_verifier.h"
#include "node_stack.h"
#include "support/poll.h"

namespace medtrail::node {
namespace {

using namespace std::chrono_literals;
using medtrail::testing::wait_until;
using testing::LocalNet;
using testing::NodeStack;
using testing::StackOptions;
using TempDir = medtrail::testing::TempDir;

class CheckpointTest : public ::testing::Test {
 protected:
  CheckpointTest() : suite_(ledger::ed25519_sha256()), admin_(*suite_.generate_keypair()) {
    genesis_.checkpoint_quorum = 2;
    genesis_.organisations.push_back({"hosp-a", "Hospital A", {"hospital"}, admin_.public_key});
    const char* orgs[] = {"hosp-a", "pharm-b", "reg-c"};
    for (int i = 0; i < 3; ++i) {
      if (i > 0) {
        genesis_.organisations.push_back(
            {orgs[i], orgs[i], {i == 1 ? "pharmacy" : "regulator"}, suite_.generate_keypair()->public_key});
      }
      keys_.push_back(*suite_.generate_keypair());
      ledger::GenesisNode node;
      node.id = "n" + std::to_string(i + 1);
      node.org = orgs[i];
      node.public_key = keys_.back().public_key;
      genesis_.nodes.push_back(node);
      ids_.push_back(node.id);
    }
  }

  std::unique_ptr<NodeStack> open(size_t i) {
    if (!dirs_[i]) dirs_[i] = std::make_unique<TempDir>();
    StackOptions options;
    options.node_key = keys_[i];
    return std::make_unique<NodeStack>(dirs_[i]->path().string(), ids_[i], ids_, genesis_, net_,
                                       options);
  }

  std::vector<ledger::Envelope> records(uint64_t first, size_t n) {
    return testing::admin_records(admin_, first, n);
  }

  const ledger::CryptoSuite& suite_;
  ledger::KeyPair admin_;
  ledger::Genesis genesis_;
  std::vector<ledger::KeyPair> keys_;
  std::vector<std::string> ids_;
  LocalNet net_;
  std::unique_ptr<TempDir> dirs_[3];
};

TEST_F(CheckpointTest, QuorumCheckpointsReachEveryNodeAndTheChain) {
  std::vector<std::unique_ptr<NodeStack>> nodes;
  for (size_t i = 0; i < 3; ++i) nodes.push_back(open(i));
  ASSERT_TRUE(wait_until([&] {
    for (auto& n : nodes) {
      if (n->driver->is_leader()) return true;
    }
    return false;
  }, 10s));
  for (uint64_t round = 0; round < 6; ++round) {
    auto out = nodes[round % 3]->submit(records(100 * round, 10), true);
    ASSERT_EQ(out[0].state, RecordState::kCommitted) << out[0].message;
  }
  // Every node can name a trusted checkpoint of its own chain.
  for (auto& n : nodes) {
    ASSERT_TRUE(wait_until([&] {
      return n->driver->checkpoints().newest_quorum(*n->store).has_value();
    }, 10s))
        << n->id;
    auto cp = n->driver->checkpoints().newest_quorum(*n->store);
    EXPECT_TRUE(ledger::verify_checkpoint_quorum(suite_, *cp, genesis_checkpoint_trust(genesis_)).ok());
    // The same checkpoint by its height.
    auto at = n->driver->checkpoints().quorum_at(*n->store, cp->checkpoint.height);
    ASSERT_TRUE(at.has_value()) << n->id;
    EXPECT_EQ(at->checkpoint, cp->checkpoint);
  }
  // And the chain itself carries quorum checkpoints, which the offline verifier accepts.
  for (uint64_t round = 6; round < 9; ++round) nodes[0]->submit(records(100 * round, 10), true);
  ASSERT_TRUE(wait_until([&] {
    for (auto& n : nodes) {
      if (n->store->tree_size() != 90) return false;
    }
    return true;
  }, 10s));
  uint64_t carried = 0;
  for (uint64_t h = 1; h <= nodes[0]->store->height(); ++h) {
    carried += nodes[0]->store->block_at(h)->checkpoints.size();
  }
  EXPECT_GT(carried, 0u);
  const ledger::CheckpointTrust trust = genesis_checkpoint_trust(genesis_);
  for (auto& n : nodes) {
    ledger::VerifyOptions options;
    options.trust = &trust;
    ledger::VerifyReport report = ledger::verify_chain(*n->store, options);
    EXPECT_TRUE(report.ok) << n->id << ": " << report.problem;
    EXPECT_GT(report.checkpoints, 0u);
  }
}

TEST_F(CheckpointTest, ApplyKeepsOnlyQuorumCheckpointsMatchingTheChain) {
  // A faulty leader may propose anything; every node drops the same bad checkpoints.
  TempDir dir;
  auto store = testing::open_test_store(dir.path().string());
  SignerDirectory signers = SignerDirectory::from_genesis(genesis_, medtrail::testing::test_chain_id(suite_)).value();
  ledger::InlineRunner runner;
  auto applier = BlockApplier::open(*store, signers, runner).value();
  ledger::Proposal first;
  first.envelopes = records(1, 2);
  ASSERT_TRUE(applier.apply(first, 1, 1).ok());

  const ledger::Checkpoint cp = CheckpointPool::checkpoint_at(*store, 1).value();
  auto sign = [&](const ledger::Checkpoint& c, size_t node) {
    return *ledger::sign_checkpoint(suite_, c, ledger::Genesis::node_signer(genesis_.nodes[node]),
                                    keys_[node]);
  };
  ledger::SignedCheckpoint quorum{cp, {sign(cp, 0), sign(cp, 2)}};
  ledger::SignedCheckpoint one_org{cp, {sign(cp, 1)}};
  ledger::Checkpoint wrong_root = cp;
  wrong_root.tree_root[0] ^= 1;
  ledger::SignedCheckpoint lie{wrong_root, {sign(wrong_root, 0), sign(wrong_root, 1)}};
  ledger::Checkpoint future = cp;
  future.height = 2;
  ledger::SignedCheckpoint ahead{future, {sign(future, 0), sign(future, 1)}};

  ledger::Proposal second;
  second.envelopes = records(10, 1);
  second.checkpoints = {one_org, lie, quorum, ahead};
  auto out = applier.apply(second, 1, 2);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->checkpoints.size(), 1u);
  EXPECT_EQ(out->checkpoints[0], quorum);
  EXPECT_EQ(store->block_at(2)->checkpoints, std::vector<ledger::SignedCheckpoint>{quorum});
}

// Counts the signatures it verifies; everything else is Ed25519-SHA-256's.
class CountingSuite final : public ledger::CryptoSuite {
 public:
  std::string_view name() const override { return real_.name(); }
  ledger::Hash hash_parts(std::initializer_list<ledger::ByteView> parts) const override {
    return real_.hash_parts(parts);
  }
  std::unique_ptr<ledger::Hasher> new_hasher() const override { return real_.new_hasher(); }
  ledger::Result<ledger::KeyPair> generate_keypair() const override { return real_.generate_keypair(); }
  ledger::Result<ledger::KeyPair> keypair_from_secret(ledger::ByteView secret) const override {
    return real_.keypair_from_secret(secret);
  }
  ledger::Result<ledger::Bytes> sign(const ledger::KeyPair& key, ledger::ByteView message) const override {
    return real_.sign(key, message);
  }
  bool verify(ledger::ByteView key, ledger::ByteView message, ledger::ByteView signature) const override {
    ++verifications;
    return real_.verify(key, message, signature);
  }
  size_t public_key_size() const override { return real_.public_key_size(); }
  size_t signature_size() const override { return real_.signature_size(); }

  mutable std::atomic<uint64_t> verifications{0};

 private:
  const ledger::CryptoSuite& real_ = ledger::ed25519_sha256();
};

// The pool verifies a signature once, when it arrives; looking up a quorum and applying a block
// that carries pooled signatures verify nothing again, and a signature the pool does not hold
// exactly (a forged copy) is still verified, and still refused.
TEST_F(CheckpointTest, PooledCheckpointSignaturesAreVerifiedOnce) {
  CountingSuite counting;
  TempDir dir;
  ledger::ChainStoreOptions o;
  o.sync = false;
  auto store = ledger::ChainStore::open(dir.path().string(), counting, medtrail::testing::test_chain_id(suite_), o);
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  SignerDirectory signers = SignerDirectory::from_genesis(genesis_, (*store)->chain_id()).value();
  ledger::InlineRunner runner;
  auto applier = BlockApplier::open(**store, signers, runner).value();
  ledger::Proposal first;
  first.envelopes = records(1, 2);
  ASSERT_TRUE(applier.apply(first, 1, 1).ok());

  const ledger::Checkpoint cp = CheckpointPool::checkpoint_at(**store, 1).value();
  auto sign = [&](size_t node) {
    return *ledger::sign_checkpoint(suite_, cp, ledger::Genesis::node_signer(genesis_.nodes[node]), keys_[node]);
  };
  const ledger::SignedCheckpoint quorum{cp, {sign(0), sign(2)}};
  CheckpointPool pool(counting, genesis_checkpoint_trust(genesis_));
  counting.verifications = 0;
  ASSERT_TRUE(pool.add(quorum, 1).ok());
  EXPECT_EQ(counting.verifications.load(), 2u);  // each signature once, as it arrives
  ASSERT_TRUE(pool.newest_quorum(**store).has_value());
  ASSERT_TRUE(pool.quorum_at(**store, 1).has_value());
  EXPECT_EQ(counting.verifications.load(), 2u);  // lookups verify nothing again

  // Apply takes the pooled signatures; a forged copy of one is verified and the checkpoint dropped.
  applier.use_pooled_checkpoints(&pool);
  ledger::SignedCheckpoint forged = quorum;
  forged.signatures[1].signature[0] ^= 1;
  ledger::Proposal second;
  second.envelopes = records(10, 1);
  second.checkpoints = {forged};
  counting.verifications = 0;
  auto dropped = applier.apply(second, 1, 2);
  ASSERT_TRUE(dropped.ok());
  EXPECT_TRUE(dropped->checkpoints.empty());
  const uint64_t per_block_without_checkpoints = counting.verifications.load() - 1;  // the forged one
  ledger::Proposal third;
  third.envelopes = records(20, 1);
  third.checkpoints = {quorum};
  counting.verifications = 0;
  auto kept = applier.apply(third, 1, 3);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->checkpoints.size(), 1u);
  EXPECT_EQ(kept->checkpoints[0], quorum);
  EXPECT_EQ(counting.verifications.load(), per_block_without_checkpoints);
  applier.use_pooled_checkpoints(nullptr);

  // A quorum for a version of height 2 this chain does not have (two members lying) is passed
  // over for the newest that matches; a newer height signed by one organisation only does not
  // count until a second organisation signs it.
  ledger::Checkpoint lie = CheckpointPool::checkpoint_at(**store, 2).value();
  lie.tree_root[0] ^= 1;
  for (size_t node : {size_t{0}, size_t{1}}) {
    auto sig = *ledger::sign_checkpoint(suite_, lie, ledger::Genesis::node_signer(genesis_.nodes[node]), keys_[node]);
    ASSERT_TRUE(pool.add({lie, {sig}}, 3).ok());
  }
  const ledger::Checkpoint cp3 = CheckpointPool::checkpoint_at(**store, 3).value();
  auto sign3 = [&](size_t node) {
    return *ledger::sign_checkpoint(suite_, cp3, ledger::Genesis::node_signer(genesis_.nodes[node]), keys_[node]);
  };
  ASSERT_TRUE(pool.add({cp3, {sign3(1)}}, 3).ok());
  ASSERT_TRUE(pool.newest_quorum(**store).has_value());
  EXPECT_EQ(pool.newest_quorum(**store)->checkpoint.height, 1u);
  ASSERT_TRUE(pool.add({cp3, {sign3(2)}}, 3).ok());
  ASSERT_TRUE(pool.newest_quorum(**store).has_value());
  EXPECT_EQ(pool.newest_quorum(**store)->checkpoint.height, 3u);
}

class CheckpointPoolTest : public CheckpointTest {};

TEST_F(CheckpointPoolTest, SignaturesByUnpinnedKeysOrForgedAreRefused) {
  CheckpointPool pool(suite_, genesis_checkpoint_trust(genesis_));
  ledger::Checkpoint cp;
  cp.height = 3;
  auto good = *ledger::sign_checkpoint(suite_, cp, "hosp-a/n1", keys_[0]);
  EXPECT_TRUE(pool.add({cp, {good}}, 3).ok());

  auto stranger = *suite_.generate_keypair();
  auto unpinned = *ledger::sign_checkpoint(suite_, cp, "hosp-a/n1", stranger);
  EXPECT_EQ(pool.add({cp, {unpinned}}, 3).code(), "checkpoint_untrusted_signer");

  auto forged = *ledger::sign_checkpoint(suite_, cp, "pharm-b/n2", keys_[1]);
  forged.signature[0] ^= 1;
  EXPECT_EQ(pool.add({cp, {forged}}, 3).code(), "checkpoint_bad_signature");
}

TEST_F(CheckpointPoolTest, HeightsOutsideTheWindowAreRefused) {
  CheckpointPool pool(suite_, genesis_checkpoint_trust(genesis_));
  for (uint64_t h : {uint64_t{0}, uint64_t{1000}, uint64_t{10}}) {
    ledger::Checkpoint cp;
    cp.height = h;
    auto sig = *ledger::sign_checkpoint(suite_, cp, "hosp-a/n1", keys_[0]);
    EXPECT_EQ(pool.add({cp, {sig}}, 100).code(), "checkpoint_out_of_window") << h;
  }
}

// One member signing many versions of future heights must not crowd out the honest version
// (the pool once kept the first four versions of a height, whoever signed them).
TEST_F(CheckpointPoolTest, ASignerMayVouchForOneVersionOfAHeight) {
  CheckpointPool pool(suite_, genesis_checkpoint_trust(genesis_));
  ledger::Checkpoint honest;
  honest.height = 5;
  for (int v = 0; v < 6; ++v) {
    ledger::Checkpoint junk = honest;
    junk.tree_size = 1000 + v;
    auto sig = *ledger::sign_checkpoint(suite_, junk, "reg-c/n3", keys_[2]);
    EXPECT_EQ(pool.add({junk, {sig}}, 3).code(), v == 0 ? "" : "checkpoint_equivocation") << v;
  }
  EXPECT_GE(pool.conflicts(), 5u);
  for (int i = 0; i < 2; ++i) {
    const std::string signer = std::string(i == 0 ? "hosp-a" : "pharm-b") + "/" + ids_[i];
    auto sig = *ledger::sign_checkpoint(suite_, honest, signer, keys_[i]);
    EXPECT_TRUE(pool.add({honest, {sig}}, 3).ok()) << signer;
  }
}

TEST_F(CheckpointPoolTest, ACheckpointWithoutSignaturesIsRefused) {
  CheckpointPool pool(suite_, genesis_checkpoint_trust(genesis_));
  ledger::Checkpoint cp;
  cp.height = 3;
  EXPECT_EQ(pool.add({cp, {}}, 3).code(), "checkpoint_unsigned");
}

}  // namespace
}  // namespace medtrail::node
