#include "api/citizen_identity.h"

#include <algorithm>
#include <fstream>

#include "medtrail/ledger/pseudonym.h"
#include "medtrail/ledger/resident_id.h"

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
    const size_t space = line.find(' ');
    const std::string credential = line.substr(0, space);
    const bool printable =
        std::all_of(credential.begin(), credential.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (credential.empty() || !printable || credential.size() > ledger::kMaxCitizenCredentialBytes) {
      return ledger::Status::error("bad_config", path + ":" + std::to_string(number) +
                                                     ": a credential is 1..512 printable ASCII characters");
    }
    std::optional<std::string> resident_id;
    if (space != std::string::npos) {
      resident_id = ledger::normalise_resident_id(std::string_view(line).substr(space + 1));
      if (!resident_id) {
        return ledger::Status::error("bad_config", path + ":" + std::to_string(number) +
                                                       ": after the credential and one space, a resident "
                                                       "identity number (18 characters, valid)");
      }
    }
    if (check->credentials_.size() >= kMaxListedCredentials) {
      return ledger::Status::error("bad_config", path + ": more than 100,000 credentials");
    }
    check->credentials_.insert_or_assign(credential, std::move(resident_id));
  }
  return check;
}

ledger::Result<CitizenIdentity> ListedCredentials::verify(std::string_view credential) const {
  auto it = credentials_.find(credential);
  if (it == credentials_.end()) {
    return ledger::Status::error("identity_check_failed", "the credential does not prove who you are");
  }
  return CitizenIdentity{it->first, it->second};
}

}  // namespace medtrail::node::api
