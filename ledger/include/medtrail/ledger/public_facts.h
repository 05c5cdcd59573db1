#pragma once
// Public facts (docs/proofs.md, "Public facts"): the part of a state value that anyone may read,
// kept under a key of its own, "pub/<the value's key>", so that a node can prove it to a citizen
// (its value, or its absence) against a checkpoint's state root without revealing the rest of
// the value: a dose's patient, a recall's free-text reason. The contracts write it in the same
// record as the value it is taken from; a client, which links only the ledger, decodes it here.
//
// A flat record of named facts, each an integer or a text. One record has one encoding:
//   u8 format (1) || u8 count || for each fact, names strictly ascending:
//     u8 name length || name || u8 type (0 integer, 1 text) ||
//       integer: be64 (two's complement)  |  text: be16 length || the bytes
// Bounds: at most kMaxPublicFacts facts, names 1..kMaxPublicFactName bytes of [a-z0-9_],
// texts well-formed UTF-8 of at most kMaxPublicFactText bytes.
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "medtrail/ledger/bytes.h"
#include "medtrail/ledger/status.h"

namespace medtrail::ledger {

using PublicFact = std::variant<int64_t, std::string>;
using PublicFacts = std::map<std::string, PublicFact, std::less<>>;

inline constexpr std::string_view kPublicFactsPrefix = "pub/";
inline constexpr size_t kMaxPublicFacts = 32;
inline constexpr size_t kMaxPublicFactName = 32;
inline constexpr size_t kMaxPublicFactText = 256;

// "pub/" + the key of the value the facts are taken from.
std::string public_facts_key(std::string_view value_key);

// Errors: `invalid_argument` (a fact beyond the bounds above).
Result<std::string> encode_public_facts(const PublicFacts& facts);
// Errors: `bad_public_facts` (another format, a bound exceeded, names out of order, bytes
// missing or left over).
Result<PublicFacts> decode_public_facts(std::string_view bytes);

// {"name": integer or text, ...}
nlohmann::json public_facts_json(const PublicFacts& facts);

// The fact `name` if it is present and of type T; a pointer into `facts`.
template <class T>
const T* public_fact(const PublicFacts& facts, std::string_view name) {
  auto it = facts.find(name);
  return it == facts.end() ? nullptr : std::get_if<T>(&it->second);
}
// Not of a temporary, whose facts are gone before the pointer is read (ASan found one in a test).
template <class T>
const T* public_fact(PublicFacts&& facts, std::string_view name) = delete;

}  // namespace medtrail::ledger
