#include "medtrail/ledger/checkpoint.h"

#include <set>

#include "medtrail/ledger/checkpoint_note.h"

namespace medtrail::ledger {
namespace {
const TrustedSigner* find_signer(const CheckpointTrust& trust, const std::string& id) {
  for (const auto& s : trust.signers) {
    if (s.signer == id) return &s;
  }
  return nullptr;
}
}  // namespace

Bytes checkpoint_signing_bytes(const Checkpoint& cp) {
  std::string text = checkpoint_note_text(cp);
  return Bytes(text.begin(), text.end());
}

Result<CheckpointSignature> sign_checkpoint(const CryptoSuite& suite, const Checkpoint& cp,
                                            const std::string& signer, const KeyPair& key) {
  auto sig = suite.sign(key, checkpoint_signing_bytes(cp));
  if (!sig.ok()) return sig.status();
  return CheckpointSignature{signer, key.public_key, std::move(sig).value()};
}

Status verify_checkpoint_signatures(const CryptoSuite& suite, const SignedCheckpoint& signed_cp) {
  Bytes message = checkpoint_signing_bytes(signed_cp.checkpoint);
  for (const auto& s : signed_cp.signatures) {
    if (!suite.verify(s.public_key, message, s.signature)) {
      return Status::error("checkpoint_bad_signature",
                           "checkpoint signature by " + s.signer + " does not verify");
    }
  }
  return {};
}

Status verify_checkpoint_quorum(const CryptoSuite& suite, const SignedCheckpoint& signed_cp,
                                const CheckpointTrust& trust) {
  MEDTRAIL_RETURN_IF_ERROR(verify_checkpoint_signatures(suite, signed_cp));
  return check_checkpoint_quorum(signed_cp, trust);
}

Status check_checkpoint_quorum(const SignedCheckpoint& signed_cp, const CheckpointTrust& trust) {
  std::set<std::string> orgs;
  for (const auto& s : signed_cp.signatures) {
    const TrustedSigner* trusted = find_signer(trust, s.signer);
    if (trusted == nullptr || trusted->public_key != s.public_key) {
      return Status::error("checkpoint_untrusted_signer",
                           "checkpoint signed by " + s.signer + " with a key genesis does not pin");
    }
    orgs.insert(trusted->org);
  }
  if (orgs.size() < trust.quorum) {
    return Status::error("checkpoint_no_quorum",
                         "checkpoint at height " + std::to_string(signed_cp.checkpoint.height) +
                             " is signed by " + std::to_string(orgs.size()) +
                             " organisation(s), quorum is " + std::to_string(trust.quorum));
  }
  return {};
}

}  // namespace medtrail::ledger
