#pragma once
// Who a citizen is, as an identity service vouches for them: the electronic health card
// (电子健康卡) or a real-name check. The pseudonym service asks it before it computes a citizen's
// own ref (docs/privacy.md, "Citizens"): it learns a stable handle for the person and counts the
// person's requests by it. For the citizen's own vaccination record the service also needs to know
// whose record it is: a health card names its holder's resident id, which the node uses for that
// one lookup and never stores, logs or records.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "medtrail/ledger/status.h"

namespace medtrail::node::api {

struct CitizenIdentity {
  std::string handle;  // stable for the person
  // The holder's resident id (GB 11643), normalised, when the service names it; nullopt otherwise.
  std::optional<std::string> resident_id;
};

class CitizenIdentityCheck {
 public:
  virtual ~CitizenIdentityCheck() = default;
  // Who `credential` proves the citizen is; `identity_check_failed` otherwise. The error never
  // repeats the credential.
  virtual ledger::Result<CitizenIdentity> verify(std::string_view credential) const = 0;
};

// A stand-in until a health card service is wired in, for demos and tests only: the credentials
// listed in a file, one per line ('#' starts a comment), each its own handle, optionally followed
// by one space and the holder's resident id ("demo-card-0003 610103201908110023"). Read once at
// start; at most 100,000 lines.
class ListedCredentials : public CitizenIdentityCheck {
 public:
  // Errors: `io_error`, `bad_config` (a credential that is not 1..512 printable ASCII characters,
  // or a second field that is not a resident id; the line is named, never its content).
  static ledger::Result<std::unique_ptr<ListedCredentials>> load(const std::string& path);
  ledger::Result<CitizenIdentity> verify(std::string_view credential) const override;

 private:
  std::map<std::string, std::optional<std::string>, std::less<>> credentials_;
};

}  // namespace medtrail::node::api
