#include "io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>

#include "medtrail/ledger/bytes.h"

namespace medtrail::cli {

ledger::Result<std::string> read_input(const std::string& path, size_t max_bytes) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return ledger::Status::error("io_error", "cannot open " + path);
    in = &file;
  }
  std::string data;
  char buf[8192];
  while (in->read(buf, sizeof buf) || in->gcount() > 0) {
    data.append(buf, static_cast<size_t>(in->gcount()));
    if (data.size() > max_bytes) {
      return ledger::Status::error("too_large", path + " is larger than " +
                                                    std::to_string(max_bytes) + " bytes");
    }
  }
  if (in->bad()) return ledger::Status::error("io_error", "cannot read " + path);
  return data;
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

int fail(const std::string& what, const ledger::Status& status, int exit_code) {
  std::cerr << "medtrail: " << what << ": " << status.to_string() << "\n";
  return exit_code;
}

}  // namespace medtrail::cli

namespace medtrail::cli {

ledger::Status write_new_text_file(const std::string& path, const std::string& text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return ledger::Status::error(errno == EEXIST ? "file_exists" : "io_error",
                                 path + ": " + std::strerror(errno));
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok) return ledger::Status::error("io_error", "cannot write " + path);
  return ledger::Status();
}

ledger::Status write_new_file_atomically(const std::string& path, const std::string& bytes) {
  // link(2) rather than rename(2): rename would replace a file created after our check.
  const std::string tmp = path + "." + std::to_string(::getpid()) + ".tmp";
  ledger::Status written = write_new_text_file(tmp, bytes);
  if (!written.ok()) {
    if (written.code() == "io_error") ::unlink(tmp.c_str());  // not one we did not create
    return ledger::Status::error("io_error", written.message());
  }
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) {
    return ledger::Status::error(link_errno == EEXIST ? "file_exists" : "io_error",
                                 path + ": " + std::strerror(link_errno));
  }
  return ledger::Status();
}

ledger::Status replace_file_durably(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + "." + std::to_string(::getpid()) + ".tmp";
  ::unlink(tmp.c_str());  // a temporary left by a crash of this same pid number
  ledger::Status written = write_new_text_file(tmp, bytes);
  if (!written.ok()) {
    ::unlink(tmp.c_str());
    return ledger::Status::error("io_error", written.message());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    ::unlink(tmp.c_str());
    return ledger::Status::error("io_error", "cannot replace " + path + ": " +
                                                 std::strerror(rename_errno));
  }
  const size_t slash = path.find_last_of('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) synced = ::close(fd) == 0 && synced;
  if (!synced) return ledger::Status::error("io_error", "cannot sync the directory of " + path);
  return ledger::Status();
}

void wipe(std::string& secret) {
  volatile char* p = secret.data();  // volatile: the stores are not optimised away
  for (size_t i = 0; i < secret.size(); ++i) p[i] = 0;
}

std::string printable_text(std::string_view text, size_t max_bytes) {
  text = ledger::utf8_prefix(text, max_bytes);
  const bool utf8 = ledger::is_valid_utf8(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) {
      out += '?';
    } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xa0) {
      out += '?';  // U+0080..U+009F
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string utc_now_rfc3339() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace medtrail::cli
