#include "node_url.h"

#include <string_view>

namespace medtrail::cli {

ledger::Result<NodeUrl> parse_node_url(const std::string& url) {
  constexpr std::string_view scheme = "http://";
  std::string_view rest(url);
  if (rest.substr(0, scheme.size()) != scheme) {
    return ledger::Status::error("bad_url", url + ": only http://host:port URLs are supported");
  }
  rest.remove_prefix(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find('/') != std::string_view::npos) {
    return ledger::Status::error("bad_url", url + ": expected http://host:port");
  }
  return NodeUrl{std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
}

}  // namespace medtrail::cli
