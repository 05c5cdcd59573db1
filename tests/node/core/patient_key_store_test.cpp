// The key service's patient keys (core/patient_key_store.h): drawn once per patient, kept across
// restarts, and destroyed for good by an erasure — at apply, at startup, or at the next use,
// whichever comes first — while a key drawn after the erasure lives on.
#include "core/patient_key_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "medtrail/contracts/erasure.h"
#include "medtrail/contracts/state_codec.h"
#include "medtrail/ledger/sealed_fields.h"
#include "support/chain_fixture.h"
#include "support/memory_state.h"

namespace medtrail::node {
namespace {

const std::string kRef(64, 'd');

std::string bytes_of(const ledger::SecureBytes& key) {
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

class PatientKeyStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<PatientKeyStore> open() {
    auto store = PatientKeyStore::open((dir_.path() / "patient-keys").string());
    EXPECT_TRUE(store.ok()) << store.status().to_string();
    return store.ok() ? std::move(*store) : nullptr;
  }
  void erase(int64_t count) {
    contracts::StoredErasure e;
    e.count = count;
    e.last_record = std::string(64, '0');
    e.last_basis = "consent_withdrawn";
    state_.put(contracts::erased_key(kRef), contracts::encode_value(e));
  }
  std::optional<std::string> key(PatientKeyStore& store, bool create) {
    auto k = store.key_for(kRef, erasure_counts(state_), create);
    EXPECT_TRUE(k.ok()) << k.status().to_string();
    if (!k.ok() || !k->has_value()) return std::nullopt;
    return bytes_of(**k);
  }
  // Whether any file under the store's directory holds `needle`.
  bool on_disk(const std::string& needle) const {
    for (const auto& entry : std::filesystem::recursive_directory_iterator((dir_.path() / "patient-keys").string())) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (content.find(needle) != std::string::npos) return true;
    }
    return false;
  }

  testing::TempDir dir_;
  testing::MemoryState state_;
};

TEST_F(PatientKeyStoreTest, AKeyIsDrawnOnceAndKeptAcrossRestarts) {
  std::string first;
  {
    auto store = open();
    EXPECT_FALSE(key(*store, /*create=*/false).has_value()) << "opening never draws a key";
    first = key(*store, /*create=*/true).value();
    EXPECT_EQ(first.size(), ledger::kPatientKeyBytes);
    EXPECT_EQ(key(*store, true), first);
  }
  auto reopened = open();
  EXPECT_EQ(key(*reopened, false), first);
  EXPECT_NE(key(*reopened, true), std::nullopt);
  EXPECT_NE(reopened->key_for(std::string(64, 'e'), erasure_counts(state_), true).value()->view().size(), 0u);
}

TEST_F(PatientKeyStoreTest, AnErasureDestroysTheKeyAndNoFileOfTheStoreKeepsIt) {
  auto store = open();
  const std::string old = key(*store, true).value();
  erase(1);
  auto destroyed = store->retire(kRef, erasure_counts(state_));
  ASSERT_TRUE(destroyed.ok()) << destroyed.status().to_string();
  EXPECT_TRUE(*destroyed);
  EXPECT_FALSE(key(*store, false).has_value());
  EXPECT_FALSE(on_disk(old)) << "the destroyed key's bytes are still in a file of the store";
  // Cared for again: a new key, which the same erasure does not touch.
  const std::string fresh = key(*store, true).value();
  EXPECT_NE(fresh, old);
  EXPECT_FALSE(*store->retire(kRef, erasure_counts(state_)));
  EXPECT_EQ(key(*store, false), fresh);
}

TEST_F(PatientKeyStoreTest, AKeyFromBeforeAnErasureIsDeadEvenIfRetireNeverRan) {
  std::string old;
  {
    auto store = open();
    old = key(*store, true).value();
  }
  erase(1);  // applied, then the node crashed before retiring the key
  {
    auto store = open();
    // At the next use: refused, destroyed, never handed out again.
    EXPECT_FALSE(key(*store, false).has_value());
    EXPECT_NE(key(*store, true), old);
  }
  erase(2);
  auto store = open();
  auto swept = store->retire_all(erasure_counts(state_));
  ASSERT_TRUE(swept.ok()) << swept.status().to_string();
  EXPECT_EQ(*swept, 1u);
  EXPECT_FALSE(key(*store, false).has_value());
}

TEST_F(PatientKeyStoreTest, AnUnreadableErasureStateFailsClosed) {
  auto store = open();
  ASSERT_TRUE(key(*store, true).has_value());
  state_.put(contracts::erased_key(kRef), "not a stored erasure");
  auto k = store->key_for(kRef, erasure_counts(state_), true);
  EXPECT_FALSE(k.ok());
  EXPECT_EQ(k.status().code(), "state_unreadable");
  EXPECT_FALSE(store->retire(kRef, erasure_counts(state_)).ok());
  // A state that cannot be read at all is no "never erased": nothing is served or drawn.
  const ErasureCount unreadable = [](std::string_view) -> ledger::Result<int64_t> {
    return ledger::Status::error("state_unreadable", "the store failed");
  };
  EXPECT_EQ(store->key_for(std::string(64, 'f'), unreadable, true).status().code(), "state_unreadable");
  EXPECT_EQ(store->key_for(kRef, unreadable, false).status().code(), "state_unreadable");
  EXPECT_FALSE(store->retire_all(unreadable).ok());
}

}  // namespace
}  // namespace medtrail::node
