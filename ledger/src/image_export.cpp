// Exporting a ledger image: into a string, or into a file through a bounded buffer.
#include <fcntl.h>
#include <rocksdb/db.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>

#include "exclusive_file.h"
#include "image_stream.h"

namespace medtrail::ledger {
namespace image {
namespace {

constexpr size_t kWriteBufferBytes = 1 << 20;

Status io_error(const std::string& what, const std::string& path) {
  return Status::error("io_error", what + " " + path + ": " + std::strerror(errno));
}

class FileSink final : public Sink {
 public:
  FileSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
    buffer_.reserve(kWriteBufferBytes);
  }

  Status append(std::string_view bytes) override {
    if (buffer_.size() + bytes.size() > kWriteBufferBytes) MEDTRAIL_RETURN_IF_ERROR(flush());
    if (bytes.size() >= kWriteBufferBytes) return write_all(bytes);
    buffer_.append(bytes);
    return {};
  }

  Status flush() {
    Status s = write_all(buffer_);
    buffer_.clear();
    return s;
  }

 private:
  Status write_all(std::string_view bytes) { return detail::write_all(fd_, bytes, path_); }

  int fd_;
  std::string path_;
  std::string buffer_;
};

// Hashes and counts what goes to the sink.
class Encoder {
 public:
  Encoder(Sink& sink, const CryptoSuite& suite, uint64_t max_bytes)
      : sink_(sink), hasher_(suite.new_hasher()), max_bytes_(max_bytes) {}

  Status put(std::string_view bytes) {
    MEDTRAIL_RETURN_IF_ERROR(count(bytes.size()));
    hasher_->update(as_bytes(bytes));
    return sink_.append(bytes);
  }

  Status entry(ColumnFamily cf, std::string_view key, std::string_view value) {
    const char family = static_cast<char>(cf);
    MEDTRAIL_RETURN_IF_ERROR(put(std::string_view(&family, 1)));
    std::string length;
    for (std::string_view field : {key, value}) {
      length.clear();
      append_be64(length, field.size());
      MEDTRAIL_RETURN_IF_ERROR(put(length));
      MEDTRAIL_RETURN_IF_ERROR(put(field));
    }
    return {};
  }

  // The end marker and the hash of everything before it.
  Result<uint64_t> finish() {
    const char end = static_cast<char>(kEnd);
    MEDTRAIL_RETURN_IF_ERROR(put(std::string_view(&end, 1)));
    MEDTRAIL_RETURN_IF_ERROR(count(kHashSize));
    const Hash digest = hasher_->finish();
    MEDTRAIL_RETURN_IF_ERROR(sink_.append(as_chars(digest)));
    return bytes_;
  }

 private:
  Status count(uint64_t n) {
    bytes_ += n;
    if (bytes_ > max_bytes_) {
      return Status::error("too_large", "the ledger is larger than an image may be");
    }
    return {};
  }

  Sink& sink_;
  std::unique_ptr<Hasher> hasher_;
  uint64_t max_bytes_;
  uint64_t bytes_ = 0;
};

// Moves `from` to `to` unless `to` exists. Errors: `file_exists`, `io_error`.
Status rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return {};
  if (errno == EEXIST) return Status::error("file_exists", "refusing to overwrite " + to);
  if (errno != EINVAL && errno != ENOSYS) return io_error("cannot rename to", to);
  // A file system without RENAME_NOREPLACE: link() refuses an existing name as well.
  if (::link(from.c_str(), to.c_str()) != 0) {
    if (errno == EEXIST) return Status::error("file_exists", "refusing to overwrite " + to);
    return io_error("cannot link to", to);
  }
  ::unlink(from.c_str());
  return {};
}

}  // namespace

Status StringSink::append(std::string_view bytes) {
  out_.append(bytes);
  return {};
}

Result<uint64_t> encode(const ChainStore& store, const std::vector<std::string>& extra_meta_keys,
                        Sink& sink, uint64_t max_bytes, const ImageExportOptions& options) {
  rocksdb::DB* db = store.db();
  const rocksdb::Snapshot* snap = options.at != nullptr ? options.at : db->GetSnapshot();
  std::unique_ptr<const rocksdb::Snapshot, std::function<void(const rocksdb::Snapshot*)>> release(
      snap, [db, own = options.at == nullptr](const rocksdb::Snapshot* s) {
        if (own) db->ReleaseSnapshot(s);
      });
  rocksdb::ReadOptions read;
  read.snapshot = snap;
  read.fill_cache = false;  // one pass over the whole ledger would evict what the node reads

  Encoder out(sink, store.suite(), max_bytes);
  MEDTRAIL_RETURN_IF_ERROR(out.put(kMagic));
  MEDTRAIL_RETURN_IF_ERROR(out.put(as_chars(store.chain_id())));
  for (ColumnFamily f : kFamilies) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, store.column_family(f)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
        return Status::error("cancelled", "the export was cancelled");
      }
      // The search index is node-local: the installing node derives its own (search_index.h).
      if (f == ColumnFamily::kIndex && !it->key().starts_with("r")) continue;
      MEDTRAIL_RETURN_IF_ERROR(out.entry(f, it->key().ToStringView(), it->value().ToStringView()));
    }
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(it->status(), "reading the ledger"));
  }
  std::vector<std::string> meta_keys = ChainStore::own_meta_keys();
  auto extra = expand_meta_keys(store, read, extra_meta_keys);
  if (!extra.ok()) return extra.status();
  meta_keys.insert(meta_keys.end(), extra->begin(), extra->end());
  for (const std::string& k : meta_keys) {
    std::string value;
    rocksdb::Status s = db->Get(read, store.column_family(ColumnFamily::kMeta), k, &value);
    if (s.IsNotFound()) continue;
    MEDTRAIL_RETURN_IF_ERROR(from_rocks(s, "reading meta " + k));
    MEDTRAIL_RETURN_IF_ERROR(out.entry(ColumnFamily::kMeta, k, value));
  }
  return out.finish();
}

}  // namespace image

Result<std::string> export_ledger_image(const ChainStore& store,
                                        const std::vector<std::string>& extra_meta_keys) {
  std::string out;
  image::StringSink sink(out);
  auto size =
      image::encode(store, extra_meta_keys, sink, kMaxLedgerImageStringBytes, ImageExportOptions());
  if (!size.ok()) return size.status();
  return out;
}

Result<uint64_t> export_ledger_image_file(const ChainStore& store,
                                          const std::vector<std::string>& extra_meta_keys,
                                          const std::string& path,
                                          const ImageExportOptions& options) {
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) {
    return Status::error("file_exists", "refusing to overwrite " + path);
  }
  if (errno != ENOENT) return image::io_error("cannot stat", path);
  const std::string part = path + ".part";
  // A .part left by a crash is an unfinished export of ours: overwritten.
  const int fd = ::open(part.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return image::io_error("cannot create", part);
  auto discard = [&part](Status s) {
    ::unlink(part.c_str());
    return s;
  };
  Result<uint64_t> size = Status::error("io_error", "not written");
  {
    detail::FileDescriptor file(fd);
    image::FileSink sink(file.get(), part);
    size = image::encode(store, extra_meta_keys, sink, kMaxLedgerImageBytes, options);
    Status s = size.ok() ? sink.flush() : size.status();
    if (s.ok() && ::fsync(file.get()) != 0) s = image::io_error("cannot fsync", part);
    if (s.ok() && !file.close()) s = image::io_error("cannot close", part);
    if (!s.ok()) return discard(s);
  }
  if (Status s = image::rename_no_replace(part, path); !s.ok()) return discard(s);
  if (Status s = detail::sync_parent_directory(path); !s.ok()) {
    ::unlink(path.c_str());  // not durable: the caller sees the export fail, and may retry
    return s;
  }
  return size;
}

}  // namespace medtrail::ledger
