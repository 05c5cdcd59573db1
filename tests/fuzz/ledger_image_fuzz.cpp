// A ledger image (a snapshot a peer sends a node that is far behind, ledger/ledger_image.h) and
// the checkpoint trust it is verified against. Input: one byte n (at most 3), n 32-byte node
// keys (the trust: "hosp-a/node-1", "pharm-b/node-2", "reg-c/node-3", quorum 2), then the image.
// The target recomputes the image's trailing hash, as a sender that damages an image on purpose
// would, so mutations reach the chain verifier instead of stopping at the transport hash.
// Properties: a refusal is one of the documented codes; an image that verifies installs into an
// empty store, and the store's head is then what verification reported.
#include <unistd.h>

#include <filesystem>
#include <set>

#include "fuzz_check.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/ledger_image.h"
#include "support/chain_fixture.h"

using namespace medtrail;
namespace fs = std::filesystem;

namespace {

// TestConsortium's node ids (tests/support/chain_fixture.cpp), whose keys sign the seed image.
constexpr const char* kNodeIds[] = {"hosp-a/node-1", "pharm-b/node-2", "reg-c/node-3"};
const std::vector<std::string> kExtraMeta{"raft_applied_index", "member/"};

// Scratch stores in memory-backed storage when there is some: RocksDB opens one per input.
fs::path scratch_root() {
  static const fs::path root = [] {
    fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    fs::path dir = base / ("medtrail-fuzz-image-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
  }();
  return root;
}

struct RemoveAfter {
  fs::path path;
  ~RemoveAfter() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  const ledger::CryptoSuite& suite = ledger::ed25519_sha256();
  if (size < 1) return -1;
  const size_t keys = data[0];
  if (keys > 3 || size < 1 + keys * 32) return -1;
  ledger::CheckpointTrust trust;
  trust.quorum = 2;
  for (size_t i = 0; i < keys; ++i) {
    const unsigned char* key = data + 1 + i * 32;
    std::string id = kNodeIds[i];
    trust.signers.push_back({id, id.substr(0, id.find('/')), ledger::Bytes(key, key + 32)});
  }
  std::string image(reinterpret_cast<const char*>(data + 1 + keys * 32), size - 1 - keys * 32);
  if (image.size() < ledger::kHashSize) return -1;
  const std::string_view body(image.data(), image.size() - ledger::kHashSize);
  const ledger::Hash digest = suite.hash(ledger::as_bytes(body));
  std::copy(digest.begin(), digest.end(), image.begin() + static_cast<std::ptrdiff_t>(body.size()));

  const ledger::Hash chain_id = testing::test_chain_id(suite);  // the seed image's (make_seeds)
  ledger::InlineRunner runner;
  RemoveAfter scratch{scratch_root() / "verify"};
  auto info = ledger::verify_ledger_image(image, suite, chain_id, trust, runner, scratch.path.string(), kExtraMeta);
  if (!info.ok()) {
    const std::string& code = info.status().code();
    fuzz::check(!code.empty() && code != "io_error" && code != "corruption",
                "a damaged image is refused for what it is, not as a failing disk", info.status().to_string());
    return 0;
  }
  RemoveAfter target{scratch_root() / "install"};
  auto store = ledger::ChainStore::open(target.path.string(), suite, chain_id);
  fuzz::check(store.ok(), "an empty store opens");
  fuzz::check(ledger::install_ledger_image(**store, image, kExtraMeta).ok(), "a verified image installs");
  fuzz::check((*store)->height() == info->height && (*store)->tree_size() == info->tree_size &&
                  (*store)->tree_root() == info->tree_root,
              "the installed head is the verified head");
  return 0;
}
