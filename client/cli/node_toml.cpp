#include "node_toml.h"

namespace medtrail::cli {

namespace {
// A TOML basic string's contents: quotes and backslashes escaped, control bytes refused
// upstream (paths and ids never carry them).
std::string toml_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}
}  // namespace

std::string node_toml(const ledger::GenesisNode& node, const std::string& genesis_path, bool join,
                      bool pseudonym_service) {
  std::string t = "# medtrail node " + node.id + " of " + node.org + ", written by medtrail.\n";
  t += "node_id  = \"" + node.id + "\"\n";
  t += "genesis  = \"" + toml_escaped(genesis_path) + "\"\n";
  t += "data_dir = \"data\"\n";
  t += "key_file = \"node.key\"\n";
  t += "\n[tls]\ncert = \"tls.crt\"\nkey  = \"tls.key\"\n";
  t += "\n[listen]\n";
  t += "peer = \"" + node.peer_address + "\"\n";
  t += "api  = \"" + node.api_address + "\"\n";
  if (join) t += "\n[cluster]\njoin = true\n";
  if (pseudonym_service) {
    t += "\n[pseudonym]\n# This node runs the patient pseudonym service (docs/privacy.md).\n";
    t += "key_file = \"pseudonym.key\"\n";
  }
  return t;
}

}  // namespace medtrail::cli
