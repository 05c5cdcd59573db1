#pragma once
// A prescription's slip key as people carry it: in a file of its own (`medtrail seal
// --slip-key-out`), or in the fragment of the slip's QR URL (`medtrail qr --rx --slip-key`).
#include <string>
#include <string_view>

#include "medtrail/ledger/secure_bytes.h"
#include "medtrail/ledger/status.h"

namespace medtrail::cli {

inline constexpr std::string_view kSlipKeyFragment = "#k=";

// The key in the file's first line: the key itself, or a URL whose fragment is #k=<key>.
// Errors: read_input's, `bad_slip_key`.
ledger::Result<ledger::SecureBytes> read_slip_key(const std::string& path);

}  // namespace medtrail::cli
