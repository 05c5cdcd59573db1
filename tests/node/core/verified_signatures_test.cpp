// Signatures verified at admission spare the same node a second check at apply — only for the
// exact envelope it verified, once, and never changing the verdict.

#include "core/verified_signatures.h"

#include <gtest/gtest.h>

#include "core/block_applier.h"
#include "node_stack.h"
#include "support/chain_fixture.h"

namespace medtrail::node {
namespace {

using TempDir = medtrail::testing::TempDir;

class VerifiedSignaturesTest : public ::testing::Test {
 protected:
  VerifiedSignaturesTest() : suite_(ledger::ed25519_sha256()), admin_(*suite_.generate_keypair()) {
    genesis_.organisations.push_back({"hosp-a", "Hospital A", {"hospital"}, admin_.public_key});
    signers_ =
        SignerDirectory::from_genesis(genesis_, medtrail::testing::test_chain_id(suite_)).value();
  }
  ledger::Envelope record(uint64_t nonce) {
    return medtrail::testing::make_admin_record(admin_, "hosp-a", nonce);
  }
  ledger::Hash key(const ledger::Envelope& e) {
    return VerifiedSignatures::key_of(suite_, e, admin_.public_key);
  }

  const ledger::CryptoSuite& suite_;
  ledger::KeyPair admin_;
  ledger::Genesis genesis_;
  SignerDirectory signers_;
};

TEST_F(VerifiedSignaturesTest, KeyBindsSignerKeyPayloadAndSignature) {
  ledger::Envelope e = record(1);
  ledger::Envelope other_sig = e;
  other_sig.signature[0] ^= 1;
  ledger::Envelope other_signer = e;
  other_signer.signer = "hosp-a/other";
  EXPECT_NE(key(e), key(other_sig));
  EXPECT_NE(key(e), key(other_signer));
  EXPECT_NE(key(e), VerifiedSignatures::key_of(suite_, e, suite_.generate_keypair()->public_key));
  EXPECT_EQ(key(e), key(record(1)));
}

// Each field is length-prefixed, so a byte moved from the signer to the payload gives another
// key, though the fields' bytes run on the same.
TEST_F(VerifiedSignaturesTest, KeyIsTheHashOfTheLengthPrefixedFields) {
  const ledger::Envelope e = record(1);
  ledger::Bytes expected;
  for (ledger::ByteView field : {ledger::as_bytes(e.signer), ledger::ByteView(admin_.public_key),
                                 ledger::ByteView(e.payload), ledger::ByteView(e.signature)}) {
    ledger::append_be64(expected, field.size());
    expected.insert(expected.end(), field.begin(), field.end());
  }
  EXPECT_EQ(key(e), suite_.hash(expected));

  ledger::Envelope shifted = e;
  shifted.payload.insert(shifted.payload.begin(), static_cast<uint8_t>(shifted.signer.back()));
  shifted.signer.pop_back();
  EXPECT_NE(key(e), key(shifted));
}

TEST_F(VerifiedSignaturesTest, EachEntryIsTakenOnceAndTheOldestAreForgotten) {
  VerifiedSignatures cache(2);
  cache.add(key(record(1)));
  cache.add(key(record(2)));
  cache.add(key(record(3)));  // evicts record 1
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.take(key(record(1))));
  EXPECT_TRUE(cache.take(key(record(2))));
  EXPECT_FALSE(cache.take(key(record(2))));
  for (uint64_t i = 10; i < 1000; ++i) cache.add(key(record(i % 20)));
  EXPECT_LE(cache.size(), 2u);
}

TEST_F(VerifiedSignaturesTest, ApplyUsesThemButAForgedVariantIsStillCaught) {
  TempDir dir;
  auto store = testing::open_test_store(dir.path().string());
  ledger::InlineRunner runner;
  VerifiedSignatures cache(100);
  auto applier = BlockApplier::open(*store, signers_, runner, &cache).value();

  const ledger::Envelope good = record(1);
  cache.add(key(good));
  ledger::Envelope forged = record(2);  // same signer, its payload admitted, signature not
  cache.add(key(forged));
  forged.signature[5] ^= 0x10;
  ledger::Proposal p;
  p.envelopes = {good, forged, record(3)};  // record 3 was never admitted here: verified now
  auto out = applier.apply(p, 1, 1);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->records[0].kind, RecordOutcome::Kind::kIncluded);
  EXPECT_EQ(out->records[1].kind, RecordOutcome::Kind::kForged);
  EXPECT_EQ(out->records[1].result.reason_code, "signature_mismatch");
  EXPECT_EQ(out->records[2].kind, RecordOutcome::Kind::kIncluded);
  EXPECT_FALSE(cache.take(key(good)));  // used up
  EXPECT_EQ(cache.size(), 1u);          // the unforged record 2 key, never proposed
}

}  // namespace
}  // namespace medtrail::node
