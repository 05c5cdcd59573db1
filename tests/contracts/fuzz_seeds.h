#pragma once
// The fuzz test's starting points: valid seed bodies for every kind, each accepted as is in the
// state prepare_seeds builds.
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "contracts/contract_fixture.h"

namespace medtrail::contracts::fuzz_testing {

struct Seed {
  testing::Person signer;
  nlohmann::json body;
};

using SeedTable = std::map<std::string, std::vector<Seed>, std::less<>>;

// Prepares `f`'s state (people, prescriptions at every stage, lots, shipments, a tableware batch,
// a break-glass event) and returns the seeds of every kind, each valid in that state.
SeedTable prepare_seeds(testing::ContractFixture& f);

}  // namespace medtrail::contracts::fuzz_testing
