#pragma once
// Who a citizen is, as an identity service vouches for them: the electronic health card
// (电子健康卡) or a real-name check. The pseudonym service asks it before it computes a citizen's
// own ref (docs/privacy.md, "Citizens"): it learns a stable handle for the person, never their
// resident id, and counts the person's requests by it.
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "medtrail/ledger/status.h"

namespace medtrail::node::api {

class CitizenIdentityCheck {
 public:
  virtual ~CitizenIdentityCheck() = default;
  // The handle of the citizen `credential` proves; `identity_check_failed` otherwise. The error
  // never repeats the credential.
  virtual ledger::Result<std::string> verify(std::string_view credential) const = 0;
};

// A stand-in until a health card service is wired in, for demos and tests only: the credentials
// listed in a file, one per line ('#' starts a comment); each is its own handle. Read once at
// start; at most 100,000 lines.
class ListedCredentials : public CitizenIdentityCheck {
 public:
  // Errors: `io_error`, `bad_config` (a line that is not 1..512 printable ASCII characters).
  static ledger::Result<std::unique_ptr<ListedCredentials>> load(const std::string& path);
  ledger::Result<std::string> verify(std::string_view credential) const override;

 private:
  std::set<std::string, std::less<>> credentials_;
};

}  // namespace medtrail::node::api
