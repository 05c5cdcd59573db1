// Verification of state proofs (docs/proofs.md, "State proof").

#include "medtrail/ledger/state_proof.h"

#include <string>

#include "proof_errors.h"

namespace medtrail::ledger {
namespace {

constexpr uint8_t kStateLeafPrefix = 0x02;
constexpr uint8_t kStateNodePrefix = 0x03;

bool share_prefix(const Hash& a, const Hash& b, size_t bits) {
  for (size_t i = 0; i < bits; ++i) {
    if (state_path_bit(a, i) != state_path_bit(b, i)) return false;
  }
  return true;
}

}  // namespace

Hash state_key_hash(const CryptoSuite& suite, ByteView key) { return suite.hash(key); }

Hash state_value_hash(const CryptoSuite& suite, ByteView value) { return suite.hash(value); }

Hash state_leaf_hash(const CryptoSuite& suite, const StateMapLeaf& leaf) {
  const uint8_t prefix = kStateLeafPrefix;
  return suite.hash_parts(
      {ByteView(&prefix, 1), ByteView(leaf.key_hash), ByteView(leaf.value_hash)});
}

Hash state_node_hash(const CryptoSuite& suite, const Hash& left, const Hash& right) {
  const uint8_t prefix = kStateNodePrefix;
  return suite.hash_parts({ByteView(&prefix, 1), ByteView(left), ByteView(right)});
}

Hash state_map_empty_root() { return Hash{}; }

bool state_path_bit(const Hash& path, size_t index) {
  return ((path[index / 8] >> (7 - index % 8)) & 1) != 0;
}

Status verify_state_proof(const CryptoSuite& suite, const Hash& root, ByteView key,
                          const std::optional<ByteView>& value, const StateProof& proof) {
  std::optional<Hash> value_hash;
  if (value) value_hash = state_value_hash(suite, *value);
  return verify_state_proof_hashed(suite, root, state_key_hash(suite, key), value_hash, proof);
}

Status verify_state_proof_hashed(const CryptoSuite& suite, const Hash& root, const Hash& key_hash,
                                 const std::optional<Hash>& value_hash, const StateProof& proof) {
  const size_t depth = proof.siblings.size();
  if (depth > kStateMapDepth) {
    return proof_malformed("a state proof has " + std::to_string(depth) + " siblings; at most " +
                           std::to_string(kStateMapDepth));
  }
  const bool own_entry = proof.leaf && proof.leaf->key_hash == key_hash;
  // Another key's entry ends the walk only inside the subtree the walk reached.
  if (proof.leaf && !own_entry && !share_prefix(proof.leaf->key_hash, key_hash, depth)) {
    return proof_malformed("the entry that ends the state proof lies off the key's path");
  }
  Hash current = proof.leaf ? state_leaf_hash(suite, *proof.leaf) : state_map_empty_root();
  for (size_t i = 0; i < depth; ++i) {
    const Hash& sibling = proof.siblings[i];
    current = state_path_bit(key_hash, depth - 1 - i) ? state_node_hash(suite, sibling, current)
                                                      : state_node_hash(suite, current, sibling);
  }
  if (current != root) return proof_invalid("the state proof does not lead to the root");
  // The proof holds for this root: what it shows is now a fact, to compare with the claim.
  if (value_hash && !own_entry) {
    return proof_invalid("the key holds nothing in this map, not the value claimed");
  }
  if (value_hash && proof.leaf->value_hash != *value_hash) {
    return proof_invalid("the key holds another value than the one claimed");
  }
  if (!value_hash && own_entry) return proof_invalid("the key holds a value in this map");
  return Status::ok_status();
}

}  // namespace medtrail::ledger
