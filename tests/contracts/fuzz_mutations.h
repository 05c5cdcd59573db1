#pragma once
// The fuzz test's mutation engine: random changes to a JSON body, reproducible from a seed
// (std::mt19937_64 with plain modulo picks, the same on every standard library).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace medtrail::contracts::fuzz_testing {

// One to three mutations of `body` drawn from `seed`; `payload_room` bounds the body's serialized
// size (most of the time).
void mutate(uint64_t seed, nlohmann::json& body, size_t payload_room);

}  // namespace medtrail::contracts::fuzz_testing
