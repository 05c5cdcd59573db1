#include "io.h"

#include <fstream>
#include <iostream>
#include <iterator>

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

int fail(const std::string& what, const ledger::Status& status, int exit_code) {
  std::cerr << "medtrail: " << what << ": " << status.to_string() << "\n";
  return exit_code;
}

}  // namespace medtrail::cli
