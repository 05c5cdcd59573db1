#include "slip_key.h"

#include "io.h"
#include "medtrail/ledger/sealed_fields.h"

namespace medtrail::cli {

ledger::Result<ledger::SecureBytes> read_slip_key(const std::string& path) {
  constexpr size_t kMaxSlipBytes = 4096;  // a URL with its fragment
  auto text = read_input(path, kMaxSlipBytes);
  if (!text.ok()) return text.status();
  std::string_view line(*text);
  line = line.substr(0, line.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (const size_t at = line.find(kSlipKeyFragment); at != std::string_view::npos) {
    line = line.substr(at + kSlipKeyFragment.size());
  }
  auto key = ledger::slip_key_from_text(line);
  wipe(*text);
  return key;
}

}  // namespace medtrail::cli
