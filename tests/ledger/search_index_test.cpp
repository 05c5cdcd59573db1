// The search index: each block lists its leaves by kind, rejected, organisation and actor in the
// block's own batch; a store without it (older data, an installed image, a tool that does not
// index) is caught up on open; images never carry it; time ranges map to leaf ranges by headers.
#include "medtrail/ledger/search_index.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "medtrail/ledger/ledger_image.h"
#include "support/chain_fixture.h"

namespace medtrail::ledger {
namespace {

using testing::TempDir;
using testing::TestConsortium;

constexpr uint64_t kT0 = 1'790'000'000'000;

class SearchIndexTest : public ::testing::Test {
 protected:
  std::unique_ptr<ChainStore> open(const std::string& dir, bool search_index = true,
                                   std::vector<std::pair<uint64_t, uint64_t>>* progress = nullptr) {
    ChainStoreOptions o;
    o.sync = false;
    o.search_index = search_index;
    if (progress != nullptr) {
      o.search_index_progress = [progress](uint64_t done, uint64_t total) { progress->emplace_back(done, total); };
    }
    auto store = ChainStore::open(dir, suite_, testing::test_chain_id(suite_), o);
    EXPECT_TRUE(store.ok()) << store.status().to_string();
    return std::move(store).value();
  }
  LeafDraft leaf(const std::string& kind, const std::string& org, const std::string& name, bool accepted) {
    const std::string payload = testing::make_payload(org, name, ++nonce_, 0, kind);
    LeafDraft d{sign_envelope(to_bytes(payload), consortium_.author).value(), consortium_.author.public_key,
                ExecutionResult::accept()};
    if (!accepted) d.result = ExecutionResult::reject("already_dispensed", "dispensed elsewhere");
    return d;
  }
  // Block n (from 0) at kT0 + 1000 n: rx.dispense by pharm-b (rejected when leaf 1 of the block),
  // tableware.batch by disinf-d (rejected in odd blocks), access.query by hosp-a.
  void append(ChainStore& store, int blocks) {
    for (int n = 0; n < blocks; ++n) {
      BlockDraft draft;
      draft.timestamp_ms = kT0 + 1000 * static_cast<uint64_t>(store.height());
      const bool odd = store.height() % 2 == 1;
      draft.leaves.push_back(leaf("rx.dispense", "pharm-b", "li", true));
      draft.leaves.push_back(leaf("rx.dispense", "pharm-b", "li", false));
      draft.leaves.push_back(leaf("tableware.batch", "disinf-d", "op", !odd));
      draft.leaves.push_back(leaf("access.query", "hosp-a", "zhao", true));
      ASSERT_TRUE(store.append_block(draft).ok());
    }
  }
  static std::vector<uint64_t> list(const ChainStore& store, SearchList which, std::string_view value = {},
                                    uint64_t first = 0, uint64_t end = UINT64_MAX) {
    auto got = listed_leaves(store, ColumnFamily::kIndex, search_prefix(which, value), first, end, 1000);
    EXPECT_TRUE(got.ok());
    return got.ok() ? got->leaves : std::vector<uint64_t>{};
  }
  static size_t index_entries(const ChainStore& store) {
    std::unique_ptr<rocksdb::Iterator> it(
        store.db()->NewIterator(rocksdb::ReadOptions(), store.column_family(ColumnFamily::kIndex)));
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    return n;
  }

  const CryptoSuite& suite_ = ed25519_sha256();
  TempDir dir_;
  TestConsortium consortium_{suite_};
  uint64_t nonce_ = 0;
};

TEST_F(SearchIndexTest, EachBlockListsItsLeavesByKindResultOrganisationAndActor) {
  auto store = open(dir_.file("db"));
  append(*store, 3);  // leaves 0..11, blocks of four
  EXPECT_EQ(list(*store, SearchList::kKind, "rx.dispense"), (std::vector<uint64_t>{0, 1, 4, 5, 8, 9}));
  EXPECT_EQ(list(*store, SearchList::kRejectedKind, "rx.dispense"), (std::vector<uint64_t>{1, 5, 9}));
  EXPECT_EQ(list(*store, SearchList::kRejectedKind, "tableware.batch"), (std::vector<uint64_t>{6}));
  EXPECT_EQ(list(*store, SearchList::kRejected), (std::vector<uint64_t>{1, 5, 6, 9}));
  EXPECT_EQ(list(*store, SearchList::kKind, "access.query"), (std::vector<uint64_t>{3, 7, 11}));
  EXPECT_EQ(list(*store, SearchList::kRejectedKind, "access.query"), std::vector<uint64_t>{});
  EXPECT_EQ(list(*store, SearchList::kOrg, "disinf-d"), (std::vector<uint64_t>{2, 6, 10}));
  EXPECT_EQ(list(*store, SearchList::kActor, "pharm-b/li"), (std::vector<uint64_t>{0, 1, 4, 5, 8, 9}));
  EXPECT_EQ(list(*store, SearchList::kActor, "pharm-b"), std::vector<uint64_t>{}) << "a prefix is one whole name";
  // A leaf range bounds the list, and `max` cuts it with `truncated`.
  EXPECT_EQ(list(*store, SearchList::kRejected, {}, 2, 9), (std::vector<uint64_t>{5, 6}));
  auto cut = listed_leaves(*store, ColumnFamily::kIndex, search_prefix(SearchList::kRejected), 0, UINT64_MAX, 2);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->leaves, (std::vector<uint64_t>{1, 5}));
  EXPECT_TRUE(cut->truncated);
  auto whole = listed_leaves(*store, ColumnFamily::kIndex, search_prefix(SearchList::kRejected), 0, UINT64_MAX, 4);
  ASSERT_TRUE(whole.ok());
  EXPECT_FALSE(whole->truncated);
}

TEST_F(SearchIndexTest, AStoreWithoutTheIndexIsIndexedWhenOpenedAndReportsProgress) {
  {
    auto store = open(dir_.file("db"), /*search_index=*/false);
    append(*store, 3);
    EXPECT_EQ(index_entries(*store), 12u) << "record ids only";
  }
  auto reference = open(dir_.file("reference"));
  append(*reference, 3);
  std::vector<std::pair<uint64_t, uint64_t>> progress;
  auto store = open(dir_.file("db"), true, &progress);
  EXPECT_EQ(index_entries(*store), index_entries(*reference));
  EXPECT_EQ(list(*store, SearchList::kRejected), (std::vector<uint64_t>{1, 5, 6, 9}));
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), (std::pair<uint64_t, uint64_t>{12, 12}));
  // Appends go on from there, and a store that is up to date is not indexed again.
  append(*store, 1);
  EXPECT_EQ(list(*store, SearchList::kRejected), (std::vector<uint64_t>{1, 5, 6, 9, 13, 14}));
  store.reset();
  progress.clear();
  store = open(dir_.file("db"), true, &progress);
  EXPECT_TRUE(progress.empty());
  EXPECT_EQ(list(*store, SearchList::kKind, "tableware.batch"), (std::vector<uint64_t>{2, 6, 10, 14}));
}

TEST_F(SearchIndexTest, BlocksAppendedWithoutIndexingAreCaughtUpFromWhereTheIndexStops) {
  {
    auto store = open(dir_.file("db"));
    append(*store, 2);
  }
  {
    auto store = open(dir_.file("db"), /*search_index=*/false);
    append(*store, 1);
  }
  std::vector<std::pair<uint64_t, uint64_t>> progress;
  auto store = open(dir_.file("db"), true, &progress);
  EXPECT_EQ(progress, (std::vector<std::pair<uint64_t, uint64_t>>{{12, 12}}));
  EXPECT_EQ(list(*store, SearchList::kRejected), (std::vector<uint64_t>{1, 5, 6, 9}));
}

TEST_F(SearchIndexTest, ImagesCarryRecordIdsOnlyAndTheInstallingStoreIndexesTheLeaves) {
  auto source = open(dir_.file("source"));
  append(*source, 3);
  auto image = export_ledger_image(*source, {});
  ASSERT_TRUE(image.ok());
  InlineRunner runner;
  ASSERT_TRUE(
      verify_ledger_image(*image, suite_, testing::test_chain_id(suite_), consortium_.trust(), runner,
                          dir_.file("scratch"), {})
          .ok())
      << "an image carrying search entries would fail the image's index check";
  auto target = open(dir_.file("target"));
  append(*target, 5);  // a longer, different ledger whose lists must all go
  ASSERT_TRUE(install_ledger_image(*target, *image, {}).ok());
  EXPECT_EQ(index_entries(*target), index_entries(*source));
  EXPECT_EQ(list(*target, SearchList::kRejected), (std::vector<uint64_t>{1, 5, 6, 9}));
  EXPECT_EQ(list(*target, SearchList::kOrg, "disinf-d"), (std::vector<uint64_t>{2, 6, 10}));
}

TEST_F(SearchIndexTest, TimesMapToTheFirstLeafOfTheFirstBlockAtOrAfterThem) {
  auto store = open(dir_.file("db"));
  EXPECT_EQ(first_leaf_at_or_after(*store, kT0).value(), std::nullopt) << "an empty chain";
  append(*store, 5);  // block h at kT0 + 1000 (h - 1), leaves 4 (h - 1) ..
  BlockDraft empty;  // an empty block at the same time as the last
  empty.timestamp_ms = kT0 + 4000;
  ASSERT_TRUE(store->append_block(empty).ok());
  EXPECT_EQ(first_leaf_at_or_after(*store, 0).value(), 0u);
  EXPECT_EQ(first_leaf_at_or_after(*store, kT0).value(), 0u);
  EXPECT_EQ(first_leaf_at_or_after(*store, kT0 + 1).value(), 4u);
  EXPECT_EQ(first_leaf_at_or_after(*store, kT0 + 2000).value(), 8u);
  EXPECT_EQ(first_leaf_at_or_after(*store, kT0 + 3999).value(), 16u);
  EXPECT_EQ(first_leaf_at_or_after(*store, kT0 + 4000).value(), 16u);
  EXPECT_EQ(first_leaf_at_or_after(*store, kT0 + 4001).value(), std::nullopt) << "later than every block";
}

}  // namespace
}  // namespace medtrail::ledger
