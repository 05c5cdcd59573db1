// The witness's add-checkpoint (client/cli/witness.h): the bytes any network client sends it.
// An input is "<setup>\0<request>" or "<request>": a fresh witness takes the setup request first
// (so that 409s, consistency proofs and same-size roots are reached from a cosigned tree, each
// input on its own), then the request. Every answer is one the protocol names, and a witness
// that answered 200 stands at the checkpoint's size, never below the size it stood at before.
#include <unistd.h>

#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "medtrail/ledger/crypto_suite.h"
#include "support/chain_fixture.h"
#include "witness.h"

using namespace medtrail;

namespace {

// Shared with make_seeds (the "witness" corpus): the consortium whose keys sign the seeds.
constexpr uint8_t kConsortiumSeed = 40;

struct Fixture {
  Fixture() {
    const ledger::CryptoSuite& suite = ledger::ed25519_sha256();
    testing::TestConsortium consortium(suite, kConsortiumSeed);
    genesis = consortium.genesis(suite, testing::test_chain_id(suite));
    key = suite.keypair_from_secret(ledger::Bytes(32, 7)).value();
    state = dir.file("witness.json");
  }
  testing::TempDir dir;
  ledger::LoadedGenesis genesis;
  ledger::KeyPair key;
  std::string state;
};

bool protocol_status(int status) {
  for (int s : {200, 400, 403, 404, 409, 422, 500}) {
    if (status == s) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  static Fixture* f = new Fixture();
  const std::string_view input = fuzz::as_text(data, size);
  const size_t split = input.find('\0');
  ::unlink(f->state.c_str());
  auto witness = cli::Witness::open(f->genesis, "witness.example/fuzz", f->key, f->state, true);
  fuzz::check(witness.ok(), "a fresh witness opens", witness.status().message());
  if (split != std::string_view::npos) {
    const cli::WitnessReply setup = (*witness)->add_checkpoint(input.substr(0, split), 1);
    fuzz::check(protocol_status(setup.status), "the setup's answer is the protocol's");
  }
  const uint64_t before = (*witness)->tree_size();
  const std::string_view request =
      split == std::string_view::npos ? input : input.substr(split + 1);
  const cli::WitnessReply reply = (*witness)->add_checkpoint(request, 2);
  fuzz::check(protocol_status(reply.status), "the answer is the protocol's",
              std::to_string(reply.status));
  const uint64_t after = (*witness)->tree_size();
  fuzz::check(after >= before, "the witness never goes back");
  fuzz::check(reply.status == 200 || after == before, "only a cosignature moves the witness");
  if (reply.status == 409) {
    fuzz::check(reply.body == std::to_string(before) + "\n", "a conflict names the size");
  }
  return 0;
}
