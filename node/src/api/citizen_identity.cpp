#include "api/citizen_identity.h"

#include <algorithm>
#include <fstream>

#include "medtrail/ledger/pseudonym.h"

namespace medtrail::node::api {

namespace {
constexpr size_t kMaxListedCredentials = 100000;
}  // namespace

ledger::Result<std::unique_ptr<ListedCredentials>> ListedCredentials::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return ledger::Status::error("io_error", "cannot read the citizen credentials " + path);
  auto check = std::make_unique<ListedCredentials>();
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    const bool printable = std::all_of(line.begin(), line.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (!printable || line.size() > ledger::kMaxCitizenCredentialBytes) {
      return ledger::Status::error("bad_config", path + ":" + std::to_string(number) +
                                                     ": a credential is 1..512 printable ASCII characters");
    }
    if (check->credentials_.size() >= kMaxListedCredentials) {
      return ledger::Status::error("bad_config", path + ": more than 100,000 credentials");
    }
    check->credentials_.insert(line);
  }
  return check;
}

ledger::Result<std::string> ListedCredentials::verify(std::string_view credential) const {
  auto it = credentials_.find(credential);
  if (it == credentials_.end()) {
    return ledger::Status::error("identity_check_failed", "the credential does not prove who you are");
  }
  return *it;
}

}  // namespace medtrail::node::api
