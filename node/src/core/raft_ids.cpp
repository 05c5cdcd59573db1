#include "core/raft_ids.h"

#include <openssl/sha.h>

namespace medtrail::node {

uint64_t raft_id_of(std::string_view node_id) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(node_id.data()), node_id.size(), digest);
  uint64_t id = 0;
  for (int i = 0; i < 8; ++i) id = (id << 8) | digest[i];
  return id == 0 ? 1 : id;
}

}  // namespace medtrail::node
