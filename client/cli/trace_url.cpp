#include "trace_url.h"

#include <algorithm>
#include <string_view>

#include "medtrail/ledger/bytes.h"

namespace medtrail::cli {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool is_token_char(unsigned char c) { return is_unreserved(c) && c != '~'; }

bool every_char(std::string_view s, bool (*pred)(unsigned char)) {
  return std::all_of(s.begin(), s.end(), [pred](char c) { return pred(static_cast<unsigned char>(c)); });
}

bool is_dns_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

bool is_ipv6_char(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

ledger::Status check_node(const NodeUrl& node) {
  std::string_view host(node.host);
  bool host_ok;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    std::string_view inner = host.substr(1, host.size() - 2);
    host_ok = !inner.empty() && inner.size() <= 45 && every_char(inner, is_ipv6_char);
  } else {
    host_ok = !host.empty() && host.size() <= 253 && every_char(host, is_dns_char);
  }
  if (!host_ok) {
    return ledger::Status::error("bad_url", "the node's host must be a DNS name, an IPv4 address "
                                            "or a bracketed IPv6 address");
  }
  const std::string& port = node.port;
  bool port_ok = !port.empty() && port.size() <= 5 && port[0] != '0' &&
                 every_char(port, [](unsigned char c) { return c >= '0' && c <= '9'; }) &&
                 std::stoul(port) <= 65535;
  if (!port_ok) return ledger::Status::error("bad_url", "the node's port must be 1..65535");
  return ledger::Status();
}

}  // namespace

const char* trace_kind_segment(TraceKind kind) {
  switch (kind) {
    case TraceKind::kVaccine: return "vaccine";
    case TraceKind::kTableware: return "tableware";
    case TraceKind::kRx: return "rx";
  }
  return "";
}

ledger::Status check_trace_code(TraceKind kind, const std::string& code) {
  switch (kind) {
    case TraceKind::kVaccine:
      if (code.empty() || code.size() > 128 ||
          !every_char(code, [](unsigned char c) { return c > 0x20 && c < 0x7f; })) {
        return ledger::Status::error(
            "bad_code", "a vaccine code is 1..128 printable ASCII characters, without spaces");
      }
      break;
    case TraceKind::kTableware:
      if (code.empty() || code.size() > 32 || !every_char(code, is_token_char)) {
        return ledger::Status::error("bad_code",
                                     "a tableware batch is 1..32 characters of [A-Za-z0-9._-]");
      }
      break;
    case TraceKind::kRx:
      if (!ledger::is_hash_hex(code)) {
        return ledger::Status::error("bad_code", "an rx id is exactly 64 lowercase hex digits");
      }
      break;
  }
  return ledger::Status();
}

std::string percent_encode_segment(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

ledger::Result<std::string> public_trace_url(const NodeUrl& node, TraceKind kind,
                                             const std::string& code) {
  MEDTRAIL_RETURN_IF_ERROR(check_node(node));
  MEDTRAIL_RETURN_IF_ERROR(check_trace_code(kind, code));
  return node.origin() + "/trace/" + trace_kind_segment(kind) + "/" +
         percent_encode_segment(code);
}

}  // namespace medtrail::cli
