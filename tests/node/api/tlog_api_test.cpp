// The log in the C2SP tlog-tiles layout against a real single-node stack: hash tiles hold the
// leaf hashes and subtree roots of the node's Merkle log, entry bundles hold the leaves those
// hashes are of — and only a regulator's signed, recorded read gets the bundles.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "medtrail/ledger/block.h"
#include "medtrail/ledger/merkle.h"
#include "medtrail/ledger/tlog_tiles.h"
#include "support/node/api_stack.h"
#include "support/http_client.h"

namespace medtrail::node::api::testing {
namespace {

using medtrail::testing::HttpClient;
using medtrail::testing::HttpResponse;
using nlohmann::json;

std::vector<ledger::Hash> hashes_of(const std::string& tile) {
  std::vector<ledger::Hash> out(tile.size() / ledger::kHashSize);
  for (size_t i = 0; i < out.size(); ++i) {
    std::copy_n(tile.begin() + static_cast<ptrdiff_t>(i * ledger::kHashSize), ledger::kHashSize, out[i].begin());
  }
  return out;
}

// Splits an entry bundle; fails the test on a malformed one.
std::vector<ledger::Bytes> entries_of(const std::string& bundle) {
  std::vector<ledger::Bytes> out;
  size_t at = 0;
  while (at < bundle.size()) {
    EXPECT_LE(at + 2, bundle.size());
    if (at + 2 > bundle.size()) break;
    size_t n = (size_t{static_cast<uint8_t>(bundle[at])} << 8) | static_cast<uint8_t>(bundle[at + 1]);
    at += 2;
    EXPECT_LE(at + n, bundle.size());
    if (at + n > bundle.size()) break;
    out.emplace_back(bundle.begin() + static_cast<ptrdiff_t>(at), bundle.begin() + static_cast<ptrdiff_t>(at + n));
    at += n;
  }
  return out;
}

class TlogApiTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kRecords = 300;  // a full level-0 tile and a partial one

  TlogApiTest() : client_(stack_.port()) {}
  void SetUp() override {
    ASSERT_TRUE(stack_.wait_for_leader());
    inspector_ = stack_.register_person("reg-c", "inspector-li", "inspector");
    doctor_ = stack_.register_person("hosp-a", "dr-wang", "doctor");
    std::vector<ledger::Envelope> batch;
    for (uint64_t i = 1; batch.size() + stack_.store().tree_size() < kRecords; ++i) batch.push_back(stack_.envelope(i));
    for (const RecordStatus& s : stack_.commit_all(std::move(batch))) {
      ASSERT_EQ(s.state, RecordState::kCommitted) << s.code;
    }
    size_ = stack_.store().tree_size();
    ASSERT_GE(size_, kRecords);
    ASSERT_LT(size_, 2 * ledger::kTileWidth);
  }

  HttpResponse signed_get(const Person& who, const std::string& target) {
    return client_.get(target, {{"Authorization", stack_.authorization(who, target)}});
  }

  ApiStack stack_;
  HttpClient client_;
  Person inspector_;
  Person doctor_;
  uint64_t size_ = 0;
};

TEST_F(TlogApiTest, HashTilesHoldTheLeafHashesAndTheSubtreeRoots) {
  const ledger::CryptoSuite& suite = stack_.store().suite();
  HttpResponse full = client_.get("/tile/0/000");
  ASSERT_EQ(full.status, 200) << full.body;
  EXPECT_EQ(full.header("content-type"), "application/octet-stream");
  EXPECT_NE(full.header("cache-control").find("immutable"), std::string::npos);
  const uint64_t width = size_ - ledger::kTileWidth;
  HttpResponse partial = client_.get("/tile/0/001.p/" + std::to_string(width));
  ASSERT_EQ(partial.status, 200) << partial.body;

  std::vector<ledger::Hash> leaves = hashes_of(full.body);
  for (const ledger::Hash& h : hashes_of(partial.body)) leaves.push_back(h);
  ASSERT_EQ(leaves.size(), size_);
  for (uint64_t i = 0; i < size_; ++i) {
    ASSERT_EQ(leaves[i], ledger::leaf_hash(suite, *stack_.store().leaf_at(i))) << "leaf " << i;
  }
  // The tiles alone give the root of the tree: what a tlog client checks against a checkpoint.
  EXPECT_EQ(ledger::merkle_root_of(suite, leaves), *stack_.store().root_at(size_));
  // Level 1: the root of the first 256 leaves.
  HttpResponse level1 = client_.get("/tile/1/000.p/1");
  ASSERT_EQ(level1.status, 200);
  std::vector<ledger::Hash> first(leaves.begin(), leaves.begin() + ledger::kTileWidth);
  EXPECT_EQ(hashes_of(level1.body), std::vector<ledger::Hash>{ledger::merkle_root_of(suite, first)});
}

TEST_F(TlogApiTest, TilesBeyondTheLogAndMalformedPathsAreRefused) {
  const uint64_t width = size_ - ledger::kTileWidth;
  for (const std::string& beyond : {std::string("/tile/0/001"), "/tile/0/001.p/" + std::to_string(width + 1),
                                    std::string("/tile/0/002.p/1"), std::string("/tile/1/000"),
                                    std::string("/tile/2/000.p/1"), std::string("/tile/7/x999/999")}) {
    HttpResponse reply = client_.get(beyond);
    EXPECT_EQ(reply.status, 404) << beyond << " " << reply.body;
  }
  for (const char* bad : {"/tile/0/1", "/tile/0/0001", "/tile/00/000", "/tile/0/x000/001", "/tile/0/000.p/0",
                          "/tile/0/000.p/256", "/tile/64/000", "/tile/0/000.p/1/x", "/tile/entries/1"}) {
    HttpResponse reply = client_.get(bad);
    EXPECT_EQ(reply.status, 400) << bad << " " << reply.body;
    EXPECT_EQ(json::parse(reply.body)["error"]["code"], "bad_tile_path") << bad;
  }
  EXPECT_EQ(client_.get("/tile").status, 404);
  // A single-node chain has no quorum checkpoint to serve as a note.
  HttpResponse note = client_.get("/checkpoint");
  EXPECT_EQ(note.status, 404);
}

TEST_F(TlogApiTest, EntryBundlesHoldTheLeavesAndGoOnlyToARegulatorsRecordedRead) {
  const ledger::CryptoSuite& suite = stack_.store().suite();
  HttpResponse anonymous = client_.get("/tile/entries/000");
  ASSERT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_EQ(json::parse(anonymous.body)["error"]["code"], "auth_required");

  HttpResponse doctor = signed_get(doctor_, "/tile/entries/000");
  ASSERT_EQ(doctor.status, 403) << doctor.body;
  EXPECT_EQ(json::parse(doctor.body)["error"]["code"], "query_not_permitted");

  const uint64_t before = stack_.store().tree_size();
  HttpResponse bundle = signed_get(inspector_, "/tile/entries/000");
  ASSERT_EQ(bundle.status, 200) << bundle.body;
  EXPECT_FALSE(bundle.header("medtrail-receipt").empty());
  // The same bytes for every reader, but each read is recorded: no shared cache may keep it.
  EXPECT_EQ(bundle.header("cache-control"), "private, no-store");
  EXPECT_GT(stack_.store().tree_size(), before);  // the read is on the chain
  std::vector<ledger::Bytes> entries = entries_of(bundle.body);
  ASSERT_EQ(entries.size(), ledger::kTileWidth);
  std::vector<ledger::Hash> tile = hashes_of(client_.get("/tile/0/000").body);
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(ledger::merkle_leaf_hash(suite, entries[i]), tile[i]) << "entry " << i;
    EXPECT_TRUE(ledger::decode_leaf(entries[i]).ok()) << "entry " << i;
  }
  HttpResponse partial = signed_get(inspector_, "/tile/entries/001.p/3");
  ASSERT_EQ(partial.status, 200) << partial.body;
  EXPECT_EQ(entries_of(partial.body).size(), 3u);
  HttpResponse beyond = signed_get(inspector_, "/tile/entries/009");
  EXPECT_EQ(beyond.status, 404) << beyond.body;
}

}  // namespace
}  // namespace medtrail::node::api::testing
