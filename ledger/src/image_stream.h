#pragma once
// The ledger image format (ledger_image.h) read and written a piece at a time, so that an image
// of any size passes through a few MiB of memory: the string and the file functions share this
// code, only their byte source or sink differs. Private to the ledger library.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "medtrail/ledger/chain_store.h"
#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/ledger_image.h"
#include "medtrail/ledger/status.h"
#include "rocks_status.h"

namespace rocksdb {
struct ReadOptions;
}  // namespace rocksdb

namespace medtrail::ledger::image {

inline constexpr std::string_view kMagic = "MTIMAGE1";
inline constexpr uint8_t kEnd = 0xFF;
// Magic, chain id, end marker, hash: the smallest image.
inline constexpr uint64_t kMinImageBytes = kMagic.size() + kHashSize + 1 + kHashSize;

// The column families an image carries besides meta (which is filtered by key), in the order
// an image holds them; meta entries come last.
inline constexpr ColumnFamily kFamilies[] = {ColumnFamily::kBlocks, ColumnFamily::kLeaves,
                                             ColumnFamily::kMerkle, ColumnFamily::kIndex,
                                             ColumnFamily::kState};

// No key or value the ledger writes comes near this (state values ≤ 1 MiB, envelopes ≤ 96 KiB,
// a block's checkpoints a few hundred KiB): a larger one is refused before it is read, so one
// entry never costs more memory than this.
inline constexpr uint64_t kMaxEntryBytes = 64ull << 20;
// The meta entries are held until the last batch of an install; this bounds them together.
inline constexpr uint64_t kMaxMetaBytes = 64ull << 20;

struct Entry {
  ColumnFamily cf = ColumnFamily::kMeta;
  std::string key;
  std::string value;
};

// The bytes of an image, read from the first to the last.
class Source {
 public:
  virtual ~Source() = default;
  virtual uint64_t size() const = 0;
  // The next `n` bytes, which the caller has checked are there. Errors: `io_error`.
  virtual Status read(char* out, size_t n) = 0;
  // Back to the first byte: an install reads the image twice.
  virtual void rewind() = 0;
};

std::unique_ptr<Source> string_source(std::string_view image);
// Reads through a bounded buffer. Errors: `io_error` (missing, unreadable, not a regular file).
Result<std::unique_ptr<Source>> file_source(const std::string& path);

// Reads one image: header, then entry by entry, then the trailing hash, with every check of
// the format (see next()). The hash is checked last, but it decides the error: any refusal
// before the end first hashes the rest of the image, and an image whose hash does not match
// is refused for that (`bad_image`), one of another chain as `wrong_chain`, and only an intact
// image of this chain for what its structure breaks. So the entries returned before the end
// may come from a damaged image: a caller writes them only where a refusal discards them.
class Parser {
 public:
  Parser(Source& source, const CryptoSuite& suite, const Hash& chain_id,
         const std::vector<std::string>& extra_meta_keys);

  // Reads magic and chain id. Errors: `bad_image`, `wrong_chain`, `io_error`.
  Status start();
  // Reads the next entry into `entry` (reusing its buffers); false once the end marker was read
  // and the trailing hash matched. Refuses (`bad_image`) an unknown column family, a truncated or
  // oversized key or value, a meta key twice or one the image may not set, ledger keys out of
  // order or repeated within a family, bytes after the end marker, no end marker.
  Result<bool> next(Entry& entry);

  // Refuses (`bad_image`) at the end an image whose trailing hash is not `digest`: a second
  // pass over a file must read the image the first pass checked.
  void expect_digest(const Hash& digest) { expected_digest_ = digest; }

  uint64_t entries() const { return entries_; }
  // The trailing hash; valid once next() returned false.
  const Hash& digest() const { return digest_; }

 private:
  Status read_header();
  Result<bool> read_entry(Entry& entry);
  Status read(char* out, size_t n);
  Status read_length(uint64_t& length, const char* what);
  Status check_entry(const Entry& entry);
  // Hashes what remains of the body, checks the trailing hash and the chain id, and returns the
  // first failing of: hash, chain id, `structural`.
  Status conclude(Status structural);

  Source& source_;
  const Hash chain_id_;
  const std::vector<std::string>& extra_meta_keys_;
  std::unique_ptr<Hasher> hasher_;
  uint64_t body_size_ = 0;  // the image without its trailing hash
  uint64_t pos_ = 0;
  bool chain_matches_ = false;
  bool done_ = false;
  Status failure_;  // once next() refused, it refuses again
  uint64_t entries_ = 0;
  uint64_t meta_bytes_ = 0;
  std::set<std::string, std::less<>> meta_keys_;
  std::map<ColumnFamily, std::string> last_key_;
  Hash digest_{};
  std::optional<Hash> expected_digest_;
};

// Where an exported image goes.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status append(std::string_view bytes) = 0;
};

class StringSink final : public Sink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  Status append(std::string_view bytes) override;

 private:
  std::string& out_;
};

// Writes the store's image to `sink` from one RocksDB snapshot (options.at, or one of its
// own) and returns its size. Errors: `too_large` (over `max_bytes`), `io_error`, `cancelled`,
// and the sink's.
Result<uint64_t> encode(const ChainStore& store, const std::vector<std::string>& extra_meta_keys,
                        Sink& sink, uint64_t max_bytes, const ImageExportOptions& options);

// Writes the parser's entries into `store` in bounded batches (ledger_image.h: the install
// protocol), after start() and up to the end marker, then reloads the store. `sync`: the first
// and the last batch are synced. Returns the image's caller-owned meta entries.
Result<std::map<std::string, std::string>> write_entries(
    ChainStore& store, Parser& parser, const std::vector<std::string>& extra_meta_keys,
    const ImageInstallOptions& options, bool sync);

// Shared by the above.
bool meta_key_allowed(std::string_view key, const std::vector<std::string>& extra_meta_keys);
// The meta keys `extra_meta_keys` names in the store, prefixes expanded.
Result<std::vector<std::string>> expand_meta_keys(const ChainStore& store,
                                                  const rocksdb::ReadOptions& read,
                                                  const std::vector<std::string>& extra_meta_keys);

}  // namespace medtrail::ledger::image
