// Reading a ledger image: its byte sources and the parser every image function goes through.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "exclusive_file.h"
#include "image_stream.h"

namespace medtrail::ledger::image {
namespace {

// What a file source reads ahead: the many small reads of an entry's header cost one syscall.
constexpr size_t kReadBufferBytes = 1 << 20;
// What a refusal hashes at a time of the image's remainder.
constexpr size_t kDrainBytes = 1 << 20;

Status bad(const std::string& what) { return Status::error("bad_image", what); }

class StringSource final : public Source {
 public:
  explicit StringSource(std::string_view image) : image_(image) {}
  uint64_t size() const override { return image_.size(); }
  Status read(char* out, size_t n) override {
    if (n > image_.size() - pos_) {
      return Status::error("io_error", "read past the end of the image");
    }
    std::memcpy(out, image_.data() + pos_, n);
    pos_ += n;
    return {};
  }
  void rewind() override { pos_ = 0; }

 private:
  std::string_view image_;
  size_t pos_ = 0;
};

class FileSource final : public Source {
 public:
  // Owns `fd` from here on.
  FileSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  Status stat() {
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) {
      return Status::error("io_error", "cannot stat " + path_ + ": " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) return Status::error("io_error", path_ + " is not a regular file");
    size_ = static_cast<uint64_t>(st.st_size);
    return {};
  }

  uint64_t size() const override { return size_; }

  Status read(char* out, size_t n) override {
    while (n > 0) {
      if (buffered_ == taken_) {
        // A long read goes straight to `out`; a short one fills the buffer first.
        if (n >= kReadBufferBytes) return pread_all(out, n);
        buffer_.resize(kReadBufferBytes);
        const size_t want =
            static_cast<size_t>(std::min<uint64_t>(kReadBufferBytes, size_ - offset_));
        MEDTRAIL_RETURN_IF_ERROR(pread_all(buffer_.data(), want));
        buffered_ = want;
        taken_ = 0;
        if (want == 0) return Status::error("io_error", "read past the end of " + path_);
      }
      const size_t take = std::min(n, buffered_ - taken_);
      std::memcpy(out, buffer_.data() + taken_, take);
      taken_ += take;
      out += take;
      n -= take;
    }
    return {};
  }

  void rewind() override {
    offset_ = 0;
    buffered_ = taken_ = 0;
  }

 private:
  // Reads `n` bytes at offset_ and advances it; a file that shrank is an error, not an end.
  Status pread_all(char* out, size_t n) {
    while (n > 0) {
      const ssize_t got = ::pread(fd_.get(), out, n, static_cast<off_t>(offset_));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        return Status::error("io_error", "cannot read " + path_ + ": " + std::strerror(errno));
      }
      if (got == 0) return Status::error("io_error", path_ + " is shorter than it was");
      offset_ += static_cast<uint64_t>(got);
      out += got;
      n -= static_cast<size_t>(got);
    }
    return {};
  }

  detail::FileDescriptor fd_;
  std::string path_;
  uint64_t size_ = 0;
  uint64_t offset_ = 0;  // of the file, after what the buffer holds
  std::string buffer_;
  size_t buffered_ = 0;
  size_t taken_ = 0;
};

}  // namespace

std::unique_ptr<Source> string_source(std::string_view image) {
  return std::make_unique<StringSource>(image);
}

Result<std::unique_ptr<Source>> file_source(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::error("io_error", "cannot open " + path + ": " + std::strerror(errno));
  auto source = std::make_unique<FileSource>(fd, path);
  MEDTRAIL_RETURN_IF_ERROR(source->stat());
  return std::unique_ptr<Source>(std::move(source));
}

bool meta_key_allowed(std::string_view key, const std::vector<std::string>& extra_meta_keys) {
  // Whatever the caller names: the marker would make the installed store refuse to grow.
  if (key == kInstallMarkerMetaKey) return false;
  for (const std::string& k : ChainStore::own_meta_keys()) {
    if (k == key) return true;
  }
  for (const std::string& k : extra_meta_keys) {
    const bool prefix = !k.empty() && k.back() == '/';
    if (prefix ? key.starts_with(k) : k == key) return true;
  }
  return false;
}

Parser::Parser(Source& source, const CryptoSuite& suite, const Hash& chain_id,
               const std::vector<std::string>& extra_meta_keys)
    : source_(source),
      chain_id_(chain_id),
      extra_meta_keys_(extra_meta_keys),
      hasher_(suite.new_hasher()) {}

Status Parser::read(char* out, size_t n) {
  MEDTRAIL_RETURN_IF_ERROR(source_.read(out, n));
  hasher_->update(ByteView(reinterpret_cast<const uint8_t*>(out), n));
  pos_ += n;
  return {};
}

Status Parser::start() {
  Status s = read_header();
  if (!s.ok()) {
    done_ = true;
    failure_ = s;
  }
  return s;
}

Status Parser::read_header() {
  if (source_.size() < kMinImageBytes) return bad("not a ledger image");
  body_size_ = source_.size() - kHashSize;
  char magic[kMagic.size()];
  MEDTRAIL_RETURN_IF_ERROR(read(magic, sizeof(magic)));
  if (std::string_view(magic, sizeof(magic)) != kMagic) return bad("not a ledger image");
  Hash chain_id;
  MEDTRAIL_RETURN_IF_ERROR(read(reinterpret_cast<char*>(chain_id.data()), kHashSize));
  chain_matches_ = chain_id == chain_id_;
  if (!chain_matches_) return conclude(Status());
  return {};
}

Status Parser::read_length(uint64_t& length, const char* what) {
  // The length is bounded by the bytes the image still holds before anything is allocated.
  if (body_size_ - pos_ < 8) return bad(std::string("truncated ") + what);
  uint8_t be[8];
  MEDTRAIL_RETURN_IF_ERROR(read(reinterpret_cast<char*>(be), sizeof(be)));
  length = read_be64(be);
  if (length > body_size_ - pos_) return bad(std::string("truncated ") + what);
  if (length > kMaxEntryBytes) {
    return bad(std::string("an image entry's ") + what + " is larger than any the ledger writes");
  }
  return {};
}

Result<bool> Parser::next(Entry& entry) {
  if (done_) {
    if (!failure_.ok()) return failure_;
    return false;
  }
  Result<bool> more = read_entry(entry);
  if (!more.ok()) {
    done_ = true;
    failure_ = more.status();
  }
  return more;
}

Result<bool> Parser::read_entry(Entry& entry) {
  if (pos_ >= body_size_) return conclude(bad("no end marker"));
  uint8_t cf = 0;
  MEDTRAIL_RETURN_IF_ERROR(read(reinterpret_cast<char*>(&cf), 1));
  if (cf == kEnd) {
    if (pos_ != body_size_) return conclude(bad("bytes after the end marker"));
    MEDTRAIL_RETURN_IF_ERROR(conclude(Status()));
    done_ = true;
    return false;
  }
  const bool known = cf == static_cast<uint8_t>(ColumnFamily::kMeta) ||
                     std::any_of(std::begin(kFamilies), std::end(kFamilies),
                                 [cf](ColumnFamily f) { return cf == static_cast<uint8_t>(f); });
  if (!known) return conclude(bad("unknown column family in image"));
  entry.cf = static_cast<ColumnFamily>(cf);
  uint64_t length = 0;
  for (auto [field, what] : {std::pair{&entry.key, "key"}, std::pair{&entry.value, "value"}}) {
    if (Status s = read_length(length, what); !s.ok()) {
      return s.code() == "io_error" ? s : conclude(s);
    }
    field->resize(length);
    MEDTRAIL_RETURN_IF_ERROR(read(field->data(), length));
  }
  if (Status s = check_entry(entry); !s.ok()) return conclude(s);
  ++entries_;
  return true;
}

Status Parser::check_entry(const Entry& entry) {
  // One value per key: verification must see exactly what an install would write (where a
  // later copy of a key would win). Ledger families are exported in key order, meta keys not.
  if (entry.cf == ColumnFamily::kMeta) {
    if (!meta_keys_.insert(entry.key).second) return bad("a meta key appears twice");
    if (!meta_key_allowed(entry.key, extra_meta_keys_)) {
      return bad("image carries a meta key it must not set");
    }
    meta_bytes_ += entry.key.size() + entry.value.size();
    if (meta_bytes_ > kMaxMetaBytes) {
      return bad("the image's meta entries are larger than any the ledger writes");
    }
    return {};
  }
  auto [last, first_of_family] = last_key_.try_emplace(entry.cf, entry.key);
  if (!first_of_family) {
    if (entry.key <= last->second) return bad("ledger keys out of order or repeated");
    last->second = entry.key;
  }
  return {};
}

Status Parser::conclude(Status structural) {
  done_ = true;
  std::string chunk;
  while (pos_ < body_size_) {
    chunk.resize(static_cast<size_t>(std::min<uint64_t>(kDrainBytes, body_size_ - pos_)));
    MEDTRAIL_RETURN_IF_ERROR(read(chunk.data(), chunk.size()));
  }
  Hash trailing;
  MEDTRAIL_RETURN_IF_ERROR(source_.read(reinterpret_cast<char*>(trailing.data()), kHashSize));
  if (hasher_->finish() != trailing) {
    return bad("image hash does not match: damaged in transit or on disk");
  }
  if (!chain_matches_) return Status::error("wrong_chain", "the image is of another chain");
  if (expected_digest_ && *expected_digest_ != trailing) {
    return bad("the image changed since it was checked");
  }
  digest_ = trailing;
  return structural;
}

}  // namespace medtrail::ledger::image
