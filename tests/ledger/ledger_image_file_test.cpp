// Ledger images in files: streamed with bounded memory, byte for byte the image a string holds,
// and installed in batches under a marker, so that neither a damaged file nor a crash halfway
// leaves a store that looks like a valid, shorter chain.

#include <malloc.h>
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "ledger/ledger_image_fixture.h"
#include "support/sanitizers.h"
#include "medtrail/ledger/chain_verifier.h"

namespace medtrail::ledger {
namespace {

namespace fs = std::filesystem;

class LedgerImageFileTest : public LedgerImageTest {
 protected:
  // A store with a longer chain of its own, so that what an install leaves is never empty or
  // the source's by accident.
  std::unique_ptr<ChainStore> open_target() {
    auto target = open(dir_.file("target"));
    testing::ChainSpec other;
    other.blocks = 12;
    testing::build_chain(*target, consortium_, other);
    put_meta(*target, "raft_applied_index", "99");
    put_meta(*target, "node_id", "node-2");
    return target;
  }
  std::string exported_file() {
    const std::string path = dir_.file("image");
    auto size = export_ledger_image_file(*source_, extra_, path);
    EXPECT_TRUE(size.ok()) << size.status().to_string();
    return path;
  }
  void expect_source_head(const ChainStore& store) {
    EXPECT_FALSE(store.install_interrupted());
    EXPECT_EQ(store.height(), source_->height());
    EXPECT_EQ(store.tree_size(), source_->tree_size());
    EXPECT_EQ(store.tree_root(), source_->tree_root());
    EXPECT_EQ(store.last_block_hash(), source_->last_block_hash());
    EXPECT_EQ(store.state_map().root(store.height()).value(),
              source_->state_map().root(source_->height()).value());
    VerifyOptions options;
    options.trust = &trust_;
    VerifyReport report = verify_chain(store, options);
    EXPECT_TRUE(report.ok) << report.problem_code << ": " << report.problem;
  }
  // `blocks` more blocks of `leaves` records of about `payload` bytes on the source's chain.
  void grow_source(uint64_t blocks, uint64_t leaves, size_t payload) {
    testing::ChainSpec more;
    more.blocks = blocks;
    more.leaves_per_block = leaves;
    more.payload_size = payload;
    more.first_timestamp_ms = source_->last_timestamp_ms() + 1;
    testing::build_chain(*source_, consortium_, more);
  }
  // A target store's options with memtables of `memtable_bytes` (no fsync, no search index).
  static ChainStoreOptions small_store(size_t memtable_bytes) {
    ChainStoreOptions small;
    small.sync = false;
    small.search_index = false;
    small.memtable_bytes = memtable_bytes;
    return small;
  }
  // A block on top of whatever the store holds.
  static BlockDraft empty_block(const ChainStore& store) {
    BlockDraft draft;
    draft.timestamp_ms = store.last_timestamp_ms() + 1;
    return draft;
  }

  const CheckpointTrust trust_ = consortium_.trust();
};

TEST_F(LedgerImageFileTest, ExportedFileVerifiesAndInstallsIntoAFreshStore) {
  const std::string path = dir_.file("image");
  auto size = export_ledger_image_file(*source_, extra_, path);
  ASSERT_TRUE(size.ok()) << size.status().to_string();
  EXPECT_EQ(*size, fs::file_size(path));
  EXPECT_FALSE(fs::exists(path + ".part"));

  auto info = verify_file(path);
  ASSERT_TRUE(info.ok()) << info.status().to_string();
  EXPECT_EQ(info->height, source_->height());
  EXPECT_EQ(info->tree_size, source_->tree_size());
  EXPECT_EQ(info->tree_root, source_->tree_root());
  EXPECT_EQ(info->extra_meta.at("raft_applied_index"), "12345678");
  EXPECT_EQ(info->extra_meta.at("member/node-4"), "{}");
  EXPECT_FALSE(fs::exists(dir_.file("scratch")));

  auto target = open(dir_.file("target"));
  put_meta(*target, "node_id", "node-2");
  ASSERT_TRUE(install_ledger_image_file(*target, path, extra_).ok());
  expect_source_head(*target);
  EXPECT_EQ(get_meta(*target, "raft_applied_index"), "12345678");
  EXPECT_EQ(get_meta(*target, "member/node-4"), "{}");
  EXPECT_EQ(get_meta(*target, "node_id"), "node-2");  // the node's own keys stay its own
  EXPECT_EQ(target->find_record(record_hash(suite_, source_->leaf_at(5)->envelope)).value(), 5u);
  EXPECT_TRUE(target->append_block(empty_block(*target)).ok());
}

TEST_F(LedgerImageFileTest, FileIsByteIdenticalToTheExportedString) {
  auto image = export_ledger_image(*source_, extra_);
  ASSERT_TRUE(image.ok()) << image.status().to_string();
  const std::string file = read_file(exported_file());
  EXPECT_EQ(file.size(), image->size());
  EXPECT_TRUE(file == *image);  // (not EXPECT_EQ: a mismatch would print both images)
}

TEST_F(LedgerImageFileTest, InstallInSmallBatchesReplacesALongerLedgerEntirely) {
  auto target = open_target();
  ImageInstallOptions small;
  small.batch_bytes = 4096;
  ASSERT_TRUE(install_ledger_image_file(*target, exported_file(), extra_, small).ok());
  expect_source_head(*target);
  EXPECT_FALSE(target->block_at(source_->height() + 1).ok());
  EXPECT_FALSE(target->leaf_at(source_->tree_size()).ok());
  EXPECT_EQ(target->state_map().audit(target->height()).value().root,
            source_->state_map().root(source_->height()).value());
}

// RocksDB flushes past its budget in the background only, and an install writes faster than
// that: without waiting for flushes, the memtables would hold the whole image.
TEST_F(LedgerImageFileTest, InstallKeepsTheMemtablesWithinTheStoresBudget) {
  grow_source(40, 10, 4000);
  const std::string path = exported_file();
  ASSERT_GT(fs::file_size(path), 1u << 20);

  ChainStoreOptions small = small_store(256 << 10);
  auto target =
      ChainStore::open(dir_.file("target"), suite_, testing::test_chain_id(suite_), small).value();
  ImageInstallOptions batches;
  batches.batch_bytes = 64 << 10;
  ASSERT_TRUE(install_ledger_image_file(*target, path, extra_, batches).ok());
  uint64_t memtables = 0;
  for (ColumnFamily f : {ColumnFamily::kBlocks, ColumnFamily::kLeaves, ColumnFamily::kMerkle,
                         ColumnFamily::kIndex, ColumnFamily::kState, ColumnFamily::kMeta}) {
    uint64_t bytes = 0;
    ASSERT_TRUE(target->db()->GetIntProperty(target->column_family(f),
                                             "rocksdb.size-all-mem-tables", &bytes));
    memtables += bytes;
  }
  EXPECT_LE(memtables, small.memtable_bytes);
  expect_source_head(*target);
}

// Peak resident memory of this process since the last reset_peak_memory(), and now (MiB).
double status_mib(const char* field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field, 0) == 0) return std::stod(line.substr(std::strlen(field))) / 1024.0;
  }
  return -1;
}
bool reset_peak_memory() { return static_cast<bool>(std::ofstream("/proc/self/clear_refs") << "5"); }

// The whole point of the file functions: an image several times the memory a node may spend on
// it passes through export, verify and install while the process's peak resident memory grows
// by a bounded amount (an in-memory image would cost its own size at least once).
TEST_F(LedgerImageFileTest, AnImageLargerThanTheMemoryBoundPassesThroughIt) {
  if (medtrail::testing::kUnderSanitizer) {
    GTEST_SKIP() << "a sanitizer's shadow memory and quarantine are not the process's own memory";
  }
  // The bound is what the design lets each step hold, plus room for the allocator and RocksDB's
  // own buffers: the verifier's leaf window, the scratch store's memtables and cache, one install
  // batch, and 32 MiB of slack. Under a parallel ctest, verify was measured at +51 to +68 MiB
  // against the 56 MiB of the named parts.
  const double kBoundMiB =
      static_cast<double>(VerifyOptions{}.window_bytes + kImageScratchMemtableBytes +
                          kImageScratchBlockCacheBytes + ImageInstallOptions{}.batch_bytes +
                          (32 << 20)) /
      (1 << 20);
  grow_source(170, 25, 50000);  // about 212 MB, more than twice the bound
  auto target = ChainStore::open(dir_.file("target"), suite_, testing::test_chain_id(suite_),
                                 small_store(16 << 20))
                    .value();
  const std::string path = dir_.file("image");
  if (!reset_peak_memory()) GTEST_SKIP() << "this kernel cannot reset the peak RSS";

  auto measure = [&](const char* what, const std::function<void()>& step) {
    malloc_trim(0);  // what an earlier step freed must not hide this one's growth
    reset_peak_memory();
    const double before = status_mib("VmRSS:");
    step();
    const double growth = status_mib("VmHWM:") - before;
    std::printf("%s: peak +%.1f MiB\n", what, growth);
    EXPECT_LT(growth, kBoundMiB) << what;
  };
  measure("export", [&] { ASSERT_TRUE(export_ledger_image_file(*source_, extra_, path).ok()); });
  ASSERT_FALSE(HasFatalFailure());
  const double image_mib = static_cast<double>(fs::file_size(path)) / (1 << 20);
  ASSERT_GT(image_mib, 2 * kBoundMiB) << "the image must dwarf the bound";
  measure("verify", [&] {
    auto info = verify_ledger_image_file(path, suite_, testing::test_chain_id(suite_), trust_,
                                         runner_, dir_.file("scratch"), extra_);
    ASSERT_TRUE(info.ok()) << info.status().to_string();
  });
  ASSERT_FALSE(HasFatalFailure());
  measure("install", [&] { ASSERT_TRUE(install_ledger_image_file(*target, path, extra_).ok()); });
  expect_source_head(*target);
}

TEST_F(LedgerImageFileTest, FlippedByteIsRefusedAndLeavesTheLiveStoreUntouched) {
  const std::string image = read_file(exported_file());
  auto target = open_target();
  const uint64_t height = target->height();
  const Hash root = target->tree_root();
  const std::string path = dir_.file("damaged");
  // In the magic, the chain id, an entry, the end marker's neighbourhood and the hash.
  for (size_t at : {size_t{3}, size_t{20}, size_t{100}, image.size() / 2,
                    image.size() - kHashSize - 2, image.size() - 1}) {
    std::string damaged = image;
    damaged[at] ^= 0x01;
    write_file(path, damaged);
    EXPECT_EQ(verify_file(path).status().code(), "bad_image") << at;
    EXPECT_EQ(install_ledger_image_file(*target, path, extra_).code(), "bad_image") << at;
    EXPECT_EQ(target->height(), height) << at;
    EXPECT_EQ(target->tree_root(), root) << at;
    EXPECT_FALSE(target->install_interrupted()) << at;
    EXPECT_EQ(get_meta(*target, "raft_applied_index"), "99") << at;
  }
  target.reset();
  auto reopened = open(dir_.file("target"));
  EXPECT_EQ(reopened->height(), height);
  EXPECT_EQ(reopened->tree_root(), root);
  EXPECT_FALSE(reopened->install_interrupted());
}

TEST_F(LedgerImageFileTest, TruncatedFileIsRefused) {
  const std::string image = read_file(exported_file());
  auto target = open_target();
  const Hash root = target->tree_root();
  const std::string path = dir_.file("truncated");
  for (size_t length : {size_t{0}, size_t{50}, image.size() / 2, image.size() - 1}) {
    write_file(path, image.substr(0, length));
    EXPECT_EQ(verify_file(path).status().code(), "bad_image") << length;
    EXPECT_EQ(install_ledger_image_file(*target, path, extra_).code(), "bad_image") << length;
    EXPECT_EQ(target->tree_root(), root) << length;
  }
  EXPECT_EQ(verify_file(dir_.file("no-such-file")).status().code(), "io_error");
}

TEST_F(LedgerImageFileTest, ExportRefusesAnExistingPath) {
  const std::string path = dir_.file("image");
  write_file(path, "someone else's");
  auto size = export_ledger_image_file(*source_, extra_, path);
  EXPECT_EQ(size.status().code(), "file_exists");
  EXPECT_EQ(read_file(path), "someone else's");
  EXPECT_FALSE(fs::exists(path + ".part"));
}

TEST_F(LedgerImageFileTest, FailedExportLeavesNoPartFile) {
  // A file size limit makes write() fail part-way, as a full disk would.
  const std::string path = dir_.file("image");
  rlimit previous{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &previous), 0);
  rlimit small = previous;
  small.rlim_cur = 4096;
  auto previous_handler = signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  auto size = export_ledger_image_file(*source_, extra_, path);
  setrlimit(RLIMIT_FSIZE, &previous);
  signal(SIGXFSZ, previous_handler);
  EXPECT_EQ(size.status().code(), "io_error") << size.status().to_string();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".part"));

  EXPECT_EQ(
      export_ledger_image_file(*source_, extra_, dir_.file("no-such-dir/image")).status().code(),
      "io_error");
}

TEST_F(LedgerImageFileTest, APartFileLeftByACrashIsReplaced) {
  const std::string path = dir_.file("image");
  write_file(path + ".part", "half an image");
  ASSERT_TRUE(export_ledger_image_file(*source_, extra_, path).ok());
  EXPECT_TRUE(read_file(path) == export_ledger_image(*source_, extra_).value());
  EXPECT_FALSE(fs::exists(path + ".part"));
}

TEST_F(LedgerImageFileTest, ExportReadsTheCallersSnapshotWhileTheChainGrows) {
  const std::string before = export_ledger_image(*source_, extra_).value();
  const rocksdb::Snapshot* at = source_->db()->GetSnapshot();
  ASSERT_TRUE(source_->append_block(empty_block(*source_)).ok());
  ImageExportOptions options;
  options.at = at;
  const std::string path = dir_.file("image");
  auto size = export_ledger_image_file(*source_, extra_, path, options);
  source_->db()->ReleaseSnapshot(at);
  ASSERT_TRUE(size.ok()) << size.status().to_string();
  EXPECT_TRUE(read_file(path) == before);
  EXPECT_FALSE(read_file(path) == export_ledger_image(*source_, extra_).value());
}

TEST_F(LedgerImageFileTest, CancelledExportStopsAndLeavesNoFile) {
  std::atomic<bool> cancel{true};
  ImageExportOptions options;
  options.cancel = &cancel;
  const std::string path = dir_.file("image");
  EXPECT_EQ(export_ledger_image_file(*source_, extra_, path, options).status().code(), "cancelled");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".part"));
}

// What a crash after `stop_after_batches` batches leaves: an empty chain marked unfinished,
// never a shorter chain the node would build on.
class InterruptedInstallTest : public LedgerImageFileTest,
                               public ::testing::WithParamInterface<uint64_t> {};

// Every ledger entry written, the last batch (meta, head, the marker's removal) not; and with the
// state map rebuilt too (the source's state is one part of the rebuild: one batch).
constexpr uint64_t kBeforeTheStateMap = ~uint64_t{0};
constexpr uint64_t kBeforeTheLastBatch = ~uint64_t{0} - 1;

TEST_P(InterruptedInstallTest, LeavesAMarkedEmptyStoreThatASecondInstallCompletes) {
  const std::string path = exported_file();
  auto info = verify_file(path);
  ASSERT_TRUE(info.ok()) << info.status().to_string();
  const uint64_t meta_entries = ChainStore::own_meta_keys().size() + info->extra_meta.size();
  auto target = open_target();
  ImageInstallOptions crash;
  crash.batch_bytes = 1;  // an entry per batch: the ledger families take many
  // The first batch, then one per ledger entry.
  const uint64_t entries_written = 1 + info->entries - meta_entries;
  crash.stop_after_batches = GetParam() == kBeforeTheStateMap    ? entries_written
                             : GetParam() == kBeforeTheLastBatch ? entries_written + 1
                                                                 : GetParam();
  EXPECT_EQ(install_ledger_image_file(*target, path, extra_, crash).code(), "interrupted");
  EXPECT_TRUE(target->install_interrupted());  // the store the node holds knows it too
  EXPECT_EQ(target->height(), 0u);
  if (GetParam() == kBeforeTheLastBatch) {  // the state map was rebuilt: the crash came after
    std::unique_ptr<rocksdb::Iterator> map(target->db()->NewIterator(
        rocksdb::ReadOptions(), target->column_family(ColumnFamily::kStateMap)));
    map->SeekToFirst();
    EXPECT_TRUE(map->Valid());
  }
  target.reset();

  target = open(dir_.file("target"));
  EXPECT_TRUE(target->install_interrupted());
  EXPECT_EQ(target->height(), 0u);
  EXPECT_EQ(target->tree_size(), 0u);
  const VerifyReport half = verify_chain(*target, VerifyOptions());
  EXPECT_FALSE(half.ok) << "an empty chain, but not a valid one";
  EXPECT_EQ(half.problem_code, "install_interrupted");
  EXPECT_EQ(get_meta(*target, "raft_applied_index"), "");  // no claim to any applied entry
  EXPECT_EQ(get_meta(*target, "node_id"), "node-2");
  auto appended = target->append_block(empty_block(*target));
  EXPECT_EQ(appended.status().code(), "install_interrupted");
  const Hash record = record_hash(suite_, source_->leaf_at(0)->envelope);
  EXPECT_EQ(target->find_record(record).status().code(), "not_found");  // half an index

  ASSERT_TRUE(install_ledger_image_file(*target, path, extra_).ok());
  expect_source_head(*target);
  EXPECT_FALSE(target->block_at(source_->height() + 1).ok());  // nothing of the old chain stays
  EXPECT_TRUE(target->append_block(empty_block(*target)).ok());
  target.reset();
  EXPECT_FALSE(open(dir_.file("target"))->install_interrupted());
}

INSTANTIATE_TEST_SUITE_P(AfterBatches, InterruptedInstallTest,
                         ::testing::Values(1u, 2u, 40u, kBeforeTheStateMap, kBeforeTheLastBatch));

TEST_F(LedgerImageFileTest, InstallFromAStringIsBatchedAndMarkedToo) {
  const std::string image = export_ledger_image(*source_, extra_).value();
  auto target = open_target();
  ImageInstallOptions crash;
  crash.batch_bytes = 1;
  crash.stop_after_batches = 3;
  EXPECT_EQ(install_ledger_image(*target, image, extra_, crash).code(), "interrupted");
  EXPECT_TRUE(target->install_interrupted());
  ASSERT_TRUE(install_ledger_image(*target, image, extra_).ok());
  expect_source_head(*target);
}

TEST_F(LedgerImageFileTest, ImageCarryingTheInstallMarkerIsRefused) {
  const std::vector<std::string> own = ChainStore::own_meta_keys();
  EXPECT_EQ(std::count(own.begin(), own.end(), std::string(kInstallMarkerMetaKey)), 0);
  const std::string image = export_ledger_image(*source_, extra_).value();
  const std::string marked =
      sealed_with(image, image_entry(ColumnFamily::kMeta, std::string(kInstallMarkerMetaKey), ""));
  EXPECT_EQ(verify(marked).status().code(), "bad_image");
  // Not even when the caller names it among its own keys.
  std::vector<std::string> naming = extra_;
  naming.emplace_back(kInstallMarkerMetaKey);
  auto info = verify_ledger_image(marked, suite_, testing::test_chain_id(suite_), trust_, runner_,
                                  dir_.file("scratch"), naming);
  EXPECT_EQ(info.status().code(), "bad_image");
  auto target = open_target();
  const uint64_t height = target->height();
  EXPECT_EQ(install_ledger_image(*target, marked, naming).code(), "bad_image");
  EXPECT_EQ(target->height(), height);
  EXPECT_FALSE(target->install_interrupted());
}

TEST_F(LedgerImageFileTest, HostileLengthIsRefusedBeforeAnythingIsAllocated) {
  const std::string image = export_ledger_image(*source_, extra_).value();
  const std::string header = image.substr(0, 8 + kHashSize);  // magic, chain id
  auto target = open_target();
  const std::string path = dir_.file("hostile");
  // Allocating any of these throws (or takes all memory) instead of refusing.
  for (uint64_t length : {uint64_t{1} << 62, uint64_t{1} << 40, ~uint64_t{0}}) {
    std::string as_key(1, static_cast<char>(ColumnFamily::kBlocks));
    append_be64(as_key, length);
    as_key += "abc";
    std::string as_value(1, static_cast<char>(ColumnFamily::kLeaves));
    append_be64(as_value, 1);
    as_value += "k";
    append_be64(as_value, length);
    as_value += "abc";
    for (const std::string& entry : {as_key, as_value}) {
      write_file(path, seal(header + entry));  // the hash matches: only the length is wrong
      EXPECT_EQ(verify_file(path).status().code(), "bad_image") << length;
      EXPECT_EQ(install_ledger_image_file(*target, path, extra_).code(), "bad_image") << length;
      EXPECT_EQ(verify(seal(header + entry)).status().code(), "bad_image") << length;
    }
  }
  EXPECT_EQ(target->height(), 12u);
}

}  // namespace
}  // namespace medtrail::ledger
