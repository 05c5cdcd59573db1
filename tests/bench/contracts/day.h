#pragma once
// The contracts benchmark's workload: one day of a provincial deployment, signed and parsed
// before timing (see tests/bench/contracts_bench.cpp for the mix and what is measured).
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "medtrail/contracts/block_executor.h"
#include "medtrail/ledger/envelope.h"
#include "support/memory_state.h"

namespace medtrail::bench {

// The committed state as the store holds it, in memory.
using medtrail::testing::MemoryState;

// A record as the node has it once admitted: signed, payload parsed, id hashed.
struct Record {
  ledger::Envelope envelope;
  ledger::PayloadFields fields;
  nlohmann::json body;  // handed over by the same parse, as the node's verification pass does
  std::string record_id;
  ledger::Bytes public_key;  // the signer's, for the verification run
};

struct Block {
  contracts::BlockContext context;
  std::vector<Record> records;
};

struct Day {
  contracts::ChainParams chain;
  MemoryState committed;  // at the day's start: staff registered
  std::vector<Block> blocks;
  std::map<std::string, size_t> kind_counts;
  size_t sealed_records = 0;  // records whose confidential fields were sealed (a sealed day)
  double sealing_s = 0;       // the clients' time sealing them
  size_t record_count() const {
    size_t n = 0;
    for (const Block& b : blocks) n += b.records.size();
    return n;
  }
};

// `records` records in blocks of `per_block`, every one of which the contracts accept. `sealed`:
// on a chain that seals confidential fields, every body's sealed by its author's client (the
// same mix, people and order of records as without).
Day build_day(size_t records, size_t per_block, bool sealed = false);

}  // namespace medtrail::bench
