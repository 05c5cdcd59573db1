// A node's configuration file (node/src/config/node_config.h): TOML an operator writes, or a
// file a careless or hostile hand replaced. Any text must parse to a configuration or to a
// `bad_config` error naming where — never a crash, never an exception out of the parser.
#include "config/node_config.h"
#include "fuzz_check.h"

using namespace medtrail;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  auto config = node::parse_node_config(text, "fuzz.toml", "/nonexistent-base");
  if (!config.ok()) {
    fuzz::check(config.status().code() == "bad_config", "a configuration refused is `bad_config`");
    fuzz::check(!config.status().message().empty(), "a refusal says why");
  }
  if (auto hp = node::parse_host_port(text); hp.ok()) {
    fuzz::check(!hp->host.empty(), "a host:port has a host");
  }
  return 0;
}
