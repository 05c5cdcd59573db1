#include "medtrail/contracts/context.h"

#include "medtrail/contracts/calendar.h"

namespace medtrail::contracts {

ledger::Result<ChainParams> ChainParams::from_genesis(const ledger::Genesis& genesis,
                                                      const ledger::Hash& chain_id) {
  ChainParams p;
  p.chain_id = chain_id;
  p.genesis = genesis;
  auto offset = parse_utc_offset(genesis.time_zone);
  if (!offset) return ledger::Status::error("bad_genesis", "time_zone must be +HH:MM or -HH:MM");
  p.utc_offset_minutes = *offset;
  p.gov_approvals = genesis.gov_approvals;
  p.suite = ledger::find_suite(genesis.suite);
  if (p.suite == nullptr)
    return ledger::Status::error("bad_genesis", "unknown suite " + genesis.suite);
  return p;
}

}  // namespace medtrail::contracts
