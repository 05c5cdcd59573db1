#include "core/envelope_screen.h"

namespace medtrail::node {

ScreenedEnvelope screen_envelope(const ledger::ChainStore& store, const SignerDirectory& signers,
                                 const ledger::Envelope& envelope) {
  return screen_envelope(store, signers, envelope, ledger::record_hash(store.suite(), envelope));
}

ScreenedEnvelope screen_envelope(const ledger::ChainStore& store, const SignerDirectory& signers,
                                 const ledger::Envelope& envelope, const ledger::Hash& record_hash) {
  const ledger::CryptoSuite& suite = store.suite();
  ScreenedEnvelope s;
  s.hash = record_hash;
  s.id = ledger::to_hex(s.hash);
  if (envelope.suite != suite.name()) {
    s.code = "wrong_suite";
    s.message = "the chain uses " + std::string(suite.name());
    return s;
  }
  std::optional<ledger::Bytes> key = signers.lookup(store, envelope.signer);
  if (!key) {
    s.code = "unknown_signer";
    s.message = "the chain does not know the signer";
    return s;
  }
  if (auto fields = ledger::validate_envelope(envelope, *key); !fields.ok()) {
    s.code = fields.status().code();
    s.message = fields.status().message();
    return s;
  }
  s.ok = true;
  s.key = std::move(*key);
  return s;
}

}  // namespace medtrail::node
