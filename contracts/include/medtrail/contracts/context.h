#pragma once
// What a contract may know besides the state and the record: the block it runs in and the
// consortium's fixed parameters. Nothing here comes from a clock or the machine: every node
// computes the same values from the chain.
#include <cstdint>
#include <string>

#include "medtrail/ledger/genesis.h"
#include "medtrail/ledger/status.h"

namespace medtrail::contracts {

struct BlockContext {
  uint64_t height = 0;
  int64_t timestamp_ms = 0;  // the block's time, ms since the Unix epoch (UTC)
};

struct ChainParams {
  ledger::Hash chain_id{};           // H(genesis file bytes): what signed API queries name
  ledger::Genesis genesis;           // founding organisations and nodes
  int32_t utc_offset_minutes = 480;  // genesis time_zone: calendar days for validity rules
  uint32_t gov_approvals = 1;        // regulator organisations that must approve a proposal
  // The genesis' suite: its hash extends the subjects' trail heads (ledger/trail_head.h).
  const ledger::CryptoSuite* suite = &ledger::ed25519_sha256();

  // From a parsed genesis (time zone, approvals) and its chain id. Errors: `bad_genesis`.
  static ledger::Result<ChainParams> from_genesis(const ledger::Genesis& genesis,
                                                  const ledger::Hash& chain_id);
};

}  // namespace medtrail::contracts
