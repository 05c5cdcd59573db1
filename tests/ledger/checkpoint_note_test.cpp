#include "medtrail/ledger/checkpoint_note.h"

#include <gtest/gtest.h>

#include <string>

namespace medtrail::ledger {
namespace {

const CryptoSuite& suite() { return ed25519_sha256(); }

Hash filled(uint8_t byte) {
  Hash h;
  h.fill(byte);
  return h;
}

Bytes from_b64(std::string_view text) {
  auto bytes = from_base64(text);
  EXPECT_TRUE(bytes.ok()) << text;
  return bytes.ok() ? *bytes : Bytes{};
}

// The signed-note example of the Go reference implementation (golang.org/x/mod/sumdb/note):
// key "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEK…", whose signature of the two-line text is
// published. Ed25519 is deterministic, so the key ID and the signature must match byte for byte.
TEST(CheckpointNoteTest, KeyIdAndSignatureMatchTheReferenceExample) {
  Bytes secret = from_b64("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
  Bytes verifier = from_b64("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  ASSERT_EQ(secret.size(), 33u);
  ASSERT_EQ(verifier.size(), 33u);
  ASSERT_EQ(secret[0], 0x01);  // the Ed25519 type byte
  auto key = suite().keypair_from_secret(Bytes(secret.begin() + 1, secret.end()));
  ASSERT_TRUE(key.ok());
  ASSERT_EQ(key->public_key, Bytes(verifier.begin() + 1, verifier.end()));
  EXPECT_EQ(note_key_id(suite(), "PeterNeumann", key->public_key), 0xc74f20a3u);

  const std::string text =
      "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n";
  auto signature = suite().sign(*key, as_bytes(text));
  ASSERT_TRUE(signature.ok());
  Bytes blob = {0xc7, 0x4f, 0x20, 0xa3};
  blob.insert(blob.end(), signature->begin(), signature->end());
  EXPECT_EQ(to_base64(blob),
            "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=");
}

class CheckpointNoteFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    checkpoint_ = Checkpoint{filled(0xc1), 42, filled(0xb0), 70000, filled(0x5e)};
    for (const char* id : {"hosp-a/n1", "pharm-b/n1", "reg-c/n1"}) {
      auto key = suite().generate_keypair();
      ASSERT_TRUE(key.ok());
      std::string org(id, std::string_view(id).find('/'));
      trust_.signers.push_back(TrustedSigner{id, org, key->public_key});
      auto sig = sign_checkpoint(suite(), checkpoint_, id, *key);
      ASSERT_TRUE(sig.ok());
      signed_.signatures.push_back(*sig);
    }
    signed_.checkpoint = checkpoint_;
    trust_.quorum = 2;
  }

  Checkpoint checkpoint_;
  SignedCheckpoint signed_;
  CheckpointTrust trust_;
};

TEST_F(CheckpointNoteFixture, TheTextIsTheC2spCheckpointWithHeightAndBlockLines) {
  EXPECT_EQ(checkpoint_note_text(checkpoint_),
            "medtrail/" + to_hex(filled(0xc1)) + "\n70000\n" + to_base64(filled(0x5e)) + "\nheight 42\nblock " +
                to_base64(filled(0xb0)) + "\n");
  // What the node keys sign is exactly that text.
  const std::string text = checkpoint_note_text(checkpoint_);
  EXPECT_EQ(checkpoint_signing_bytes(checkpoint_), Bytes(text.begin(), text.end()));
  EXPECT_TRUE(suite().verify(signed_.signatures[0].public_key, as_bytes(text), signed_.signatures[0].signature));
}

TEST_F(CheckpointNoteFixture, TheNoteCarriesOneSignatureLinePerSignerAndReadsBack) {
  const std::string note = checkpoint_note(suite(), signed_);
  const std::string text = checkpoint_note_text(checkpoint_);
  ASSERT_EQ(note.substr(0, text.size() + 1), text + "\n");
  size_t lines = 0;
  for (size_t at = text.size() + 1; at < note.size(); at = note.find('\n', at) + 1) {
    EXPECT_EQ(note.substr(at, 4), "\xE2\x80\x94 ") << "line " << lines;
    ++lines;
  }
  EXPECT_EQ(lines, 3u);
  EXPECT_NE(note.find("\xE2\x80\x94 pharm-b/n1 "), std::string::npos);

  auto back = checkpoint_from_note(suite(), note, checkpoint_.chain_id, trust_);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, signed_);
  EXPECT_TRUE(verify_checkpoint_quorum(suite(), *back, trust_).ok());
}

TEST_F(CheckpointNoteFixture, SignaturesOfKeysNotPinnedAreIgnored) {
  CheckpointTrust partial = trust_;
  partial.signers.pop_back();  // reg-c/n1 unknown to this reader
  auto back = checkpoint_from_note(suite(), checkpoint_note(suite(), signed_), checkpoint_.chain_id, partial);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->signatures.size(), 2u);
  // Same name, another key: its key ID differs, so the line is not this signer's.
  CheckpointTrust other_key = trust_;
  other_key.signers[0].public_key = suite().generate_keypair()->public_key;
  back = checkpoint_from_note(suite(), checkpoint_note(suite(), signed_), checkpoint_.chain_id, other_key);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->signatures.size(), 2u);
}

TEST_F(CheckpointNoteFixture, AChangedTextOrSignatureFailsVerification) {
  const std::string note = checkpoint_note(suite(), signed_);
  // Every character of the text and of the signatures, changed: refused as a note, or its
  // signatures fail, or (a changed key name or ID) a signature is no longer counted.
  for (size_t i = 0; i < note.size(); ++i) {
    if (note[i] == '\n' || static_cast<unsigned char>(note[i]) >= 0x80) continue;
    std::string changed = note;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    auto back = checkpoint_from_note(suite(), changed, checkpoint_.chain_id, trust_);
    if (!back.ok()) continue;
    bool intact = back->checkpoint == checkpoint_ && back->signatures.size() == 3 &&
                  verify_checkpoint_quorum(suite(), *back, trust_).ok();
    EXPECT_FALSE(intact) << "a change at " << i << " went unnoticed";
  }
}

TEST_F(CheckpointNoteFixture, MalformedNotesAreRefused) {
  const std::string note = checkpoint_note(suite(), signed_);
  const std::string text = checkpoint_note_text(checkpoint_);
  const std::string signatures = note.substr(text.size() + 1);
  auto code_of = [&](const std::string& candidate) {
    auto back = checkpoint_from_note(suite(), candidate, checkpoint_.chain_id, trust_);
    return back.ok() ? std::string("ok") : back.status().code();
  };
  EXPECT_EQ(code_of(note), "ok");
  EXPECT_EQ(code_of(""), "bad_note");
  EXPECT_EQ(code_of(text), "bad_note");                       // no signatures
  EXPECT_EQ(code_of(text + "\n"), "bad_note");                // a blank line, no signature line
  EXPECT_EQ(code_of(note.substr(0, note.size() - 1)), "bad_note");  // no final newline
  EXPECT_EQ(code_of(text + "extra line\n\n" + signatures), "bad_note");
  std::string zero_padded = text;
  zero_padded.replace(zero_padded.find("\n70000\n"), 7, "\n070000\n");
  EXPECT_EQ(code_of(zero_padded + "\n" + signatures), "bad_note");  // a leading zero in the size
  std::string tabbed = note;
  tabbed[text.size() + 5] = '\t';
  EXPECT_EQ(code_of(tabbed), "bad_note");
  EXPECT_EQ(code_of(text + "\n- hosp-a/n1 AAAA\n"), "bad_note");   // not an em dash
  EXPECT_EQ(code_of(text + "\n\xE2\x80\x94 hosp+a/n1 AAAAAAAA\n"), "bad_note");
  EXPECT_EQ(code_of(text + "\n\xE2\x80\x94 hosp-a/n1 !!!!\n"), "bad_note");
  // Not UTF-8, even in the name of a key nobody trusts (whose line would otherwise be ignored).
  EXPECT_EQ(code_of(note + "\xE2\x80\x94 \xFF AAAAAAAA\n"), "bad_note");
  EXPECT_EQ(code_of(note + "\xE2\x80\x94 x/y AAAAAAAA\n"), "ok");
  EXPECT_EQ(code_of(std::string(kMaxNoteBytes + 1, 'a')), "bad_note");
  std::string many = text + "\n";
  for (size_t i = 0; i <= kMaxNoteSignatures; ++i) many += "\xE2\x80\x94 x/y AAAAAAAA\n";
  EXPECT_EQ(code_of(many), "bad_note");
  // Another chain's checkpoint is not this chain's.
  auto other = checkpoint_from_note(suite(), note, filled(0xc2), trust_);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), "wrong_chain");
}

TEST(CheckpointNoteKeyIdTest, TheSm2SuiteHasItsOwnKeyIds) {
  auto key = sm2_sm3().generate_keypair();
  ASSERT_TRUE(key.ok());
  EXPECT_NE(note_key_id(sm2_sm3(), "hosp-a/n1", key->public_key),
            note_key_id(ed25519_sha256(), "hosp-a/n1", key->public_key));
  EXPECT_NE(note_key_id(sm2_sm3(), "hosp-a/n1", key->public_key),
            note_key_id(sm2_sm3(), "hosp-a/n2", key->public_key));
}

}  // namespace
}  // namespace medtrail::ledger
