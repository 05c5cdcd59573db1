#include "proven_print.h"

#include <algorithm>

#include "io.h"
#include "medtrail/ledger/rfc3339.h"

namespace medtrail::cli {

namespace {

void facts_line(const char* what, const ledger::PublicFacts& facts, std::ostream& out) {
  out << "    " << what << ":";
  for (const auto& [name, value] : facts) {
    // Names are [a-z0-9_] (public_facts.h); a time in ms shows as a time, without its unit.
    const bool time = name.ends_with("_ms") && std::holds_alternative<int64_t>(value);
    out << " " << (time ? name.substr(0, name.size() - 3) : name) << "=";
    if (const std::string* t = std::get_if<std::string>(&value)) {
      out << printable_text(*t);
    } else if (time) {
      out << ledger::unix_ms_to_rfc3339(std::get<int64_t>(value));
    } else {
      out << std::get<int64_t>(value);
    }
  }
  out << "\n";
}

}  // namespace

int64_t proven_age_s(const ProvenTrace& proven, int64_t now_ms) {
  return std::max<int64_t>(0, (now_ms - proven.block_time_ms) / 1000);
}

void print_proven(const ProvenTrace& proven, int64_t now_ms, std::ostream& out, const char* what) {
  out << "proven: " << proven.word << ", as of block " << proven.height << " ("
      << ledger::unix_ms_to_rfc3339(proven.block_time_ms) << ", " << proven_age_s(proven, now_ms)
      << " s ago), from the chain's public facts:\n";
  if (!proven.subject) {
    out << "    the chain holds no such code\n";
    return;
  }
  facts_line(what, *proven.subject, out);
  if (!proven.lot.empty()) facts_line("lot", proven.lot, out);
}

}  // namespace medtrail::cli
