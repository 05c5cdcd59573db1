#pragma once
// The read-side benchmark's records (scripts/bench lookup): disinfected tableware batches, the
// citizen's lookup subjects, and prescriptions, the pharmacist's. Payloads are built here and
// signed on every core, so the fill and the ingest run send the same kind of record.
#include <cstdint>
#include <string>
#include <vector>

#include "medtrail/ledger/crypto_suite.h"
#include "medtrail/ledger/envelope.h"

namespace medtrail::bench::lookup {

// "TW-<prefix><n, 9 digits>": a batch code the contract accepts ([A-Za-z0-9._-], 1..32).
std::string batch_code(const std::string& prefix, uint64_t n);

// A tableware.batch by `actor` (an operator of disinf-d): disinfected an hour before `now_ms`,
// usable for 30 days, every GB 14934 item passed — the lookup answers GENUINE.
std::string tableware_batch_payload(const std::string& actor, const std::string& code, int64_t now_ms);

// An rx.issue by `actor` (a doctor of hosp-a) for a patient derived from `n`, one item.
std::string rx_issue_payload(const std::string& actor, uint64_t n, int64_t now_ms);

// Signs every payload with `key`, on `threads` threads; throws on a signing error.
std::vector<ledger::Envelope> sign_all(const std::vector<std::string>& payloads, const ledger::KeyPair& key,
                                       unsigned threads);

int64_t wall_ms();

}  // namespace medtrail::bench::lookup
