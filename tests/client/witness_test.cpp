// The witness (client/cli/witness.h, c2sp.org/tlog-witness add-checkpoint) against checkpoints
// of a real chain store, signed by the consortium, and against what it must refuse: a smaller
// tree after a larger one, a second history at one size or one that does not extend the first,
// too few signatures, another chain, malformed requests; a lost or foreign state; two requests
// racing from one old size. Nothing it refuses changes what it cosigns next.
#include "cli/witness.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "client/cli_runner.h"
#include "medtrail/ledger/block.h"
#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/checkpoint_note.h"
#include "medtrail/ledger/cosignature.h"
#include "support/chain_fixture.h"

namespace medtrail::cli {
namespace {

using ledger::SignedCheckpoint;

const ledger::CryptoSuite& suite() { return ledger::ed25519_sha256(); }

const std::string kName = "court.example.cn/medtrail-witness";
constexpr uint64_t kNow = 1'790'000'000;

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = medtrail::testing::open_test_store(dir_.file("db"), suite());
    medtrail::testing::ChainSpec spec;
    spec.blocks = 6;
    spec.checkpoints = false;
    medtrail::testing::build_chain(*store_, consortium_, spec);
    genesis_ = consortium_.genesis(suite(), medtrail::testing::test_chain_id(suite()));
    key_ = suite().generate_keypair().value();
  }
  std::unique_ptr<Witness> open(bool create) const {
    auto w = Witness::open(genesis_, kName, key_, dir_.file("witness.json"), create);
    EXPECT_TRUE(w.ok()) << w.status().to_string();
    return w.ok() ? std::move(*w) : nullptr;
  }
  // The checkpoint of block `height`, signed by every node of the consortium.
  SignedCheckpoint at(uint64_t height) const {
    const ledger::BlockHeader h = store_->header_at(height).value();
    return consortium_.signed_checkpoint(
        suite(), {h.chain_id, h.height, ledger::block_hash(suite(), h), h.tree_size, h.tree_root});
  }
  // An add-checkpoint request from `old_size` to `cp`, with the store's consistency proof.
  std::string request(uint64_t old_size, const SignedCheckpoint& cp) const {
    std::string body = "old " + std::to_string(old_size) + "\n";
    if (old_size > 0 && old_size < cp.checkpoint.tree_size) {
      const ledger::ConsistencyProof proof =
          store_->consistency_proof(old_size, cp.checkpoint.tree_size).value();
      for (const ledger::Hash& h : proof.path) {
        body += ledger::to_base64(ledger::ByteView(h.data(), h.size())) + "\n";
      }
    }
    return body + "\n" + ledger::checkpoint_note(suite(), cp);
  }
  // The cosignature's time when `reply` is a valid cosignature of `cp` by this witness.
  std::optional<uint64_t> cosigned(const WitnessReply& reply, const SignedCheckpoint& cp) const {
    if (reply.status != 200) return std::nullopt;
    auto time = ledger::verify_cosignature(reply.body, kName, key_.public_key,
                                           ledger::checkpoint_note_text(cp.checkpoint));
    return time.ok() ? std::optional<uint64_t>(*time) : std::nullopt;
  }

  medtrail::testing::TempDir dir_;
  medtrail::testing::TestConsortium consortium_{suite()};
  std::unique_ptr<ledger::ChainStore> store_;
  ledger::LoadedGenesis genesis_;
  ledger::KeyPair key_;
};

TEST_F(WitnessTest, ItCosignsTheFirstCheckpointThenEachThatExtendsIt) {
  auto w = open(true);
  ASSERT_TRUE(w);
  const SignedCheckpoint third = at(3), fifth = at(5);
  WitnessReply r = w->add_checkpoint(request(0, third), kNow);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(cosigned(r, third), kNow);
  EXPECT_EQ(w->tree_size(), third.checkpoint.tree_size);
  r = w->add_checkpoint(request(third.checkpoint.tree_size, fifth), kNow + 1);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(cosigned(r, fifth), kNow + 1);
  // The same checkpoint again (a log retrying): cosigned again.
  r = w->add_checkpoint(request(fifth.checkpoint.tree_size, fifth), kNow + 2);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(cosigned(r, fifth), kNow + 2);
}

TEST_F(WitnessTest, AnOldSizeNotItsOwnGetsItsSizeAndNothingElse) {
  auto w = open(true);
  const SignedCheckpoint third = at(3), fifth = at(5);
  ASSERT_EQ(w->add_checkpoint(request(0, fifth), kNow).status, 200);
  for (uint64_t old : {uint64_t{0}, third.checkpoint.tree_size}) {
    SCOPED_TRACE(old);
    WitnessReply r = w->add_checkpoint(request(old, fifth), kNow);
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(r.content_type, "text/x.tlog.size");
    EXPECT_EQ(r.body, std::to_string(fifth.checkpoint.tree_size) + "\n");
  }
  // A smaller tree after a larger one: never (old must be the witness's size, and the checkpoint
  // no smaller than old).
  WitnessReply r = w->add_checkpoint(request(fifth.checkpoint.tree_size, third), kNow);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(w->tree_size(), fifth.checkpoint.tree_size);
}

TEST_F(WitnessTest, ASecondHistoryIsNeverCosigned) {
  auto w = open(true);
  const SignedCheckpoint third = at(3), fifth = at(5);
  ASSERT_EQ(w->add_checkpoint(request(0, third), kNow).status, 200);
  // A quorum-signed checkpoint of another root at the same size, and at a larger size.
  ledger::Checkpoint forked = third.checkpoint;
  forked.tree_root[0] ^= 1;
  WitnessReply r = w->add_checkpoint(
      "old " + std::to_string(third.checkpoint.tree_size) + "\n\n" +
          ledger::checkpoint_note(suite(), consortium_.signed_checkpoint(suite(), forked)),
      kNow);
  EXPECT_EQ(r.status, 422) << r.body;
  ledger::Checkpoint forked_later = fifth.checkpoint;
  forked_later.tree_root[0] ^= 1;
  std::string body = request(third.checkpoint.tree_size, fifth);
  body = body.substr(0, body.find("\n\n") + 2) +
         ledger::checkpoint_note(suite(), consortium_.signed_checkpoint(suite(), forked_later));
  r = w->add_checkpoint(body, kNow);
  EXPECT_EQ(r.status, 422) << r.body;
  // A proof with a hash changed, or none.
  body = request(third.checkpoint.tree_size, fifth);
  body[body.find('\n') + 1] = body[body.find('\n') + 1] == 'A' ? 'B' : 'A';
  EXPECT_EQ(w->add_checkpoint(body, kNow).status, 422);
  EXPECT_EQ(w->add_checkpoint("old " + std::to_string(third.checkpoint.tree_size) + "\n\n" +
                                  ledger::checkpoint_note(suite(), fifth),
                              kNow)
                .status,
            422);
  // From size 0, a proof is refused.
  auto fresh = Witness::open(genesis_, kName, key_, dir_.file("other.json"), true).value();
  const std::string with_proof = request(third.checkpoint.tree_size, fifth);
  EXPECT_EQ(
      fresh->add_checkpoint("old 0\n" + with_proof.substr(with_proof.find('\n') + 1), kNow).status,
      422);
  // None of it moved the witness: the honest extension is still cosigned.
  EXPECT_EQ(w->tree_size(), third.checkpoint.tree_size);
  EXPECT_EQ(w->add_checkpoint(request(third.checkpoint.tree_size, fifth), kNow).status, 200);
}

TEST_F(WitnessTest, TooFewValidSignaturesAreForbidden) {
  auto w = open(true);
  SignedCheckpoint cp = at(4);
  SignedCheckpoint one = cp;
  one.signatures.resize(1);  // quorum 2
  EXPECT_EQ(w->add_checkpoint(request(0, one), kNow).status, 403);
  // Signed only by a key the genesis does not name: its line is ignored, and none is left.
  const ledger::KeyPair stranger = suite().generate_keypair().value();
  SignedCheckpoint unknown = cp;
  unknown.signatures = {
      {"other-org/node-x", stranger.public_key,
       suite()
           .sign(stranger, ledger::as_bytes(ledger::checkpoint_note_text(cp.checkpoint)))
           .value()}};
  EXPECT_EQ(w->add_checkpoint(request(0, unknown), kNow).status, 403);
  // No signature line at all is no signed note.
  SignedCheckpoint none = cp;
  none.signatures.clear();
  EXPECT_EQ(w->add_checkpoint(request(0, none), kNow).status, 400);
  SignedCheckpoint forged = cp;
  forged.signatures[0].signature[0] ^= 1;
  EXPECT_EQ(w->add_checkpoint(request(0, forged), kNow).status, 403);
  EXPECT_EQ(w->tree_size(), 0u);
  EXPECT_EQ(w->add_checkpoint(request(0, cp), kNow).status, 200);
}

TEST_F(WitnessTest, AnotherChainOrAMalformedRequestIsRefused) {
  auto w = open(true);
  const SignedCheckpoint cp = at(4);
  ledger::Checkpoint other = cp.checkpoint;
  other.chain_id = medtrail::testing::test_chain_id(suite(), "another chain");
  EXPECT_EQ(
      w->add_checkpoint("old 0\n\n" + ledger::checkpoint_note(
                                          suite(), consortium_.signed_checkpoint(suite(), other)),
                        kNow)
          .status,
      404);
  EXPECT_EQ(w->add_checkpoint("old 0\n\nexample.com/log\n5\nAAAA\n\n", kNow).status, 404);
  const std::string note = ledger::checkpoint_note(suite(), cp);
  for (const std::string& bad :
       {std::string(""), "old 0\n" + note, "old 00\n\n" + note, "old -1\n\n" + note,
        "old 0\nnot base64\n\n" + note, "0\n\n" + note,
        "old 0\n\n" + note.substr(0, note.find('\n') + 1) + "x\n",
        std::string(kMaxAddCheckpointBytes + 1, 'x')}) {
    SCOPED_TRACE(bad.substr(0, 40));
    EXPECT_EQ(w->add_checkpoint(bad, kNow).status, 400);
  }
  std::string proof_lines;
  for (int i = 0; i < 64; ++i) proof_lines += std::string(43, 'A') + "=\n";
  EXPECT_EQ(w->add_checkpoint("old 0\n" + proof_lines + "\n" + note, kNow).status, 400);
  EXPECT_EQ(w->tree_size(), 0u);
}

TEST_F(WitnessTest, ItsStateOutlivesItAndIsNeverStartedAfresh) {
  const SignedCheckpoint fifth = at(5);
  {
    auto w = open(true);
    ASSERT_EQ(w->add_checkpoint(request(0, fifth), kNow).status, 200);
  }
  auto again = open(false);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->tree_size(), fifth.checkpoint.tree_size);
  EXPECT_EQ(again->add_checkpoint(request(0, at(2)), kNow).status, 409);
  // A second process on the same state while the first lives: refused.
  EXPECT_EQ(Witness::open(genesis_, kName, key_, dir_.file("witness.json"), false).status().code(),
            "state_in_use");
  again.reset();
  EXPECT_EQ(Witness::open(genesis_, kName, key_, dir_.file("witness.json"), true).status().code(),
            "state_exists");
  EXPECT_EQ(Witness::open(genesis_, kName, key_, dir_.file("lost.json"), false).status().code(),
            "no_state");
  std::ofstream(dir_.file("junk.json")) << "{\"origin\": 1}";
  EXPECT_EQ(Witness::open(genesis_, kName, key_, dir_.file("junk.json"), false).status().code(),
            "bad_state");
  ledger::LoadedGenesis other = genesis_;
  other.chain_id = medtrail::testing::test_chain_id(suite(), "another chain");
  EXPECT_EQ(Witness::open(other, kName, key_, dir_.file("witness.json"), false).status().code(),
            "bad_state");
  EXPECT_EQ(Witness::open(genesis_, "a name", key_, dir_.file("x.json"), true).status().code(),
            "bad_name");
  // The state edited by hand to a smaller tree, or to another root: its checkpoint says
  // otherwise.
  const std::string kept = medtrail::testing::slurp(dir_.file("witness.json"));
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"tree_size\": " + std::to_string(fifth.checkpoint.tree_size), "\"tree_size\": 3"},
           {"\"tree_root\": \"" + ledger::to_hex(fifth.checkpoint.tree_root),
            "\"tree_root\": \"" + ledger::to_hex(at(4).checkpoint.tree_root)}}) {
    SCOPED_TRACE(to);
    std::string edited = kept;
    ASSERT_NE(edited.find(from), std::string::npos) << kept;
    edited.replace(edited.find(from), from.size(), to);
    std::ofstream(dir_.file("witness.json"), std::ios::trunc) << edited;
    EXPECT_EQ(
        Witness::open(genesis_, kName, key_, dir_.file("witness.json"), false).status().code(),
        "bad_state");
  }
  std::ofstream(dir_.file("witness.json"), std::ios::trunc) << kept;
  EXPECT_TRUE(open(false));
}

TEST_F(WitnessTest, UnknownSignaturesAreIgnoredAndBadBytesNeverStopIt) {
  auto w = open(true);
  const SignedCheckpoint cp = at(4);
  // A stranger's line beside the quorum's, and a line of a trusted name with another key ID:
  // ignored, as signed-note requires.
  const ledger::KeyPair stranger = suite().generate_keypair().value();
  std::string note = ledger::checkpoint_note(suite(), cp);
  const std::string text = ledger::checkpoint_note_text(cp.checkpoint);
  const std::string blob =
      ledger::to_base64(ledger::Bytes(4 + 64, 7));  // a key ID no trusted key has
  note += "\xE2\x80\x94 other-org/node-x " + blob + "\n";
  note += "\xE2\x80\x94 " + cp.signatures[0].signer + " " + blob + "\n";
  WitnessReply r = w->add_checkpoint("old 0\n\n" + note, kNow);
  EXPECT_EQ(r.status, 200) << r.body;
  // Bytes that are not UTF-8 in a line of no trusted key: refused, and the witness goes on.
  std::string bad = ledger::checkpoint_note(suite(), cp) + "\xE2\x80\x94 \xFF " + blob + "\n";
  r = w->add_checkpoint("old " + std::to_string(cp.checkpoint.tree_size) + "\n\n" + bad, kNow);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(w->add_checkpoint(request(cp.checkpoint.tree_size, at(5)), kNow).status, 200);
  // A size-0 checkpoint must carry the empty tree's root.
  auto fresh = Witness::open(genesis_, kName, key_, dir_.file("fresh.json"), true).value();
  ledger::Checkpoint empty = cp.checkpoint;
  empty.tree_size = 0;
  EXPECT_EQ(fresh
                ->add_checkpoint(
                    "old 0\n\n" + ledger::checkpoint_note(
                                      suite(), consortium_.signed_checkpoint(suite(), empty)),
                    kNow)
                .status,
            422);
  // At the size cosigned, a proof is not owed and not taken.
  const std::string with_proof = request(3, at(5));
  r = w->add_checkpoint("old " + std::to_string(at(5).checkpoint.tree_size) + "\n" +
                            with_proof.substr(with_proof.find('\n') + 1),
                        kNow);
  EXPECT_EQ(r.status, 422) << r.body;
}

TEST_F(WitnessTest, ItsCosignaturesNeverGoBackInTime) {
  auto w = open(true);
  const SignedCheckpoint third = at(3), fifth = at(5);
  ASSERT_EQ(cosigned(w->add_checkpoint(request(0, third), kNow), third), kNow);
  // The clock stepped back an hour: the next cosignature keeps the time already given.
  EXPECT_EQ(
      cosigned(w->add_checkpoint(request(third.checkpoint.tree_size, fifth), kNow - 3600), fifth),
      kNow);
  w.reset();
  // Across a restart too; and never time 0.
  auto again = open(false);
  EXPECT_EQ(cosigned(again->add_checkpoint(request(fifth.checkpoint.tree_size, fifth), 0), fifth),
            kNow);
  auto fresh = Witness::open(genesis_, kName, key_, dir_.file("fresh.json"), true).value();
  EXPECT_EQ(cosigned(fresh->add_checkpoint(request(0, third), 0), third), 1u);
}

// The protocol's race: two requests from one old size, checked and kept one at a time.
TEST_F(WitnessTest, TwoRequestsFromOneOldSizeGetOneCosignature) {
  const SignedCheckpoint third = at(3), fifth = at(5), sixth = at(6);
  const uint64_t old = third.checkpoint.tree_size;
  for (int round = 0; round < 20; ++round) {
    auto racing = Witness::open(genesis_, kName, key_,
                                dir_.file("race-" + std::to_string(round) + ".json"), true)
                      .value();
    ASSERT_EQ(racing->add_checkpoint(request(0, third), kNow).status, 200);
    int a = 0, b = 0;
    std::thread ta([&] { a = racing->add_checkpoint(request(old, fifth), kNow).status; });
    std::thread tb([&] { b = racing->add_checkpoint(request(old, sixth), kNow).status; });
    ta.join();
    tb.join();
    EXPECT_EQ((a == 200) + (b == 200), 1) << a << " " << b;
    EXPECT_EQ((a == 409) + (b == 409), 1) << a << " " << b;
  }
}

}  // namespace
}  // namespace medtrail::cli
